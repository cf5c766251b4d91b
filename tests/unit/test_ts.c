/* Unit tests of ts.c; expected epochs computed with GNU date -u -d ... +%s. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	check("1700000000123456", "2023-11-14T22:13:20.123456Z");	/* microseconds, as GA4 writes them */
	check("1700000000123456789", "2023-11-14T22:13:20.123456789Z");	/* nanoseconds */
	check("2019-10-01 00:00:00 UTC", "2019-10-01T00:00:00Z");
	check("2021-08-30 12:56 +0000", "2021-08-30T12:56:00Z");
	check("20191001T000000Z", "2019-10-01T00:00:00Z");
	check("Sun, 01 Dec 2019 00:00:00 GMT", "2019-12-01T00:00:00Z");
	check("1 Dec 2019 00:00 -0500", "2019-12-01T05:00:00Z");
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
		"[10/Oct/2000:13:55:36 -0700", "Wed Oct 10 20:19:24 2018", "12345678901234567890",
		"Sun, 01 Dec 2019 00:00:00 ", "Sun, 01 Dec 2019 00:00:00 XYZ", "20191001T", "2019-10-01 00:00:00 CET",
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

/* ts_is_canonical written the plain way, to check the eight-bytes-at-a-time one. */
static int canonical_ref(const char *s, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, max;
	size_t i;

	if (n != 20)
		return 0;
	for (i = 0; i < 20; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return 0;
#define N(k) ((unsigned)(s[k] - '0'))
	y = N(0) * 1000 + N(1) * 100 + N(2) * 10 + N(3);
	mo = N(5) * 10 + N(6);
	d = N(8) * 10 + N(9);
	if (mo < 1 || mo > 12)
		return 0;
	max = mdays[mo - 1] + (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
	return d >= 1 && d <= max && N(11) * 10 + N(12) < 24 && N(14) * 10 + N(15) < 60 &&
	       N(17) * 10 + N(18) < 60;
#undef N
}

static void test_canonical(void **state)
{
	static const char *const base[] = {
		"2024-02-29T23:59:59Z", "2023-02-28T00:00:00Z", "1900-02-28T12:30:45Z",
		"2000-02-29T09:09:09Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
	};
	char s[21];
	size_t i, k;
	unsigned c, y, m, d;

	(void)state;
	/* every byte at every position of a few timestamps */
	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		for (k = 0; k < 20; k++)
			for (c = 0; c < 256; c++) {
				memcpy(s, base[i], 21);
				s[k] = (char)c;
				if (ts_is_canonical(s, 20) != canonical_ref(s, 20))
					fail_msg("%d for %s (byte %zu = %u)", ts_is_canonical(s, 20), s, k, c);
			}
	/* every day number of every month, over leap and common years */
	for (y = 1896; y <= 2404; y += 4)
		for (m = 0; m <= 13; m++)
			for (d = 0; d <= 32; d++) {
				snprintf(s, sizeof(s), "%04u-%02u-%02uT%02u:%02u:%02uZ", y + m % 4, m, d,
					 d % 25, d * 2 % 61, (d * 3 + m) % 61);
				if (ts_is_canonical(s, 20) != canonical_ref(s, 20))
					fail_msg("%d for %s", ts_is_canonical(s, 20), s);
			}
	assert_false(ts_is_canonical("2024-02-29T23:59:59", 19));
	assert_false(ts_is_canonical("2024-02-29T23:59:59ZZ", 21));
}

/* The seconds of a canonical s, by libc's timegm. */
static int64_t seconds_ref(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
#define N(k, w) ((int)strtol(memcpy((char[8]){ 0 }, s + (k), (w)), NULL, 10))
	tm.tm_year = N(0, 4) - 1900;
	tm.tm_mon = N(5, 2) - 1;
	tm.tm_mday = N(8, 2);
	tm.tm_hour = N(11, 2);
	tm.tm_min = N(14, 2);
	tm.tm_sec = N(17, 2);
#undef N
	return (int64_t)timegm(&tm);
}

/*
 * ts_canonical_sec after a timestamp of the same date (its kept day: only
 * the time is checked) and after one of another (the whole check): the
 * verdict ts_is_canonical's reference gives, and timegm's seconds.
 */
static void test_canonical_sec(void **state)
{
	static const char *const base[] = { "2024-02-29T23:59:59Z", "1970-01-01T00:00:00Z", "2038-01-19T03:14:08Z",
					    "1900-03-01T12:30:45Z" };
	char s[21];
	size_t i, k;
	unsigned c;
	int warm, got;
	int64_t sec;

	(void)state;
	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		for (k = 0; k < 20; k++)
			for (c = 0; c < 256; c++)
				for (warm = 0; warm < 2; warm++) {
					memcpy(s, base[i], 21);
					s[k] = (char)c;
					assert_true(ts_canonical_sec(warm ? base[i] : "1999-12-31T00:00:00Z", 20, &sec));
					sec = -1;
					got = ts_canonical_sec(s, 20, &sec);
					if (got != canonical_ref(s, 20))
						fail_msg("%d for %s after %s", got, s, warm ? base[i] : "another date");
					if (got && sec != seconds_ref(s))
						fail_msg("%s: %lld seconds, timegm %lld", s, (long long)sec,
							 (long long)seconds_ref(s));
				}
	assert_false(ts_canonical_sec("2024-02-29T23:59:5", 18, &sec));
	assert_int_equal(ts_canonical_sec("1970-01-01T00:00:01Z", 20, &sec), 1);
	assert_int_equal(sec, 1);
}

/*
 * ts_bucket and ts_bucket_zoned against gmtime_r / localtime_r and
 * strftime: each bucket's label for instants from 1900 to 2100 (before
 * 1970 too), and in zones with half-hour offsets and daylight saving.
 */
static void bucket_ref(long long ms, enum ts_every e, int zoned, char out[64])
{
	long long s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	time_t t = (time_t)s;
	struct tm tm;
	char z[16];

	if (zoned)
		localtime_r(&t, &tm);
	else
		gmtime_r(&t, &tm);
	if (e == TS_EVERY_WEEK) {	/* the date back to Monday: date arithmetic, which timegm normalizes */
		tm.tm_mday -= (tm.tm_wday + 6) % 7;
		tm.tm_hour = 12;
		tm.tm_isdst = 0;
		t = timegm(&tm);
		gmtime_r(&t, &tm);
	}
	if (e == TS_EVERY_MONTH)
		strftime(out, 64, "%Y-%m", &tm);
	else if (e != TS_EVERY_HOUR)
		strftime(out, 64, "%Y-%m-%d", &tm);
	else if (!zoned)
		strftime(out, 64, "%Y-%m-%dT%H:00:00Z", &tm);
	else {	/* "+0530" -> "+05:30" */
		strftime(out, 64, "%Y-%m-%dT%H:00:00", &tm);
		strftime(z, sizeof(z), "%z", &tm);
		snprintf(out + strlen(out), 16, "%.3s:%.2s", z, z + 3);
	}
}

static void test_buckets(void **state)
{
	static const char *zones[] = { NULL, "Asia/Kolkata", "America/St_Johns", "Europe/Berlin", "Australia/Lord_Howe" };
	static const enum ts_every every[] = { TS_EVERY_HOUR, TS_EVERY_DAY, TS_EVERY_WEEK, TS_EVERY_MONTH };
	char got[32], want[64], why[200];
	unsigned long long seed = 42;
	size_t z, k, i, n;

	(void)state;
	for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		if (zones[z] && ts_zone_set(zones[z], why) < 0) {
			print_message("no zone %s here (%s): skipped\n", zones[z], why);
			continue;
		}
		for (i = 0; i < 20000; i++) {
			long long ms;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			/* 1900-2100, milliseconds; every 8th near the epoch's edges of a second */
			ms = (long long)(seed >> 11) % (6311433600000LL) - 2208988800000LL;
			if (i % 8 == 0)
				ms = (long long)(i / 8 % 5) - 2;
			for (k = 0; k < sizeof(every) / sizeof(every[0]); k++) {
				n = zones[z] ? ts_bucket_zoned(ms, every[k], got) : ts_bucket(ms, every[k], got);
				bucket_ref(ms, every[k], zones[z] != NULL, want);
				if (n != strlen(want) || memcmp(got, want, n) != 0 || got[n] != '\0')
					fail_msg("%s, every %d, %lld ms: %.*s, want %s", zones[z] ? zones[z] : "UTC",
						 (int)every[k], ms, (int)n, got, want);
			}
		}
	}
	assert_int_equal(ts_zone_set(NULL, why), 0);
	/* outside years 0000-9999: no label */
	assert_int_equal(ts_bucket(-62167219200001LL, TS_EVERY_DAY, got), 0);
	assert_int_equal(ts_bucket(253402300800000LL, TS_EVERY_MONTH, got), 0);
	assert_int_equal(ts_bucket(-62167219200000LL, TS_EVERY_DAY, got), 10);
	assert_string_equal(got, "0000-01-01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_canonical_sec),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_civil_round_trip),
		cmocka_unit_test(test_buckets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
