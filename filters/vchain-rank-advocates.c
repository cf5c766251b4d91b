/*
 * vchain-rank-advocates - the customers who bring in other customers,
 * ranked by what their advocacy produced.
 *
 * Workers read each event into what the ranking needs (who, when, which
 * act by vchain-stage's rule, a purchase's revenue, the audience size, a
 * referrer) and route it to its person's part of the state: each part,
 * an engine of its own (advocates.h), takes its people's events in input
 * order, because an act is advocacy only when its author had bought
 * earlier in the stream, as vchain-stage decides it. At the end each
 * part's referrals are counted into the referrers' rows, where their own
 * parts keep them, and the writers read the parts in place. --approx, one
 * summary of bounded size, takes the events in the ordered commit step.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/advocates.h"
#include "lib/cli.h"
#include "lib/dec.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/event.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/partial.h"
#include "lib/person.h"
#include "lib/rec.h"
#include "lib/ts.h"
#include "lib/vocab.h"

_Static_assert(VOCAB_NPLATFORMS <= 16, "a row's platforms are a 16-bit set");

/* The members read, each a slot; a key may fill several (-g platform is also the platform). */
enum member_slot { S_TYPE, S_USER, S_TS, S_PLATFORM, S_SENTIMENT, S_RATING, S_FOLLOWERS, S_REVENUE, S_REFERRED, S_URL,
	    S_GROUP, S_REF, NSLOT };	/* the slots before S_GROUP always picked, the two after when given */

struct opts {
	struct adv_cfg a;
	struct stage_map map;
	size_t ref_len;
	const char *names[NSLOT];	/* the members picked from a line: the slots', -g and --ref only when set */
	size_t lens[NSLOT];
	int pick_of[NSLOT];		/* a slot's index in names, or -1 */
	struct jpick pick;
	int summary, partial, merge, stats, top_given, capacity_given;
	unsigned nparts;		/* of the state (0: --approx, in the commit step) */
	struct drive d;
};

struct worker {
	const struct opts *o;
	struct jobj obj;
	struct buf tmp;
};

struct run {
	struct opts *o;
	struct drive *d;
	struct adv a;
};

static void usage(FILE *f)
{
	fputs("usage: vchain-rank-advocates [-h] [--version] [-n N] [-g FIELD] [--summary]\n"
	      "                             [--include-fans] [--as-of TS] [--half-life DUR]\n"
	      "                             [--weights K=W,...] [--ref-field FIELD]\n"
	      "                             [--positive X] [--approx [--capacity N]]\n"
	      "                             [--partial | --merge] [--format FMT] [--map FILE]\n"
	      "                             [--stats] [--rejects FILE [--max-rejects N|P%]]\n"
	      "                             [-o FILE] [-j N] [--max-line SIZE] [FILE ...]\n"
	      "\n"
	      "Rank customers by what their advocacy produced: shares, positive mentions\n"
	      "and tags, reviews rated 4 or more and referrals after their first purchase,\n"
	      "weighted by reach and decayed with age, plus the customers they referred,\n"
	      "less their detractor acts. Input: canonical events in time order.\n"
	      "\n"
	      "  -n, --top N           rows per ranking (default 20)\n"
	      "  -g, --group FIELD     a ranking per value of FIELD (e.g. platform)\n"
	      "      --summary         one row: customers, advocates, referred people, k-factor\n"
	      "      --include-fans    rank everyone, with customer true|false; count acts\n"
	      "                        before a purchase too\n"
	      "      --as-of TS        decay ages measured back from TS; later events left out\n"
	      "                        (default: the latest ts in the input)\n"
	      "      --half-life DUR   an act's weight halves every DUR (default 90d)\n"
	      "      --weights K=W,... share=3,mention=2,tag=2,review=4,referral=5,\n"
	      "                        referred_customer=10,detractor=3 (the defaults)\n"
	      "      --ref-field FIELD a visit's FIELD (or its url's FIELD query value) names\n"
	      "                        the referrer, beside referred_by\n"
	      "      --positive X      sentiment from which a mention, share or tag is\n"
	      "                        positive (default 0.25, as vchain-stage)\n"
	      "      --approx          bounded memory: a top-k summary (see --stats)\n"
	      "      --capacity N      --approx: people kept (default 100 x N)\n"
	      "      --partial         write mergeable partial results\n"
	      "      --merge           read partial results (of shards split by user_id) and\n"
	      "                        merge them\n"
	      "      --format FMT      ndjson (default), csv, tsv, table\n"
	      "      --map FILE        stage map TYPE<tab>STAGE (default schemas/stages.tsv)\n"
	      "      --stats           what was counted, memory, --approx's guarantee (stderr)\n"
	      DRIVE_REJECTS_HELP
	      "  -o, --output FILE     write to FILE instead of stdout\n", f);
	cli_help_threads(f);
	fputs("      --max-line SIZE   longest line accepted (default 16M)\n"
	      "  -h, --help            this help\n"
	      "      --version         version\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data or I/O error, 2 usage error.\n"
	      "See vchain-rank-advocates(1).\n", f);
}

