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
#include "lib/json.h"
#include "lib/out.h"
#include "lib/par.h"
#include "lib/ts.h"

#define MAX_SLOTS 64		/* fields a record is reduced to */
#define HLL_P 12		/* 4096 registers: standard error 1.04 / 64 = 1.6% */
#define HLL_M (1u << HLL_P)
#define ABSENT 0xFF		/* slot type: the field is not in the record */

enum acc_kind {
	A_COUNT, A_ROWS, A_SUM, A_MIN, A_MAX, A_MEAN, A_STDDEV, A_DISTINCT, A_APPROX,
	A_P50, A_P90, A_P99, A_FIRST, A_LAST
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
};
#define NKINDS (sizeof(acc_info) / sizeof(acc_info[0]))

enum every { EVERY_NONE, EVERY_HOUR, EVERY_DAY, EVERY_WEEK, EVERY_MONTH };
static const char *const every_name[] = { "", "hour", "day", "week", "month" };

enum format { OUT_NDJSON, OUT_CSV, OUT_TSV, OUT_TABLE };

struct acc {
	enum acc_kind kind;
	int slot;		/* the field's slot in a reduced record, or -1 */
	char *out;		/* output name: revenue_sum, count, ... */
	size_t state;		/* offset of its state in a group's block */
};

