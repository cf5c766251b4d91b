/*
 * vchain-stage - place every event, and with --journeys every person, in
 * the social media value chain.
 *
 * Each event gets `stage` (1-7) and `stage_name` after its `type`, from the
 * stage map (schemas/stages.tsv, or --map). Advocacy (7) needs a customer:
 * a positive review, mention, share or tag, or a referral, by someone who
 * bought earlier in the stream; the same act by anyone else keeps its
 * ordinary stage. So one set of customers is kept, and input order matters:
 * workers parse and split each record, and the ordered commit step applies
 * the set, so the result never depends on the number of threads.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/event.h"
#include "lib/hash.h"
#include "lib/htab.h"
#include "lib/input.h"
#include "lib/json.h"
#include "lib/out.h"
#include "lib/par.h"
#include "lib/sort.h"
#include "lib/ts.h"
#include "lib/vocab.h"

#include "stage_map.h"

#define MAP_MAX 256
#define NO_TS LLONG_MAX

_Static_assert(VOCAB_NPLATFORMS <= 16, "a person's platforms are a 16-bit set");

enum act { ACT_NONE, ACT_REFERRAL, ACT_REVIEW, ACT_MENTION, ACT_SHARE_TAG, ACT_PURCHASE };

struct stage_map {
	char name[MAP_MAX][32];
	size_t len[MAP_MAX];
	int stage[MAP_MAX];	/* 0: null */
	enum act act[MAP_MAX];	/* what the advocacy rule makes of the type */
	unsigned n;
};

struct opts {
	struct stage_map map;
	double positive;	/* sentiment threshold for advocacy */
	int journeys;
	long long window_ms;	/* --journeys --window */
	int sorted_check;
	long long tolerance_ms;
	int stats;
	struct drive d;		/* output, threads, input options */
};

enum { F_USER = 1, F_TS = 2, F_CANDIDATE = 4, F_PURCHASE = 8 };

/* What a worker hands the commit step for each record, followed by its bytes and user id. */
struct srec {
	struct h128 user;
	long long ts_ms;
	uint32_t prefix;	/* bytes before the place of stage and stage_name */
	uint32_t len;		/* of the rebuilt record, without '\n' */
	uint32_t user_len;	/* raw user_id bytes after the record */
	int8_t base;		/* stage from the map; 0: null */
	uint8_t flags;
	uint8_t platform;
	uint8_t user_num;	/* user_id was a number */
};

struct worker {
	const struct opts *o;
	struct jobj obj;
};

/* Per person, for --journeys: about 120 bytes plus the id. */
struct person {
	const char *user;	/* raw JSON string content (or digits), in the arena */
	uint32_t user_len;
	uint16_t platforms;	/* bit per platform seen */
	uint8_t first_platform;
	uint8_t user_num;
	long long first_ts, last_ts;
	long long ts_stage[8];	/* first time each stage was reached; NO_TS: never */
	uint64_t events;
};

struct run {
	const struct opts *o;
	struct drive *d;
	struct htab people;	/* user hash -> bit 63 customer | person index + 1 */
	struct person *person;
	size_t nperson, cap;
	struct arena ids;
	long long newest;
	int have_newest;
	uint64_t read, staged[8], advocacy_denied;
};

#define CUSTOMER ((uint64_t)1 << 63)

static int map_parse(struct stage_map *m, const char *text, size_t n, const char *src)
{
	const char *p = text, *end = text + n, *nl, *tab;
	unsigned line = 0;
	size_t len;

	m->n = 0;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		line++;
		if (p == nl || *p == '#')
			continue;
		tab = memchr(p, '\t', (size_t)(nl - p));
		len = tab ? (size_t)(tab - p) : 0;
		if (!tab || len == 0 || len >= sizeof(m->name[0]) || m->n == MAP_MAX ||
		    nl - tab != 2 || !(tab[1] == '-' || (tab[1] >= '1' && tab[1] <= '7'))) {
			diag_at(src, line, "expected TYPE<tab>STAGE (1-7 or -)");
			return -1;
		}
		memcpy(m->name[m->n], p, len);
		m->len[m->n] = len;
		m->stage[m->n] = tab[1] == '-' ? 0 : tab[1] - '0';
#define NAMED(s) (len == sizeof(s) - 1 && memcmp(p, s, len) == 0)
		m->act[m->n] = NAMED("referral") ? ACT_REFERRAL : NAMED("review") ? ACT_REVIEW :
			       NAMED("mention") ? ACT_MENTION :
			       NAMED("share") || NAMED("tag") ? ACT_SHARE_TAG :
			       NAMED("purchase") ? ACT_PURCHASE : ACT_NONE;
#undef NAMED
		m->n++;
	}
	return 0;
}

