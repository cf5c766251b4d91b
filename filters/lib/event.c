/*
 * event.c - normalising one NDJSON object to the canonical event.
 *
 * The record is scanned once (json.c); canonical members are remembered by
 * slot (a repeated key: the last wins, as in jq) and written in schema
 * order, each value checked and brought to its canonical form; all other
 * members follow in input order, byte-exact. Values are copied as spans:
 * no allocation per field, and strings are decoded only where a value must
 * be interpreted (a timestamp or vocabulary word written with escapes).
 *
 * Output is written through a bare pointer into room the caller reserved:
 * EVENT_OUT_MAX(len) bounds what any input line can grow to, because each
 * canonical field grows by at most FIELD_GROWTH bytes (a default platform,
 * a fingerprint, quotes around a numeric id, an epoch made RFC 3339) and
 * everything else is copied or shrinks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "event.h"
#include "hash.h"
#include "ts.h"
#include "vocab.h"
#include "wordset.h"

#include "field_defs.h"

/* ---- field lookup: one probe of a wordset of the names ---- */

static struct wordset field_names;
static int field_names_ok;
static const struct wordset *platform_names, *type_names;	/* the canonical ones */
static uint32_t id_fields;	/* bit k: field k is of KIND_ID */

__attribute__((constructor)) static void field_names_init(void)
{
	const char *names[EVENT_NFIELDS];
	size_t lens[EVENT_NFIELDS];
	int i;

	for (i = 0; i < EVENT_NFIELDS; i++) {
		names[i] = event_fields[i].name;
		lens[i] = event_fields[i].len;
		if (event_fields[i].kind == KIND_ID)
			id_fields |= 1u << i;
	}
	field_names_ok = wordset_build(&field_names, names, lens, EVENT_NFIELDS) == 0;
	platform_names = vocab_platform_names();
	type_names = vocab_type_names();
}

/* Only if a name in schemas/event-fields.tsv were longer than WORDSET_MAX_LEN. */
static int __attribute__((noinline)) field_index_slow(const char *s, size_t n)
{
	int i;

	for (i = 0; i < EVENT_NFIELDS; i++)
		if (event_fields[i].len == n && memcmp(event_fields[i].name, s, n) == 0)
			return i;
	return -1;
}

static inline int field_index(const char *s, size_t n)
{
	return field_names_ok ? wordset_get(&field_names, s, n) : field_index_slow(s, n);
}

