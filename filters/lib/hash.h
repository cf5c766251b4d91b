/*
 * hash.h - the one hash of the project: XXH3 from Debian's libxxhash,
 * 64-bit for tables, 128-bit for identities (dedupe keys, fingerprints).
 * XXH3's output is specified byte-order independent: stable on every machine.
 */
#ifndef VCHAIN_HASH_H
#define VCHAIN_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <xxhash.h>

struct h128 {
	uint64_t lo, hi;
};

static inline uint64_t hash64(const void *p, size_t n)
{
	return XXH3_64bits(p, n);
}

static inline struct h128 hash128(const void *p, size_t n)
{
	XXH128_hash_t h = XXH3_128bits(p, n);
	struct h128 r = { h.low64, h.high64 };
	return r;
}

/* qsort's order of hashes: by the high half, then the low. */
static inline int h128_cmp(const void *a, const void *b)
{
	const struct h128 *x = a, *y = b;

	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* 32 lowercase hex digits of h (high half first) into out[32]; no NUL. */
void h128_hex(struct h128 h, char out[32]);

#endif
