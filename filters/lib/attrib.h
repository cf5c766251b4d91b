/*
 * attrib.h - the attribution engine vchain-attribute is options around:
 * touches and conversions in, in time order, each person's touches kept
 * within the window (journey.h); each conversion credited under the
 * per-conversion models as it comes (attr.h) and its path, like every
 * journey that did not convert, added to the path table (paths.h); at the
 * end the path-level models (pathmodel.h) and the results: the summary
 * per model and channel, the path table, or partial results that merge
 * into exactly what one pass gives.
 */
#ifndef VCHAIN_ATTRIB_H
#define VCHAIN_ATTRIB_H

#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "buf.h"
#include "dec.h"
#include "hash.h"
#include "journey.h"
#include "json.h"
#include "out.h"
#include "par.h"
#include "partial.h"
#include "paths.h"
#include "writer.h"

#define ATTRIB_MAX_BY 8
#define ATTRIB_MAX_TYPES 32

/* What is attributed, and how: the options, set before attrib_init. */
struct attrib_cfg {
	int model[ATTR_NMODELS], nmodel;	/* in the order given */
	int models_given;			/* -m: else all that can be (shapley left out past 15 channels) */
	const char *conv[ATTRIB_MAX_TYPES], *touch[ATTRIB_MAX_TYPES];
	int nconv, ntouch;
	const char *value_field;
	const char *by[ATTRIB_MAX_BY];
	int nby;
	long long lookback_ms;
	enum attr_transform tf;
	struct attr_params par;
	int order;				/* markov */
	int from_paths;				/* the paths were read, not made: credit them at the end */
	const char *spend_path;			/* --summary --spend */
	enum out_format format;
	int stats;
	long long tolerance_ms;			/* how far ts may go back before it is an error */
	int keep_null;				/* the journeys that end without a conversion go in the path
						   table (what markov, shapley, --paths, --partial read); else
						   they are only counted, their touches never read */
};

/*
 * An event as a worker hands it to the parts and the commit (written to
 * the chunk's out): 64 bytes, then a touch's channel (ch_len bytes), or a
 * conversion's struct dec value (ch_len bytes: 32, for 1 % of the
 * records, not in every header) and its id, user and ts texts.
 */
struct attrib_rec {
	struct h128 user, chh;		/* chh: the channel's hash, for a touch */
	long long ts;
	uint32_t ch_len, id_len, user_len, ts_len;
	uint8_t kind, has_user, has_value;
};
enum { ATTRIB_OTHER, ATTRIB_TOUCH, ATTRIB_CONV, ATTRIB_FAILED /* a part failed on it (its why) */ };
_Static_assert(sizeof(struct attrib_rec) == 64, "a record's header is 64 bytes");
#define ATTRIB_REC_LEN(h) (sizeof(h) + (h).ch_len + (h).id_len + (h).user_len + (h).ts_len)

/*
 * What a worker gathers of the records it writes into a chunk, for
 * attrib_commit (in the chunk's note, par_set_chunk_end): their counts,
 * and their times, each checked against the newest before it in the
 * chunk; the commit checks the earliest against the newest before the
 * chunk, and need not read the records one by one.
 */
struct attrib_note {
	uint32_t n, others, anon;	/* records; of them, others, and touches without a user */
	uint32_t back_k;		/* has_back: the first record whose ts is behind the chunk's newest before it */
	long long min_ts, max_ts;	/* over the records, when n */
	long long back_ts, back_newest;	/* has_back: its ts, and that newest */
	int has_back;
};
_Static_assert(sizeof(struct attrib_note) <= sizeof(((struct par_chunk *)0)->note), "a note fits a chunk's");
/* Record r, just written by the worker whose note is nt. */
static inline void attrib_note_rec(struct attrib_note *nt, const struct attrib_rec *r, long long tolerance_ms)
{
	if (!nt->n) {
		nt->min_ts = nt->max_ts = r->ts;
	} else {
		if (!nt->has_back && r->ts < nt->max_ts - tolerance_ms) {
			nt->has_back = 1;
			nt->back_k = nt->n;
			nt->back_ts = r->ts;
			nt->back_newest = nt->max_ts;
		}
		if (r->ts < nt->min_ts)
			nt->min_ts = r->ts;
		if (r->ts > nt->max_ts)
			nt->max_ts = r->ts;
	}
	nt->n++;
	nt->others += r->kind == ATTRIB_OTHER;
	nt->anon += r->kind == ATTRIB_TOUCH && !r->has_user;
}
/* The chunk's note from nt, which starts afresh (par_set_chunk_end). */
void attrib_note_chunk(struct attrib_note *nt, struct par_chunk *c);

struct attrib_credit {
	unsigned __int128 units;	/* billionths of a conversion */
	struct dec value;
};

