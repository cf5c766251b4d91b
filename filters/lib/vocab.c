/*
 * vocab.c - binary search over the sorted, compiled-in synonym tables.
 */
#include <string.h>

#include "vocab.h"
#include "vocab_tables.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define VOCAB_MAX_ALIAS 40

static const struct vocab_entry *lookup(const struct vocab_entry *v, size_t nv,
					 const char *s, size_t n)
{
	char key[VOCAB_MAX_ALIAS];
	size_t i, lo = 0, hi = nv, m;
	int c;

	if (n == 0 || n > sizeof(key))
		return NULL;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		else if (ch == ' ' || ch == '-')
			ch = '_';
		key[i] = ch;
	}
	while (lo < hi) {
		m = (lo + hi) / 2;
		c = memcmp(v[m].alias, key, n < v[m].alias_len ? n : v[m].alias_len);
		if (c == 0)
			c = v[m].alias_len < n ? -1 : v[m].alias_len > n;
		if (c == 0)
			return &v[m];
		if (c < 0)
			lo = m + 1;
		else
			hi = m;
	}
	return NULL;
}

const struct vocab_entry *vocab_platform(const char *s, size_t n)
{
	return lookup(platform_vocab, NELEM(platform_vocab), s, n);
}

const struct vocab_entry *vocab_type(const char *s, size_t n)
{
	return lookup(type_vocab, NELEM(type_vocab), s, n);
}
