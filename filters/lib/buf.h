/*
 * buf.h - a growable byte buffer (git's strbuf, Redis' sds, simplified).
 * The one buffer type every filter uses; functions return 0 or -1 (ENOMEM).
 */
#ifndef VCHAIN_BUF_H
#define VCHAIN_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
	char *p;
	size_t len, cap;
};

#define BUF_INIT { NULL, 0, 0 }

int buf_grow(struct buf *b, size_t extra);
void buf_free(struct buf *b);

/*
 * Append the whole of a small file (a stage map, a spend table, a profile).
 * Returns 0, or -1 with errno (the file cannot be opened or read, or ENOMEM).
 */
int buf_load(struct buf *b, const char *path);

static inline void buf_reset(struct buf *b) { b->len = 0; }

static inline int buf_add(struct buf *b, const void *s, size_t n)
{
	if (n == 0)
		return 0;	/* b->p may still be NULL, and memcpy(NULL, s, 0) is undefined */
	if (b->cap - b->len < n && buf_grow(b, n) < 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

static inline int buf_addc(struct buf *b, char c)
{
	if (b->cap == b->len && buf_grow(b, 1) < 0)
		return -1;
	b->p[b->len++] = c;
	return 0;
}

static inline int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

#endif
