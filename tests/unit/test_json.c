/* Unit tests of json.c: grammar edges, spans, escaping round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"

static int scan(const char *s, struct jobj *o)
{
	return json_scan_object(s, strlen(s), o);
}

static void test_members_as_spans(void **state)
{
	struct jobj o = JOBJ_INIT;
	const char *s = " {\"a\" : \"x\\\"y\", \"b\":-1.5e+3,\"c\":[1,{\"d\":null}],\"e\":true} ";

	(void)state;
	assert_int_equal(scan(s, &o), 0);
	assert_int_equal(o.n, 4);
	assert_memory_equal(o.f[0].key, "a", 1);
	assert_int_equal(o.f[0].type, J_STR);
	assert_int_equal(o.f[0].vlen, 4);	/* x\"y raw */
	assert_memory_equal(o.f[0].val, "x\\\"y", 4);
	assert_int_equal(o.f[0].vesc, 1);
	assert_int_equal(o.f[1].type, J_NUM);
	assert_memory_equal(o.f[1].val, "-1.5e+3", 7);
	assert_int_equal(o.f[1].vlen, 7);
	assert_int_equal(o.f[2].type, J_ARR);
	assert_memory_equal(o.f[2].val, "[1,{\"d\":null}]", 14);
	assert_int_equal(o.f[2].vlen, 14);
	assert_int_equal(o.f[3].type, J_TRUE);
	jobj_free(&o);
}

static void test_rejects(void **state)
{
	static const char *bad[] = {
		"", "   ", "[]", "1", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
		"{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":-}",
		"{\"a\":+1}", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\\u12\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
		"{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"tab\there\"}", "{a:1}", "{'a':1}",
		"{\"a\":1}{}", "{\"a\":1} x", "{\"a\":[1,]}", "{\"a\":[1 2]}",
		"{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}",
		"{\"a\":\"\xe2\x82\"}", "{\"a\":\"\x80\"}", "\xef\xbb\xbf{}", "{\"a\":NaN}",
	};
	struct jobj o = JOBJ_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (scan(bad[i], &o) != -1)
			fail_msg("accepted bad input #%zu: %s", i, bad[i]);
		assert_non_null(o.err);
	}
	jobj_free(&o);
}

static void test_accepts(void **state)
{
	static const char *good[] = {
		"{}", " {} ", "{\"\":\"\"}", "{\"a\":0}", "{\"a\":-0.0e-0}", "{\"a\":1E+2}",
		"{\"a\":\"\\ud83d\\ude00\"}", "{\"a\":\"\xf0\x9f\x98\x80 \xe2\x82\xac \xc3\xa9\"}",
		"{\"a\":\"\\/\\b\\f\\n\\r\\t\\\\\\\"\"}", "{\"a\":[[],{},[{}]]}", "\t{\"a\":1}\r",
		"{\"long\":\"0123456789abcdef0123456789abcdef0123456789\\n0123456789abcdef\"}",
	};
	struct jobj o = JOBJ_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (scan(good[i], &o) != 0)
			fail_msg("rejected good input #%zu: %s (%s)", i, good[i], o.err);
	jobj_free(&o);
}

static void test_error_column(void **state)
{
	struct jobj o = JOBJ_INIT;

	(void)state;
	assert_int_equal(scan("{\"a\":1,\"b\":x}", &o), -1);
	assert_int_equal(o.err_col, 12);	/* the x */
	jobj_free(&o);
}

static void test_depth_limit(void **state)
{
	struct jobj o = JOBJ_INIT;
	char s[4 * JSON_MAX_DEPTH];
	size_t i, n = 0;

	(void)state;
	n += (size_t)sprintf(s, "{\"a\":");
	for (i = 0; i < JSON_MAX_DEPTH + 5; i++)
		s[n++] = '[';
	s[n] = '\0';
	assert_int_equal(json_scan_object(s, n, &o), -1);
	assert_string_equal(o.err, "nested too deeply");
	jobj_free(&o);
}

