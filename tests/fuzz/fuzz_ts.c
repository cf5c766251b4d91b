/*
 * libFuzzer target: timestamp parsing. Whatever parses formats to a string
 * that parses back to the same instant.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vts t, u;
	char out[TS_MAX_LEN];
	size_t n;

	if (ts_parse((const char *)data, size, &t) != 0 || !ts_in_range(t))
		return 0;
	n = ts_format(t, out);
	if (ts_parse(out, n, &u) != 0 || u.sec != t.sec || u.nsec != t.nsec)
		abort();
	if (ts_is_canonical(out, n) != (t.nsec == 0))
		abort();
	return 0;
}
