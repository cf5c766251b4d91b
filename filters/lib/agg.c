/*
 * agg.c - see agg.h. The commit step's work: one hash table lookup a record
 * (the group), then its accumulators; with one group and a distinct or
 * funnel accumulator, the table slot of a record some records ahead is
 * loaded while this one is worked on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "cli.h"
#include "hash.h"
#include "mem.h"
#include "par.h"

static int fail(struct agg *a, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A message for the caller; returns r. */
static int fail(struct agg *a, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->why, sizeof(a->why), fmt, ap);
	va_end(ap);
	return r;
}

void agg_init(struct agg *a)
{
	memset(a, 0, sizeof(*a));
	rec_layout_init(&a->l);
	a->respond_ms = 12 * 3600000LL;
	a->resolve_ms = 24 * 3600000LL;
	a->pf_acc = a->pf_slot = -1;
}

int agg_group(struct agg *a, const char *name, size_t n)
{
	if (a->ngroups == REC_MAX_SLOTS || a->l.n == REC_MAX_SLOTS)
		return fail(a, -1, "-g: at most %d fields", REC_MAX_SLOTS);
	if (!(a->groups[a->ngroups] = strndup(name, n)))
		return fail(a, -2, "out of memory");
	a->ngroups++;
	return 0;
}

static int add_acc(void *ctx, const char *spec, size_t n)
{
	struct agg *a = ctx;
	int r;

	if (a->nacc == AGG_MAX_ACC)
		return fail(a, -1, "-a: too many");
	r = acc_parse(&a->acc[a->nacc], &a->l, spec, n, a->report != NULL, a->why);
	a->nacc++;	/* freed with the rest, whatever it holds */
	return r == -2 ? fail(a, -2, "out of memory") : r;
}

int agg_configure(struct agg *a, const char *const *accs, int nacc)
{
	int i, j, k;

	/* the slots: group fields, then accumulator fields, then count and ts */
	for (i = 0; i < a->ngroups; i++)
		if ((k = rec_slot(&a->l, a->groups[i], strlen(a->groups[i]), 0, SK_PLAIN)) != i)
			return k == -2 ? fail(a, -2, "out of memory") : fail(a, -1, "-g: '%s' given twice", a->groups[i]);
	for (i = 0; i < nacc; i++)
		if ((k = cli_each_item(accs[i], add_acc, a)) < 0)
			return k;
	if (a->report && !a->merging) {
		if ((k = report_accs(a->report, &a->l, a->brand, a->media_followers ? a->media_followers : 10000, &a->excl,
				       a->acc, a->why)) < 0)
			return k == -2 ? fail(a, -2, "out of memory") : k;
		a->nacc = a->report->nmembers;
	}
	if (a->report && !report_fits(a->report, a->acc, a->nacc))
		return fail(a, -1, "partial results of a %s report with other accumulators", a->report->name);
	if (!nacc && !a->report && (k = add_acc(a, "count", 5)) < 0)
		return k;
	for (i = 0; i < a->nacc; i++) {
		if (a->acc[i].cond.nalt)
			a->conditional = 1;
		if (a->report)
			a->acc[i].state = a->report->members[i].offset;
		if (a->acc[i].kind == A_COUNT && a->l.count_slot < 0 &&
		    (a->l.count_slot = rec_slot(&a->l, "count", 5, 0, SK_PLAIN)) < 0)
			break;
	}
	if (a->every && (a->l.bucket_slot = rec_slot(&a->l, "ts", 2, 0, SK_BUCKET)) >= 0)
		a->l.every = a->every;
	if (a->l.count_slot == -2 || a->l.bucket_slot == -2)
		return fail(a, -2, "out of memory");
	if (i < a->nacc || (a->every && a->l.bucket_slot < 0))
		return fail(a, -1, "-a: more than %d fields", REC_MAX_SLOTS);
	for (i = 0; i < a->nacc; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(a->acc[i].out, a->acc[j].out))
				return fail(a, -1, "-a: '%s' given twice", a->acc[i].out);
	return 0;
}

void agg_start(struct agg *a)
{
	int i;

	groups_init(&a->table, a->ngroups, a->l.bucket_slot >= 0,
		    a->report ? a->report->state_size : acc_layout(a->acc, a->nacc));
	a->rr.def = a->report;
	a->rr.acc = a->acc;
	a->rr.groups = &a->table;
	a->rr.keys = (const char *const *)a->groups;
	a->rr.every = a->every;
	a->rr.window_ms = a->window_ms;
	a->rr.step_ms = a->step_ms;
	a->rr.breakdown_last = a->breakdown_last;
	a->rr.as_of_given = a->as_of_given;
	a->rr.as_of_day_given = a->as_of_day;
	a->rr.tz = a->tz;
	a->rr.own = a->own_domain;
	for (i = 0; a->report && a->report->needs_key && i < a->ngroups; i++)
		if (!strcmp(a->groups[i], a->report->needs_key))
			a->rr.user_key = i;
	a->rr.excl = &a->excl;
	a->rr.respond_ms = a->respond_ms;
	a->rr.resolve_ms = a->resolve_ms;
	a->rr.spend = a->spend;
	a->rr.merging = a->merging;
	for (i = 0; i < a->nacc && a->pf_acc < 0 && !a->merging; i++)
		if (a->acc[i].kind == A_DISTINCT || a->acc[i].kind == A_FUNNEL)
			a->pf_acc = i, a->pf_slot = a->acc[i].slot;
}

int agg_check(const struct agg *a, const char *rec, char *why)
{
	struct slot s[REC_MAX_SLOTS];

	if (!a->report || !a->report->check)
		return 0;
	rec_read(rec, a->l.n, s);
	return a->report->check(a->acc, s, why);
}

/* ---- taking records ---- */

