/*
 * report_rfm.c - buyer recency, frequency and monetary value: per customer
 * (a group of -g user_id, the default) the date of their last purchase and
 * the days from it to the as-of date, their orders (orders.h: each counted
 * once), and their money (purchases less refunds, exact); each scored 1-5
 * by quintile among the customers of the same other group fields (all of
 * them with -g user_id alone), and named by the segment grid of
 * schemas/rfm-segments.tsv.
 *
 * Scores: a customer's score is 1 + floor(5 * w / n), w being the number
 * of customers (of n) with a strictly worse value: older, fewer orders,
 * less money. Ties are never split: equal values get the score of the
 * tie's lowest place (SQL's 1 + floor(5 * (rank() - 1) / count)).
 *
 * Days are calendar days of --tz's zone (UTC by default). The as-of date
 * is --as-of, else the date of the latest ts of any record.
 *
 * Memory: about 430 bytes a customer (a group: 368 of state, its key and
 * table; people who never bought or refunded have none) and their orders
 * (orders.h); at the end 48 bytes a customer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partial.h"
#include "report.h"
#include "report_tables.h"

struct rfm {
	A_SPAN_t bought;
	A_ORDERS_t orders;
	A_SUM_t purchases, refunds;
	A_MIN_t cur_lo;
	A_MAX_t cur_hi;
};

static const struct report_member members[] = {
	REPORT_MEMBER(struct rfm, bought, A_SPAN, "span?type=purchase"),
	REPORT_MEMBER(struct rfm, orders, A_ORDERS, "orders?type=purchase"),
	REPORT_MEMBER(struct rfm, purchases, A_SUM, "sum:revenue?type=purchase"),
	REPORT_MEMBER(struct rfm, refunds, A_SUM, "sum:revenue?type=refund"),
	REPORT_MEMBER(struct rfm, cur_lo, A_MIN, "min:currency?type=purchase|refund"),
	REPORT_MEMBER(struct rfm, cur_hi, A_MAX, "max:currency?type=purchase|refund"),
};

static const char *const cols[] = { "last_purchase", "recency_days", "frequency", "monetary", "r", "f", "m",
				    "rfm", "segment", "as_of", "currency" };
static const enum col_kind kinds[] = { COL_TEXT, COL_COUNT, COL_COUNT, COL_MONEY, COL_COUNT, COL_COUNT, COL_COUNT,
				       COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT };

/* The currency is a column of its own unless it is a group field. */
static int columns(const struct report_run *rr)
{
	int i;

	for (i = 0; i < rr->groups->nkeys; i++)
		if (!strcmp(rr->keys[i], "currency"))
			return 10;
	return 11;
}

/* In a worker: a purchase needs its time. */
static int check(const struct acc *acc, const struct slot *s, char *why)
{
	if (s[acc[0].xs[0]].type == REC_ABSENT && cond_holds(&acc[0].cond, s))
		return snprintf(why, 200, "ts missing: rfm needs the time of each purchase"), -1;
	return 0;
}

/*
 * Every record's ts, for the as-of date: noted here, so that people who
 * never bought make no group (about nine in ten of them).
 */
static int intercept(struct report_run *rr, const struct slot *s)
{
	long long ts = slot_ms(&s[rr->acc[0].xs[0]]);

	if (ts == REC_NO_TS)
		return 0;
	if (!rr->has_latest || ts > rr->latest)
		rr->latest = ts, rr->has_latest = 1;
	return 2;
}

/* --partial: the latest ts, a line of its own after the groups; and its merge */
static int partial_tail(const struct report_run *rr, struct buf *b)
{
	if (!rr->has_latest)
		return 0;
	return buf_adds(b, "{\"latest\":") < 0 || partial_put_ms(b, rr->latest, REC_NO_TS) < 0 || buf_add(b, "}\n", 2) < 0
	       ? -1 : 0;
}

static int merge_tail(struct report_run *rr, const struct jfield *f)
{
	long long ts;

	if (partial_get_ms(f, &ts, REC_NO_TS) < 0 || ts == REC_NO_TS)
		return -1;
	if (!rr->has_latest || ts > rr->latest)
		rr->latest = ts, rr->has_latest = 1;
	return 0;
}

/* Group g's user_id slot (absent: the records without one). */
static struct slot user_of(const struct report_run *rr, const struct group *g, struct slot *ks)
{
	group_key_slots(rr->groups, g, ks);
	return ks[rr->user_key];
}

