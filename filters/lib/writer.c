/*
 * writer.c - see writer.h. Display widths come from the C library's
 * wcwidth in a UTF-8 locale of this thread only (uselocale), so the
 * filter's own locale, which is C under the tests, never changes.
 */
#define _XOPEN_SOURCE 700
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "json.h"
#include "writer.h"

int out_format_parse(const char *s, enum out_format *f)
{
	if (!strcmp(s, "ndjson") || !strcmp(s, "jsonl"))
		*f = OUT_NDJSON;
	else if (!strcmp(s, "csv"))
		*f = OUT_CSV;
	else if (!strcmp(s, "tsv"))
		*f = OUT_TSV;
	else if (!strcmp(s, "table") || !strcmp(s, "pprint"))
		*f = OUT_TABLE;
	else
		return -1;
	return 0;
}

/* A value of a CSV/TSV cell: strings decoded, null empty. */
static int cell_text(const struct buf *json, struct buf *out)
{
	out->len = 0;
	if (json->len == 4 && !memcmp(json->p, "null", 4))
		return 0;
	if (json->len >= 2 && json->p[0] == '"')
		return json_unescape(json->p + 1, json->len - 2, out);
	return buf_add(out, json->p, json->len);
}

static int csv_cell(struct buf *line, const struct buf *t, int last)
{
	size_t i;
	int quote = 0;

	for (i = 0; i < t->len; i++)
		if (t->p[i] == ',' || t->p[i] == '"' || t->p[i] == '\n' || t->p[i] == '\r')
			quote = 1;
	if (quote) {
		if (buf_addc(line, '"') < 0)
			return -1;
		for (i = 0; i < t->len; i++)
			if ((t->p[i] == '"' && buf_addc(line, '"') < 0) || buf_addc(line, t->p[i]) < 0)
				return -1;
		if (buf_addc(line, '"') < 0)
			return -1;
	} else if (buf_add(line, t->p, t->len) < 0)
		return -1;
	return buf_addc(line, last ? '\n' : ',');
}

static int tsv_cell(struct buf *line, const struct buf *t, int last)
{
	size_t i;

	for (i = 0; i < t->len; i++) {
		const char *e = t->p[i] == '\t' ? "\\t" : t->p[i] == '\n' ? "\\n" : t->p[i] == '\r' ? "\\r" :
				t->p[i] == '\\' ? "\\\\" : NULL;

		if (e ? buf_add(line, e, 2) < 0 : buf_addc(line, t->p[i]) < 0)
			return -1;
	}
	return buf_addc(line, last ? '\n' : '\t');
}

size_t writer_text_width(const char *s, size_t n)
{
	static _Thread_local locale_t utf8;
	static _Thread_local int tried;
	locale_t old = (locale_t)0;
	mbstate_t st;
	size_t i = 0, w = 0, k;
	wchar_t wc;
	int cw;

	if (!tried) {
		tried = 1;
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	if (utf8)
		old = uselocale(utf8);
	memset(&st, 0, sizeof(st));
	while (i < n) {
		if (!utf8) {	/* no UTF-8 locale: a column per character */
			w += ((unsigned char)s[i++] & 0xC0) != 0x80;
			continue;
		}
		k = mbrtowc(&wc, s + i, n - i, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof(st));
			i++, w++;
			continue;
		}
		i += k;
		cw = wcwidth(wc);
		w += cw > 0 ? (size_t)cw : 0;
	}
	if (utf8)
		uselocale(old);
	return w;
}

/* Whether a table shows string t quoted, as JSON: when bare it would look like something else. */
static int needs_quotes(const struct buf *t)
{
	size_t i;

	if (t->len == 0 || (t->len == 1 && t->p[0] == '-') || t->p[0] == ' ' || t->p[t->len - 1] == ' ' ||
	    t->p[0] == '"')
		return 1;
	for (i = 0; i < t->len; i++)
		if ((unsigned char)t->p[i] < 0x20 || t->p[i] == 0x7F)
			return 1;
	return 0;
}

/* x with two decimals, or when below small (and not 0) with sig significant digits. */
static int put_fixed(struct buf *b, double x, double small, int sig, const char *suffix)
{
	char t[64];
	int d = 2;
	double a = fabs(x);

	if (a > 0 && a < small) {
		d = (int)ceil(-log10(a)) + sig - 1;
		if (d < 2)
			d = 2;
		if (d > 15)
			d = 15;
	}
	snprintf(t, sizeof(t), "%.*f%s", d, x, suffix);
	return buf_adds(b, t);
}

