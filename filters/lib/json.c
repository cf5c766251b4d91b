/*
 * json.c - a validating scanner for one JSON text per line.
 *
 * Strings are the hot path: 16 bytes at a time (SSE2) look for the only
 * bytes that need attention, '"', '\\', control bytes and non-ASCII lead
 * bytes, so plain ASCII content costs a load and a compare per 16 bytes.
 * Non-ASCII is checked as UTF-8 (Unicode 15 table 3-7: no overlongs,
 * no surrogates, nothing past U+10FFFF); \u escapes must pair surrogates.
 * Nesting is limited to JSON_MAX_DEPTH so no input can exhaust the stack.
 *
 * Most lines need less: without a backslash or a control byte, and with
 * any non-ASCII bytes valid UTF-8, every string ends at the next quote and
 * nothing inside it can be wrong. One pass over such a line marks its
 * quotes in a bitmap (scan_json), and a string is then skipped with a bit
 * search, whatever its length. Every other line takes the byte-by-byte
 * path, which finds the exact error and its column; on the lines both
 * paths take they give the same result (tests/fuzz/fuzz_json.c checks).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json.h"
#include "scan.h"

struct jp {
	const unsigned char *start, *p, *end;
	const char *err;
	const unsigned char *errp;
	int depth;
	const uint64_t *quotes;	/* the line's quote bitmap, or NULL: look at every byte */
	const unsigned char *qbase;	/* byte 0 of it (the line's start, or its chunk's) */
	size_t nwords;
};

static int use_bitmap = 1;

static void jp_init(struct jp *j, const char *s, size_t len, struct jobj *o, int depth,
		    const struct scan_marks *marks);

void json_use_bitmap(int on)
{
	use_bitmap = on;
}

static int fail(struct jp *j, const unsigned char *at, const char *msg)
{
	if (!j->err) {
		j->err = msg;
		j->errp = at;
	}
	return -1;
}

static inline void skip_ws(struct jp *j)
{
	const unsigned char *p = j->p, *end = j->end;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	j->p = p;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t k;

	while (p < end) {
		if (*p < 0x80) {
			/* ASCII runs, sixteen bytes at a time */
#ifdef __SSE2__
			while (end - p >= 16 &&
			       !_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)p)))
				p += 16;
#endif
			while (p < end && *p < 0x80)
				p++;
			continue;
		}
		k = utf8_seq(p, end);
		if (!k)
			return 0;
		p += k;
	}
	return 1;
}

/*
 * p moved on, sixteen bytes a step, past bytes that a JSON string holds as
 * they are: to the first '"', '\\' or control byte (and with high, byte
 * 0x80-0xFF), or to where fewer than sixteen are left. The caller goes on
 * byte by byte from there.
 */
static inline const unsigned char *skip_plain(const unsigned char *p, const unsigned char *end, int high)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20), ctl = _mm_set1_epi8(0x1F);

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* signed, 0x00-0x1F and 0x80-0xFF are both "< 0x20"; unsigned min picks 0x00-0x1F alone */
		__m128i odd = high ? _mm_cmplt_epi8(v, space) : _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)), odd));

		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#else
	(void)end;
	(void)high;
#endif
	return p;
}

static inline const unsigned char *next_quote(const struct jp *j, const unsigned char *p)
{
	const unsigned char *q = json_next_quote(j->qbase, j->quotes, j->nwords, p);

	return q && q < j->end ? q : NULL;	/* a chunk's bitmap goes on past the line */
}

