/*
 * advocates.h - stage 7 measured: per person (and group, with -g) the
 * advocacy acts vchain-stage's rule calls positive (person.h), the acts
 * that detract, reach, and what the advocacy produced — the people whose
 * events name the person as their referrer, which of them bought, and
 * their revenue — scored, ranked, summed up, and written as mergeable
 * partial results.
 *
 * Exact: every person and group that acted, had an audience size or
 * referred someone is a row of 208 bytes plus the id and about 32 of
 * index (struct adv_rec); every customer 64 bytes plus index (their net
 * revenue); every referral link (referred person, referrer) 64 plus index.
 *
 * Approximate (cfg.approx): the rows are a Space-Saving summary of
 * cfg.capacity (Metwally et al. 2005) by decayed act weight; customers
 * are a Bloom filter of fixed size, and so are the rows ever evicted;
 * referral links a table of fixed size.
 * Memory does not grow with the people; adv_stats says whether the
 * ranking written is certainly the exact one.
 */
#ifndef VCHAIN_ADVOCATES_H
#define VCHAIN_ADVOCATES_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "dec.h"
#include "hash.h"
#include "htab.h"
#include "json.h"
#include "par.h"
#include "partial.h"
#include "paths.h"
#include "writer.h"

enum adv_act { ADV_SHARE, ADV_MENTION, ADV_TAG, ADV_REVIEW, ADV_REFERRAL, ADV_ACTS };
extern const char *const adv_act_names[ADV_ACTS];	/* share, mention, tag, review, referral */

struct adv_cfg {
	double w[ADV_ACTS];		/* weight of each act */
	double w_referred_customer, w_detractor;
	long long half_life_ms;
	long long as_of_ms;		/* with as_of_given; else the latest ts of the input */
	int as_of_given;
	int include_fans;		/* rank everyone; count acts before a purchase too */
	const char *group;		/* -g FIELD, or NULL */
	const char *ref_field;		/* --ref-field FIELD on visits, or NULL */
	double positive;		/* the sentiment threshold the acts were judged by (for the header) */
	size_t top;			/* -n: rows per ranking */
	int approx;
	size_t capacity;		/* --approx: rows kept */
	enum out_format format;
};

/* The rule's verdict on an event, in a worker; see adv_event. */
enum adv_kind { ADV_NONE, ADV_PRAISE, ADV_DETRACT, ADV_PURCHASE, ADV_REFUND };

/* An event as the engine takes it (the bytes borrowed for the call). */
struct adv_event {
	struct h128 user, key;		/* key: user and group */
	struct h128 ref_user, ref_key;	/* the referrer, and with this event's group */
	long long ts;			/* REC_NO_TS: none */
	long long followers;		/* -1: none */
	struct dec revenue;		/* purchases and refunds */
	const char *id, *group, *ref;	/* raw JSON string contents (or digits) */
	uint32_t id_len, group_len, ref_len;
	uint8_t kind, act, platform, has_group, has_ref;
};

/*
 * An event as a worker writes it for the engine, followed by the bytes of
 * id, group and ref: what the commit step, or the person's part, reads.
 */
struct adv_vrec {
	struct h128 user, key, ref_user, ref_key;
	long long ts, followers;
	struct dec revenue;
	uint32_t id_len, group_len, ref_len;
	uint8_t kind, act, platform, has_user, has_group, has_ref;
};
#define ADV_VREC_LEN(v) (sizeof(struct adv_vrec) + (v).id_len + (v).group_len + (v).ref_len)
#define ADV_FAILED 0xff	/* a record's kind once its part failed on it (the part's why says why) */

/* One row: a person in a group. */
struct adv_rec {
	struct h128 key, user;
	const char *id;			/* in the arena */
	uint32_t id_len;
	int32_t group;			/* in groups; -1: the group field was missing */
	double s;			/* sum of w(act) x 0.5^((at - t) / half-life) */
	long long at;			/* as of: the last praising act's ts (REC_NO_TS: none) */
	long long last;			/* the last act counted, praising or not (LLONG_MIN: none) */
	long long followers, followers_ts;	/* latest seen; -1: none */
	uint32_t n[ADV_ACTS], detract;
	uint16_t platforms;		/* of the acts counted */
	/* filled at the end from the links */
	uint64_t referred_people, referred_customers;
	struct dec referred_revenue;
	/* --approx: Space-Saving's count (decayed weight, in the frame's units) and its error */
	double ss, ss_err;
	uint32_t epoch;			/* the row's life: links made before a reuse are not its */
	uint32_t heap;			/* its place in the min-heap */
	uint32_t nlinks;		/* links to it made */
	uint8_t incomplete;		/* --approx: its person may have had a row evicted before */
};

struct adv_customer {
	struct h128 user;
	struct dec revenue;		/* purchases less refunds */
	uint8_t bought;			/* 0: a refund only, so far */
};

struct adv_link {
	struct h128 person;		/* referred */
	uint32_t rec;			/* the referrer's row */
	uint32_t epoch;			/* --approx: the row's epoch when made */
	uint8_t bought;			/* --approx: the referred person has bought since */
	struct dec revenue;		/* --approx: their revenue since */
};

