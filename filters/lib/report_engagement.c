/*
 * report_engagement.c - engagement: impressions and engagements (likes,
 * comments, shares; count-weighted, as schemas/report-types.tsv says), their
 * rate per impression and per follower, against the sources' median rate
 * per platform (schemas/benchmarks.tsv). By platform unless -g says.
 * Followers: the latest (by ts; ties the larger) of a record without
 * user_id (an insights row), or of the --brand account.
 */
#include <string.h>

#include "report.h"
#include "report_tables.h"

struct engagement {
	A_COUNT_t seen, engaged;
	A_LATEST_t followers;
	A_MIN_t platform_lo;	/* the group's platforms: one when the least is the greatest */
	A_MAX_t platform_hi;
};

static const struct report_member members[] = {
	REPORT_MEMBER(struct engagement, seen, A_COUNT, "count?type=" TYPES_SEEN),
	REPORT_MEMBER(struct engagement, engaged, A_COUNT, "count?type=" TYPES_ENGAGED),
	REPORT_MEMBER_BRAND(struct engagement, followers, A_LATEST, "latest:followers?followers~&user_id="),
	REPORT_MEMBER(struct engagement, platform_lo, A_MIN, "min:platform?type=" TYPES_SEEN ";type=" TYPES_ENGAGED),
	REPORT_MEMBER(struct engagement, platform_hi, A_MAX, "max:platform?type=" TYPES_SEEN ";type=" TYPES_ENGAGED),
};

static const char *const cols[] = { "impressions", "engagements", "followers", "engagement_rate",
				    "engagement_rate_followers", "benchmark", "vs_benchmark" };
static const enum col_kind kinds[] = { COL_COUNT, COL_COUNT, COL_COUNT, COL_RATIO, COL_RATIO, COL_RATIO,
				       COL_FACTOR };

/* The benchmark of the group's platform, when its posts are all on one; NULL when none. */
static const struct benchmark *benchmark_of(const struct engagement *e)
{
	const struct s_text *lo = &e->platform_lo, *hi = &e->platform_hi;
	size_t k;

	if (!lo->set || !hi->set || lo->len != hi->len || memcmp(lo->p, hi->p, lo->len))
		return NULL;
	for (k = 0; k < sizeof(benchmarks) / sizeof(benchmarks[0]); k++)
		if (lo->len == strlen(benchmarks[k].platform) && !memcmp(lo->p, benchmarks[k].platform, lo->len))
			return &benchmarks[k];
	return NULL;
}

static int row(struct report_run *rr, const struct group *g, int r, struct buf *v)
{
	const struct engagement *e = (const void *)g->st;
	const struct s_latest *fl = &e->followers;
	const struct benchmark *bm = benchmark_of(e);
	int rc;

	(void)rr;
	(void)r;
	rc = json_put_uint(&v[0], e->seen) < 0 || json_put_uint(&v[1], e->engaged) < 0 ||
	     (fl->t.set ? buf_add(&v[2], fl->t.p, fl->t.len) : buf_add(&v[2], "null", 4)) < 0 ||
	     report_put_ratio(&v[3], (double)e->engaged, (double)e->seen) < 0 ||
	     report_put_ratio(&v[4], (double)e->engaged, fl->t.set ? fl->t.x : 0) < 0;
	if (bm)
		return rc || buf_adds(&v[5], bm->text) < 0 ||
		       (e->seen ? json_put_double(&v[6], (double)e->engaged / (double)e->seen / bm->rate)
				: buf_add(&v[6], "null", 4)) < 0 ? -1 : 0;
	return rc || buf_add(&v[5], "null", 4) < 0 || buf_add(&v[6], "null", 4) < 0 ? -1 : 0;
}

const struct report_def report_engagement = {
	.name = "engagement",
	.state_size = sizeof(struct engagement),
	.members = members,
	.nmembers = 5,
	.cols = cols,
	.kinds = kinds,
	.ncols = 7,
	.nrows = 1,
	.default_group = "platform",
	.row = row,
};