/* The record s into group g: the accumulators whose bit is set in takes (with conditions), or all. */
static int update(struct agg *a, struct group *g, const struct slot *s, uint64_t takes)
{
	int i, k;

	for (i = 0; i < a->nacc; i++) {
		const struct acc *ac = &a->acc[i];
		void *p = g->st + ac->state;

		if (a->conditional && !(takes >> i & 1))
			continue;
		if (ac->kind >= A_FUNNEL)
			k = report_update(&a->rr, ac, p, g, s);
		else
			k = acc_update(ac, p, s, a->l.count_slot >= 0 ? &s[a->l.count_slot] : NULL);
		if (k < 0)
			return k;
	}
	return 0;
}

#define PREFETCH_AHEAD 8	/* records: about the time a slot takes to come from memory */

/* The table a distinct accumulator (set) or a funnel (rows) puts each record's hash in. */
struct pf {
	const struct htab *set;
	const struct htab_rows *rows;
};

/* With one group: its table to prefetch in. */
static void prefetch_table(struct agg *a, struct pf *pf)
{
	const struct acc *ac = &a->acc[a->pf_acc];
	unsigned char *p = groups_at(&a->table, 0)->st + ac->state;

	if (ac->kind == A_DISTINCT)
		pf->set = &((struct s_set *)(void *)p)->h;
	else
		pf->rows = &((A_FUNNEL_t *)(void *)p)->rows;
}

/* One reduced record p (h: its group's hash, made ahead, or NULL). 0; -1 (why: a sum beyond 38 digits); -2. */
static int take(struct agg *a, const char *p, const struct h128 *h)
{
	struct slot s[REC_MAX_SLOTS];
	uint64_t takes = 0;
	struct group *g;
	int k, noted = 0;

	rec_read(p, a->l.n, s);
	if (a->l.count_slot >= 0 && s[a->l.count_slot].type == J_NULL)
		a->null_counts++;	/* weighs nothing (acc.c) */
	if (a->report && a->report->intercept) {
		if ((k = a->report->intercept(&a->rr, s)) < 0)
			return fail(a, -2, "out of memory");
		if (k == 1)
			return 0;	/* the report keeps it by itself */
		noted = k == 2;
	}
	if (a->conditional) {
		/* which accumulators take it, once; a record that none takes makes no group */
		for (takes = 0, k = 0; k < a->nacc; k++)
			takes |= (uint64_t)cond_holds(&a->acc[k].cond, s) << k;
		if (!takes) {
			a->unused += !noted;
			return 0;
		}
	}
	/* the key: the group slots, as they lie in the record */
	if (!(g = h ? groups_find_hashed(&a->table, *h, p + 4, group_key_len(s, a->ngroups),
					 a->l.bucket_slot >= 0 ? &s[a->l.bucket_slot] : NULL)
		    : groups_find(&a->table, p + 4, group_key_len(s, a->ngroups),
				  a->l.bucket_slot >= 0 ? &s[a->l.bucket_slot] : NULL)))
		return fail(a, -2, "out of memory");
	if ((k = update(a, g, s, takes)) < 0)
		return k == -2 ? fail(a, -2, "out of memory") : fail(a, -1, "a sum does not fit in 38 digits");
	return 0;
}

/*
 * With one group and no bucket, the hash table of its distinct values or
 * people: load, some records ahead of the one taken, what its lookup will
 * read. A set's slot PREFETCH_AHEAD records ahead. Keyed rows (the
 * funnel's people) in two steps: the index slot twice as far ahead, its
 * hash kept in the ring, then the row the slot names (htab_rows_prefetch_row).
 */
struct lookahead {
	struct pf pf;
	struct h128 h[2 * PREFETCH_AHEAD];
	unsigned char ok[2 * PREFETCH_AHEAD];
};

/* Record rec, number k: far, a row's slot (its hash into the ring); else a set's slot, or the row. */
static void prefetch(struct agg *a, const char *rec, size_t k, struct lookahead *ah, int far)
{
	struct pf *pf = &ah->pf;
	struct slot x;
	size_t r = k % (2 * PREFETCH_AHEAD);

	if (!pf->set && !pf->rows && groups_count(&a->table) == 1)
		prefetch_table(a, pf);
	if (pf->rows && !far) {
		if (ah->ok[r])
			htab_rows_prefetch_row(pf->rows, ah->h[r]);
		return;
	}
	if (far ? !pf->rows : !pf->set)	/* a row's slot when far, a set's when near */
		return;
	ah->ok[r] = rec_slot_at(rec, a->pf_slot, &x) && x.type != REC_ABSENT;
	if (!ah->ok[r])
		return;
	ah->h[r] = slot_hash(&x);
	if (pf->rows)
		htab_rows_prefetch(pf->rows, ah->h[r]);
	else
		htab_prefetch(pf->set, ah->h[r]);
}

static int direct(const struct agg *a)
{
	return a->pf_slot >= 0 && !a->ngroups && a->l.bucket_slot < 0;
}

/* direct, to the funnel's keyed rows: the two steps (else a set's one, no record walked twice) */
static int two_steps(const struct agg *a)
{
	return direct(a) && a->acc[a->pf_acc].kind == A_FUNNEL;
}

/*
 * Many groups: the group table's slot of a record's group loaded twice
 * PREFETCH_AHEAD records ahead (its hash kept in a ring for the lookup),
 * then the row the slot names PREFETCH_AHEAD ahead, as the funnel's
 * people are. Below GROUPS_AHEAD_FROM groups the table is in the caches.
 */
#define GROUPS_AHEAD_FROM 16384
#define GRING (4 * PREFETCH_AHEAD)

static int groups_ahead(const struct agg *a)
{
	return !direct(a) && groups_count(&a->table) >= GROUPS_AHEAD_FROM;
}

static void group_far(struct agg *a, const char *rec, struct h128 *h)
{
	struct slot s[REC_MAX_SLOTS];
	int n = a->ngroups > a->l.bucket_slot ? a->ngroups : a->l.bucket_slot + 1;

	rec_read(rec, n, s);
	*h = groups_hash(rec + 4, group_key_len(s, a->ngroups), a->l.bucket_slot >= 0 ? &s[a->l.bucket_slot] : NULL);
	htab_rows_prefetch(&a->table.rows, *h);
}

