/*
 * vchain-aggregate - group-by metrics over NDJSON or CSV events, the way
 * Miller's stats1/count and SQL's GROUP BY do them, with exact money, and
 * the value chain's reports.
 *
 * Workers reduce each line to the fields the groups and accumulators read
 * (recin.h, rec.h); the commit step, in input order, gives them to the
 * group-by engine (agg.h), which writes the results at the end, or with
 * --partial the state to merge, which --merge takes back into exactly what
 * one pass gives.
 */
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/agg.h"
#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/recin.h"
#include "lib/spend.h"
#include "lib/writer.h"

struct opts {
	struct agg agg;			/* what is computed */
	enum out_format format;
	int stats;
	int partial, merge;		/* write mergeable state; read it */
	enum recin_format from;		/* --from, or RECIN_AUTO */
	char from_delim;
	int sla_opts;			/* --respond-within or --resolve-within given */
	int breakdown_given;		/* --breakdown-by */
	int as_of_given;		/* --as-of */
	int media_given;		/* --media-followers */
	const char *spend_path;		/* roi: the spend table */
	struct spend spend;
	struct drive d;
};

struct worker {
	const struct opts *o;
	const struct recin *in;
	struct recin_worker rw;
};

struct run {
	struct opts *o;
	struct drive *d;
	struct recin in;		/* the input being read, as the workers see it */
	uint64_t read, rejected, blank;	/* read = aggregated + rejected + blank */
	int merge_failed;		/* an input of partial results was cut short or empty */
};

static void usage(FILE *f)
{
	fputs("usage: vchain-aggregate [-h] [--version] [-g FIELD[,FIELD...]] [-a ACC[,ACC...]]\n"
	      "                        [--report NAME [--window DUR] [--step-window DUR]\n"
	      "                          [--breakdown-by first|last] [--exclude TYPE[@STAGE]]\n"
	      "                          [--brand ID] [--spend FILE] [--respond-within DUR]\n"
	      "                          [--resolve-within DUR] [--as-of DATE]\n"
	      "                          [--own-domain D[,D...]] [--media-followers N]]\n"
	      "                        [--every hour|day|week|month [--tz ZONE]]\n"
	      "                        [--format FORMAT] [--from FMT] [--partial] [--merge]\n"
	      "                        [-o FILE] [-j N] [--rejects FILE [--max-rejects N|P%]]\n"
	      "                        [--stats] [--max-line SIZE] [FILE ...]\n"
	      "\n"
	      "Group NDJSON records and compute metrics per group, one record per group,\n"
	      "sorted by the group key. Reads the FILEs (or stdin), plain or gzip.\n"
	      "\n"
	      "  -g, --group-by F,..   group by these fields (absent = its own group, null)\n"
	      "  -a, --acc ACC,..      accumulators (default: count):\n"
	      "                         count (sums the count field, 1 when absent), rows,\n"
	      "                         sum:F min:F max:F mean:F stddev:F distinct:F\n"
	      "                         approx_distinct:F p50:F p90:F p99:F first:F last:F\n"
	      "      --report NAME     a value-chain report instead of -a: funnel, engagement,\n"
	      "                        roi, sla, listening, selling, networking, rfm\n"
	      "                        (fields in vchain-aggregate(1))\n"
	      "      --window DUR      funnel: stages reached within DUR of the first event\n"
	      "      --step-window DUR  funnel: each stage within DUR of the one before\n"
	      "      --exclude TYPE[,TYPE..][@STAGE]  funnel: people who did TYPE before\n"
	      "                        reaching STAGE (or the next stage) go no further\n"
	      "      --breakdown-by first|last  funnel with -g or --every: each person in\n"
	      "                        the group of their first (default) or last touch\n"
	      "      --brand ID        engagement: the brand account's records give followers\n"
	      "      --spend FILE      roi: CSV of campaign or platform, spend[, date]\n"
	      "      --respond-within DUR  sla: the response limit (default 12h)\n"
	      "      --resolve-within DUR  sla: the resolve limit (default 24h)\n"
	      "      --as-of DATE      rfm: recency from this date (default: the latest ts's)\n"
	      "      --own-domain D,..  networking: leave out these referring domains and\n"
	      "                        their subdomains (the brand's own)\n"
	      "      --media-followers N  networking: earned media are mentions by accounts\n"
	      "                        with N followers or more (default 10000)\n"
	      "      --every UNIT      add a time bucket of ts: hour, day, week (ISO, from\n"
	      "                        Monday), month; UTC unless --tz\n"
	      "      --tz ZONE         --every's buckets (rfm: its dates) in this zone (e.g.\n"
	      "                        Europe/Berlin), daylight saving included; ts stays UTC\n"
	      "      --format FMT      ndjson (default), csv, tsv, table\n"
	      "      --from FMT        input: ndjson, csv, tsv (default: by name, .csv/.tsv,\n"
	      "                        else by the first byte: '{' is NDJSON)\n"
	      "      --partial         write each group's mergeable state, not results\n"
	      "      --merge           read partial results (of shards, in order) and merge\n"
	      "  -o, --output FILE     write to FILE instead of stdout\n"
	      DRIVE_REJECTS_HELP
	      "      --stats           records read, rejected, groups, memory (stderr)\n"
	      "      --max-line SIZE   longest line accepted (default 16M)\n", f);
	cli_help_threads(f);
	fputs("  -h, --help            this help\n"
	      "      --version         version and gzip decoders\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data or I/O error, 2 usage error.\n"
	      "See vchain-aggregate(1).\n", f);
}

