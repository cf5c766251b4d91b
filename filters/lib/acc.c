/*
 * acc.c - the accumulators of acc.h: parsing their specs, and per kind the
 * update, the value, and the partial state and its merge. Money and sums
 * are exact decimals; percentiles keep every value (exact, Miller's rule).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acc.h"
#include "htab.h"
#include "partial.h"

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

const struct acc_kind_info acc_kinds[ACC_NKINDS] = {
	[A_COUNT] = { "count", 0, 0 }, [A_ROWS] = { "rows", 0, 0 },
	[A_SUM] = { "sum", 1, 1 }, [A_MIN] = { "min", 1, 0 }, [A_MAX] = { "max", 1, 0 },
	[A_MEAN] = { "mean", 1, 1 }, [A_STDDEV] = { "stddev", 1, 1 },
	[A_DISTINCT] = { "distinct", 1, 0 }, [A_APPROX] = { "approx_distinct", 1, 0 },
	[A_P50] = { "p50", 1, 1 }, [A_P90] = { "p90", 1, 1 }, [A_P99] = { "p99", 1, 1 },
	[A_FIRST] = { "first", 1, 0 }, [A_LAST] = { "last", 1, 0 },
	[A_LATEST] = { "latest", 1, 1 }, [A_SPAN] = { "span", 0, 0 }, [A_FUNNEL] = { "funnel", 0, 0 },
	[A_ORDERS] = { "orders", 0, 0 }, [A_REFS] = { "refs", 0, 0 }, [A_SLA] = { "sla", 0, 0 },
};

int acc_parse(struct acc *a, struct rec_layout *l, const char *spec, size_t n, int internal, char *why)
{
	const char *q = internal ? memchr(spec, '?', n) : NULL, *colon;
	size_t all = n, kl, k, nk = internal ? ACC_NKINDS : ACC_NPUBLIC;
	int r;

	memset(a, 0, sizeof(*a));
	a->slot = -1;
	if (q)
		n = (size_t)(q - spec);	/* a report's condition follows the '?' */
	colon = memchr(spec, ':', n);
	kl = colon ? (size_t)(colon - spec) : n;
	for (k = 0; k < nk; k++)
		if (strlen(acc_kinds[k].name) == kl && !memcmp(acc_kinds[k].name, spec, kl))
			break;
	if (k == nk)
		return snprintf(why, 200, "-a: unknown accumulator '%.*s' (count, rows, sum, min, max, mean, stddev, "
				"distinct, approx_distinct, p50, p90, p99, first, last)", (int)kl, spec), -1;
	if (acc_kinds[k].needs_field != (colon != NULL) || (colon && colon + 1 == spec + n))
		return snprintf(why, 200, acc_kinds[k].needs_field ? "-a: '%.*s' needs a field, as in %s:revenue"
								   : "-a: '%.*s' takes no field",
				(int)n, spec, acc_kinds[k].name), -1;
	a->kind = (enum acc_kind)k;
	if (!(a->spec = strndup(spec, all)))
		return -2;
	if (q && (r = cond_parse(&a->cond, l, q + 1, all - n - 1)) < 0)
		return r == -2 ? -2 : (snprintf(why, 200, "a report accumulator with a bad condition: %.*s", (int)all,
					       spec), -1);
	/* the fields the report kinds read */
	switch (a->kind) {
	case A_LATEST:
	case A_SPAN:
		a->xs[0] = rec_slot(l, "ts", 2, 0, SK_MS);
		break;
	case A_FUNNEL:
		a->slot = rec_slot(l, "user_id", 7, 0, SK_HASH);
		a->xs[0] = rec_slot(l, "stage", 5, 1, SK_PLAIN);
		a->xs[1] = rec_slot(l, "ts", 2, 0, SK_MS);
		break;
	case A_ORDERS:
		a->slot = rec_slot(l, "user_id", 7, 0, SK_HASH);
		a->xs[0] = rec_slot(l, "order_id", 8, 0, SK_HASH);
		a->xs[1] = rec_slot(l, "ts", 2, 0, SK_MS);
		break;
	case A_REFS:
		a->slot = rec_slot(l, "referrer", 8, 0, SK_PLAIN);
		a->xs[0] = rec_slot(l, "user_id", 7, 0, SK_HASH);
		a->xs[1] = rec_slot(l, "ts", 2, 0, SK_MS);
		break;
	case A_SLA:
		a->xs[0] = rec_slot(l, "type", 4, 0, SK_PLAIN);
		a->xs[1] = rec_slot(l, "event_id", 8, 0, SK_HASH);
		a->xs[2] = rec_slot(l, "reply_to", 8, 0, SK_HASH);
		a->xs[3] = rec_slot(l, "ts", 2, 0, SK_MS);
		break;
	default:
		break;
	}
	if ((k == A_FUNNEL || k == A_ORDERS || k == A_REFS) && a->slot < 0)
		a->xs[0] = a->slot;
	if (a->xs[0] == -2 || a->xs[1] == -2 || a->xs[2] == -2 || a->xs[3] == -2)
		return -2;
	if (a->xs[0] < 0 || a->xs[1] < 0 || a->xs[2] < 0 || a->xs[3] < 0)
		return snprintf(why, 200, "-a: more than %d fields", REC_MAX_SLOTS), -1;
	if (colon) {
		size_t fl = n - kl - 1;

		a->slot = rec_slot(l, colon + 1, fl, acc_kinds[k].numeric, k == A_DISTINCT ? SK_HASH : SK_PLAIN);
		if (a->slot == -2)
			return -2;
		if (a->slot < 0)
			return snprintf(why, 200, "-a: more than %d fields", REC_MAX_SLOTS), -1;
		if (!(a->out = malloc(fl + strlen(acc_kinds[k].name) + 2)))
			return -2;
		sprintf(a->out, "%.*s_%s", (int)fl, colon + 1, acc_kinds[k].name);
	} else if (!(a->out = strdup(acc_kinds[k].name)))
		return -2;
	if (q) {	/* a report's: named by its spec, which no -a can repeat */
		free(a->out);
		if (!(a->out = strdup(a->spec)))
			return -2;
	}
	return 0;
}

