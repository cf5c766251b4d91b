/* Unit tests of ts.c; expected epochs computed with GNU date -u -d ... +%s. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ts.h"

static void check(const char *in, const char *want)
{
	struct vts t;
	char out[TS_MAX_LEN];

	if (ts_parse(in, strlen(in), &t) < 0)
		fail_msg("rejected: %s", in);
	ts_format(t, out);
	if (strcmp(out, want) != 0)
		fail_msg("%s -> %s, want %s", in, out, want);
}

static void test_formats(void **state)
{
	(void)state;
	check("2024-03-01T12:34:56Z", "2024-03-01T12:34:56Z");
	check("2024-03-01t12:34:56z", "2024-03-01T12:34:56Z");
	check("2024-03-01 12:34:56", "2024-03-01T12:34:56Z");
	check("2024-03-01T12:34:56+01:00", "2024-03-01T11:34:56Z");
	check("2024-03-01T00:10:00-0530", "2024-03-01T05:40:00Z");
	check("2024-03-01T23:30:00-02", "2024-03-02T01:30:00Z");
	check("2024-02-29T23:59:59.123456789Z", "2024-02-29T23:59:59.123456789Z");
	check("2024-02-29T23:59:59.1200Z", "2024-02-29T23:59:59.12Z");
	check("2024-02-29T23:59:59.000Z", "2024-02-29T23:59:59Z");
	check("2024-03-01T12:34Z", "2024-03-01T12:34:00Z");
	check("2024-03-01", "2024-03-01T00:00:00Z");
	check("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z");
	check("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z");
	check("1700000000", "2023-11-14T22:13:20Z");
	check("1700000000123", "2023-11-14T22:13:20.123Z");
	check("1700000000.5", "2023-11-14T22:13:20.5Z");
	check("[10/Oct/2000:13:55:36 -0700]", "2000-10-10T20:55:36Z");
	check("10/Oct/2000:13:55:36 +0000", "2000-10-10T13:55:36Z");
	check("Wed Oct 10 20:19:24 +0000 2018", "2018-10-10T20:19:24Z");
	check("Thu Dec 31 23:30:00 -0100 2015", "2016-01-01T00:30:00Z");
	check("2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z");
}

static void test_rejects(void **state)
{
	static const char *bad[] = {
		"", "x", "2024-02-30T00:00:00Z", "2023-02-29", "2024-13-01", "2024-00-10",
		"2024-03-01T24:00:00Z", "2024-03-01T12:60:00Z", "2024-03-01T12:34:56+25:00",
		"2024-03-01T12:34:56Zjunk", "2024-3-1", "10/Foo/2000:13:55:36 -0700",
		"[10/Oct/2000:13:55:36 -0700", "Wed Oct 10 20:19:24 2018", "12345678901234567",
		"-5", "1.2.3", "2024-03-01T12:34:56.Z",
	};
	struct vts t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ts_parse(bad[i], strlen(bad[i]), &t) == 0)
			fail_msg("accepted: %s", bad[i]);
}

static void test_civil_round_trip(void **state)
{
	int64_t d, y;
	unsigned m, dd;

	(void)state;
	assert_int_equal(ts_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(ts_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(ts_days_from_civil(0, 1, 1), -719528);
	for (d = -800000; d < 3000000; d += 997) {
		ts_civil_from_days(d, &y, &m, &dd);
		assert_int_equal(ts_days_from_civil(y, m, dd), d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_civil_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
