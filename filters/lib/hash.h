/*
 * hash.h - the one hash of the project: XXH3 from Debian's libxxhash,
 * 64-bit for tables, 128-bit for identities (dedupe keys, fingerprints).
 * XXH3's output is specified byte-order independent: stable on every machine.
 */
#ifndef VCHAIN_HASH_H
#define VCHAIN_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xxhash.h>

struct h128 {
	uint64_t lo, hi;
};

static inline uint64_t hash64(const void *p, size_t n)
{
	return XXH3_64bits(p, n);
}

/*
 * XXH3's two halves come back in two registers. Copied member by member,
 * GCC 12 joins them into one 16-byte store by way of the stack (two 8-byte
 * stores, then a 16-byte load that has to wait for both to land); memcpy
 * (the same layout) stores the two registers where they go. No change in
 * wall time could be measured on the 2-vCPU machine, but the code does
 * less.
 */
_Static_assert(sizeof(struct h128) == sizeof(XXH128_hash_t) && offsetof(struct h128, hi) == offsetof(XXH128_hash_t, high64),
	       "struct h128 is XXH128_hash_t's layout");

static inline struct h128 hash128(const void *p, size_t n)
{
	XXH128_hash_t h = XXH3_128bits(p, n);
	struct h128 r;

	memcpy(&r, &h, sizeof(r));
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