static int parse_count(const char *opt, const char *s, size_t *v)
{
	unsigned long long x;

	if (cli_parse_number(s, 1, 1ull << 31, &x) < 0) {
		diag("%s: '%s' is not a count from 1 to 2^31", opt, s);
		return -1;
	}
	*v = (size_t)x;
	return 0;
}

static int add_weight(void *ctx, const char *s, size_t n)
{
	struct adv_cfg *a = ctx;
	const char *eq = memchr(s, '=', n);
	char num[64], *end;
	double w;
	size_t k, klen;

	klen = eq ? (size_t)(eq - s) : n;
	if (!eq || n - klen - 1 == 0 || n - klen - 1 >= sizeof(num))
		goto bad;
	memcpy(num, eq + 1, n - klen - 1);
	num[n - klen - 1] = '\0';
	errno = 0;
	w = strtod(num, &end);
	if (errno || *end || !(w >= 0 && w < 1e12))
		goto bad;
#define IS(name) (klen == sizeof(name) - 1 && memcmp(s, name, klen) == 0)
	for (k = 0; k < ADV_ACTS; k++)
		if (klen == strlen(adv_act_names[k]) && memcmp(s, adv_act_names[k], klen) == 0) {
			a->w[k] = w;
			return 0;
		}
	if (IS("referred_customer"))
		a->w_referred_customer = w;
	else if (IS("detractor"))
		a->w_detractor = w;
	else
		goto bad;
#undef IS
	return 0;
bad:
	diag("--weights: '%.*s' is not NAME=WEIGHT with NAME one of share, mention, tag, review, referral, "
	     "referred_customer, detractor and WEIGHT a number >= 0", (int)n, s);
	return -1;
}

