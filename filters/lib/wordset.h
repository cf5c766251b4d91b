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
 * A word of n <= 16 bytes is (a, b): its first and last 8 bytes (4 when
 * shorter than 8; first, middle and last byte when shorter than 4), which
 * overlap and so spell the whole word. One multiplier, searched for when
 * the set is built, sends every word of the set to a slot of its own.
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

static inline uint64_t wordset_load(const char *s, size_t k)
{
	uint64_t v = 0;

	memcpy(&v, s, k);	/* k is 8 or 4: one load */
	return v;
}

static inline void wordset_sig(const char *s, size_t n, uint64_t *a, uint64_t *b)
{
	if (n >= 8) {
		*a = wordset_load(s, 8);
		*b = wordset_load(s + n - 8, 8);
	} else if (n >= 4) {
		*a = wordset_load(s, 4);
		*b = wordset_load(s + n - 4, 4);
	} else {
		*a = (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
		     (uint64_t)(unsigned char)s[n - 1] << 16;
		*b = 0;
	}
}

static inline unsigned wordset_slot(const struct wordset *ws, uint64_t a, uint64_t b, size_t n)
{
	uint64_t x = (a * 0x9E3779B97F4A7C15u) ^ b ^ n;

	return (unsigned)((x * ws->mul) >> ws->shift);
}

/* The index of s[0..n) in the set, or -1. */
static inline int wordset_get(const struct wordset *ws, const char *s, size_t n)
{
	const struct wordset_word *w;
	uint64_t a, b;
	unsigned i;

	if (n - 1 >= WORDSET_MAX_LEN)	/* n == 0 wraps around */
		return -1;
	wordset_sig(s, n, &a, &b);
	i = ws->slot[wordset_slot(ws, a, b, n)];
	if (!i)
		return -1;
	w = &ws->word[i - 1];
	return w->a == a && w->b == b && w->n == n ? (int)i - 1 : -1;
}

#endif
