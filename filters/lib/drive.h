/*
 * drive.h - what every record filter's main() does around its own work:
 * open the output, start the parallel pipeline, run each input through it
 * (stdin when there are none), stop quietly when the reader goes away, and
 * close everything with the errors checked.
 */
#ifndef VCHAIN_DRIVE_H
#define VCHAIN_DRIVE_H

#include "input.h"
#include "out.h"
#include "par.h"

struct drive {
	/* set by the filter before drive_open() */
	const char *output;	/* NULL: stdout */
	unsigned threads;	/* 1: all in the calling thread */
	int keep_going;		/* bad records are set aside, not the end */
	struct in_opts in;
	/* for the filter's commit function */
	struct out out;
	const char *name;	/* the input being read, as messages show it */
	int stop;		/* the commit function stopped the run (and said why) */
	int gone;		/* the reader of the output went away (EPIPE) */
	struct par *par;
};

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
/* Stop the workers, flush and close the output; status is what the run had so far. */
int drive_close(struct drive *d, int status);

#endif
