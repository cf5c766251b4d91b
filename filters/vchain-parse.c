/*
 * vchain-parse - raw exports to canonical events (schemas/event.schema.json).
 *
 * Reads CSV, NDJSON, web access logs or Twitter/X API JSON from files or
 * stdin (gzip or not; the format is detected per input from its name and
 * first bytes unless --from says), and writes one canonical event per
 * line. A bad record stops the run with FILE:LINE, after the good records
 * before it are written; with --rejects the run goes on and each bad
 * record is set aside byte-exact. Records left out by a rule (static
 * assets, bots, error responses, blank lines) are counted, never lost
 * silently: read = written + rejected + left out.
 *
 * Each input format is one line function run by the worker threads of
 * filters/lib/par.c; what they share (the CSV header's columns, the
 * format of the input being read) is set up between inputs, in the
 * calling thread, while no worker runs.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/access.h"
#include "lib/cli.h"
#include "lib/csvcols.h"
#include "lib/csvrec.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/event.h"
#include "lib/hash.h"
#include "lib/input.h"
#include "lib/json.h"
#include "lib/out.h"
#include "lib/par.h"
#include "lib/profile.h"
#include "lib/progress.h"
#include "lib/source.h"
#include "lib/twitter.h"
#include "lib/visit.h"
#include "lib/ts.h"
#include "lib/vocab.h"

#define MAX_REJECT_MESSAGES DRIVE_MAX_REJECT_MESSAGES
#define SNIFF_BYTES ((size_t)64 << 10)

enum format { FROM_AUTO = SRC_AUTO, FROM_NDJSON = SRC_NDJSON, FROM_CSV = SRC_CSV, FROM_ACCESS = SRC_ACCESS,
	      FROM_TWITTER = SRC_TWITTER };
static const char *const format_name[] = { "auto", "ndjson", "csv", "access", "twitter" };

/* Why a record is left out: the line functions' return values 1.. */
enum rule { RULE_BLANK = 1, RULE_ASSET, RULE_BOT, RULE_ERROR, RULE_OWN, RULE_PROFILE, RULE_METHOD, RULE_END };
static const char *const rule_name[RULE_END] = {
	"", "blank lines", "assets", "bots", "errors", "the brand's own posts", "the profile's skip rule",
	"other methods"
};


struct opts {
	enum format from;
	int raw, stats, progress, explain;
	const char *records_at;		/* --records-at NAME: a line's records are its member NAME, an array */
	const char *header;		/* --header: the CSV inputs have no header line; these are the columns */
	char delim;			/* 0: by name, else guessed from the header */
	const char *tz;
	const char *ts_format;		/* --ts-format: timestamps in this form first */
	struct event_rewrite rw;	/* --set, --map-value */
	int rewrites;
	/* import profiles: the shipped ones (each detected by its header), or the one --profile names */
	struct profile *profiles;
	size_t nprofiles;
	struct profile forced;
	int has_forced;
	struct ts_zone zone;		/* each worker copies it (its cache is per thread) */
	struct source_map *maps;	/* --map COLUMN=FIELD, split in place */
	size_t nmaps;
	/* access logs */
	struct visit_opts visit;	/* access logs */
	int has_purchase;
	regex_t purchase;
	/* Twitter */
	const char *brand;		/* without '@' */
	struct drive d;			/* output, threads, input options */
};

/* The input being read, as the workers see it (set while none runs). */
struct current {
	enum format fmt;
	char delim;
	struct csv_columns cols;	/* CSV: the header's columns */
	struct profile *profile;	/* the input's import profile, or NULL */
	int lacks;			/* CSV: a field every event needs (ts, type) that no column or --set gives, or -1 */
};

struct counts {
	uint64_t read, written, events, rejected;
	uint64_t dropped[RULE_END];
};

/* What each worker thread keeps. */
struct worker {
	const struct opts *o;
	const struct current *cur;
	struct event_norm en;
	struct csvrec csv;
	struct ts_zone zone;
	struct buf tmp, val;		/* the record as JSON; a decoded value */
	struct buf objs;		/* a profile's events of the record */
	struct prow prow;		/* the record as the profile reads it */
	struct jobj pobj;		/* an NDJSON record's members, for a profile */
	struct jobj arr;		/* a line's array of records */
	uint64_t extra_events;		/* events beyond one a line, from arrays (after_input sums them) */
	struct twitter tw;
};

struct run {
	struct opts *o;
	struct drive *d;
	struct current cur;
	struct csvrec hcsv;		/* splits headers, in the calling thread */
	int titles_left;		/* lines before the header not yet skipped (the profile's title-lines) */
	struct counts total, now;	/* all inputs; the input being read */
	struct progress progress;	/* --progress */
};

