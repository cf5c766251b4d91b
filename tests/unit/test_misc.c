/* Unit tests of the small modules: buf, arena, mem, hash, out, cli, sort, vocab, wordset, spill, the stage map. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "arena.h"
#include "attr.h"
#include "buf.h"
#include "cli.h"
#include "cpus.h"
#include "group.h"
#include "hash.h"
#include "mem.h"
#include "out.h"
#include "par.h"
#include "person.h"
#include "sort.h"
#include "spill.h"
#include "vocab.h"
#include "wordset.h"
#include "writer.h"

/* Byte i of a test array: not zero, not periodic in pages. */
static unsigned char pattern(size_t i)
{
	return (unsigned char)(1 + (i * 2654435761u >> 13) % 251);
}

/*
 * mem_grow keeps an array's bytes through every kind of growth: within
 * malloc's, from malloc's to a mapping (at MEM_MAP_MIN), and a mapping
 * grown (mremap); one that cannot grow is NULL and left as it was;
 * mem_zalloc's mapping is zero.
 */
static void test_mem(void **state)
{
	size_t sizes[] = { 1000, MEM_MAP_MIN / 2, MEM_MAP_MIN - 1, MEM_MAP_MIN + 4095, 3 * MEM_MAP_MIN + 1,
			   16 * MEM_MAP_MIN };
	size_t k, i, had = 0;
	unsigned char *p = NULL, *z;

	(void)state;
	for (k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
		assert_non_null(p = mem_grow(p, had, sizes[k]));
		for (i = 0; i < had; i++)
			if (p[i] != pattern(i))
				fail_msg("growing %zu to %zu bytes: byte %zu is %u, not %u", had, sizes[k], i, p[i],
					 pattern(i));
		for (i = had; i < sizes[k]; i++)
			p[i] = pattern(i);
		had = sizes[k];
	}
	/* no room for 32 TiB: NULL, and the array as it was, whether mapped or malloc's */
	assert_null(mem_grow(p, had, (size_t)1 << 45));
	for (i = 0; i < had; i++)
		if (p[i] != pattern(i))
			fail_msg("after a grow that failed: byte %zu is %u, not %u", i, p[i], pattern(i));
	mem_free(p, had);
	assert_non_null(p = mem_grow(NULL, 0, 1000));
	memset(p, 7, 1000);
	assert_null(mem_grow(p, 1000, (size_t)1 << 45));
	assert_int_equal(p[999], 7);
	mem_free(p, 1000);
	for (k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
		assert_non_null(z = mem_zalloc(sizes[k]));
		for (i = 0; i < sizes[k]; i++)
			if (z[i])
				fail_msg("mem_zalloc(%zu): byte %zu is %u", sizes[k], i, z[i]);
		mem_free(z, sizes[k]);
	}
}

static void test_buf(void **state)
{
	struct buf b = BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 10000);
	assert_true(b.cap >= 10000);
	assert_int_equal(b.p[27], 'b');
	buf_reset(&b);
	assert_int_equal(buf_adds(&b, "xyz"), 0);
	assert_memory_equal(b.p, "xyz", 3);
	buf_free(&b);
}

/* buf_load reads a file whole, past its 64 KiB steps, and says why it cannot. */
static void test_buf_load(void **state)
{
	char path[] = "/tmp/vchain-test-bufXXXXXX";
	struct buf b = BUF_INIT;
	int fd = mkstemp(path), i;
	char line[32];

	(void)state;
	assert_true(fd >= 0);
	for (i = 0; i < 20000; i++) {
		int n = snprintf(line, sizeof(line), "%d\n", i);

		assert_int_equal(write(fd, line, (size_t)n), n);
	}
	close(fd);
	assert_int_equal(buf_adds(&b, "x"), 0);	/* appended after what is there */
	assert_int_equal(buf_load(&b, path), 0);
	assert_int_equal(b.len, 1 + 10 * 2 + 90 * 3 + 900 * 4 + 9000 * 5 + 10000 * 6);
	assert_memory_equal(b.p, "x0\n1\n", 5);
	assert_memory_equal(b.p + b.len - 6, "19999\n", 6);
	unlink(path);
	assert_int_equal(buf_load(&b, path), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(buf_load(&b, "/"), -1);
	assert_int_equal(errno, EISDIR);
	buf_free(&b);
}

struct item {
	int key, seq;
};

static int by_key(const void *a, const void *b, void *ctx)
{
	const struct item *x = a, *y = b;

	++*(int *)ctx;
	return (x->key > y->key) - (x->key < y->key);
}

/* sort_stable against a reckoning by hand: sorted by key, equal keys in input order, at every size around the runs. */
static void test_sort(void **state)
{
	static struct item v[3000];
	unsigned seed = 12345;
	int n, i, calls;

	(void)state;
	for (n = 0; n <= 3000; n = n < 70 ? n + 1 : n * 2 - 7) {
		int lim = n % 3 ? n / 4 + 1 : 5;	/* many ties, then few */

		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			v[i].key = (int)(seed >> 8) % lim;
			v[i].seq = i;
		}
		calls = 0;
		assert_int_equal(sort_stable(v, (size_t)n, sizeof(v[0]), by_key, &calls), 0);
		for (i = 1; i < n; i++) {
			assert_true(v[i - 1].key <= v[i].key);
			if (v[i - 1].key == v[i].key)
				assert_true(v[i - 1].seq < v[i].seq);
		}
		assert_true(n < 2 || calls > 0);
	}
}

static int ll_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/*
 * sort_select_ll against qsort: for every k of arrays of many sizes and
 * shapes (random, few values, sorted, reversed, all equal, organ pipe),
 * a[k] is the sorted array's, nothing before it greater, nothing after it
 * smaller, and the array holds the same values; and a second statistic
 * found after the first, as the funnel finds its p90 after its p50.
 */
