/*
 * diag.h - messages to stderr in one format for every filter:
 *   vchain-parse: events.csv:123: unterminated quoted field
 * The one module of filters/lib that writes anything, and only when a filter
 * asks it to; it never exits.
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

#endif
