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
	unsigned threads;
	const char *output;
	const char *rejects;
	struct in_opts in;
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
	const struct opts *o;
	struct out out, rej;
	struct counts total, cur;	/* all inputs; the input being read */
	const char *name;		/* of the input being read, for messages */
	uint64_t shown;			/* bad-record messages shown so far */
	int stop;			/* commit said stop: a bad record or a write error */
	int stopped;			/* the reader of stdout went away */
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
	enum { OPT_RAW = 256, OPT_REJECTS, OPT_STATS, OPT_MAX_LINE, OPT_VERSION };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "raw", no_argument, NULL, OPT_RAW },
		{ "output", required_argument, NULL, 'o' },
		{ "rejects", required_argument, NULL, OPT_REJECTS },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "max-line", required_argument, NULL, OPT_MAX_LINE },
		{ "threads", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->in.max_line = IN_MAX_LINE_DEFAULT;
	o->threads = cli_default_threads();
	if (cli_inflate_env(&o->in) < 0) {
		diag("VCHAIN_INFLATE must be zlib, isal or auto");
		return -1;
	}
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
		case 'o': o->output = optarg; break;
		case OPT_REJECTS: o->rejects = optarg; break;
		case OPT_STATS: o->stats = 1; break;
		case OPT_MAX_LINE:
			if (cli_parse_size(optarg, &o->in.max_line) < 0) {
				diag("--max-line: '%s' is not a size (e.g. 16M)", optarg);
				return -1;
			}
			break;
		case 'j':
			if (cli_parse_threads(optarg, &o->threads) < 0) {
				diag("--threads: '%s' is not a number from 1 to %d", optarg, PAR_MAX_WORKERS);
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		case OPT_VERSION:
			cli_version();
			exit(EXIT_OK);
		default:
			cli_bad_option(c, argv);
			fputs("Try 'vchain-parse --help'.\n", stderr);
			return -1;
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
	if (c->out.len && out_write(&r->out, c->out.p, c->out.len) < 0)
		return r->stop = -1;
	if (c->rejects.len && out_write(&r->rej, c->rejects.p, c->rejects.len) < 0) {
		diag("%s: write error: %s", r->o->rejects, strerror(r->rej.err));
		return r->stop = -1;
	}
	for (i = 0; i < c->nmsgs; i++) {
		int last_stop = c->stopped && i == c->nmsgs - 1;

		if (last_stop) {
			diag_at(r->name, first_line + c->msg_line[i], "%s", c->msg[i]);
			return r->stop = -1;
		}
		if (r->shown++ < MAX_REJECT_MESSAGES)
			diag_at(r->name, first_line + c->msg_line[i], "%s (set aside)", c->msg[i]);
	}
	if (c->rejected > c->nmsgs)
		r->shown += c->rejected - c->nmsgs;
	if (c->fatal) {
		diag_at(r->name, 0, "out of memory");
		return r->stop = -1;
	}
	return 0;
}

/* One input, start to end. Returns EXIT_OK or EXIT_DATA. */
static int parse_input(struct run *r, struct par *p, const char *name)
{
	struct in in;
	int status = EXIT_OK;

	memset(&r->cur, 0, sizeof(r->cur));
	r->stop = 0;
	if (in_open(&in, name, &r->o->in) < 0) {
		diag_at(in_display_name(&in), 0, "%s", in.err);
		return EXIT_DATA;
	}
	r->name = in_display_name(&in);
	if (par_run(p, &in, commit, r) < 0) {
		status = EXIT_DATA;
		if (!r->stop)	/* not a record: the input itself failed */
			diag_at(r->name, in.lineno, "%s", in.err);
	}
	if (r->out.err == EPIPE) {	/* the reader has all it wanted */
		r->stopped = 1;
		status = EXIT_OK;
	}
	if (r->o->stats)
		diag_at(r->name, 0, "read %llu, written %llu, rejected %llu",
			(unsigned long long)r->cur.read, (unsigned long long)r->cur.written,
			(unsigned long long)r->cur.rejected);
	r->total.read += r->cur.read;
	r->total.written += r->cur.written;
	r->total.rejected += r->cur.rejected;
	in_close(&in);
	return status;
}

int main(int argc, char **argv)
{
	struct worker workers[PAR_MAX_WORKERS];
	void *wctx[PAR_MAX_WORKERS];
	struct par_opts po;
	struct par *p;
	struct opts o;
	struct run r;
	int first, i, status = EXIT_OK, st;
	unsigned w;

	diag_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);	/* EPIPE ends the run quietly, see cli_close_out() */
	first = parse_args(argc, argv, &o);
	if (first < 0)
		return EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	r.o = &o;
	if (o.output ? out_open_path(&r.out, o.output) : out_open_fd(&r.out, 1, "<stdout>")) {
		diag("%s: cannot open: %s", o.output ? o.output : "<stdout>", strerror(errno));
		return EXIT_DATA;
	}
	if (o.rejects && out_open_path(&r.rej, o.rejects) < 0) {
		diag("%s: cannot open: %s", o.rejects, strerror(errno));
		return EXIT_DATA;
	}
	/* one thread works inline; more are workers beside the reading thread */
	memset(&po, 0, sizeof(po));
	po.workers = o.threads > 1 ? o.threads : 0;
	po.keep_going = o.rejects != NULL;
	po.max_line = o.in.max_line;
	if (getenv("VCHAIN_CHUNK"))
		cli_parse_size(getenv("VCHAIN_CHUNK"), &po.chunk_size);
	for (w = 0; w < (po.workers ? po.workers : 1); w++) {
		workers[w].o = &o;
		event_norm_init(&workers[w].en);
		wctx[w] = &workers[w];
	}
	p = par_new(&po, parse_line, wctx);
	if (!p) {
		diag("cannot start worker threads");
		return EXIT_DATA;
	}

	if (first == argc)
		status = parse_input(&r, p, "-");
	for (i = first; i < argc && status == EXIT_OK && !r.stopped; i++)
		status = parse_input(&r, p, argv[i]);
	par_free(p);

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
	st = cli_close_out(&r.out);
	if (status == EXIT_OK)
		status = st;
	for (w = 0; w < (po.workers ? po.workers : 1); w++)
		event_norm_free(&workers[w].en);
	return status;
}
