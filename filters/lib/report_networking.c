/*
 * report_networking.c - networking: per group (usually --every's period)
 * a summary row and a row per referring domain. A domain is the host of a
 * visit's referrer (refs.h: lower-cased, "www." folded); --own-domain's
 * domains and their subdomains are left out. Each domain's row: visits,
 * distinct visitors, the date it was first seen (its earliest visit in any
 * period of the same -g values, in --tz's zone) and whether that falls in
 * this period (new). The summary: referred visits and visitors, domains,
 * new domains, and earned media: mentions by accounts with at least
 * --media-followers followers (10 000), their mean sentiment and their
 * reach (the sum of those accounts' followers, a mention each).
 *
 * Memory: refs.h's per domain and group; about 250 bytes a group; at the
 * end 40 bytes a domain and -g value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

struct networking {
	A_REFS_t refs;
	A_COUNT_t mentions;
	A_MEAN_t sentiment;
	A_SUM_t reach;
};

/* the earned-media members get "&followers>N" (N = --media-followers - 0.5) from report_accs */
static const struct report_member members[] = {
	REPORT_MEMBER(struct networking, refs, A_REFS, "refs?type=visit&referrer~"),
	REPORT_MEMBER_MEDIA(struct networking, mentions, A_COUNT, "count?type=mention"),
	REPORT_MEMBER_MEDIA(struct networking, sentiment, A_MEAN, "mean:sentiment?type=mention"),
	REPORT_MEMBER_MEDIA(struct networking, reach, A_SUM, "sum:followers?type=mention"),
};

static const char *const cols[] = { "kind", "referrer_domain", "visits", "visitors", "first_seen", "new", "domains",
				    "new_domains", "earned_mentions", "earned_sentiment_mean", "earned_reach" };
static const enum col_kind kinds[] = { COL_TEXT, COL_TEXT, COL_COUNT, COL_COUNT, COL_TEXT, COL_TEXT, COL_COUNT,
				       COL_COUNT, COL_COUNT, COL_NUMBER, COL_COUNT };

/* The hash of group g's key without its bucket, and domain d. */
static struct h128 seen_key(const struct report_run *rr, const struct group *g, const struct ref_dom *d, struct buf *b)
{
	struct slot ks[REC_MAX_SLOTS + 1];

	group_key_slots(rr->groups, g, ks);
	if (report_key_bytes(rr, ks, -1, b) < 0 || buf_add(b, d->name.p, d->name.len) < 0)
		return (struct h128){ 0, 0 };
	return hash128(b->p, b->len);
}

/* Each domain's first visit over the periods of the same -g values. */
static int sorted(struct report_run *rr)
{
	size_t gi, i;
	struct buf b = BUF_INIT;
	int rc = -1;

	if (report_use_zone(rr) < 0)
		return -1;
	for (gi = 0; gi < groups_count(rr->groups); gi++) {
		const struct group *g = groups_at(rr->groups, gi);
		const A_REFS_t *t = &((const struct networking *)(const void *)g->st)->refs;

		for (i = 0; i < t->n; i++) {
			const struct ref_dom *d = htab_rows_at(t, i);
			struct h128 h = seen_key(rr, g, d, &b);
			uint64_t *v;
			int made;

			if (!h.lo && !h.hi)
				goto done;
			if ((made = htab_put(&rr->seen_idx, h, &v)) < 0)
				goto done;
			if (made) {
				if (rr->nseen == rr->cseen) {
					size_t cap = rr->cseen ? 2 * rr->cseen : 256;
					long long *n = realloc(rr->seen_first, cap * sizeof(*n));

					if (!n)
						goto done;
					rr->seen_first = n;
					rr->cseen = cap;
				}
				*v = rr->nseen;
				rr->seen_first[rr->nseen++] = d->first;
			} else if (d->first < rr->seen_first[*v])
				rr->seen_first[*v] = d->first;
		}
	}
	rc = 0;
done:
	buf_free(&b);
	return rc;
}

static int by_visits(const void *a, const void *b)	/* the most visits first, then by name */
{
	const struct ref_dom *x = *(const struct ref_dom *const *)a, *y = *(const struct ref_dom *const *)b;
	int c;

	if (x->visits != y->visits)
		return x->visits > y->visits ? -1 : 1;
	c = memcmp(x->name.p, y->name.p, x->name.len < y->name.len ? x->name.len : y->name.len);
	return c ? c : (x->name.len > y->name.len) - (x->name.len < y->name.len);
}

