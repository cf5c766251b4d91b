/*
 * vchain-aggregate - group-by metrics over NDJSON events, the way Miller's
 * stats1/count and SQL's GROUP BY do them, with exact money, and the value
 * chain's reports.
 *
 * Workers scan each line (strict JSON, or CSV) and reduce it to the fields
 * the groups and accumulators read (rec.h); the commit step, in input
 * order, finds the group (group.h) and updates its accumulators (acc.h) or
 * its report's state (report.h). At the end the groups are sorted by their
 * key and written (writer.h), or with --partial their states are written
 * to be merged (partial.h) by --merge into exactly what one pass gives.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/acc.h"
#include "lib/cli.h"
#include "lib/csvrec.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/event.h"
#include "lib/group.h"
#include "lib/input.h"
#include "lib/json.h"
#include "lib/partial.h"
#include "lib/rec.h"
#include "lib/report.h"
#include "lib/source.h"
#include "lib/spend.h"
#include "lib/writer.h"

#define MAX_ACC 64	/* a 64-bit mask says which accumulators take a record */

enum in_format { IN_AUTO, IN_NDJSON, IN_CSV };

struct opts {
	char *groups[REC_MAX_SLOTS];
	int ngroups;
	struct acc acc[MAX_ACC];
	int nacc;
	struct rec_layout l;		/* the fields a record is reduced to: groups first */
	enum ts_every every;
	enum out_format format;
	int stats;
	int partial, merge;		/* write mergeable state; read it */
	int from;			/* enum in_format; a tab-separated --from tsv sets tsv */
	int tsv;
	const struct report_def *report;
	int conditional;		/* some accumulator takes only some records */
	const char *brand;		/* engagement: the brand's user_id */
	long long window_ms;		/* funnel: progress within this of the first event */
	long long respond_ms, resolve_ms;	/* sla: 12 h and 24 h */
	int sla_opts;			/* --respond-within or --resolve-within given */
	const char *spend_path;		/* roi: the spend table */
	struct spend spend;
	struct drive d;
};

/* The input being read, as the workers see it (set while none runs). */
struct current {
	enum in_format fmt;
	char delim;
	int col_of[REC_MAX_SLOTS];	/* CSV: the column of each slot, or -1 */
	size_t ncol;
};

struct worker {
	const struct opts *o;
	const struct current *cur;
	struct jobj obj;
	struct csvrec csv;
	struct buf tmp;
};

struct run {
	struct opts *o;
	struct drive *d;
	struct current cur;
	struct csvrec hcsv;		/* splits CSV headers, in the calling thread */
	struct groups groups;
	struct report_run rr;
	struct partial_in pin;		/* --merge */
	struct jobj jo[2];
	struct buf tmp;
	uint64_t read, rejected, blank;	/* read = aggregated + rejected + blank */
	uint64_t unused;		/* of the aggregated: read by no metric of the report */
	int pf_acc, pf_slot;		/* the accumulator and slot to prefetch for, or -1 */
	int merge_failed;		/* an input of partial results was cut short */
};

static void usage(FILE *f)
{
	fputs("usage: vchain-aggregate [-h] [--version] [-g FIELD[,FIELD...]] [-a ACC[,ACC...]]\n"
	      "                        [--report NAME [--window DUR] [--brand ID] [--spend FILE]\n"
	      "                        [--respond-within DUR] [--resolve-within DUR]]\n"
	      "                        [--every hour|day|week|month] [--format FORMAT]\n"
	      "                        [--from FMT] [--partial] [--merge]\n"
	      "                        [-o FILE] [-j N] [--rejects FILE] [--stats]\n"
	      "                        [--max-line SIZE] [FILE ...]\n"
	      "\n"
	      "Group NDJSON records and compute metrics per group, one record per group,\n"
	      "sorted by the group key. Reads the FILEs (or stdin), plain or gzip.\n"
	      "\n"
	      "  -g, --group-by F,..  group by these fields (absent = its own group, null)\n"
	      "  -a, --acc ACC,..     accumulators (default: count):\n"
	      "                         count (sums the count field, 1 when absent), rows,\n"
	      "                         sum:F min:F max:F mean:F stddev:F distinct:F\n"
	      "                         approx_distinct:F p50:F p90:F p99:F first:F last:F\n"
	      "      --report NAME    a value-chain report instead of -a: funnel, engagement,\n"
	      "                       roi, sla, listening (fields in vchain-aggregate(1))\n"
	      "      --window DUR     funnel: stages reached within DUR of the first event\n"
	      "      --brand ID       engagement: the brand account's records give followers\n"
	      "      --spend FILE     roi: CSV of campaign or platform, spend[, date]\n"
	      "      --respond-within DUR  sla: the response limit (default 12h)\n"
	      "      --resolve-within DUR  sla: the resolve limit (default 24h)\n"
	      "      --every UNIT     add a time bucket of ts: hour, day, week (ISO, from\n"
	      "                       Monday), month; UTC\n"
	      "      --format FMT     ndjson (default), csv, tsv, table\n"
	      "      --from FMT       input: ndjson, csv, tsv (default: by name, .csv/.tsv,\n"
	      "                       else by the first byte: '{' is NDJSON)\n"
	      "      --partial        write each group's mergeable state, not results\n"
	      "      --merge          read partial results (of shards, in order) and merge\n"
	      "  -o, --output FILE    write to FILE instead of stdout\n"
	      "      --rejects FILE   go on past bad records, writing them to FILE byte-exact\n"
	      "      --stats          records read, rejected, groups, memory (stderr)\n"
	      "      --max-line SIZE  longest line accepted (default 16M)\n"
	      "  -j, --threads N      threads in all (default: the number of CPUs)\n"
	      "  -h, --help           this help\n"
	      "      --version        version and gzip decoders\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data or I/O error, 2 usage error.\n"
	      "See vchain-aggregate(1).\n", f);
}

