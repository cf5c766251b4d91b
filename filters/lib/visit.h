/*
 * visit.h - a web server's access log line (access.h) as a canonical event:
 * a page request is a `visit` (a `purchase` when its target matches the
 * purchase pattern), with its campaign from the utm_* parameters and its
 * platform from utm_source, an ad click id or the referrer's host
 * (schemas/referrers.tsv, schemas/click-ids.tsv), else `web`. A visit is a
 * successful GET or HEAD of a page: other methods (a POST to a login form,
 * a probe's PUT or OPTIONS), requests for assets, by bots and with error
 * statuses are left out, each by a rule the caller counts.
 */
#ifndef VCHAIN_VISIT_H
#define VCHAIN_VISIT_H

#include <regex.h>
#include <stddef.h>

#include "buf.h"

/* Where the user id of a line comes from. */
enum visit_user { VISIT_USER_HASH, VISIT_USER_AUTH, VISIT_USER_IDENT, VISIT_USER_EXTRA };

struct visit_opts {
	int keep_assets, keep_bots, keep_errors, keep_methods;
	enum visit_user user_from;	/* HASH: a hash of client address and user agent */
	int user_extra;			/* USER_EXTRA: the 1-based field after the user agent */
	const regex_t *purchase;	/* targets that are purchases, or NULL */
	const char *revenue_param;	/* their revenue's query parameter, or NULL */
};

/* Why a line is left out: visit_line's positive answers. */
enum visit_rule { VISIT_ERROR = 1, VISIT_BOT, VISIT_ASSET, VISIT_METHOD };

/*
 * The event of log line line[0..len) appended to out (canonical fields in
 * schema order, with an XXH3-128 fingerprint of the line as event_id);
 * scratch is the caller's, one per thread. Returns 0, a visit_rule, -1 for
 * a bad line (why[200]), -2 when out of memory.
 */
int visit_line(const struct visit_opts *o, struct buf *scratch, const char *line, size_t len, struct buf *out,
	       char *why);

#endif
