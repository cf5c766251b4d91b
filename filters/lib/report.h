/*
 * report.h - the value chain's reports (vchain-aggregate --report NAME).
 * Each report is a typed definition in its own report_<name>.c: a struct of
 * what one group keeps, whose members are accumulators (acc.h), each bound
 * by name to the spec that says which records it takes; the report's
 * columns; and how a group's state becomes rows. A reordered or mistyped
 * member does not compile or is refused at start (tests/unit/test_report.c);
 * results are read by member name, never by position. The specs, in member
 * order, are also the header of the report's partial results.
 *
 * A new report: a new report_<name>.c with its struct, members, columns and
 * row function, and a line in report.c's list.
 */
#ifndef VCHAIN_REPORT_H
#define VCHAIN_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "acc.h"
#include "buf.h"
#include "dec.h"
#include "group.h"
#include "json.h"
#include "orders.h"
#include "person.h"
#include "rec.h"
#include "refs.h"
#include "sla.h"
#include "spend.h"
#include "writer.h"

struct report_member {
	const char *spec;	/* acc.h's form with a condition: "count?type=like|comment|share" */
	enum acc_kind kind;
	size_t offset;		/* of its state in the report's struct */
	int brand;		/* --brand ID joins the spec's last test as one more choice */
	int media;		/* gets "&followers>N" for --media-followers (N less a half: at least it) */
};

/*
 * A member held in T's field f, of kind K (A_COUNT, A_SUM, ...): the
 * compiler checks that f's type is K's state type (K##_t, acc.h).
 */
#define REPORT_MEMBER(T, f, K, spec) \
	{ spec, K, offsetof(T, f) + 0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((T *)0)->f), K##_t) ? 1 : -1]), 0, 0 }
#define REPORT_MEMBER_BRAND(T, f, K, spec) \
	{ spec, K, offsetof(T, f) + 0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((T *)0)->f), K##_t) ? 1 : -1]), 1, 0 }
#define REPORT_MEMBER_MEDIA(T, f, K, spec) \
	{ spec, K, offsetof(T, f) + 0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((T *)0)->f), K##_t) ? 1 : -1]), 0, 1 }

/* What a report is run with, and what the reports share while it runs. */
struct par;

struct report_run {
	const struct report_def *def;
	const struct acc *acc;		/* the members as parsed, in member order */
	struct groups *groups;
	/* options that act at the end (given to the --merge of partial results) */
	long long window_ms;		/* funnel: progress within this of the first event */
	long long step_ms;		/* funnel: each step within this of the one before (0: any time) */
	int breakdown_last;		/* funnel: a person's group is that of their last touch, not first */
	const struct funnel_exclude *excl;	/* funnel: --exclude's rules (n 0: none) */
	long long respond_ms, resolve_ms;	/* sla: 12 h and 24 h */
	const struct spend *spend;	/* roi: the spend table, or NULL */
	int as_of_given;		/* rfm: --as-of, the zone's date as days since 1970-01-01 */
	long long as_of_day_given;
	const char *tz;			/* --tz's zone, "" for UTC (set by a --merge from the header) */
	int user_key;			/* the index of def->needs_key in keys */
	const char *own;		/* networking: --own-domain's list, or NULL */
	int merging;			/* the input is partial results */
	const char *const *keys;	/* the group fields (groups->nkeys of them) */
	enum ts_every every;		/* the time bucket, or none */
	uint64_t read;			/* records read */
	/* state kept across groups */
	uint64_t staged;		/* funnel: records with a stage */
	struct sla sla;			/* sla: every message and reply */
	struct dec *spend_of;		/* roi --spend: by group id */
	uint8_t *has_spend;
	size_t nspend;
	uint64_t *new_of;		/* roi --spend: new customers by group id */
	uint8_t *scores;		/* rfm: r, f, m by group id */
	uint64_t *prev_leads;		/* selling: the previous period's leads by group id */
	struct htab seen_idx;		/* networking: -g values and domain -> index in seen_first */
	long long *seen_first;		/* the domain's first visit there */
	size_t nseen, cseen;
	const struct ref_dom **doms;	/* networking: the domains of the group being written, in order */
	size_t ndoms, cdoms;
	long long as_of_day;		/* rfm: the as-of date used */
	long long latest;		/* rfm: the latest ts of any record (has_latest) */
	int has_latest;
	struct par *pool;		/* threads for the work at the end (par_each), or NULL */
	uint64_t users[STAGES + 2];	/* funnel: people per furthest stage, of the group being written */
	long long *ttc[STAGES + 1];	/* funnel: ms from stage k - 1 to k of each who made it, p50 and p90 in place */
	size_t nttc[STAGES + 1], cttc[STAGES + 1];
	struct jobj jo[3];		/* scratch for merging */
	struct buf tmp;
	char why[200];			/* what went wrong, when a call returned -1 */
	uint64_t why_line;		/* and where, in rr->spend->path (0: nowhere) */
};

