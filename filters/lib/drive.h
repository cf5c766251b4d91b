/*
 * drive.h - what every record filter's main() does around its own work:
 * open the output, start the parallel pipeline, run each input through it
 * (stdin when there are none), stop quietly when the reader goes away, and
 * close everything with the errors checked.
 */
#ifndef VCHAIN_DRIVE_H
#define VCHAIN_DRIVE_H

#include <stdio.h>

#include "cli.h"
#include "input.h"
#include "out.h"
#include "par.h"

struct drive {
	/* set by the filter before drive_open() */
	const char *output;	/* NULL: stdout */
	unsigned threads;	/* 1: all in the calling thread */
	const char *rejects;	/* --rejects FILE: bad records go there byte-exact and the run goes on */
	int json_lines;		/* the inputs' lines are JSON (in->json; prepare may say otherwise) */
	struct in_opts in;
	int max_line_given;	/* --max-line was given (else partial results may have longer lines) */
	/*
	 * Optional: called for each input once it is open, before any record
	 * is read (it may in_peek, set in->quote, par_set_header(d->par, ...)).
	 * Returns 0, or -1 after saying what is wrong: that input fails.
	 */
	int (*prepare)(void *cctx, struct drive *d, struct in *in);
	/*
	 * Optional: partitioned state (par_set_parts): parts parts, part q's
	 * state pctx[q], fn taking each chunk's records of a part in order.
	 * drive_parts() says how many for the threads.
	 */
	unsigned parts;
	par_part_fn part_fn;
	void **pctx;
	int part_outputs;	/* par_part_outputs: each chunk a buffer a part */
	void (*chunk_end)(void *wctx, struct par_chunk *c);	/* optional: par_set_chunk_end */
	/* for the filter's commit function */
	struct out out;
	const char *name;	/* the input being read, as messages show it */
	struct in *cur;		/* the input being read; NULL between inputs */
	struct in *bz_in;	/* the input being read when BGZF: idle workers decode it ahead */
	struct ahead *ahead;	/* the inputs after it, opened and inflated ahead */
	uint64_t in_bytes;	/* bytes the last input read from its file (in_bytes_read) */
	int stop;		/* the commit function stopped the run (and said why) */
	int failed;		/* for after_each: the input ended in an error (said) */
	int gone;		/* the reader of the output went away (EPIPE) */
	struct par *par;
	void *workers;		/* drive_start's contexts, one a thread */
	void *wctx[PAR_MAX_WORKERS];	/* pointers to them, which par keeps */
	unsigned nworkers;
	size_t worker_size;
	void (*worker_done)(void *ctx);
	struct out rej;		/* the rejects file */
	uint64_t rejected;	/* bad records set aside, all inputs */
	uint64_t shown;		/* of them, reported one by one */
	uint64_t records;	/* records (lines of JSON) the workers saw, blank ones included */
	uint64_t blank;		/* of them, blank lines (skipped) */
	/* --max-rejects: a count (kind 1) or a percentage of the records (kind 2) */
	int max_rejects_kind;
	uint64_t max_rejects;
	double max_rejects_pct;
};

/* The options every record filter takes, to end its getopt_long table: cli.h's and these. */
#define DRIVE_OPT_MAX_LINE 0x1000
#define DRIVE_OPT_REJECTS 0x1002
#define DRIVE_OPT_MAX_REJECTS 0x1003
#define DRIVE_LONGOPTS \
	CLI_LONGOPTS, \
	{ "threads", required_argument, NULL, 'j' }, \
	{ "max-line", required_argument, NULL, DRIVE_OPT_MAX_LINE }
/*
 * For a filter that can go on past bad records: --rejects FILE and
 * --max-rejects N|P% (past N bad records, or P percent of the records at
 * the end, the run fails; BigQuery's max_bad_records). Whatever the limit,
 * a run whose every record was bad fails.
 */
#define DRIVE_REJECTS_LONGOPTS \
	{ "rejects", required_argument, NULL, DRIVE_OPT_REJECTS }, \
	{ "max-rejects", required_argument, NULL, DRIVE_OPT_MAX_REJECTS }
#define DRIVE_REJECTS_HELP \
	"      --rejects FILE    go on past bad records, writing them to FILE byte-exact\n" \
	"      --max-rejects N|P%  with --rejects: fail past N bad records or P% of all\n"
