/*
 * rec.h - a record reduced to the fields a filter reads ("slots"), made by
 * the workers and read in the commit step; and the rule every reader in
 * filters/lib keeps.
 *
 * Records are borrowed. Whatever hands out records or their parts (par.h's
 * chunks, json.h's members, csvrec.h's fields, the slots below) hands out
 * spans into its own buffers, valid until its next call on the same handle;
 * whoever keeps a value longer copies it (into an arena, a group's state).
 * Nothing frees what it did not allocate.
 *
 * A reduced record is its total length (u32), then one slot per field of
 * its layout, in layout order: a type byte (J_* of json.h, REC_ABSENT, or
 * REC_MS), then for a value its length (u32) and its bytes.
 */
#ifndef VCHAIN_REC_H
#define VCHAIN_REC_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "csvrec.h"
#include "hash.h"
#include "json.h"
#include "ts.h"

#define REC_MAX_SLOTS 64	/* fields a record is reduced to */
#define REC_ABSENT 0xFF		/* slot type: the field is absent (or null: the two are one) */
#define REC_MS 0xFE		/* slot type: a ts as 8 bytes of epoch milliseconds */
#define REC_NO_TS LLONG_MAX	/* a time never reached */

/*
 * How a slot holds its field: as it is; as its --every bucket's label; as
 * epoch ms (REC_MS); or as the 16-byte hash the value is known by (its type
 * byte kept): workers hash in parallel, and the commit step can load a
 * table slot records ahead.
 */
enum slot_kind { SK_PLAIN, SK_BUCKET, SK_MS, SK_HASH };

/* Which fields a record is reduced to, and how. */
struct rec_layout {
	char *name[REC_MAX_SLOTS];
	size_t len[REC_MAX_SLOTS];	/* of each name */
	uint8_t numeric[REC_MAX_SLOTS];	/* must be a number (sums, means, < and > tests) */
	enum slot_kind kind[REC_MAX_SLOTS];
	int n;
	int count_slot;		/* the "count" weight (a non-negative number), or -1 */
	int bucket_slot;	/* the SK_BUCKET slot of ts, or -1 */
	enum ts_every every;	/* its bucket */
};

void rec_layout_init(struct rec_layout *l);
void rec_layout_free(struct rec_layout *l);
/*
 * The slot of field name[0..n) held as kind, added when new (numeric adds
 * to what the slot must be). Returns its index, -1 when the layout is
 * full, or -2 when out of memory.
 */
int rec_slot(struct rec_layout *l, const char *name, size_t n, int numeric, enum slot_kind kind);

/* ---- in a worker: a record to its reduced form ---- */

/*
 * Slot i from member f (NULL or null: absent), appended to out; tmp is
 * scratch. 0, -1 for a bad value (why[200]), -2 when out of memory.
 */
int rec_put_slot(const struct rec_layout *l, int i, const struct jfield *f, struct buf *out,
		 struct buf *tmp, char *why);
/* The reduced record of a JSON object's members. 0, -1 (why), -2. */
int rec_reduce_json(const struct rec_layout *l, const struct jobj *obj, struct buf *out, struct buf *tmp,
		    char *why);
/* The same from the slots' members picked already (json_line_pick): got[i] for slot i, NULL absent. */
int rec_reduce_fields(const struct rec_layout *l, const struct jfield *const *got, struct buf *out,
		      struct buf *tmp, char *why);
/*
 * The reduced record of a CSV record split by csv, col_of[i] being slot i's
 * column (-1: none). CSV has no types: a field is a number where the slot
 * is summed, compared or counted and it reads as one, else a string; an
 * empty field is absent. 0, -1 (why), -2.
 */
int rec_reduce_csv(const struct rec_layout *l, const struct csvrec *csv, const int *col_of, struct buf *out,
		   struct buf *tmp, char *why);

/* ---- in the commit step: reading one ---- */

struct slot {
	uint8_t type;		/* J_*, REC_ABSENT or REC_MS */
	const char *v;
	uint32_t n;
};

static inline size_t rec_len(const char *p)
{
	uint32_t total;

	memcpy(&total, p, 4);
	return total;
}

/* Split a reduced record into its nslots slots; returns its length. */
static inline size_t rec_read(const char *p, int nslots, struct slot *s)
{
	const char *q = p + 4;
	int i;

	for (i = 0; i < nslots; i++) {
		s[i].type = (uint8_t)*q++;
		if (s[i].type == REC_ABSENT) {
			s[i].v = NULL;
			s[i].n = 0;
			continue;
		}
		memcpy(&s[i].n, q, 4);
		q += 4;
		s[i].v = q;
		q += s[i].n;
	}
	return rec_len(p);
}

/* Slot i of the reduced record at p alone; 0 when the record has fewer. */
static inline int rec_slot_at(const char *p, int i, struct slot *s)
{
	const char *q = p + 4, *end = p + rec_len(p);
	int k;

	for (k = 0; q < end; k++) {
		s->type = (uint8_t)*q++;
		s->v = NULL;
		s->n = 0;
		if (s->type != REC_ABSENT) {
			memcpy(&s->n, q, 4);
			s->v = q + 4;
			q += 4 + s->n;
		}
		if (k == i)
			return 1;
	}
	return 0;
}
/* A numeric slot's value (exact for integers of up to 15 digits). */
double slot_double(const struct slot *s);
/* The hash of an SK_HASH slot's value. */
struct h128 slot_hash(const struct slot *s);
/* An SK_MS slot's time, or REC_NO_TS. */
long long slot_ms(const struct slot *s);
/* A value of type (J_*, or REC_ABSENT: null) as JSON, appended to b: strings escaped, the rest as they are. */
int rec_put_json(struct buf *b, uint8_t type, const char *v, size_t n);
/* Whether a slot is the string text. */
int slot_is(const struct slot *s, const char *text);
/*
 * The order of values in outputs: absent and null, then numbers by value
 * (xa, xb: the values of numbers), then strings by bytes, then the rest by
 * bytes. <0, 0, >0.
 */
int rec_cmp_values(uint8_t ta, const char *a, size_t na, double xa, uint8_t tb, const char *b, size_t nb,
		   double xb);
int slot_cmp(const struct slot *a, const struct slot *b);

#endif