/* How a table shows a value (JSON text v) of a column of kind k. */
static int table_cell(struct buf *out, enum col_kind k, const struct buf *v, struct buf *tmp)
{
	double x;

	out->len = 0;
	if (v->len == 4 && !memcmp(v->p, "null", 4))
		return buf_addc(out, '-');
	if (v->len >= 2 && v->p[0] == '"') {
		if (cell_text(v, tmp) < 0)
			return -1;
		if (needs_quotes(tmp))
			return json_escape(out, tmp->p, tmp->len);
		return buf_add(out, tmp->p, tmp->len);
	}
	if (!json_is_number(v->p, v->len) || k == COL_TEXT || k == COL_COUNT || k == COL_MONEY)
		return buf_add(out, v->p, v->len);
	tmp->len = 0;
	if (buf_add(tmp, v->p, v->len) < 0 || buf_addc(tmp, '\0') < 0)
		return -1;
	x = strtod(tmp->p, NULL);
	switch (k) {
	case COL_RATIO:
		return put_fixed(out, 100 * x, 1, 2, " %");
	case COL_FACTOR:
		return put_fixed(out, x, 1, 2, "x");
	case COL_NUMBER:
		return put_fixed(out, x, 1, 4, "");
	default:	/* COL_HOURS */
		return put_fixed(out, x, 0.01, 2, "");
	}
}

static int keep_cell(struct writer *w, int i, const struct buf *t)
{
	uint32_t n = (uint32_t)t->len;
	size_t width = writer_text_width(t->p, t->len);

	if (width > w->width[i])
		w->width[i] = width;
	return buf_add(&w->rows, &n, 4) < 0 || buf_add(&w->rows, t->p, t->len) < 0 ? -1 : 0;
}

int writer_open(struct writer *w, struct out *out, enum out_format fmt, int ncol, const char *const *names,
		const enum col_kind *kinds)
{
	int i;

	memset(w, 0, sizeof(*w));
	w->out = out;
	w->fmt = fmt;
	w->ncol = ncol;
	w->names = names;
	w->kinds = kinds;
	if (fmt == OUT_NDJSON) {	/* the names escaped once, not on every row */
		if (!(w->key_at = malloc(((size_t)ncol + 1) * sizeof(*w->key_at))))
			return -1;
		for (i = 0; i < ncol; i++) {
			w->key_at[i] = w->keys.len;
			if (buf_addc(&w->keys, i ? ',' : '{') < 0 || json_escape(&w->keys, names[i], strlen(names[i])) < 0 ||
			    buf_addc(&w->keys, ':') < 0) {
				writer_close(w);	/* (nothing written yet) */
				return -1;
			}
		}
		w->key_at[ncol] = w->keys.len;
		return 0;
	}
	if (fmt == OUT_TABLE) {
		if (!(w->width = calloc((size_t)ncol + 1, sizeof(*w->width))))
			return -1;
		for (i = 0; i < ncol; i++) {
			w->cell.len = 0;
			if (buf_adds(&w->cell, names[i]) < 0 || keep_cell(w, i, &w->cell) < 0)
				return -1;
		}
		return 0;
	}
	w->line.len = 0;
	for (i = 0; i < ncol; i++) {
		w->cell.len = 0;
		if (buf_adds(&w->cell, names[i]) < 0 ||
		    (fmt == OUT_CSV ? csv_cell(&w->line, &w->cell, i == ncol - 1)
				    : tsv_cell(&w->line, &w->cell, i == ncol - 1)) < 0)
			return -1;
	}
	return out_write(out, w->line.p, w->line.len);
}

int writer_format(const struct writer *w, const struct buf *vals, struct buf *line, struct buf *cell)
{
	int i;

	if (w->fmt == OUT_NDJSON) {
		size_t n = w->keys.len + 2;
		char *q;

		for (i = 0; i < w->ncol; i++)
			n += vals[i].len;
		if (line->cap - line->len < n && buf_grow(line, n) < 0)
			return -1;
		for (q = line->p + line->len, i = 0; i < w->ncol; i++) {
			memcpy(q, w->keys.p + w->key_at[i], w->key_at[i + 1] - w->key_at[i]);
			q += w->key_at[i + 1] - w->key_at[i];
			if (vals[i].len)	/* (an empty value's p may be NULL) */
				memcpy(q, vals[i].p, vals[i].len);
			q += vals[i].len;
		}
		memcpy(q, "}\n", 2);
		line->len += n;
		return 0;
	}
	for (i = 0; i < w->ncol; i++)
		if (cell_text(&vals[i], cell) < 0 ||
		    (w->fmt == OUT_CSV ? csv_cell(line, cell, i == w->ncol - 1)
				       : tsv_cell(line, cell, i == w->ncol - 1)) < 0)
			return -1;
	return 0;
}