/* agg_take's records p[0..n), or agg_take_at's at base + offs[0..n), with groups_ahead. */
static int take_ahead(struct agg *a, const char *p, const char *base, const uint32_t *offs, size_t n)
{
	struct h128 ring[GRING];
	const char *far = p, *near = p, *end = offs ? NULL : p + n;
	size_t i, k = 0, m = 0;
	int rc;

	for (i = 0; offs ? i < n : p < end; i++) {
		const char *rec = offs ? base + offs[i] : p;

		for (; (offs ? k < n : far < end) && k <= i + 2 * PREFETCH_AHEAD; k++) {
			group_far(a, offs ? base + offs[k] : far, &ring[k % GRING]);
			if (!offs)
				far += rec_len(far);
		}
		for (; (offs ? m < n : near < end) && m <= i + PREFETCH_AHEAD; m++) {
			htab_rows_prefetch_row(&a->table.rows, ring[m % GRING]);
			if (!offs)
				near += rec_len(near);
		}
		if ((rc = take(a, rec, &ring[i % GRING])) < 0)
			return rc;
		if (!offs)
			p += rec_len(p);
	}
	return 0;
}

int agg_take(struct agg *a, const char *p, size_t n)
{
	const char *end = p + n, *far = p, *near = p;
	struct lookahead ah;
	size_t i, k = 0, m = 0;	/* p is record i, far record k, near record m */
	int rc;

	if (groups_ahead(a))
		return take_ahead(a, p, NULL, NULL, n);
	memset(&ah, 0, sizeof(ah));
	if (!two_steps(a))
		far = end;
	if (!direct(a))
		near = end;
	for (i = 0; p < end; p += rec_len(p), i++) {
		for (; far < end && k <= i + 2 * PREFETCH_AHEAD; far += rec_len(far), k++)
			prefetch(a, far, k, &ah, 1);
		for (; near < end && m <= i + PREFETCH_AHEAD; near += rec_len(near), m++)
			if (m >= PREFETCH_AHEAD)
				prefetch(a, near, m, &ah, 0);
		if ((rc = take(a, p, NULL)) < 0)
			return rc;
	}
	return 0;
}

/*
 * How a record finds its part when no field says it (route_slot -1): by
 * its whole hash at first, so that the records of a few groups spread over
 * every part; each part then makes nearly every group, and the join adds
 * them up. Once a part has made ROUTE_KEY_FROM groups, the groups are many:
 * records go by their group key from then on, so that a group is made in
 * one part (a smaller table a part, a join that mostly copies: -g user_id
 * -a count over 3 M staged events, 1.8 M groups, -j 2 on 2 CPUs: 0.77 s
 * and 1.40 CPU s by the whole hash, 0.68 s and 1.26 CPU s so). A group
 * with a large share of the records would then keep one part, one thread,
 * busy while the others wait (a part's records
 * are about a third of a record's cost, so more than ROUTE_SKEW / nparts
 * of a chunk's records in one part, nparts being two a thread, is more
 * than its share of the time): records then go by their hash again, for
 * good. Whichever way, the result is the same: the join adds up a group
 * made in several parts, and a split agg's states come out the same in
 * whatever order and part their records come.
 */
#define ROUTE_KEY_FROM 16384
#define ROUTE_SKEW 6
#define ROUTE_SKEW_FROM 4096	/* records in a chunk: fewer say nothing */

