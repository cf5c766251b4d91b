/*
 * profile.h - import profiles: how one kind of export becomes canonical
 * events, written as data a user can read and write (schemas/profiles/
 * NAME.profile, compiled in; or any file given to vchain-parse --profile).
 *
 * A profile is lines of DIRECTIVE ARGUMENTS ('#' starts a comment):
 *
 *   about     one line saying what the source is
 *   detect    COL,COL,...     a CSV header with all of these is this source
 *   ts-format FMT             timestamps in this form (ts_parse_format)
 *   carry     all|none        the other columns, under their own names (default
 *                             all; a column read by a product or under when is
 *                             carried too)
 *   skip      COL PREFIX      rows whose COL starts with PREFIX are left out
 *   header    COL,COL,...     the input has no header line: these are its columns
 *   title-lines N             N lines (a report's title, its date range) come
 *                             before the header: not read
 *   makes     events|spend    what a row becomes (default events); a spend
 *                             profile's fields are date, campaign, platform,
 *                             spend and currency, and its rows a spend table
 *                             that vchain-aggregate --spend reads
 *   FIELD = EXPR              canonical FIELD from an expression
 *   unpivot   COL=TYPE,...    each row becomes one event per COL that has a
 *                             value other than 0: type TYPE, count the value
 *
 * EXPR is TERM [* TERM] [| FUNC]... or TERM + TERM + ... [| FUNC]...: a
 * TERM is a column name, or "text" in double quotes; A * B is the exact
 * product of two decimals (the project's decimal type: no float); A + B
 * joins texts (absent when a column in it is empty); FUNCs, in order:
 *   abs             the absolute value (a leading '-' dropped)
 *   int             17850.0 -> 17850 (a fraction of zeros dropped)
 *   lower           ASCII lower case
 *   number          25,881 -> 25881, 77.77% -> 77.77, -- -> (none)
 *   map K=V,...     the value K becomes V (exact); *=V for any other
 *   prefix K=V,...  a value starting with K becomes V; *=V for any other
 *   sign -=V,+=V,0=V  by the sign of the value as a decimal
 *   when F=V/V...   the value only on rows whose FIELD F (given above) is one of V
 * An empty value is an absent field.
 */
#ifndef VCHAIN_PROFILE_H
#define VCHAIN_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "csvrec.h"
#include "json.h"
#include "event.h"

#define PROFILE_MAX_RULES 40
#define PROFILE_MAX_FUNCS 6
#define PROFILE_MAX_PAIRS 24
#define PROFILE_MAX_DETECT 24
#define PROFILE_MAX_UNPIVOT 24

struct pterm {
	char *text;		/* a column's name, or the literal */
	size_t len;
	int literal;
	long col;		/* the column at the input being read; -1: none */
};

enum pfunc_kind { PF_ABS, PF_INT, PF_LOWER, PF_NUMBER, PF_MAP, PF_PREFIX, PF_SIGN, PF_WHEN };

struct pfunc {
	enum pfunc_kind kind;
	int npair, when_field;
	char *key[PROFILE_MAX_PAIRS], *val[PROFILE_MAX_PAIRS];
	size_t klen[PROFILE_MAX_PAIRS], vlen[PROFILE_MAX_PAIRS];
	int dflt;		/* the index of the *= pair, or -1 */
};

#define PROFILE_MAX_CAT 8

struct prule {
	int field;		/* EV_* */
	struct pterm a, b;
	int product;
	struct pterm cat[PROFILE_MAX_CAT];	/* a + cat[0] + ...: text joined */
	int ncat;
	struct pfunc f[PROFILE_MAX_FUNCS];
	int nf;
	unsigned line;
};

struct profile {
	char *name, *about, *ts_format;
	int carry;
	char *detect[PROFILE_MAX_DETECT];
	size_t detect_len[PROFILE_MAX_DETECT];
	int ndetect;
	struct prule rule[PROFILE_MAX_RULES];
	int nrule;
	struct pterm up_col[PROFILE_MAX_UNPIVOT];
	char *up_type[PROFILE_MAX_UNPIVOT];
	size_t up_type_len[PROFILE_MAX_UNPIVOT];
	int nup;
	char *header;		/* the columns of a headerless input, comma-separated; NULL: it has a header */
	int title_lines;	/* lines before the header */
	int spend;		/* makes spend rows, not events */
	struct pterm skip_col;
	char *skip_prefix;
	size_t skip_len;
	/* bound to the input being read */
	unsigned char *used;	/* per column: a term reads it (not carried) */
	signed char *clash;	/* per column: the canonical field named like it, or -1 */
	long ncol;
	char err[200];
	unsigned err_line;
};