static int map_load(struct stage_map *m, const char *path)
{
	struct buf b = BUF_INIT;
	int r;

	if (buf_load(&b, path) < 0) {
		diag("%s: cannot open: %s", path, strerror(errno));
		buf_free(&b);
		return -1;
	}
	r = map_parse(m, b.p ? b.p : "", b.len, path);
	buf_free(&b);
	return r;
}

/* The map's entry for a type, or -1 when the map lacks it. */
static int map_find(const struct stage_map *m, const char *s, size_t n)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (m->len[i] == n && memcmp(m->name[i], s, n) == 0)
			return (int)i;
	return -1;
}

static void usage(FILE *f)
{
	fputs("usage: vchain-stage [-h] [--version] [--map FILE] [--positive X] [--journeys [--window DUR]]\n"
	      "                    [--sorted-check[=DUR]] [--stats] [-o FILE] [-j N] [--max-line SIZE]\n"
	      "                    [FILE ...]\n"
	      "\n"
	      "Add the value-chain stage (stage, stage_name) to every event, or with\n"
	      "--journeys write one record per person: the furthest stage and when each\n"
	      "stage was first reached.\n"
	      "\n"
	      "      --map FILE        stage map TYPE<tab>STAGE (default schemas/stages.tsv)\n"
	      "      --positive X      sentiment from which a mention, share or tag is\n"
	      "                        positive (default 0.25)\n"
	      "      --journeys        one record per person, sorted by user_id\n"
	      "      --window DUR      with --journeys: count only progress within DUR\n"
	      "                        (30d, 12h) of the person's first event\n"
	      "      --sorted-check[=DUR]  error when ts goes back by more than DUR (default 0)\n"
	      "      --stats           events per stage (stderr)\n"
	      "  -o, --output FILE     write to FILE instead of stdout\n"
	      "  -j, --threads N       threads in all (default: the number of CPUs)\n"
	      "      --max-line SIZE   longest line accepted (default 16M)\n"
	      "  -h, --help            this help\n"
	      "      --version         version\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data or I/O error, 2 usage error.\n"
	      "See vchain-stage(1).\n", f);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_MAP = 256, OPT_POSITIVE, OPT_JOURNEYS, OPT_WINDOW, OPT_SORTED, OPT_STATS };
	static const struct option longopts[] = {
		{ "map", required_argument, NULL, OPT_MAP },
		{ "positive", required_argument, NULL, OPT_POSITIVE },
		{ "journeys", no_argument, NULL, OPT_JOURNEYS },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "sorted-check", optional_argument, NULL, OPT_SORTED },
		{ "stats", no_argument, NULL, OPT_STATS },
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *map = NULL;
	char *end;
	int c, k;

	memset(o, 0, sizeof(*o));
	o->positive = 0.25;
	if (drive_init(&o->d) < 0)
		return -1;
	o->d.json_lines = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_MAP: map = optarg; break;
		case OPT_POSITIVE:
			errno = 0;
			o->positive = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->positive >= -1 && o->positive <= 1)) {
				diag("--positive: '%s' is not a number from -1 to 1", optarg);
				return -1;
			}
			break;
		case OPT_JOURNEYS: o->journeys = 1; break;
		case OPT_WINDOW:
			if (cli_parse_duration(optarg, &o->window_ms) < 0 || o->window_ms <= 0) {
				diag("--window: '%s' is not a duration (e.g. 30d, 12h)", optarg);
				return -1;
			}
			break;
		case OPT_SORTED:
			o->sorted_check = 1;
			if (optarg && cli_parse_duration(optarg, &o->tolerance_ms) < 0) {
				diag("--sorted-check: '%s' is not a duration (e.g. 5m)", optarg);
				return -1;
			}
			break;
		case OPT_STATS: o->stats = 1; break;
		default:
			if ((k = drive_take_option(&o->d, c, optarg, argv, usage)) <= 0)
				return k;
		}
	}
	if (o->window_ms && !o->journeys) {
		diag("--window goes with --journeys");
		return -1;
	}
	if (map ? map_load(&o->map, map) < 0 :
	    map_parse(&o->map, default_stage_map, sizeof(default_stage_map) - 1, "schemas/stages.tsv") < 0)
		return -1;
	return optind;
}

