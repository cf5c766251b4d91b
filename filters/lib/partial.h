/*
 * partial.h - mergeable partial results (--partial, --merge), the envelope
 * every filter that has them shares: NDJSON whose first line is a header
 * ({"vchain_partial":1,...}: the version and what was computed, which every
 * input of a merge must repeat byte for byte), then state lines of the
 * filter's own; and the codecs of the values states are made of.
 */
#ifndef VCHAIN_PARTIAL_H
#define VCHAIN_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dec.h"
#include "hash.h"
#include "json.h"

#define PARTIAL_VERSION 1

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

/* ---- the envelope, on the reading side ---- */

struct partial_in {
	char *header;		/* the first input's header line */
	int saw_header;		/* the input being read has had its header */
};

enum partial_kind {
	PARTIAL_FIRST,		/* the first header: configure from it */
	PARTIAL_AGAIN,		/* another input's header, the same as the first */
	PARTIAL_STATE,		/* a state line after a header */
	PARTIAL_BAD		/* why[200] says what is wrong */
};

/*
 * What a line (obj, its members; line[0..len), its text) of partial
 * results is. tool ("vchain-aggregate") and what ("aggregation (the groups
 * or accumulators differ ...)") name the filter and what must agree, in
 * messages. Call partial_next_input before each input.
 */
enum partial_kind partial_line(struct partial_in *pi, const struct jobj *obj, const char *line, size_t len,
			       const char *tool, const char *what, char *why);
static inline void partial_next_input(struct partial_in *pi)
{
	pi->saw_header = 0;
}
void partial_in_free(struct partial_in *pi);

#endif
