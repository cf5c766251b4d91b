/*
 * arena.c - chunks linked newest first; allocation is a pointer bump
 * inside the head chunk. The first chunk is FIRST_BYTES from malloc (a
 * small arena costs what it uses); the next are one huge page each
 * (mem_alloc): 4 KiB pages faulted one by one were a fifth of the time
 * of a 1.8 M-group run (vchain-aggregate -g user_id). A request larger
 * than a chunk gets a chunk of its own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "mem.h"

#define FIRST_BYTES ((size_t)256 << 10)
#define NEXT_BYTES MEM_MAP_MIN

struct arena_chunk {
	struct arena_chunk *next;
	size_t bytes, size, off;	/* bytes: the whole chunk's, for mem_free; size: of data */
	_Alignas(16) unsigned char data[];
};

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t bytes;

	n = (n + 7) & ~(size_t)7;
	if (n == 0)
		n = 8;
	if (!c || c->size - c->off < n) {
		bytes = c ? NEXT_BYTES : FIRST_BYTES;
		if (n > bytes - sizeof(*c)) {
			if (n > SIZE_MAX - sizeof(*c))
				return NULL;
			bytes = sizeof(*c) + n;
		}
		if (!(c = mem_alloc(bytes)))
			return NULL;
		c->bytes = bytes;
		c->size = bytes - sizeof(*c);
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
		mem_free(c, c->bytes);
	}
	a->head = NULL;
	a->used = 0;
}
