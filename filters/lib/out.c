/*
 * out.c - write(2) loops that survive EINTR and short writes. Nothing here
 * prints or exits: the filter looks at o->err and decides (EPIPE quietly).
 */
#define _GNU_SOURCE	/* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "out.h"

void fd_pipe_size(int fd)
{
#if defined(F_SETPIPE_SZ) && defined(F_GETPIPE_SZ)
	struct stat st;

	/* refused past a user's pipe quota (fs.pipe-user-pages-soft): the pipe then stays as it was */
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && fcntl(fd, F_GETPIPE_SZ) < FD_PIPE_SIZE)
		(void)fcntl(fd, F_SETPIPE_SZ, FD_PIPE_SIZE);
#else
	(void)fd;
#endif
}

int out_open_fd(struct out *o, int fd, const char *name)
{
	fd_pipe_size(fd);
	o->fd = fd;
	o->err = 0;
	o->len = 0;
	o->name = name;
	o->buf = malloc(OUT_BUFSIZE);
	return o->buf ? 0 : -1;
}

int out_open_path(struct out *o, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

	if (fd < 0)
		return -1;
	if (out_open_fd(o, fd, path) < 0) {
		close(fd);
		return -1;
	}
	return 0;
}

static int write_all(struct out *o, const char *p, size_t n)
{
	ssize_t w;

	if (o->err)
		return -1;
	while (n) {
		w = write(o->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->err = errno;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int out_flush(struct out *o)
{
	size_t n = o->len;

	o->len = 0;
	return n ? write_all(o, o->buf, n) : (o->err ? -1 : 0);
}

int out_write_slow(struct out *o, const void *p, size_t n)
{
	if (out_flush(o) < 0)
		return -1;
	if (n >= OUT_DIRECT)
		return write_all(o, p, n);
	memcpy(o->buf, p, n);
	o->len = n;
	return 0;
}

int out_writev_slow(struct out *o, const struct out_part *v, int n, size_t total)
{
	int i;

	if (out_flush(o) < 0)
		return -1;
	if (total > OUT_BUFSIZE) {	/* a record larger than the buffer: alone, part after part */
		for (i = 0; i < n; i++)
			if (write_all(o, v[i].p, v[i].n) < 0)
				return -1;
		return 0;
	}
	return out_writev(o, v, n, total);
}

int out_close(struct out *o)
{
	int r = out_flush(o);

	if (o->fd >= 0 && close(o->fd) < 0 && !o->err) {
		o->err = errno;
		r = -1;
	}
	o->fd = -1;
	free(o->buf);
	o->buf = NULL;
	return r < 0 || o->err ? -1 : 0;
}
