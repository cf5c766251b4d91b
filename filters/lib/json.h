/*
 * json.h - strict RFC 8259 JSON without a tree: a line is checked to be
 * exactly one object, and its top-level members come back as spans into the
 * line (nested values validated, kept raw). Strings are decoded only on
 * request; output escaping is correct for every byte.
 */
#ifndef VCHAIN_JSON_H
#define VCHAIN_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "buf.h"
#include "scan.h"

enum jtype { J_STR, J_NUM, J_OBJ, J_ARR, J_TRUE, J_FALSE, J_NULL };

#define JSON_MAX_DEPTH 512

struct jfield {
	const char *key;	/* raw key between the quotes (escapes not decoded) */
	const char *val;	/* J_STR: raw content between the quotes; else the token */
	uint32_t klen, vlen;
	uint8_t type;		/* enum jtype */
	uint8_t kesc, vesc;	/* key / string value contains a backslash escape */
};

struct jobj {
	struct jfield *f;
	size_t n, cap;
	size_t err_col;		/* 1-based byte column of the error */
	const char *err;	/* static message, set when json_scan_object fails */
	uint64_t *quotes;	/* scratch: bit i of quotes[i / 64] is set where byte i is '"' */
	size_t quotes_cap;	/* words */
};

#define JOBJ_INIT { NULL, 0, 0, 0, NULL, NULL, 0 }

/*
 * Checks that p[0..len) is one JSON object with optional surrounding
 * whitespace and fills o->f with its members in input order. Returns 0, -1
 * for bad JSON (o->err, o->err_col), -2 when out of memory.
 */
int json_scan_object(const char *p, size_t len, struct jobj *o);
/* The same for a whole line of a chunk marked by scan_json_lines (marks may be NULL). */
int json_scan_line(const char *p, size_t len, struct jobj *o, const struct scan_marks *marks);
/*
 * A filter worker's first step on a record: json_scan_line, and for bad
 * JSON its message and column in why[200]. 0, -1, -2 (out of memory).
 */
int json_scan_record(const char *p, size_t len, struct jobj *o, const struct scan_marks *marks, char *why);
/* The same for one array: its elements, in order, as members without keys. */
int json_scan_array(const char *p, size_t len, struct jobj *o);
/* Checks that p[0..len) is one JSON value of any kind. 0 or -1 as above. */
int json_validate(const char *p, size_t len, struct jobj *o);
void jobj_free(struct jobj *o);
/* The member named name[0..n) (the last one, as jq reads repeated keys), or NULL. */
const struct jfield *jobj_get(const struct jobj *o, const char *name, size_t n);

/* 1 if s[0..n) is exactly a JSON number. */
int json_is_number(const char *s, size_t n);

/*
 * The fast way through the common line: a flat object written compactly,
 * '{', then members with nothing between their tokens whose values are
 * strings, numbers, true, false or null, and '}' ending the line.
 * json_flat_init checks what json_scan_object checks first (no backslash
 * or control byte, valid UTF-8) and marks the line's quotes in scratch;
 * json_flat_next then gives one member at a time, with the spans
 * json_scan_object would give, and stores nothing. Any other line, valid
 * or not, makes either of them return JFLAT_OTHER: scan it with
 * json_scan_object, which also says what is wrong.
 */
struct jflat {
	const unsigned char *start, *p, *end;
	const unsigned char *qbase;	/* byte 0 of the quote bitmap (the line's, or its chunk's) */
	const uint64_t *quotes;	/* bit i of quotes[i / 64]: qbase[i] is '"'; a zero word follows */
	size_t nwords;
};

enum { JFLAT_OTHER = -1, JFLAT_END = 0, JFLAT_MEMBER = 1 };

/*
 * The quote bitmap of s[0..len) in scratch->quotes, with a zero word after
 * it, when the line has no backslash or control byte and valid UTF-8: its
 * number of words; else 0.
 */
size_t json_quote_bitmap(const char *s, size_t len, struct jobj *scratch);
/*
 * A quote bitmap for s[0..len): its chunk's (marks, when it covers the
 * line and the line has no attn byte: *qbase is then the chunk's start),
 * else the line's own in scratch. Its number of words, or 0 for none.
 */
size_t json_line_bitmap(const char *s, size_t len, struct jobj *scratch, const struct scan_marks *marks,
			const unsigned char **qbase, const uint64_t **quotes);

