/*
 * vchain-parse - raw exports to canonical events (schemas/event.schema.json).
 *
 * Reads NDJSON from files or stdin (gzip or not), checks each line is one
 * strict JSON object, and writes it as a canonical event; with --raw, writes
 * every valid object through byte-exact. A bad record stops the run with
 * FILE:LINE, after the good records before it are written; with --rejects
 * the run goes on and each bad record is set aside byte-exact.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/event.h"
#include "lib/input.h"
#include "lib/json.h"
#include "lib/out.h"
#include "lib/par.h"

#define MAX_REJECT_MESSAGES 10

enum format { FROM_AUTO, FROM_NDJSON };

struct opts {
	enum format from;
	int raw;
	int stats;
	const char *rejects;
	struct drive d;		/* output, threads, input options */
};

struct counts {
	uint64_t read, written, rejected;
};

/* What each worker thread keeps: its own scanner and normaliser. */
struct worker {
	const struct opts *o;
	struct event_norm en;
};

struct run {
	struct opts *o;
	struct drive *d;
	struct out rej;
	struct counts total, cur;	/* all inputs; the input being read */
	uint64_t shown;			/* bad-record messages shown so far */
};

static void usage(FILE *f)
{
	fputs("usage: vchain-parse [-h] [--version] [-f FORMAT] [--raw] [-o FILE] [-j N]\n"
	      "                    [--rejects FILE] [--stats] [--max-line SIZE] [FILE ...]\n"
	      "\n"
	      "Turn raw exports into canonical vchain events, one JSON object per line.\n"
	      "Reads the FILEs (or stdin; '-' is stdin), plain or gzip.\n"
	      "\n"
	      "  -f, --from FORMAT    input format: ndjson (default)\n"
	      "      --raw            only validate: write each valid object unchanged\n"
	      "  -o, --output FILE    write records to FILE instead of stdout\n"
	      "      --rejects FILE   go on past bad records, writing them to FILE byte-exact\n"
	      "      --stats          per input: records read, written, rejected (stderr)\n"
	      "      --max-line SIZE  longest line accepted (default 16M; K, M, G suffixes)\n"
	      "  -j, --threads N      worker threads (default: the number of CPUs)\n"
	      "  -h, --help           this help\n"
	      "      --version        version and gzip decoders\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data or I/O error, 2 usage error.\n"
	      "See vchain-parse(1).\n", f);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_RAW = 256, OPT_REJECTS, OPT_STATS };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "raw", no_argument, NULL, OPT_RAW },
		{ "rejects", required_argument, NULL, OPT_REJECTS },
		{ "stats", no_argument, NULL, OPT_STATS },
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	if (drive_init(&o->d) < 0)
		return -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "ndjson") == 0 || strcmp(optarg, "jsonl") == 0)
				o->from = FROM_NDJSON;
			else {
				diag("unknown input format '%s' (this version reads: ndjson)", optarg);
				return -1;
			}
			break;
		case OPT_RAW: o->raw = 1; break;
		case OPT_REJECTS: o->rejects = optarg; break;
		case OPT_STATS: o->stats = 1; break;
		default:
			switch (drive_option(&o->d, c, optarg, argv, usage)) {
			case DRIVE_OPT_DONE:
				exit(EXIT_OK);
			case DRIVE_OPT_TAKEN:
				break;
			default:
				return -1;
			}
		}
	}
	return optind;
}

/* In a worker: one line to one record (or a bad record with why[]). */
static int parse_line(void *ctx, const char *line, size_t len, struct buf *out, char *why)
{
	struct worker *w = ctx;
	const char *err;
	size_t col;
	long n;
	int r;

	if (w->o->raw) {
		r = json_scan_object(line, len, &w->en.obj);
		if (r == 0)
			return buf_add(out, line, len) < 0 || buf_addc(out, '\n') < 0 ? -2 : 0;
		if (r == -2)
			return -2;
		err = w->en.obj.err;
		col = w->en.obj.err_col;
	} else {
		if (buf_grow(out, EVENT_OUT_MAX(len)) < 0)
			return -2;
		n = event_normalize_to(&w->en, line, len, out->p + out->len);
		if (n > 0) {
			out->len += (size_t)n;
			return 0;
		}
		if (n == -2)
			return -2;
		err = w->en.err;
		col = w->en.err_col;
	}
	/* messages are short: the scanner's are fixed strings, the normaliser's at most 200 */
	if (col)
		snprintf(why, 200, "%.160s (column %zu)", err, col);
	else
		snprintf(why, 200, "%.199s", err);
	return -1;
}

