/*
 * diag.c - compiler-style messages: program, location, what is wrong.
 * Each message goes out in one write so lines from parallel jobs sharing a
 * terminal do not interleave mid-line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

static const char *prog = "vchain";

void diag_init(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (argv0)
		prog = slash ? slash + 1 : argv0;
}

const char *diag_prog(void)
{
	return prog;
}

/* plain: no "prog: " and no location */
static void emit(int plain, const char *file, uint64_t line, const char *fmt, va_list ap)
{
	char msg[1024];
	int n;

	if (plain)
		n = 0;
	else if (file && line)
		n = snprintf(msg, sizeof(msg), "%s: %s:%llu: ", prog, file, (unsigned long long)line);
	else if (file)
		n = snprintf(msg, sizeof(msg), "%s: %s: ", prog, file);
	else
		n = snprintf(msg, sizeof(msg), "%s: ", prog);
	if (n < 0 || (size_t)n >= sizeof(msg) - 2)
		n = 0;
	vsnprintf(msg + n, sizeof(msg) - (size_t)n - 1, fmt, ap);
	n = (int)strlen(msg);
	msg[n++] = '\n';
	if (write(2, msg, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
}

void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(0, NULL, 0, fmt, ap);
	va_end(ap);
}

void diag_at(const char *file, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(0, file, line, fmt, ap);
	va_end(ap);
}

void diag_plain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(1, NULL, 0, fmt, ap);
	va_end(ap);
}

int diag_version(const char *version, const char *what)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "%s %s (%s)\n", prog, version, what);

	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)strlen(line);
	return write(1, line, (size_t)n) == n ? 0 : -1;
}
