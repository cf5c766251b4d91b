/*
 * Unit tests of sortkey.c: records listed here in the order they must sort
 * in (worked out by hand: instants across offsets, fractions and 1970,
 * numbers by value, strings by bytes with NULs inside, absent first or
 * last) give keys in strictly increasing memcmp order; a repeated key
 * counts as its last value; sortkey_cmp is memcmp's order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "sortkey.h"

/* The key of a line by the general path. */
static void key_of(const struct sortkey *k, const char *line, struct buf *out)
{
	struct jobj o = { 0 };
	struct buf tmp = BUF_INIT;
	char why[200];

	out->len = 0;
	if (json_scan_line(line, strlen(line), &o, NULL) < 0)
		fail_msg("not JSON: %s", line);
	if (sortkey_make(k, &o, out, &tmp, why) < 0)
		fail_msg("%s: %s", line, why);
	jobj_free(&o);
	buf_free(&tmp);
}

static int cmp(const struct buf *a, const struct buf *b)
{
	int c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Each line's key strictly after the one before. */
static void ascending(const struct sortkey *k, const char *const *lines, int n)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	int i;

	key_of(k, lines[0], &a);
	for (i = 1; i < n; i++) {
		key_of(k, lines[i], &b);
		if (cmp(&a, &b) >= 0)
			fail_msg("%s does not sort before %s", lines[i - 1], lines[i]);
		buf_free(&a);
		a = b;
		b = (struct buf)BUF_INIT;
	}
	buf_free(&a);
}

static void test_instants(void **state)
{
	static const char *const lines[] = {
		"{\"ts\":\"1969-12-31T23:59:59Z\"}",
		"{\"ts\":\"1969-12-31T23:59:59.5Z\"}",
		"{\"ts\":0}",
		"{\"ts\":\"1970-01-01T00:00:00.000000001Z\"}",
		"{\"ts\":\"2024-03-01T01:00:00+02:00\"}",	/* 2024-02-29T23:00:00Z */
		"{\"ts\":\"2024-02-29T23:59:59.999999999Z\"}",
		"{\"ts\":\"2024-03-01T00:00:00Z\"}",
		"{\"ts\":\"2024-03-01T00:00:00.1Z\"}",
		"{\"ts\":\"2024-03-01T00:00:00.123Z\"}",
		"{\"ts\":\"2024-02-29T19:00:01-05:00\"}",	/* 2024-03-01T00:00:01Z */
		"{\"ts\":1709251202}",				/* 2024-03-01T00:00:02Z */
		"{\"ts\":\"9999-12-31T23:59:59Z\"}",
	};
	struct sortkey k;

	(void)state;
	assert_int_equal(sortkey_default(&k), 0);
	ascending(&k, lines, (int)(sizeof(lines) / sizeof(*lines)));
	sortkey_free(&k);
}

static void test_values(void **state)
{
	static const char *const first[] = {
		"{}",
		"{\"v\":null}",		/* null is absent: absent and null tie, so only one of them */
	}, *const lines[] = {
		"{\"v\":null}",
		"{\"v\":-1e300}",
		"{\"v\":-2}",
		"{\"v\":-1.5}",
		"{\"v\":0}",
		"{\"v\":1e-300}",
		"{\"v\":2}",
		"{\"v\":10}",
		"{\"v\":1e300}",
		"{\"v\":\"\"}",
		"{\"v\":\"a\"}",
		"{\"v\":\"a\\u0000\"}",
		"{\"v\":\"a\\u0000b\"}",
		"{\"v\":\"ab\"}",
		"{\"v\":\"b\"}",
		"{\"v\":\"\\u00e9\"}",	/* U+00E9: bytes C3 A9, after every ASCII letter */
		"{\"v\":false}",
		"{\"v\":true}",
	};
	struct sortkey k;
	struct buf a = BUF_INIT, b = BUF_INIT;
	char why[200];

	(void)state;
	assert_int_equal(sortkey_parse(&k, "v", why), 0);
	k.missing = SORTKEY_FIRST;
	ascending(&k, lines, (int)(sizeof(lines) / sizeof(*lines)));
	key_of(&k, first[0], &a);
	key_of(&k, first[1], &b);
	assert_int_equal(cmp(&a, &b), 0);
	key_of(&k, "{\"v\":-0}", &a);	/* -0 is 0 */
	key_of(&k, "{\"v\":0.0}", &b);
	assert_int_equal(cmp(&a, &b), 0);
	key_of(&k, "{\"v\":\"\\u0061\"}", &a);	/* strings compare decoded */
	key_of(&k, "{\"v\":\"a\"}", &b);
	assert_int_equal(cmp(&a, &b), 0);
	/* --missing last: absent after everything */
	k.missing = SORTKEY_LAST;
	key_of(&k, "{\"v\":true}", &a);
	key_of(&k, "{\"w\":1}", &b);
	assert_true(cmp(&a, &b) < 0);
	buf_free(&a);
	buf_free(&b);
	sortkey_free(&k);
}