static void test_unescape_escape_round_trip(void **state)
{
	struct buf d = BUF_INIT, e = BUF_INIT;
	const char raw[] = "q\\\"b\\\\s\\/n\\nt\\tu\\u00e9\\ud83d\\ude00c\\u0001";
	const char want[] = "q\"b\\s/n\nt\tu\xc3\xa9\xf0\x9f\x98\x80" "c\x01";

	(void)state;
	assert_int_equal(json_unescape(raw, strlen(raw), &d), 0);
	assert_int_equal(d.len, strlen(want));
	assert_memory_equal(d.p, want, d.len);
	assert_int_equal(json_escape(&e, d.p, d.len), 0);
	/* '/' needs no escape; U+0001 is written \u0001; é and the emoji stay UTF-8 */
	const char esc[] = "\"q\\\"b\\\\s/n\\nt\\tu\xc3\xa9\xf0\x9f\x98\x80" "c\\u0001\"";
	assert_int_equal(e.len, strlen(esc));
	assert_memory_equal(e.p, esc, e.len);
	buf_free(&d);
	buf_free(&e);
}

static void test_escape_every_byte(void **state)
{
	struct buf e = BUF_INIT;
	struct jobj o = JOBJ_INIT;
	char s[128];
	int i;

	(void)state;
	for (i = 0; i < 128; i++)
		s[i] = (char)i;
	buf_adds(&e, "{\"k\":");
	assert_int_equal(json_escape(&e, s, sizeof(s)), 0);
	buf_addc(&e, '}');
	assert_int_equal(json_scan_object(e.p, e.len, &o), 0);
	buf_free(&e);
	jobj_free(&o);
}

/* Escaping as RFC 8259 spells it, a byte at a time: the reference for json_escape. */
static void escape_ref(struct buf *b, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c < 0x20) {
			const char *named = c == '\b' ? "\\b" : c == '\f' ? "\\f" : c == '\n' ? "\\n" :
					    c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;

			if (named)
				buf_adds(b, named);
			else {
				buf_adds(b, "\\u00");
				buf_addc(b, hex[c >> 4]);
				buf_addc(b, hex[c & 15]);
			}
		} else
			buf_addc(b, (char)c);
	}
	buf_addc(b, '"');
}

/* Each special byte at every offset of strings long and short, plain runs between. */
static void test_escape_at_every_offset(void **state)
{
	static const unsigned char special[] = { '"', '\\', 0, 0x1F, '\n', 0x7F, 0x80, 0xFF, ' ' };
	unsigned char s[80];
	struct buf got = BUF_INIT, want = BUF_INIT;
	size_t n, at, k;

	(void)state;
	for (n = 0; n <= sizeof(s); n++)
		for (at = 0; at <= n; at++)
			for (k = 0; k < sizeof(special); k++) {
				memset(s, 'a', sizeof(s));
				if (at < n)
					s[at] = special[k];
				if (n > 20)
					s[n - 1 - (at * 7) % 20] = special[(k + 1) % sizeof(special)];
				got.len = want.len = 0;
				assert_int_equal(json_escape(&got, (const char *)s, n), 0);
				escape_ref(&want, s, n);
				assert_int_equal(got.len, want.len);
				assert_memory_equal(got.p, want.p, got.len);
			}
	buf_free(&got);
	buf_free(&want);
}

static void test_utf8_and_numbers(void **state)
{
	(void)state;
	assert_true(utf8_valid("plain", 5));
	assert_true(utf8_valid("\xe2\x82\xac", 3));
	assert_false(utf8_valid("\xe2\x82", 2));
	assert_false(utf8_valid("\xc1\xbf", 2));
	assert_true(json_is_number("12.50", 5));
	assert_true(json_is_number("-0", 2));
	assert_false(json_is_number("12.", 3));
	assert_false(json_is_number("0012", 4));
	assert_false(json_is_number("1,5", 3));
	assert_false(json_is_number("", 0));
}

