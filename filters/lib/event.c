/*
 * event.c - normalising one NDJSON object to the canonical event.
 *
 * The record is scanned once (json.c); canonical members are remembered by
 * slot (a repeated key: the last wins, as in jq) and written in schema
 * order, each value checked and brought to its canonical form; all other
 * members follow in input order, byte-exact. Values are copied as spans:
 * no per-field allocation, and strings are decoded only where a value must
 * be interpreted (a timestamp or vocabulary word written with escapes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "hash.h"
#include "ts.h"
#include "vocab.h"

#include "field_defs.h"

/* ---- field lookup: 64 slots, linear probing, built on first use ---- */

static signed char field_slots[64];
static int field_slots_ready;

static unsigned field_hash(const char *s, size_t n)
{
	return (unsigned)(n * 7 + (unsigned char)s[0] * 3 + (unsigned char)s[n - 1]) & 63;
}

static void field_slots_init(void)
{
	int i;
	unsigned h;

	memset(field_slots, -1, sizeof(field_slots));
	for (i = 0; i < EVENT_NFIELDS; i++) {
		for (h = field_hash(event_fields[i].name, event_fields[i].len);
		     field_slots[h] >= 0; h = (h + 1) & 63)
			;
		field_slots[h] = (signed char)i;
	}
	field_slots_ready = 1;
}

int event_field_index(const char *s, size_t n)
{
	unsigned h;
	int i;

	if (!field_slots_ready)
		field_slots_init();
	if (n == 0)
		return -1;
	for (h = field_hash(s, n); (i = field_slots[h]) >= 0; h = (h + 1) & 63)
		if (event_fields[i].len == n && memcmp(event_fields[i].name, s, n) == 0)
			return i;
	return -1;
}

void event_norm_init(struct event_norm *en)
{
	memset(en, 0, sizeof(*en));
}

void event_norm_free(struct event_norm *en)
{
	jobj_free(&en->obj);
	free(en->fidx);
	buf_free(&en->out);
	buf_free(&en->tmp);
}

/* ---- errors ---- */

static int bad(struct event_norm *en, const char *field, const char *what,
	       const struct jfield *f)
{
	int n = f ? (int)(f->vlen > 40 ? 40 : f->vlen) : 0;

	if (f && f->type == J_STR)
		snprintf(en->err, sizeof(en->err), "%s: %s: \"%.*s%s\"", field, what,
			 n, f->val, f->vlen > 40 ? "..." : "");
	else if (f)
		snprintf(en->err, sizeof(en->err), "%s: %s: %.*s%s", field, what,
			 n, f->val, f->vlen > 40 ? "..." : "");
	else
		snprintf(en->err, sizeof(en->err), "%s: %s", field, what);
	return -1;
}

/* The decoded text of a string member (its raw span when it has no escapes). */
static int text_of(struct event_norm *en, const struct jfield *f, const char **s, size_t *n)
{
	if (!f->vesc) {
		*s = f->val;
		*n = f->vlen;
		return 0;
	}
	buf_reset(&en->tmp);
	if (json_unescape(f->val, f->vlen, &en->tmp) < 0)
		return -2;
	*s = en->tmp.p;
	*n = en->tmp.len;
	return 0;
}

/* ---- writing ---- */

static int put_key(struct buf *o, const struct field_def *d)
{
	char sep = o->len > 0 ? ',' : '{';

	if (buf_grow(o, d->len + 4) < 0)
		return -1;
	o->p[o->len++] = sep;
	o->p[o->len++] = '"';
	memcpy(o->p + o->len, d->name, d->len);
	o->len += d->len;
	o->p[o->len++] = '"';
	o->p[o->len++] = ':';
	return 0;
}

static int put_quoted(struct buf *o, const char *s, size_t n)
{
	if (buf_grow(o, n + 2) < 0)
		return -1;
	o->p[o->len++] = '"';
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len++] = '"';
	return 0;
}

/* A value that is an unsigned integer, from a number or a string of digits. */
static int uint_of(const struct jfield *f, unsigned long long *v, int *fraction_zero)
{
	const char *s = f->val, *end = f->val + f->vlen;
	unsigned long long x = 0;
	int nd = 0;

	if (f->type != J_NUM && f->type != J_STR)
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (++nd > 18)
			return -1;
		x = x * 10 + (unsigned long long)(*s - '0');
	}
	if (!nd)
		return -1;
	*fraction_zero = 0;
	if (s < end && *s == '.') {
		for (s++; s < end && *s == '0'; s++)
			;
		*fraction_zero = 1;
	}
	if (s != end)
		return -1;
	*v = x;
	return 0;
}