void acc_free(struct acc *a)
{
	free(a->out);
	free(a->spec);
	cond_free(&a->cond);
	a->out = a->spec = NULL;
}

size_t acc_state_size(enum acc_kind k)
{
	switch (k) {
	case A_COUNT: case A_ROWS: return sizeof(uint64_t);
	case A_SUM: case A_MEAN: return sizeof(struct s_sum);
	case A_STDDEV: return sizeof(struct s_std);
	case A_MIN: case A_MAX: case A_FIRST: case A_LAST: return sizeof(struct s_text);
	case A_DISTINCT: return sizeof(struct s_set);
	case A_APPROX: return sizeof(struct hll);
	case A_P50: case A_P90: case A_P99: return sizeof(struct s_vals);
	case A_LATEST: return sizeof(struct s_latest);
	case A_SPAN: return sizeof(struct s_span);
	default: return 0;
	}
}

static int is_percentile(enum acc_kind k)
{
	return k >= A_P50 && k <= A_P99;
}

int acc_share_state(const struct acc *a, const struct acc *b)
{
	return a->slot >= 0 && a->slot == b->slot && is_percentile(a->kind) && is_percentile(b->kind);
}

size_t acc_layout(struct acc *acc, int n)
{
	size_t block = 0;
	int i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && !acc_share_state(&acc[j], &acc[i]); j++)
			;
		if (j < i) {
			acc[i].state = acc[j].state;
			continue;
		}
		acc[i].state = block;
		block += (acc_state_size(acc[i].kind) + 15) & ~(size_t)15;
	}
	return block;
}

int acc_shared(const struct acc *acc, int i)
{
	int j;

	for (j = 0; j < i; j++)
		if (acc[j].state == acc[i].state)
			return 1;
	return 0;
}