/* Inputs that put quotes, escapes and bad bytes at every block edge of the bitmap. */
static size_t edge_cases(char (*out)[200], size_t max)
{
	static const char *const middles[] = {
		"x", "\\\"", "\t", "\xc3\xa9", "\xc3", "\\u00e9", "\\q", "\"", "\x7f", "\\",
	};
	size_t n = 0, pad, m;

	for (pad = 0; pad < 70 && n < max; pad++)
		for (m = 0; m < sizeof(middles) / sizeof(middles[0]) && n < max; m++) {
			/* {"k":"<pad x's><middle>","n":1} and the same with the middle in the key */
			int k = snprintf(out[n], 200, "{\"k\":\"%.*s%s\",\"n\":1}", (int)pad,
					 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
					 middles[m]);
			n += k > 0 && k < 200;
			if (n < max) {
				k = snprintf(out[n], 200, "{\"%.*s%s\":[\"a\",{\"b\": 2}]}", (int)pad,
					     "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
					     middles[m]);
				n += k > 0 && k < 200;
			}
		}
	return n;
}

static void same_field(const struct jfield *a, const struct jfield *b)
{
	assert_ptr_equal(a->key, b->key);
	assert_ptr_equal(a->val, b->val);
	assert_int_equal(a->klen, b->klen);
	assert_int_equal(a->vlen, b->vlen);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->kesc, b->kesc);
	assert_int_equal(a->vesc, b->vesc);
}

static void same_scan(const char *s, size_t len)
{
	struct jobj a = JOBJ_INIT, b = JOBJ_INIT;
	int ra, rb;
	size_t i;

	json_use_bitmap(1);
	ra = json_scan_object(s, len, &a);
	json_use_bitmap(0);
	rb = json_scan_object(s, len, &b);
	json_use_bitmap(1);
	if (ra != rb)
		fail_msg("bitmap %d, bytes %d: %.*s", ra, rb, (int)len, s);
	if (ra < 0) {
		assert_string_equal(a.err, b.err);
		assert_int_equal(a.err_col, b.err_col);
	} else {
		assert_int_equal(a.n, b.n);
		for (i = 0; i < a.n; i++)
			same_field(&a.f[i], &b.f[i]);
	}
	jobj_free(&a);
	jobj_free(&b);
}

/* The quote bitmap gives exactly what looking at every byte gives. */
static void test_bitmap_same_as_bytes(void **state)
{
	static char cases[2000][200];
	static const char *const more[] = {
		"{\"a\":\"x\\\"y\", \"b\":-1.5e+3,\"c\":[1,{\"d\":null}],\"e\":true}",
		"{\"a\":\"unterminated}", "{\"a\"}", "{\"a\":1,}", " {\"a\":1} ", "{\"a\" :1}",
		"{\"a\":1 ,\"b\":2}", "{\"a\":tru}", "{}", "{ }", "{\"\":\"\"}", "{\"a\":\"\xed\xa0\x80\"}",
	};
	size_t n = edge_cases(cases, 2000), i;

	(void)state;
	for (i = 0; i < n; i++)
		same_scan(cases[i], strlen(cases[i]));
	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		same_scan(more[i], strlen(more[i]));
}

/*
 * Walks s with json_flat_next into got; the final JFLAT_ code. Walks it
 * again stepping over string values (json_flat_skip_string), which must
 * end the same way after the same members.
 */
static int flat_walk(const char *s, struct jobj *scratch, struct jfield *got, size_t *n)
{
	struct jflat it;
	struct jfield f;
	size_t k = 0;
	int r, r2, empty;

	*n = 0;
	if (json_flat_init(&it, s, strlen(s), scratch, NULL) < 0)
		return JFLAT_OTHER;
	while ((r = json_flat_next(&it, &got[*n])) == JFLAT_MEMBER)
		if (++*n == 16)
			return JFLAT_OTHER;
	assert_int_equal(json_flat_init(&it, s, strlen(s), scratch, NULL), 0);
	while ((r2 = json_flat_key(&it, &f)) == JFLAT_MEMBER) {
		if (json_flat_skip_string(&it, &empty) == JFLAT_MEMBER) {
			assert_true(k < *n && got[k].type == J_STR && empty == (got[k].vlen == 0));
		} else if ((r2 = json_flat_value(&it, &f)) != JFLAT_MEMBER)
			break;
		k++;
	}
	if (r == JFLAT_END) {
		assert_int_equal(r2, JFLAT_END);
		assert_int_equal(k, *n);
	} else
		assert_int_equal(r2, JFLAT_OTHER);
	return r;
}

