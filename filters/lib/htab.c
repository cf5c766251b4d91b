/*
 * htab.c - linear probing keeps a probe sequence in one or two cache lines.
 * Deletion shifts later members of the cluster back (Knuth's algorithm R)
 * instead of leaving tombstones, so a table that forgets keys (dedupe
 * --window) stays as fast as a fresh one.
 */
#include <stdlib.h>

#include "htab.h"

/* The key {0,0} marks empty slots; a real hash of {0,0} is stored as {1,0}. */
static inline struct h128 fix_key(struct h128 k)
{
	if ((k.lo | k.hi) == 0)
		k.lo = 1;
	return k;
}

static inline int is_empty(const struct htab_slot *s)
{
	return (s->key.lo | s->key.hi) == 0;
}

static inline int same(struct h128 a, struct h128 b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

static int resize(struct htab *t, size_t cap)
{
	struct htab_slot *old = t->slots, *s;
	size_t old_cap = t->cap, i, j, mask = cap - 1;

	s = calloc(cap, sizeof(*s));
	if (!s)
		return -1;
	for (i = 0; i < old_cap; i++) {
		if (is_empty(&old[i]))
			continue;
		for (j = old[i].key.lo & mask; !is_empty(&s[j]); j = (j + 1) & mask)
			;
		s[j] = old[i];
	}
	free(old);
	t->slots = s;
	t->cap = cap;
	return 0;
}

int htab_put(struct htab *t, struct h128 key, uint64_t **val)
{
	size_t i, mask;

	key = fix_key(key);
	if ((t->count + 1) * 4 > t->cap * 3 &&
	    resize(t, t->cap ? t->cap * 2 : 1024) < 0)
		return -1;
	mask = t->cap - 1;
	for (i = key.lo & mask; !is_empty(&t->slots[i]); i = (i + 1) & mask) {
		if (same(t->slots[i].key, key)) {
			*val = &t->slots[i].val;
			return 0;
		}
	}
	t->slots[i].key = key;
	t->slots[i].val = 0;
	t->count++;
	*val = &t->slots[i].val;
	return 1;
}

uint64_t *htab_get(const struct htab *t, struct h128 key)
{
	size_t i, mask;

	if (!t->cap)
		return NULL;
	key = fix_key(key);
	mask = t->cap - 1;
	for (i = key.lo & mask; !is_empty(&t->slots[i]); i = (i + 1) & mask)
		if (same(t->slots[i].key, key))
			return &t->slots[i].val;
	return NULL;
}

/* Empty slot i and move back later members whose home allows it. */
static void remove_at(struct htab *t, size_t i)
{
	size_t mask = t->cap - 1, j = i, home;

	for (;;) {
		t->slots[i].key.lo = t->slots[i].key.hi = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (is_empty(&t->slots[j])) {
				t->count--;
				return;
			}
			home = t->slots[j].key.lo & mask;
			/* j's member may fill i unless its home lies cyclically in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		t->slots[i] = t->slots[j];
		i = j;
	}
}

int htab_del(struct htab *t, struct h128 key)
{
	size_t i, mask;

	if (!t->cap)
		return 0;
	key = fix_key(key);
	mask = t->cap - 1;
	for (i = key.lo & mask; !is_empty(&t->slots[i]); i = (i + 1) & mask) {
		if (same(t->slots[i].key, key)) {
			remove_at(t, i);
			return 1;
		}
	}
	return 0;
}

size_t htab_sweep(struct htab *t, int (*drop)(uint64_t val, void *ctx), void *ctx)
{
	size_t i, n = 0;

	/*
	 * A backward shift can move a not-yet-visited member into slot i, or
	 * (across the wrap) a visited one; re-examining slot i after a removal
	 * covers the first case, and a visited survivor is simply kept.
	 */
	for (i = 0; i < t->cap; i++) {
		while (!is_empty(&t->slots[i]) && drop(t->slots[i].val, ctx)) {
			remove_at(t, i);
			n++;
		}
	}
	return n;
}

void htab_free(struct htab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->count = 0;
}
