/*
 * wordset.c - building a wordset: the words' signatures, then odd
 * multipliers from a fixed sequence (splitmix64) until one gives every word
 * a slot of its own. With at least n^2 slots a multiplier works about half
 * the time, so the search ends after a few tries; the sequence is fixed,
 * so the table is the same on every run.
 */
#include "wordset.h"

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15u);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

int wordset_build(struct wordset *ws, const char *const *words, const size_t *lens, size_t n)
{
	uint64_t seed = 1;
	unsigned bits = 6, tries;
	size_t i, k;

	if (n > WORDSET_MAX_WORDS)
		return -1;
	memset(ws, 0, sizeof(*ws));
	for (i = 0; i < n; i++) {
		if (lens[i] == 0 || lens[i] > WORDSET_MAX_LEN)
			return -1;
		wordset_sig(words[i], lens[i], &ws->word[i].a, &ws->word[i].b);
		ws->word[i].n = (uint32_t)lens[i];
		for (k = 0; k < i; k++)
			if (ws->word[k].a == ws->word[i].a && ws->word[k].b == ws->word[i].b &&
			    ws->word[k].n == ws->word[i].n)
				return -1;	/* the same word twice */
	}
	ws->nwords = (unsigned)n;
	while (bits < WORDSET_SLOT_BITS && ((size_t)1 << bits) < n * n)
		bits++;
	ws->shift = 64 - bits;
	for (tries = 0; tries < 100000; tries++) {
		ws->mul = splitmix64(&seed) | 1;
		memset(ws->slot, 0, sizeof(ws->slot));
		for (i = 0; i < n; i++) {
			unsigned s = wordset_slot(ws, ws->word[i].a, ws->word[i].b, ws->word[i].n);

			if (ws->slot[s])
				break;
			ws->slot[s] = (uint8_t)(i + 1);
		}
		if (i == n)
			return 0;
	}
	return -1;
}