/* A number member (or a string holding one) as a double; 0 if there is none. */
static int number_of(const struct jfield *f, double *v)
{
	char tmp[64];
	char *end;

	if (!f || (f->type != J_NUM && f->type != J_STR) || f->vlen == 0 || f->vlen >= sizeof(tmp))
		return 0;
	memcpy(tmp, f->val, f->vlen);
	tmp[f->vlen] = '\0';
	*v = strtod(tmp, &end);
	return *end == '\0';
}

/* The members vchain-stage reads, found in one pass (the last of a repeated key wins). */
struct members {
	const struct jfield *type, *user, *ts, *platform, *sentiment, *rating;
};

static int key_eq(const struct jfield *f, const char *name, size_t n)
{
	return f->klen == n && memcmp(f->key, name, n) == 0;
}

static void find_members(const struct jobj *obj, struct members *m)
{
	const struct jfield *f;
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < obj->n; i++) {
		f = &obj->f[i];
		if (f->kesc) {	/* rare: compare the decoded key */
			const char *names[] = { "type", "user_id", "ts", "platform", "sentiment", "rating" };
			const struct jfield **slot[] = { &m->type, &m->user, &m->ts, &m->platform,
							 &m->sentiment, &m->rating };
			unsigned k;

			for (k = 0; k < 6; k++)
				if (jobj_get(obj, names[k], strlen(names[k])) == f)
					*slot[k] = f;
			continue;
		}
		switch (f->klen) {
		case 2: if (key_eq(f, "ts", 2)) m->ts = f; break;
		case 4: if (key_eq(f, "type", 4)) m->type = f; break;
		case 6: if (key_eq(f, "rating", 6)) m->rating = f; break;
		case 7: if (key_eq(f, "user_id", 7)) m->user = f; break;
		case 8: if (key_eq(f, "platform", 8)) m->platform = f; break;
		case 9: if (key_eq(f, "sentiment", 9)) m->sentiment = f; break;
		}
	}
}

/* Does this act praise the brand (given a customer did it)? BRIEF.md's stage 7. */
static int advocacy_act(const struct opts *o, enum act act, const struct members *m)
{
	double s, rating;

	switch (act) {
	case ACT_REFERRAL:
		return 1;
	case ACT_REVIEW:
		return number_of(m->rating, &rating) && rating >= 4;
	case ACT_MENTION:
		return number_of(m->sentiment, &s) && s >= o->positive;
	case ACT_SHARE_TAG:	/* amplifying is endorsing, unless said otherwise */
		return !number_of(m->sentiment, &s) || s >= o->positive;
	default:
		return 0;
	}
}

/* In a worker: the record without stage fields, split where they go; what commit needs to know. */
static int stage_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks,
		      struct buf *out, char *why)
{
	struct worker *w = ctx;
	const struct opts *o = w->o;
	const struct jfield *type, *f, *user;
	struct members m;
	struct srec r;
	size_t start = out->len, i, vend;
	int sr, entry, first = 1;