/* Group g's domains, own ones left out, in output order into rr->doms. 0, or -1. */
static int order(struct report_run *rr, const struct group *g)
{
	const A_REFS_t *t = &((const struct networking *)(const void *)g->st)->refs;
	size_t i;

	if (t->n > rr->cdoms) {
		const struct ref_dom **n = realloc(rr->doms, t->n * sizeof(*n));

		if (!n)
			return -1;
		rr->doms = n;
		rr->cdoms = t->n;
	}
	rr->ndoms = 0;
	for (i = 0; i < t->n; i++) {
		const struct ref_dom *d = htab_rows_at(t, i);

		if (!ref_is_own(d->name.p, d->name.len, rr->own))
			rr->doms[rr->ndoms++] = d;
	}
	if (rr->ndoms > 1)
		qsort(rr->doms, rr->ndoms, sizeof(*rr->doms), by_visits);
	return 0;
}

static int rows_of(struct report_run *rr, const struct group *g)
{
	return order(rr, g) < 0 ? -1 : 1 + (int)(rr->ndoms < (size_t)INT32_MAX ? rr->ndoms : INT32_MAX - 1);
}

/* The first visit of domain d (of group g) anywhere, REC_NO_TS when unknown. */
static long long first_seen(const struct report_run *rr, const struct group *g, const struct ref_dom *d, struct buf *b)
{
	const uint64_t *v = htab_get(&rr->seen_idx, seen_key(rr, g, d, b));

	return v ? rr->seen_first[*v] : REC_NO_TS;
}

/* The zone's date of ms, or null. */
static int put_day(struct buf *b, long long ms)
{
	long long day;

	if (ms == REC_NO_TS || ts_local_day(ms, &day) < 0)
		return buf_add(b, "null", 4);
	return report_put_date(b, day);
}

static int row(struct report_run *rr, const struct group *g, int r, struct buf *v)
{
	const struct networking *st = (const void *)g->st;
	char t[DEC_MAX_LEN];
	size_t i;
	int k;

	if (r == 0) {	/* the summary */
		struct htab who = HTAB_INIT;
		uint64_t visits = 0, fresh = 0, *x;
		int rc = 0;

		who.no_values = 1;
		for (i = 0; i < rr->ndoms && rc == 0; i++) {
			const struct ref_dom *d = rr->doms[i];
			size_t m, j;

			visits += d->visits;
			fresh += d->first != REC_NO_TS && first_seen(rr, g, d, &rr->tmp) == d->first;
			for (m = 0; m <= d->visitors.nmore && rc == 0; m++) {
				const struct htab *h = m ? &d->visitors.more[m - 1] : &d->visitors.h;

				for (j = 0; j < h->cap && rc == 0; j++)
					if (h->keys[j].lo || h->keys[j].hi)
						rc = htab_put(&who, h->keys[j], &x) < 0 ? -1 : 0;
			}
		}
		rc = rc || buf_adds(&v[0], "\"summary\"") < 0 || buf_add(&v[1], "null", 4) < 0 ||
		     json_put_uint(&v[2], visits) < 0 || json_put_uint(&v[3], who.count) < 0 ||
		     buf_add(&v[4], "null", 4) < 0 || buf_add(&v[5], "null", 4) < 0 ||
		     json_put_uint(&v[6], rr->ndoms) < 0 || json_put_uint(&v[7], fresh) < 0 ||
		     json_put_uint(&v[8], st->mentions) < 0 ||
		     report_put_money_ratio(&v[9], dec_to_long_double(st->sentiment.sum), (long double)st->sentiment.n) < 0 ||
		     buf_add(&v[10], t, dec_format(st->reach.sum, t)) < 0 ? -1 : 0;
		htab_free(&who);
		return rc;
	} else {
		const struct ref_dom *d = rr->doms[r - 1];
		long long first = first_seen(rr, g, d, &rr->tmp);

		if (buf_adds(&v[0], "\"domain\"") < 0 || json_escape(&v[1], d->name.p, d->name.len) < 0 ||
		    json_put_uint(&v[2], d->visits) < 0 || json_put_uint(&v[3], acc_distinct_count(&d->visitors)) < 0 ||
		    put_day(&v[4], first) < 0 ||
		    (first == REC_NO_TS ? buf_add(&v[5], "null", 4)
		     : buf_adds(&v[5], d->first == first ? "true" : "false")) < 0)
			return -1;
		for (k = 6; k <= 10; k++)
			if (buf_add(&v[k], "null", 4) < 0)
				return -1;
	}
	return 0;
}

const struct report_def report_networking = {
	.name = "networking",
	.state_size = sizeof(struct networking),
	.members = members,
	.nmembers = 4,
	.cols = cols,
	.kinds = kinds,
	.ncols = 11,
	.nrows = 1,
	.sorted = sorted,
	.rows_of = rows_of,
	.row = row,
};
