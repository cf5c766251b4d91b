/*
 * rec.c - reduced records: made from JSON members or CSV fields in the
 * workers (strings decoded once, hashes and times computed there, where it
 * runs in parallel), read back slot by slot in the commit step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dec.h"
#include "event.h"
#include "rec.h"

void rec_layout_init(struct rec_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->count_slot = l->bucket_slot = -1;
}

void rec_layout_free(struct rec_layout *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->name[i]);
	l->n = 0;
}

int rec_slot(struct rec_layout *l, const char *name, size_t n, int numeric, enum slot_kind kind)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->len[i] == n && !memcmp(l->name[i], name, n) && l->kind[i] == kind) {
			l->numeric[i] |= (uint8_t)numeric;
			return i;
		}
	if (l->n == REC_MAX_SLOTS)
		return -1;
	if (!(l->name[l->n] = strndup(name, n)))
		return -2;
	l->len[l->n] = n;
	l->numeric[l->n] = (uint8_t)numeric;
	l->kind[l->n] = kind;
	return l->n++;
}

static int put_u32(struct buf *b, uint32_t v)
{
	return buf_add(b, &v, sizeof(v));
}

int rec_put_slot(const struct rec_layout *l, int i, const struct jfield *f, struct buf *out,
		 struct buf *tmp, char *why)
{
	const char *v;
	size_t vn;
	uint8_t type;
	char tb[32];

	if (f && f->type == J_NULL && i == l->count_slot)	/* a null count weighs nothing: kept apart */
		return buf_addc(out, (char)J_NULL) < 0 || put_u32(out, 0) < 0 ? -2 : 0;
	if (!f || f->type == J_NULL)	/* null and absent are one: no value */
		return buf_addc(out, (char)REC_ABSENT) < 0 ? -2 : 0;
	type = f->type;
	v = f->val;
	vn = f->vlen;
	if (f->type == J_STR && f->vesc) {
		/* one text per string: escapes decoded, then written back canonically */
		tmp->len = 0;
		if (json_unescape(f->val, f->vlen, tmp) < 0)
			return -2;
		v = tmp->p;
		vn = tmp->len;
	}
	if (l->kind[i] == SK_HASH) {
		/* the string "1" and the number 1 are two values */
		struct h128 h = hash128(v, vn);

		h.hi ^= (uint64_t)(type + 1) * 0x9E3779B97F4A7C15ull;
		return buf_addc(out, (char)type) < 0 || put_u32(out, 16) < 0 ||
		       buf_add(out, &h, 16) < 0 ? -2 : 0;
	}
	if (l->kind[i] == SK_MS) {
		long long ms;

		if (event_ts_ms(f, &ms) < 0) {
			snprintf(why, 200, "ts: not a timestamp: %.*s", (int)(f->vlen > 60 ? 60 : f->vlen), f->val);
			return -1;
		}
		return buf_addc(out, (char)REC_MS) < 0 || put_u32(out, 8) < 0 ||
		       buf_add(out, &ms, 8) < 0 ? -2 : 0;
	}
	if (i == l->bucket_slot) {
		long long ms;

		if (event_ts_ms(f, &ms) < 0 || (vn = ts_bucket_zoned(ms, l->every, tb)) == 0) {
			snprintf(why, 200, "ts: not a timestamp in years 0000-9999 (needed by --every)");
			return -1;
		}
		v = tb;
		type = J_STR;
	} else if (l->numeric[i] && !((f->type == J_NUM || f->type == J_STR) && json_is_number(v, vn))) {
		snprintf(why, 200, "%.60s: not a number: %.*s", l->name[i], (int)(f->vlen > 60 ? 60 : f->vlen),
			 f->val);
		return -1;
	} else if (i == l->count_slot) {
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

/* The record's length, in front, once its slots are in. */
static void set_len(struct buf *out, size_t start)
{
	uint32_t total = (uint32_t)(out->len - start);

	memcpy(out->p + start, &total, sizeof(total));
}

/* The reduced record of the slots' members: got[i], else (got NULL) looked up in obj. */
static int reduce(const struct rec_layout *l, const struct jobj *obj, const struct jfield *const *got,
		  struct buf *out, struct buf *tmp, char *why)
{
	size_t start = out->len;
	int i, r;

	if (put_u32(out, 0) < 0)
		return -2;
	for (i = 0; i < l->n; i++)
		if ((r = rec_put_slot(l, i, got ? got[i] : jobj_get(obj, l->name[i], l->len[i]), out, tmp, why)) <
		    0) {
			out->len = start;
			return r;
		}
	set_len(out, start);
	return 0;
}

int rec_reduce_json(const struct rec_layout *l, const struct jobj *obj, struct buf *out, struct buf *tmp,
		    char *why)
{
	return reduce(l, obj, NULL, out, tmp, why);
}

int rec_reduce_fields(const struct rec_layout *l, const struct jfield *const *got, struct buf *out,
		      struct buf *tmp, char *why)
{
	return reduce(l, NULL, got, out, tmp, why);
}

int rec_reduce_csv(const struct rec_layout *l, const struct csvrec *csv, const int *col_of, struct buf *out,
		   struct buf *tmp, char *why)
{
	size_t start = out->len;
	struct jfield cf;
	int i, r, col;

	if (put_u32(out, 0) < 0)
		return -2;
	memset(&cf, 0, sizeof(cf));
	for (i = 0; i < l->n; i++) {
		col = col_of[i];
		if (col >= 0 && csv->flen[col]) {
			cf.val = csv->f[col];
			cf.vlen = (uint32_t)csv->flen[col];
			cf.type = (l->numeric[i] || i == l->count_slot) && json_is_number(cf.val, cf.vlen) ? J_NUM : J_STR;
		}
		if ((r = rec_put_slot(l, i, col >= 0 && csv->flen[col] ? &cf : NULL, out, tmp, why)) < 0) {
			out->len = start;
			return r;
		}
	}
	set_len(out, start);
	return 0;
}

double slot_double(const struct slot *s)
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

struct h128 slot_hash(const struct slot *v)
{
	struct h128 h;

	memcpy(&h, v->v, sizeof(h));
	return h;
}

long long slot_ms(const struct slot *v)
{
	long long ms;

	if (v->type != REC_MS)
		return REC_NO_TS;
	memcpy(&ms, v->v, 8);
	return ms;
}

int rec_put_json(struct buf *b, uint8_t type, const char *v, size_t n)
{
	if (type == REC_ABSENT || type == J_NULL)
		return buf_add(b, "null", 4);
	if (type == J_STR)
		return json_escape(b, v, n);
	return buf_add(b, v, n);
}

int slot_is(const struct slot *s, const char *text)
{
	size_t n = strlen(text);

	return s->type == J_STR && s->n == n && !memcmp(s->v, text, n);
}

static int rank(uint8_t type)
{
	return type == REC_ABSENT || type == J_NULL ? 0 : type == J_NUM ? 1 : type == J_STR ? 2 : 3;
}

int rec_cmp_values(uint8_t ta, const char *a, size_t na, double xa, uint8_t tb, const char *b, size_t nb,
		   double xb)
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

int slot_cmp(const struct slot *a, const struct slot *b)
{
	return rec_cmp_values(a->type, a->v, a->n, a->type == J_NUM ? slot_double(a) : 0, b->type, b->v, b->n,
			      b->type == J_NUM ? slot_double(b) : 0);
}