static void usage(FILE *f)
{
	fputs("usage: vchain-parse [-h] [--version] [-f FORMAT] [--raw] [-o FILE] [-j N]\n"
	      "                    [--rejects FILE [--max-rejects N|P%]] [--stats] [--progress]\n"
	      "                    [--max-line SIZE] [-d DELIM] [--map COLUMN=FIELD]...\n"
	      "                    [--tz ZONE] [--ts-format FMT] [--set FIELD=VALUE]...\n"
	      "                    [--map-value FIELD:FROM=TO]... [--profile NAME|FILE]\n"
	      "                    [--explain] [--encoding ENC] [--records-at NAME]\n"
	      "                    [--keep-assets] [--keep-bots] [--keep-errors]\n"
	      "                    [--keep-methods] [--user-field F] [--purchase-path REGEX]\n"
	      "                    [--revenue-param NAME] [--brand HANDLE] [FILE ...]\n"
	      "\n"
	      "Turn raw exports into canonical vchain events, one JSON object per line.\n"
	      "Reads the FILEs (or stdin; '-' is stdin), plain or gzip.\n"
	      "\n"
	      "  -f, --from FORMAT     csv, tsv, ndjson, access or twitter (default: detected\n"
	      "                        per input from its name and first bytes)\n"
	      "      --raw             no canonical event: csv gives one object per row keyed\n"
	      "                        by the header; ndjson only validates, byte-exact\n"
	      "  -o, --output FILE     write records to FILE instead of stdout\n"
	      DRIVE_REJECTS_HELP
	      "      --stats           per input: read, written, rejected, left out (stderr)\n"
	      "      --progress        bytes done, rate and ETA on stderr, if it is a terminal\n"
	      "      --max-line SIZE   longest line (CSV record) accepted (default 16M)\n", f);
	cli_help_threads(f);
	fputs("      --encoding ENC    the inputs are in ENC (latin1, cp1252, utf-16, ...), not\n"
	      "                        UTF-8\n"
	      "      --records-at N    NDJSON: each line's records are its member N, an array\n"
	      "                        of objects (a line that is an array needs no option)\n"
	      "      --explain         say per input (stderr) the format and profile chosen and\n"
	      "                        what becomes of each column, before any record\n"
	      "      --profile P       read CSV as import profile P says: a shipped one\n"
	      "                        (online-retail, rees46, stripe, ...: detected by their\n"
	      "                        headers) or a file\n"
	      "      --set F=V         canonical field F is V in every record\n"
	      "      --map-value F:A=B  canonical field F's value A becomes B\n"
	      "                        (e.g. type:cart=click)\n"
	      "\n"
	      "CSV:\n"
	      "  -d, --delimiter C     ',', ';', '|', 'tab' (default: ',' or tab for .tsv, else\n"
	      "                        the most frequent of them in the header)\n"
	      "      --map COL=FIELD   read column COL as FIELD (beats schemas/csv-headers.tsv)\n"
	      "      --header A,B,..   the inputs have no header line: these are the columns\n"
	      "      --tz ZONE         zone of timestamps without one: +05:30, Europe/Berlin\n"
	      "                        (default UTC)\n"
	      "      --ts-format FMT   timestamps in this form (strptime's %Y %m %d %H %M %S\n"
	      "                        %b %p %z ...), e.g. '%m/%d/%Y %H:%M'; others as usual\n"
	      "Access logs:\n"
	      "      --keep-assets     keep requests for css, js, images, fonts\n"
	      "      --keep-bots       keep requests from crawlers and scripts\n"
	      "      --keep-errors     keep responses other than 2xx and 3xx\n"
	      "      --keep-methods    keep requests other than GET and HEAD (a POST is no page\n"
	      "                        view)\n"
	      "      --user-field F    user_id from 'user', 'ident' or 'extra:N' (the Nth\n"
	      "                        field after the user agent) instead of a hash of\n"
	      "                        client address and user agent\n"
	      "      --purchase-path REGEX  requests whose target matches are purchases\n"
	      "      --revenue-param NAME   their revenue, from this query parameter\n"
	      "Twitter/X:\n"
	      "      --brand HANDLE    the brand's account: its replies are responses, its\n"
	      "                        other posts are left out\n"
	      "\n"
	      "  -h, --help            this help\n"
	      "      --version         version and gzip decoders\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data or I/O error, 2 usage error.\n"
	      "See vchain-parse(1).\n", f);
}

static int parse_format(const char *s, struct opts *o)
{
	if (!strcmp(s, "ndjson") || !strcmp(s, "jsonl") || !strcmp(s, "json"))
		o->from = FROM_NDJSON;
	else if (!strcmp(s, "csv"))
		o->from = FROM_CSV;
	else if (!strcmp(s, "tsv")) {
		o->from = FROM_CSV;
		if (!o->delim)
			o->delim = '\t';
	} else if (!strcmp(s, "access") || !strcmp(s, "combined") || !strcmp(s, "clf"))
		o->from = FROM_ACCESS;
	else if (!strcmp(s, "twitter") || !strcmp(s, "x"))
		o->from = FROM_TWITTER;
	else {
		diag("unknown input format '%s' (csv, tsv, ndjson, access, twitter)", s);
		return -1;
	}
	return 0;
}

