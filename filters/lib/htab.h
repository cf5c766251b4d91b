/*
 * htab.h - the one hash table: open addressing with linear probing, keyed by
 * a 128-bit hash, with an optional 64-bit value per key. Keys and values
 * live in parallel arrays (one block, the values after the keys), at most
 * 3/4 full: 16 bytes a slot for a set of keys (21-32 bytes a key), 24 with
 * values (32-48 bytes a key). The table doubles where it is (mem_grow), so
 * that it never needs more than its new size (a copy held old and new
 * arrays at once, 1.5x) and only the added half is new memory.
 */
#ifndef VCHAIN_HTAB_H
#define VCHAIN_HTAB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
 * An index of rows that hold their own keys (each row starts with its
 * struct h128), for a table of people that is mostly lookups: a slot is 8
 * bytes, the key's low 32 bits and its row + 1, at most half full (16-32
 * bytes a key, where a struct htab with values takes 32-48). Eight slots
 * share a cache line and a probe rarely leaves it, so a lookup costs that
 * line and the row, which is read anyway; the row's key is compared only
 * when the 32 bits match. Growing needs no row: a key's home is in the
 * bits kept. At most 2^32 slots, 2^32 - 1 rows.
 */
struct htab_ref {
	uint64_t *e;	/* 0: empty; else (row + 1) << 32 | the key's low 32 bits */
	size_t cap, count;
};

#define HTAB_REF_TAG(key) ((uint32_t)(key).lo)

static inline __attribute__((always_inline)) void htab_ref_prefetch(const struct htab_ref *t, struct h128 key)
{
	if (t->cap)
		__builtin_prefetch(&t->e[HTAB_REF_TAG(key) & (t->cap - 1)]);
}
/*
 * The row of key in rows (row_size bytes each), or -1. With rows NULL,
 * the first row whose 32 bits are key's, probably key's own: for a
 * prefetch of it, its slot loaded (no row read).
 */
static inline long htab_ref_find(const struct htab_ref *t, struct h128 key, const void *rows, size_t row_size)
{
	size_t mask = t->cap - 1, i;
	uint32_t tag = HTAB_REF_TAG(key);
	struct h128 k;
	uint64_t e;

	if (!t->cap)
		return -1;
	for (i = tag & mask; (e = t->e[i]) != 0; i = (i + 1) & mask) {
		if ((uint32_t)e != tag)
			continue;
		if (!rows)
			return (long)(e >> 32) - 1;
		memcpy(&k, (const unsigned char *)rows + ((e >> 32) - 1) * row_size, sizeof(k));
		if (k.lo == key.lo && k.hi == key.hi)
			return (long)(e >> 32) - 1;
	}
	return -1;
}
/*
 * The row of key: *row its number when there, 0 returned; else new_row
 * (whose key the caller sets) is indexed as key's, *row = new_row, 1
 * returned. -1 when out of memory, or at 2^32 - 1 rows.
 */
int htab_ref_put(struct htab_ref *t, struct h128 key, const void *rows, size_t row_size, uint32_t new_row,
		 uint32_t *row);
/* Remove row, whose key is key, from the index; 1 if it was there. No row is read. */
int htab_ref_del(struct htab_ref *t, struct h128 key, uint32_t row);
/* Room for n keys without a resize. 0, or -1 when out of memory. */
int htab_ref_reserve(struct htab_ref *t, size_t n);
size_t htab_ref_bytes(const struct htab_ref *t);
void htab_ref_free(struct htab_ref *t);

/*
 * Rows found by key, on a table: rows of row_size bytes, each zeroed when
 * made, kept in the order their keys first came (so what is written in
 * that order is the same on every run). What groups, people, customers and
 * messages are kept in. Reordering the rows (a sort for output) leaves the
 * index pointing at the old places: do it when no more are looked up.
 */
struct htab_rows {
	struct htab idx;	/* key -> row number */
	struct htab_ref ref;	/* keyed: the index instead */
	unsigned char *rows;
	size_t n, cap, row_size, first;
	int keyed;
};

/* Rows of row_size bytes, room for first of them made at the first row. */
void htab_rows_init(struct htab_rows *t, size_t row_size, size_t first);
/*
 * Keyed rows: each row starts with its key (a struct h128, which
 * htab_rows_get writes), so the index is a struct htab_ref: 8 bytes a
 * slot, where the other index takes 24 (key and row number), and a lookup
 * loads a slot's line and the row, not a key's line, a number's line and
 * the row. For tables of people looked up on every record: the funnel's
 * 1.8 M people of 3 M events took 263 MB with the other index.
 * A keyed table's rows come from htab_rows_get only: one from
 * htab_rows_add would have no key, and the index would not cover it.
 */
void htab_rows_init_keyed(struct htab_rows *t, size_t row_size, size_t first);
/* The row of key, made when new (*made, when not NULL, says so). NULL when out of memory. */
void *htab_rows_get(struct htab_rows *t, struct h128 key, int *made);
/* The row of key, or NULL when there is none. */
void *htab_rows_find(const struct htab_rows *t, struct h128 key);
/* A new row with no key: never found again. NULL when out of memory. */
void *htab_rows_add(struct htab_rows *t);
static inline void *htab_rows_at(const struct htab_rows *t, size_t i)
{
	return t->rows + i * t->row_size;
}
/* Start loading the index slot of key (a lookup some records ahead). */
static inline __attribute__((always_inline)) void htab_rows_prefetch(const struct htab_rows *t, struct h128 key)
{
	if (t->keyed)
		htab_ref_prefetch(&t->ref, key);
	else
		htab_prefetch(&t->idx, key);
}
/*
 * After htab_rows_prefetch of key, some records later: start loading the
 * row its slot names, probably key's (keyed rows; else nothing).
 */
static inline __attribute__((always_inline)) void htab_rows_prefetch_row(const struct htab_rows *t, struct h128 key)
{
	long r;

	if (t->keyed && (r = htab_ref_find(&t->ref, key, NULL, 0)) >= 0)
		__builtin_prefetch(htab_rows_at(t, (size_t)r));
}
/* Room in the index for n keys. 0, or -1 when out of memory. */
int htab_rows_reserve(struct htab_rows *t, size_t n);
/*
 * The index dropped, the rows kept (rows moved in or out by hand: found
 * again only after htab_rows_reindex). htab_rows_indexed says whether
 * the index covers every row.
 */
void htab_rows_unindex(struct htab_rows *t);
static inline int htab_rows_indexed(const struct htab_rows *t)
{
	return (t->keyed ? t->ref.count : t->idx.count) == t->n;
}
/* Keyed rows: the index made again from the rows' keys (distinct). 0, or -1 when out of memory. */
int htab_rows_reindex(struct htab_rows *t);
/* Bytes held: the index and the rows. */
size_t htab_rows_bytes(const struct htab_rows *t);
void htab_rows_free(struct htab_rows *t);

#endif
