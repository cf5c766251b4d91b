/*
 * vchain-aggregate - group-by metrics over NDJSON events, the way Miller's
 * stats1/count and SQL's GROUP BY do them, with exact money.
 *
 * Workers scan each line (strict JSON) and pull out only the fields the
 * groups and accumulators need, as a compact record; the commit step, in
 * input order, finds the group (one 128-bit hash table) and updates its
 * accumulators. At the end the groups are sorted by their key and written
 * as NDJSON, CSV, TSV or an aligned table.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/cli.h"
#include "lib/csvrec.h"
#include "lib/dec.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/event.h"
#include "lib/hash.h"
#include "lib/htab.h"
#include "lib/input.h"
#include "lib/json.h"
#include "lib/out.h"
#include "lib/par.h"
#include "lib/ts.h"
#include "lib/vocab.h"

#define MAX_SLOTS 64		/* fields a record is reduced to */
#define HLL_P 12		/* 4096 registers: standard error 1.04 / 64 = 1.6% */
#define HLL_M (1u << HLL_P)
#define ABSENT 0xFF		/* slot type: the field is not in the record */
#define T_MS 0xFE		/* slot type: a ts as 8 bytes of epoch milliseconds */
#define NO_TS LLONG_MAX		/* a time never reached */

/*
 * Room for one more element in array a, of which n are used and cap
 * allocated: doubles it (first: the first size). 0, or -1 out of memory.
 */
#define GROW(a, n, cap, first) ((n) < (cap) ? 0 : grow_array(&(a), &(cap), sizeof(*(a)), (first)))

static int grow_array(void *array, size_t *cap, size_t size, size_t first)
{
	size_t c = *cap ? 2 * *cap : first;
	void *p, *np;

	memcpy(&p, array, sizeof(p));	/* array is the address of any object pointer */
	if (!(np = realloc(p, c * size)))
		return -1;
	memcpy(array, &np, sizeof(np));
	*cap = c;
	return 0;
}

enum acc_kind {
	A_COUNT, A_ROWS, A_SUM, A_MIN, A_MAX, A_MEAN, A_STDDEV, A_DISTINCT, A_APPROX,
	A_P50, A_P90, A_P99, A_FIRST, A_LAST,
	/* the reports' own, never given with -a */
	A_LATEST, A_FUNNEL, A_ORDERS, A_SLA
};
static const struct {
	const char *name;
	int needs_field, numeric;
} acc_info[] = {
	[A_COUNT] = { "count", 0, 0 }, [A_ROWS] = { "rows", 0, 0 },
	[A_SUM] = { "sum", 1, 1 }, [A_MIN] = { "min", 1, 0 }, [A_MAX] = { "max", 1, 0 },
	[A_MEAN] = { "mean", 1, 1 }, [A_STDDEV] = { "stddev", 1, 1 },
	[A_DISTINCT] = { "distinct", 1, 0 }, [A_APPROX] = { "approx_distinct", 1, 0 },
	[A_P50] = { "p50", 1, 1 }, [A_P90] = { "p90", 1, 1 }, [A_P99] = { "p99", 1, 1 },
	[A_FIRST] = { "first", 1, 0 }, [A_LAST] = { "last", 1, 0 },
	[A_LATEST] = { "latest", 1, 1 }, [A_FUNNEL] = { "funnel", 0, 0 },
	[A_ORDERS] = { "orders", 0, 0 }, [A_SLA] = { "sla", 0, 0 },
};
#define NPUBLIC (A_LAST + 1)
#define NKINDS (sizeof(acc_info) / sizeof(acc_info[0]))

enum every { EVERY_NONE, EVERY_HOUR, EVERY_DAY, EVERY_WEEK, EVERY_MONTH };
static const char *const every_name[] = { "", "hour", "day", "week", "month" };

enum format { OUT_NDJSON, OUT_CSV, OUT_TSV, OUT_TABLE };

enum report { R_NONE, R_FUNNEL, R_ENGAGEMENT, R_ROI, R_SLA, R_LISTENING };
static const char *const report_name[] = { "", "funnel", "engagement", "roi", "sla", "listening" };
#define NREPORTS 6

/*
 * How a slot holds its field: as it is, as the --every bucket, as epoch ms
 * (T_MS), or as the 16-byte hash the field's value is known by (its type
 * byte kept): workers hash in parallel, and the commit step can load a
 * table slot records ahead.
 */
enum slot_kind { SK_PLAIN, SK_BUCKET, SK_MS, SK_HASH };

/* A test in a report accumulator's condition: F=a|b| (an empty choice is absent), F<x, F>x, F~ (present). */
struct test {
	int slot;
	char op;
	int nvals;
	char **vals;
	double x;
};
struct cond {			/* holds when all its tests do */
	struct test *t;
	int nt;
};

struct acc {
	enum acc_kind kind;
	int slot;		/* the field's slot in a reduced record, or -1 */
	int xs[4];		/* the report kinds' other fields (see add_acc) */
	char *out;		/* output name: revenue_sum, count, ... */
	char *spec;		/* as given: the partial header repeats it */
	struct cond *alt;	/* takes a record when one alternative holds; none: every record */
	int nalt;
	size_t state;		/* offset of its state in a group's block */
};

struct spend_row {
	char *key, *date;	/* key NULL: an empty cell (the null group); date NULL: none */
	struct dec spend;
	uint64_t line;
};

struct opts {
	char *groups[MAX_SLOTS];
	int ngroups;
	struct acc *acc;
	int nacc;
	/* the fields a record is reduced to: groups first, then accumulator fields */
	char *slot_name[MAX_SLOTS];
	int slot_numeric[MAX_SLOTS];	/* must be a number (sum, mean, ...) */
	enum slot_kind slot_kind[MAX_SLOTS];
	int nslots;
	int count_slot;			/* the "count" weight's slot, or -1 */
	int ts_slot;			/* for --every, or -1 */
	enum every every;
	enum format format;
	int stats;
	int partial, merge;		/* write mergeable state; read it */
	int from;			/* enum in_format; a tab-separated --from tsv sets tsv */
	int tsv;
	/* --report */
	enum report report;
	int internal;			/* accumulator specs of reports are accepted */
	int conditional;		/* some accumulator takes only some records */
	const char *brand;		/* engagement: the brand's user_id */
	long long window_ms;		/* funnel: progress within this of the first event */
	long long respond_ms, resolve_ms;	/* sla: 12 h and 24 h */
	const char *spend;		/* roi: the spend table */
	struct spend_row *sp;		/* its rows */
	size_t nsp;
	const char *sp_col;		/* its key: campaign or platform */
	int sla_opts;			/* --respond-within or --resolve-within given */
	struct drive d;
};

enum in_format { IN_AUTO, IN_NDJSON, IN_CSV };

/* The input being read, as the workers see it (set while none runs). */
struct current {
	enum in_format fmt;
	char delim;
	int col_of[MAX_SLOTS];	/* CSV: the column of each slot, or -1 */
	size_t ncol;
};

struct worker {
	const struct opts *o;
	const struct current *cur;
	struct jobj obj;
	struct csvrec csv;
	struct buf tmp;
};

/* Per group: its key (the reduced group slots) and a block of accumulator states. */
struct group {
	const unsigned char *key;	/* slots: type, u32 length, bytes */
	size_t klen;
	unsigned char *st;
	uint32_t id;			/* in order of creation: sorting keeps it */
};

struct s_text {			/* min, max, first, last */
	char *p;
	uint32_t len, cap;
	uint8_t type, set;
	uint8_t num;		/* min/max: the value is a number (or a string holding one) */
	double x;		/* min/max of numbers */
};
struct s_sum {			/* sum, mean */
	struct dec sum;
	uint64_t n;
};
struct s_std {			/* exact sums of x and x^2: the same whatever the order or sharding */
	struct dec sum, sum2;
	uint64_t n;
};
struct s_vals {			/* p50, p90, p99: every value */
	double *v;
	size_t n, cap;
	int sorted;		/* v is sorted (the field's first percentile sorted it) */
};
struct s_latest {		/* engagement's followers: the value with the latest ts */
	struct s_text t;
	long long ts;		/* LLONG_MIN: no ts */
};
struct person {			/* funnel: when each stage was first reached */
	struct h128 id;
	long long ts[7];	/* NO_TS: never */
};
struct s_funnel {
	struct htab people;	/* person hash -> index in row */
	struct person *row;
	size_t n, cap;
};
struct cust {			/* roi, per customer */
	struct h128 id;
	long long first_ts;	/* of the first purchase; NO_TS: none with a ts */
	uint64_t noid;		/* purchases without an order_id */
	uint64_t norders;	/* distinct order_ids */
};
struct pair {			/* a customer's order (user {0,0}: a purchase without user_id) */
	struct h128 user, order;
};
struct s_orders {
	struct htab users;	/* user hash -> index in c */
	struct cust *c;
	size_t n, cap;
	struct htab pairs;	/* hash of each pair, a set */
	struct pair *p;
	size_t np, pcap;
	struct htab orders;	/* order_id hashes, a set */
	uint64_t anon_noid;	/* purchases with neither user_id nor order_id */
};
#define NO_GROUP UINT32_MAX
struct sla_ent {		/* an inbound message (by its event_id), or a reply to one not seen */
	struct h128 id;
	long long in_ts, resp_ts, res_ts;	/* NO_TS: none */
	uint32_t group;		/* the inbound's group id; NO_GROUP: not seen */
	uint8_t has_id;
};
struct sla_tally {		/* a group's inbound messages, for the output */
	uint64_t inbound, responded, resolved, resp_in_time, res_in_time;
	size_t d0, dn;		/* its response delays, in run.delay */
};

struct run {
	struct opts *o;
	struct drive *d;
	struct current cur;
	struct csvrec hcsv;	/* splits CSV headers, in the calling thread */
	/* --merge */
	char *header;		/* the first input's header line, which every input must repeat */
	int saw_header;		/* in the input being read */
	struct jobj jo[5];
	struct buf tmp;
	struct htab index;	/* key hash -> group number */
	struct group *g;
	size_t ng, gcap;
	size_t block;		/* bytes of accumulator state per group */
	struct arena keys;
	uint64_t read, rejected, blank;	/* read = aggregated + rejected + blank */
	uint64_t unused;			/* of the aggregated: read by no metric of the report */
	int failed;
	/* sla: inbound messages and replies, by event_id */
	struct htab sla_idx;
	struct sla_ent *sla;
	size_t nsla, slacap;
	struct sla_tally *tally;	/* by group id, for the output */
	double *delay;			/* hours */
	size_t *sla_order;		/* entries by group id, for --partial */
	size_t *sla_start;
	/* roi --spend */
	struct dec *spend_of;		/* by group id */
	size_t nspend_cap;
	uint8_t *has_spend;
	uint64_t *new_of;		/* new customers, by group id */
	int pf_acc, pf_slot;		/* the accumulator and slot to prefetch for, or -1 */
	/* funnel: people per furthest stage, of the group being written */
	uint64_t users[9];
	uint64_t staged;		/* records with a stage */
};

static void usage(FILE *f)
{
	fputs("usage: vchain-aggregate [-h] [--version] [-g FIELD[,FIELD...]] [-a ACC[,ACC...]]\n"
	      "                        [--report NAME [--window DUR] [--brand ID] [--spend FILE]\n"
	      "                        [--respond-within DUR] [--resolve-within DUR]]\n"
	      "                        [--every hour|day|week|month] [--format FORMAT]\n"
	      "                        [--from FMT] [--partial] [--merge]\n"
	      "                        [-o FILE] [-j N] [--rejects FILE] [--stats]\n"
	      "                        [--max-line SIZE] [FILE ...]\n"
	      "\n"
	      "Group NDJSON records and compute metrics per group, one record per group,\n"
	      "sorted by the group key. Reads the FILEs (or stdin), plain or gzip.\n"
	      "\n"
	      "  -g, --group-by F,..  group by these fields (absent = its own group, null)\n"
	      "  -a, --acc ACC,..     accumulators (default: count):\n"
	      "                         count (sums the count field, 1 when absent), rows,\n"
	      "                         sum:F min:F max:F mean:F stddev:F distinct:F\n"
	      "                         approx_distinct:F p50:F p90:F p99:F first:F last:F\n"
	      "      --report NAME    a value-chain report instead of -a: funnel, engagement,\n"
	      "                       roi, sla, listening (fields in vchain-aggregate(1))\n"
	      "      --window DUR     funnel: stages reached within DUR of the first event\n"
	      "      --brand ID       engagement: the brand account's records give followers\n"
	      "      --spend FILE     roi: CSV of campaign or platform, spend[, date]\n"
	      "      --respond-within DUR  sla: the response limit (default 12h)\n"
	      "      --resolve-within DUR  sla: the resolve limit (default 24h)\n"
	      "      --every UNIT     add a time bucket of ts: hour, day, week (ISO, from\n"
	      "                       Monday), month; UTC\n"
	      "      --format FMT     ndjson (default), csv, tsv, table\n"
	      "      --from FMT       input: ndjson, csv, tsv (default: by name, .csv/.tsv,\n"
	      "                       else by the first byte: '{' is NDJSON)\n"
	      "      --partial        write each group's mergeable state, not results\n"
	      "      --merge          read partial results (of shards, in order) and merge\n"
	      "  -o, --output FILE    write to FILE instead of stdout\n"
	      "      --rejects FILE   go on past bad records, writing them to FILE byte-exact\n"
	      "      --stats          records read, rejected, groups, memory (stderr)\n"
	      "      --max-line SIZE  longest line accepted (default 16M)\n"
	      "  -j, --threads N      threads in all (default: the number of CPUs)\n"
	      "  -h, --help           this help\n"
	      "      --version        version and gzip decoders\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data or I/O error, 2 usage error.\n"
	      "See vchain-aggregate(1).\n", f);
}

static int slot_of(struct opts *o, const char *name, size_t n, int numeric, enum slot_kind kind)
{
	int i;

	for (i = 0; i < o->nslots; i++)
		if (strlen(o->slot_name[i]) == n && !memcmp(o->slot_name[i], name, n) &&
		    o->slot_kind[i] == kind) {
			o->slot_numeric[i] |= numeric;
			return i;
		}
	if (o->nslots == MAX_SLOTS)
		return -1;
	o->slot_name[o->nslots] = strndup(name, n);
	if (!o->slot_name[o->nslots])
		return -1;
	o->slot_numeric[o->nslots] = numeric;
	o->slot_kind[o->nslots] = kind;
	return o->nslots++;
}

/* One test of a condition, t[0..n): F=a|b, F<x, F>x or F~. 0, or -1. */
static int parse_test(struct opts *o, struct test *t, const char *s, size_t n)
{
	size_t k = strcspn(s, "=<>~"), j;
	const char *v, *bar;
	char num[64], *end;

	if (k >= n || k == 0)
		return -1;
	memset(t, 0, sizeof(*t));
	t->op = s[k];
	v = s + k + 1;
	n -= k + 1;
	t->slot = slot_of(o, s, k, t->op == '<' || t->op == '>', SK_PLAIN);
	if (t->slot < 0)
		return -1;
	if (t->op == '~')
		return n ? -1 : 0;
	if (t->op != '=') {
		if (!n || n >= sizeof(num))
			return -1;
		memcpy(num, v, n);
		num[n] = '\0';
		t->x = strtod(num, &end);
		return *end ? -1 : 0;
	}
	for (j = 0;; j++) {
		char **vals = realloc(t->vals, (j + 1) * sizeof(*vals));

		if (!vals)
			return -1;
		t->vals = vals;
		bar = memchr(v, '|', n);
		if (!(t->vals[j] = strndup(v, bar ? (size_t)(bar - v) : n)))
			return -1;
		t->nvals = (int)j + 1;
		if (!bar)
			return 0;
		n -= (size_t)(bar + 1 - v);
		v = bar + 1;
	}
}

/* A condition: alternatives split by ';', each tests split by '&'. 0, or -1. */
static int parse_cond(struct opts *o, struct acc *a, const char *s, size_t n)
{
	const char *end = s + n, *semi, *amp;

	for (; s <= end; s = semi + 1) {
		struct cond *c;

		semi = memchr(s, ';', (size_t)(end - s));
		if (!semi)
			semi = end;
		if (!(c = realloc(a->alt, (size_t)(a->nalt + 1) * sizeof(*c))))
			return -1;
		a->alt = c;
		c = &a->alt[a->nalt++];
		memset(c, 0, sizeof(*c));
		for (; s <= semi; s = amp + 1) {
			struct test *t;

			amp = memchr(s, '&', (size_t)(semi - s));
			if (!amp)
				amp = semi;
			if (!(t = realloc(c->t, (size_t)(c->nt + 1) * sizeof(*t))))
				return -1;
			c->t = t;
			if (parse_test(o, &c->t[c->nt], s, (size_t)(amp - s)) < 0)
				return -1;
			c->nt++;
		}
	}
	o->conditional = 1;
	return 0;
}

