/*
 * Unit tests of input.c, through in_chunk() as the filters read. Inputs
 * are made here with zlib's deflate, so the
 * expected lines are known exactly; every gzip case runs through each
 * inflater this build has (zlib always, ISA-L when built with it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "buf.h"
#include "input.h"

static char dir[] = "/tmp/vchain-test-input-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) __attribute__((unused));
static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void gzip_flushed_from(struct buf *out, const char *s, size_t n, size_t first, size_t every, const int *kinds,
			      size_t nkinds);

/* One gzip member of s[0..n), no flush in it. */
static void gzip_append(struct buf *out, const char *s, size_t n)
{
	gzip_flushed_from(out, s, n, n, n, NULL, 0);
}

static const char *write_file(const char *name, const char *p, size_t n)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

static uint64_t ahead_bytes;	/* read_ahead's: in_decoded_ahead at the end */

/*
 * Reads path through in_chunk(), as the filters do, with small chunks so
 * that many calls are made: got holds the lines, each ending in '\n'.
 * Returns 0 at the end or -1 (err, and *lines the line of the error).
 */
static int read_ahead(const char *path, enum in_inflate inf, size_t max_line, unsigned helpers, struct buf *got,
		      char *err, uint64_t *lines)
{
	struct in_opts o = { max_line, inf, NULL, helpers };
	struct in in;
	uint64_t n, total = 0;
	int r;

	buf_reset(got);
	if (in_open(&in, path, &o) < 0) {
		snprintf(err, 256, "%s", in.err);
		return -2;
	}
	for (;;) {
		while (helpers > 1 && in_work_ahead(&in))
			;
		if ((r = in_chunk(&in, got, 4096, &n)) <= 0)
			break;
		total += n;
	}
	ahead_bytes = in_decoded_ahead(&in);
	snprintf(err, 256, "%s", r < 0 ? in.err : "");
	/* the lines handed out, or on error the line the error is on */
	*lines = r < 0 ? in.lineno : total;
	if (r == 0 && in.lineno != total)
		fail_msg("in.lineno %llu, lines counted %llu", (unsigned long long)in.lineno,
			 (unsigned long long)total);
	in_close(&in);
	return r;
}

/*
 * read_ahead with no helpers. read_ahead opens path for helpers threads and,
 * before each chunk, calls in_work_ahead as often as it finds work (as idle
 * workers would, here in turn).
 */
static int read_all(const char *path, enum in_inflate inf, size_t max_line, struct buf *got,
		    char *err, uint64_t *lines)
{
	return read_ahead(path, inf, max_line, 0, got, err, lines);
}

static const enum in_inflate inflaters[] = { IN_INFLATE_ZLIB, IN_INFLATE_ISAL };

static size_t n_inflaters(void)
{
	return in_have_isal() ? 2 : 1;
}

static void make_text(struct buf *b, int nlines)
{
	int i;

	for (i = 0; i < nlines; i++) {
		char l[128];
		int n = snprintf(l, sizeof(l), "{\"n\":%d,\"pad\":\"%0*d\"}\n", i, i % 50, 0);

		buf_add(b, l, (size_t)n);
	}
}

static void test_plain_and_last_line(void **state)
{
	struct buf got = BUF_INIT;
	char err[256];
	uint64_t lines;

	(void)state;
	const char *p = write_file("plain.txt", "a\nbb\n\nccc", 9);
	assert_int_equal(read_all(p, IN_INFLATE_AUTO, 0, &got, err, &lines), 0);
	assert_int_equal(got.len, 10);
	assert_memory_equal(got.p, "a\nbb\n\nccc\n", 10);
	assert_int_equal(lines, 4);
	p = write_file("empty.txt", "", 0);
	assert_int_equal(read_all(p, IN_INFLATE_AUTO, 0, &got, err, &lines), 0);
	assert_int_equal(got.len, 0);
	buf_free(&got);
}

