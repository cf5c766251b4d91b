/*
 * libFuzzer target: the JSON scanner and the event normaliser on one line.
 * Properties: no crash or sanitizer report; the quote-bitmap scan and the
 * byte-by-byte scan agree (result, message, column, members); a compact
 * flat walk that reaches its end has the scanner's members; json_line_key
 * has the scanner's verdict and key, and json_line_pick its verdict and
 * members, alone and in a chunk; a record
 * copied as it is equals the record rebuilt; a line the normaliser accepts
 * gives output that the scanner accepts as one object; normalising that
 * output again gives the same bytes (canonical form is a fixed point).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_field(const struct jfield *a, const struct jfield *b)
{
	return a->key == b->key && a->val == b->val && a->klen == b->klen && a->vlen == b->vlen &&
	       a->type == b->type && a->kesc == b->kesc && a->vesc == b->vesc;
}

/*
 * json_line_key gives the scan's verdict and key, and json_line_pick its
 * verdict and jobj_get's members, for a few names (the line may be in a
 * chunk); "ka" and "kb" share a pick slot (length and first byte).
 */
static void keys_agree(const char *line, size_t size, const struct scan_marks *marks, int ra, const struct jobj *a)
{
	static const char *const names[] = { "k", "a", "", "ka", "kb" };
	static const size_t lens[] = { 1, 1, 0, 2, 2 };
	static struct jobj scratch;
	static struct buf ka, kb, tmp;
	const struct jfield *got[5], *want;
	struct jfield f[5];
	struct jpick pk;
	char why[200];
	unsigned n, i;
	int r, rb;

	for (n = 1; n <= 5; n++) {
		json_pick_init(&pk, names, lens, n);
		r = json_line_key(&scratch, line, size, marks, &pk, &ka, &tmp, why);
		rb = ra == 0 ? json_record_key(a, names, lens, n, &kb, &tmp) : ra;
		if (r != rb || (r == 1 && (ka.len != kb.len || memcmp(ka.p, kb.p, ka.len) != 0)))
			abort();
		r = json_line_pick(&scratch, line, size, marks, &pk, f, got, why);
		if ((r > 0 ? 0 : r) != ra)
			abort();
		for (i = 0; i < n && ra == 0; i++) {
			want = jobj_get(a, names[i], lens[i]);
			if (!want != !got[i] || (want && (want->vlen != got[i]->vlen || want->type != got[i]->type ||
							   memcmp(want->val, got[i]->val, want->vlen) != 0)))
				abort();
		}
	}
}

/* The line in a chunk, a line with quotes after it, scanned with the chunk's marks. */
static void marked_agrees(const char *line, size_t size, int ra, const struct jobj *a)
{
	static const char after[] = "\n{\"q\":\"\\\"\"}\n";
	static struct jobj m;
	struct scan_marks marks;
	size_t n = size + sizeof(after) - 1, i, words = SCAN_WORDS(n);
	char *chunk = malloc(n);
	uint64_t *bits = malloc((3 * words + 1) * sizeof(*bits));

	memcpy(chunk, line, size);
	memcpy(chunk + size, after, sizeof(after) - 1);
	marks.any_attn = scan_json_lines(chunk, n, bits, bits + words, bits + 2 * words + 1);
	marks.base = chunk;
	marks.n = n;
	marks.newline = bits;
	marks.quote = bits + words;
	marks.attn = bits + 2 * words + 1;
	marks.nwords = words;
	if (json_scan_line(chunk, size, &m, &marks) != ra)
		abort();
	keys_agree(chunk, size, &marks, ra, a);
	if (ra == -1 && (strcmp(m.err, a->err) != 0 || m.err_col != a->err_col))
		abort();
	if (ra == 0) {
		if (m.n != a->n)
			abort();
		for (i = 0; i < m.n; i++)	/* the same spans, in the chunk's copy */
			if (m.f[i].key - chunk != a->f[i].key - line || m.f[i].val - chunk != a->f[i].val - line ||
			    m.f[i].klen != a->f[i].klen || m.f[i].vlen != a->f[i].vlen || m.f[i].type != a->f[i].type)
				abort();
	}
	free(bits);
	free(chunk);
}

static void scans_agree(const char *line, size_t size)
{
	static struct jobj a, b, flat;
	struct jflat it;
	struct jfield f;
	size_t i, n = 0, k;
	int ra, rb, r, r2, empty;

	json_use_bitmap(1);
	ra = json_scan_object(line, size, &a);
	json_use_bitmap(0);
	rb = json_scan_object(line, size, &b);
	json_use_bitmap(1);
	if (ra != rb)
		abort();
	if (ra == -1 && (strcmp(a.err, b.err) != 0 || a.err_col != b.err_col))
		abort();
	if (ra == 0) {
		if (a.n != b.n)
			abort();
		for (i = 0; i < a.n; i++)
			if (!same_field(&a.f[i], &b.f[i]))
				abort();
	}
	marked_agrees(line, size, ra, &a);
	keys_agree(line, size, NULL, ra, &a);
	if (json_flat_init(&it, line, size, &flat, NULL) < 0)
		return;
	/* the walk may give members of a line it then finds no compact flat object */
	while ((r = json_flat_next(&it, &f)) == JFLAT_MEMBER) {
		if (ra == 0 && n < a.n && !same_field(&f, &a.f[n]))
			abort();
		n++;
	}
	if (r == JFLAT_END && (ra != 0 || n != a.n))
		abort();
	/* again, stepping over string values: the same end after the same members */
	if (json_flat_init(&it, line, size, &flat, NULL) < 0)
		abort();
	k = 0;
	while ((r2 = json_flat_key(&it, &f)) == JFLAT_MEMBER) {
		if (json_flat_skip_string(&it, &empty) == JFLAT_MEMBER) {
			if (r == JFLAT_END && (a.f[k].type != J_STR || empty != (a.f[k].vlen == 0)))
				abort();
		} else if ((r2 = json_flat_value(&it, &f)) != JFLAT_MEMBER)
			break;
		k++;
	}
	if ((r == JFLAT_END) != (r2 == JFLAT_END) || (r == JFLAT_END && k != n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event_norm en, rebuilt, again;
	struct jobj o = JOBJ_INIT;
	const char *line = (const char *)data;
	char *first;
	size_t n;
	int r;

	if (memchr(data, '\n', size))
		return 0;	/* one line is one record */
	json_validate(line, size, &o);
	jobj_free(&o);
	scans_agree(line, size);
	rebuilt.always_rebuild = 1;
	r = event_normalize(&en, line, size);
	if (r != event_normalize(&rebuilt, line, size))
		abort();
	if (r != 0)
		return 0;
	if (en.out.len != rebuilt.out.len || memcmp(en.out.p, rebuilt.out.p, en.out.len) != 0)
		abort();
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