static int add_acc(struct opts *o, const char *spec, size_t n)
{
	const char *q = o->internal ? memchr(spec, '?', n) : NULL, *colon;
	size_t all = n, kl, k, nk = o->internal ? NKINDS : NPUBLIC;
	struct acc *a;

	if (q)
		n = (size_t)(q - spec);	/* a report's condition follows the '?' */
	colon = memchr(spec, ':', n);
	kl = colon ? (size_t)(colon - spec) : n;
	for (k = 0; k < nk; k++)
		if (strlen(acc_info[k].name) == kl && !memcmp(acc_info[k].name, spec, kl))
			break;
	if (k == nk) {
		diag("-a: unknown accumulator '%.*s' (count, rows, sum, min, max, mean, stddev, "
		     "distinct, approx_distinct, p50, p90, p99, first, last)", (int)kl, spec);
		return -1;
	}
	if (acc_info[k].needs_field != (colon != NULL) || (colon && colon + 1 == spec + n)) {
		diag(acc_info[k].needs_field ? "-a: '%.*s' needs a field, as in %s:revenue"
					     : "-a: '%.*s' takes no field", (int)n, spec, acc_info[k].name);
		return -1;
	}
	a = realloc(o->acc, (size_t)(o->nacc + 1) * sizeof(*a));
	if (!a)
		return -1;
	o->acc = a;
	a = &o->acc[o->nacc++];
	memset(a, 0, sizeof(*a));
	a->kind = (enum acc_kind)k;
	a->slot = -1;
	if (!(a->spec = strndup(spec, all)))
		return -1;
	if (q && parse_cond(o, a, q + 1, all - n - 1) < 0) {
		diag("a report accumulator with a bad condition: %.*s", (int)all, spec);
		return -1;
	}
	/* the fields the report kinds read */
	switch (a->kind) {
	case A_LATEST:
		a->xs[0] = slot_of(o, "ts", 2, 0, SK_MS);
		break;
	case A_FUNNEL:
		a->slot = slot_of(o, "user_id", 7, 0, SK_HASH);
		a->xs[0] = slot_of(o, "stage", 5, 1, SK_PLAIN);
		a->xs[1] = slot_of(o, "ts", 2, 0, SK_MS);
		break;
	case A_ORDERS:
		a->slot = slot_of(o, "user_id", 7, 0, SK_HASH);
		a->xs[0] = slot_of(o, "order_id", 8, 0, SK_HASH);
		a->xs[1] = slot_of(o, "ts", 2, 0, SK_MS);
		break;
	case A_SLA:
		a->xs[0] = slot_of(o, "type", 4, 0, SK_PLAIN);
		a->xs[1] = slot_of(o, "event_id", 8, 0, SK_HASH);
		a->xs[2] = slot_of(o, "reply_to", 8, 0, SK_HASH);
		a->xs[3] = slot_of(o, "ts", 2, 0, SK_MS);
		break;
	default:
		break;
	}
	if ((k == A_FUNNEL || k == A_ORDERS) && a->slot < 0)
		a->xs[0] = -1;
	if (a->xs[0] < 0 || a->xs[1] < 0 || a->xs[2] < 0 || a->xs[3] < 0) {
		diag("-a: more than %d fields", MAX_SLOTS);
		return -1;
	}
	if (colon) {
		size_t fl = n - kl - 1;

		a->slot = slot_of(o, colon + 1, fl, acc_info[k].numeric, k == A_DISTINCT ? SK_HASH : SK_PLAIN);
		if (a->slot < 0)
			return -1;
		a->out = malloc(fl + strlen(acc_info[k].name) + 2);
		if (!a->out)
			return -1;
		sprintf(a->out, "%.*s_%s", (int)fl, colon + 1, acc_info[k].name);
	} else {
		a->out = strdup(acc_info[k].name);
		if (!a->out)
			return -1;
	}
	if (q) {	/* a report's: named by its spec, which no -a can repeat */
		free(a->out);
		if (!(a->out = strdup(a->spec)))
			return -1;
	}
	return 0;
}

/* Split a comma list, calling fn on each item. */
static int each_item(const char *list, int (*fn)(struct opts *, const char *, size_t), struct opts *o)
{
	const char *p = list, *c;

	for (;;) {
		c = strchr(p, ',');
		if ((c ? (size_t)(c - p) : strlen(p)) == 0) {
			diag("empty item in '%s'", list);
			return -1;
		}
		if (fn(o, p, c ? (size_t)(c - p) : strlen(p)) < 0)
			return -1;
		if (!c)
			return 0;
		p = c + 1;
	}
}

static int add_group(struct opts *o, const char *name, size_t n)
{
	if (o->ngroups == MAX_SLOTS || o->nslots == MAX_SLOTS) {
		diag("-g: at most %d fields", MAX_SLOTS);
		return -1;
	}
	o->groups[o->ngroups] = strndup(name, n);
	if (!o->groups[o->ngroups])
		return -1;
	o->ngroups++;
	return 0;
}

/*
 * What each report keeps per group, as accumulators: the output step reads
 * them in this order. Conditions pick the records each one takes.
 */
#define TYPES_SEEN "type=impression|view"
#define TYPES_ENGAGED "type=like|comment|share"
static const char *const report_specs[NREPORTS][9] = {
	[R_FUNNEL] = { "funnel?user_id~&stage>0" },
	[R_ENGAGEMENT] = { "count?" TYPES_SEEN, "count?" TYPES_ENGAGED, "latest:followers?followers~&user_id=",
			   "min:platform?" TYPES_SEEN ";" TYPES_ENGAGED,
			   "max:platform?" TYPES_SEEN ";" TYPES_ENGAGED },
	[R_ROI] = { "sum:revenue?type=purchase", "sum:revenue?type=refund", "orders?type=purchase" },
	[R_SLA] = { "sla?type=complaint|dm;type=mention&sentiment<0" },
	[R_LISTENING] = { "count?type=mention", "mean:sentiment?type=mention",
			  "rows?type=mention&sentiment>0", "rows?type=mention&sentiment<0",
			  "count?type=follow", "count?type=unfollow", "count?type=refund",
			  "count?type=purchase" },
};

/* The report's accumulators (the brand's account adds to the followers' condition). */
static int report_accs(struct opts *o)
{
	int i;

	o->internal = 1;
	for (i = 0; report_specs[o->report][i]; i++) {
		const char *spec = report_specs[o->report][i];
		char t[300];

		if (o->brand && !strcmp(spec, "latest:followers?followers~&user_id=")) {
			snprintf(t, sizeof(t), "%s|%s", spec, o->brand);
			spec = t;
		}
		if (add_acc(o, spec, strlen(spec)) < 0)
			return -1;
	}
	return 0;
}

/* Whether the accumulators are the ones the report reads (a partial header's). */
static int report_fits(const struct opts *o)
{
	int i;

	for (i = 0; report_specs[o->report][i]; i++) {
		const char *spec = report_specs[o->report][i];
		size_t n = strcspn(spec, ":?");

		if (i >= o->nacc || strlen(acc_info[o->acc[i].kind].name) != n ||
		    memcmp(acc_info[o->acc[i].kind].name, spec, n))
			return 0;
	}
	return i == o->nacc;
}

/* Slots and accumulators from the groups (already in o) and the -a lists. */
static int configure(struct opts *o, const char *const *accs, int nacc)
{
	int i, j;

	/* the slots: group fields, then accumulator fields, then count and ts */
	for (i = 0; i < o->ngroups; i++)
		if (slot_of(o, o->groups[i], strlen(o->groups[i]), 0, SK_PLAIN) != i) {
			diag("-g: '%s' given twice", o->groups[i]);
			return -1;
		}
	for (i = 0; i < nacc; i++)
		if (each_item(accs[i], add_acc, o) < 0)
			return -1;
	if (o->report && !o->merge && report_accs(o) < 0)
		return -1;
	if (o->report && !report_fits(o)) {
		diag("partial results of a %s report with other accumulators", report_name[o->report]);
		return -1;
	}
	if (!nacc && !o->report && add_acc(o, "count", 5) < 0)
		return -1;
	if (o->conditional && o->nacc > 64) {
		diag("a report of more than 64 accumulators");	/* a 64-bit mask says which take a record */
		return -1;
	}
	o->count_slot = o->ts_slot = -1;
	for (i = 0; i < o->nacc; i++)
		if (o->acc[i].kind == A_COUNT)
			o->count_slot = slot_of(o, "count", 5, 0, SK_PLAIN);
	if (o->every)
		o->ts_slot = slot_of(o, "ts", 2, 0, SK_BUCKET);
	for (i = 0; i < o->nacc; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(o->acc[i].out, o->acc[j].out)) {
				diag("-a: '%s' given twice", o->acc[i].out);
				return -1;
			}
	return 0;
}

/*
 * roi --spend FILE: a CSV table with a header naming campaign or platform
 * (the key), spend, and optionally date. 0, or -1 after saying why.
 */
static int spend_load(struct opts *o)
{
	FILE *fp = fopen(o->spend, "rb");
	struct buf text = BUF_INIT;
	struct csvrec cr;
	char chunk[65536], *cell;
	const char *p, *end;
	size_t got, len;
	uint64_t nl, line = 1;
	long n, ncol = 0, kc = -1, dc = -1, sc = -1, k;
	int rc = -1;

	if (!fp) {
		diag("%s: cannot open: %s", o->spend, strerror(errno));
		return -1;
	}
	if (csvrec_init(&cr, ',', '"') < 0) {
		fclose(fp);
		return diag("out of memory"), -1;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_add(&text, chunk, got) < 0)
			goto oom;
	if (ferror(fp)) {
		diag("%s: cannot read: %s", o->spend, strerror(errno));
		goto done;
	}
	if ((!text.len || text.p[text.len - 1] != '\n') && buf_addc(&text, '\n') < 0)
		goto oom;
	p = text.p;
	end = text.p + text.len;
	if (end - p >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	for (; p < end; p += len + 1, line += nl + 1) {
		len = in_record_len(p, (size_t)(end - p), '"', ',', &nl);
		if (len == 0 || (len == 1 && *p == '\r'))
			continue;
		n = csvrec_split(&cr, p, len);
		if (n == -2)
			goto oom;
		if (n < 0) {
			diag_at(o->spend, line, "%s", cr.err);
			goto done;
		}
		if (!ncol) {	/* the header */
			ncol = n;
			for (k = 0; k < n; k++) {
				const char *h = cr.f[k];
				size_t hl = cr.flen[k];

				if ((hl == 8 && !memcmp(h, "campaign", 8)) || (hl == 8 && !memcmp(h, "platform", 8))) {
					if (kc >= 0) {
						diag_at(o->spend, line, "both campaign and platform: spend is by one of them");
						goto done;
					}
					kc = k;
					o->sp_col = h[0] == 'c' ? "campaign" : "platform";
				} else if (hl == 4 && !memcmp(h, "date", 4))
					dc = k;
				else if (hl == 5 && !memcmp(h, "spend", 5))
					sc = k;
			}
			if (kc < 0 || sc < 0) {
				diag_at(o->spend, line, "the header needs campaign or platform, and spend "
					"(and may have date)");
				goto done;
			}
			continue;
		}
		if (n != ncol) {
			diag_at(o->spend, line, "%ld fields, the header has %ld", n, ncol);
			goto done;
		}
		if (o->nsp % 256 == 0) {
			struct spend_row *ns = realloc(o->sp, (o->nsp + 256) * sizeof(*ns));

			if (!ns)
				goto oom;
			o->sp = ns;
		}
		memset(&o->sp[o->nsp], 0, sizeof(o->sp[0]));
		o->sp[o->nsp].line = line;
		if (dec_parse(cr.f[sc], cr.flen[sc], &o->sp[o->nsp].spend) < 0) {
			diag_at(o->spend, line, "spend: not a number: %.*s", (int)(cr.flen[sc] > 60 ? 60 : cr.flen[sc]),
				cr.f[sc]);
			goto done;
		}
		if (cr.flen[kc] && !(o->sp[o->nsp].key = strndup(cr.f[kc], cr.flen[kc])))
			goto oom;
		o->nsp++;	/* freed from here on */
		if (dc >= 0 && cr.flen[dc]) {
			long long ms;
			struct jfield f;

			memset(&f, 0, sizeof(f));
			f.type = J_STR;
			f.val = cr.f[dc];
			f.vlen = (uint32_t)cr.flen[dc];
			if (event_ts_ms(&f, &ms) < 0) {
				diag_at(o->spend, line, "date: not a date: %.*s", (int)(f.vlen > 60 ? 60 : f.vlen), f.val);
				goto done;
			}
			if (!(cell = strndup(cr.f[dc], cr.flen[dc])))
				goto oom;
			o->sp[o->nsp - 1].date = cell;
		}
	}
	if (!ncol) {
		diag("%s: empty: no header", o->spend);
		goto done;
	}
	rc = 0;
	goto done;
oom:
	diag("out of memory");
done:
	fclose(fp);
	buf_free(&text);
	csvrec_free(&cr);
	return rc;
}

/* Each report's options go with it (with --merge, the partial header says the report). 0, or -1. */
static int report_options(const struct opts *o)
{
	const struct { int given; enum report r; const char *name; } need[] = {
		{ o->brand != NULL, R_ENGAGEMENT, "--brand" },
		{ o->window_ms != 0, R_FUNNEL, "--window" },
		{ o->sla_opts, R_SLA, "--respond-within and --resolve-within" },
		{ o->spend != NULL, R_ROI, "--spend" },
	};
	int i;

	for (i = 0; i < 4; i++)
		if (need[i].given && o->report != need[i].r) {
			diag("%s goes with --report %s", need[i].name, report_name[need[i].r]);
			return -1;
		}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_EVERY = 256, OPT_FORMAT, OPT_REJECTS, OPT_STATS, OPT_PARTIAL, OPT_MERGE, OPT_FROM,
	       OPT_REPORT, OPT_BRAND, OPT_WINDOW, OPT_RESPOND, OPT_RESOLVE, OPT_SPEND };
	static const struct option longopts[] = {
		{ "group-by", required_argument, NULL, 'g' },
		{ "acc", required_argument, NULL, 'a' },
		{ "every", required_argument, NULL, OPT_EVERY },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "rejects", required_argument, NULL, OPT_REJECTS },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "partial", no_argument, NULL, OPT_PARTIAL },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "brand", required_argument, NULL, OPT_BRAND },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "respond-within", required_argument, NULL, OPT_RESPOND },
		{ "resolve-within", required_argument, NULL, OPT_RESOLVE },
		{ "spend", required_argument, NULL, OPT_SPEND },
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *accs[64];
	int nacc = 0, c, i, k;

	memset(o, 0, sizeof(*o));
	o->respond_ms = 12 * 3600000LL;
	o->resolve_ms = 24 * 3600000LL;
	if (drive_init(&o->d) < 0)
		return -1;
	o->d.json_lines = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":g:a:" DRIVE_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (each_item(optarg, add_group, o) < 0)
				return -1;
			break;
		case 'a':
			if (nacc == 64) {
				diag("-a: too many");
				return -1;
			}
			accs[nacc++] = optarg;
			break;
		case OPT_EVERY:
			for (i = 1; i < 5 && strcmp(optarg, every_name[i]); i++)
				;
			if (i == 5) {
				diag("--every: '%s' is not hour, day, week or month", optarg);
				return -1;
			}
			o->every = (enum every)i;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "ndjson") || !strcmp(optarg, "jsonl"))
				o->format = OUT_NDJSON;
			else if (!strcmp(optarg, "csv"))
				o->format = OUT_CSV;
			else if (!strcmp(optarg, "tsv"))
				o->format = OUT_TSV;
			else if (!strcmp(optarg, "table") || !strcmp(optarg, "pprint"))
				o->format = OUT_TABLE;
			else {
				diag("--format: '%s' is not ndjson, csv, tsv or table", optarg);
				return -1;
			}
			break;
		case OPT_REJECTS: o->d.rejects = optarg; break;
		case OPT_STATS: o->stats = 1; break;
		case OPT_PARTIAL: o->partial = 1; break;
		case OPT_MERGE: o->merge = 1; break;
		case OPT_FROM:
			if (!strcmp(optarg, "ndjson") || !strcmp(optarg, "jsonl"))
				o->from = IN_NDJSON;
			else if (!strcmp(optarg, "csv") || !strcmp(optarg, "tsv"))
				o->from = IN_CSV, o->tsv = optarg[0] == 't';
			else {
				diag("--from: '%s' is not ndjson, csv or tsv", optarg);
				return -1;
			}
			break;
		case OPT_REPORT:
			for (i = 1; i < NREPORTS && strcmp(optarg, report_name[i]); i++)
				;
			if (i == NREPORTS) {
				diag("--report: '%s' is not funnel, engagement, roi, sla or listening", optarg);
				return -1;
			}
			o->report = (enum report)i;
			break;
		case OPT_BRAND:
			if (!*optarg || strpbrk(optarg, "|&;") || strlen(optarg) > 200) {
				diag("--brand: '%s' is not a user_id this option takes "
				     "(1-200 bytes, none of | & ;)", optarg);
				return -1;
			}
			o->brand = optarg;
			break;
		case OPT_WINDOW:
		case OPT_RESPOND:
		case OPT_RESOLVE: {
			long long ms;

			if (cli_parse_duration(optarg, &ms) < 0 || ms <= 0) {
				diag("--%s: '%s' is not a duration (e.g. 30d, 12h)",
				     c == OPT_WINDOW ? "window" : c == OPT_RESPOND ? "respond-within"
										: "resolve-within", optarg);
				return -1;
			}
			if (c == OPT_WINDOW)
				o->window_ms = ms;
			else if (c == OPT_RESPOND)
				o->respond_ms = ms, o->sla_opts = 1;
			else
				o->resolve_ms = ms, o->sla_opts = 1;
			break;
		}
		case OPT_SPEND: o->spend = optarg; break;
		default:
			if ((k = drive_take_option(&o->d, c, optarg, argv, usage)) <= 0)
				return k;
		}
	}
	if (o->report && nacc) {
		diag("--report computes its own metrics: no -a");
		return -1;
	}
	if (!o->merge && report_options(o) < 0)
		return -1;
	if (o->spend && o->partial) {
		diag("--spend: give the spend table to the --merge of the partial results, once");
		return -1;
	}
	if (o->brand && o->merge) {
		diag("--brand picks records: give it with --partial");
		return -1;
	}
	if (o->partial && o->format != OUT_NDJSON) {
		diag("--partial writes NDJSON only");
		return -1;
	}
	if (o->merge && (o->ngroups || nacc || o->every || o->report)) {
		diag("--merge takes the groups, accumulators and report from the partial results; "
		     "no -g, -a, --every or --report");
		return -1;
	}
	if (o->report == R_ENGAGEMENT && !o->ngroups && add_group(o, "platform", 8) < 0)
		return -1;
	if (o->spend) {
		if (spend_load(o) < 0)
			return -1;
		if (!o->merge && !o->ngroups && add_group(o, o->sp_col, strlen(o->sp_col)) < 0)
			return -1;
		if (!o->merge && (o->ngroups != 1 || strcmp(o->groups[0], o->sp_col))) {
			diag("--spend: %s gives spend by %s, so group by it alone (-g %s, or no -g)",
			     o->spend, o->sp_col, o->sp_col);
			return -1;
		}
	}
	if (!o->merge && configure(o, accs, nacc) < 0)
		return -1;
	return optind;
}

