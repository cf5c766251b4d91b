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

#include "mem.h"
#include "par.h"
#include "report.h"
#include "sort.h"
#include "vocab.h"

struct funnel {
	A_FUNNEL_t people;
};

static const struct report_member members[] = {
	REPORT_MEMBER(struct funnel, people, A_FUNNEL, "funnel?user_id~&stage>0"),
};

static const char *const cols[] = { "stage", "stage_name", "users", "step_conversion", "overall_conversion",
				    "drop_off", "ttc_p50_hours", "ttc_p90_hours", "breakdown_by" };
static const enum col_kind kinds[] = { COL_COUNT, COL_TEXT, COL_COUNT, COL_RATIO, COL_RATIO, COL_COUNT,
				       COL_HOURS, COL_HOURS, COL_TEXT };

/* Broken down (-g or --every), the rule that placed each person is a column. */
static int columns(const struct report_run *rr)
{
	return rr->groups->nkeys || rr->groups->bucket ? 9 : 8;
}

/*
 * Broken down, each person is counted in one group, so the groups' people
 * add up to the whole funnel's: the group of their first touch (their
 * earliest staged record), or with --breakdown-by last of their latest;
 * ties go to the group whose key sorts first. Their stage times are those
 * of all their records, in whatever group. Runs once the groups are sorted
 * and the input read (the shards' partial results hold a person in each
 * group they touched, so a --merge places them as one pass does). Memory:
 * 96 bytes a person for the while.
 */
struct pick {
	struct h128 id;
	long long ts[STAGES], last, touch, excl[FUNNEL_MAX_EXCLUDE];
	size_t g;
};

static long long touch_of(const struct report_run *rr, const struct funnel_row *p)
{
	long long t = REC_NO_TS;
	int j;

	if (rr->breakdown_last)
		return p->last;
	for (j = 0; j < STAGES; j++)
		if (p->ts[j] < t)
			t = p->ts[j];
	return t;
}

static int sorted(struct report_run *rr)
{
	struct groups *t = rr->groups;
	size_t ng = groups_count(t), gi, i;
	struct htab_rows all;
	int made, j, rc = -1;

	if (!(t->nkeys || t->bucket) || ng < 2)
		return 0;
	for (gi = 0; gi < ng; gi++)	/* (the people of parts, one segment each: rows of their own) */
		if (funnel_flatten(&((struct funnel *)(void *)groups_at(t, gi)->st)->people) < 0)
			return -1;
	htab_rows_init_keyed(&all, sizeof(struct pick), 1024);
	for (gi = 0; gi < ng; gi++) {
		struct funnel *fu = (void *)groups_at(t, gi)->st;

		for (i = 0; i < fu->people.rows.n; i++) {
			const struct funnel_row *p = htab_rows_at(&fu->people.rows, i);
			long long touch = touch_of(rr, p);
			struct pick *q = htab_rows_get(&all, p->id, &made);

			if (!q)
				goto done;
			if (made) {
				q->id = p->id;
				memcpy(q->ts, p->ts, sizeof(q->ts));
				q->last = p->last, q->touch = touch, q->g = gi;
				for (j = 0; j < FUNNEL_MAX_EXCLUDE; j++)
					q->excl[j] = j < FUNNEL_NEXCL(&fu->people.rows) ? p->excl[j] : REC_NO_TS;
				continue;
			}
			for (j = 0; j < STAGES; j++)
				stage_times_reach(q->ts, j + 1, p->ts[j]);
			for (j = 0; j < FUNNEL_NEXCL(&fu->people.rows); j++)
				if (p->excl[j] < q->excl[j])
					q->excl[j] = p->excl[j];
			if (p->last > q->last)
				q->last = p->last;
			if (rr->breakdown_last ? touch > q->touch : touch < q->touch)
				q->touch = touch, q->g = gi;
		}
	}
	for (gi = 0; gi < ng; gi++) {	/* each group keeps the people placed in it, with all their times */
		struct funnel *fu = (void *)groups_at(t, gi)->st;
		A_FUNNEL_t kept;

		memset(&kept, 0, sizeof(kept));
		htab_rows_init_keyed(&kept.rows,
				     fu->people.rows.row_size ? fu->people.rows.row_size : sizeof(struct funnel_row), 16);
		for (i = 0; i < fu->people.rows.n; i++) {
			const struct funnel_row *p = htab_rows_at(&fu->people.rows, i);
			const struct pick *q = htab_rows_get(&all, p->id, &made);
			struct funnel_row *r;

			if (!q || q->g != gi)
				continue;
			if (!(r = htab_rows_get(&kept.rows, p->id, &made))) {
				funnel_free(&kept);
				goto done;
			}
			r->id = q->id;
			memcpy(r->ts, q->ts, sizeof(r->ts));
			r->last = q->last;
			for (j = 0; j < FUNNEL_NEXCL(&kept.rows); j++)
				r->excl[j] = q->excl[j];
		}
		funnel_free(&fu->people);
		fu->people = kept;
	}
	rc = 0;
done:
	htab_rows_free(&all);
	return rc;
}

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

