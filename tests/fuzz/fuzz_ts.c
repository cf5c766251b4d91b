/*
 * libFuzzer target: timestamp parsing. Whatever parses formats to a string
 * that parses back to the same instant; the same for --ts-format's forms;
 * and the input as a format string, on fixed texts, never crashes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(struct vts t)
{
	struct vts u;
	char out[TS_MAX_LEN];
	size_t n;

	if (!ts_in_range(t))
		return;
	n = ts_format(t, out);
	if (ts_parse(out, n, &u) != 0 || u.sec != t.sec || u.nsec != t.nsec)
		abort();
	if (ts_is_canonical(out, n) != (t.nsec == 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fmts[] = { "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M:%S.%f", "%a, %d %b %Y %T %z",
					    "%I:%M %p %e %B %y", "%s", "%Y%m%dT%H%M%S%Z" };
	static const char *const texts[] = { "12/1/2010 8:26", "2019-10-01 00:00:00 UTC", "1569888000",
					     "Sun, 01 Dec 2019 00:00:00 +0100" };
	struct vts t;
	char fmt[64];
	int zoned;
	size_t k;

	if (ts_parse((const char *)data, size, &t) == 0)
		round_trip(t);
	if (size && ts_parse_format(fmts[data[0] % 6], (const char *)data + 1, size - 1, &t, &zoned) == 0)
		round_trip(t);
	if (size < sizeof(fmt) && !memchr(data, '\0', size)) {
		memcpy(fmt, data, size);
		fmt[size] = '\0';
		for (k = 0; k < 4; k++)
			if (ts_parse_format(fmt, texts[k], strlen(texts[k]), &t, &zoned) == 0)
				round_trip(t);
	}
	return 0;
}
