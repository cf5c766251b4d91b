/*
 * vchain-attribute - which channels, campaigns and posts drove the
 * conversions: rule-based models per conversion, and the Markov removal
 * effect and Shapley values over every journey, converting or not.
 *
 * Workers parse each event into what attribution needs (who, when, a
 * touch or a conversion, its channel); the ordered commit step keeps each
 * person's touches within the lookback window (journey.h), credits each
 * conversion as it comes (attr.h) and adds every journey to the path
 * table (paths.h), from which the path-level models are solved at the end
 * (pathmodel.h).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/attr.h"
#include "lib/cli.h"
#include "lib/dec.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/event.h"
#include "lib/hash.h"
#include "lib/journey.h"
#include "lib/json.h"
#include "lib/partial.h"
#include "lib/pathmodel.h"
#include "lib/paths.h"
#include "lib/person.h"
#include "lib/sort.h"
#include "lib/spend.h"
#include "lib/writer.h"

#define MAX_BY 8
#define MAX_TYPES 32

struct opts {
	int model[ATTR_NMODELS], nmodel;	/* in the order given */
	int models_given;
	const char *conv[MAX_TYPES], *touch[MAX_TYPES];
	int nconv, ntouch;
	const char *value_field;
	const char *by[MAX_BY];
	int nby;
	long long lookback_ms, tolerance_ms;
	enum attr_transform tf;
	struct attr_params par;
	int order;
	int summary, paths, partial, merge, stats;
	const char *from_paths, *spend_path;
	enum out_format format;
	struct stage_map map;
	struct drive d;
	char *owned[64];	/* the list items copied, freed at the end */
	int nowned;
};

enum kind { K_OTHER, K_TOUCH, K_CONV };

/* What a worker hands the commit step for each event, followed by the bytes of ch, id, user and ts. */
struct arec {
	struct h128 user;
	long long ts;
	struct dec value;
	uint32_t ch_len, id_len, user_len, ts_len;
	uint8_t kind, has_user, has_value;
};

struct worker {
	const struct opts *o;
	struct jobj obj;
};

struct credit {
	unsigned __int128 units;	/* billionths of a conversion */
	struct dec value;
};

struct run {
	struct opts *o;
	struct drive *d;
	struct paths paths;
	struct journeys jn;
	struct credit *cr[ATTR_NMODELS];	/* by channel id, for the per-conversion models */
	size_t cr_cap;
	uint8_t *direct;	/* by channel id */
	size_t direct_n;
	struct attr_touch *tt;	/* scratch: a path being credited */
	size_t tt_cap;
	uint32_t *ids;
	long double *w, *wc;
	uint32_t *cc;
	struct dec *vparts;
	unsigned __int128 *uparts;
	size_t scratch_cap;
	struct buf tmp;
	struct writer w_conv;	/* the credit records */
	int w_open;
	struct buf vals[7];
	long long newest;
	int have_newest;
	struct partial_in pin;
	struct jobj jo[2];
	int merge_failed, configured;
	const char *lineno_name;
	uint64_t read, touches, conversions, direct_conv, others, anon_touches, no_value, null_paths;
};

static void usage(FILE *f)
{
	fputs("usage: vchain-attribute [-h] [--version] [-m MODELS] [--conversion TYPES] [--touch TYPES]\n"
	      "                        [--by FIELDS] [--lookback DUR] [--transform T] [--half-life DUR]\n"
	      "                        [--position F,M,L] [--order K] [--tolerance DUR] [--value-field F]\n"
	      "                        [--summary [--spend FILE] | --paths] [--from-paths FILE]\n"
	      "                        [--partial | --merge] [--format FMT] [--map FILE] [--stats]\n"
	      "                        [--rejects FILE] [-o FILE] [-j N] [--max-line SIZE] [FILE ...]\n"
	      "\n"
	      "Credit each conversion (a purchase) to the touches of the same person before\n"
	      "it, by channel (the platform, or --by), under rule-based models, and over all\n"
	      "journeys under the Markov removal-effect and Shapley models. Reads canonical\n"
	      "events in time order (vchain-sort).\n"
	      "\n"
	      "  -m, --models LIST     first,last,last_non_direct,linear,time_decay,position,\n"
	      "                        markov,shapley (default: all)\n"
	      "      --conversion LIST event types that convert (default purchase)\n"
	      "      --value-field F   a conversion's value (default revenue; absent: 1)\n"
	      "      --touch LIST      event types that touch (default: those of stages 1-5)\n"
	      "      --by FIELDS       a touch's channel: fields joined by '/' (default platform)\n"
	      "      --lookback DUR    touches this long before a conversion count (default 30d)\n"
	      "      --transform T     none (default), unique, exposure, first, frequency\n"
	      "      --half-life DUR   time_decay's half-life (default 7d)\n"
	      "      --position F,M,L  position's shares: first, middle, last (default 0.4,0.2,0.4)\n"
	      "      --order K         markov: states of the last K channels, 1-4 (default 1)\n"
	      "      --tolerance DUR   how far ts may go back before it is an error (default 0)\n"
	      "      --summary         one record per model and channel (conversions, value, share)\n"
	      "      --spend FILE      with --summary: spend, roas, cost_per_conversion by channel\n"
	      "      --paths           the journeys as ChannelAttribution's path table\n"
	      "      --from-paths FILE read a path table (CSV) instead of events\n"
	      "      --partial         write mergeable partial results\n"
	      "      --merge           read partial results (of shards) and merge them\n"
	      "      --format FMT      ndjson (default), csv, tsv, table\n"
	      "      --map FILE        stage map TYPE<tab>STAGE (default schemas/stages.tsv)\n"
	      "      --stats           counts and memory (stderr)\n"
	      "      --rejects FILE    go on past bad records, writing them to FILE byte-exact\n"
	      "  -o, --output FILE     write to FILE instead of stdout\n"
	      "  -j, --threads N       threads in all (default: the number of CPUs)\n"
	      "      --max-line SIZE   longest line accepted (default 16M)\n"
	      "  -h, --help            this help\n"
	      "      --version         version\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data or I/O error, 2 usage error.\n"
	      "See vchain-attribute(1).\n", f);
}

/* ---- options ---- */

struct list {
	const char **v;
	int *n, max;
	const char *opt;
	struct opts *o;
};

static int add_item(void *ctx, const char *s, size_t n)
{
	struct list *l = ctx;
	char *c;

	if (*l->n == l->max || l->o->nowned == (int)(sizeof(l->o->owned) / sizeof(l->o->owned[0]))) {
		diag("%s: at most %d names", l->opt, l->max);
		return -1;
	}
	if (!(c = strndup(s, n))) {
		diag("out of memory");
		return -1;
	}
	l->o->owned[l->o->nowned++] = c;
	l->v[(*l->n)++] = c;
	return 0;
}

static int take_list(struct opts *o, const char *arg, const char **v, int *n, int max, const char *opt)
{
	struct list l = { v, n, max, opt, o };

	*n = 0;
	return cli_each_item(arg, add_item, &l) < 0 ? -1 : 0;
}