static void test_flat(void **state)
{
	static const char *const flat[] = {
		"{}", "{\"a\":\"x\"}", "{\"a\":\"x\",\"b\":-1.5e3,\"c\":null,\"d\":true,\"e\":false,\"f\":\"\"}",
		"{\"\xc3\xa9\":\"\xe2\x82\xac\"}", "{\"a\":0,\"a\":1}",
	};
	static const char *const other[] = {
		"", "{", "{\"a\":[1]}", "{\"a\":{}}", "{\"a\": 1}", "{\"a\" :1}", "{\"a\":1 }", " {}", "{} ",
		"{\"a\":1,}", "{,}", "{\"a\":\"x\\\"y\"}", "{\"a\":\"x\"}x", "{\"a\":01}", "{\"a\":tru}",
		"{\"a\":\"x\",\"b\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"tab\there\"}", "{\"a\"}", "{\"a\":}", "{}}",
		"{\"a\":1}}", "{\"a\":\"x\"\"b\":1}", "{\"a\":\"x\"x\"b\":1}", "{\"a\":\"x\"}\"b\":1}",
	};
	static char cases[2000][200];
	struct jobj scratch = JOBJ_INIT, o = JOBJ_INIT;
	struct jfield got[16];
	size_t i, n, k;

	(void)state;
	for (i = 0; i < sizeof(flat) / sizeof(flat[0]); i++)
		if (flat_walk(flat[i], &scratch, got, &n) != JFLAT_END)
			fail_msg("not walked to its end: %s", flat[i]);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (flat_walk(other[i], &scratch, got, &n) != JFLAT_OTHER)
			fail_msg("walked, though no compact flat object: %s", other[i]);
	/* wherever the walk ends, the scanner agrees, member for member */
	n = edge_cases(cases, 2000);
	for (i = 0; i < n; i++) {
		if (flat_walk(cases[i], &scratch, got, &k) != JFLAT_END)
			continue;
		assert_int_equal(json_scan_object(cases[i], strlen(cases[i]), &o), 0);
		assert_int_equal(o.n, k);
		for (k = 0; k < o.n; k++)
			same_field(&o.f[k], &got[k]);
	}
	jobj_free(&scratch);
	jobj_free(&o);
}

/*
 * cases[0..n) as the lines of one chunk (pass 0: without those with a
 * backslash, so that the chunk has no attn byte), start[i] where case i
 * begins, marked into m by scan_json_lines.
 */
static void chunk_of(char (*cases)[200], size_t n, int pass, char *chunk, size_t *start, uint64_t *nl,
		     uint64_t *qt, uint64_t *at, struct scan_marks *m)
{
	size_t i, len, off = 0;

	for (i = 0; i < n; i++) {
		if (pass == 0 && strchr(cases[i], '\\'))
			continue;
		start[i] = off;
		len = strlen(cases[i]);
		memcpy(chunk + off, cases[i], len);
		chunk[off + len] = '\n';
		off += len + 1;
	}
	m->any_attn = scan_json_lines(chunk, off, nl, qt, at);
	m->base = chunk;
	m->n = off;
	m->newline = nl;
	m->quote = qt;
	m->attn = at;
	m->nwords = SCAN_WORDS(off);
}

/*
 * Lines scanned with their chunk's marks (scan_json_lines) give what they
 * give on their own: the chunk's quote bitmap runs on past a line's end.
 */