/* -g's fields, one by one. 0, or -1 (said). */
static int add_group(void *ctx, const char *name, size_t n)
{
	struct agg *a = ctx;
	int r = agg_group(a, name, n);

	if (r < 0)
		diag("%s", a->why);
	return r;
}

/* Each report's options go with it (with --merge, the partial header says the report). 0, or -1. */
static int report_options(const struct opts *o)
{
	const struct { int given; const struct report_def *r; const char *name; } need[] = {
		{ o->agg.brand != NULL, &report_engagement, "--brand" },
		{ o->agg.window_ms != 0, &report_funnel, "--window" },
		{ o->agg.step_ms != 0, &report_funnel, "--step-window" },
		{ o->breakdown_given, &report_funnel, "--breakdown-by" },
		{ o->agg.excl.n > 0, &report_funnel, "--exclude" },
		{ o->sla_opts, &report_sla, "--respond-within and --resolve-within" },
		{ o->spend_path != NULL, &report_roi, "--spend" },
		{ o->as_of_given, &report_rfm, "--as-of" },
		{ o->agg.own_domain != NULL, &report_networking, "--own-domain" },
		{ o->media_given, &report_networking, "--media-followers" },
	};
	int i;

	for (i = 0; i < 10; i++)
		if (need[i].given && o->agg.report != need[i].r) {
			diag("%s goes with --report %s", need[i].name, need[i].r->name);
			return -1;
		}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o, const char **accs, int *nacc)
{
	enum { OPT_EVERY = 256, OPT_FORMAT, OPT_STATS, OPT_PARTIAL, OPT_MERGE, OPT_FROM,
	       OPT_REPORT, OPT_BRAND, OPT_WINDOW, OPT_RESPOND, OPT_RESOLVE, OPT_SPEND, OPT_TZ, OPT_STEP, OPT_BREAKDOWN, OPT_EXCLUDE, OPT_AS_OF, OPT_OWN, OPT_MEDIA };
	static const struct option longopts[] = {
		{ "group-by", required_argument, NULL, 'g' },
		{ "acc", required_argument, NULL, 'a' },
		{ "every", required_argument, NULL, OPT_EVERY },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "format", required_argument, NULL, OPT_FORMAT },
		DRIVE_REJECTS_LONGOPTS,
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "partial", no_argument, NULL, OPT_PARTIAL },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "brand", required_argument, NULL, OPT_BRAND },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "step-window", required_argument, NULL, OPT_STEP },
		{ "breakdown-by", required_argument, NULL, OPT_BREAKDOWN },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "respond-within", required_argument, NULL, OPT_RESPOND },
		{ "resolve-within", required_argument, NULL, OPT_RESOLVE },
		{ "spend", required_argument, NULL, OPT_SPEND },
		{ "as-of", required_argument, NULL, OPT_AS_OF },
		{ "own-domain", required_argument, NULL, OPT_OWN },
		{ "media-followers", required_argument, NULL, OPT_MEDIA },
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct agg *a = &o->agg;
	int c, k;

	if (drive_init(&o->d) < 0)
		return CLI_ARGS_BAD;
	o->d.json_lines = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":g:a:" DRIVE_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if ((k = cli_each_item(optarg, add_group, a)) < 0)
				return k == -2 ? CLI_ARGS_FAIL : CLI_ARGS_BAD;
			break;
		case 'a':
			if (*nacc == AGG_MAX_ACC) {
				diag("-a: too many");
				return CLI_ARGS_BAD;
			}
			accs[(*nacc)++] = optarg;
			break;
		case OPT_EVERY:
			if (!(a->every = ts_every_of(optarg, strlen(optarg)))) {
				diag("--every: '%s' is not hour, day, week or month", optarg);
				return CLI_ARGS_BAD;
			}
			break;
		case OPT_TZ: {
			char why[200];

			if (ts_zone_set(optarg, why) < 0) {
				diag("--tz: %s", why);
				return CLI_ARGS_BAD;
			}
			snprintf(a->tz, sizeof(a->tz), "%s", ts_zone() ? ts_zone() : "");
			break;
		}
		case OPT_FORMAT:
			if (out_format_parse(optarg, &o->format) < 0) {
				diag("--format: '%s' is not ndjson, csv, tsv or table", optarg);
				return CLI_ARGS_BAD;
			}
			break;
		case OPT_STATS: o->stats = 1; break;
		case OPT_PARTIAL: o->partial = 1; break;
		case OPT_MERGE: o->merge = a->merging = 1; break;
		case OPT_FROM:
			if (recin_parse_from(optarg, &o->from, &o->from_delim) < 0) {
				diag("--from: '%s' is not ndjson, csv or tsv", optarg);
				return CLI_ARGS_BAD;
			}
			break;
		case OPT_REPORT:
			if (!(a->report = report_find(optarg, strlen(optarg)))) {
				diag("--report: '%s' is not funnel, engagement, roi, sla, listening, selling, networking or rfm", optarg);
				return CLI_ARGS_BAD;
			}
			break;
		case OPT_BRAND:
			if (!*optarg || strpbrk(optarg, "|&;") || strlen(optarg) > 200) {
				diag("--brand: '%s' is not a user_id this option takes "
				     "(1-200 bytes, none of | & ;)", optarg);
				return CLI_ARGS_BAD;
			}
			a->brand = optarg;
			break;
		case OPT_WINDOW:
		case OPT_STEP:
		case OPT_RESPOND:
		case OPT_RESOLVE: {
			long long ms;

			if (cli_parse_duration(optarg, &ms) < 0 || ms <= 0) {
				diag("--%s: '%s' is not a duration (e.g. 30d, 12h)",
				     c == OPT_WINDOW ? "window" : c == OPT_STEP ? "step-window"
				     : c == OPT_RESPOND ? "respond-within" : "resolve-within", optarg);
				return CLI_ARGS_BAD;
			}
			if (c == OPT_WINDOW)
				a->window_ms = ms;
			else if (c == OPT_STEP)
				a->step_ms = ms;
			else if (c == OPT_RESPOND)
				a->respond_ms = ms, o->sla_opts = 1;
			else
				a->resolve_ms = ms, o->sla_opts = 1;
			break;
		}
		case OPT_SPEND: o->spend_path = optarg; break;
		case OPT_OWN: {
			char d[256];
			const char *p;
			size_t n;

			/* each domain as a referrer's would be written: lower case, no www. */
			for (p = optarg; *p; p += n + (p[n] == ',')) {
				n = strcspn(p, ",");
				if (!n || ref_domain(p, n, d, sizeof(d)) != n || memcmp(d, p, n)) {
					diag("--own-domain: '%.*s' is not a domain as the report writes them (lower case, "
					     "no www., no scheme or path: example.com)", (int)n, p);
					return CLI_ARGS_BAD;
				}
			}
			a->own_domain = optarg;
			break;
		}
		case OPT_MEDIA: {
			unsigned long long v;

			if (cli_parse_number(optarg, 1, 1000000000000ULL, &v) < 0) {
				diag("--media-followers: '%s' is not a number of followers (1 or more)", optarg);
				return CLI_ARGS_BAD;
			}
			a->media_followers = (long long)v;
			o->media_given = 1;
			break;
		}
		case OPT_AS_OF: {
			unsigned y, m, d;
			char end;

			if (sscanf(optarg, "%4u-%2u-%2u%c", &y, &m, &d, &end) != 3 || strlen(optarg) != 10 || m < 1 ||
			    m > 12 || d < 1 || d > 31 ||
			    d > (unsigned)(ts_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
					   ts_days_from_civil(y, m, 1))) {
				diag("--as-of: '%s' is not a date (YYYY-MM-DD)", optarg);
				return CLI_ARGS_BAD;
			}
			a->as_of_day = ts_days_from_civil(y, m, d);
			a->as_of_given = o->as_of_given = 1;
			break;
		}
		case OPT_EXCLUDE: {
			char why[200];

			if (funnel_exclude_add(&a->excl, optarg, strlen(optarg), why) < 0) {
				diag("%s", why);
				return CLI_ARGS_BAD;
			}
			break;
		}
		case OPT_BREAKDOWN:
			if (strcmp(optarg, "first") && strcmp(optarg, "last")) {
				diag("--breakdown-by: '%s' is not first or last", optarg);
				return CLI_ARGS_BAD;
			}
			a->breakdown_last = !strcmp(optarg, "last");
			o->breakdown_given = 1;
			break;
		default:
			if ((k = drive_take_option(&o->d, c, optarg, argv, usage)) <= 0)
				return k;
		}
	}
	if (a->report && *nacc) {
		diag("--report computes its own metrics: no -a");
		return CLI_ARGS_BAD;
	}
	if (!o->merge && report_options(o) < 0)
		return CLI_ARGS_BAD;
	if (o->spend_path && o->partial) {
		diag("--spend: give the spend table to the --merge of the partial results, once");
		return CLI_ARGS_BAD;
	}
	if (a->excl.n && o->merge) {
		diag("--exclude picks records: give it with --partial (the merge reads it from there)");
		return CLI_ARGS_BAD;
	}
	if (o->media_given && o->merge) {
		diag("--media-followers picks records: give it with --partial (the merge reads it from there)");
		return CLI_ARGS_BAD;
	}
	if (a->brand && o->merge) {
		diag("--brand picks records: give it with --partial");
		return CLI_ARGS_BAD;
	}
	if (o->partial && o->format != OUT_NDJSON) {
		diag("--partial writes NDJSON only");
		return CLI_ARGS_BAD;
	}
	if (o->merge && (a->ngroups || *nacc || a->every || a->report || a->tz[0])) {
		diag("--merge takes the groups, accumulators and report from the partial results; "
		     "no -g, -a, --every, --tz or --report");
		return CLI_ARGS_BAD;
	}
	if (a->tz[0] && !a->every && !(a->report && a->report->whole_input)) {
		diag("--tz is the zone of --every's buckets: give --every too");
		return CLI_ARGS_BAD;
	}
	if (a->report && a->report->whole_input && a->every) {
		diag("--report %s scores the whole input: no --every (--tz sets the zone of its dates)",
		     a->report->name);
		return CLI_ARGS_BAD;
	}
	if (a->report && a->report->default_group && !a->ngroups &&
	    add_group(a, a->report->default_group, strlen(a->report->default_group)) < 0)
		return CLI_ARGS_FAIL;
	if (a->report && a->report->needs_key) {
		for (k = 0; k < a->ngroups && strcmp(a->groups[k], a->report->needs_key); k++)
			;
		if (k == a->ngroups) {
			diag("--report %s is per %s: -g must include it (-g %s,currency scores each currency apart)",
			     a->report->name, a->report->needs_key, a->report->needs_key);
			return CLI_ARGS_BAD;
		}
	}
	return optind;
}

