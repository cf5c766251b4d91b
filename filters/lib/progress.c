/*
 * progress.c - see progress.h.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "diag.h"
#include "progress.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human(double b, char *out, size_t n)
{
	static const char *const u[] = { "B", "kB", "MB", "GB", "TB" };
	int i = 0;

	while (b >= 1000 && i < 4)
		b /= 1000, i++;
	snprintf(out, n, i ? "%.1f %s" : "%.0f %s", b, u[i]);
}

/* The bytes of all inputs, when every one is a regular file (else 0: unknown). */
static uint64_t total_size(char **names, int n)
{
	struct stat st;
	uint64_t total = 0;
	int i;

	if (n == 0)
		return fstat(0, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "-") == 0 || stat(names[i], &st) != 0 || !S_ISREG(st.st_mode))
			return 0;
		total += (uint64_t)st.st_size;
	}
	return total;
}

void progress_start(struct progress *p, char **names, int n)
{
	memset(p, 0, sizeof(*p));
	p->bytes_total = total_size(names, n);
	p->t0 = now_s();
	p->last_shown = p->t0 - 1;	/* the first chunk shows it */
}

void progress_show(struct progress *p, uint64_t done_now, const char *name, int force)
{
	double t = now_s(), rate;
	uint64_t done;
	char a[32], b[32], c[32], eta[32] = "";

	if (!force && t - p->last_shown < 0.25)
		return;
	p->last_shown = t;
	done = p->bytes_done + done_now;
	rate = t > p->t0 ? (double)done / (t - p->t0) : 0;
	human((double)done, a, sizeof(a));
	human(rate, c, sizeof(c));
	if (p->bytes_total && done <= p->bytes_total) {
		human((double)p->bytes_total, b, sizeof(b));
		if (rate > 0) {
			long s = (long)((double)(p->bytes_total - done) / rate);

			snprintf(eta, sizeof(eta), ", ETA %ld:%02ld", s / 60, s % 60);
		}
		fprintf(stderr, "\r%s: %s of %s (%.0f%%), %s/s%s  %s\033[K", diag_prog(), a, b,
			100.0 * (double)done / (double)p->bytes_total, c, eta, name);
	} else
		fprintf(stderr, "\r%s: %s, %s/s  %s\033[K", diag_prog(), a, c, name);
	p->shown = 1;
}

void progress_end(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}
