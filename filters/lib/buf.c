/*
 * buf.c - growth policy for struct buf: doubling, so appends are amortised
 * O(1) and a buffer reused across records stops allocating once warm.
 */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "buf.h"

int buf_grow(struct buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len) {
		errno = ENOMEM;
		return -1;
	}
	need = b->len + extra;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int buf_load(struct buf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	ssize_t n;

	if (fd < 0)
		return -1;
	for (;;) {
		if (b->cap - b->len < 65536 && buf_grow(b, 65536) < 0)
			break;
		n = read(fd, b->p + b->len, b->cap - b->len);
		if (n == 0) {
			close(fd);
			return 0;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		b->len += (size_t)n;
	}
	e = errno;
	close(fd);
	errno = e;
	return -1;
}