struct report_def {
	const char *name;
	size_t state_size;			/* the struct a group keeps */
	const struct report_member *members;
	int nmembers;
	const char *const *cols;		/* the output columns after the group keys */
	const enum col_kind *kinds;
	int ncols;
	int nrows;				/* rows per group */
	const char *default_group;		/* -g when none is given, or NULL */
	const char *needs_key;			/* a field -g must include (its index: rr->user_key), or NULL */
	int whole_input;			/* scores the whole input: no --every; --tz for its own dates */
	/* in a worker: what the report cannot do without. 0, or -1 with why[200]. NULL: nothing. */
	int (*check)(const struct acc *acc, const struct slot *s, char *why);
	/* before the groups: a record the report keeps by itself (SLA replies), or what a report
	 * notes of every record (rfm's latest ts). 1 kept, 2 noted (and on to the groups), 0 not
	 * read, -2. NULL: none. */
	int (*intercept)(struct report_run *rr, const struct slot *s);
	/* before the groups are sorted for output (may add groups). 0, or -1 with rr->why. NULL: nothing. */
	int (*prepare)(struct report_run *rr);
	/* after they are sorted. 0, or -1 with rr->why (empty: out of memory). NULL: nothing. */
	int (*sorted)(struct report_run *rr);
	/* whether group g is written (after sorted); NULL: every group */
	int (*keep)(const struct report_run *rr, const struct group *g);
	/* the columns written (a report may leave out the last ones); NULL: ncols */
	int (*columns)(const struct report_run *rr);
	/* --partial: before the groups are written (0, or -1: memory), and a line of its own after them */
	int (*partial_prepare)(struct report_run *rr);
	int (*partial_tail)(const struct report_run *rr, struct buf *b);
	/* --merge: that line, an object whose one member is named tail. 0; -1 (not such a line); -2. */
	const char *tail;
	int (*merge_tail)(struct report_run *rr, const struct jfield *f);
	/* the rows of group g (after keep), or -1 (out of memory). NULL: nrows. */
	int (*rows_of)(struct report_run *rr, const struct group *g);
	/* row number row of group g into vals[0..ncols). 0, or -1 with rr->why (or out of memory). */
	int (*row)(struct report_run *rr, const struct group *g, int row, struct buf *vals);
};

/* The reports, in the order --help lists them; NULL after the last. */
extern const struct report_def *const reports[];
/* The report named s, or NULL. */
const struct report_def *report_find(const char *s, size_t n);

/*
 * The members' accumulators, parsed into acc[0..nmembers) with their fields
 * registered in l (brand: --brand's ID, or NULL; media_followers: networking's
 * --media-followers). 0; -1 with why[200]; -2.
 */
int report_accs(const struct report_def *def, struct rec_layout *l, const char *brand, long long media_followers,
		const struct funnel_exclude *excl, struct acc *acc, char *why);
/* Whether accumulators acc[0..n) (a partial header's) are the report's members. */
int report_fits(const struct report_def *def, const struct acc *acc, int n);

/* A member of a report kind (funnel, orders, sla) takes record s of group g. 0, or -2. */
int report_update(struct report_run *rr, const struct acc *a, void *p, const struct group *g, const struct slot *s);
/* Its state as JSON for --partial (sla: after sla_by_group), and its merge. 0; -1 (*err); -2. */
int report_state_json(const struct report_run *rr, const struct acc *a, const void *p, const struct group *g,
		      struct buf *b);
int report_merge(struct report_run *rr, const struct acc *a, void *p, const struct group *g, const struct jfield *f,
		 const char **err);
/* All the members' states of group g as a JSON array, for --partial; and its merge. As acc.h's. */
int report_states_json(const struct report_run *rr, const struct group *g, struct buf *b);
int report_merge_states(struct report_run *rr, struct group *g, const struct jfield *states, const char **err,
			int *bad);
/*
 * Whether a report's state can be kept in parts and absorbed (acc.h's
 * acc_order_free, and a funnel's people): no record kept by itself, no
 * member that keeps one value of ties.
 */