static int hex4(const unsigned char *p, unsigned *cp)
{
	unsigned v = 0, d;
	int i;

	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
			d = (p[i] | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*cp = v;
	return 0;
}

/* j->p is just past the opening quote; leaves it just past the closing one. */
static int scan_string(struct jp *j, int *esc)
{
	const unsigned char *p = j->p, *end = j->end;
	unsigned cp, lo;
	size_t k;

	if (j->quotes) {
		const unsigned char *q = next_quote(j, p);

		if (!q)
			return fail(j, end, "unterminated string");
		j->p = q + 1;
		return 0;
	}
	for (;;) {
		p = skip_plain(p, end, 1);
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p >= end)
			return fail(j, p, "unterminated string");
		if (*p == '"') {
			j->p = p + 1;
			return 0;
		}
		if (*p == '\\') {
			*esc = 1;
			if (end - p < 2)
				return fail(j, p, "unterminated string");
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				p += 2;
				continue;
			case 'u':
				if (end - p < 6 || hex4(p + 2, &cp) < 0)
					return fail(j, p, "invalid \\u escape");
				if (cp >= 0xDC00 && cp <= 0xDFFF)
					return fail(j, p, "unpaired surrogate in \\u escape");
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
					    hex4(p + 8, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
						return fail(j, p, "unpaired surrogate in \\u escape");
					p += 12;
				} else
					p += 6;
				continue;
			default:
				return fail(j, p, "invalid escape in string");
			}
		}
		if (*p < 0x20)
			return fail(j, p, "control character in string");
		k = utf8_seq(p, end);
		if (!k)
			return fail(j, p, "invalid UTF-8 in string");
		p += k;
	}
}

static int scan_number(struct jp *j)
{
	const unsigned char *p = j->p, *end = j->end;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	else
		return fail(j, p, "invalid number");
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return fail(j, p, "invalid number: digit expected after '.'");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return fail(j, p, "invalid number: digit expected in exponent");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	j->p = p;
	return 0;
}

int json_is_number(const char *s, size_t n)
{
	struct jp j;

	/* what scan_number reads: no jp_init, whose memset was a rep stos a value */
	j.start = j.p = (const unsigned char *)s;
	j.end = j.start + n;
	j.err = NULL;
	j.errp = NULL;
	return n > 0 && scan_number(&j) == 0 && j.p == j.end;
}

static int scan_literal(struct jp *j, const char *word, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return fail(j, j->p, "invalid literal");
	j->p += n;
	return 0;
}

static int scan_value(struct jp *j, struct jfield *f);

/* A new member slot at the end of o, or NULL when out of memory. */
static inline struct jfield *push(struct jobj *o)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;
		struct jfield *nf = realloc(o->f, cap * sizeof(*nf));

		if (!nf)
			return NULL;
		o->f = nf;
		o->cap = cap;
	}
	return &o->f[o->n++];
}

static int scan_members(struct jp *j, struct jobj *o)
{
	struct jfield *f, tmp;
	const unsigned char *key;
	int esc;

	/* j->p is just past '{' */
	skip_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		if (j->p >= j->end || *j->p != '"')
			return fail(j, j->p, "object key (a string) expected");
		key = ++j->p;
		esc = 0;
		if (scan_string(j, &esc) < 0)
			return -1;
		f = o ? push(o) : &tmp;
		if (!f)
			return -2;
		f->key = (const char *)key;
		f->klen = (uint32_t)(j->p - 1 - key);
		f->kesc = (uint8_t)esc;
		skip_ws(j);
		if (j->p >= j->end || *j->p != ':')
			return fail(j, j->p, "':' expected after object key");
		j->p++;
		skip_ws(j);
		if (scan_value(j, f) < 0)
			return -1;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_ws(j);
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			return 0;
		}
		return fail(j, j->p, "',' or '}' expected in object");
	}
}

static int scan_array(struct jp *j)
{
	skip_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		if (scan_value(j, NULL) < 0)
			return -1;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_ws(j);
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return 0;
		}
		return fail(j, j->p, "',' or ']' expected in array");
	}
}