/* The names a worker picks from a line: the slots', -g's and --ref's only when given. */
static void pick_names(struct opts *o)
{
	static const char *const fixed[S_GROUP] = { "type",   "user_id",   "ts",	  "platform",	 "sentiment",
						    "rating", "followers", "revenue", "referred_by", "url" };
	unsigned n = 0;
	int k;

	for (k = 0; k < NSLOT; k++) {
		const char *name = k < S_GROUP ? fixed[k] : k == S_GROUP ? o->a.group : o->a.ref_field;

		o->pick_of[k] = name ? (int)n : -1;
		if (name) {
			o->names[n] = name;
			o->lens[n++] = strlen(name);
		}
	}
	json_pick_init(&o->pick, o->names, o->lens, n);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum {
		OPT_SUMMARY = 256, OPT_FANS, OPT_ASOF, OPT_HALF, OPT_WEIGHTS, OPT_REF, OPT_POSITIVE, OPT_APPROX,
		OPT_CAPACITY, OPT_PARTIAL, OPT_MERGE, OPT_FORMAT, OPT_MAP, OPT_STATS
	};
	static const struct option longopts[] = {
		{ "top", required_argument, NULL, 'n' },
		{ "group", required_argument, NULL, 'g' },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "include-fans", no_argument, NULL, OPT_FANS },
		{ "as-of", required_argument, NULL, OPT_ASOF },
		{ "half-life", required_argument, NULL, OPT_HALF },
		{ "weights", required_argument, NULL, OPT_WEIGHTS },
		{ "ref-field", required_argument, NULL, OPT_REF },
		{ "positive", required_argument, NULL, OPT_POSITIVE },
		{ "approx", no_argument, NULL, OPT_APPROX },
		{ "capacity", required_argument, NULL, OPT_CAPACITY },
		{ "partial", no_argument, NULL, OPT_PARTIAL },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "map", required_argument, NULL, OPT_MAP },
		{ "stats", no_argument, NULL, OPT_STATS },
		DRIVE_REJECTS_LONGOPTS,
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const double defaults[ADV_ACTS] = { 3, 2, 2, 4, 5 };
	const char *map = NULL;
	int c, k, computed = 0;	/* options that --merge takes from the partial results */
	struct vts t;
	char *end;

	memset(o, 0, sizeof(*o));
	memcpy(o->a.w, defaults, sizeof(defaults));
	o->a.w_referred_customer = 10;
	o->a.w_detractor = 3;
	o->a.half_life_ms = 90LL * 86400000;
	o->a.top = 20;
	o->a.positive = 0.25;
	if (drive_init(&o->d) < 0)
		return -1;
	o->d.json_lines = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:g:" DRIVE_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_count("-n", optarg, &o->a.top) < 0)
				return -1;
			o->top_given = 1;
			break;
		case 'g': o->a.group = optarg; computed++; break;
		case OPT_SUMMARY: o->summary = 1; break;
		case OPT_FANS: o->a.include_fans = 1; computed++; break;
		case OPT_ASOF:
			if (ts_parse(optarg, strlen(optarg), &t) < 0) {
				diag("--as-of: '%s' is not a timestamp (e.g. 2024-06-30T00:00:00Z)", optarg);
				return -1;
			}
			o->a.as_of_ms = (long long)t.sec * 1000 + t.nsec / 1000000;
			o->a.as_of_given = 1;
			computed++;
			break;
		case OPT_HALF:
			if (cli_parse_duration(optarg, &o->a.half_life_ms) < 0 || o->a.half_life_ms <= 0) {
				diag("--half-life: '%s' is not a duration (e.g. 90d, 12h)", optarg);
				return -1;
			}
			computed++;
			break;
		case OPT_WEIGHTS:
			if (cli_each_item(optarg, add_weight, &o->a) < 0)
				return -1;
			computed++;
			break;
		case OPT_REF: o->a.ref_field = optarg; computed++; break;
		case OPT_POSITIVE:
			errno = 0;
			o->a.positive = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->a.positive >= -1 && o->a.positive <= 1)) {
				diag("--positive: '%s' is not a number from -1 to 1", optarg);
				return -1;
			}
			computed++;
			break;
		case OPT_APPROX: o->a.approx = 1; break;
		case OPT_CAPACITY:
			if (parse_count("--capacity", optarg, &o->a.capacity) < 0)
				return -1;
			o->capacity_given = 1;
			break;
		case OPT_PARTIAL: o->partial = 1; break;
		case OPT_MERGE: o->merge = 1; break;
		case OPT_FORMAT:
			if (out_format_parse(optarg, &o->a.format) < 0) {
				diag("--format: '%s' is not ndjson, csv, tsv or table", optarg);
				return -1;
			}
			break;
		case OPT_MAP: map = optarg; computed++; break;
		case OPT_STATS: o->stats = 1; break;
		default:
			if ((k = drive_take_option(&o->d, c, optarg, argv, usage)) <= 0)
				return k;
		}
	}
	if (o->summary + o->partial > 1) {
		diag("--summary and --partial are different outputs: give one");
		return -1;
	}
	if (o->partial && o->a.format != OUT_NDJSON) {
		diag("--partial writes NDJSON only");
		return -1;
	}
	if (o->merge && (o->partial || computed || o->a.approx || o->d.rejects)) {
		diag("--merge takes the weights and the rest from the partial results: give only -n, --summary "
		     "and --format with it");
		return -1;
	}
	if (o->a.approx && (o->partial || o->summary)) {
		diag("--approx ranks only: --summary and --partial are exact (leave out --approx)");
		return -1;
	}
	if (o->capacity_given && !o->a.approx) {
		diag("--capacity goes with --approx");
		return -1;
	}
	if (o->summary && o->a.group) {
		diag("--summary is over everyone: leave out -g");
		return -1;
	}
	if (o->a.approx && !o->capacity_given)
		o->a.capacity = o->a.top * 100;
	if (o->a.approx && o->a.capacity < o->a.top) {
		diag("--capacity %zu is below -n %zu", o->a.capacity, o->a.top);
		return -1;
	}
	o->ref_len = o->a.ref_field ? strlen(o->a.ref_field) : 0;
	pick_names(o);
	if (map && stage_map_load(&o->map, map) < 0)
		return -1;
	if (!map)
		stage_map_default(&o->map);
	return optind;
}