static int add_model(void *ctx, const char *s, size_t n)
{
	struct opts *o = ctx;
	int m = attr_model_of(s, n), i;

	if (m < 0) {
		diag("-m: '%.*s' is not a model (first, last, last_non_direct, linear, time_decay, position, "
		     "markov, shapley)", (int)n, s);
		return -1;
	}
	for (i = 0; i < o->nmodel; i++)
		if (o->model[i] == m)
			return 0;
	o->model[o->nmodel++] = m;
	return 0;
}

static int duration(const char *opt, const char *arg, long long *ms, int zero_ok)
{
	if (cli_parse_duration(arg, ms) < 0 || (*ms <= 0 && !zero_ok)) {
		diag("%s: '%s' is not a duration (e.g. 30d, 12h)", opt, arg);
		return -1;
	}
	return 0;
}

static int parse_position(const char *arg, double pos[3])
{
	char *end;
	const char *s = arg;
	int i;

	for (i = 0; i < 3; i++) {
		errno = 0;
		pos[i] = strtod(s, &end);
		if (errno || end == s || !(pos[i] >= 0) || (i < 2 ? *end != ',' : *end != 0))
			goto bad;
		s = end + 1;
	}
	if (pos[0] + pos[1] + pos[2] <= 0)
		goto bad;
	return 0;
bad:
	diag("--position: '%s' is not three shares F,M,L (e.g. 0.4,0.2,0.4)", arg);
	return -1;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum {
		OPT_CONV = 256, OPT_TOUCH, OPT_VALUE, OPT_BY, OPT_LOOKBACK, OPT_TRANSFORM, OPT_HALF, OPT_POSITION,
		OPT_ORDER, OPT_TOLERANCE, OPT_SUMMARY, OPT_PATHS, OPT_FROM_PATHS, OPT_PARTIAL, OPT_MERGE,
		OPT_SPEND, OPT_FORMAT, OPT_MAP, OPT_STATS, OPT_REJECTS
	};
	static const struct option longopts[] = {
		{ "models", required_argument, NULL, 'm' },
		{ "conversion", required_argument, NULL, OPT_CONV },
		{ "touch", required_argument, NULL, OPT_TOUCH },
		{ "value-field", required_argument, NULL, OPT_VALUE },
		{ "by", required_argument, NULL, OPT_BY },
		{ "lookback", required_argument, NULL, OPT_LOOKBACK },
		{ "transform", required_argument, NULL, OPT_TRANSFORM },
		{ "half-life", required_argument, NULL, OPT_HALF },
		{ "position", required_argument, NULL, OPT_POSITION },
		{ "order", required_argument, NULL, OPT_ORDER },
		{ "tolerance", required_argument, NULL, OPT_TOLERANCE },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "paths", no_argument, NULL, OPT_PATHS },
		{ "from-paths", required_argument, NULL, OPT_FROM_PATHS },
		{ "partial", no_argument, NULL, OPT_PARTIAL },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "spend", required_argument, NULL, OPT_SPEND },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "map", required_argument, NULL, OPT_MAP },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "rejects", required_argument, NULL, OPT_REJECTS },
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *map = NULL;
	int c, k, i;
	char *end;
	long v;

	memset(o, 0, sizeof(*o));
	o->lookback_ms = 30LL * 86400000;
	o->par.half_life_ms = 7LL * 86400000;
	o->par.pos[0] = 0.4;
	o->par.pos[1] = 0.2;
	o->par.pos[2] = 0.4;
	o->order = 1;
	o->value_field = "revenue";
	o->conv[o->nconv++] = "purchase";
	o->by[o->nby++] = "platform";
	if (drive_init(&o->d) < 0)
		return -1;
	o->d.json_lines = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:" DRIVE_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->nmodel = 0;
			o->models_given = 1;
			if (cli_each_item(optarg, add_model, o) < 0)
				return -1;
			break;
		case OPT_CONV:
			if (take_list(o, optarg, o->conv, &o->nconv, MAX_TYPES, "--conversion") < 0)
				return -1;
			break;
		case OPT_TOUCH:
			if (take_list(o, optarg, o->touch, &o->ntouch, MAX_TYPES, "--touch") < 0)
				return -1;
			break;
		case OPT_VALUE: o->value_field = optarg; break;
		case OPT_BY:
			if (take_list(o, optarg, o->by, &o->nby, MAX_BY, "--by") < 0)
				return -1;
			break;
		case OPT_LOOKBACK:
			if (duration("--lookback", optarg, &o->lookback_ms, 0) < 0)
				return -1;
			break;
		case OPT_HALF:
			if (duration("--half-life", optarg, &o->par.half_life_ms, 0) < 0)
				return -1;
			break;
		case OPT_TOLERANCE:
			if (duration("--tolerance", optarg, &o->tolerance_ms, 1) < 0)
				return -1;
			break;
		case OPT_TRANSFORM:
			if ((k = attr_transform_of(optarg, strlen(optarg))) < 0) {
				diag("--transform: '%s' is not none, unique, exposure, first or frequency", optarg);
				return -1;
			}
			o->tf = (enum attr_transform)k;
			break;
		case OPT_POSITION:
			if (parse_position(optarg, o->par.pos) < 0)
				return -1;
			break;
		case OPT_ORDER:
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > MARKOV_MAX_ORDER) {
				diag("--order: '%s' is not a number from 1 to %d", optarg, MARKOV_MAX_ORDER);
				return -1;
			}
			o->order = (int)v;
			break;
		case OPT_SUMMARY: o->summary = 1; break;
		case OPT_PATHS: o->paths = 1; break;
		case OPT_FROM_PATHS: o->from_paths = optarg; break;
		case OPT_PARTIAL: o->partial = 1; break;
		case OPT_MERGE: o->merge = 1; break;
		case OPT_SPEND: o->spend_path = optarg; break;
		case OPT_FORMAT:
			if (out_format_parse(optarg, &o->format) < 0) {
				diag("--format: '%s' is not ndjson, csv, tsv or table", optarg);
				return -1;
			}
			break;
		case OPT_MAP: map = optarg; break;
		case OPT_STATS: o->stats = 1; break;
		case OPT_REJECTS: o->d.rejects = optarg; break;
		default:
			if ((k = drive_take_option(&o->d, c, optarg, argv, usage)) <= 0)
				return k;
		}
	}
	if (!o->models_given)
		for (i = 0; i < ATTR_NMODELS; i++)
			if (!(o->from_paths && i == ATTR_TIME_DECAY))
				o->model[o->nmodel++] = i;
	if (o->summary + o->paths + o->partial > 1) {
		diag("--summary, --paths and --partial are different outputs: give one");
		return -1;
	}
	if (o->partial && o->format != OUT_NDJSON) {
		diag("--partial writes NDJSON only");
		return -1;
	}
	if (o->merge && (o->from_paths || o->partial || o->models_given || o->d.rejects)) {
		diag("--merge takes the models and the rest from the partial results: give only --summary or "
		     "--paths, --spend and --format with it");
		return -1;
	}
	if (o->from_paths && optind < argc) {
		diag("--from-paths reads a path table, not events: '%s' is one input too many", argv[optind]);
		return -1;
	}
	if (o->spend_path && !o->summary) {
		diag("--spend goes with --summary");
		return -1;
	}
	if (o->from_paths)
		for (i = 0; i < o->nmodel; i++)
			if (o->model[i] == ATTR_TIME_DECAY) {
				diag("-m time_decay needs the touches' times, which a path table does not have");
				return -1;
			}
	if (!o->summary && !o->paths && !o->partial) {
		if (o->from_paths || o->merge) {
			o->summary = 1;	/* there are no conversions to write one by one */
		} else {
			for (k = 0, i = 0; i < o->nmodel; i++)
				k += attr_per_conversion(o->model[i]);
			if (!k) {
				diag("markov and shapley credit channels over all journeys, not each conversion: "
				     "add --summary");
				return -1;
			}
		}
	}
	if (map && stage_map_load(&o->map, map) < 0)
		return -1;
	if (!map)
		stage_map_default(&o->map);
	return optind;
}

