/*
 * vchain-gen - deterministic, realistic sample events for demos, tests and
 * benchmarks.
 *
 * A discrete-event simulation: people arrive at a steady rate (about 20,000
 * a day), each with a platform and a campaign, and walk the value chain one
 * step at a time, dropping off at each stage with a platform-dependent
 * probability (most stop at awareness; about 1 in 150 buys). Buyers may buy
 * again, refund, and become advocates whose shares and referrals bring new
 * people (referred_by). Complaints, DMs and negative mentions get brand
 * responses and resolutions at realistic delays. Every simulated midnight
 * emits one insights row (count > 1, no user) per post. About 1.5% of events
 * are written twice, as retried webhooks are.
 *
 * Pending actions live in a min-heap ordered by (time, sequence), so the
 * output is time-ordered and memory is bounded by the people still active,
 * not by the length of the run. Randomness is xoshiro256** on integers only
 * (no libm), so a seed gives the same bytes on every machine.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/out.h"
#include "lib/genshape.h"
#include "lib/ts.h"
#include "lib/vocab.h"

#define MS_PER_DAY 86400000LL
#define ARRIVAL_MEAN_MS 4320	/* 20,000 people a day */
#define N_CAMPAIGNS 50
#define POSTS_PER_CAMPAIGN 7	/* one on each social platform */
#define DUP_PER_10K 150		/* 1.5% of events written twice */

enum format { FMT_NDJSON, FMT_CSV, FMT_ACCESS, FMT_RETAIL, FMT_GA4 };

struct opts {
	uint64_t seed;
	uint64_t events;	/* stop after this many records (0: no limit) */
	uint64_t people;	/* stop after this many people arrived and finished */
	int64_t start_ms;
	enum format format;
	const char *output;
};

/* ---- randomness: xoshiro256** seeded by splitmix64 ---- */

static uint64_t rs[4];

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;

	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

static void seed_rng(uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9E3779B97F4A7C15ULL);

		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		rs[i] = z ^ (z >> 31);
	}
}

/* Uniform in [0, n). */
static uint64_t below(uint64_t n)
{
	return n ? (uint64_t)(((unsigned __int128)rnd() * n) >> 64) : 0;
}

static int64_t between(int64_t lo, int64_t hi)
{
	return lo + (int64_t)below((uint64_t)(hi - lo + 1));
}

/* True with probability per_mille / 1000. */
static int chance(unsigned per_mille)
{
	return below(1000) < per_mille;
}

/* Index drawn from integer weights. */
static unsigned pick(const unsigned *w, unsigned n)
{
	unsigned total = 0, i;
	uint64_t r;

	for (i = 0; i < n; i++)
		total += w[i];
	r = below(total);
	for (i = 0; i < n; i++) {
		if (r < w[i])
			return i;
		r -= w[i];
	}
	return n - 1;
}

/* ---- the brand's world ---- */

static const unsigned platform_weight[N_PLATFORMS] = { 300, 250, 120, 120, 60, 50, 30, 40, 30 };
/*
 * Per mille who go on from stage k to k+1 (index k-1), per platform. The
 * shape follows the brief: most stop at awareness, purchases are rare.
 */
static const unsigned go_on[N_PLATFORMS][6] = {
	/* aware→consid, →engage, →audience, →educ, →sale, buyer→advocate */
	{ 380, 480, 300, 600, 180, 380 },	/* instagram */
	{ 330, 400, 330, 600, 200, 330 },	/* facebook */
	{ 300, 450, 250, 550, 150, 350 },	/* x */
	{ 420, 500, 200, 500, 150, 400 },	/* tiktok */
	{ 300, 350, 250, 600, 170, 300 },	/* youtube */
	{ 250, 350, 400, 650, 220, 250 },	/* linkedin */
	{ 350, 300, 300, 700, 220, 300 },	/* pinterest */
	{ 1000, 1000, 1000, 650, 260, 300 },	/* email: people arrive already subscribed */
	{ 1000, 1000, 300, 1000, 250, 250 },	/* web: people arrive on the site */
};

static const unsigned price_cents[8] = { 999, 1999, 2450, 3900, 4995, 7900, 12900, 24900 };
static const unsigned price_weight[8] = { 200, 250, 120, 150, 120, 80, 50, 30 };

static struct gen_ev ev_new(int64_t ts, const char *type, unsigned platform)
{
	static uint64_t next_id = 1;
	struct gen_ev e;

