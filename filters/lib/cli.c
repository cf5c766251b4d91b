/*
 * cli.c - shared pieces of the filters' command lines.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cpus.h"
#include "diag.h"
#include "input.h"

int cli_each_item(const char *list, int (*fn)(void *ctx, const char *s, size_t n), void *ctx)
{
	const char *p = list, *c;
	size_t n;
	int r;

	for (;; p = c + 1) {
		c = strchr(p, ',');
		n = c ? (size_t)(c - p) : strlen(p);
		if (n == 0) {
			diag("empty item in '%s'", list);
			return -1;
		}
		if ((r = fn(ctx, p, n)) < 0)
			return r;
		if (!c)
			return 0;
	}
}

int cli_parse_number(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end || v == 0 || v > (SIZE_MAX >> shift))
		return -1;
	*out = (size_t)v << shift;
	return 0;
}

volatile sig_atomic_t cli_signal;

static void on_signal(int sig)
{
	cli_signal = sig;
	if (in_waiting)
		raise(sig);	/* waiting for input (SA_RESETHAND: the default now): no write is half done, end now */
}

void cli_start(const char *argv0)
{
	struct sigaction sa;

	diag_init(argv0);
	signal(SIGPIPE, SIG_IGN);	/* EPIPE ends a run quietly: cli_close_out */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;	/* reads go on; a second signal kills */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(int status)
{
	if (!cli_signal)
		return status;
	diag("stopped by %s: the output ends at a whole record", cli_signal == SIGINT ? "SIGINT" : "SIGTERM");
	return 128 + cli_signal;
}

int cli_option(int c, const char *arg, char **argv, void (*usage)(FILE *), const char **output)
{
	switch (c) {
	case 'o':
		*output = arg;
		return CLI_OPT_TAKEN;
	case 'h':
		usage(stdout);
		return CLI_OPT_DONE;
	case CLI_OPT_VERSION:
		diag_version(VCHAIN_VERSION, in_have_isal() ? "gzip: ISA-L, zlib" : "gzip: zlib");
		return CLI_OPT_DONE;
	case ':':
	case '?':
		cli_bad_option(c, argv);
		diag_plain("Try '%s --help'.", diag_prog());
		return CLI_OPT_BAD;
	}
	return CLI_OPT_NOT_MINE;
}

int cli_close_out(struct out *o)
{
	if (out_close(o) == 0 || o->err == EPIPE)
		return EXIT_OK;
	diag("%s: write error: %s", o->name, strerror(o->err ? o->err : EIO));
	return EXIT_DATA;
}

void cli_bad_option(int c, char **argv)
{
	extern int optind, optopt;
	const char *arg = argv[optind - 1];

	if (c == ':')
		diag("option '%s' needs an argument", arg);
	else if (optopt && arg[0] == '-' && arg[1] != '-')
		diag("unknown option '-%c'", optopt);
	else
		diag("unknown option '%s'", arg);
}

int cli_parse_duration(const char *s, long long *ms)
{
	char *end;
	long long v, unit = 1000;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case '\0': break;
	case 's': unit = 1000; end++; break;
	case 'm': unit = 60000; end++; break;
	case 'h': unit = 3600000; end++; break;
	case 'd': unit = 86400000; end++; break;
	case 'w': unit = 7 * 86400000LL; end++; break;
	default: return -1;
	}
	/*
	 * At most 10,000 years: filters add and subtract durations from
	 * timestamps, and this keeps every such sum far from overflow.
	 */
	if (*end || v > CLI_MAX_DURATION_MS / unit)
		return -1;
	*ms = v * unit;
	return 0;
}

unsigned cli_default_threads(void)
{
	unsigned n = cpus_usable();

	return n > CLI_MAX_THREADS ? CLI_MAX_THREADS : n;
}

void cli_help_threads(FILE *f)
{
	unsigned n = cli_default_threads();

	/*
	 * the number said, so that a user sees what a quota leaves;
	 * vchain-parallel and vchain-report read it from this line
	 * (tests/matrix/cpu-quota.sh)
	 */
	fprintf(f, "  -j, --threads N       threads in all (default: the CPUs it may use: %u here)\n", n);
}

int cli_parse_threads(const char *s, unsigned *out)
{
	unsigned long long v;

	if (cli_parse_number(s, 1, CLI_MAX_THREADS, &v) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int cli_inflate_env(struct in_opts *o)
{
	const char *v = getenv("VCHAIN_INFLATE");

	if (!v || !*v || strcmp(v, "auto") == 0)
		o->inflate = IN_INFLATE_AUTO;
	else if (strcmp(v, "zlib") == 0)
		o->inflate = IN_INFLATE_ZLIB;
	else if (strcmp(v, "isal") == 0)
		o->inflate = IN_INFLATE_ISAL;
	else
		return -1;
	return 0;
}
