/*
 * recin.c - see recin.h.
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "recin.h"
#include "source.h"

int recin_parse_from(const char *s, enum recin_format *f, char *delim)
{
	if (!strcmp(s, "ndjson") || !strcmp(s, "jsonl"))
		*f = RECIN_NDJSON;
	else if (!strcmp(s, "csv") || !strcmp(s, "tsv"))
		*f = RECIN_CSV, *delim = s[0] == 't' ? '\t' : ',';
	else
		return -1;
	return 0;
}

int recin_init(struct recin *ri, const struct rec_layout *l)
{
	ri->l = l;
	return csvrec_init(&ri->hcsv, ',', '"');
}

int recin_worker_init(struct recin_worker *w)
{
	memset(w, 0, sizeof(*w));
	return csvrec_init(&w->csv, ',', '"');
}

/* A CSV input's header: the column of each slot (source_columns: by name, else by canonical field). */
static int header(void *ctx, const char *rec, size_t len, char *why)
{
	struct recin *ri = ctx;
	long n;

	if ((n = source_split_header(&ri->hcsv, ri->delim, rec, len, why)) < 0)
		return -1;
	ri->ncol = (size_t)n;
	if (source_columns(&ri->hcsv, n, ri->l->name, ri->l->len, ri->l->n, ri->col_of) < 0)
		return snprintf(why, 200, "out of memory"), -1;
	return 0;
}

int recin_prepare(struct recin *ri, struct drive *d, struct in *in)
{
	const char *p;
	ssize_t n;

	/* the layout is complete by the first input; the names are its own (picked by reference) */
	if (ri->l->n > 0 && ri->l->n <= JSON_LINE_KEY_MAX)
		json_pick_init(&ri->pick, (const char *const *)ri->l->name, ri->l->len, (unsigned)ri->l->n);
	else
		ri->pick.n = 0;

	ri->fmt = ri->from;
	ri->delim = ri->from_delim ? ri->from_delim : ',';
	if (ri->fmt == RECIN_AUTO) {
		if ((n = in_peek(in, 4096, &p)) < 0) {
			diag_at(d->name, 0, "%s", in->err);
			return -1;
		}
		switch (source_detect(in, p, (size_t)n, &ri->delim)) {
		case SRC_NDJSON:
		case SRC_TWITTER:
			ri->fmt = RECIN_NDJSON;
			break;
		default:	/* an access log is read as one column, which nothing reads */
			ri->fmt = RECIN_CSV;
		}
	}
	if (ri->fmt == RECIN_CSV) {
		in->quote = '"';
		in->delim = ri->delim;
		par_set_header(d->par, header, ri);
	}
	return 0;
}

int recin_line(const struct recin *ri, struct recin_worker *w, const char *line, size_t len,
	       const struct scan_marks *marks, struct buf *out, char *why)
{
	long n;
	int r;

	if (ri->fmt == RECIN_CSV) {
		if ((n = source_csv_record(&w->csv, ri->delim, line, len, ri->ncol, why)) <= 0)
			return n == 0 ? 1 : (int)n;
		return rec_reduce_csv(ri->l, &w->csv, ri->col_of, out, &w->tmp, why);
	}
	if (ri->pick.n) {	/* the slots' members only: a compact line is walked, not scanned */
		const struct jfield *got[JSON_LINE_KEY_MAX];
		struct jfield f[JSON_LINE_KEY_MAX];

		if ((r = json_line_pick(&w->obj, line, len, marks, &ri->pick, f, got, why)) < 0)
			return r;
		return rec_reduce_fields(ri->l, got, out, &w->tmp, why);
	}
	if ((r = json_scan_record(line, len, &w->obj, marks, why)) < 0)
		return r;
	return rec_reduce_json(ri->l, &w->obj, out, &w->tmp, why);
}

void recin_free(struct recin *ri)
{
	csvrec_free(&ri->hcsv);
}

void recin_worker_free(struct recin_worker *w)
{
	jobj_free(&w->obj);
	csvrec_free(&w->csv);
	buf_free(&w->tmp);
}
