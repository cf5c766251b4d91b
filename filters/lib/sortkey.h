/*
 * sortkey.h - sort keys of records as byte strings whose memcmp order is
 * the records' order: vchain-sort's keys, and any filter's check of order.
 * A field named ts compares as an instant (a fraction of a second after the
 * whole second, any accepted form of timestamp); numbers by value; strings
 * by their bytes, decoded; absent and null as --missing says. The default
 * key is ts, then event_id (absent first). Equal keys keep input order:
 * the caller breaks ties by sequence.
 */
#ifndef VCHAIN_SORTKEY_H
#define VCHAIN_SORTKEY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "json.h"

#define SORTKEY_MAX_FIELDS 16

enum sortkey_missing { SORTKEY_ERROR, SORTKEY_FIRST, SORTKEY_LAST };

struct sortkey {
	int n;
	char *name[SORTKEY_MAX_FIELDS];
	size_t len[SORTKEY_MAX_FIELDS];
	int instant[SORTKEY_MAX_FIELDS];	/* compares as a time */
	int optional[SORTKEY_MAX_FIELDS];	/* absent sorts first, whatever --missing says */
	enum sortkey_missing missing;
};

/* The default key: ts (as an instant), then event_id (absent first). */
int sortkey_default(struct sortkey *k);
/* -k FIELD[,FIELD...]. 0, -1 (why[200]), -2 (memory); nothing to free after an error. */
int sortkey_parse(struct sortkey *k, const char *list, char *why);
/*
 * The key of a record (obj: its members) appended to out; tmp is scratch.
 * 0; -1 (why[200]: a required field missing, with --missing error, or a ts
 * that is no timestamp); -2.
 */
int sortkey_make(const struct sortkey *k, const struct jobj *obj, struct buf *out, struct buf *tmp, char *why);
void sortkey_free(struct sortkey *k);

/* A double's bits as a number whose order is the doubles' (-0 as 0; no NaN). */
static inline uint64_t sortkey_double(double x)
{
	uint64_t u;

	if (x == 0)
		x = 0;	/* -0 is 0 */
	memcpy(&u, &x, 8);
	return u >> 63 ? ~u : u | (1ULL << 63);
}

/* Two keys' order, as memcmp and then the shorter first: <0, 0, >0. Eight bytes a step. */
static inline int sortkey_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	size_t n = na < nb ? na : nb, i = 0;
	int c;

	for (; i + 8 <= n; i += 8) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			x = __builtin_bswap64(x), y = __builtin_bswap64(y);
#endif
			return x < y ? -1 : 1;
		}
	}
	if (i < n && (c = memcmp(a + i, b + i, n - i)) != 0)
		return c;
	return (na > nb) - (na < nb);
}

#endif
