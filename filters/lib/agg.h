/*
 * agg.h - the group-by engine: records reduced to their fields (rec.h)
 * taken into groups (group.h) by -g fields and an optional time bucket,
 * each group keeping accumulators (acc.h) or a report's typed state
 * (report.h); then written as results (writer.h), or as partial results
 * (partial.h) that agg_merge_line takes back into exactly the state of one
 * pass. vchain-aggregate is options and input around it; another filter
 * that groups what it computes uses it the same way.
 *
 * Nothing here prints: a call that fails leaves its message in why (and
 * why_line, where a line of partial results or of the spend table is meant).
 */
#ifndef VCHAIN_AGG_H
#define VCHAIN_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "acc.h"
#include "group.h"
#include "json.h"
#include "out.h"
#include "partial.h"
#include "rec.h"
#include "report.h"
#include "spend.h"
#include "writer.h"

#define AGG_MAX_ACC 64	/* a 64-bit mask says which accumulators take a record */

struct agg {
	/* what to compute (agg_group, agg_configure; from a partial header with --merge) */
	char *groups[REC_MAX_SLOTS];
	int ngroups;
	struct acc acc[AGG_MAX_ACC];
	int nacc;
	struct rec_layout l;		/* the fields a record is reduced to: groups first */
	enum ts_every every;
	char tz[128];			/* --every's zone (ts_zone_set), "" for UTC; in the partial header */
	const struct report_def *report;
	const char *brand;		/* engagement: the brand's user_id */
	/* what acts at the end */
	long long window_ms, step_ms, respond_ms, resolve_ms;
	int breakdown_last;		/* funnel --breakdown-by last */
	const char *own_domain;		/* networking --own-domain, or NULL */
	long long media_followers;	/* networking --media-followers (picks records: in the partial header) */
	int as_of_given;		/* rfm --as-of: the date as days since 1970-01-01 */
	long long as_of_day;
	struct funnel_exclude excl;	/* funnel --exclude; in the partial header */
	const struct spend *spend;	/* roi: the spend table, or NULL */
	const char *spend_path;
	/* the run */
	int conditional;		/* some accumulator takes only some records */
	struct groups table;		/* the groups themselves */
	struct report_run rr;
	uint64_t unused;		/* records read by no metric of the report */
	uint64_t null_counts;		/* records whose count was null: weight 0 */
	int pf_acc, pf_slot;		/* the accumulator and slot to prefetch for, or -1 */
	/* partitioned state (agg_split): parts[0] is this one */
	struct agg **parts;
	unsigned nparts;
	int route_slot;			/* whose value says a record's part, or -1 */
	int route_key;			/* with no route_slot, how records go (agg.c): 0 by hash, 1 by group key, 2 by hash for good */
	struct agg *whole;		/* a part's: the agg it is a part of (parts[0]) */
	int part_failed;		/* a part's agg_take failed (its why says how) */
	/* --merge */
	int merging;
	struct partial_in pin;
	struct jobj jo[2];
	struct buf tmp;
	char why[200];
	uint64_t why_line;
};

/* An empty engine: no groups, no accumulators; 12h and 24h SLA limits. */
void agg_init(struct agg *a);
/* Group by field name[0..n) too. 0, -1 (why), -2 (out of memory). */
int agg_group(struct agg *a, const char *name, size_t n);
/*
 * The accumulators: the comma lists accs[0..nacc) (-a), else the report's
 * (a->report), else count; the fields each reads go into the layout after
 * the groups'. 0, -1 (why), -2.
 */
int agg_configure(struct agg *a, const char *const *accs, int nacc);
/* Ready to take records: groups laid out, the report's run set up. */
void agg_start(struct agg *a);
/* In a worker, after the record is reduced: what the report cannot do without. 0, or -1 (why[200]). */
int agg_check(const struct agg *a, const char *rec, char *why);
/* The reduced records p[0..n), in input order. 0; -1 (why: a sum beyond 38 digits); -2. */
int agg_take(struct agg *a, const char *p, size_t n);
/*
 * Partitioned state (par.h's par_set_parts): when every state is order-free
 * (acc_order_free, report_order_free), records can be cut into n parts by
 * the hash of one field (a funnel's person, the first exact distinct
 * field; else the whole record, or the group key once the groups are many:
 * agg.c), each part an agg of its own that takes
 * its records in input order, and agg_join absorbs them into a at the end,
 * in memory: the result is the one pass's. agg_split: 1 when a is cut into
 * n parts (agg_part(a, q) is part q; a itself is part 0), 0 when its states
 * are not order-free (records go to a alone), -1 (why) or -2 when not.
 */
int agg_split(struct agg *a, unsigned n);
static inline struct agg *agg_part(struct agg *a, unsigned q)
{
	return q ? a->parts[q] : a;
}
/* In a worker: which of a's parts a reduced record goes to. */
unsigned agg_part_of(const struct agg *a, const char *rec);
/*
 * Part a's records of chunk c, at c->out.p + offs[0..n), in input order. As
 * agg_take; a->part_failed says it failed.
 */
struct par_chunk;
int agg_take_at(struct agg *a, const struct par_chunk *c, const uint32_t *offs, size_t n);
/* The parts absorbed into a, once every record is taken. 0; -1 (why); -2. */
int agg_join(struct agg *a);
/* The results, sorted by group key (read: the records read, for the reports' checks). 0, or -1 (why, or out->err). */
int agg_write(struct agg *a, struct out *out, enum out_format fmt, uint64_t read);
/* The partial results. 0, or -1. */
int agg_write_partial(struct agg *a, struct out *out);
/* --merge: one line of partial results, in input order (the first header configures a). 0, or -1 (why, why_line). */
int agg_merge_line(struct agg *a, const char *line, size_t len, uint64_t lineno);
/* --merge: before and after each input. 0, or -1 (why). */
void agg_merge_input(struct agg *a);
int agg_merge_input_done(struct agg *a);
/* Bytes of state, for --stats. */
size_t agg_bytes(const struct agg *a);
void agg_free(struct agg *a);

#endif
