/*
 * csvcols.h - a CSV header's columns as the members of the records made
 * from its rows: each column's key (its canonical field's name when it
 * maps to one through source.h's rules and --map, else its own name, a
 * repeat with _2, _3 ..., an empty one its number, as Miller names them),
 * the columns that are event_id and type, and for a synonym of revenue
 * (price, amount, ...) the own name it keeps on rows that are not sales.
 */
#ifndef VCHAIN_CSVCOLS_H
#define VCHAIN_CSVCOLS_H

#include <stddef.h>

#include "csvrec.h"
#include "source.h"

struct csv_column {
	char *key;		/* quoted, escaped JSON */
	size_t klen;
	int field;		/* EV_* or -1 */
	char *own_key;		/* a synonym of revenue: its own name (revenue on purchases and refunds only) */
	size_t own_klen;
};

struct csv_columns {
	struct csv_column *col;
	size_t ncol;
	int id_col, type_col;	/* -1: none */
	char **keys;		/* each column's key and length as arrays (import profiles carry by them) */
	size_t *klens;
};

/*
 * The columns of the header hdr (n names): mapped to canonical fields when
 * map_fields (else every column keeps its name), with maps[0..nmaps)
 * (--map); when check_maps, a map no column took is an error. 0, or -1
 * (why[200]); cc is freed on error.
 */
int csv_columns_make(struct csv_columns *cc, const struct csvrec *hdr, long n, struct source_map *maps, size_t nmaps,
		     int map_fields, int check_maps, char *why);
void csv_columns_free(struct csv_columns *cc);
/* Whether a row's type is a purchase or a refund (the rows where a price is revenue). */
int csv_columns_sale_row(const struct csv_columns *cc, const struct csvrec *row);
/* What becomes of column i, for --explain: "-> ts", "carried as \"Notes\"", ... */
void csv_columns_fate(const struct csv_columns *cc, size_t i, char *fate, size_t cap);

#endif