/* A value at j->p (whitespace already skipped); f, if given, gets its span. */
static int scan_value(struct jp *j, struct jfield *f)
{
	const unsigned char *v = j->p;
	int esc = 0, r;
	uint8_t type;

	if (j->p >= j->end)
		return fail(j, j->p, "value expected");
	switch (*j->p) {
	case '"':
		j->p++;
		if (scan_string(j, &esc) < 0)
			return -1;
		if (f) {
			f->val = (const char *)v + 1;
			f->vlen = (uint32_t)(j->p - v - 2);
			f->type = J_STR;
			f->vesc = (uint8_t)esc;
		}
		return 0;
	case '{':
	case '[':
		if (++j->depth > JSON_MAX_DEPTH)
			return fail(j, j->p, "nested too deeply");
		j->p++;
		r = *v == '{' ? scan_members(j, NULL) : scan_array(j);
		j->depth--;
		if (r < 0)
			return r;
		type = *v == '{' ? J_OBJ : J_ARR;
		break;
	case 't':
		if (scan_literal(j, "true", 4) < 0)
			return -1;
		type = J_TRUE;
		break;
	case 'f':
		if (scan_literal(j, "false", 5) < 0)
			return -1;
		type = J_FALSE;
		break;
	case 'n':
		if (scan_literal(j, "null", 4) < 0)
			return -1;
		type = J_NULL;
		break;
	default:
		if (*j->p != '-' && (*j->p < '0' || *j->p > '9'))
			return fail(j, j->p, "unexpected character, value expected");
		if (scan_number(j) < 0)
			return -1;
		type = J_NUM;
		break;
	}
	if (f) {
		f->val = (const char *)v;
		f->vlen = (uint32_t)(j->p - v);
		f->type = type;
		f->vesc = 0;
	}
	return 0;
}

/*
 * The members of a top-level object on the bitmap path, for the common
 * shape: no whitespace between tokens, and values that are strings (found
 * with the bitmap), or anything else (scan_value). Anything unexpected,
 * whitespace or an error, starts the object again with scan_members, so
 * what is accepted and every message are exactly scan_members'.
 */
static int scan_members_fast(struct jp *j, struct jobj *o)
{
	const unsigned char *p = j->p, *end = j->end, *q, *open = j->p;
	struct jfield *f;

	if (p < end && *p == '}') {
		j->p = p + 1;
		return 0;
	}
	for (;;) {
		if (p >= end || *p != '"' || !(q = next_quote(j, p + 1)) ||
		    end - q < 3 || q[1] != ':')
			break;
		if (!(f = push(o)))
			return -2;
		f->key = (const char *)p + 1;
		f->klen = (uint32_t)(q - p - 1);
		f->kesc = f->vesc = 0;
		p = q + 2;
		if (*p == '"') {
			if (!(q = next_quote(j, p + 1)))
				break;
			f->val = (const char *)p + 1;
			f->vlen = (uint32_t)(q - p - 1);
			f->type = J_STR;
			p = q + 1;
		} else {
			j->p = p;
			if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
				break;
			if (scan_value(j, f) < 0)
				return -1;	/* scan_members meets the same value at the same place */
			p = j->p;
		}
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '}') {
			j->p = p + 1;
			return 0;
		}
		break;
	}
	/* the general path, from the start of the object */
	o->n = 0;
	j->p = open;
	return scan_members(j, o);
}

/* ---- the quote bitmap ---- */

/*
 * The quote bitmap of s[0..len) in o's scratch, with a zero word after
 * it, when the line allows one (see the top of this file): its number of
 * words, or 0 (no bitmap: a backslash, a control byte, bad UTF-8, or no
 * memory for it, which only makes the scan slower).
 */
size_t json_quote_bitmap(const char *s, size_t len, struct jobj *o)
{
	size_t words = (len + 63) >> 6;
	unsigned found;

	if (!use_bitmap || !len)
		return 0;
	if (words + 1 > o->quotes_cap) {
		uint64_t *q = realloc(o->quotes, (words + 1) * 2 * sizeof(*q));

		if (!q)
			return 0;
		o->quotes = q;
		o->quotes_cap = (words + 1) * 2;
	}
	found = scan_json(s, len, o->quotes);
	o->quotes[words] = 0;
	if (found & SCAN_SPECIAL || (found & SCAN_NONASCII && !utf8_valid(s, len)))
		return 0;
	return words;
}