static void test_select(void **state)
{
	static long long v[2000], w[2000], sorted[2000];
	static const int sizes[] = { 1, 2, 3, 5, 16, 17, 18, 33, 100, 257, 1000, 2000 };
	unsigned seed = 99;
	size_t si, n, k, i, k2;
	int shape;

	(void)state;
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
		for (shape = 0; shape < 6; shape++) {
			n = (size_t)sizes[si];
			for (i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				v[i] = shape == 0 ? (long long)(seed >> 4) - (1LL << 26)
				     : shape == 1 ? (long long)(seed >> 8) % 4
				     : shape == 2 ? (long long)i
				     : shape == 3 ? (long long)(n - i)
				     : shape == 4 ? 7
				     : (long long)(i < n / 2 ? i : n - i);
			}
			memcpy(sorted, v, n * sizeof(v[0]));
			qsort(sorted, n, sizeof(sorted[0]), ll_cmp);
			for (k = 0; k < n; k += n > 100 ? 37 : 1) {
				memcpy(w, v, n * sizeof(v[0]));
				sort_select_ll(w, n, k);
				assert_true(w[k] == sorted[k]);
				for (i = 0; i < n; i++)
					assert_true(i < k ? w[i] <= w[k] : i > k ? w[i] >= w[k] : 1);
				k2 = k + (n - k) / 3;
				if (k2 > k) {
					sort_select_ll(w + k + 1, n - k - 1, k2 - k - 1);
					assert_true(w[k2] == sorted[k2]);
					assert_true(w[k] == sorted[k]);
				}
				qsort(w, n, sizeof(w[0]), ll_cmp);
				assert_memory_equal(w, sorted, n * sizeof(w[0]));
			}
		}
}

static void test_arena(void **state)
{
	struct arena a = ARENA_INIT;
	enum { MANY = 6 << 17 };
	char *p[1000], *big, **many = malloc(MANY * sizeof(*many));
	int i;

	(void)state;
	assert_non_null(many);
	for (i = 0; i < 1000; i++) {
		char s[16];
		int n = snprintf(s, sizeof(s), "k%d", i);

		p[i] = arena_strndup(&a, s, (size_t)n);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 8, 0);
	}
	for (i = 0; i < 1000; i++) {
		char s[16];

		snprintf(s, sizeof(s), "k%d", i);
		assert_string_equal(p[i], s);
	}
	/* a request larger than a chunk gets its own, all of it usable */
	assert_non_null(big = arena_alloc(&a, (size_t)3 << 20));
	memset(big, 0x5a, (size_t)3 << 20);
	/* past the first chunk: 6 MB in 8-byte pieces, which fill each chunk to its last byte, none overlapping */
	for (i = 0; i < MANY; i++) {
		assert_non_null(many[i] = arena_alloc(&a, 8));
		memcpy(many[i], &i, sizeof(i));
	}
	for (i = 0; i < MANY; i++)
		assert_memory_equal(many[i], &i, sizeof(i));
	assert_true(big[0] == 0x5a && big[((size_t)3 << 20) - 1] == 0x5a);
	free(many);
	/* another arena's memory adopted: kept as it was, freed with a's (the sanitizers see each chunk freed once) */
	{
		struct arena b = ARENA_INIT, c = ARENA_INIT;
		size_t used = a.used;
		char *q[300], *r;

		for (i = 0; i < 300; i++) {
			assert_non_null(q[i] = arena_alloc(&b, 1000));
			memset(q[i], i & 0x7f, 1000);
		}
		used += b.used;
		arena_adopt(&a, &b);
		assert_null(b.head);
		assert_int_equal(b.used, 0);
		assert_int_equal(a.used, used);
		arena_adopt(&c, &a);	/* into an empty arena, and an empty one into another */
		arena_adopt(&c, &b);
		assert_int_equal(c.used, used);
		assert_non_null(r = arena_alloc(&c, 100));	/* it goes on allocating */
		memset(r, 1, 100);
		for (i = 0; i < 300; i++)
			assert_true(q[i][0] == (i & 0x7f) && q[i][999] == (i & 0x7f));
		for (i = 0; i < 1000; i++) {
			char s[16];

			snprintf(s, sizeof(s), "k%d", i);
			assert_string_equal(p[i], s);
		}
		arena_free(&c);
		arena_free(&a);	/* empty: nothing twice */
	}
}

static void test_hash_known_values(void **state)
{
	char hex[33];

	(void)state;
	/* XXH3-64 of the empty input, from the xxHash specification's test vectors */
	assert_int_equal(hash64("", 0), 0x2D06800538D394C2ULL);
	h128_hex(hash128("abc", 3), hex);
	hex[32] = '\0';
	/* stable across runs and machines: same input, same 32 hex digits */
	struct h128 h = hash128("abc", 3);
	char again[33];
	h128_hex(h, again);
	again[32] = '\0';
	assert_string_equal(hex, again);
	assert_int_equal(strlen(hex), 32);
}

static void test_out_full_disk(void **state)
{
	struct out o;
	int fd = open("/dev/full", O_WRONLY);
	int i;

	(void)state;
	if (fd < 0)
		skip();
	assert_int_equal(out_open_fd(&o, fd, "/dev/full"), 0);
	for (i = 0; i < 1000; i++)
		out_write(&o, "0123456789", 10);
	assert_int_equal(out_close(&o), -1);
	assert_int_equal(o.err, ENOSPC);
}

static void test_out_pipe_closed(void **state)
{
	struct out o;
	int p[2];
	char big[OUT_BUFSIZE];

	(void)state;
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	memset(big, 'x', sizeof(big));
	assert_int_equal(out_open_fd(&o, p[1], "pipe"), 0);
	assert_int_equal(out_write(&o, "y", 1), 0);	/* buffered */
	/* too big to buffer: the flush, then the write itself, meet the closed pipe */
	assert_int_equal(out_write(&o, big, sizeof(big)), -1);
	assert_int_equal(o.err, EPIPE);
	out_close(&o);
}

/*
 * NDJSON rows: each value after its column's name as a JSON string (quote,
 * backslash and control bytes escaped, other bytes as they are), the row
 * appended to what the line holds; writer_row the same through out.
 */
