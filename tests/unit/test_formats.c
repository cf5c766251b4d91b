/*
 * Unit tests of the input formats' pieces: csvrec (CSV records to fields,
 * both paths), in_record_len and chunking of CSV records, access log
 * lines and URL helpers, and the --tz zones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "access.h"
#include "csvrec.h"
#include "input.h"
#include "ts.h"
#include "vocab.h"
#include "vocab_tables.h"

static void expect_fields(struct csvrec *r, const char *rec, long n, ...)
{
	va_list ap;
	long i, got = csvrec_split(r, rec, strlen(rec));

	assert_int_equal(got, n);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);

		assert_int_equal(r->flen[i], strlen(want));
		assert_memory_equal(r->f[i], want, r->flen[i]);
	}
	va_end(ap);
}

static void test_csvrec(void **state)
{
	struct csvrec r;

	(void)state;
	assert_int_equal(csvrec_init(&r, ',', '"'), 0);
	expect_fields(&r, "a,b,c", 3, "a", "b", "c");
	expect_fields(&r, "", 1, "");
	expect_fields(&r, ",", 2, "", "");
	expect_fields(&r, " a , b ", 2, " a ", " b ");		/* spaces are data */
	expect_fields(&r, "a,b\r", 2, "a", "b");		/* one final CR dropped */
	expect_fields(&r, "\"a,b\",c", 2, "a,b", "c");
	expect_fields(&r, "\"say \"\"hi\"\"\",x", 2, "say \"hi\"", "x");
	expect_fields(&r, "\"two\r\nlines\",\"\"", 2, "two\r\nlines", "");
	expect_fields(&r, "5'11\" tall,x", 2, "5'11\" tall", "x");	/* a quote mid-field is data */
	expect_fields(&r, "a,\"q\"\r", 2, "a", "q");
	expect_fields(&r, "a\rb,c", 2, "a\rb", "c");		/* a lone CR is data */
	assert_int_equal(csvrec_split(&r, "\"a\"b,c", 6), -1);	/* text after a closing quote */
	assert_non_null(strstr(r.err, "after a closing quote"));
	assert_int_equal(csvrec_split(&r, "\"open,c", 7), -1);
	assert_non_null(strstr(r.err, "not closed"));
	expect_fields(&r, "\"fine\",after", 2, "fine", "after");	/* recovers after errors */
	csvrec_free(&r);
	/* another delimiter: commas are data */
	assert_int_equal(csvrec_init(&r, ';', '"'), 0);
	expect_fields(&r, "a,b;\"c;d\";e", 3, "a,b", "c;d", "e");
	csvrec_free(&r);
}

/* Both paths give the same fields on records without quotes. */
static void test_csvrec_paths_agree(void **state)
{
	struct csvrec a, b;
	char rec[64], quoted[200];
	unsigned seed = 1;
	int i, k;

	(void)state;
	assert_int_equal(csvrec_init(&a, ',', '"'), 0);
	assert_int_equal(csvrec_init(&b, ',', '"'), 0);
	for (i = 0; i < 2000; i++) {
		size_t n = (size_t)(rand_r(&seed) % 40), j, q = 0;
		long na, nb;

		for (j = 0; j < n; j++)
			rec[j] = "ab ,\r\t"[rand_r(&seed) % 6];
		/* the same fields, each quoted: libcsv's path */
		quoted[q++] = '"';
		for (j = 0; j < n; j++) {
			if (rec[j] == ',') {
				quoted[q++] = '"';
				quoted[q++] = ',';
				quoted[q++] = '"';
			} else
				quoted[q++] = rec[j];
		}
		quoted[q++] = '"';
		if (n && rec[n - 1] == '\r')
			continue;	/* a final CR is a line end in one and data in the other */
		na = csvrec_split(&a, rec, n);
		nb = csvrec_split(&b, quoted, q);
		assert_int_equal(na, nb);
		for (k = 0; k < na; k++) {
			assert_int_equal(a.flen[k], b.flen[k]);
			assert_memory_equal(a.f[k], b.f[k], a.flen[k]);
		}
	}
	csvrec_free(&a);
	csvrec_free(&b);
}