/* ---- workers: a line to its reduced record ---- */

static int put_u32(struct buf *b, uint32_t v)
{
	return buf_add(b, &v, sizeof(v));
}

/* The time bucket of a ts member, as text ("2024-03-01", "2024-03", "2024-03-01T13:00:00Z"). */
static int bucket(const struct jfield *f, enum every e, char *out, size_t *n)
{
	long long ms, s, days;
	int64_t y;
	unsigned m, d;

	if (event_ts_ms(f, &ms) < 0)
		return -1;
	s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
	switch (e) {
	case EVERY_HOUR: {
		struct vts t = { s - (s - days * 86400) % 3600, 0 };

		if (!ts_in_range(t))
			return -1;
		*n = ts_format(t, out);
		return 0;
	}
	case EVERY_WEEK:
		days -= ((days % 7) + 7 + 3) % 7;	/* back to Monday (1970-01-01 was a Thursday) */
		break;
	default:
		break;
	}
	ts_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return -1;
	*n = (size_t)(e == EVERY_MONTH ? snprintf(out, 32, "%04d-%02u", (int)y, m)
				       : snprintf(out, 32, "%04d-%02u-%02u", (int)y, m, d));
	return 0;
}

/* Slot i of a reduced record from member f (NULL: absent). 0, -1 (why), -2. */
static int put_slot(struct worker *w, struct buf *out, int i, const struct jfield *f, char *why)
{
	const struct opts *o = w->o;
	const char *v;
	size_t vn;
	uint8_t type;
	char tb[40];

	if (!f || f->type == J_NULL)	/* null and absent are one: no value */
		return buf_addc(out, (char)ABSENT) < 0 ? -2 : 0;
	type = f->type;
	v = f->val;
	vn = f->vlen;
	if (f->type == J_STR && f->vesc) {
		/* one text per string: escapes decoded, then written back canonically */
		w->tmp.len = 0;
		if (json_unescape(f->val, f->vlen, &w->tmp) < 0)
			return -2;
		v = w->tmp.p;
		vn = w->tmp.len;
	}
	if (o->slot_kind[i] == SK_HASH) {
		/* the string "1" and the number 1 are two values */
		struct h128 h = hash128(v, vn);

		h.hi ^= (uint64_t)(type + 1) * 0x9E3779B97F4A7C15ull;
		return buf_addc(out, (char)type) < 0 || put_u32(out, 16) < 0 ||
		       buf_add(out, &h, 16) < 0 ? -2 : 0;
	}
	if (o->slot_kind[i] == SK_MS) {
		long long ms;

		if (event_ts_ms(f, &ms) < 0) {
			snprintf(why, 200, "ts: not a timestamp: %.*s", (int)(f->vlen > 60 ? 60 : f->vlen), f->val);
			return -1;
		}
		return buf_addc(out, (char)T_MS) < 0 || put_u32(out, 8) < 0 ||
		       buf_add(out, &ms, 8) < 0 ? -2 : 0;
	}
	if (i == o->ts_slot) {
		if (bucket(f, o->every, tb, &vn) < 0) {
			snprintf(why, 200, "ts: not a timestamp in years 0000-9999 (needed by --every)");
			return -1;
		}
		v = tb;
		type = J_STR;
	} else if (o->slot_numeric[i] &&
		   !((f->type == J_NUM || f->type == J_STR) && json_is_number(v, vn))) {
		snprintf(why, 200, "%.60s: not a number: %.*s", o->slot_name[i],
			 (int)(f->vlen > 60 ? 60 : f->vlen), f->val);
		return -1;
	} else if (i == o->count_slot) {
		struct dec c;

		if (f->type != J_NUM || dec_parse(v, vn, &c) < 0 || c.m < 0) {
			snprintf(why, 200, "count: not a non-negative number: %.*s",
				 (int)(f->vlen > 60 ? 60 : f->vlen), f->val);
			return -1;
		}
	}
	return buf_addc(out, (char)type) < 0 || put_u32(out, (uint32_t)vn) < 0 ||
	       buf_add(out, v, vn) < 0 ? -2 : 0;
}

static int report_check(const struct opts *o, const char *rec, char *why);

/* A reduced record: its length, then the slots. */
static int reduce_fields(struct worker *w, struct buf *out, char *why)
{
	const struct opts *o = w->o;
	size_t start = out->len;
	uint32_t total;
	int i, r;

	if (put_u32(out, 0) < 0)
		return -2;
	for (i = 0; i < o->nslots; i++) {
		const struct jfield *f;
		struct jfield cf;

		if (w->cur->fmt == IN_CSV) {
			int col = w->cur->col_of[i];

			f = NULL;
			if (col >= 0 && w->csv.flen[col]) {
				/* CSV has no types: a number where one is summed or counted, else a string */
				memset(&cf, 0, sizeof(cf));
				cf.val = w->csv.f[col];
				cf.vlen = (uint32_t)w->csv.flen[col];
				cf.type = (o->slot_numeric[i] || i == o->count_slot) &&
					  json_is_number(cf.val, cf.vlen) ? J_NUM : J_STR;
				f = &cf;
			}
		} else
			f = jobj_get(&w->obj, o->slot_name[i], strlen(o->slot_name[i]));
		r = put_slot(w, out, i, f, why);
		if (r < 0) {
			out->len = start;
			return r;
		}
	}
	total = (uint32_t)(out->len - start);
	memcpy(out->p + start, &total, sizeof(total));
	if ((o->report == R_FUNNEL || o->report == R_SLA) && report_check(o, out->p + start, why) < 0) {
		out->len = start;
		return -1;
	}
	return 0;
}

static int reduce_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks,
		       struct buf *out, char *why)
{
	struct worker *w = ctx;
	long n;
	int r;

	if (w->cur->fmt == IN_CSV) {
		if (len == 0 || (len == 1 && line[0] == '\r'))
			return 1;	/* a blank line: no record */
		csvrec_set_delim(&w->csv, w->cur->delim);
		n = csvrec_split(&w->csv, line, len);
		if (n == -2)
			return -2;
		/* checked after the split, which knows whether the record is ASCII */
		if (!csvrec_utf8(&w->csv, line, len))
			return snprintf(why, 200, "not valid UTF-8"), -1;
		if (n < 0)
			return snprintf(why, 200, "%s", w->csv.err), -1;
		if ((size_t)n != w->cur->ncol)
			return snprintf(why, 200, "%ld fields, the header has %zu", n, w->cur->ncol), -1;
		return reduce_fields(w, out, why);
	}
	r = json_scan_line(line, len, &w->obj, marks);
	if (r == -2)
		return -2;
	if (r < 0) {
		snprintf(why, 200, "%.160s (column %zu)", w->obj.err, w->obj.err_col);
		return -1;
	}
	return reduce_fields(w, out, why);
}

/* ---- commit: into the groups ---- */

struct slot {
	uint8_t type;		/* J_* or ABSENT */
	const char *v;
	uint32_t n;
};

/* Split a reduced record into its slots; returns its length. */
static size_t read_record(const char *p, int nslots, struct slot *s)
{
	uint32_t total;
	const char *q = p + 4;
	int i;

	memcpy(&total, p, 4);
	for (i = 0; i < nslots; i++) {
		s[i].type = (uint8_t)*q++;
		if (s[i].type == ABSENT) {
			s[i].v = NULL;
			s[i].n = 0;
			continue;
		}
		memcpy(&s[i].n, q, 4);
		q += 4;
		s[i].v = q;
		q += s[i].n;
	}
	return total;
}

static double to_double(const struct slot *s)
{
	char b[64];
	uint32_t i;
	int64_t x = 0;

	/* a plain integer of up to 15 digits (a stage, a count) is exact without strtod */
	for (i = 0; i < s->n && i < 16 && s->v[i] >= '0' && s->v[i] <= '9'; i++)
		x = x * 10 + (s->v[i] - '0');
	if (i == s->n && i > 0 && i < 16)
		return (double)x;
	if (s->n >= sizeof(b))
		return strtod(s->v, NULL);	/* a number of 64+ characters: strtod stops at its end */
	memcpy(b, s->v, s->n);
	b[s->n] = '\0';
	return strtod(b, NULL);
}

/* The hash of an SK_HASH slot's value. */
static struct h128 slot_hash(const struct slot *v)
{
	struct h128 h;

	memcpy(&h, v->v, sizeof(h));
	return h;
}

static int set_text(struct s_text *t, const struct slot *s)
{
	if (s->n > t->cap) {
		char *p = realloc(t->p, s->n);

		if (!p)
			return -1;
		t->p = p;
		t->cap = s->n;
	}
	if (s->n)
		memcpy(t->p, s->v, s->n);
	t->len = s->n;
	t->type = s->type;
	t->set = 1;
	return 0;
}

/* Order of values: null, then numbers (by value), then strings (bytes), then the rest (bytes). */
static int rank(uint8_t type)
{
	return type == ABSENT || type == J_NULL ? 0 : type == J_NUM ? 1 : type == J_STR ? 2 : 3;
}

static int cmp_values(uint8_t ta, const char *a, size_t na, double xa,
		      uint8_t tb, const char *b, size_t nb, double xb)
{
	int ra = rank(ta), rb = rank(tb), c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra == 0)
		return 0;
	if (ra == 1 && xa != xb)
		return xa < xb ? -1 : 1;
	c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : na < nb ? -1 : na > nb;
}

static unsigned hll_rank(uint64_t h)
{
	uint64_t w = h << HLL_P | ((uint64_t)1 << (HLL_P - 1));

	return (unsigned)__builtin_clzll(w) + 1;
}

/* One accumulator's state p takes value v (w: the count weight, for count). 0, -1 overflow, -2. */
static int update_one(enum acc_kind kind, unsigned char *p, const struct slot *v, const struct slot *w)
{
	{
		switch (kind) {
		case A_COUNT: {
			uint64_t *n = (uint64_t *)(void *)p;
			struct dec d;

			if (!w || w->type == ABSENT || w->type == J_NULL)
				++*n;
			else if (dec_parse(w->v, w->n, &d) == 0) {
				while (d.scale > 0)
					d.m /= 10, d.scale--;	/* a weight of 2.0 is 2 */
				*n += (uint64_t)d.m;
			}
			break;
		}
		case A_ROWS:
			++*(uint64_t *)(void *)p;
			break;
		case A_SUM:
		case A_MEAN: {
			struct s_sum *t = (struct s_sum *)(void *)p;
			struct dec d;

			if (dec_parse(v->v, v->n, &d) < 0 || dec_add(&t->sum, d) < 0)
				return -1;
			t->n++;
			break;
		}
		case A_STDDEV: {
			struct s_std *t = (struct s_std *)(void *)p;
			struct dec d, d2;

			if (dec_parse(v->v, v->n, &d) < 0 || dec_square(d, &d2) < 0 ||
			    dec_add(&t->sum, d) < 0 || dec_add(&t->sum2, d2) < 0)
				return -1;
			t->n++;
			break;
		}
		case A_MIN:
		case A_MAX: {
			struct s_text *t = (struct s_text *)(void *)p;
			int num = v->type == J_NUM || (v->type == J_STR && json_is_number(v->v, v->n)), c;
			double x = num ? to_double(v) : 0;

			if (t->set) {
				c = cmp_values(num ? J_NUM : v->type, v->v, v->n, x,
					       t->num ? J_NUM : t->type, t->p, t->len, t->x);
				if (kind == A_MIN ? c >= 0 : c <= 0)
					break;
			}
			if (set_text(t, v) < 0)
				return -2;
			t->x = x;
			t->num = (uint8_t)num;
			break;
		}
		case A_FIRST:
		case A_LAST: {
			struct s_text *t = (struct s_text *)(void *)p;

			if ((kind == A_LAST || !t->set) && set_text(t, v) < 0)
				return -2;
			break;
		}
		case A_DISTINCT: {
			struct htab *h = (struct htab *)(void *)p;
			uint64_t *val;
			struct h128 key = slot_hash(v);	/* hashed by the worker */

			h->no_values = 1;
			if (htab_put(h, key, &val) < 0)
				return -2;
			break;
		}
		case A_APPROX: {
			unsigned char **regs = (unsigned char **)(void *)p;
			uint64_t hv = hash64(v->v, v->n) ^ (uint64_t)v->type * 0x9E3779B97F4A7C15ull;
			unsigned idx = (unsigned)(hv >> (64 - HLL_P)), rk = hll_rank(hv);

			if (!*regs && !(*regs = calloc(HLL_M, 1)))
				return -2;
			if (rk > (*regs)[idx])
				(*regs)[idx] = (unsigned char)rk;
			break;
		}
		case A_P50:
		case A_P90:
		case A_P99: {
			struct s_vals *t = (struct s_vals *)(void *)p;

			if (GROW(t->v, t->n, t->cap, 16) < 0)
				return -2;
			t->v[t->n++] = to_double(v);
			t->sorted = 0;
			break;
		}
		default:
			break;	/* the reports' own: update_report */
		}
	}
	return 0;
}

/* ---- the reports' own state ---- */

/* Whether the accumulator takes this record (its condition holds). */
static int cond_holds(const struct acc *a, const struct slot *s)
{
	int i, j, k, ok;

	if (!a->nalt)
		return 1;
	for (i = 0; i < a->nalt; i++) {
		const struct cond *c = &a->alt[i];

		for (ok = 1, j = 0; ok && j < c->nt; j++) {
			const struct test *t = &c->t[j];
			const struct slot *v = &s[t->slot];

			if (t->op == '~')
				ok = v->type != ABSENT;
			else if (t->op != '=')
				ok = v->type != ABSENT &&
				     (t->op == '<' ? to_double(v) < t->x : to_double(v) > t->x);
			else
				for (ok = 0, k = 0; !ok && k < t->nvals; k++)
					ok = !t->vals[k][0] ? v->type == ABSENT
							    : v->type != ABSENT && v->n == strlen(t->vals[k]) &&
							      !memcmp(v->v, t->vals[k], v->n);
		}
		if (ok)
			return 1;
	}
	return 0;
}