static int parse_delim(const char *s, char *d)
{
	if (!strcmp(s, "tab") || !strcmp(s, "\\t") || !strcmp(s, "\t"))
		*d = '\t';
	else if (!strcmp(s, "comma"))
		*d = ',';
	else if (!strcmp(s, "semicolon"))
		*d = ';';
	else if (!strcmp(s, "pipe"))
		*d = '|';
	else if (strlen(s) == 1 && s[0] != '"' && s[0] != '\n' && s[0] != '\r')
		*d = s[0];
	else
		return -1;
	return 0;
}

static int parse_user_field(const char *s, struct opts *o)
{
	char *end;
	long n;

	if (!strcmp(s, "user"))
		o->visit.user_from = VISIT_USER_AUTH;
	else if (!strcmp(s, "ident"))
		o->visit.user_from = VISIT_USER_IDENT;
	else if (!strncmp(s, "extra:", 6)) {
		n = strtol(s + 6, &end, 10);
		if (*end || n < 1 || n > ACCESS_MAX_EXTRA)
			return -1;
		o->visit.user_from = VISIT_USER_EXTRA;
		o->visit.user_extra = (int)n;
	} else
		return -1;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum {
		OPT_RAW = 256, OPT_STATS, OPT_PROGRESS, OPT_MAP, OPT_TZ, OPT_TS_FORMAT, OPT_SET, OPT_MAP_VALUE, OPT_PROFILE, OPT_EXPLAIN, OPT_ENCODING, OPT_RECORDS_AT, OPT_HEADER,
		OPT_KEEP_ASSETS, OPT_KEEP_BOTS, OPT_KEEP_ERRORS, OPT_KEEP_METHODS, OPT_USER_FIELD,
		OPT_PURCHASE, OPT_REVENUE, OPT_BRAND
	};
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "raw", no_argument, NULL, OPT_RAW },
		DRIVE_REJECTS_LONGOPTS,
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "delimiter", required_argument, NULL, 'd' },
		{ "map", required_argument, NULL, OPT_MAP },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "ts-format", required_argument, NULL, OPT_TS_FORMAT },
		{ "set", required_argument, NULL, OPT_SET },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ "encoding", required_argument, NULL, OPT_ENCODING },
		{ "records-at", required_argument, NULL, OPT_RECORDS_AT },
		{ "header", required_argument, NULL, OPT_HEADER },
		{ "map-value", required_argument, NULL, OPT_MAP_VALUE },
		{ "keep-assets", no_argument, NULL, OPT_KEEP_ASSETS },
		{ "keep-bots", no_argument, NULL, OPT_KEEP_BOTS },
		{ "keep-errors", no_argument, NULL, OPT_KEEP_ERRORS },
		{ "keep-methods", no_argument, NULL, OPT_KEEP_METHODS },
		{ "user-field", required_argument, NULL, OPT_USER_FIELD },
		{ "purchase-path", required_argument, NULL, OPT_PURCHASE },
		{ "revenue-param", required_argument, NULL, OPT_REVENUE },
		{ "brand", required_argument, NULL, OPT_BRAND },
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *from = NULL;
	char *eq;
	int c, e, k;

	memset(o, 0, sizeof(*o));
	if (drive_init(&o->d) < 0)
		return -1;
	if (ts_zone_init(&o->zone, "UTC") < 0)
		return -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:d:" DRIVE_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 'd':
			if (parse_delim(optarg, &o->delim) < 0) {
				diag("--delimiter: '%s' is not one character (or tab, comma, semicolon, pipe)",
				     optarg);
				return -1;
			}
			break;
		case OPT_RAW: o->raw = 1; break;
		case OPT_STATS: o->stats = 1; break;
		case OPT_PROGRESS: o->progress = 1; break;
		case OPT_MAP:
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1]) {
				diag("--map: '%s' is not COLUMN=FIELD", optarg);
				return -1;
			}
			{
				struct source_map *m = realloc(o->maps, (o->nmaps + 1) * sizeof(*m));

				if (!m) {
					diag("out of memory");
					return -1;
				}
				o->maps = m;
			}
			*eq = '\0';
			o->maps[o->nmaps].column = optarg;
			o->maps[o->nmaps].field = eq + 1;
			o->maps[o->nmaps].used = 0;
			o->nmaps++;
			break;
		case OPT_TZ:
			if (ts_zone_init(&o->zone, optarg) < 0) {
				diag("--tz: '%s' is neither an offset like +05:30 nor a zone of the "
				     "tz database (e.g. Europe/Berlin)", optarg);
				return -1;
			}
			o->tz = optarg;
			break;
		case OPT_EXPLAIN: o->explain = 1; break;
		case OPT_RECORDS_AT: o->records_at = optarg; break;
		case OPT_HEADER: o->header = optarg; break;
		case OPT_ENCODING:
			if (!in_encoding_known(optarg)) {
				diag("--encoding: '%s' is not an encoding iconv knows (latin1, cp1252, utf-16, ...: "
				     "iconv -l lists them)", optarg);
				return -1;
			}
			o->d.in.encoding = optarg;
			break;
		case OPT_PROFILE:
			if (o->has_forced)
				profile_free(&o->forced);
			if (profile_load(&o->forced, optarg) < 0)
				return -1;
			o->has_forced = 1;
			break;
		case OPT_SET:
		case OPT_MAP_VALUE: {
			char why[200];

			if ((c == OPT_SET ? event_rewrite_set : event_rewrite_map)(&o->rw, optarg, why) < 0) {
				diag("%s", why);
				return -1;
			}
			o->rewrites = 1;
			break;
		}
		case OPT_TS_FORMAT:
			if (ts_format_check(optarg) < 0) {
				diag("--ts-format: '%s' has a conversion other than %%Y %%y %%m %%d %%e %%H %%I %%M "
				     "%%S %%f %%p %%b %%h %%B %%a %%A %%T %%z %%Z %%s %%%%", optarg);
				return -1;
			}
			o->ts_format = optarg;
			break;
		case OPT_KEEP_ASSETS: o->visit.keep_assets = 1; break;
		case OPT_KEEP_BOTS: o->visit.keep_bots = 1; break;
		case OPT_KEEP_ERRORS: o->visit.keep_errors = 1; break;
		case OPT_KEEP_METHODS: o->visit.keep_methods = 1; break;
		case OPT_USER_FIELD:
			if (parse_user_field(optarg, o) < 0) {
				diag("--user-field: '%s' is not user, ident or extra:N (N from 1 to %d)",
				     optarg, ACCESS_MAX_EXTRA);
				return -1;
			}
			break;
		case OPT_PURCHASE:
			if (o->has_purchase)
				regfree(&o->purchase);
			e = regcomp(&o->purchase, optarg, REG_EXTENDED | REG_NOSUB);
			if (e) {
				char msg[160];

				regerror(e, &o->purchase, msg, sizeof(msg));
				diag("--purchase-path: '%s': %s", optarg, msg);
				return -1;
			}
			o->has_purchase = 1;
			o->visit.purchase = &o->purchase;
			break;
		case OPT_REVENUE: o->visit.revenue_param = optarg; break;
		case OPT_BRAND:
			o->brand = optarg[0] == '@' ? optarg + 1 : optarg;
			if (!*o->brand) {
				diag("--brand: an account name is needed");
				return -1;
			}
			break;
		default:
			if ((k = drive_take_option(&o->d, c, optarg, argv, usage)) <= 0)
				return k;
		}
	}
	if (from && parse_format(from, o) < 0)
		return -1;
	if (o->visit.revenue_param && !o->has_purchase) {
		diag("--revenue-param needs --purchase-path");
		return -1;
	}
	return optind;
}

