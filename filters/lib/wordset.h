/*
 * wordset.h - a fixed set of short words (1-16 bytes: field names, the
 * canonical platforms and event types) found with one probe and no loop:
 * the hot lookups of every record, where a general hash table's probing
 * and byte loops cost more than the rest of the work on the field.
 */
#ifndef VCHAIN_WORDSET_H
#define VCHAIN_WORDSET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WORDSET_MAX_LEN 16
#define WORDSET_MAX_WORDS 64
#define WORDSET_SLOT_BITS 12	/* 4096 one-byte slots at most */

/*
 * A word of n <= 16 bytes is (a, b): its bytes zero-padded to 16, as two
 * little-endian words. One multiplier, searched for when the set is
 * built, sends every word of the set to a slot of its own.
 */
struct wordset_word {
	uint64_t a, b;
	uint32_t n;
};

struct wordset {
	uint64_t mul;
	unsigned shift;		/* 64 - slot bits */
	unsigned nwords;
	struct wordset_word word[WORDSET_MAX_WORDS];
	uint8_t slot[1u << WORDSET_SLOT_BITS];	/* word index + 1, or 0 */
};

/*
 * Build the set of words[i][0..lens[i]), i < n; wordset_get then gives i.
 * Returns 0, or -1 when a word is empty, longer than WORDSET_MAX_LEN or
 * repeated, or n is over WORDSET_MAX_WORDS.
 */
int wordset_build(struct wordset *ws, const char *const *words, const size_t *lens, size_t n);

/* k (4 or 8) bytes from s as a little-endian number: one load. */
static inline uint64_t wordset_load(const char *s, size_t k)
{
	uint64_t v = 0;

	memcpy(&v, s, k);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v) >> (8 * (8 - k));
#endif
	return v;
}

/* (a, b) of s[0..n), 1 <= n <= 16, reading only those bytes. */
static inline void wordset_sig(const char *s, size_t n, uint64_t *a, uint64_t *b)
{
	const unsigned char *u = (const unsigned char *)s;

	*b = 0;
	if (n >= 8) {
		*a = wordset_load(s, 8);
		if (n > 8)	/* bytes n-8..n-1, of which 8..n-1 are wanted */
			*b = wordset_load(s + n - 8, 8) >> (8 * (16 - n));
	} else if (n >= 4)
		*a = wordset_load(s, 4) | wordset_load(s + n - 4, 4) >> (8 * (8 - n)) << 32;
	else
		*a = (uint64_t)u[0] | (uint64_t)u[n / 2] << (8 * (n / 2)) | (uint64_t)u[n - 1] << (8 * (n - 1));
}

/* The same when 16 bytes can be read at s: two loads and two masks, no branch. */
static inline void wordset_sig16(const char *s, size_t n, uint64_t *a, uint64_t *b)
{
	uint64_t lo = n >= 8 ? ~(uint64_t)0 : ~(~(uint64_t)0 << (8 * n));
	uint64_t hi = n >= 16 ? ~(uint64_t)0 : n <= 8 ? 0 : ~(~(uint64_t)0 << (8 * (n - 8)));

	*a = wordset_load(s, 8) & lo;
	*b = wordset_load(s + 8, 8) & hi;
}

static inline unsigned wordset_slot(const struct wordset *ws, uint64_t a, uint64_t b, size_t n)
{
	uint64_t x = (a * 0x9E3779B97F4A7C15u) ^ b ^ n;

	return (unsigned)((x * ws->mul) >> ws->shift);
}

static inline int wordset_find(const struct wordset *ws, uint64_t a, uint64_t b, size_t n)
{
	const struct wordset_word *w;
	unsigned i = ws->slot[wordset_slot(ws, a, b, n)];

	if (!i)
		return -1;
	w = &ws->word[i - 1];
	return w->a == a && w->b == b && w->n == n ? (int)i - 1 : -1;
}

/* The index of s[0..n) in the set, or -1. */
static inline int wordset_get(const struct wordset *ws, const char *s, size_t n)
{
	uint64_t a, b;

	if (n - 1 >= WORDSET_MAX_LEN)	/* n == 0 wraps around */
		return -1;
	wordset_sig(s, n, &a, &b);
	return wordset_find(ws, a, b, n);
}

/* The same, where avail bytes from s can be read: with 16, without a branch on n. */
static inline int wordset_get_at(const struct wordset *ws, const char *s, size_t n, size_t avail)
{
	uint64_t a, b;

	if (n - 1 >= WORDSET_MAX_LEN)
		return -1;
	if (avail >= 16)
		wordset_sig16(s, n, &a, &b);
	else
		wordset_sig(s, n, &a, &b);
	return wordset_find(ws, a, b, n);
}

#endif
