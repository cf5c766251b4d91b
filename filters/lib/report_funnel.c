/*
 * report_funnel.c - the funnel: people whose furthest stage is k or
 * further, for k = 1..7, with step and overall conversion and drop-off
 * (BRIEF.md). A person's furthest stage counts only stages reached within
 * --window of their first (person.h's rule, as vchain-stage --journeys).
 * Needs vchain-stage's `stage`. Memory: 72 bytes a person and group, plus
 * 24-32 bytes of hash table.
 */
#include <stdio.h>
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
				    "drop_off" };
static const enum col_kind kinds[] = { COL_COUNT, COL_TEXT, COL_COUNT, COL_RATIO, COL_RATIO, COL_COUNT };

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

static int row(struct report_run *rr, const struct group *g, int r, struct buf *v)
{
	const struct funnel *fu = (const void *)g->st;
	uint64_t *u = rr->users, prev;
	int k = r + 1, j;

	if (r == 0) {
		/* each person at the furthest stage reached within the window of their first event */
		size_t i;

		memset(rr->users, 0, sizeof(rr->users));
		for (i = 0; i < fu->people.n; i++) {
			const struct funnel_row *p = htab_rows_at(&fu->people, i);

			u[stage_furthest(p->ts, rr->window_ms, NULL)]++;
		}
		for (j = STAGES - 1; j >= 1; j--)	/* users: at this stage or further */
			u[j] += u[j + 1];
	}
	prev = k == 1 ? u[1] : u[k - 1];
	return json_put_uint(&v[0], (uint64_t)k) < 0 ||
	       json_escape(&v[1], vocab_stage_names[k], strlen(vocab_stage_names[k])) < 0 ||
	       json_put_uint(&v[2], u[k]) < 0 || report_put_ratio(&v[3], (double)u[k], (double)prev) < 0 ||
	       report_put_ratio(&v[4], (double)u[k], (double)u[1]) < 0 || json_put_uint(&v[5], prev - u[k]) < 0
	       ? -1 : 0;
}

const struct report_def report_funnel = {
	.name = "funnel",
	.state_size = sizeof(struct funnel),
	.members = members,
	.nmembers = 1,
	.cols = cols,
	.kinds = kinds,
	.ncols = 6,
	.nrows = STAGES,
	.check = check,
	.prepare = prepare,
	.row = row,
};