/* ---- the line functions, run by the workers ---- */

static int profile_line(struct worker *w, const char *rec, size_t len, struct buf *out, char *why);

static size_t count_newlines(const char *p, size_t n)
{
	size_t k = 0;
	const char *e = p + n;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL)
		p++, k++;
	return k;
}

/* One JSON object of many in a line: as the profile reads it, or normalised. */
static int one_record(struct worker *w, const char *obj, size_t len, struct buf *out, char *why)
{
	int r;

	if (!w->cur->profile)
		return event_append(&w->en, obj, len, out, why);
	if ((r = json_scan_object(obj, len, &w->pobj)) != 0) {
		snprintf(why, 200, "%.160s", r == -2 ? "out of memory" : w->pobj.err);
		return r == -2 ? -2 : -1;
	}
	return profile_line(w, obj, len, out, why);
}

/*
 * A line that holds many records: a JSON array of objects (as APIs serve
 * them), or with --records-at NAME an object whose member NAME is one
 * (its other members are left). A bad element makes the whole line bad.
 */
static int ndjson_records(struct worker *w, const char *line, size_t len, struct buf *out, char *why)
{
	struct jobj *arr = &w->arr;
	const struct jfield *f;
	size_t start = out->len, i;
	int r = 0;

	if (len && line[0] == '[')
		r = json_scan_array(line, len, arr);
	else if ((r = json_scan_object(line, len, &w->pobj)) == 0) {
		f = jobj_get(&w->pobj, w->o->records_at, strlen(w->o->records_at));
		if (!f || f->type != J_ARR) {
			snprintf(why, 200, "no array \"%.60s\" (--records-at) in the object", w->o->records_at);
			return -1;
		}
		r = json_scan_array(f->val, f->vlen, arr);
	} else {
		snprintf(why, 200, "%.160s", w->pobj.err ? w->pobj.err : "not a JSON object");
		return r == -2 ? -2 : -1;
	}
	if (r != 0) {
		snprintf(why, 200, "%.160s", r == -2 ? "out of memory" : arr->err ? arr->err : "not a JSON array");
		return r == -2 ? -2 : -1;
	}
	for (i = 0; i < arr->n && r == 0; i++) {
		const struct jfield el = arr->f[i];

		if (el.type != J_OBJ) {
			snprintf(why, 200, "element %zu of the array is not a JSON object", i + 1);
			r = -1;
		} else
			r = one_record(w, el.val, el.vlen, out, why);
		if (r > 0)	/* left out by a rule: the element only */
			r = 0;
	}
	if (r < 0)
		out->len = start;
	else
		w->extra_events += (uint64_t)count_newlines(out->p + start, out->len - start) - 1;
	return r;
}

