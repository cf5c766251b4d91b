/*
 * drive.h - what every record filter's main() does around its own work:
 * open the output, start the parallel pipeline, run each input through it
 * (stdin when there are none), stop quietly when the reader goes away, and
 * close everything with the errors checked.
 */
#ifndef VCHAIN_DRIVE_H
#define VCHAIN_DRIVE_H

#include <stdio.h>

#include "input.h"
#include "out.h"
#include "par.h"

struct drive {
	/* set by the filter before drive_open() */
	const char *output;	/* NULL: stdout */
	unsigned threads;	/* 1: all in the calling thread */
	int keep_going;		/* bad records are set aside, not the end */
	int json_lines;		/* the inputs' lines are JSON (in->json; prepare may say otherwise) */
	struct in_opts in;
	/*
	 * Optional: called for each input once it is open, before any record
	 * is read (it may in_peek, set in->quote, par_set_header(d->par, ...)).
	 * Returns 0, or -1 after saying what is wrong: that input fails.
	 */
	int (*prepare)(void *cctx, struct drive *d, struct in *in);
	/* for the filter's commit function */
	struct out out;
	const char *name;	/* the input being read, as messages show it */
	struct in *cur;		/* the input being read; NULL between inputs */
	uint64_t in_bytes;	/* bytes the last input read from its file (in_bytes_read) */
	int stop;		/* the commit function stopped the run (and said why) */
	int gone;		/* the reader of the output went away (EPIPE) */
	struct par *par;
};

/* The options every record filter takes, to end its getopt_long table. */
#define DRIVE_OPT_MAX_LINE 0x1000
#define DRIVE_OPT_VERSION 0x1001
#define DRIVE_LONGOPTS \
	{ "output", required_argument, NULL, 'o' }, \
	{ "threads", required_argument, NULL, 'j' }, \
	{ "max-line", required_argument, NULL, DRIVE_OPT_MAX_LINE }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, DRIVE_OPT_VERSION }
#define DRIVE_SHORTOPTS "o:j:h"

enum { DRIVE_OPT_BAD = -1, DRIVE_OPT_NOT_MINE = 0, DRIVE_OPT_TAKEN = 1, DRIVE_OPT_DONE = 2 };
/*
 * One of the common options, as getopt_long returned it (with a ':'-first
 * optstring): -o, -j, --max-line, or a bad option (said, then BAD); -h and
 * --version print usage or the version to stdout and return DONE (exit 0).
 */
int drive_option(struct drive *d, int c, const char *arg, char **argv, void (*usage)(FILE *));

/*
 * The same, for the default: branch of a filter's getopt loop: 0 when the
 * option was taken, -1 when it was bad (said); -h and --version exit 0.
 */
int drive_take_option(struct drive *d, int c, const char *arg, char **argv, void (*usage)(FILE *));

/* Set defaults: stdout, threads = CPUs, 16 MiB lines, VCHAIN_INFLATE. -1: bad environment. */
int drive_init(struct drive *d);
/* Open the output and start the workers. EXIT_OK, or EXIT_DATA after a message. */
int drive_open(struct drive *d, par_line_fn fn, void **wctx);
/*
 * Run the inputs (names[0..n), or stdin when n is 0) in order through the
 * pipeline, calling commit in input order; before_each(cctx), if given,
 * runs before each input. Stops at the first input that fails.
 * Returns EXIT_OK or EXIT_DATA.
 */
int drive_inputs(struct drive *d, char **names, int n,
		 int (*commit)(void *cctx, const struct par_chunk *c, uint64_t first_line),
		 void (*before_each)(void *cctx), void (*after_each)(void *cctx), void *cctx);
#define DRIVE_MAX_REJECT_MESSAGES 10	/* bad records reported one by one; the rest counted */
/*
 * For a commit function: a chunk's bad records go to rej (a --rejects file
 * named rej_name) byte-exact, the first DRIVE_MAX_REJECT_MESSAGES of the
 * run are reported ("(set aside)"; *shown counts them), and a record that
 * stopped the run is reported last. Returns 0, or -1 with d->stop set.
 */
int drive_bad_records(struct drive *d, const struct par_chunk *c, uint64_t first_line,
		      struct out *rej, const char *rej_name, uint64_t *shown);
/* Stop the workers, flush and close the output; status is what the run had so far. */
int drive_close(struct drive *d, int status);

#endif
