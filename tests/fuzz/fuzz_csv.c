/*
 * libFuzzer target: CSV records. The input is a chunk; it is cut into
 * records as the workers cut it (in_record_len) and each record is split
 * (csvrec). Every record accepted is written back with every field quoted
 * and split again: the fields must come back the same. A record without
 * quotes must be its fields joined by the delimiter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csvrec.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct csvrec a, b;
	static int ready;
	struct buf chunk = BUF_INIT, q = BUF_INIT;
	const char *p, *end;
	uint64_t nl;
	long n, i;

	if (!ready) {
		csvrec_init(&a, ',', '"');
		csvrec_init(&b, ',', '"');
		ready = 1;
	}
	/* a chunk always ends in a newline */
	if (buf_add(&chunk, data, size) < 0 || buf_addc(&chunk, '\n') < 0)
		abort();
	for (p = chunk.p, end = chunk.p + chunk.len; p < end; ) {
		size_t len = in_record_len(p, (size_t)(end - p), '"', ',', &nl);

		if (len >= (size_t)(end - p) || p[len] != '\n')
			abort();
		n = csvrec_split(&a, p, len);
		if (n > 0) {
			q.len = 0;
			for (i = 0; i < n; i++) {
				const char *f = a.f[i], *e = f + a.flen[i];

				if (i)
					buf_addc(&q, ',');
				buf_addc(&q, '"');
				for (; f < e; f++) {
					if (*f == '"')
						buf_addc(&q, '"');
					buf_addc(&q, *f);
				}
				buf_addc(&q, '"');
			}
			if (csvrec_split(&b, q.p, q.len) != n)
				abort();
			for (i = 0; i < n; i++)
				if (a.flen[i] != b.flen[i] || memcmp(a.f[i], b.f[i], a.flen[i]))
					abort();
			if (!memchr(p, '"', len)) {
				size_t k = len && p[len - 1] == '\r' ? len - 1 : len, off = 0;

				for (i = 0; i < n; i++) {
					if (memcmp(p + off, a.f[i], a.flen[i]))
						abort();
					off += a.flen[i] + 1;
				}
				if (off != k + 1)
					abort();
			}
		}
		p += len + 1;
	}
	buf_free(&chunk);
	buf_free(&q);
	return 0;
}