static int ndjson_line(struct worker *w, const char *line, size_t len, const struct scan_marks *marks,
		       struct buf *out, char *why)
{
	long n;
	int r;

	if (w->o->raw) {
		r = json_scan_line(line, len, &w->en.obj, marks);
		if (r == 0)
			return PAR_SAME;	/* the line, byte for byte */
		if (r == -2)
			return -2;
		snprintf(why, 200, "%.160s (column %zu)", w->en.obj.err, w->en.obj.err_col);
		return -1;
	}
	if ((len && line[0] == '[') || w->o->records_at)
		return ndjson_records(w, line, len, out, why);
	if (w->cur->profile) {	/* the members as the profile reads them */
		if ((r = json_scan_line(line, len, &w->pobj, marks)) < 0) {
			if (r == -2)
				return -2;
			snprintf(why, 200, "%.160s (column %zu)", w->pobj.err, w->pobj.err_col);
			return -1;
		}
		return profile_line(w, line, len, out, why);
	}
	if (out->cap - out->len < EVENT_OUT_MAX_EN(&w->en, len) && buf_grow(out, EVENT_OUT_MAX_EN(&w->en, len)) < 0)
		return -2;
	n = event_normalize_to(&w->en, line, len, marks, out->p + out->len);
	if (n > 0) {
		out->len += (size_t)n;
		return 0;
	}
	if (n == 0)
		return PAR_SAME;	/* already canonical: the line is the record */
	return n == -2 ? -2 : event_why(&w->en, why);
}


/* A CSV record by the input's import profile: its events (none: left out by the profile's rule). */
static int profile_line(struct worker *w, const char *rec, size_t len, struct buf *out, char *why)
{
	const struct current *cur = w->cur;
	const struct profile *p = cur->profile;
	const char *o, *end, *nl;
	long k;
	int r;

	w->en.ts_format = p->ts_format ? p->ts_format : w->o->ts_format;
	w->objs.len = 0;
	w->prow.csv = cur->fmt == FROM_CSV ? &w->csv : NULL;
	w->prow.obj = &w->pobj;
	k = profile_row(p, &w->prow, (const char *const *)cur->cols.keys, cur->cols.klens, rec, len, &w->objs, &w->tmp, why);
	if (k <= 0)
		return k == 0 ? RULE_PROFILE : (int)k;
	if (p->spend)	/* spend rows, checked by profile_row: no events to normalise */
		return buf_add(out, w->objs.p, w->objs.len) < 0 ? -2 : 0;
	for (o = w->objs.p, end = o + w->objs.len; o < end; o = nl + 1) {
		nl = memchr(o, '\n', (size_t)(end - o));
		if ((r = event_append(&w->en, o, (size_t)(nl - o), out, why)) < 0)
			return r;
	}
	return 0;
}

/*
 * CSV: the record's fields as a JSON object of strings keyed by the
 * columns (empty canonical fields left out), then normalised; --raw
 * writes the object itself, every column kept.
 */
