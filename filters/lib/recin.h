/*
 * recin.h - records in for the filters that read fields, not whole events
 * (vchain-aggregate, and those after it): each input is NDJSON or CSV (by
 * --from, else by its name and first line, source.h), a CSV header's
 * columns are matched to the layout's fields, and each line becomes a
 * reduced record (rec.h) in a worker. A filter calls recin_prepare from
 * its drive prepare hook and recin_line from its line function.
 */
#ifndef VCHAIN_RECIN_H
#define VCHAIN_RECIN_H

#include <stddef.h>

#include "csvrec.h"
#include "drive.h"
#include "json.h"
#include "rec.h"

enum recin_format { RECIN_AUTO, RECIN_NDJSON, RECIN_CSV };

/* The inputs, as the workers see them: set between inputs, while none runs. */
struct recin {
	const struct rec_layout *l;
	enum recin_format from;		/* --from, or RECIN_AUTO */
	char from_delim;		/* --from tsv: '\t' */
	enum recin_format fmt;		/* the input being read */
	char delim;
	int col_of[REC_MAX_SLOTS];	/* CSV: the column of each slot, or -1 */
	size_t ncol;
	struct csvrec hcsv;		/* splits headers, in the calling thread */
	struct jpick pick;		/* NDJSON: the slots' names, when at most JSON_LINE_KEY_MAX (else n 0) */
};

/* A worker's own. */
struct recin_worker {
	struct jobj obj;
	struct csvrec csv;
	struct buf tmp;
};

/* --from's names: ndjson, jsonl, csv, tsv. 0, or -1 for another. */
int recin_parse_from(const char *s, enum recin_format *f, char *delim);
/* 0, or -1 when out of memory. */
int recin_init(struct recin *ri, const struct rec_layout *l);
int recin_worker_init(struct recin_worker *w);
/* For a drive prepare hook: the input's format, and its CSV header when it has one. 0, or -1 (said). */
int recin_prepare(struct recin *ri, struct drive *d, struct in *in);
/* A line to its reduced record: 0; 1 for a blank CSV line (no record); -1 (why[200]); -2. */
int recin_line(const struct recin *ri, struct recin_worker *w, const char *line, size_t len,
	       const struct scan_marks *marks, struct buf *out, char *why);
void recin_free(struct recin *ri);
void recin_worker_free(struct recin_worker *w);

#endif