static long long slot_ms(const struct slot *v)
{
	long long ms;

	if (v->type != T_MS)
		return NO_TS;
	memcpy(&ms, v->v, 8);
	return ms;
}

/* sla: a record that answers an inbound message (a response or resolve with reply_to). */
static int is_reply(const struct acc *a, const struct slot *s)
{
	const struct slot *t = &s[a->xs[0]];

	return s[a->xs[2]].type != ABSENT && t->type == J_STR &&
	       ((t->n == 8 && !memcmp(t->v, "response", 8)) || (t->n == 7 && !memcmp(t->v, "resolve", 7)));
}

/* In a worker: what a report cannot do without. 0, or -1 (why). */
static int report_check(const struct opts *o, const char *rec, char *why)
{
	struct slot s[MAX_SLOTS];
	const struct acc *a = &o->acc[0];

	read_record(rec, o->nslots, s);
	if (o->report == R_FUNNEL && s[a->xs[0]].type != ABSENT) {
		double x = to_double(&s[a->xs[0]]);

		if (!(x >= 1 && x <= 7 && x == (double)(int)x))
			return snprintf(why, 200, "stage: not 1 to 7: %.*s", (int)(s[a->xs[0]].n > 60 ? 60 : s[a->xs[0]].n),
					s[a->xs[0]].v), -1;
		if (s[a->slot].type != ABSENT && s[a->xs[1]].type == ABSENT)
			return snprintf(why, 200, "ts missing: the funnel needs the time of each stage"), -1;
	}
	if (o->report == R_SLA && s[a->xs[3]].type == ABSENT && (cond_holds(a, s) || is_reply(a, s)))
		return snprintf(why, 200, "ts missing: the sla report times each message and its answer"), -1;
	return 0;
}

static int latest_take(struct s_latest *t, const struct slot *v, long long ts)
{
	double x = to_double(v);

	if (t->t.set && (ts < t->ts || (ts == t->ts && x <= t->t.x)))
		return 0;	/* ties go to the larger value: the same in any order */
	if (set_text(&t->t, v) < 0)
		return -2;
	t->t.x = x;
	t->ts = ts;
	return 0;
}

/* The person's row of stage times, made when new. NULL when out of memory. */
static long long *funnel_row(struct s_funnel *f, struct h128 id)
{
	uint64_t *row;
	int ins = htab_put(&f->people, id, &row), k;

	if (ins < 0)
		return NULL;
	if (!ins)
		return f->row[*row].ts;
	if (GROW(f->row, f->n, f->cap, 16) < 0)
		return NULL;
	*row = f->n;
	f->row[f->n].id = id;
	for (k = 0; k < 7; k++)
		f->row[f->n].ts[k] = NO_TS;
	return f->row[f->n++].ts;
}

static struct cust *orders_cust(struct s_orders *t, struct h128 id)
{
	uint64_t *i;
	int ins = htab_put(&t->users, id, &i);

	if (ins < 0)
		return NULL;
	if (!ins)
		return &t->c[*i];
	if (GROW(t->c, t->n, t->cap, 16) < 0)
		return NULL;
	*i = t->n;
	memset(&t->c[t->n], 0, sizeof(t->c[0]));
	t->c[t->n].id = id;
	t->c[t->n].first_ts = NO_TS;
	return &t->c[t->n++];
}

/* A customer's order (c NULL: a purchase without user_id), counted once. 0, or -2. */
static int orders_pair(struct s_orders *t, struct cust *c, struct h128 user, struct h128 order)
{
	struct pair pr = { user, order };
	uint64_t *v;
	int ins;

	t->pairs.no_values = t->orders.no_values = 1;
	ins = htab_put(&t->pairs, hash128(&pr, sizeof(pr)), &v);
	if (ins <= 0)
		return ins < 0 ? -2 : 0;
	if (GROW(t->p, t->np, t->pcap, 16) < 0)
		return -2;
	t->p[t->np++] = pr;
	if (c)
		c->norders++;
	return htab_put(&t->orders, order, &v) < 0 ? -2 : 0;
}

/* The sla entry of an event_id (NULL: none, a new entry each time), made when new. */
static struct sla_ent *sla_entry(struct run *r, const struct h128 *id)
{
	struct sla_ent *e;
	uint64_t *v = NULL;
	int ins = 1;

	if (id && (ins = htab_put(&r->sla_idx, *id, &v)) < 0)
		return NULL;
	if (!ins)
		return &r->sla[*v];
	if (GROW(r->sla, r->nsla, r->slacap, 256) < 0)
		return NULL;
	if (v)
		*v = r->nsla;
	e = &r->sla[r->nsla++];
	memset(e, 0, sizeof(*e));
	if (id)
		e->id = *id;
	e->has_id = id != NULL;
	e->in_ts = e->resp_ts = e->res_ts = NO_TS;
	e->group = NO_GROUP;
	return e;
}

/* An inbound message of a group; the first of a repeated event_id keeps its group. */
static void sla_inbound(struct sla_ent *e, uint32_t group, long long ts)
{
	if (e->group == NO_GROUP)
		e->group = group, e->in_ts = ts;
	else if (ts < e->in_ts)
		e->in_ts = ts;
}

/* A response or resolve: the first of each counts. 0, or -2. */
static int sla_reply(struct run *r, const struct acc *a, const struct slot *s)
{
	const struct slot *to = &s[a->xs[2]];
	struct h128 id = slot_hash(to);
	struct sla_ent *e = sla_entry(r, &id);
	long long ts = slot_ms(&s[a->xs[3]]);

	if (!e)
		return -2;
	if (s[a->xs[0]].n == 8) {
		if (ts < e->resp_ts)
			e->resp_ts = ts;
	} else if (ts < e->res_ts)
		e->res_ts = ts;
	return 0;
}

/* A report accumulator takes a record. 0, or -2. */
static int update_report(struct run *r, const struct acc *a, unsigned char *p, const struct group *g,
			 const struct slot *s)
{
	switch (a->kind) {
	case A_LATEST: {
		long long ts = slot_ms(&s[a->xs[0]]);

		return latest_take((struct s_latest *)(void *)p, &s[a->slot], ts == NO_TS ? LLONG_MIN : ts);
	}
	case A_FUNNEL: {
		long long *row = funnel_row((struct s_funnel *)(void *)p, slot_hash(&s[a->slot]));
		long long ts = slot_ms(&s[a->xs[1]]);
		int stage = (int)to_double(&s[a->xs[0]]);

		if (!row)
			return -2;
		r->staged++;
		if (ts < row[stage - 1])
			row[stage - 1] = ts;
		return 0;
	}
	case A_ORDERS: {
		struct s_orders *t = (struct s_orders *)(void *)p;
		struct h128 u = { 0, 0 };
		struct cust *c = NULL;
		long long ts = slot_ms(&s[a->xs[1]]);

		if (s[a->slot].type != ABSENT) {
			u = slot_hash(&s[a->slot]);
			if (!(c = orders_cust(t, u)))
				return -2;
			if (ts < c->first_ts)
				c->first_ts = ts;
		}
		if (s[a->xs[0]].type != ABSENT)
			return orders_pair(t, c, u, slot_hash(&s[a->xs[0]]));
		if (c)
			c->noid++;
		else
			t->anon_noid++;
		return 0;
	}
	case A_SLA: {
		const struct slot *ev = &s[a->xs[1]];
		struct h128 id = ev->type != ABSENT ? slot_hash(ev) : (struct h128){ 0, 0 };
		struct sla_ent *e = sla_entry(r, ev->type != ABSENT ? &id : NULL);

		if (!e)
			return -2;
		sla_inbound(e, g->id, slot_ms(&s[a->xs[3]]));
		return 0;
	}
	default:
		return 0;
	}
}

/* The record s into group g: the accumulators whose bit is set in takes (with conditions), or all. */
static int update(struct run *r, struct group *g, const struct slot *s, uint64_t takes)
{
	const struct opts *o = r->o;
	unsigned char *st = g->st;
	int i, k;

	for (i = 0; i < o->nacc; i++) {
		const struct acc *a = &o->acc[i];
		const struct slot *v = a->slot >= 0 ? &s[a->slot] : NULL;

		if (o->conditional && !(takes >> i & 1))
			continue;
		if (a->kind >= A_FUNNEL) {
			if ((k = update_report(r, a, st + a->state, g, s)) < 0)
				return k;
			continue;
		}
		if (v && (v->type == ABSENT || v->type == J_NULL))
			continue;	/* absent and null values count for nothing */
		if (a->kind == A_LATEST)
			k = update_report(r, a, st + a->state, g, s);
		else
			k = update_one(a->kind, st + a->state, v, o->count_slot >= 0 ? &s[o->count_slot] : NULL);
		if (k < 0)
			return k;
	}
	return 0;
}

static size_t state_size(enum acc_kind k)
{
	switch (k) {
	case A_COUNT: case A_ROWS: return sizeof(uint64_t);
	case A_SUM: case A_MEAN: return sizeof(struct s_sum);
	case A_STDDEV: return sizeof(struct s_std);
	case A_MIN: case A_MAX: case A_FIRST: case A_LAST: return sizeof(struct s_text);
	case A_DISTINCT: return sizeof(struct htab);
	case A_LATEST: return sizeof(struct s_latest);
	case A_FUNNEL: return sizeof(struct s_funnel);
	case A_ORDERS: return sizeof(struct s_orders);
	case A_SLA: return 16;	/* the entries are the run's: replies need no group */
	case A_APPROX: return sizeof(unsigned char *);
	default: return sizeof(struct s_vals);
	}
}

/*
 * The group of key[0..klen) (group slots: type, u32 length, text) and the
 * time bucket, made when new. NULL when out of memory.
 */
static struct group *find_group(struct run *r, const void *key, size_t klen, const struct slot *bucket)
{
	struct h128 h = hash128(key, klen);
	struct group *g;
	uint64_t *gi;
	int ins;

	if (bucket)	/* the bucket is part of the key too */
		h.lo ^= hash64(bucket->v, bucket->n);
	ins = htab_put(&r->index, h, &gi);
	if (ins < 0)
		return NULL;
	if (!ins)
		return &r->g[*gi];
	if (GROW(r->g, r->ng, r->gcap, 1024) < 0)
		return NULL;
	g = &r->g[r->ng];
	g->klen = klen + (bucket ? 1 + 4 + bucket->n : 0);
	g->key = arena_alloc(&r->keys, g->klen ? g->klen : 1);
	/* 16-byte aligned: sums hold a __int128 */
	g->st = arena_alloc(&r->keys, r->block + 8);
	if (!g->key || !g->st)
		return NULL;
	g->st = (unsigned char *)(((uintptr_t)g->st + 15) & ~(uintptr_t)15);
	memcpy((unsigned char *)g->key, key, klen);
	if (bucket) {
		unsigned char *q = (unsigned char *)g->key + klen;
		uint32_t tn = bucket->n;

		*q++ = J_STR;
		memcpy(q, &tn, 4);
		memcpy(q + 4, bucket->v, tn);
	}
	memset(g->st, 0, r->block);
	g->id = (uint32_t)r->ng;
	*gi = r->ng++;
	return g;
}

static int merge_line(struct run *r, const char *line, size_t len, uint64_t lineno);

/* Each accumulator's state in a group's block; the percentiles of one field share one. */
static void layout_states(struct run *r)
{
	struct opts *o = r->o;
	int i, j;

	for (i = 0; i < o->nacc; i++) {
		o->acc[i].state = r->block;
		for (j = 0; j < i; j++)
			if (o->acc[j].slot == o->acc[i].slot && o->acc[i].slot >= 0 &&
			    o->acc[j].kind >= A_P50 && o->acc[j].kind <= A_P99 &&
			    o->acc[i].kind >= A_P50 && o->acc[i].kind <= A_P99)
				break;
		if (j < i) {
			o->acc[i].state = o->acc[j].state;
			continue;
		}
		r->block += (state_size(o->acc[i].kind) + 15) & ~(size_t)15;
	}
}

/* Whether accumulator i shares its state with an earlier one (percentiles of one field). */
static int shared_state(const struct opts *o, int i)
{
	int j;

	for (j = 0; j < i; j++)
		if (o->acc[j].state == o->acc[i].state)
			return 1;
	return 0;
}

#define PREFETCH_AHEAD 8	/* records: about the time a slot takes to come from memory */

static size_t rec_len(const char *p)
{
	uint32_t total;

	memcpy(&total, p, 4);
	return total;
}

/* Slot i of the reduced record at p; 0 when the record is too short (never). */
static int slot_in(const char *p, int i, struct slot *s)
{
	const char *q = p + 4, *end = p + rec_len(p);
	int k;

	for (k = 0; q < end; k++) {
		s->type = (uint8_t)*q++;
		s->v = NULL;
		s->n = 0;
		if (s->type != ABSENT) {
			memcpy(&s->n, q, 4);
			s->v = q + 4;
			q += 4 + s->n;
		}
		if (k == i)
			return 1;
	}
	return 0;
}

/* With one group: the table a distinct or funnel accumulator puts each record's hash in, or NULL. */
static struct htab *prefetch_table(struct run *r)
{
	const struct acc *a = &r->o->acc[r->pf_acc];
	unsigned char *p = r->g[0].st + a->state;

	return a->kind == A_DISTINCT ? (struct htab *)(void *)p : &((struct s_funnel *)(void *)p)->people;
}

static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	const struct opts *o = r->o;
	const char *p = c->out.p, *end = c->out.p + c->out.len, *ahead = p;
	struct slot s[MAX_SLOTS];
	struct htab *pf = NULL;
	uint64_t takes = 0;
	int k;

	for (k = 0; k < PREFETCH_AHEAD && ahead < end && r->pf_slot >= 0 && !o->ngroups && o->ts_slot < 0; k++)
		ahead += rec_len(ahead);
	if (r->pf_slot < 0 || o->ngroups || o->ts_slot >= 0)
		ahead = end;
	r->read += c->done + (uint64_t)c->stopped;
	r->rejected += c->rejected;
	r->blank += c->dropped[1];	/* CSV blank lines, the one rule */
	if (o->merge) {
		uint64_t line = first_line;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			if (merge_line(r, p, (size_t)(nl - p), line++) < 0)
				return r->d->stop = -1;
			p = nl + 1;
		}
		p = end;
	}
	while (p < end) {
		size_t n, klen = 0;
		const char *key = p + 4;
		struct group *g;

		if (ahead < end) {
			/* the hash table of one group's distinct values or people: load the slot of a record ahead */
			if (!pf && r->ng == 1)
				pf = prefetch_table(r);
			if (pf) {
				struct slot a;

				if (slot_in(ahead, r->pf_slot, &a) && a.type != ABSENT)
					htab_prefetch(pf, slot_hash(&a));
			}
			ahead += rec_len(ahead);
		}
		n = read_record(p, o->nslots, s);

		p += n;
		if (o->report == R_SLA && is_reply(&o->acc[0], s)) {
			if (sla_reply(r, &o->acc[0], s) < 0)
				goto oom;
			continue;	/* a reply belongs to its inbound message's group */
		}
		if (o->conditional) {
			/* which accumulators take it, once; a record that none takes makes no group */
			for (takes = 0, k = 0; k < o->nacc; k++)
				takes |= (uint64_t)cond_holds(&o->acc[k], s) << k;
			if (!takes) {
				r->unused++;
				continue;
			}
		}
		/* the key: the group slots, as they lie in the record */
		for (k = 0; k < o->ngroups; k++)
			klen += 1 + (s[k].type == ABSENT ? 0 : 4 + s[k].n);
		g = find_group(r, key, klen, o->ts_slot >= 0 ? &s[o->ts_slot] : NULL);
		if (!g)
			goto oom;
		k = update(r, g, s, takes);
		if (k == -2)
			goto oom;
		if (k < 0) {
			diag_at(r->d->name, 0, "a sum does not fit in 38 digits");
			return r->d->stop = -1;
		}
	}
	if (drive_bad_records(r->d, c, first_line) < 0)
		return -1;
	if (c->fatal)
		goto oom;
	return 0;
oom:
	diag_at(r->d->name, 0, "out of memory");
	return r->d->stop = -1;
}

/* ---- output ---- */

static const struct opts *sort_opts;