/* In input order: write a chunk's records and rejects, say what was wrong. */
static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	unsigned i;

	r->cur.read += c->done + (uint64_t)c->stopped;
	r->cur.written += c->written;
	r->cur.rejected += c->rejected;
	if (c->out.len && out_write(&r->d->out, c->out.p, c->out.len) < 0)
		return r->d->stop = -1;
	if (c->rejects.len && out_write(&r->rej, c->rejects.p, c->rejects.len) < 0) {
		diag("%s: write error: %s", r->o->rejects, strerror(r->rej.err));
		return r->d->stop = -1;
	}
	for (i = 0; i < c->nmsgs; i++) {
		int last_stop = c->stopped && i == c->nmsgs - 1;

		if (last_stop) {
			diag_at(r->d->name, first_line + c->msg_line[i], "%s", c->msg[i]);
			return r->d->stop = -1;
		}
		if (r->shown++ < MAX_REJECT_MESSAGES)
			diag_at(r->d->name, first_line + c->msg_line[i], "%s (set aside)", c->msg[i]);
	}
	if (c->rejected > c->nmsgs)
		r->shown += c->rejected - c->nmsgs;
	if (c->fatal) {
		diag_at(r->d->name, 0, "out of memory");
		return r->d->stop = -1;
	}
	return 0;
}

static void before_input(void *ctx)
{
	struct run *r = ctx;

	memset(&r->cur, 0, sizeof(r->cur));
}

static void after_input(void *ctx)
{
	struct run *r = ctx;

	if (r->o->stats)
		diag_at(r->d->name, 0, "read %llu, written %llu, rejected %llu",
			(unsigned long long)r->cur.read, (unsigned long long)r->cur.written,
			(unsigned long long)r->cur.rejected);
	r->total.read += r->cur.read;
	r->total.written += r->cur.written;
	r->total.rejected += r->cur.rejected;
}

int main(int argc, char **argv)
{
	struct worker workers[PAR_MAX_WORKERS];
	void *wctx[PAR_MAX_WORKERS];
	struct opts o;
	struct run r;
	int first, status, st;
	unsigned w, nw;

	diag_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);	/* EPIPE ends the run quietly, see cli_close_out() */
	first = parse_args(argc, argv, &o);
	if (first < 0)
		return EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	o.d.keep_going = o.rejects != NULL;
	if (o.rejects && out_open_path(&r.rej, o.rejects) < 0) {
		diag("%s: cannot open: %s", o.rejects, strerror(errno));
		return EXIT_DATA;
	}
	nw = o.d.threads > 1 ? o.d.threads : 1;
	for (w = 0; w < nw; w++) {
		workers[w].o = &o;
		event_norm_init(&workers[w].en);
		wctx[w] = &workers[w];
	}
	status = drive_open(&o.d, parse_line, wctx);
	if (status == EXIT_OK)
		status = drive_inputs(&o.d, argv + first, argc - first, commit,
				      before_input, after_input, &r);

	if (o.stats && argc - first > 1)
		diag("total: read %llu, written %llu, rejected %llu",
		     (unsigned long long)r.total.read, (unsigned long long)r.total.written,
		     (unsigned long long)r.total.rejected);
	if (o.rejects) {
		if (r.total.rejected > MAX_REJECT_MESSAGES)
			diag("%llu more bad records not shown",
			     (unsigned long long)(r.total.rejected - MAX_REJECT_MESSAGES));
		if (r.total.rejected)
			diag("%llu bad records set aside in %s",
			     (unsigned long long)r.total.rejected, o.rejects);
		st = cli_close_out(&r.rej);
		if (status == EXIT_OK)
			status = st;
	}
	status = drive_close(&o.d, status);
	for (w = 0; w < nw; w++)
		event_norm_free(&workers[w].en);
	return status;
}