struct attrib {
	struct attrib_cfg *c;
	char why[200];			/* what went wrong, when a call returned -1 */
	struct paths paths;
	struct journeys jn;
	struct attrib_credit *cr[ATTR_NMODELS];	/* by channel id, for the per-conversion models */
	size_t cr_cap;
	uint8_t *direct;		/* by channel id */
	size_t direct_n;
	uint8_t *null_ch;		/* by channel id (cr_cap of them): on a null path not kept (keep_null 0) */
	/* scratch for the path being credited */
	struct attr_touch *tt;
	uint32_t *ids, *cc;
	long double *w, *wc;
	struct dec *vparts;
	unsigned __int128 *uparts;
	size_t scratch_cap;
	struct buf tmp, vals[7];
	struct writer w_conv;		/* the credit records, when written */
	int w_open;
	int collect;			/* a part: credit records into rows, for the commit to write */
	struct buf *rows;		/* the chunk's part_out: a block a conversion: u32 rows, each 7 values as u32 length and bytes */
	uint32_t block_rows;
	/* --merge */
	struct partial_in pin;
	struct jobj jo[2];
	int configured;
	/* counts, for --stats (attrib_commit counts read, others, anon_touches) */
	uint64_t read, touches, conversions, direct_conv, others, anon_touches, no_value, null_paths;
	size_t people_bytes;		/* at the end */
	long long newest;		/* the newest ts so far */
	int have_newest;
	int noted;			/* each chunk has its struct attrib_note (the workers wrote it) */
	/* attrib_parts: people split by their hash, each part an engine of its own */
	void *part_mem;			/* the parts (struct attrib_shard), on cache lines of their own */
	void **pctx;			/* each one's address, for par_set_parts */
	unsigned nparts;
	size_t *row_at;			/* attrib_commit: where each part's next conversion's credit records are */
};

/* Start; c is kept. 0, or -1 (why). */
int attrib_init(struct attrib *a, struct attrib_cfg *c);
/*
 * Partitioned state (par.h's par_set_parts): the people split by their
 * hash into parts (threads x ATTRIB_PARTS_PER_THREAD of them,
 * ATTRIB_PARTS_MIN at least), each an engine of its own that attrib_part
 * gives its records of each chunk in input order, on whichever thread is
 * free; no serial step copies a record. Each part keeps its own paths
 * and credits, merged at attrib_finish as --merge merges partial results,
 * so the results are those of one engine, byte for byte; credit records
 * go to the chunk's part_out and attrib_commit writes them in input order.
 * Give the drive nparts parts, attrib_part, pctx and part_outputs. 0, or -1 (why).
 */
#define ATTRIB_PARTS_PER_THREAD 4	/* parts per thread: a slow thread holds up less */
#define ATTRIB_PARTS_MIN 8		/* and at least: each part's people a smaller working set */
#define ATTRIB_MAX_PARTS 256
int attrib_parts(struct attrib *a, unsigned threads);
/* Which part a record goes to: its person's (a record without a person: part 0's). */
static inline unsigned attrib_part_of(const struct attrib_rec *r, unsigned nparts)
{
	return r->has_user ? par_part_of(r->user.hi, nparts) : 0;
}
/* The part function (par_part_fn): a part's records of a chunk, touches and conversions. */
int attrib_part(void *pctx, struct par_chunk *c, const uint32_t *offs, size_t n);
/*
 * The commit of a chunk, in input order, after the parts took it: checks
 * that ts does not go back (past tolerance_ms), counts, and writes the
 * conversions' credit records. 0, or -1 (why; *line the line it is about,
 * or 0 when none: out of memory, or a write error in the credits' out->err).
 */
int attrib_commit(struct attrib *a, const struct par_chunk *c, uint64_t first_line, uint64_t *line);
/* Write a credit record for each conversion, model and channel to out. 0, or -1 (why, or out->err). */
int attrib_open_credits(struct attrib *a, struct out *out);
/*
 * The end of the events: pending journeys become null paths (the parts'
 * at once on p's threads: par_each; p NULL, one after another), the parts
 * merge into a, the credit records are closed. 0, or -1 (why).
 */
int attrib_finish(struct attrib *a, struct par *p);

/* --from-paths: ChannelAttribution's path table at path. 0, or -1 (said). */
int attrib_read_paths(struct attrib *a, const char *path);

/* The results, to out. 0, or -1 (said, or a write error in out->err). */
int attrib_write_summary(struct attrib *a, struct out *out);
int attrib_write_paths(struct attrib *a, struct out *out);
int attrib_write_partial(struct attrib *a, struct out *out);

/* --merge: one line of partial results (0, or -1 with why); around each input. */
int attrib_merge_line(struct attrib *a, const char *line, size_t len);
void attrib_merge_input(struct attrib *a);
int attrib_merge_input_done(struct attrib *a);

/* The counts and bytes held, on stderr. */
void attrib_stats(const struct attrib *a);
void attrib_free(struct attrib *a);

#endif