static void route_note(struct agg *a, size_t n, size_t total)
{
	struct agg *w = a->whole;
	int mode = __atomic_load_n(&w->route_key, __ATOMIC_RELAXED), zero = 0;

	if (w->route_slot >= 0 || (!w->ngroups && w->l.bucket_slot < 0) || mode == 2)
		return;
	if (mode == 0 && groups_count(&a->table) >= ROUTE_KEY_FROM)
		__atomic_compare_exchange_n(&w->route_key, &zero, 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	else if (mode == 1 && total >= ROUTE_SKEW_FROM && n * w->nparts > ROUTE_SKEW * total)
		__atomic_store_n(&w->route_key, 2, __ATOMIC_RELAXED);
}

int agg_take_at(struct agg *a, const struct par_chunk *c, const uint32_t *offs, size_t n)
{
	const char *base = c->out.p;
	struct lookahead ah;
	size_t i, k;
	int rc, d = direct(a), two = two_steps(a);

	route_note(a, n, c->part_start[a->whole->nparts]);
	if (groups_ahead(a)) {
		if ((rc = take_ahead(a, NULL, base, offs, n)) < 0)
			a->part_failed = 1;
		return rc;
	}
	memset(&ah, 0, sizeof(ah));
	for (k = 0; two && k < n && k < 2 * PREFETCH_AHEAD; k++)
		prefetch(a, base + offs[k], k, &ah, 1);
	for (i = 0; i < n; i++) {
		if (two && i + 2 * PREFETCH_AHEAD < n)
			prefetch(a, base + offs[i + 2 * PREFETCH_AHEAD], i + 2 * PREFETCH_AHEAD, &ah, 1);
		if (d && i + PREFETCH_AHEAD < n)
			prefetch(a, base + offs[i + PREFETCH_AHEAD], i + PREFETCH_AHEAD, &ah, 0);
		if ((rc = take(a, base + offs[i], NULL)) < 0) {
			a->part_failed = 1;
			return rc;
		}
	}
	return 0;
}

/* ---- partitioned state ---- */

/* Another agg like src (the same groups, accumulators, layout and options), ready to take records. */
static int clone(struct agg *a, const struct agg *src)
{
	const char *specs[AGG_MAX_ACC];
	int i, k;

	agg_init(a);
	a->every = src->every;
	a->report = src->report;
	a->brand = src->brand;
	a->window_ms = src->window_ms;
	a->step_ms = src->step_ms;
	a->breakdown_last = src->breakdown_last;
	a->as_of_given = src->as_of_given;
	a->own_domain = src->own_domain;
	a->media_followers = src->media_followers;
	a->as_of_day = src->as_of_day;
	a->excl = src->excl;
	a->respond_ms = src->respond_ms;
	a->resolve_ms = src->resolve_ms;
	a->spend = src->spend;
	a->spend_path = src->spend_path;
	for (i = 0; i < src->ngroups; i++)
		if ((k = agg_group(a, src->groups[i], strlen(src->groups[i]))) < 0)
			return k;
	for (i = 0; i < src->nacc; i++)
		specs[i] = src->acc[i].spec;
	if ((k = agg_configure(a, specs, a->report ? 0 : src->nacc)) < 0)
		return k;
	if (a->l.n != src->l.n || a->nacc != src->nacc)
		return fail(a, -1, "a part is laid out unlike the whole");	/* a mistake of ours */
	agg_start(a);
	return 0;
}

int agg_split(struct agg *a, unsigned n)
{
	unsigned q;
	int i, k;

	if (n < 2 || a->merging || (a->report ? !report_order_free(a->report) : 0))
		return 0;
	for (i = 0; i < a->nacc && !a->report; i++)
		if (!acc_order_free(a->acc[i].kind))
			return 0;
	a->route_slot = -1;
	for (i = 0; i < a->nacc && a->route_slot < 0; i++)	/* (an orders' slot is its user_id) */
		if (a->acc[i].kind == A_DISTINCT || a->acc[i].kind == A_FUNNEL || a->acc[i].kind == A_ORDERS)
			a->route_slot = a->acc[i].slot;
	if (!(a->parts = calloc(n, sizeof(*a->parts))))
		return fail(a, -2, "out of memory");
	a->nparts = n;
	a->parts[0] = a;
	a->whole = a;
	a->route_key = 0;
	for (q = 1; q < n; q++) {
		if (!(a->parts[q] = malloc(sizeof(**a->parts))))
			return fail(a, -2, "out of memory");
		if ((k = clone(a->parts[q], a)) < 0) {
			memcpy(a->why, a->parts[q]->why, sizeof(a->why));
			return k;
		}
		a->parts[q]->whole = a;
	}
	return 1;
}

unsigned agg_part_of(const struct agg *a, const char *rec)
{
	struct slot x;
	uint64_t h;

	if (a->route_slot >= 0 && rec_slot_at(rec, a->route_slot, &x) && x.type != REC_ABSENT)
		h = slot_hash(&x).hi;
	else if (a->route_slot < 0 && __atomic_load_n(&a->route_key, __ATOMIC_RELAXED) == 1) {
		struct slot s[REC_MAX_SLOTS];	/* the group's hash, as groups_find makes it */

		rec_read(rec, a->l.n, s);
		h = groups_hash(rec + 4, group_key_len(s, a->ngroups), a->l.bucket_slot >= 0 ? &s[a->l.bucket_slot] : NULL).hi;
	} else
		h = hash64(rec, rec_len(rec));
	return par_part_of(h, a->nparts);
}

/* Part src's group g's states absorbed into d (a's, or a range's). 0; -1 (a sum beyond 38 digits); -2. */
static int absorb_group(const struct agg *a, struct group *d, struct group *g)
{
	int j, k;

	for (j = 0; j < a->nacc; j++) {
		const struct acc *ac = &a->acc[j];

		if (!a->report && acc_shared(a->acc, j))
			continue;	/* a percentile whose values its field's first keeps */
		/* the field that cut records into parts: its values in one part are in no other */
		k = a->report ? report_absorb(ac, d->st + ac->state, g->st + ac->state, ac->slot == a->route_slot)
			      : acc_absorb(ac->kind, d->st + ac->state, g->st + ac->state, ac->slot == a->route_slot);
		if (k < 0)
			return k;
	}
	return 0;
}

static int absorb_failed(struct agg *a, int k)
{
	return k == -2 ? fail(a, -2, "out of memory") : fail(a, -1, "a sum does not fit in 38 digits");
}

/* What a group's states hold, freed (its block stays: the arena's). */
static void free_states(const struct agg *a, struct group *g)
{
	if (a->report)
		report_free_states(&a->rr, g);
	else
		acc_free_states(a->acc, a->nacc, g->st);
}

/* Part src's groups and states into a. */
static int absorb(struct agg *a, struct agg *src)
{
	struct slot s[REC_MAX_SLOTS];
	size_t i, klen;
	int k, nk = a->ngroups;

	for (i = 0; i < groups_count(&src->table); i++) {
		struct group *g = groups_at(&src->table, i), *d;

		group_key_slots(&src->table, g, s);
		klen = group_key_len(s, nk);
		if (!(d = groups_find(&a->table, g->key, klen, a->l.bucket_slot >= 0 ? &s[nk] : NULL)))
			return fail(a, -2, "out of memory");
		if ((k = absorb_group(a, d, g)) < 0)
			return absorb_failed(a, k);
	}
	return 0;
}

/*
 * The parts' groups joined on every thread, as DuckDB's radix-partitioned
 * aggregation does it: each part's groups sorted by the range their hash
 * falls in (a counting sort, the parts at once), then each range's groups
 * from every part into its own stretch of the new rows (the ranges at
 * once; join_range): the first a group meets is taken as it is (its key
 * and state stay where its part made them), the others absorbed into it
 * and freed. The stretches, closed up, are a's rows. A part's group moved
 * or freed has no state any more (st NULL), so that a join that fails
 * leaves each state in one place to free.
 * Memory: the new rows as many as the parts' (a group in two parts takes
 * two until a's table is freed), 4 bytes a part's group while joining, and
 * each range's index of what its other parts made.
 */
#define JOIN_PAR_FROM 4096	/* groups in the parts: fewer, and one thread joins them */

struct pjoin {
	struct agg *a;
	unsigned n;		/* parts, and ranges */
	uint32_t **rows;	/* each part's row numbers, by range */
	size_t *off;		/* part q's range r: rows[q][off[q * (n + 1) + r] .. off[q * (n + 1) + r + 1]) */
	struct group *to;	/* the new rows: range r's from base[r], used[r] of them */
	size_t *base, *used;
	int *rc;		/* each range's: 0, or absorb_group's -1 or -2 */
};

static void join_scatter(void *ctx, unsigned q)
{
	struct pjoin *x = ctx;
	struct groups *t = &x->a->parts[q]->table;
	size_t *off = x->off + (size_t)q * (x->n + 1), i, n = groups_count(t), at[PAR_MAX_PARTS];
	unsigned r;

	htab_rows_unindex(&t->rows);	/* its rows are found by number now */
	if (!(x->rows[q] = malloc((n ? n : 1) * sizeof(**x->rows)))) {
		x->rc[q] = -2;
		return;
	}
	for (i = 0; i < n; i++)
		off[groups_range(groups_at(t, i), x->n) + 1]++;
	for (r = 0; r < x->n; r++)
		off[r + 1] += off[r], at[r] = off[r];
	for (i = 0; i < n; i++)
		x->rows[q][at[groups_range(groups_at(t, i), x->n)]++] = (uint32_t)i;
}

/*
 * Part's group g into the range's rows at to (*m of them used so far):
 * copied when new, absorbed into its match when not. Another part's group
 * is put in idx; the range's own part's (own) is only looked for there.
 * 0; -1 (a sum beyond 38 digits); -2.
 */
static int join_group(const struct pjoin *x, struct agg *part, struct group *g, struct htab_ref *idx,
		      struct group *to, size_t *m, int own)
{
	uint32_t at;
	long f;
	int k;

	if (own) {
		if ((f = htab_ref_find(idx, g->hash, to, sizeof(*to))) < 0) {
			to[(*m)++] = *g;
			g->st = NULL;
			return 0;
		}
		at = (uint32_t)f;
	} else if ((k = htab_ref_put(idx, g->hash, to, sizeof(*to), (uint32_t)*m, &at)) < 0)
		return -2;
	else if (k) {	/* new */
		to[(*m)++] = *g;
		g->st = NULL;
		return 0;
	}
	k = absorb_group(x->a, &to[at], g);
	free_states(part, g);
	g->st = NULL;
	return k;
}

/*
 * Range r's groups from every part but r in part order, then part r's
 * own: those need no index (a part's groups are all different), only a
 * look for each in what the others made. Records routed by their group
 * key (route_note) go to part r exactly when their group is in range r,
 * so the others made only the groups made before that, and most of the
 * range is copied, not indexed.
 */
static void join_range(void *ctx, unsigned r)
{
	struct pjoin *x = ctx;
	const struct agg *a = x->a;
	struct group *to = x->to + x->base[r];
	struct htab_ref idx = { NULL, 0, 0 };
	size_t i, m = 0, others = 0;
	unsigned q, s;
	int k = 0;

	for (q = 0; q < x->n; q++)
		if (q != r)
			others += x->off[q * (x->n + 1) + r + 1] - x->off[q * (x->n + 1) + r];
	if (others && htab_ref_reserve(&idx, others) < 0) {
		x->rc[r] = -2;
		return;
	}
	for (s = 0; s <= x->n && !k; s++) {	/* the others in part order, then r */
		struct agg *part;
		const size_t *off;

		q = s < x->n ? s : r;
		if (q == r && s < x->n)
			continue;
		part = a->parts[q];
		off = x->off + q * (x->n + 1);
		for (i = off[r]; i < off[r + 1] && !k; i++)
			k = join_group(x, part, groups_at(&part->table, x->rows[q][i]), &idx, to, &m, q == r);
	}
	htab_ref_free(&idx);
	x->used[r] = m;
	x->rc[r] = k;
}

static int join_par(struct agg *a, struct par *p)
{
	struct pjoin x;
	unsigned n = a->nparts, q, r;
	size_t i, m;
	int k = 0;

	memset(&x, 0, sizeof(x));
	x.a = a;
	x.n = n;
	x.rows = calloc(n, sizeof(*x.rows));
	x.off = calloc((size_t)n * (n + 1), sizeof(*x.off));
	x.base = calloc(n + 1, sizeof(*x.base));
	x.used = calloc(n, sizeof(*x.used));
	x.rc = calloc(n, sizeof(*x.rc));
	if (!x.rows || !x.off || !x.base || !x.used || !x.rc) {
		k = -2;
		goto done;
	}
	par_each(p, n, join_scatter, &x);
	for (q = 0; q < n && !k; q++)
		k = x.rc[q];
	if (k)
		goto done;
	for (r = 0; r < n; r++)	/* range r's stretch: room for its groups in every part */
		for (x.base[r + 1] = x.base[r], q = 0; q < n; q++)
			x.base[r + 1] += x.off[q * (n + 1) + r + 1] - x.off[q * (n + 1) + r];
	if (x.base[n] >= UINT32_MAX || !(x.to = mem_grow(NULL, 0, (x.base[n] ? x.base[n] : 1) * sizeof(*x.to)))) {
		k = -2;
		goto done;
	}
	par_each(p, n, join_range, &x);
	for (q = 0; q < n && !k; q++)
		k = x.rc[q];
	if (k) {	/* the states moved into the new rows are freed there, the rest by their parts */
		for (r = 0; r < n; r++)
			for (i = 0; i < x.used[r]; i++)
				free_states(a, &x.to[x.base[r] + i]);
		mem_free(x.to, (x.base[n] ? x.base[n] : 1) * sizeof(*x.to));
		goto done;
	}
	for (r = 0, m = 0; r < n; m += x.used[r++])	/* the stretches closed up */
		memmove(x.to + m, x.to + x.base[r], x.used[r] * sizeof(*x.to));
	groups_replace_rows(&a->table, x.to, m, x.base[n] ? x.base[n] : 1);
	for (q = 1; q < n; q++)
		groups_adopt_mem(&a->table, &a->parts[q]->table);
done:
	for (q = 0; q < n && x.rows; q++)
		free(x.rows[q]);
	free(x.rows);
	free(x.off);
	free(x.base);
	free(x.used);
	free(x.rc);
	return k < 0 ? absorb_failed(a, k) : 0;
}

int agg_join(struct agg *a)
{
	size_t groups = 0;
	unsigned q;
	int k = 0, par = a->rr.pool && a->nparts > 1;

	for (q = 0; q < a->nparts && par; q++)
		if (a->parts[q])
			groups += groups_count(&a->parts[q]->table);
		else
			par = 0;
	if ((par = par && groups >= JOIN_PAR_FROM))
		k = join_par(a, a->rr.pool);
	for (q = 1; q < a->nparts; q++) {
		if (!a->parts[q])
			continue;
		if (!par && !k)
			k = absorb(a, a->parts[q]);
		a->null_counts += a->parts[q]->null_counts;
		a->unused += a->parts[q]->unused;
		a->rr.staged += a->parts[q]->rr.staged;
		agg_free(a->parts[q]);
		free(a->parts[q]);
		a->parts[q] = NULL;
	}
	free(a->parts);
	a->parts = NULL;
	a->nparts = 0;
	return k;
}

/* ---- results ---- */

/* Group g's key as JSON values (the bucket, then the fields) into vals[0..), empty. How many, or -1 (out of memory). */
static int key_vals(const struct agg *a, const struct group *g, struct buf *vals)
{
	struct slot s[REC_MAX_SLOTS + 1];
	int nkey = a->ngroups + (a->l.bucket_slot >= 0), i, j = 0;

	group_key_slots(&a->table, g, s);
	if (a->l.bucket_slot >= 0 && rec_put_json(&vals[j++], s[nkey - 1].type, s[nkey - 1].v, s[nkey - 1].n) < 0)
		return -1;
	for (i = 0; i < a->ngroups; i++)
		if (rec_put_json(&vals[j++], s[i].type, s[i].v, s[i].n) < 0)
			return -1;
	return j;
}

/*
 * The accumulators' rows of many groups made on every thread: a round of
 * WRITE_ROUND groups cut into pieces, each piece's text made at once
 * (writer_format), then written in order; memory: a round's text.
 */
#define WRITE_PAR_FROM 16384
#define WRITE_PIECES 32
#define WRITE_ROUND ((size_t)WRITE_PIECES * 4096)

struct wpiece {
	struct buf text, cell, vals[REC_MAX_SLOTS + AGG_MAX_ACC];
	int failed;
};

struct wpar {
	struct agg *a;
	const struct writer *w;
	int nf;
	size_t from, to;	/* the round's groups */
	struct wpiece *pc;
};

static void write_piece(void *ctx, unsigned q)
{
	struct wpar *x = ctx;
	struct wpiece *pc = &x->pc[q];
	const struct agg *a = x->a;
	size_t n = x->to - x->from, gi, end = x->from + n * (q + 1) / WRITE_PIECES;
	int i, j;

	pc->text.len = 0;
	for (gi = x->from + n * q / WRITE_PIECES; gi < end && !pc->failed; gi++) {
		struct group *g = groups_at(&a->table, gi);

		for (i = 0; i < x->nf; i++)
			pc->vals[i].len = 0;
		if ((j = key_vals(a, g, pc->vals)) < 0) {
			pc->failed = 1;
			break;
		}
		for (i = 0; i < a->nacc; i++)
			pc->failed |= acc_value(a->acc[i].kind, g->st + a->acc[i].state, &pc->vals[j++]) < 0;
		pc->failed |= writer_format(x->w, pc->vals, &pc->text, &pc->cell) < 0;
	}
}

static int write_par(struct agg *a, struct writer *w, int nf)
{
	struct wpar x;
	size_t n = groups_count(&a->table);
	unsigned q;
	int rc = 0, i;

	x.a = a;
	x.w = w;
	x.nf = nf;
	if (!(x.pc = calloc(WRITE_PIECES, sizeof(*x.pc))))
		return -1;
	for (x.from = 0; x.from < n && !rc; x.from = x.to) {
		x.to = n - x.from > WRITE_ROUND ? x.from + WRITE_ROUND : n;
		par_each(a->rr.pool, WRITE_PIECES, write_piece, &x);
		for (q = 0; q < WRITE_PIECES && !rc; q++)
			rc = x.pc[q].failed ? -1 : x.pc[q].text.len ? out_write(w->out, x.pc[q].text.p, x.pc[q].text.len) : 0;
	}
	for (q = 0; q < WRITE_PIECES; q++) {
		buf_free(&x.pc[q].text);
		buf_free(&x.pc[q].cell);
		for (i = 0; i < nf; i++)
			buf_free(&x.pc[q].vals[i]);
	}
	free(x.pc);
	return rc;
}

int agg_write(struct agg *a, struct out *out, enum out_format fmt, uint64_t read)
{
	const struct report_def *rep = a->report;
	int nkey = a->ngroups + (a->l.bucket_slot >= 0), ncol, nf, nrow = rep ? rep->nrows : 1, grows = 1, row, i, j;
	const char *names[REC_MAX_SLOTS + AGG_MAX_ACC + 16];
	enum col_kind kinds[REC_MAX_SLOTS + AGG_MAX_ACC + 16];
	struct buf vals[REC_MAX_SLOTS + AGG_MAX_ACC + 16];
	struct writer w;
	size_t gi;
	int rc = -1, opened = 0;

	a->rr.read = read;
	if (rep && rep->prepare && rep->prepare(&a->rr) < 0) {
		a->why_line = a->rr.why_line;
		return fail(a, -1, "%s", a->rr.why);
	}
	memset(vals, 0, sizeof(vals));
	ncol = rep ? (rep->columns ? rep->columns(&a->rr) : rep->ncols) : a->nacc;
	nf = nkey + ncol;
	/* names: the bucket, the group fields, the accumulators */
	j = 0;
	if (a->l.bucket_slot >= 0)
		kinds[j] = COL_TEXT, names[j++] = ts_every_names[a->every];
	for (i = 0; i < a->ngroups; i++)
		kinds[j] = COL_TEXT, names[j++] = a->groups[i];
	for (i = 0; i < ncol; i++, j++) {
		names[j] = rep ? rep->cols[i] : a->acc[i].out;
		kinds[j] = rep ? rep->kinds[i] : acc_col_kind(a->acc[i].kind);
	}
	a->why[0] = a->rr.why[0] = '\0';
	if (groups_sort(&a->table, a->rr.pool) < 0)
		goto done;
	if (rep && rep->sorted && rep->sorted(&a->rr) < 0) {
		if (a->rr.why[0])	/* else out of memory */
			fail(a, -1, "%s", a->rr.why);
		goto done;
	}
	if (writer_open(&w, out, fmt, nf, names, kinds) < 0)
		goto done;
	opened = 1;
	if (!rep && fmt != OUT_TABLE && a->rr.pool && groups_count(&a->table) >= WRITE_PAR_FROM) {
		rc = write_par(a, &w, nf);
		goto done;
	}
	for (gi = 0, row = 0; gi < groups_count(&a->table); row = row + 1 < grows ? row + 1 : (gi++, 0)) {
		struct group *g = groups_at(&a->table, gi);

		if (row == 0) {
			if (rep && rep->keep && !rep->keep(&a->rr, g)) {
				grows = 1;	/* the group is left out: on to the next */
				continue;
			}
			if ((grows = rep && rep->rows_of ? rep->rows_of(&a->rr, g) : nrow) < 0)
				goto done;
			if (!grows) {
				grows = 1;
				continue;
			}
		}
		for (i = 0; i < nf; i++)
			vals[i].len = 0;
		if ((j = key_vals(a, g, vals)) < 0)
			goto done;
		if (rep) {
			if (rep->row(&a->rr, g, row, vals + j) < 0) {
				if (a->rr.why[0])
					fail(a, -1, "%s", a->rr.why);
				goto done;
			}
		} else
			for (i = 0; i < a->nacc; i++)
				if (acc_value(a->acc[i].kind, g->st + a->acc[i].state, &vals[j++]) < 0)
					goto done;
		if (writer_row(&w, vals) < 0)
			goto done;
	}
	rc = 0;
done:
	if (opened && writer_close(&w) < 0)
		rc = -1;
	for (i = 0; i < nf; i++)
		buf_free(&vals[i]);
	if (rc < 0 && !a->why[0] && !out->err)
		fail(a, -1, "out of memory");
	return rc;
}

/* ---- partial results: the state of every group, to merge later ---- */

/* The header line: what was aggregated, which --merge checks every input agrees on. */
static int partial_header(const struct agg *a, struct buf *b)
{
	int i;

	if (partial_header_begin(b) < 0 || buf_adds(b, ",\"group_by\":[") < 0)
		return -1;
	for (i = 0; i < a->ngroups; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, a->groups[i], strlen(a->groups[i])) < 0)
			return -1;
	if (buf_adds(b, "],\"every\":") < 0 ||
	    (a->every ? json_escape(b, ts_every_names[a->every], strlen(ts_every_names[a->every]))
		      : buf_add(b, "null", 4)) < 0 ||
	    (a->tz[0] && (buf_adds(b, ",\"tz\":") < 0 || json_escape(b, a->tz, strlen(a->tz)) < 0)) ||
	    (a->excl.n && (buf_adds(b, ",\"exclude\":") < 0 ||
			   json_escape(b, a->excl.text, strlen(a->excl.text)) < 0)) ||
	    buf_adds(b, ",\"acc\":[") < 0)
		return -1;
	for (i = 0; i < a->nacc; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, a->acc[i].spec, strlen(a->acc[i].spec)) < 0)
			return -1;
	if (buf_addc(b, ']') < 0 || (a->report && (buf_adds(b, ",\"report\":") < 0 ||
						  json_escape(b, a->report->name, strlen(a->report->name)) < 0)))
		return -1;
	return buf_add(b, "}\n", 2);
}

