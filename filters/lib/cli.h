/*
 * cli.h - what every filter's command line and main() do the same way: the
 * options all of them take (-o, -h, --version), sizes, durations and thread
 * counts as arguments, and closing stdout with the error checked.
 */
#ifndef VCHAIN_CLI_H
#define VCHAIN_CLI_H

#include <stddef.h>
#include <signal.h>
#include <stdio.h>

#include "input.h"
#include "out.h"

#define VCHAIN_VERSION "0.1.0"

/* Exit statuses of every filter. */
enum { EXIT_OK = 0, EXIT_DATA = 1, EXIT_USAGE = 2 };

/*
 * The first SIGINT or SIGTERM a filter gets: 0 until then. cli_start asks
 * for it to be noted, not to kill: each filter stops at its next whole
 * record (a chunk's end, an event written), closes its output, and exits
 * with 128 + the signal (cli_interrupted). A second one kills as usual.
 */
extern volatile sig_atomic_t cli_signal;
/* After an interrupted run: say so, and the status to exit with (128 + signal); else status. */
int cli_interrupted(int status);
/* A filter's first call: its name for messages; a closed pipe is an error to see (EPIPE), not a signal. */
void cli_start(const char *argv0);

/*
 * A filter's parse_args() returns the index of its first operand (>= 1),
 * CLI_ARGS_DONE after --help or --version (main returns EXIT_OK),
 * CLI_ARGS_BAD after saying what is wrong (main returns EXIT_USAGE), or
 * CLI_ARGS_FAIL when it could not go on (out of memory, said: EXIT_DATA).
 */
enum { CLI_ARGS_FAIL = -2, CLI_ARGS_BAD = -1, CLI_ARGS_DONE = 0 };
static inline int cli_args_status(int first)
{
	return first == CLI_ARGS_FAIL ? EXIT_DATA : first < 0 ? EXIT_USAGE : EXIT_OK;
}

/* The options every filter takes, for its getopt_long table (with a ':'-first optstring). */
#define CLI_OPT_VERSION 0x1001
#define CLI_LONGOPTS \
	{ "output", required_argument, NULL, 'o' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, CLI_OPT_VERSION }
enum { CLI_OPT_BAD = -1, CLI_OPT_NOT_MINE = 0, CLI_OPT_TAKEN = 1, CLI_OPT_DONE = 2 };
/*
 * One of them, as getopt_long returned it: -o sets *output; -h calls
 * usage(stdout), --version writes the version line, and both return DONE;
 * a missing argument or an unknown option is said (with "Try 'prog
 * --help'.") and returns BAD; anything else is NOT_MINE.
 */
int cli_option(int c, const char *arg, char **argv, void (*usage)(FILE *), const char **output);

/*
 * Each item of a comma list, to fn(ctx, item, length); an empty item is a
 * usage error (said). 0, or what fn returned when it was negative.
 */
int cli_each_item(const char *list, int (*fn)(void *ctx, const char *s, size_t n), void *ctx);
/* "4096", "64K", "16M", "1G" (binary units). Returns 0 or -1. */
int cli_parse_size(const char *s, size_t *out);
/* A whole number of decimal digits (no sign, no space) from lo to hi. Returns 0 or -1. */
int cli_parse_number(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out);
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
/* Threads by default: the CPUs this process may use (cpus_usable: affinity, cgroup CPU limit), at most CLI_MAX_THREADS. */
#define CLI_MAX_THREADS 256
unsigned cli_default_threads(void);
/* --help's line for -j, with the default's number on this machine. */
void cli_help_threads(FILE *f);
/* "1".."64". Returns 0 or -1. */
int cli_parse_threads(const char *s, unsigned *out);
/* Input options from the environment: VCHAIN_INFLATE=zlib|isal|auto. 0, or -1 (bad value). */
int cli_inflate_env(struct in_opts *o);

#endif
