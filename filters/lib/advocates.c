/*
 * advocates.c - see advocates.h.
 *
 * A row's acts are summed decayed to the time of its last praising act
 * (s as of at): each new act either adds its weight scaled to that time,
 * or, when later, moves the time and scales the sum. The ranking scales
 * s once more, to the as-of time. A row's acts all come from one person's
 * events, so a shard that holds all of a person's events sums them in the
 * same order as one pass does, and the merge gives the same bytes.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advocates.h"
#include "diag.h"
#include "rec.h"
#include "sort.h"
#include "ts.h"
#include "vocab.h"

#define NO_TS REC_NO_TS
#define BLOOM_BITS (1ull << 27)		/* 16 MiB: 0.4 % false positives at 10 M customers */
#define BLOOM_K 4
#define GONE_BITS (1ull << 23)			/* 1 MiB */
#define LINKS_PER_ROW 16		/* --approx: referral links kept, per row of capacity */

const char *const adv_act_names[ADV_ACTS] = { "share", "mention", "tag", "review", "referral" };

double adv_reach(long long followers)
{
	return followers < 0 ? 1 : 1 + log10(1 + (double)followers);
}

const char *adv_tier(long long f)
{
	return f < 0 ? NULL : f < 1000 ? "nano" : f < 100000 ? "micro" : f < 1000000 ? "macro" : "mega";
}

