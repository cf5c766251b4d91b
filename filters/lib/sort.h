/*
 * sort.h - a stable sort that hands its comparison a context, so no filter
 * keeps a global for its comparison to read (qsort's way) and equal
 * elements keep their order on every C library.
 */
#ifndef VCHAIN_SORT_H
#define VCHAIN_SORT_H

#include <stddef.h>

typedef int (*sort_cmp_fn)(const void *a, const void *b, void *ctx);

/*
 * Sort base[0..n) of elements of size bytes, stably, by cmp(a, b, ctx).
 * Returns 0, or -1 when out of memory (base is then unchanged).
 */
int sort_stable(void *base, size_t n, size_t size, sort_cmp_fn cmp, void *ctx);

#endif
