/*
 * spend.h - a spend table (ad spend per campaign or per platform, and per
 * date when it has one), read from a small CSV file with a header naming
 * campaign or platform, spend, and optionally date, or from NDJSON objects
 * with those members (vchain-parse's spend profiles write them): what
 * ROI, CAC, ROAS and cost per conversion divide by.
 */
#ifndef VCHAIN_SPEND_H
#define VCHAIN_SPEND_H

#include <stddef.h>
#include <stdint.h>

#include "dec.h"

struct spend_row {
	char *key;		/* NULL: an empty cell (the null group) */
	char *date;		/* NULL: none */
	struct dec spend;
	uint64_t line;		/* in the file, for messages */
};

struct spend {
	const char *path;
	const char *col;	/* what spend is by: "campaign" or "platform" */
	struct spend_row *row;
	size_t n;
	uint64_t err_line;	/* where the error is (0: the file as a whole) */
	char err[200];
};

/*
 * Read the table at path. 0; -1 for a file that cannot be read or is not
 * a spend table (err, err_line); -2 when out of memory.
 */
int spend_load(struct spend *sp, const char *path);
void spend_free(struct spend *sp);

#endif
