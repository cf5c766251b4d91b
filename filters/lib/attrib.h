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

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "buf.h"
#include "dec.h"
#include "hash.h"
#include "journey.h"
#include "json.h"
#include "out.h"
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
};

/* A conversion, as the engine takes it: the raw JSON texts are for its credit records. */
struct attrib_conv {
	struct h128 user;
	int has_user, has_value;
	long long ts;
	struct dec value;			/* has_value; else it counts 1 */
	const char *id, *user_text, *ts_text;	/* event_id, user_id, ts as JSON texts ("null" when absent) */
	size_t id_len, user_len, ts_len;
};

struct attrib_credit {
	unsigned __int128 units;	/* billionths of a conversion */
	struct dec value;
};

struct attrib_shard;

struct attrib {
	struct attrib_cfg *c;
	char why[200];			/* what went wrong, when a call returned -1 */
	struct paths paths;
	struct journeys jn;
	struct attrib_credit *cr[ATTR_NMODELS];	/* by channel id, for the per-conversion models */
	size_t cr_cap;
	uint8_t *direct;		/* by channel id */
	size_t direct_n;
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
	int collect;			/* a shard: credit records into rows, for the owner to write */
	struct buf rows;		/* a block a conversion: u32 rows, each 7 values as u32 length and bytes */
	uint32_t block_rows;
	struct buf order;		/* the owner: the shard of each conversion queued, in input order */
	/* --merge */
	struct partial_in pin;
	struct jobj jo[2];
	int configured;
	/* counts, for --stats (the filter keeps read, others, anon_touches) */
	uint64_t read, touches, conversions, direct_conv, others, anon_touches, no_value, null_paths;
	size_t people_bytes;		/* at the end */
	/* attrib_shards: people split over threads by their hash, each shard an engine of its own */
	struct attrib_shard *sh;
	unsigned nsh, busy;
	unsigned next_shard;		/* the next shard of the round a thread takes (atomic) */
	pthread_t *th;			/* the threads besides the calling one */
	unsigned nth;
	size_t queued;			/* bytes queued since the last round */
	uint64_t gen;
	int quit;
	int finishing;			/* attrib_finish's round: each shard ends its journeys */
	pthread_mutex_t mu;
	pthread_cond_t go, done;
};

/* Start; c is kept. 0, or -1 (why). */
int attrib_init(struct attrib *a, struct attrib_cfg *c);
/*
 * Split the people over n threads (n >= 1; else nothing is done): n - 1
 * threads of their own and the calling one take the shards (engines, n x
 * ATTRIB_SHARDS_PER_THREAD of them, ATTRIB_SHARDS_MIN at least) of each
 * round one at a time, as they come free: touches and conversions are
 * queued to their person's shard and run at attrib_flush. Even with one
 * thread this pays: a shard's round works on its eighth of the people,
 * whose tables stay in cache far more than all of them would (DuckDB's
 * radix partitioning, for locality alone). Each shard keeps its own
 * paths and credits, merged at attrib_finish as --merge merges partial
 * results, so the results are those of one engine, byte for byte; credit
 * records (attrib_open_credits first) come back from the shards and are
 * written in input order after each round. At most 256 shards.
 * 0, or -1 (why).
 */
#define ATTRIB_SHARDS_PER_THREAD 4	/* shards a round is cut into per thread: a slow thread holds up less */
#define ATTRIB_SHARDS_MIN 8		/* and at least: each shard's people a working set that fits caches better */
int attrib_shards(struct attrib *a, unsigned n);
/*
 * Run what was queued to the shards, when it is ATTRIB_SHARD_BATCH bytes
 * or more, or when forced (after each chunk of input; attrib_finish
 * forces). 0, or -1 (why).
 */
#define ATTRIB_SHARD_BATCH ((size_t)8 << 20)	/* about 100,000 records a round: few waits, bounded memory */
int attrib_flush(struct attrib *a, int force);
/* Write a credit record for each conversion, model and channel to out. 0, or -1 (why, or out->err). */
int attrib_open_credits(struct attrib *a, struct out *out);
/* A touch of user at ts on channel ch[0..n) (its hash128: chh). 0, or -1 (why). */
int attrib_touch(struct attrib *a, struct h128 user, long long ts, const char *ch, size_t n, struct h128 chh);
/* A conversion. 0, or -1 (why, or a write error in the credits' out). */
int attrib_convert(struct attrib *a, const struct attrib_conv *cv);
/* The end of the events: pending journeys become null paths, the credit records are closed. 0, or -1. */
int attrib_finish(struct attrib *a);

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