/*
 * --spend: the table (a file that cannot be read, or is no spend table, is
 * bad data: EXIT_DATA), then the groups it asks for (EXIT_USAGE).
 */
static int spend_setup(struct opts *o)
{
	int r = spend_load(&o->spend, o->spend_path);

	if (r == -2)
		return diag("out of memory"), EXIT_DATA;
	if (r < 0)
		return diag_at(o->spend_path, o->spend.err_line, "%s", o->spend.err), EXIT_DATA;
	o->agg.spend = &o->spend;
	o->agg.spend_path = o->spend_path;
	if (!o->merge && !o->agg.ngroups && add_group(&o->agg, o->spend.col, strlen(o->spend.col)) < 0)
		return EXIT_DATA;
	if (!o->merge && (o->agg.ngroups != 1 || strcmp(o->agg.groups[0], o->spend.col))) {
		diag("--spend: %s gives spend by %s, so group by it alone (-g %s, or no -g)", o->spend_path,
		     o->spend.col, o->spend.col);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* ---- workers ---- */

/* A line to its reduced record, with what the report checks. */
static int reduce_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks,
		       struct buf *out, char *why)
{
	struct worker *w = ctx;
	size_t start = out->len;
	int r = recin_line(w->in, &w->rw, line, len, marks, out, why);

	if (r == 0 && agg_check(&w->o->agg, out->p + start, why) < 0) {
		out->len = start;
		return -1;
	}
	if (r == 0 && w->o->agg.nparts)
		return PAR_PART + (int)agg_part_of(&w->o->agg, out->p + start);
	return r;
}

/* A part's records of a chunk, into the part's own agg. */
static int part_take(void *ctx, struct par_chunk *c, const uint32_t *offs, size_t n)
{
	return agg_take_at(ctx, c, offs, n) < 0 ? -2 : 0;
}

/* With --merge: a partial line is only checked to be JSON; the commit step reads it. */
static int copy_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks,
		     struct buf *out, char *why)
{
	return partial_copy_line(&((struct worker *)ctx)->rw.obj, line, len, marks, out, why);
}