/* ---- the workers: each event to what attribution needs ---- */

static int in_list(const char *const *v, int n, const char *s, size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (strlen(v[i]) == len && !memcmp(v[i], s, len))
			return 1;
	return 0;
}

static int key_is(const struct jfield *f, const char *name)
{
	size_t n = strlen(name);

	return f->klen == n && memcmp(f->key, name, n) == 0;
}

/* The raw JSON text of a member's value (a string with its quotes). */
static const char *raw(const struct jfield *f, uint32_t *n)
{
	*n = f->vlen + (f->type == J_STR ? 2 : 0);
	return f->val - (f->type == J_STR);
}

static int attr_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks, struct buf *out,
		     char *why)
{
	struct worker *w = ctx;
	const struct opts *o = w->o;
	const struct jfield *type = NULL, *user = NULL, *ts = NULL, *id = NULL, *value = NULL, *by[MAX_BY] = { NULL };
	struct arec r;
	size_t i, start = out->len;
	int sr, k, entry;
	const char *s;
	uint32_t n;

	sr = json_scan_line(line, len, &w->obj, marks);
	if (sr == -2)
		return -2;
	if (sr < 0) {
		snprintf(why, 200, "%.160s (column %zu)", w->obj.err, w->obj.err_col);
		return -1;
	}
	for (i = 0; i < w->obj.n; i++) {	/* the last of a repeated key wins, as jq reads it */
		const struct jfield *f = &w->obj.f[i];

		if (f->kesc)
			continue;
		if (key_is(f, "type"))
			type = f;
		else if (key_is(f, "user_id"))
			user = f;
		else if (key_is(f, "ts"))
			ts = f;
		else if (key_is(f, "event_id"))
			id = f;
		if (key_is(f, o->value_field))
			value = f;
		for (k = 0; k < o->nby; k++)
			if (key_is(f, o->by[k]))
				by[k] = f;
	}
	memset(&r, 0, sizeof(r));
	if (!ts || event_ts_ms(ts, &r.ts) < 0) {
		snprintf(why, 200, "ts missing or not a timestamp (attribution follows time)");
		return -1;
	}
	if (!type || type->type != J_STR) {
		snprintf(why, 200, "no type (vchain-attribute reads canonical events: vchain-parse)");
		return -1;
	}
	if (in_list(o->conv, o->nconv, type->val, type->vlen))
		r.kind = K_CONV;
	else if (o->ntouch)
		r.kind = in_list(o->touch, o->ntouch, type->val, type->vlen) ? K_TOUCH : K_OTHER;
	else if ((entry = stage_map_find(&o->map, type->val, type->vlen)) >= 0 && o->map.stage[entry] >= 1 &&
		 o->map.stage[entry] <= 5)
		r.kind = K_TOUCH;
	if (user && (user->type == J_STR || user->type == J_NUM) && user->vlen > 0) {
		r.has_user = 1;
		r.user = hash128(user->val, user->vlen);
	}
	if (r.kind == K_CONV && value && value->type != J_NULL) {
		if ((value->type != J_NUM && value->type != J_STR) || dec_parse(value->val, value->vlen, &r.value) < 0) {
			snprintf(why, 200, "%s is not a number", o->value_field);
			return -1;
		}
		r.has_value = 1;
	}
	if (buf_add(out, &r, sizeof(r)) < 0)
		return -2;
	if (r.kind == K_TOUCH) {	/* the channel: the --by fields' values joined by '/' */
		for (k = 0; k < o->nby; k++) {
			if (k && buf_addc(out, '/') < 0)
				return -2;
			if (by[k] && (by[k]->type == J_STR || by[k]->type == J_NUM) && by[k]->vlen)
				s = by[k]->val, n = by[k]->vlen;
			else
				s = "(none)", n = 6;
			if (buf_add(out, s, n) < 0)
				return -2;
		}
		r.ch_len = (uint32_t)(out->len - start - sizeof(r));
	} else if (r.kind == K_CONV) {
		s = id ? raw(id, &n) : "null";
		if (!id)
			n = 4;
		if (buf_add(out, s, n) < 0)
			return -2;
		r.id_len = n;
		s = user ? raw(user, &n) : "null";
		if (!user)
			n = 4;
		if (buf_add(out, s, n) < 0)
			return -2;
		r.user_len = n;
		s = raw(ts, &n);
		if (buf_add(out, s, n) < 0)
			return -2;
		r.ts_len = n;
	}
	memcpy(out->p + start, &r, sizeof(r));
	return 0;
}

/* ---- crediting ---- */

static int oom(struct run *r)
{
	diag("out of memory");
	return r->d->stop = -1;
}

/* Room for n steps in the scratch arrays, and credit rows for every channel. 0, or -1. */
static int room(struct run *r, size_t n)
{
	size_t nch = r->paths.ch.n, i;
	int m;

	if (n > r->scratch_cap) {
		size_t cap = r->scratch_cap ? r->scratch_cap : 64;

		while (cap < n)
			cap *= 2;
		if (!(r->tt = realloc(r->tt, cap * sizeof(*r->tt))) || !(r->ids = realloc(r->ids, cap * sizeof(*r->ids))) ||
		    !(r->w = realloc(r->w, cap * sizeof(*r->w))) || !(r->wc = realloc(r->wc, cap * sizeof(*r->wc))) ||
		    !(r->cc = realloc(r->cc, cap * sizeof(*r->cc))) ||
		    !(r->vparts = realloc(r->vparts, cap * sizeof(*r->vparts))) ||
		    !(r->uparts = realloc(r->uparts, cap * sizeof(*r->uparts))))
			return -1;	/* what was moved stays reachable through the others: freed at the end */
		r->scratch_cap = cap;
	}
	if (nch > r->cr_cap) {
		size_t cap = r->cr_cap ? r->cr_cap : 64;

		while (cap < nch)
			cap *= 2;
		for (m = 0; m < ATTR_NMODELS; m++) {
			struct credit *c = realloc(r->cr[m], cap * sizeof(*c));

			if (!c)
				return -1;
			memset(c + r->cr_cap, 0, (cap - r->cr_cap) * sizeof(*c));
			r->cr[m] = c;
		}
		{
			uint8_t *d = realloc(r->direct, cap);

			if (!d)
				return -1;
			r->direct = d;
		}
		r->cr_cap = cap;
	}
	for (i = r->direct_n; i < nch; i++)
		r->direct[i] = (uint8_t)attr_direct(r->paths.ch.name[i], r->paths.ch.len[i]);
	r->direct_n = nch;
	return 0;
}

