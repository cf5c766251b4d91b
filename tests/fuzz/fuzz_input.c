/*
 * libFuzzer target: the input layer on arbitrary bytes, plain or (when the
 * data starts with the gzip magic) through both gzip decoders. Properties:
 * no crash; lines never exceed max_line; a plain input's lines joined with
 * '\n' give back the input (up to a final newline).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const char *path, const uint8_t *data, size_t size, enum in_inflate inf)
{
	struct in_opts o = { 4096, inf };
	struct in in;
	const char *line;
	size_t len, pos = 0;
	int r, plain = size < 2 || data[0] != 0x1f || data[1] != 0x8b;

	if (in_open(&in, path, &o) < 0)
		abort();
	while ((r = in_line(&in, &line, &len)) > 0) {
		if (len > 4096)
			abort();
		if (plain) {
			if (pos + len > size || memcmp(data + pos, line, len) != 0)
				abort();
			pos += len + 1;
		}
	}
	if (plain && r == 0 && pos < size)
		abort();
	in_close(&in);
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
	run(path, data, size, IN_INFLATE_ZLIB);
	if (in_have_isal())
		run(path, data, size, IN_INFLATE_ISAL);
	unlink(path);
	return 0;
}
