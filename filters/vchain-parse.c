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

#define MAX_REJECT_MESSAGES 10

enum format { FROM_AUTO, FROM_NDJSON };

struct opts {
	enum format from;
	int raw;
	int stats;
	const char *output;
	const char *rejects;
	struct in_opts in;
};

struct counts {
	uint64_t read, written, rejected;
};

struct run {
	const struct opts *o;
	struct out out, rej;
	struct event_norm en;
	struct counts total;
	int stopped;		/* the reader of stdout went away */
};

static void usage(FILE *f)
{
	fputs("usage: vchain-parse [-h] [--version] [-f FORMAT] [--raw] [-o FILE]\n"
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->in.max_line = IN_MAX_LINE_DEFAULT;
	if (cli_inflate_env(&o->in) < 0) {
		diag("VCHAIN_INFLATE must be zlib, isal or auto");
		return -1;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
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

/* A bad record: set it aside (--rejects) or stop. Returns 0 to go on. */
static int reject(struct run *r, struct in *in, struct counts *c, const char *line,
		  size_t len, const char *why, size_t col)
{
	char where[64] = "";

	if (col)
		snprintf(where, sizeof(where), " (column %zu)", col);
	c->rejected++;
	if (!r->o->rejects) {
		diag_at(in_display_name(in), in->lineno, "%s%s", why, where);
		return -1;
	}
	if (r->total.rejected + c->rejected <= MAX_REJECT_MESSAGES)
		diag_at(in_display_name(in), in->lineno, "%s%s (set aside)", why, where);
	if (out_write(&r->rej, line, len) < 0 || out_putc(&r->rej, '\n') < 0) {
		diag("%s: write error: %s", r->o->rejects, strerror(r->rej.err));
		return -1;
	}
	return 0;
}

static int process(struct run *r, struct in *in, struct counts *c, const char *line, size_t len)
{
	int rc;

	if (r->o->raw) {
		rc = json_scan_object(line, len, &r->en.obj);
		if (rc == -1)
			return reject(r, in, c, line, len, r->en.obj.err, r->en.obj.err_col);
		if (rc == 0 && (out_write(&r->out, line, len) < 0 || out_putc(&r->out, '\n') < 0))
			return -1;
	} else {
		/* normalise in place in the output buffer when the record fits */
		char *dst = out_reserve(&r->out, EVENT_OUT_MAX(len));
		long n;

		if (!dst && r->out.err)
			return -1;
		if (dst) {
			n = event_normalize_to(&r->en, line, len, dst);
			if (n > 0)
				out_commit(&r->out, (size_t)n);
			rc = n > 0 ? 0 : (int)n;
		} else {
			rc = event_normalize(&r->en, line, len);
			if (rc == 0 && out_write(&r->out, r->en.out.p, r->en.out.len) < 0)
				return -1;
		}
		if (rc == -1)
			return reject(r, in, c, line, len, r->en.err, r->en.err_col);
	}
	if (rc == -2) {
		diag_at(in_display_name(in), in->lineno, "out of memory");
		return -1;
	}
	c->written++;
	return 0;
}

/* One input, start to end. Returns EXIT_OK or EXIT_DATA. */
static int parse_input(struct run *r, const char *name)
{
	struct counts c = { 0, 0, 0 };
	struct in in;
	const char *line;
	size_t len;
	int rc, status = EXIT_OK;

	if (in_open(&in, name, &r->o->in) < 0) {
		diag_at(in_display_name(&in), 0, "%s", in.err);
		return EXIT_DATA;
	}
	while ((rc = in_line(&in, &line, &len)) > 0) {
		c.read++;
		if (process(r, &in, &c, line, len) < 0) {
			status = EXIT_DATA;
			break;
		}
	}
	if (rc < 0) {
		diag_at(in_display_name(&in), in.lineno, "%s", in.err);
		status = EXIT_DATA;
	}
	if (r->out.err == EPIPE) {	/* the reader has all it wanted */
		r->stopped = 1;
		status = rc < 0 ? status : EXIT_OK;
	}
	if (r->o->stats)
		diag_at(in_display_name(&in), 0, "read %llu, written %llu, rejected %llu",
			(unsigned long long)c.read, (unsigned long long)c.written,
			(unsigned long long)c.rejected);
	r->total.read += c.read;
	r->total.written += c.written;
	r->total.rejected += c.rejected;
	in_close(&in);
	return status;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	int first, i, status = EXIT_OK, st;

	diag_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);	/* EPIPE ends the run quietly, see cli_close_out() */
	first = parse_args(argc, argv, &o);
	if (first < 0)
		return EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	r.o = &o;
	event_norm_init(&r.en);
	if (o.output ? out_open_path(&r.out, o.output) : out_open_fd(&r.out, 1, "<stdout>")) {
		diag("%s: cannot open: %s", o.output ? o.output : "<stdout>", strerror(errno));
		return EXIT_DATA;
	}
	if (o.rejects && out_open_path(&r.rej, o.rejects) < 0) {
		diag("%s: cannot open: %s", o.rejects, strerror(errno));
		return EXIT_DATA;
	}

	if (first == argc)
		status = parse_input(&r, "-");
	for (i = first; i < argc && status == EXIT_OK && !r.stopped; i++)
		status = parse_input(&r, argv[i]);

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
	event_norm_free(&r.en);
	return status;
}