static int csv_line(struct worker *w, const char *rec, size_t len, struct buf *out, char *why)
{
	const struct current *cur = w->cur;
	struct buf *t = &w->tmp;
	size_t i, src = len && rec[len - 1] == '\r' ? len - 1 : len;
	long n = source_csv_record(&w->csv, cur->delim, rec, len, cur->cols.ncol, why);
	int first = 1;

	if (n <= 0)
		return n == 0 ? RULE_BLANK : (int)n;
	if (cur->profile && !w->o->raw)
		return profile_line(w, rec, src, out, why);
	if (cur->lacks >= 0 && !w->o->raw) {	/* every record: say why, and what to do */
		const char *f = event_fields[cur->lacks].name;

		snprintf(why, 200, "%s: missing: no column of the header is read as %s (--map COLUMN=%s, "
			 "--set %s=VALUE or --profile; --explain shows each column's fate)", f, f, f, f);
		return -1;
	}
	t->len = 0;
	if (buf_addc(t, '{') < 0)
		return -2;
	if (!w->o->raw && (cur->cols.id_col < 0 || w->csv.flen[cur->cols.id_col] == 0)) {
		/* no id from the source: a fingerprint of the record as written */
		if (buf_add(t, "\"event_id\":", 11) < 0 || event_put_fingerprint(t, rec, src) < 0)
			return -2;
		first = 0;
	}
	for (i = 0; i < cur->cols.ncol; i++) {
		const struct csv_column *c = &cur->cols.col[i];
		const char *key = c->key;
		size_t klen = c->klen;

		if (!w->o->raw && c->field >= 0 && w->csv.flen[i] == 0)
			continue;	/* an empty canonical field is an absent one */
		if (c->own_key && !csv_columns_sale_row(&cur->cols, &w->csv)) {
			key = c->own_key;	/* a view's price is no revenue */
			klen = c->own_klen;
		}
		if ((!first && buf_addc(t, ',') < 0) || buf_add(t, key, klen) < 0 ||
		    buf_addc(t, ':') < 0 || json_escape(t, w->csv.f[i], w->csv.flen[i]) < 0)
			return -2;
		first = 0;
	}
	if (buf_addc(t, '}') < 0)
		return -2;
	if (w->o->raw)
		return buf_add(out, t->p, t->len) < 0 || buf_addc(out, '\n') < 0 ? -2 : 0;
	return event_append(&w->en, t->p, t->len, out, why);
}

/* In a worker: one record to one event (or a bad record with why[]). */
static int parse_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks,
		      struct buf *out, char *why)
{
	struct worker *w = ctx;

	int r;

	switch (w->cur->fmt) {
	case FROM_CSV:
		return csv_line(w, line, len, out, why);
	case FROM_ACCESS:
		r = visit_line(&w->o->visit, &w->val, line, len, out, why);
		return r == VISIT_ERROR ? RULE_ERROR : r == VISIT_BOT ? RULE_BOT : r == VISIT_ASSET ? RULE_ASSET
		       : r == VISIT_METHOD ? RULE_METHOD : r;
	case FROM_TWITTER:
		r = twitter_line(&w->tw, line, len, marks, out, why);
		return r == TWITTER_OWN ? RULE_OWN : r;
	default:
		return ndjson_line(w, line, len, marks, out, why);
	}
}

/* ---- per input, in the calling thread ---- */



/*
 * The header: each column's output key. A column that stands for a
 * canonical field (source.h's precedence) is named after it; a --map to
 * another name renames it; the rest keep their own names. --raw keeps
 * every name as written.
 */
static int csv_columns(struct run *r, long n, char *why);

/* --explain: what became of each column of the header in r->hcsv, on stderr. */
static void explain_columns(struct run *r)
{
	const struct current *cur = &r->cur;
	char fate[512];
	size_t i;

	for (i = 0; i < cur->cols.ncol; i++) {
		if (cur->profile)
			profile_explain_column(cur->profile, (long)i, fate, sizeof(fate));
		else
			csv_columns_fate(&cur->cols, i, fate, sizeof(fate));
		diag("  %-24.*s %s", (int)r->hcsv.flen[i], r->hcsv.f[i], fate);
	}
}

/* --explain: the format (and profile) an input is read as, on stderr. */
static void explain_input(struct run *r)
{
	const struct current *cur = &r->cur;
	char d[8];

	if (cur->fmt == FROM_CSV)
		snprintf(d, sizeof(d), cur->delim == '\t' ? "tab" : "'%c'", cur->delim);
	diag_at(r->d->name, 0, "read as %s%s%s%s%s%s%s", format_name[cur->fmt], cur->fmt == FROM_CSV ? ", delimiter " : "",
		cur->fmt == FROM_CSV ? d : "", cur->profile ? ", profile " : "", cur->profile ? cur->profile->name : "",
		cur->profile && cur->profile->about ? ": " : "",
		cur->profile && cur->profile->about ? cur->profile->about : "");
	if (cur->fmt == FROM_NDJSON && !cur->profile)
		diag("  members named as canonical fields are read as them; the others are carried as they are");
	if (cur->fmt == FROM_NDJSON && cur->profile) {
		char rule[300];
		int k;

		for (k = 0; k < cur->profile->nrule; k++) {
			profile_explain_rule(cur->profile, k, rule, sizeof(rule));
			diag("  %s", rule);
		}
		diag("  the other members are dropped (a profile on NDJSON reads paths; nothing is carried)");
	}
}

static int csv_header(void *ctx, const char *rec, size_t len, char *why)
{
	struct run *r = ctx;
	long n;

	if (r->titles_left > 0) {
		r->titles_left--;
		return 1;	/* a title line: not the header yet */
	}
	csv_columns_free(&r->cur.cols);
	if ((n = source_split_header(&r->hcsv, r->cur.delim, rec, len, why)) < 0)
		return -1;
	return csv_columns(r, n, why);
}

