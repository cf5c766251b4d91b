/*
 * vchain-stage - place every event, and with --journeys every person, in
 * the social media value chain.
 *
 * Each event gets `stage` (1-7) and `stage_name` after its `type`, from the
 * stage map (schemas/stages.tsv, or --map). Advocacy (7) needs a customer:
 * a positive review, mention, share or tag, or a referral, by someone who
 * bought earlier in the stream; the same act by anyone else keeps its
 * ordinary stage. So one set of customers is kept, and input order matters:
 * workers parse and split each record; the set is cut into parts by the
 * user's hash (par_set_parts), each part taking its records in input order
 * on one thread at a time, so a purchase always comes before the same
 * person's later acts and the result never depends on the number of
 * threads; the ordered commit step writes. With --journeys every person's
 * row is kept, in the commit step.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#include "lib/person.h"
#include "lib/rec.h"
#include "lib/sort.h"
#include "lib/ts.h"
#include "lib/vocab.h"

#define NO_TS REC_NO_TS

_Static_assert(VOCAB_NPLATFORMS <= 16, "a person's platforms are a 16-bit set");

/* The members a worker picks from a line, in member_names' order. */
enum member { M_TYPE, M_USER, M_TS, M_PLATFORM, M_SENTIMENT, M_RATING, M_STAGE, M_STAGE_NAME, M_N };
static const char *const member_names[M_N] = { "type",	    "user_id", "ts",	"platform",
					       "sentiment", "rating",  "stage", "stage_name" };

struct opts {
	struct stage_map map;
	double positive;	/* sentiment threshold for advocacy */
	int journeys;
	long long window_ms;	/* --journeys --window */
	int sorted_check;
	long long tolerance_ms;
	int stats;
	unsigned nparts;	/* of the customers, or with --journeys of the people */
	size_t member_lens[M_N];
	struct jpick pick;	/* the members read (enum member's) */
	struct drive d;		/* output, threads, input options */
};


/* F_DECIDED: the person's part set the stage (in base) */
enum { F_USER = 1, F_TS = 2, F_CANDIDATE = 4, F_PURCHASE = 8, F_DECIDED = 16 };

/*
 * A part of the people, by user hash: those who bought; with --journeys
 * every person's journey (whether they bought with it).
 */
struct cpart {	/* on lines of its own: the parts of a chunk run at once (par_calloc_lines) */
	_Alignas(PAR_LINE) struct htab customers;
	struct htab_rows people;	/* --journeys: struct person, keyed rows */
	struct arena ids;	/* --journeys: the people's user ids */
	size_t nperson;		/* of people, those with a journey (a staged event) */
	uint64_t denied;	/* advocacy acts by non-customers */
	int oom;
};