/* The profiles shipped in schemas/profiles, compiled in: name and text. */
struct profile_builtin {
	const char *name, *text;
};
const struct profile_builtin *profile_builtins(size_t *n);

/* The shipped profiles, parsed: 0, or -1 (out of memory, or one that does not parse: said). */
int profile_load_builtins(struct profile **all, size_t *n);
void profile_free_all(struct profile *all, size_t n);
/*
 * Of the n profiles, the one that detects the input: for CSV, the header
 * (the first line of p[0..len), split with delim into hdr); for NDJSON,
 * the members of its first object. The one with most detect names wins;
 * NULL when none does.
 */
struct profile *profile_pick_csv(struct profile *all, size_t n, struct csvrec *hdr, const char *p, size_t len,
				 char delim);
struct profile *profile_pick_json(struct profile *all, size_t n, const char *p, size_t len);
/* What p makes of column i (bound): "-> ts, type; carried as well", "carried as it is", "dropped". */
void profile_explain_column(const struct profile *p, long i, char *fate, size_t cap);

/* The name of the field a rule of p gives (an event's field, or a spend row's: date for ts, spend for revenue). */
const char *profile_field_name(const struct profile *p, int field);

/* --explain: rule k of p as "field <- path * path | map | ..." (for NDJSON, which has no columns to list). */
void profile_explain_rule(const struct profile *p, int k, char *out, size_t cap);

/* Parse text[0..n) into p (named name). 0, or -1 (err, err_line). */
int profile_parse(struct profile *p, const char *name, const char *text, size_t n);
/* A shipped profile by name, else the file at name_or_path: 0, or -1 after saying what is wrong and where. */
int profile_load(struct profile *p, const char *name_or_path);
void profile_free(struct profile *p);
/* Whether a header of ncol names (hdr's fields) has every column p detects by (p has some). */
int profile_detects(const struct profile *p, const struct csvrec *hdr, long ncol);
/* Bind p's terms to a header's columns. 0, or -1 (why[200]: a column the profile reads is missing). */
int profile_bind(struct profile *p, const struct csvrec *hdr, long ncol, char *why);

/*
 * One input record as a profile reads it: a CSV row (its terms are
 * columns), or a JSON object's members (its terms are paths: a.b.c into
 * nested objects, and params.KEY, GA4's event_params entry of that key,
 * whichever of its string/int/double/float values is set). scratch and
 * dec are the caller's, reused from record to record.
 */
struct prow {
	const struct csvrec *csv;
	const struct jobj *obj;
	struct jobj scratch[3];
	struct buf dec[2];
	struct buf vals[EVENT_NFIELDS], id;	/* the fields' values, the id's source: reused */
	/* GA4's event_params of the record, indexed at the first params.KEY (params_state 1) */
	int params_state;			/* 0: not yet; 1: indexed; -1: none */
	struct {
		const char *key;
		size_t klen;
		struct jfield val;		/* the value set among the four */
	} params[64];
	int nparams;
};
void prow_free(struct prow *r);
/* Whether a JSON object has every member p detects by (p has some). */
int profile_detects_json(const struct profile *p, const struct jobj *obj);

/*
 * One record: the events it makes, as JSON objects one after another in
 * objs, each ended by '\n', with canonical keys from the rules and, for a
 * CSV row with carry, the other columns under keys[i] (JSON-quoted). The
 * event_id, when no rule gives one, is the hash of the record as written
 * (rec[0..rec_len)), and of the metric's type when unpivoted. Returns the
 * number of objects (0: the record is skipped by rule), or -1 (why[200]),
 * -2 (memory). A spend profile's row is checked here (a spend that is a
 * number, written as one; a date that is one, written YYYY-MM-DD or as
 * RFC 3339; campaign or platform) and has no event_id.
 */
long profile_row(const struct profile *p, struct prow *row, const char *const *keys, const size_t *klens,
		 const char *rec, size_t rec_len, struct buf *objs, struct buf *tmp, char *why);

#endif
