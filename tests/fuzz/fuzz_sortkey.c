/*
 * libFuzzer target: sort keys (sortkey.c). Properties: no crash or
 * sanitizer report; a line that is one JSON object gets a key, or is
 * refused with a message, for the default key and for -k fields of any
 * kind; sortkey_cmp agrees with memcmp's order on the keys made.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sortkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sortkey def, any;
	static struct jobj obj;
	static int ready;
	struct buf a = BUF_INIT, b = BUF_INIT, tmp = BUF_INIT;
	const char *line = (const char *)data;
	char why[200];
	int r, c;

	if (!ready) {
		if (sortkey_default(&def) < 0 || sortkey_parse(&any, "ts,n,user_id", why) < 0)
			abort();
		any.missing = SORTKEY_LAST;
		ready = 1;
	}
	if (memchr(data, '\n', size) || json_scan_line(line, size, &obj, NULL) != 0)
		return 0;
	why[0] = '\0';
	r = sortkey_make(&def, &obj, &a, &tmp, why);
	if ((r != 0 && r != -1) || (r == -1 && !why[0]))
		abort();
	why[0] = '\0';
	r = sortkey_make(&any, &obj, &b, &tmp, why);
	if ((r != 0 && r != -1) || (r == -1 && !why[0]))
		abort();
	/* sortkey_cmp against memcmp on the two keys */
	c = memcmp(a.p ? a.p : "", b.p ? b.p : "", a.len < b.len ? a.len : b.len);
	if (!c)
		c = (a.len > b.len) - (a.len < b.len);
	if (sign(c) != sign(sortkey_cmp(a.p ? a.p : "", a.len, b.p ? b.p : "", b.len)))
		abort();
	buf_free(&a);
	buf_free(&b);
	buf_free(&tmp);
	return 0;
}