	sr = json_scan_line(line, len, &w->obj, marks);
	if (sr == -2)
		return -2;
	if (sr < 0) {
		snprintf(why, 200, "%.160s (column %zu)", w->obj.err, w->obj.err_col);
		return -1;
	}
	find_members(&w->obj, &m);
	type = m.type;
	if (!type || type->type != J_STR) {
		snprintf(why, 200, "no type (vchain-stage reads canonical events: vchain-parse)");
		return -1;
	}
	entry = map_find(&o->map, type->val, type->vlen);
	if (entry < 0) {
		snprintf(why, 200, "type \"%.*s\" is not in the stage map", (int)(type->vlen > 40 ? 40 : type->vlen), type->val);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.base = (int8_t)o->map.stage[entry];
	if (advocacy_act(o, o->map.act[entry], &m))
		r.flags |= F_CANDIDATE;
	if (o->map.act[entry] == ACT_PURCHASE)
		r.flags |= F_PURCHASE;
	user = m.user;
	if (user && (user->type == J_STR || user->type == J_NUM) && user->vlen > 0) {
		r.flags |= F_USER;
		r.user = hash128(user->val, user->vlen);
		r.user_len = o->journeys ? user->vlen : 0;
		r.user_num = user->type == J_NUM;
	}
	if (m.ts && event_ts_ms(m.ts, &r.ts_ms) == 0)
		r.flags |= F_TS;
	r.platform = (uint8_t)(m.platform && m.platform->type == J_STR
				       ? vocab_platform_index(m.platform->val, m.platform->vlen) : PLATFORM_OTHER);
	if (o->journeys) {	/* only the header: journeys write no events */
		r.len = 0;
		if (buf_add(out, &r, sizeof(r)) < 0 || (r.user_len && buf_add(out, user->val, r.user_len) < 0))
			return -2;
		return 0;
	}

	/* header now, filled in at the end; then the members less stage and stage_name */
	if (buf_add(out, &r, sizeof(r)) < 0 || buf_addc(out, '{') < 0)
		return -2;
	for (i = 0; i < w->obj.n; i++) {
		f = &w->obj.f[i];
		if ((f->klen == 5 && memcmp(f->key, "stage", 5) == 0) ||
		    (f->klen == 10 && memcmp(f->key, "stage_name", 10) == 0))
			continue;
		vend = (size_t)(f->val - line) + f->vlen + (f->type == J_STR);
		if ((!first && buf_addc(out, ',') < 0) ||
		    buf_add(out, f->key - 1, vend - (size_t)(f->key - 1 - line)) < 0)
			return -2;
		first = 0;
		if (f == type)
			r.prefix = (uint32_t)(out->len - start - sizeof(r));
	}
	if (buf_addc(out, '}') < 0)
		return -2;
	r.len = (uint32_t)(out->len - start - sizeof(r));
	memcpy(out->p + start, &r, sizeof(r));
	return 0;
}

static struct person *person_for(struct run *r, uint64_t *val, const struct srec *rec, const char *user)
{
	struct person *p;
	unsigned k;

	if (*val & ~CUSTOMER)
		return &r->person[(*val & ~CUSTOMER) - 1];
	if (r->nperson == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4096;
		struct person *np = realloc(r->person, cap * sizeof(*np));

		if (!np)
			return NULL;
		r->person = np;
		r->cap = cap;
	}
	p = &r->person[r->nperson++];
	memset(p, 0, sizeof(*p));
	p->user = arena_strndup(&r->ids, user, rec->user_len);
	if (!p->user)
		return NULL;
	p->user_len = rec->user_len;
	p->user_num = rec->user_num;
	p->first_ts = NO_TS;
	p->last_ts = LLONG_MIN;
	for (k = 0; k < 8; k++)
		p->ts_stage[k] = NO_TS;
	*val |= r->nperson;
	return p;
}

static void journey_event(struct person *p, const struct srec *rec, int stage)
{
	p->events++;
	p->platforms |= (uint16_t)(1u << rec->platform);
	if (rec->ts_ms < p->first_ts) {	/* ties keep the first in input order */
		p->first_ts = rec->ts_ms;
		p->first_platform = rec->platform;
	}
	if (rec->ts_ms > p->last_ts)
		p->last_ts = rec->ts_ms;
	if (rec->ts_ms < p->ts_stage[stage])
		p->ts_stage[stage] = rec->ts_ms;
}

static int put_stage(struct out *o, int stage)
{
	static const char *const text[8] = {
		",\"stage\":null,\"stage_name\":null",
		",\"stage\":1,\"stage_name\":\"awareness\"",
		",\"stage\":2,\"stage_name\":\"consideration\"",
		",\"stage\":3,\"stage_name\":\"engagement\"",
		",\"stage\":4,\"stage_name\":\"audience\"",
		",\"stage\":5,\"stage_name\":\"education\"",
		",\"stage\":6,\"stage_name\":\"sale\"",
		",\"stage\":7,\"stage_name\":\"advocacy\"",
	};

	return out_write(o, text[stage], strlen(text[stage]));
}

/* In input order: customers, advocacy, output or journeys. */
static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	const struct opts *o = r->o;
	const char *p = c->out.p, *end = c->out.p + c->out.len, *rec_bytes;
	uint64_t lineno = first_line, *val = NULL;
	struct srec rec;
	int stage, ins;