int agg_write_partial(struct agg *a, struct out *out)
{
	struct partial_out po = { NULL, 0 };
	struct buf b = BUF_INIT;
	size_t gi;
	int rc = -1;

	if (groups_sort(&a->table, a->rr.pool) < 0 ||
	    (a->report && a->report->partial_prepare && a->report->partial_prepare(&a->rr) < 0) ||
	    partial_header(a, &b) < 0 || partial_out_begin(&po, out, b.p, b.len) < 0)
		goto done;
	for (gi = 0; gi < groups_count(&a->table); gi++) {
		const struct group *g = groups_at(&a->table, gi);

		b.len = 0;
		if (buf_addc(&b, '{') < 0 || group_key_json(&a->table, g, &b) < 0 || buf_adds(&b, ",\"s\":") < 0 ||
		    (a->report ? report_states_json(&a->rr, g, &b) : acc_states_json(a->acc, a->nacc, g->st, &b)) < 0 ||
		    buf_add(&b, "}\n", 2) < 0 || partial_out_line(&po, out, b.p, b.len) < 0)
			goto done;
	}
	b.len = 0;
	if (a->report && a->report->partial_tail &&
	    (a->report->partial_tail(&a->rr, &b) < 0 || partial_out_line(&po, out, b.p, b.len) < 0))
		goto done;
	rc = partial_out_end(&po, out);
done:
	if (po.h)
		XXH3_freeState(po.h);
	buf_free(&b);
	if (rc < 0 && !out->err)
		fail(a, -1, "out of memory");
	return rc;
}

