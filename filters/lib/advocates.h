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
	char why[200];
};

int adv_init(struct adv *a, const struct adv_cfg *c);
/* An event the ranking reads nothing else of: its time (the default as-of). 1 when after --as-of. */
int adv_time(struct adv *a, long long ts);
/* One event, in input order. 0, or -1 (out of memory: why). */
int adv_event(struct adv *a, const struct adv_event *e);
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