struct opts {
	char *groups[MAX_SLOTS];
	int ngroups;
	struct acc *acc;
	int nacc;
	/* the fields a record is reduced to: groups first, then accumulator fields */
	char *slot_name[MAX_SLOTS];
	int slot_numeric[MAX_SLOTS];	/* must be a number (sum, mean, ...) */
	int nslots;
	int count_slot;			/* the "count" weight's slot, or -1 */
	int ts_slot;			/* for --every, or -1 */
	enum every every;
	enum format format;
	int stats;
	int partial, merge;		/* write mergeable state; read it */
	int from;			/* enum in_format; a tab-separated --from tsv sets tsv */
	int tsv;
	const char *rejects;
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

struct run {
	struct opts *o;
	struct drive *d;
	struct out rej;
	struct current cur;
	struct csvrec hcsv;	/* splits CSV headers, in the calling thread */
	/* --merge */
	char *header;		/* the first input's header line, which every input must repeat */
	int saw_header;		/* in the input being read */
	struct jobj jo[3];
	struct buf tmp;
	struct htab index;	/* key hash -> group number */
	struct group *g;
	size_t ng, gcap;
	size_t block;		/* bytes of accumulator state per group */
	struct arena keys;
	uint64_t read, rejected, blank, shown;	/* read = aggregated + rejected + blank */
	int failed;
};

static void usage(FILE *f)
{
	fputs("usage: vchain-aggregate [-h] [--version] [-g FIELD[,FIELD...]] [-a ACC[,ACC...]]\n"
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
	      "  -j, --threads N      worker threads (default: the number of CPUs)\n"
	      "  -h, --help           this help\n"
	      "      --version        version and gzip decoders\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data or I/O error, 2 usage error.\n"
	      "See vchain-aggregate(1).\n", f);
}

static int slot_of(struct opts *o, const char *name, size_t n, int numeric)
{
	int i;

	for (i = 0; i < o->nslots; i++)
		if (strlen(o->slot_name[i]) == n && !memcmp(o->slot_name[i], name, n)) {
			o->slot_numeric[i] |= numeric;
			return i;
		}
	if (o->nslots == MAX_SLOTS)
		return -1;
	o->slot_name[o->nslots] = strndup(name, n);
	if (!o->slot_name[o->nslots])
		return -1;
	o->slot_numeric[o->nslots] = numeric;
	return o->nslots++;
}

static int add_acc(struct opts *o, const char *spec, size_t n)
{
	const char *colon = memchr(spec, ':', n);
	size_t kl = colon ? (size_t)(colon - spec) : n, k;
	struct acc *a;

	for (k = 0; k < NKINDS; k++)
		if (strlen(acc_info[k].name) == kl && !memcmp(acc_info[k].name, spec, kl))
			break;
	if (k == NKINDS) {
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
	if (colon) {
		size_t fl = n - kl - 1;

		a->slot = slot_of(o, colon + 1, fl, acc_info[k].numeric);
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

/* Slots and accumulators from the groups (already in o) and the -a lists. */
static int configure(struct opts *o, const char *const *accs, int nacc)
{
	int i, j;

	/* the slots: group fields, then accumulator fields, then count and ts */
	for (i = 0; i < o->ngroups; i++)
		if (slot_of(o, o->groups[i], strlen(o->groups[i]), 0) != i) {
			diag("-g: '%s' given twice", o->groups[i]);
			return -1;
		}
	for (i = 0; i < nacc; i++)
		if (each_item(accs[i], add_acc, o) < 0)
			return -1;
	if (!nacc && add_acc(o, "count", 5) < 0)
		return -1;
	o->count_slot = o->ts_slot = -1;
	for (i = 0; i < o->nacc; i++)
		if (o->acc[i].kind == A_COUNT)
			o->count_slot = slot_of(o, "count", 5, 0);
	if (o->every)
		o->ts_slot = slot_of(o, "ts", 2, 0);
	for (i = 0; i < o->nacc; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(o->acc[i].out, o->acc[j].out)) {
				diag("-a: '%s' given twice", o->acc[i].out);
				return -1;
			}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_EVERY = 256, OPT_FORMAT, OPT_REJECTS, OPT_STATS, OPT_PARTIAL, OPT_MERGE, OPT_FROM };
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
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *accs[64];
	int nacc = 0, c, i;

	(void)i;

	memset(o, 0, sizeof(*o));
	if (drive_init(&o->d) < 0)
		return -1;
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
		case OPT_REJECTS: o->rejects = optarg; break;
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
		default:
			if (drive_take_option(&o->d, c, optarg, argv, usage) < 0)
				return -1;
		}
	}
	if (o->partial && o->format != OUT_NDJSON) {
		diag("--partial writes NDJSON only");
		return -1;
	}
	if (o->merge && (o->ngroups || nacc || o->every)) {
		diag("--merge takes the groups and accumulators from the partial results; "
		     "no -g, -a or --every");
		return -1;
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
	return 0;
}

static int reduce_line(void *ctx, const char *line, size_t len, struct buf *out, char *why)
{
	struct worker *w = ctx;
	long n;
	int r;

	if (w->cur->fmt == IN_CSV) {
		if (len == 0 || (len == 1 && line[0] == '\r'))
			return 1;	/* a blank line: no record */
		if (!utf8_valid(line, len))
			return snprintf(why, 200, "not valid UTF-8"), -1;
		if (w->csv.delim != w->cur->delim)
			w->csv.delim = w->cur->delim, csv_set_delim(&w->csv.p, (unsigned char)w->cur->delim);
		n = csvrec_split(&w->csv, line, len);
		if (n == -2)
			return -2;
		if (n < 0)
			return snprintf(why, 200, "%s", w->csv.err), -1;
		if ((size_t)n != w->cur->ncol)
			return snprintf(why, 200, "%ld fields, the header has %zu", n, w->cur->ncol), -1;
		return reduce_fields(w, out, why);
	}
	r = json_scan_object(line, len, &w->obj);
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

	if (s->n >= sizeof(b))
		return strtod(s->v, NULL);	/* a number of 64+ characters: strtod stops at its end */
	memcpy(b, s->v, s->n);
	b[s->n] = '\0';
	return strtod(b, NULL);
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
			/* type and text: the string "1" and the number 1 are two values */
			struct h128 key = hash128(v->v, v->n);

			key.hi ^= (uint64_t)(v->type + 1) * 0x9E3779B97F4A7C15ull;
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

			if (t->n == t->cap) {
				size_t cap = t->cap ? 2 * t->cap : 16;
				double *nv = realloc(t->v, cap * sizeof(*nv));

				if (!nv)
					return -2;
				t->v = nv;
				t->cap = cap;
			}
			t->v[t->n++] = to_double(v);
			t->sorted = 0;
			break;
		}
		}
	}
	return 0;
}

