/*
 * vocab.c - alias lookups in small open-addressed tables built on first use
 * from the compiled-in synonym tables. The bytes as given are tried first
 * (canonical input is already lower-case), then the lower-cased form.
 */
#include <string.h>

#include "vocab.h"
#include "vocab_tables.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define VOCAB_MAX_ALIAS 40
#define SLOTS 512	/* power of two, over four times the aliases of either table */

struct vtab {
	const struct vocab_entry *slot[SLOTS];
	int ready;
};

static struct vtab platforms, types;

static unsigned vhash(const char *s, size_t n)
{
	unsigned h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Equality of short words: constant-size memcmp is inlined to a few loads. */
static inline int same(const char *a, const char *b, size_t n)
{
	switch (n) {
	case 1: return a[0] == b[0];
	case 2: return memcmp(a, b, 2) == 0;
	case 3: return memcmp(a, b, 3) == 0;
	case 4: return memcmp(a, b, 4) == 0;
	case 5: return memcmp(a, b, 5) == 0;
	case 6: return memcmp(a, b, 6) == 0;
	case 7: return memcmp(a, b, 7) == 0;
	case 8: return memcmp(a, b, 8) == 0;
	case 9: return memcmp(a, b, 9) == 0;
	case 10: return memcmp(a, b, 10) == 0;
	default: return memcmp(a, b, n) == 0;
	}
}

static void build(struct vtab *t, const struct vocab_entry *v, size_t nv)
{
	size_t i;
	unsigned h;

	for (i = 0; i < nv; i++) {
		for (h = vhash(v[i].alias, v[i].alias_len) & (SLOTS - 1); t->slot[h];
		     h = (h + 1) & (SLOTS - 1))
			;
		t->slot[h] = &v[i];
	}
	t->ready = 1;
}

static const struct vocab_entry *find(const struct vtab *t, const char *s, size_t n)
{
	const struct vocab_entry *e;
	unsigned h;

	for (h = vhash(s, n) & (SLOTS - 1); (e = t->slot[h]) != NULL; h = (h + 1) & (SLOTS - 1))
		if (e->alias_len == n && same(e->alias, s, n))
			return e;
	return NULL;
}

static const struct vocab_entry *lookup(struct vtab *t, const struct vocab_entry *v, size_t nv,
					 const char *s, size_t n)
{
	const struct vocab_entry *e;
	char key[VOCAB_MAX_ALIAS];
	size_t i;
	int changed = 0;

	if (!t->ready)
		build(t, v, nv);
	if (n == 0 || n > sizeof(key))
		return NULL;
	e = find(t, s, n);
	if (e)
		return e;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		else if (ch == ' ' || ch == '-')
			ch = '_';
		changed |= ch != s[i];
		key[i] = ch;
	}
	return changed ? find(t, key, n) : NULL;
}

const struct vocab_entry *vocab_platform(const char *s, size_t n)
{
	return lookup(&platforms, platform_vocab, NELEM(platform_vocab), s, n);
}

const struct vocab_entry *vocab_type(const char *s, size_t n)
{
	return lookup(&types, type_vocab, NELEM(type_vocab), s, n);
}