static void test_chunk_marks(void **state)
{
	static char cases[2000][200];
	static char chunk[2000 * 201];
	static uint64_t nl[SCAN_WORDS(sizeof(chunk))], qt[SCAN_WORDS(sizeof(chunk)) + 1], at[SCAN_WORDS(sizeof(chunk))];
	struct jobj a = JOBJ_INIT, b = JOBJ_INIT, scratch = JOBJ_INIT;
	struct scan_marks m;
	struct jfield ga[16], gb[16];
	static const char *const cut[] = {
		"{\"a\":\"x", "{\"a\":\"x}", "{\"ab", "{\"a\":\"xy\",\"b\":\"z}", "{\"a\":[\"x]}", "{\"a\":1,\"b",
	};
	size_t n = edge_cases(cases, 1990), i, k, len, start[2000];
	int ra, rb, pass;

	(void)state;
	/* strings left open: the next quote is on a later line */
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
		strcpy(cases[n++], cut[i]);
	/* each in a chunk of lines, once with a line with a backslash in it and once without */
	for (pass = 0; pass < 2; pass++) {
		chunk_of(cases, n, pass, chunk, start, nl, qt, at, &m);
		for (i = 0; i < n; i++) {
			if (pass == 0 && strchr(cases[i], '\\'))
				continue;
			len = strlen(cases[i]);
			ra = json_scan_line(chunk + start[i], len, &a, &m);
			rb = json_scan_object(chunk + start[i], len, &b);
			if (ra != rb)
				fail_msg("marked %d, alone %d: %s", ra, rb, cases[i]);
			if (ra < 0) {
				assert_string_equal(a.err, b.err);
				assert_int_equal(a.err_col, b.err_col);
			} else {
				assert_int_equal(a.n, b.n);
				for (k = 0; k < a.n; k++)
					same_field(&a.f[k], &b.f[k]);
			}
			/* and the flat walk */
			{
				struct jflat ia, ib;
				int wa = json_flat_init(&ia, chunk + start[i], len, &scratch, &m), wb;
				size_t na = 0, nb = 0;

				if (wa == 0)
					while ((wa = json_flat_next(&ia, &ga[na])) == JFLAT_MEMBER && na < 15)
						na++;
				wb = json_flat_init(&ib, chunk + start[i], len, &scratch, NULL);
				if (wb == 0)
					while ((wb = json_flat_next(&ib, &gb[nb])) == JFLAT_MEMBER && nb < 15)
						nb++;
				assert_int_equal(wa, wb);
				assert_int_equal(na, nb);
				for (k = 0; k < na && wa == JFLAT_END; k++)
					same_field(&ga[k], &gb[k]);
			}
		}
	}
	jobj_free(&a);
	jobj_free(&b);
	jobj_free(&scratch);
}

/*
 * json_line_key against the general scan: for every line, alone and in a
 * marked chunk, the same verdict (a bad line is bad however it is found)
 * and the same key bytes as json_scan_object + json_record_key give.
 */
static void same_key(const char *line, size_t len, const struct scan_marks *m)
{
	static const char *const names[][2] = { { "k", NULL }, { "n", NULL }, { "k", "n" }, { "a", "b" },
						 { "b", "a" }, { "x", NULL } };
	static const unsigned counts[] = { 1, 1, 2, 2, 2, 1 };
	struct jobj o = JOBJ_INIT, scratch = JOBJ_INIT;
	struct buf ka = BUF_INIT, kb = BUF_INIT, tmp = BUF_INIT;
	struct jpick pk;
	char why[200];
	size_t lens[2], i, j;
	int ra, rb;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		for (j = 0; j < counts[i]; j++)
			lens[j] = strlen(names[i][j]);
		json_pick_init(&pk, names[i], lens, counts[i]);
		ra = json_line_key(&scratch, line, len, m, &pk, &ka, &tmp, why);
		rb = json_scan_object(line, len, &o);
		if (rb == 0)
			rb = json_record_key(&o, names[i], lens, counts[i], &kb, &tmp);
		if (ra != rb)
			fail_msg("json_line_key %d, the scan %d: %.*s", ra, rb, (int)len, line);
		if (ra == 1) {
			assert_int_equal(ka.len, kb.len);
			assert_memory_equal(ka.p, kb.p, ka.len);
		}
	}
	jobj_free(&o);
	jobj_free(&scratch);
	buf_free(&ka);
	buf_free(&kb);
	buf_free(&tmp);
}

/*
 * json_line_pick against the general scan and jobj_get: the same verdict,
 * and each name's member (its type and spans' bytes) or none. The names
 * share slots (a length and a first byte) and hit every width of the
 * key compare: empty, 1, 2-3, 4-7, 8-16, longer.
 */
