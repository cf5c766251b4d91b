/*
 * report_funnel.c - the funnel: people whose furthest stage is k or
 * further, for k = 1..7, with step and overall conversion, drop-off and
 * the time each step took (BRIEF.md). A person's furthest stage counts only
 * stages reached within --window of their first (person.h's rule, as
 * vchain-stage --journeys), and each within --step-window of the one
 * before (stage_reach). Needs vchain-stage's `stage`. Memory: 72 bytes a
 * person and group, plus 24-32 bytes of hash table; at the end, 8 bytes a
 * person and step of the group being written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "vocab.h"

struct funnel {
	A_FUNNEL_t people;
};

static const struct report_member members[] = {
	REPORT_MEMBER(struct funnel, people, A_FUNNEL, "funnel?user_id~&stage>0"),
};

static const char *const cols[] = { "stage", "stage_name", "users", "step_conversion", "overall_conversion",
				    "drop_off", "ttc_p50_hours", "ttc_p90_hours" };
static const enum col_kind kinds[] = { COL_COUNT, COL_TEXT, COL_COUNT, COL_RATIO, COL_RATIO, COL_COUNT,
				       COL_HOURS, COL_HOURS };

/* In a worker: a stage must be 1-7, and a person's staged event needs its time. */
static int check(const struct acc *acc, const struct slot *s, char *why)
{
	const struct acc *a = &acc[0];
	const struct slot *st = &s[a->xs[0]];
	double x;

	if (st->type == REC_ABSENT)
		return 0;
	x = slot_double(st);
	if (!(x >= 1 && x <= 7 && x == (double)(int)x))
		return snprintf(why, 200, "stage: not 1 to 7: %.*s", (int)(st->n > 60 ? 60 : st->n), st->v), -1;
	if (s[a->slot].type != REC_ABSENT && s[a->xs[1]].type == REC_ABSENT)
		return snprintf(why, 200, "ts missing: the funnel needs the time of each stage"), -1;
	return 0;
}

static int prepare(struct report_run *rr)
{
	if (rr->read && !rr->staged && !rr->merging)
		return snprintf(rr->why, sizeof(rr->why), "funnel: no event has a stage and a user_id; put "
				"vchain-stage before vchain-aggregate --report funnel"), -1;
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The q-quantile of step k's times, in hours (null without people). */
static int put_ttc(struct buf *b, const struct report_run *rr, int k, double q)
{
	size_t n = rr->nttc[k];

	return n ? json_put_double(b, (double)rr->ttc[k][acc_percentile_at(q, n)] / 3600000.0) : buf_add(b, "null", 4);
}

static int row(struct report_run *rr, const struct group *g, int r, struct buf *v)
{
	const struct funnel *fu = (const void *)g->st;
	uint64_t *u = rr->users, prev;
	int k = r + 1, j;

	if (r == 0) {
		/* each person at the furthest stage reached within the windows; and the time each step took */
		long long reach[STAGES];
		size_t i;

		memset(rr->users, 0, sizeof(rr->users));
		for (j = 2; j <= STAGES; j++) {
			rr->nttc[j] = 0;
			if (rr->cttc[j] < fu->people.n) {
				long long *t = realloc(rr->ttc[j], fu->people.n * sizeof(*t));

				if (!t)
					return -1;
				rr->ttc[j] = t, rr->cttc[j] = fu->people.n;
			}
		}
		for (i = 0; i < fu->people.n; i++) {
			const struct funnel_row *p = htab_rows_at(&fu->people, i);
			int f = stage_reach(p->ts, rr->window_ms, rr->step_ms, reach);

			u[f]++;
			for (j = 2; j <= f; j++)
				rr->ttc[j][rr->nttc[j]++] = reach[j - 1] - reach[j - 2];
		}
		for (j = STAGES - 1; j >= 1; j--)	/* users: at this stage or further */
			u[j] += u[j + 1];
		for (j = 2; j <= STAGES; j++)
			qsort(rr->ttc[j], rr->nttc[j], sizeof(long long), cmp_ll);
	}
	prev = k == 1 ? u[1] : u[k - 1];
	return json_put_uint(&v[0], (uint64_t)k) < 0 ||
	       json_escape(&v[1], vocab_stage_names[k], strlen(vocab_stage_names[k])) < 0 ||
	       json_put_uint(&v[2], u[k]) < 0 || report_put_ratio(&v[3], (double)u[k], (double)prev) < 0 ||
	       report_put_ratio(&v[4], (double)u[k], (double)u[1]) < 0 || json_put_uint(&v[5], prev - u[k]) < 0 ||
	       (k == 1 ? buf_add(&v[6], "null", 4) : put_ttc(&v[6], rr, k, 0.5)) < 0 ||
	       (k == 1 ? buf_add(&v[7], "null", 4) : put_ttc(&v[7], rr, k, 0.9)) < 0
	       ? -1 : 0;
}

const struct report_def report_funnel = {
	.name = "funnel",
	.state_size = sizeof(struct funnel),
	.members = members,
	.nmembers = 1,
	.cols = cols,
	.kinds = kinds,
	.ncols = 8,
	.nrows = STAGES,
	.check = check,
	.prepare = prepare,
	.row = row,
};