static int update(struct run *r, unsigned char *st, const struct slot *s)
{
	const struct opts *o = r->o;
	int i, k;

	for (i = 0; i < o->nacc; i++) {
		const struct acc *a = &o->acc[i];
		const struct slot *v = a->slot >= 0 ? &s[a->slot] : NULL;

		if (v && (v->type == ABSENT || v->type == J_NULL))
			continue;	/* absent and null values count for nothing */
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
	if (r->ng == r->gcap) {
		size_t cap = r->gcap ? 2 * r->gcap : 1024;
		struct group *ng = realloc(r->g, cap * sizeof(*ng));

		if (!ng)
			return NULL;
		r->g = ng;
		r->gcap = cap;
	}
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

static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	const struct opts *o = r->o;
	const char *p = c->out.p, *end = c->out.p + c->out.len;
	struct slot s[MAX_SLOTS];

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
		size_t n = read_record(p, o->nslots, s), klen = 0;
		const char *key = p + 4;
		struct group *g;
		int k;

		/* the key: the group slots, as they lie in the record */
		for (k = 0; k < o->ngroups; k++)
			klen += 1 + (s[k].type == ABSENT ? 0 : 4 + s[k].n);
		g = find_group(r, key, klen, o->ts_slot >= 0 ? &s[o->ts_slot] : NULL);
		if (!g)
			goto oom;
		k = update(r, g->st, s);
		if (k == -2)
			goto oom;
		if (k < 0) {
			diag_at(r->d->name, 0, "a sum does not fit in 38 digits");
			return r->d->stop = -1;
		}
		p += n;
	}
	if (drive_bad_records(r->d, c, first_line, &r->rej, o->rejects, &r->shown) < 0)
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
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
		size_t i;

		if (!s->n)
			return buf_add(b, "null", 4);
		/* sorted once, when the first percentile of the field asks */
		if (!s->sorted)
			qsort(s->v, s->n, sizeof(*s->v), cmp_double);
		s->sorted = 1;
		i = (size_t)(q * (double)s->n);	/* Miller's non-interpolated percentile */
		if (i >= s->n)
			i = s->n - 1;
		return put_double(b, s->v[i]);
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

static int write_results(struct run *r)
{
	const struct opts *o = r->o;
	int nkey = o->ngroups + (o->ts_slot >= 0), nf = nkey + o->nacc, i, j;
	struct field *f = calloc((size_t)nf, sizeof(*f));
	struct buf cell = BUF_INIT, line = BUF_INIT;
	size_t *width = calloc((size_t)nf, sizeof(*width)), gi;
	struct slot s[MAX_SLOTS + 1];
	struct out *out = &r->d->out;
	int status = -1, pass;

	if (!f || !width)
		goto done;
	/* names: the bucket, the group fields, the accumulators */
	j = 0;
	if (o->ts_slot >= 0)
		f[j++].name = every_name[o->every];
	for (i = 0; i < o->ngroups; i++)
		f[j++].name = o->groups[i];
	for (i = 0; i < o->nacc; i++)
		f[j++].name = o->acc[i].out;
	sort_opts = o;
	qsort(r->g, r->ng, sizeof(*r->g), cmp_groups);
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
		for (gi = 0; gi < r->ng; gi++) {
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
	if (status < 0 && !out->err)
		diag("out of memory");
	return status;
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
	for (i = 0; i < o->nacc; i++) {
		const struct acc *a = &o->acc[i];
		struct buf spec = BUF_INIT;
		int r;

		r = buf_adds(&spec, acc_info[a->kind].name);
		if (!r && a->slot >= 0)
			r = buf_addc(&spec, ':') < 0 || buf_adds(&spec, o->slot_name[a->slot]) < 0 ? -1 : 0;
		r = r || (i && buf_addc(b, ',') < 0) || json_escape(b, spec.p, spec.len) < 0;
		buf_free(&spec);
		if (r)
			return -1;
	}
	return buf_add(b, "]}\n", 3);
}

static int put_dec(struct buf *b, struct dec d)
{
	char t[DEC_MAX_LEN];

	return json_escape(b, t, dec_format(d, t));
}

static int put_uint(struct buf *b, uint64_t v)
{
	char t[24];

	return buf_add(b, t, (size_t)snprintf(t, sizeof(t), "%llu", (unsigned long long)v));
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
	qsort(r->g, r->ng, sizeof(*r->g), cmp_groups);
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
			if ((i && buf_addc(&b, ',') < 0) || state_json(o, i, r->g[gi].st, &b) < 0)
				goto done;
		if (buf_add(&b, "]}\n", 3) < 0 || out_write(&r->d->out, b.p, b.len) < 0)
			goto done;
	}
	status = 0;
done:
	buf_free(&b);
	if (status < 0 && !r->d->out.err)
		diag("out of memory");
	return status;
}

/* ---- --merge: partial results in, the same state as one pass ---- */

/* In a worker: a partial line is only checked to be JSON; the commit step reads it. */
static int copy_line(void *ctx, const char *line, size_t len, struct buf *out, char *why)
{
	struct worker *w = ctx;
	int r = json_scan_object(line, len, &w->obj);

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
			const struct jfield *e = &arr->f[k];
			struct h128 key = { 0, 0 };
			int j, x;

			if (e->type != J_STR || e->vlen != 32)
				return -1;
			for (j = 0; j < 32; j++) {
				if ((x = hexval(e->val[j])) < 0)
					return -1;
				if (j < 16)
					key.hi = key.hi << 4 | (uint64_t)x;
				else
					key.lo = key.lo << 4 | (uint64_t)x;
			}
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
			    *a = jobj_get(h, "acc", 3);
	struct jobj arr = JOBJ_INIT;
	const char *accs[64];
	char *copies[64];
	int nacc = 0, i, rc = -1;
	size_t k;

	if (!g || g->type != J_ARR || !a || a->type != J_ARR || !e)
		return -1;
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
		int m = merge_one(r, (int)k, g->st, &keys->f[k]);

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
			default:
				break;
			}
		}
	free(r->g);
	htab_free(&r->index);
	arena_free(&r->keys);
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
	if (r->hcsv.delim != r->cur.delim)
		r->hcsv.delim = r->cur.delim, csv_set_delim(&r->hcsv.p, (unsigned char)r->cur.delim);
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
	int first, status, st, i;
	unsigned w, nw;

	diag_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	first = parse_args(argc, argv, &o);
	if (first < 0)
		return EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	o.d.keep_going = o.rejects != NULL;
	o.d.prepare = prepare;
	if (csvrec_init(&r.hcsv, ',', '"') < 0) {
		diag("out of memory");
		return EXIT_DATA;
	}
	if (!o.merge)
		layout_states(&r);
	if (o.rejects && out_open_path(&r.rej, o.rejects) < 0) {
		diag("%s: cannot open: %s", o.rejects, strerror(errno));
		return EXIT_DATA;
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
	if (status == EXIT_OK && !o.d.gone && (o.partial ? write_partial(&r) : write_results(&r)) < 0)
		status = EXIT_DATA;
	if (o.stats) {
		char blank[48] = "";

		if (r.blank)
			snprintf(blank, sizeof(blank), ", blank lines %llu", (unsigned long long)r.blank);
		diag("read %llu, rejected %llu%s, groups %zu, %zu MB of state",
		     (unsigned long long)r.read, (unsigned long long)r.rejected, blank, r.ng,
		     (htab_bytes(&r.index) + r.keys.used + r.gcap * sizeof(struct group)) >> 20);
	}
	if (o.rejects) {
		if (r.rejected > DRIVE_MAX_REJECT_MESSAGES)
			diag("%llu more bad records not shown",
			     (unsigned long long)(r.rejected - DRIVE_MAX_REJECT_MESSAGES));
		if (r.rejected)
			diag("%llu bad records set aside in %s", (unsigned long long)r.rejected, o.rejects);
		st = cli_close_out(&r.rej);
		if (status == EXIT_OK)
			status = st;
	}
	status = drive_close(&o.d, status);
	free_groups(&r);
	free(r.header);
	for (i = 0; i < 3; i++)
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
	for (i = 0; i < o.nacc; i++)
		free(o.acc[i].out);
	free(o.acc);
	return status;
}