/* ---- --merge: partial results in, the same state as one pass ---- */

/* Set up the aggregation a partial header describes (the first input's). 0, or -1 (why). */
static int configure_from_header(struct agg *a, const struct jobj *h)
{
	const struct jfield *g = jobj_get(h, "group_by", 8), *e = jobj_get(h, "every", 5),
			    *ac = jobj_get(h, "acc", 3), *rp = jobj_get(h, "report", 6), *tz = jobj_get(h, "tz", 2),
			    *ex = jobj_get(h, "exclude", 7);
	struct jobj arr = JOBJ_INIT;
	const char *accs[AGG_MAX_ACC] = { NULL };
	char *copies[AGG_MAX_ACC];
	int nacc = 0, i, rc = -1;
	size_t k;

	if (!g || g->type != J_ARR || !ac || ac->type != J_ARR || !e ||
	    (rp && (rp->type != J_STR || !(a->report = report_find(rp->val, rp->vlen)))) ||
	    json_scan_array(g->val, g->vlen, &arr) != 0)
		goto done;
	for (k = 0; k < arr.n; k++)
		if (arr.f[k].type != J_STR || arr.f[k].vesc || agg_group(a, arr.f[k].val, arr.f[k].vlen) < 0)
			goto done;
	if (tz && (tz->type != J_STR || tz->vesc || tz->vlen >= sizeof(a->tz)))
		goto done;
	if (tz)
		memcpy(a->tz, tz->val, tz->vlen), a->tz[tz->vlen] = '\0';
	if (ex && (ex->type != J_STR || ex->vesc || funnel_exclude_parse(&a->excl, ex->val, ex->vlen) < 0))
		goto done;
	if ((e->type == J_STR && !(a->every = ts_every_of(e->val, e->vlen))) ||
	    json_scan_array(ac->val, ac->vlen, &arr) != 0 || arr.n > AGG_MAX_ACC)
		goto done;
	for (k = 0; k < arr.n; k++) {
		if (arr.f[k].type != J_STR || arr.f[k].vesc || !(copies[nacc] = strndup(arr.f[k].val, arr.f[k].vlen)))
			goto done;
		accs[nacc] = copies[nacc];
		nacc++;
	}
	if ((rc = agg_configure(a, accs, nacc)) == 0)
		agg_start(a);
done:
	for (i = 0; i < nacc; i++)
		free(copies[i]);
	jobj_free(&arr);
	return rc;
}