/* What a worker hands the commit step for each record, followed by its bytes and user id. */
struct srec {
	struct h128 user;
	long long ts_ms;
	const char *line;	/* a record copied whole: its line, in the chunk's input; else NULL, rebuilt after this */
	uint32_t prefix;	/* bytes before the place of stage and stage_name */
	uint32_t len;		/* of the record, without '\n' */
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

/* Per person, for --journeys (a row of a part's people): 136 bytes plus the id. */
struct person {
	struct h128 key;	/* the user hash: a keyed row's */
	uint8_t customer;	/* bought, so far in the stream */
	const char *user;	/* raw JSON string content (or digits), in the arena; NULL before a staged event */
	uint32_t user_len;
	uint16_t platforms;	/* bit per platform seen */
	uint8_t first_platform;
	uint8_t user_num;
	long long first_ts, last_ts;
	long long ts[STAGES];	/* first time each stage was reached; NO_TS: never */
	uint64_t events;
};

struct run {
	const struct opts *o;
	struct drive *d;
	struct cpart *parts;	/* o->nparts of them */
	void **pctx;
	long long newest;
	int have_newest;
	uint64_t read, staged[8], advocacy_denied;
};


static void usage(FILE *f)
{
	fputs("usage: vchain-stage [-h] [--version] [--map FILE] [--positive X]\n"
	      "                    [--journeys [--window DUR]] [--sorted-check[=DUR]] [--stats]\n"
	      "                    [-o FILE] [-j N] [--max-line SIZE] [FILE ...]\n"
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
	      "      --sorted-check[=DUR]  error when ts goes back by more than DUR (default 0;\n"
	      "                        the '=' is needed: --sorted-check=5m)\n"
	      "      --stats           events per stage (stderr)\n"
	      "  -o, --output FILE     write to FILE instead of stdout\n", f);
	cli_help_threads(f);
	fputs("      --max-line SIZE   longest line accepted (default 16M)\n"
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
	long long ms;
	int c, k, sorted_arg = 0;

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
			sorted_arg = optarg != NULL;
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
	/* an optional argument is only ever glued on: "--sorted-check 1h" would read a file named 1h */
	if (o->sorted_check && !sorted_arg && optind < argc && cli_parse_duration(argv[optind], &ms) == 0 &&
	    access(argv[optind], F_OK) != 0) {
		diag("--sorted-check takes its duration after '=': --sorted-check=%s", argv[optind]);
		return -1;
	}
	if (o->window_ms && !o->journeys) {
		diag("--window goes with --journeys");
		return -1;
	}
	if (map && stage_map_load(&o->map, map) < 0)
		return -1;
	if (!map)
		stage_map_default(&o->map);
	for (c = 0; c < M_N; c++)
		o->member_lens[c] = strlen(member_names[c]);
	json_pick_init(&o->pick, member_names, o->member_lens, M_N);
	return optind;
}

/* In a worker: the record without stage fields, split where they go; what commit needs to know. */
static int stage_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks,
		      struct buf *out, char *why)
{
	struct worker *w = ctx;
	const struct opts *o = w->o;
	const struct jfield *type, *f, *user;
	const struct jfield *got[M_N];
	struct jfield picked[M_N];
	struct srec r;
	size_t start = out->len, i, vend;
	int sr, entry, first = 1, whole, k;