static void test_gzip_multi_member(void **state)
{
	struct buf text = BUF_INIT, gz = BUF_INIT, got = BUF_INIT;
	char err[256];
	uint64_t lines;
	size_t i, half;

	(void)state;
	make_text(&text, 200000);	/* ~10 MB: many ring blocks */
	half = (size_t)(memchr(text.p + text.len / 2, '\n', text.len) - (void *)text.p) + 1;
	gzip_append(&gz, text.p, half);
	gzip_append(&gz, "", 0);	/* an empty member, as BGZF ends */
	gzip_append(&gz, text.p + half, text.len - half);
	const char *p = write_file("multi.gz", gz.p, gz.len);
	for (i = 0; i < n_inflaters(); i++) {
		assert_int_equal(read_all(p, inflaters[i], 0, &got, err, &lines), 0);
		assert_int_equal(got.len, text.len);
		assert_memory_equal(got.p, text.p, text.len);
		assert_int_equal(lines, 200000);
	}
	buf_free(&text);
	buf_free(&gz);
	buf_free(&got);
}

/*
 * One gzip member of s[0..n), deflate's flush (Z_FULL_FLUSH: nothing after
 * it refers back; Z_SYNC_FLUSH: the same 00 00 ff ff, but the window goes
 * on) after the first first bytes, then after every every bytes;
 * kinds[k % nkinds] is the k-th flush's.
 */
static void gzip_flushed_from(struct buf *out, const char *s, size_t n, size_t first, size_t every, const int *kinds,
			      size_t nkinds)
{
	z_stream z;
	unsigned char tmp[65536];
	size_t at = 0, k = 0, step;
	int r, flush;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	do {
		step = at ? every : first;
		step = n - at < step ? n - at : step;
		flush = at + step == n ? Z_FINISH : kinds[k++ % nkinds];
		z.next_in = (unsigned char *)s + at;
		z.avail_in = (uInt)step;
		at += step;
		do {
			z.next_out = tmp;
			z.avail_out = sizeof(tmp);
			r = deflate(&z, flush);
			buf_add(out, tmp, sizeof(tmp) - z.avail_out);
		} while (z.avail_out == 0 || (flush == Z_FINISH && r == Z_OK));
	} while (at < n);
	assert_int_equal(r, Z_STREAM_END);
	deflateEnd(&z);
}

static void gzip_flushed(struct buf *out, const char *s, size_t n, size_t every, const int *kinds, size_t nkinds)
{
	gzip_flushed_from(out, s, n, every, every, kinds, nkinds);
}

/* path read with helpers gives text's bytes and lines (n of them). */
static void reads_as(const char *path, enum in_inflate inf, unsigned helpers, const struct buf *text, uint64_t n)
{
	struct buf got = BUF_INIT;
	char err[256];
	uint64_t lines;

	assert_int_equal(read_ahead(path, inf, 0, helpers, &got, err, &lines), 0);
	assert_int_equal(got.len, text->len);
	assert_memory_equal(got.p, text->p, text->len);
	assert_int_equal(lines, n);
	buf_free(&got);
}

/*
 * A member cut at flush points, read with helpers: the same bytes as the
 * text at every number of helpers; stretches that share nothing decoded
 * by the helpers (in_decoded_ahead), those that refer back by the reader
 * alone; damage an error, as with one decoder.
 */
