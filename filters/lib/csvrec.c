/*
 * csvrec.c - see csvrec.h. The in-place path and libcsv agree on every
 * record without quotes (tests/unit/test_csvrec.c checks both ways).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "csvrec.h"
#include "json.h"

static int no_space(unsigned char c)
{
	(void)c;
	return 0;	/* spaces are part of a field (RFC 4180) */
}

static int newline_only(unsigned char c)
{
	return c == '\n';	/* records come whole: a lone '\r' is data */
}

static int setup(struct csvrec *r)
{
	if (csv_init(&r->p, 0) != 0)
		return -1;
	csv_set_delim(&r->p, (unsigned char)r->delim);
	csv_set_quote(&r->p, (unsigned char)r->quote);
	csv_set_space_func(&r->p, no_space);
	csv_set_term_func(&r->p, newline_only);
	return 0;
}

int csvrec_init(struct csvrec *r, char delim, char quote)
{
	memset(r, 0, sizeof(*r));
	r->delim = delim;
	r->quote = quote;
	return setup(r);
}

void csvrec_set_delim(struct csvrec *r, char d)
{
	if (r->delim == d)
		return;
	r->delim = d;
	csv_set_delim(&r->p, (unsigned char)d);
}

void csvrec_free(struct csvrec *r)
{
	csv_free(&r->p);
	free(r->f);
	free(r->flen);
	free(r->off);
	buf_free(&r->data);
	memset(r, 0, sizeof(*r));
}

static int room(struct csvrec *r)
{
	size_t cap;
	const char **f;
	size_t *fl, *off;

	if (r->n < r->cap)
		return 0;
	cap = r->cap ? 2 * r->cap : 16;
	f = realloc(r->f, cap * sizeof(*f));
	if (f)
		r->f = f;
	fl = realloc(r->flen, cap * sizeof(*fl));
	if (fl)
		r->flen = fl;
	off = realloc(r->off, cap * sizeof(*off));
	if (off)
		r->off = off;
	if (!f || !fl || !off)
		return -1;
	r->cap = cap;
	return 0;
}

static void on_field(void *s, size_t len, void *ctx)
{
	struct csvrec *r = ctx;

	if (r->oom || room(r) < 0) {
		r->oom = 1;
		return;
	}
	r->off[r->n] = r->data.len;
	r->flen[r->n] = len;
	r->n++;
	if (len && buf_add(&r->data, s, len) < 0)
		r->oom = 1;
}

static void on_row(int c, void *ctx)
{
	(void)c;
	((struct csvrec *)ctx)->rows++;
}

/*
 * What libcsv's lenient mode would let through but a CSV writer never
 * writes: text after a closing quote ("a"b), and a quote left open.
 * Returns 0, or -1 with r->err.
 */
static int check_quotes(struct csvrec *r, const char *rec, size_t len)
{
	enum { FIELD, UNQ, QUOTED, QQ } s = FIELD;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = rec[i];

		switch (s) {
		case FIELD:
			s = c == r->quote ? QUOTED : c == r->delim ? FIELD : UNQ;
			break;
		case UNQ:
			if (c == r->delim)
				s = FIELD;
			break;
		case QUOTED:
			if (c == r->quote)
				s = QQ;
			break;
		case QQ:
			if (c == r->quote)
				s = QUOTED;
			else if (c == r->delim)
				s = FIELD;
			else {
				snprintf(r->err, sizeof(r->err), "bad CSV: text after a closing quote "
					 "(byte %zu of the record)", i + 1);
				return -1;
			}
			break;
		}
	}
	if (s == QUOTED) {
		snprintf(r->err, sizeof(r->err), "bad CSV: a quoted field is not closed");
		return -1;
	}
	return 0;
}

static long split_quoted(struct csvrec *r, const char *rec, size_t len)
{
	size_t k, i;
	int e;

	if (check_quotes(r, rec, len) < 0)
		return -1;

	r->data.len = 0;
	r->rows = 0;
	k = csv_parse(&r->p, rec, len, on_field, on_row, r);
	e = csv_error(&r->p);
	if (k < len || e != CSV_SUCCESS) {
		snprintf(r->err, sizeof(r->err), "bad CSV (byte %zu of the record)", k + 1);
		goto reset;
	}
	if (csv_fini(&r->p, on_field, on_row, r) != 0) {
		snprintf(r->err, sizeof(r->err), "bad CSV: a quoted field is not closed");
		goto reset;
	}
	if (r->oom)
		return -2;
	if (r->rows != 1) {
		snprintf(r->err, sizeof(r->err), "bad CSV: %zu rows in one record", r->rows);
		return -1;
	}
	for (i = 0; i < r->n; i++)
		r->f[i] = r->data.p ? r->data.p + r->off[i] : "";
	return (long)r->n;
reset:
	/* after an error libcsv's state is undefined: start afresh */
	csv_free(&r->p);
	if (setup(r) < 0)
		return -2;
	return r->oom ? -2 : -1;
}

/* A field ends at d (the end of the record or a delimiter). 0, or -1 when out of memory. */
static inline int add_field(struct csvrec *r, const char *start, const char *d)
{
	if (r->n == r->cap && room(r) < 0)
		return -1;
	r->f[r->n] = start;
	r->flen[r->n++] = (size_t)(d - start);
	return 0;
}

long csvrec_split(struct csvrec *r, const char *rec, size_t len)
{
	const char *p = rec, *start = rec, *end;
	unsigned high = 0;

	if (len && rec[len - 1] == '\r')
		len--;
	r->n = 0;
	r->oom = 0;
	r->ascii = 0;
	end = rec + len;
	/*
	 * One pass finds the delimiters, sixteen bytes at a time, and gives the
	 * record to libcsv at its first quote (a call per field cost 40% of a
	 * CSV aggregation in memchr).
	 */
#ifdef __SSE2__
	{
		const __m128i dv = _mm_set1_epi8(r->delim), qv = _mm_set1_epi8(r->quote);

		for (; end - p >= 16; p += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			unsigned m;

			high |= (unsigned)_mm_movemask_epi8(v);	/* bytes >= 0x80 */
			if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, qv))) {
				r->n = 0;
				return split_quoted(r, rec, len);
			}
			for (m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, dv)); m; m &= m - 1) {
				const char *d = p + __builtin_ctz(m);

				if (add_field(r, start, d) < 0)
					return -2;
				start = d + 1;
			}
		}
	}
#endif
	for (; p < end; p++) {
		high |= (unsigned char)*p >= 0x80;
		if (*p == r->quote) {
			r->n = 0;
			return split_quoted(r, rec, len);
		}
		if (*p == r->delim) {
			if (add_field(r, start, p) < 0)
				return -2;
			start = p + 1;
		}
	}
	r->ascii = !high;
	return add_field(r, start, end) < 0 ? -2 : (long)r->n;
}

int csvrec_utf8(const struct csvrec *r, const char *rec, size_t len)
{
	return r->ascii || utf8_valid(rec, len);
}
