/*
 * libFuzzer target: vchain-sort's run files (LZ4 frames of key/record
 * pairs) read back as a damaged disk or a stray file would give them.
 * Properties: no crash or sanitizer report; every pair handed out lies in
 * the reader's buffers; a damaged run ends in -1 with a message. A run
 * written by spill_put from the input's own pairs reads back exactly.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "spill.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spill_reader r;
	struct spill_writer w;
	const char *k, *v;
	uint32_t kl, vl;
	int fd = memfd_create("run", 0), x;
	size_t half = size / 2;

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	memset(&r, 0, sizeof(r));
	if (spill_open(&r, fd, 4096) == 0) {
		r.max_pair = 1 << 20;	/* as vchain-sort bounds it: the longest pair it added */
		while ((x = spill_next(&r, &k, &kl, &v, &vl)) == 1)
			if ((size_t)kl + vl > r.max_pair)
				abort();
		if (x < 0 && !r.why[0])
			abort();
	}
	spill_reader_free(&r);
	/* the bytes as one pair, written and read back */
	memset(&w, 0, sizeof(w));
	if (spill_create(&w, "/tmp") == 0) {
		if (spill_put(&w, data, (uint32_t)half, data + half, (uint32_t)(size - half)) < 0)
			abort();
		if ((fd = spill_finish(&w, NULL)) < 0)
			abort();
		memset(&r, 0, sizeof(r));
		if (spill_open(&r, fd, 4096) < 0 || spill_next(&r, &k, &kl, &v, &vl) != 1 || kl != half ||
		    vl != size - half || memcmp(k, data, half) || memcmp(v, data + half, size - half) ||
		    spill_next(&r, &k, &kl, &v, &vl) != 0)
			abort();
		spill_reader_free(&r);
		if (spill_create(&w, "/tmp") == 0) {
			/* the same run with one byte damaged where the input says: read as far as it goes */
			static char run[1 << 17];
			ssize_t n;

			if (spill_put(&w, data, (uint32_t)half, data + half, (uint32_t)(size - half)) < 0 ||
			    spill_put(&w, data + half, (uint32_t)(size - half), data, (uint32_t)half) < 0 ||
			    (fd = spill_finish(&w, NULL)) < 0)
				abort();
			n = read(fd, run, sizeof(run));
			close(fd);
			if (n > 0 && size >= 2) {
				run[(size_t)(data[0] * 7919u + data[1]) % (size_t)n] ^= (char)(data[size - 1] | 1);
				fd = memfd_create("bad", 0);
				if (fd < 0 || write(fd, run, (size_t)n) != n || lseek(fd, 0, SEEK_SET) != 0)
					abort();
				memset(&r, 0, sizeof(r));
				if (spill_open(&r, fd, 4096) == 0) {
					r.max_pair = size;
					while ((x = spill_next(&r, &k, &kl, &v, &vl)) == 1)
						;
					if (x < 0 && !r.why[0])
						abort();
				}
				spill_reader_free(&r);
			}
		} else
			spill_writer_free(&w);
	} else
		spill_writer_free(&w);
	return 0;
}
