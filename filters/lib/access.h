/*
 * access.h - web server access log lines (Apache/nginx common and combined
 * formats and their usual variants) as spans, and the URL pieces visits
 * need: query parameters, percent-decoding, the referrer's host.
 *
 * Accepted: CLIENT IDENT USER [TIME] "REQUEST" STATUS BYTES, then
 * optionally "REFERRER" "USER-AGENT", then any further fields (a request
 * time, a cookie, ...), kept as extras. CLIENT may be an X-Forwarded-For
 * list ("203.0.113.9, 10.0.0.1") or an X-Forwarded-For field followed by
 * the remote address; the first address that is not "-" is the client.
 * Quoted fields may hold \" and \\ escapes, as Apache and nginx write them.
 */
#ifndef VCHAIN_ACCESS_H
#define VCHAIN_ACCESS_H

#include <stddef.h>

#include "buf.h"

struct span {
	const char *p;
	size_t n;
};

#define ACCESS_MAX_EXTRA 8

struct access_rec {
	struct span client, ident, user, time;	/* time with its brackets */
	struct span request, method, target, proto;
	struct span referrer, agent;		/* p == NULL when the line has none */
	int ref_esc, agent_esc, target_esc;	/* hold a backslash escape */
	int status;
	struct span extra[ACCESS_MAX_EXTRA];	/* fields after the user agent */
	int nextra;
};

/* Returns 0, or -1 with *err (a fixed message) when the line is no access log line. */
int access_parse(const char *line, size_t len, struct access_rec *r, const char **err);
/* 1 if a line looks like an access log line (for format detection). */
int access_sniff(const char *line, size_t len);

/* Undo the \" and \\ escapes of a quoted log field into out. */
int access_unescape(struct buf *out, const char *s, size_t n);
/*
 * The raw value of query parameter name in a URL or request target (the
 * first one; "" for a bare "name"), or NULL when it is not there.
 */
const char *url_param(const char *url, size_t n, const char *name, size_t nlen, size_t *vlen);
/* Percent-decode s (and '+' as space) into out. */
int url_decode(struct buf *out, const char *s, size_t n);
/* The host of an absolute URL, lower-cased, without port or credentials; 0 when none. */
size_t url_host(const char *url, size_t n, char *out, size_t cap);
/* The extension of a URL's path (after its last '.', in its last segment), or n == 0. */
struct span url_extension(const char *url, size_t n);

#endif