/* ---- in a worker: an event into a vrec ---- */

/* A string or number member's bytes: 1, or 0 when absent, null, empty or something else. */
static int text_of(const struct jfield *f)
{
	return f && (f->type == J_STR || f->type == J_NUM) && f->vlen > 0;
}

/* The value of query parameter name[0..n) in url u[0..ulen), raw: 1, or 0. */
static int query_value(const char *u, size_t ulen, const char *name, size_t n, const char **v, size_t *vlen)
{
	const char *p = memchr(u, '?', ulen), *end = u + ulen, *amp;

	if (!p)
		return 0;
	for (p++; p < end; p = amp + 1) {
		const char *hash = memchr(p, '#', (size_t)(end - p));

		if (hash)
			end = hash;
		amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		if ((size_t)(amp - p) > n && memcmp(p, name, n) == 0 && p[n] == '=') {
			*v = p + n + 1;
			*vlen = (size_t)(amp - p) - n - 1;
			return *vlen > 0;
		}
	}
	return 0;
}

/* A whole audience size: a number or a string holding one, >= 0. -1 otherwise. */
static long long count_of(const struct jfield *f)
{
	struct dec d;

	if (!text_of(f) || dec_parse(f->val, f->vlen, &d) < 0 || d.m < 0)
		return -1;
	while (d.scale > 0) {
		d.m /= 10;
		d.scale--;
	}
	return d.m > LLONG_MAX ? -1 : (long long)d.m;
}

static struct h128 key_of(struct buf *tmp, const char *user, size_t ulen, const struct jfield *g, int grouped)
{
	if (!grouped)
		return hash128(user, ulen);
	tmp->len = 0;
	if (buf_add(tmp, user, ulen) < 0 || buf_addc(tmp, '\0') < 0 || buf_addc(tmp, g ? 's' : 'n') < 0 ||
	    (g && buf_add(tmp, g->val, g->vlen) < 0))
		return hash128(user, ulen);	/* out of memory: never reached with room for one line */
	return hash128(tmp->p, tmp->len);
}


struct members {
	struct jfield v[NSLOT];
	const struct jfield *p[NSLOT];	/* &v[k], or NULL: absent */
};

/*
 * The members of the line: by the walk of a compact flat object, else by
 * the general scan (escaped keys decoded). 0, or as json_scan_record.
 */
static int read_members(struct worker *w, const char *line, size_t len, const struct scan_marks *marks,
			struct members *m, char *why)
{
	const struct opts *o = w->o;
	const struct jfield *group, *ref;
	int r;

	/* the fixed slots are names 0..S_GROUP-1 (pick_names): picked straight into their slots */
	if ((r = json_line_pick(&w->obj, line, len, marks, &o->pick, m->v, m->p, why)) < 0)
		return r;
	group = o->pick_of[S_GROUP] >= 0 ? m->p[o->pick_of[S_GROUP]] : NULL;
	ref = o->pick_of[S_REF] >= 0 ? m->p[o->pick_of[S_REF]] : NULL;
	m->p[S_GROUP] = group;
	m->p[S_REF] = ref;
	return 0;
}