int acc_states_json(const struct acc *acc, int n, const unsigned char *block, struct buf *b)
{
	int i;

	if (buf_addc(b, '[') < 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((i && buf_addc(b, ',') < 0) ||
		    (acc_shared(acc, i) ? buf_add(b, "null", 4)	/* written with the field's first percentile */
					: acc_state_json(acc[i].kind, block + acc[i].state, b)) < 0)
			return -1;
	return buf_addc(b, ']');
}

int acc_merge_states(const struct acc *acc, int n, unsigned char *block, const struct jfield *states,
		     struct jobj *arr, struct buf *tmp, const char **err, int *bad)
{
	int i, m;

	for (i = 0; i < n; i++)
		if ((m = acc_merge_json(acc[i].kind, block + acc[i].state, &states[i], arr, tmp, err)) < 0) {
			*bad = i;
			return m;
		}
	return 0;
}

void acc_free_states(const struct acc *acc, int n, unsigned char *block)
{
	int i;

	for (i = 0; i < n; i++)
		if (!acc_shared(acc, i))	/* a state shared by percentiles: freed once */
			acc_free_state(acc[i].kind, block + acc[i].state);
}

enum col_kind acc_col_kind(enum acc_kind k)
{
	switch (k) {
	case A_COUNT: case A_ROWS: case A_DISTINCT: case A_APPROX: return COL_COUNT;
	case A_SUM: return COL_MONEY;
	case A_MEAN: case A_STDDEV: case A_P50: case A_P90: case A_P99: return COL_NUMBER;
	default: return COL_TEXT;
	}
}

int acc_text_set(struct s_text *t, const struct slot *s)
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

/* One state p takes value v (w: the count weight). 0, -1 overflow, -2. */
static int update_value(enum acc_kind kind, void *p, const struct slot *v, const struct slot *w)
{
	switch (kind) {
	case A_COUNT: {
		uint64_t *n = p;
		struct dec d;

		if (!w || w->type == REC_ABSENT)
			++*n;	/* no count: the record is one */
		else if (w->type == J_NULL)
			;	/* a blank metric (an insights export's empty cell): no weight, not 1 */
		else if (dec_parse(w->v, w->n, &d) == 0) {
			while (d.scale > 0)
				d.m /= 10, d.scale--;	/* a weight of 2.0 is 2 */
			*n += (uint64_t)d.m;
		}
		return 0;
	}
	case A_ROWS:
		++*(uint64_t *)p;
		return 0;
	case A_SUM:
	case A_MEAN: {
		struct s_sum *t = p;
		struct dec d;

		if (dec_parse(v->v, v->n, &d) < 0 || dec_add(&t->sum, d) < 0)
			return -1;
		t->n++;
		return 0;
	}
	case A_STDDEV: {
		struct s_std *t = p;
		struct dec d, d2;

		if (dec_parse(v->v, v->n, &d) < 0 || dec_square(d, &d2) < 0 || dec_add(&t->sum, d) < 0 ||
		    dec_add(&t->sum2, d2) < 0)
			return -1;
		t->n++;
		return 0;
	}
	case A_MIN:
	case A_MAX: {
		struct s_text *t = p;
		int num = v->type == J_NUM || (v->type == J_STR && json_is_number(v->v, v->n)), c;
		double x = num ? slot_double(v) : 0;

		if (t->set) {
			c = rec_cmp_values(num ? J_NUM : v->type, v->v, v->n, x, t->num ? J_NUM : t->type, t->p,
					   t->len, t->x);
			if (kind == A_MIN ? c >= 0 : c <= 0)
				return 0;
		}
		if (acc_text_set(t, v) < 0)
			return -2;
		t->x = x;
		t->num = (uint8_t)num;
		return 0;
	}
	case A_FIRST:
	case A_LAST: {
		struct s_text *t = p;

		if ((kind == A_LAST || !t->set) && acc_text_set(t, v) < 0)
			return -2;
		return 0;
	}
	case A_DISTINCT: {
		struct htab *h = &((struct s_set *)p)->h;
		uint64_t *val;

		h->no_values = 1;
		return htab_put(h, slot_hash(v), &val) < 0 ? -2 : 0;	/* hashed by the worker */
	}
	case A_APPROX:
		return hll_add(p, hash64(v->v, v->n) ^ (uint64_t)v->type * 0x9E3779B97F4A7C15ull) < 0 ? -2 : 0;
	case A_P50:
	case A_P90:
	case A_P99: {
		struct s_vals *t = p;

		if (GROW(t->v, t->n, t->cap, 16) < 0)
			return -2;
		t->v[t->n++] = slot_double(v);
		t->sorted = 0;
		return 0;
	}
	default:
		return 0;
	}
}

int acc_latest_take(struct s_latest *t, const struct slot *v, long long ts)
{
	double x = slot_double(v);

	if (t->t.set && (ts < t->ts || (ts == t->ts && x <= t->t.x)))
		return 0;	/* ties go to the larger value: the same in any order */
	if (acc_text_set(&t->t, v) < 0)
		return -2;
	t->t.x = x;
	t->ts = ts;
	return 0;
}

void acc_span_take(struct s_span *t, long long ts)
{
	if (!t->n || ts < t->lo)
		t->lo = ts;
	if (!t->n || ts > t->hi)
		t->hi = ts;
	t->n++;
}

int acc_update(const struct acc *a, void *p, const struct slot *s, const struct slot *w)
{
	const struct slot *v = a->slot >= 0 ? &s[a->slot] : NULL;

	if (a->kind == A_SPAN) {
		long long ts = slot_ms(&s[a->xs[0]]);

		if (ts != REC_NO_TS)
			acc_span_take(p, ts);
		return 0;
	}

	if (v && (v->type == REC_ABSENT || v->type == J_NULL))
		return 0;	/* absent and null values count for nothing */
	if (a->kind == A_LATEST) {
		long long ts = slot_ms(&s[a->xs[0]]);

		return acc_latest_take(p, v, ts == REC_NO_TS ? LLONG_MIN : ts);
	}
	return update_value(a->kind, p, v, w);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

size_t acc_percentile_at(double q, size_t n)
{
	size_t i = (size_t)(q * (double)n);

	return i >= n ? n - 1 : i;
}

uint64_t acc_distinct_count(const struct s_set *set)
{
	uint64_t n = set->h.count;
	size_t m;

	for (m = 0; m < set->nmore; m++)	/* parts' sets, disjoint */
		n += set->more[m].count;
	return n;
}

int acc_value(enum acc_kind k, void *p, struct buf *b)
{
	char t[DEC_MAX_LEN + 8];

	switch (k) {
	case A_COUNT:
	case A_ROWS:
		return json_put_uint(b, *(uint64_t *)p);
	case A_SUM:
		return buf_add(b, t, dec_format(((struct s_sum *)p)->sum, t));
	case A_MEAN: {
		struct s_sum *s = p;

		if (!s->n)
			return buf_add(b, "null", 4);
		return json_put_double(b, dec_to_double(s->sum) / (double)s->n);
	}
	case A_STDDEV: {
		struct s_std *s = p;
		long double n = (long double)s->n, sum, var;

		if (s->n < 2)
			return buf_add(b, "null", 4);
		sum = dec_to_long_double(s->sum);
		var = (dec_to_long_double(s->sum2) - sum * sum / n) / (n - 1);
		return json_put_double(b, var > 0 ? (double)sqrtl(var) : 0.0);
	}
	case A_MIN:
	case A_MAX:
	case A_FIRST:
	case A_LAST: {
		struct s_text *s = p;

		return s->set ? rec_put_json(b, s->type, s->p, s->len) : buf_add(b, "null", 4);
	}
	case A_DISTINCT:
		return json_put_uint(b, acc_distinct_count(p));
	case A_APPROX:
		if (!((struct hll *)p)->regs)
			return buf_add(b, "0", 1);
		return buf_add(b, t, (size_t)snprintf(t, sizeof(t), "%.0f", hll_estimate(p)));
	case A_P50:
	case A_P90:
	case A_P99: {
		struct s_vals *s = p;
		double q = k == A_P50 ? 0.5 : k == A_P90 ? 0.9 : 0.99;

		if (!s->n)
			return buf_add(b, "null", 4);
		/* sorted once, when the first percentile of the field asks */
		if (!s->sorted)
			qsort(s->v, s->n, sizeof(*s->v), cmp_double);
		s->sorted = 1;
		return json_put_double(b, s->v[acc_percentile_at(q, s->n)]);
	}
	default:
		return -1;
	}
}

int acc_state_json(enum acc_kind k, const void *p, struct buf *b)
{
	size_t i;

	switch (k) {
	case A_COUNT:
	case A_ROWS:
		return json_put_uint(b, *(const uint64_t *)p);
	case A_SUM:
	case A_MEAN: {
		const struct s_sum *t = p;

		return buf_addc(b, '[') < 0 || partial_put_dec(b, t->sum) < 0 || buf_addc(b, ',') < 0 ||
		       json_put_uint(b, t->n) < 0 || buf_addc(b, ']') < 0 ? -1 : 0;
	}
	case A_STDDEV: {
		const struct s_std *t = p;

		return buf_addc(b, '[') < 0 || partial_put_dec(b, t->sum) < 0 || buf_addc(b, ',') < 0 ||
		       partial_put_dec(b, t->sum2) < 0 || buf_addc(b, ',') < 0 || json_put_uint(b, t->n) < 0 ||
		       buf_addc(b, ']') < 0 ? -1 : 0;
	}
	case A_MIN: case A_MAX: case A_FIRST: case A_LAST: {
		const struct s_text *t = p;

		return t->set ? rec_put_json(b, t->type, t->p, t->len) : buf_add(b, "null", 4);
	}
	case A_DISTINCT: {
		/* in the hashes' order: the same text however the set was built (parts, table sizes) */
		const struct s_set *t = p;
		const struct htab *h;
		struct h128 *keys;
		size_t m, n = t->h.count;
		int r = 0;

		for (m = 0; m < t->nmore; m++)
			n += t->more[m].count;
		if (!(keys = malloc((n ? n : 1) * sizeof(*keys))))
			return -1;
		for (n = 0, m = 0; m <= t->nmore; m++) {
			h = m ? &t->more[m - 1] : &t->h;
			for (i = 0; i < h->cap; i++)
				if (h->keys[i].lo || h->keys[i].hi)
					keys[n++] = h->keys[i];
		}
		qsort(keys, n, sizeof(*keys), h128_cmp);
		r = buf_addc(b, '[');
		for (i = 0; i < n && r == 0; i++)
			r = (i && buf_addc(b, ',') < 0) || partial_put_hash(b, keys[i]) < 0 ? -1 : 0;
		free(keys);
		return r < 0 ? -1 : buf_addc(b, ']');
	}
	case A_APPROX:
		return hll_put_hex(p, b);
	case A_P50: case A_P90: case A_P99: {
		/* sorted (as the value sorts them anyway): the same text however the values came in */
		struct s_vals *t = (struct s_vals *)(uintptr_t)p;

		if (!t->sorted && t->n) {
			qsort(t->v, t->n, sizeof(*t->v), cmp_double);
			t->sorted = 1;
		}
		if (buf_addc(b, '[') < 0)
			return -1;
		for (i = 0; i < t->n; i++) {
			char d[40];

			if ((i && buf_addc(b, ',') < 0) ||
			    buf_add(b, d, (size_t)snprintf(d, sizeof(d), "%.17g", t->v[i])) < 0)
				return -1;
		}
		return buf_addc(b, ']');
	}
	case A_LATEST: {
		const struct s_latest *t = p;

		if (!t->t.set)
			return buf_add(b, "null", 4);
		return buf_addc(b, '[') < 0 || partial_put_ms(b, t->ts, REC_NO_TS) < 0 || buf_addc(b, ',') < 0 ||
		       rec_put_json(b, t->t.type, t->t.p, t->t.len) < 0 || buf_addc(b, ']') < 0 ? -1 : 0;
	}
	case A_SPAN: {	/* [earliest, latest, records] */
		const struct s_span *t = p;

		if (!t->n)
			return buf_add(b, "null", 4);
		return buf_addc(b, '[') < 0 || partial_put_ms(b, t->lo, REC_NO_TS) < 0 || buf_addc(b, ',') < 0 ||
		       partial_put_ms(b, t->hi, REC_NO_TS) < 0 || buf_addc(b, ',') < 0 || json_put_uint(b, t->n) < 0 ||
		       buf_addc(b, ']') < 0 ? -1 : 0;
	}
	default:
		return -1;
	}
}

int acc_slot_of(const struct jfield *f, struct buf *tmp, struct slot *s)
{
	s->type = f->type;
	s->v = f->val;
	s->n = f->vlen;
	if (f->type == J_NULL)
		s->type = REC_ABSENT;
	else if (f->type == J_STR && f->vesc) {
		tmp->len = 0;
		if (json_unescape(f->val, f->vlen, tmp) < 0)
			return -1;
		s->v = tmp->p;
		s->n = (uint32_t)tmp->len;
	}
	return 0;
}

int acc_merge_json(enum acc_kind k, void *p, const struct jfield *f, struct jobj *arr, struct buf *tmp,
		   const char **err)
{
	size_t i;

	*err = "a state that is not what the accumulator keeps";
	if (f->type == J_NULL)
		return 0;
	switch (k) {
	case A_COUNT:
	case A_ROWS: {
		uint64_t v;

		if (partial_get_u64(f, &v) < 0)
			return -1;
		*(uint64_t *)p += v;
		return 0;
	}
	case A_SUM:
	case A_MEAN:
	case A_STDDEV: {
		struct dec d, d2 = { 0, 0 };
		uint64_t n;
		int two = k == A_STDDEV;

		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0 || arr->n != (two ? 3u : 2u) ||
		    partial_get_dec(&arr->f[0], &d) < 0 || (two && partial_get_dec(&arr->f[1], &d2) < 0) ||
		    partial_get_u64(&arr->f[two ? 2 : 1], &n) < 0)
			return -1;
		if (two) {
			struct s_std *t = p;

			if (dec_add(&t->sum, d) < 0 || dec_add(&t->sum2, d2) < 0)
				return *err = "a sum beyond 38 digits", -1;
			t->n += n;
		} else {
			struct s_sum *t = p;

			if (dec_add(&t->sum, d) < 0)
				return *err = "a sum beyond 38 digits", -1;
			t->n += n;
		}
		return 0;
	}
	case A_MIN: case A_MAX: case A_FIRST: case A_LAST: {
		struct slot v;

		if (acc_slot_of(f, tmp, &v) < 0)
			return -2;
		return update_value(k, p, &v, NULL);
	}
	case A_DISTINCT: {
		struct htab *h = &((struct s_set *)p)->h;
		uint64_t *val;

		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0)
			return -1;
		h->no_values = 1;
		for (i = 0; i < arr->n; i++) {
			struct h128 key;

			if (partial_get_hash(&arr->f[i], &key) < 0)
				return -1;
			if (htab_put(h, key, &val) < 0)
				return -2;
		}
		return 0;
	}
	case A_APPROX:
		return f->type != J_STR ? -1 : hll_merge_hex(p, f->val, f->vlen);
	case A_P50: case A_P90: case A_P99:
		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0)
			return -1;
		for (i = 0; i < arr->n; i++) {
			struct slot v = { J_NUM, arr->f[i].val, arr->f[i].vlen };

			if (arr->f[i].type != J_NUM)
				return -1;
			if (update_value(k, p, &v, NULL) < 0)
				return -2;
		}
		return 0;
	case A_LATEST: {
		struct slot v;
		long long ms;

		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0 || arr->n != 2 ||
		    partial_get_ms(&arr->f[0], &ms, REC_NO_TS) < 0 || arr->f[1].type == J_NULL)
			return -1;
		if (acc_slot_of(&arr->f[1], tmp, &v) < 0)
			return -2;
		return acc_latest_take(p, &v, ms == REC_NO_TS ? LLONG_MIN : ms);
	}
	case A_SPAN: {
		struct s_span *t = p, o;
		uint64_t n;

		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0 || arr->n != 3 ||
		    partial_get_ms(&arr->f[0], &o.lo, REC_NO_TS) < 0 || partial_get_ms(&arr->f[1], &o.hi, REC_NO_TS) < 0 ||
		    o.lo == REC_NO_TS || o.hi < o.lo || partial_get_u64(&arr->f[2], &n) < 0 || !n)
			return -1;
		o.n = n;
		return acc_absorb(A_SPAN, t, &o, 0);
	}
	default:
		return -1;
	}
}

