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
		if (strlen(l->name[i]) == n && !memcmp(l->name[i], name, n) && l->kind[i] == kind) {
			l->numeric[i] |= (uint8_t)numeric;
			return i;
		}
	if (l->n == REC_MAX_SLOTS)
		return -1;
	if (!(l->name[l->n] = strndup(name, n)))
		return -1;
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

		if (event_ts_ms(f, &ms) < 0 || (vn = ts_bucket(ms, l->every, tb)) == 0) {
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

/* The slots from get(i), with the length in front. */
static int reduce(const struct rec_layout *l, const struct jfield *(*get)(const void *, int, struct jfield *),
		  const void *ctx, struct buf *out, struct buf *tmp, char *why)
{
	size_t start = out->len;
	uint32_t total;
	int i, r;

	if (put_u32(out, 0) < 0)
		return -2;
	for (i = 0; i < l->n; i++) {
		struct jfield scratch;

		r = rec_put_slot(l, i, get(ctx, i, &scratch), out, tmp, why);
		if (r < 0) {
			out->len = start;
			return r;
		}
	}
	total = (uint32_t)(out->len - start);
	memcpy(out->p + start, &total, sizeof(total));
	return 0;
}

struct json_src {
	const struct rec_layout *l;
	const struct jobj *obj;
};

static const struct jfield *json_get(const void *ctx, int i, struct jfield *scratch)
{
	const struct json_src *s = ctx;

	(void)scratch;
	return jobj_get(s->obj, s->l->name[i], strlen(s->l->name[i]));
}

int rec_reduce_json(const struct rec_layout *l, const struct jobj *obj, struct buf *out, struct buf *tmp,
		    char *why)
{
	struct json_src s = { l, obj };

	return reduce(l, json_get, &s, out, tmp, why);
}

struct csv_src {
	const struct rec_layout *l;
	const struct csvrec *csv;
	const int *col_of;
};

static const struct jfield *csv_get(const void *ctx, int i, struct jfield *cf)
{
	const struct csv_src *s = ctx;
	int col = s->col_of[i];

	if (col < 0 || !s->csv->flen[col])
		return NULL;
	memset(cf, 0, sizeof(*cf));
	cf->val = s->csv->f[col];
	cf->vlen = (uint32_t)s->csv->flen[col];
	cf->type = (s->l->numeric[i] || i == s->l->count_slot) && json_is_number(cf->val, cf->vlen) ? J_NUM : J_STR;
	return cf;
}

int rec_reduce_csv(const struct rec_layout *l, const struct csvrec *csv, const int *col_of, struct buf *out,
		   struct buf *tmp, char *why)
{
	struct csv_src s = { l, csv, col_of };

	return reduce(l, csv_get, &s, out, tmp, why);
}

size_t rec_read(const char *p, int nslots, struct slot *s)
{
	const char *q = p + 4;
	int i;

	for (i = 0; i < nslots; i++) {
		s[i].type = (uint8_t)*q++;
		if (s[i].type == REC_ABSENT) {
			s[i].v = NULL;
			s[i].n = 0;
			continue;
		}
		memcpy(&s[i].n, q, 4);
		q += 4;
		s[i].v = q;
		q += s[i].n;
	}
	return rec_len(p);
}

int rec_slot_at(const char *p, int i, struct slot *s)
{
	const char *q = p + 4, *end = p + rec_len(p);
	int k;

	for (k = 0; q < end; k++) {
		s->type = (uint8_t)*q++;
		s->v = NULL;
		s->n = 0;
		if (s->type != REC_ABSENT) {
			memcpy(&s->n, q, 4);
			s->v = q + 4;
			q += 4 + s->n;
		}
		if (k == i)
			return 1;
	}
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