	for (; p < end; p += sizeof(rec) + rec.len + rec.user_len, lineno++) {
		memcpy(&rec, p, sizeof(rec));
		rec_bytes = p + sizeof(rec);
		r->read++;
		if (o->sorted_check && (rec.flags & F_TS)) {
			if (r->have_newest && rec.ts_ms < r->newest - o->tolerance_ms) {
				diag_at(r->d->name, lineno, "ts goes back %.3f s behind the newest so far (--sorted-check)",
					(double)(r->newest - rec.ts_ms) / 1000);
				return r->d->stop = -1;
			}
			if (!r->have_newest || rec.ts_ms > r->newest)
				r->newest = rec.ts_ms;
			r->have_newest = 1;
		}
		stage = rec.base;
		if ((rec.flags & F_USER) && o->journeys) {
			/* every person has an entry: customer bit and journey */
			ins = htab_put(&r->people, rec.user, &val);
			if (ins < 0) {
				diag_at(r->d->name, lineno, "out of memory for %zu people", r->people.count);
				return r->d->stop = -1;
			}
			if ((rec.flags & F_CANDIDATE) && (*val & CUSTOMER))
				stage = 7;
			else if ((rec.flags & F_CANDIDATE) && rec.base)
				r->advocacy_denied++;
			if (rec.flags & F_PURCHASE)
				*val |= CUSTOMER;	/* after its own event: a purchase is stage 6 */
		} else if (rec.flags & F_USER) {
			/* only customers have an entry; most events never look */
			if (rec.flags & F_CANDIDATE) {
				if (htab_get(&r->people, rec.user))
					stage = 7;
				else if (rec.base)
					r->advocacy_denied++;
			}
			if ((rec.flags & F_PURCHASE) && htab_put(&r->people, rec.user, &val) < 0) {
				diag_at(r->d->name, lineno, "out of memory for %zu customers", r->people.count);
				return r->d->stop = -1;
			}
		}
		r->staged[stage]++;
		if (o->journeys) {
			struct person *pp;

			if (!(rec.flags & F_USER) || !stage)
				continue;	/* no person, or a move of nobody (brand replies) */
			if (!(rec.flags & F_TS)) {
				diag_at(r->d->name, lineno, "--journeys: ts missing or not a timestamp");
				return r->d->stop = -1;
			}
			pp = person_for(r, val, &rec, rec_bytes + rec.len);
			if (!pp) {
				diag_at(r->d->name, lineno, "out of memory for %zu people", r->nperson);
				return r->d->stop = -1;
			}
			journey_event(pp, &rec, stage);
			continue;
		}
		if (out_write(&r->d->out, rec_bytes, rec.prefix) < 0 || put_stage(&r->d->out, stage) < 0 ||
		    out_write(&r->d->out, rec_bytes + rec.prefix, rec.len - rec.prefix) < 0 ||
		    out_putc(&r->d->out, '\n') < 0)
			return r->d->stop = -1;
	}
	if (c->stopped) {
		diag_at(r->d->name, first_line + c->msg_line[c->nmsgs - 1], "%s", c->msg[c->nmsgs - 1]);
		return r->d->stop = -1;
	}
	if (c->fatal) {
		diag_at(r->d->name, 0, "out of memory");
		return r->d->stop = -1;
	}
	return 0;
}

static int by_user(const void *a, const void *b, void *ctx)
{
	const struct run *r = ctx;
	const struct person *x = &r->person[*(const size_t *)a];
	const struct person *y = &r->person[*(const size_t *)b];
	size_t n = x->user_len < y->user_len ? x->user_len : y->user_len;
	int c = memcmp(x->user, y->user, n);

	return c ? c : (x->user_len > y->user_len) - (x->user_len < y->user_len);
}

static void put_ts(struct buf *b, long long ms)
{
	char t[TS_MAX_LEN];
	struct vts v;
	long long s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);

	v.sec = s;
	v.nsec = (uint32_t)(ms - s * 1000) * 1000000u;
	buf_addc(b, '"');
	buf_add(b, t, ts_format(v, t));
	buf_addc(b, '"');
}