/* Split a comma list, calling fn on each item. 0, -1 (said), or -2 (out of memory, said). */
static int each_item(const char *list, int (*fn)(struct opts *, const char *, size_t), struct opts *o)
{
	const char *p = list, *c;
	int r;

	for (;;) {
		c = strchr(p, ',');
		if ((c ? (size_t)(c - p) : strlen(p)) == 0) {
			diag("empty item in '%s'", list);
			return -1;
		}
		if ((r = fn(o, p, c ? (size_t)(c - p) : strlen(p))) < 0)
			return r;
		if (!c)
			return 0;
		p = c + 1;
	}
}

static int add_acc(struct opts *o, const char *spec, size_t n)
{
	char why[200];
	int r;

	if (o->nacc == MAX_ACC) {
		diag("-a: too many");
		return -1;
	}
	r = acc_parse(&o->acc[o->nacc], &o->l, spec, n, o->report != NULL, why);
	o->nacc++;	/* freed with the rest, whatever it holds */
	if (r == -2)
		diag("out of memory");
	else if (r < 0)
		diag("%s", why);
	return r;
}

static int add_group(struct opts *o, const char *name, size_t n)
{
	if (o->ngroups == REC_MAX_SLOTS || o->l.n == REC_MAX_SLOTS) {
		diag("-g: at most %d fields", REC_MAX_SLOTS);
		return -1;
	}
	o->groups[o->ngroups] = strndup(name, n);
	if (!o->groups[o->ngroups])
		return diag("out of memory"), -2;
	o->ngroups++;
	return 0;
}

/*
 * Slots and accumulators from the groups (already in o) and the -a lists (a
 * partial header's, with --merge). 0, -1 (said), or -2 (out of memory, said).
 */
static int configure(struct opts *o, const char *const *accs, int nacc)
{
	char why[200];
	int i, j, k;

	/* the slots: group fields, then accumulator fields, then count and ts */
	for (i = 0; i < o->ngroups; i++)
		if ((k = rec_slot(&o->l, o->groups[i], strlen(o->groups[i]), 0, SK_PLAIN)) != i) {
			if (k == -2)
				return diag("out of memory"), -2;
			diag("-g: '%s' given twice", o->groups[i]);
			return -1;
		}
	for (i = 0; i < nacc; i++)
		if ((k = each_item(accs[i], add_acc, o)) < 0)
			return k;
	if (o->report && !o->merge) {
		if ((k = report_accs(o->report, &o->l, o->brand, o->acc, why)) < 0)
			return diag("%s", k == -2 ? "out of memory" : why), k;
		o->nacc = o->report->nmembers;
	}
	if (o->report && !report_fits(o->report, o->acc, o->nacc)) {
		diag("partial results of a %s report with other accumulators", o->report->name);
		return -1;
	}
	if (!nacc && !o->report && (k = add_acc(o, "count", 5)) < 0)
		return k;
	for (i = 0; i < o->nacc; i++) {
		if (o->acc[i].cond.nalt)
			o->conditional = 1;
		if (o->report)
			o->acc[i].state = o->report->members[i].offset;
	}
	o->l.count_slot = o->l.bucket_slot = -1;
	for (i = 0; i < o->nacc; i++)
		if (o->acc[i].kind == A_COUNT)
			o->l.count_slot = rec_slot(&o->l, "count", 5, 0, SK_PLAIN);
	if (o->every) {
		o->l.every = o->every;
		o->l.bucket_slot = rec_slot(&o->l, "ts", 2, 0, SK_BUCKET);
	}
	if (o->l.count_slot == -2 || o->l.bucket_slot == -2)
		return diag("out of memory"), -2;
	if ((o->nacc && o->acc[0].kind == A_COUNT && o->l.count_slot < 0) || (o->every && o->l.bucket_slot < 0)) {
		diag("-a: more than %d fields", REC_MAX_SLOTS);
		return -1;
	}
	for (i = 0; i < o->nacc; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(o->acc[i].out, o->acc[j].out)) {
				diag("-a: '%s' given twice", o->acc[i].out);
				return -1;
			}
	return 0;
}

