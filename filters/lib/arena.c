/*
 * arena.c - chunks of 1 MiB (or one chunk sized to a larger request),
 * linked newest first; allocation is a pointer bump inside the head chunk.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define CHUNK_SIZE (1u << 20)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, off;
	_Alignas(16) unsigned char data[];
};

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t size;

	n = (n + 7) & ~(size_t)7;
	if (n == 0)
		n = 8;
	if (!c || c->size - c->off < n) {
		size = n > CHUNK_SIZE ? n : CHUNK_SIZE;
		if (size > SIZE_MAX - sizeof(*c))
			return NULL;
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->off = 0;
		c->next = a->head;
		a->head = c;
	}
	c->off += n;
	a->used += n;
	return c->data + c->off - n;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void arena_adopt(struct arena *a, struct arena *src)
{
	struct arena_chunk *t = src->head;

	if (!t)
		return;
	while (t->next)
		t = t->next;
	if (a->head) {	/* behind a's chunk in use, which goes on filling */
		t->next = a->head->next;
		a->head->next = src->head;
	} else
		a->head = src->head;
	a->used += src->used;
	src->head = NULL;
	src->used = 0;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->used = 0;
}
