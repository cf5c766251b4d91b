/*
 * partial.h - mergeable partial results (--partial, --merge), the envelope
 * every filter that has them shares: NDJSON whose first line is a header
 * ({"vchain_partial":2,...}: the version and what was computed, which every
 * input of a merge must repeat byte for byte), then state lines of the
 * filter's own, then an end line with how many lines came before it and
 * their XXH3 hash ({"vchain_partial_end":{"lines":N,"xxh3":"..."}}), so a
 * shard's file that was cut short or damaged is an error, never a quietly
 * different merge. Several such files may follow each other in one input.
 * And the codecs of the values states are made of.
 */
#ifndef VCHAIN_PARTIAL_H
#define VCHAIN_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include <xxhash.h>

#include "buf.h"
#include "dec.h"
#include "hash.h"
#include "json.h"

#define PARTIAL_VERSION 2

/* ---- codecs: each put_ writes a JSON value that the matching get_ reads back ---- */

/* A 128-bit hash as 32 hex digits in a string. */
int partial_put_hash(struct buf *b, struct h128 h);
int partial_get_hash(const struct jfield *f, struct h128 *h);
/* A time in epoch ms, or null for none (nothing: ms is none_ms, or LLONG_MIN). */
int partial_put_ms(struct buf *b, long long ms, long long none_ms);
int partial_get_ms(const struct jfield *f, long long *ms, long long none_ms);
/* Exact money, as a string ("12.30"), so no reader turns it into a double. */
int partial_put_dec(struct buf *b, struct dec d);
int partial_get_dec(const struct jfield *f, struct dec *d);
/* A count. */
int partial_get_u64(const struct jfield *f, uint64_t *v);

/* ---- the envelope, on the writing side ---- */

struct partial_out {
	XXH3_state_t *h;
	uint64_t lines;
};

/* A header line's start, {"vchain_partial":VERSION, for the filter to go on with its members. */
int partial_header_begin(struct buf *b);

struct out;
/* Start: the header line b[0..n) (ending in '\n') is written. 0, or -1 (out of memory or a write error). */
int partial_out_begin(struct partial_out *po, struct out *out, const char *b, size_t n);
/* A state line b[0..n), ending in '\n' (or several). 0, or -1 as out_write. */
int partial_out_line(struct partial_out *po, struct out *out, const char *b, size_t n);
/* The end line. 0, or -1. */
int partial_out_end(struct partial_out *po, struct out *out);

/* ---- the envelope, on the reading side ---- */

struct partial_in {
	char *header;		/* the first input's header line */
	int in_body;		/* between a header and its end line */
	int ended;		/* an end line was the last of the envelope */
	int any;		/* the input being read has had a line */
	uint64_t lines;		/* since the header */
	XXH3_state_t *h;
};

enum partial_kind {
	PARTIAL_FIRST,		/* the first header: configure from it */
	PARTIAL_AGAIN,		/* another header, the same as the first */
	PARTIAL_STATE,		/* a state line after a header */
	PARTIAL_END,		/* an end line that matches what came before it */
	PARTIAL_BAD		/* why[200] says what is wrong */
};

/*
 * What a line (obj, its members; line[0..len), its text without '\n') of
 * partial results is. tool ("vchain-aggregate") and what ("aggregation
 * (the groups or accumulators differ ...)") name the filter and what must
 * agree, in messages.
 */
enum partial_kind partial_line(struct partial_in *pi, const struct jobj *obj, const char *line, size_t len,
			       const char *tool, const char *what, char *why);
/*
 * A --merge line function's work in a worker: the line is checked to be
 * JSON and copied to out, for the commit step to read in order. 0, -1
 * (why[200]), -2.
 */
int partial_copy_line(struct jobj *obj, const char *line, size_t len, const struct scan_marks *marks,
		      struct buf *out, char *why);
/* Before each input. */
void partial_next_input(struct partial_in *pi);
/* After each input: 0, or -1 with why[200] (it was empty, or cut short before an end line). */
int partial_input_done(struct partial_in *pi, char *why);
void partial_in_free(struct partial_in *pi);

#endif
