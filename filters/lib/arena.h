/*
 * arena.h - a bump allocator for many small objects that die together
 * (group keys, distinct values). Freed all at once; no per-object free.
 */
#ifndef VCHAIN_ARENA_H
#define VCHAIN_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t used;	/* bytes handed out, for --stats and memory reports */
};

#define ARENA_INIT { NULL, 0 }

/* Returns 8-byte aligned memory, or NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t n);
/* A copy of s[0..n) with a NUL after it, or NULL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* src's memory a's, freed with a's (src is left empty). */
void arena_adopt(struct arena *a, struct arena *src);
void arena_free(struct arena *a);

#endif