static int adv_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks, struct buf *out,
		    char *why)
{
	struct worker *w = ctx;
	const struct opts *o = w->o;
	struct members m;
	const struct jfield *type, *user, *ts, *platform, *sentiment, *rating, *followers, *revenue, *referred,
			    *group, *ref, *url;
	const char *refv = NULL;
	size_t refn = 0;
	struct adv_vrec r;
	enum act act;
	int sr, entry;

	if ((sr = read_members(w, line, len, marks, &m, why)) < 0)
		return sr;
	type = m.p[S_TYPE];
	user = m.p[S_USER];
	ts = m.p[S_TS];
	platform = m.p[S_PLATFORM];
	sentiment = m.p[S_SENTIMENT];
	rating = m.p[S_RATING];
	followers = m.p[S_FOLLOWERS];
	revenue = m.p[S_REVENUE];
	referred = m.p[S_REFERRED];
	group = m.p[S_GROUP];
	ref = m.p[S_REF];
	url = m.p[S_URL];
	if (!type || type->type != J_STR) {
		snprintf(why, 200, "no type (vchain-rank-advocates reads canonical events: vchain-parse)");
		return -1;
	}
	if ((entry = stage_map_find(&o->map, type->val, type->vlen)) < 0) {
		snprintf(why, 200, "type \"%.*s\" is not in the stage map", (int)(type->vlen > 40 ? 40 : type->vlen),
			 type->val);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.ts = REC_NO_TS;
	r.followers = -1;
	if (ts && event_ts_ms(ts, &r.ts) < 0)
		r.ts = REC_NO_TS;
	act = o->map.act[entry];
	if (person_advocacy(act, rating, sentiment, o->a.positive))
		r.kind = ADV_PRAISE;
	else if (person_detraction(act, rating, sentiment))
		r.kind = ADV_DETRACT;
	else if (act == ACT_PURCHASE)
		r.kind = ADV_PURCHASE;
	else if (type->vlen == 6 && memcmp(type->val, "refund", 6) == 0)
		r.kind = ADV_REFUND;
	r.act = act == ACT_REFERRAL ? ADV_REFERRAL : act == ACT_REVIEW ? ADV_REVIEW : act == ACT_MENTION ? ADV_MENTION
	      : type->vlen == 3 ? ADV_TAG : ADV_SHARE;
	r.followers = count_of(followers);
	if (text_of(referred)) {
		refv = referred->val;
		refn = referred->vlen;
	} else if (o->a.ref_field &&
		   ((type->vlen == 5 && memcmp(type->val, "visit", 5) == 0) ||
		    (type->vlen == 5 && memcmp(type->val, "click", 5) == 0))) {
		if (text_of(ref)) {
			refv = ref->val;
			refn = ref->vlen;
		} else if (url && url->type == J_STR)
			query_value(url->val, url->vlen, o->a.ref_field, o->ref_len, &refv, &refn);
	}
	r.has_user = text_of(user);
	if (!r.has_user || (r.kind == ADV_NONE && r.followers < 0 && !refv)) {
		/* no person (an insights row), or nothing the ranking reads: only its time counts */
		r.has_user = 0;
		if (buf_add(out, &r, sizeof(r)) < 0)
			return -2;
		return o->nparts ? PAR_PART + (int)adv_part_of(&r, o->nparts) : 0;
	}
	if ((r.kind == ADV_PRAISE || r.kind == ADV_DETRACT) && r.ts == REC_NO_TS) {
		snprintf(why, 200, "a %.*s by a person needs ts, a timestamp (its weight decays with age)",
			 (int)type->vlen, type->val);
		return -1;
	}
	if ((r.kind == ADV_PURCHASE || r.kind == ADV_REFUND) && revenue && revenue->type != J_NULL &&
	    (!text_of(revenue) || dec_parse(revenue->val, revenue->vlen, &r.revenue) < 0)) {
		snprintf(why, 200, "revenue is not an exact number");
		return -1;
	}
	r.platform = (uint8_t)(platform && platform->type == J_STR ? vocab_platform_index(platform->val, platform->vlen)
								   : PLATFORM_OTHER);
	r.has_group = text_of(group);
	if (!r.has_group)
		group = NULL;
	r.user = hash128(user->val, user->vlen);
	r.key = key_of(&w->tmp, user->val, user->vlen, group, o->a.group != NULL);
	if (refv) {
		r.has_ref = 1;
		r.ref_len = (uint32_t)refn;
		r.ref_user = hash128(refv, refn);
		r.ref_key = key_of(&w->tmp, refv, refn, group, o->a.group != NULL);
	}
	r.id_len = (uint32_t)user->vlen;
	r.group_len = group ? (uint32_t)group->vlen : 0;
	if (buf_add(out, &r, sizeof(r)) < 0 || buf_add(out, user->val, user->vlen) < 0 ||
	    (group && buf_add(out, group->val, group->vlen) < 0) || (refv && buf_add(out, refv, refn) < 0))
		return -2;
	return o->nparts ? PAR_PART + (int)adv_part_of(&r, o->nparts) : 0;
}

/* ---- the commit step ---- */

static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	uint64_t line;

	if (c->fatal)	/* out of memory mapping it: the parts took none of it */
		return drive_chunk_done(r->d, c, first_line);
	if (adv_commit(&r->a, c, first_line, &line) < 0) {
		diag_at(r->d->name, line, "%s", r->a.why);
		return r->d->stop = -1;
	}
	return drive_chunk_done(r->d, c, first_line);
}

