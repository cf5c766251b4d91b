/*
 * vchain-attribute - which channels, campaigns and posts drove the
 * conversions: rule-based models per conversion, and the Markov removal
 * effect and Shapley values over every journey, converting or not.
 *
 * Workers parse each event into what attribution needs (who, when, a
 * touch or a conversion, its channel) and route it to its person's part
 * of the state (attrib_parts): each part, on whichever thread is free,
 * keeps its people's touches within the lookback window (journey.h),
 * credits each conversion as it comes (attr.h) and adds every journey to
 * its path table (paths.h). The ordered commit step checks the time order
 * and writes the credit records in input order; at the end the parts
 * merge and the path-level models are solved (pathmodel.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/attrib.h"
#include "lib/bytes.h"
#include "lib/cli.h"
#include "lib/dec.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/event.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/partial.h"
#include "lib/pathmodel.h"
#include "lib/person.h"

#define MAX_BY ATTRIB_MAX_BY
#define MAX_TYPES ATTRIB_MAX_TYPES

/* The members read from an event, in opts.names: then the --by fields. */
enum name { N_TYPE, N_USER, N_TS, N_ID, N_VALUE, N_BY };

struct opts {
	struct attrib_cfg a;	/* what is attributed, and how */
	unsigned nparts;	/* of the state: a worker routes each record to its person's */
	const char *names[N_BY + MAX_BY];	/* the members a worker picks from a line: enum name's */
	size_t conv_len[MAX_TYPES], touch_len[MAX_TYPES];	/* of a.conv's and a.touch's names: not a strlen a line */
	size_t lens[N_BY + MAX_BY];
	unsigned nnames;
	struct jpick pick;
	int summary, paths, partial, merge;
	const char *from_paths;
	struct stage_map map;
	struct drive d;
	char *owned[64];	/* the list items copied, freed at the end */
	int nowned;
};

struct worker {
	const struct opts *o;
	struct jobj obj;
	struct attrib_note note;	/* of the records written into the chunk being mapped */
};

struct run {
	struct opts *o;
	struct drive *d;
	struct attrib a;
};