/* Inline, so that the walk's state stays in registers. marks may be NULL. */
static inline int json_flat_init(struct jflat *it, const char *s, size_t len, struct jobj *scratch,
				 const struct scan_marks *marks)
{
	if (len < 2 || s[0] != '{' || s[len - 1] != '}')
		return JFLAT_OTHER;
	if (marks && !marks->any_attn && s >= marks->base && s + len <= marks->base + marks->n) {
		/* the chunk's bitmap, good for every line of it */
		it->qbase = (const unsigned char *)marks->base;
		it->quotes = marks->quote;
		it->nwords = marks->nwords;
	} else if ((it->nwords = json_line_bitmap(s, len, scratch, marks, &it->qbase, &it->quotes)) == 0)
		return JFLAT_OTHER;
	it->start = (const unsigned char *)s;
	it->p = it->start + 1;
	it->end = it->start + len;
	return 0;
}

/*
 * The first quote at or after p (p <= the line's end), or NULL; with a
 * chunk's bitmap it may be past the line's end, which callers test.
 */
static inline const unsigned char *json_next_quote(const unsigned char *start, const uint64_t *quotes,
						   size_t nwords, const unsigned char *p)
{
	size_t off = (size_t)(p - start), w = off >> 6;
	uint64_t m = quotes[w] >> (off & 63);

	if (m)	/* nearly always: the string ends in the same 64 bytes */
		return p + __builtin_ctzll(m);
	while (++w < nwords)
		if ((m = quotes[w]) != 0)
			return start + (w << 6) + __builtin_ctzll(m);
	return NULL;
}

/*
 * A member is its key (json_flat_key, or json_flat_key_is to test for one
 * known key), then its value (json_flat_value); json_flat_next is both.
 */
static inline __attribute__((always_inline)) int json_flat_key(struct jflat *it, struct jfield *f)
{
	const unsigned char *p = it->p, *q, *end = it->end;

	if (p == end)	/* past the last member's '}' */
		return JFLAT_END;
	if (*p != '"')	/* '}' only right after '{': an empty object */
		return *p == '}' && p == it->start + 1 && p + 1 == end ? JFLAT_END : JFLAT_OTHER;
	q = json_next_quote(it->qbase, it->quotes, it->nwords, p + 1);
	if (!q || end - q < 3 || q[1] != ':')
		return JFLAT_OTHER;
	f->key = (const char *)p + 1;
	f->klen = (uint32_t)(q - p - 1);
	f->kesc = 0;
	it->p = q + 2;
	return JFLAT_MEMBER;
}

/*
 * Whether the next member's key, with its quotes and colon, is text[0..n)
 * (n < 16, text readable for 16 bytes); if so, steps over it.
 */
static inline __attribute__((always_inline)) int json_flat_key_is(struct jflat *it, const char *text, size_t n)
{
	const unsigned char *p = it->p;

	if (it->end - p > 16) {
#ifdef __SSE2__
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(v, _mm_loadu_si128((const __m128i *)(const void *)text)));

		if (~m & ((1u << n) - 1))
			return 0;
#else
		if (memcmp(p, text, n) != 0)
			return 0;
#endif
	} else if ((size_t)(it->end - p) <= n || memcmp(p, text, n) != 0)
		return 0;
	it->p = p + n;
	return 1;
}

/* The value after a key, and the ',' or '}' after it. */
static inline __attribute__((always_inline)) int json_flat_value(struct jflat *it, struct jfield *f)
{
	const unsigned char *p = it->p, *q, *end = it->end;

	f->vesc = 0;
	if (*p == '"') {
		q = json_next_quote(it->qbase, it->quotes, it->nwords, p + 1);
		if (!q || q >= end)
			return JFLAT_OTHER;
		f->val = (const char *)p + 1;
		f->vlen = (uint32_t)(q - p - 1);
		f->type = J_STR;
		p = q + 1;
	} else {
		for (q = p; q < end && *q != ',' && *q != '}'; q++)
			;
		f->val = (const char *)p;
		f->vlen = (uint32_t)(q - p);
		if (f->vlen == 4 && !memcmp(p, "null", 4))
			f->type = J_NULL;
		else if (f->vlen == 4 && !memcmp(p, "true", 4))
			f->type = J_TRUE;
		else if (f->vlen == 5 && !memcmp(p, "false", 5))
			f->type = J_FALSE;
		else if (json_is_number(f->val, f->vlen))
			f->type = J_NUM;
		else
			return JFLAT_OTHER;	/* nested, spaced or wrong */
		p = q;
	}
	if (p + 1 == end && *p == '}') {
		it->p = end;
		return JFLAT_MEMBER;
	}
	if (end - p < 2 || *p != ',')
		return JFLAT_OTHER;
	it->p = p + 1;
	return JFLAT_MEMBER;
}

/*
 * When the value after a key is a string: steps over it and the ',' or
 * '}' after it, returning JFLAT_MEMBER with *empty saying whether it was
 * "". Else JFLAT_OTHER, with it untouched when the value is no string
 * (json_flat_value then tells what it is).
 */