/* The key's slots: group fields in order, then the bucket. */
static void key_slots(const struct group *g, int n, struct slot *s)
{
	const unsigned char *q = g->key;
	int i;

	for (i = 0; i < n; i++) {
		s[i].type = *q++;
		if (s[i].type == ABSENT) {
			s[i].v = NULL;
			s[i].n = 0;
			continue;
		}
		memcpy(&s[i].n, q, 4);
		s[i].v = (const char *)q + 4;
		q += 4 + s[i].n;
	}
}

static int cmp_slot(const struct slot *a, const struct slot *b)
{
	return cmp_values(a->type, a->v, a->n, a->type == J_NUM ? to_double(a) : 0,
			  b->type, b->v, b->n, b->type == J_NUM ? to_double(b) : 0);
}

/* By the bucket (the key's last slot, when there is one), then the group fields in order. */
static int cmp_groups(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;
	int ng = sort_opts->ngroups, n = ng + (sort_opts->ts_slot >= 0), i, c;
	struct slot sa[MAX_SLOTS + 1], sb[MAX_SLOTS + 1];

	key_slots(a, n, sa);
	key_slots(b, n, sb);
	if (n > ng && (c = cmp_slot(&sa[ng], &sb[ng])) != 0)
		return c;
	for (i = 0; i < ng; i++)
		if ((c = cmp_slot(&sa[i], &sb[i])) != 0)
			return c;
	return 0;
}

/* A double, shortest text that reads back the same. */
static size_t fmt_double(double x, char *out, size_t cap)
{
	int prec;
	size_t n = 0;

	if (!isfinite(x))
		return (size_t)snprintf(out, cap, "null");
	for (prec = 15; prec <= 17; prec++) {
		n = (size_t)snprintf(out, cap, "%.*g", prec, x);
		if (strtod(out, NULL) == x)
			break;
	}
	return n;
}

/* One output field: name and JSON value text. */
struct field {
	const char *name;
	struct buf v;
};

static int put_json_value(struct buf *b, uint8_t type, const char *v, size_t n)
{
	if (type == ABSENT || type == J_NULL)
		return buf_add(b, "null", 4);
	if (type == J_STR)
		return json_escape(b, v, n);
	return buf_add(b, v, n);
}

static int put_double(struct buf *b, double x)
{
	char t[40];

	return buf_add(b, t, fmt_double(x, t, sizeof(t)));
}

