/*
 * report_selling.c - selling: leads (subscribes, signups, leads; count-
 * weighted) and, with --every, their growth over the previous period of
 * the same group; and offer conversion: purchases (orders, each counted
 * once, as roi counts them) per visit and per distinct visitor, and their
 * revenue. With -g campaign, per campaign: a purchase counts in its own
 * record's group, whether or not its buyer's visit is in the same one.
 *
 * Memory: about 380 bytes a group, 16-32 bytes a distinct visitor, and
 * the orders (orders.h); at the end 8 bytes and a hash entry a group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_tables.h"

struct selling {
	A_COUNT_t leads, visits;
	A_DISTINCT_t visitors;
	A_ORDERS_t orders;
	A_SUM_t revenue;
};

static const struct report_member members[] = {
	REPORT_MEMBER(struct selling, leads, A_COUNT, "count?type=" TYPES_LEAD),
	REPORT_MEMBER(struct selling, visits, A_COUNT, "count?type=visit"),
	REPORT_MEMBER(struct selling, visitors, A_DISTINCT, "distinct:user_id?type=visit"),
	REPORT_MEMBER(struct selling, orders, A_ORDERS, "orders?type=purchase"),
	REPORT_MEMBER(struct selling, revenue, A_SUM, "sum:revenue?type=purchase"),
};

static const char *const cols[] = { "leads", "leads_prev", "lead_growth", "visits", "visitors", "purchases",
				    "purchases_per_visit", "purchases_per_visitor", "revenue" };
static const enum col_kind kinds[] = { COL_COUNT, COL_COUNT, COL_RATIO, COL_COUNT, COL_COUNT, COL_COUNT,
				       COL_RATIO, COL_RATIO, COL_MONEY };

/*
 * The label of the bucket before label[0..n) (as ts_bucket writes them)
 * into out[32]: the day before, the Monday a week before, the month
 * before, the hour before (in the zone, so across a clock change too).
 * Its length, or 0.
 */
static size_t bucket_before(enum ts_every e, const char *label, size_t n, char out[32])
{
	unsigned y, m, d;
	int64_t yy;
	struct vts t;

	switch (e) {
	case TS_EVERY_DAY:
	case TS_EVERY_WEEK:
		if (n != 10 || sscanf(label, "%4u-%2u-%2u", &y, &m, &d) != 3)
			return 0;
		ts_civil_from_days(ts_days_from_civil(y, m, d) - (e == TS_EVERY_DAY ? 1 : 7), &yy, &m, &d);
		return (size_t)snprintf(out, 32, "%04lld-%02u-%02u", (long long)yy, m, d);
	case TS_EVERY_MONTH:
		if (n != 7 || sscanf(label, "%4u-%2u", &y, &m) != 2)
			return 0;
		return (size_t)snprintf(out, 32, "%04u-%02u", m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1);
	case TS_EVERY_HOUR:
		if (ts_parse(label, n, &t) < 0)
			return 0;
		return ts_bucket_zoned((t.sec - 3600) * 1000, e, out);
	default:
		return 0;
	}
}

/* The hash of a group's key with its bucket label replaced by label[0..n). */
static int key_hash(const struct report_run *rr, const struct slot *ks, const char *label, size_t n, struct buf *b,
		    struct h128 *h)
{
	uint32_t len = (uint32_t)n;

	if (report_key_bytes(rr, ks, -1, b) < 0 || buf_add(b, &len, 4) < 0 || buf_add(b, label, n) < 0)
		return -1;
	*h = hash128(b->p, b->len);
	return 0;
}

/* With --every, each group's previous period: the group of the same key whose bucket is the one before. */
static int sorted(struct report_run *rr)
{
	struct htab at = HTAB_INIT;	/* key and bucket -> group index */
	struct buf b = BUF_INIT;
	size_t gi, ng = groups_count(rr->groups);
	int rc = -1;

	if (!rr->groups->bucket)
		return 0;
	if (report_use_zone(rr) < 0)
		return -1;
	if (!(rr->prev_leads = calloc(ng + 1, sizeof(uint64_t))))
		goto done;
	for (gi = 0; gi < ng; gi++) {
		struct slot ks[REC_MAX_SLOTS + 1];
		struct h128 h;
		uint64_t *v;

		group_key_slots(rr->groups, groups_at(rr->groups, gi), ks);
		if (key_hash(rr, ks, ks[rr->groups->nkeys].v, ks[rr->groups->nkeys].n, &b, &h) < 0 ||
		    htab_put(&at, h, &v) < 0)
			goto done;
		*v = gi;
	}
	for (gi = 0; gi < ng; gi++) {
		const struct group *g = groups_at(rr->groups, gi);
		struct slot ks[REC_MAX_SLOTS + 1];
		const uint64_t *v;
		char prev[32];
		size_t n;
		struct h128 h;

		group_key_slots(rr->groups, g, ks);
		n = bucket_before(rr->every, ks[rr->groups->nkeys].v, ks[rr->groups->nkeys].n, prev);
		if (!n)
			continue;
		if (key_hash(rr, ks, prev, n, &b, &h) < 0)
			goto done;
		if ((v = htab_get(&at, h)))
			rr->prev_leads[g->id] = ((const struct selling *)(const void *)groups_at(rr->groups, *v)->st)->leads;
	}
	rc = 0;
done:
	htab_free(&at);
	buf_free(&b);
	return rc;
}

static int row(struct report_run *rr, const struct group *g, int r, struct buf *v)
{
	const struct selling *st = (const void *)g->st;
	uint64_t repeat, orders = orders_count(&st->orders, &repeat), visitors = acc_distinct_count(&st->visitors);
	char t[DEC_MAX_LEN];
	uint64_t prev = rr->prev_leads ? rr->prev_leads[g->id] : 0;

	(void)r;
	if (json_put_uint(&v[0], st->leads) < 0 ||
	    (rr->prev_leads ? json_put_uint(&v[1], prev) : buf_add(&v[1], "null", 4)) < 0 ||
	    report_put_ratio(&v[2], (double)st->leads - (double)prev, (double)prev) < 0 ||
	    json_put_uint(&v[3], st->visits) < 0 || json_put_uint(&v[4], visitors) < 0 ||
	    json_put_uint(&v[5], orders) < 0 || report_put_ratio(&v[6], (double)orders, (double)st->visits) < 0 ||
	    report_put_ratio(&v[7], (double)orders, (double)visitors) < 0 ||
	    buf_add(&v[8], t, dec_format(st->revenue.sum, t)) < 0)
		return -1;
	return 0;
}

const struct report_def report_selling = {
	.name = "selling",
	.state_size = sizeof(struct selling),
	.members = members,
	.nmembers = 5,
	.cols = cols,
	.kinds = kinds,
	.ncols = 9,
	.nrows = 1,
	.sorted = sorted,
	.row = row,
};