/* ---- --merge ---- */

static int merge_line(void *ctx, const char *line, size_t len)
{
	return adv_merge_line(ctx, line, len);
}

static void merge_input(void *ctx)
{
	adv_merge_input(ctx);
}

static int merge_input_done(void *ctx)
{
	return adv_merge_input_done(ctx);
}

/* ---- main ---- */

static int worker_init(void *ctx, void *o)
{
	((struct worker *)ctx)->o = o;
	return 0;
}

static void worker_done(void *ctx)
{
	jobj_free(&((struct worker *)ctx)->obj);
	buf_free(&((struct worker *)ctx)->tmp);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	int first, status, k;

	cli_start(argv[0]);
	first = parse_args(argc, argv, &o);
	if (first <= 0)
		return cli_args_status(first);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	if (adv_init(&r.a, &o.a) < 0) {
		diag("%s", r.a.why);
		adv_free(&r.a);
		return EXIT_DATA;
	}
	if (o.merge) {
		struct drive_merge m = { &r.a, merge_line, merge_input, merge_input_done, r.a.why, 0 };

		status = drive_merge(&o.d, argv + first, argc - first, &m);
		if (status == EXIT_OK && !r.a.configured) {
			diag("--merge: no partial results in the input");
			status = EXIT_DATA;
		}
		/* what the shards computed with, for the output; -n and --format stay this run's */
		r.a.cfg.top = o.a.top;
		r.a.cfg.format = o.a.format;
	} else {
		status = EXIT_OK;
		if (!o.a.approx) {	/* --approx is one summary of bounded size: the commit step keeps it */
			if (adv_parts(&r.a, o.d.threads) < 0) {
				diag("%s", r.a.why);
				status = EXIT_DATA;
			}
			o.nparts = r.a.nparts;
			o.d.parts = r.a.nparts;
			o.d.part_fn = adv_part;
			o.d.pctx = r.a.pctx;
		}
		if (status == EXIT_OK)
			status = drive_start(&o.d, adv_line, sizeof(struct worker), worker_init, &o, worker_done);
		if (status == EXIT_OK)
			status = drive_inputs(&o.d, argv + first, argc - first, commit, NULL, NULL, &r);
		if (status == EXIT_OK && adv_finish(&r.a, o.d.par) < 0) {
			diag("%s", r.a.why);
			status = EXIT_DATA;
		}
	}
	if (status == EXIT_OK && !o.d.gone) {
		k = o.partial ? adv_write_partial(&r.a, &o.d.out)
		  : o.summary ? adv_write_summary(&r.a, &o.d.out) : adv_write_ranking(&r.a, &o.d.out);
		if (k < 0 && !o.d.out.err)
			diag("%s", r.a.why);
		if (k < 0 && o.d.out.err != EPIPE)
			status = EXIT_DATA;
	}
	if (o.stats) {
		adv_stats(&r.a);
		drive_say_blank(&o.d);
	}
	status = drive_close(&o.d, status);
	adv_free(&r.a);
	return status;
}
