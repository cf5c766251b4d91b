/*
 * htab.h - the one hash table: open addressing with linear probing, keyed by
 * a 128-bit hash, with an optional 64-bit value per key. Keys and values
 * live in parallel arrays, at most 3/4 full: 16 bytes a slot for a set of
 * keys (21-32 bytes a key), 24 with values (32-48 bytes a key). While the
 * table doubles, the old and new arrays exist together (1.5x for a moment).
 */
#ifndef VCHAIN_HTAB_H
#define VCHAIN_HTAB_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"

struct htab {
	struct h128 *keys;	/* {0,0} marks an empty slot */
	uint64_t *vals;		/* NULL for a set (no_values) */
	size_t cap;		/* power of two, or 0 before the first insert */
	size_t count;
	int no_values;		/* set before the first insert: keys only */
};

#define HTAB_INIT { NULL, NULL, 0, 0, 0 }
#define HTAB_FIRST 8	/* slots at the first key (a power of two) */

/*
 * Find key; if absent insert it with value 0. Returns 1 if inserted, 0 if it
 * was there, -1 when out of memory. *val points at the key's value (a
 * scratch word for a set), valid until the next insert or delete.
 */
int htab_put(struct htab *t, struct h128 key, uint64_t **val);
/* Room for n keys in all, so that as many puts make no resize. 0, or -1 when out of memory. */
int htab_reserve(struct htab *t, size_t n);
/*
 * Every key of src into t, with its value when t has values (a key in
 * both keeps t's). src is moved into an empty t whole, else left as it
 * was. 0, or -1 when out of memory.
 */
int htab_absorb(struct htab *t, struct htab *src);
/*
 * Start loading the key's home slot (and value), for a put or get a few
 * keys later. Inlined always: gcc finds a function of prefetches alone
 * "pure" and drops a call to it whose result is unused (every call), so
 * that without the attribute no prefetch was left in vchain-dedupe or
 * vchain-attribute. So must be any inline function that wraps it.
 */
static inline __attribute__((always_inline)) void htab_prefetch(const struct htab *t, struct h128 key)
{
	size_t i = (key.lo | (key.lo == 0 && key.hi == 0)) & (t->cap - 1);

	if (!t->cap)
		return;
	__builtin_prefetch(&t->keys[i]);
	if (t->vals)
		__builtin_prefetch(&t->vals[i]);
}
/* The key's value (a scratch word for a set), or NULL if absent. */
uint64_t *htab_get(const struct htab *t, struct h128 key);
/* Remove key; returns 1 if it was there. */
int htab_del(struct htab *t, struct h128 key);
/* Remove every key for which drop(val, ctx) is true (tables with values); returns how many. */
size_t htab_sweep(struct htab *t, int (*drop)(uint64_t val, void *ctx), void *ctx);
/* Bytes the table holds now. */
size_t htab_bytes(const struct htab *t);
void htab_free(struct htab *t);

/*
 * Rows found by key, on a table: rows of row_size bytes, each zeroed when
 * made, kept in the order their keys first came (so what is written in
 * that order is the same on every run). What groups, people, customers and
 * messages are kept in. Reordering the rows (a sort for output) leaves the
 * index pointing at the old places: do it when no more are looked up.
 */
struct htab_rows {
	struct htab idx;	/* key -> row number */
	unsigned char *rows;
	size_t n, cap, row_size, first;
};

/* Rows of row_size bytes, room for first of them made at the first row. */
void htab_rows_init(struct htab_rows *t, size_t row_size, size_t first);
/* The row of key, made when new (*made, when not NULL, says so). NULL when out of memory. */
void *htab_rows_get(struct htab_rows *t, struct h128 key, int *made);
/* A new row with no key: never found again. NULL when out of memory. */
void *htab_rows_add(struct htab_rows *t);
static inline void *htab_rows_at(const struct htab_rows *t, size_t i)
{
	return t->rows + i * t->row_size;
}
/* Bytes held: the index and the rows. */
size_t htab_rows_bytes(const struct htab_rows *t);
void htab_rows_free(struct htab_rows *t);

#endif
