/*
 * mem.c - big arrays on huge pages (mem.h).
 */
#define _GNU_SOURCE	/* mremap */
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

static void *map(size_t bytes)
{
	return huge(mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		    bytes);
}

void *mem_zalloc(size_t bytes)
{
	return bytes < MEM_MAP_MIN ? calloc(1, bytes ? bytes : 1) : map(bytes);	/* anonymous memory is zero */
}

void *mem_grow(void *p, size_t old, size_t bytes)
{
	void *q;

	if (bytes < MEM_MAP_MIN)
		return realloc(p, bytes);
	if (old < MEM_MAP_MIN) {	/* from malloc's to a mapping */
		if ((q = map(bytes)) && old)
			memcpy(q, p, old);
		if (q)
			free(p);
		return q;
	}
#ifdef MREMAP_MAYMOVE
	/* the pages move, not their bytes; the mapping keeps its madvise, the new part asked again */
	return huge(mremap(p, old, bytes, MREMAP_MAYMOVE), bytes);
#else
	if ((q = map(bytes))) {
		memcpy(q, p, old);
		munmap(p, old);
	}
	return q;
#endif
}

void *mem_grow_zero(void *p, size_t old, size_t bytes)
{
	unsigned char *q = mem_grow(p, old, bytes);

	if (q && bytes < MEM_MAP_MIN)	/* realloc's; a mapping's new part is zeroes already */
		memset(q + old, 0, bytes - old);
	return q;
}

void mem_free(void *p, size_t bytes)
{
	if (!p)
		return;
	if (bytes < MEM_MAP_MIN)
		free(p);
	else
		munmap(p, bytes);
}
