/*
 * sortkey.c - see sortkey.h. Each field's encoding is prefix-free (fixed
 * length, or ended by 0x00 0x00 with every 0x00 inside written 0x00 0x01),
 * so fields simply follow each other and memcmp compares field by field:
 *
 *   absent  0x00 (first) or 0xFF (last)
 *   ts      0x10, seconds + 2^63 (8 bytes, big-endian), nanoseconds (4 bytes)
 *   number  0x20, the double with its sign bit flipped (negative: all bits)
 *   string  0x30, bytes, 0x00 0x00
 *   other   0x40, the JSON text, 0x00 0x00 (true, false, objects, arrays)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "sortkey.h"
#include "ts.h"

static int add_field(struct sortkey *k, const char *name, size_t n, int optional)
{
	if (k->n == SORTKEY_MAX_FIELDS)
		return -1;
	if (!(k->name[k->n] = strndup(name, n)))
		return -2;
	k->len[k->n] = n;
	k->instant[k->n] = n == 2 && !memcmp(name, "ts", 2);
	k->optional[k->n] = optional;
	k->n++;
	return 0;
}

int sortkey_default(struct sortkey *k)
{
	memset(k, 0, sizeof(*k));
	if (add_field(k, "ts", 2, 0) < 0 || add_field(k, "event_id", 8, 1) < 0) {
		sortkey_free(k);
		return -2;
	}
	return 0;
}

int sortkey_parse(struct sortkey *k, const char *list, char *why)
{
	const char *p = list, *c;
	size_t n;
	int r;

	memset(k, 0, sizeof(*k));
	for (;; p = c + 1) {
		c = strchr(p, ',');
		n = c ? (size_t)(c - p) : strlen(p);
		if (!n) {
			sortkey_free(k);
			return snprintf(why, 200, "-k: an empty field in '%s'", list), -1;
		}
		if ((r = add_field(k, p, n, 0)) < 0) {
			sortkey_free(k);
			return r == -1 ? (snprintf(why, 200, "-k: at most %d fields", SORTKEY_MAX_FIELDS), -1) : r;
		}
		if (!c)
			return 0;
	}
}

static int put_be(struct buf *b, uint64_t v, int bytes)
{
	unsigned char t[8];
	int i;

	for (i = bytes - 1; i >= 0; i--, v >>= 8)
		t[i] = (unsigned char)v;
	return buf_add(b, t, (size_t)bytes);
}

/* Bytes, their 0x00 escaped, and the end mark. */
static int put_bytes(struct buf *b, const char *s, size_t n)
{
	const char *z;

	while ((z = memchr(s, 0, n))) {
		if (buf_add(b, s, (size_t)(z - s)) < 0 || buf_add(b, "\0\1", 2) < 0)
			return -1;
		n -= (size_t)(z - s) + 1;
		s = z + 1;
	}
	return buf_add(b, s, n) < 0 || buf_add(b, "\0\0", 2) < 0 ? -1 : 0;
}

static int put_instant(struct buf *out, struct vts t)
{
	unsigned char k[13];
	uint64_t s = (uint64_t)t.sec ^ (1ULL << 63);
	uint32_t ns = t.nsec;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = __builtin_bswap64(s);	/* whole words: bytes stored one by one and read back as a word stall */
	ns = __builtin_bswap32(ns);
#elif !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
#error "the byte order is needed"
#endif
	k[0] = 0x10;
	memcpy(k + 1, &s, 8);
	memcpy(k + 9, &ns, 4);
	return buf_add(out, k, sizeof(k));
}

int sortkey_make(const struct sortkey *k, const struct jobj *obj, struct buf *out, struct buf *tmp, char *why)
{
	int i;

	for (i = 0; i < k->n; i++) {
		const struct jfield *f = jobj_get(obj, k->name[i], k->len[i]);

		if (!f || f->type == J_NULL) {
			if (!k->optional[i] && k->missing == SORTKEY_ERROR)
				return snprintf(why, 200, "no %.60s to sort by (--missing first or last puts such "
						"records first or last)", k->name[i]), -1;
			if (buf_addc(out, (char)(k->missing == SORTKEY_LAST && !k->optional[i] ? 0xFF : 0x00)) < 0)
				return -2;
			continue;
		}
		if (k->instant[i]) {
			struct vts t;

			if (event_ts(f, &t) < 0)
				return snprintf(why, 200, "%.60s: not a timestamp: %.*s", k->name[i],
						(int)(f->vlen > 60 ? 60 : f->vlen), f->val), -1;
			if (put_instant(out, t) < 0)
				return -2;
		} else if (f->type == J_NUM) {
			double x;
			char num[64];

			if (f->vlen >= sizeof(num))
				x = strtod(f->val, NULL);	/* stops at the number's end */
			else {
				memcpy(num, f->val, f->vlen);
				num[f->vlen] = '\0';
				x = strtod(num, NULL);
			}
			if (buf_addc(out, 0x20) < 0 || put_be(out, sortkey_double(x), 8) < 0)
				return -2;
		} else if (f->type == J_STR) {
			const char *v = f->val;
			size_t n = f->vlen;

			if (f->vesc) {
				tmp->len = 0;
				if (json_unescape(f->val, f->vlen, tmp) < 0)
					return -2;
				v = tmp->p, n = tmp->len;
			}
			if (buf_addc(out, 0x30) < 0 || put_bytes(out, v, n) < 0)
				return -2;
		} else if (buf_addc(out, 0x40) < 0 || put_bytes(out, f->val, f->vlen) < 0)
			return -2;
	}
	return 0;
}

void sortkey_free(struct sortkey *k)
{
	int i;

	for (i = 0; i < k->n; i++)
		free(k->name[i]);
	k->n = 0;
}
