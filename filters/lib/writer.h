/*
 * writer.h - result records out, one row at a time, as NDJSON, CSV, TSV,
 * or a table for people. A row is its values as JSON texts; NDJSON, CSV
 * and TSV write them at full precision, whole records per write. A table
 * keeps its rows until the end (it needs the columns' widths), pads by
 * display width (a wide CJK character is two columns), and shows each
 * value as its column's kind reads best: ratios as percentages, counts
 * with every digit, money lined up on the point (0.00 beside 9.99), null
 * as '-', an empty string as "".
 */
#ifndef VCHAIN_WRITER_H
#define VCHAIN_WRITER_H

#include <stddef.h>

#include "buf.h"
#include "out.h"

enum out_format { OUT_NDJSON, OUT_CSV, OUT_TSV, OUT_TABLE };

/* ndjson (jsonl), csv, tsv, table (pprint). 0, or -1 for another name. */
int out_format_parse(const char *s, enum out_format *f);

/* What a column holds: how a table shows it (and aligns it: text left, the rest right). */
enum col_kind {
	COL_TEXT,	/* anything, as it is */
	COL_COUNT,	/* whole numbers, every digit */
	COL_MONEY,	/* exact decimals, as they are; a table gives a column's plain decimals its most decimals */
	COL_NUMBER,	/* a measurement: two decimals, or four significant digits below 1 */
	COL_RATIO,	/* a share: "39.06 %", "0.0061 %" */
	COL_FACTOR,	/* times something: "2.78x" */
	COL_HOURS	/* a duration in hours, two decimals */
};

struct writer {
	struct out *out;
	enum out_format fmt;
	int ncol;
	const char *const *names;
	const enum col_kind *kinds;
	struct buf line, cell;
	/* NDJSON: each column's name as it goes before its value ({"name": or ,"name":), keys[key_at[i] .. key_at[i + 1]) */
	struct buf keys;
	size_t *key_at;
	/* a table: the rows' cells as shown (each a u32 length and bytes), and the widths */
	struct buf rows;
	size_t *width;
	int oom;
};

/*
 * Start writing rows of ncol columns named names[i], of kinds kinds[i]
 * (both borrowed until writer_close). CSV, TSV and tables get a header
 * line. 0, or -1 (out of memory, or a write error in out->err).
 */
int writer_open(struct writer *w, struct out *out, enum out_format fmt, int ncol, const char *const *names,
		const enum col_kind *kinds);
/* One row: vals[0..ncol) are JSON values. 0, or -1 as above. */
int writer_row(struct writer *w, const struct buf *vals);
/*
 * NDJSON, CSV, TSV: one row's text appended to line (cell is scratch),
 * nothing written: for rows made on several threads at once (w is only
 * read), written in order with out_write. 0, or -1 when out of memory.
 */
int writer_format(const struct writer *w, const struct buf *vals, struct buf *line, struct buf *cell);
/* Write what is kept (a table), free the rest. 0, or -1 as above. */
int writer_close(struct writer *w);
/* The display width of UTF-8 text s[0..n): what a terminal gives it. */
size_t writer_text_width(const char *s, size_t n);

#endif