static int put_uint(struct buf *b, uint64_t v)
{
	char t[24];

	return buf_add(b, t, (size_t)snprintf(t, sizeof(t), "%llu", (unsigned long long)v));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Where the q-quantile of n sorted values is: Miller's non-interpolated percentile. */
static size_t percentile_at(double q, size_t n)
{
	size_t i = (size_t)(q * (double)n);

	return i >= n ? n - 1 : i;
}

/* The value of accumulator a of a group, as JSON. */
static int acc_value(const struct acc *a, unsigned char *st, struct buf *b)
{
	unsigned char *p = st + a->state;
	char t[DEC_MAX_LEN + 8];

	switch (a->kind) {
	case A_COUNT:
	case A_ROWS:
		return buf_add(b, t, (size_t)snprintf(t, sizeof(t), "%llu",
						     (unsigned long long)*(uint64_t *)(void *)p));
	case A_SUM: {
		struct s_sum *s = (struct s_sum *)(void *)p;

		return buf_add(b, t, dec_format(s->sum, t));
	}
	case A_MEAN: {
		struct s_sum *s = (struct s_sum *)(void *)p;

		if (!s->n)
			return buf_add(b, "null", 4);
		return put_double(b, dec_to_double(s->sum) / (double)s->n);
	}
	case A_STDDEV: {
		struct s_std *s = (struct s_std *)(void *)p;
		long double n = (long double)s->n, sum, var;

		if (s->n < 2)
			return buf_add(b, "null", 4);
		sum = dec_to_long_double(s->sum);
		var = (dec_to_long_double(s->sum2) - sum * sum / n) / (n - 1);
		return put_double(b, var > 0 ? (double)sqrtl(var) : 0.0);
	}
	case A_MIN:
	case A_MAX:
	case A_FIRST:
	case A_LAST: {
		struct s_text *s = (struct s_text *)(void *)p;

		return s->set ? put_json_value(b, s->type, s->p, s->len) : buf_add(b, "null", 4);
	}
	case A_DISTINCT:
		return buf_add(b, t, (size_t)snprintf(t, sizeof(t), "%zu",
						     ((struct htab *)(void *)p)->count));
	case A_APPROX: {
		unsigned char *regs = *(unsigned char **)(void *)p;
		double sum = 0, est, m = HLL_M;
		unsigned i, zeros = 0;

		if (!regs)
			return buf_add(b, "0", 1);
		for (i = 0; i < HLL_M; i++) {
			sum += ldexp(1.0, -(int)regs[i]);
			zeros += !regs[i];
		}
		est = 0.7213 / (1 + 1.079 / m) * m * m / sum;
		if (est <= 2.5 * m && zeros)
			est = m * log(m / zeros);	/* linear counting for small sets */
		return buf_add(b, t, (size_t)snprintf(t, sizeof(t), "%.0f", est));
	}
	default: {
		struct s_vals *s = (struct s_vals *)(void *)p;
		double q = a->kind == A_P50 ? 0.5 : a->kind == A_P90 ? 0.9 : 0.99;

		if (!s->n)
			return buf_add(b, "null", 4);
		/* sorted once, when the first percentile of the field asks */
		if (!s->sorted)
			qsort(s->v, s->n, sizeof(*s->v), cmp_double);
		s->sorted = 1;
		return put_double(b, s->v[percentile_at(q, s->n)]);
	}
	}
}

/* A value of a CSV/TSV/table cell: strings decoded, null empty. */
static int cell_text(const struct buf *json, struct buf *out)
{
	out->len = 0;
	if (json->len == 4 && !memcmp(json->p, "null", 4))
		return 0;
	if (json->len >= 2 && json->p[0] == '"')
		return json_unescape(json->p + 1, json->len - 2, out);
	return buf_add(out, json->p, json->len);
}

static int write_cell(struct out *o, enum format f, const struct buf *t, size_t width, int last)
{
	size_t i;
	int quote = 0;

	if (f == OUT_CSV) {
		for (i = 0; i < t->len; i++)
			if (t->p[i] == ',' || t->p[i] == '"' || t->p[i] == '\n' || t->p[i] == '\r')
				quote = 1;
		if (quote) {
			if (out_write(o, "\"", 1) < 0)
				return -1;
			for (i = 0; i < t->len; i++)
				if ((t->p[i] == '"' && out_write(o, "\"", 1) < 0) || out_write(o, t->p + i, 1) < 0)
					return -1;
			if (out_write(o, "\"", 1) < 0)
				return -1;
		} else if (t->len && out_write(o, t->p, t->len) < 0)
			return -1;
		return out_write(o, last ? "\n" : ",", 1);
	}
	if (f == OUT_TSV) {
		for (i = 0; i < t->len; i++) {
			const char *e = t->p[i] == '\t' ? "\\t" : t->p[i] == '\n' ? "\\n" :
					t->p[i] == '\r' ? "\\r" : t->p[i] == '\\' ? "\\\\" : NULL;

			if (e ? out_write(o, e, 2) < 0 : out_write(o, t->p + i, 1) < 0)
				return -1;
		}
		return out_write(o, last ? "\n" : "\t", 1);
	}
	/* table: left-aligned, '-' for empty, one space between columns */
	if (t->len ? out_write(o, t->p, t->len) < 0 : out_write(o, "-", 1) < 0)
		return -1;
	if (last)
		return out_write(o, "\n", 1);
	for (i = t->len ? t->len : 1; i <= width; i++)
		if (out_write(o, " ", 1) < 0)
			return -1;
	return 0;
}

static size_t utf8_width(const char *s, size_t n)
{
	size_t w = 0, i;

	for (i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

/* ---- the reports' output ---- */

static const char *const report_cols[NREPORTS][11] = {
	[R_FUNNEL] = { "stage", "stage_name", "users", "step_conversion", "overall_conversion", "drop_off" },
	[R_ENGAGEMENT] = { "impressions", "engagements", "followers", "engagement_rate",
			   "engagement_rate_followers", "benchmark", "vs_benchmark" },
	[R_ROI] = { "revenue", "orders", "customers", "aov", "repeat_rate", "ltv",
		    "spend", "new_customers", "cac", "roas" },	/* the last four with --spend */
	[R_SLA] = { "inbound", "responded", "resolved", "responded_within_12h", "resolved_within_24h",
		    "response_p50_hours", "response_p90_hours", "unanswered" },
	[R_LISTENING] = { "mentions", "sentiment_mean", "positive_share", "negative_share",
			  "follows", "unfollows", "net_follows", "refund_rate" },
};

/* The median engagement rate per post of BRIEF.md's sources, by platform. */
static const struct {
	const char *platform, *text;
	double rate;
} benchmarks[] = {
	{ "facebook", "0.0009", 0.0009 }, { "instagram", "0.0122", 0.0122 }, { "x", "0.00045", 0.00045 },
};

static int report_ncols(const struct opts *o)
{
	int n;

	for (n = 0; report_cols[o->report][n]; n++)
		;
	return o->report == R_ROI && !o->spend ? 6 : n;
}

static int put_ratio(struct buf *b, double num, double den)
{
	return den != 0 ? put_double(b, num / den) : buf_add(b, "null", 4);
}

/* Money over a count or money: in long double, so 9628.30 / 220 is 43.765, not 43.76499999999999. */
static int put_money_ratio(struct buf *b, long double num, long double den)
{
	return den != 0 ? put_double(b, (double)(num / den)) : buf_add(b, "null", 4);
}

static void *state_of(const struct run *r, const struct group *g, int i)
{
	return g->st + r->o->acc[i].state;
}

/* The revenue of a group: purchases less refunds. 0, or -1 beyond 38 digits. */
static int roi_revenue(const struct run *r, const struct group *g, struct dec *rev)
{
	const struct s_sum *pur = state_of(r, g, 0), *ref = state_of(r, g, 1);
	struct dec neg = ref->sum;

	*rev = pur->sum;
	neg.m = -neg.m;
	return dec_add(rev, neg) < 0 ? -1 : 0;
}

/* Row `row` of group g (funnel: 7 rows, else 1): the report's columns into f. 0, or -1. */
static int report_row(struct run *r, const struct group *g, int row, struct field *f)
{
	const struct opts *o = r->o;
	char t[DEC_MAX_LEN + 8];

	switch (o->report) {
	case R_FUNNEL: {
		const struct s_funnel *fu = state_of(r, g, 0);
		uint64_t *u = r->users, prev;
		int k = row + 1;

		if (row == 0) {
			/* each person at the furthest stage reached within the window of their first event */
			size_t i;
			int j, furthest;

			memset(r->users, 0, sizeof(r->users));
			for (i = 0; i < fu->n; i++) {
				const long long *ts = fu->row[i].ts;
				long long first = NO_TS, horizon;

				for (j = 0; j < 7; j++)
					if (ts[j] < first)
						first = ts[j];
				horizon = o->window_ms && first < LLONG_MAX - o->window_ms ? first + o->window_ms
											  : LLONG_MAX;
				for (furthest = 0, j = 0; j < 7; j++)
					if (ts[j] != NO_TS && ts[j] <= horizon)
						furthest = j + 1;
				u[furthest]++;
			}
			for (j = 6; j >= 1; j--)	/* users: at this stage or further */
				u[j] += u[j + 1];
		}
		prev = k == 1 ? u[1] : u[k - 1];
		return put_uint(&f[0].v, (uint64_t)k) < 0 || json_escape(&f[1].v, vocab_stage_names[k],
									  strlen(vocab_stage_names[k])) < 0 ||
		       put_uint(&f[2].v, u[k]) < 0 || put_ratio(&f[3].v, (double)u[k], (double)prev) < 0 ||
		       put_ratio(&f[4].v, (double)u[k], (double)u[1]) < 0 || put_uint(&f[5].v, prev - u[k]) < 0
		       ? -1 : 0;
	}
	case R_ENGAGEMENT: {
		uint64_t seen = *(uint64_t *)state_of(r, g, 0), engaged = *(uint64_t *)state_of(r, g, 1);
		const struct s_latest *fl = state_of(r, g, 2);
		const struct s_text *lo = state_of(r, g, 3), *hi = state_of(r, g, 4);
		size_t k, nb = sizeof(benchmarks) / sizeof(benchmarks[0]);
		int one = lo->set && hi->set && lo->len == hi->len && !memcmp(lo->p, hi->p, lo->len), rc;

		/* the benchmark of the group's platform, when its posts are on one (min = max) */
		for (k = 0; one && k < nb; k++)
			if (lo->len == strlen(benchmarks[k].platform) && !memcmp(lo->p, benchmarks[k].platform, lo->len))
				break;
		if (!one)
			k = nb;
		rc = put_uint(&f[0].v, seen) < 0 || put_uint(&f[1].v, engaged) < 0 ||
		     (fl->t.set ? buf_add(&f[2].v, fl->t.p, fl->t.len) : buf_add(&f[2].v, "null", 4)) < 0 ||
		     put_ratio(&f[3].v, (double)engaged, (double)seen) < 0 ||
		     put_ratio(&f[4].v, (double)engaged, fl->t.set ? fl->t.x : 0) < 0;
		if (k < nb)
			rc = rc || buf_adds(&f[5].v, benchmarks[k].text) < 0 ||
			     (seen ? put_double(&f[6].v, (double)engaged / (double)seen / benchmarks[k].rate)
				   : buf_add(&f[6].v, "null", 4)) < 0;
		else
			rc = rc || buf_add(&f[5].v, "null", 4) < 0 || buf_add(&f[6].v, "null", 4) < 0;
		return rc ? -1 : 0;
	}
	case R_ROI: {
		const struct s_orders *od = state_of(r, g, 2);
		uint64_t orders = od->orders.count + od->anon_noid, repeat = 0;
		struct dec rev;
		long double x;
		size_t i;
		int rc;

		for (i = 0; i < od->n; i++) {
			orders += od->c[i].noid;
			repeat += od->c[i].noid + od->c[i].norders >= 2;
		}
		if (roi_revenue(r, g, &rev) < 0) {
			diag("roi: revenue beyond 38 digits");
			return -1;
		}
		x = dec_to_long_double(rev);
		rc = buf_add(&f[0].v, t, dec_format(rev, t)) < 0 || put_uint(&f[1].v, orders) < 0 ||
		     put_uint(&f[2].v, od->n) < 0 || put_money_ratio(&f[3].v, x, (long double)orders) < 0 ||
		     put_ratio(&f[4].v, (double)repeat, (double)od->n) < 0 ||
		     put_money_ratio(&f[5].v, x, (long double)od->n) < 0;
		if (!rc && o->spend) {
			uint64_t nc = r->new_of[g->id];

			if (r->has_spend[g->id]) {
				struct dec sp = r->spend_of[g->id];
				long double y = dec_to_long_double(sp);

				rc = buf_add(&f[6].v, t, dec_format(sp, t)) < 0 || put_uint(&f[7].v, nc) < 0 ||
				     put_money_ratio(&f[8].v, y, (long double)nc) < 0 ||
				     put_money_ratio(&f[9].v, x, y) < 0;
			} else
				rc = buf_add(&f[6].v, "null", 4) < 0 || put_uint(&f[7].v, nc) < 0 ||
				     buf_add(&f[8].v, "null", 4) < 0 || buf_add(&f[9].v, "null", 4) < 0;
		}
		return rc ? -1 : 0;
	}
	case R_SLA: {
		const struct sla_tally *y = &r->tally[g->id];
		const double *d = r->delay + y->d0;
		double in = (double)y->inbound;

		return put_uint(&f[0].v, y->inbound) < 0 || put_uint(&f[1].v, y->responded) < 0 ||
		       put_uint(&f[2].v, y->resolved) < 0 || put_ratio(&f[3].v, (double)y->resp_in_time, in) < 0 ||
		       put_ratio(&f[4].v, (double)y->res_in_time, in) < 0 ||
		       (y->dn ? put_double(&f[5].v, d[percentile_at(0.5, y->dn)])
			      : buf_add(&f[5].v, "null", 4)) < 0 ||
		       (y->dn ? put_double(&f[6].v, d[percentile_at(0.9, y->dn)])
			      : buf_add(&f[6].v, "null", 4)) < 0 ||
		       put_uint(&f[7].v, y->inbound - y->responded) < 0 ? -1 : 0;
	}
	case R_LISTENING: {
		uint64_t mentions = *(uint64_t *)state_of(r, g, 0);
		const struct s_sum *sent = state_of(r, g, 1);
		uint64_t pos = *(uint64_t *)state_of(r, g, 2), neg = *(uint64_t *)state_of(r, g, 3),
			 fol = *(uint64_t *)state_of(r, g, 4), unf = *(uint64_t *)state_of(r, g, 5),
			 ref = *(uint64_t *)state_of(r, g, 6), pur = *(uint64_t *)state_of(r, g, 7);
		double n = (double)sent->n;

		snprintf(t, sizeof(t), "%s%llu", fol < unf ? "-" : "",
			 (unsigned long long)(fol < unf ? unf - fol : fol - unf));
		return put_uint(&f[0].v, mentions) < 0 ||
		       put_ratio(&f[1].v, dec_to_double(sent->sum), n) < 0 ||
		       put_ratio(&f[2].v, (double)pos, n) < 0 || put_ratio(&f[3].v, (double)neg, n) < 0 ||
		       put_uint(&f[4].v, fol) < 0 || put_uint(&f[5].v, unf) < 0 || buf_adds(&f[6].v, t) < 0 ||
		       put_ratio(&f[7].v, (double)ref, (double)pur) < 0 ? -1 : 0;
	}
	default:
		return -1;
	}
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static const struct sla_ent *sort_sla;

static int by_group(const void *a, const void *b)
{
	const struct sla_ent *x = &sort_sla[*(const size_t *)a], *y = &sort_sla[*(const size_t *)b];

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return cmp_size(a, b);	/* then as they came */
}

/* sla: the entries in order of their group id (unseen inbound last), with where each group starts. */
static int sla_by_group(struct run *r)
{
	size_t i, k;

	r->sla_order = malloc((r->nsla + 1) * sizeof(size_t));
	r->sla_start = malloc((r->ng + 2) * sizeof(size_t));
	if (!r->sla_order || !r->sla_start)
		return -1;
	for (i = 0; i < r->nsla; i++)
		r->sla_order[i] = i;
	sort_sla = r->sla;
	qsort(r->sla_order, r->nsla, sizeof(size_t), by_group);
	for (k = 0, i = 0; k <= r->ng; k++) {
		r->sla_start[k] = i;
		while (i < r->nsla && r->sla[r->sla_order[i]].group == k)
			i++;
	}
	r->sla_start[r->ng + 1] = r->nsla;
	return 0;
}

/* sla: each group's counts and sorted response delays. */
static int sla_tally(struct run *r)
{
	const struct opts *o = r->o;
	size_t k, i, nd = 0;

	if (sla_by_group(r) < 0)
		return -1;
	r->tally = calloc(r->ng + 1, sizeof(*r->tally));
	r->delay = malloc((r->nsla + 1) * sizeof(double));
	if (!r->tally || !r->delay)
		return -1;
	for (k = 0; k < r->ng; k++) {
		struct sla_tally *y = &r->tally[k];

		y->d0 = nd;
		for (i = r->sla_start[k]; i < r->sla_start[k + 1]; i++) {
			const struct sla_ent *e = &r->sla[r->sla_order[i]];

			y->inbound++;
			if (e->resp_ts != NO_TS) {
				y->responded++;
				y->resp_in_time += e->resp_ts - e->in_ts <= o->respond_ms;
				r->delay[nd++] = (double)(e->resp_ts - e->in_ts) / 3600000.0;
			}
			if (e->res_ts != NO_TS) {
				y->resolved++;
				y->res_in_time += e->res_ts - e->in_ts <= o->resolve_ms;
			}
		}
		y->dn = nd - y->d0;
		qsort(r->delay + y->d0, y->dn, sizeof(double), cmp_double);
	}
	return 0;
}

/* roi: each customer is new in the group of their first purchase (ties: the first group in output order). */
static int new_customers(struct run *r)
{
	struct htab first = HTAB_INIT;	/* customer -> index in best */
	struct { long long ts; uint32_t id; } *best = NULL;
	size_t n = 0, cap = 0, gi, i;
	int rc = -1;

	if (!(r->new_of = calloc(r->ng + 1, sizeof(uint64_t))))
		return -1;
	for (gi = 0; gi < r->ng; gi++) {
		const struct s_orders *od = state_of(r, &r->g[gi], 2);

		for (i = 0; i < od->n; i++) {
			uint64_t *v;
			int ins = htab_put(&first, od->c[i].id, &v);

			if (ins < 0)
				goto done;
			if (ins) {
				if (GROW(best, n, cap, 1024) < 0)
					goto done;
				*v = n;
				best[n].ts = od->c[i].first_ts;
				best[n++].id = r->g[gi].id;
			} else if (od->c[i].first_ts < best[*v].ts) {
				best[*v].ts = od->c[i].first_ts;
				best[*v].id = r->g[gi].id;
			}
		}
	}
	for (i = 0; i < n; i++)
		r->new_of[best[i].id]++;
	rc = 0;
done:
	htab_free(&first);
	free(best);
	return rc;
}

/* roi --spend: the table's rows into their groups (made when no event has one). 0, or -1. */
static int apply_spend(struct run *r)
{
	const struct opts *o = r->o;
	struct buf key = BUF_INIT;
	size_t i;
	int rc = -1;

	if (o->ngroups != 1 || strcmp(o->groups[0], o->sp_col)) {
		diag("%s: spend by %s needs the groups to be -g %s", o->spend, o->sp_col, o->sp_col);
		return -1;
	}
	for (i = 0; i < o->nsp; i++) {
		const struct spend_row *sr = &o->sp[i];
		struct slot bk = { J_STR, NULL, 0 };
		char tb[40];
		size_t tn;
		struct group *g;

		key.len = 0;
		if (buf_addc(&key, sr->key ? (char)J_STR : (char)ABSENT) < 0 ||
		    (sr->key && (put_u32(&key, (uint32_t)strlen(sr->key)) < 0 || buf_adds(&key, sr->key) < 0)))
			goto done;
		if (o->ts_slot >= 0) {
			struct jfield f;

			memset(&f, 0, sizeof(f));
			f.type = J_STR;
			f.val = sr->date;
			f.vlen = sr->date ? (uint32_t)strlen(sr->date) : 0;
			if (!sr->date || bucket(&f, o->every, tb, &tn) < 0) {
				diag_at(o->spend, sr->line, "date: %s (needed by --every)",
					sr->date ? "not a date" : "missing");
				rc = -2;
				goto done;
			}
			bk.v = tb;
			bk.n = (uint32_t)tn;
		}
		if (!(g = find_group(r, key.p, key.len, o->ts_slot >= 0 ? &bk : NULL)))
			goto done;
		if (g->id >= r->nspend_cap) {
			size_t cap = 2 * (size_t)g->id + 64;
			struct dec *ns = realloc(r->spend_of, cap * sizeof(*ns));
			uint8_t *nh;

			if (!ns)
				goto done;
			r->spend_of = ns;
			if (!(nh = realloc(r->has_spend, cap)))
				goto done;
			r->has_spend = nh;
			memset(r->spend_of + r->nspend_cap, 0, (cap - r->nspend_cap) * sizeof(*ns));
			memset(r->has_spend + r->nspend_cap, 0, cap - r->nspend_cap);
			r->nspend_cap = cap;
		}
		if (dec_add(&r->spend_of[g->id], sr->spend) < 0) {
			diag_at(o->spend, sr->line, "spend: the sum is beyond 38 digits");
			rc = -2;
			goto done;
		}
		r->has_spend[g->id] = 1;
	}
	rc = 0;
done:
	buf_free(&key);
	if (rc == -1)
		diag("out of memory");
	return rc < 0 ? -1 : 0;
}

/* What the report needs before its rows: spend, sla tallies, new customers. 0, or -1 after saying why. */
static int report_prepare(struct run *r)
{
	const struct opts *o = r->o;

	if (o->report == R_FUNNEL && r->read && !r->staged && !o->merge) {
		diag("funnel: no event has a stage and a user_id; put vchain-stage before "
		     "vchain-aggregate --report funnel");
		return -1;
	}
	if (o->report == R_ROI && o->spend) {
		if (apply_spend(r) < 0)
			return -1;
		/* groups of events only: no spend */
		if (r->ng > r->nspend_cap) {
			struct dec *ns = realloc(r->spend_of, r->ng * sizeof(*ns));
			uint8_t *nh = ns ? realloc(r->has_spend, r->ng) : NULL;

			if (ns)
				r->spend_of = ns;
			if (!nh)
				return diag("out of memory"), -1;
			r->has_spend = nh;
			memset(r->spend_of + r->nspend_cap, 0, (r->ng - r->nspend_cap) * sizeof(*ns));
			memset(r->has_spend + r->nspend_cap, 0, r->ng - r->nspend_cap);
			r->nspend_cap = r->ng;
		}
	}
	if (o->report == R_SLA && sla_tally(r) < 0)
		return diag("out of memory"), -1;
	return 0;
}

static int write_results(struct run *r)
{
	const struct opts *o = r->o;
	int nkey = o->ngroups + (o->ts_slot >= 0), ncol = o->report ? report_ncols(o) : o->nacc;
	int nf = nkey + ncol, nrow = o->report == R_FUNNEL ? 7 : 1, row, i, j;
	struct field *f = calloc((size_t)nf, sizeof(*f));
	struct buf cell = BUF_INIT, line = BUF_INIT;
	size_t *width = calloc((size_t)nf, sizeof(*width)), gi;
	struct slot s[MAX_SLOTS + 1];
	struct out *out = &r->d->out;
	int status = -1, pass;

	if (!f || !width)
		goto done;
	if (o->report && report_prepare(r) < 0) {
		status = -2;
		goto done;
	}
	/* names: the bucket, the group fields, the accumulators */
	j = 0;
	if (o->ts_slot >= 0)
		f[j++].name = every_name[o->every];
	for (i = 0; i < o->ngroups; i++)
		f[j++].name = o->groups[i];
	for (i = 0; i < ncol; i++)
		f[j++].name = o->report ? report_cols[o->report][i] : o->acc[i].out;
	sort_opts = o;
	if (r->ng)
		qsort(r->g, r->ng, sizeof(*r->g), cmp_groups);
	if (o->report == R_ROI && o->spend && new_customers(r) < 0)
		goto done;
	for (i = 0; i < nf; i++)
		width[i] = utf8_width(f[i].name, strlen(f[i].name));
	/* a table needs the widths first: two passes */
	for (pass = o->format == OUT_TABLE ? 0 : 1; pass < 2; pass++) {
		if (pass == 1 && o->format != OUT_NDJSON) {
			for (i = 0; i < nf; i++) {
				cell.len = 0;
				if (buf_adds(&cell, f[i].name) < 0 ||
				    write_cell(out, o->format, &cell, width[i], i == nf - 1) < 0)
					goto done;
			}
		}
		for (gi = 0, row = 0; gi < r->ng; row = row + 1 < nrow ? row + 1 : (gi++, 0)) {
			struct group *g = &r->g[gi];

			key_slots(g, nkey, s);
			for (i = 0; i < nf; i++)
				f[i].v.len = 0;
			j = 0;
			if (o->ts_slot >= 0 &&
			    put_json_value(&f[j++].v, s[nkey - 1].type, s[nkey - 1].v, s[nkey - 1].n) < 0)
				goto done;
			for (i = 0; i < o->ngroups; i++)
				if (put_json_value(&f[j++].v, s[i].type, s[i].v, s[i].n) < 0)
					goto done;
			if (o->report) {
				if (report_row(r, g, row, f + j) < 0)
					goto done;
			} else
				for (i = 0; i < o->nacc; i++)
					if (acc_value(&o->acc[i], g->st, &f[j++].v) < 0)
						goto done;
			if (o->format == OUT_NDJSON) {
				line.len = 0;
				for (i = 0; i < nf; i++)
					if (buf_addc(&line, i ? ',' : '{') < 0 ||
					    json_escape(&line, f[i].name, strlen(f[i].name)) < 0 ||
					    buf_addc(&line, ':') < 0 || buf_add(&line, f[i].v.p, f[i].v.len) < 0)
						goto done;
				if (buf_add(&line, "}\n", 2) < 0 || out_write(out, line.p, line.len) < 0)
					goto done;
				continue;
			}
			for (i = 0; i < nf; i++) {
				if (cell_text(&f[i].v, &cell) < 0)
					goto done;
				if (pass == 0) {
					size_t w = cell.len ? utf8_width(cell.p, cell.len) : 1;

					if (w > width[i])
						width[i] = w;
				} else if (write_cell(out, o->format, &cell, width[i], i == nf - 1) < 0)
					goto done;
			}
		}
	}
	status = 0;
done:
	for (i = 0; f && i < nf; i++)
		buf_free(&f[i].v);
	free(f);
	free(width);
	buf_free(&cell);
	buf_free(&line);
	if (status == -1 && !out->err)
		diag("out of memory");
	return status < 0 ? -1 : 0;
}

/* ---- partial results: the state of every group, to merge later ---- */

static const char hexd[] = "0123456789abcdef";

/* The header line: what was aggregated, which --merge checks every input agrees on. */
static int partial_header(const struct opts *o, struct buf *b)
{
	int i;

	if (buf_adds(b, "{\"vchain_partial\":1,\"group_by\":[") < 0)
		return -1;
	for (i = 0; i < o->ngroups; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, o->groups[i], strlen(o->groups[i])) < 0)
			return -1;
	if (buf_adds(b, "],\"every\":") < 0 ||
	    (o->every ? json_escape(b, every_name[o->every], strlen(every_name[o->every]))
		      : buf_add(b, "null", 4)) < 0 || buf_adds(b, ",\"acc\":[") < 0)
		return -1;
	for (i = 0; i < o->nacc; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, o->acc[i].spec, strlen(o->acc[i].spec)) < 0)
			return -1;
	if (buf_addc(b, ']') < 0 || (o->report && (buf_adds(b, ",\"report\":") < 0 ||
						  json_escape(b, report_name[o->report],
							      strlen(report_name[o->report])) < 0)))
		return -1;
	return buf_add(b, "}\n", 2);
}

static int put_dec(struct buf *b, struct dec d)
{
	char t[DEC_MAX_LEN];

	return json_escape(b, t, dec_format(d, t));
}

static int put_ms(struct buf *b, long long ms)
{
	char t[24];

	if (ms == NO_TS || ms == LLONG_MIN)
		return buf_add(b, "null", 4);
	return buf_add(b, t, (size_t)snprintf(t, sizeof(t), "%lld", ms));
}

static int put_hash(struct buf *b, struct h128 h)
{
	char hex[34];

	hex[0] = hex[33] = '"';
	h128_hex(h, hex + 1);
	return buf_add(b, hex, 34);
}

/* A report accumulator's state as JSON (sla: the group's inbound messages). */
static int report_state_json(const struct run *r, const struct group *g, int i, struct buf *b)
{
	const struct acc *a = &r->o->acc[i];
	unsigned char *p = g->st + a->state;
	size_t k;
	int j;

	switch (a->kind) {
	case A_LATEST: {
		const struct s_latest *t = (const struct s_latest *)(void *)p;

		if (!t->t.set)
			return buf_add(b, "null", 4);
		return buf_addc(b, '[') < 0 || put_ms(b, t->ts) < 0 || buf_addc(b, ',') < 0 ||
		       put_json_value(b, t->t.type, t->t.p, t->t.len) < 0 || buf_addc(b, ']') < 0 ? -1 : 0;
	}
	case A_FUNNEL: {
		const struct s_funnel *f = (const struct s_funnel *)(void *)p;

		if (buf_addc(b, '[') < 0)
			return -1;
		for (k = 0; k < f->n; k++) {
			if ((k && buf_addc(b, ',') < 0) || buf_addc(b, '[') < 0 || put_hash(b, f->row[k].id) < 0)
				return -1;
			for (j = 0; j < 7; j++)
				if (buf_addc(b, ',') < 0 || put_ms(b, f->row[k].ts[j]) < 0)
					return -1;
			if (buf_addc(b, ']') < 0)
				return -1;
		}
		return buf_addc(b, ']');
	}
	case A_ORDERS: {
		const struct s_orders *t = (const struct s_orders *)(void *)p;

		if (buf_adds(b, "{\"c\":[") < 0)
			return -1;
		for (k = 0; k < t->n; k++)
			if ((k && buf_addc(b, ',') < 0) || buf_addc(b, '[') < 0 || put_hash(b, t->c[k].id) < 0 ||
			    buf_addc(b, ',') < 0 || put_ms(b, t->c[k].first_ts) < 0 || buf_addc(b, ',') < 0 ||
			    put_uint(b, t->c[k].noid) < 0 || buf_addc(b, ']') < 0)
				return -1;
		if (buf_adds(b, "],\"p\":[") < 0)
			return -1;
		for (k = 0; k < t->np; k++) {
			const struct pair *pr = &t->p[k];
			int anon = !pr->user.lo && !pr->user.hi;

			if ((k && buf_addc(b, ',') < 0) || buf_addc(b, '[') < 0 ||
			    (anon ? buf_add(b, "null", 4) : put_hash(b, pr->user)) < 0 || buf_addc(b, ',') < 0 ||
			    put_hash(b, pr->order) < 0 || buf_addc(b, ']') < 0)
				return -1;
		}
		return buf_adds(b, "],\"a\":") < 0 || put_uint(b, t->anon_noid) < 0 || buf_addc(b, '}') < 0 ? -1 : 0;
	}
	case A_SLA:
		if (buf_addc(b, '[') < 0)
			return -1;
		for (k = r->sla_start[g->id]; k < r->sla_start[g->id + 1]; k++) {
			const struct sla_ent *e = &r->sla[r->sla_order[k]];

			if ((k > r->sla_start[g->id] && buf_addc(b, ',') < 0) || buf_addc(b, '[') < 0 ||
			    (e->has_id ? put_hash(b, e->id) : buf_add(b, "null", 4)) < 0 ||
			    buf_addc(b, ',') < 0 || put_ms(b, e->in_ts) < 0 || buf_addc(b, ',') < 0 ||
			    put_ms(b, e->resp_ts) < 0 || buf_addc(b, ',') < 0 || put_ms(b, e->res_ts) < 0 ||
			    buf_addc(b, ']') < 0)
				return -1;
		}
		return buf_addc(b, ']');
	default:
		return -1;
	}
}

/* sla: the replies to messages this input did not have, after the groups. */
static int sla_replies_json(const struct run *r, struct buf *b)
{
	size_t k;

	if (r->sla_start[r->ng] == r->nsla)
		return 0;
	if (buf_adds(b, "{\"replies\":[") < 0)
		return -1;
	for (k = r->sla_start[r->ng]; k < r->nsla; k++) {
		const struct sla_ent *e = &r->sla[r->sla_order[k]];

		if ((k > r->sla_start[r->ng] && buf_addc(b, ',') < 0) || buf_addc(b, '[') < 0 ||
		    put_hash(b, e->id) < 0 || buf_addc(b, ',') < 0 || put_ms(b, e->resp_ts) < 0 ||
		    buf_addc(b, ',') < 0 || put_ms(b, e->res_ts) < 0 || buf_addc(b, ']') < 0)
			return -1;
	}
	return buf_add(b, "]}\n", 3);
}

/* One accumulator's state as JSON. */
static int state_json(const struct opts *o, int i, unsigned char *st, struct buf *b)
{
	const struct acc *a = &o->acc[i];
	unsigned char *p = st + a->state;
	size_t k;

	switch (a->kind) {
	case A_COUNT:
	case A_ROWS:
		return put_uint(b, *(uint64_t *)(void *)p);
	case A_SUM:
	case A_MEAN: {
		struct s_sum *t = (struct s_sum *)(void *)p;

		return buf_addc(b, '[') < 0 || put_dec(b, t->sum) < 0 || buf_addc(b, ',') < 0 ||
		       put_uint(b, t->n) < 0 || buf_addc(b, ']') < 0 ? -1 : 0;
	}
	case A_STDDEV: {
		struct s_std *t = (struct s_std *)(void *)p;

		return buf_addc(b, '[') < 0 || put_dec(b, t->sum) < 0 || buf_addc(b, ',') < 0 ||
		       put_dec(b, t->sum2) < 0 || buf_addc(b, ',') < 0 || put_uint(b, t->n) < 0 ||
		       buf_addc(b, ']') < 0 ? -1 : 0;
	}
	case A_MIN: case A_MAX: case A_FIRST: case A_LAST: {
		struct s_text *t = (struct s_text *)(void *)p;

		return t->set ? put_json_value(b, t->type, t->p, t->len) : buf_add(b, "null", 4);
	}
	case A_DISTINCT: {
		struct htab *h = (struct htab *)(void *)p;
		char hex[34];
		int first = 1;

		if (buf_addc(b, '[') < 0)
			return -1;
		hex[0] = hex[33] = '"';
		for (k = 0; k < h->cap; k++) {
			if (!h->keys[k].lo && !h->keys[k].hi)
				continue;
			h128_hex(h->keys[k], hex + 1);
			if ((!first && buf_addc(b, ',') < 0) || buf_add(b, hex, 34) < 0)
				return -1;
			first = 0;
		}
		return buf_addc(b, ']');
	}
	case A_APPROX: {
		unsigned char *regs = *(unsigned char **)(void *)p;

		if (!regs)
			return buf_add(b, "null", 4);
		if (buf_grow(b, 2 * HLL_M + 2) < 0)
			return -1;
		b->p[b->len++] = '"';
		for (k = 0; k < HLL_M; k++) {
			b->p[b->len++] = hexd[regs[k] >> 4];
			b->p[b->len++] = hexd[regs[k] & 15];
		}
		b->p[b->len++] = '"';
		return 0;
	}
	default: {
		struct s_vals *t = (struct s_vals *)(void *)p;

		if (shared_state(o, i))
			return buf_add(b, "null", 4);	/* written with the field's first percentile */
		if (buf_addc(b, '[') < 0)
			return -1;
		for (k = 0; k < t->n; k++) {
			char d[40];

			if ((k && buf_addc(b, ',') < 0) ||
			    buf_add(b, d, (size_t)snprintf(d, sizeof(d), "%.17g", t->v[k])) < 0)
				return -1;
		}
		return buf_addc(b, ']');
	}
	}
}

static int write_partial(struct run *r)
{
	const struct opts *o = r->o;
	int nkey = o->ngroups + (o->ts_slot >= 0), i;
	struct slot s[MAX_SLOTS + 1];
	struct buf b = BUF_INIT;
	size_t gi;
	int status = -1;

	sort_opts = o;
	if (r->ng)
		qsort(r->g, r->ng, sizeof(*r->g), cmp_groups);
	if (o->report == R_SLA && sla_by_group(r) < 0)
		goto done;
	if (partial_header(o, &b) < 0 || out_write(&r->d->out, b.p, b.len) < 0)
		goto done;
	for (gi = 0; gi < r->ng; gi++) {
		key_slots(&r->g[gi], nkey, s);
		b.len = 0;
		if (buf_adds(&b, "{\"key\":[") < 0)
			goto done;
		for (i = 0; i < o->ngroups; i++)
			if ((i && buf_addc(&b, ',') < 0) || put_json_value(&b, s[i].type, s[i].v, s[i].n) < 0)
				goto done;
		if (buf_addc(&b, ']') < 0)
			goto done;
		if (o->ts_slot >= 0 && (buf_adds(&b, ",\"bucket\":") < 0 ||
					json_escape(&b, s[nkey - 1].v, s[nkey - 1].n) < 0))
			goto done;
		if (buf_adds(&b, ",\"s\":[") < 0)
			goto done;
		for (i = 0; i < o->nacc; i++)
			if ((i && buf_addc(&b, ',') < 0) ||
			    (o->acc[i].kind >= A_LATEST ? report_state_json(r, &r->g[gi], i, &b)
							: state_json(o, i, r->g[gi].st, &b)) < 0)
				goto done;
		if (buf_add(&b, "]}\n", 3) < 0 || out_write(&r->d->out, b.p, b.len) < 0)
			goto done;
	}
	b.len = 0;
	if (o->report == R_SLA && (sla_replies_json(r, &b) < 0 || out_write(&r->d->out, b.p, b.len) < 0))
		goto done;
	status = 0;
done:
	buf_free(&b);
	if (status < 0 && !r->d->out.err)
		diag("out of memory");
	return status;
}

/* ---- --merge: partial results in, the same state as one pass ---- */

/* In a worker: a partial line is only checked to be JSON; the commit step reads it. */
static int copy_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks,
		     struct buf *out, char *why)
{
	struct worker *w = ctx;
	int r = json_scan_line(line, len, &w->obj, marks);

	if (r == -2)
		return -2;
	if (r < 0) {
		snprintf(why, 200, "%.160s (column %zu)", w->obj.err, w->obj.err_col);
		return -1;
	}
	return buf_add(out, line, len) < 0 || buf_addc(out, '\n') < 0 ? -2 : 0;
}

static const char *merge_err;

/* The text of a member as a slot: strings decoded into tmp. 0, or -1. */
static int as_slot(const struct jfield *f, struct buf *tmp, struct slot *s)
{
	s->type = f->type;
	s->v = f->val;
	s->n = f->vlen;
	if (f->type == J_NULL)
		s->type = ABSENT;
	else if (f->type == J_STR && f->vesc) {
		tmp->len = 0;
		if (json_unescape(f->val, f->vlen, tmp) < 0)
			return -1;
		s->v = tmp->p;
		s->n = (uint32_t)tmp->len;
	}
	return 0;
}

static int get_u64(const struct jfield *f, uint64_t *v)
{
	struct dec d;

	if (!f || f->type != J_NUM || dec_parse(f->val, f->vlen, &d) < 0 || d.scale || d.m < 0)
		return -1;
	*v = (uint64_t)d.m;
	return 0;
}

static int get_dec(const struct jfield *f, struct dec *d)
{
	return f && f->type == J_STR && dec_parse(f->val, f->vlen, d) == 0 ? 0 : -1;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int get_hash(const struct jfield *f, struct h128 *h)
{
	int j, x;

	if (!f || f->type != J_STR || f->vlen != 32)
		return -1;
	h->hi = h->lo = 0;
	for (j = 0; j < 32; j++) {
		if ((x = hexval(f->val[j])) < 0)
			return -1;
		if (j < 16)
			h->hi = h->hi << 4 | (uint64_t)x;
		else
			h->lo = h->lo << 4 | (uint64_t)x;
	}
	return 0;
}

/* A time of partial state: epoch ms, or null (NO_TS). */
static int get_ms(const struct jfield *f, long long *ms)
{
	struct dec d;

	if (f && f->type == J_NULL)
		return *ms = NO_TS, 0;
	if (!f || f->type != J_NUM || dec_parse(f->val, f->vlen, &d) < 0 || d.scale ||
	    d.m >= NO_TS || d.m <= LLONG_MIN)
		return -1;
	*ms = (long long)d.m;
	return 0;
}

/* Merge a report accumulator's partial state f into group g. 0, -1 (merge_err), -2. */
static int merge_report(struct run *r, int i, struct group *g, const struct jfield *f)
{
	const struct acc *a = &r->o->acc[i];
	unsigned char *p = g->st + a->state;
	struct jobj *arr = &r->jo[2], *el = &r->jo[3], *obj = &r->jo[4];
	struct h128 h, o;
	long long ms[7];
	size_t k;
	int j;

	switch (a->kind) {
	case A_LATEST: {
		struct slot v;

		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0 || arr->n != 2 ||
		    get_ms(&arr->f[0], &ms[0]) < 0 || arr->f[1].type == J_NULL)
			return -1;
		if (as_slot(&arr->f[1], &r->tmp, &v) < 0)
			return -2;
		return latest_take((struct s_latest *)(void *)p, &v, ms[0] == NO_TS ? LLONG_MIN : ms[0]);
	}
	case A_FUNNEL:
		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0)
			return -1;
		for (k = 0; k < arr->n; k++) {
			long long *row;

			if (arr->f[k].type != J_ARR || json_scan_array(arr->f[k].val, arr->f[k].vlen, el) != 0 ||
			    el->n != 8 || get_hash(&el->f[0], &h) < 0)
				return -1;
			for (j = 0; j < 7; j++)
				if (get_ms(&el->f[j + 1], &ms[j]) < 0)
					return -1;
			if (!(row = funnel_row((struct s_funnel *)(void *)p, h)))
				return -2;
			for (j = 0; j < 7; j++)
				if (ms[j] < row[j])
					row[j] = ms[j];
		}
		return 0;
	case A_ORDERS: {
		struct s_orders *t = (struct s_orders *)(void *)p;
		const struct jfield *c, *pr, *an;
		uint64_t n;

		if (f->type != J_OBJ || json_scan_object(f->val, f->vlen, obj) != 0 ||
		    !(c = jobj_get(obj, "c", 1)) || !(pr = jobj_get(obj, "p", 1)) || !(an = jobj_get(obj, "a", 1)) ||
		    c->type != J_ARR || pr->type != J_ARR || get_u64(an, &n) < 0 ||
		    json_scan_array(c->val, c->vlen, arr) != 0)
			return -1;
		t->anon_noid += n;
		for (k = 0; k < arr->n; k++) {
			struct cust *cu;

			if (arr->f[k].type != J_ARR || json_scan_array(arr->f[k].val, arr->f[k].vlen, el) != 0 ||
			    el->n != 3 || get_hash(&el->f[0], &h) < 0 || get_ms(&el->f[1], &ms[0]) < 0 ||
			    get_u64(&el->f[2], &n) < 0)
				return -1;
			if (!(cu = orders_cust(t, h)))
				return -2;
			if (ms[0] < cu->first_ts)
				cu->first_ts = ms[0];
			cu->noid += n;
		}
		if (json_scan_array(pr->val, pr->vlen, arr) != 0)
			return -1;
		for (k = 0; k < arr->n; k++) {
			struct cust *cu = NULL;

			h.lo = h.hi = 0;
			if (arr->f[k].type != J_ARR || json_scan_array(arr->f[k].val, arr->f[k].vlen, el) != 0 ||
			    el->n != 2 || (el->f[0].type != J_NULL && get_hash(&el->f[0], &h) < 0) ||
			    get_hash(&el->f[1], &o) < 0)
				return -1;
			if (el->f[0].type != J_NULL && !(cu = orders_cust(t, h)))
				return -2;
			if (orders_pair(t, cu, h, o) < 0)
				return -2;
		}
		return 0;
	}
	case A_SLA:
		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0)
			return -1;
		for (k = 0; k < arr->n; k++) {
			struct sla_ent *e;

			if (arr->f[k].type != J_ARR || json_scan_array(arr->f[k].val, arr->f[k].vlen, el) != 0 ||
			    el->n != 4 || (el->f[0].type != J_NULL && get_hash(&el->f[0], &h) < 0) ||
			    get_ms(&el->f[1], &ms[0]) < 0 || get_ms(&el->f[2], &ms[1]) < 0 ||
			    get_ms(&el->f[3], &ms[2]) < 0)
				return -1;
			if (!(e = sla_entry(r, el->f[0].type != J_NULL ? &h : NULL)))
				return -2;
			sla_inbound(e, g->id, ms[0]);
			if (ms[1] < e->resp_ts)
				e->resp_ts = ms[1];
			if (ms[2] < e->res_ts)
				e->res_ts = ms[2];
		}
		return 0;
	default:
		return -1;
	}
}