void acc_free_state(enum acc_kind k, void *p)
{
	switch (k) {
	case A_MIN: case A_MAX: case A_FIRST: case A_LAST:
		free(((struct s_text *)p)->p);
		break;
	case A_DISTINCT: {
		struct s_set *t = p;
		size_t i;

		htab_free(&t->h);
		for (i = 0; i < t->nmore; i++)
			htab_free(&t->more[i]);
		free(t->more);
		t->more = NULL;
		t->nmore = 0;
		break;
	}
	case A_APPROX:
		hll_free(p);
		break;
	case A_P50: case A_P90: case A_P99:
		free(((struct s_vals *)p)->v);
		break;
	case A_LATEST:
		free(((struct s_latest *)p)->t.p);
		break;
	default:
		break;
	}
}

int acc_order_free(enum acc_kind k)
{
	switch (k) {
	case A_COUNT: case A_ROWS: case A_SUM: case A_MEAN: case A_STDDEV:
	case A_DISTINCT: case A_APPROX: case A_P50: case A_P90: case A_P99: case A_SPAN:
		return 1;
	default:
		return 0;
	}
}

/* Set src into t: beside it when disjoint (moved), else each value put in. */
static int set_absorb(struct s_set *t, struct s_set *s, int disjoint)
{
	struct htab *m;
	size_t i;

	t->h.no_values = s->h.no_values = 1;
	if (!disjoint || !t->h.count) {
		if (htab_absorb(&t->h, &s->h) < 0)
			return -2;
		for (i = 0; i < s->nmore; i++)
			if (htab_absorb(&t->h, &s->more[i]) < 0)
				return -2;
		return 0;
	}
	if (!s->h.count)
		return 0;
	if (!(m = realloc(t->more, (t->nmore + 1 + s->nmore) * sizeof(*m))))
		return -2;
	t->more = m;
	m[t->nmore++] = s->h;
	memset(&s->h, 0, sizeof(s->h));
	for (i = 0; i < s->nmore; i++)
		m[t->nmore++] = s->more[i];
	free(s->more);
	s->more = NULL;
	s->nmore = 0;
	return 0;
}

