/*
 * report_roi.c - return on investment: revenue (purchases less refunds,
 * exact), orders, customers, AOV, repeat rate, historical LTV; with a
 * spend table (spend.h) also spend, new customers (whose first purchase
 * falls in the group), CAC and ROAS. A group with spend and no sale still
 * gets its row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "htab.h"
#include "report.h"

struct roi {
	A_SUM_t purchases, refunds;
	A_ORDERS_t orders;
};

static const struct report_member members[] = {
	REPORT_MEMBER(struct roi, purchases, A_SUM, "sum:revenue?type=purchase"),
	REPORT_MEMBER(struct roi, refunds, A_SUM, "sum:revenue?type=refund"),
	REPORT_MEMBER(struct roi, orders, A_ORDERS, "orders?type=purchase"),
};

static const char *const cols[] = { "revenue", "orders", "customers", "aov", "repeat_rate", "ltv",
				    "spend", "new_customers", "cac", "roas" };	/* the last four with --spend */
static const enum col_kind kinds[] = { COL_MONEY, COL_COUNT, COL_COUNT, COL_NUMBER, COL_RATIO, COL_NUMBER,
				       COL_MONEY, COL_COUNT, COL_NUMBER, COL_FACTOR };

static int columns(const struct report_run *rr)
{
	return rr->spend ? 10 : 6;
}

/* Room for spend by group id up to n. 0, or -1. */
static int spend_room(struct report_run *rr, size_t n)
{
	size_t cap = n + 64;
	struct dec *ns;
	uint8_t *nh;

	if (n < rr->nspend)
		return 0;
	if (!(ns = realloc(rr->spend_of, cap * sizeof(*ns))))
		return -1;
	rr->spend_of = ns;
	if (!(nh = realloc(rr->has_spend, cap)))
		return -1;
	rr->has_spend = nh;
	memset(rr->spend_of + rr->nspend, 0, (cap - rr->nspend) * sizeof(*ns));
	memset(rr->has_spend + rr->nspend, 0, cap - rr->nspend);
	rr->nspend = cap;
	return 0;
}

/* The spend table's rows into their groups (made when no event has one). 0, or -1 with rr->why. */
static int prepare(struct report_run *rr)
{
	const struct spend *sp = rr->spend;
	struct buf key = BUF_INIT;
	size_t i;
	int rc = -1;

	if (!sp)
		return 0;
	if (rr->groups->nkeys != 1 || strcmp(rr->keys[0], sp->col)) {
		snprintf(rr->why, sizeof(rr->why), "%s: spend by %s needs the groups to be -g %s", sp->path, sp->col,
			 sp->col);
		return -1;
	}
	for (i = 0; i < sp->n; i++) {
		const struct spend_row *sr = &sp->row[i];
		struct slot bk = { J_STR, NULL, 0 };
		char tb[32];
		uint32_t kn = sr->key ? (uint32_t)strlen(sr->key) : 0;
		struct group *g;

		key.len = 0;
		if (buf_addc(&key, sr->key ? (char)J_STR : (char)REC_ABSENT) < 0 ||
		    (sr->key && (buf_add(&key, &kn, 4) < 0 || buf_adds(&key, sr->key) < 0)))
			goto oom;
		if (rr->every) {
			long long ms;
			struct jfield f;

			memset(&f, 0, sizeof(f));
			f.type = J_STR;
			f.val = sr->date;
			f.vlen = sr->date ? (uint32_t)strlen(sr->date) : 0;
			if (!sr->date || event_ts_ms(&f, &ms) < 0 || !(bk.n = (uint32_t)ts_bucket(ms, rr->every, tb))) {
				snprintf(rr->why, sizeof(rr->why), "date: %s (needed by --every)",
					 sr->date ? "not a date" : "missing");
				rr->why_line = sr->line;
				goto done;
			}
			bk.v = tb;
		}
		if (!(g = groups_find(rr->groups, key.p, key.len, rr->every ? &bk : NULL)) || spend_room(rr, g->id) < 0)
			goto oom;
		if (dec_add(&rr->spend_of[g->id], sr->spend) < 0) {
			snprintf(rr->why, sizeof(rr->why), "spend: the sum is beyond 38 digits");
			rr->why_line = sr->line;
			goto done;
		}
		rr->has_spend[g->id] = 1;
	}
	/* the groups of events only: no spend */
	if (spend_room(rr, groups_count(rr->groups)) < 0)
		goto oom;
	rc = 0;
	goto done;
oom:
	snprintf(rr->why, sizeof(rr->why), "out of memory");
done:
	buf_free(&key);
	return rc;
}

