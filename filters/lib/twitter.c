/*
 * twitter.c - see twitter.h. Members are looked up by name in the API's
 * objects (json.h), never by position; every nested object or array in use
 * at once has its own scanner state (jo[]).
 */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "json.h"
#include "twitter.h"

static const struct jfield *get(const struct jobj *o, const char *name)
{
	const struct jfield *f = jobj_get(o, name, strlen(name));

	return f && f->type != J_NULL ? f : NULL;
}

static int same_handle(const struct jfield *f, const char *brand)
{
	size_t i, n = strlen(brand);

	if (!f || f->type != J_STR || f->vlen != n || f->vesc)
		return 0;
	for (i = 0; i < n; i++) {
		char a = f->val[i], b = brand[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a + 32);
		if (b >= 'A' && b <= 'Z')
			b = (char)(b + 32);
		if (a != b)
			return 0;
	}
	return 1;
}

/* Append ,"key":<value as in the source> for a string or number member. */
static int put_member(struct buf *b, const char *key, const struct jfield *f)
{
	if (!f)
		return 0;
	if (buf_adds(b, key) < 0)
		return -1;
	if (f->type == J_STR)
		return buf_addc(b, '"') < 0 || buf_add(b, f->val, f->vlen) < 0 ||
		       buf_addc(b, '"') < 0 ? -1 : 0;
	return buf_add(b, f->val, f->vlen);
}

/* The user with id author in a v2 includes.users array. */
static const struct jfield *find_user(struct twitter *w, const struct jfield *includes,
				      const struct jfield *author)
{
	struct jobj *inc = &w->jo[5], *users = &w->jo[6], *u = &w->jo[7];
	const struct jfield *arr, *id;
	size_t i;

	if (!includes || includes->type != J_OBJ || !author ||
	    json_scan_object(includes->val, includes->vlen, inc) != 0 ||
	    !(arr = get(inc, "users")) || arr->type != J_ARR ||
	    json_scan_array(arr->val, arr->vlen, users) != 0)
		return NULL;
	for (i = 0; i < users->n; i++) {
		if (users->f[i].type != J_OBJ ||
		    json_scan_object(users->f[i].val, users->f[i].vlen, u) != 0)
			continue;
		id = get(u, "id");
		if (id && id->vlen == author->vlen && !memcmp(id->val, author->val, id->vlen))
			return &users->f[i];
	}
	return NULL;
}

/*
 * One tweet (v1.1 status, or v2 tweet with includes) to an event in out.
 * Returns 0, a rule, -1 (why) or -2.
 */
static int tweet(struct twitter *w, const struct jfield *tw, const struct jfield *includes,
		 struct buf *out, char *why)
{
	/* jo[0]: the line; 1: the tweet; 2: its author; 3, 4: what it refers to; 5-7: includes;
	 * 8: metrics; 9: the tweets of a page */
	struct jobj *t = &w->jo[1], *sub = &w->jo[2], *ref = &w->jo[4];
	const struct jfield *id, *created, *author = NULL, *handle = NULL, *followers = NULL;
	const struct jfield *post = NULL, *reply = NULL, *text, *f;
	const char *type = "mention";
	int v2, own;

	if (tw->type != J_OBJ || json_scan_object(tw->val, tw->vlen, t) != 0)
		return snprintf(why, 200, "a tweet that is not an object"), -1;
	v2 = !get(t, "id_str");
	id = get(t, v2 ? "id" : "id_str");
	created = get(t, "created_at");
	if (!id || !created)
		return snprintf(why, 200, "a tweet without %s", !id ? "an id" : "created_at"), -1;
	text = get(t, "full_text");
	if (!text)
		text = get(t, "text");
	if (!text || text->type != J_STR) {
		/* a users page (twarc's users.jsonl) has ids and created_at too: no mention at an account's birth */
		if (get(t, "username") || get(t, "screen_name"))
			return snprintf(why, 200, "not a tweet but a user account (%s, no text): a users page?",
					get(t, "username") ? "username" : "screen_name"), -1;
		return snprintf(why, 200, "not a tweet: no text"), -1;
	}