int acc_absorb(enum acc_kind k, void *p, void *src, int disjoint)
{
	switch (k) {
	case A_COUNT:
	case A_ROWS:
		*(uint64_t *)p += *(uint64_t *)src;
		return 0;
	case A_SUM:
	case A_MEAN: {
		struct s_sum *t = p, *s = src;

		t->n += s->n;
		return dec_add(&t->sum, s->sum) < 0 ? -1 : 0;
	}
	case A_STDDEV: {
		struct s_std *t = p, *s = src;

		t->n += s->n;
		return dec_add(&t->sum, s->sum) < 0 || dec_add(&t->sum2, s->sum2) < 0 ? -1 : 0;
	}
	case A_DISTINCT:
		return set_absorb(p, src, disjoint);
	case A_SPAN: {
		struct s_span *t = p, *s = src;

		if (!s->n)
			return 0;
		if (!t->n || s->lo < t->lo)
			t->lo = s->lo;
		if (!t->n || s->hi > t->hi)
			t->hi = s->hi;
		t->n += s->n;
		return 0;
	}
	case A_APPROX:
		return hll_absorb(p, src);
	case A_P50: case A_P90: case A_P99: {
		struct s_vals *t = p, *s = src;

		if (!s->n)
			return 0;
		if (!t->v) {
			*t = *s;
			memset(s, 0, sizeof(*s));
			return 0;
		}
		if (t->n + s->n > t->cap) {
			double *v = realloc(t->v, (t->n + s->n) * sizeof(*v));

			if (!v)
				return -2;
			t->v = v;
			t->cap = t->n + s->n;
		}
		memcpy(t->v + t->n, s->v, s->n * sizeof(*s->v));
		t->n += s->n;
		t->sorted = 0;
		return 0;
	}
	default:
		return -1;
	}
}

size_t acc_state_bytes(enum acc_kind k, const void *p)
{
	switch (k) {
	case A_MIN: case A_MAX: case A_FIRST: case A_LAST:
		return ((const struct s_text *)p)->cap;
	case A_DISTINCT: {
		const struct s_set *t = p;
		size_t i, n = htab_bytes(&t->h);

		for (i = 0; i < t->nmore; i++)
			n += htab_bytes(&t->more[i]);
		return n;
	}
	case A_APPROX:
		return ((const struct hll *)p)->regs ? HLL_M : 0;
	case A_P50: case A_P90: case A_P99:
		return ((const struct s_vals *)p)->cap * sizeof(double);
	case A_LATEST:
		return ((const struct s_latest *)p)->t.cap;
	default:
		return 0;
	}
}
