/*
 * xsort.h - an external, stable sort of (key, record) pairs: keys compare
 * by memcmp (sortkey.h makes them), equal keys keep the order pairs came
 * in. Pairs fill a run in memory; a full run is sorted by a background
 * thread and held in memory until its memory is wanted, then spilled
 * (spill.h), so memory stays within the budget given; at the end the last
 * run is sorted in parts on all threads and everything is merged k ways
 * (in several passes when there are more runs on disk than one merge
 * reads at once), the last merge split by key ranges over all threads.
 * With n runs, input up to (n - 1/2) / n of the budget (three quarters
 * with one spill thread) is never written.
 *
 * Memory: the budget is split into one run for each spill thread and one
 * more; a pair costs its key, its record, 8 bytes of header and 48 of
 * index (24, and as much again while the run is sorted). In the merge the
 * last run stays in memory, and the spilled ones are read through readers
 * (spill.h) that take half the budget between them: a merge reads as many
 * runs at once as that allows, 64 at most; split by key ranges, every
 * thread's readers share that half, and ranges merged ahead of the one
 * being written wait in memory, an eighth of the budget at most. Besides
 * the budget, each spill thread holds a writer (two 64 KiB blocks and
 * LZ4's state).
 */
#ifndef VCHAIN_XSORT_H
#define VCHAIN_XSORT_H

#include <stddef.h>
#include <stdint.h>

#define XSORT_MAX_FANIN 64	/* runs merged at once, at most */

struct xsort;

struct xsort_stats {
	uint64_t pairs;
	uint64_t runs;		/* spilled */
	uint64_t spilled;	/* bytes of spilled runs, compressed */
	uint64_t spilled_raw;	/* the same, before compression */
	unsigned width;		/* the widest merge */
	unsigned passes;	/* merge passes before the last */
	unsigned pass_width;	/* the most merges of a pass run side by side */
	unsigned merge_threads;	/* the last merge's, split by key ranges (1: not split) */
	uint64_t ranges;	/* the key ranges it was split into */
	double sort_s, merge_s;	/* wall seconds sorting and spilling runs (in the threads, overlapping the
				   reading), and in the final merge */
};

/*
 * mem: the memory budget in bytes; tmpdir: where runs go; threads: the
 * threads that sort and spill runs (0: the caller does, in xsort_add), and
 * that sort the last run and merge at the end (the caller among them).
 * NULL when out of memory.
 */
struct xsort *xsort_new(size_t mem, const char *tmpdir, unsigned threads);
/* A pair, in input order. 0, or -1 (xsort_why: out of memory, a spill that failed). */
int xsort_add(struct xsort *x, const char *key, uint32_t klen, const char *rec, uint32_t rlen);
/*
 * Every record, sorted, given to emit(ctx, rec, rlen) (which returns 0, or
 * -1 to stop). 0, or -1 (xsort_why, or emit's stop with an empty message).
 */
int xsort_finish(struct xsort *x, int (*emit)(void *ctx, const char *rec, uint32_t rlen), void *ctx);
/* Merge at most n runs at once (2 to XSORT_MAX_FANIN), as GNU sort's --batch-size. */
void xsort_batch(struct xsort *x, unsigned n);
const struct xsort_stats *xsort_stats(const struct xsort *x);
const char *xsort_why(const struct xsort *x);
void xsort_free(struct xsort *x);

/*
 * A k-way merge of sorted sources: next(ctx, i, ...) gives source i's next
 * pair (1, 0 at its end, -1 on an error), and emit takes each record in
 * order; equal keys come from the lower source first. 0, or -1 (a
 * source's error, or emit's stop).
 */
int xsort_merge(unsigned k, int (*next)(void *ctx, unsigned i, const char **key, uint32_t *klen, const char **rec,
					  uint32_t *rlen), void *nctx,
		int (*emit)(void *ctx, const char *rec, uint32_t rlen), void *ectx);

#endif