/* ---- the commit step, in input order ---- */

/* The engine's message: where it is (a line of partial results, or the input), then what. */
static int say(struct run *r, uint64_t line)
{
	struct agg *a = &r->o->agg;

	if (!strcmp(a->why, "out of memory"))
		diag_at(r->d->name, line, "out of memory with %zu groups and %zu MB of state (distinct values, people "
			"and percentiles are kept exactly: ~sketches need less)", groups_count(&a->table), agg_bytes(a) >> 20);
	else
		diag_at(r->d->name, line, "%s", a->why);
	return r->d->stop = -1;
}

static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	struct agg *a = &r->o->agg;
	const char *p = c->out.p, *end = c->out.p + c->out.len, *nl;

	r->read += c->done + (uint64_t)c->stopped;
	r->rejected += c->rejected;
	r->blank += c->dropped[1] + c->blank;	/* CSV blank lines (the one rule), and the others */
	if (r->o->merge) {
		uint64_t k, line;	/* k: the record's number in the chunk: its line, par_record_line */

		for (k = 0; p < end; p = nl + 1, k++) {
			nl = memchr(p, '\n', (size_t)(end - p));
			line = par_record_line(c, first_line, k);
			if (agg_merge_line(a, p, (size_t)(nl - p), line) < 0)
				return say(r, line);
		}
	} else if (a->nparts) {
		unsigned q;

		for (q = 0; c->fatal && q < a->nparts; q++)
			if (a->parts[q]->part_failed) {	/* the parts took the records: say what stopped one */
				memcpy(a->why, a->parts[q]->why, sizeof(a->why));
				return say(r, 0);
			}
	} else if (agg_take(a, p, (size_t)(end - p)) < 0)
		return say(r, 0);
	return drive_chunk_done(r->d, c, first_line);
}