int agg_merge_line(struct agg *a, const char *line, size_t len, uint64_t lineno)
{
	struct jobj *obj = &a->jo[0], *keys = &a->jo[1];
	const struct jfield *st, *bk;
	const char *err;
	struct group *g;
	int m, bad;

	a->why_line = lineno;
	if (json_scan_object(line, len, obj) != 0)
		return fail(a, -1, "not a JSON object");
	switch (partial_line(&a->pin, obj, line, len, "vchain-aggregate",
			     "aggregation (the groups or accumulators differ from the first input's)", a->why)) {
	case PARTIAL_FIRST:
		return configure_from_header(a, obj) < 0 ? fail(a, -1, "a partial header this version cannot read") : 0;
	case PARTIAL_AGAIN:
	case PARTIAL_END:
		return 0;
	case PARTIAL_BAD:
		return -1;
	default:
		break;
	}
	if (a->report && a->report->tail && (bk = jobj_get(obj, a->report->tail, strlen(a->report->tail)))) {
		m = a->report->merge_tail(&a->rr, bk);
		return m == -2 ? fail(a, -2, "out of memory")
		       : m < 0 ? fail(a, -1, "a %s line that is not what the %s report keeps", a->report->tail,
				      a->report->name) : 0;
	}
	st = jobj_get(obj, "s", 1);
	if (!st || st->type != J_ARR ||
	    (m = groups_find_json(&a->table, jobj_get(obj, "key", 3), jobj_get(obj, "bucket", 6), keys, &a->tmp, &g)) == -1 ||
	    (m == 0 && (json_scan_array(st->val, st->vlen, keys) != 0 || keys->n != (size_t)a->nacc)))
		return fail(a, -1, "a group line that does not match the header");
	if (m == -2)
		return fail(a, -2, "out of memory");
	m = a->report ? report_merge_states(&a->rr, g, keys->f, &err, &bad)
		      : acc_merge_states(a->acc, a->nacc, g->st, keys->f, &a->rr.jo[0], &a->tmp, &err, &bad);
	if (m == -2)
		return fail(a, -2, "out of memory");
	return m < 0 ? fail(a, -1, "%s: %s", a->acc[bad].out, err) : 0;
}