/* The path (touches t[0..n), transformed in r->tt) into the table. 0, -1 (memory), -2 (value overflow). */
static long take_path(struct run *r, const struct attr_touch *t, size_t n, long long conv_ts, int *direct)
{
	long k;
	size_t i;

	*direct = 0;
	if (room(r, n + 1) < 0)
		return -1;
	if (n)
		memcpy(r->tt, t, n * sizeof(*t));
	if ((k = attr_transform(r->o->tf, r->tt, n, &r->paths.ch, &r->tmp)) < 0)
		return -1;
	if (k == 0) {	/* no touch: the conversion is direct */
		long id = chans_id(&r->paths.ch, PATHS_DIRECT, strlen(PATHS_DIRECT));

		if (id < 0)
			return -1;
		r->tt[0].ch = (uint32_t)id;
		r->tt[0].ts = conv_ts;
		k = 1;
		*direct = 1;
	}
	for (i = 0; i < (size_t)k; i++)
		r->ids[i] = r->tt[i].ch;
	if (room(r, (size_t)k) < 0)
		return -1;
	return k;
}

static int on_null(void *ctx, const struct attr_touch *t, size_t n)
{
	struct run *r = ctx;
	struct dec zero = { 0, 0 };
	int direct;
	long k = take_path(r, t, n, 0, &direct);

	if (k < 0 || paths_add(&r->paths, r->ids, (uint32_t)k, 0, zero, 1) < 0)
		return oom(r);
	r->null_paths++;
	return 0;
}

/*
 * Credit under model m a conversion (value v) along path r->tt[0..n) at
 * ts: the parts per channel into r->cc, r->uparts, r->vparts. The number
 * of channels, or -1 (memory), -2 (value too large).
 */
static long credit(struct run *r, int m, size_t n, long long ts, struct dec v, uint64_t times)
{
	size_t k, i;

	attr_weights((enum attr_model)m, &r->o->par, r->tt, n, ts, r->direct, r->w);
	k = attr_by_channel(r->tt, n, r->w, r->cc, r->wc);
	int e;

	if (attr_split((unsigned __int128)ATTR_UNIT * times, r->wc, k, r->uparts) < 0)
		return -1;
	if ((e = attr_split_dec(v, r->wc, k, r->vparts)) != 0)
		return e;
	for (i = 0; i < k; i++) {
		struct credit *c = &r->cr[m][r->cc[i]];

		c->units += r->uparts[i];
		if (dec_add(&c->value, r->vparts[i]) < 0)
			return -2;
	}
	return (long)k;
}

static const char *const conv_cols[] = { "conversion_id", "user_id", "ts", "model", "channel", "credit", "value" };
static const enum col_kind conv_kinds[] = { COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_NUMBER, COL_MONEY };

static int put_dec(struct buf *b, struct dec d)
{
	char s[DEC_MAX_LEN];

	return buf_add(b, s, dec_format(d, s));
}

/* A conversion's credit records, one per model and channel. 0, or -1. */
static int write_credits(struct run *r, int m, long k, const char *id, const struct arec *a)
{
	const char *p = id;
	long i;

	for (i = 0; i < k; i++) {
		int j;

		if (!r->uparts[i] && !r->vparts[i].m)
			continue;	/* a channel on the path the model gives nothing */
		for (j = 0; j < 7; j++)
			r->vals[j].len = 0;
		if (buf_add(&r->vals[0], p, a->id_len) < 0 || buf_add(&r->vals[1], p + a->id_len, a->user_len) < 0 ||
		    buf_add(&r->vals[2], p + a->id_len + a->user_len, a->ts_len) < 0 ||
		    json_escape(&r->vals[3], attr_model_names[m], strlen(attr_model_names[m])) < 0 ||
		    buf_addc(&r->vals[4], '"') < 0 ||
		    buf_add(&r->vals[4], r->paths.ch.name[r->cc[i]], r->paths.ch.len[r->cc[i]]) < 0 ||
		    buf_addc(&r->vals[4], '"') < 0 || attr_put_units(&r->vals[5], r->uparts[i]) < 0 ||
		    put_dec(&r->vals[6], r->vparts[i]) < 0 || writer_row(&r->w_conv, r->vals) < 0)
			return -1;
	}
	return 0;
}

/* A conversion: its path into the table, each per-conversion model's credit. 0, or -1 (said). */
static int convert(struct run *r, const struct arec *a, const char *bytes, const struct attr_touch *t, size_t n,
		   uint64_t lineno)
{
	struct dec v = a->has_value ? a->value : (struct dec){ 1, 0 };
	int direct, i, rc;
	long k = take_path(r, t, n, a->ts, &direct), nc;

	if (k < 0)
		return oom(r);
	r->conversions++;
	r->direct_conv += (uint64_t)direct;
	r->no_value += !a->has_value;
	if ((rc = paths_add(&r->paths, r->ids, (uint32_t)k, 1, v, 0)) < 0) {
		if (rc == -1)
			return oom(r);
		goto too_large;
	}
	for (i = 0; i < r->o->nmodel; i++) {
		int m = r->o->model[i];

		if (!attr_per_conversion(m))
			continue;
		if ((nc = credit(r, m, (size_t)k, a->ts, v, 1)) == -1)
			return oom(r);
		if (nc < 0)
			goto too_large;
		if (r->w_open && write_credits(r, m, nc, bytes, a) < 0)
			return r->d->stop = -1;
	}
	return 0;
too_large:
	diag_at(r->d->name, lineno, "%s: the value, or a sum of values, does not fit in 38 digits",
		r->o->value_field);
	return r->d->stop = -1;
}

static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	const struct opts *o = r->o;
	const char *p = c->out.p, *end = c->out.p + c->out.len, *bytes;
	uint64_t lineno = first_line;
	struct jperson *pp;
	struct arec a;

	for (; p < end; p += sizeof(a) + a.ch_len + a.id_len + a.user_len + a.ts_len, lineno++) {
		memcpy(&a, p, sizeof(a));
		bytes = p + sizeof(a);
		r->read++;
		if (r->have_newest && a.ts < r->newest - o->tolerance_ms) {
			diag_at(r->d->name, lineno, "ts goes back %.3f s behind the newest so far: attribution needs "
				"events in time order (vchain-sort; --tolerance)", (double)(r->newest - a.ts) / 1000);
			return r->d->stop = -1;
		}
		if (!r->have_newest || a.ts > r->newest)
			r->newest = a.ts;
		r->have_newest = 1;
		if (a.kind == K_OTHER) {
			r->others++;
			continue;
		}
		if (!a.has_user) {
			if (a.kind == K_TOUCH) {
				r->anon_touches++;
				continue;
			}
			if (convert(r, &a, bytes, NULL, 0, lineno) < 0)
				return -1;
			continue;
		}
		if (!(pp = journeys_person(&r->jn, a.user, a.ts)))
			return r->jn.err ? (r->d->stop = -1) : oom(r);
		if (a.kind == K_TOUCH) {
			long id = chans_id(&r->paths.ch, bytes, a.ch_len);

			r->touches++;
			if (id < 0 || journeys_touch(&r->jn, pp, a.ts, (uint32_t)id) < 0)
				return oom(r);
		} else {
			const struct attr_touch *t;
			size_t n = journeys_convert(&r->jn, pp, a.ts, &t);

			if (convert(r, &a, bytes, t, n, lineno) < 0)
				return -1;
		}
	}
	if (drive_bad_records(r->d, c, first_line) < 0)
		return -1;
	if (c->fatal)
		return oom(r);
	return 0;
}