static int h128_eq(struct h128 a, struct h128 b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

static struct h128 link_key(struct h128 person, struct h128 rec_key)
{
	struct h128 k[2] = { person, rec_key };

	return hash128(k, sizeof(k));
}

static int oom(struct adv *a, const char *what)
{
	snprintf(a->why, sizeof(a->why), "out of memory for %s", what);
	return -1;
}

int adv_init(struct adv *a, const struct adv_cfg *c)
{
	memset(a, 0, sizeof(*a));
	a->cfg = *c;
	a->c = &a->cfg;
	a->latest = LLONG_MIN;
	a->frame = NO_TS;
	a->reach_max = 1;
	htab_rows_init(&a->recs, sizeof(struct adv_rec), c->approx ? c->capacity : 4096);
	htab_rows_init(&a->customers, sizeof(struct adv_customer), 4096);
	htab_rows_init(&a->links, sizeof(struct adv_link), 1024);
	if (c->approx) {
		a->bloom_bits = BLOOM_BITS;
		if (!(a->heap = malloc(c->capacity * sizeof(*a->heap))) ||
		    !(a->bloom = calloc(a->bloom_bits / 64, sizeof(*a->bloom))) ||
		    !(a->gone = calloc(GONE_BITS / 64, sizeof(*a->gone))))
			return oom(a, "the summary");
	}
	return 0;
}

/* ---- customers ---- */

/* Bloom filters of bits bits (a power of two), probed at BLOOM_K places from a 128-bit hash. */
static int bits_have(const uint64_t *set, size_t bits, struct h128 u)
{
	int k;

	for (k = 0; k < BLOOM_K; k++) {
		uint64_t b = (u.lo + (uint64_t)k * (u.hi | 1)) & (bits - 1);

		if (!(set[b / 64] >> (b % 64) & 1))
			return 0;
	}
	return 1;
}

static void bits_add(uint64_t *set, size_t bits, struct h128 u)
{
	int k;

	for (k = 0; k < BLOOM_K; k++) {
		uint64_t b = (u.lo + (uint64_t)k * (u.hi | 1)) & (bits - 1);

		set[b / 64] |= 1ull << (b % 64);
	}
}

static int bloom_has(const struct adv *a, struct h128 u)
{
	return bits_have(a->bloom, a->bloom_bits, u);
}

static void bloom_add(struct adv *a, struct h128 u)
{
	bits_add(a->bloom, a->bloom_bits, u);
}

static const struct adv_customer *customer_of(const struct adv *a, struct h128 user)
{
	const uint64_t *i = htab_get(&a->customers.idx, user);

	return i ? htab_rows_at(&a->customers, *i) : NULL;
}

static int is_customer(const struct adv *a, struct h128 user)
{
	const struct adv_customer *cu;

	if (a->c->approx)
		return bloom_has(a, user);
	return (cu = customer_of(a, user)) && cu->bought;
}

/* ---- rows ---- */

static size_t row_index(const struct adv *a, const struct adv_rec *r)
{
	return (size_t)((const unsigned char *)r - a->recs.rows) / a->recs.row_size;
}

static struct adv_rec *row_at(const struct adv *a, size_t i)
{
	return htab_rows_at(&a->recs, i);
}

/* A new row's fields, its id copied (the arena, or the heap for --approx: rows are reused). */
static int row_fill(struct adv *a, struct adv_rec *r, struct h128 key, struct h128 user, const char *id,
		    size_t id_len, const char *group, size_t group_len, int has_group)
{
	long g = -1;

	r->key = key;
	r->user = user;
	r->at = NO_TS;
	r->last = LLONG_MIN;
	r->followers = -1;
	r->followers_ts = LLONG_MIN;
	r->referred_revenue.m = 0;
	r->referred_revenue.scale = 0;
	if (has_group && (g = chans_id(&a->groups, group, group_len)) < 0)
		return -1;
	r->group = (int32_t)g;
	r->id_len = (uint32_t)id_len;
	if (a->c->approx) {
		char *p = malloc(id_len + 1);

		if (!p)
			return -1;
		memcpy(p, id, id_len);
		p[id_len] = '\0';
		r->id = p;
	} else if (!(r->id = arena_strndup(&a->ids, id, id_len)))
		return -1;
	return 0;
}

/* Exact: the row of key, made when new. NULL when out of memory. */
static struct adv_rec *row_get(struct adv *a, struct h128 key, struct h128 user, const char *id, size_t id_len,
			       const char *group, size_t group_len, int has_group)
{
	int made;
	struct adv_rec *r = htab_rows_get(&a->recs, key, &made);

	if (r && made && row_fill(a, r, key, user, id, id_len, group, group_len, has_group) < 0)
		return NULL;
	return r;
}

/* ---- --approx: Space-Saving over the rows, a min-heap by ss ---- */

static int ss_less(const struct adv *a, uint32_t x, uint32_t y)
{
	return row_at(a, x)->ss < row_at(a, y)->ss;
}

static void heap_set(struct adv *a, size_t at, uint32_t row)
{
	a->heap[at] = row;
	row_at(a, row)->heap = (uint32_t)at;
}

static void sift_up(struct adv *a, size_t i)
{
	uint32_t x = a->heap[i];

	while (i > 0 && ss_less(a, x, a->heap[(i - 1) / 2])) {
		heap_set(a, i, a->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(a, i, x);
}

static void sift_down(struct adv *a, size_t i)
{
	uint32_t x = a->heap[i];
	size_t c;

	while ((c = 2 * i + 1) < a->nheap) {
		if (c + 1 < a->nheap && ss_less(a, a->heap[c + 1], a->heap[c]))
			c++;
		if (!ss_less(a, a->heap[c], x))
			break;
		heap_set(a, i, a->heap[c]);
		i = c;
	}
	heap_set(a, i, x);
}

/*
 * The monitored row of key, taking the place of the one with the smallest
 * count when the summary is full (it inherits that count as its error).
 * NULL when out of memory.
 */
static struct adv_rec *ss_row(struct adv *a, struct h128 key, struct h128 user, const char *id, size_t id_len,
			      const char *group, size_t group_len, int has_group)
{
	const uint64_t *i = htab_get(&a->recs.idx, key);
	struct adv_rec *r;
	uint64_t *slot;
	uint32_t epoch, heap;
	double m;

	if (i)
		return row_at(a, *i);
	if (a->recs.n < a->c->capacity) {
		if (!(r = row_get(a, key, user, id, id_len, group, group_len, has_group)))
			return NULL;
		a->heap[a->nheap] = (uint32_t)row_index(a, r);
		sift_up(a, a->nheap++);
		return r;
	}
	r = row_at(a, a->heap[0]);
	m = r->ss;
	epoch = r->epoch + 1;
	heap = r->heap;
	htab_del(&a->recs.idx, r->key);
	bits_add(a->gone, GONE_BITS, r->key);
	a->evicted++;
	a->links_orphaned += r->nlinks;
	free((void *)r->id);
	memset(r, 0, sizeof(*r));
	if (row_fill(a, r, key, user, id, id_len, group, group_len, has_group) < 0 ||
	    htab_put(&a->recs.idx, key, &slot) < 0)
		return NULL;
	*slot = a->heap[0];
	r->epoch = epoch;
	r->heap = heap;
	r->ss = r->ss_err = m;	/* its place in the heap holds: the same count as before */
	r->incomplete = (uint8_t)bits_have(a->gone, GONE_BITS, key);	/* else every act of its is here */
	return r;
}

/* Add w at time t to a monitored row's count (in the frame's units). */
static void ss_add(struct adv *a, struct adv_rec *r, double w, long long t)
{
	double e;
	size_t i;

	if (a->frame == NO_TS)
		a->frame = t;
	e = (double)(t - a->frame) / (double)a->c->half_life_ms;
	if (e > 512) {	/* move the frame: scaling by a power of two keeps every count and the order exact */
		long long steps = (long long)e - 256;

		a->frame += steps * a->c->half_life_ms;
		for (i = 0; i < a->recs.n; i++) {
			row_at(a, i)->ss = ldexp(row_at(a, i)->ss, (int)-steps);
			row_at(a, i)->ss_err = ldexp(row_at(a, i)->ss_err, (int)-steps);
		}
		e = (double)(t - a->frame) / (double)a->c->half_life_ms;
	}
	r->ss += w * exp2(e);
	sift_down(a, r->heap);
}

/* ---- events ---- */

static void decay_add(struct adv_rec *r, double w, long long t, long long hl)
{
	if (r->at == NO_TS) {
		r->s = w;
		r->at = t;
	} else if (t > r->at) {
		r->s = r->s * exp2((double)(r->at - t) / (double)hl) + w;
		r->at = t;
	} else
		r->s += w * exp2((double)(t - r->at) / (double)hl);
}

static int money(struct adv *a, struct dec *sum, struct dec v, int negate)
{
	if (negate)
		v.m = -v.m;
	if (dec_add(sum, v) < 0) {
		snprintf(a->why, sizeof(a->why), "revenue does not fit (beyond 38 digits)");
		return -1;
	}
	return 0;
}

static int customer_event(struct adv *a, const struct adv_event *e)
{
	int refund = e->kind == ADV_REFUND;

	a->purchases += !refund;
	if (a->c->approx) {
		const uint64_t *i = htab_get(&a->links.idx, e->user);
		struct adv_link *l = i ? htab_rows_at(&a->links, *i) : NULL;
		struct adv_rec *r = l ? row_at(a, l->rec) : NULL;

		if (!refund)
			bloom_add(a, e->user);
		if (!r)
			return 0;
		if (!refund && !l->bought) {	/* a referred customer: the referrer's count grows */
			l->bought = 1;
			if (r->epoch == l->epoch)
				ss_add(a, r, a->c->w_referred_customer, e->ts == NO_TS ? a->latest : e->ts);
		}
		/* a link whose referrer was evicted still learns the purchase: the guarantee's bound counts it */
		return r->epoch == l->epoch ? money(a, &l->revenue, e->revenue, refund) : 0;
	}
	struct adv_customer *cu = htab_rows_get(&a->customers, e->user, NULL);

	if (!cu)
		return oom(a, "the customers");
	cu->user = e->user;
	cu->bought |= !refund;
	return money(a, &cu->revenue, e->revenue, refund);
}

static int act(struct adv *a, const struct adv_event *e)
{
	const struct adv_cfg *c = a->c;
	struct adv_rec *r;

	if (!c->include_fans && !is_customer(a, e->user)) {
		a->fans_acts++;
		return 0;
	}
	r = (c->approx ? ss_row : row_get)(a, e->key, e->user, e->id, e->id_len, e->group, e->group_len, e->has_group);
	if (!r)
		return oom(a, "the people");
	if (e->kind == ADV_PRAISE) {
		a->acts++;
		r->n[e->act]++;
		decay_add(r, c->w[e->act], e->ts, c->half_life_ms);
		if (c->approx)
			ss_add(a, r, c->w[e->act], e->ts);
	} else {
		a->detractions++;
		r->detract++;
	}
	if (e->ts > r->last)
		r->last = e->ts;
	r->platforms |= (uint16_t)(1u << e->platform);
	return 0;
}

static int followers(struct adv *a, const struct adv_event *e)
{
	struct adv_rec *r;
	double reach = adv_reach(e->followers);

	if (reach > a->reach_max)
		a->reach_max = reach;
	if (a->c->approx) {
		const uint64_t *i = htab_get(&a->recs.idx, e->key);

		if (!i)
			return 0;
		r = row_at(a, *i);
	} else if (!(r = row_get(a, e->key, e->user, e->id, e->id_len, e->group, e->group_len, e->has_group)))
		return oom(a, "the people");
	if (e->ts == NO_TS ? r->followers_ts == LLONG_MIN : e->ts >= r->followers_ts) {
		r->followers = e->followers;
		r->followers_ts = e->ts == NO_TS ? LLONG_MIN : e->ts;
	}
	return 0;
}

static int referral(struct adv *a, const struct adv_event *e)
{
	const struct adv_cfg *c = a->c;
	struct adv_rec *r;
	struct adv_link *l;
	int made;

	if (h128_eq(e->ref_user, e->user)) {
		a->self_referrals++;
		return 0;
	}
	r = (c->approx ? ss_row : row_get)(a, e->ref_key, e->ref_user, e->ref, e->ref_len, e->group, e->group_len,
					  e->has_group);
	if (!r)
		return oom(a, "the people");
	if (!c->approx) {
		if (!(l = htab_rows_get(&a->links, link_key(e->user, e->ref_key), &made)))
			return oom(a, "the referrals");
		if (made) {
			l->person = e->user;
			l->rec = (uint32_t)row_index(a, r);
			r->nlinks++;
		}
		return 0;
	}
	/* --approx: one referrer a person, in a table of fixed size */
	const uint64_t *i = htab_get(&a->links.idx, e->user);

	if (i) {
		l = htab_rows_at(&a->links, *i);
		if (l->rec == row_index(a, r) && l->epoch == r->epoch)
			return 0;	/* the same link again */
		if (row_at(a, l->rec)->epoch == l->epoch) {
			a->links_lost++;	/* a second referrer */
			return 0;
		}
	} else {
		if (a->links.n >= LINKS_PER_ROW * c->capacity) {
			a->links_lost++;
			return 0;
		}
		if (!(l = htab_rows_get(&a->links, e->user, NULL)))
			return oom(a, "the referrals");
	}
	l->person = e->user;
	l->rec = (uint32_t)row_index(a, r);
	l->epoch = r->epoch;
	l->bought = 0;
	l->revenue.m = 0;
	l->revenue.scale = 0;
	r->nlinks++;
	if (bloom_has(a, e->user))	/* bought before the link: that revenue is not known here */
		a->links_lost++;
	return 0;
}

int adv_time(struct adv *a, long long ts)
{
	a->events++;
	if (ts == NO_TS)
		return 0;
	if (a->c->as_of_given && ts > a->c->as_of_ms) {
		a->after_as_of++;
		return 1;
	}
	if (ts > a->latest)
		a->latest = ts;
	return 0;
}

int adv_event(struct adv *a, const struct adv_event *e)
{
	if (adv_time(a, e->ts))
		return 0;
	if ((e->kind == ADV_PURCHASE || e->kind == ADV_REFUND) && customer_event(a, e) < 0)
		return -1;
	if ((e->kind == ADV_PRAISE || e->kind == ADV_DETRACT) && act(a, e) < 0)
		return -1;
	if (e->followers >= 0 && followers(a, e) < 0)
		return -1;
	if (e->has_ref && referral(a, e) < 0)
		return -1;
	return 0;
}

/* ---- partitioned state ---- */

static struct adv *part(const struct adv *a, unsigned q)
{
	return a->pctx[q];
}

int adv_parts(struct adv *a, unsigned threads)
{
	unsigned q, n = par_nparts(threads, ADV_PARTS_PER_THREAD, ADV_PARTS_MIN, ADV_MAX_PARTS);

	if (par_calloc_parts(n, sizeof(struct adv), &a->part_mem, &a->pctx) < 0) {
		snprintf(a->why, sizeof(a->why), "out of memory starting %u parts", n);
		return -1;
	}
	/* each part is zero or initialised: adv_free takes them down */
	a->nparts = n;
	for (q = 0; q < n; q++) {
		if (adv_init(part(a, q), a->c) < 0) {
			snprintf(a->why, sizeof(a->why), "out of memory starting %u parts", n);
			return -1;
		}
		/* a part's tables start as small as its share (they double as they fill) */
		htab_rows_init(&part(a, q)->recs, sizeof(struct adv_rec), 512);
		htab_rows_init(&part(a, q)->customers, sizeof(struct adv_customer), 512);
		htab_rows_init(&part(a, q)->links, sizeof(struct adv_link), 128);
	}
	return 0;
}

void adv_vrec_event(const char *p, struct adv_vrec *v, struct adv_event *e)
{
	const char *bytes = p + sizeof(*v);

	memcpy(v, p, sizeof(*v));
	e->user = v->user;
	e->key = v->key;
	e->ref_user = v->ref_user;
	e->ref_key = v->ref_key;
	e->ts = v->ts;
	e->followers = v->followers;
	e->revenue = v->revenue;
	e->id = bytes;
	e->id_len = v->id_len;
	e->group = bytes + v->id_len;
	e->group_len = v->group_len;
	e->ref = bytes + v->id_len + v->group_len;
	e->ref_len = v->ref_len;
	e->kind = v->kind;
	e->act = v->act;
	e->platform = v->platform;
	e->has_group = v->has_group;
	e->has_ref = v->has_ref;
}

int adv_part(void *pctx, struct par_chunk *c, const uint32_t *offs, size_t n)
{
	struct adv *a = pctx;
	struct adv_event e;
	struct adv_vrec v;
	size_t i;

	if (a->failed)
		return 0;
	for (i = 0; i < n; i++) {
		char *p = c->out.p + offs[i];
		long long ts;

		if (!p[offsetof(struct adv_vrec, has_user)]) {	/* most: only the time counts */
			memcpy(&ts, p + offsetof(struct adv_vrec, ts), sizeof(ts));
			adv_time(a, ts);
			continue;
		}
		adv_vrec_event(p, &v, &e);
		if (adv_event(a, &e) < 0) {	/* the record says so to the commit, which gives its line */
			p[offsetof(struct adv_vrec, kind)] = (char)ADV_FAILED;
			__atomic_store_n(&a->failed, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	return 0;
}

int adv_commit(struct adv *a, const struct par_chunk *c, uint64_t first_line, uint64_t *line)
{
	const char *p = c->out.p, *end = c->out.p + c->out.len;
	uint64_t k = 0;	/* the record's number in the chunk: its line, par_record_line */
	struct adv_event e;
	struct adv_vrec v;
	unsigned q;

	/*
	 * With parts, every part took its records of the chunk before this
	 * call: none that failed, no record to look at.
	 */
	for (q = 0; q < a->nparts && !__atomic_load_n(&part(a, q)->failed, __ATOMIC_RELAXED); q++)
		;
	if (a->nparts && q == a->nparts)
		return 0;
	for (; p < end; p += ADV_VREC_LEN(v), k++) {
		memcpy(&v, p, sizeof(v));
		if (a->nparts) {	/* its part took it */
			if (v.kind != ADV_FAILED)
				continue;
			memcpy(a->why, part(a, adv_part_of(&v, a->nparts))->why, sizeof(a->why));
		} else if (!v.has_user) {
			adv_time(a, v.ts);
			continue;
		} else {
			adv_vrec_event(p, &v, &e);
			if (adv_event(a, &e) == 0)
				continue;
		}
		*line = par_record_line(c, first_line, k);
		return -1;
	}
	return 0;
}

/* ---- the end: links counted into the rows, scores, rankings ---- */

/* A link to row r of a person who bought (net revenue) or did not. 0, or -1 (the sum does not fit: why). */
static int count_link(struct adv *a, struct adv_rec *r, int bought, struct dec revenue)
{
	r->referred_people++;
	if (!bought)
		return 0;
	r->referred_customers++;
	return money(a, &r->referred_revenue, revenue, 0);
}

/* One engine's links (no parts, or --approx). */
static int finish_one(struct adv *a)
{
	size_t i;

	for (i = 0; i < a->links.n; i++) {
		const struct adv_link *l = htab_rows_at(&a->links, i);
		struct adv_rec *r = row_at(a, l->rec);
		const struct adv_customer *cu;

		if (a->c->approx) {
			if (r->epoch == l->epoch && count_link(a, r, l->bought, l->revenue) < 0)
				return -1;
			continue;
		}
		cu = customer_of(a, l->person);
		if (count_link(a, r, cu && cu->bought, cu ? cu->revenue : (struct dec){ 0, 0 }) < 0)
			return -1;
	}
	return 0;
}

/* A link of one part to a row another part owns: what the owner needs of it (the strings in the arenas). */
struct adv_fwd {
	struct h128 key, user;
	struct dec revenue;
	const char *id, *group;
	uint32_t id_len, group_len;
	uint8_t bought, has_group;
};

/*
 * Part q's links (par_each): those to rows it owns counted in, the others
 * copied out by owner. A link is its referred person's, and so is that
 * person's purchases: everything is at hand but the referrer's own row.
 */
static void fold_out(void *ctx, unsigned q)
{
	const struct adv *a = ctx;
	struct adv *s = part(a, q);
	unsigned o, n = a->nparts;
	size_t i, *next = NULL;

	if (!(s->fwd_at = calloc(n + 1, sizeof(*s->fwd_at))) || !(next = calloc(n, sizeof(*next)))) {
		s->failed = oom(s, "the referrals' count");
		goto done;
	}
	for (i = 0; i < s->links.n; i++) {
		o = par_part_of(row_at(s, ((const struct adv_link *)htab_rows_at(&s->links, i))->rec)->user.hi, n);
		s->fwd_at[o + 1] += o != q;
	}
	for (o = 0; o < n; o++) {
		s->fwd_at[o + 1] += s->fwd_at[o];
		next[o] = s->fwd_at[o];
	}
	if (s->fwd_at[n] && !(s->fwd = malloc(s->fwd_at[n] * sizeof(*s->fwd)))) {
		s->failed = oom(s, "the referrals' count");
		goto done;
	}
	for (i = 0; i < s->links.n; i++) {
		const struct adv_link *l = htab_rows_at(&s->links, i);
		struct adv_rec *r = row_at(s, l->rec);
		const struct adv_customer *cu = customer_of(s, l->person);
		struct dec revenue = cu ? cu->revenue : (struct dec){ 0, 0 };
		struct adv_fwd *f;

		if ((o = par_part_of(r->user.hi, n)) == q) {
			if (count_link(s, r, cu && cu->bought, revenue) < 0) {
				s->failed = -1;
				goto done;
			}
			continue;
		}
		f = &s->fwd[next[o]++];
		f->key = r->key;
		f->user = r->user;
		f->revenue = revenue;
		f->bought = cu && cu->bought;
		f->id = r->id;
		f->id_len = r->id_len;
		f->has_group = r->group >= 0;
		f->group = r->group >= 0 ? s->groups.name[r->group] : NULL;
		f->group_len = r->group >= 0 ? s->groups.len[r->group] : 0;
	}
done:
	free(next);
}

/* The links of every part to rows part o owns (par_each, after fold_out): the row made when new. */
static void fold_in(void *ctx, unsigned o)
{
	const struct adv *a = ctx;
	struct adv *s = part(a, o);
	unsigned q;
	size_t i;

	for (q = 0; q < a->nparts; q++) {
		const struct adv *t = part(a, q);

		for (i = t->fwd_at[o]; i < t->fwd_at[o + 1]; i++) {
			const struct adv_fwd *f = &t->fwd[i];
			struct adv_rec *r = row_get(s, f->key, f->user, f->id, f->id_len, f->group, f->group_len,
						    f->has_group);

			if (!r) {
				s->failed = oom(s, "the people");
				return;
			}
			if (count_link(s, r, f->bought, f->revenue) < 0) {
				s->failed = -1;
				return;
			}
		}
	}
}

/* A part that failed: its why into a's. -1, or 0 when none did. */
static int parts_failed(struct adv *a)
{
	unsigned q;

	for (q = 0; q < a->nparts; q++)
		if (part(a, q)->failed) {
			memcpy(a->why, part(a, q)->why, sizeof(a->why));
			return -1;
		}
	return 0;
}

/* s's counts and latest time into a's. */
static void add_counts(struct adv *a, const struct adv *s)
{
	if (s->latest > a->latest)
		a->latest = s->latest;
	a->events += s->events;
	a->acts += s->acts;
	a->detractions += s->detractions;
	a->fans_acts += s->fans_acts;
	a->after_as_of += s->after_as_of;
	a->self_referrals += s->self_referrals;
	a->purchases += s->purchases;
}

int adv_finish(struct adv *a, struct par *p)
{
	unsigned q;
	int rc = 0;

	if (a->finished)
		return 0;
	a->finished = 1;
	if (!a->nparts)
		return finish_one(a);
	par_each(p, a->nparts, fold_out, a);
	if (parts_failed(a) < 0)
		rc = -1;
	else {
		par_each(p, a->nparts, fold_in, a);
		rc = parts_failed(a);
	}
	for (q = 0; q < a->nparts; q++) {
		struct adv *s = part(a, q);

		add_counts(a, s);
		s->finished = 1;
		free(s->fwd);
		free(s->fwd_at);
		s->fwd = NULL;
		s->fwd_at = NULL;
	}
	return rc;
}

/* The engines that hold the state: a's parts, or a itself. */
static unsigned engines(const struct adv *a)
{
	return a->nparts ? a->nparts : 1;
}

static struct adv *engine(const struct adv *a, unsigned q)
{
	return a->nparts ? part(a, q) : (struct adv *)a;
}

/* Whether engine q keeps row r as its own, not as a stub of a referrer another part owns. */
static int owns(const struct adv *a, unsigned q, const struct adv_rec *r)
{
	return !a->nparts || par_part_of(r->user.hi, a->nparts) == q;
}

/* Whether user is a customer, asked of the engine that has their purchases. */
static int customer_in_run(const struct adv *a, struct h128 user)
{
	return is_customer(engine(a, a->nparts ? par_part_of(user.hi, a->nparts) : 0), user);
}

static long long as_of(const struct adv *a)
{
	return a->c->as_of_given ? a->c->as_of_ms : a->latest;
}

static double score_of(const struct adv *a, const struct adv_rec *r)
{
	double acts = r->at == NO_TS ? 0 : r->s * exp2((double)(r->at - as_of(a)) / (double)a->c->half_life_ms);

	return adv_reach(r->followers) * acts + a->c->w_referred_customer * (double)r->referred_customers -
	       a->c->w_detractor * (double)r->detract;
}

struct ranked {
	uint32_t part, row;	/* engine(a, part)'s row */
	double score;
};

static int cmp_bytes(const char *x, size_t nx, const char *y, size_t ny)
{
	int c = memcmp(x, y, nx < ny ? nx : ny);

	return c ? c : (nx > ny) - (nx < ny);
}

/* Row r's group as engine e names it: NULL when the group field was missing. */
static const char *group_of(const struct adv *e, const struct adv_rec *r, size_t *len)
{
	if (r->group < 0)
		return *len = 0, NULL;
	*len = e->groups.len[r->group];
	return e->groups.name[r->group];
}

/* Groups by name, the missing group last. */
static int cmp_group(const char *g, size_t gn, const char *h, size_t hn)
{
	if (!g || !h)
		return !g - !h;
	return cmp_bytes(g, gn, h, hn);
}

/* By group (the missing group last), score high to low, user_id. */
static int by_rank(const void *x, const void *y, void *ctx)
{
	const struct adv *a = ctx;
	const struct ranked *p = x, *q = y;
	const struct adv *e = engine(a, p->part), *f = engine(a, q->part);
	const struct adv_rec *r = row_at(e, p->row), *s = row_at(f, q->row);
	const char *g, *h;
	size_t gn, hn;
	int c;

	if (e != f || r->group != s->group) {
		g = group_of(e, r, &gn);
		h = group_of(f, s, &hn);
		if ((c = cmp_group(g, gn, h, hn)))
			return c;
	}
	if (p->score != q->score)
		return p->score > q->score ? -1 : 1;
	return cmp_bytes(r->id, r->id_len, s->id, s->id_len);
}

/* The rows a ranking shows: customers (or everyone with --include-fans) who acted or referred someone. */
static int rankable(const struct adv *e, const struct adv_rec *r)
{
	uint32_t k, n = r->detract;

	for (k = 0; k < ADV_ACTS; k++)
		n += r->n[k];
	return (n || r->referred_people) && (e->c->include_fans || is_customer(e, r->user));
}

static int put_str(struct buf *b, const char *s, size_t n)
{
	return buf_addc(b, '"') < 0 || buf_add(b, s, n) < 0 || buf_addc(b, '"') < 0 ? -1 : 0;
}

static int put_num(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int put_num(struct buf *b, const char *fmt, ...)
{
	char t[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	return buf_add(b, t, (size_t)n);
}

static int put_ms(struct buf *b, long long ms)
{
	char t[TS_MAX_LEN];

	if (ms == LLONG_MIN || ms == NO_TS)
		return buf_adds(b, "null");
	return put_str(b, t, ts_format_ms(ms, t));
}

static int put_dec(struct buf *b, struct dec d)
{
	char t[DEC_MAX_LEN];

	return buf_add(b, t, dec_format(d, t));
}

/* A score as people read it: four decimals. */
static int put_score(struct buf *b, double x)
{
	if (x == 0)
		x = 0;	/* no "-0.0000" */
	return put_num(b, "%.4f", x);
}

static int put_platforms(struct buf *b, uint16_t set)
{
	int k, first = 1;

	if (buf_addc(b, '"') < 0)
		return -1;
	for (k = 0; k < 16; k++)
		if (set >> k & 1) {
			if ((!first && buf_addc(b, ',') < 0) || buf_adds(b, vocab_platforms[k]) < 0)
				return -1;
			first = 0;
		}
	return buf_addc(b, '"');
}

/*
 * --approx: whether the rows listed are certainly the exact ranking: none
 * was evicted before (so every act of theirs was counted), and the lowest
 * listed score is above what anyone not listed can have at most — an
 * unmonitored person the smallest count (Space-Saving's bound) at the
 * largest reach seen, a monitored one evicted before its count at the
 * largest reach; plus a referred customer for every link lost or orphaned.
 */
static void guarantee(struct adv *a, const struct ranked *rk, size_t n, const size_t *shown, size_t nshown)
{
	double to_score = a->frame == NO_TS ? 0 : exp2((double)(a->frame - as_of(a)) / (double)a->c->half_life_ms);
	double min_ss = a->nheap == a->c->capacity ? row_at(a, a->heap[0])->ss : 0;
	double links, bound, lowest = INFINITY, b;
	uint64_t orphans = 0;
	size_t i, j = 0;

	for (i = 0; i < a->links.n; i++) {	/* referred customers of evicted referrers */
		const struct adv_link *l = htab_rows_at(&a->links, i);

		orphans += l->bought && row_at(a, l->rec)->epoch != l->epoch;
	}
	links = a->c->w_referred_customer * (double)(a->links_lost + orphans);
	bound = a->reach_max * min_ss * to_score + links;

	a->held = 1;
	for (i = 0; i < n; i++) {
		const struct adv_rec *r = row_at(a, rk[i].row);
		int listed = j < nshown && shown[j] == i;

		if (listed) {
			j++;
			if (r->incomplete) {
				snprintf(a->held_why, sizeof(a->held_why), "a listed person was evicted once (raise --capacity)");
				a->held = 0;
				return;
			}
			if (rk[i].score < lowest)
				lowest = rk[i].score;
			continue;
		}
		b = r->incomplete ? a->reach_max * r->ss * to_score + a->c->w_referred_customer * (double)r->referred_customers
				  : rk[i].score;
		if (b + links > bound)
			bound = b + links;
	}
	if (nshown && !(lowest > bound)) {
		snprintf(a->held_why, sizeof(a->held_why),
			 "the last listed score %.4f is not above %.4f, the most an unlisted person can have "
			 "(raise --capacity)", lowest, bound);
		a->held = 0;
	}
}

static const char *const rank_cols[] = {
	"rank", "user_id", "score", "shares", "mentions", "tags", "reviews", "referrals", "detractor_acts",
	"referred_people", "referred_customers", "referred_revenue", "followers", "tier", "platforms", "last_ts",
	"customer"
};
static const enum col_kind rank_kinds[] = {
	COL_COUNT, COL_TEXT, COL_NUMBER, COL_COUNT, COL_COUNT, COL_COUNT, COL_COUNT, COL_COUNT, COL_COUNT,
	COL_COUNT, COL_COUNT, COL_MONEY, COL_COUNT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT
};
#define RANK_COLS (sizeof(rank_cols) / sizeof(rank_cols[0]))

int adv_write_ranking(struct adv *a, struct out *out)
{
	const struct adv_cfg *c = a->c;
	struct ranked *rk = NULL;
	size_t *shown = NULL, n = 0, nshown = 0, i, inrank = 0, rows = 0, gn = 0, prev_gn = 0;
	const char *names[RANK_COLS + 1], *gname, *prev_g = NULL;
	enum col_kind kinds[RANK_COLS + 1];
	struct buf vals[RANK_COLS + 1];
	struct writer w;
	int ncol = 0, k, rc = -1, opened = 0, g = c->group != NULL, bad;
	unsigned q;

	memset(vals, 0, sizeof(vals));
	if (adv_finish(a, NULL) < 0)
		return -1;
	for (q = 0; q < engines(a); q++)
		rows += engine(a, q)->recs.n;
	if (!(rk = malloc((rows ? rows : 1) * sizeof(*rk))) || !(shown = malloc((rows ? rows : 1) * sizeof(*shown)))) {
		oom(a, "the ranking");
		goto done;
	}
	for (q = 0; q < engines(a); q++) {
		const struct adv *e = engine(a, q);

		for (i = 0; i < e->recs.n; i++)
			if (owns(a, q, row_at(e, i)) && rankable(e, row_at(e, i))) {
				rk[n].part = q;
				rk[n].row = (uint32_t)i;
				rk[n++].score = score_of(a, row_at(e, i));
			}
	}
	if (sort_stable(rk, n, sizeof(*rk), by_rank, a) < 0) {
		oom(a, "the ranking");
		goto done;
	}
	for (i = 0; i < RANK_COLS; i++) {
		if (i == 1 && g) {	/* the group's column after rank */
			names[ncol] = c->group;
			kinds[ncol++] = COL_TEXT;
		}
		if (i == RANK_COLS - 1 && !c->include_fans)
			break;
		names[ncol] = rank_cols[i];
		kinds[ncol++] = rank_kinds[i];
	}
	if (writer_open(&w, out, c->format, ncol, names, kinds) < 0)
		goto done;
	opened = 1;
	for (i = 0; i < n; i++) {
		const struct adv *e = engine(a, rk[i].part);
		const struct adv_rec *r = row_at(e, rk[i].row);

		gname = group_of(e, r, &gn);
		if (i == 0 || cmp_group(gname, gn, prev_g, prev_gn)) {
			prev_g = gname;
			prev_gn = gn;
			inrank = 0;
		}
		if (inrank >= c->top)
			continue;
		shown[nshown++] = i;
		inrank++;
		for (k = 0; k < ncol; k++)
			vals[k].len = 0;
		k = 0;
		bad = 0;
		bad |= json_put_uint(&vals[k++], inrank) < 0;
		if (g) {
			if (!gname)
				bad |= buf_adds(&vals[k++], "null") < 0;
			else
				bad |= put_str(&vals[k++], gname, gn) < 0;
		}
		bad |= put_str(&vals[k++], r->id, r->id_len) < 0;
		bad |= put_score(&vals[k++], rk[i].score) < 0;
		bad |= json_put_uint(&vals[k++], r->n[ADV_SHARE]) < 0;
		bad |= json_put_uint(&vals[k++], r->n[ADV_MENTION]) < 0;
		bad |= json_put_uint(&vals[k++], r->n[ADV_TAG]) < 0;
		bad |= json_put_uint(&vals[k++], r->n[ADV_REVIEW]) < 0;
		bad |= json_put_uint(&vals[k++], r->n[ADV_REFERRAL]) < 0;
		bad |= json_put_uint(&vals[k++], r->detract) < 0;
		bad |= json_put_uint(&vals[k++], r->referred_people) < 0;
		bad |= json_put_uint(&vals[k++], r->referred_customers) < 0;
		bad |= put_dec(&vals[k++], r->referred_revenue) < 0;
		if (r->followers < 0)
			bad |= buf_adds(&vals[k++], "null") < 0;
		else
			bad |= json_put_int(&vals[k++], r->followers) < 0;
		if (adv_tier(r->followers))
			bad |= put_str(&vals[k++], adv_tier(r->followers), strlen(adv_tier(r->followers))) < 0;
		else
			bad |= buf_adds(&vals[k++], "null") < 0;
		bad |= put_platforms(&vals[k++], r->platforms) < 0;
		bad |= put_ms(&vals[k++], r->last) < 0;
		if (c->include_fans)
			bad |= buf_adds(&vals[k++], is_customer(e, r->user) ? "true" : "false") < 0;
		if (bad) {
			oom(a, "the ranking");
			goto done;
		}
		if (writer_row(&w, vals) < 0)
			goto done;
	}
	if (c->approx)
		guarantee(a, rk, n, shown, nshown);
	rc = 0;
done:
	if (opened && writer_close(&w) < 0)
		rc = -1;
	for (k = 0; k < (int)(RANK_COLS + 1); k++)
		buf_free(&vals[k]);
	free(rk);
	free(shown);
	return rc;
}

/* ---- the summary ---- */

static const char *const sum_cols[] = {
	"customers", "advocates", "advocate_share", "referred_people", "referred_customers", "referred_revenue",
	"k_factor", "referred_per_advocate", "referred_conversion"
};
static const enum col_kind sum_kinds[] = {
	COL_COUNT, COL_COUNT, COL_RATIO, COL_COUNT, COL_COUNT, COL_MONEY, COL_FACTOR, COL_FACTOR, COL_RATIO
};
#define SUM_COLS (sizeof(sum_cols) / sizeof(sum_cols[0]))

static int put_ratio(struct buf *b, uint64_t x, uint64_t y)
{
	return y ? json_put_double(b, (double)x / (double)y) : buf_adds(b, "null");
}

int adv_write_summary(struct adv *a, struct out *out)
{
	uint64_t customers = 0, advocates = 0, people = 0, bought = 0;
	struct dec revenue = { 0, 0 };
	struct htab seen;
	struct buf vals[SUM_COLS];
	struct writer w;
	size_t i;
	int k, rc = -1, opened = 0, bad = 0;
	uint32_t j;
	unsigned q;

	memset(&seen, 0, sizeof(seen));
	seen.no_values = 1;
	memset(vals, 0, sizeof(vals));
	if (adv_finish(a, NULL) < 0)
		return -1;
	for (q = 0; q < engines(a); q++) {
		const struct adv *e = engine(a, q);

		for (i = 0; i < e->customers.n; i++)
			customers += ((const struct adv_customer *)htab_rows_at(&e->customers, i))->bought;
		for (i = 0; i < e->recs.n; i++) {	/* without -g a person is one row */
			const struct adv_rec *r = row_at(e, i);
			uint32_t acts = 0;

			for (j = 0; j < ADV_ACTS; j++)
				acts += r->n[j];
			advocates += acts && owns(a, q, r) && is_customer(e, r->user);
		}
		/* the people referred by a customer, each once: a person's links are all in their part */
		for (i = 0; i < e->links.n; i++) {
			const struct adv_link *l = htab_rows_at(&e->links, i);
			const struct adv_customer *cu;
			uint64_t *v;
			int made;

			if (!customer_in_run(a, row_at(e, l->rec)->user))
				continue;
			if ((made = htab_put(&seen, l->person, &v)) < 0) {
				oom(a, "the summary");
				goto done;
			}
			if (!made)
				continue;
			people++;
			if ((cu = customer_of(e, l->person)) && cu->bought) {
				bought++;
				if (money(a, &revenue, cu->revenue, 0) < 0)
					goto done;
			}
		}
	}
	if (writer_open(&w, out, a->c->format, (int)SUM_COLS, sum_cols, sum_kinds) < 0)
		goto done;
	opened = 1;
	k = 0;
	bad |= json_put_uint(&vals[k++], customers) < 0;
	bad |= json_put_uint(&vals[k++], advocates) < 0;
	bad |= put_ratio(&vals[k++], advocates, customers) < 0;
	bad |= json_put_uint(&vals[k++], people) < 0;
	bad |= json_put_uint(&vals[k++], bought) < 0;
	bad |= put_dec(&vals[k++], revenue) < 0;
	bad |= put_ratio(&vals[k++], people, customers) < 0;
	bad |= put_ratio(&vals[k++], people, advocates) < 0;
	bad |= put_ratio(&vals[k++], bought, people) < 0;
	if (bad) {
		oom(a, "the summary");
		goto done;
	}
	rc = writer_row(&w, vals);
done:
	if (opened && writer_close(&w) < 0)
		rc = -1;
	for (k = 0; k < (int)SUM_COLS; k++)
		buf_free(&vals[k]);
	htab_free(&seen);
	return rc;
}

/* ---- partial results ---- */

static int put_opt_str(struct buf *b, const char *s)
{
	return s ? json_escape(b, s, strlen(s)) : buf_adds(b, "null");
}

static int header(const struct adv_cfg *c, struct buf *b)
{
	int k;

	if (partial_header_begin(b) < 0 || buf_adds(b, ",\"tool\":\"vchain-rank-advocates\",\"weights\":[") < 0)
		return -1;
	for (k = 0; k < ADV_ACTS; k++)
		if (json_put_double(b, c->w[k]) < 0 || buf_addc(b, ',') < 0)
			return -1;
	if (json_put_double(b, c->w_referred_customer) < 0 || buf_addc(b, ',') < 0 ||
	    json_put_double(b, c->w_detractor) < 0 || buf_adds(b, "],\"half_life_ms\":") < 0 ||
	    json_put_int(b, c->half_life_ms) < 0 || buf_adds(b, ",\"as_of_ms\":") < 0 ||
	    partial_put_ms(b, c->as_of_given ? c->as_of_ms : LLONG_MIN, LLONG_MIN) < 0 ||
	    buf_adds(b, c->include_fans ? ",\"fans\":true,\"group\":" : ",\"fans\":false,\"group\":") < 0 ||
	    put_opt_str(b, c->group) < 0 || buf_adds(b, ",\"ref_field\":") < 0 || put_opt_str(b, c->ref_field) < 0 ||
	    buf_adds(b, ",\"positive\":") < 0 || json_put_double(b, c->positive) < 0 || buf_adds(b, "}\n") < 0)
		return -1;
	return 0;
}

/*
 * The partial results' order: customers by user, rows by user and key,
 * links by person and row key. The two hashes are copied beside each
 * index, so that the sort compares what it holds and does not load a row
 * from the table at random for every comparison.
 */
struct ord {
	struct h128 x, y;
	uint32_t i;
};

static int by_ord(const void *p, const void *q, void *ctx)
{
	const struct ord *a = p, *b = q;
	int c = h128_cmp(&a->x, &b->x);

	(void)ctx;
	return c ? c : h128_cmp(&a->y, &b->y);
}

/* Room for n in *v. 0, or -1. */
static int ord_room(struct ord **v, size_t *cap, size_t n)
{
	struct ord *t;

	if (n <= *cap)
		return 0;
	if (!(t = realloc(*v, n * sizeof(**v))))
		return -1;
	*v = t;
	*cap = n;
	return 0;
}

enum ord_what { ORD_CUSTOMERS, ORD_ROWS, ORD_LINKS };

/* Engine q's customers, own rows or links in the partial results' order, in *v; *n of them. 0, or -1. */
static int order_of(const struct adv *a, unsigned q, enum ord_what what, struct ord **v, size_t *cap, size_t *n)
{
	const struct adv *e = engine(a, q);
	size_t i, m = what == ORD_CUSTOMERS ? e->customers.n : what == ORD_ROWS ? e->recs.n : e->links.n;
	struct ord *o;

	if (ord_room(v, cap, m) < 0)
		return -1;
	for (i = 0, o = *v; i < m; i++) {
		if (what == ORD_CUSTOMERS) {
			o->x = ((const struct adv_customer *)htab_rows_at(&e->customers, i))->user;
			o->y.lo = o->y.hi = 0;
		} else if (what == ORD_ROWS) {
			const struct adv_rec *r = row_at(e, i);

			if (!owns(a, q, r))
				continue;	/* its owner has it, made at adv_finish if not before */
			o->x = r->user;
			o->y = r->key;
		} else {
			const struct adv_link *l = htab_rows_at(&e->links, i);

			o->x = l->person;
			o->y = row_at(e, l->rec)->key;
		}
		o++->i = (uint32_t)i;
	}
	*n = (size_t)(o - *v);
	return sort_stable(*v, *n, sizeof(**v), by_ord, NULL);
}

/*
 * Everything, in the order of the keys' hashes: customers, rows, links.
 * A part's people are a range of the users' hashes (par_part_of takes the
 * high bits), so each part sorted alone, the parts in turn, is one order
 * whatever the parts: the same bytes at every -j, and from --merge.
 */
/* Engine e's entry i of what (its customer, row or link) as a line of partial results into b. 0, or -1. */
static int put_entry(struct buf *b, const struct adv *e, enum ord_what what, uint32_t i)
{
	const struct adv_customer *cu;
	const struct adv_link *l;
	const struct adv_rec *r;
	const char *g;
	size_t gn;
	int k, rc;

	if (what == ORD_CUSTOMERS) {
		cu = htab_rows_at(&e->customers, i);
		return buf_adds(b, "{\"c\":") < 0 || partial_put_hash(b, cu->user) < 0 || buf_adds(b, ",\"v\":") < 0 ||
		       partial_put_dec(b, cu->revenue) < 0 ||
		       buf_adds(b, cu->bought ? ",\"b\":true}\n" : ",\"b\":false}\n") < 0 ? -1 : 0;
	}
	if (what == ORD_LINKS) {
		l = htab_rows_at(&e->links, i);
		return buf_adds(b, "{\"l\":") < 0 || partial_put_hash(b, l->person) < 0 || buf_adds(b, ",\"a\":") < 0 ||
		       partial_put_hash(b, row_at(e, l->rec)->key) < 0 || buf_adds(b, "}\n") < 0 ? -1 : 0;
	}
	r = row_at(e, i);
	g = group_of(e, r, &gn);
	rc = buf_adds(b, "{\"r\":") < 0 || partial_put_hash(b, r->key) < 0 || buf_adds(b, ",\"u\":") < 0 ||
	     partial_put_hash(b, r->user) < 0 || buf_adds(b, ",\"id\":") < 0 || put_str(b, r->id, r->id_len) < 0 ||
	     buf_adds(b, ",\"g\":") < 0 || (g ? put_str(b, g, gn) : buf_adds(b, "null")) < 0 ||
	     buf_adds(b, ",\"n\":[") < 0;
	for (k = 0; k < ADV_ACTS && !rc; k++)
		rc = (k && buf_addc(b, ',') < 0) || json_put_uint(b, r->n[k]) < 0;
	return rc || buf_adds(b, "],\"d\":") < 0 || json_put_uint(b, r->detract) < 0 || buf_adds(b, ",\"s\":") < 0 ||
	       json_put_double(b, r->s) < 0 ||
	       buf_adds(b, ",\"at\":") < 0 || partial_put_ms(b, r->at, NO_TS) < 0 || buf_adds(b, ",\"last\":") < 0 ||
	       partial_put_ms(b, r->last, LLONG_MIN) < 0 || buf_adds(b, ",\"f\":") < 0 ||
	       (r->followers < 0 ? buf_adds(b, "null") : json_put_int(b, r->followers)) < 0 ||
	       buf_adds(b, ",\"ft\":") < 0 || partial_put_ms(b, r->followers_ts, LLONG_MIN) < 0 ||
	       buf_adds(b, ",\"pl\":") < 0 || json_put_uint(b, r->platforms) < 0 || buf_adds(b, "}\n") < 0 ? -1 : 0;
}

int adv_write_partial(struct adv *a, struct out *out)
{
	struct partial_out po = { NULL, 0 };
	struct buf b = BUF_INIT;
	struct ord *ord = NULL;
	size_t i, n, cap = 0;
	int what, rc = -1;
	unsigned q;

	if (adv_finish(a, NULL) < 0)
		return -1;
	if (header(a->c, &b) < 0 || partial_out_begin(&po, out, b.p, b.len) < 0)
		goto done;
	b.len = 0;
	if (buf_adds(&b, "{\"latest\":") < 0 || partial_put_ms(&b, a->latest, LLONG_MIN) < 0 ||
	    buf_adds(&b, "}\n") < 0 || partial_out_line(&po, out, b.p, b.len) < 0)
		goto done;
	rc = 0;
	/* the links after the rows they point to */
	for (what = ORD_CUSTOMERS; what <= ORD_LINKS && !rc; what++)
		for (q = 0; q < engines(a) && !rc; q++) {
			if (order_of(a, q, (enum ord_what)what, &ord, &cap, &n) < 0) {
				rc = oom(a, "the partial results' order");
				break;
			}
			for (i = 0; i < n && !rc; i++) {
				b.len = 0;
				rc = put_entry(&b, engine(a, q), (enum ord_what)what, ord[i].i) < 0 ||
				     partial_out_line(&po, out, b.p, b.len) < 0;
			}
		}
	rc = rc || partial_out_end(&po, out) < 0 ? -1 : 0;
done:
	free(ord);
	buf_free(&b);
	return rc;
}

/* ---- --merge ---- */

static int get_double(const struct jfield *f, double *x)
{
	char t[64], *end;

	if (!f || f->type != J_NUM || f->vlen >= sizeof(t))
		return -1;
	memcpy(t, f->val, f->vlen);
	t[f->vlen] = '\0';
	*x = strtod(t, &end);
	return *end ? -1 : 0;
}

static int get_opt_str(struct adv *a, const struct jfield *f, const char **s, int slot)
{
	struct buf b = BUF_INIT;

	if (f && f->type == J_NULL)
		return *s = NULL, 0;
	if (!f || f->type != J_STR || json_unescape(f->val, f->vlen, &b) < 0 || buf_addc(&b, '\0') < 0) {
		buf_free(&b);
		return -1;
	}
	*s = a->owned[slot] = b.p;
	return 0;
}

/* The options of the first header: what every shard computed with. */
static int configure(struct adv *a, const struct jobj *o)
{
	struct adv_cfg *c = &a->cfg;
	const struct jfield *f = jobj_get(o, "weights", 7), *fans = jobj_get(o, "fans", 4);
	struct jobj *arr = &a->jo[1];
	uint64_t hl;
	int k;

	if (!f || f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0 || arr->n != ADV_ACTS + 2)
		return -1;
	for (k = 0; k < ADV_ACTS; k++)
		if (get_double(&arr->f[k], &c->w[k]) < 0)
			return -1;
	if (get_double(&arr->f[ADV_ACTS], &c->w_referred_customer) < 0 ||
	    get_double(&arr->f[ADV_ACTS + 1], &c->w_detractor) < 0 ||
	    partial_get_u64(jobj_get(o, "half_life_ms", 12), &hl) < 0 || hl == 0 || hl > LLONG_MAX ||
	    partial_get_ms(jobj_get(o, "as_of_ms", 8), &c->as_of_ms, LLONG_MIN) < 0 || !fans ||
	    (fans->type != J_TRUE && fans->type != J_FALSE) ||
	    get_opt_str(a, jobj_get(o, "group", 5), &c->group, 0) < 0 ||
	    get_opt_str(a, jobj_get(o, "ref_field", 9), &c->ref_field, 1) < 0 ||
	    get_double(jobj_get(o, "positive", 8), &c->positive) < 0)
		return -1;
	c->half_life_ms = (long long)hl;
	c->as_of_given = c->as_of_ms != LLONG_MIN;
	c->include_fans = fans->type == J_TRUE;
	a->configured = 1;
	return 0;
}

static int get_count32(const struct jfield *f, uint32_t *v)
{
	uint64_t x;

	if (partial_get_u64(f, &x) < 0 || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int merge_row(struct adv *a, const struct jobj *o)
{
	struct jobj *arr = &a->jo[1];
	const struct jfield *id = jobj_get(o, "id", 2), *g = jobj_get(o, "g", 1), *f = jobj_get(o, "f", 1);
	struct adv_rec x, *r;
	uint64_t pl;
	int k, made;

	memset(&x, 0, sizeof(x));
	x.followers = -1;
	if (partial_get_hash(jobj_get(o, "r", 1), &x.key) < 0 || partial_get_hash(jobj_get(o, "u", 1), &x.user) < 0 ||
	    !id || id->type != J_STR || !g || (g->type != J_STR && g->type != J_NULL) ||
	    !(f = jobj_get(o, "n", 1)) || f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0 ||
	    arr->n != ADV_ACTS)
		return -1;
	for (k = 0; k < ADV_ACTS; k++)
		if (get_count32(&arr->f[k], &x.n[k]) < 0)
			return -1;
	f = jobj_get(o, "f", 1);
	if (get_count32(jobj_get(o, "d", 1), &x.detract) < 0 || get_double(jobj_get(o, "s", 1), &x.s) < 0 ||
	    partial_get_ms(jobj_get(o, "at", 2), &x.at, NO_TS) < 0 ||
	    partial_get_ms(jobj_get(o, "last", 4), &x.last, LLONG_MIN) < 0 ||
	    partial_get_ms(jobj_get(o, "ft", 2), &x.followers_ts, LLONG_MIN) < 0 ||
	    partial_get_u64(jobj_get(o, "pl", 2), &pl) < 0 || pl > UINT16_MAX || !f ||
	    (f->type != J_NULL && partial_get_ms(f, &x.followers, -1) < 0))
		return -1;
	if (!(r = htab_rows_get(&a->recs, x.key, &made)))
		return -2;
	if (made) {
		if (row_fill(a, r, x.key, x.user, id->val, id->vlen, g->val, g->vlen, g->type == J_STR) < 0)
			return -2;
		r->s = x.s;
		r->at = x.at;
	} else if (x.at != NO_TS) {	/* the same row from two shards: not split by user_id */
		if (r->at == NO_TS) {
			r->s = x.s;
			r->at = x.at;
		} else if (x.at > r->at) {
			r->s = r->s * exp2((double)(r->at - x.at) / (double)a->c->half_life_ms) + x.s;
			r->at = x.at;
		} else
			r->s += x.s * exp2((double)(x.at - r->at) / (double)a->c->half_life_ms);
	}
	for (k = 0; k < ADV_ACTS; k++)
		r->n[k] += x.n[k];
	r->detract += x.detract;
	if (x.last > r->last)
		r->last = x.last;
	if (x.followers >= 0 && (r->followers < 0 || x.followers_ts > r->followers_ts)) {
		r->followers = x.followers;
		r->followers_ts = x.followers_ts;
	}
	r->platforms |= (uint16_t)pl;
	return 0;
}

int adv_merge_line(struct adv *a, const char *line, size_t len)
{
	struct jobj *obj = &a->jo[0];
	const struct jfield *f;
	int r = 0;

	if (json_scan_object(line, len, obj) != 0) {
		snprintf(a->why, sizeof(a->why), "not a JSON object");
		return -1;
	}
	switch (partial_line(&a->pin, obj, line, len, "vchain-rank-advocates",
			     "advocacy (the weights or options differ from the first input's)", a->why)) {
	case PARTIAL_FIRST:
		if (configure(a, obj) < 0) {
			snprintf(a->why, sizeof(a->why), "a partial header this version cannot read");
			return -1;
		}
		return 0;
	case PARTIAL_AGAIN:
	case PARTIAL_END:
		return 0;
	case PARTIAL_BAD:
		return -1;
	default:
		break;
	}
	if ((f = jobj_get(obj, "r", 1)))
		r = merge_row(a, obj);
	else if ((f = jobj_get(obj, "c", 1))) {
		struct adv_customer *cu;
		struct h128 u;
		struct dec v;
		const struct jfield *b = jobj_get(obj, "b", 1);

		if (partial_get_hash(f, &u) < 0 || partial_get_dec(jobj_get(obj, "v", 1), &v) < 0 || !b ||
		    (b->type != J_TRUE && b->type != J_FALSE))
			r = -1;
		else if (!(cu = htab_rows_get(&a->customers, u, NULL)))
			r = -2;
		else {
			cu->user = u;
			cu->bought |= b->type == J_TRUE;
			r = money(a, &cu->revenue, v, 0) < 0 ? -3 : 0;
		}
	} else if ((f = jobj_get(obj, "l", 1))) {
		struct h128 p, k;
		const uint64_t *i;
		struct adv_link *l;
		int made;

		if (partial_get_hash(f, &p) < 0 || partial_get_hash(jobj_get(obj, "a", 1), &k) < 0)
			r = -1;
		else if (!(i = htab_get(&a->recs.idx, k))) {
			snprintf(a->why, sizeof(a->why), "a referral whose referrer's row did not come before it");
			return -1;
		} else if (!(l = htab_rows_get(&a->links, link_key(p, k), &made)))
			r = -2;
		else if (made) {
			l->person = p;
			l->rec = (uint32_t)*i;
			row_at(a, *i)->nlinks++;
		}
	} else if ((f = jobj_get(obj, "latest", 6))) {
		long long ms;

		if (partial_get_ms(f, &ms, LLONG_MIN) < 0)
			r = -1;
		else if (ms > a->latest)
			a->latest = ms;
	} else
		r = -1;
	if (r == -1)
		snprintf(a->why, sizeof(a->why), "not a line of vchain-rank-advocates partial results");
	else if (r == -2)
		oom(a, "the merge");
	return r < 0 ? -1 : 0;
}

void adv_merge_input(struct adv *a)
{
	partial_next_input(&a->pin);
}

int adv_merge_input_done(struct adv *a)
{
	return partial_input_done(&a->pin, a->why);
}

/* ---- the rest ---- */

void adv_stats(const struct adv *a)
{
	diag("read %llu events: %llu advocacy acts and %llu detractor acts counted, %llu by people who had not "
	     "bought left out%s; %llu purchases; %llu after --as-of left out; %llu self-referrals left out",
	     (unsigned long long)a->events, (unsigned long long)a->acts, (unsigned long long)a->detractions,
	     (unsigned long long)a->fans_acts, a->c->include_fans ? " (none: --include-fans)" : "",
	     (unsigned long long)a->purchases, (unsigned long long)a->after_as_of,
	     (unsigned long long)a->self_referrals);
	size_t rows = 0, stubs = 0, row_bytes = 0, customers = 0, customer_bytes = 0, links = 0, link_bytes = 0, i;
	unsigned q;

	for (q = 0; q < engines(a); q++) {
		const struct adv *e = engine(a, q);

		for (i = 0; i < e->recs.n; i++)
			stubs += !owns(a, q, row_at(e, i));
		rows += e->recs.n;
		row_bytes += htab_rows_bytes(&e->recs) + e->ids.used;
		customers += e->customers.n;
		customer_bytes += htab_rows_bytes(&e->customers);
		links += e->links.n;
		link_bytes += htab_rows_bytes(&e->links);
	}
	diag("%zu rows (%zu bytes a row, %zu bytes in all with ids), %zu customers (%zu bytes), %zu referral links "
	     "(%zu bytes)", rows - stubs, sizeof(struct adv_rec), row_bytes, customers, customer_bytes, links,
	     link_bytes);
	if (a->nparts)
		diag("%u parts of the people; %zu rows kept as referrers' stubs where the referred are", a->nparts, stubs);
	if (a->c->approx) {
		double fill = 0;

		for (i = 0; i < a->bloom_bits / 64; i++)
			fill += __builtin_popcountll(a->bloom[i]);
		fill /= (double)a->bloom_bits;
		diag("--approx: capacity %zu, %llu evictions, %llu referral links lost, %llu orphaned by evictions; "
		     "customer filter %zu MiB, false-positive rate about %.2g",
		     a->c->capacity, (unsigned long long)a->evicted, (unsigned long long)a->links_lost,
		     (unsigned long long)a->links_orphaned, a->bloom_bits / 8 / 1048576, pow(fill, BLOOM_K));
		if (a->finished)
			diag("--approx: guarantee %s%s%s", a->held ? "held: the ranking is the exact one" : "did not hold: ",
			     a->held ? " (but for customer-filter false positives)" : "", a->held ? "" : a->held_why);
	}
}

void adv_free(struct adv *a)
{
	size_t i;
	unsigned q;

	for (q = 0; a->pctx && q < a->nparts; q++) {
		struct adv *s = part(a, q);

		adv_free(s);
		free(s->fwd);
		free(s->fwd_at);
	}
	free(a->part_mem);
	free(a->pctx);

	if (a->c && a->c->approx)
		for (i = 0; i < a->recs.n; i++)
			free((void *)row_at(a, i)->id);
	htab_rows_free(&a->recs);
	htab_rows_free(&a->customers);
	htab_rows_free(&a->links);
	chans_free(&a->groups);
	arena_free(&a->ids);
	free(a->heap);
	free(a->bloom);
	free(a->gone);
	partial_in_free(&a->pin);
	jobj_free(&a->jo[0]);
	jobj_free(&a->jo[1]);
	free(a->owned[0]);
	free(a->owned[1]);
}
