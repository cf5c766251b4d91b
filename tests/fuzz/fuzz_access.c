/*
 * libFuzzer target: access log lines and the URL helpers. Spans stay
 * inside the line; hosts fit their buffer and are lower case; decoding
 * never grows a value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "buf.h"
#include "vocab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *line, size_t n, struct span s)
{
	if (s.p && (s.p < line || s.p + s.n > line + n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data, *err, *v;
	struct access_rec r;
	struct buf b = BUF_INIT;
	char host[64];
	size_t hn, vn, i;
	struct span e;

	if (access_parse(line, size, &r, &err) == 0) {
		inside(line, size, r.client);
		inside(line, size, r.time);
		inside(line, size, r.target);
		inside(line, size, r.agent);
		for (i = 0; i < (size_t)r.nextra; i++)
			inside(line, size, r.extra[i]);
		if (r.status < 100 || r.status > 599)
			abort();
		if (r.agent.n)
			(void)vocab_is_bot(r.agent.p, r.agent.n);
		if (access_unescape(&b, r.agent.p ? r.agent.p : "", r.agent.n) < 0 || b.len > r.agent.n)
			abort();
	}
	hn = url_host(line, size, host, sizeof(host));
	if (hn >= sizeof(host))
		abort();
	for (i = 0; i < hn; i++)
		if (host[i] >= 'A' && host[i] <= 'Z')
			abort();
	v = url_param(line, size, "utm_source", 10, &vn);
	if (v) {
		inside(line, size, (struct span){ v, vn });
		b.len = 0;
		if (url_decode(&b, v, vn) < 0 || b.len > vn)
			abort();
	}
	e = url_extension(line, size);
	inside(line, size, e);
	buf_free(&b);
	return 0;
}