static void test_gzip_flushed(void **state)
{
	static const int full[] = { Z_FULL_FLUSH }, sync[] = { Z_SYNC_FLUSH }, mixed[] = { Z_FULL_FLUSH, Z_SYNC_FLUSH };
	static const unsigned helpers[] = { 0, 2, 3, 8 };
	struct buf text = BUF_INIT, gz = BUF_INIT, got = BUF_INIT, bad = BUF_INIT;
	char err[256];
	uint64_t lines;
	size_t i, h, c;

	(void)state;
	make_text(&text, 200000);	/* ~10 MB, ~1 MB of gzip: several batches */
	for (i = 0; i < n_inflaters(); i++) {
		buf_reset(&gz);
		gzip_flushed(&gz, text.p, text.len, 20000, full, 1);
		const char *p = write_file("full.gz", gz.p, gz.len);
		for (h = 0; h < sizeof(helpers) / sizeof(helpers[0]); h++) {
			reads_as(p, inflaters[i], helpers[h], &text, 200000);
			if (helpers[h] < 3)
				assert_int_equal(ahead_bytes, 0);	/* as a plain gzip */
			else
				assert_true(ahead_bytes > text.len / 2);	/* the reader waited on none */
		}
		/* the same marks, but each stretch refers back: the reader's alone after the first batches */
		buf_reset(&gz);
		gzip_flushed(&gz, text.p, text.len, 20000, sync, 1);
		p = write_file("sync.gz", gz.p, gz.len);
		reads_as(p, inflaters[i], 8, &text, 200000);
		assert_true(ahead_bytes < text.len / 4);
		/* both kinds in turn */
		buf_reset(&gz);
		gzip_flushed(&gz, text.p, text.len, 15000, mixed, 2);
		p = write_file("mixed.gz", gz.p, gz.len);
		reads_as(p, inflaters[i], 4, &text, 200000);
		/* one flush point early, then 1 MiB and more with none: batches cut inside blocks */
		buf_reset(&gz);
		{
			struct buf t2 = BUF_INIT;

			/* hex digits compress to half: more than FL_LOOK of gzip after the one flush */
			for (c = 0; c < 200000; c++) {
				char l[64];
				int n = snprintf(l, sizeof(l), "%08x%08x\n", (unsigned)(c * 2654435761u),
						 (unsigned)((c * 40503u) ^ (c >> 3) * 2246822519u));

				buf_add(&t2, l, (size_t)n);
			}
			gzip_flushed_from(&gz, t2.p, t2.len, 10000, t2.len, full, 1);
			p = write_file("long.gz", gz.p, gz.len);
			assert_true(gz.len > ((size_t)1 << 20) + 200000);
			reads_as(p, inflaters[i], 4, &t2, 200000);
			buf_free(&t2);
		}
		/* damage, read with helpers: cut anywhere, the CRC-32 or the length, garbage after */
		buf_reset(&gz);
		gzip_flushed(&gz, text.p, text.len, 20000, full, 1);
		size_t cuts[] = { 30, gz.len / 3, gz.len - 9, gz.len - 8, gz.len - 3 };
		for (c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
			p = write_file("cut.gz", gz.p, cuts[c]);
			assert_int_equal(read_ahead(p, inflaters[i], 0, 4, &got, err, &lines), -1);
			assert_non_null(strstr(err, "truncated"));
		}
		for (c = 0; c < 2; c++) {
			buf_reset(&bad);
			buf_add(&bad, gz.p, gz.len);
			bad.p[bad.len - (c ? 2 : 6)] ^= 0x55;
			p = write_file("crc.gz", bad.p, bad.len);
			assert_int_equal(read_ahead(p, inflaters[i], 0, 4, &got, err, &lines), -1);
			assert_non_null(strstr(err, c ? "incorrect length check" : "incorrect data check"));
		}
		buf_reset(&bad);
		buf_add(&bad, gz.p, gz.len);
		buf_add(&bad, "garbage", 7);
		p = write_file("trail.gz", bad.p, bad.len);
		assert_int_equal(read_ahead(p, inflaters[i], 0, 4, &got, err, &lines), -1);
		assert_non_null(strstr(err, "trailing garbage"));
		/* a plain member after it: read on */
		buf_reset(&bad);
		buf_add(&bad, gz.p, gz.len);
		gzip_append(&bad, "x\n", 2);
		p = write_file("two.gz", bad.p, bad.len);
		assert_int_equal(read_ahead(p, inflaters[i], 0, 4, &got, err, &lines), 0);
		assert_int_equal(got.len, text.len + 2);
		assert_memory_equal(got.p + text.len, "x\n", 2);
	}
	buf_free(&text);
	buf_free(&gz);
	buf_free(&got);
	buf_free(&bad);
}

