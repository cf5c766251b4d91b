/*
 * vocab.c - alias lookups in small open-addressed tables built on first use
 * from the compiled-in synonym tables. The bytes as given are tried first
 * (canonical input is already lower-case), then the lower-cased form.
 */
#include <string.h>

#include "bytes.h"
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
		if (e->alias_len == n && bytes_eq(e->alias, s, n))
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