static void usage(FILE *f)
{
	fputs("usage: vchain-attribute [-h] [--version] [-m MODELS] [--conversion TYPES]\n"
	      "                        [--touch TYPES] [--by FIELDS] [--lookback DUR]\n"
	      "                        [--transform T] [--half-life DUR] [--position F,M,L]\n"
	      "                        [--order K] [--tolerance DUR] [--value-field F]\n"
	      "                        [--summary [--spend FILE] | --paths] [--from-paths FILE]\n"
	      "                        [--partial | --merge] [--format FMT] [--map FILE]\n"
	      "                        [--stats] [--rejects FILE [--max-rejects N|P%]]\n"
	      "                        [-o FILE] [-j N] [--max-line SIZE] [FILE ...]\n"
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
	      "      --by FIELDS       a touch's channel: fields joined by '/' (default\n"
	      "                        platform)\n"
	      "      --lookback DUR    touches this long before a conversion count (default\n"
	      "                        30d)\n"
	      "      --transform T     none (default), unique, exposure, first, frequency\n"
	      "      --half-life DUR   time_decay's half-life (default 7d)\n"
	      "      --position F,M,L  position's shares: first, middle, last (default\n"
	      "                        0.4,0.2,0.4)\n"
	      "      --order K         markov: states of the last K channels, 1-4 (default 1)\n"
	      "      --tolerance DUR   how far ts may go back before it is an error (default 0)\n"
	      "      --summary         one record per model and channel (conversions, value,\n"
	      "                        share)\n"
	      "      --spend FILE      with --summary: spend, roas and cost_per_conversion by\n"
	      "                        channel\n"
	      "      --paths           the journeys as ChannelAttribution's path table\n"
	      "      --from-paths FILE read a path table (CSV) instead of events\n"
	      "      --partial         write mergeable partial results\n"
	      "      --merge           read partial results (of shards) and merge them\n"
	      "      --format FMT      ndjson (default), csv, tsv, table\n"
	      "      --map FILE        stage map TYPE<tab>STAGE (default schemas/stages.tsv)\n"
	      "      --stats           counts and memory (stderr)\n"
	      DRIVE_REJECTS_HELP
	      "  -o, --output FILE     write to FILE instead of stdout\n", f);
	cli_help_threads(f);
	fputs("      --max-line SIZE   longest line accepted (default 16M)\n"
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
	for (i = 0; i < o->a.nmodel; i++)
		if (o->a.model[i] == m)
			return 0;
	o->a.model[o->a.nmodel++] = m;
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
		OPT_SPEND, OPT_FORMAT, OPT_MAP, OPT_STATS
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
		DRIVE_REJECTS_LONGOPTS,
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *map = NULL;
	int c, k, i;
	unsigned long long v;

	memset(o, 0, sizeof(*o));
	o->a.lookback_ms = 30LL * 86400000;
	o->a.par.half_life_ms = 7LL * 86400000;
	o->a.par.pos[0] = 0.4;
	o->a.par.pos[1] = 0.2;
	o->a.par.pos[2] = 0.4;
	o->a.order = 1;
	o->a.value_field = "revenue";
	o->a.conv[o->a.nconv++] = "purchase";
	o->a.by[o->a.nby++] = "platform";
	if (drive_init(&o->d) < 0)
		return -1;
	o->d.json_lines = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:" DRIVE_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->a.nmodel = 0;
			o->a.models_given = 1;
			if (cli_each_item(optarg, add_model, o) < 0)
				return -1;
			break;
		case OPT_CONV:
			if (take_list(o, optarg, o->a.conv, &o->a.nconv, MAX_TYPES, "--conversion") < 0)
				return -1;
			break;
		case OPT_TOUCH:
			if (take_list(o, optarg, o->a.touch, &o->a.ntouch, MAX_TYPES, "--touch") < 0)
				return -1;
			break;
		case OPT_VALUE: o->a.value_field = optarg; break;
		case OPT_BY:
			if (take_list(o, optarg, o->a.by, &o->a.nby, MAX_BY, "--by") < 0)
				return -1;
			break;
		case OPT_LOOKBACK:
			if (duration("--lookback", optarg, &o->a.lookback_ms, 0) < 0)
				return -1;
			break;
		case OPT_HALF:
			if (duration("--half-life", optarg, &o->a.par.half_life_ms, 0) < 0)
				return -1;
			break;
		case OPT_TOLERANCE:
			if (duration("--tolerance", optarg, &o->a.tolerance_ms, 1) < 0)
				return -1;
			break;
		case OPT_TRANSFORM:
			if ((k = attr_transform_of(optarg, strlen(optarg))) < 0) {
				diag("--transform: '%s' is not none, unique, exposure, first or frequency", optarg);
				return -1;
			}
			o->a.tf = (enum attr_transform)k;
			break;
		case OPT_POSITION:
			if (parse_position(optarg, o->a.par.pos) < 0)
				return -1;
			break;
		case OPT_ORDER:
			if (cli_parse_number(optarg, 1, MARKOV_MAX_ORDER, &v) < 0) {
				diag("--order: '%s' is not a number from 1 to %d", optarg, MARKOV_MAX_ORDER);
				return -1;
			}
			o->a.order = (int)v;
			break;
		case OPT_SUMMARY: o->summary = 1; break;
		case OPT_PATHS: o->paths = 1; break;
		case OPT_FROM_PATHS:
			o->from_paths = optarg;
			o->a.from_paths = 1;
			break;
		case OPT_PARTIAL: o->partial = 1; break;
		case OPT_MERGE: o->merge = 1; break;
		case OPT_SPEND: o->a.spend_path = optarg; break;
		case OPT_FORMAT:
			if (out_format_parse(optarg, &o->a.format) < 0) {
				diag("--format: '%s' is not ndjson, csv, tsv or table", optarg);
				return -1;
			}
			break;
		case OPT_MAP: map = optarg; break;
		case OPT_STATS: o->a.stats = 1; break;
		default:
			if ((k = drive_take_option(&o->d, c, optarg, argv, usage)) <= 0)
				return k;
		}
	}
	if (!o->a.models_given)
		for (i = 0; i < ATTR_NMODELS; i++)
			if (!(o->from_paths && i == ATTR_TIME_DECAY))
				o->a.model[o->a.nmodel++] = i;
	if (o->summary + o->paths + o->partial > 1) {
		diag("--summary, --paths and --partial are different outputs: give one");
		return -1;
	}
	if (o->partial && o->a.format != OUT_NDJSON) {
		diag("--partial writes NDJSON only");
		return -1;
	}
	if (o->merge && (o->from_paths || o->partial || o->a.models_given || o->d.rejects)) {
		diag("--merge takes the models and the rest from the partial results: give only --summary or "
		     "--paths, --spend and --format with it");
		return -1;
	}
	if (o->from_paths && optind < argc) {
		diag("--from-paths reads a path table, not events: '%s' is one input too many", argv[optind]);
		return -1;
	}
	if (o->a.spend_path && !o->summary) {
		diag("--spend goes with --summary");
		return -1;
	}
	if (o->from_paths)
		for (i = 0; i < o->a.nmodel; i++)
			if (o->a.model[i] == ATTR_TIME_DECAY) {
				diag("-m time_decay needs the touches' times, which a path table does not have");
				return -1;
			}
	if (!o->summary && !o->paths && !o->partial) {
		if (o->from_paths || o->merge) {
			o->summary = 1;	/* there are no conversions to write one by one */
		} else {
			for (k = 0, i = 0; i < o->a.nmodel; i++)
				k += attr_per_conversion(o->a.model[i]);
			if (!k) {
				diag("markov and shapley credit channels over all journeys, not each conversion: "
				     "add --summary");
				return -1;
			}
		}
	}
	/* the journeys without a conversion: only the path-level models and the path table read them */
	o->a.keep_null = o->paths || o->partial || !attr_transform_keeps_channels(o->a.tf);
	for (i = 0; i < o->a.nmodel; i++)
		if (o->summary && !attr_per_conversion(o->a.model[i]))
			o->a.keep_null = 1;
	o->names[N_TYPE] = "type";
	o->names[N_USER] = "user_id";
	o->names[N_TS] = "ts";
	o->names[N_ID] = "event_id";
	o->names[N_VALUE] = o->a.value_field;
	for (i = 0; i < o->a.nby; i++)
		o->names[N_BY + i] = o->a.by[i];
	o->nnames = N_BY + (unsigned)o->a.nby;
	for (i = 0; i < (int)o->nnames; i++)
		o->lens[i] = strlen(o->names[i]);
	for (i = 0; i < o->a.nconv; i++)
		o->conv_len[i] = strlen(o->a.conv[i]);
	for (i = 0; i < o->a.ntouch; i++)
		o->touch_len[i] = strlen(o->a.touch[i]);
	json_pick_init(&o->pick, o->names, o->lens, o->nnames);
	if (map && stage_map_load(&o->map, map) < 0)
		return -1;
	if (!map)
		stage_map_default(&o->map);
	return optind;
}

