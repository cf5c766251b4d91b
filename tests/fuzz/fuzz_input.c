/*
 * libFuzzer target: the input layer on arbitrary bytes, plain or (when the
 * data starts with the gzip magic) through both gzip decoders, read with
 * in_chunk() as the filters do, BGZF members decoded ahead between reads. Properties: no crash; the line count is
 * right; lines never exceed max_line; plain input comes back whole (a
 * final newline added where it had none); read with helpers (a gzip cut at
 * flush points shared out) it is what one decoder makes of it, or an error
 * as with one decoder. And the same bytes read as
 * Latin-1 and as UTF-16 (--encoding): no crash, whole lines of valid UTF-8
 * or an error, and Latin-1 (every byte a character) never an error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decoded(const char *path, const char *enc)
{
	struct in_opts o = { 4096, IN_INFLATE_ZLIB, enc, 0 };
	struct buf got = BUF_INIT;
	struct in in;
	uint64_t lines;
	int r;

	if (in_open(&in, path, &o) < 0)
		abort();
	while ((r = in_chunk(&in, &got, 1024, &lines)) > 0)
		;
	if (got.len && got.p[got.len - 1] != '\n')
		abort();
	if (r < 0 && !strcmp(enc, "LATIN1") && !strstr(in.err, "longer than") && !strstr(in.err, "gzip"))
		abort();	/* Latin-1 decodes any byte */
	buf_free(&got);
	in_close(&in);
}

/*
 * Read as the filters do, with helpers threads' in_work_ahead between
 * reads (here in turn); what came, in *got, and in_chunk's last return.
 */
static int run(const char *path, const uint8_t *data, size_t size, enum in_inflate inf, unsigned helpers,
	       struct buf *out)
{
	struct in_opts o = { 4096, inf, NULL, helpers };
	struct buf got = BUF_INIT;
	struct in in;
	uint64_t lines, total = 0;
	const char *p, *nl;
	int r, plain = size < 2 || data[0] != 0x1f || data[1] != 0x8b;

	if (in_open(&in, path, &o) < 0)
		abort();
	/* BGZF: members decoded ahead (as an idle worker would: two batches here), between the reader's reads */
	if (in_work_ahead(&in))
		in_work_ahead(&in);
	while ((r = in_chunk(&in, &got, 1024, &lines)) > 0) {
		total += lines;
		in_work_ahead(&in);
	}
	/* every line handed out ends in '\n' and fits max_line */
	for (p = got.p; p && p < got.p + got.len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(got.p + got.len - p));
		if (!nl || (size_t)(nl - p) > 4096)
			abort();
		total--;
	}
	if (total != 0)
		abort();
	/* plain input comes back whole, with a last newline added if it had none */
	if (plain && r == 0 && !(got.len == size || (got.len == size + 1 && got.p[size] == '\n')))
		abort();
	if (plain && r == 0 && size && memcmp(got.p, data, size) != 0)
		abort();
	*out = got;
	in_close(&in);
	return r;
}

/*
 * One decoder, and helpers decoding ahead (a gzip cut at flush points is
 * then shared out): the same bytes, or both an error.
 */
static void both(const char *path, const uint8_t *data, size_t size, enum in_inflate inf)
{
	struct buf one = BUF_INIT, many = BUF_INIT;
	int r1 = run(path, data, size, inf, 0, &one), r2 = run(path, data, size, inf, 4, &many);

	if ((r1 < 0) != (r2 < 0))
		abort();
	if (r1 == 0 && (one.len != many.len || (one.len && memcmp(one.p, many.p, one.len))))
		abort();
	buf_free(&one);
	buf_free(&many);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/vchain-fuzz-input-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	both(path, data, size, IN_INFLATE_ZLIB);
	if (in_have_isal())
		both(path, data, size, IN_INFLATE_ISAL);
	decoded(path, "LATIN1");
	decoded(path, "UTF-16");
	unlink(path);
	return 0;
}
