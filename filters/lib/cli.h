/*
 * cli.h - what every filter's main() does the same way: sizes on the
 * command line, --version, and closing stdout with the error checked.
 */
#ifndef VCHAIN_CLI_H
#define VCHAIN_CLI_H

#include <stddef.h>

#include "input.h"
#include "out.h"

#define VCHAIN_VERSION "0.1.0"

/* Exit statuses of every filter. */
enum { EXIT_OK = 0, EXIT_DATA = 1, EXIT_USAGE = 2 };

/* "4096", "64K", "16M", "1G" (binary units). Returns 0 or -1. */
int cli_parse_size(const char *s, size_t *out);
/* Prints "prog VERSION (inflate: ...)" to stdout. */
void cli_version(void);
/*
 * Flush and close o. Returns EXIT_OK, or EXIT_DATA after saying what failed;
 * a reader that went away (EPIPE, as with `| head`) is not an error.
 */
int cli_close_out(struct out *o);
/*
 * Report what getopt_long (called with a ':'-first optstring and opterr = 0)
 * found wrong: c is ':' (missing argument) or '?' (unknown option).
 */
void cli_bad_option(int c, char **argv);
#define CLI_MAX_DURATION_MS (10000LL * 366 * 86400000)	/* 10,000 years */
/* "90s", "30m", "24h", "7d", "2w" (a bare number is seconds) to milliseconds, at most 10,000 years. 0 or -1. */
int cli_parse_duration(const char *s, long long *ms);
/* Worker threads by default: the CPUs online, at most 8. */
unsigned cli_default_threads(void);
/* "1".."64". Returns 0 or -1. */
int cli_parse_threads(const char *s, unsigned *out);
/* Input options from the environment: VCHAIN_INFLATE=zlib|isal|auto. 0, or -1 (bad value). */
int cli_inflate_env(struct in_opts *o);

#endif
