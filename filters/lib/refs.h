/*
 * refs.h - a group's referring domains, for the networking report: each
 * domain a visit came from (the referrer's host, lower-cased, "www."
 * folded: www.Example.com and example.com are one), with its visits, its
 * distinct visitors (user_id hashes) and the time of its first visit.
 * Mergeable: shards' states merge into exactly one pass's.
 *
 * Memory: 120 bytes a domain and group, its name, 16-32 bytes a visitor.
 */
#ifndef VCHAIN_REFS_H
#define VCHAIN_REFS_H

#include <stddef.h>
#include <stdint.h>

#include "acc.h"
#include "buf.h"
#include "htab.h"
#include "json.h"

struct ref_dom {
	struct h128 id;		/* the domain's hash */
	struct s_text name;
	uint64_t visits;
	long long first;	/* the earliest visit's ts; REC_NO_TS: none with one */
	struct s_set visitors;
};
typedef struct htab_rows A_REFS_t;

/*
 * The domain of a referrer ref[0..n) into out[cap]: the host of a URL
 * (scheme://[user@]host[:port]/...), else the text up to the first '/',
 * '?', '#' or ':'; lower-cased, a trailing dot and a leading "www." taken
 * off. Its length, or 0 when there is none.
 */
size_t ref_domain(const char *ref, size_t n, char *out, size_t cap);
/* Whether domain d[0..n) is own (a domain list "a.com,b.org") or a subdomain of one. */
int ref_is_own(const char *d, size_t n, const char *own);
/* A visit from referrer ref[0..n) at ts (REC_NO_TS: none) by user (has_user 0: none). 0, or -1 (memory). */
int refs_take(A_REFS_t *t, const char *ref, size_t n, int has_user, struct h128 user, long long ts);
/* The state as JSON (domains in name order), and its merge (arr, el, set: scratch). 0; -1 (not such a state); -2. */
int refs_json(const A_REFS_t *t, struct buf *b);
int refs_merge_json(A_REFS_t *t, const struct jfield *f, struct jobj *arr, struct jobj *el, struct jobj *set,
		    struct buf *tmp);
size_t refs_bytes(const A_REFS_t *t);
void refs_free(A_REFS_t *t);

#endif