/* Each input: NDJSON or CSV (recin.h); partial results to merge are NDJSON. */
static int prepare(void *ctx, struct drive *d, struct in *in)
{
	struct run *r = ctx;

	return r->o->merge ? 0 : recin_prepare(&r->in, d, in);
}

static void before_input(void *ctx)
{
	agg_merge_input(&((struct run *)ctx)->o->agg);
}

/* --merge: an input that ended before its end line is a shard's file cut short. */
static void after_input(void *ctx)
{
	struct run *r = ctx;

	if (r->o->merge && !r->d->failed && !r->d->gone && !r->merge_failed &&
	    agg_merge_input_done(&r->o->agg) < 0) {
		diag_at(r->d->name, 0, "%s", r->o->agg.why);
		r->merge_failed = 1;
	}
}

/* The results, or the partial results. 0, or -1 (said, or a write error for drive_close to say). */
static int finish(struct run *r)
{
	struct opts *o = r->o;
	struct agg *a = &o->agg;

	if (o->merge && report_options(o) < 0)
		return -2;
	a->rr.pool = r->d->par;	/* the work at the end on every thread */
	if (a->nparts && agg_join(a) < 0) {
		diag("%s", a->why);
		return -1;
	}
	if ((o->partial ? agg_write_partial(a, &r->d->out) : agg_write(a, &r->d->out, o->format, r->read)) == 0)
		return 0;
	if (r->d->out.err)
		return -1;
	if (a->why_line && o->spend_path)
		diag_at(o->spend_path, a->why_line, "%s", a->why);
	else
		diag("%s", a->why);
	return -1;
}

