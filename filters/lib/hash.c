/*
 * hash.c - printing hashes. The hashing itself is libxxhash's.
 */
#include "hash.h"

static void hex64(uint64_t v, char *out)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 15; i >= 0; i--) {
		out[i] = digits[v & 15];
		v >>= 4;
	}
}

void h128_hex(struct h128 h, char out[32])
{
	hex64(h.hi, out);
	hex64(h.lo, out + 16);
}