/* The columns of the header in r->hcsv (n names); with a profile, bound to it. 0, or -1 (why). */
static int csv_columns(struct run *r, long n, char *why)
{
	struct current *cur = &r->cur;
	struct opts *o = r->o;

	/* a profile reads the columns by their names; the rest keep them */
	if (csv_columns_make(&cur->cols, &r->hcsv, n, o->maps, o->nmaps, !o->raw && !cur->profile, !cur->profile,
			     why) < 0)
		return -1;
	if (cur->profile && profile_bind(cur->profile, &r->hcsv, n, why) < 0) {
		csv_columns_free(&cur->cols);
		return -1;
	}
	cur->lacks = -1;
	if (!o->raw && !cur->profile) {
		static const int needed[] = { EV_TS, EV_TYPE };
		size_t i, k;

		for (k = 0; k < sizeof(needed) / sizeof(needed[0]) && cur->lacks < 0; k++) {
			for (i = 0; i < cur->cols.ncol && cur->cols.col[i].field != needed[k]; i++)
				;
			if (i == cur->cols.ncol && !(o->rewrites && o->rw.set_mask >> needed[k] & 1))
				cur->lacks = needed[k];
		}
	}
	if (o->explain)
		explain_columns(r);
	return 0;
}

static int prepare(void *ctx, struct drive *d, struct in *in)
{
	struct run *r = ctx;
	struct opts *o = r->o;
	const char *p = NULL;
	ssize_t n = 0;
	char delim = o->delim;

	csv_columns_free(&r->cur.cols);
	r->cur.fmt = o->from;
	r->cur.profile = NULL;
	if (o->from == FROM_AUTO || o->from == FROM_CSV) {
		n = in_peek(in, SNIFF_BYTES, &p);
		if (n < 0) {
			diag_at(d->name, 0, "%s", in->err);
			return -1;
		}
	}
	if (o->from == FROM_AUTO)
		r->cur.fmt = (enum format)source_detect(in, p, (size_t)n, &delim);
	in->json = r->cur.fmt == FROM_NDJSON || r->cur.fmt == FROM_TWITTER;
	if (r->cur.fmt == FROM_NDJSON && !o->raw)
		r->cur.profile = o->has_forced ? &o->forced : profile_pick_json(o->profiles, o->nprofiles, p, (size_t)n);
	if (r->cur.fmt == FROM_CSV) {
		if (!delim)
			delim = n ? source_guess_delim(p, (size_t)n) : ',';
		r->cur.delim = delim;
		in->quote = '"';
		in->delim = delim;
		if (!o->raw)
			r->cur.profile = o->has_forced ? &o->forced
							: profile_pick_csv(o->profiles, o->nprofiles, &r->hcsv, p, (size_t)n, delim);
		const char *names = o->header ? o->header : r->cur.profile ? r->cur.profile->header : NULL;

		if (o->explain && names)
			explain_input(r);
		if (names) {
			/* a headerless export: --header or the profile names the columns, every line is a record */
			char why[200];
			long k = source_split_header(&r->hcsv, ',', names, strlen(names), why);

			if (k < 0 || csv_columns(r, k, why) < 0) {
				diag_at(d->name, 0, "%s%s: %s", o->header ? "--header" : "profile ",
					o->header ? "" : r->cur.profile->name, why);
				return -1;
			}
		} else {
			r->titles_left = r->cur.profile ? r->cur.profile->title_lines : 0;
			par_set_header(d->par, csv_header, r);
		}
	}
	if (o->explain && !(r->cur.fmt == FROM_CSV && (o->header || (r->cur.profile && r->cur.profile->header))))
		explain_input(r);
	return 0;
}

/* In input order: write a chunk's records and rejects, say what was wrong. */
static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	unsigned i;

	r->now.read += c->done + (uint64_t)c->stopped;
	r->now.written += c->written;
	r->now.rejected += c->rejected;
	for (i = 1; i < RULE_END; i++)
		r->now.dropped[i] += c->dropped[i];
	r->now.dropped[RULE_BLANK] += c->blank;	/* NDJSON's and access logs' (CSV's come as the rule) */
	if (r->cur.fmt == FROM_TWITTER || (r->cur.profile && r->cur.profile->nup)) {
		/* a page of tweets, or an unpivoted row, is many events */
		const char *p = c->out.p, *end = c->out.p + c->out.len;

		while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL)
			p++, r->now.events++;
	} else
		r->now.events += c->written;
	if (par_chunk_write(c, &r->d->out) < 0)
		return r->d->stop = -1;
	if (c->nmsgs && (c->stopped || r->d->shown < MAX_REJECT_MESSAGES))
		progress_end(&r->progress);
	if (drive_chunk_done(r->d, c, first_line) < 0)
		return -1;
	if (r->o->progress)
		progress_show(&r->progress, r->d->cur ? in_bytes_read(r->d->cur) : 0, r->d->name, 0);
	return 0;
}