/* Each report's options go with it (with --merge, the partial header says the report). 0, or -1. */
static int report_options(const struct opts *o)
{
	const struct { int given; const struct report_def *r; const char *name; } need[] = {
		{ o->brand != NULL, &report_engagement, "--brand" },
		{ o->window_ms != 0, &report_funnel, "--window" },
		{ o->sla_opts, &report_sla, "--respond-within and --resolve-within" },
		{ o->spend_path != NULL, &report_roi, "--spend" },
	};
	int i;

	for (i = 0; i < 4; i++)
		if (need[i].given && o->report != need[i].r) {
			diag("%s goes with --report %s", need[i].name, need[i].r->name);
			return -1;
		}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o, const char **accs, int *nacc)
{
	enum { OPT_EVERY = 256, OPT_FORMAT, OPT_REJECTS, OPT_STATS, OPT_PARTIAL, OPT_MERGE, OPT_FROM,
	       OPT_REPORT, OPT_BRAND, OPT_WINDOW, OPT_RESPOND, OPT_RESOLVE, OPT_SPEND };
	static const struct option longopts[] = {
		{ "group-by", required_argument, NULL, 'g' },
		{ "acc", required_argument, NULL, 'a' },
		{ "every", required_argument, NULL, OPT_EVERY },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "rejects", required_argument, NULL, OPT_REJECTS },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "partial", no_argument, NULL, OPT_PARTIAL },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "brand", required_argument, NULL, OPT_BRAND },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "respond-within", required_argument, NULL, OPT_RESPOND },
		{ "resolve-within", required_argument, NULL, OPT_RESOLVE },
		{ "spend", required_argument, NULL, OPT_SPEND },
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	int c, k;

	o->respond_ms = 12 * 3600000LL;
	o->resolve_ms = 24 * 3600000LL;
	if (drive_init(&o->d) < 0)
		return CLI_ARGS_BAD;
	o->d.json_lines = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":g:a:" DRIVE_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if ((k = each_item(optarg, add_group, o)) < 0)
				return k == -2 ? CLI_ARGS_FAIL : CLI_ARGS_BAD;
			break;
		case 'a':
			if (*nacc == MAX_ACC) {
				diag("-a: too many");
				return CLI_ARGS_BAD;
			}
			accs[(*nacc)++] = optarg;
			break;
		case OPT_EVERY:
			if (!(o->every = ts_every_of(optarg, strlen(optarg)))) {
				diag("--every: '%s' is not hour, day, week or month", optarg);
				return CLI_ARGS_BAD;
			}
			break;
		case OPT_FORMAT:
			if (out_format_parse(optarg, &o->format) < 0) {
				diag("--format: '%s' is not ndjson, csv, tsv or table", optarg);
				return CLI_ARGS_BAD;
			}
			break;
		case OPT_REJECTS: o->d.rejects = optarg; break;
		case OPT_STATS: o->stats = 1; break;
		case OPT_PARTIAL: o->partial = 1; break;
		case OPT_MERGE: o->merge = 1; break;
		case OPT_FROM:
			if (!strcmp(optarg, "ndjson") || !strcmp(optarg, "jsonl"))
				o->from = IN_NDJSON;
			else if (!strcmp(optarg, "csv") || !strcmp(optarg, "tsv"))
				o->from = IN_CSV, o->tsv = optarg[0] == 't';
			else {
				diag("--from: '%s' is not ndjson, csv or tsv", optarg);
				return CLI_ARGS_BAD;
			}
			break;
		case OPT_REPORT:
			if (!(o->report = report_find(optarg, strlen(optarg)))) {
				diag("--report: '%s' is not funnel, engagement, roi, sla or listening", optarg);
				return CLI_ARGS_BAD;
			}
			break;
		case OPT_BRAND:
			if (!*optarg || strpbrk(optarg, "|&;") || strlen(optarg) > 200) {
				diag("--brand: '%s' is not a user_id this option takes "
				     "(1-200 bytes, none of | & ;)", optarg);
				return CLI_ARGS_BAD;
			}
			o->brand = optarg;
			break;
		case OPT_WINDOW:
		case OPT_RESPOND:
		case OPT_RESOLVE: {
			long long ms;

			if (cli_parse_duration(optarg, &ms) < 0 || ms <= 0) {
				diag("--%s: '%s' is not a duration (e.g. 30d, 12h)",
				     c == OPT_WINDOW ? "window" : c == OPT_RESPOND ? "respond-within"
										: "resolve-within", optarg);
				return CLI_ARGS_BAD;
			}
			if (c == OPT_WINDOW)
				o->window_ms = ms;
			else if (c == OPT_RESPOND)
				o->respond_ms = ms, o->sla_opts = 1;
			else
				o->resolve_ms = ms, o->sla_opts = 1;
			break;
		}
		case OPT_SPEND: o->spend_path = optarg; break;
		default:
			if ((k = drive_take_option(&o->d, c, optarg, argv, usage)) <= 0)
				return k;
		}
	}
	if (o->report && *nacc) {
		diag("--report computes its own metrics: no -a");
		return CLI_ARGS_BAD;
	}
	if (!o->merge && report_options(o) < 0)
		return CLI_ARGS_BAD;
	if (o->spend_path && o->partial) {
		diag("--spend: give the spend table to the --merge of the partial results, once");
		return CLI_ARGS_BAD;
	}
	if (o->brand && o->merge) {
		diag("--brand picks records: give it with --partial");
		return CLI_ARGS_BAD;
	}
	if (o->partial && o->format != OUT_NDJSON) {
		diag("--partial writes NDJSON only");
		return CLI_ARGS_BAD;
	}
	if (o->merge && (o->ngroups || *nacc || o->every || o->report)) {
		diag("--merge takes the groups, accumulators and report from the partial results; "
		     "no -g, -a, --every or --report");
		return CLI_ARGS_BAD;
	}
	if (o->report && o->report->default_group && !o->ngroups &&
	    add_group(o, o->report->default_group, strlen(o->report->default_group)) < 0)
		return CLI_ARGS_FAIL;
	return optind;
}

/*
 * --spend: the table (a file that cannot be read or is no spend table is
 * bad data: EXIT_DATA), then the groups it asks for (EXIT_USAGE).
 */