/* ---- the workers: each event to what attribution needs ---- */

static int in_list(const char *const *v, const size_t *lens, int n, const char *s, size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (lens[i] == len && bytes_eq(v[i], s, len))
			return 1;
	return 0;
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
	const struct jfield *got[N_BY + MAX_BY], *type, *user, *ts, *id, *value, *const *by = got + N_BY;
	struct jfield f[N_BY + MAX_BY];
	struct attrib_rec r;
	struct dec val = { 0, 0 };
	size_t start = out->len;
	int sr, k, entry;
	const char *s;
	uint32_t n;

	/* only the members wanted: a compact line is walked once, not scanned into fields */
	got[N_TYPE] = got[N_USER] = got[N_TS] = got[N_ID] = got[N_VALUE] = NULL;	/* set by the call: for gcc */
	if ((sr = json_line_pick(&w->obj, line, len, marks, &o->pick, f, got, why)) < 0)
		return sr;
	type = got[N_TYPE], user = got[N_USER], ts = got[N_TS], id = got[N_ID], value = got[N_VALUE];
	/* field by field: a memset of the record was a rep stos a line */
	r.user.lo = r.user.hi = r.chh.lo = r.chh.hi = 0;
	r.ch_len = r.id_len = r.user_len = r.ts_len = 0;
	r.kind = r.has_user = r.has_value = 0;
	if (!ts || event_ts_ms(ts, &r.ts) < 0) {
		snprintf(why, 200, "ts missing or not a timestamp (attribution follows time)");
		return -1;
	}
	if (!type || type->type != J_STR) {
		snprintf(why, 200, "no type (vchain-attribute reads canonical events: vchain-parse)");
		return -1;
	}
	if (in_list(o->a.conv, o->conv_len, o->a.nconv, type->val, type->vlen))
		r.kind = ATTRIB_CONV;
	else if (o->a.ntouch)
		r.kind = in_list(o->a.touch, o->touch_len, o->a.ntouch, type->val, type->vlen) ? ATTRIB_TOUCH : ATTRIB_OTHER;
	else if ((entry = stage_map_find(&o->map, type->val, type->vlen)) >= 0 && o->map.stage[entry] >= 1 &&
		 o->map.stage[entry] <= 5)
		r.kind = ATTRIB_TOUCH;
	if (user && (user->type == J_STR || user->type == J_NUM) && user->vlen > 0) {
		r.has_user = 1;
		r.user = hash128(user->val, user->vlen);
	}
	if (r.kind == ATTRIB_CONV && value && value->type != J_NULL) {
		if ((value->type != J_NUM && value->type != J_STR) || dec_parse(value->val, value->vlen, &val) < 0) {
			snprintf(why, 200, "%s is not a number", o->a.value_field);
			return -1;
		}
		r.has_value = 1;
	}
	if (buf_add(out, &r, sizeof(r)) < 0)
		return -2;
	if (r.kind == ATTRIB_TOUCH) {	/* the channel: the --by fields' values joined by '/' */
		for (k = 0; k < o->a.nby; k++) {
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
		r.chh = hash128(out->p + start + sizeof(r), r.ch_len);	/* here, not in the part */
	} else if (r.kind == ATTRIB_CONV) {
		if (buf_add(out, &val, sizeof(val)) < 0)
			return -2;
		r.ch_len = sizeof(val);
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
	attrib_note_rec(&w->note, &r, o->a.tolerance_ms);
	if (r.kind == ATTRIB_OTHER || (r.kind == ATTRIB_TOUCH && !r.has_user))
		return 0;	/* for the commit's time check and counts only */
	return PAR_PART + (int)attrib_part_of(&r, o->nparts);
}

/* The engine's message, where it is; the run stops. */
static int say(struct run *r, uint64_t lineno)
{
	if (!strncmp(r->a.why, "out of memory", 13))	/* not the line's fault */
		diag("%s", r->a.why);
	else
		diag_at(r->d->name, lineno, "%s", r->a.why);
	return r->d->stop = -1;
}


static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	uint64_t line;

	if (c->fatal)	/* out of memory mapping it: the parts took none of it */
		return drive_chunk_done(r->d, c, first_line);
	if (attrib_commit(&r->a, c, first_line, &line) < 0) {
		if (r->d->out.err)
			return r->d->stop = -1;
		return say(r, line);
	}
	return drive_chunk_done(r->d, c, first_line);
}

static int merge_line(void *ctx, const char *line, size_t len)
{
	return attrib_merge_line(ctx, line, len);
}

static void merge_input(void *ctx)
{
	attrib_merge_input(ctx);
}

static int merge_input_done(void *ctx)
{
	return attrib_merge_input_done(ctx);
}

/* ---- main ---- */

static void chunk_end(void *ctx, struct par_chunk *c)
{
	attrib_note_chunk(&((struct worker *)ctx)->note, c);
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
	int first, status = EXIT_OK, k;

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
	if (attrib_init(&r.a, &o.a) < 0) {
		diag("out of memory");
		status = EXIT_DATA;
	} else if (o.from_paths) {
		if (attrib_read_paths(&r.a, o.from_paths) < 0)
			status = EXIT_DATA;
		o.d.threads = 1;	/* no input to read: the output and its closing */
		if (status == EXIT_OK)
			status = drive_start(&o.d, attr_line, sizeof(struct worker), worker_init, &o, worker_done);
	} else if (o.merge) {
		struct drive_merge m = { &r.a, merge_line, merge_input, merge_input_done, r.a.why, 0 };

		status = drive_merge(&o.d, argv + first, argc - first, &m);
		if (status == EXIT_OK && !r.a.configured) {
			diag("--merge: no partial results in the input");
			status = EXIT_DATA;
		}
	} else {
		/* the people split into parts of the state, which the -j threads take chunk by chunk */
		if (attrib_parts(&r.a, o.d.threads) < 0) {
			diag("%s", r.a.why);
			status = EXIT_DATA;
		} else {
			o.nparts = r.a.nparts;
			o.d.parts = r.a.nparts;
			o.d.part_fn = attrib_part;
			o.d.pctx = r.a.pctx;
			o.d.part_outputs = 1;
			o.d.chunk_end = chunk_end;	/* the commit reads the chunk's note, not its records */
			r.a.noted = 1;
			status = drive_start(&o.d, attr_line, sizeof(struct worker), worker_init, &o, worker_done);
		}
		if (status == EXIT_OK && !o.summary && !o.paths && !o.partial && attrib_open_credits(&r.a, &o.d.out) < 0) {
			diag("%s", r.a.why);
			status = EXIT_DATA;
		}
		if (status == EXIT_OK)
			status = drive_inputs(&o.d, argv + first, argc - first, commit, NULL, NULL, &r);
		if (attrib_finish(&r.a, o.d.par) < 0 && status == EXIT_OK && !o.d.gone && o.d.out.err != EPIPE) {
			if (!o.d.out.err)
				diag("%s", r.a.why);
			status = EXIT_DATA;
		}
	}
	if (status == EXIT_OK && !o.d.gone) {
		if (o.partial)
			k = attrib_write_partial(&r.a, &o.d.out);
		else if (o.paths)
			k = attrib_write_paths(&r.a, &o.d.out);
		else if (o.summary)
			k = attrib_write_summary(&r.a, &o.d.out);
		else
			k = 0;
		if (k < 0 && o.d.out.err != EPIPE)
			status = EXIT_DATA;
	}
	if (o.a.stats) {
		attrib_stats(&r.a);
		drive_say_blank(&o.d);
	}
	status = drive_close(&o.d, status);
	attrib_free(&r.a);
	for (k = 0; k < o.nowned; k++)
		free(o.owned[k]);
	return status;
}