/* Each customer is new in the group of their first purchase (ties: the first group in output order). */
static int sorted(struct report_run *rr)
{
	struct htab first = HTAB_INIT;	/* customer -> index in best */
	struct { long long ts; uint32_t id; } *best = NULL, *nb;
	size_t n = 0, cap = 0, gi, i;
	int rc = -1;

	if (!rr->spend)
		return 0;
	if (!(rr->new_of = calloc(groups_count(rr->groups) + 1, sizeof(uint64_t))))
		return -1;
	for (gi = 0; gi < groups_count(rr->groups); gi++) {
		const struct group *g = groups_at(rr->groups, gi);
		const struct orders *od = &((const struct roi *)(const void *)g->st)->orders;

		for (i = 0; i < orders_customers(od); i++) {
			const struct cust *c = orders_customer(od, i);
			uint64_t *v;
			int ins = htab_put(&first, c->id, &v);

			if (ins < 0)
				goto done;
			if (ins) {
				if (n == cap) {
					cap = cap ? 2 * cap : 1024;
					if (!(nb = realloc(best, cap * sizeof(*best))))
						goto done;
					best = nb;
				}
				*v = n;
				best[n].ts = c->first_ts;
				best[n++].id = g->id;
			} else if (c->first_ts < best[*v].ts) {
				best[*v].ts = c->first_ts;
				best[*v].id = g->id;
			}
		}
	}
	for (i = 0; i < n; i++)
		rr->new_of[best[i].id]++;
	rc = 0;
done:
	htab_free(&first);
	free(best);
	return rc;
}

static int row(struct report_run *rr, const struct group *g, int r, struct buf *v)
{
	const struct roi *st = (const void *)g->st;
	struct dec rev = st->purchases.sum, neg = st->refunds.sum;
	char t[DEC_MAX_LEN];
	uint64_t repeat, orders = orders_count(&st->orders, &repeat), nc;
	long double x, y;
	int rc;

	(void)r;
	neg.m = -neg.m;
	if (dec_add(&rev, neg) < 0)
		return snprintf(rr->why, sizeof(rr->why), "roi: revenue beyond 38 digits"), -1;
	x = dec_to_long_double(rev);
	rc = buf_add(&v[0], t, dec_format(rev, t)) < 0 || json_put_uint(&v[1], orders) < 0 ||
	     json_put_uint(&v[2], orders_customers(&st->orders)) < 0 ||
	     report_put_money_ratio(&v[3], x, (long double)orders) < 0 ||
	     report_put_ratio(&v[4], (double)repeat, (double)orders_customers(&st->orders)) < 0 ||
	     report_put_money_ratio(&v[5], x, (long double)orders_customers(&st->orders)) < 0;
	if (rc || !rr->spend)
		return rc ? -1 : 0;
	nc = rr->new_of[g->id];
	if (!rr->has_spend[g->id])
		return buf_add(&v[6], "null", 4) < 0 || json_put_uint(&v[7], nc) < 0 || buf_add(&v[8], "null", 4) < 0 ||
		       buf_add(&v[9], "null", 4) < 0 ? -1 : 0;
	y = dec_to_long_double(rr->spend_of[g->id]);
	return buf_add(&v[6], t, dec_format(rr->spend_of[g->id], t)) < 0 || json_put_uint(&v[7], nc) < 0 ||
	       report_put_money_ratio(&v[8], y, (long double)nc) < 0 || report_put_money_ratio(&v[9], x, y) < 0
	       ? -1 : 0;
}

const struct report_def report_roi = {
	.name = "roi",
	.state_size = sizeof(struct roi),
	.members = members,
	.nmembers = 3,
	.cols = cols,
	.kinds = kinds,
	.ncols = 10,
	.nrows = 1,
	.prepare = prepare,
	.sorted = sorted,
	.columns = columns,
	.row = row,
};
