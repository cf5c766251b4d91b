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
/*
 * sort_stable on every thread of p (par_each; not while par_run runs):
 * pieces sorted at once, then merged pairwise, each pass's merges cut
 * into slices merged at once (the last, of two halves, too). The same
 * order as sort_stable. p NULL, or n small: sort_stable. Memory: one copy
 * of base, and while the pieces are sorted each its own copy (two in all).
 */
struct par;
int sort_stable_par(struct par *p, void *base, size_t n, size_t size, sort_cmp_fn cmp, void *ctx);

/*
 * Order statistics without a sort: moves a[0..n) so that a[k] is the
 * value a sort would put there, a[0..k) none greater and a(k..n) none
 * smaller (C++'s nth_element; k < n). Quickselect on a median of three,
 * in O(n) on average; a range still large after 2 log2 n rounds is
 * sorted instead, so no input makes it quadratic. A second statistic
 * k2 > k is then sort_select_ll(a + k + 1, n - k - 1, k2 - k - 1).
 */
void sort_select_ll(long long *a, size_t n, size_t k);

#endif