/* A group is written when someone counts in it (not only --exclude's records, or people placed elsewhere). */
static int keep(const struct report_run *rr, const struct group *g)
{
	const struct funnel *fu = (const void *)g->st;
	unsigned k;
	size_t i;
	int j;

	(void)rr;
	for (k = 0; k < funnel_segments(&fu->people); k++) {
		const struct htab_rows *seg = funnel_segment(&fu->people, k);

		for (i = 0; i < seg->n; i++)
			for (j = 0; j < STAGES; j++)
				if (((const struct funnel_row *)htab_rows_at(seg, i))->ts[j] != REC_NO_TS)
					return 1;
	}
	return 0;
}

/*
 * --exclude: a rule's type done at or before the time the person reached the
 * rule's stage (without one: any stage after their first) stops them at the
 * stage before it. f: the furthest stage; reach: stage_reach's.
 */
static int excluded(const struct report_run *rr, const struct funnel_row *p, const long long reach[STAGES], int f)
{
	int r, k;

	for (r = 0; rr->excl && r < rr->excl->n; r++) {
		long long x = p->excl[r];

		if (x == REC_NO_TS)
			continue;
		for (k = rr->excl->stage[r] ? rr->excl->stage[r] : 2; k <= f; k++) {
			if (reach[k - 1] >= x) {
				f = k - 1;
				break;
			}
			if (rr->excl->stage[r])
				break;
		}
	}
	return f;
}

/* The q-quantile of step k's times, in hours (null without people). */
static int put_ttc(struct buf *b, const struct report_run *rr, int k, double q)
{
	size_t n = rr->nttc[k];

	return n ? json_put_double(b, (double)rr->ttc[k][acc_percentile_at(q, n)] / 3600000.0) : buf_add(b, "null", 4);
}

/*
 * The pass over a group's people, a segment (a part's people) a task, on
 * every thread (par_each): segment k's step times go to ttc[j] from
 * at[k], the people it holds before it, and are moved together after.
 */
struct pass {
	const struct report_run *rr;
	const A_FUNNEL_t *people;
	size_t *at;
	uint64_t (*users)[STAGES + 2];
	size_t (*n)[STAGES + 1];
};

static void pass_segment(void *ctx, unsigned k)
{
	const struct pass *x = ctx;
	const struct report_run *rr = x->rr;
	const struct htab_rows *seg = funnel_segment(x->people, k);
	uint64_t *u = x->users[k];
	size_t *n = x->n[k], i;
	long long reach[STAGES];
	int j;

	for (i = 0; i < seg->n; i++) {
		const struct funnel_row *p = htab_rows_at(seg, i);
		int f = excluded(rr, p, reach, stage_reach(p->ts, rr->window_ms, rr->step_ms, reach));

		u[f]++;
		for (j = 2; j <= f; j++)
			rr->ttc[j][x->at[k] + n[j]++] = reach[j - 1] - reach[j - 2];
	}
}