size_t json_line_bitmap(const char *s, size_t len, struct jobj *o, const struct scan_marks *marks,
			const unsigned char **qbase, const uint64_t **quotes)
{
	size_t words;

	if (!use_bitmap)
		return 0;
	if (marks && s >= marks->base && s + len <= marks->base + marks->n &&
	    (!marks->any_attn || !scan_attn(marks, s, s + len))) {
		*qbase = (const unsigned char *)marks->base;
		*quotes = marks->quote;
		return marks->nwords;
	}
	words = json_quote_bitmap(s, len, o);
	*qbase = (const unsigned char *)s;
	*quotes = o->quotes;
	return words;
}

/*
 * A scanner over s[0..len); with o, a quote bitmap when the line allows
 * one (marks: its chunk's, else its own in o's scratch).
 */
static void jp_init(struct jp *j, const char *s, size_t len, struct jobj *o, int depth,
		    const struct scan_marks *marks)
{
	memset(j, 0, sizeof(*j));
	j->start = j->p = (const unsigned char *)s;
	j->end = j->start + len;
	j->depth = depth;
	if (o && (j->nwords = json_line_bitmap(s, len, o, marks, &j->qbase, &j->quotes)) == 0)
		j->quotes = NULL;
}

static int finish(struct jp *j, struct jobj *o, int r)
{
	if (r == 0) {
		skip_ws(j);
		if (j->p != j->end)
			r = fail(j, j->p, "unexpected data after the JSON value");
	}
	if (r == -1) {
		o->err = j->err;
		o->err_col = (size_t)(j->errp - j->start) + 1;
	}
	return r;
}

int json_scan_object(const char *s, size_t len, struct jobj *o)
{
	return json_scan_line(s, len, o, NULL);
}

int json_scan_line(const char *s, size_t len, struct jobj *o, const struct scan_marks *marks)
{
	struct jp j;

	jp_init(&j, s, len, o, 1, marks);
	o->n = 0;
	o->err = NULL;
	skip_ws(&j);
	if (j.p >= j.end)
		return finish(&j, o, fail(&j, j.p, "empty line, a JSON object expected"));
	if (*j.p != '{')
		return finish(&j, o, fail(&j, j.p, "not a JSON object"));
	j.p++;
	return finish(&j, o, j.quotes ? scan_members_fast(&j, o) : scan_members(&j, o));
}

int json_scan_array(const char *s, size_t len, struct jobj *o)
{
	struct jp j;
	struct jfield *f;

	jp_init(&j, s, len, o, 1, NULL);
	o->n = 0;
	o->err = NULL;
	skip_ws(&j);
	if (j.p >= j.end || *j.p != '[')
		return finish(&j, o, fail(&j, j.p, "not a JSON array"));
	j.p++;
	skip_ws(&j);
	if (j.p < j.end && *j.p == ']') {
		j.p++;
		return finish(&j, o, 0);
	}
	for (;;) {
		f = push(o);
		if (!f)
			return -2;
		f->key = NULL;
		f->klen = f->kesc = 0;
		if (scan_value(&j, f) < 0)
			return finish(&j, o, -1);
		skip_ws(&j);
		if (j.p < j.end && *j.p == ',') {
			j.p++;
			skip_ws(&j);
			continue;
		}
		if (j.p < j.end && *j.p == ']') {
			j.p++;
			return finish(&j, o, 0);
		}
		return finish(&j, o, fail(&j, j.p, "',' or ']' expected in array"));
	}
}

int json_validate(const char *s, size_t len, struct jobj *o)
{
	struct jp j;

	jp_init(&j, s, len, o, 0, NULL);
	o->err = NULL;
	skip_ws(&j);
	return finish(&j, o, scan_value(&j, NULL));
}

void jobj_free(struct jobj *o)
{
	free(o->f);
	free(o->quotes);
	o->f = NULL;
	o->quotes = NULL;
	o->n = o->cap = o->quotes_cap = 0;
}

/* Whether a raw key (escapes allowed) spells name. Keys with escapes are rare. */
static int key_is(const struct jfield *f, const char *name, size_t n)
{
	struct buf d = BUF_INIT;
	int same;

	if (!f->kesc)
		return f->klen == n && memcmp(f->key, name, n) == 0;
	if (json_unescape(f->key, f->klen, &d) < 0) {
		buf_free(&d);
		return 0;
	}
	same = d.len == n && memcmp(d.p, name, n) == 0;
	buf_free(&d);
	return same;
}

