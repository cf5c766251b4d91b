/*
 * input.h - newline-delimited records from a file or stdin, plain or gzip
 * (detected by magic bytes, multi-member, inflated by ISA-L when built with
 * it, else zlib, straight into the chunk), handed out in chunks of whole
 * lines.
 */
#ifndef VCHAIN_INPUT_H
#define VCHAIN_INPUT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

#define IN_MAX_LINE_DEFAULT ((size_t)16 << 20)

enum in_inflate { IN_INFLATE_AUTO, IN_INFLATE_ZLIB, IN_INFLATE_ISAL };

struct in_opts {
	size_t max_line;		/* longer lines are an error */
	enum in_inflate inflate;	/* AUTO: ISA-L when built in */
	const char *encoding;		/* the input's character set, turned into UTF-8 (iconv); NULL: UTF-8 */
	unsigned helpers;		/* threads that may decode a gzip ahead (in_work_ahead) */
};

struct gz;
struct in_conv;
struct in_block;

struct in {
	const char *name;	/* as given; "-" or NULL is stdin, shown as <stdin> */
	int fd;
	struct gz *gz;		/* NULL for plain input */
	struct in_conv *conv;	/* NULL for UTF-8 input */
	char *buf;		/* the partial line carried between chunks */
	size_t cap, end;
	size_t max_line;
	uint64_t lineno;	/* lines handed out; after an error, the line it is on */
	int eof;
	int pending_err;	/* in_chunk: report err on the next call */
	int peek_err;		/* in_peek met err: in_chunk reports it after what was read */
	char quote;		/* records, not lines: a newline in a quoted CSV field does not end one */
	char delim;		/* with quote: the CSV delimiter (a quote opens a field only after it) */
	int json;		/* lines are JSON: each chunk is marked for them in one pass (scan_json_lines) */
	uint64_t raw;		/* bytes read from the file (compressed ones for gzip) */
	/* in_read_ahead: decoded bytes read before they were asked for, taken first */
	struct in_block *ahead, *ahead_tail;
	size_t ahead_bytes;
	int ahead_end;		/* after them: 1 the input's end, -1 an error (err says which) */
	char err[256];		/* the message when a call returned -1 */
};

/*
 * Returns 0, or -1 with in->err set (the file cannot be opened or read, or
 * o->encoding is not one iconv knows). With an encoding, the bytes after
 * gzip's are turned into UTF-8 as they are read: a byte sequence that is
 * not in that encoding, or one cut short at the end, is an error naming
 * its offset in the decoded input.
 */
int in_open(struct in *in, const char *name, const struct in_opts *o);
/* Whether iconv turns encoding into UTF-8 here. */
int in_encoding_known(const char *encoding);
/*
 * Whole lines, about target bytes or more, appended to dst, each ending in
 * '\n' (one is added to a last line without it); *lines gets their number.
 * The chunk is the caller's, so it outlives the next call (worker threads
 * hold them). Returns 1, 0 at end of input, -1 with in->err.
 * A line over max_line is an error after the lines before it are returned:
 * that call returns 1 and the next one -1, with in->lineno its number.
 * With lines NULL nothing is counted, and in->lineno is the caller's to
 * set after an error (it knows how many lines it was given).
 */
int in_chunk(struct in *in, struct buf *dst, size_t target, uint64_t *lines);
/*
 * Make the first bytes of the input (decoded) available without taking
 * them: up to want bytes, fewer at the end of input or before a read
 * error (which in_chunk then reports, after these bytes). *p gets them.
 * Returns how many, or -1 when out of memory.
 */
ssize_t in_peek(struct in *in, size_t want, const char **p);
/*
 * Whether the input's name ends in ext (".csv"), in any case, before an
 * optional ".gz"; never for stdin. For finding a format from a file name.
 */
int in_name_ends(const struct in *in, const char *ext);
/*
 * Decode up to about budget more bytes of in ahead of its reader, into
 * memory (another thread may, while the reader works on an earlier input):
 * the reads that follow take them first. It stops at the input's end or at
 * an error, which the reads then meet where they would have. 0, or -1 when
 * out of memory (nothing lost: the reads go on from where it stopped).
 */
int in_read_ahead(struct in *in, size_t budget);
/* Free the memory kept for reading ahead (blocks taken wait for the next reads ahead): when no more come. */
void in_ahead_release(void);
/* The calling thread reads ahead (opens and reads inputs for a reader elsewhere): its reads leave in_waiting alone. */
void in_thread_reads_ahead(void);
/*
 * Whether a read of the input never waits for a writer: a regular file
 * (not a pipe, socket or terminal), which any thread may then read without
 * leaving a signal to wait behind it (in_waiting).
 */
int in_never_waits(const struct in *in);
/*
 * Whether other threads may decode the input ahead (in_work_ahead): BGZF
 * (bgzip's gzip of independent members of known size), or, opened with
 * helpers 3 or more, a gzip member cut at flush points (pigz --independent).
 */
int in_is_bgzf(const struct in *in);
/*
 * For an idle thread while another reads in: decode the next BGZF members
 * (or stretches between flush points) ahead of the reader (at most 16
 * batches of them wait). 1 when it did, 0 when there is nothing to do (no
 * such input, far enough ahead, or a stream whose stretches turned out to
 * refer back). Any number of threads may call it at once, until in_close.
 */
int in_work_ahead(struct in *in);
/* Decoded bytes handed out so far that in_work_ahead decoded (a gzip cut at flush points); any thread. */
uint64_t in_decoded_ahead(const struct in *in);
/* Bytes read from the file so far (compressed bytes for gzip); any thread. */
uint64_t in_bytes_read(const struct in *in);
/*
 * In a chunk of whole records with quote q and delimiter d (q 0: plain
 * lines): the length of the record at p[0..n) without its '\n', and *nl
 * the newlines inside it. The chunk ends in '\n' outside quotes (or with
 * a quote left open at the end of input), so a record always ends.
 */
size_t in_record_len(const char *p, size_t n, char q, char d, uint64_t *nl);
void in_close(struct in *in);
/* The name to print: "<stdin>" for stdin. */
const char *in_display_name(const struct in *in);
/* Whether this build has ISA-L. */
int in_have_isal(void);

/*
 * Set while the reading thread waits in read(2) for input (a stalled pipe):
 * a signal then ends the process at once, as nothing is half written.
 */
extern volatile sig_atomic_t in_waiting;

#endif