int writer_row(struct writer *w, const struct buf *vals)
{
	struct buf tmp = BUF_INIT;
	int i, rc = 0;

	w->line.len = 0;
	if (w->fmt != OUT_TABLE)
		return writer_format(w, vals, &w->line, &w->cell) < 0 ? -1 : out_write(w->out, w->line.p, w->line.len);
	for (i = 0; i < w->ncol && rc == 0; i++)
		rc = table_cell(&w->cell, w->kinds[i], &vals[i], &tmp) < 0 || keep_cell(w, i, &w->cell) < 0 ? -1 : 0;
	buf_free(&tmp);
	return rc;
}

/* The digits after the point of a plain decimal s[0..n) ("-12.5": 1, "3": 0), or -1 ("-", "1e+20"). */
static int decimals(const char *s, size_t n)
{
	size_t i = n && s[0] == '-', dot = 0;

	if (i >= n)
		return -1;
	for (; i < n; i++)
		if (s[i] == '.' && !dot && i + 1 < n)
			dot = i;
		else if (s[i] < '0' || s[i] > '9')
			return -1;
	return dot ? (int)(n - dot - 1) : 0;
}

/* The bytes a plain decimal of d decimals gains to show most: the point (if it has none) and zeros. */
static size_t point_pad(int d, int most)
{
	return d >= 0 && d < most ? (size_t)(d == 0) + (size_t)(most - d) : 0;
}

/*
 * The money columns' decimals: a column shows every plain decimal with its
 * most (0 and 9.99 as 0.00 and 9.99, 12.5 as 12.50), so that the points
 * line up; the header row is not looked at, and the widths grow to fit.
 * dec[i] is 0 for other columns. 0, or -1 when out of memory.
 */
static int money_decimals(struct writer *w, int **dec)
{
	const char *p = w->rows.p, *end = w->rows.p + w->rows.len;
	int i, d, header, pass;
	uint32_t n;

	if (!(*dec = calloc((size_t)w->ncol + 1, sizeof(**dec))))
		return -1;
	for (pass = 0; pass < 2; pass++)	/* the most decimals, then the widths with them */
		for (p = w->rows.p, header = 1; p < end; header = 0)
			for (i = 0; i < w->ncol; i++, p += 4 + n) {
				memcpy(&n, p, 4);
				if (header || w->kinds[i] != COL_MONEY || (d = decimals(p + 4, n)) < 0)
					continue;
				if (pass == 0 && d > (*dec)[i])
					(*dec)[i] = d;
				else if (pass == 1 && n + point_pad(d, (*dec)[i]) > w->width[i])
					w->width[i] = n + point_pad(d, (*dec)[i]);
			}
	return 0;
}

/* The kept table: each line padded to the widths, text left and the rest right, two spaces apart. */
static int write_table(struct writer *w)
{
	const char *p = w->rows.p, *end = w->rows.p + w->rows.len;
	int i, d, header = 1, rc = -1;
	int *dec;

	if (money_decimals(w, &dec) < 0)
		return -1;
	for (; p < end; header = 0) {
		w->line.len = 0;
		for (i = 0; i < w->ncol; i++) {
			uint32_t n;
			size_t pad, more;

			memcpy(&n, p, 4);
			d = dec[i] && !header ? decimals(p + 4, n) : -1;
			if (!(more = point_pad(d, dec[i])))
				d = -1;	/* shown as it is */
			pad = w->width[i] - writer_text_width(p + 4, n) - more;
			if (i && buf_add(&w->line, "  ", 2) < 0)
				goto done;
			if (w->kinds[i] == COL_TEXT) {
				if (buf_add(&w->line, p + 4, n) < 0)
					goto done;
				if (i < w->ncol - 1)
					for (; pad; pad--)
						if (buf_addc(&w->line, ' ') < 0)
							goto done;
			} else {
				for (; pad; pad--)
					if (buf_addc(&w->line, ' ') < 0)
						goto done;
				if (buf_add(&w->line, p + 4, n) < 0 || (d == 0 && buf_addc(&w->line, '.') < 0))
					goto done;
				for (; d >= 0 && d < dec[i]; d++)
					if (buf_addc(&w->line, '0') < 0)
						goto done;
			}
			p += 4 + n;
		}
		if (buf_addc(&w->line, '\n') < 0 || out_write(w->out, w->line.p, w->line.len) < 0)
			goto done;
	}
	rc = 0;
done:
	free(dec);
	return rc;
}

int writer_close(struct writer *w)
{
	int rc = w->fmt == OUT_TABLE ? write_table(w) : 0;

	buf_free(&w->line);
	buf_free(&w->cell);
	buf_free(&w->rows);
	buf_free(&w->keys);
	free(w->key_at);
	free(w->width);
	w->width = NULL;
	w->key_at = NULL;
	return rc;
}
