/* Unit tests of dec: exact decimals for money. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dec.h"

static void expect(const char *in, int rc, const char *out)
{
	struct dec d;
	char b[DEC_MAX_LEN];

	assert_int_equal(dec_parse(in, strlen(in), &d), rc);
	if (rc == 0) {
		dec_format(d, b);
		assert_string_equal(b, out);
	}
}

static void test_parse(void **state)
{
	(void)state;
	expect("0", 0, "0");
	expect("12.50", 0, "12.50");
	expect("-0.05", 0, "-0.05");
	expect("1e1", 0, "10");
	expect("1.5E-3", 0, "0.0015");
	expect("2.50e+2", 0, "250");
	expect("0.00", 0, "0.00");
	expect("99999999999999999999999999999999999999", 0, "99999999999999999999999999999999999999");
	expect("999999999999999999999999999999999999999", -2, NULL);	/* 39 digits */
	expect("1e300", -2, NULL);
	expect("0e300", 0, "0");
	expect("abc", -1, NULL);
	expect("1.", 0, "1");	/* callers check the JSON grammar first */
	expect("", -1, NULL);
	expect("-", -1, NULL);
	expect("1e", -1, NULL);
}

static void test_add(void **state)
{
	struct dec s = { 0, 0 }, v;
	char b[DEC_MAX_LEN];
	int i;

	(void)state;
	for (i = 0; i < 1000000; i++) {
		dec_parse("0.1", 3, &v);
		assert_int_equal(dec_add(&s, v), 0);
	}
	dec_format(s, b);
	assert_string_equal(b, "100000.0");
	dec_parse("-100000.05", 10, &v);
	assert_int_equal(dec_add(&s, v), 0);
	dec_format(s, b);
	assert_string_equal(b, "-0.05");
	assert_true(dec_to_double(s) == -0.05);
	dec_parse("99999999999999999999999999999999999999", 38, &s);
	dec_parse("0.1", 3, &v);	/* needs one more digit: 39 */
	assert_int_equal(dec_add(&s, v), -2);	/* overflow is an error, not a wrap */
	dec_parse("1", 1, &s);
	dec_parse("0.000000000000000000000000000001", 32, &v);
	assert_int_equal(dec_add(&s, v), 0);
	dec_format(s, b);
	assert_string_equal(b, "1.000000000000000000000000000001");
	/* a zero adds nothing, but a zero of more digits after the point gives the sum its scale */
	{
		static const char *const add[][3] = {
			{ "5", "0.00", "5.00" }, { "5.00", "0", "5.00" }, { "5.000", "0.0", "5.000" },
			{ "0", "0.000", "0.000" }, { "0.00", "0", "0.00" }, { "-2.5", "-0", "-2.5" },
			{ "99999999999999999999999999999999999999", "0.0", "" },	/* no room: -2 */
			{ "99999999999999999999999999999999999999", "0", "99999999999999999999999999999999999999" },
		};
		size_t k;

		for (k = 0; k < sizeof(add) / sizeof(add[0]); k++) {
			dec_parse(add[k][0], strlen(add[k][0]), &s);
			dec_parse(add[k][1], strlen(add[k][1]), &v);
			if (!*add[k][2]) {
				assert_int_equal(dec_add(&s, v), -2);
				continue;
			}
			assert_int_equal(dec_add(&s, v), 0);
			dec_format(s, b);
			assert_string_equal(b, add[k][2]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_add),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
