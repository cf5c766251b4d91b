/*
 * sketch.h - summaries of a stream in fixed memory: HyperLogLog for how
 * many distinct values (Flajolet et al. 2007, with linear counting for
 * small sets), mergeable register by register, so shards' sketches merge
 * into exactly the sketch of one pass.
 */
#ifndef VCHAIN_SKETCH_H
#define VCHAIN_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define HLL_P 12		/* 4096 registers: standard error 1.04 / 64 = 1.6% */
#define HLL_M (1u << HLL_P)

struct hll {
	unsigned char *regs;	/* HLL_M registers, or NULL before the first value */
};

/* Take a value by its 64-bit hash. 0, or -1 when out of memory. */
int hll_add(struct hll *h, uint64_t hash);
/* The estimated number of distinct values. */
double hll_estimate(const struct hll *h);
/* The registers as a JSON string of 2 * HLL_M hex digits, or null before any value. */
int hll_put_hex(const struct hll *h, struct buf *b);
/* Merge registers given as hex[0..n) (hll_put_hex's, unquoted). 0, -1 (not such), -2 (memory). */
int hll_merge_hex(struct hll *h, const char *hex, size_t n);
/* src's registers into h (src moved when h has none). 0, or -2 when out of memory. */
int hll_absorb(struct hll *h, struct hll *src);
void hll_free(struct hll *h);

#endif