static int spend_setup(struct opts *o)
{
	int r = spend_load(&o->spend, o->spend_path);

	if (r == -2)
		return diag("out of memory"), EXIT_DATA;
	if (r < 0)
		return diag_at(o->spend_path, o->spend.err_line, "%s", o->spend.err), EXIT_DATA;
	if (!o->merge && !o->ngroups && add_group(o, o->spend.col, strlen(o->spend.col)) < 0)
		return EXIT_DATA;
	if (!o->merge && (o->ngroups != 1 || strcmp(o->groups[0], o->spend.col))) {
		diag("--spend: %s gives spend by %s, so group by it alone (-g %s, or no -g)", o->spend_path,
		     o->spend.col, o->spend.col);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* ---- workers: a line to its reduced record ---- */

static int reduce_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks,
		       struct buf *out, char *why)
{
	struct worker *w = ctx;
	const struct opts *o = w->o;
	size_t start = out->len;
	long n;
	int r;

	if (w->cur->fmt == IN_CSV) {
		if (len == 0 || (len == 1 && line[0] == '\r'))
			return 1;	/* a blank line: no record */
		csvrec_set_delim(&w->csv, w->cur->delim);
		n = csvrec_split(&w->csv, line, len);
		if (n == -2)
			return -2;
		/* checked after the split, which knows whether the record is ASCII */
		if (!csvrec_utf8(&w->csv, line, len))
			return snprintf(why, 200, "not valid UTF-8"), -1;
		if (n < 0)
			return snprintf(why, 200, "%s", w->csv.err), -1;
		if ((size_t)n != w->cur->ncol)
			return snprintf(why, 200, "%ld fields, the header has %zu", n, w->cur->ncol), -1;
		r = rec_reduce_csv(&o->l, &w->csv, w->cur->col_of, out, &w->tmp, why);
	} else {
		r = json_scan_line(line, len, &w->obj, marks);
		if (r == -2)
			return -2;
		if (r < 0) {
			snprintf(why, 200, "%.160s (column %zu)", w->obj.err, w->obj.err_col);
			return -1;
		}
		r = rec_reduce_json(&o->l, &w->obj, out, &w->tmp, why);
	}
	if (r == 0 && o->report && o->report->check) {
		struct slot s[REC_MAX_SLOTS];

		rec_read(out->p + start, o->l.n, s);
		if (o->report->check(o->acc, s, why) < 0) {
			out->len = start;
			return -1;
		}
	}
	return r;
}

/* In a worker, with --merge: a partial line is only checked to be JSON; the commit step reads it. */
static int copy_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks,
		     struct buf *out, char *why)
{
	struct worker *w = ctx;
	int r = json_scan_line(line, len, &w->obj, marks);

	if (r == -2)
		return -2;
	if (r < 0) {
		snprintf(why, 200, "%.160s (column %zu)", w->obj.err, w->obj.err_col);
		return -1;
	}
	return buf_add(out, line, len) < 0 || buf_addc(out, '\n') < 0 ? -2 : 0;
}

/* ---- commit: into the groups ---- */

/* The record s into group g: the accumulators whose bit is set in takes (with conditions), or all. */
static int update(struct run *r, struct group *g, const struct slot *s, uint64_t takes)
{
	const struct opts *o = r->o;
	int i, k;

	for (i = 0; i < o->nacc; i++) {
		const struct acc *a = &o->acc[i];
		void *p = g->st + a->state;

		if (o->conditional && !(takes >> i & 1))
			continue;
		if (a->kind >= A_FUNNEL)
			k = report_update(&r->rr, a, p, g, s);
		else
			k = acc_update(a, p, s, o->l.count_slot >= 0 ? &s[o->l.count_slot] : NULL);
		if (k < 0)
			return k;
	}
	return 0;
}

#define PREFETCH_AHEAD 8	/* records: about the time a slot takes to come from memory */

/* With one group: the table a distinct or funnel accumulator puts each record's hash in, or NULL. */
static struct htab *prefetch_table(struct run *r)
{
	const struct acc *a = &r->o->acc[r->pf_acc];
	unsigned char *p = groups_at(&r->groups, 0)->st + a->state;

	return a->kind == A_DISTINCT ? (struct htab *)(void *)p : &((struct htab_rows *)(void *)p)->idx;
}

static int merge_line(struct run *r, const char *line, size_t len, uint64_t lineno);

static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	const struct opts *o = r->o;
	const char *p = c->out.p, *end = c->out.p + c->out.len, *ahead = p;
	int direct = r->pf_slot >= 0 && !o->ngroups && o->l.bucket_slot < 0;
	struct slot s[REC_MAX_SLOTS];
	struct htab *pf = NULL;
	uint64_t takes = 0;
	int k;

	for (k = 0; k < PREFETCH_AHEAD && ahead < end && direct; k++)
		ahead += rec_len(ahead);
	if (!direct)
		ahead = end;
	r->read += c->done + (uint64_t)c->stopped;
	r->rejected += c->rejected;
	r->blank += c->dropped[1];	/* CSV blank lines, the one rule */
	if (o->merge) {
		uint64_t line = first_line;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			if (merge_line(r, p, (size_t)(nl - p), line++) < 0)
				return r->d->stop = -1;
			p = nl + 1;
		}
	}
	while (p < end) {
		const char *key = p + 4;
		struct group *g;

		if (ahead < end) {
			/* the hash table of one group's distinct values or people: load the slot of a record ahead */
			if (!pf && groups_count(&r->groups) == 1)
				pf = prefetch_table(r);
			if (pf) {
				struct slot a;

				if (rec_slot_at(ahead, r->pf_slot, &a) && a.type != REC_ABSENT)
					htab_prefetch(pf, slot_hash(&a));
			}
			ahead += rec_len(ahead);
		}
		p += rec_read(p, o->l.n, s);
		if (o->report && o->report->intercept) {
			if ((k = o->report->intercept(&r->rr, s)) < 0)
				goto oom;
			if (k)
				continue;	/* the report keeps it by itself */
		}
		if (o->conditional) {
			/* which accumulators take it, once; a record that none takes makes no group */
			for (takes = 0, k = 0; k < o->nacc; k++)
				takes |= (uint64_t)cond_holds(&o->acc[k].cond, s) << k;
			if (!takes) {
				r->unused++;
				continue;
			}
		}
		/* the key: the group slots, as they lie in the record */
		g = groups_find(&r->groups, key, group_key_len(s, o->ngroups),
				o->l.bucket_slot >= 0 ? &s[o->l.bucket_slot] : NULL);
		if (!g)
			goto oom;
		k = update(r, g, s, takes);
		if (k == -2)
			goto oom;
		if (k < 0) {
			diag_at(r->d->name, 0, "a sum does not fit in 38 digits");
			return r->d->stop = -1;
		}
	}
	if (drive_bad_records(r->d, c, first_line) < 0)
		return -1;
	if (c->fatal)
		goto oom;
	return 0;
oom:
	diag_at(r->d->name, 0, "out of memory");
	return r->d->stop = -1;
}

/* ---- output ---- */

