/*
 * out.h - buffered output to a file descriptor. Every write and the final
 * flush and close are checked; the first failure sticks in the handle (errno
 * in err) and later writes are dropped, so a filter checks once per record.
 */
#ifndef VCHAIN_OUT_H
#define VCHAIN_OUT_H

#include <stddef.h>
#include <string.h>

#define OUT_BUFSIZE (256u << 10)
#define OUT_DIRECT (64u << 10)	/* writes this large skip the buffer: no copy */

struct out {
	int fd;
	int err;	/* 0, or the errno of the first failed write (EPIPE: reader gone) */
	size_t len;
	char *buf;
	const char *name;	/* for messages: "<stdout>" or the file name */
};

/* fd is borrowed until out_close(). Returns -1 when out of memory. */
/*
 * When fd is a pipe, make it hold FD_PIPE_SIZE bytes instead of Linux's
 * 64 KiB (F_SETPIPE_SZ; 1 MiB is what an unprivileged process may ask):
 * a filter reading a pipe then gets a chunk in a read or two, and the one
 * writing it rarely waits for its reader.
 */
#define FD_PIPE_SIZE (1 << 20)
void fd_pipe_size(int fd);
int out_open_fd(struct out *o, int fd, const char *name);
/* Opens (creates, truncates) path. Returns -1 with errno set. */
int out_open_path(struct out *o, const char *path);
int out_flush(struct out *o);
/* Flush, then close the fd (checking close too). Returns 0 or -1. */
int out_close(struct out *o);

int out_write_slow(struct out *o, const void *p, size_t n);
/*
 * One record written in parts (n of them): the parts go out in one write,
 * never split between two, so a run stopped by a signal leaves whole
 * records behind, as out_write does for a record in one piece. 0, or -1.
 */
struct out_part {
	const void *p;
	size_t n;
};
int out_writev_slow(struct out *o, const struct out_part *v, int n, size_t total);

static inline int out_writev(struct out *o, const struct out_part *v, int n, size_t total)
{
	int i;

	if (OUT_BUFSIZE - o->len < total)
		return out_writev_slow(o, v, n, total);
	for (i = 0; i < n; i++) {
		memcpy(o->buf + o->len, v[i].p, v[i].n);
		o->len += v[i].n;
	}
	return 0;
}

static inline int out_write(struct out *o, const void *p, size_t n)
{
	if (n < OUT_DIRECT && OUT_BUFSIZE - o->len >= n) {
		memcpy(o->buf + o->len, p, n);
		o->len += n;
		return 0;
	}
	return out_write_slow(o, p, n);
}

/*
 * Pieces (whole records) that lie one after another in memory, written as
 * one: out_run_add joins a piece to the run when it starts where the run
 * ends, else writes the run and starts a new one; a run of OUT_DIRECT or
 * more skips the buffer and its copy. The pieces must stay where they are
 * until out_run_end writes the last run.
 */
struct out_run {
	const char *p;
	size_t n;
};

static inline int out_run_end(struct out *o, struct out_run *r)
{
	int rc = r->n ? out_write(o, r->p, r->n) : 0;

	r->n = 0;
	return rc;
}

static inline int out_run_add(struct out *o, struct out_run *r, const char *p, size_t n)
{
	if (r->n && r->p + r->n == p) {
		r->n += n;
		return 0;
	}
	if (out_run_end(o, r) < 0)
		return -1;
	r->p = p;
	r->n = n;
	return 0;
}

static inline int out_putc(struct out *o, char c)
{
	if (o->len == OUT_BUFSIZE && out_flush(o) < 0)
		return -1;
	o->buf[o->len++] = c;
	return 0;
}

#endif