	memset(&e, 0, sizeof(e));
	e.ts_ms = ts;
	e.id = next_id++;
	e.type = type;
	e.platform = platform;
	e.revenue_cents = -1;
	e.sentiment = INT32_MIN;
	return e;
}

/* ---- people and pending actions ---- */

enum step_kind { K_ARRIVAL, K_PERSON, K_REPLY, K_DAILY };

struct person {
	uint64_t id, referred_by;
	uint64_t followers;
	unsigned platform, campaign, post;
	unsigned stage;		/* reached so far */
	unsigned target;	/* furthest stage this person will reach */
	unsigned repeat;	/* further purchases to make */
	unsigned advocacy;	/* advocacy acts left */
	uint64_t last_order;
	int64_t last_order_cents;
	int refund_pending;
	int leaving;		/* next step: unfollow or unsubscribe, then gone */
	int seen;		/* has had an event: referred_by goes on the first only */
};

struct reply {
	uint64_t complaint_id;
	unsigned platform;
	int resolve;		/* 0: next is the response; 1: next is the resolution */
	int will_resolve;
};

struct action {
	int64_t t;
	uint64_t seq;
	unsigned kind, idx;
};

struct pool {	/* fixed-size slots with a free list: memory follows the live count */
	void *slots;
	size_t size, cap, used;
	unsigned *free;
	size_t nfree;
};

struct sim {
	const struct opts *o;
	struct out out;
	struct action *heap;
	size_t nheap, capheap;
	uint64_t seq;
	struct pool persons, replies;
	uint64_t organic, records;	/* people arrived on their own; lines written */
	uint64_t next_person, next_order;
	uint64_t audience[N_PLATFORMS];	/* the brand account's followers, for insights rows */
	struct gen_writer w;	/* the line being written */
	int oom;
};

static void *pool_get(struct pool *p, unsigned *idx)
{
	if (p->nfree) {
		*idx = p->free[--p->nfree];
	} else {
		if (p->used == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 1024;
			void *s = realloc(p->slots, cap * p->size);
			unsigned *f;

			/* each array kept as soon as it moved: a realloc that fails leaves the old one */
			if (!s)
				return NULL;
			p->slots = s;
			if (!(f = realloc(p->free, cap * sizeof(*f))))
				return NULL;
			p->free = f;
			p->cap = cap;
		}
		*idx = (unsigned)p->used++;
	}
	return (char *)p->slots + (size_t)*idx * p->size;
}

static void *pool_at(struct pool *p, unsigned idx)
{
	return (char *)p->slots + (size_t)idx * p->size;
}

static void pool_put(struct pool *p, unsigned idx)
{
	p->free[p->nfree++] = idx;
}