static int put_uint(struct buf *o, unsigned long long v)
{
	char d[24];
	int n = snprintf(d, sizeof(d), "%llu", v);

	return buf_add(o, d, (size_t)n);
}

static int norm_ts(struct event_norm *en, const struct jfield *f)
{
	char out[TS_MAX_LEN];
	struct vts t;
	const char *s;
	size_t n, k;

	if (f->type == J_STR) {
		if (text_of(en, f, &s, &n) < 0)
			return -2;
	} else if (f->type == J_NUM) {
		s = f->val;
		n = f->vlen;
	} else
		return bad(en, "ts", "expected a timestamp", f);
	if (ts_parse(s, n, &t) < 0)
		return bad(en, "ts", "unrecognised timestamp", f);
	if (!ts_in_range(t))
		return bad(en, "ts", "timestamp outside years 0000-9999", f);
	k = ts_format(t, out);
	return put_quoted(&en->out, out, k) < 0 ? -2 : 0;
}

static int norm_vocab(struct event_norm *en, const struct jfield *f, const struct field_def *d)
{
	const struct vocab_entry *e;
	const char *s;
	size_t n;

	if (f->type != J_STR)
		return bad(en, d->name, "expected a string", f);
	if (text_of(en, f, &s, &n) < 0)
		return -2;
	e = d->kind == KIND_PLATFORM ? vocab_platform(s, n) : vocab_type(s, n);
	if (!e)
		return bad(en, d->name, d->kind == KIND_PLATFORM ?
			   "unknown platform (see schemas/platforms.tsv)" :
			   "unknown event type (see schemas/event-types.tsv)", f);
	return put_quoted(&en->out, e->name, e->name_len) < 0 ? -2 : 0;
}

static int norm_value(struct event_norm *en, const struct jfield *f, const struct field_def *d)
{
	struct buf *o = &en->out;
	unsigned long long v;
	int fz = 0;

	if (f->type == J_NULL && d->kind != KIND_TS && d->kind != KIND_TYPE)
		return buf_add(o, "null", 4) < 0 ? -2 : 0;
	switch (d->kind) {
	case KIND_ID:
		if (f->type == J_STR)
			return put_quoted(o, f->val, f->vlen) < 0 ? -2 : 0;
		if (f->type == J_NUM)	/* ids beyond 2^53 keep every digit */
			return put_quoted(o, f->val, f->vlen) < 0 ? -2 : 0;
		return bad(en, d->name, "expected a string", f);
	case KIND_TS:
		return norm_ts(en, f);
	case KIND_PLATFORM:
	case KIND_TYPE:
		return norm_vocab(en, f, d);
	case KIND_STAGE:
		if (f->type != J_NUM || uint_of(f, &v, &fz) < 0 || fz || v < 1 || v > 7)
			return bad(en, d->name, "expected a stage number 1-7", f);
		return put_uint(o, v) < 0 ? -2 : 0;
	case KIND_MONEY:
		if ((f->type != J_NUM && f->type != J_STR) || f->vesc ||
		    !json_is_number(f->val, f->vlen))
			return bad(en, d->name, "expected a decimal amount", f);
		return buf_add(o, f->val, f->vlen) < 0 ? -2 : 0;
	case KIND_CURRENCY:
		if (f->type != J_STR || f->vlen != 3)
			return bad(en, d->name, "expected a three-letter currency code", f);
		{
			char c[3];
			int i;

			for (i = 0; i < 3; i++) {
				c[i] = f->val[i];
				if (c[i] >= 'a' && c[i] <= 'z')
					c[i] = (char)(c[i] - 32);
				if (c[i] < 'A' || c[i] > 'Z')
					return bad(en, d->name, "expected a three-letter currency code", f);
			}
			return put_quoted(o, c, 3) < 0 ? -2 : 0;
		}
	case KIND_COUNT:
		if (uint_of(f, &v, &fz) < 0 || fz)
			return bad(en, d->name, "expected a non-negative integer", f);
		return put_uint(o, v) < 0 ? -2 : 0;
	case KIND_RATING:
		if (uint_of(f, &v, &fz) < 0 || v < 1 || v > 5)
			return bad(en, d->name, "expected a rating 1-5", f);
		return put_uint(o, v) < 0 ? -2 : 0;
	case KIND_SENTIMENT:
		if ((f->type != J_NUM && f->type != J_STR) || f->vesc ||
		    !json_is_number(f->val, f->vlen))
			return bad(en, d->name, "expected a number from -1 to 1", f);
		{
			char num[64];
			double x;

			if (f->vlen >= sizeof(num))
				return bad(en, d->name, "expected a number from -1 to 1", f);
			memcpy(num, f->val, f->vlen);
			num[f->vlen] = '\0';
			x = strtod(num, NULL);
			if (!(x >= -1.0 && x <= 1.0))
				return bad(en, d->name, "expected a number from -1 to 1", f);
		}
		return buf_add(o, f->val, f->vlen) < 0 ? -2 : 0;
	}
	return bad(en, d->name, "internal: unknown field kind", NULL);
}