static int put_json_value(struct buf *b, const struct slot *s)
{
	if (s->type == REC_ABSENT || s->type == J_NULL)
		return buf_add(b, "null", 4);
	if (s->type == J_STR)
		return json_escape(b, s->v, s->n);
	return buf_add(b, s->v, s->n);
}

/* How a table shows an accumulator's values. */
static enum col_kind acc_col_kind(enum acc_kind k)
{
	switch (k) {
	case A_COUNT: case A_ROWS: case A_DISTINCT: case A_APPROX: return COL_COUNT;
	case A_SUM: return COL_MONEY;
	case A_MEAN: case A_STDDEV: case A_P50: case A_P90: case A_P99: return COL_NUMBER;
	default: return COL_TEXT;
	}
}

/* A report's work before its rows. 0, or -1 after saying why. */
static int report_prepare(struct run *r)
{
	struct report_run *rr = &r->rr;

	rr->read = r->read;
	if (r->o->report->prepare && r->o->report->prepare(rr) < 0) {
		if (rr->why_line)
			diag_at(r->o->spend_path, rr->why_line, "%s", rr->why);
		else
			diag("%s", rr->why);
		return -1;
	}
	return 0;
}

static int write_results(struct run *r)
{
	const struct opts *o = r->o;
	const struct report_def *rep = o->report;
	int nkey = o->ngroups + (o->l.bucket_slot >= 0), ncol, nf, nrow = rep ? rep->nrows : 1, row, i, j;
	const char *names[2 * REC_MAX_SLOTS + 16];
	enum col_kind kinds[2 * REC_MAX_SLOTS + 16];
	struct buf vals[2 * REC_MAX_SLOTS + 16];
	struct slot s[REC_MAX_SLOTS + 1];
	struct writer w;
	size_t gi;
	int status = -1, opened = 0;

	memset(vals, 0, sizeof(vals));
	if (rep && report_prepare(r) < 0)
		return -1;
	ncol = rep ? (rep->columns ? rep->columns(&r->rr) : rep->ncols) : o->nacc;
	nf = nkey + ncol;
	/* names: the bucket, the group fields, the accumulators */
	j = 0;
	if (o->l.bucket_slot >= 0)
		kinds[j] = COL_TEXT, names[j++] = ts_every_names[o->every];
	for (i = 0; i < o->ngroups; i++)
		kinds[j] = COL_TEXT, names[j++] = o->groups[i];
	for (i = 0; i < ncol; i++, j++) {
		names[j] = rep ? rep->cols[i] : o->acc[i].out;
		kinds[j] = rep ? rep->kinds[i] : acc_col_kind(o->acc[i].kind);
	}
	if (groups_sort(&r->groups) < 0 || (rep && rep->sorted && rep->sorted(&r->rr) < 0))
		goto done;
	if (writer_open(&w, &r->d->out, o->format, nf, names, kinds) < 0)
		goto close;
	opened = 1;
	for (gi = 0, row = 0; gi < groups_count(&r->groups); row = row + 1 < nrow ? row + 1 : (gi++, 0)) {
		struct group *g = groups_at(&r->groups, gi);

		group_key_slots(&r->groups, g, s);
		for (i = 0; i < nf; i++)
			vals[i].len = 0;
		j = 0;
		if (o->l.bucket_slot >= 0 && put_json_value(&vals[j++], &s[nkey - 1]) < 0)
			goto close;
		for (i = 0; i < o->ngroups; i++)
			if (put_json_value(&vals[j++], &s[i]) < 0)
				goto close;
		if (rep) {
			if (rep->row(&r->rr, g, row, vals + j) < 0) {
				diag("%s", r->rr.why[0] ? r->rr.why : "out of memory");
				status = -2;
				goto close;
			}
		} else
			for (i = 0; i < o->nacc; i++)
				if (acc_value(o->acc[i].kind, g->st + o->acc[i].state, &vals[j++]) < 0)
					goto close;
		if (writer_row(&w, vals) < 0)
			goto close;
	}
	status = 0;
close:
	if (opened && writer_close(&w) < 0 && status == 0)
		status = -1;
done:
	for (i = 0; i < nf; i++)
		buf_free(&vals[i]);
	if (status == -1 && !r->d->out.err)
		diag("out of memory");
	return status < 0 ? -1 : 0;
}

/* ---- partial results: the state of every group, to merge later ---- */

/* The header line: what was aggregated, which --merge checks every input agrees on. */
static int partial_header(const struct opts *o, struct buf *b)
{
	int i;

	if (partial_header_begin(b) < 0 || buf_adds(b, ",\"group_by\":[") < 0)
		return -1;
	for (i = 0; i < o->ngroups; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, o->groups[i], strlen(o->groups[i])) < 0)
			return -1;
	if (buf_adds(b, "],\"every\":") < 0 ||
	    (o->every ? json_escape(b, ts_every_names[o->every], strlen(ts_every_names[o->every]))
		      : buf_add(b, "null", 4)) < 0 || buf_adds(b, ",\"acc\":[") < 0)
		return -1;
	for (i = 0; i < o->nacc; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, o->acc[i].spec, strlen(o->acc[i].spec)) < 0)
			return -1;
	if (buf_addc(b, ']') < 0 || (o->report && (buf_adds(b, ",\"report\":") < 0 ||
						  json_escape(b, o->report->name, strlen(o->report->name)) < 0)))
		return -1;
	return buf_add(b, "}\n", 2);
}

/* Whether accumulator i keeps no state of its own (a percentile after the field's first). */
static int shared_state(const struct opts *o, int i)
{
	int j;

	for (j = 0; j < i; j++)
		if (o->acc[j].state == o->acc[i].state)
			return 1;
	return 0;
}

