/*
 * libFuzzer target: the Twitter/X mapping (v1.1 statuses, v2 tweets with
 * includes, pages of them). Properties: no crash or sanitizer report; a
 * line is events (each one JSON object on its line), a rule, or a bad
 * record with a message; with and without a brand handle.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "json.h"
#include "twitter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const char *brand, const char *line, size_t len)
{
	struct event_norm en;
	struct twitter tw;
	struct buf out = BUF_INIT;
	struct jobj o;
	char why[200];
	const char *p, *nl, *end;
	int r;

	memset(&tw, 0, sizeof(tw));
	memset(&o, 0, sizeof(o));
	event_norm_init(&en);
	tw.brand = brand;
	tw.en = &en;
	why[0] = '\0';
	r = twitter_line(&tw, line, len, NULL, &out, why);
	if (r < 0 && r != -2 && !why[0])
		abort();	/* a bad record says why */
	if (r == 0)
		for (p = out.p, end = out.p + out.len; p < end; p = nl + 1) {
			if (!(nl = memchr(p, '\n', (size_t)(end - p))) || json_scan_object(p, (size_t)(nl - p), &o) != 0)
				abort();
		}
	jobj_free(&o);
	twitter_free(&tw);
	event_norm_free(&en);
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(NULL, (const char *)data, size);
	one("brand", (const char *)data, size);
	return 0;
}