#define DRIVE_SHORTOPTS "o:j:h"

/*
 * One of the common options, as getopt_long returned it (with a ':'-first
 * optstring): cli_option's, -j and --max-line. Returns CLI_OPT_*.
 */
int drive_option(struct drive *d, int c, const char *arg, char **argv, void (*usage)(FILE *));

/*
 * The same, for the default: branch of a filter's getopt loop: 1 when the
 * option was taken; else what parse_args returns, CLI_ARGS_DONE (after
 * -h or --version) or CLI_ARGS_BAD (said).
 */
int drive_take_option(struct drive *d, int c, const char *arg, char **argv, void (*usage)(FILE *));

/* Set defaults: stdout, threads = CPUs, 16 MiB lines, VCHAIN_INFLATE. -1: bad environment. */
int drive_init(struct drive *d);
/*
 * How many parts to cut state into for d->threads: one for one thread, else
 * two a thread, so that no thread waits long for a part another has; more
 * make each part's share of a chunk small, and its fixed cost (taking it,
 * starting its prefetches) large beside it.
 */
unsigned drive_parts(const struct drive *d);
/* Open the rejects file and the output, start the workers. EXIT_OK, or EXIT_DATA after a message. */
int drive_open(struct drive *d, par_line_fn fn, void **wctx);
/*
 * drive_open with contexts made for the workers: one of size bytes a
 * thread, zeroed, each set up by init(ctx, arg) (0, or -1 when out of
 * memory). drive_close frees them, after done(ctx) on each (when not
 * NULL). EXIT_OK, or EXIT_DATA after a message.
 */
int drive_start(struct drive *d, par_line_fn fn, size_t size, int (*init)(void *ctx, void *arg), void *arg,
		void (*done)(void *ctx));
/*
 * Run the inputs (names[0..n), or stdin when n is 0) in order through the
 * pipeline, calling commit in input order; before_each(cctx), if given,
 * runs before each input. Stops at the first input that fails.
 * Returns EXIT_OK or EXIT_DATA.
 */
int drive_inputs(struct drive *d, char **names, int n,
		 int (*commit)(void *cctx, const struct par_chunk *c, uint64_t first_line),
		 void (*before_each)(void *cctx), void (*after_each)(void *cctx), void *cctx);
/*
 * --merge, the same for every filter with partial results: the workers
 * check each line to be JSON, line() takes it in input order, input()
 * runs before each input and input_done() after it (an input cut short
 * before its end line is an error there). What went wrong is in *why.
 */
struct drive_merge {
	void *ctx;
	int (*line)(void *ctx, const char *line, size_t len);	/* 0, or -1 (why) */
	void (*input)(void *ctx);
	int (*input_done)(void *ctx);				/* 0, or -1 (why) */
	const char *why;
	int failed;						/* an input_done said no */
};
/*
 * Partial results hold a group's whole state on one line (a funnel's
 * people: hundreds of MB): unless --max-line was given, no limit but
 * memory for the inputs of a --merge.
 */
void drive_merge_lines(struct drive *d);
/* Start the workers and merge the inputs (stdin when n is 0). EXIT_OK, or EXIT_DATA after a message. */
int drive_merge(struct drive *d, char **names, int n, struct drive_merge *m);
#define DRIVE_MAX_REJECT_MESSAGES 10	/* bad records reported one by one; the rest counted */
/*
 * For a commit function: a chunk's bad records go to the rejects file
 * byte-exact, the first DRIVE_MAX_REJECT_MESSAGES of the run are reported
 * ("(set aside)"; d->shown counts them), and a record that stopped the run
 * is reported last. Returns 0, or -1 with d->stop set.
 */
int drive_bad_records(struct drive *d, const struct par_chunk *c, uint64_t first_line);
/*
 * A commit function's end of a chunk: its bad records (drive_bad_records),
 * and a worker that ran out of memory stops the run with a message naming
 * the input. 0, or -1 with d->stop set.
 */
int drive_chunk_done(struct drive *d, const struct par_chunk *c, uint64_t first_line);
/* --stats: the blank lines skipped, besides the records read (nothing when there were none). */
void drive_say_blank(const struct drive *d);
/*
 * Say how many bad records were set aside and where (and how many were not
 * reported one by one), close the rejects file, stop the workers, flush and
 * close the output; status is what the run had so far.
 */
int drive_close(struct drive *d, int status);

#endif
