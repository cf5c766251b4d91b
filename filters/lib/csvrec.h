/*
 * csvrec.h - one CSV record (RFC 4180) into its fields. Records come whole
 * from the input layer (which keeps newlines inside quotes in the record),
 * so fields never span calls. A record without any quote char is split on
 * the delimiter in place; one with quotes goes through libcsv. A quote
 * opens a quoted field only at a field's start; elsewhere it is data (as
 * csv-spectrum and Commons CSV read it). Text after a closing quote and a
 * quote left open are bad records. Spaces are data, never trimmed.
 */
#ifndef VCHAIN_CSVREC_H
#define VCHAIN_CSVREC_H

#include <csv.h>
#include <stddef.h>

#include "buf.h"

struct csvrec {
	struct csv_parser p;
	char delim, quote;
	/* the fields of the last record: f[i][0..flen[i]) */
	const char **f;
	size_t *flen;
	size_t n, cap;
	/* libcsv's fields, copied: offsets into data until the record ends */
	struct buf data;
	size_t *off;
	size_t rows;
	int oom;
	int ascii;		/* the last record split had no byte >= 0x80 (not checked: 0) */
	char err[120];
};

/* Returns 0, or -1 when out of memory. */
int csvrec_init(struct csvrec *r, char delim, char quote);
void csvrec_free(struct csvrec *r);
/*
 * Split rec[0..len) (no final newline; one final '\r' is dropped). Returns
 * the number of fields (an empty record has one, empty), -1 for bad CSV
 * (r->err), -2 when out of memory. Fields stay valid until the next call.
 */
long csvrec_split(struct csvrec *r, const char *rec, size_t len);
/* Split on d from the next record on (a no-op when d is the delimiter already). */
void csvrec_set_delim(struct csvrec *r, char d);
/* Whether the record just split is valid UTF-8: its ASCII flag, else a check. */
int csvrec_utf8(const struct csvrec *r, const char *rec, size_t len);

#endif