static int write_partial(struct run *r)
{
	const struct opts *o = r->o;
	int nkey = o->ngroups + (o->l.bucket_slot >= 0), i;
	struct slot s[REC_MAX_SLOTS + 1];
	struct partial_out po = { NULL, 0 };
	struct buf b = BUF_INIT;
	size_t gi;
	int status = -1;

	if (groups_sort(&r->groups) < 0)
		goto done;
	if (o->report && o->report->partial_prepare && o->report->partial_prepare(&r->rr) < 0)
		goto done;
	if (partial_header(o, &b) < 0 || partial_out_begin(&po, &r->d->out, b.p, b.len) < 0)
		goto done;
	for (gi = 0; gi < groups_count(&r->groups); gi++) {
		const struct group *g = groups_at(&r->groups, gi);

		group_key_slots(&r->groups, g, s);
		b.len = 0;
		if (buf_adds(&b, "{\"key\":[") < 0)
			goto done;
		for (i = 0; i < o->ngroups; i++)
			if ((i && buf_addc(&b, ',') < 0) || put_json_value(&b, &s[i]) < 0)
				goto done;
		if (buf_addc(&b, ']') < 0)
			goto done;
		if (o->l.bucket_slot >= 0 && (buf_adds(&b, ",\"bucket\":") < 0 ||
					      json_escape(&b, s[nkey - 1].v, s[nkey - 1].n) < 0))
			goto done;
		if (buf_adds(&b, ",\"s\":[") < 0)
			goto done;
		for (i = 0; i < o->nacc; i++) {
			const struct acc *a = &o->acc[i];

			if ((i && buf_addc(&b, ',') < 0) ||
			    (shared_state(o, i) ? buf_add(&b, "null", 4)	/* written with the field's first percentile */
			     : o->report ? report_state_json(&r->rr, a, g->st + a->state, g, &b)
					 : acc_state_json(a->kind, g->st + a->state, &b)) < 0)
				goto done;
		}
		if (buf_add(&b, "]}\n", 3) < 0 || partial_out_line(&po, &r->d->out, b.p, b.len) < 0)
			goto done;
	}
	b.len = 0;
	if (o->report && o->report->partial_tail &&
	    (o->report->partial_tail(&r->rr, &b) < 0 || partial_out_line(&po, &r->d->out, b.p, b.len) < 0))
		goto done;
	status = partial_out_end(&po, &r->d->out);
done:
	if (po.h)
		XXH3_freeState(po.h);
	buf_free(&b);
	if (status < 0 && !r->d->out.err)
		diag("out of memory");
	return status;
}

/* ---- --merge: partial results in, the same state as one pass ---- */

static void layout_states(struct run *r);
static int start_groups(struct run *r);

/* Set up the aggregation a partial header describes (the first input's). 0, or -1. */
static int configure_from_header(struct run *r, const struct jobj *h)
{
	struct opts *o = r->o;
	const struct jfield *g = jobj_get(h, "group_by", 8), *e = jobj_get(h, "every", 5),
			    *a = jobj_get(h, "acc", 3), *rp = jobj_get(h, "report", 6);
	struct jobj arr = JOBJ_INIT;
	const char *accs[MAX_ACC];
	char *copies[MAX_ACC];
	int nacc = 0, i, rc = -1;
	size_t k;

	if (!g || g->type != J_ARR || !a || a->type != J_ARR || !e)
		return -1;
	if (rp && (rp->type != J_STR || !(o->report = report_find(rp->val, rp->vlen))))
		return -1;
	if (json_scan_array(g->val, g->vlen, &arr) != 0)
		goto done;
	for (k = 0; k < arr.n; k++)
		if (arr.f[k].type != J_STR || arr.f[k].vesc || add_group(o, arr.f[k].val, arr.f[k].vlen) < 0)
			goto done;
	if (e->type == J_STR && !(o->every = ts_every_of(e->val, e->vlen)))
		goto done;
	if (json_scan_array(a->val, a->vlen, &arr) != 0 || arr.n > MAX_ACC)
		goto done;
	for (k = 0; k < arr.n; k++) {
		if (arr.f[k].type != J_STR || arr.f[k].vesc)
			goto done;
		if (!(copies[nacc] = strndup(arr.f[k].val, arr.f[k].vlen)))
			goto done;
		accs[nacc] = copies[nacc];
		nacc++;
	}
	if ((rc = configure(o, accs, nacc)) == 0) {
		layout_states(r);
		rc = start_groups(r);
	}
done:
	for (i = 0; i < nacc; i++)
		free(copies[i]);
	jobj_free(&arr);
	return rc;
}

