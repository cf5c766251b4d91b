/*
 * partial.c - see partial.h. A state line is read by the filter; here only
 * the envelope is checked, and the values are decoded strictly: anything
 * that is not what was written is refused, never guessed at.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
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
	if (ms == none_ms || ms == LLONG_MIN)
		return buf_add(b, "null", 4);
	return json_put_int(b, ms);
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

static int hash_line(XXH3_state_t **h, uint64_t *lines, const char *b, size_t n, int reset)
{
	if (!*h && !(*h = XXH3_createState()))
		return -1;
	if (reset) {
		XXH3_64bits_reset(*h);
		*lines = 0;
	}
	XXH3_64bits_update(*h, b, n);
	for (; n; n--)
		*lines += *b++ == '\n';
	return 0;
}

int partial_header_begin(struct buf *b)
{
	char t[40];

	return buf_add(b, t, (size_t)snprintf(t, sizeof(t), "{\"vchain_partial\":%d", PARTIAL_VERSION));
}

int partial_out_begin(struct partial_out *po, struct out *out, const char *b, size_t n)
{
	return hash_line(&po->h, &po->lines, b, n, 1) < 0 ? -1 : out_write(out, b, n);
}

int partial_out_line(struct partial_out *po, struct out *out, const char *b, size_t n)
{
	hash_line(&po->h, &po->lines, b, n, 0);
	return out_write(out, b, n);
}

int partial_out_end(struct partial_out *po, struct out *out)
{
	char t[128];
	int n = snprintf(t, sizeof(t), "{\"vchain_partial_end\":{\"lines\":%llu,\"xxh3\":\"%016llx\"}}\n",
			 (unsigned long long)po->lines, (unsigned long long)XXH3_64bits_digest(po->h));

	XXH3_freeState(po->h);
	po->h = NULL;
	return out_write(out, t, (size_t)n);
}

/* The end line's count and hash against what came since the header. */
static enum partial_kind end_line(struct partial_in *pi, const struct jfield *e, char *why)
{
	struct jobj o = JOBJ_INIT;
	const struct jfield *ln, *hx;
	uint64_t lines;
	char want[17];
	int ok;

	if (!pi->in_body) {
		snprintf(why, 200, "an end of partial results with no header before it");
		return PARTIAL_BAD;
	}
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)XXH3_64bits_digest(pi->h));
	ok = e->type == J_OBJ && json_scan_object(e->val, e->vlen, &o) == 0 && (ln = jobj_get(&o, "lines", 5)) &&
	     (hx = jobj_get(&o, "xxh3", 4)) && partial_get_u64(ln, &lines) == 0 && hx->type == J_STR &&
	     hx->vlen == 16;
	if (!ok) {
		jobj_free(&o);
		snprintf(why, 200, "an end of partial results this version cannot read");
		return PARTIAL_BAD;
	}
	ok = lines == pi->lines && !memcmp(hx->val, want, 16);
	jobj_free(&o);
	pi->in_body = 0;
	pi->ended = 1;
	if (!ok) {
		snprintf(why, 200, "damaged partial results: the %llu lines since the header do not match the "
			 "end line's count and hash", (unsigned long long)pi->lines);
		return PARTIAL_BAD;
	}
	return PARTIAL_END;
}

enum partial_kind partial_line(struct partial_in *pi, const struct jobj *obj, const char *line, size_t len,
			       const char *tool, const char *what, char *why)
{
	const struct jfield *ver = jobj_get(obj, "vchain_partial", 14), *end;
	int first;

	pi->any = 1;
	if (ver) {
		if (ver->type != J_NUM || ver->vlen != 1 || ver->val[0] != '0' + PARTIAL_VERSION)
			return snprintf(why, 200, "partial results of another version"), PARTIAL_BAD;
		if (pi->in_body)
			return snprintf(why, 200, "a header before the end of the partial results before it "
					"(a file cut short?)"), PARTIAL_BAD;
		first = !pi->header;
		if (first && !(pi->header = strndup(line, len)))
			return snprintf(why, 200, "out of memory"), PARTIAL_BAD;
		if (!first && (strlen(pi->header) != len || memcmp(pi->header, line, len)))
			return snprintf(why, 200, "partial results of another %s", what), PARTIAL_BAD;
		if (hash_line(&pi->h, &pi->lines, line, len, 1) < 0 || hash_line(&pi->h, &pi->lines, "\n", 1, 0) < 0)
			return snprintf(why, 200, "out of memory"), PARTIAL_BAD;
		pi->in_body = 1;
		pi->ended = 0;
		return first ? PARTIAL_FIRST : PARTIAL_AGAIN;
	}
	if ((end = jobj_get(obj, "vchain_partial_end", 18)))
		return end_line(pi, end, why);
	if (!pi->in_body && pi->ended)
		return snprintf(why, 200, "a line after the end of the partial results"), PARTIAL_BAD;
	if (!pi->in_body)
		return snprintf(why, 200, "not partial results of %s --partial (no header line first)", tool),
		       PARTIAL_BAD;
	hash_line(&pi->h, &pi->lines, line, len, 0);
	hash_line(&pi->h, &pi->lines, "\n", 1, 0);
	return PARTIAL_STATE;
}

int partial_copy_line(struct jobj *obj, const char *line, size_t len, const struct scan_marks *marks,
		      struct buf *out, char *why)
{
	int r = json_scan_record(line, len, obj, marks, why);

	if (r < 0)
		return r;
	return buf_add(out, line, len) < 0 || buf_addc(out, '\n') < 0 ? -2 : 0;
}

void partial_next_input(struct partial_in *pi)
{
	pi->in_body = pi->ended = pi->any = 0;
}

int partial_input_done(struct partial_in *pi, char *why)
{
	if (!pi->any)
		return snprintf(why, 200, "no partial results (an empty file)"), -1;
	if (pi->in_body)
		return snprintf(why, 200, "partial results cut short: no end line after the %llu lines since the "
				"header", (unsigned long long)pi->lines), -1;
	return 0;
}

void partial_in_free(struct partial_in *pi)
{
	free(pi->header);
	pi->header = NULL;
	if (pi->h)
		XXH3_freeState(pi->h);
	pi->h = NULL;
}
