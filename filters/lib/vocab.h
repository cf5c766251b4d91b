/*
 * vocab.h - the lookup tables of schemas/ compiled in: canonical names for
 * platforms and event types, CSV header synonyms, referrer hosts, click ids,
 * asset extensions and bot user agents.
 */
#ifndef VCHAIN_VOCAB_H
#define VCHAIN_VOCAB_H

#include <stddef.h>

#include "platform_ids.h"	/* PLATFORM_<NAME> indexes, VOCAB_NPLATFORMS */

struct vocab_entry {
	const char *alias;
	size_t alias_len;
	const char *name;
	size_t name_len;
};

/*
 * The canonical entry for s[0..n) (matched lower-cased, with ' ' and '-'
 * read as '_'), or NULL when the tables do not know it.
 */
/* The value chain's stages by number, 1-7 ([0] is NULL: no stage). */
extern const char *const vocab_stage_names[8];

/* The canonical platforms (schemas/platforms.tsv), by PLATFORM_<NAME> index. */
extern const char *const vocab_platforms[VOCAB_NPLATFORMS];
/* The PLATFORM_ index of a canonical platform name; PLATFORM_OTHER for anything else. */
int vocab_platform_index(const char *s, size_t n);

const struct vocab_entry *vocab_platform(const char *s, size_t n);
const struct vocab_entry *vocab_type(const char *s, size_t n);
/* Whether s[0..n) is exactly a canonical platform / event type name: one probe. */
int vocab_is_platform(const char *s, size_t n);
int vocab_is_type(const char *s, size_t n);
/*
 * The canonical platform / event type names as a wordset, for a caller's
 * own hot loop (wordset_get_at(...) >= 0: canonical); NULL if none.
 */
struct wordset;
const struct wordset *vocab_platform_names(void);
const struct wordset *vocab_type_names(void);
/* CSV header name -> canonical field (schemas/csv-headers.tsv). */
const struct vocab_entry *vocab_header(const char *s, size_t n);
/* Referrer host -> platform (schemas/referrers.tsv); click-id parameter -> platform. */
const struct vocab_entry *vocab_referrer(const char *s, size_t n);
const struct vocab_entry *vocab_clickid(const char *s, size_t n);
/* File extension of a static asset (schemas/assets.tsv). */
const struct vocab_entry *vocab_asset(const char *s, size_t n);
/* Whether a user agent is a known bot (schemas/bots.tsv substrings, any case). */
int vocab_is_bot(const char *ua, size_t n);

#endif