static void test_record_len(void **state)
{
	static const char chunk[] = "a,\"x\ny\",b\n\"q\"\"\n\"\nplain\n";
	uint64_t nl;
	size_t len;

	(void)state;
	len = in_record_len(chunk, sizeof(chunk) - 1, '"', ',', &nl);
	assert_int_equal(len, 9);
	assert_int_equal(nl, 1);
	len = in_record_len(chunk + 10, sizeof(chunk) - 11, '"', ',', &nl);
	assert_int_equal(len, 6);	/* "q""\n" */
	assert_int_equal(nl, 1);
	len = in_record_len(chunk + 17, sizeof(chunk) - 18, '"', ',', &nl);
	assert_int_equal(len, 5);
	assert_int_equal(nl, 0);
	/* a quote mid-field does not open a quoted field */
	len = in_record_len("ab\"c\nd\n", 7, '"', ',', &nl);
	assert_int_equal(len, 4);
	/* lines mode */
	len = in_record_len("a\"b\nc\n", 6, 0, ',', &nl);
	assert_int_equal(len, 3);
}

/* Chunks cut anywhere keep multi-line records whole and count lines. */
static void test_csv_chunks(void **state)
{
	char path[] = "/tmp/vchain-test-XXXXXX";
	int fd = mkstemp(path), i, records = 0;
	struct in in;
	struct buf b = BUF_INIT;
	uint64_t lines, total = 0, nl;
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (i = 0; i < 20000; i++)
		fprintf(f, "%d,\"multi\nline %d\",x\"y,\"\"\"\"\n", i, i);
	fclose(f);
	assert_int_equal(in_open(&in, path, NULL), 0);
	in.quote = '"';
	in.delim = ',';
	while (b.len = 0, in_chunk(&in, &b, 4096, &lines) == 1) {
		const char *p = b.p, *end = b.p + b.len;

		total += lines;
		assert_int_equal(b.p[b.len - 1], '\n');
		while (p < end) {
			size_t n = in_record_len(p, (size_t)(end - p), '"', ',', &nl);

			assert_int_equal(nl, 1);
			assert_true(n > 10);
			p += n + 1;
			records++;
		}
	}
	assert_int_equal(records, 20000);
	assert_int_equal(total, 40000);
	in_close(&in);
	buf_free(&b);
	unlink(path);
}

static void test_access(void **state)
{
	struct access_rec r;
	const char *err;
	const char *l1 = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326";
	const char *l2 = "10.1.1.1, 10.0.0.2 - - [10/Oct/2000:13:55:36 +0000] \"GET /a?b=\\\"c HTTP/1.1\" 304 - "
			 "\"http://x.com/\" \"Mozilla \\\"X\\\"\" 0.003 \"uid=9\"";
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(access_parse(l1, strlen(l1), &r, &err), 0);
	assert_int_equal(r.client.n, 9);
	assert_memory_equal(r.user.p, "frank", 5);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.target.p, "/apache_pb.gif", r.target.n);
	assert_null(r.referrer.p);
	assert_int_equal(access_parse(l2, strlen(l2), &r, &err), 0);
	assert_memory_equal(r.client.p, "10.1.1.1", r.client.n);
	assert_int_equal(r.status, 304);
	assert_memory_equal(r.target.p, "/a?b=\\\"c", r.target.n);
	assert_true(r.agent_esc);
	assert_int_equal(access_unescape(&b, r.agent.p, r.agent.n), 0);
	assert_int_equal(b.len, 11);
	assert_memory_equal(b.p, "Mozilla \"X\"", 11);
	assert_int_equal(r.nextra, 2);
	assert_memory_equal(r.extra[1].p, "uid=9", 5);
	assert_int_equal(access_parse("xxxxxxxxxxxx", 12, &r, &err), -1);
	assert_int_equal(access_parse(l1, strlen(l1) - 2, &r, &err), 0);	/* bytes "23" is a number */
	assert_int_equal(access_parse("1 - - [x] \"GET / HTTP/1.1\" 20 5", 31, &r, &err), -1);
	assert_true(access_sniff(l1, strlen(l1)));
	assert_false(access_sniff("a,b,c", 5));
	{
		/* an escaped backslash before a closing quote, a backslash in a bare field, an escaped quote that leaves the agent open */
		const char *l3 = "1.2.3.4 - - [x] \"GET / HTTP/1.1\" 200 5 \"r\" \"a\\\\\" \"x\\y\"";
		const char *l4 = "1.2.3.4 - - [x] \"GET / HTTP/1.1\" 200 5 \"r\" \"a\\\"";

		assert_int_equal(access_parse(l3, strlen(l3), &r, &err), 0);
		assert_false(r.ref_esc);
		assert_true(r.agent_esc);
		assert_memory_equal(r.agent.p, "a\\\\", r.agent.n);
		assert_int_equal(r.agent.n, 3);
		assert_int_equal(r.nextra, 1);
		assert_memory_equal(r.extra[0].p, "x\\y", 3);
		assert_int_equal(access_parse(l4, strlen(l4), &r, &err), -1);	/* a\" escapes its quote: not closed */
	}
	buf_free(&b);
}