static int is_customer(const struct report_run *rr, const struct group *g)
{
	struct slot ks[REC_MAX_SLOTS + 1];

	return user_of(rr, g, ks).type != REC_ABSENT && orders_customers(&((const struct rfm *)(const void *)g->st)->orders);
}

static uint64_t frequency(const struct rfm *st)
{
	uint64_t repeat;

	return orders_count(&st->orders, &repeat);
}

/* Purchases less refunds into *m. 0, or -1 beyond 38 digits (sorted says so before any row). */
static int monetary(const struct rfm *st, struct dec *m)
{
	struct dec neg = st->refunds.sum;

	*m = st->purchases.sum;
	neg.m = -neg.m;
	return dec_add(m, neg) < 0 ? -1 : 0;
}

struct cust_score {
	uint32_t cohort, gid;
	long long days;		/* recency */
	uint64_t freq;
	struct dec money;
};

static int by_days(const void *a, const void *b)	/* the oldest (worst) first */
{
	const struct cust_score *x = a, *y = b;

	if (x->cohort != y->cohort)
		return x->cohort < y->cohort ? -1 : 1;
	return x->days > y->days ? -1 : x->days < y->days;
}

static int by_freq(const void *a, const void *b)
{
	const struct cust_score *x = a, *y = b;

	if (x->cohort != y->cohort)
		return x->cohort < y->cohort ? -1 : 1;
	return x->freq < y->freq ? -1 : x->freq > y->freq;
}

static int by_money(const void *a, const void *b)
{
	const struct cust_score *x = a, *y = b;

	if (x->cohort != y->cohort)
		return x->cohort < y->cohort ? -1 : 1;
	return dec_cmp(x->money, y->money);
}

/* Score k (0 r, 1 f, 2 m) of c[0..n), sorted worst first within each cohort, into rr->scores. */
static void score(struct report_run *rr, const struct cust_score *c, size_t n, int k,
		  int (*cmp)(const void *, const void *))
{
	size_t i = 0, start, end, tie = 0;

	while (i < n) {
		for (start = i, end = i; end < n && c[end].cohort == c[start].cohort; end++)
			;
		for (; i < end; i++) {
			if (i == start || cmp(&c[i], &c[i - 1]))
				tie = i;
			rr->scores[3 * (size_t)c[i].gid + (size_t)k] = (uint8_t)(1 + 5 * (tie - start) / (end - start));
		}
	}
}

static int say_user(struct report_run *rr, const struct group *g, const char *what)
{
	struct slot ks[REC_MAX_SLOTS + 1];
	struct slot u = user_of(rr, g, ks);

	snprintf(rr->why, sizeof(rr->why), "rfm: customer %.*s %s", (int)(u.n > 60 ? 60 : u.n), u.v, what);
	return -1;
}