/* sla: a line of replies to messages another shard may hold. 0, -1, -2. */
static int merge_replies(struct run *r, const struct jfield *f)
{
	struct jobj *arr = &r->jo[2], *el = &r->jo[3];
	long long resp, res;
	struct h128 h;
	size_t k;

	if (r->o->report != R_SLA || f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0)
		return -1;
	for (k = 0; k < arr->n; k++) {
		struct sla_ent *e;

		if (arr->f[k].type != J_ARR || json_scan_array(arr->f[k].val, arr->f[k].vlen, el) != 0 ||
		    el->n != 3 || get_hash(&el->f[0], &h) < 0 || get_ms(&el->f[1], &resp) < 0 ||
		    get_ms(&el->f[2], &res) < 0)
			return -1;
		if (!(e = sla_entry(r, &h)))
			return -2;
		if (resp < e->resp_ts)
			e->resp_ts = resp;
		if (res < e->res_ts)
			e->res_ts = res;
	}
	return 0;
}

/* Merge one accumulator's partial state f into the group's. 0, -1 (merge_err), -2. */
static int merge_one(struct run *r, int i, unsigned char *st, const struct jfield *f)
{
	const struct acc *a = &r->o->acc[i];
	unsigned char *p = st + a->state;
	struct jobj *arr = &r->jo[2];
	size_t k;

	merge_err = "a state that is not what the accumulator keeps";
	if (f->type == J_NULL)
		return 0;
	switch (a->kind) {
	case A_COUNT:
	case A_ROWS: {
		uint64_t v;

		if (get_u64(f, &v) < 0)
			return -1;
		*(uint64_t *)(void *)p += v;
		return 0;
	}
	case A_SUM:
	case A_MEAN:
	case A_STDDEV: {
		struct dec d, d2 = { 0, 0 };
		uint64_t n;
		int two = a->kind == A_STDDEV;

		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0 ||
		    arr->n != (two ? 3u : 2u) || get_dec(&arr->f[0], &d) < 0 ||
		    (two && get_dec(&arr->f[1], &d2) < 0) || get_u64(&arr->f[two ? 2 : 1], &n) < 0)
			return -1;
		if (two) {
			struct s_std *t = (struct s_std *)(void *)p;

			if (dec_add(&t->sum, d) < 0 || dec_add(&t->sum2, d2) < 0)
				return merge_err = "a sum beyond 38 digits", -1;
			t->n += n;
		} else {
			struct s_sum *t = (struct s_sum *)(void *)p;

			if (dec_add(&t->sum, d) < 0)
				return merge_err = "a sum beyond 38 digits", -1;
			t->n += n;
		}
		return 0;
	}
	case A_MIN: case A_MAX: case A_FIRST: case A_LAST: {
		struct slot v;

		if (as_slot(f, &r->tmp, &v) < 0)
			return -2;
		return update_one(a->kind, p, &v, NULL);
	}
	case A_DISTINCT: {
		struct htab *h = (struct htab *)(void *)p;
		uint64_t *val;

		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0)
			return -1;
		h->no_values = 1;
		for (k = 0; k < arr->n; k++) {
			struct h128 key;

			if (get_hash(&arr->f[k], &key) < 0)
				return -1;
			if (htab_put(h, key, &val) < 0)
				return -2;
		}
		return 0;
	}
	case A_APPROX: {
		unsigned char **regs = (unsigned char **)(void *)p;

		if (f->type != J_STR || f->vlen != 2 * HLL_M)
			return -1;
		if (!*regs && !(*regs = calloc(HLL_M, 1)))
			return -2;
		for (k = 0; k < HLL_M; k++) {
			int hi = hexval(f->val[2 * k]), lo = hexval(f->val[2 * k + 1]);

			if (hi < 0 || lo < 0)
				return -1;
			if ((unsigned char)(hi << 4 | lo) > (*regs)[k])
				(*regs)[k] = (unsigned char)(hi << 4 | lo);
		}
		return 0;
	}
	default: {
		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0)
			return -1;
		for (k = 0; k < arr->n; k++) {
			struct slot v = { J_NUM, arr->f[k].val, arr->f[k].vlen };

			if (arr->f[k].type != J_NUM)
				return -1;
			if (update_one(a->kind, p, &v, NULL) < 0)
				return -2;
		}
		return 0;
	}
	}
}

