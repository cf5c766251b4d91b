/*
 * group.h - the group table of a GROUP BY: groups found by their key (the
 * record's group slots, as the reduced record holds them, and optionally a
 * time bucket), each with a zeroed block of state, 16-byte aligned; and
 * their order in outputs (by bucket, then each key field: null, numbers,
 * strings).
 */
#ifndef VCHAIN_GROUP_H
#define VCHAIN_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "htab.h"
#include "par.h"
#include "rec.h"

struct group {
	struct h128 hash;		/* of the key: the rows are keyed (htab_rows_init_keyed) */
	const unsigned char *key;	/* slots: type, u32 length, bytes (the bucket last, a string) */
	size_t klen;
	unsigned char *st;		/* the state block */
	uint32_t id;			/* in order of creation: sorting keeps it */
};

struct groups {
	int nkeys;		/* group fields */
	int bucket;		/* the key ends with a time bucket */
	size_t block;		/* bytes of state per group */
	struct htab_rows rows;	/* key hash -> struct group */
	struct arena mem;	/* keys and states */
};

static inline size_t groups_count(const struct groups *t)
{
	return t->rows.n;
}
static inline struct group *groups_at(const struct groups *t, size_t i)
{
	return htab_rows_at(&t->rows, i);
}

/* Set up for nkeys fields (and a bucket), block bytes of state each. */
void groups_init(struct groups *t, int nkeys, int bucket, size_t block);
/*
 * The group of key[0..klen) (the group slots) and bucket (NULL: none),
 * made (its state zeroed, its id the next) when new. NULL when out of
 * memory. A table without its index (after groups_sort,
 * groups_replace_rows) is indexed again first.
 */
struct group *groups_find(struct groups *t, const void *key, size_t klen, const struct slot *bucket);
/* The hash a group's key and bucket are found by (for a lookup loaded ahead: htab_rows_prefetch). */
struct h128 groups_hash(const void *key, size_t klen, const struct slot *bucket);
/* groups_find of a key whose groups_hash is h. */
struct group *groups_find_hashed(struct groups *t, struct h128 h, const void *key, size_t klen,
				 const struct slot *bucket);
/* The bytes of a record's first n slots (rec_read's s), which groups_find takes as the key. */
size_t group_key_len(const struct slot *s, int n);
/* A group's key as slots: the fields, then the bucket when there is one. */
void group_key_slots(const struct groups *t, const struct group *g, struct slot *s);
/*
 * For partial results: "key":[...] (the group fields' values, null for
 * absent) and, with a bucket, ,"bucket":"..." of group g, appended to b.
 */
int group_key_json(const struct groups *t, const struct group *g, struct buf *b);
/*
 * The group a partial line's key (a JSON array) and bucket (a string, or
 * NULL) name, made when new, into *g; keys and tmp are scratch. 0; -1 when
 * they do not fit the table (the number of fields, a bucket or none); -2.
 */
int groups_find_json(struct groups *t, const struct jfield *key, const struct jfield *bucket, struct jobj *keys,
		     struct buf *tmp, struct group **g);
/*
 * Put the groups in output order, on p's threads (par_each; NULL: here).
 * The index is dropped (a later groups_find makes it again). 0, or -1
 * when out of memory (the order then as it was).
 */
int groups_sort(struct groups *t, struct par *p);
/* Which of n ranges of hashes group g is in (a join of parts' tables on n threads). */
static inline unsigned groups_range(const struct group *g, unsigned n)
{
	return par_part_of(g->hash.hi, n);
}
/*
 * A join's rows: t's rows dropped (their groups are the caller's: moved
 * or freed) and rows[0..n) t's (cap of them, from mem_grow), each group's
 * id made its place; t without an index until the next groups_find.
 */
void groups_replace_rows(struct groups *t, struct group *rows, size_t n, size_t cap);
/* src's keys and states t's memory, freed with t's (src's memory then empty). */
void groups_adopt_mem(struct groups *t, struct groups *src);
/* Bytes the table holds, for --stats. */
size_t groups_bytes(const struct groups *t);
/* The table itself (what the states hold is the caller's to free first). */
void groups_free(struct groups *t);

#endif
