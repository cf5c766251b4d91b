/*
 * vocab.c - alias lookups in small open-addressed tables built on first use
 * from the compiled-in synonym tables. The bytes as given are tried first
 * (canonical input is already lower-case), then the lower-cased form.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "bytes.h"
#include "hash.h"
#include "vocab.h"
#include "vocab_tables.h"
#include "wordset.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define VOCAB_MAX_ALIAS 40
#define SLOTS 512	/* power of two, over four times the aliases of any table */

struct vtab {
	const struct vocab_entry *slot[SLOTS];
	/*
	 * The canonical names (aliases that map to themselves), for tables
	 * that have them: one probe finds a word already canonical, the form
	 * nearly every record of a pipeline has. canon_entry[i] is word i's.
	 */
	int has_canon;
	struct wordset canon;
	const struct vocab_entry *canon_entry[WORDSET_MAX_WORDS];
};

const char *const vocab_stage_names[8] = {
	NULL, "awareness", "consideration", "engagement", "audience", "education", "sale", "advocacy"
};

const char *const vocab_platforms[VOCAB_NPLATFORMS] = { VOCAB_PLATFORM_NAMES };
static const size_t platform_len[VOCAB_NPLATFORMS] = { VOCAB_PLATFORM_LENS };

static struct vtab platforms, types, headers, referrers, clickids, assets;
static pthread_once_t built = PTHREAD_ONCE_INIT;
static int ready;	/* set (release) when build_all is done: one load on the hot path */

/*
 * Bot words (lower-case, three bytes or more: gen-tables.sh checks): a
 * bitmap of the hashed (lower-cased) three bytes they start with, so a user
 * agent is scanned once, a bit test per position, and the words are
 * compared only where the bit is set: where one starts, or about once in
 * 2,500 positions by chance. The answer for a user agent is kept in a small
 * per-thread cache keyed by its 128-bit hash: a log has few distinct agents
 * (559 in the 10,000 lines of the real apache_logs), each seen again and
 * again.
 */
#define NBOTS NELEM(bot_patterns)
#define TRI_BITS 16
#define BOT_CACHE 256	/* power of two */
static uint64_t bot_tris[((size_t)1 << TRI_BITS) / 64];
static unsigned char lower[256];
static size_t bot_len[NBOTS];

static inline unsigned tri_hash(uint32_t t)
{
	return (t * 0x9E3779B1u) >> (32 - TRI_BITS);
}

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
}

/* The canonical names of v as t's wordset; a table without one is looked up the long way. */
static void build_canon(struct vtab *t, const struct vocab_entry *v, size_t nv)
{
	const char *words[WORDSET_MAX_WORDS];
	size_t lens[WORDSET_MAX_WORDS], i, n = 0;

	for (i = 0; i < nv; i++) {
		if (v[i].alias_len != v[i].name_len || !bytes_eq(v[i].alias, v[i].name, v[i].name_len))
			continue;
		if (n == WORDSET_MAX_WORDS)
			return;
		t->canon_entry[n] = &v[i];
		words[n] = v[i].name;
		lens[n++] = v[i].name_len;
	}
	t->has_canon = wordset_build(&t->canon, words, lens, n) == 0;
}

/* All tables at once, on first use by any thread. */
static void build_all(void)
{
	size_t i;

	for (i = 0; i < 256; i++)
		lower[i] = (unsigned char)(i >= 'A' && i <= 'Z' ? i + 32 : i);
	for (i = 0; i < NBOTS; i++) {
		const unsigned char *w = (const unsigned char *)bot_patterns[i];
		unsigned h = tri_hash((uint32_t)w[0] << 16 | (uint32_t)w[1] << 8 | w[2]);

		bot_len[i] = strlen(bot_patterns[i]);
		bot_tris[h >> 6] |= (uint64_t)1 << (h & 63);
	}
	build(&platforms, platform_vocab, NELEM(platform_vocab));
	build(&types, type_vocab, NELEM(type_vocab));
	build_canon(&platforms, platform_vocab, NELEM(platform_vocab));
	build_canon(&types, type_vocab, NELEM(type_vocab));
	__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
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

	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
		pthread_once(&built, build_all);
	if (n == 0 || n > sizeof(key))
		return NULL;
	if (t->has_canon) {
		int w = wordset_get(&t->canon, s, n);

		if (w >= 0)
			return t->canon_entry[w];
	}
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

static int is_canonical(struct vtab *t, const char *s, size_t n)
{
	const struct vocab_entry *e;

	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
		pthread_once(&built, build_all);
	if (t->has_canon)
		return wordset_get(&t->canon, s, n) >= 0;
	e = lookup(t, s, n);
	return e && e->name_len == n && bytes_eq(e->name, s, n);
}

static const struct wordset *names_of(struct vtab *t)
{
	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
		pthread_once(&built, build_all);
	return t->has_canon ? &t->canon : NULL;
}

const struct wordset *vocab_platform_names(void)
{
	return names_of(&platforms);
}

const struct wordset *vocab_type_names(void)
{
	return names_of(&types);
}

int vocab_is_platform(const char *s, size_t n)
{
	return is_canonical(&platforms, s, n);
}

int vocab_platform_index(const char *s, size_t n)
{
	int k;

	for (k = 0; k < VOCAB_NPLATFORMS; k++)
		if (platform_len[k] == n && bytes_eq(vocab_platforms[k], s, n))
			return k;
	return PLATFORM_OTHER;
}

int vocab_is_type(const char *s, size_t n)
{
	return is_canonical(&types, s, n);
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

static int bot_scan(const unsigned char *u, size_t n)
{
	size_t i, k, j;
	uint32_t t;

	if (n < 3)
		return 0;
	t = (uint32_t)lower[u[0]] << 8 | lower[u[1]];
	for (i = 0; i + 2 < n; i++) {
		unsigned h;

		t = (t << 8 | lower[u[i + 2]]) & 0xFFFFFF;
		h = tri_hash(t);
		if (!(bot_tris[h >> 6] >> (h & 63) & 1))
			continue;
		for (k = 0; k < NBOTS; k++) {
			const unsigned char *w = (const unsigned char *)bot_patterns[k];

			if (bot_len[k] > n - i)
				continue;
			for (j = 0; j < bot_len[k] && w[j] == lower[u[i + j]]; j++)
				;
			if (j == bot_len[k])
				return 1;
		}
	}
	return 0;
}

int vocab_is_bot(const char *ua, size_t n)
{
	static _Thread_local struct {
		struct h128 key;
		int set, bot;
	} cache[BOT_CACHE];
	struct h128 h;
	unsigned slot;

	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
		pthread_once(&built, build_all);
	h = hash128(ua, n);
	slot = (unsigned)(h.lo >> 32) & (BOT_CACHE - 1);
	if (cache[slot].set && cache[slot].key.lo == h.lo && cache[slot].key.hi == h.hi)
		return cache[slot].bot;
	cache[slot].key = h;
	cache[slot].set = 1;
	cache[slot].bot = bot_scan((const unsigned char *)ua, n);
	return cache[slot].bot;
}
