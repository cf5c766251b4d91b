/*
 * Unit tests of the reports' definitions (report.h): every member's spec
 * parses into the kind it is declared as, members' states lie inside the
 * report's struct without overlapping, and the specs, which are the header
 * of partial results, are exactly the ones written here (a change to them
 * is a change of the partial format and must be made on purpose).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"

static const char *const expected[] = {
	"funnel", "funnel?user_id~&stage>0", NULL,
	"engagement", "count?type=impression|view", "count?type=like|comment|share",
	"latest:followers?followers~&user_id=", "min:platform?type=impression|view;type=like|comment|share",
	"max:platform?type=impression|view;type=like|comment|share", NULL,
	"roi", "sum:revenue?type=purchase", "sum:revenue?type=refund", "orders?type=purchase", NULL,
	"sla", "sla?type=complaint|dm;type=mention&sentiment<0", NULL,
	"listening", "count?type=mention", "mean:sentiment?type=mention", "rows?type=mention&sentiment>0",
	"rows?type=mention&sentiment<0", "count?type=follow", "count?type=unfollow", "count?type=refund",
	"count?type=purchase", NULL,
	"selling", "count?type=subscribe|signup|lead", "count?type=visit", "distinct:user_id?type=visit",
	"orders?type=purchase", "sum:revenue?type=purchase", NULL,
	"networking", "refs?type=visit&referrer~", "count?type=mention", "mean:sentiment?type=mention",
	"sum:followers?type=mention", NULL,
	"rfm", "span?type=purchase", "orders?type=purchase", "sum:revenue?type=purchase",
	"sum:revenue?type=refund", "min:currency?type=purchase|refund", "max:currency?type=purchase|refund", NULL,
	NULL
};

static void test_specs(void **state)
{
	const char *const *e = expected;
	int i, k;

	(void)state;
	for (k = 0; reports[k]; k++) {
		const struct report_def *d = reports[k];

		assert_string_equal(d->name, *e++);
		assert_ptr_equal(report_find(d->name, strlen(d->name)), d);
		for (i = 0; i < d->nmembers; i++)
			assert_string_equal(d->members[i].spec, *e++);
		assert_null(*e++);
		assert_true(d->ncols > 0 && d->nrows > 0 && d->row);
	}
	assert_null(*e);
	assert_null(report_find("funnels", 7));
}

static void test_members(void **state)
{
	struct acc acc[16];
	char why[200];
	int i, j, k;

	(void)state;
	for (k = 0; reports[k]; k++) {
		const struct report_def *d = reports[k];
		struct rec_layout l;

		rec_layout_init(&l);
		assert_true(d->nmembers <= 16);
		assert_int_equal(report_accs(d, &l, "brand1", 10000, NULL, acc, why), 0);
		assert_true(report_fits(d, acc, d->nmembers));
		assert_false(report_fits(d, acc, d->nmembers - 1));
		for (i = 0; i < d->nmembers; i++) {
			size_t lo = d->members[i].offset, size = acc_state_size(acc[i].kind);

			assert_int_equal(acc[i].kind, d->members[i].kind);
			assert_int_equal(acc[i].state, lo);
			assert_true(acc[i].cond.nalt > 0);	/* every member picks its records */
			assert_true(lo + size <= d->state_size);
			for (j = 0; j < i; j++) {	/* no two states overlap */
				size_t lo2 = d->members[j].offset, size2 = acc_state_size(acc[j].kind);

				assert_true(lo + size <= lo2 || lo2 + size2 <= lo || !size || !size2);
			}
			if (d->members[i].brand)
				assert_non_null(strstr(acc[i].spec, "user_id=|brand1"));
		}
		for (i = 0; i < d->nmembers; i++)
			acc_free(&acc[i]);
		rec_layout_free(&l);
	}
}

/* A member declared as another kind than its spec says is refused. */
static void test_mismatch(void **state)
{
	struct s { A_COUNT_t n; };
	static const struct report_member bad[] = { { "rows?type=like", A_COUNT, 0, 0, 0 } };
	static const char *const cols[] = { "n" };
	static const enum col_kind kinds[] = { COL_COUNT };
	struct report_def d = { .name = "bad", .state_size = sizeof(struct s), .members = bad, .nmembers = 1,
				.cols = cols, .kinds = kinds, .ncols = 1, .nrows = 1 };
	struct rec_layout l;
	struct acc acc[1];
	char why[200];

	(void)state;
	rec_layout_init(&l);
	assert_int_equal(report_accs(&d, &l, NULL, 10000, NULL, acc, why), -1);
	assert_non_null(strstr(why, "declared count but its spec is rows"));
	acc_free(&acc[0]);
	rec_layout_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_specs),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