/* ---- partial results ---- */

static int header(const struct opts *o, struct buf *b)
{
	int i;

	if (partial_header_begin(b) < 0 || buf_adds(b, ",\"tool\":\"vchain-attribute\",\"models\":[") < 0)
		return -1;
	for (i = 0; i < o->nmodel; i++)
		if ((i && buf_addc(b, ',') < 0) ||
		    json_escape(b, attr_model_names[o->model[i]], strlen(attr_model_names[o->model[i]])) < 0)
			return -1;
	if (buf_adds(b, "],\"by\":[") < 0)
		return -1;
	for (i = 0; i < o->nby; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, o->by[i], strlen(o->by[i])) < 0)
			return -1;
	if (buf_adds(b, "],\"conversion\":[") < 0)
		return -1;
	for (i = 0; i < o->nconv; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, o->conv[i], strlen(o->conv[i])) < 0)
			return -1;
	if (buf_adds(b, "],\"touch\":[") < 0)
		return -1;
	for (i = 0; i < o->ntouch; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, o->touch[i], strlen(o->touch[i])) < 0)
			return -1;
	char s[512];

	snprintf(s, sizeof(s), "],\"value_field\":");
	if (buf_adds(b, s) < 0 || json_escape(b, o->value_field, strlen(o->value_field)) < 0)
		return -1;
	snprintf(s, sizeof(s), ",\"transform\":\"%s\",\"lookback_ms\":%lld,\"half_life_ms\":%lld,"
		 "\"position\":[%.17g,%.17g,%.17g],\"order\":%d}\n", attr_transform_names[o->tf], o->lookback_ms,
		 o->par.half_life_ms, o->par.pos[0], o->par.pos[1], o->par.pos[2], o->order);
	return buf_adds(b, s);
}

static int write_partial(struct run *r)
{
	struct partial_out po = { NULL, 0 };
	struct buf b = BUF_INIT;
	size_t *order = NULL, i, ch;
	uint32_t j;
	int m, k, rc = -1;

	if (header(r->o, &b) < 0 || partial_out_begin(&po, &r->d->out, b.p, b.len) < 0 ||
	    paths_order(&r->paths, &order) < 0)
		goto done;
	for (i = 0; i < r->paths.n; i++) {
		const struct path_row *pr = &r->paths.row[order[i]];
		const uint32_t *st = paths_steps(&r->paths, pr);

		b.len = 0;
		if (buf_adds(&b, "{\"p\":[") < 0)
			goto done;
		for (j = 0; j < pr->n; j++)
			if ((j && buf_addc(&b, ',') < 0) || buf_addc(&b, '"') < 0 ||
			    buf_add(&b, r->paths.ch.name[st[j]], r->paths.ch.len[st[j]]) < 0 || buf_addc(&b, '"') < 0)
				goto done;
		if (buf_adds(&b, "],\"c\":") < 0 || json_put_uint(&b, pr->conv) < 0 || buf_adds(&b, ",\"v\":") < 0 ||
		    partial_put_dec(&b, pr->value) < 0 || buf_adds(&b, ",\"n\":") < 0 || json_put_uint(&b, pr->null) < 0 ||
		    buf_adds(&b, "}\n") < 0 || partial_out_line(&po, &r->d->out, b.p, b.len) < 0)
			goto done;
	}
	for (k = 0; k < r->o->nmodel; k++) {
		m = r->o->model[k];
		if (!attr_per_conversion(m))
			continue;
		for (ch = 0; ch < r->paths.ch.n && ch < r->cr_cap; ch++) {
			const struct credit *c = &r->cr[m][ch];

			if (!c->units && !c->value.m)
				continue;
			b.len = 0;
			if (buf_adds(&b, "{\"m\":\"") < 0 || buf_adds(&b, attr_model_names[m]) < 0 ||
			    buf_adds(&b, "\",\"ch\":\"") < 0 ||
			    buf_add(&b, r->paths.ch.name[ch], r->paths.ch.len[ch]) < 0 || buf_adds(&b, "\",\"u\":\"") < 0 ||
			    attr_put_units(&b, c->units) < 0 || buf_adds(&b, "\",\"v\":") < 0 ||
			    partial_put_dec(&b, c->value) < 0 || buf_adds(&b, "}\n") < 0 ||
			    partial_out_line(&po, &r->d->out, b.p, b.len) < 0)
				goto done;
		}
	}
	rc = partial_out_end(&po, &r->d->out);
done:
	if (po.h)
		XXH3_freeState(po.h);
	free(order);
	buf_free(&b);
	if (rc < 0 && !r->d->out.err)
		diag("out of memory");
	return rc;
}

/* Units written by attr_put_units back: "12.5" -> 12500000000. 0, or -1. */
static int get_units(const struct jfield *f, unsigned __int128 *u)
{
	struct dec d;
	int s;

	if (!f || f->type != J_STR || dec_parse(f->val, f->vlen, &d) < 0 || d.m < 0 || d.scale > 9)
		return -1;
	for (s = d.scale; s < 9; s++)
		d.m *= 10;
	*u = (unsigned __int128)d.m;
	return 0;
}

/* The first header: models and order from it. 0, or -1. */
static int configure(struct run *r, const struct jobj *h)
{
	const struct jfield *m = jobj_get(h, "models", 6), *ord = jobj_get(h, "order", 5);
	struct jobj arr = JOBJ_INIT;
	int k, rc = -1;
	size_t i;

	r->o->nmodel = 0;
	if (!m || m->type != J_ARR || !ord || ord->type != J_NUM || json_scan_array(m->val, m->vlen, &arr) != 0)
		goto done;
	for (i = 0; i < arr.n; i++) {
		if (arr.f[i].type != J_STR || (k = attr_model_of(arr.f[i].val, arr.f[i].vlen)) < 0 ||
		    r->o->nmodel == ATTR_NMODELS)
			goto done;
		r->o->model[r->o->nmodel++] = k;
	}
	r->o->order = atoi(ord->val);
	if (r->o->order < 1 || r->o->order > MARKOV_MAX_ORDER)
		goto done;
	r->configured = 1;
	rc = 0;
done:
	jobj_free(&arr);
	return rc;
}