static void before_input(void *ctx)
{
	struct run *r = ctx;

	memset(&r->now, 0, sizeof(r->now));
}

/* "NAME: FORMAT: read ..." for an input, "total: read ..." for all of them. */
static void say_counts(const char *name, const struct counts *k, const char *fmt)
{
	char left[256] = "";
	size_t off = 0;
	uint64_t total = 0;
	int i;

	for (i = 1; i < RULE_END; i++)
		total += k->dropped[i];
	if (total) {
		off += (size_t)snprintf(left, sizeof(left), ", left out %llu (", (unsigned long long)total);
		for (i = 1; i < RULE_END && off < sizeof(left); i++)
			if (k->dropped[i])
				off += (size_t)snprintf(left + off, sizeof(left) - off, "%s%s %llu",
							left[off - 1] == '(' ? "" : ", ", rule_name[i],
							(unsigned long long)k->dropped[i]);
		if (off < sizeof(left))
			snprintf(left + off, sizeof(left) - off, ")");
	}
	char events[48] = "";

	if (k->events != k->written)
		snprintf(events, sizeof(events), " (%llu events)", (unsigned long long)k->events);
	diag_at(name ? name : "total", 0, "%s%sread %llu, written %llu%s, rejected %llu%s",
		fmt ? fmt : "", fmt ? ": " : "", (unsigned long long)k->read,
		(unsigned long long)k->written, events, (unsigned long long)k->rejected, left);
}

static void after_input(void *ctx)
{
	struct run *r = ctx;
	int i;

	r->progress.bytes_done += r->d->in_bytes;
	for (unsigned k = 0; k < r->d->nworkers; k++) {	/* the workers are idle between inputs */
		struct worker *w = r->d->wctx[k];

		r->now.events += w->extra_events;
		w->extra_events = 0;
	}
	if (r->o->stats) {
		progress_end(&r->progress);
		say_counts(r->d->name, &r->now, format_name[r->cur.fmt]);
	}
	r->total.read += r->now.read;
	r->total.written += r->now.written;
	r->total.events += r->now.events;
	r->total.rejected += r->now.rejected;
	for (i = 1; i < RULE_END; i++)
		r->total.dropped[i] += r->now.dropped[i];
}

static int worker_init(void *ctx, void *arg)
{
	struct worker *w = ctx;
	struct run *r = arg;

	w->o = r->o;
	w->cur = &r->cur;
	w->zone = r->o->zone;
	event_norm_init(&w->en);
	w->en.tz = r->o->tz ? &w->zone : NULL;
	w->en.ts_format = r->o->ts_format;
	w->en.rw = r->o->rewrites ? &r->o->rw : NULL;
	w->tw.brand = r->o->brand;
	w->tw.en = &w->en;
	return csvrec_init(&w->csv, ',', '"');
}

static void worker_done(void *ctx)
{
	struct worker *w = ctx;

	event_norm_free(&w->en);
	csvrec_free(&w->csv);
	buf_free(&w->tmp);
	buf_free(&w->objs);
	prow_free(&w->prow);
	jobj_free(&w->pobj);
	jobj_free(&w->arr);
	buf_free(&w->val);
	twitter_free(&w->tw);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	int first, status;

	cli_start(argv[0]);
	first = parse_args(argc, argv, &o);
	if (first <= 0)
		return cli_args_status(first);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	r.cur.cols.id_col = r.cur.cols.type_col = -1;
	r.cur.lacks = -1;
	o.progress = o.progress && isatty(2);
	o.d.prepare = prepare;
	if (csvrec_init(&r.hcsv, ',', '"') < 0 || profile_load_builtins(&o.profiles, &o.nprofiles) < 0) {
		diag("out of memory");
		return EXIT_DATA;
	}
	if (o.progress)
		progress_start(&r.progress, argv + first, argc - first);
	status = drive_start(&o.d, parse_line, sizeof(struct worker), worker_init, &r, worker_done);
	if (status == EXIT_OK)
		status = drive_inputs(&o.d, argv + first, argc - first, commit,
				      before_input, after_input, &r);
	progress_end(&r.progress);

	if (o.stats && argc - first > 1)
		say_counts(NULL, &r.total, NULL);
	status = drive_close(&o.d, status);
	csvrec_free(&r.hcsv);
	csv_columns_free(&r.cur.cols);
	free(o.maps);
	event_rewrite_free(&o.rw);
	profile_free_all(o.profiles, o.nprofiles);
	if (o.has_forced)
		profile_free(&o.forced);
	if (o.has_purchase)
		regfree(&o.purchase);
	return status;
}
