/*
 * htab.h - the one hash table: open addressing with linear probing, keyed by
 * a 128-bit hash, one 64-bit value per key. 24 bytes a slot, at most 3/4 full,
 * so 32-48 bytes a key (e.g. 10 M keys: 256-512 MiB; cap doubles as it fills).
 */
#ifndef VCHAIN_HTAB_H
#define VCHAIN_HTAB_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"

struct htab_slot {
	struct h128 key;	/* {0,0} marks an empty slot */
	uint64_t val;
};

struct htab {
	struct htab_slot *slots;
	size_t cap;	/* power of two, or 0 before the first insert */
	size_t count;
};

#define HTAB_INIT { NULL, 0, 0 }

/*
 * Find key; if absent insert it with value 0. Returns 1 if inserted, 0 if it
 * was there, -1 when out of memory. *val points at the key's value, valid
 * until the next insert or delete.
 */
int htab_put(struct htab *t, struct h128 key, uint64_t **val);
/* The key's value, or NULL. */
uint64_t *htab_get(const struct htab *t, struct h128 key);
/* Remove key; returns 1 if it was there. */
int htab_del(struct htab *t, struct h128 key);
/* Remove every key for which drop(val, ctx) is true; returns how many. */
size_t htab_sweep(struct htab *t, int (*drop)(uint64_t val, void *ctx), void *ctx);
void htab_free(struct htab *t);

#endif