/* One partial line (in input order): a header, or a group's state. 0, or -1 after saying why. */
static int merge_line(struct run *r, const char *line, size_t len, uint64_t lineno)
{
	struct opts *o = r->o;
	struct jobj *obj = &r->jo[0], *keys = &r->jo[1];
	const struct jfield *key, *st, *bk;
	struct buf kb = BUF_INIT;
	struct slot bucket, v;
	struct group *g;
	char why[200];
	size_t k;
	int rc = -1;

	if (json_scan_object(line, len, obj) != 0)
		return diag_at(r->d->name, lineno, "not a JSON object"), -1;
	switch (partial_line(&r->pin, obj, line, len, "vchain-aggregate",
			     "aggregation (the groups or accumulators differ from the first input's)", why)) {
	case PARTIAL_FIRST:
		if (configure_from_header(r, obj) < 0)
			return diag_at(r->d->name, lineno, "a partial header this version cannot read"), -1;
		return 0;
	case PARTIAL_AGAIN:
	case PARTIAL_END:
		return 0;
	case PARTIAL_BAD:
		return diag_at(r->d->name, lineno, "%s", why), -1;
	default:
		break;
	}
	if ((bk = jobj_get(obj, "replies", 7))) {
		int m = o->report && o->report->merge_tail ? o->report->merge_tail(&r->rr, bk) : -1;

		if (m == -2)
			return diag("out of memory"), -1;
		return m < 0 ? diag_at(r->d->name, lineno, "a replies line that is not what the sla report keeps"), -1 : 0;
	}
	key = jobj_get(obj, "key", 3);
	st = jobj_get(obj, "s", 1);
	bk = jobj_get(obj, "bucket", 6);
	if (!key || key->type != J_ARR || !st || st->type != J_ARR ||
	    json_scan_array(key->val, key->vlen, keys) != 0 || keys->n != (size_t)o->ngroups ||
	    (o->l.bucket_slot >= 0) != (bk && bk->type == J_STR))
		return diag_at(r->d->name, lineno, "a group line that does not match the header"), -1;
	/* the key as a reduced record holds it */
	for (k = 0; k < keys->n; k++) {
		if (acc_slot_of(&keys->f[k], &r->tmp, &v) < 0)
			goto oom;
		if (buf_addc(&kb, (char)v.type) < 0)
			goto oom;
		if (v.type != REC_ABSENT && (buf_add(&kb, &v.n, 4) < 0 || buf_add(&kb, v.v, v.n) < 0))
			goto oom;
	}
	if (bk && acc_slot_of(bk, &r->tmp, &bucket) < 0)
		goto oom;
	if (!(g = groups_find(&r->groups, kb.p ? kb.p : "", kb.len, o->l.bucket_slot >= 0 ? &bucket : NULL)))
		goto oom;
	if (json_scan_array(st->val, st->vlen, keys) != 0 || keys->n != (size_t)o->nacc) {
		diag_at(r->d->name, lineno, "a group line that does not match the header");
		goto done;
	}
	for (k = 0; k < keys->n; k++) {
		const struct acc *a = &o->acc[k];
		const char *err;
		int m = o->report ? report_merge(&r->rr, a, g->st + a->state, g, &keys->f[k], &err)
				  : acc_merge_json(a->kind, g->st + a->state, &keys->f[k], &r->rr.jo[0], &r->tmp, &err);

		if (m == -2)
			goto oom;
		if (m < 0) {
			diag_at(r->d->name, lineno, "%s: %s", a->out, err);
			goto done;
		}
	}
	rc = 0;
	goto done;
oom:
	diag("out of memory");
done:
	buf_free(&kb);
	return rc;
}

/* ---- inputs ---- */

/*
 * A CSV input's header: the column of each slot, by the field's exact name,
 * else the column that stands for it as vchain-parse reads the header
 * (created_at for ts, customer_id for user_id: source.h); -1 when none.
 */
static int csv_header(void *ctx, const char *rec, size_t len, char *why)
{
	struct run *r = ctx;
	const struct opts *o = r->o;
	int *field = NULL, i, k, f;
	const char **mapped_to = NULL;
	long n;

	if ((n = source_split_header(&r->hcsv, r->cur.delim, rec, len, why)) < 0)
		return -1;
	r->cur.ncol = (size_t)n;
	field = malloc(((size_t)n + 1) * sizeof(*field));
	mapped_to = malloc(((size_t)n + 1) * sizeof(*mapped_to));
	if (!field || !mapped_to || source_fields(&r->hcsv, n, NULL, 0, field, mapped_to) < 0) {
		free(field);
		free(mapped_to);
		return snprintf(why, 200, "out of memory"), -1;
	}
	for (i = 0; i < o->l.n; i++) {
		r->cur.col_of[i] = -1;
		for (k = 0; k < n; k++)
			if (r->hcsv.flen[k] == strlen(o->l.name[i]) &&
			    !memcmp(r->hcsv.f[k], o->l.name[i], r->hcsv.flen[k])) {
				r->cur.col_of[i] = k;
				break;
			}
		f = event_field_index(o->l.name[i], strlen(o->l.name[i]));
		for (k = 0; k < n && r->cur.col_of[i] < 0 && f >= 0; k++)
			if (field[k] == f)
				r->cur.col_of[i] = k;
	}
	free(field);
	free(mapped_to);
	return 0;
}

/* Each input: NDJSON or CSV, by --from, else by name (.csv, .tsv) and first line (source.h). */
static int prepare(void *ctx, struct drive *d, struct in *in)
{
	struct run *r = ctx;
	const struct opts *o = r->o;
	const char *p;
	ssize_t n;

	r->cur.fmt = (enum in_format)o->from;
	r->cur.delim = o->tsv ? '\t' : ',';
	if (r->cur.fmt == IN_AUTO && !o->merge) {
		if ((n = in_peek(in, 4096, &p)) < 0) {
			diag_at(d->name, 0, "%s", in->err);
			return -1;
		}
		switch (source_detect(in, p, (size_t)n, &r->cur.delim)) {
		case SRC_NDJSON:
		case SRC_TWITTER:
			r->cur.fmt = IN_NDJSON;
			break;
		default:	/* an access log is read as one column, which nothing reads */
			r->cur.fmt = IN_CSV;
		}
	}
	if (r->cur.fmt == IN_CSV && !o->merge) {
		in->quote = '"';
		in->delim = r->cur.delim;
		par_set_header(d->par, csv_header, r);
	}
	return 0;
}

static void before_input(void *ctx)
{
	partial_next_input(&((struct run *)ctx)->pin);
}

/* --merge: an input that ended before its end line is a shard's file cut short. */
static void after_input(void *ctx)
{
	struct run *r = ctx;
	char why[200];

	if (r->o->merge && !r->d->failed && !r->d->gone && !r->merge_failed && partial_input_done(&r->pin, why) < 0) {
		diag_at(r->d->name, 0, "%s", why);
		r->merge_failed = 1;
	}
}

/* ---- setting up ---- */