static void same_pick(const char *line, size_t len, const struct scan_marks *m)
{
	static const char *const names[] = { "k", "n", "ka", "kb", "a", "", "event_id", "event_ix",
					     "a_very_long_member_name_x", "a_very_long_member_name_y", "k", "b",
					     "type", "tyqe", "platform", "campaign_1" };
	size_t lens[sizeof(names) / sizeof(names[0])];
	unsigned n = sizeof(names) / sizeof(names[0]), i;
	struct jobj o = JOBJ_INIT, scratch = JOBJ_INIT;
	struct jfield f[JSON_LINE_KEY_MAX];
	const struct jfield *got[JSON_LINE_KEY_MAX], *want;
	struct jpick pk;
	char why[200];
	int ra, rb;

	for (i = 0; i < n; i++)
		lens[i] = strlen(names[i]);
	json_pick_init(&pk, names, lens, n);
	ra = json_line_pick(&scratch, line, len, m, &pk, f, got, why);
	rb = json_scan_object(line, len, &o);
	/* walked (1) only when compact: the line is its members' spans joined by ',' in braces */
	if (ra == 1) {
		size_t k, at = 1;

		for (k = 0; k < o.n; k++) {
			const struct jfield *g = &o.f[k];
			const char *vend = g->val + g->vlen + (g->type == J_STR);

			if (g->key - 1 != line + at || vend > line + len)
				fail_msg("json_line_pick walked a line that is not compact: %.*s", (int)len, line);
			at = (size_t)(vend - line) + 1;
		}
		if (o.n ? at != len : len != 2)
			fail_msg("json_line_pick walked a line that is not compact: %.*s", (int)len, line);
		ra = 0;
	}
	if (ra != rb)
		fail_msg("json_line_pick %d, the scan %d: %.*s", ra, rb, (int)len, line);
	for (i = 0; i < n && ra == 0; i++) {
		want = jobj_get(&o, names[i], lens[i]);
		if (!want != !got[i])
			fail_msg("json_line_pick: member %s %s, the scan: %s: %.*s", names[i], got[i] ? "found" : "absent",
				 want ? "found" : "absent", (int)len, line);
		if (want) {
			assert_int_equal(want->type, got[i]->type);
			assert_int_equal(want->vlen, got[i]->vlen);
			assert_memory_equal(want->val, got[i]->val, want->vlen);
		}
	}
	jobj_free(&o);
	jobj_free(&scratch);
}