static inline __attribute__((always_inline)) int json_flat_skip_string(struct jflat *it, int *empty)
{
	const unsigned char *p = it->p, *q, *end = it->end;

	if (*p != '"')
		return JFLAT_OTHER;
	q = json_next_quote(it->qbase, it->quotes, it->nwords, p + 1);
	if (!q || end - q < 2)	/* room for the ',' or '}' after it */
		return JFLAT_OTHER;
	*empty = q == p + 1;
	if (q[1] == ',' && end - q > 2) {
		it->p = q + 2;
		return JFLAT_MEMBER;
	}
	if (q[1] == '}' && end - q == 2) {
		it->p = end;
		return JFLAT_MEMBER;
	}
	return JFLAT_OTHER;
}

static inline __attribute__((always_inline)) int json_flat_next(struct jflat *it, struct jfield *f)
{
	int r = json_flat_key(it, f);

	return r == JFLAT_MEMBER ? json_flat_value(it, f) : r;
}

/* Decode the raw content of a JSON string (already validated) to UTF-8. */
int json_unescape(const char *s, size_t n, struct buf *out);
/*
 * A record's key (vchain-dedupe's -k, vchain-partition's): the members
 * names[0..n) of o, each appended to key as its JSON type, a 32-bit length
 * and its value (strings decoded, so "\u0041" and "A" are one key; the
 * length keeps two sequences of values from running together), ready to
 * hash; tmp is scratch. n is at most JSON_LINE_KEY_MAX. 1; 0 when a member
 * is absent or null (no key); -1 when out of memory.
 */
#define JSON_LINE_KEY_MAX 16
int json_record_key(const struct jobj *o, const char *const *names, const size_t *lens, unsigned n,
		    struct buf *key, struct buf *tmp);
/*
 * The names a line's members are picked by (json_line_key, json_line_pick),
 * made once by json_pick_init: names[0..n) (n <= JSON_LINE_KEY_MAX) with
 * their lengths, both kept by reference, and for each slot of (length,
 * first byte) the names that may match there, so that a member's key is
 * compared with at most those.
 */
struct jpick {
	const char *const *names;
	const size_t *lens;
	unsigned n;
	uint16_t slot[256];	/* a name asked twice is in its slot once, as the first */
	uint16_t again;		/* names that repeat an earlier one: ... */
	uint8_t first[JSON_LINE_KEY_MAX];	/* ... which (else the name itself) */
};
#define JPICK_SLOT(len, first) ((unsigned)((len) * 31u + (first)) & 255u)
void json_pick_init(struct jpick *pk, const char *const *names, const size_t *lens, unsigned n);
/*
 * A line's key straight from its text: json_record_key's key of the
 * members pk's names, found by a walk of a compact flat object that
 * checks the whole line as json_scan_object does and stores nothing (n <=
 * JSON_LINE_KEY_MAX); any other line is scanned by json_scan_record into
 * o. 1, 0 (no key), or as json_scan_record: -1 bad JSON (why), -2 out of
 * memory. o is scratch.
 */
int json_line_key(struct jobj *o, const char *line, size_t len, const struct scan_marks *marks,
		  const struct jpick *pk, struct buf *key, struct buf *tmp, char *why);
/*
 * The members pk names of a line (at most JSON_LINE_KEY_MAX), as
 * jobj_get would give them after json_scan_record: got[i] points at f[i]
 * or into o, or is NULL when absent; the last of a repeated name. A
 * compact flat line ('{', members with nothing between their tokens and
 * no nested value, '}') is walked once and nothing else stored: 1; any
 * other is scanned into o: 0. Else as json_scan_record: -1 bad JSON
 * (why), -2 out of memory.
 */
int json_line_pick(struct jobj *o, const char *line, size_t len, const struct scan_marks *marks,
		   const struct jpick *pk, struct jfield *f, const struct jfield **got, char *why);
/* One member's value, appended as json_record_key does. 0, or -1 when out of memory. */
int json_key_value(const struct jfield *f, struct buf *key, struct buf *tmp);
/* Append s as a JSON string with quotes; bytes must be valid UTF-8. */
int json_escape(struct buf *out, const char *s, size_t n);
/* v's decimal digits (as printf's %llu, without printf's cost) written at w, at most 20 bytes; returns their end. */
char *json_write_uint(char *w, uint64_t v);
/* Append v as a JSON number: json_write_uint's digits. */
int json_put_uint(struct buf *out, uint64_t v);
/* Append v as a JSON number, as printf's %lld. */
int json_put_int(struct buf *out, int64_t v);
/* Append x as the shortest JSON number that reads back as x; null when not finite. */
int json_put_double(struct buf *out, double x);
/* 1 if s[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int utf8_valid(const char *s, size_t n);
/*
 * For tests: 0 makes every scan take the byte-by-byte string path instead
 * of the quote bitmap, so the two can be compared; 1 (the default) restores it.
 */
void json_use_bitmap(int on);

#endif
