/*
 * libFuzzer target: the readers of other runs' output - the --merge of
 * vchain-aggregate, vchain-attribute and vchain-rank-advocates (partial
 * results, a header line then state lines), and vchain-attribute
 * --from-paths. The first byte picks the reader (a, b, c, d), the rest is
 * its input; it is read as one input (or two, split at a NUL) and the
 * result written to /dev/null. Properties: no crash or sanitizer report; a
 * refused line says why.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advocates.h"
#include "agg.h"
#include "attrib.h"
#include "out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each line of p[0..n) to fn; the input's end to done. */
#define EACH_LINE(p, n, call)                                                    \
	do {                                                                     \
		const char *s_ = (p), *e_ = (p) + (n), *nl_;                     \
		uint64_t no_ = 1;                                                \
		for (; s_ < e_; s_ = nl_ + 1, no_++) {                           \
			if (!(nl_ = memchr(s_, '\n', (size_t)(e_ - s_))))      \
				nl_ = e_;                                        \
			const char *line = s_;                                   \
			size_t len = (size_t)(nl_ - s_);                         \
			(void)no_;                                               \
			if ((call) < 0)                                          \
				break;                                           \
		}                                                                \
	} while (0)

static struct out null_out(void)
{
	struct out o;
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0 || out_open_fd(&o, fd, "/dev/null") < 0)
		abort();
	return o;
}

static void close_out(struct out *o)
{
	out_close(o);
}

static void merge_agg(const char *p, size_t n)
{
	struct agg a;
	struct out o = null_out();
	const char *cut = memchr(p, '\0', n);
	size_t n1 = cut ? (size_t)(cut - p) : n;

	int ok = 1;

	agg_init(&a);
	a.merging = 1;
	agg_merge_input(&a);
	EACH_LINE(p, n1, (ok = agg_merge_line(&a, line, len, no_) >= 0) ? 0 : -1);
	ok = ok && agg_merge_input_done(&a) == 0;
	if (ok && cut) {
		agg_merge_input(&a);
		EACH_LINE(cut + 1, n - n1 - 1, (ok = agg_merge_line(&a, line, len, no_) >= 0) ? 0 : -1);
		ok = ok && agg_merge_input_done(&a) == 0;
	}
	/* vchain-aggregate writes only what merged without a refusal */
	if (ok && a.pin.header && !a.report)
		agg_write(&a, &o, OUT_NDJSON, 0);
	agg_free(&a);
	close_out(&o);
}

static void attribution(const char *p, size_t n, int from_paths)
{
	struct attrib_cfg c;
	struct attrib a;
	struct out o = null_out();

	memset(&c, 0, sizeof(c));
	c.lookback_ms = 30LL * 86400000;
	c.order = 1;
	c.value_field = "revenue";
	c.from_paths = from_paths;
	if (attrib_init(&a, &c) < 0)
		abort();
	if (from_paths) {
		char name[] = "/tmp/fuzz-paths-XXXXXX";
		int fd = mkstemp(name);

		if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n))
			abort();
		close(fd);
		if (attrib_read_paths(&a, name) == 0)
			attrib_write_summary(&a, &o);
		else if (!a.why[0])
			abort();
		unlink(name);
	} else {
		int ok = 1;

		attrib_merge_input(&a);
		EACH_LINE(p, n, (ok = attrib_merge_line(&a, line, len) >= 0) ? 0 : -1);
		if (ok && attrib_merge_input_done(&a) == 0 && a.configured)
			attrib_write_summary(&a, &o);
	}
	attrib_free(&a);
	close_out(&o);
}

static void advocates(const char *p, size_t n)
{
	struct adv_cfg c;
	struct adv a;
	struct out o = null_out();

	memset(&c, 0, sizeof(c));
	c.top = 20;
	c.half_life_ms = 90LL * 86400000;
	if (adv_init(&a, &c) < 0)
		abort();
	int ok = 1;

	adv_merge_input(&a);
	EACH_LINE(p, n, (ok = adv_merge_line(&a, line, len) >= 0) ? 0 : -1);
	if (ok && adv_merge_input_done(&a) == 0 && a.configured) {
		a.cfg.top = 20;
		adv_write_ranking(&a, &o);
		adv_write_summary(&a, &o);
	}
	adv_free(&a);
	close_out(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;

	if (!size)
		return 0;
	switch ((data[0] - 'a') & 3) {
	case 0: merge_agg(p, n); break;
	case 1: attribution(p, n, 0); break;
	case 2: advocates(p, n); break;
	default: attribution(p, n, 1); break;
	}
	return 0;
}