static int merge_line(struct run *r, const char *line, size_t len, uint64_t lineno)
{
	struct jobj *obj = &r->jo[0], *arr = &r->jo[1];
	const struct jfield *f;
	char why[200];
	long id;
	size_t i;

	if (json_scan_object(line, len, obj) != 0) {
		snprintf(why, sizeof(why), "not a JSON object");
		goto bad;
	}
	switch (partial_line(&r->pin, obj, line, len, "vchain-attribute",
			     "attribution (the models or options differ from the first input's)", why)) {
	case PARTIAL_FIRST:
		if (configure(r, obj) < 0) {
			snprintf(why, sizeof(why), "a partial header this version cannot read");
			goto bad;
		}
		return 0;
	case PARTIAL_AGAIN:
	case PARTIAL_END:
		return 0;
	case PARTIAL_BAD:
		goto bad;
	default:
		break;
	}
	if ((f = jobj_get(obj, "p", 1))) {
		uint64_t conv, null;
		struct dec v;

		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0 || arr->n == 0 ||
		    partial_get_u64(jobj_get(obj, "c", 1), &conv) < 0 || partial_get_u64(jobj_get(obj, "n", 1), &null) < 0 ||
		    partial_get_dec(jobj_get(obj, "v", 1), &v) < 0 || room(r, arr->n) < 0)
			goto shape;
		for (i = 0; i < arr->n; i++) {
			if (arr->f[i].type != J_STR || (id = chans_id(&r->paths.ch, arr->f[i].val, arr->f[i].vlen)) < 0)
				goto shape;
			r->ids[i] = (uint32_t)id;
		}
		if (paths_add(&r->paths, r->ids, (uint32_t)arr->n, conv, v, null) < 0)
			goto shape;
		return room(r, 0) < 0 ? oom(r) : 0;
	}
	if ((f = jobj_get(obj, "m", 1))) {
		const struct jfield *ch = jobj_get(obj, "ch", 2);
		unsigned __int128 u;
		struct dec v;
		int m;

		if (f->type != J_STR || (m = attr_model_of(f->val, f->vlen)) < 0 || !attr_per_conversion(m) || !ch ||
		    ch->type != J_STR || get_units(jobj_get(obj, "u", 1), &u) < 0 ||
		    partial_get_dec(jobj_get(obj, "v", 1), &v) < 0 ||
		    (id = chans_id(&r->paths.ch, ch->val, ch->vlen)) < 0 || room(r, 0) < 0)
			goto shape;
		r->cr[m][id].units += u;
		if (dec_add(&r->cr[m][id].value, v) < 0)
			goto shape;
		return 0;
	}
shape:
	snprintf(why, sizeof(why), "a line that is not what vchain-attribute's partial results hold");
bad:
	diag_at(r->d->name, lineno, "%s", why);
	return r->d->stop = -1;
}

static int merge_commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	const char *p = c->out.p, *end = c->out.p + c->out.len, *nl;
	uint64_t line = first_line;

	for (; p < end; p = nl + 1, line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (merge_line(r, p, (size_t)(nl - p), line) < 0)
			return -1;
	}
	if (drive_bad_records(r->d, c, first_line) < 0)
		return -1;
	return c->fatal ? oom(r) : 0;
}

static int copy_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks, struct buf *out,
		     char *why)
{
	return partial_copy_line(&((struct worker *)ctx)->obj, line, len, marks, out, why);
}

static void before_input(void *ctx)
{
	partial_next_input(&((struct run *)ctx)->pin);
}

static void after_input(void *ctx)
{
	struct run *r = ctx;
	char why[200];

	if (r->o->merge && !r->d->failed && !r->d->gone && !r->merge_failed &&
	    partial_input_done(&r->pin, why) < 0) {
		diag_at(r->d->name, 0, "%s", why);
		r->merge_failed = 1;
	}
}

/* ---- the summary ---- */

struct srow {
	uint32_t ch;
	unsigned __int128 units;
	struct dec value;
};

static int by_credit(const void *a, const void *b, void *ctx)
{
	const struct srow *x = a, *y = b;
	const struct chans *ch = ctx;

	if (x->units != y->units)
		return x->units > y->units ? -1 : 1;
	return strcmp(ch->name[x->ch], ch->name[y->ch]);
}

static int by_name(const void *a, const void *b, void *ctx)
{
	const struct chans *ch = ctx;

	return strcmp(ch->name[*(const uint32_t *)a], ch->name[*(const uint32_t *)b]);
}

/*
 * The path-level model m's credit by channel into r->cr[m], from weights
 * by channel id; the channels on paths in the order of their names
 * (byname[0..n)), so a tie goes the same way in one pass and in a merge.
 * 0, -1, -2.
 */
static int share_out(struct run *r, int m, const double *weight, const uint32_t *byname, size_t n, long drow)
{
	const struct path_row *d = drow >= 0 ? &r->paths.row[drow] : NULL;
	uint64_t conv = r->paths.conv - (d ? d->conv : 0);
	struct dec value = r->paths.value;
	size_t i, k = 0;
	int e;

	if (d) {	/* the conversions without touches are (direct)'s, as they are */
		struct dec minus = { -d->value.m, d->value.scale };
		uint32_t id = paths_steps(&r->paths, d)[0];

		if (dec_add(&value, minus) < 0)
			return -2;
		r->cr[m][id].units = (unsigned __int128)ATTR_UNIT * d->conv;
		r->cr[m][id].value = d->value;
	}
	for (i = 0; i < n; i++) {
		r->cc[k] = byname[i];
		r->wc[k++] = weight[byname[i]];
	}
	if (!k)
		return 0;
	if (attr_split((unsigned __int128)ATTR_UNIT * conv, r->wc, k, r->uparts) < 0)
		return -1;
	if ((e = attr_split_dec(value, r->wc, k, r->vparts)) != 0)
		return e;
	for (i = 0; i < k; i++) {
		r->cr[m][r->cc[i]].units += r->uparts[i];
		if (dec_add(&r->cr[m][r->cc[i]].value, r->vparts[i]) < 0)
			return -2;
	}
	return 0;
}

/* --from-paths: the per-conversion models' credit, path by path. 0, -1, -2. */
static int credit_paths(struct run *r)
{
	size_t i, n;
	int k;
	long nc;

	for (i = 0; i < r->paths.n; i++) {
		const struct path_row *pr = &r->paths.row[i];

		if (!pr->conv)
			continue;
		n = pr->n;
		if (room(r, n) < 0)
			return -1;
		for (size_t j = 0; j < n; j++) {
			r->tt[j].ch = paths_steps(&r->paths, pr)[j];
			r->tt[j].ts = 0;
		}
		for (k = 0; k < r->o->nmodel; k++)
			if (attr_per_conversion(r->o->model[k]) &&
			    (nc = credit(r, r->o->model[k], n, 0, pr->value, pr->conv)) < 0)
				return (int)nc;
	}
	return 0;
}

static const char *const sum_cols[] = { "model", "channel", "conversions", "value", "share", "removal_effect",
					"spend", "roas", "cost_per_conversion" };
static const enum col_kind sum_kinds[] = { COL_TEXT, COL_TEXT, COL_NUMBER, COL_MONEY, COL_RATIO, COL_NUMBER,
					   COL_MONEY, COL_FACTOR, COL_MONEY };