static void test_line_key(void **state)
{
	static const char *const more[] = {
		"{}", "{\"k\":\"x\"}", "{\"k\":\"x\",\"k\":\"y\"}", "{\"k\":null}", "{\"k\":1,\"n\":-2.5e3}",
		"{\"a\":true,\"b\":false}", "{\"b\":\"\",\"a\":\"\"}", "{\"k\":\"x\"\"n\":1}", "{\"k\":1\"n\":1}",
		"{\"k\":\"x\",\"n\"}", "{\"k\":\"x\",}", "{\"k\" :\"x\"}", "{\"k\":\"x\"}}", "{\"k\":01}",
		"{\"k\":tru}", "{\"k\":\"a\\\"b\"}", "{\"\\u006b\":\"x\"}", "{\"k\":\"\\u0041\",\"n\":\"A\"}",
		"{\"k\":[1],\"n\":1}", "{\"k\":\"x\",\"n\":{}}", " {\"k\":1}", "{\"k\":1} ", "{\"k\":\"\xc3\"}",
		"{\"k\":\"\xe2\x82\xac\"}", "{\"k\",\"n\":1}", "{\"k\":\"x\":\"n\":1}", "{\"k\":\"x\",\"n\":1,\"k\":2}",
		"{\"a\":\"x\"", "{\"a\":\"x}", "[1]", "", "{", "}", "{\"k\"x\"v\"}", "{\"k\" \"v\"}",
		"{\"k\":\"x\" }", "{\"k\":\"x\"x}", "{\"k\":1,\"n\":2x}", "{\"k\":\"v\",\"n\":\"w\"\"}",
		"{\"kb\":1,\"ka\":2,\"kc\":3,\"\":\"e\",\"a\":\"\"}",
		"{\"event_ix\":\"x\",\"event_id\":\"e1\",\"event_iy\":2,\"type\":\"t\",\"tyqe\":null}",
		"{\"a_very_long_member_name_y\":\"y\",\"a_very_long_member_name_x\":\"x\",\"a_very_long_member_name_z\":0}",
		"{\"platform\":\"p\",\"platforn\":\"q\",\"qlatform\":1,\"platform\":\"last\"}",
		"{\"campaign_1\":\"y\",\"campaign_2\":\"x\",\"dampaign_1\":\"z\"}",
	};
	static char cases[2100][200];
	static char chunk[2100 * 201];
	static uint64_t nl[SCAN_WORDS(sizeof(chunk))], qt[SCAN_WORDS(sizeof(chunk)) + 1], at[SCAN_WORDS(sizeof(chunk))];
	size_t n = edge_cases(cases, 2000), i, start[2100];
	struct scan_marks m;
	int pass;

	(void)state;
	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		strcpy(cases[n++], more[i]);
	for (i = 0; i < n; i++) {
		same_key(cases[i], strlen(cases[i]), NULL);
		same_pick(cases[i], strlen(cases[i]), NULL);
	}
	/* in a chunk, once with the lines with a backslash (attn) and once without */
	for (pass = 0; pass < 2; pass++) {
		chunk_of(cases, n, pass, chunk, start, nl, qt, at, &m);
		for (i = 0; i < n; i++)
			if (pass == 1 || !strchr(cases[i], '\\')) {
				same_key(chunk + start[i], strlen(cases[i]), &m);
				same_pick(chunk + start[i], strlen(cases[i]), &m);
			}
	}
}

/* json_put_uint and json_put_int write what printf's %llu and %lld do: edges, each power of ten and its neighbours, random values. */
static void test_put_int(void **state)
{
	struct buf b = BUF_INIT;
	char want[32];
	unsigned long long seed = 7, p = 1;
	int i, k;

	(void)state;
	for (i = 0; i < 200000; i++) {
		uint64_t u;
		int64_t v;

		if (i < 60) {	/* around 10^0 .. 10^19 */
			u = p + (uint64_t)(i % 3) - 1;
			if (i % 3 == 2)
				p = p <= UINT64_MAX / 10 ? p * 10 : p;
		} else if (i < 70)
			u = UINT64_MAX - (uint64_t)(i - 60);
		else {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			u = seed >> (seed & 63);
		}
		for (k = 0; k < 2; k++) {
			b.len = 0;
			v = k ? -(int64_t)(u >> 1) - (int64_t)(i & 1) : (int64_t)(u >> 1);
			assert_int_equal(json_put_uint(&b, u), 0);
			snprintf(want, sizeof(want), "%llu", (unsigned long long)u);
			if (b.len != strlen(want) || memcmp(b.p, want, b.len) != 0)
				fail_msg("%s: %.*s", want, (int)b.len, b.p);
			b.len = 0;
			assert_int_equal(json_put_int(&b, v), 0);
			snprintf(want, sizeof(want), "%lld", (long long)v);
			if (b.len != strlen(want) || memcmp(b.p, want, b.len) != 0)
				fail_msg("%s: %.*s", want, (int)b.len, b.p);
		}
	}
	b.len = 0;
	assert_int_equal(json_put_int(&b, INT64_MIN), 0);
	assert_int_equal(b.len, 20);
	assert_memory_equal(b.p, "-9223372036854775808", 20);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members_as_spans),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_error_column),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_unescape_escape_round_trip),
		cmocka_unit_test(test_escape_every_byte),
		cmocka_unit_test(test_escape_at_every_offset),
		cmocka_unit_test(test_utf8_and_numbers),
		cmocka_unit_test(test_bitmap_same_as_bytes),
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_chunk_marks),
		cmocka_unit_test(test_line_key),
		cmocka_unit_test(test_put_int),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
