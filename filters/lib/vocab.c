/*
 * vocab.c - alias lookups in small open-addressed tables built on first use
 * from the compiled-in synonym tables. The bytes as given are tried first
 * (canonical input is already lower-case), then the lower-cased form.
 */
#include <pthread.h>
#include <string.h>

#include "bytes.h"
#include "vocab.h"
#include "vocab_tables.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define VOCAB_MAX_ALIAS 40
#define SLOTS 512	/* power of two, over four times the aliases of any table */

struct vtab {
	const struct vocab_entry *slot[SLOTS];
	int ready;
};

static struct vtab platforms, types, headers, referrers, clickids, assets;
static pthread_once_t built = PTHREAD_ONCE_INIT;

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

/* All tables at once, on first use by any thread. */
static void build_all(void)
{
	build(&platforms, platform_vocab, NELEM(platform_vocab));
	build(&types, type_vocab, NELEM(type_vocab));
	build(&headers, header_vocab, NELEM(header_vocab));
	build(&referrers, referrer_vocab, NELEM(referrer_vocab));
	build(&clickids, clickid_vocab, NELEM(clickid_vocab));
	build(&assets, asset_vocab, NELEM(asset_vocab));
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

static const struct vocab_entry *lookup(struct vtab *t, const char *s, size_t n)
{
	const struct vocab_entry *e;
	char key[VOCAB_MAX_ALIAS];
	size_t i;
	int changed = 0;

	if (!t->ready)
		pthread_once(&built, build_all);
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
	return lookup(&platforms, s, n);
}

const struct vocab_entry *vocab_type(const char *s, size_t n)
{
	return lookup(&types, s, n);
}

const struct vocab_entry *vocab_header(const char *s, size_t n)
{
	return lookup(&headers, s, n);
}

const struct vocab_entry *vocab_referrer(const char *s, size_t n)
{
	return lookup(&referrers, s, n);
}

const struct vocab_entry *vocab_clickid(const char *s, size_t n)
{
	return lookup(&clickids, s, n);
}

const struct vocab_entry *vocab_asset(const char *s, size_t n)
{
	return lookup(&assets, s, n);
}

/* ASCII case-insensitive search for a lower-case needle. */
static int has_lower(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i, j;

	for (i = 0; i + k <= n; i++) {
		for (j = 0; j < k; j++) {
			char c = s[i + j];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			if (c != needle[j])
				break;
		}
		if (j == k)
			return 1;
	}
	return 0;
}

int vocab_is_bot(const char *ua, size_t n)
{
	size_t i;

	for (i = 0; i < NELEM(bot_patterns); i++)
		if (has_lower(ua, n, bot_patterns[i]))
			return 1;
	return 0;
}
