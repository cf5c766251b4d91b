/*
 * libFuzzer target: the JSON scanner and the event normaliser on one line.
 * Properties: no crash or sanitizer report; a line the normaliser accepts
 * gives output that the scanner accepts as one object; normalising that
 * output again gives the same bytes (canonical form is a fixed point).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event_norm en, again;
	struct jobj o = JOBJ_INIT;
	const char *line = (const char *)data;
	char *first;
	size_t n;

	if (memchr(data, '\n', size))
		return 0;	/* one line is one record */
	json_validate(line, size, &o);
	jobj_free(&o);
	if (event_normalize(&en, line, size) != 0)
		return 0;
	n = en.out.len - 1;	/* without its '\n' */
	if (json_scan_object(en.out.p, n, &o) != 0)
		abort();
	jobj_free(&o);
	first = malloc(n);
	memcpy(first, en.out.p, n);
	if (event_normalize(&again, first, n) != 0 || again.out.len - 1 != n ||
	    memcmp(again.out.p, first, n) != 0)
		abort();
	free(first);
	return 0;
}
