/*
 * acc.h - accumulators: what vchain-aggregate -a computes per group, with
 * Miller's names (count, sum, mean, p90, ...), and the states reports are
 * built of. Each kind has a state, an update, a value, and a partial form
 * that merges into exactly the state of one pass. A new accumulator is a
 * new kind here: its state, and a case in each function of acc.c.
 */
#ifndef VCHAIN_ACC_H
#define VCHAIN_ACC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cond.h"
#include "dec.h"
#include "htab.h"
#include "json.h"
#include "rec.h"
#include "sketch.h"
#include "writer.h"

enum acc_kind {
	A_COUNT, A_ROWS, A_SUM, A_MIN, A_MAX, A_MEAN, A_STDDEV, A_DISTINCT, A_APPROX,
	A_P50, A_P90, A_P99, A_FIRST, A_LAST,
	/* the reports' own, never given with -a */
	A_LATEST, A_SPAN, A_FUNNEL, A_ORDERS, A_REFS, A_SLA
};
#define ACC_NPUBLIC (A_LAST + 1)
#define ACC_NKINDS (A_SLA + 1)

struct acc_kind_info {
	const char *name;
	int needs_field, numeric;
};
extern const struct acc_kind_info acc_kinds[ACC_NKINDS];

/* ---- the states, one type per kind (typedef'd as <KIND>_t for reports' checked members) ---- */

typedef uint64_t A_COUNT_t, A_ROWS_t;
struct s_text {			/* min, max, first, last */
	char *p;
	uint32_t len, cap;
	uint8_t type, set;
	uint8_t num;		/* min/max: the value is a number (or a string holding one) */
	double x;		/* min/max of numbers */
};
typedef struct s_text A_MIN_t, A_MAX_t, A_FIRST_t, A_LAST_t;
struct s_sum {			/* sum, mean */
	struct dec sum;
	uint64_t n;
};
typedef struct s_sum A_SUM_t, A_MEAN_t;
struct s_std {			/* exact sums of x and x^2: the same whatever the order or sharding */
	struct dec sum, sum2;
	uint64_t n;
};
typedef struct s_std A_STDDEV_t;
struct s_vals {			/* p50, p90, p99: every value */
	double *v;
	size_t n, cap;
	int sorted;		/* v is sorted (the field's first percentile sorted it) */
};
typedef struct s_vals A_P50_t, A_P90_t, A_P99_t;
struct s_set {			/* distinct: the values' hashes */
	struct htab h;
	struct htab *more;	/* sets of other values, each a part's (agg_join), kept as they were */
	size_t nmore;
};
typedef struct s_set A_DISTINCT_t;
/* The number of distinct values a set holds. */
uint64_t acc_distinct_count(const struct s_set *set);
typedef struct hll A_APPROX_t;
struct s_latest {		/* the value with the latest ts (ties: the larger) */
	struct s_text t;
	long long ts;		/* LLONG_MIN: no ts */
};
typedef struct s_latest A_LATEST_t;
struct s_span {			/* the earliest and latest ts of the records taken (those with one) */
	long long lo, hi;
	uint64_t n;		/* records with a ts; 0: lo and hi mean nothing */
};
typedef struct s_span A_SPAN_t;

/* ---- an accumulator as given: "sum:revenue", or a report's "count?type=like" ---- */

struct acc {
	enum acc_kind kind;
	int slot;		/* its field's slot, or -1 */
	int xs[4];		/* the report kinds' other fields (acc.c's acc_parse says which) */
	char *out;		/* output name: revenue_sum, count, ... */
	char *spec;		/* as given: a partial header repeats it */
	struct cond cond;	/* the records it takes (a report's); none: every record */
	size_t state;		/* offset of its state in a group's block */
};

/*
 * Parse spec[0..n) into a, registering its fields in l; internal allows
 * the report kinds and a condition after '?'. 0; -1 with why[200]; -2 when
 * out of memory.
 */
