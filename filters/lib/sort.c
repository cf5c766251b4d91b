/*
 * sort.c - merge sort: runs of 16 by insertion, then merges bottom-up
 * between base and one scratch array of the same size, so the cost is
 * n log n comparisons whatever the input and memory is one copy of it.
 */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "par.h"
#include "sort.h"

#define RUN 16

/* An element's copy: a constant size for the common ones, which the compiler inlines. */
static inline void cpy(void *d, const void *s, size_t n)
{
	if (n == 8)
		memcpy(d, s, 8);
	else if (n == 32)
		memcpy(d, s, 32);
	else
		memcpy(d, s, n);
}

static void insertion(char *a, size_t n, size_t size, sort_cmp_fn cmp, void *ctx, char *tmp)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		if (cmp(a + (i - 1) * size, a + i * size, ctx) <= 0)
			continue;
		cpy(tmp, a + i * size, size);
		for (j = i; j > 0 && cmp(a + (j - 1) * size, tmp, ctx) > 0; j--)
			cpy(a + j * size, a + (j - 1) * size, size);
		cpy(a + j * size, tmp, size);
	}
}

/* Merge a[0..na) and b[0..nb) into dst; ties take a's first. */
static void merge_into(const char *a, size_t na, const char *b, size_t nb, char *dst, size_t size,
		       sort_cmp_fn cmp, void *ctx)
{
	size_t i = 0, j = 0, k = 0;

	while (i < na && j < nb) {
		if (cmp(b + j * size, a + i * size, ctx) < 0)
			cpy(dst + k++ * size, b + j++ * size, size);
		else
			cpy(dst + k++ * size, a + i++ * size, size);
	}
	memcpy(dst + k * size, a + i * size, (na - i) * size);
	k += na - i;
	memcpy(dst + k * size, b + j * size, (nb - j) * size);
}

/* Merge src[lo..mid) and src[mid..hi) into dst[lo..hi); ties take the left run's first. */
static void merge(const char *src, char *dst, size_t lo, size_t mid, size_t hi, size_t size,
		  sort_cmp_fn cmp, void *ctx)
{
	merge_into(src + lo * size, mid - lo, src + mid * size, hi - mid, dst + lo * size, size, cmp, ctx);
}

/* base's n elements sorted with b (n elements) and tmp (one) as scratch. */
static void sort_with(char *a, size_t n, size_t size, sort_cmp_fn cmp, void *ctx, char *b, char *tmp)
{
	char *src, *dst, *t;
	size_t i, w;

	for (i = 0; i < n; i += RUN)
		insertion(a + i * size, n - i < RUN ? n - i : RUN, size, cmp, ctx, tmp);
	src = a;
	dst = b;
	for (w = RUN; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			size_t mid = i + w < n ? i + w : n, hi = i + 2 * w < n ? i + 2 * w : n;

			merge(src, dst, i, mid, hi, size, cmp, ctx);
		}
		t = src, src = dst, dst = t;
	}
	if (src != a)
		memcpy(a, src, n * size);
}

int sort_stable(void *base, size_t n, size_t size, sort_cmp_fn cmp, void *ctx)
{
	char *b, *tmp;

	if (n < 2 || size == 0)
		return 0;
	if (!(tmp = malloc(size)))
		return -1;
	if (n <= RUN) {
		insertion(base, n, size, cmp, ctx, tmp);
		free(tmp);
		return 0;
	}
	if (n > (size_t)-1 / size || !(b = mem_alloc(n * size))) {
		free(tmp);
		return -1;
	}
	sort_with(base, n, size, cmp, ctx, b, tmp);
	mem_free(b, n * size);
	free(tmp);
	return 0;
}

/* ---- sort_stable_par ---- */

#define PAR_PIECES 64		/* sorted apart, then merged pairwise: more than threads */
#define PAR_FROM 65536		/* elements: below, one thread sorts */

struct psort {
	char *src, *dst;
	size_t n, size, w;	/* w: pieces in a run of the merge pass */
	unsigned slices;	/* a merge's slices in the pass */
	sort_cmp_fn cmp;
	void *ctx;
	int piece_failed[PAR_PIECES];	/* its sort ran out of memory */
};

static size_t piece_at(const struct psort *x, size_t k)
{
	return k >= PAR_PIECES ? x->n : x->n * k / PAR_PIECES;
}

/* Piece i sorted with its own stretch of the merge's scratch as scratch. */
static void sort_piece(void *ctx, unsigned i)
{
	struct psort *x = ctx;
	size_t lo = piece_at(x, i), hi = piece_at(x, i + 1);
	char *tmp;

	if (hi - lo < 2)
		return;
	if (!(tmp = malloc(x->size))) {
		x->piece_failed[i] = 1;
		return;
	}
	sort_with(x->src + lo * x->size, hi - lo, x->size, x->cmp, x->ctx, x->dst + lo * x->size, tmp);
	free(tmp);
}

/*
 * How many of the first k elements merge_into(a, na, b, nb) writes come
 * from a (the rest, k minus that, from b): the least i at which b[k-i-1]
 * goes before a[i], found by halving (the "merge path" of Odeh et al.,
 * with merge_into's rule for ties). So a merge is cut into slices that
 * are merged at once, and each writes what the whole merge would there.
 */
