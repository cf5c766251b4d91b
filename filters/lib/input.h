/*
 * input.h - newline-delimited records from a file or stdin, plain or gzip
 * (detected by magic bytes, multi-member, decoded in a second thread by
 * ISA-L when built with it, else zlib). Lines are borrowed: a line handed out
 * is valid until the next in_line() or in_close() (see rec.h).
 */
#ifndef VCHAIN_INPUT_H
#define VCHAIN_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define IN_MAX_LINE_DEFAULT ((size_t)16 << 20)

enum in_inflate { IN_INFLATE_AUTO, IN_INFLATE_ZLIB, IN_INFLATE_ISAL };

struct in_opts {
	size_t max_line;		/* longer lines are an error */
	enum in_inflate inflate;	/* AUTO: ISA-L when built in */
};

struct gz;

struct in {
	const char *name;	/* as given; "-" or NULL is stdin, shown as <stdin> */
	int fd;
	struct gz *gz;		/* NULL for plain input */
	char *buf;
	size_t cap, start, end, scan;
	size_t max_line;
	uint64_t lineno;	/* of the line last returned */
	uint64_t bytes;		/* decoded bytes handed out so far */
	int eof;
	int pending_err;	/* in_chunk: report err on the next call */
	char err[256];		/* the message when a call returned -1 */
};

/* Returns 0, or -1 with in->err set (the file cannot be opened or read). */
int in_open(struct in *in, const char *name, const struct in_opts *o);
/*
 * Next line, without its newline. Returns 1 with line and len set, 0 at end of
 * input, -1 with in->err set (read error, corrupt or truncated gzip, line
 * longer than max_line). A last line without '\n' is still a line.
 */
int in_line(struct in *in, const char **line, size_t *len);
/*
 * Whole lines, about target bytes or more, appended to dst, each ending in
 * '\n' (one is added to a last line without it); *lines gets their number.
 * Unlike in_line() the bytes are copied, so a chunk outlives the next call
 * (worker threads hold them). Returns 1, 0 at end of input, -1 with in->err.
 * A line over max_line is an error after the lines before it are returned:
 * that call returns 1 and the next one -1, with in->lineno its number.
 */
int in_chunk(struct in *in, struct buf *dst, size_t target, uint64_t *lines);
void in_close(struct in *in);
/* The name to print: "<stdin>" for stdin. */
const char *in_display_name(const struct in *in);
/* Compressed (or plain) bytes read from the fd so far, for --progress. */
uint64_t in_raw_bytes(const struct in *in);
/* Which inflate implementation was used for gzip input ("zlib", "isal"), or NULL. */
const char *in_inflater(const struct in *in);
/* Whether this build has ISA-L. */
int in_have_isal(void);

#endif
