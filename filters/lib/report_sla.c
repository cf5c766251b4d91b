/*
 * report_sla.c - response SLA: per group of inbound messages (complaints,
 * DMs, mentions with sentiment below 0), how many were answered and
 * resolved, the share within --respond-within and --resolve-within (12 h
 * and 24 h, the sources' limits), the median and p90 hours to the first
 * response, and how many were never answered. Replies (response, resolve
 * with reply_to) belong to their message's group, wherever they come.
 */
#include <stdio.h>

#include "report.h"
#include "report_tables.h"

struct sla_report {
	A_SLA_t inbound;
};

static const struct report_member members[] = {
	REPORT_MEMBER(struct sla_report, inbound, A_SLA, "sla?type=" TYPES_INBOUND ";type=mention&sentiment<0"),
};

static const char *const cols[] = { "inbound", "responded", "resolved", "responded_within_12h",
				    "resolved_within_24h", "response_p50_hours", "response_p90_hours", "unanswered" };
static const enum col_kind kinds[] = { COL_COUNT, COL_COUNT, COL_COUNT, COL_RATIO, COL_RATIO, COL_HOURS,
				       COL_HOURS, COL_COUNT };

/* A record that answers an inbound message: a response or resolve with reply_to. */
static int is_reply(const struct acc *a, const struct slot *s)
{
	const struct slot *t = &s[a->xs[0]];

	return s[a->xs[2]].type != REC_ABSENT && (slot_is(t, "response") || slot_is(t, "resolve"));
}

static int check(const struct acc *acc, const struct slot *s, char *why)
{
	if (s[acc[0].xs[3]].type == REC_ABSENT && (cond_holds(&acc[0].cond, s) || is_reply(&acc[0], s)))
		return snprintf(why, 200, "ts missing: the sla report times each message and its answer"), -1;
	return 0;
}

/* A reply belongs to its message's group, not its own. */
static int intercept(struct report_run *rr, const struct slot *s)
{
	const struct acc *a = &rr->acc[0];

	if (!is_reply(a, s))
		return 0;
	return sla_reply(&rr->sla, slot_hash(&s[a->xs[2]]), s[a->xs[0]].n == 7, slot_ms(&s[a->xs[3]])) < 0 ? -2 : 1;
}

static int prepare(struct report_run *rr)
{
	if (sla_tally(&rr->sla, groups_count(rr->groups), rr->respond_ms, rr->resolve_ms) < 0)
		return snprintf(rr->why, sizeof(rr->why), "out of memory"), -1;
	return 0;
}

static int row(struct report_run *rr, const struct group *g, int r, struct buf *v)
{
	const struct sla_tally *y = &rr->sla.tally[g->id];
	const double *d = rr->sla.delay + y->d0;
	double in = (double)y->inbound;

	(void)r;
	return json_put_uint(&v[0], y->inbound) < 0 || json_put_uint(&v[1], y->responded) < 0 ||
	       json_put_uint(&v[2], y->resolved) < 0 || report_put_ratio(&v[3], (double)y->resp_in_time, in) < 0 ||
	       report_put_ratio(&v[4], (double)y->res_in_time, in) < 0 ||
	       (y->dn ? json_put_double(&v[5], d[acc_percentile_at(0.5, y->dn)]) : buf_add(&v[5], "null", 4)) < 0 ||
	       (y->dn ? json_put_double(&v[6], d[acc_percentile_at(0.9, y->dn)]) : buf_add(&v[6], "null", 4)) < 0 ||
	       json_put_uint(&v[7], y->inbound - y->responded) < 0 ? -1 : 0;
}

static int partial_prepare(struct report_run *rr)
{
	return sla_by_group(&rr->sla, groups_count(rr->groups));
}

static int partial_tail(const struct report_run *rr, struct buf *b)
{
	return sla_replies_json(&rr->sla, b);
}

static int merge_tail(struct report_run *rr, const struct jfield *f)
{
	return sla_merge_json(&rr->sla, SLA_NO_GROUP, f, &rr->jo[0], &rr->jo[1]);
}

const struct report_def report_sla = {
	.name = "sla",
	.state_size = sizeof(struct sla_report),
	.members = members,
	.nmembers = 1,
	.cols = cols,
	.kinds = kinds,
	.ncols = 8,
	.nrows = 1,
	.check = check,
	.intercept = intercept,
	.prepare = prepare,
	.row = row,
	.partial_prepare = partial_prepare,
	.partial_tail = partial_tail,
	.tail = "replies",
	.merge_tail = merge_tail,
};