/* Spend by channel id (dates summed), from the table; has[id] says which channels have a row. */
static int spend_by_channel(struct run *r, const struct spend *sp, struct dec *spend, uint8_t *has)
{
	size_t i;
	uint64_t *v;

	for (i = 0; i < sp->n; i++) {
		long id;

		if (!sp->row[i].key)
			continue;
		/* only channels on some path: a lookup that makes no new channel */
		v = htab_get(&r->paths.ch.idx, hash128(sp->row[i].key, strlen(sp->row[i].key)));
		if (!v)
			continue;
		id = (long)*v - 1;
		if (dec_add(&spend[id], sp->row[i].spend) < 0)
			return -2;
		has[id] = 1;
	}
	return 0;
}

static int write_summary(struct run *r)
{
	struct opts *o = r->o;
	size_t nch = r->paths.ch.n, i, n;
	struct markov_result mr = { 0, NULL, 0, 0, 0 };
	double *phi = NULL, *wt = NULL;
	uint8_t *used = NULL, *has = NULL;
	struct dec *spend = NULL;
	struct srow *rows = NULL;
	struct spend sp;
	struct writer w;
	size_t *order = NULL, nused = 0;
	long drow = paths_direct_row(&r->paths);
	uint32_t *byname = NULL;
	char err[200], s[64];
	int k, rc = -1, m, ncol = o->spend_path ? 9 : 6, w_open = 0, sr, skip_shapley = 0;

	memset(&sp, 0, sizeof(sp));
	if (o->spend_path) {
		if ((sr = spend_load(&sp, o->spend_path)) < 0) {
			if (sr == -2)
				diag("out of memory");
			else
				diag_at(o->spend_path, sp.err_line, "%s", sp.err);
			spend_free(&sp);
			return -1;
		}
		if (o->nby != 1 || strcmp(o->by[0], sp.col)) {
			diag("--spend: %s gives spend by %s, so attribute --by %s", o->spend_path, sp.col, sp.col);
			spend_free(&sp);
			return -1;
		}
	}
	if (room(r, nch + 1) < 0 || !(used = calloc(nch + 1, 1)) || !(rows = calloc(nch + 1, sizeof(*rows))) ||
	    !(wt = calloc(nch + 1, sizeof(*wt))) || !(spend = calloc(nch + 1, sizeof(*spend))) ||
	    !(has = calloc(nch + 1, 1)) || !(byname = calloc(nch + 1, sizeof(*byname))) ||
	    paths_order(&r->paths, &order) < 0)
		goto oom;
	for (i = 0; i < r->paths.n; i++)
		for (uint32_t j = 0; j < r->paths.row[i].n; j++)
			used[paths_steps(&r->paths, &r->paths.row[i])[j]] = 1;
	for (i = 0; i < nch; i++)
		if (used[i])
			byname[nused++] = (uint32_t)i;
	if (sort_stable(byname, nused, sizeof(*byname), by_name, &r->paths.ch) < 0)
		goto oom;
	if (o->spend_path && spend_by_channel(r, &sp, spend, has) < 0)
		goto too_large;
	if (o->from_paths && (k = credit_paths(r)) < 0) {
		if (k == -1)
			goto oom;
		goto too_large;
	}
	for (k = 0; k < o->nmodel; k++) {
		m = o->model[k];
		if (m == ATTR_MARKOV) {
			if ((sr = markov_removal(&r->paths, order, drow, o->order, &mr, err)) == -1)
				goto oom;
			if (sr < 0) {
				diag("%s", err);
				goto done;
			}
			for (i = 0; i < nch; i++)
				wt[i] = mr.re[i];
		} else if (m == ATTR_SHAPLEY) {
			if (!(phi = calloc(nch + 1, sizeof(*phi))))
				goto oom;
			if ((sr = shapley_values(&r->paths, drow, phi, err)) == -1)
				goto oom;
			if (sr < 0 && !o->models_given) {	/* all models by default: all that can be */
				diag("shapley left out: %s", err);
				skip_shapley = 1;
				continue;
			}
			if (sr < 0) {
				diag("%s", err);
				goto done;
			}
			for (i = 0; i < nch; i++)
				wt[i] = phi[i];
		} else {
			continue;
		}
		if ((sr = share_out(r, m, wt, byname, nused, drow)) == -1)
			goto oom;
		if (sr < 0)
			goto too_large;
	}
	if (writer_open(&w, &r->d->out, o->format, ncol, sum_cols, sum_kinds) < 0)
		goto done;
	w_open = 1;
	for (k = 0; k < o->nmodel; k++) {
		m = o->model[k];
		if (m == ATTR_SHAPLEY && skip_shapley)
			continue;
		for (n = 0, i = 0; i < nch; i++)
			if (used[i]) {
				rows[n].ch = (uint32_t)i;
				rows[n].units = r->cr[m][i].units;
				rows[n++].value = r->cr[m][i].value;
			}
		if (sort_stable(rows, n, sizeof(*rows), by_credit, &r->paths.ch) < 0)
			goto oom;
		for (i = 0; i < n; i++) {
			struct buf *v = r->vals;
			uint32_t ch = rows[i].ch;
			int j;

			for (j = 0; j < 7; j++)
				v[j].len = 0;
			if (json_escape(&v[0], attr_model_names[m], strlen(attr_model_names[m])) < 0 ||
			    buf_addc(&v[1], '"') < 0 || buf_add(&v[1], r->paths.ch.name[ch], r->paths.ch.len[ch]) < 0 ||
			    buf_addc(&v[1], '"') < 0 || attr_put_units(&v[2], rows[i].units) < 0 ||
			    put_dec(&v[3], rows[i].value) < 0 ||
			    json_put_double(&v[4], r->paths.conv ? (double)(long double)rows[i].units /
								  ((long double)ATTR_UNIT * r->paths.conv) : 0) < 0)
				goto oom;
			if (m == ATTR_MARKOV) {
				snprintf(s, sizeof(s), "%.12g", mr.re[ch]);
				if (buf_adds(&v[5], s) < 0)
					goto oom;
			} else if (buf_adds(&v[5], "null") < 0) {
				goto oom;
			}
			if (o->spend_path) {
				/* three more columns: the writer reads vals[0..9) */
				struct buf extra[9];

				memcpy(extra, v, 6 * sizeof(*v));
				memset(extra + 6, 0, 3 * sizeof(*v));
				if (has[ch]) {
					long double sv = dec_to_long_double(spend[ch]);
					long double val = dec_to_long_double(rows[i].value);
					long double conv = (long double)rows[i].units / ATTR_UNIT;

					if (put_dec(&extra[6], spend[ch]) < 0 ||
					    (sv > 0 ? json_put_double(&extra[7], (double)(val / sv))
						    : buf_adds(&extra[7], "null")) < 0 ||
					    (conv > 0 ? json_put_double(&extra[8], (double)(sv / conv))
						      : buf_adds(&extra[8], "null")) < 0) {
						for (j = 6; j < 9; j++)
							buf_free(&extra[j]);
						goto oom;
					}
				} else if (buf_adds(&extra[6], "null") < 0 || buf_adds(&extra[7], "null") < 0 ||
					   buf_adds(&extra[8], "null") < 0) {
					for (j = 6; j < 9; j++)
						buf_free(&extra[j]);
					goto oom;
				}
				sr = writer_row(&w, extra);
				for (j = 6; j < 9; j++)
					buf_free(&extra[j]);
				if (sr < 0)
					goto done;
			} else if (writer_row(&w, v) < 0) {
				goto done;
			}
		}
	}
	if (o->stats && mr.states)
		diag("markov: order %d, %zu states, %zu transitions, solved by %s", o->order, mr.states, mr.transitions,
		     mr.dense ? "elimination" : "Gauss-Seidel");
	rc = 0;
	goto done;
too_large:
	diag("a value's share, or a sum of values, does not fit in 38 digits");
	goto done;
oom:
	diag("out of memory");
done:
	if (w_open && writer_close(&w) < 0 && rc == 0)
		rc = -1;
	markov_result_free(&mr);
	spend_free(&sp);
	free(phi);
	free(wt);
	free(used);
	free(has);
	free(spend);
	free(rows);
	free(order);
	free(byname);
	return rc;
}