void agg_merge_input(struct agg *a)
{
	partial_next_input(&a->pin);
}

int agg_merge_input_done(struct agg *a)
{
	a->why_line = 0;
	return partial_input_done(&a->pin, a->why);
}

size_t agg_bytes(const struct agg *a)
{
	size_t n = groups_bytes(&a->table), gi;
	int i;

	/* and what the groups' states hold: sets, values, a report's people */
	for (gi = 0; gi < groups_count(&a->table); gi++) {
		const struct group *g = groups_at(&a->table, gi);

		if (a->report)
			n += report_state_bytes(&a->rr, g);
		else
			for (i = 0; i < a->nacc; i++)
				if (!acc_shared(a->acc, i))
					n += acc_state_bytes(a->acc[i].kind, g->st + a->acc[i].state);
	}
	return n;
}

void agg_free(struct agg *a)
{
	size_t gi;
	unsigned q;
	int i;

	for (q = 1; q < a->nparts; q++)	/* parts never joined: a run that failed */
		if (a->parts[q]) {
			agg_free(a->parts[q]);
			free(a->parts[q]);
		}
	free(a->parts);
	a->parts = NULL;
	a->nparts = 0;

	for (gi = 0; gi < groups_count(&a->table); gi++)
		if (groups_at(&a->table, gi)->st)	/* (else moved by a join) */
			free_states(a, groups_at(&a->table, gi));
	groups_free(&a->table);
	report_run_free(&a->rr);
	for (i = 0; i < a->nacc; i++)
		acc_free(&a->acc[i]);
	for (i = 0; i < a->ngroups; i++)
		free(a->groups[i]);
	rec_layout_free(&a->l);
	partial_in_free(&a->pin);
	for (i = 0; i < 2; i++)
		jobj_free(&a->jo[i]);
	buf_free(&a->tmp);
}