static void test_gzip_damage(void **state)
{
	struct buf text = BUF_INIT, gz = BUF_INIT, got = BUF_INIT, bad = BUF_INIT;
	char err[256];
	uint64_t lines;
	size_t i;

	(void)state;
	make_text(&text, 50000);
	gzip_append(&gz, text.p, text.len);
	for (i = 0; i < n_inflaters(); i++) {
		/* cut anywhere: an error, never a short result */
		size_t cuts[] = { 2, 10, gz.len / 2, gz.len - 8, gz.len - 1 };
		for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
			const char *p = write_file("cut.gz", gz.p, cuts[c]);
			assert_int_equal(read_all(p, inflaters[i], 0, &got, err, &lines), -1);
			assert_non_null(strstr(err, "truncated"));
		}
		/* a flipped byte in the CRC-32 trailer */
		buf_reset(&bad);
		buf_add(&bad, gz.p, gz.len);
		bad.p[bad.len - 6] ^= 0x55;
		const char *p = write_file("crc.gz", bad.p, bad.len);
		assert_int_equal(read_all(p, inflaters[i], 0, &got, err, &lines), -1);
		assert_non_null(strstr(err, "corrupt"));
		/* garbage after a complete member */
		buf_add(&bad, "garbage", 7);
		bad.p[bad.len - 13] ^= 0x55;	/* undo the CRC damage */
		p = write_file("trail.gz", bad.p, bad.len);
		assert_int_equal(read_all(p, inflaters[i], 0, &got, err, &lines), -1);
		assert_non_null(strstr(err, "trailing garbage"));
	}
	buf_free(&text);
	buf_free(&gz);
	buf_free(&got);
	buf_free(&bad);
}

static void test_long_lines(void **state)
{
	struct buf text = BUF_INIT, got = BUF_INIT, gz = BUF_INIT;
	char err[256];
	uint64_t lines;
	size_t i;

	(void)state;
	/* a 3 MiB line between short ones: spans several reads and a buffer growth */
	buf_adds(&text, "short\n");
	for (i = 0; i < ((size_t)3 << 20); i++)
		buf_addc(&text, (char)('a' + i % 26));
	buf_adds(&text, "\nend\n");
	const char *p = write_file("long.txt", text.p, text.len);
	assert_int_equal(read_all(p, IN_INFLATE_AUTO, 0, &got, err, &lines), 0);
	assert_int_equal(got.len, text.len);
	assert_memory_equal(got.p, text.p, text.len);
	/* over --max-line: an error on line 2 */
	assert_int_equal(read_all(p, IN_INFLATE_AUTO, (size_t)1 << 20, &got, err, &lines), -1);
	assert_int_equal(lines, 2);
	assert_non_null(strstr(err, "longer than"));
	/* exactly max_line is fine */
	assert_int_equal(read_all(p, IN_INFLATE_AUTO, (size_t)3 << 20, &got, err, &lines), 0);
	gzip_append(&gz, text.p, text.len);
	p = write_file("long.gz", gz.p, gz.len);
	assert_int_equal(read_all(p, IN_INFLATE_ZLIB, (size_t)1 << 20, &got, err, &lines), -1);
	assert_int_equal(lines, 2);
	buf_free(&text);
	buf_free(&got);
	buf_free(&gz);
}

static void test_missing_file(void **state)
{
	struct buf got = BUF_INIT;
	char err[256];
	uint64_t lines;

	(void)state;
	assert_int_equal(read_all("/nonexistent/x.ndjson", IN_INFLATE_AUTO, 0, &got, err, &lines), -2);
	assert_non_null(strstr(err, "cannot open"));
	buf_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_last_line),
		cmocka_unit_test(test_gzip_multi_member),
		cmocka_unit_test(test_gzip_damage),
		cmocka_unit_test(test_gzip_flushed),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, setup, getenv("KEEP") ? NULL : teardown);
}
