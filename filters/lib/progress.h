/*
 * progress.h - --progress on a terminal: bytes read, rate and ETA on one
 * line of standard error, redrawn at most four times a second, cleared
 * before any other message.
 */
#ifndef VCHAIN_PROGRESS_H
#define VCHAIN_PROGRESS_H

#include <stdint.h>

struct progress {
	uint64_t bytes_done;	/* of the inputs already read */
	uint64_t bytes_total;	/* of all of them (0: unknown, e.g. a pipe) */
	double t0, last_shown;
	int shown;		/* a line is on the terminal */
};

/* Start the clock; the total is known when every name is a regular file (n == 0: stdin). */
void progress_start(struct progress *p, char **names, int n);
/* Show done_now bytes of the current input (name) beyond bytes_done; unless force, not twice in 0.25 s. */
void progress_show(struct progress *p, uint64_t done_now, const char *name, int force);
/* Clear the line (before a message, and at the end). */
void progress_end(struct progress *p);

#endif