	if (!v2) {
		/* v1.1: retweeted_status, quoted_status, in_reply_to_status_id_str */
		if ((f = get(t, "retweeted_status")) && f->type == J_OBJ &&
		    json_scan_object(f->val, f->vlen, ref) == 0 && (post = get(ref, "id_str")))
			type = "share";
		else if ((f = get(t, "is_quote_status")) && f->type == J_TRUE &&
			 (post = get(t, "quoted_status_id_str")))
			type = "share";
		else if ((reply = get(t, "in_reply_to_status_id_str")))
			type = "comment", post = reply;
		if ((f = get(t, "user")) && f->type == J_OBJ &&
		    json_scan_object(f->val, f->vlen, sub) == 0) {
			author = get(sub, "id_str");
			handle = get(sub, "screen_name");
			followers = get(sub, "followers_count");
		}
	} else {
		/* v2: referenced_tweets [{type, id}], author_id; the author in includes or inline */
		struct jobj *refs = &w->jo[3];
		const struct jfield *rt;
		size_t i;

		if ((f = get(t, "referenced_tweets")) && f->type == J_ARR &&
		    json_scan_array(f->val, f->vlen, refs) == 0) {
			for (i = 0; i < refs->n; i++) {
				if (refs->f[i].type != J_OBJ ||
				    json_scan_object(refs->f[i].val, refs->f[i].vlen, ref) != 0 ||
				    !(rt = get(ref, "type")) || rt->type != J_STR)
					continue;
				if ((rt->vlen == 9 && !memcmp(rt->val, "retweeted", 9)) ||
				    (rt->vlen == 6 && !memcmp(rt->val, "quoted", 6))) {
					type = "share";
					post = get(ref, "id");
					break;
				}
				if (rt->vlen == 10 && !memcmp(rt->val, "replied_to", 10)) {
					type = "comment";
					post = reply = get(ref, "id");
				}
			}
		}
		author = get(t, "author_id");
		f = get(t, "author");
		if (!(f && f->type == J_OBJ))
			f = find_user(w, includes, author);
		if (f && json_scan_object(f->val, f->vlen, sub) == 0) {
			const struct jfield *pm;

			handle = get(sub, "username");
			if (!author)
				author = get(sub, "id");
			if ((pm = get(sub, "public_metrics")) && pm->type == J_OBJ &&
			    json_scan_object(pm->val, pm->vlen, &w->jo[8]) == 0)
				followers = get(&w->jo[8], "followers_count");
		}
	}
	own = w->brand && same_handle(handle, w->brand);
	if (own) {
		if (!reply)
			return TWITTER_OWN;
		type = "response";
	}

	struct buf *b = &w->tmp;

	b->len = 0;
	if (buf_adds(b, "{\"platform\":\"x\",\"type\":\"") < 0 || buf_adds(b, type) < 0 ||
	    buf_addc(b, '"') < 0 || put_member(b, ",\"event_id\":", id) < 0 ||
	    put_member(b, ",\"ts\":", created) < 0 || put_member(b, ",\"user_id\":", author) < 0 ||
	    put_member(b, ",\"post_id\":", own ? NULL : post) < 0 ||
	    put_member(b, ",\"reply_to\":", own ? reply : NULL) < 0 ||
	    put_member(b, ",\"followers\":", followers) < 0 ||
	    put_member(b, ",\"user_name\":", handle) < 0 || put_member(b, ",\"text\":", text) < 0 ||
	    buf_addc(b, '}') < 0)
		return -2;
	return event_append(w->en, b->p, b->len, out, why);
}

int twitter_line(struct twitter *w, const char *line, size_t len, const struct scan_marks *marks, struct buf *out,
		 char *why)
{
	struct jobj *top = &w->jo[0], *items = &w->jo[9];
	const struct jfield *data, *includes;
	size_t i, start = out->len;
	int r, kept = 0, rule = 0;

	struct jfield whole = { NULL, line, 0, (uint32_t)len, J_ARR, 0, 0 };

	if (len && line[0] == '[') {	/* v1.1's timelines: an array of tweets */
		data = &whole;
		includes = NULL;
		goto page;
	}
	r = json_scan_line(line, len, top, marks);
	if (r == -2)
		return -2;
	if (r < 0) {
		snprintf(why, 200, "%.160s (column %zu)", top->err, top->err_col);
		return -1;
	}
	data = get(top, "data");
	if (!data)
		data = get(top, "statuses");	/* v1.1's search: {"statuses":[...],"search_metadata":...} */
	includes = get(top, "includes");
	if (!data) {
		struct jfield self = { NULL, line, 0, (uint32_t)len, J_OBJ, 0, 0 };

		return tweet(w, &self, NULL, out, why);
	}
	if (data->type == J_OBJ)
		return tweet(w, data, includes, out, why);
	if (data->type != J_ARR)
		return snprintf(why, 200, "\"data\" is neither a tweet nor an array of tweets"), -1;
page:	/* a page: every tweet in it; a bad one makes the whole line bad */
	r = json_scan_array(data->val, data->vlen, items);
	if (r == -1 && data == &whole) {
		snprintf(why, 200, "%.160s", items->err ? items->err : "not a JSON array");
		return -1;
	}
	for (i = 0; r == 0 && i < items->n; i++) {
		r = tweet(w, &items->f[i], includes, out, why);
		if (r > 0)
			rule = r, r = 0;
		else if (r == 0)
			kept++;
	}
	if (r < 0) {
		out->len = start;
		return r;
	}
	return kept || !rule ? 0 : rule;
}

void twitter_free(struct twitter *w)
{
	int i;

	for (i = 0; i < 10; i++)
		jobj_free(&w->jo[i]);
	buf_free(&w->tmp);
}
