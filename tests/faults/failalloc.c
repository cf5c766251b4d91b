/*
 * failalloc.c - an LD_PRELOAD library for tests: with FAIL_ALLOC_AFTER=N,
 * every allocation after the first N fails (NULL, errno ENOMEM), so a test
 * can walk N over a run's allocations and check that each failure ends in
 * a message and exit status 1, or in the right output; never a crash, a
 * silently short output or a wrong number. With FAIL_ALLOC_COUNT=FILE the
 * number of allocations a run made is written there at exit.
 * Only for the plain build (the sanitizers replace malloc themselves).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

static long limit = -2, count;

static int fails(void)
{
	if (limit == -2) {
		const char *e = getenv("FAIL_ALLOC_AFTER");

		limit = e ? atol(e) : -1;
	}
	return limit >= 0 && __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED) >= limit;
}

void *malloc(size_t n)
{
	if (fails())
		return errno = ENOMEM, NULL;
	if (limit < 0)
		__atomic_fetch_add(&count, 1, __ATOMIC_RELAXED);
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	if (fails())
		return errno = ENOMEM, NULL;
	if (limit < 0)
		__atomic_fetch_add(&count, 1, __ATOMIC_RELAXED);
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	if (n && fails())
		return errno = ENOMEM, NULL;
	if (limit < 0)
		__atomic_fetch_add(&count, 1, __ATOMIC_RELAXED);
	return __libc_realloc(p, n);
}

__attribute__((destructor)) static void report(void)
{
	const char *f = getenv("FAIL_ALLOC_COUNT");
	char t[32];
	int fd, n;

	if (!f || (fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return;
	n = snprintf(t, sizeof(t), "%ld\n", count);
	if (write(fd, t, (size_t)n) < 0) {
		/* the test sees no count */
	}
	close(fd);
}