/* One record per person, sorted by user_id. */
static int write_journeys(struct run *r)
{
	struct buf b = BUF_INIT;
	size_t *order = malloc((r->nperson ? r->nperson : 1) * sizeof(*order)), i;
	long long horizon;
	char num[64];
	int k, furthest;

	if (!order)
		return -1;
	for (i = 0; i < r->nperson; i++)
		order[i] = i;
	if (sort_stable(order, r->nperson, sizeof(*order), by_user, r) < 0) {
		free(order);
		return -1;
	}
	for (i = 0; i < r->nperson; i++) {
		const struct person *p = &r->person[order[i]];

		horizon = r->o->window_ms ? p->first_ts + r->o->window_ms : LLONG_MAX;
		for (furthest = 0, k = 1; k <= 7; k++)
			if (p->ts_stage[k] != NO_TS && p->ts_stage[k] <= horizon)
				furthest = k;
		buf_reset(&b);
		buf_adds(&b, "{\"user_id\":\"");
		buf_add(&b, p->user, p->user_len);
		snprintf(num, sizeof(num), "\",\"stage\":%d,\"stage_name\":\"", furthest);
		buf_adds(&b, num);
		buf_adds(&b, vocab_stage_names[furthest]);
		buf_adds(&b, "\",\"first_ts\":");
		put_ts(&b, p->first_ts);
		buf_adds(&b, ",\"last_ts\":");
		put_ts(&b, p->last_ts);
		snprintf(num, sizeof(num), ",\"events\":%llu", (unsigned long long)p->events);
		buf_adds(&b, num);
		for (k = 1; k <= 7; k++) {
			buf_adds(&b, ",\"ts_");
			buf_adds(&b, vocab_stage_names[k]);
			buf_adds(&b, "\":");
			if (p->ts_stage[k] != NO_TS && p->ts_stage[k] <= horizon)
				put_ts(&b, p->ts_stage[k]);
			else
				buf_adds(&b, "null");
		}
		snprintf(num, sizeof(num), ",\"platforms\":%d", __builtin_popcount(p->platforms));
		buf_adds(&b, num);
		buf_adds(&b, ",\"first_platform\":\"");
		buf_adds(&b, vocab_platforms[p->first_platform]);
		buf_adds(&b, "\"}\n");
		if (out_write(&r->d->out, b.p, b.len) < 0)
			break;
	}
	buf_free(&b);
	free(order);
	return r->d->out.err ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct worker workers[PAR_MAX_WORKERS];
	void *wctx[PAR_MAX_WORKERS];
	struct opts o;
	struct run r;
	int first, status, k;
	unsigned w, nw;

	diag_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	first = parse_args(argc, argv, &o);
	if (first <= 0)
		return cli_args_status(first);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	r.people.no_values = !o.journeys;	/* a set of customers, unless journeys need more */
	nw = o.d.threads > 1 ? o.d.threads : 1;
	memset(workers, 0, sizeof(workers[0]) * nw);
	for (w = 0; w < nw; w++) {
		workers[w].o = &o;
		wctx[w] = &workers[w];
	}
	status = drive_open(&o.d, stage_line, wctx);
	if (status == EXIT_OK)
		status = drive_inputs(&o.d, argv + first, argc - first, commit, NULL, NULL, &r);
	if (status == EXIT_OK && o.journeys && !o.d.gone && write_journeys(&r) < 0 &&
	    o.d.out.err != EPIPE)
		status = EXIT_DATA;
	if (o.stats) {
		char line[512];
		int n = snprintf(line, sizeof(line), "read %llu; by stage:", (unsigned long long)r.read);

		for (k = 1; k <= 7; k++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s %llu", vocab_stage_names[k],
				      (unsigned long long)r.staged[k]);
		snprintf(line + n, sizeof(line) - (size_t)n, ", none %llu; advocacy acts by non-customers %llu",
			 (unsigned long long)r.staged[0], (unsigned long long)r.advocacy_denied);
		diag("%s", line);
		if (o.journeys)
			diag("%zu people, %zu bytes of ids", r.nperson, r.ids.used);
	}
	status = drive_close(&o.d, status);
	htab_free(&r.people);
	free(r.person);
	arena_free(&r.ids);
	for (w = 0; w < nw; w++)
		jobj_free(&workers[w].obj);
	return status;
}