/* Fields compare one after another: the second only breaks ties of the first. */
static void test_fields(void **state)
{
	static const char *const lines[] = {
		"{\"u\":\"a\",\"ts\":\"2024-01-02T00:00:00Z\"}",
		"{\"u\":\"a\",\"ts\":\"2024-01-03T00:00:00Z\"}",
		"{\"u\":\"a\\u0000\",\"ts\":\"2024-01-01T00:00:00Z\"}",
		"{\"u\":\"ab\",\"ts\":\"2024-01-01T00:00:00Z\"}",
		"{\"u\":\"b\",\"ts\":\"2023-01-01T00:00:00Z\"}",
	};
	struct sortkey k;
	char why[200];

	(void)state;
	assert_int_equal(sortkey_parse(&k, "u,ts", why), 0);
	ascending(&k, lines, (int)(sizeof(lines) / sizeof(*lines)));
	sortkey_free(&k);
	assert_int_equal(sortkey_parse(&k, "a,,b", why), -1);
	assert_string_equal(why, "-k: an empty field in 'a,,b'");
}

/* A key given twice: the last one counts, as jq reads it. */
static void test_repeated(void **state)
{
	struct sortkey k;
	struct buf a = BUF_INIT, b = BUF_INIT;

	(void)state;
	assert_int_equal(sortkey_default(&k), 0);
	key_of(&k, "{\"event_id\":\"e5\",\"ts\":\"2024-03-01T12:34:56Z\",\"ts\":\"2024-01-01T00:00:00Z\"}", &a);
	key_of(&k, "{\"event_id\":\"e5\",\"ts\":\"2024-01-01T00:00:00Z\"}", &b);
	assert_int_equal(cmp(&a, &b), 0);
	key_of(&k, "{\"event_id\":\"zz\",\"ts\":\"2024-03-01T00:00:00Z\",\"event_id\":\"a\"}", &a);
	key_of(&k, "{\"ts\":\"2024-03-01T00:00:00Z\",\"event_id\":\"a\"}", &b);
	assert_int_equal(cmp(&a, &b), 0);
	buf_free(&a);
	buf_free(&b);
	sortkey_free(&k);
}

/* sortkey_cmp is memcmp's order, the shorter first: across its eight-byte steps and the tail. */
static void test_cmp(void **state)
{
	static const char *const keys[] = {
		"", "\x01", "abcdefgh", "abcdefgh\x00", "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnoq",
		"abcdefgi", "\x80", "\xff\xff\xff\xff\xff\xff\xff\xff",
	};
	size_t n = sizeof(keys) / sizeof(*keys), i, j;

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			size_t li = i == 3 ? 9 : strlen(keys[i]), lj = j == 3 ? 9 : strlen(keys[j]);
			int c = sortkey_cmp(keys[i], li, keys[j], lj);

			if ((i < j && c >= 0) || (i == j && c != 0) || (i > j && c <= 0))
				fail_msg("keys %zu and %zu: %d", i, j, c);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instants),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_cmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