int acc_parse(struct acc *a, struct rec_layout *l, const char *spec, size_t n, int internal, char *why);
void acc_free(struct acc *a);
/* Bytes of a kind's state (the report kinds' are the report's: 0). */
size_t acc_state_size(enum acc_kind k);
/* Whether two accumulators keep one state (the percentiles of one field do). */
int acc_share_state(const struct acc *a, const struct acc *b);
/* Lay out the states of acc[0..n) in a group's block, each 16-byte aligned; the block's size. */
size_t acc_layout(struct acc *acc, int n);
/* Whether acc[i] keeps no state of its own (a percentile after its field's first). */
int acc_shared(const struct acc *acc, int i);
/* The states of acc[0..n) in block as a JSON array, for --partial (a shared one as null). */
int acc_states_json(const struct acc *acc, int n, const unsigned char *block, struct buf *b);
/*
 * Merge states[0..n) (a partial line's, in acc order) into block; arr and
 * tmp are scratch. 0; -1 with *err and *bad (the accumulator); -2.
 */
int acc_merge_states(const struct acc *acc, int n, unsigned char *block, const struct jfield *states,
		     struct jobj *arr, struct buf *tmp, const char **err, int *bad);
/*
 * Whether a kind's state comes out the same whatever order its records
 * came in, and whatever parts they were cut into (counts, exact sums,
 * sets, values to sort): such states can be kept in parts and absorbed.
 * min, max, first, last and latest keep one value of ties: not these.
 */
int acc_order_free(enum acc_kind k);
/*
 * An order-free state src taken into p, in memory (what --merge does with
 * its text): src is left empty or as it was, for acc_free_state. disjoint:
 * src's values are none of p's (its field cut the records into parts), so
 * a set is kept beside p's as it is, not put in. 0; -1 (a sum beyond 38
 * digits); -2 (memory).
 */
int acc_absorb(enum acc_kind k, void *p, void *src, int disjoint);
/* Free what the states of acc[0..n) in block hold. */
void acc_free_states(const struct acc *acc, int n, unsigned char *block);
/* How a table shows a kind's values (writer.h). */
enum col_kind acc_col_kind(enum acc_kind k);
/*
 * The record s into accumulator a's state p (w: the count weight's slot, or
 * NULL). Not for the report kinds. 0, -1 (a sum beyond 38 digits), -2.
 */
int acc_update(const struct acc *a, void *p, const struct slot *s, const struct slot *w);
/* latest: value v at time ts (LLONG_MIN: none). 0, or -2. */
int acc_latest_take(struct s_latest *t, const struct slot *v, long long ts);
/* A record at ts (epoch ms) into a span. */
void acc_span_take(struct s_span *t, long long ts);
/* min/max/first/last: take the text of v as the value. 0, or -1 when out of memory. */
int acc_text_set(struct s_text *t, const struct slot *v);
/* The value as JSON (percentiles sort their values the first time). */
int acc_value(enum acc_kind k, void *p, struct buf *b);
/* Where the q-quantile of n sorted values is: Miller's non-interpolated percentile. */
size_t acc_percentile_at(double q, size_t n);
/* The state as JSON, for --partial. */
int acc_state_json(enum acc_kind k, const void *p, struct buf *b);
/*
 * Merge a state written by acc_state_json into p; arr and tmp are scratch.
 * 0; -1 with *err; -2 when out of memory.
 */
int acc_merge_json(enum acc_kind k, void *p, const struct jfield *f, struct jobj *arr, struct buf *tmp,
		   const char **err);
/* A JSON member as a slot: null as absent, strings decoded into tmp. 0, or -1 when out of memory. */
int acc_slot_of(const struct jfield *f, struct buf *tmp, struct slot *s);
/* What a state holds besides itself. */
/* The heap bytes a state holds beyond its block (a set, values kept, text). */
size_t acc_state_bytes(enum acc_kind k, const void *p);
void acc_free_state(enum acc_kind k, void *p);

#endif