const struct jfield *jobj_get(const struct jobj *o, const char *name, size_t n)
{
	size_t i = o->n;

	while (i-- > 0)
		if (key_is(&o->f[i], name, n))
			return &o->f[i];
	return NULL;
}

static int put_utf8(struct buf *out, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_add(out, b, n);
}

int json_unescape(const char *s, size_t n, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *bs;
	unsigned cp, lo;
	char c;

	while (p < end) {
		bs = memchr(p, '\\', (size_t)(end - p));
		if (!bs)
			return buf_add(out, p, (size_t)(end - p));
		if (buf_add(out, p, (size_t)(bs - p)) < 0)
			return -1;
		p = bs + 1;
		if (p >= end)
			return -1;
		switch (*p) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (end - p < 5 || hex4(p + 1, &cp) < 0)
				return -1;
			p += 5;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) < 0)
					return -1;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			}
			if (put_utf8(out, cp) < 0)
				return -1;
			continue;
		default: c = (char)*p; break;	/* " \ / */
		}
		if (buf_addc(out, c) < 0)
			return -1;
		p++;
	}
	return 0;
}

/* Bytes that need escaping in a JSON string: '"', '\\' and 0x00-0x1F. */
static const unsigned char needs_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	['\\'] = 1,
};

int json_escape(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run;
	char e[6];

	if (buf_grow(out, n + 2) < 0 || buf_addc(out, '"') < 0)
		return -1;
	while (p < end) {
		run = p;
		p = skip_plain(p, end, 0);
		while (p < end && !needs_escape[*p])
			p++;
		if (buf_add(out, run, (size_t)(p - run)) < 0)
			return -1;
		if (p == end)
			break;
		e[0] = '\\';
		switch (*p) {
		case '"': e[1] = '"'; break;
		case '\\': e[1] = '\\'; break;
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		case '\t': e[1] = 't'; break;
		default:
			e[1] = 'u'; e[2] = '0'; e[3] = '0';
			e[4] = hex[*p >> 4];
			e[5] = hex[*p & 15];
			if (buf_add(out, e, 6) < 0)
				return -1;
			p++;
			continue;
		}
		if (buf_add(out, e, 2) < 0)
			return -1;
		p++;
	}
	return buf_addc(out, '"');
}

/*
 * v's decimal digits, ending at end (written backwards, two at a time):
 * snprintf's format parsing was a fifth of writing 1.8 M groups' counts.
 */
static char *digits(char *end, uint64_t v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				    "8081828384858687888990919293949596979899";

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100);

		v /= 100;
		*--end = pairs[2 * d + 1];
		*--end = pairs[2 * d];
	}
	if (v >= 10) {
		*--end = pairs[2 * v + 1];
		*--end = pairs[2 * v];
	} else
		*--end = (char)('0' + v);
	return end;
}

char *json_write_uint(char *w, uint64_t v)
{
	char t[24], *p = digits(t + sizeof(t), v);
	size_t n = (size_t)(t + sizeof(t) - p);

	memcpy(w, p, n);
	return w + n;
}

int json_put_uint(struct buf *out, uint64_t v)
{
	char t[24], *p = digits(t + sizeof(t), v);

	return buf_add(out, p, (size_t)(t + sizeof(t) - p));
}

int json_put_int(struct buf *out, int64_t v)
{
	char t[24], *p = digits(t + sizeof(t), v < 0 ? 0 - (uint64_t)v : (uint64_t)v);

	if (v < 0)
		*--p = '-';
	return buf_add(out, p, (size_t)(t + sizeof(t) - p));
}

int json_put_double(struct buf *out, double x)
{
	char t[40];
	int prec;
	size_t n = 0;

	if (!isfinite(x))
		return buf_add(out, "null", 4);
	for (prec = 15; prec <= 17; prec++) {
		n = (size_t)snprintf(t, sizeof(t), "%.*g", prec, x);
		if (strtod(t, NULL) == x)
			break;
	}
	return buf_add(out, t, n);
}

