/*
 * htab.c - linear probing keeps a probe sequence in one or two cache lines.
 * Deletion shifts later members of the cluster back (Knuth's algorithm R)
 * instead of leaving tombstones, so a table that forgets keys (dedupe
 * --window) stays as fast as a fresh one.
 */
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "mem.h"

/* The key {0,0} marks empty slots; a real hash of {0,0} is stored as {1,0}. */
static inline struct h128 fix_key(struct h128 k)
{
	if ((k.lo | k.hi) == 0)
		k.lo = 1;
	return k;
}

static inline int is_empty(const struct h128 *k)
{
	return (k->lo | k->hi) == 0;
}

static inline int same(struct h128 a, struct h128 b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

/* Bytes of a slot: the key, and the value when there are values (the two arrays are one block). */
static size_t slot_bytes(const struct htab *t)
{
	return sizeof(*t->keys) + (t->no_values ? 0 : sizeof(*t->vals));
}

/* Place key (and v) by probing from its home: the table has room. */
static inline void place(struct htab *t, struct h128 key, uint64_t v, size_t mask)
{
	size_t i;

	for (i = key.lo & mask; !is_empty(&t->keys[i]); i = (i + 1) & mask)
		;
	t->keys[i] = key;
	if (t->vals)
		t->vals[i] = v;
}

/*
 * The table made cap slots (a larger power of two) where it is: its
 * block grows (a mapping's pages move, not their bytes), so that only
 * the added part is new memory, which the kernel must clear. Copying
 * into a new block of the whole size cleared twice as much (the kernel
 * clearing pages under resize was 9 % of vchain-aggregate -a distinct's
 * time at -j 2 on 3 M events) and held both blocks at once. Then each
 * key moves to its place in the larger table, in one pass:
 *
 * The keys of the run at slot 0 may have wrapped round from the end;
 * they are set aside first and placed last. Every other key sits after
 * its home with no empty slot between (the first empty slot s, after
 * that run, is between no key and its home), so taking the keys after s
 * out in order and placing each from its new home puts each one either
 * at or before where it was, over keys already placed, or (home moved
 * up by a multiple of the old size) among keys already placed above the
 * old end, or round past the end into the emptied run at slot 0. No key
 * is ever passed over that moves later: a placed key's run stays whole.
 */
static int resize(struct htab *t, size_t cap)
{
	size_t old = t->cap, mask = cap - 1, s, i, n = slot_bytes(t);
	struct h128 *head = NULL, key;
	uint64_t *headv = NULL, v = 0;
	unsigned char *b;

	if (!old) {
		if (!(b = mem_zalloc(cap * n)))
			return -1;
		t->keys = (struct h128 *)(void *)b;
		t->vals = t->no_values ? NULL : (uint64_t *)(void *)(b + cap * sizeof(*t->keys));
		t->cap = cap;
		return 0;
	}
	for (s = 0; !is_empty(&t->keys[s]); s++)	/* at most 3/4 full: there is an empty slot */
		;
	if (s && (!(head = malloc(s * sizeof(*head))) || (t->vals && !(headv = malloc(s * sizeof(*headv)))))) {
		free(head);
		return -1;
	}
	if (s) {
		memcpy(head, t->keys, s * sizeof(*head));
		if (t->vals)
			memcpy(headv, t->vals, s * sizeof(*headv));
	}
	if (!(b = mem_grow_zero(t->keys, old * n, cap * n))) {
		free(head);
		free(headv);
		return -1;	/* the table as it was */
	}
	t->keys = (struct h128 *)(void *)b;
	if (t->vals) {	/* the values go up past the keys' new end (no overlap: cap >= 2 old), zeroes left behind */
		t->vals = (uint64_t *)(void *)(b + cap * sizeof(*t->keys));
		memcpy(t->vals, b + old * sizeof(*t->keys), old * sizeof(*t->vals));
		memset(b + old * sizeof(*t->keys), 0, old * sizeof(*t->vals));
	}
	t->cap = cap;
	memset(t->keys, 0, s * sizeof(*t->keys));
	for (i = s + 1; i < old; i++) {
		key = t->keys[i];
		if (is_empty(&key) || (key.lo & mask) == i)
			continue;	/* at its home still */
		t->keys[i].lo = t->keys[i].hi = 0;
		if (t->vals)
			v = t->vals[i];
		place(t, key, v, mask);
	}
	for (i = 0; i < s; i++)
		place(t, head[i], headv ? headv[i] : 0, mask);
	free(head);
	free(headv);
	return 0;
}

static uint64_t scratch;

int htab_reserve(struct htab *t, size_t n)
{
	size_t cap = t->cap ? t->cap : HTAB_FIRST;

	while (n * 4 > cap * 3)
		cap *= 2;
	return cap == t->cap ? 0 : resize(t, cap);
}

int htab_absorb(struct htab *t, struct htab *src)
{
	size_t i, ahead;
	uint64_t *val;
	int ins;

	if (!t->count && t->no_values == src->no_values) {
		struct htab empty = HTAB_INIT;

		htab_free(t);
		*t = *src;
		empty.no_values = src->no_values;
		*src = empty;
		return 0;
	}
	if (htab_reserve(t, t->count + src->count) < 0)
		return -1;
	/* the slots t's keys land in are far apart: load them some keys ahead */
	for (i = ahead = 0; i < src->cap; i++) {
		for (; ahead < src->cap && ahead < i + 16; ahead++)
			if (!is_empty(&src->keys[ahead]))
				htab_prefetch(t, src->keys[ahead]);
		if (is_empty(&src->keys[i]))
			continue;
		if ((ins = htab_put(t, src->keys[i], &val)) < 0)
			return -1;
		if (ins && t->vals && src->vals)
			*val = src->vals[i];
	}
	return 0;
}

int htab_put(struct htab *t, struct h128 key, uint64_t **val)
{
	size_t i, mask;

	key = fix_key(key);
	/* small first (a group's set, a customer's orders: there may be millions), doubling */
	if ((t->count + 1) * 4 > t->cap * 3 &&
	    resize(t, t->cap ? t->cap * 2 : HTAB_FIRST) < 0)
		return -1;
	mask = t->cap - 1;
	for (i = key.lo & mask; !is_empty(&t->keys[i]); i = (i + 1) & mask) {
		if (same(t->keys[i], key)) {
			*val = t->vals ? &t->vals[i] : &scratch;
			return 0;
		}
	}
	t->keys[i] = key;
	t->count++;
	if (t->vals) {
		t->vals[i] = 0;
		*val = &t->vals[i];
	} else
		*val = &scratch;
	return 1;
}

static size_t find(const struct htab *t, struct h128 key)
{
	size_t i, mask;

	if (!t->cap)
		return SIZE_MAX;
	key = fix_key(key);
	mask = t->cap - 1;
	for (i = key.lo & mask; !is_empty(&t->keys[i]); i = (i + 1) & mask)
		if (same(t->keys[i], key))
			return i;
	return SIZE_MAX;
}

uint64_t *htab_get(const struct htab *t, struct h128 key)
{
	size_t i = find(t, key);

	if (i == SIZE_MAX)
		return NULL;
	return t->vals ? &t->vals[i] : &scratch;
}

/* Empty slot i and move back later members whose home allows it. */
static void remove_at(struct htab *t, size_t i)
{
	size_t mask = t->cap - 1, j = i, home;

	for (;;) {
		t->keys[i].lo = t->keys[i].hi = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (is_empty(&t->keys[j])) {
				t->count--;
				return;
			}
			home = t->keys[j].lo & mask;
			/* j's member may fill i unless its home lies cyclically in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		t->keys[i] = t->keys[j];
		if (t->vals)
			t->vals[i] = t->vals[j];
		i = j;
	}
}

int htab_del(struct htab *t, struct h128 key)
{
	size_t i = find(t, key);

	if (i == SIZE_MAX)
		return 0;
	remove_at(t, i);
	return 1;
}

size_t htab_sweep(struct htab *t, int (*drop)(uint64_t val, void *ctx), void *ctx)
{
	size_t i, n = 0;

	if (!t->vals)
		return 0;
	/*
	 * A backward shift can move a not-yet-visited member into slot i, or
	 * (across the wrap) a visited one; re-examining slot i after a removal
	 * covers the first case, and a visited survivor is simply kept.
	 */
	for (i = 0; i < t->cap; i++) {
		while (!is_empty(&t->keys[i]) && drop(t->vals[i], ctx)) {
			remove_at(t, i);
			n++;
		}
	}
	return n;
}

/* ---- htab_ref ---- */

static int ref_resize(struct htab_ref *t, size_t cap)
{
	uint64_t *e;
	size_t i, j, mask = cap - 1;

	if (cap > ((size_t)1 << 32) || !(e = mem_zalloc(cap * sizeof(*e))))
		return -1;
	for (i = 0; i < t->cap; i++) {
		if (!t->e[i])
			continue;
		for (j = (uint32_t)t->e[i] & mask; e[j]; j = (j + 1) & mask)
			;
		e[j] = t->e[i];
	}
	mem_free(t->e, t->cap * sizeof(*t->e));
	t->e = e;
	t->cap = cap;
	return 0;
}

static inline int ref_same(const void *rows, size_t row_size, uint64_t e, struct h128 key)
{
	struct h128 k;

	memcpy(&k, (const unsigned char *)rows + ((e >> 32) - 1) * row_size, sizeof(k));
	return same(k, key);
}

int htab_ref_put(struct htab_ref *t, struct h128 key, const void *rows, size_t row_size, uint32_t new_row,
		 uint32_t *row)
{
	size_t mask, i;
	uint32_t tag = HTAB_REF_TAG(key);
	uint64_t e;

	if (new_row == UINT32_MAX)
		return -1;
	if ((t->count + 1) * 2 > t->cap && ref_resize(t, t->cap ? t->cap * 2 : HTAB_FIRST) < 0)
		return -1;
	mask = t->cap - 1;
	for (i = tag & mask; (e = t->e[i]) != 0; i = (i + 1) & mask)
		if ((uint32_t)e == tag && ref_same(rows, row_size, e, key)) {
			*row = (uint32_t)(e >> 32) - 1;
			return 0;
		}
	t->e[i] = ((uint64_t)new_row + 1) << 32 | tag;
	t->count++;
	*row = new_row;
	return 1;
}

int htab_ref_del(struct htab_ref *t, struct h128 key, uint32_t row)
{
	size_t mask = t->cap - 1, i, j, home;
	uint64_t want = ((uint64_t)row + 1) << 32 | HTAB_REF_TAG(key);

	if (!t->cap)
		return 0;
	for (i = HTAB_REF_TAG(key) & mask; t->e[i] != want; i = (i + 1) & mask)
		if (!t->e[i])
			return 0;
	/* as remove_at: later members of the cluster move back where their home allows */
	for (j = i;;) {
		t->e[i] = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (!t->e[j]) {
				t->count--;
				return 1;
			}
			home = (uint32_t)t->e[j] & mask;
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		t->e[i] = t->e[j];
		i = j;
	}
}

int htab_ref_reserve(struct htab_ref *t, size_t n)
{
	size_t cap = t->cap ? t->cap : HTAB_FIRST;

	while (n * 2 > cap)
		cap *= 2;
	return cap == t->cap ? 0 : ref_resize(t, cap);
}

size_t htab_ref_bytes(const struct htab_ref *t)
{
	return t->cap * sizeof(*t->e);
}

void htab_ref_free(struct htab_ref *t)
{
	mem_free(t->e, t->cap * sizeof(*t->e));
	t->e = NULL;
	t->cap = t->count = 0;
}

size_t htab_bytes(const struct htab *t)
{
	return t->cap * slot_bytes(t);
}

void htab_free(struct htab *t)
{
	mem_free(t->keys, t->cap * slot_bytes(t));	/* the values' array with it: one block */
	t->keys = NULL;
	t->vals = NULL;
	t->cap = t->count = 0;
}

void htab_rows_init(struct htab_rows *t, size_t row_size, size_t first)
{
	memset(t, 0, sizeof(*t));
	t->row_size = row_size;
	t->first = first ? first : 16;
}

void htab_rows_init_keyed(struct htab_rows *t, size_t row_size, size_t first)
{
	htab_rows_init(t, row_size, first);
	t->keyed = 1;
}

void *htab_rows_add(struct htab_rows *t)
{
	void *row;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : t->first;
		unsigned char *nr = mem_grow(t->rows, t->cap * t->row_size, cap * t->row_size);

		if (!nr)
			return NULL;
		t->rows = nr;
		t->cap = cap;
	}
	row = htab_rows_at(t, t->n++);
	memset(row, 0, t->row_size);
	return row;
}

/* htab_rows_get of keyed rows. */
static void *keyed_get(struct htab_rows *t, struct h128 key, int *made)
{
	uint32_t k;
	int ins = t->n < UINT32_MAX ? htab_ref_put(&t->ref, key, t->rows, t->row_size, (uint32_t)t->n, &k) : -1;
	void *row;

	if (made)
		*made = ins > 0;
	if (ins <= 0)
		return ins < 0 ? NULL : htab_rows_at(t, k);
	if (!(row = htab_rows_add(t))) {
		htab_ref_del(&t->ref, key, k);
		return NULL;
	}
	memcpy(row, &key, sizeof(key));
	return row;
}

void *htab_rows_get(struct htab_rows *t, struct h128 key, int *made)
{
	uint64_t *i;
	int ins;
	void *row;

	if (t->keyed)
		return keyed_get(t, key, made);
	ins = htab_put(&t->idx, key, &i);
	if (made)
		*made = ins > 0;
	if (ins <= 0)
		return ins < 0 ? NULL : htab_rows_at(t, *i);
	*i = t->n;
	if (!(row = htab_rows_add(t)))
		htab_del(&t->idx, key);
	return row;
}

void *htab_rows_find(const struct htab_rows *t, struct h128 key)
{
	const uint64_t *i;
	long r;

	if (t->keyed)
		return (r = htab_ref_find(&t->ref, key, t->rows, t->row_size)) < 0 ? NULL : htab_rows_at(t, (size_t)r);
	return (i = htab_get(&t->idx, key)) ? htab_rows_at(t, *i) : NULL;
}

int htab_rows_reserve(struct htab_rows *t, size_t n)
{
	return t->keyed ? htab_ref_reserve(&t->ref, n) : htab_reserve(&t->idx, n);
}

void htab_rows_unindex(struct htab_rows *t)
{
	htab_free(&t->idx);
	htab_ref_free(&t->ref);
}

int htab_rows_reindex(struct htab_rows *t)
{
	struct h128 key;
	uint32_t k;
	size_t i;

	if (!t->keyed || t->n >= UINT32_MAX)
		return -1;
	htab_ref_free(&t->ref);
	if (htab_ref_reserve(&t->ref, t->n) < 0)
		return -1;
	for (i = 0; i < t->n; i++) {
		memcpy(&key, htab_rows_at(t, i), sizeof(key));
		if (htab_ref_put(&t->ref, key, t->rows, t->row_size, (uint32_t)i, &k) < 0)
			return -1;
	}
	return 0;
}

size_t htab_rows_bytes(const struct htab_rows *t)
{
	return htab_bytes(&t->idx) + htab_ref_bytes(&t->ref) + t->cap * t->row_size;
}

void htab_rows_free(struct htab_rows *t)
{
	htab_rows_unindex(t);
	mem_free(t->rows, t->cap * t->row_size);
	t->rows = NULL;
	t->n = t->cap = 0;
}