static int before(const struct action *a, const struct action *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int schedule(struct sim *s, int64_t t, unsigned kind, unsigned idx)
{
	struct action a = { t, s->seq++, kind, idx };
	size_t i;

	if (s->nheap == s->capheap) {
		size_t cap = s->capheap ? s->capheap * 2 : 4096;
		struct action *h = realloc(s->heap, cap * sizeof(*h));

		if (!h)
			return s->oom = -1;
		s->heap = h;
		s->capheap = cap;
	}
	for (i = s->nheap++; i > 0 && before(&a, &s->heap[(i - 1) / 2]); i = (i - 1) / 2)
		s->heap[i] = s->heap[(i - 1) / 2];
	s->heap[i] = a;
	return 0;
}

static struct action unschedule(struct sim *s)
{
	struct action top = s->heap[0], last = s->heap[--s->nheap];
	size_t i = 0, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && before(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!before(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->nheap)
		s->heap[i] = last;
	return top;
}

/* Write one event (twice, now and then). Returns 1 when the run is complete. */
static int emit(struct sim *s, const struct gen_ev *e)
{
	size_t n;
	const char *l, *nl, *end;
	int copies = 1 + (below(10000) < DUP_PER_10K);

	/* the brand's audience grows with follows and shrinks with unfollows */
	if (!strcmp(e->type, "follow"))
		s->audience[e->platform]++;
	else if (!strcmp(e->type, "unfollow") && s->audience[e->platform])
		s->audience[e->platform]--;

	switch (s->o->format) {
	case FMT_CSV: n = gen_fmt_csv(&s->w, e); break;
	case FMT_ACCESS: n = gen_fmt_access(&s->w, e); copies = 1; break;
	case FMT_RETAIL:
	case FMT_GA4: n = gen_fmt_shape(&s->w, e, s->o->format == FMT_GA4); break;
	default: n = gen_fmt_ndjson(&s->w, e); break;
	}
	/* a record is a line: an access-log event may be several, or none */
	end = s->w.line + n;
	while (copies--) {
		for (l = s->w.line; l < end; l = nl + 1) {
			nl = s->o->format == FMT_ACCESS || s->o->format == FMT_RETAIL ? memchr(l, '\n', (size_t)(end - l))
											  : end - 1;
			out_write(&s->out, l, (size_t)(nl + 1 - l));
			if (s->o->events && ++s->records >= s->o->events)
				return 1;
		}
	}
	return s->out.err != 0 || cli_signal;	/* stopped by a signal: at this whole record */
}

/* ---- the simulation ---- */

static int arrive(struct sim *s, int64_t t, unsigned platform, unsigned campaign, uint64_t referred_by)
{
	unsigned idx;
	struct person *p = pool_get(&s->persons, &idx);
	unsigned k;

	if (!p)
		return s->oom = -1;
	memset(p, 0, sizeof(*p));
	p->id = ++s->next_person;
	p->referred_by = referred_by;
	p->platform = platform;
	p->campaign = campaign;
	/* the campaign's post on this person's platform (post k of campaign c is on platform (c + k) % 7) */
	p->post = platform < P_EMAIL ? (platform + P_EMAIL - campaign % P_EMAIL) % P_EMAIL : 0;
	if (platform < P_EMAIL && !p->post)
		p->post = P_EMAIL;
	/* audience size: most have a few hundred followers, a few are influencers */
	p->followers = chance(20) ? (uint64_t)between(10000, 250000) : (uint64_t)between(20, 2000);
	/* how far this person will go: drop off at each stage */
	p->target = 1;
	for (k = 0; k < 5 && chance(go_on[platform][k]); k++)
		p->target++;
	if (p->target == 6) {
		p->repeat = chance(250) ? 1 + (unsigned)below(3) : 0;
		if (chance(go_on[platform][5])) {
			p->target = 7;
			p->advocacy = 1 + (unsigned)below(3);
		}
	}
	/* email and web people arrive further down the chain */
	p->stage = platform == P_EMAIL ? 3 : platform == P_WEB ? 4 : 0;
	if (p->target < p->stage + 1)
		p->target = p->stage + 1;
	s->organic += referred_by == 0;
	return schedule(s, t, K_PERSON, idx);
}

static void engage(struct person *p, struct gen_ev *e)
{
	static const char *const kinds[] = { "comment", "share", "mention", "tag", "dm", "complaint", "review" };
	static const unsigned weights[] = { 400, 200, 150, 80, 80, 50, 40 };
	unsigned k = pick(weights, 7);

	e->type = kinds[k];
	e->post = k == 0 || k == 1 ? p->post : 0;
	if (k == 1 || k == 2 || k == 3)
		e->followers = p->followers;
	if (k == 2)	/* mention: 20% negative */
		e->sentiment = chance(200) ? (int)between(-100, -10) : (int)between(0, 100);
	if (k == 6) {	/* a review by someone who has not bought */
		e->rating = (int)between(1, 5);
		e->sentiment = (e->rating - 3) * 45;
	}
}

static int64_t reply_delay(void)
{
	/* hours: most within 12 h, a tail past 24 h */
	static const unsigned w[] = { 450, 250, 170, 80, 50 };
	static const int64_t lo[] = { 5, 60, 360, 720, 1440 }, hi[] = { 60, 360, 720, 1440, 4320 };
	unsigned b = pick(w, 5);

	return between(lo[b], hi[b]) * 60000;
}

static int inbound(struct sim *s, const struct gen_ev *e)
{
	unsigned idx;
	struct reply *r;

	if (chance(70))	/* 7% never answered */
		return 0;
	r = pool_get(&s->replies, &idx);
	if (!r)
		return s->oom = -1;
	r->complaint_id = e->id;
	r->platform = e->platform;
	r->resolve = 0;
	r->will_resolve = e->type[0] == 'c' ? chance(800) : chance(300);
	return schedule(s, e->ts_ms + reply_delay(), K_REPLY, idx);
}

static int64_t purchase_cents(void)
{
	return (int64_t)price_cents[pick(price_weight, 8)] * (chance(150) ? 2 : 1);
}

/* The person's next event, then the next step scheduled (or the person retired). */
static int person_step(struct sim *s, int64_t t, unsigned idx)
{
	struct person *p = pool_at(&s->persons, idx);
	struct gen_ev e = ev_new(t, "impression", p->platform);
	int64_t next = -1;
	int done;

	e.user = p->id;
	e.campaign = p->campaign;
	e.referred_by = p->seen ? 0 : p->referred_by;
	p->seen = 1;

	if (p->leaving) {
		e.type = p->stage == 2 ? "unfollow" : "unsubscribe";
		e.campaign = 0;
		p->stage = p->target;	/* retired below */
	} else if (p->refund_pending) {
		e.type = "refund";
		e.revenue_cents = p->last_order_cents;
		e.order = p->last_order;
		p->refund_pending = 0;
		next = t + between(1, 20) * MS_PER_DAY;
	} else if (p->stage < p->target) {
		switch (++p->stage) {
		case 1:
			e.type = chance(700) ? "impression" : "view";
			e.post = p->post;
			next = t + between(1, 240) * 60000;
			break;
		case 2:
			e.type = chance(650) ? "like" : "follow";
			e.post = e.type[0] == 'l' ? p->post : 0;
			next = t + between(10, 3 * 1440) * 60000;
			break;
		case 3:
			engage(p, &e);
			next = t + between(60, 5 * 1440) * 60000;
			break;
		case 4:
			e.type = p->platform == P_EMAIL ? "subscribe" :
				 chance(500) ? "subscribe" : chance(500) ? "signup" : "lead";
			next = t + between(30, 7 * 1440) * 60000;
			break;
		case 5:
			e.type = p->platform == P_WEB ? "visit" : chance(400) ? "click" : "visit";
			e.utm = p->platform != P_WEB;
			e.post = p->platform < P_EMAIL ? p->post : 0;
			e.path = chance(500) ? "/products/bestseller" : "/collections/new";
			next = t + between(2, 3 * 1440) * 60000;
			break;
		case 6:
		buy:
			e.type = "purchase";
			e.revenue_cents = purchase_cents();
			e.order = ++s->next_order;
			p->last_order = e.order;
			p->last_order_cents = e.revenue_cents;
			if (chance(80)) {
				p->refund_pending = 1;
				next = t + between(2, 20) * MS_PER_DAY;
			} else
				next = t + between(1, 30) * MS_PER_DAY;
			if (p->stage == 6 && p->target == 6 && !p->repeat && !p->refund_pending)
				next = -1;
			break;
		case 7:
			p->stage = 6;	/* stays a customer; advocacy acts follow */
			goto advocate;
		}
	} else if (p->repeat) {
		p->repeat--;
		goto buy;
	} else if (p->advocacy) {
advocate:
		p->stage = 7;
		p->advocacy--;
		{
			static const char *const acts[] = { "review", "share", "referral", "mention", "tag" };
			static const unsigned w[] = { 300, 300, 250, 100, 50 };
			unsigned k = pick(w, 5), n;

			e.type = acts[k];
			if (k == 0) {
				e.rating = chance(700) ? 5 : 4;
				e.sentiment = (int)between(50, 100);
			} else if (k == 3) {
				e.sentiment = (int)between(30, 100);
			}
			if (k == 1 || k == 3 || k == 4)
				e.followers = p->followers;
			if (k == 1)
				e.post = p->post;
			/* shares and referrals bring new people: the viral loop */
			n = k == 2 ? 1 + (unsigned)below(4) : k == 1 ? (unsigned)below(3) : 0;
			while (n--)
				if (arrive(s, t + between(60, 5 * 1440) * 60000, p->platform, p->campaign, p->id) < 0)
					return -1;
		}
		next = p->advocacy ? t + between(1, 20) * MS_PER_DAY : -1;
	}

	done = emit(s, &e);
	if (!strcmp(e.type, "complaint") || !strcmp(e.type, "dm") ||
	    (e.type[0] == 'm' && e.sentiment < 0 && e.sentiment != INT32_MIN))
		if (inbound(s, &e) < 0)
			return -1;
	/* some of those who stop go further: unfollow, unsubscribe, days later */
	if (next < 0 || (p->stage >= p->target && !p->repeat && !p->advocacy && !p->refund_pending)) {
		if (!p->leaving && ((p->stage == 2 && chance(60)) || (p->stage == 4 && chance(40)))) {
			p->leaving = 1;
			next = t + between(1, 30) * MS_PER_DAY;
		} else {
			pool_put(&s->persons, idx);
			return done;
		}
	}
	if (schedule(s, next, K_PERSON, idx) < 0)
		return -1;
	return done;
}

static int reply_step(struct sim *s, int64_t t, unsigned idx)
{
	struct reply *r = pool_at(&s->replies, idx);
	struct gen_ev e = ev_new(t, r->resolve ? "resolve" : "response", r->platform);
	int done;

	e.user = UINT64_MAX;
	e.reply_to = r->complaint_id;
	done = emit(s, &e);
	if (!r->resolve && r->will_resolve) {
		r->resolve = 1;
		return schedule(s, t + between(60, 36 * 60) * 60000, K_REPLY, idx) < 0 ? -1 : done;
	}
	pool_put(&s->replies, idx);
	return done;
}

/* Insights: one row per post for the day that just ended, with its impressions and the brand's audience. */
static int daily(struct sim *s, int64_t t)
{
	unsigned c, post;
	int done = 0;

	for (c = 1; c <= N_CAMPAIGNS && !done; c++) {
		for (post = 1; post <= POSTS_PER_CAMPAIGN && !done; post++) {
			struct gen_ev e = ev_new(t, "impression", (c + post) % P_EMAIL);

			e.campaign = c;
			e.post = post;
			e.count = (uint64_t)between(200, 40000);
			e.followers = s->audience[e.platform];
			done = emit(s, &e);
		}
	}
	return done;
}

static int run(struct sim *s)
{
	const struct opts *o = s->o;
	struct action a;
	int done = 0;

	if (schedule(s, o->start_ms, K_ARRIVAL, 0) < 0 ||
	    schedule(s, o->start_ms - o->start_ms % MS_PER_DAY + MS_PER_DAY, K_DAILY, 0) < 0)
		return -1;
	while (!done && s->nheap) {
		a = unschedule(s);
		switch (a.kind) {
		case K_ARRIVAL:
			if (o->people && s->organic >= o->people)
				break;
			if (arrive(s, a.t, pick(platform_weight, N_PLATFORMS),
				   1 + (unsigned)below(N_CAMPAIGNS), 0) < 0 ||
			    schedule(s, a.t + (int64_t)below(2 * ARRIVAL_MEAN_MS), K_ARRIVAL, 0) < 0)
				return -1;
			break;
		case K_PERSON:
			done = person_step(s, a.t, a.idx);
			break;
		case K_REPLY:
			done = reply_step(s, a.t, a.idx);
			break;
		case K_DAILY:
			done = daily(s, a.t);
			if (!done && schedule(s, a.t + MS_PER_DAY, K_DAILY, 0) < 0)
				return -1;
			break;
		}
		if (done < 0 || s->oom)
			return -1;
		if (o->people && s->organic >= o->people && s->nheap == 1 &&
		    s->heap[0].kind == K_DAILY)
			break;
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: vchain-gen [-h] [--version] [--seed N] [--events N | --people N]\n"
	      "                  [--format ndjson|csv|access|online-retail|ga4] [--start TS]\n"
	      "                  [-o FILE]\n"
	      "\n"
	      "Write deterministic, realistic sample events: people moving through the\n"
	      "seven stages of the social media value chain, insights rows, purchases\n"
	      "and refunds, brand responses, advocates and their referrals, ~1.5%\n"
	      "duplicates. The same options give the same bytes on every machine.\n"
	      "\n"
	      "  -s, --seed N        random seed (default 1)\n"
	      "  -n, --events N      stop after N records (default 10000)\n"
	      "      --people N      instead: N people arrive (those they refer come on\n"
	      "                      top) and the run ends when all have finished\n"
	      "  -F, --format FMT    ndjson (canonical events, default), csv (with a header),\n"
	      "                      access (combined-format web log of visits and purchases),\n"
	      "                      online-retail (UCI invoice lines of the purchases and\n"
	      "                      refunds), ga4 (GA4 BigQuery export rows of the web events)\n"
	      "      --start TS      simulated start time (default 2024-01-01T00:00:00Z)\n"
	      "  -o, --output FILE   write to FILE instead of stdout\n"
	      "  -h, --help          this help\n"
	      "      --version       version\n"
	      "\n"
	      "Exit status: 0 success, 1 I/O error, 2 usage error. See vchain-gen(1).\n", f);
}

static int parse_count(const char *s, uint64_t *v)
{
	unsigned long long x;

	if (cli_parse_number(s, 0, UINT64_MAX, &x) < 0)
		return -1;
	*v = x;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_PEOPLE = 256, OPT_START };
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "events", required_argument, NULL, 'n' },
		{ "people", required_argument, NULL, OPT_PEOPLE },
		{ "format", required_argument, NULL, 'F' },
		{ "start", required_argument, NULL, OPT_START },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct vts t;
	int c, k, have_events = 0;

	memset(o, 0, sizeof(o[0]));
	o->seed = 1;
	o->events = 10000;
	o->start_ms = 1704067200000LL;	/* 2024-01-01T00:00:00Z */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:n:F:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_count(optarg, &o->seed) < 0) {
				diag("--seed: '%s' is not a whole number", optarg);
				return -1;
			}
			break;
		case 'n':
			if (parse_count(optarg, &o->events) < 0 || o->events == 0) {
				diag("--events: '%s' is not a positive whole number", optarg);
				return -1;
			}
			have_events = 1;
			break;
		case OPT_PEOPLE:
			if (parse_count(optarg, &o->people) < 0 || o->people == 0) {
				diag("--people: '%s' is not a positive whole number", optarg);
				return -1;
			}
			break;
		case 'F':
			if (!strcmp(optarg, "ndjson"))
				o->format = FMT_NDJSON;
			else if (!strcmp(optarg, "csv"))
				o->format = FMT_CSV;
			else if (!strcmp(optarg, "access"))
				o->format = FMT_ACCESS;
			else if (!strcmp(optarg, "online-retail"))
				o->format = FMT_RETAIL;
			else if (!strcmp(optarg, "ga4"))
				o->format = FMT_GA4;
			else {
				diag("--format: '%s' is not ndjson, csv, access, online-retail or ga4", optarg);
				return -1;
			}
			break;
		case OPT_START:
			if (ts_parse(optarg, strlen(optarg), &t) < 0 || t.sec < 0) {
				diag("--start: '%s' is not a timestamp after 1970", optarg);
				return -1;
			}
			o->start_ms = t.sec * 1000;
			break;
		default:
			k = cli_option(c, optarg, argv, usage, &o->output);
			if (k != CLI_OPT_TAKEN)
				return k == CLI_OPT_DONE ? CLI_ARGS_DONE : CLI_ARGS_BAD;
		}
	}
	if (o->people && have_events) {
		diag("--events and --people cannot be used together");
		return -1;
	}
	if (o->people)
		o->events = 0;
	if (optind < argc) {
		diag("unexpected argument '%s' (vchain-gen reads no input)", argv[optind]);
		return -1;
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sim s;
	int status;

	cli_start(argv[0]);
	if ((status = parse_args(argc, argv, &o)) <= 0)
		return cli_args_status(status);
	memset(&s, 0, sizeof(s));
	{
		/* the brand's audience on each social platform when the sample starts */
		static const uint64_t start[P_EMAIL] = { 12400, 31000, 8200, 20500, 9100, 5300, 2900 };

		memcpy(s.audience, start, sizeof(start));
	}
	s.o = &o;
	s.persons.size = sizeof(struct person);
	s.replies.size = sizeof(struct reply);
	seed_rng(o.seed);
	if (o.output ? out_open_path(&s.out, o.output) : out_open_fd(&s.out, 1, "<stdout>")) {
		diag("%s: cannot open: %s", o.output ? o.output : "<stdout>", strerror(errno));
		return EXIT_DATA;
	}
	if (o.format == FMT_CSV)
		out_write(&s.out, gen_csv_header, strlen(gen_csv_header));
	if (o.format == FMT_RETAIL)
		out_write(&s.out, genshape_retail_header, strlen(genshape_retail_header));
	status = run(&s) < 0 && !s.out.err ? EXIT_DATA : EXIT_OK;
	if (status != EXIT_OK)
		diag("out of memory");
	if (cli_close_out(&s.out) != EXIT_OK)
		status = EXIT_DATA;
	free(s.heap);
	free(s.persons.slots);
	free(s.persons.free);
	free(s.replies.slots);
	free(s.replies.free);
	return cli_interrupted(status);
}
