/*
 * splicecat FILE - FILE to stdout, a pipe, by splice(2): the kernel hands
 * the page cache's pages to the pipe, no byte is copied and hardly any CPU
 * is spent. For make bench: `splicecat f | F` against `cat f | F` and
 * `F f` tells the pipe reader's own cost from cat's (cat copies every byte
 * twice, in and out, on a CPU the filter would use). Not installed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	ssize_t r;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: splicecat FILE > PIPE\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY)) < 0) {
		fprintf(stderr, "splicecat: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	fcntl(1, F_SETPIPE_SZ, 1 << 20);	/* as the filters set theirs; a refusal leaves 64 KiB */
	while ((r = splice(fd, NULL, 1, NULL, (size_t)1 << 20, SPLICE_F_MOVE | SPLICE_F_MORE)) > 0)
		;
	if (r < 0) {
		fprintf(stderr, "splicecat: %s\n", errno == EINVAL ? "stdout is not a pipe" : strerror(errno));
		return 1;
	}
	return 0;
}
