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

#include "buf.h"

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
};

#define JOBJ_INIT { NULL, 0, 0, 0, NULL }

/*
 * Checks that p[0..len) is one JSON object with optional surrounding
 * whitespace and fills o->f with its members in input order. Returns 0, -1
 * for bad JSON (o->err, o->err_col), -2 when out of memory.
 */
int json_scan_object(const char *p, size_t len, struct jobj *o);
/* The same for one array: its elements, in order, as members without keys. */
int json_scan_array(const char *p, size_t len, struct jobj *o);
/* Checks that p[0..len) is one JSON value of any kind. 0 or -1 as above. */
int json_validate(const char *p, size_t len, struct jobj *o);
void jobj_free(struct jobj *o);
/* The member named name[0..n) (the last one, as jq reads repeated keys), or NULL. */
const struct jfield *jobj_get(const struct jobj *o, const char *name, size_t n);

/* Decode the raw content of a JSON string (already validated) to UTF-8. */
int json_unescape(const char *s, size_t n, struct buf *out);
/* Append s as a JSON string with quotes; bytes must be valid UTF-8. */
int json_escape(struct buf *out, const char *s, size_t n);
/* 1 if s[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int utf8_valid(const char *s, size_t n);
/* 1 if s[0..n) is exactly a JSON number. */
int json_is_number(const char *s, size_t n);

#endif