int report_order_free(const struct report_def *def);
/* A member's state src (of a report kind) absorbed into p, as acc_absorb. */
int report_absorb(const struct acc *a, void *p, void *src, int disjoint);
/* Free what group g's states hold. */
/* The heap bytes of group g's report state (its people, orders, sets). */
size_t report_state_bytes(const struct report_run *rr, const struct group *g);
void report_free_states(const struct report_run *rr, struct group *g);
void report_run_free(struct report_run *rr);

/*
 * The bytes of a group's key slots ks (group_key_slots), its fields but
 * slot skip (-1: none) and not the bucket, into b (emptied): what the
 * reports key per-breakdown state by. 0, or -1 (memory).
 */
int report_key_bytes(const struct report_run *rr, const struct slot *ks, int skip, struct buf *b);
/* A date, days since 1970-01-01, as a JSON string "YYYY-MM-DD". 0, or -1. */
int report_put_date(struct buf *b, long long day);
/*
 * At the end of a --merge, the zone of the partial header (--tz), for a
 * report that works with dates itself. 0, or -1 with rr->why.
 */
int report_use_zone(struct report_run *rr);
/* Shared by the row functions: a ratio, null when den is 0; money over money or a count, in long double. */
int report_put_ratio(struct buf *b, double num, double den);
int report_put_money_ratio(struct buf *b, long double num, long double den);

/*
 * The funnel accumulator's state: its people, each a funnel_row
 * (report.c), in rows; and after a join of parts that hold different
 * people, the other parts' rows in more[], moved there as they were (no
 * copy: funnel_absorb): segment 0 is rows, segment 1 + k is more[k].
 * A lookup (funnel_row) first moves them into rows.
 */
typedef struct funnel_people {
	struct htab_rows rows;	/* first: agg.c prefetches in its index */
	struct htab_rows *more;
	unsigned nmore;
} A_FUNNEL_t;

static inline unsigned funnel_segments(const A_FUNNEL_t *p)
{
	return 1 + p->nmore;
}

static inline const struct htab_rows *funnel_segment(const A_FUNNEL_t *p, unsigned k)
{
	return k ? &p->more[k - 1] : &p->rows;
}

static inline size_t funnel_people_n(const A_FUNNEL_t *p)
{
	size_t n = p->rows.n;
	unsigned k;

	for (k = 0; k < p->nmore; k++)
		n += p->more[k].n;
	return n;
}
#define FUNNEL_MAX_EXCLUDE 4
struct funnel_row {
	struct h128 id;
	long long ts[STAGES];	/* when each stage was first reached; REC_NO_TS: never */
	long long last;		/* the person's latest staged record (--breakdown-by last); FUNNEL_NO_LAST */
	long long excl[];	/* the first time of each --exclude rule's types; REC_NO_TS (as many as rules) */
};
/* How many --exclude times the rows of p hold. */
#define FUNNEL_NEXCL(p) ((int)(((p)->row_size - sizeof(struct funnel_row)) / sizeof(long long)))
#define FUNNEL_NO_LAST LLONG_MIN
/*
 * The funnel's --exclude rules: people who did one of a rule's types before
 * reaching its stage (or, without one, the next stage) go no further.
 * Parsed from "TYPE[,TYPE...][@STAGE]", one rule an option.
 */
struct funnel_exclude {
	int n;
	int stage[FUNNEL_MAX_EXCLUDE];			/* 2-7, or 0: the stage after the one held */
	char types[FUNNEL_MAX_EXCLUDE][128];		/* "refund|chargeback", as a condition's choices */
	char text[FUNNEL_MAX_EXCLUDE * 140];		/* the rules as given, ";" between: the partial header's */
};
/* Add rule s[0..n). 0, or -1 with why[200]. */
int funnel_exclude_add(struct funnel_exclude *x, const char *s, size_t n, char *why);
/* The rules of a partial header's "TEXT;TEXT". 0, or -1. */
int funnel_exclude_parse(struct funnel_exclude *x, const char *s, size_t n);
int funnel_take(A_FUNNEL_t *p, int nexcl, struct h128 person, int stage, long long ts);
int funnel_json(const A_FUNNEL_t *p, int nexcl, struct buf *b);
int funnel_merge_json(A_FUNNEL_t *p, int nexcl, const struct jfield *f, struct jobj *arr, struct jobj *el);
/* p's other segments moved into its rows (a copy). 0, or -2 when out of memory. */
int funnel_flatten(A_FUNNEL_t *p);
void funnel_free(A_FUNNEL_t *p);

extern const struct report_def report_funnel, report_engagement, report_roi, report_sla, report_listening, report_selling,
	report_networking, report_rfm;

#endif