static int worker_init(void *ctx, void *arg)
{
	struct worker *w = ctx;
	struct run *r = arg;

	w->o = r->o;
	w->in = &r->in;
	return recin_worker_init(&w->rw);
}

static void worker_done(void *ctx)
{
	recin_worker_free(&((struct worker *)ctx)->rw);
}

int main(int argc, char **argv)
{
	const char *accs[AGG_MAX_ACC];
	static struct opts o;
	struct run r;
	int first, status, nacc = 0, split;

	cli_start(argv[0]);
	agg_init(&o.agg);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	first = parse_args(argc, argv, &o, accs, &nacc);
	if (first <= 0) {
		status = cli_args_status(first);
		goto done;
	}
	if (o.spend_path && (status = spend_setup(&o)) != EXIT_OK)
		goto done;
	if (!o.merge && (status = agg_configure(&o.agg, accs, nacc)) < 0) {
		diag("%s", o.agg.why);
		status = status == -2 ? EXIT_DATA : EXIT_USAGE;
		goto done;
	}
	r.in.from = o.from;
	r.in.from_delim = o.from_delim;
	if (recin_init(&r.in, &o.agg.l) < 0) {
		diag("out of memory");
		status = EXIT_DATA;
		goto done;
	}
	if (!o.merge) {
		agg_start(&o.agg);
		/* order-free states in parts, one thread at a time each: no serial commit */
		if ((split = agg_split(&o.agg, drive_parts(&o.d))) < 0) {
			diag("%s", o.agg.why);
			status = EXIT_DATA;
			goto done;
		}
		if (split) {
			o.d.parts = o.agg.nparts;
			o.d.part_fn = part_take;
			o.d.pctx = (void **)o.agg.parts;
		}
	}
	o.d.prepare = prepare;
	if (o.merge)
		drive_merge_lines(&o.d);
	status = drive_start(&o.d, o.merge ? copy_line : reduce_line, sizeof(struct worker), worker_init, &r,
			     worker_done);
	if (status == EXIT_OK)
		status = drive_inputs(&o.d, argv + first, argc - first, commit, before_input, after_input, &r);
	if (status == EXIT_OK && r.merge_failed)
		status = EXIT_DATA;
	if (status == EXIT_OK && o.merge && !o.agg.pin.header) {
		diag("--merge: no partial results in the input");
		status = EXIT_DATA;
	}
	if (status == EXIT_OK && !o.d.gone && (first = finish(&r)) < 0)
		status = first == -2 ? EXIT_USAGE : EXIT_DATA;
	if (o.stats) {
		char blank[48] = "", unused[64] = "", nulls[64] = "";

		if (r.blank)
			snprintf(blank, sizeof(blank), ", blank lines %llu", (unsigned long long)r.blank);
		if (o.agg.null_counts)
			snprintf(nulls, sizeof(nulls), ", %llu with a null count (weight 0)",
				 (unsigned long long)o.agg.null_counts);
		if (o.agg.report && !o.merge)
			snprintf(unused, sizeof(unused), ", %llu read by no metric of the report",
				 (unsigned long long)o.agg.unused);
		diag("read %llu, rejected %llu%s%s, groups %zu%s, %zu MB of state",
		     (unsigned long long)r.read, (unsigned long long)r.rejected, blank, nulls,
		     groups_count(&o.agg.table), unused, agg_bytes(&o.agg) >> 20);
	}
	status = drive_close(&o.d, status);
done:
	recin_free(&r.in);
	agg_free(&o.agg);
	spend_free(&o.spend);
	return status;
}