static void test_url(void **state)
{
	const char *u = "/p?utm_source=fb&x&utm_campaign=a%20b+c&utm_source=second#frag";
	char host[64];
	size_t n;
	const char *v;
	struct buf b = BUF_INIT;
	struct span e;

	(void)state;
	v = url_param(u, strlen(u), "utm_source", 10, &n);
	assert_non_null(v);
	assert_int_equal(n, 2);
	assert_memory_equal(v, "fb", 2);		/* the first one */
	v = url_param(u, strlen(u), "x", 1, &n);
	assert_non_null(v);
	assert_int_equal(n, 0);
	assert_null(url_param(u, strlen(u), "utm", 3, &n));
	assert_null(url_param(u, strlen(u), "frag", 4, &n));
	v = url_param(u, strlen(u), "utm_campaign", 12, &n);
	assert_int_equal(url_decode(&b, v, n), 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.p, "a b c", 5);
	b.len = 0;
	assert_int_equal(url_decode(&b, "%zz%4", 5), 0);	/* bad escapes stay as written */
	assert_memory_equal(b.p, "%zz%4", 5);
	n = url_host("https://user:pw@WWW.Example.COM:8080/x?y", 40, host, sizeof(host));
	assert_int_equal(n, 15);
	assert_memory_equal(host, "www.example.com", 15);
	assert_int_equal(url_host("/relative", 9, host, sizeof(host)), 0);
	assert_int_equal(url_host("//t.co/", 7, host, sizeof(host)), 4);
	e = url_extension("/a/b.min.JS?x=1.png", 19);
	assert_int_equal(e.n, 2);
	assert_memory_equal(e.p, "JS", 2);
	e = url_extension("/dir.d/file", 11);
	assert_int_equal(e.n, 0);
	assert_non_null(vocab_asset("png", 3));
	assert_non_null(vocab_asset("PNG", 3));
	assert_null(vocab_asset("html", 4));
	assert_true(vocab_is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)", 39));
	assert_false(vocab_is_bot("Mozilla/5.0 (X11; Linux)", 24));
	assert_string_equal(vocab_referrer("t.co", 4)->name, "x");
	assert_string_equal(vocab_clickid("fbclid", 6)->name, "facebook");
	assert_string_equal(vocab_header("Created At", 10)->name, "ts");
	buf_free(&b);
}

/* The bot words found as a plain case-blind substring search finds them. */
static int bot_naive(const char *ua, size_t n)
{
	size_t k, i, j;

	for (k = 0; k < sizeof(bot_patterns) / sizeof(bot_patterns[0]); k++) {
		size_t m = strlen(bot_patterns[k]);

		for (i = 0; i + m <= n; i++) {
			for (j = 0; j < m; j++) {
				char c = ua[i + j];

				if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != bot_patterns[k][j])
					break;
			}
			if (j == m)
				return 1;
		}
	}
	return 0;
}