/* event_id for a record without one: XXH3-128 of the source bytes, in hex. */
static int put_fingerprint(struct buf *o, const char *line, size_t len)
{
	char hex[32];

	h128_hex(hash128(line, len), hex);
	return put_quoted(o, hex, sizeof(hex));
}

int event_normalize(struct event_norm *en, const char *line, size_t len)
{
	struct buf *o = &en->out;
	const struct jfield *f;
	const char *key;
	size_t i, klen;
	int r, k;

	r = json_scan_object(line, len, &en->obj);
	if (r == -2)
		return -2;
	if (r < 0) {
		snprintf(en->err, sizeof(en->err), "%s", en->obj.err);
		en->err_col = en->obj.err_col;
		return -1;
	}
	en->err_col = 0;
	for (k = 0; k < EVENT_NFIELDS; k++)
		en->slot[k] = -1;
	if (en->obj.n > en->fidx_cap) {
		int *p = realloc(en->fidx, en->obj.n * 2 * sizeof(*p));

		if (!p)
			return -2;
		en->fidx = p;
		en->fidx_cap = en->obj.n * 2;
	}
	for (i = 0; i < en->obj.n; i++) {
		f = &en->obj.f[i];
		key = f->key;
		klen = f->klen;
		if (f->kesc) {
			struct jfield kf = { .val = f->key, .vlen = f->klen, .vesc = 1 };

			if (text_of(en, &kf, &key, &klen) < 0)
				return -2;
		}
		k = event_field_index(key, klen);
		en->fidx[i] = k;
		if (k >= 0)
			en->slot[k] = (int)i;
	}

	buf_reset(o);
	for (k = 0; k < EVENT_NFIELDS; k++) {
		const struct field_def *d = &event_fields[k];
		int s = en->slot[k];

		f = s >= 0 ? &en->obj.f[s] : NULL;
		if (k == EV_EVENT_ID && (!f || f->type == J_NULL || (f->type == J_STR && f->vlen == 0))) {
			if (put_key(o, d) < 0 || put_fingerprint(o, line, len) < 0)
				return -2;
			continue;
		}
		if (!f || (f->type == J_NULL && (k == EV_PLATFORM || k == EV_TS || k == EV_TYPE))) {
			if (k == EV_TS || k == EV_TYPE)
				return bad(en, d->name, "missing", NULL);
			if (k == EV_PLATFORM) {
				if (put_key(o, d) < 0 || put_quoted(o, "other", 5) < 0)
					return -2;
			}
			continue;
		}
		if (put_key(o, d) < 0)
			return -2;
		r = norm_value(en, f, d);
		if (r < 0)
			return r;
	}
	/* the other members, in input order, byte-exact */
	for (i = 0; i < en->obj.n; i++) {
		f = &en->obj.f[i];
		if (en->fidx[i] >= 0)
			continue;
		if (buf_addc(o, ',') < 0 || put_quoted(o, f->key, f->klen) < 0 ||
		    buf_addc(o, ':') < 0)
			return -2;
		r = f->type == J_STR ? put_quoted(o, f->val, f->vlen) : buf_add(o, f->val, f->vlen);
		if (r < 0)
			return -2;
	}
	if (buf_add(o, "}\n", 2) < 0)
		return -2;
	return 0;
}