	if ((sr = json_line_pick(&w->obj, line, len, marks, &o->pick, picked, got, why)) < 0)
		return sr;
	/* a compact line without stage or stage_name is the record as written: copied whole */
	whole = sr == 1 && !got[M_STAGE] && !got[M_STAGE_NAME];
	if (sr == 1 && !whole) {	/* to be rebuilt member by member: its members from the scan */
		if ((sr = json_scan_record(line, len, &w->obj, marks, why)) < 0)
			return sr;
		for (k = 0; k < M_N; k++)
			got[k] = jobj_get(&w->obj, member_names[k], o->member_lens[k]);
	}
	type = got[M_TYPE];
	if (!type || type->type != J_STR) {
		snprintf(why, 200, "no type (vchain-stage reads canonical events: vchain-parse)");
		return -1;
	}
	entry = stage_map_find(&o->map, type->val, type->vlen);
	if (entry < 0) {
		snprintf(why, 200, "type \"%.*s\" is not in the stage map", (int)(type->vlen > 40 ? 40 : type->vlen), type->val);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.base = (int8_t)o->map.stage[entry];
	if (person_advocacy(o->map.act[entry], got[M_RATING], got[M_SENTIMENT], o->positive))
		r.flags |= F_CANDIDATE;
	if (o->map.act[entry] == ACT_PURCHASE)
		r.flags |= F_PURCHASE;
	user = got[M_USER];
	if (user && (user->type == J_STR || user->type == J_NUM) && user->vlen > 0) {
		r.flags |= F_USER;
		r.user = hash128(user->val, user->vlen);
		r.user_len = o->journeys ? user->vlen : 0;
		r.user_num = user->type == J_NUM;
	}
	if (got[M_TS] && event_ts_ms(got[M_TS], &r.ts_ms) == 0)
		r.flags |= F_TS;
	f = got[M_PLATFORM];
	r.platform = (uint8_t)(f && f->type == J_STR ? vocab_platform_index(f->val, f->vlen) : PLATFORM_OTHER);
	if (o->journeys) {	/* only the header: journeys write no events; the person's part takes it */
		r.len = 0;
		if (buf_add(out, &r, sizeof(r)) < 0 || (r.user_len && buf_add(out, user->val, r.user_len) < 0))
			return -2;
		return r.flags & F_USER ? PAR_PART + (int)par_part_of(r.user.hi, o->nparts) : 0;
	}

	if (whole) {
		/*
		 * not copied: the commit writes the line from the chunk's input
		 * (at -j 2 the copy was a fifth of the run, its cache lines
		 * then read by the commit's core)
		 */
		r.line = line;
		r.len = (uint32_t)len;
		r.prefix = (uint32_t)(type->val + type->vlen + 1 - line);	/* after type's closing quote */
		if (buf_add(out, &r, sizeof(r)) < 0)
			return -2;
		goto decided;
	}
	/* header now, filled in at the end; then the members less stage and stage_name */
	if (buf_add(out, &r, sizeof(r)) < 0)
		return -2;
	if (buf_addc(out, '{') < 0)
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
decided:
	/* a purchase or an act of advocacy: its person's part of the customers decides */
	if ((r.flags & F_USER) && (r.flags & (F_CANDIDATE | F_PURCHASE)))
		return PAR_PART + (int)par_part_of(r.user.hi, o->nparts);
	return 0;
}

/* A part's purchases and acts of advocacy of a chunk, in input order: each one's stage. */
static int part_customers(void *ctx, struct par_chunk *c, const uint32_t *offs, size_t n)
{
	struct cpart *pt = ctx;
	struct srec rec;
	uint64_t *val;
	size_t i;
	int customer;

	for (i = 0; i < n; i++) {
		char *p = c->out.p + offs[i];

		memcpy(&rec, p, sizeof(rec));
		customer = (rec.flags & F_CANDIDATE) && htab_get(&pt->customers, rec.user) != NULL;
		if ((rec.flags & F_CANDIDATE) && !customer && rec.base)
			pt->denied++;
		rec.base = (int8_t)person_stage(rec.base, rec.flags & F_CANDIDATE, customer);
		rec.flags |= F_DECIDED;
		/* after its own event: a purchase is stage 6 */
		if ((rec.flags & F_PURCHASE) && htab_put(&pt->customers, rec.user, &val) < 0) {
			pt->oom = 1;
			return -2;
		}
		memcpy(p, &rec, sizeof(rec));
	}
	return 0;
}

/* The people the parts remember: the customers, or with --journeys everyone. */
static size_t remembered(const struct run *r)
{
	size_t n = 0;
	unsigned q;

	for (q = 0; q < r->o->nparts; q++)
		n += r->o->journeys ? r->parts[q].people.n : r->parts[q].customers.count;
	return n;
}

static size_t journeys(const struct run *r)
{
	size_t n = 0;
	unsigned q;

	for (q = 0; q < r->o->nparts; q++)
		n += r->parts[q].nperson;
	return n;
}

/* A staged event of person p (its user id's bytes: user): the journey starts with the first. 0, or -1. */
static int journey_event(struct cpart *pt, struct person *p, const struct srec *rec, const char *user, int stage)
{
	if (!p->user) {
		if (!(p->user = arena_strndup(&pt->ids, user, rec->user_len)))
			return -1;
		p->user_len = rec->user_len;
		p->user_num = rec->user_num;
		p->first_ts = NO_TS;
		p->last_ts = LLONG_MIN;
		stage_times_init(p->ts);
		pt->nperson++;
	}
	p->events++;
	p->platforms |= (uint16_t)(1u << rec->platform);
	if (rec->ts_ms < p->first_ts) {	/* ties keep the first in input order */
		p->first_ts = rec->ts_ms;
		p->first_platform = rec->platform;
	}
	if (rec->ts_ms > p->last_ts)
		p->last_ts = rec->ts_ms;
	stage_times_reach(p->ts, stage, rec->ts_ms);
	return 0;
}

/*
 * --journeys: a part's people's records of a chunk, in input order: each
 * one's stage (whether the person bought before it), and the journey. A
 * staged record without ts is left to the commit, which stops there.
 */
static int part_journeys(void *ctx, struct par_chunk *c, const uint32_t *offs, size_t n)
{
	struct cpart *pt = ctx;
	struct person *pp;
	struct srec rec;
	size_t i;
	int stage;

	for (i = 0; i < n; i++) {
		char *p = c->out.p + offs[i];

		memcpy(&rec, p, sizeof(rec));
		if (!(pp = htab_rows_get(&pt->people, rec.user, NULL))) {
			pt->oom = 1;
			return -2;
		}
		stage = person_stage(rec.base, rec.flags & F_CANDIDATE, pp->customer);
		if ((rec.flags & F_CANDIDATE) && !pp->customer && rec.base)
			pt->denied++;
		/* after its own event: a purchase is stage 6 */
		if (rec.flags & F_PURCHASE)
			pp->customer = 1;
		rec.base = (int8_t)stage;
		rec.flags |= F_DECIDED;
		memcpy(p, &rec, sizeof(rec));
		if (stage && (rec.flags & F_TS) && journey_event(pt, pp, &rec, p + sizeof(rec) + rec.len, stage) < 0) {
			pt->oom = 1;
			return -2;
		}
	}
	return 0;
}

/* The record with stage and stage_name where type was, in one write: never half a record out. */
static int put_record(struct out *o, const char *rec, const struct srec *r, int stage)
{
#define T(s) { s, sizeof(s) - 1 }
	static const struct out_part text[8] = {
		T(",\"stage\":null,\"stage_name\":null"),
		T(",\"stage\":1,\"stage_name\":\"awareness\""),
		T(",\"stage\":2,\"stage_name\":\"consideration\""),
		T(",\"stage\":3,\"stage_name\":\"engagement\""),
		T(",\"stage\":4,\"stage_name\":\"audience\""),
		T(",\"stage\":5,\"stage_name\":\"education\""),
		T(",\"stage\":6,\"stage_name\":\"sale\""),
		T(",\"stage\":7,\"stage_name\":\"advocacy\""),
	};
#undef T
	struct out_part v[4] = { { rec, r->prefix }, text[stage], { rec + r->prefix, r->len - r->prefix }, { "\n", 1 } };

	return out_writev(o, v, 4, r->len + text[stage].n + 1);
}

/* In input order: customers, advocacy, output or journeys. */
static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	const struct opts *o = r->o;
	const char *p = c->out.p, *end = c->out.p + c->out.len, *rec_bytes;
	uint64_t k = 0;	/* the record's number in the chunk: its line, par_record_line */
	struct srec rec;
	unsigned q;
	int stage;

