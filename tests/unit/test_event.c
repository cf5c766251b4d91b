/*
 * Unit tests of event.c: a record already canonical is copied whole, and
 * only then; whatever the path, the output is what rebuilding gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "event.h"

/* Normalises s both ways; returns whether it was taken as it is. */
static int both_ways(const char *s)
{
	static struct event_norm fast, slow;
	size_t len = strlen(s);
	uint64_t before = fast.as_is;
	int rf, rs;

	slow.always_rebuild = 1;
	rf = event_normalize(&fast, s, len);
	rs = event_normalize(&slow, s, len);
	if (rf != rs)
		fail_msg("%d as it is, %d rebuilt: %s", rf, rs, s);
	if (rf == 0 && (fast.out.len != slow.out.len || memcmp(fast.out.p, slow.out.p, fast.out.len) != 0))
		fail_msg("%s\n  as it is: %.*s  rebuilt:  %.*s", s, (int)fast.out.len, fast.out.p,
			 (int)slow.out.len, slow.out.p);
	if (rf != 0)
		assert_string_equal(fast.err, slow.err);
	return fast.as_is != before;
}

#define CANON "{\"event_id\":\"e1\",\"ts\":\"2024-02-29T23:59:59Z\",\"user_id\":\"u1\",\"platform\":\"instagram\",\"type\":\"purchase\""

static void test_canonical_as_is(void **state)
{
	static const char *const canonical[] = {
		CANON "}",
		CANON ",\"post_id\":\"p1\",\"campaign\":\"c\",\"revenue\":12.50,\"currency\":\"EUR\",\"order_id\":\"o1\"}",
		CANON ",\"stage\":6,\"stage_name\":\"sale\",\"rating\":5,\"sentiment\":-0.5,\"followers\":31000,\"count\":1}",
		CANON ",\"campaign\":null,\"revenue\":null,\"rating\":null,\"sentiment\":1.0}",
		CANON ",\"extra\":{\"nested\": [1, 2]},\"more\":\"x\\\"y\",\"extra\":1}",
		CANON ",\"z\":1,\"y\":\"\\u00e9\"}",
		CANON ",\"post_id\":\"p\\/1\"}",	/* an id is written as it was spelled */
		"{\"event_id\":\"e\",\"ts\":\"2023-01-31T00:00:00Z\",\"platform\":\"x\",\"type\":\"view\",\"url\":\"\"}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++)
		if (!both_ways(canonical[i]))
			fail_msg("rebuilt, though canonical: %s", canonical[i]);
}

static void test_rebuilt_when_not_canonical(void **state)
{
	static const char *const other[] = {
		/* order, repeats, keys */
		"{\"ts\":\"2024-02-29T23:59:59Z\",\"event_id\":\"e1\",\"platform\":\"x\",\"type\":\"view\"}",
		CANON ",\"post_id\":\"p\",\"user_id\":\"u2\"}",
		CANON ",\"extra\":1,\"post_id\":\"p\"}",
		CANON ",\"type\":\"view\"}",
		"{\"event_id\":\"e1\",\"t\\u0073\":\"2024-02-29T23:59:59Z\",\"platform\":\"x\",\"type\":\"view\"}",
		/* defaults and requirements */
		"{\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":\"x\",\"type\":\"view\"}",
		"{\"event_id\":\"\",\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":\"x\",\"type\":\"view\"}",
		"{\"event_id\":null,\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":\"x\",\"type\":\"view\"}",
		"{\"event_id\":17,\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":\"x\",\"type\":\"view\"}",
		"{\"event_id\":\"e1\",\"ts\":\"2024-02-29T23:59:59Z\",\"type\":\"view\"}",
		"{\"event_id\":\"e1\",\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":null,\"type\":\"view\"}",
		"{\"event_id\":\"e1\",\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":\"x\"}",
		"{\"event_id\":\"e1\",\"platform\":\"x\",\"type\":\"view\"}",
		/* values not in their canonical form, or bad */
		"{\"event_id\":\"e1\",\"ts\":\"2024-02-29T23:59:59+01:00\",\"platform\":\"x\",\"type\":\"view\"}",
		"{\"event_id\":\"e1\",\"ts\":\"2024-02-29 23:59:59\",\"platform\":\"x\",\"type\":\"view\"}",
		"{\"event_id\":\"e1\",\"ts\":\"2023-02-29T23:59:59Z\",\"platform\":\"x\",\"type\":\"view\"}",
		"{\"event_id\":\"e1\",\"ts\":1700000000,\"platform\":\"x\",\"type\":\"view\"}",
		"{\"event_id\":\"e1\",\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":\"fb\",\"type\":\"view\"}",
		"{\"event_id\":\"e1\",\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":\"X\",\"type\":\"view\"}",
		"{\"event_id\":\"e1\",\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":\"x\",\"type\":\"likes\"}",
		"{\"event_id\":\"e1\",\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":\"myspace\",\"type\":\"view\"}",
		"{\"event_id\":\"e1\",\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":\"x\",\"type\":\"vi\\u0065w\"}",
		CANON ",\"user_id\":7}",
		CANON ",\"post_id\":42}",
		CANON ",\"stage\":\"6\"}",
		CANON ",\"stage\":8}",
		CANON ",\"revenue\":\"12.50\"}",
		CANON ",\"revenue\":\"12,50\"}",
		CANON ",\"currency\":\"eur\"}",
		CANON ",\"currency\":\"EURO\"}",
		CANON ",\"rating\":4.0}",
		CANON ",\"rating\":6}",
		CANON ",\"rating\":\"4\"}",
		CANON ",\"sentiment\":1.5}",
		CANON ",\"sentiment\":\"0.5\"}",
		CANON ",\"followers\":\"31000\"}",
		CANON ",\"followers\":3.5}",
		CANON ",\"followers\":-1}",
		CANON ",\"count\":1e3}",
		CANON ",\"count\":12345678901234567890}",
		CANON ",\"post_id\":[\"p\"]}",
		/* layout */
		" " CANON "}",
		CANON "} ",
		CANON ", \"post_id\":\"p\"}",
		"{\"event_id\" : \"e1\",\"ts\":\"2024-02-29T23:59:59Z\",\"platform\":\"x\",\"type\":\"view\"}",
		CANON ",}",
		CANON,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (both_ways(other[i]))
			fail_msg("taken as it is: %s", other[i]);
}

/* A ts in the same hour as the one before is checked only from its minutes: still checked. */
static void test_ts_after_the_same_hour(void **state)
{
	static const char *const later[] = {
		"2024-02-29T23:60:00Z", "2024-02-29T23:59:60Z", "2024-02-29T23:5x:00Z", "2024-02-29T23:59:5 Z",
		"2024-02-29T23:59:59z", "2024-02-29T23:59-59Z", "2024-02-29T23:59:59+", "2024-02-29T23:7:59Z",
	};
	char line[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
		assert_true(both_ways(CANON "}"));	/* 2024-02-29T23:59:59Z, as it is */
		snprintf(line, sizeof(line), "{\"event_id\":\"e1\",\"ts\":\"%s\",\"platform\":\"x\",\"type\":\"view\"}",
			 later[i]);
		if (both_ways(line))
			fail_msg("taken as it is: %s", line);
	}
	assert_true(both_ways("{\"event_id\":\"e1\",\"ts\":\"2024-02-29T23:00:00Z\",\"platform\":\"x\",\"type\":\"view\"}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_as_is),
		cmocka_unit_test(test_rebuilt_when_not_canonical),
		cmocka_unit_test(test_ts_after_the_same_hour),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