static size_t co_rank(size_t k, const char *a, size_t na, const char *b, size_t nb, size_t size,
		      sort_cmp_fn cmp, void *ctx)
{
	size_t lo = k > nb ? k - nb : 0, hi = k < na ? k : na, i;

	while (lo < hi) {	/* here i < na and 1 <= k - i <= nb */
		i = lo + (hi - lo) / 2;
		if (cmp(b + (k - i - 1) * size, a + i * size, ctx) < 0)
			hi = i;
		else
			lo = i + 1;
	}
	return lo;
}

/*
 * Task t of a pass: slice t % slices of the merge of runs 2m and 2m + 1 of
 * w pieces each (m = t / slices), from src into dst (a last run alone,
 * copied). Every pass makes PAR_PIECES tasks, so that the last passes,
 * with a few long merges, keep every thread busy too.
 */
static void merge_runs(void *ctx, unsigned t)
{
	struct psort *x = ctx;
	unsigned m = t / x->slices, s = t % x->slices;
	size_t lo = piece_at(x, 2 * m * x->w), mid = piece_at(x, (2 * m + 1) * x->w), hi = piece_at(x, (2 * m + 2) * x->w);
	size_t na = mid - lo, nb = hi - mid, k0 = (na + nb) * s / x->slices, k1 = (na + nb) * (s + 1) / x->slices;
	const char *a = x->src + lo * x->size, *b = x->src + mid * x->size;
	size_t i0 = co_rank(k0, a, na, b, nb, x->size, x->cmp, x->ctx);
	size_t i1 = co_rank(k1, a, na, b, nb, x->size, x->cmp, x->ctx);

	merge_into(a + i0 * x->size, i1 - i0, b + (k0 - i0) * x->size, (k1 - i1) - (k0 - i0),
		   x->dst + (lo + k0) * x->size, x->size, x->cmp, x->ctx);
}

int sort_stable_par(struct par *p, void *base, size_t n, size_t size, sort_cmp_fn cmp, void *ctx)
{
	struct psort x;
	char *b, *t;
	unsigned i;
	int failed = 0;

	if (!p || n < PAR_FROM)
		return sort_stable(base, n, size, cmp, ctx);
	if (n > (size_t)-1 / size || !(b = mem_alloc(n * size)))
		return -1;
	memset(&x, 0, sizeof(x));
	x.src = base, x.dst = b, x.n = n, x.size = size, x.cmp = cmp, x.ctx = ctx;
	par_each(p, PAR_PIECES, sort_piece, &x);
	for (i = 0; i < PAR_PIECES; i++)
		failed |= x.piece_failed[i];
	if (failed) {	/* some pieces sorted, base still the same elements: sort it whole */
		if (!(t = malloc(size))) {
			mem_free(b, n * size);
			return -1;
		}
		sort_with(base, n, size, cmp, ctx, b, t);
		free(t);
		mem_free(b, n * size);
		return 0;
	}
	for (x.w = 1; x.w < PAR_PIECES; x.w *= 2) {
		unsigned merges = (unsigned)((PAR_PIECES + 2 * x.w - 1) / (2 * x.w));

		x.slices = (PAR_PIECES + merges - 1) / merges;
		par_each(p, merges * x.slices, merge_runs, &x);
		t = x.src, x.src = x.dst, x.dst = t;
	}
	if (x.src != base)
		memcpy(base, x.src, n * size);
	mem_free(b, n * size);
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static inline void swap_ll(long long *a, long long *b)
{
	long long t = *a;

	*a = *b;
	*b = t;
}

void sort_select_ll(long long *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n, i, j, m, rounds = 0, limit = 2;

	for (m = n; m > 1; m >>= 1)
		limit += 2;
	while (hi - lo > 16) {
		long long pivot;

		if (++rounds > limit) {	/* the pivots keep landing badly: sort what is left */
			qsort(a + lo, hi - lo, sizeof(*a), cmp_ll);
			return;
		}
		/* the median of the first, middle and last, moved to a[lo] */
		m = lo + (hi - lo) / 2;
		if (a[m] < a[lo])
			swap_ll(&a[m], &a[lo]);
		if (a[hi - 1] < a[lo])
			swap_ll(&a[hi - 1], &a[lo]);
		if (a[hi - 1] < a[m])
			swap_ll(&a[hi - 1], &a[m]);
		swap_ll(&a[lo], &a[m]);
		pivot = a[lo];
		/* Hoare's partition: a[lo..j] <= pivot <= a[j+1..hi) */
		i = lo;
		j = hi;
		for (;;) {
			while (a[++i] < pivot && i < hi - 1)
				;
			while (a[--j] > pivot)
				;
			if (i >= j)
				break;
			swap_ll(&a[i], &a[j]);
		}
		swap_ll(&a[lo], &a[j]);	/* the pivot to its place, j */
		if (k == j)
			return;
		if (k < j)
			hi = j;
		else
			lo = j + 1;
	}
	qsort(a + lo, hi - lo, sizeof(*a), cmp_ll);	/* a few left: in order */
}
