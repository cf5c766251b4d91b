/*
 * event.h - the canonical event (schemas/event.schema.json): its fields in
 * schema order, and the normaliser that turns one NDJSON object into one
 * canonical record (canonical fields first, unknown ones after, untouched).
 */
#ifndef VCHAIN_EVENT_H
#define VCHAIN_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "ts.h"

enum field_kind {
	KIND_ID, KIND_TS, KIND_PLATFORM, KIND_TYPE, KIND_STAGE,
	KIND_MONEY, KIND_CURRENCY, KIND_COUNT, KIND_RATING, KIND_SENTIMENT
};

struct field_def {
	const char *name;
	size_t len;
	enum field_kind kind;
};

#include "fields.h"	/* EV_<NAME> indexes, EVENT_NFIELDS */

_Static_assert(EVENT_NFIELDS <= 32, "present-field mask is 32 bits");
_Static_assert(EV_EVENT_ID == 0 && EV_TS < 5 && EV_PLATFORM < 5 && EV_TYPE < 5,
	       "the fields with defaults or requirements come first");

extern const struct field_def event_fields[EVENT_NFIELDS];

/* Index of the canonical field named s[0..n) (raw JSON key), or -1. */
int event_field_index(const char *s, size_t n);

#define EVENT_SHAPE_MAX 16

/*
 * What the user says to change in every record (vchain-parse --set,
 * --map-value), canonical fields only: a constant, or a value replaced by
 * another when it is exactly FROM. Values are raw JSON string contents.
 */
#define EVENT_MAX_VALUE_MAPS 64
struct event_rewrite {
	const char *set[EVENT_NFIELDS];		/* NULL: not set */
	size_t set_len[EVENT_NFIELDS];
	uint32_t set_mask;
	struct {
		int field;
		const char *from, *to;
		size_t from_len, to_len;
	} map[EVENT_MAX_VALUE_MAPS];
	int nmap;
	uint32_t map_mask;
	size_t extra;				/* the most bytes a record can grow by */
};

struct event_norm {
	struct jobj obj;	/* the members of the record being normalised */
	const struct event_rewrite *rw;	/* NULL: none */
	struct buf out;		/* the canonical record, ending in '\n' */
	struct buf tmp;		/* scratch for decoded strings */
	uint32_t present;	/* bit k: canonical field k is in the record */
	int slot[EVENT_NFIELDS];	/* member index of each present canonical field */
	int *fidx;		/* canonical field index of each member, or -1 */
	size_t fidx_cap;
	struct ts_zone *tz;	/* zone of timestamps without one; NULL: UTC */
	const char *ts_format;	/* timestamps in this form first (ts_parse_format); NULL: none */
	/*
	 * The keys of the records before, by position: a member's key is
	 * first tested whole against the one at its position last time.
	 */
	struct {
		char text[16];	/* "key": as the record spells it */
		uint8_t n;	/* its length; 0: nothing learnt, or too long */
		int8_t field;	/* its canonical field, or -1 */
	} shape[EVENT_SHAPE_MAX];
	char last_ts[20];	/* the last canonical ts seen (zeros: none, which no ts matches) */
	int always_rebuild;	/* tests: rebuild even a record that is canonical as it is */
	uint64_t as_is;		/* records that were canonical as they were, and copied whole */
	char err[200];		/* what was wrong, when event_normalize returned -1 */
	size_t err_col;		/* 1-based column for JSON syntax errors, else 0 */
};

void event_norm_init(struct event_norm *en);
void event_norm_free(struct event_norm *en);
/*
 * A timestamp member (RFC 3339 or any form ts_parse accepts, or an epoch
 * number) in milliseconds since the epoch. Returns 0, or -1 if it is none.
 */
int event_ts_ms(const struct jfield *f, long long *ms);
/* The same to the nanosecond. */
int event_ts(const struct jfield *f, struct vts *t);

/* Growth of a record per canonical field at most, and the bound it gives. */
#define FIELD_GROWTH 48
#define EVENT_OUT_MAX(len) ((len) + FIELD_GROWTH * EVENT_NFIELDS + 64)
/* The same, with what en's rewrite can add. */
#define EVENT_OUT_MAX_EN(en, len) (EVENT_OUT_MAX(len) + ((en)->rw ? (en)->rw->extra : 0))
/*
 * Add FIELD=VALUE (--set) or FIELD:FROM=TO (--map-value) to rw, text as
 * the user wrote it. 0, or -1 with why[200].
 */
int event_rewrite_set(struct event_rewrite *rw, const char *arg, char *why);
int event_rewrite_map(struct event_rewrite *rw, const char *arg, char *why);
void event_rewrite_free(struct event_rewrite *rw);

/*
 * Normalise one NDJSON line into dst, which has room for EVENT_OUT_MAX(len)
 * bytes; marks, if not NULL, is the marking of the chunk the line is in. Returns the bytes written (ending in '\n'); 0 when the line is
 * already its canonical record, byte for byte, and nothing was written
 * (the caller uses the line); -1 for a bad record (message in en->err);
 * -2 when out of memory.
 */
long event_normalize_to(struct event_norm *en, const char *line, size_t len,
			const struct scan_marks *marks, char *dst);
/*
 * The same into en->out. Returns 0, -1 for a bad record
 * (message in en->err), -2 when out of memory.
 */
int event_normalize(struct event_norm *en, const char *line, size_t len);

/* The normaliser's message for a bad record into why[200] (with its column, when it has one). Returns -1. */
int event_why(const struct event_norm *en, char *why);
/*
 * Normalise a JSON object made by a mapping (obj[0..n)) and append the
 * canonical record, ending in '\n', to out. 0, -1 (why[200]), -2.
 */
int event_append(struct event_norm *en, const char *obj, size_t n, struct buf *out, char *why);
/* A stable id for a record with none: "the 32 hex digits of its XXH3-128", quoted, appended to b. */
int event_put_fingerprint(struct buf *b, const char *rec, size_t len);

#endif