int json_scan_record(const char *p, size_t len, struct jobj *o, const struct scan_marks *marks, char *why)
{
	int r = json_scan_line(p, len, o, marks);

	if (r == -1)
		snprintf(why, 200, "%.160s (column %zu)", o->err, o->err_col);
	return r;
}

int json_key_value(const struct jfield *f, struct buf *key, struct buf *tmp)
{
	uint32_t len;

	if (buf_addc(key, (char)f->type) < 0)
		return -1;
	if (f->type == J_STR && f->vesc) {
		buf_reset(tmp);
		if (json_unescape(f->val, f->vlen, tmp) < 0)
			return -1;
		len = (uint32_t)tmp->len;
		return buf_add(key, &len, 4) < 0 || buf_add(key, tmp->p, len) < 0 ? -1 : 0;
	}
	len = f->vlen;
	return buf_add(key, &len, 4) < 0 || buf_add(key, f->val, len) < 0 ? -1 : 0;
}

/* The key of the picked members got[0..n), as json_record_key. */
static int key_of(const struct jfield *const *got, unsigned n, struct buf *key, struct buf *tmp)
{
	unsigned i;

	buf_reset(key);
	for (i = 0; i < n; i++) {
		const struct jfield *g = got[i];
		uint32_t len;

		if (!g || g->type == J_NULL)
			return 0;
		if (g->type == J_STR && g->vesc) {
			if (json_key_value(g, key, tmp) < 0)
				return -1;
			continue;
		}
		/* json_key_value's bytes, with one check of room instead of three */
		len = g->vlen;
		if (key->cap - key->len < 5 + (size_t)len && buf_grow(key, 5 + (size_t)len) < 0)
			return -1;
		key->p[key->len] = (char)g->type;
		memcpy(key->p + key->len + 1, &len, 4);
		memcpy(key->p + key->len + 5, g->val, len);
		key->len += 5 + (size_t)len;
	}
	return 1;
}

/*
 * memcmp(a, b, n) == 0 for the few bytes of a key, without a call: two
 * loads of each, overlapping, up to 16 bytes (both spans are n long).
 */
static inline int same_bytes(const unsigned char *a, const char *b, size_t n)
{
	uint64_t x, y, u, v;
	uint32_t x4, y4, u4, v4;
	uint16_t x2, y2, u2, v2;

	if (n >= 8) {
		if (n > 16)
			return memcmp(a, b, n) == 0;
		memcpy(&x, a, 8), memcpy(&y, b, 8), memcpy(&u, a + n - 8, 8), memcpy(&v, b + n - 8, 8);
		return ((x ^ y) | (u ^ v)) == 0;
	}
	if (n >= 4) {
		memcpy(&x4, a, 4), memcpy(&y4, b, 4), memcpy(&u4, a + n - 4, 4), memcpy(&v4, b + n - 4, 4);
		return ((x4 ^ y4) | (u4 ^ v4)) == 0;
	}
	if (n >= 2) {
		memcpy(&x2, a, 2), memcpy(&y2, b, 2), memcpy(&u2, a + n - 2, 2), memcpy(&v2, b + n - 2, 2);
		return ((x2 ^ y2) | (u2 ^ v2)) == 0;
	}
	return n == 0 || a[0] == (unsigned char)b[0];
}

/*
 * json_line_key's fast walk of a compact flat object s[0..len) whose
 * quotes (every one a string's end, no escapes) are bit i of quotes[i / 64]
 * for byte qbase[i]: the walk meets them in order, so each next one is the
 * lowest bit left, all state in registers. Fills got[i] (in f[i]) for the
 * members named, NULL for those absent; 1 when the line is such an object,
 * else 0 (scan it). got is set only at the end, from a mask: clearing it
 * first cost a rep stos a line, 4 % of vchain-partition's time.
 */