static void test_writer_ndjson(void **state)
{
	static const char *const names[] = { "user_id", "a\"b\\c", "\xc3\xa9\n\x01" };
	static const enum col_kind kinds[] = { COL_TEXT, COL_COUNT, COL_TEXT };
	static const char want[] = "{\"user_id\":\"u1\",\"a\\\"b\\\\c\":12,\"\xc3\xa9\\n\\u0001\":null}\n";
	struct buf vals[3] = { BUF_INIT, BUF_INIT, BUF_INIT }, line = BUF_INIT, cell = BUF_INIT;
	struct writer w;
	struct out o;
	char got[256];
	int p[2], i;
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(out_open_fd(&o, p[1], "pipe"), 0);
	assert_int_equal(writer_open(&w, &o, OUT_NDJSON, 3, names, kinds), 0);
	assert_int_equal(buf_adds(&vals[0], "\"u1\""), 0);
	assert_int_equal(buf_adds(&vals[1], "12"), 0);
	assert_int_equal(buf_adds(&vals[2], "null"), 0);
	assert_int_equal(buf_adds(&line, "before\n"), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(writer_format(&w, vals, &line, &cell), 0);
	assert_int_equal(line.len, 7 + 2 * (sizeof(want) - 1));
	assert_memory_equal(line.p, "before\n", 7);
	assert_memory_equal(line.p + 7, want, sizeof(want) - 1);
	assert_memory_equal(line.p + 7 + sizeof(want) - 1, want, sizeof(want) - 1);
	assert_int_equal(writer_row(&w, vals), 0);
	assert_int_equal(writer_close(&w), 0);
	assert_int_equal(out_close(&o), 0);
	n = read(p[0], got, sizeof(got));	/* (out_close closed p[1]) */
	close(p[0]);
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(got, want, sizeof(want) - 1);
	for (i = 0; i < 3; i++)
		buf_free(&vals[i]);
	buf_free(&line);
	buf_free(&cell);
}

static void test_sizes(void **state)
{
	size_t v;

	(void)state;
	assert_int_equal(cli_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(cli_parse_size("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(cli_parse_size("16M", &v), 0);
	assert_int_equal(v, (size_t)16 << 20);
	assert_int_equal(cli_parse_size("1g", &v), 0);
	assert_int_equal(v, (size_t)1 << 30);
	assert_int_equal(cli_parse_size("0", &v), -1);
	assert_int_equal(cli_parse_size("-1", &v), -1);
	assert_int_equal(cli_parse_size("12Q", &v), -1);
	assert_int_equal(cli_parse_size("", &v), -1);
}

/* cli_parse_number: digits only, within the bounds, no overflow */
static void test_numbers(void **state)
{
	unsigned long long v;

	(void)state;
	assert_int_equal(cli_parse_number("7", 1, 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(cli_parse_number("0", 0, 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cli_parse_number("18446744073709551615", 0, ~0ULL, &v), 0);
	assert_true(v == ~0ULL);
	assert_int_equal(cli_parse_number("18446744073709551616", 0, ~0ULL, &v), -1);	/* overflows */
	assert_int_equal(cli_parse_number("11", 1, 10, &v), -1);
	assert_int_equal(cli_parse_number("0", 1, 10, &v), -1);
	assert_int_equal(cli_parse_number("-1", 0, 10, &v), -1);
	assert_int_equal(cli_parse_number("+1", 0, 10, &v), -1);
	assert_int_equal(cli_parse_number(" 1", 0, 10, &v), -1);
	assert_int_equal(cli_parse_number("1x", 0, 10, &v), -1);
	assert_int_equal(cli_parse_number("", 0, 10, &v), -1);
	assert_int_equal(cli_parse_number(NULL, 0, 10, &v), -1);
}

/* File rel under dir made with its directories, holding text. */
static void put(const char *dir, const char *rel, const char *text)
{
	char path[4096], *s;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (s = path + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/*
 * cpus_cgroup_limit over made-up /proc/self and cgroup trees, each limit
 * worked out by hand: v2's cpu.max, the least along the path (2.5 CPUs
 * in the parent, rounded up, under 4 in the grandparent and none in the
 * leaf: 3); v1's cpu,cpuacct hierarchy mounted at a container's own
 * cgroup (mount root /docker/abc) on a mount point with a space (\040 in
 * mountinfo): 0.5 CPUs, 1; no limit (-1, "max"); a cgroup path outside
 * the mount's root; a cpuacct-only hierarchy, which sets no CPU time.
 */
static void test_cgroup_cpus(void **state)
{
	char tmpl[] = "/tmp/vchain-cpus-XXXXXX", self[64], *d;
	char cmd[128];

	(void)state;
	assert_non_null(d = mkdtemp(tmpl));
	snprintf(self, sizeof(self), "%s/self", d);
	/* v2, a pod's container: the parent's 2.5 CPUs */
	put(d, "self/cgroup", "0::/kubepods/pod1/ctr\n");
	put(d, "self/mountinfo", "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
				 "30 22 0:27 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
	put(d, "sys/fs/cgroup/kubepods/pod1/ctr/cpu.max", "max 100000\n");
	put(d, "sys/fs/cgroup/kubepods/pod1/cpu.max", "250000 100000\n");
	put(d, "sys/fs/cgroup/kubepods/cpu.max", "400000 100000\n");
	assert_int_equal(cpus_cgroup_limit(self, d), 3);
	/* the grandparent's 1.2 CPUs are tighter still: 2 */
	put(d, "sys/fs/cgroup/kubepods/cpu.max", "120000 100000\n");
	assert_int_equal(cpus_cgroup_limit(self, d), 2);
	/* a host of many mounts: the cgroup2 mount after 300 KiB of others */
	{
		struct buf mi = BUF_INIT;
		int k;

		for (k = 0; k < 3000; k++) {
			char l[160];

			snprintf(l, sizeof(l), "%d 1 0:%d / /var/lib/kubelet/pods/%08d/volumes/kubernetes.io~projected "
				 "rw,relatime - tmpfs tmpfs rw\n", 100 + k, 100 + k, k);
			assert_int_equal(buf_adds(&mi, l), 0);
		}
		assert_int_equal(buf_adds(&mi, "30 22 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"), 0);
		assert_int_equal(buf_addc(&mi, '\0'), 0);
		put(d, "self/mountinfo", mi.p);
		buf_free(&mi);
	}
	assert_int_equal(cpus_cgroup_limit(self, d), 2);
	/* no limit anywhere */
	put(d, "sys/fs/cgroup/kubepods/cpu.max", "max 100000\n");
	put(d, "sys/fs/cgroup/kubepods/pod1/cpu.max", "max 100000\n");
	assert_int_equal(cpus_cgroup_limit(self, d), 0);

	/* v1: the cpu controller's line, its mount's root the container's cgroup */
	put(d, "self/cgroup", "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n");
	put(d, "self/mountinfo", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
				 "40 30 0:37 /docker/abc /sys/fs/cgroup/cpu\\040acct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n");
	put(d, "sys/fs/cgroup/cpu acct/cpu.cfs_quota_us", "50000\n");
	put(d, "sys/fs/cgroup/cpu acct/cpu.cfs_period_us", "100000\n");
	assert_int_equal(cpus_cgroup_limit(self, d), 1);
	put(d, "sys/fs/cgroup/cpu acct/cpu.cfs_quota_us", "-1\n");
	assert_int_equal(cpus_cgroup_limit(self, d), 0);
	/* a path the mount does not show */
	put(d, "sys/fs/cgroup/cpu acct/cpu.cfs_quota_us", "50000\n");
	put(d, "self/cgroup", "4:cpu,cpuacct:/elsewhere\n");
	assert_int_equal(cpus_cgroup_limit(self, d), 0);
	/* cpuacct alone counts time, sets none */
	put(d, "self/cgroup", "4:cpuacct:/docker/abc\n");
	put(d, "self/mountinfo", "40 30 0:37 /docker/abc /sys/fs/cgroup/cpu\\040acct rw - cgroup cgroup rw,cpuacct\n");
	assert_int_equal(cpus_cgroup_limit(self, d), 0);
	/* no /proc/self/cgroup: none */
	snprintf(self, sizeof(self), "%s/nowhere", d);
	assert_int_equal(cpus_cgroup_limit(self, d), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static void test_durations(void **state)
{
	long long ms;

	(void)state;
	assert_int_equal(cli_parse_duration("90", &ms), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(cli_parse_duration("30m", &ms), 0);
	assert_int_equal(ms, 1800000);
	assert_int_equal(cli_parse_duration("24h", &ms), 0);
	assert_int_equal(ms, 86400000);
	assert_int_equal(cli_parse_duration("7d", &ms), 0);
	assert_int_equal(ms, 604800000);
	assert_int_equal(cli_parse_duration("2w", &ms), 0);
	assert_int_equal(ms, 1209600000);
	assert_int_equal(cli_parse_duration("3650000d", &ms), 0);	/* 10,000 years fits */
	/* past 10,000 years: refused, so ts +/- window cannot overflow */
	assert_int_equal(cli_parse_duration("99999999999d", &ms), -1);
	assert_int_equal(cli_parse_duration("9223372036854775807", &ms), -1);
	assert_int_equal(cli_parse_duration("5x", &ms), -1);
	assert_int_equal(cli_parse_duration("", &ms), -1);
	assert_int_equal(cli_parse_duration("-1h", &ms), -1);
}

static void test_vocab(void **state)
{
	(void)state;
	assert_string_equal(vocab_platform("Twitter", 7)->name, "x");
	assert_string_equal(vocab_platform("FB", 2)->name, "facebook");
	assert_string_equal(vocab_platform("e-mail", 6)->name, "email");
	assert_null(vocab_platform("myspace", 7));
	assert_string_equal(vocab_type("Purchase Completed", 18)->name, "purchase");
	assert_string_equal(vocab_type("retweet", 7)->name, "share");
	assert_string_equal(vocab_type("page-view", 9)->name, "visit");
	assert_string_equal(vocab_type("resolve", 7)->name, "resolve");
	assert_null(vocab_type("", 0));
	assert_null(vocab_type("purchasex", 9));
}

static void test_wordset(void **state)
{
	static const char *const words[] = {
		"a", "ab", "abc", "abcd", "abcde", "abcdefg", "abcdefgh", "abcdefghi",
		"abcdefghijklmnop", "event_id", "ts", "stage", "stage_name", "referrer", "referred_by",
	};
	static const char *const not_words[] = {
		"", "b", "ba", "abd", "acc", "abce", "bbcde", "abcdefh", "abcdefgi", "bbcdefghi",
		"abcdefghijklmnoq", "abcdefghijklmnopq", "event_i", "event_idd", "Ts", "stag",
		"stage_nam", "referrex", "referred_b", "xbcdefghijklmnop",
	};
	static struct wordset ws;
	const size_t n = sizeof(words) / sizeof(words[0]);
	const char *w[sizeof(words) / sizeof(words[0]) + 1];
	size_t lens[sizeof(words) / sizeof(words[0]) + 1], i;

	(void)state;
	for (i = 0; i < n; i++) {
		w[i] = words[i];
		lens[i] = strlen(words[i]);
	}
	assert_int_equal(wordset_build(&ws, w, lens, n), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(wordset_get(&ws, words[i], lens[i]), (int)i);
	for (i = 0; i < sizeof(not_words) / sizeof(not_words[0]); i++)
		if (wordset_get(&ws, not_words[i], strlen(not_words[i])) != -1)
			fail_msg("found: %s", not_words[i]);
	/* the same word twice, an empty word and one too long are refused */
	w[n] = "stage";
	lens[n] = 5;
	assert_int_equal(wordset_build(&ws, w, lens, n + 1), -1);
	w[n] = "";
	lens[n] = 0;
	assert_int_equal(wordset_build(&ws, w, lens, n + 1), -1);
	w[n] = "abcdefghijklmnopq";
	lens[n] = 17;
	assert_int_equal(wordset_build(&ws, w, lens, n + 1), -1);
}

/* A file of n bytes of p, at its start (unlinked: gone when closed). */
static int file_of(const char *p, size_t n)
{
	char name[] = "/tmp/vchain-test-run-XXXXXX";
	int fd = mkstemp(name);

	assert_true(fd >= 0);
	unlink(name);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Read run fd back: the pairs read, and whether it ended in an error with a message. */
static int read_run(int fd, size_t max_pair, int *failed)
{
	struct spill_reader r;
	const char *k, *v;
	uint32_t kl, vl;
	int n = 0, x;

	assert_int_equal(spill_open(&r, fd, 4096), 0);
	r.max_pair = max_pair;
	while ((x = spill_next(&r, &k, &kl, &v, &vl)) == 1) {
		/* a pair handed out is one written, byte for byte */
		if (n == 0 && !(kl == 3 && vl == 10 && !memcmp(k, "key", 3) && !memcmp(v, "record one", 10)))
			fail_msg("pair 1 changed");
		if (n == 1 && !(kl == 2 && vl == 18 && !memcmp(k, "k2", 2) && !memcmp(v, "record two, longer", 18)))
			fail_msg("pair 2 changed");
		n++;
	}
	*failed = x < 0;
	if (x < 0)
		assert_true(strstr(r.why, "damaged") != NULL || strstr(r.why, "ends early") != NULL);
	spill_reader_free(&r);
	return n;
}

/*
 * A sorted run damaged on disk is an error, never pairs of made-up lengths
 * (fuzz_spill found a flipped bit that made the reader ask for 4 GB): every
 * bit of a small run flipped in turn, each read fails with a message or
 * gives the pairs written, unchanged.
 */
static void test_spill_damage(void **state)
{
	struct spill_writer w;
	char run[4096], copy[4096];
	ssize_t n;
	int fd, failed, i, bit;

	(void)state;
	assert_int_equal(spill_create(&w, "/tmp"), 0);
	assert_int_equal(spill_put(&w, "key", 3, "record one", 10), 0);
	assert_int_equal(spill_put(&w, "k2", 2, "record two, longer", 18), 0);
	fd = spill_finish(&w, NULL);
	assert_true(fd >= 0);
	n = read(fd, run, sizeof(run));
	close(fd);
	assert_true(n > 20);
	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(copy, run, (size_t)n);
			copy[i] ^= (char)(1 << bit);
			fd = file_of(copy, (size_t)n);
			assert_true(read_run(fd, 20, &failed) == 2 || failed);
		}
	/* and the whole run reads back */
	fd = file_of(run, (size_t)n);
	assert_int_equal(read_run(fd, 20, &failed), 2);
	assert_false(failed);
}

/*
 * A run of many segments (spill.h): read whole, it gives every pair back in
 * order; read from each segment's offset (spill_open_at, spill_seek), its
 * first pair is the one whose key the segment names, and the rest follow
 * to the end; cut at a segment's end, a reader that knows the run's size
 * says it ends early instead of giving fewer pairs.
 */
static void test_spill_segments(void **state)
{
	struct spill_writer w;
	struct spill_segs g;
	struct spill_reader r;
	const char *k, *v;
	uint32_t kl, vl;
	char key[32], rec[200];
	int fd, cut, i, n, x;
	size_t s;

	(void)state;
	assert_int_equal(spill_create(&w, "/tmp"), 0);
	memset(rec, 'r', sizeof(rec));
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%08d", i);
		assert_int_equal(spill_put(&w, key, 9, rec, (uint32_t)(50 + i % 150)), 0);
	}
	fd = spill_finish(&w, &g);
	assert_true(fd >= 0);
	/* 5000 pairs of 67 to 216 bytes: about 14 segments of 64 KiB */
	assert_true(g.n >= 10 && g.n <= 20);
	assert_int_equal(g.s[0].off, 0);
	assert_int_equal((int64_t)g.bytes, (int64_t)lseek(fd, 0, SEEK_END));
	for (s = 0; s < g.n; s++) {
		assert_true(g.s[s].raw > 0 && g.s[s].raw <= SPILL_SEGMENT);
		if (s)
			assert_true(g.s[s].off > g.s[s - 1].off);
		if (s == 0)
			assert_int_equal(spill_open_at(&r, fd, 4096, g.s[s].off, g.bytes), 0);
		else
			spill_seek(&r, fd, g.s[s].off, g.bytes);
		assert_int_equal(spill_next(&r, &k, &kl, &v, &vl), 1);
		assert_int_equal(kl, g.s[s].klen);
		assert_memory_equal(k, spill_seg_key(&g, s), kl);
		n = atoi(k + 1);
		for (i = n + 1; (x = spill_next(&r, &k, &kl, &v, &vl)) == 1; i++) {
			snprintf(key, sizeof(key), "k%08d", i);
			assert_memory_equal(k, key, 9);
			assert_int_equal(vl, 50 + i % 150);
		}
		assert_int_equal(x, 0);
		assert_int_equal(i, 5000);
	}
	spill_reader_free(&r);	/* fd stays open: spill_open_at's */
	/* cut after segment 3: the run's size known, an error; not known, the pairs before */
	cut = (int)g.s[4].off;
	{
		char *b = malloc((size_t)cut);
		int cfd;

		assert_non_null(b);
		assert_int_equal(pread(fd, b, (size_t)cut, 0), cut);
		cfd = file_of(b, (size_t)cut);
		free(b);
		assert_int_equal(spill_open(&r, cfd, 4096), 0);
		r.end = g.bytes;
		for (n = 0; (x = spill_next(&r, &k, &kl, &v, &vl)) == 1; n++)
			;
		assert_int_equal(x, -1);
		assert_non_null(strstr(r.why, "ends early"));
		spill_reader_free(&r);	/* closes cfd */
	}
	close(fd);
	spill_segs_free(&g);
}

/* par_each: every task once, on any number of threads, p NULL included; and again on the same pool. */
struct each_ctx {
	unsigned n;
	int *hits;
};

static void each_hit(void *ctx, unsigned i)
{
	struct each_ctx *x = ctx;

	assert_true(i < x->n);
	__atomic_fetch_add(&x->hits[i], 1, __ATOMIC_RELAXED);
}

static int no_line(void *w, const char *l, size_t n, const struct scan_marks *m, struct buf *o, char *why)
{
	(void)w, (void)l, (void)n, (void)m, (void)o, (void)why;
	return 0;
}

static void test_par_each(void **state)
{
	static const unsigned workers[] = { 0, 1, 3, 6 }, tasks[] = { 0, 1, 2, 7, 1000 };
	void *wctx[8] = { NULL };
	int hits[1000];
	unsigned w, t, i, round;

	(void)state;
	for (w = 0; w < sizeof(workers) / sizeof(workers[0]); w++) {
		struct par_opts o = { .workers = workers[w], .max_line = 1 << 20 };
		struct par *p = par_new(&o, no_line, wctx);

		assert_non_null(p);
		for (round = 0; round < 2; round++)
			for (t = 0; t < sizeof(tasks) / sizeof(tasks[0]); t++) {
				struct each_ctx x = { tasks[t], hits };

				memset(hits, 0, sizeof(hits));
				par_each(round ? NULL : p, tasks[t], each_hit, &x);
				for (i = 0; i < 1000; i++)
					assert_int_equal(hits[i], i < tasks[t]);
			}
		par_free(p);
	}
}

/*
 * Partitioned state (par_set_parts) on 1 to 131 threads: every record
 * reaches its part once, in input order, and the commit sees them all in
 * order; twice on one pool, since a second input starts the parts afresh.
 * At 131 threads the queues of ready parts span three 64-bit words.
 */
struct parts_run {
	unsigned nparts;	/* read by the workers */
	uint64_t next;		/* the commit's: the record it expects next */
	int bad;
};

struct part_seen {
	unsigned q, nparts;
	uint64_t n, after;	/* records taken; the last one's number + 1 */
	int bad;
};

static unsigned part_for(uint64_t v, unsigned nparts)
{
	return (unsigned)(((v * 0x9E3779B97F4A7C15ull) >> 40) % nparts);
}

/* A line "N": the record N as 8 bytes, to its part. */
static int number_line(void *w, const char *l, size_t n, const struct scan_marks *m, struct buf *o, char *why)
{
	const struct parts_run *r = w;
	uint64_t v = 0;
	size_t i;

	(void)m, (void)why;
	for (i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(l[i] - '0');
	if (buf_add(o, &v, 8) < 0)
		return -2;
	return PAR_PART + (int)part_for(v, r->nparts);
}

static int part_seen(void *ctx, struct par_chunk *c, const uint32_t *offs, size_t n)
{
	struct part_seen *s = ctx;
	size_t i;
	uint64_t v;

	for (i = 0; i < n; i++) {
		memcpy(&v, c->out.p + offs[i], 8);
		if (v < s->after || part_for(v, s->nparts) != s->q)
			s->bad = 1;
		s->after = v + 1;
		s->n++;
	}
	return 0;
}

static int commit_seen(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct parts_run *r = ctx;
	size_t k;
	uint64_t v;

	if (first_line != r->next + 1)
		r->bad = 1;
	for (k = 0; k + 8 <= c->out.len; k += 8) {
		memcpy(&v, c->out.p + k, 8);
		r->bad |= v != r->next++;
	}
	return 0;
}

static void test_par_parts(void **state)
{
	static const unsigned workers[] = { 0, 1, 3, 69, 130 };
	static void *wctx[PAR_MAX_WORKERS];
	char path[] = "/tmp/vchain-test-partsXXXXXX";
	int fd = mkstemp(path);
	const uint64_t lines = 100000;
	unsigned w, q, i, run;
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	for (i = 0; i < lines; i++)
		fprintf(f, "%u\n", i);
	assert_int_equal(fclose(f), 0);
	for (w = 0; w < sizeof(workers) / sizeof(workers[0]); w++) {
		/* about 160 chunks of 4 KiB; parts two a thread, and an odd count */
		struct par_opts o = { .workers = workers[w], .max_line = 1 << 20, .chunk_size = 4096 };
		unsigned nparts = w == 2 ? 5 : 2 * (workers[w] + 1);
		struct parts_run r = { nparts, 0, 0 };
		struct part_seen *seen = calloc(nparts, sizeof(*seen));
		void **pctx = calloc(nparts, sizeof(*pctx));
		struct par *p;

		assert_true(seen && pctx);
		for (i = 0; i <= workers[w]; i++)
			wctx[i] = &r;
		assert_non_null(p = par_new(&o, number_line, wctx));
		for (q = 0; q < nparts; q++)
			pctx[q] = &seen[q];
		assert_int_equal(par_set_parts(p, nparts, part_seen, pctx), 0);
		for (run = 0; run < 2; run++) {
			struct in in;
			uint64_t total = 0;

			for (q = 0; q < nparts; q++)
				seen[q] = (struct part_seen){ q, nparts, 0, 0, 0 };
			r.next = 0;
			assert_int_equal(in_open(&in, path, NULL), 0);
			assert_int_equal(par_run(p, &in, commit_seen, &r), 0);
			in_close(&in);
			assert_false(r.bad);
			assert_int_equal(r.next, lines);
			for (q = 0; q < nparts; q++) {
				assert_false(seen[q].bad);
				total += seen[q].n;
			}
			assert_int_equal(total, lines);
		}
		par_free(p);
		free(seen);
		free(pctx);
	}
	unlink(path);
}

static int by_key_only(const void *a, const void *b, void *ctx)
{
	const struct item *x = a, *y = b;

	(void)ctx;
	return (x->key > y->key) - (x->key < y->key);
}

/*
 * sort_stable_par gives sort_stable's order (sorted by key, equal keys in
 * input order) on 0, 1 and 3 workers, below and above the size where it
 * starts to share the work, with many ties and with few.
 */
static void test_sort_par(void **state)
{
	static const unsigned workers[] = { 0, 1, 3 };
	static const size_t sizes[] = { 1000, 65535, 65536, 200003 };
	struct item *v = malloc(200003 * sizeof(*v)), *w = malloc(200003 * sizeof(*w));
	void *wctx[8] = { NULL };
	unsigned seed = 777, k, z, lim;
	size_t i, n;

	(void)state;
	assert_non_null(v);
	assert_non_null(w);
	for (k = 0; k < sizeof(workers) / sizeof(workers[0]); k++) {
		struct par_opts o = { .workers = workers[k], .max_line = 1 << 20 };
		struct par *p = par_new(&o, no_line, wctx);

		assert_non_null(p);
		for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++)
			for (lim = 7; lim < 1000000; lim *= 997) {
				n = sizes[z];
				for (i = 0; i < n; i++) {
					seed = seed * 1103515245u + 12345u;
					v[i].key = (int)((seed >> 8) % lim);
					v[i].seq = (int)i;
				}
				memcpy(w, v, n * sizeof(*v));
				assert_int_equal(sort_stable_par(p, v, n, sizeof(*v), by_key_only, NULL), 0);
				assert_int_equal(sort_stable(w, n, sizeof(*w), by_key_only, NULL), 0);
				for (i = 1; i < n; i++) {
					assert_true(v[i - 1].key <= v[i].key);
					if (v[i - 1].key == v[i].key)
						assert_true(v[i - 1].seq < v[i].seq);
				}
				assert_memory_equal(v, w, n * sizeof(*v));
			}
		par_free(p);
	}
	free(v);
	free(w);
}

/* Group a's order by its key slots, as rec_cmp_values has it: the bucket (when there is one), then the fields. */
static int ref_group_cmp(const struct groups *t, const struct group *a, const struct group *b)
{
	struct slot sa[REC_MAX_SLOTS + 1], sb[REC_MAX_SLOTS + 1];
	int i, c, n = t->nkeys;

	group_key_slots(t, a, sa);
	group_key_slots(t, b, sb);
	if (t->bucket && (c = slot_cmp(&sa[n], &sb[n])) != 0)
		return c;
	for (i = 0; i < n; i++)
		if ((c = slot_cmp(&sa[i], &sb[i])) != 0)
			return c;
	return 0;
}

static size_t put_key_slot(unsigned char *k, uint8_t type, const char *v, uint32_t n)
{
	k[0] = type;
	if (type == REC_ABSENT)
		return 1;
	memcpy(k + 1, &n, 4);
	memcpy(k + 5, v, n);
	return 5 + n;
}

/*
 * groups_sort, on no thread and on 1 and 3 workers, below and above the
 * size where the sort is shared: every group still there with its state,
 * and each next to the one after it in rec_cmp_values' order. The first
 * field's values tie in what the sort compares first: null and absent,
 * numbers of one value in other text (1, 1.0, 1e0; -0 and 0), text alike
 * in its first 16 bytes or with a 0 byte where the other ends, true and
 * false; with a bucket, the buckets do.
 */
static void test_groups_sort(void **state)
{
	static const struct {
		uint8_t type;
		const char *v;
		uint32_t n;
	} first[] = {
		{ REC_ABSENT, "", 0 },		{ J_NUM, "1", 1 },	   { J_NUM, "1.0", 3 },
		{ J_NUM, "1e0", 3 },		{ J_NUM, "-0", 2 },	   { J_NUM, "0", 1 },
		{ J_NUM, "-2.5", 4 },		{ J_NUM, "10", 2 },	   { J_NUM, "9.75", 4 },
		{ J_NUM, "123456789012345678901", 21 },		   { J_STR, "", 0 },
		{ J_STR, "a", 1 },		{ J_STR, "ab", 2 },	   { J_STR, "ab\0", 3 },
		{ J_STR, "ab\0c", 4 },		{ J_STR, "u0000000000000001", 17 },
		{ J_STR, "u0000000000000002", 17 },			   { J_STR, "u000000000000000", 16 },
		{ J_STR, "u0000000000000000\xff", 18 },		   { J_STR, "\xff\xfe", 2 },
		{ J_TRUE, "true", 4 },		{ J_FALSE, "false", 5 },
	};
	static const unsigned workers[] = { 0, 1, 3 };
	static const size_t sizes[] = { 1, 3000, 200000 };
	unsigned nfirst = sizeof(first) / sizeof(first[0]), k, z, bucket;
	void *wctx[8] = { NULL };

	(void)state;
	for (k = 0; k < sizeof(workers) / sizeof(workers[0]) + 1; k++) {
		struct par_opts o = { .workers = k ? workers[k - 1] : 0, .max_line = 1 << 20 };
		struct par *p = k ? par_new(&o, no_line, wctx) : NULL;

		assert_true(!k || p);
		for (bucket = 0; bucket < 2; bucket++)
			for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
				struct groups t;
				unsigned char key[64], *seen;
				char num[16], day[16];
				size_t i, n = sizes[z], klen;
				unsigned seed = 4242;

				groups_init(&t, 2, (int)bucket, 8);
				for (i = 0; i < n; i++) {
					unsigned f = (unsigned)(i % nfirst);
					struct slot b = { 0 };
					struct group *g;
					uint64_t made;

					seed = seed * 1103515245u + 12345u;
					/* every key once: its number the second field */
					klen = put_key_slot(key, first[f].type, first[f].v, first[f].n);
					klen += put_key_slot(key + klen, J_NUM, num,
							     (uint32_t)snprintf(num, sizeof(num), "%zu", i / nfirst));
					b.type = J_STR;
					b.n = (uint32_t)snprintf(day, sizeof(day), "2024-01-0%u", (seed >> 9) % 3);
					b.v = day;
					assert_non_null(g = groups_find(&t, key, klen, bucket ? &b : NULL));
					made = i;
					memcpy(g->st, &made, 8);	/* the state: which key it was */
				}
				assert_int_equal(groups_count(&t), n);
				assert_int_equal(groups_sort(&t, p), 0);
				assert_int_equal(groups_count(&t), n);
				assert_non_null(seen = calloc(n, 1));
				for (i = 0; i < n; i++) {
					const struct group *g = groups_at(&t, i);
					struct slot s[3];
					uint64_t made;

					memcpy(&made, g->st, 8);
					assert_true(made < n && !seen[made]);
					seen[made] = 1;
					group_key_slots(&t, g, s);	/* the state still its key's */
					assert_int_equal(s[0].type, first[made % nfirst].type);
					assert_int_equal(s[0].n, first[made % nfirst].n);
					assert_int_equal(s[1].n, (uint32_t)snprintf(num, sizeof(num), "%zu",
										   (size_t)(made / nfirst)));
					assert_memory_equal(s[1].v, num, s[1].n);
					if (i)
						assert_true(ref_group_cmp(&t, groups_at(&t, i - 1), g) < 0);
				}
				free(seen);
				groups_free(&t);
			}
		par_free(p);
	}
}

/* The first entry of name s[0..n), as a scan of every entry finds it, or -1. */
static int scan_map(const struct stage_map *m, const char *s, size_t n)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (m->len[i] == n && memcmp(m->name[i], s, n) == 0)
			return (int)i;
	return -1;
}

/*
 * stage_map_find's slots find what a scan of every entry finds: 250 names
 * (so that slots are shared), one twice with another stage (the first
 * wins), names absent, the empty name; and the default map.
 */
static void test_stage_map(void **state)
{
	static struct stage_map m;
	struct buf b = BUF_INIT;
	char name[32];
	int i, n, shared = 0;

	(void)state;
	for (i = 0; i < 250; i++) {
		n = snprintf(name, sizeof(name), "%c%d\t%d\n", 'a' + i % 26, i, 1 + i % 7);
		assert_int_equal(buf_add(&b, name, (size_t)n), 0);
	}
	assert_int_equal(buf_adds(&b, "a0\t-\n"), 0);	/* a0 again: the first entry stands */
	assert_int_equal(stage_map_parse(&m, b.p, b.len), 0);
	assert_int_equal(m.n, 251);
	for (i = 0; i < 256; i++)
		shared += m.slot[i] == 0xFFFF;
	assert_true(shared > 0);	/* the scan's path is taken too */
	for (i = 0; i < 300; i++) {
		n = snprintf(name, sizeof(name), "%c%d", 'a' + i % 26, i);
		assert_int_equal(stage_map_find(&m, name, (size_t)n), scan_map(&m, name, (size_t)n));
		assert_int_equal(stage_map_find(&m, name, (size_t)n), i < 250 ? i : -1);
		n = snprintf(name, sizeof(name), "%c%dx", 'a' + i % 26, i);
		assert_int_equal(stage_map_find(&m, name, (size_t)n), -1);
	}
	assert_int_equal(m.stage[stage_map_find(&m, "a0", 2)], 1);
	assert_int_equal(stage_map_find(&m, "", 0), -1);
	stage_map_default(&m);
	for (i = 0; i < (int)m.n; i++)
		assert_int_equal(stage_map_find(&m, m.name[i], m.len[i]), scan_map(&m, m.name[i], m.len[i]));
	assert_true(stage_map_find(&m, "purchase", 8) >= 0);
	assert_int_equal(stage_map_find(&m, "purchases", 9), -1);
	buf_free(&b);
}

/*
 * attr_split against exact integer arithmetic: with whole weights the
 * shares are rationals, so the floors and the largest remainders (ties to
 * the earlier) are computed exactly; n past the 32 split on the stack too.
 */
static void split_model(unsigned __int128 total, const unsigned *w, size_t n, unsigned __int128 *out)
{
	unsigned __int128 sum = 0, given = 0, *rem = malloc(n * sizeof(*rem));
	unsigned char *got = calloc(n, 1);
	size_t i, best;

	for (i = 0; i < n; i++)
		sum += w[i];
	for (i = 0; i < n; i++) {
		out[i] = total * w[i] / sum;
		rem[i] = total * w[i] % sum;
		given += out[i];
	}
	for (; given < total; given++) {
		for (best = n, i = 0; i < n; i++)
			if (!got[i] && w[i] && (best == n || rem[i] > rem[best]))
				best = i;
		out[best]++;
		got[best] = 1;
	}
	free(rem);
	free(got);
}

static void test_attr_split(void **state)
{
	static const size_t ns[] = { 1, 2, 3, 7, 31, 32, 33, 40, 100, 257 };
	uint64_t r = 12345;
	size_t k, i, trial;

	(void)state;
	for (k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		size_t n = ns[k];
		unsigned *w = malloc(n * sizeof(*w));
		long double *lw = malloc(n * sizeof(*lw));
		unsigned __int128 *got = malloc(n * sizeof(*got)), *want = malloc(n * sizeof(*want));
		struct dec *money = malloc(n * sizeof(*money));

		for (trial = 0; trial < 20; trial++) {
			unsigned __int128 total = trial % 2 ? ATTR_UNIT : 1 + (r >> 40) % 1000000;
			unsigned sum = 0;

			for (i = 0; i < n; i++) {
				r = r * 6364136223846793005ULL + 1442695040888963407ULL;
				w[i] = (unsigned)(r >> 33) % 5 == 0 ? 0 : 1 + (unsigned)(r >> 40) % 300;
				sum += w[i];
			}
			if (!sum)
				w[0] = sum = 1;
			for (i = 0; i < n; i++)
				lw[i] = w[i];
			assert_int_equal(attr_split(total, lw, n, got), 0);
			split_model(total, w, n, want);
			for (i = 0; i < n; i++)
				assert_true(got[i] == want[i]);
			/* money: 12345.67 split in cents, the same rule */
			{
				struct dec v = { 1234567, 2 };

				assert_int_equal(attr_split_dec(v, lw, n, money), 0);
				split_model(1234567, w, n, want);
				for (i = 0; i < n; i++) {
					assert_int_equal(money[i].scale, 2);
					assert_true(money[i].m == (__int128)want[i]);
				}
			}
		}
		free(w);
		free(lw);
		free(got);
		free(want);
		free(money);
	}
	/*
	 * From 2^50 units: 10^25 + 1 cents in three equal parts is exactly
	 * (10^25 - 1) / 3 each and the 2 left to the first two (before, the
	 * parts came out about a million units apart); 7 equal parts of
	 * 10^24 + 3 the same way; and unequal whole weights within 2^-61 of
	 * their exact share, adding up to the whole.
	 */
	{
		long double eq[7] = { 1, 1, 1, 1, 1, 1, 1 }, uw[5] = { 3, 1, 4, 1, 5 };
		__int128 e25 = (__int128)10000000000000000000ULL * 1000000, e24 = e25 / 10;
		struct dec v = { e25 + 1, 2 }, parts[7];
		unsigned __int128 big[5], sum = 0, total = (unsigned __int128)e25 * 7 + 12345;

		assert_int_equal(attr_split_dec(v, eq, 3, parts), 0);
		assert_true(parts[0].m == (e25 - 1) / 3 + 1 && parts[1].m == (e25 - 1) / 3 + 1 &&
			    parts[2].m == (e25 - 1) / 3);
		v.m = e24 + 3;
		assert_int_equal(attr_split_dec(v, eq, 7, parts), 0);
		for (i = 0; i < 7; i++)
			assert_true(parts[i].m == e24 / 7 + (i < (size_t)((e24 + 3) % 7)));
		assert_int_equal(attr_split(total, uw, 5, big), 0);
		for (i = 0; i < 5; i++) {
			unsigned __int128 exact = total / 14 * (unsigned)uw[i] + total % 14 * (unsigned)uw[i] / 14;
			unsigned __int128 d = big[i] > exact ? big[i] - exact : exact - big[i];

			assert_true(d <= 1 + (total >> 61));
			sum += big[i];
		}
		assert_true(sum == total);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wordset),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_spill_damage),
		cmocka_unit_test(test_spill_segments),
		cmocka_unit_test(test_hash_known_values),
		cmocka_unit_test(test_out_full_disk),
		cmocka_unit_test(test_out_pipe_closed),
		cmocka_unit_test(test_writer_ndjson),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_buf_load),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_par_each),
		cmocka_unit_test(test_par_parts),
		cmocka_unit_test(test_sort_par),
		cmocka_unit_test(test_groups_sort),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_cgroup_cpus),
		cmocka_unit_test(test_vocab),
		cmocka_unit_test(test_stage_map),
		cmocka_unit_test(test_attr_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
