/*
 * Unit tests of scan.c against plain byte loops: every length up to a few
 * blocks, at every alignment, with the bytes that matter at every place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scan.h"

static const char alphabet[] = "ab\"\\\n\t\x01\x7f\x80\xc3\xff{} :,";

static int bit(const uint64_t *b, size_t i)
{
	return (int)(b[i >> 6] >> (i & 63) & 1);
}

/* Random buffers of the bytes that matter, all lengths 0..200, 8 alignments. */
static void fill(char *p, size_t n, unsigned *seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		p[i] = alphabet[(*seed >> 16) % (sizeof(alphabet) - 1)];
	}
}

static void test_mark_and_count(void **state)
{
	static char buf[256 + 8];
	uint64_t bits[8];
	unsigned seed = 1;
	size_t n, a, i, k;

	(void)state;
	for (n = 0; n <= 200; n++)
		for (a = 0; a < 8; a++) {
			fill(buf + a, n, &seed);
			memset(bits, 0xAA, sizeof(bits));
			scan_mark(buf + a, n, '\n', bits);
			for (i = 0, k = 0; i < SCAN_WORDS(n) * 64; i++) {
				int want = i < n && buf[a + i] == '\n';

				k += (size_t)want;
				if (bit(bits, i) != want)
					fail_msg("scan_mark: n %zu align %zu bit %zu", n, a, i);
			}
			assert_int_equal(scan_count(buf + a, n, '\n'), k);
		}
}

static void test_json_lines(void **state)
{
	static char buf[256 + 8];
	uint64_t nl[8], qt[9], at[8];
	struct scan_marks m;
	unsigned seed = 7;
	size_t n, a, i, j;
	int any, want_any;

	(void)state;
	for (n = 0; n <= 200; n++)
		for (a = 0; a < 8; a++) {
			fill(buf + a, n, &seed);
			memset(nl, 0xAA, sizeof(nl));
			memset(qt, 0xAA, sizeof(qt));
			memset(at, 0xAA, sizeof(at));
			any = scan_json_lines(buf + a, n, nl, qt, at);
			want_any = 0;
			for (i = 0; i < SCAN_WORDS(n) * 64; i++) {
				unsigned char c = i < n ? (unsigned char)buf[a + i] : ' ';
				int wa = i < n && c != '\n' && (c == '\\' || c < 0x20 || c >= 0x80);

				want_any |= wa;
				if (bit(nl, i) != (i < n && c == '\n') || bit(qt, i) != (i < n && c == '"') ||
				    bit(at, i) != wa)
					fail_msg("scan_json_lines: n %zu align %zu bit %zu", n, a, i);
			}
			assert_int_equal(qt[SCAN_WORDS(n)], 0);
			assert_int_equal(any, want_any);
			/* scan_attn over every range */
			m.base = buf + a;
			m.n = n;
			m.attn = at;
			for (i = 0; i <= n; i += 3)
				for (j = i; j <= n; j += 5) {
					size_t x;
					int want = 0;

					for (x = i; x < j; x++)
						want |= bit(at, x);
					if (scan_attn(&m, buf + a + i, buf + a + j) != want)
						fail_msg("scan_attn [%zu, %zu) of %zu", i, j, n);
				}
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_and_count),
		cmocka_unit_test(test_json_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