static int sorted(struct report_run *rr)
{
	struct htab cohorts = HTAB_INIT;
	struct cust_score *c = NULL;
	struct buf key = BUF_INIT;
	size_t n = 0, gi, ng = groups_count(rr->groups);
	uint64_t ncoh = 0;
	int rc = -1;

	if (report_use_zone(rr) < 0)
		return -1;
	if (rr->as_of_given)
		rr->as_of_day = rr->as_of_day_given;
	else if (rr->has_latest && ts_local_day(rr->latest, &rr->as_of_day) < 0)
		return snprintf(rr->why, sizeof(rr->why), "rfm: the latest ts is beyond the zone's dates"), -1;
	if (!(rr->scores = calloc(3 * ng + 1, 1)) || !(c = malloc((ng + 1) * sizeof(*c))))
		return snprintf(rr->why, sizeof(rr->why), "out of memory"), -1;
	for (gi = 0; gi < ng; gi++) {
		const struct group *g = groups_at(rr->groups, gi);
		const struct rfm *st = (const void *)g->st;
		struct slot ks[REC_MAX_SLOTS + 1];
		long long day;
		uint64_t *v;
		int r;

		if (!is_customer(rr, g))
			continue;
		if (st->cur_lo.set && (st->cur_lo.len != st->cur_hi.len || memcmp(st->cur_lo.p, st->cur_hi.p, st->cur_lo.len))) {
			char what[120];

			snprintf(what, sizeof(what), "paid in %.*s and %.*s: give -g user_id,currency to score each "
				 "currency apart", (int)(st->cur_lo.len > 8 ? 8 : st->cur_lo.len), st->cur_lo.p,
				 (int)(st->cur_hi.len > 8 ? 8 : st->cur_hi.len), st->cur_hi.p);
			say_user(rr, g, what);
			goto done;
		}
		if (ts_local_day(st->bought.hi, &day) < 0) {
			say_user(rr, g, "has a purchase beyond the zone's dates");
			goto done;
		}
		if (day > rr->as_of_day) {
			say_user(rr, g, "bought after the --as-of date (leave later records out, or a later --as-of)");
			goto done;
		}
		/* the cohort: the other group fields' values */
		group_key_slots(rr->groups, g, ks);
		if (report_key_bytes(rr, ks, rr->user_key, &key) < 0)
			goto oom;
		if ((r = htab_put(&cohorts, hash128(key.p, key.len), &v)) < 0)
			goto oom;
		if (r)
			*v = ncoh++;
		c[n].cohort = (uint32_t)*v;
		c[n].gid = g->id;
		c[n].days = rr->as_of_day - day;
		c[n].freq = frequency(st);
		if (monetary(st, &c[n].money) < 0) {
			say_user(rr, g, "has purchases less refunds beyond 38 digits");
			goto done;
		}
		n++;
	}
	qsort(c, n, sizeof(*c), by_days);
	score(rr, c, n, 0, by_days);
	qsort(c, n, sizeof(*c), by_freq);
	score(rr, c, n, 1, by_freq);
	qsort(c, n, sizeof(*c), by_money);
	score(rr, c, n, 2, by_money);
	rc = 0;
	goto done;
oom:
	snprintf(rr->why, sizeof(rr->why), "out of memory");
done:
	htab_free(&cohorts);
	buf_free(&key);
	free(c);
	return rc;
}

/* A row per customer: not the records without user_id, nor people who bought nothing. */
static int keep(const struct report_run *rr, const struct group *g)
{
	return is_customer(rr, g);
}

static int row(struct report_run *rr, const struct group *g, int r, struct buf *v)
{
	const struct rfm *st = (const void *)g->st;
	const uint8_t *sc = &rr->scores[3 * (size_t)g->id];
	const char *seg = rfm_segments[sc[0] - 1][sc[1] - 1];
	char t[DEC_MAX_LEN + TS_MAX_LEN];
	struct dec money;
	long long day;
	size_t k;

	(void)r;
	if (monetary(st, &money) < 0)	/* (sorted said so first) */
		return snprintf(rr->why, sizeof(rr->why), "rfm: money beyond 38 digits"), -1;
	if (ts_local_day(st->bought.hi, &day) < 0)
		return snprintf(rr->why, sizeof(rr->why), "rfm: a purchase beyond the zone's dates"), -1;
	k = ts_format_ms(st->bought.hi, t);
	if (json_escape(&v[0], t, k) < 0 || json_put_uint(&v[1], (uint64_t)(rr->as_of_day - day)) < 0 ||
	    json_put_uint(&v[2], frequency(st)) < 0 || buf_add(&v[3], t, dec_format(money, t)) < 0 ||
	    json_put_uint(&v[4], sc[0]) < 0 || json_put_uint(&v[5], sc[1]) < 0 || json_put_uint(&v[6], sc[2]) < 0 ||
	    json_escape(&v[7], t, (size_t)snprintf(t, sizeof(t), "%d%d%d", sc[0], sc[1], sc[2])) < 0 ||
	    json_escape(&v[8], seg, strlen(seg)) < 0 || report_put_date(&v[9], rr->as_of_day) < 0 ||
	    (columns(rr) == 11 &&
	     (st->cur_lo.set ? json_escape(&v[10], st->cur_lo.p, st->cur_lo.len) : buf_add(&v[10], "null", 4)) < 0))
		return -1;
	return 0;
}

const struct report_def report_rfm = {
	.name = "rfm",
	.state_size = sizeof(struct rfm),
	.members = members,
	.nmembers = 6,
	.cols = cols,
	.kinds = kinds,
	.ncols = 11,
	.nrows = 1,
	.default_group = "user_id",
	.needs_key = "user_id",
	.whole_input = 1,
	.check = check,
	.intercept = intercept,
	.sorted = sorted,
	.keep = keep,
	.columns = columns,
	.partial_tail = partial_tail,
	.tail = "latest",
	.merge_tail = merge_tail,
	.row = row,
};
