/*
 * partial.c - see partial.h. A state line is read by the filter; here only
 * the envelope is checked, and the values are decoded strictly: anything
 * that is not what was written is refused, never guessed at.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partial.h"

int partial_put_hash(struct buf *b, struct h128 h)
{
	char hex[34];

	hex[0] = hex[33] = '"';
	h128_hex(h, hex + 1);
	return buf_add(b, hex, 34);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int partial_get_hash(const struct jfield *f, struct h128 *h)
{
	int j, x;

	if (!f || f->type != J_STR || f->vlen != 32)
		return -1;
	h->hi = h->lo = 0;
	for (j = 0; j < 32; j++) {
		if ((x = hexval(f->val[j])) < 0)
			return -1;
		if (j < 16)
			h->hi = h->hi << 4 | (uint64_t)x;
		else
			h->lo = h->lo << 4 | (uint64_t)x;
	}
	return 0;
}

int partial_put_ms(struct buf *b, long long ms, long long none_ms)
{
	char t[24];

	if (ms == none_ms || ms == LLONG_MIN)
		return buf_add(b, "null", 4);
	return buf_add(b, t, (size_t)snprintf(t, sizeof(t), "%lld", ms));
}

int partial_get_ms(const struct jfield *f, long long *ms, long long none_ms)
{
	struct dec d;

	if (f && f->type == J_NULL)
		return *ms = none_ms, 0;
	if (!f || f->type != J_NUM || dec_parse(f->val, f->vlen, &d) < 0 || d.scale || d.m >= LLONG_MAX ||
	    d.m <= LLONG_MIN)
		return -1;
	*ms = (long long)d.m;
	return 0;
}

int partial_put_dec(struct buf *b, struct dec d)
{
	char t[DEC_MAX_LEN];

	return json_escape(b, t, dec_format(d, t));
}

int partial_get_dec(const struct jfield *f, struct dec *d)
{
	return f && f->type == J_STR && dec_parse(f->val, f->vlen, d) == 0 ? 0 : -1;
}

int partial_get_u64(const struct jfield *f, uint64_t *v)
{
	struct dec d;

	if (!f || f->type != J_NUM || dec_parse(f->val, f->vlen, &d) < 0 || d.scale || d.m < 0)
		return -1;
	*v = (uint64_t)d.m;
	return 0;
}

enum partial_kind partial_line(struct partial_in *pi, const struct jobj *obj, const char *line, size_t len,
			       const char *tool, const char *what, char *why)
{
	const struct jfield *ver = jobj_get(obj, "vchain_partial", 14);

	if (ver) {
		if (ver->type != J_NUM || ver->vlen != 1 || ver->val[0] != '0' + PARTIAL_VERSION)
			return snprintf(why, 200, "partial results of another version"), PARTIAL_BAD;
		pi->saw_header = 1;
		if (!pi->header) {
			if (!(pi->header = strndup(line, len)))
				return snprintf(why, 200, "out of memory"), PARTIAL_BAD;
			return PARTIAL_FIRST;
		}
		if (strlen(pi->header) != len || memcmp(pi->header, line, len))
			return snprintf(why, 200, "partial results of another %s", what), PARTIAL_BAD;
		return PARTIAL_AGAIN;
	}
	if (!pi->saw_header)
		return snprintf(why, 200, "not partial results of %s --partial (no header line first)", tool),
		       PARTIAL_BAD;
	return PARTIAL_STATE;
}

void partial_in_free(struct partial_in *pi)
{
	free(pi->header);
	pi->header = NULL;
}