static inline __attribute__((always_inline)) int
flat_pick(const unsigned char *s, size_t len, const unsigned char *qbase, const uint64_t *quotes,
		     size_t nwords, const struct jpick *pk, unsigned n, struct jfield *f, const struct jfield **got)
{
	const char *const *names = pk->names;
	const size_t *lens = pk->lens;
	uint32_t cand;
	const unsigned char *p = s + 1, *end = s + len, *q, *k, *v;
	size_t off = (size_t)(p - qbase), w = off >> 6, klen, vlen;
	uint64_t bits = quotes[w] & (~(uint64_t)0 << (off & 63));
	const unsigned char *wbase = qbase + (w << 6);	/* byte 0 of word w */
	uint8_t type;
	uint32_t seen = 0;
	unsigned i;

	/* the next quote (a string's end) as q; SKIP steps over the one at p (a string's start) */
#define NEXT_WORD()                                        \
	while (!bits) {                                    \
		if (++w >= nwords)                         \
			return 0;                          \
		bits = quotes[w];                          \
		wbase += 64;                               \
	}
#define POP(q)                                             \
	do {                                               \
		NEXT_WORD();                               \
		(q) = wbase + (unsigned)__builtin_ctzll(bits); \
		bits &= bits - 1;                          \
	} while (0)
#define SKIP()                                             \
	do {                                               \
		NEXT_WORD();                               \
		bits &= bits - 1;                          \
	} while (0)

	if (len < 2 || s[0] != '{' || end[-1] != '}')
		return 0;
	if (*p == '}') {
		if (p + 1 != end)
			return 0;
		goto done;
	}
	for (;;) {
		/*
		 * Every quote before p is behind the walk (none is passed
		 * unseen), so the lowest bit left is p's own when *p is one.
		 */
		if (*p != '"')
			return 0;
		SKIP();
		POP(q);
		if (end - q < 3 || q[1] != ':')
			return 0;
		k = p + 1;
		klen = (size_t)(q - k);
		p = q + 2;
		if (*p == '"') {
			SKIP();
			POP(q);
			if (q >= end - 1)
				return 0;
			v = p + 1;
			vlen = (size_t)(q - v);
			type = J_STR;
			p = q + 1;
		} else {
			for (v = p; p < end && *p != ',' && *p != '}'; p++)
				if (*p == '"')
					return 0;	/* the quote bitmap's walk would lose its step */
			vlen = (size_t)(p - v);
			if (vlen == 4 && !memcmp(v, "null", 4))
				type = J_NULL;
			else if (vlen == 4 && !memcmp(v, "true", 4))
				type = J_TRUE;
			else if (vlen == 5 && !memcmp(v, "false", 5))
				type = J_FALSE;
			else if (json_is_number((const char *)v, vlen))
				type = J_NUM;
			else
				return 0;	/* nested, spaced or wrong */
		}
		/*
		 * The names it may be: for one, that one; else those its slot
		 * holds, a load, not a test of every name. A later member of
		 * a name replaces an earlier, as jq reads it.
		 */
		cand = n == 1 ? 1 : pk->slot[JPICK_SLOT(klen, klen ? k[0] : 0)];
		while (cand) {	/* mostly none, or one */
			i = (unsigned)__builtin_ctz(cand);
			cand &= cand - 1;
			if (klen == lens[i] && same_bytes(k, names[i], klen)) {
				f[i].key = (const char *)k;
				f[i].klen = (uint32_t)klen;
				f[i].val = (const char *)v;
				f[i].vlen = (uint32_t)vlen;
				f[i].type = type;
				f[i].kesc = f[i].vesc = 0;
				seen |= (uint32_t)1 << i;
				break;	/* a slot's names differ: no other matches */
			}
		}
		if (*p == ',' && end - p > 1) {
			p++;
			continue;
		}
		if (*p != '}' || p + 1 != end)
			return 0;
		break;
	}
done:
	if (n > 1 && pk->again)	/* a name asked twice: the later ones as the first */
		for (i = 0; i < n; i++)
			if (pk->again >> i & 1 && seen >> pk->first[i] & 1) {
				f[i] = f[pk->first[i]];
				seen |= (uint32_t)1 << i;
			}
	for (i = 0; i < n; i++)
		got[i] = seen >> i & 1 ? &f[i] : NULL;
	return 1;
#undef POP
#undef SKIP
#undef NEXT_WORD
}

