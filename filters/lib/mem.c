/*
 * mem.c - big arrays on huge pages (mem.h).
 */
#define _GNU_SOURCE	/* mremap */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mem.h"

/*
 * Ask for huge pages on a mapping (a hint: a kernel that says no still
 * gives memory). Lengths here need no rounding: mmap, mremap, madvise
 * and munmap round them up to whole pages themselves.
 */
static void *huge(void *p, size_t bytes)
{
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

/* The bytes a mapping of bytes takes: whole huge pages. */
static size_t mapped(size_t bytes)
{
	return (bytes + MEM_MAP_MIN - 1) & ~(MEM_MAP_MIN - 1);
}

/*
 * A mapping of bytes on a huge page boundary (only whole aligned huge
 * pages can be huge): mapped with a huge page to spare, the rest unmapped.
 */
static void *map(size_t bytes)
{
	size_t n = mapped(bytes), lead;
	char *p = mmap(NULL, n + MEM_MAP_MIN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	lead = (MEM_MAP_MIN - ((uintptr_t)p & (MEM_MAP_MIN - 1))) & (MEM_MAP_MIN - 1);
	if (lead)
		munmap(p, lead);
	munmap(p + lead + n, MEM_MAP_MIN - lead);
	return huge(p + lead, n);
}

void *mem_zalloc(size_t bytes)
{
	return bytes < MEM_HUGE_FROM ? calloc(1, bytes ? bytes : 1) : map(bytes);	/* anonymous memory is zero */
}

void *mem_alloc(size_t bytes)
{
	return bytes < MEM_HUGE_FROM ? malloc(bytes ? bytes : 1) : map(bytes);
}

void *mem_grow(void *p, size_t old, size_t bytes)
{
	void *q;

	if (bytes < MEM_HUGE_FROM)
		return realloc(p, bytes);
	if (old < MEM_HUGE_FROM) {	/* from malloc's to a mapping */
		if ((q = map(bytes)) && old)
			memcpy(q, p, old);
		if (q)
			free(p);
		return q;
	}
	if (mapped(bytes) == mapped(old))
		return p;	/* room in its last huge page */
#ifdef MREMAP_MAYMOVE
	/* the pages move, not their bytes; the mapping keeps its madvise, the new part asked again */
	return huge(mremap(p, mapped(old), mapped(bytes), MREMAP_MAYMOVE), mapped(bytes));
#else
	if ((q = map(bytes))) {
		memcpy(q, p, old);
		munmap(p, mapped(old));
	}
	return q;
#endif
}

void *mem_grow_zero(void *p, size_t old, size_t bytes)
{
	unsigned char *q = mem_grow(p, old, bytes);

	if (q && bytes < MEM_HUGE_FROM)	/* realloc's; a mapping's new part is zeroes already */
		memset(q + old, 0, bytes - old);
	return q;
}

size_t mem_bytes(size_t bytes)
{
	return bytes < MEM_HUGE_FROM ? bytes : mapped(bytes);
}

void mem_free(void *p, size_t bytes)
{
	if (!p)
		return;
	if (bytes < MEM_HUGE_FROM)
		free(p);
	else
		munmap(p, mapped(bytes));
}