static const char *const path_cols[] = { "path", "total_conversions", "total_conversion_value", "total_null" };
static const enum col_kind path_kinds[] = { COL_TEXT, COL_COUNT, COL_MONEY, COL_COUNT };

static int write_paths(struct run *r)
{
	struct writer w;
	size_t *order = NULL, i;
	int rc = -1, j;

	if (paths_order(&r->paths, &order) < 0) {
		diag("out of memory");
		return -1;
	}
	if (writer_open(&w, &r->d->out, r->o->format, 4, path_cols, path_kinds) < 0)
		goto done;
	for (i = 0; i < r->paths.n; i++) {
		const struct path_row *pr = &r->paths.row[order[i]];

		for (j = 0; j < 4; j++)
			r->vals[j].len = 0;
		if (buf_addc(&r->vals[0], '"') < 0 || paths_text(&r->paths, pr, PATHS_SEP, &r->vals[0]) < 0 ||
		    buf_addc(&r->vals[0], '"') < 0 || json_put_uint(&r->vals[1], pr->conv) < 0 ||
		    put_dec(&r->vals[2], pr->value) < 0 || json_put_uint(&r->vals[3], pr->null) < 0 ||
		    writer_row(&w, r->vals) < 0)
			break;
	}
	rc = writer_close(&w) < 0 || i < r->paths.n ? -1 : 0;
done:
	free(order);
	return rc;
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
}

static void run_free(struct run *r)
{
	int m, j;

	paths_free(&r->paths);
	journeys_free(&r->jn);
	for (m = 0; m < ATTR_NMODELS; m++)
		free(r->cr[m]);
	free(r->direct);
	free(r->tt);
	free(r->ids);
	free(r->w);
	free(r->wc);
	free(r->cc);
	free(r->vparts);
	free(r->uparts);
	buf_free(&r->tmp);
	for (j = 0; j < 7; j++)
		buf_free(&r->vals[j]);
	partial_in_free(&r->pin);
	jobj_free(&r->jo[0]);
	jobj_free(&r->jo[1]);
}

static void stats(struct run *r)
{
	const struct opts *o = r->o;

	if (o->from_paths || o->merge) {
		diag("%zu paths, %zu channels; %llu conversions, %llu journeys without", r->paths.n, r->paths.ch.n,
		     (unsigned long long)r->paths.conv, (unsigned long long)r->paths.null);
		return;
	}
	diag("read %llu: %llu touches, %llu conversions (%llu direct, %llu without %s, valued 1), %llu other; "
	     "%llu touches without user_id left out", (unsigned long long)r->read, (unsigned long long)r->touches,
	     (unsigned long long)r->conversions, (unsigned long long)r->direct_conv, (unsigned long long)r->no_value,
	     o->value_field, (unsigned long long)r->others, (unsigned long long)r->anon_touches);
	diag("%llu journeys without conversion; %llu touches left the window before any conversion; "
	     "%zu paths, %zu channels; people in the window at most %zu; %zu bytes of people, %zu of paths",
	     (unsigned long long)r->null_paths, (unsigned long long)r->jn.touches_aged, r->paths.n, r->paths.ch.n,
	     r->jn.peak, journeys_bytes(&r->jn), paths_bytes(&r->paths));
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	int first, status = EXIT_OK, k;
	char err[200];
	uint64_t line;

	cli_start(argv[0]);
	first = parse_args(argc, argv, &o);
	if (first <= 0) {
		for (k = 0; k < o.nowned; k++)
			free(o.owned[k]);
		return cli_args_status(first);
	}
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	journeys_init(&r.jn, o.lookback_ms, on_null, &r);
	if (o.from_paths) {
		if ((k = paths_read_csv(&r.paths, o.from_paths, err, &line)) < 0) {
			if (k == -2)
				diag("out of memory");
			else
				diag_at(o.from_paths, line, "%s", err);
			status = EXIT_DATA;
		} else if (room(&r, 1) < 0) {
			oom(&r);
			status = EXIT_DATA;
		}
		o.d.threads = 1;	/* no input to read: the output and its closing */
		if (status == EXIT_OK)
			status = drive_start(&o.d, attr_line, sizeof(struct worker), worker_init, &o, worker_done);
	} else if (o.merge) {
		status = drive_start(&o.d, copy_line, sizeof(struct worker), worker_init, &o, worker_done);
		if (status == EXIT_OK)
			status = drive_inputs(&o.d, argv + first, argc - first, merge_commit, before_input, after_input, &r);
		if (status == EXIT_OK && r.merge_failed)
			status = EXIT_DATA;
		if (status == EXIT_OK && !r.configured) {
			diag("--merge: no partial results in the input");
			status = EXIT_DATA;
		}
	} else {
		status = drive_start(&o.d, attr_line, sizeof(struct worker), worker_init, &o, worker_done);
		if (status == EXIT_OK && !o.summary && !o.paths && !o.partial) {
			if (writer_open(&r.w_conv, &o.d.out, o.format, 7, conv_cols, conv_kinds) < 0)
				status = EXIT_DATA;
			else
				r.w_open = 1;
		}
		if (status == EXIT_OK)
			status = drive_inputs(&o.d, argv + first, argc - first, commit, NULL, NULL, &r);
		if (status == EXIT_OK && journeys_finish(&r.jn) < 0)
			status = EXIT_DATA;
	}
	if (r.w_open && writer_close(&r.w_conv) < 0 && status == EXIT_OK && o.d.out.err != EPIPE)
		status = EXIT_DATA;
	if (status == EXIT_OK && !o.d.gone) {
		if (o.partial)
			k = write_partial(&r);
		else if (o.paths)
			k = write_paths(&r);
		else if (o.summary)
			k = write_summary(&r);
		else
			k = 0;
		if (k < 0 && o.d.out.err != EPIPE)
			status = EXIT_DATA;
	}
	if (o.stats)
		stats(&r);
	status = drive_close(&o.d, status);
	run_free(&r);
	for (k = 0; k < o.nowned; k++)
		free(o.owned[k]);
	return status;
}