/* Each accumulator's state in a group's block (a report's: its struct); percentiles of one field share one. */
static void layout_states(struct run *r)
{
	struct opts *o = r->o;
	size_t block = 0;
	int i, j;

	if (o->report) {
		r->groups.block = o->report->state_size;
		return;
	}
	for (i = 0; i < o->nacc; i++) {
		o->acc[i].state = block;
		for (j = 0; j < i && !acc_share_state(&o->acc[j], &o->acc[i]); j++)
			;
		if (j < i) {
			o->acc[i].state = o->acc[j].state;
			continue;
		}
		block += (acc_state_size(o->acc[i].kind) + 15) & ~(size_t)15;
	}
	r->groups.block = block;
}

/* The group table and the report's run, once the layout is known. 0, or -1. */
static int start_groups(struct run *r)
{
	struct opts *o = r->o;
	int i;

	groups_init(&r->groups, o->ngroups, o->l.bucket_slot >= 0, r->groups.block);
	r->rr.def = o->report;
	r->rr.acc = o->acc;
	r->rr.groups = &r->groups;
	r->rr.keys = (const char *const *)o->groups;
	r->rr.every = o->every;
	r->rr.window_ms = o->window_ms;
	r->rr.respond_ms = o->respond_ms;
	r->rr.resolve_ms = o->resolve_ms;
	r->rr.spend = o->spend_path ? &o->spend : NULL;
	r->rr.merging = o->merge;
	r->pf_acc = r->pf_slot = -1;
	for (i = 0; i < o->nacc && r->pf_acc < 0 && !o->merge; i++)
		if (o->acc[i].kind == A_DISTINCT || o->acc[i].kind == A_FUNNEL)
			r->pf_acc = i, r->pf_slot = o->acc[i].slot;
	return 0;
}

static void free_groups(struct run *r)
{
	const struct opts *o = r->o;
	size_t gi;
	int i;

	for (gi = 0; gi < groups_count(&r->groups); gi++)
		for (i = 0; i < o->nacc; i++) {
			void *p = groups_at(&r->groups, gi)->st + o->acc[i].state;

			if (shared_state(o, i))
				continue;	/* a state shared by percentiles: freed once */
			if (o->report)
				report_free_state(&o->acc[i], p);
			else
				acc_free_state(o->acc[i].kind, p);
		}
	groups_free(&r->groups);
	report_run_free(&r->rr);
}

static void free_opts(struct opts *o)
{
	int i;

	for (i = 0; i < o->nacc; i++)
		acc_free(&o->acc[i]);
	for (i = 0; i < o->ngroups; i++)
		free(o->groups[i]);
	rec_layout_free(&o->l);
	spend_free(&o->spend);
}

int main(int argc, char **argv)
{
	struct worker workers[PAR_MAX_WORKERS];
	void *wctx[PAR_MAX_WORKERS];
	const char *accs[MAX_ACC];
	static struct opts o;
	struct run r;
	int first, status, nacc = 0, i;
	unsigned w, nw;

	diag_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	rec_layout_init(&o.l);
	first = parse_args(argc, argv, &o, accs, &nacc);
	if (first <= 0) {
		free_opts(&o);
		return cli_args_status(first);
	}
	if (o.spend_path && (status = spend_setup(&o)) != EXIT_OK) {
		free_opts(&o);
		return status;
	}
	if (!o.merge && (status = configure(&o, accs, nacc)) < 0) {
		free_opts(&o);
		return status == -2 ? EXIT_DATA : EXIT_USAGE;
	}
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	o.d.prepare = prepare;
	if (csvrec_init(&r.hcsv, ',', '"') < 0) {
		diag("out of memory");
		return EXIT_DATA;
	}
	if (!o.merge) {
		layout_states(&r);
		start_groups(&r);
	}
	nw = o.d.threads > 1 ? o.d.threads : 1;
	for (w = 0; w < nw; w++) {
		memset(&workers[w], 0, sizeof(workers[w]));
		workers[w].o = &o;
		workers[w].cur = &r.cur;
		if (csvrec_init(&workers[w].csv, ',', '"') < 0) {
			diag("out of memory");
			return EXIT_DATA;
		}
		wctx[w] = &workers[w];
	}
	status = drive_open(&o.d, o.merge ? copy_line : reduce_line, wctx);
	if (status == EXIT_OK)
		status = drive_inputs(&o.d, argv + first, argc - first, commit, before_input, after_input, &r);
	if (status == EXIT_OK && r.merge_failed)
		status = EXIT_DATA;
	if (status == EXIT_OK && o.merge && !r.pin.header) {
		diag("--merge: no partial results in the input");
		status = EXIT_DATA;
	}
	if (status == EXIT_OK && o.merge && report_options(&o) < 0)
		status = EXIT_USAGE;
	if (status == EXIT_OK && !o.d.gone && (o.partial ? write_partial(&r) : write_results(&r)) < 0)
		status = EXIT_DATA;
	if (o.stats) {
		char blank[48] = "", unused[64] = "";

		if (r.blank)
			snprintf(blank, sizeof(blank), ", blank lines %llu", (unsigned long long)r.blank);
		if (o.report && !o.merge)
			snprintf(unused, sizeof(unused), ", %llu read by no metric of the report",
				 (unsigned long long)r.unused);
		diag("read %llu, rejected %llu%s, groups %zu%s, %zu MB of state",
		     (unsigned long long)r.read, (unsigned long long)r.rejected, blank, groups_count(&r.groups), unused,
		     groups_bytes(&r.groups) >> 20);
	}
	status = drive_close(&o.d, status);
	free_groups(&r);
	partial_in_free(&r.pin);
	for (i = 0; i < 2; i++)
		jobj_free(&r.jo[i]);
	buf_free(&r.tmp);
	csvrec_free(&r.hcsv);
	for (w = 0; w < nw; w++) {
		csvrec_free(&workers[w].csv);
		jobj_free(&workers[w].obj);
		buf_free(&workers[w].tmp);
	}
	free_opts(&o);
	return status;
}
