/*
 * twitter.h - Twitter/X API JSON as canonical events: a v1.1 status, a v2
 * tweet (its author in "includes" or inline), or a page of v2 tweets
 * ({"data":[...],"includes":...}) per line. Retweets and quotes are
 * shares, replies comments, the rest mentions; with a brand account, the
 * brand's replies are responses (reply_to) and its other posts are left out.
 */
#ifndef VCHAIN_TWITTER_H
#define VCHAIN_TWITTER_H

#include <stddef.h>

#include "buf.h"
#include "event.h"
#include "json.h"

/* One per thread. */
struct twitter {
	const char *brand;	/* the brand's handle, without '@', or NULL */
	struct event_norm *en;	/* the thread's normaliser */
	struct jobj jo[10];	/* one per nested object or array in use */
	struct buf tmp;
};

/* Why a line is left out: a post of the brand's own that answers nobody. */
#define TWITTER_OWN 1

/*
 * The events of the line (marks: its chunk's, or NULL) appended to out.
 * 0; TWITTER_OWN when every tweet of it is the brand's own; -1 for a bad
 * line (why[200]; a page with one bad tweet is all bad); -2 when out of
 * memory.
 */
int twitter_line(struct twitter *w, const char *line, size_t len, const struct scan_marks *marks, struct buf *out,
		 char *why);
void twitter_free(struct twitter *w);

#endif