static void test_bots(void **state)
{
	static const char *const bits[] = {
		"Mozilla/5.0 ", "(Windows NT 10.0; Win64; x64) ", "AppleWebKit/537.36 ", "(KHTML, like Gecko) ",
		"Safari/537.36", "bo", "ot", "cra", "wl", "spi", "der", "curl", "/", "wget", "ia_", "archiver",
		"python-", "requests", "Java", "okhttp", "scrap", "y", " ", ";", "\x80", "B", "O", "T",
	};
	char ua[400];
	unsigned seed = 7, round, hits = 0;
	size_t i, k, n;

	(void)state;
	/* every word, in any case, anywhere, and in a user agent of its own */
	for (k = 0; k < sizeof(bot_patterns) / sizeof(bot_patterns[0]); k++) {
		size_t m = strlen(bot_patterns[k]);

		assert_true(vocab_is_bot(bot_patterns[k], m));
		n = (size_t)snprintf(ua, sizeof(ua), "Mozilla/5.0 (compatible; %s/1.0)", bot_patterns[k]);
		for (i = 0; i < n; i += 2)
			ua[i] = (char)(ua[i] >= 'a' && ua[i] <= 'z' ? ua[i] - 32 : ua[i]);
		assert_true(vocab_is_bot(ua, n));
		assert_int_equal(vocab_is_bot(bot_patterns[k], m - 1), bot_naive(bot_patterns[k], m - 1));
	}
	/*
	 * Agents strung from pieces of words and of browsers, more of them
	 * than the cache holds, each asked twice a few hundred calls apart:
	 * the answer is the naive search's, cached or not.
	 */
	for (round = 0; round < 2; round++) {
		unsigned s = seed;

		for (k = 0; k < 3000; k++) {
			n = 0;
			for (i = 0; i < 1 + k % 9; i++) {
				const char *b;

				s = s * 1103515245u + 12345u;
				b = bits[(s >> 16) % (sizeof(bits) / sizeof(bits[0]))];
				memcpy(ua + n, b, strlen(b));
				n += strlen(b);
			}
			assert_int_equal(vocab_is_bot(ua, n), bot_naive(ua, n));
			hits += (unsigned)bot_naive(ua, n);
		}
	}
	assert_true(hits > 100 && hits < 5900);
	assert_false(vocab_is_bot("", 0));
	assert_false(vocab_is_bot("bo", 2));
}

static void test_zone(void **state)
{
	struct ts_zone z;
	struct vts t;
	int zoned;

	(void)state;
	assert_int_equal(ts_parse_zoned("2024-01-01 10:00:00", 19, &t, &zoned), 0);
	assert_int_equal(zoned, 0);
	assert_int_equal(ts_parse_zoned("2024-01-01 10:00:00Z", 20, &t, &zoned), 0);
	assert_int_equal(zoned, 1);
	assert_int_equal(ts_parse_zoned("1700000000", 10, &t, &zoned), 0);
	assert_int_equal(zoned, 1);
	assert_int_equal(ts_zone_init(&z, "+05:30"), 0);
	t.sec = 19800;
	ts_zone_to_utc(&z, &t);
	assert_int_equal(t.sec, 0);
	assert_int_equal(ts_zone_init(&z, "Nowhere/Special"), -1);
	assert_int_equal(ts_zone_init(&z, "../etc/passwd"), -1);
	if (ts_zone_init(&z, "America/New_York") == 0) {
		/* 2024-03-10 01:30 EST (-5) and 03:30 EDT (-4); 2023-12-31 23:30 across a year */
		t.sec = 1710034200;	/* 2024-03-10T01:30:00 as if UTC */
		ts_zone_to_utc(&z, &t);
		assert_int_equal(t.sec, 1710034200 + 5 * 3600);
		t.sec = 1710041400;	/* 03:30 */
		ts_zone_to_utc(&z, &t);
		assert_int_equal(t.sec, 1710041400 + 4 * 3600);
		t.sec = -1800;		/* 1969-12-31T23:30 local */
		ts_zone_to_utc(&z, &t);
		assert_int_equal(t.sec, -1800 + 5 * 3600);
	}
	assert_int_equal(ts_zone_init(&z, "UTC"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csvrec),
		cmocka_unit_test(test_csvrec_paths_agree),
		cmocka_unit_test(test_record_len),
		cmocka_unit_test(test_csv_chunks),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_bots),
		cmocka_unit_test(test_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
