/*
 * diag.h - messages to stderr in one format for every filter:
 *   vchain-parse: events.csv:123: unterminated quoted field
 * The one module of filters/lib that writes anything to the terminal (these
 * messages, and the --version line on stdout), and only when a filter asks
 * it to; it never exits. Records go through out.h, to the filter's output.
 */
#ifndef VCHAIN_DIAG_H
#define VCHAIN_DIAG_H

#include <stdint.h>

void diag_init(const char *argv0);
const char *diag_prog(void);
/* "prog: msg" */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: file:line: msg" (line 0: "prog: file: msg") */
void diag_at(const char *file, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* fmt as it is, on a line of its own, no program name ("Try 'prog --help'.") */
void diag_plain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog VERSION (what)" on stdout, for --version. 0, or -1 when stdout fails. */
int diag_version(const char *version, const char *what);

#endif