/* Step j = 2 + i's times: the two quantiles put_ttc reads, in place (no sort). */
static void select_step(void *ctx, unsigned i)
{
	struct report_run *rr = ctx;
	int j = 2 + (int)i;
	size_t n = rr->nttc[j], k50, k90;

	if (!n)
		return;
	k50 = acc_percentile_at(0.5, n);
	k90 = acc_percentile_at(0.9, n);
	sort_select_ll(rr->ttc[j], n, k50);
	if (k90 > k50)
		sort_select_ll(rr->ttc[j] + k50 + 1, n - k50 - 1, k90 - k50 - 1);
}

/* Each person at the furthest stage reached within the windows (users); and the time each step took. 0, or -1. */
static int pass(struct report_run *rr, const A_FUNNEL_t *people)
{
	unsigned nseg = funnel_segments(people), k;
	size_t all = funnel_people_n(people), w;
	struct pass x;
	int j;

	memset(rr->users, 0, sizeof(rr->users));
	for (j = 2; j <= STAGES; j++) {
		rr->nttc[j] = 0;
		if (rr->cttc[j] < all) {
			/* a big array, written once: huge pages (mem.h) */
			long long *t = mem_grow(rr->ttc[j], rr->cttc[j] * sizeof(*t), all * sizeof(*t));

			if (!t)
				return -1;
			rr->ttc[j] = t, rr->cttc[j] = all;
		}
	}
	x.rr = rr;
	x.people = people;
	x.at = malloc(nseg * sizeof(*x.at));
	x.users = calloc(nseg, sizeof(*x.users));
	x.n = calloc(nseg, sizeof(*x.n));
	if (!x.at || !x.users || !x.n) {
		free(x.at), free(x.users), free(x.n);
		return -1;
	}
	for (k = 0, w = 0; k < nseg; k++) {
		x.at[k] = w;
		w += funnel_segment(people, k)->n;
	}
	par_each(rr->pool, nseg, pass_segment, &x);
	for (k = 0; k < nseg; k++) {
		for (j = 0; j < STAGES + 2; j++)
			rr->users[j] += x.users[k][j];
		for (j = 2; j <= STAGES; j++) {	/* segment k's times after those before it */
			memmove(rr->ttc[j] + rr->nttc[j], rr->ttc[j] + x.at[k], x.n[k][j] * sizeof(long long));
			rr->nttc[j] += x.n[k][j];
		}
	}
	free(x.at), free(x.users), free(x.n);
	for (j = STAGES - 1; j >= 1; j--)	/* users: at this stage or further */
		rr->users[j] += rr->users[j + 1];
	par_each(rr->pool, STAGES - 1, select_step, rr);
	return 0;
}

static int row(struct report_run *rr, const struct group *g, int r, struct buf *v)
{
	const struct funnel *fu = (const void *)g->st;
	uint64_t *u = rr->users, prev;
	int k = r + 1;

	if (r == 0 && pass(rr, &fu->people) < 0)
		return -1;
	prev = k == 1 ? u[1] : u[k - 1];
	return json_put_uint(&v[0], (uint64_t)k) < 0 ||
	       json_escape(&v[1], vocab_stage_names[k], strlen(vocab_stage_names[k])) < 0 ||
	       json_put_uint(&v[2], u[k]) < 0 || report_put_ratio(&v[3], (double)u[k], (double)prev) < 0 ||
	       report_put_ratio(&v[4], (double)u[k], (double)u[1]) < 0 || json_put_uint(&v[5], prev - u[k]) < 0 ||
	       (k == 1 ? buf_add(&v[6], "null", 4) : put_ttc(&v[6], rr, k, 0.5)) < 0 ||
	       (k == 1 ? buf_add(&v[7], "null", 4) : put_ttc(&v[7], rr, k, 0.9)) < 0 ||
	       (columns(rr) == 9 && json_escape(&v[8], rr->breakdown_last ? "last" : "first",
						rr->breakdown_last ? 4 : 5) < 0)
	       ? -1 : 0;
}

const struct report_def report_funnel = {
	.name = "funnel",
	.state_size = sizeof(struct funnel),
	.members = members,
	.nmembers = 1,
	.cols = cols,
	.kinds = kinds,
	.ncols = 9,
	.nrows = STAGES,
	.check = check,
	.prepare = prepare,
	.sorted = sorted,
	.keep = keep,
	.columns = columns,
	.row = row,
};