	for (q = 0; c->fatal && q < o->nparts; q++)
		if (r->parts[q].oom) {
			diag_at(r->d->name, 0, "out of memory for %zu %s", remembered(r),
				o->journeys ? "people" : "customers");
			return r->d->stop = -1;
		}
	for (; p < end; p += sizeof(rec) + (rec.line ? 0 : rec.len) + rec.user_len, k++) {
		memcpy(&rec, p, sizeof(rec));
		rec_bytes = rec.line ? rec.line : p + sizeof(rec);
		r->read++;
		if (o->sorted_check && (rec.flags & F_TS)) {
			if (r->have_newest && rec.ts_ms < r->newest - o->tolerance_ms) {
				diag_at(r->d->name, par_record_line(c, first_line, k),
					"ts goes back %.3f s behind the newest so far (--sorted-check; "
					"vchain-sort puts records in time order)",
					(double)(r->newest - rec.ts_ms) / 1000);
				return r->d->stop = -1;
			}
			if (!r->have_newest || rec.ts_ms > r->newest)
				r->newest = rec.ts_ms;
			r->have_newest = 1;
		}
		/*
		 * The person's part gave the stage (in base) of a purchase, of
		 * an act of advocacy (7 by a customer), and with --journeys of
		 * every act of a person (and took it into the journey); the
		 * other acts' is the map's
		 */
		stage = rec.base;
		r->staged[stage]++;
		if (o->journeys) {
			if (!(rec.flags & F_DECIDED) || !stage)
				continue;	/* no person, or a move of nobody (brand replies) */
			if (!(rec.flags & F_TS)) {	/* (its part left its journey as it was) */
				diag_at(r->d->name, par_record_line(c, first_line, k), "--journeys: ts missing or not a timestamp");
				return r->d->stop = -1;
			}
			continue;
		}
		if (put_record(&r->d->out, rec_bytes, &rec, stage) < 0)
			return r->d->stop = -1;
	}
	return drive_chunk_done(r->d, c, first_line);	/* a record that stopped the run, memory; the blank lines */
}

static int by_user(const void *a, const void *b, void *ctx)
{
	const struct person *x = *(const struct person *const *)a, *y = *(const struct person *const *)b;
	size_t n = x->user_len < y->user_len ? x->user_len : y->user_len;
	int c = memcmp(x->user, y->user, n);

	(void)ctx;

	return c ? c : (x->user_len > y->user_len) - (x->user_len < y->user_len);
}

static int put_ts(struct buf *b, long long ms)
{
	char t[TS_MAX_LEN];

	return buf_addc(b, '"') < 0 || buf_add(b, t, ts_format_ms(ms, t)) < 0 || buf_addc(b, '"') < 0 ? -1 : 0;
}

/* One person's record, appended to b: furthest stage, when each stage was first reached (within the window). */
static int journey(struct buf *b, const struct person *p, long long window_ms)
{
	long long horizon;
	int furthest = stage_furthest(p->ts, window_ms, &horizon), k, rc;

	/* numbers by json_put_*, not snprintf (a tenth of the run's time) */
	rc = buf_adds(b, "{\"user_id\":\"") < 0 || buf_add(b, p->user, p->user_len) < 0 ||
	     buf_adds(b, "\",\"stage\":") < 0 || json_put_int(b, furthest) < 0 || buf_adds(b, ",\"stage_name\":\"") < 0 ||
	     buf_adds(b, vocab_stage_names[furthest]) < 0 || buf_adds(b, "\",\"first_ts\":") < 0 ||
	     put_ts(b, p->first_ts) < 0 || buf_adds(b, ",\"last_ts\":") < 0 || put_ts(b, p->last_ts) < 0 ||
	     buf_adds(b, ",\"events\":") < 0 || json_put_uint(b, p->events) < 0;
	for (k = 1; k <= STAGES && !rc; k++)
		rc = buf_adds(b, ",\"ts_") < 0 || buf_adds(b, vocab_stage_names[k]) < 0 || buf_adds(b, "\":") < 0 ||
		     (p->ts[k - 1] != NO_TS && p->ts[k - 1] <= horizon ? put_ts(b, p->ts[k - 1])
								       : buf_adds(b, "null")) < 0;
	return rc || buf_adds(b, ",\"platforms\":") < 0 || json_put_uint(b, (unsigned)__builtin_popcount(p->platforms)) < 0 ||
	       buf_adds(b, ",\"first_platform\":\"") < 0 ||
	       buf_adds(b, vocab_platforms[p->first_platform]) < 0 || buf_adds(b, "\"}\n") < 0 ? -1 : 0;
}

/* The journeys written a batch at a time: each of its pieces formatted by a thread into a buffer of its own. */
#define JOURNEY_BATCH 8192	/* people: about 2.5 MB of journeys, in cache when written */
#define JOURNEY_PIECES 32	/* of a batch: more than threads, for threads that come late */

struct jpieces {
	const struct person **order;
	size_t from, n;		/* the batch: order[from .. from + n) */
	long long window_ms;
	struct buf b[JOURNEY_PIECES];
	int failed[JOURNEY_PIECES];
};

/* (into a copy of its buffer: the buffers share cache lines, which each append's length would bounce) */
static void format_piece(void *ctx, unsigned t)
{
	struct jpieces *x = ctx;
	size_t i = x->from + x->n * t / JOURNEY_PIECES, end = x->from + x->n * (t + 1) / JOURNEY_PIECES;
	struct buf b = x->b[t];
	int failed = 0;

	b.len = 0;
	for (; i < end && !failed; i++)
		failed = journey(&b, x->order[i], x->window_ms) < 0;
	x->b[t] = b;
	x->failed[t] = failed;
}

/*
 * One record per person, sorted by user_id (a person's id is in one part:
 * the order is the same for every -j). 0, or -1 (a write error in out, or
 * out of memory).
 */
static int write_journeys(struct run *r)
{
	struct jpieces *x = calloc(1, sizeof(*x));
	size_t np = journeys(r), i, n = 0;
	const struct person **order = malloc((np ? np : 1) * sizeof(*order));
	unsigned q, t;
	int rc = -1;

	if (!order || !x)
		goto done;
	for (q = 0; q < r->o->nparts; q++)
		for (i = 0; i < r->parts[q].people.n; i++) {	/* the people with a journey */
			const struct person *p = htab_rows_at(&r->parts[q].people, i);

			if (p->user)
				order[n++] = p;
		}
	if (sort_stable_par(r->d->par, order, n, sizeof(*order), by_user, NULL) < 0)
		goto done;
	x->order = order;
	x->window_ms = r->o->window_ms;
	for (x->from = 0; x->from < n; x->from += x->n) {
		x->n = n - x->from < JOURNEY_BATCH ? n - x->from : JOURNEY_BATCH;
		par_each(r->d->par, JOURNEY_PIECES, format_piece, x);
		for (t = 0; t < JOURNEY_PIECES; t++)
			if (x->failed[t] || (x->b[t].len && out_write(&r->d->out, x->b[t].p, x->b[t].len) < 0))
				goto done;
	}
	rc = 0;
done:
	if (rc < 0 && !r->d->out.err)
		diag("out of memory for the journeys of %zu people", np);
	if (x)
		for (t = 0; t < JOURNEY_PIECES; t++)
			buf_free(&x->b[t]);
	free(x);
	free(order);
	return rc;
}

static int worker_init(void *ctx, void *o)
{
	((struct worker *)ctx)->o = o;
	return 0;
}

static void worker_done(void *ctx)
{
	jobj_free(&((struct worker *)ctx)->obj);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	unsigned q;
	int first, status, k;

	cli_start(argv[0]);
	first = parse_args(argc, argv, &o);
	if (first <= 0)
		return cli_args_status(first);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	o.nparts = drive_parts(&o.d);
	r.parts = par_calloc_lines(o.nparts, sizeof(*r.parts), NULL);
	r.pctx = calloc(o.nparts, sizeof(*r.pctx));
	if (!r.parts || !r.pctx) {
		diag("out of memory");
		return EXIT_DATA;
	}
	for (q = 0; q < o.nparts; q++) {
		r.parts[q].customers.no_values = 1;
		htab_rows_init_keyed(&r.parts[q].people, sizeof(struct person), 4096);
		r.pctx[q] = &r.parts[q];
	}
	o.d.parts = o.nparts;
	o.d.part_fn = o.journeys ? part_journeys : part_customers;
	o.d.pctx = r.pctx;
	status = drive_start(&o.d, stage_line, sizeof(struct worker), worker_init, &o, worker_done);
	if (status == EXIT_OK)
		status = drive_inputs(&o.d, argv + first, argc - first, commit, NULL, NULL, &r);
	for (q = 0; q < o.nparts; q++)
		r.advocacy_denied += r.parts[q].denied;
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
		if (o.journeys) {
			size_t ids = 0;

			for (q = 0; q < o.nparts; q++)
				ids += r.parts[q].ids.used;
			diag("%zu people, %zu bytes of ids", journeys(&r), ids);
		}
		drive_say_blank(&o.d);
	}
	status = drive_close(&o.d, status);
	for (q = 0; q < o.nparts; q++) {
		htab_free(&r.parts[q].customers);
		htab_rows_free(&r.parts[q].people);
		arena_free(&r.parts[q].ids);
	}
	free(r.parts);
	free(r.pctx);
	return status;
}
