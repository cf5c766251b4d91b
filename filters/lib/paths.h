/*
 * paths.h - journeys as aggregated paths, the unit of path-level
 * attribution (ChannelAttribution's and fractribution's input): channels
 * by name, each given a small id when first seen; paths as sequences of
 * ids, each kept once with how many journeys along it converted, their
 * value, and how many ended without converting (null). The path format of
 * ChannelAttribution (a CSV of path, total_conversions,
 * total_conversion_value, total_null, the channels joined by " > ") is
 * read and written here.
 *
 * Memory: a channel is its name plus about 48 bytes; a path is 48 bytes,
 * 4 a step, and 32-48 of index.
 */
#ifndef VCHAIN_PATHS_H
#define VCHAIN_PATHS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "dec.h"
#include "hash.h"
#include "htab.h"

#define PATHS_DIRECT "(direct)"	/* the channel of a conversion with no touch */
#define PATHS_SEP " > "

#define CHANS_MEMO 64	/* slots of the ids last asked for */

struct chans_memo {
	struct h128 h;
	uint64_t id1;	/* id + 1; 0: empty */
};

struct chans {
	struct htab idx;	/* name hash -> id + 1 */
	struct chans_memo memo[CHANS_MEMO];	/* by h.lo: a touch's channel is one of a few, asked again and again */
	const char **name;	/* NUL-ended, in the arena */
	uint32_t *len;
	size_t n, cap;
	struct arena a;
};

/* The id of channel s[0..n) (raw JSON string content), made when new. -1 when out of memory. */
long chans_id(struct chans *c, const char *s, size_t n);
/* The same, its hash128 h computed already (in a worker). */
long chans_id_hashed(struct chans *c, const char *s, size_t n, struct h128 h);
void chans_free(struct chans *c);

struct path_row {
	uint64_t off;		/* of its first step in paths.seq */
	uint32_t n;		/* steps */
	uint64_t conv, null;
	struct dec value;
};

struct paths {
	struct chans ch;
	struct htab idx;	/* hash of the steps -> row + 1 */
	struct path_row *row;
	size_t n, cap;
	uint32_t *seq;		/* every path's steps, one after another */
	size_t seq_n, seq_cap;
	size_t *one, one_cap;	/* by channel id: the row + 1 of the path of that channel alone (most are), 0 not yet */
	uint64_t conv, null;	/* over all rows */
	struct dec value;
};

/* Add journeys along ids[0..n) (n >= 1): conv converted, with value in all, null did not. 0, -1 (memory), -2 (value overflow). */
int paths_add(struct paths *p, const uint32_t *ids, uint32_t n, uint64_t conv, struct dec value, uint64_t null);
static inline const uint32_t *paths_steps(const struct paths *p, const struct path_row *r)
{
	return p->seq + r->off;
}
/* The row of the path ids[0..n), or -1. */
long paths_find(const struct paths *p, const uint32_t *ids, uint32_t n);
/* The row of the path of a conversion without touches, PATHS_DIRECT alone, or -1. */
long paths_direct_row(const struct paths *p);
/* The rows in the order of their text (channel names compared bytewise, step by step): *order[0..p->n). 0, or -1. */
int paths_order(const struct paths *p, size_t **order);
/* Row r's channels joined by sep, appended to b. 0, or -1. */
int paths_text(const struct paths *p, const struct path_row *r, const char *sep, struct buf *b);
/* Bytes held. */
size_t paths_bytes(const struct paths *p);
void paths_free(struct paths *p);

/*
 * Read a file in ChannelAttribution's path format: a header naming path
 * and total_conversions (total_conversion_value and total_null optional),
 * ';' or ',' between fields (whichever the header uses), channels joined
 * by '>' with spaces around trimmed. 0; -1 with err[200] and *err_line
 * (0: the file as a whole); -2 when out of memory.
 */
int paths_read_csv(struct paths *p, const char *path, char *err, uint64_t *err_line);

#endif