void json_pick_init(struct jpick *pk, const char *const *names, const size_t *lens, unsigned n)
{
	unsigned i, j;

	memset(pk, 0, sizeof(*pk));
	pk->names = names;
	pk->lens = lens;
	pk->n = n;
	for (i = 0; i < n && i < JSON_LINE_KEY_MAX; i++) {
		for (j = 0; j < i && !(lens[j] == lens[i] && !memcmp(names[j], names[i], lens[i])); j++)
			;
		pk->first[i] = (uint8_t)j;
		if (j < i)
			pk->again |= (uint16_t)(1u << i);
		else
			pk->slot[JPICK_SLOT(lens[i], lens[i] ? (unsigned char)names[i][0] : 0)] |= (uint16_t)(1u << i);
	}
}

/* flat_pick over the line's quote bitmap (its chunk's or its own): 1, or 0 for a line to scan. */
static inline __attribute__((always_inline)) int
line_pick(struct jobj *o, const char *line, size_t len, const struct scan_marks *marks, const struct jpick *pk,
	  struct jfield *f, const struct jfield **got)
{
	unsigned n = pk->n;
	const unsigned char *qbase;
	const uint64_t *quotes;
	size_t nwords;

	if (n > JSON_LINE_KEY_MAX || len < 2)
		return 0;
	if (marks && !marks->any_attn && line >= marks->base && line + len <= marks->base + marks->n) {
		qbase = (const unsigned char *)marks->base;	/* the chunk's bitmap */
		quotes = marks->quote;
		nwords = marks->nwords;
	} else if ((nwords = json_line_bitmap(line, len, o, marks, &qbase, &quotes)) == 0)
		return 0;
	/* one name (a user_id, an event_id) in registers: the walk's own copy */
	return n == 1 ? flat_pick((const unsigned char *)line, len, qbase, quotes, nwords, pk, 1, f, got)
		      : flat_pick((const unsigned char *)line, len, qbase, quotes, nwords, pk, n, f, got);
}

int json_line_key(struct jobj *o, const char *line, size_t len, const struct scan_marks *marks,
		  const struct jpick *pk, struct buf *key, struct buf *tmp, char *why)
{
	struct jfield f[JSON_LINE_KEY_MAX];
	const struct jfield *got[JSON_LINE_KEY_MAX];
	int r;

	if (line_pick(o, line, len, marks, pk, f, got))
		return key_of(got, pk->n, key, tmp);
	if ((r = json_scan_record(line, len, o, marks, why)) < 0)
		return r;
	return json_record_key(o, pk->names, pk->lens, pk->n, key, tmp);
}

int json_line_pick(struct jobj *o, const char *line, size_t len, const struct scan_marks *marks,
		   const struct jpick *pk, struct jfield *f, const struct jfield **got, char *why)
{
	unsigned n = pk->n;
	unsigned i;
	int r;

	if (n > JSON_LINE_KEY_MAX) {
		snprintf(why, 200, "more than %d members asked of a line", JSON_LINE_KEY_MAX);
		return -1;
	}
	if (line_pick(o, line, len, marks, pk, f, got))
		return 1;
	if ((r = json_scan_record(line, len, o, marks, why)) < 0)
		return r;
	for (i = 0; i < n; i++)
		got[i] = jobj_get(o, pk->names[i], pk->lens[i]);
	return 0;
}

int json_record_key(const struct jobj *o, const char *const *names, const size_t *lens, unsigned n,
		    struct buf *key, struct buf *tmp)
{
	const struct jfield *got[JSON_LINE_KEY_MAX];
	unsigned i;

	if (n > JSON_LINE_KEY_MAX)
		return -1;
	for (i = 0; i < n; i++)
		got[i] = jobj_get(o, names[i], lens[i]);
	return key_of(got, n, key, tmp);
}