/* Set up the aggregation a partial header describes (the first input's). 0, or -1. */
static int configure_from_header(struct run *r, const struct jobj *h)
{
	struct opts *o = r->o;
	const struct jfield *g = jobj_get(h, "group_by", 8), *e = jobj_get(h, "every", 5),
			    *a = jobj_get(h, "acc", 3), *rp = jobj_get(h, "report", 6);
	struct jobj arr = JOBJ_INIT;
	const char *accs[64];
	char *copies[64];
	int nacc = 0, i, rc = -1;
	size_t k;

	if (!g || g->type != J_ARR || !a || a->type != J_ARR || !e)
		return -1;
	if (rp) {
		for (i = 1; i < NREPORTS && (rp->type != J_STR || strlen(report_name[i]) != rp->vlen ||
					     memcmp(report_name[i], rp->val, rp->vlen)); i++)
			;
		if (i == NREPORTS)
			return -1;
		o->report = (enum report)i;
		o->internal = 1;	/* the report's accumulators, from the header */
	}
	if (json_scan_array(g->val, g->vlen, &arr) != 0)
		goto done;
	for (k = 0; k < arr.n; k++)
		if (arr.f[k].type != J_STR || arr.f[k].vesc ||
		    add_group(o, arr.f[k].val, arr.f[k].vlen) < 0)
			goto done;
	if (e->type == J_STR) {
		for (i = 1; i < 5 && (strlen(every_name[i]) != e->vlen ||
				      memcmp(every_name[i], e->val, e->vlen)); i++)
			;
		if (i == 5)
			goto done;
		o->every = (enum every)i;
	}
	if (json_scan_array(a->val, a->vlen, &arr) != 0 || arr.n > 64)
		goto done;
	for (k = 0; k < arr.n; k++) {
		if (arr.f[k].type != J_STR || arr.f[k].vesc)
			goto done;
		copies[nacc] = strndup(arr.f[k].val, arr.f[k].vlen);
		if (!copies[nacc])
			goto done;
		accs[nacc] = copies[nacc];
		nacc++;
	}
	rc = configure(o, accs, nacc);
	if (rc == 0)
		layout_states(r);
done:
	for (i = 0; i < nacc; i++)
		free(copies[i]);
	jobj_free(&arr);
	return rc;
}

/* One partial line (in input order): a header, or a group's state. 0, or -1 after saying why. */
static int merge_line(struct run *r, const char *line, size_t len, uint64_t lineno)
{
	struct opts *o = r->o;
	struct jobj *obj = &r->jo[0], *keys = &r->jo[1];
	const struct jfield *key, *st, *bk;
	struct buf kb = BUF_INIT;
	struct slot bucket, v;
	struct group *g;
	size_t k;
	int rc = -1;

	if (json_scan_object(line, len, obj) != 0)
		return diag_at(r->d->name, lineno, "not a JSON object"), -1;
	if (jobj_get(obj, "vchain_partial", 14)) {
		const struct jfield *ver = jobj_get(obj, "vchain_partial", 14);

		if (ver->type != J_NUM || ver->vlen != 1 || ver->val[0] != '1')
			return diag_at(r->d->name, lineno, "partial results of another version"), -1;
		if (!r->header) {
			if (!(r->header = strndup(line, len)))
				return diag("out of memory"), -1;
			if (configure_from_header(r, obj) < 0)
				return diag_at(r->d->name, lineno, "a partial header this version cannot read"), -1;
		} else if (strlen(r->header) != len || memcmp(r->header, line, len))
			return diag_at(r->d->name, lineno, "partial results of another aggregation "
				       "(the groups or accumulators differ from the first input's)"), -1;
		r->saw_header = 1;
		return 0;
	}
	if (!r->saw_header)
		return diag_at(r->d->name, lineno, "not partial results of vchain-aggregate --partial "
			       "(no header line first)"), -1;
	if ((bk = jobj_get(obj, "replies", 7))) {
		int m = merge_replies(r, bk);

		if (m == -2)
			return diag("out of memory"), -1;
		return m < 0 ? diag_at(r->d->name, lineno, "a replies line that is not what the sla report keeps"), -1 : 0;
	}
	key = jobj_get(obj, "key", 3);
	st = jobj_get(obj, "s", 1);
	bk = jobj_get(obj, "bucket", 6);
	if (!key || key->type != J_ARR || !st || st->type != J_ARR ||
	    json_scan_array(key->val, key->vlen, keys) != 0 || keys->n != (size_t)o->ngroups ||
	    (o->ts_slot >= 0) != (bk && bk->type == J_STR))
		return diag_at(r->d->name, lineno, "a group line that does not match the header"), -1;
	/* the key as a reduced record holds it */
	for (k = 0; k < keys->n; k++) {
		if (as_slot(&keys->f[k], &r->tmp, &v) < 0)
			goto oom;
		if (buf_addc(&kb, (char)v.type) < 0)
			goto oom;
		if (v.type != ABSENT && (put_u32(&kb, v.n) < 0 || buf_add(&kb, v.v, v.n) < 0))
			goto oom;
	}
	if (bk && as_slot(bk, &r->tmp, &bucket) < 0)
		goto oom;
	g = find_group(r, kb.p ? kb.p : "", kb.len, o->ts_slot >= 0 ? &bucket : NULL);
	if (!g)
		goto oom;
	if (json_scan_array(st->val, st->vlen, keys) != 0 || keys->n != (size_t)o->nacc) {
		diag_at(r->d->name, lineno, "a group line that does not match the header");
		goto done;
	}
	for (k = 0; k < keys->n; k++) {
		int m;

		merge_err = "a state that is not what the accumulator keeps";
		m = o->acc[k].kind >= A_LATEST ? (keys->f[k].type == J_NULL ? 0 : merge_report(r, (int)k, g, &keys->f[k]))
					       : merge_one(r, (int)k, g->st, &keys->f[k]);

		if (m == -2)
			goto oom;
		if (m < 0) {
			diag_at(r->d->name, lineno, "%s: %s", o->acc[k].out, merge_err);
			goto done;
		}
	}
	rc = 0;
	goto done;
oom:
	diag("out of memory");
done:
	buf_free(&kb);
	return rc;
}

static void free_groups(struct run *r)
{
	const struct opts *o = r->o;
	size_t gi;
	int i;

	for (gi = 0; gi < r->ng; gi++)
		for (i = 0; i < o->nacc; i++) {
			unsigned char *p = r->g[gi].st + o->acc[i].state;
			int j;

			for (j = 0; j < i && o->acc[j].state != o->acc[i].state; j++)
				;
			if (j < i)
				continue;	/* a state shared by percentiles: freed once */

			switch (o->acc[i].kind) {
			case A_MIN: case A_MAX: case A_FIRST: case A_LAST:
				free(((struct s_text *)(void *)p)->p);
				break;
			case A_DISTINCT:
				htab_free((struct htab *)(void *)p);
				break;
			case A_APPROX:
				free(*(unsigned char **)(void *)p);
				break;
			case A_P50: case A_P90: case A_P99:
				free(((struct s_vals *)(void *)p)->v);
				break;
			case A_LATEST:
				free(((struct s_latest *)(void *)p)->t.p);
				break;
			case A_FUNNEL: {
				struct s_funnel *f = (struct s_funnel *)(void *)p;

				htab_free(&f->people);
				free(f->row);
				break;
			}
			case A_ORDERS: {
				struct s_orders *t = (struct s_orders *)(void *)p;

				htab_free(&t->users);
				htab_free(&t->pairs);
				htab_free(&t->orders);
				free(t->c);
				free(t->p);
				break;
			}
			default:
				break;
			}
		}
	free(r->g);
	htab_free(&r->index);
	arena_free(&r->keys);
	htab_free(&r->sla_idx);
	free(r->sla);
	free(r->tally);
	free(r->delay);
	free(r->sla_order);
	free(r->sla_start);
	free(r->spend_of);
	free(r->has_spend);
	free(r->new_of);
}

/* A CSV input's header: the column of each slot (by exact name), -1 when none has it. */
static int csv_header(void *ctx, const char *rec, size_t len, char *why)
{
	struct run *r = ctx;
	const struct opts *o = r->o;
	long n;
	int i, k;

	if (len >= 3 && !memcmp(rec, "\xEF\xBB\xBF", 3))
		rec += 3, len -= 3;
	if (!utf8_valid(rec, len))
		return snprintf(why, 200, "the header is not valid UTF-8"), -1;
	csvrec_set_delim(&r->hcsv, r->cur.delim);
	n = csvrec_split(&r->hcsv, rec, len);
	if (n < 0)
		return snprintf(why, 200, "header: %s", n == -2 ? "out of memory" : r->hcsv.err), -1;
	r->cur.ncol = (size_t)n;
	for (i = 0; i < o->nslots; i++) {
		r->cur.col_of[i] = -1;
		for (k = 0; k < n; k++)
			if (r->hcsv.flen[k] == strlen(o->slot_name[i]) &&
			    !memcmp(r->hcsv.f[k], o->slot_name[i], r->hcsv.flen[k])) {
				r->cur.col_of[i] = k;
				break;
			}
	}
	return 0;
}

/* Each input: NDJSON or CSV, by --from, else by name (.csv, .tsv), else by its first byte. */
static int prepare(void *ctx, struct drive *d, struct in *in)
{
	struct run *r = ctx;
	const struct opts *o = r->o;
	const char *p;
	ssize_t n;

	r->cur.fmt = (enum in_format)o->from;
	r->cur.delim = o->tsv ? '\t' : ',';
	if (r->cur.fmt == IN_AUTO && !o->merge) {
		if (in_name_ends(in, ".csv"))
			r->cur.fmt = IN_CSV;
		else if (in_name_ends(in, ".tsv") || in_name_ends(in, ".tab"))
			r->cur.fmt = IN_CSV, r->cur.delim = '\t';
		else {
			n = in_peek(in, 4096, &p);
			if (n < 0) {
				diag_at(d->name, 0, "%s", in->err);
				return -1;
			}
			while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
				p++, n--;
			r->cur.fmt = n > 0 && *p != '{' ? IN_CSV : IN_NDJSON;
		}
	}
	if (r->cur.fmt == IN_CSV && !o->merge) {
		in->quote = '"';
		in->delim = r->cur.delim;
		par_set_header(d->par, csv_header, r);
	}
	return 0;
}

static void before_input(void *ctx)
{
	((struct run *)ctx)->saw_header = 0;
}

int main(int argc, char **argv)
{
	struct worker workers[PAR_MAX_WORKERS];
	void *wctx[PAR_MAX_WORKERS];
	struct opts o;
	struct run r;
	int first, status, i;
	unsigned w, nw;
	size_t sz;

	diag_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	first = parse_args(argc, argv, &o);
	if (first <= 0)
		return cli_args_status(first);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	o.d.prepare = prepare;
	if (csvrec_init(&r.hcsv, ',', '"') < 0) {
		diag("out of memory");
		return EXIT_DATA;
	}
	r.pf_acc = r.pf_slot = -1;
	if (!o.merge) {
		layout_states(&r);
		for (i = 0; i < o.nacc && r.pf_acc < 0; i++)
			if (o.acc[i].kind == A_DISTINCT || o.acc[i].kind == A_FUNNEL)
				r.pf_acc = i, r.pf_slot = o.acc[i].slot;
	}
	nw = o.d.threads > 1 ? o.d.threads : 1;
	for (w = 0; w < nw; w++) {
		memset(&workers[w], 0, sizeof(workers[w]));
		workers[w].o = &o;
		workers[w].cur = &r.cur;
		if (csvrec_init(&workers[w].csv, ',', '"') < 0) {
			diag("out of memory");
			return EXIT_DATA;
		}
		wctx[w] = &workers[w];
	}
	status = drive_open(&o.d, o.merge ? copy_line : reduce_line, wctx);
	if (status == EXIT_OK)
		status = drive_inputs(&o.d, argv + first, argc - first, commit, before_input, NULL, &r);
	if (status == EXIT_OK && o.merge && !r.header) {
		diag("--merge: no partial results in the input");
		status = EXIT_DATA;
	}
	if (status == EXIT_OK && o.merge && report_options(&o) < 0)
		status = EXIT_USAGE;
	if (status == EXIT_OK && !o.d.gone && (o.partial ? write_partial(&r) : write_results(&r)) < 0)
		status = EXIT_DATA;
	if (o.stats) {
		char blank[48] = "";

		char unused[64] = "";

		if (r.blank)
			snprintf(blank, sizeof(blank), ", blank lines %llu", (unsigned long long)r.blank);
		if (o.report && !o.merge)
			snprintf(unused, sizeof(unused), ", %llu read by no metric of the report",
				 (unsigned long long)r.unused);
		diag("read %llu, rejected %llu%s, groups %zu%s, %zu MB of state",
		     (unsigned long long)r.read, (unsigned long long)r.rejected, blank, r.ng, unused,
		     (htab_bytes(&r.index) + r.keys.used + r.gcap * sizeof(struct group)) >> 20);
	}
	status = drive_close(&o.d, status);
	free_groups(&r);
	free(r.header);
	for (i = 0; i < 5; i++)
		jobj_free(&r.jo[i]);
	buf_free(&r.tmp);
	csvrec_free(&r.hcsv);
	for (w = 0; w < nw; w++) {
		csvrec_free(&workers[w].csv);
		jobj_free(&workers[w].obj);
		buf_free(&workers[w].tmp);
	}
	for (i = 0; i < o.nslots; i++)
		free(o.slot_name[i]);
	for (i = 0; i < o.ngroups; i++)
		free(o.groups[i]);
	for (i = 0; i < o.nacc; i++) {
		struct acc *a = &o.acc[i];
		int j, k, m;

		free(a->out);
		free(a->spec);
		for (j = 0; j < a->nalt; j++) {
			for (k = 0; k < a->alt[j].nt; k++) {
				for (m = 0; m < a->alt[j].t[k].nvals; m++)
					free(a->alt[j].t[k].vals[m]);
				free(a->alt[j].t[k].vals);
			}
			free(a->alt[j].t);
		}
		free(a->alt);
	}
	free(o.acc);
	for (sz = 0; sz < o.nsp; sz++) {
		free(o.sp[sz].key);
		free(o.sp[sz].date);
	}
	free(o.sp);
	return status;
}