struct adv {
	struct adv_cfg cfg;		/* a copy; --merge takes it from the partial header */
	const struct adv_cfg *c;	/* &cfg */
	char *owned[2];			/* group and ref_field names read from a header */
	struct htab_rows recs;		/* by hash of user and group */
	struct htab_rows customers;	/* exact: by user */
	struct htab_rows links;		/* by hash of person and referrer's row key */
	struct chans groups;
	struct arena ids;
	long long latest;		/* the latest ts seen: the default as-of */
	/* --approx */
	uint32_t *heap;			/* rows by ss, smallest first */
	size_t nheap;
	uint64_t *bloom;		/* customers */
	size_t bloom_bits;
	uint64_t *gone;			/* rows evicted, by key: a Bloom filter of GONE_BITS */
	uint64_t bloom_set;		/* customers entered */
	long long frame;		/* ss units: weight x 2^((t - frame) / half-life) */
	double reach_max;		/* the largest reach factor seen */
	uint64_t evicted, links_lost, links_orphaned;
	int held;			/* the guarantee held for the ranking written */
	char held_why[160];
	/* counts for --stats */
	uint64_t events, acts, detractions, fans_acts, after_as_of, self_referrals, purchases;
	struct partial_in pin;
	struct jobj jo[2];
	int configured;			/* --merge: a header was read */
	int finished;			/* the links were counted into the rows */
	/* adv_parts: the people split by their hash, each part an engine of its own */
	void *part_mem;			/* the parts (struct adv), on cache lines of their own */
	void **pctx;			/* each one's address, for par_set_parts */
	unsigned nparts;
	/* in a part */
	int failed;			/* why says why: on a record it marked ADV_FAILED (it takes no more;
					 * atomic, the commit looks), or at adv_finish */
	struct adv_fwd *fwd;		/* adv_finish: its links to rows other parts own, by owner */
	size_t *fwd_at;			/* owner q's are fwd[fwd_at[q] .. fwd_at[q + 1]) */
	char why[200];
};

int adv_init(struct adv *a, const struct adv_cfg *c);
/* An event the ranking reads nothing else of: its time (the default as-of). 1 when after --as-of. */
int adv_time(struct adv *a, long long ts);
/* One event, in input order. 0, or -1 (out of memory: why). */
int adv_event(struct adv *a, const struct adv_event *e);
/*
 * Partitioned state (par.h's par_set_parts; exact only): the people split
 * by their hash into parts (threads x ADV_PARTS_PER_THREAD of them,
 * ADV_PARTS_MIN at least), each an engine of its own that adv_part gives
 * its records of each chunk in input order, on whichever thread is free.
 * Everything an event touches is its person's part's: their row, their
 * purchases, and for a referral their link and the referrer's row as
 * they name it (a stub when another part owns the referrer). adv_finish
 * counts each part's links into the rows where their owners keep them,
 * all parts at once; the writers then read the parts in place, not
 * merged. Give the drive nparts parts, adv_part and pctx; the commit step
 * calls adv_commit. 0, or -1 (why).
 */
#define ADV_PARTS_PER_THREAD 4	/* parts per thread: a slow thread holds up less */
#define ADV_PARTS_MIN 8		/* and at least: each part's people a smaller working set */
#define ADV_MAX_PARTS 256
int adv_parts(struct adv *a, unsigned threads);
/*
 * Which part a record goes to: its person's; a record without one (only
 * its time counts, which adds up in any order) anywhere, by its ts.
 */
static inline unsigned adv_part_of(const struct adv_vrec *v, unsigned nparts)
{
	return par_part_of(v->has_user ? v->user.hi : (uint64_t)v->ts * 0x9E3779B97F4A7C15ull, nparts);
}
/* The event of the record at p, its header read into *v (the bytes borrowed). */
void adv_vrec_event(const char *p, struct adv_vrec *v, struct adv_event *e);
/* The part function (par_part_fn): a part's records of a chunk, in input order. */
int adv_part(void *pctx, struct par_chunk *c, const uint32_t *offs, size_t n);
/*
 * The commit step's share of a chunk, in input order: without parts every
 * event; with parts only a look whether one failed, and if so on which
 * record of the chunk. 0, or -1 (why; *line the record's line).
 */
int adv_commit(struct adv *a, const struct par_chunk *c, uint64_t first_line, uint64_t *line);
/*
 * The end of the input: the links counted into the rows (with parts, on
 * p's threads; p NULL: here), the parts' counts into a's. The writers
 * call it when not called. 0, or -1 (why).
 */
int adv_finish(struct adv *a, struct par *p);
/* The ranking(s): the top cfg.top per group. 0, or -1 (a write error in out->err, or memory). */
int adv_write_ranking(struct adv *a, struct out *out);
/* The summary: one row. 0, or -1. */
int adv_write_summary(struct adv *a, struct out *out);
/* Everything, as partial results. 0, or -1. */
int adv_write_partial(struct adv *a, struct out *out);
/* --merge: one line of partial results; the input boundaries. 0, or -1 (why). */
int adv_merge_line(struct adv *a, const char *line, size_t len);
void adv_merge_input(struct adv *a);
int adv_merge_input_done(struct adv *a);
/* What was counted, and for --approx whether the guarantee held (stderr). */
void adv_stats(const struct adv *a);
void adv_free(struct adv *a);

/* The reach factor of an audience: 1 + log10(1 + followers); 1 when unknown. */
double adv_reach(long long followers);
/* nano (< 1 k), micro (< 100 k), macro (< 1 M), mega; NULL when unknown. */
const char *adv_tier(long long followers);

#endif