int event_field_index(const char *s, size_t n)
{
	return field_index(s, n);
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

/* The decoded text of a string (its raw span when it has no escapes). */
static int text_of(struct event_norm *en, const char *raw, size_t rawlen, int esc,
		   const char **s, size_t *n)
{
	if (!esc) {
		*s = raw;
		*n = rawlen;
		return 0;
	}
	buf_reset(&en->tmp);
	if (json_unescape(raw, rawlen, &en->tmp) < 0)
		return -2;
	*s = en->tmp.p;
	*n = en->tmp.len;
	return 0;
}

/* ---- writing: w points into reserved room, see EVENT_OUT_MAX ---- */

static inline char *w_bytes(char *w, const char *s, size_t n)
{
	memcpy(w, s, n);
	return w + n;
}

static inline char *w_quoted(char *w, const char *s, size_t n)
{
	*w++ = '"';
	memcpy(w, s, n);
	w += n;
	*w++ = '"';
	return w;
}

/* ,"name": (the first field opens the object instead) */
static inline char *w_key(char *w, const struct field_def *d, int first)
{
	*w++ = first ? '{' : ',';
	return w_bytes(w_quoted(w, d->name, d->len), ":", 1);
}

/* An unsigned integer from a number or a string of digits; a ".000" tail is noted. */
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

static int norm_ts(struct event_norm *en, const struct jfield *f, char **w)
{
	char out[TS_MAX_LEN];
	struct vts t;
	const char *s;
	size_t n;

	if (f->type == J_STR) {
		if (!f->vesc && ts_is_canonical(f->val, f->vlen)) {
			*w = w_quoted(*w, f->val, f->vlen);
			return 0;
		}
		if (text_of(en, f->val, f->vlen, f->vesc, &s, &n) < 0)
			return -2;
	} else if (f->type == J_NUM) {
		s = f->val;
		n = f->vlen;
	} else
		return bad(en, "ts", "expected a timestamp", f);
	int zoned;

	if ((!en->ts_format || ts_parse_format(en->ts_format, s, n, &t, &zoned) < 0) &&
	    ts_parse_zoned(s, n, &t, &zoned) < 0)
		return bad(en, "ts", en->ts_format ? "neither in the --ts-format form nor a timestamp known"
						   : "unrecognised timestamp", f);
	if (!zoned && en->tz)
		ts_zone_to_utc(en->tz, &t);
	if (!ts_in_range(t))
		return bad(en, "ts", "timestamp outside years 0000-9999", f);
	*w = w_quoted(*w, out, ts_format(t, out));
	return 0;
}

static int norm_vocab(struct event_norm *en, const struct jfield *f, const struct field_def *d,
		      char **w)
{
	const struct vocab_entry *e;
	const char *s;
	size_t n;

	if (f->type != J_STR)
		return bad(en, d->name, "expected a string", f);
	if (text_of(en, f->val, f->vlen, f->vesc, &s, &n) < 0)
		return -2;
	e = d->kind == KIND_PLATFORM ? vocab_platform(s, n) : vocab_type(s, n);
	if (!e)
		return bad(en, d->name, d->kind == KIND_PLATFORM ?
			   "unknown platform (see schemas/platforms.tsv)" :
			   "unknown event type (see schemas/event-types.tsv)", f);
	*w = w_quoted(*w, e->name, e->name_len);
	return 0;
}

static int is_number(const struct jfield *f)
{
	return (f->type == J_NUM || f->type == J_STR) && !f->vesc && json_is_number(f->val, f->vlen);
}

static int sentiment_ok(const struct jfield *f)
{
	char num[64];
	double x;

	if (!is_number(f) || f->vlen >= sizeof(num))
		return 0;
	memcpy(num, f->val, f->vlen);
	num[f->vlen] = '\0';
	x = strtod(num, NULL);
	return x >= -1.0 && x <= 1.0;
}

static int norm_value(struct event_norm *en, const struct jfield *f, const struct field_def *d,
		      char **w)
{
	unsigned long long v;
	int fz = 0, i;
	char c[3];

	if (f->type == J_NULL) {
		*w = w_bytes(*w, "null", 4);
		return 0;
	}
	switch (d->kind) {
	case KIND_ID:
		/* a numeric id becomes a string with every digit (ids beyond 2^53 too) */
		if (f->type != J_STR && f->type != J_NUM)
			return bad(en, d->name, "expected a string", f);
		*w = w_quoted(*w, f->val, f->vlen);
		return 0;
	case KIND_TS:
		return norm_ts(en, f, w);
	case KIND_PLATFORM:
	case KIND_TYPE:
		return norm_vocab(en, f, d, w);
	case KIND_STAGE:
		if (f->type != J_NUM || uint_of(f, &v, &fz) < 0 || fz || v < 1 || v > 7)
			return bad(en, d->name, "expected a stage number 1-7", f);
		*w = json_write_uint(*w, v);
		return 0;
	case KIND_MONEY:
		if (!is_number(f))
			return bad(en, d->name, "expected a decimal amount", f);
		*w = w_bytes(*w, f->val, f->vlen);
		return 0;
	case KIND_CURRENCY:
		if (f->type != J_STR || f->vlen != 3)
			return bad(en, d->name, "expected a three-letter currency code", f);
		for (i = 0; i < 3; i++) {
			c[i] = f->val[i];
			if (c[i] >= 'a' && c[i] <= 'z')
				c[i] = (char)(c[i] - 32);
			if (c[i] < 'A' || c[i] > 'Z')
				return bad(en, d->name, "expected a three-letter currency code", f);
		}
		*w = w_quoted(*w, c, 3);
		return 0;
	case KIND_COUNT:
		if (uint_of(f, &v, &fz) < 0 || fz)
			return bad(en, d->name, "expected a non-negative integer", f);
		*w = json_write_uint(*w, v);
		return 0;
	case KIND_RATING:
		if (uint_of(f, &v, &fz) < 0 || v < 1 || v > 5)
			return bad(en, d->name, "expected a rating 1-5", f);
		*w = json_write_uint(*w, v);
		return 0;
	case KIND_SENTIMENT:
		if (!sentiment_ok(f))
			return bad(en, d->name, "expected a number from -1 to 1", f);
		*w = w_bytes(*w, f->val, f->vlen);
		return 0;
	}
	return bad(en, d->name, "internal: unknown field kind", NULL);
}

/* Which member holds each canonical field (en->slot), and each member's field (en->fidx). */
static int index_members(struct event_norm *en)
{
	const struct jfield *f;
	const char *key;
	size_t i, klen;
	int k;

	if (en->obj.n > en->fidx_cap) {
		int *p = realloc(en->fidx, en->obj.n * 2 * sizeof(*p));

		if (!p)
			return -2;
		en->fidx = p;
		en->fidx_cap = en->obj.n * 2;
	}
	en->present = 0;
	for (i = 0; i < en->obj.n; i++) {
		f = &en->obj.f[i];
		if (text_of(en, f->key, f->klen, f->kesc, &key, &klen) < 0)
			return -2;
		k = field_index(key, klen);
		en->fidx[i] = k;
		if (k >= 0) {
			en->slot[k] = (int)i;	/* valid only where present has bit k */
			en->present |= (uint32_t)1 << k;
		}
	}
	return 0;
}

/* The digits of a JSON number with no sign, fraction or exponent; at most max of them. */
static int plain_digits(const struct jfield *f, uint32_t max)
{
	uint32_t i;

	if (f->type != J_NUM || f->vlen > max)
		return 0;
	for (i = 0; i < f->vlen; i++)
		if ((unsigned)(f->val[i] - '0') > 9)
			return 0;
	return 1;
}

/* Whether norm_value would write f's value exactly as it is. */
static int value_as_is(const struct jfield *f, int k)
{
	if (f->type == J_NULL)	/* written as null, unless null means absent */
		return k != EV_EVENT_ID && k != EV_TS && k != EV_PLATFORM && k != EV_TYPE;
	switch (event_fields[k].kind) {
	case KIND_ID:
		return f->type == J_STR && (f->vlen > 0 || k != EV_EVENT_ID);
	case KIND_TS:
		return f->type == J_STR && !f->vesc && ts_is_canonical(f->val, f->vlen);
	case KIND_PLATFORM:
		return f->type == J_STR && !f->vesc && vocab_is_platform(f->val, f->vlen);
	case KIND_TYPE:
		return f->type == J_STR && !f->vesc && vocab_is_type(f->val, f->vlen);
	case KIND_STAGE:
		return f->type == J_NUM && f->vlen == 1 && f->val[0] >= '1' && f->val[0] <= '7';
	case KIND_MONEY:
		return f->type == J_NUM;	/* the scanner checked its grammar */
	case KIND_CURRENCY:
		return f->type == J_STR && f->vlen == 3 && (unsigned)(f->val[0] - 'A') < 26 &&
		       (unsigned)(f->val[1] - 'A') < 26 && (unsigned)(f->val[2] - 'A') < 26;
	case KIND_COUNT:
		return plain_digits(f, 18);
	case KIND_RATING:
		return f->type == J_NUM && f->vlen == 1 && f->val[0] >= '1' && f->val[0] <= '5';
	case KIND_SENTIMENT:
		return f->type == J_NUM && sentiment_ok(f);
	}
	return 0;
}

/*
 * value_as_is for a member of a compact flat object (no escapes; avail
 * bytes readable from the value): the common fields tested inline.
 */
/*
 * A canonical timestamp, known from the one before when they share the
 * hour (time-ordered logs nearly always do): only minutes and seconds
 * are left to check.
 */
static inline int ts_as_is(struct event_norm *en, const char *s, size_t n)
{
	uint64_t a, b, c, d;

	if (n != 20)
		return 0;
	memcpy(&a, s, 8);
	memcpy(&b, s + 6, 8);	/* bytes 6-13: with a, "YYYY-MM-DDTHH:" */
	memcpy(&c, en->last_ts, 8);
	memcpy(&d, en->last_ts + 6, 8);
	if (a == c && b == d)
		return (unsigned)(s[14] - '0') < 6 && (unsigned)(s[15] - '0') < 10 && s[16] == ':' &&
		       (unsigned)(s[17] - '0') < 6 && (unsigned)(s[18] - '0') < 10 && s[19] == 'Z';
	if (!ts_is_canonical(s, n))
		return 0;
	memcpy(en->last_ts, s, 20);
	return 1;
}

static inline int flat_value_as_is(struct event_norm *en, const struct jfield *f, int k, size_t avail)
{
	const struct wordset *names = k == EV_PLATFORM ? platform_names : k == EV_TYPE ? type_names : NULL;

	if (names)
		return f->type == J_STR && wordset_get_at(names, f->val, f->vlen, avail) >= 0;
	if (k == EV_TS)
		return f->type == J_STR && ts_as_is(en, f->val, f->vlen);
	if (event_fields[k].kind == KIND_ID)
		return f->type == J_STR && (f->vlen > 0 || k != EV_EVENT_ID);
	return value_as_is(f, k);
}

/* Position i of the shape is this key, "key": in its JSON text, when short enough to test whole. */
static void learn_key(struct event_norm *en, unsigned i, const struct jfield *f, int k)
{
	if (f->klen + 3 >= sizeof(en->shape[i].text)) {
		en->shape[i].n = 0;
		return;
	}
	en->shape[i].text[0] = '"';
	memcpy(en->shape[i].text + 1, f->key, f->klen);
	memcpy(en->shape[i].text + 1 + f->klen, "\":", 2);
	en->shape[i].n = (uint8_t)(f->klen + 3);
	en->shape[i].field = (int8_t)k;
}

/*
 * Whether the line is already its canonical record, byte for byte: a
 * compact flat object (json_flat_next) whose canonical fields come first,
 * in schema order and once each, with the four that are defaulted or
 * required among them, every value in the form norm_value writes. Most
 * records of a pipeline are; they are copied, not taken apart and rebuilt.
 */
static int line_as_is(struct event_norm *en, const char *line, size_t len, const struct scan_marks *marks)
{
	const uint32_t needed = 1u << EV_EVENT_ID | 1u << EV_TS | 1u << EV_PLATFORM | 1u << EV_TYPE;
	struct jflat it;
	struct jfield f;
	uint32_t present = 0;
	int r, k, last = -1, others = 0, empty;
	unsigned i;

	if (json_flat_init(&it, line, len, &en->obj, marks) < 0)
		return 0;
	for (i = 0;; i++) {
		/* the key at this position in the records before, tested whole; else learnt */
		if (i < EVENT_SHAPE_MAX && en->shape[i].n &&
		    json_flat_key_is(&it, en->shape[i].text, en->shape[i].n))
			k = en->shape[i].field;
		else {
			if ((r = json_flat_key(&it, &f)) != JFLAT_MEMBER)
				break;
			k = field_index(f.key, f.klen);
			if (i < EVENT_SHAPE_MAX)
				learn_key(en, i, &f, k);
		}
		/* ids and other members are as they are when strings: stepped over, not looked at */
		if ((k < 0 || id_fields >> k & 1) && json_flat_skip_string(&it, &empty) == JFLAT_MEMBER) {
			if (k < 0)
				others = 1;	/* norm_value leaves them where they are: after the canonical ones */
			else if (others || k <= last || (empty && k == EV_EVENT_ID))
				return 0;
			else {
				last = k;
				present |= 1u << k;
			}
			continue;
		}
		if ((r = json_flat_value(&it, &f)) != JFLAT_MEMBER)
			break;
		if (k < 0) {
			others = 1;
			continue;
		}
		if (others || k <= last || !flat_value_as_is(en, &f, k, (size_t)(it.end - (const unsigned char *)f.val)))
			return 0;
		last = k;
		present |= 1u << k;
	}
	return r == JFLAT_END && (present & needed) == needed;
}

/*
 * The same test on a record that took the general scan (escapes, nested
 * values): its members, in en->obj, must fill the line with nothing
 * between them, and be in order with canonical values, as above.
 */
static int members_as_is(const struct event_norm *en, size_t len)
{
	const uint32_t needed = 1u << EV_EVENT_ID | 1u << EV_TS | 1u << EV_PLATFORM | 1u << EV_TYPE;
	const struct jfield *f;
	size_t i, bytes = 1 + en->obj.n;	/* '{', then ',' or '}' after each member */
	int k, last = -1, others = 0;

	if ((en->present & needed) != needed)
		return 0;
	for (i = 0; i < en->obj.n; i++) {
		f = &en->obj.f[i];
		bytes += f->klen + 3 + f->vlen + (f->type == J_STR ? 2 : 0);
		k = en->fidx[i];
		if (k < 0) {
			others = 1;
			continue;
		}
		if (others || k <= last || f->kesc || !value_as_is(f, k))
			return 0;
		last = k;
	}
	return bytes == len && len > 0;	/* a line of members alone */
}

int event_ts(const struct jfield *f, struct vts *t)
{
	struct buf d = BUF_INIT;
	int r;

	if (f->type == J_NUM || (f->type == J_STR && !f->vesc))
		return ts_parse(f->val, f->vlen, t);
	if (f->type != J_STR)
		return -1;
	if (json_unescape(f->val, f->vlen, &d) < 0) {
		buf_free(&d);
		return -1;
	}
	r = ts_parse(d.p, d.len, t);
	buf_free(&d);
	return r;
}

int event_ts_ms(const struct jfield *f, long long *ms)
{
	int64_t sec;
	struct vts t;
	struct buf d = BUF_INIT;
	int r;

	if (f->type == J_STR && !f->vesc && ts_canonical_sec(f->val, f->vlen, &sec)) {
		*ms = sec * 1000;
		return 0;
	}
	if (f->type == J_NUM || (f->type == J_STR && !f->vesc)) {
		r = ts_parse(f->val, f->vlen, &t);
	} else if (f->type == J_STR) {
		if (json_unescape(f->val, f->vlen, &d) < 0) {
			buf_free(&d);
			return -1;
		}
		r = ts_parse(d.p, d.len, &t);
		buf_free(&d);
	} else
		return -1;
	if (r < 0)
		return -1;
	*ms = t.sec * 1000 + t.nsec / 1000000;
	return 0;
}

/* Field k's value after --set and --map-value: f, or *given filled in. */
static const struct jfield *rewrite(const struct event_rewrite *rw, int k, const struct jfield *f, struct jfield *given)
{
	int i;

	if (rw->set_mask >> k & 1) {
		memset(given, 0, sizeof(*given));
		given->type = J_STR;
		given->val = rw->set[k];
		given->vlen = rw->set_len[k];
		given->vesc = memchr(rw->set[k], '\\', rw->set_len[k]) != NULL;
		return given;
	}
	if (!(rw->map_mask >> k & 1) || !f || f->type != J_STR)
		return f;
	for (i = 0; i < rw->nmap; i++)
		if (rw->map[i].field == k && rw->map[i].from_len == f->vlen && !memcmp(rw->map[i].from, f->val, f->vlen)) {
			*given = *f;
			given->val = rw->map[i].to;
			given->vlen = rw->map[i].to_len;
			given->vesc = memchr(rw->map[i].to, '\\', rw->map[i].to_len) != NULL;
			return given;
		}
	return f;
}

/* text[0..n) as raw JSON string content, in a new allocation. NULL when out of memory. */
static char *raw_of(const char *text, size_t n, size_t *len)
{
	struct buf b = BUF_INIT;

	if (json_escape(&b, text, n) < 0) {
		buf_free(&b);
		return NULL;
	}
	memmove(b.p, b.p + 1, b.len - 2);
	*len = b.len - 2;
	return b.p;
}

static int rewrite_field(const char *name, size_t n, const char *opt, char *why)
{
	int k = event_field_index(name, n);

	if (k < 0)
		snprintf(why, 200, "%s: '%.*s' is not a canonical field (schemas/event-fields.tsv)", opt, (int)n, name);
	return k;
}

int event_rewrite_set(struct event_rewrite *rw, const char *arg, char *why)
{
	const char *eq = strchr(arg, '=');
	int k;

	if (!eq || eq == arg) {
		snprintf(why, 200, "--set: '%.100s' is not FIELD=VALUE", arg);
		return -1;
	}
	if ((k = rewrite_field(arg, (size_t)(eq - arg), "--set", why)) < 0)
		return -1;
	free((void *)rw->set[k]);	/* given twice: the last wins */
	if (!utf8_valid(eq + 1, strlen(eq + 1)) || !(rw->set[k] = raw_of(eq + 1, strlen(eq + 1), &rw->set_len[k]))) {
		snprintf(why, 200, "--set: the value is not UTF-8");
		return -1;
	}
	rw->set_mask |= 1u << k;
	rw->extra += rw->set_len[k] + 32;
	return 0;
}

int event_rewrite_map(struct event_rewrite *rw, const char *arg, char *why)
{
	const char *colon = strchr(arg, ':'), *eq = colon ? strchr(colon, '=') : NULL;
	int k, i = rw->nmap;

	if (!colon || colon == arg || !eq || eq == colon + 1) {
		snprintf(why, 200, "--map-value: '%.100s' is not FIELD:FROM=TO", arg);
		return -1;
	}
	if ((k = rewrite_field(arg, (size_t)(colon - arg), "--map-value", why)) < 0)
		return -1;
	if (i == EVENT_MAX_VALUE_MAPS) {
		snprintf(why, 200, "--map-value: at most %d", EVENT_MAX_VALUE_MAPS);
		return -1;
	}
	if (!utf8_valid(arg, strlen(arg)) ||
	    !(rw->map[i].from = raw_of(colon + 1, (size_t)(eq - colon - 1), &rw->map[i].from_len)) ||
	    !(rw->map[i].to = raw_of(eq + 1, strlen(eq + 1), &rw->map[i].to_len))) {
		free((void *)rw->map[i].from);
		rw->map[i].from = NULL;
		snprintf(why, 200, "--map-value: not UTF-8, or out of memory");
		return -1;
	}
	rw->map[i].field = k;
	rw->nmap++;
	rw->map_mask |= 1u << k;
	rw->extra += rw->map[i].to_len + 2;
	return 0;
}

void event_rewrite_free(struct event_rewrite *rw)
{
	int k;

	for (k = 0; k < EVENT_NFIELDS; k++)
		free((void *)rw->set[k]);
	for (k = 0; k < rw->nmap; k++) {
		free((void *)rw->map[k].from);
		free((void *)rw->map[k].to);
	}
	memset(rw, 0, sizeof(*rw));
}

long event_normalize_to(struct event_norm *en, const char *line, size_t len,
			const struct scan_marks *marks, char *dst)
{
	const struct jfield *f;
	char *w = dst;
	size_t i;
	int r, k;

	if (!en->always_rebuild && !en->rw && line_as_is(en, line, len, marks)) {
		en->as_is++;
		return 0;
	}
	r = json_scan_line(line, len, &en->obj, marks);
	if (r == -1) {
		snprintf(en->err, sizeof(en->err), "%s", en->obj.err);
		en->err_col = en->obj.err_col;
		return -1;
	}
	en->err_col = 0;
	if (r < 0 || index_members(en) < 0)
		return -2;
	if (!en->always_rebuild && !en->rw && members_as_is(en, len)) {
		en->as_is++;
		return 0;
	}

	/*
	 * Canonical fields in schema order, visiting only those present; the
	 * first five (event_id, ts, user_id, platform, type) may need a default
	 * or be required, so they are always visited.
	 */
	uint32_t todo = en->present | 0x1F | (en->rw ? en->rw->set_mask : 0);
	struct jfield given;

	while (todo) {
		const struct field_def *d;

		k = __builtin_ctz(todo);
		todo &= todo - 1;
		d = &event_fields[k];
		f = en->present >> k & 1 ? &en->obj.f[en->slot[k]] : NULL;
		if (en->rw)	/* the user's constant or value */
			f = rewrite(en->rw, k, f, &given);
		if (f && f->type == J_NULL && (k == EV_EVENT_ID || k == EV_TS ||
					       k == EV_PLATFORM || k == EV_TYPE))
			f = NULL;	/* these are never null: treated as absent */
		if (k == EV_EVENT_ID && (!f || (f->type == J_STR && f->vlen == 0))) {
			/* no id from the source: XXH3-128 of the source bytes, in hex */
			char hex[32];

			h128_hex(hash128(line, len), hex);
			w = w_quoted(w_key(w, d, 1), hex, sizeof(hex));
			continue;
		}
		if (!f) {
			if (k == EV_TS || k == EV_TYPE)
				return bad(en, d->name, "missing", NULL);
			if (k == EV_PLATFORM)
				w = w_quoted(w_key(w, d, 0), "other", 5);
			continue;
		}
		w = w_key(w, d, k == EV_EVENT_ID);
		r = norm_value(en, f, d, &w);
		if (r < 0)
			return r;
	}
	/* the other members, in input order, byte-exact */
	for (i = 0; i < en->obj.n; i++) {
		if (en->fidx[i] >= 0)
			continue;
		f = &en->obj.f[i];
		*w++ = ',';
		w = w_quoted(w, f->key, f->klen);
		*w++ = ':';
		w = f->type == J_STR ? w_quoted(w, f->val, f->vlen) : w_bytes(w, f->val, f->vlen);
	}
	*w++ = '}';
	*w++ = '\n';
	return (long)(w - dst);
}

int event_normalize(struct event_norm *en, const char *line, size_t len)
{
	long n;

	buf_reset(&en->out);
	if (buf_grow(&en->out, EVENT_OUT_MAX_EN(en, len)) < 0)
		return -2;
	n = event_normalize_to(en, line, len, NULL, en->out.p);
	if (n < 0)
		return (int)n;
	if (n == 0) {	/* the line is the record */
		memcpy(en->out.p, line, len);
		en->out.p[len] = '\n';
		n = (long)len + 1;
	}
	en->out.len = (size_t)n;
	return 0;
}

int event_why(const struct event_norm *en, char *why)
{
	if (en->err_col)
		snprintf(why, 200, "%.160s (column %zu)", en->err, en->err_col);
	else
		snprintf(why, 200, "%.199s", en->err);
	return -1;
}

int event_append(struct event_norm *en, const char *obj, size_t n, struct buf *out, char *why)
{
	long k;

	if (buf_grow(out, EVENT_OUT_MAX_EN(en, n)) < 0)
		return -2;
	k = event_normalize_to(en, obj, n, NULL, out->p + out->len);
	if (k == -2)
		return -2;
	if (k < 0)
		return event_why(en, why);
	if (k == 0) {	/* the object made is already canonical */
		memcpy(out->p + out->len, obj, n);
		out->p[out->len + n] = '\n';
		k = (long)n + 1;
	}
	out->len += (size_t)k;
	return 0;
}

int event_put_fingerprint(struct buf *b, const char *rec, size_t len)
{
	char hex[34];

	hex[0] = '"';
	h128_hex(hash128(rec, len), hex + 1);
	hex[33] = '"';
	return buf_add(b, hex, sizeof(hex));
}
