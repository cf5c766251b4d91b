/*
 * source.h - what an input is, for every filter that reads more than
 * NDJSON: its format from its name and first line (NDJSON, CSV or TSV, a
 * web access log, Twitter/X API JSON), a CSV header's delimiter, and the
 * canonical field each header column stands for: a --map, else a column
 * named like the field, else a synonym of schemas/csv-headers.tsv.
 */
#ifndef VCHAIN_SOURCE_H
#define VCHAIN_SOURCE_H

#include <stddef.h>

#include "csvrec.h"
#include "input.h"

enum source_format { SRC_AUTO, SRC_NDJSON, SRC_CSV, SRC_ACCESS, SRC_TWITTER };

/*
 * The format of an input from its name (.csv, .tsv, .tab, .json, .jsonl,
 * .ndjson, before an optional .gz), else from its first line p[0..n)
 * (a BOM skipped). A .tsv or .tab name sets *delim to a tab.
 */
enum source_format source_detect(const struct in *in, const char *p, size_t n, char *delim);
/* The delimiter of a CSV header line: the most frequent of , \t ; | outside quotes (',' when none). */
char source_guess_delim(const char *p, size_t n);
/* A header name as lookups see it: trimmed, lower-cased, ' ' and '-' read as '_'. Its length (0: too long). */
size_t source_fold_name(const char *s, size_t n, char *out, size_t cap);
/*
 * Split a CSV header rec[0..len) with delimiter delim into hdr: a UTF-8
 * BOM and a final CR dropped, UTF-8 checked. The number of columns, or -1
 * with why[200].
 */
long source_split_header(struct csvrec *hdr, char delim, const char *rec, size_t len, char *why);

/*
 * A CSV record rec[0..len) (a header of ncol columns before it) split into
 * csv with delimiter delim: its ncol fields; 0 for a blank line (no
 * record); -1 for a bad one (why[200]: bad CSV, not UTF-8, or another
 * number of fields); -2 when out of memory.
 */
long source_csv_record(struct csvrec *csv, char delim, const char *rec, size_t len, size_t ncol, char *why);

/* --map COLUMN=FIELD: read column COLUMN as FIELD (used: some header had the column). */
struct source_map {
	const char *column, *field;
	int used;
};

/*
 * The canonical field (EV_* of event.h) of each of the n columns of hdr
 * into field[] (-1: none), the strongest claim winning: a --map (maps),
 * then a column named like the field, then a synonym; a column that loses
 * stands for nothing. mapped_to[i] gets the FIELD of a --map that named
 * column i and stands (it may be no canonical field: the column is then
 * renamed to it), or NULL.
 * 0, or -1 when out of memory.
 */
int source_fields(const struct csvrec *hdr, long n, struct source_map *maps, size_t nmaps, int *field,
		  const char **mapped_to);

/*
 * The column of each of the n fields names[i] (of length lens[i]) in a
 * header of ncol columns: the column named exactly so, else the column
 * that stands for that canonical field (source_fields, no --map), else -1.
 * 0, or -1 when out of memory.
 */
int source_columns(const struct csvrec *hdr, long ncol, char *const *names, const size_t *lens, int n, int *col_of);

#endif
