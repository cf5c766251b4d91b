/*
 * failalloc.c - an LD_PRELOAD library for tests: with FAIL_ALLOC_AFTER=N,
 * every allocation after the first N fails (NULL, errno ENOMEM), so a test
 * can walk N over a run's allocations and check that each failure ends in
 * a message and exit status 1, or in the right output; never a crash, a
 * silently short output or a wrong number. With FAIL_ALLOC_COUNT=FILE the
 * number of allocations a run made is written there at exit.
 * Anonymous mappings (mmap, and mremap growing one: how mem.c's big
 * tables are made and grown) are counted apart, FAIL_MAP_COUNT=FILE, and
 * with FAIL_MAP_AT=N the N-th (from 0) alone fails: a run makes a few of
 * them among many mallocs, and a failure that the program passed over
 * shows as the wrong output or a crash, not hidden by the next failing.
 * Only for the plain build (the sanitizers replace malloc themselves).
 */
#define _GNU_SOURCE	/* mremap's flags */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

static long limit = -2, count, map_at = -2, map_count;

static int fails(void)
{
	if (limit == -2) {
		const char *e = getenv("FAIL_ALLOC_AFTER");

		limit = e ? atol(e) : -1;
	}
	return limit >= 0 && __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED) >= limit;
}

/* Whether this mapping fails; every one is counted. */
static int map_fails(void)
{
	long k = __atomic_fetch_add(&map_count, 1, __ATOMIC_RELAXED);

	if (map_at == -2) {
		const char *e = getenv("FAIL_MAP_AT");

		map_at = e ? atol(e) : -1;
	}
	return k == map_at;
}

/* glibc's own calls (malloc's, the loader's) go to the system directly; these are the program's. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (flags & MAP_ANONYMOUS && map_fails())
		return errno = ENOMEM, MAP_FAILED;
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

void *mremap(void *old, size_t old_len, size_t len, int flags, ...)
{
	void *to = NULL;
	va_list ap;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		to = va_arg(ap, void *);
		va_end(ap);
	}
	if (len > old_len && map_fails())
		return errno = ENOMEM, MAP_FAILED;
	return (void *)syscall(SYS_mremap, old, old_len, len, flags, to);
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

static void put_count(const char *var, long n)
{
	const char *f = getenv(var);
	char t[32];
	int fd, k;

	if (!f || (fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return;
	k = snprintf(t, sizeof(t), "%ld\n", n);
	if (write(fd, t, (size_t)k) < 0) {
		/* the test sees no count */
	}
	close(fd);
}

__attribute__((destructor)) static void report(void)
{
	put_count("FAIL_ALLOC_COUNT", count);
	put_count("FAIL_MAP_COUNT", map_count);
}
