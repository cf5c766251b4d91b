/*
 * visit.c - see visit.h. The event is written directly, fields in schema
 * order: a log line's fields need no normalising pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "event.h"
#include "hash.h"
#include "json.h"
#include "ts.h"
#include "visit.h"
#include "vocab.h"

/* Append "key":"value" (value as raw bytes to escape); key is a literal. */
static int put_str(struct buf *b, const char *key, const char *v, size_t n)
{
	return buf_adds(b, key) < 0 || json_escape(b, v, n) < 0 ? -1 : 0;
}

/* A query parameter, percent-decoded (the raw value when that is no UTF-8): 1, 0 when absent, -2. */
static int param_value(struct buf *val, struct span target, const char *name, struct span *v)
{
	size_t n;
	const char *p = url_param(target.p, target.n, name, strlen(name), &n);

	if (!p)
		return 0;
	val->len = 0;
	if (url_decode(val, p, n) < 0)
		return -2;
	if (utf8_valid(val->p, val->len)) {
		v->p = val->p;
		v->n = val->len;
	} else {
		v->p = p;
		v->n = n;
	}
	return 1;
}

/* Append key and a quoted log field, its \" and \\ escapes undone when it has them. */
static int put_log_field(struct buf *val, struct buf *out, const char *key, struct span v, int esc)
{
	if (buf_adds(out, key) < 0)
		return -1;
	if (!esc)
		return json_escape(out, v.p, v.n);
	val->len = 0;
	return access_unescape(val, v.p, v.n) < 0 ? -1 : json_escape(out, val->p, val->len);
}

/* The platform of a visit: utm_source, a click id, the referrer's host, else web. */
static const char *visit_platform(struct buf *val, const struct access_rec *a)
{
	const struct vocab_entry *e;
	struct span v;
	const char *q, *end, *amp, *eq;
	char host[256], *h;
	size_t hn;

	if (param_value(val, a->target, "utm_source", &v) > 0 && (e = vocab_platform(v.p, v.n)))
		return e->name;
	q = memchr(a->target.p, '?', a->target.n);
	end = a->target.p + a->target.n;
	for (q = q ? q + 1 : end; q < end; q = amp + 1) {
		amp = memchr(q, '&', (size_t)(end - q));
		if (!amp)
			amp = end;
		eq = memchr(q, '=', (size_t)(amp - q));
		if ((e = vocab_clickid(q, (size_t)((eq ? eq : amp) - q))))
			return e->name;
	}
	if (a->referrer.p && a->referrer.n > 1) {
		hn = url_host(a->referrer.p, a->referrer.n, host, sizeof(host));
		/* the host, then each parent domain: m.facebook.com, facebook.com */
		for (h = host; hn; ) {
			if ((e = vocab_referrer(h, hn)))
				return e->name;
			q = memchr(h, '.', hn);
			if (!q || !memchr(q + 1, '.', hn - (size_t)(q + 1 - h)))
				break;
			hn -= (size_t)(q + 1 - h);
			h = (char *)q + 1;
		}
	}
	return "web";
}

/* The user: a named field, else a hash of client address and user agent, as 16 hex digits in a JSON string. */
static int put_user(const struct visit_opts *o, struct buf *val, const struct access_rec *a, struct buf *out)
{
	static const char hx[] = "0123456789abcdef";
	struct span user = { NULL, 0 };
	char hex[17];
	uint64_t h;
	int k;

	if (o->user_from == VISIT_USER_AUTH)
		user = a->user;
	else if (o->user_from == VISIT_USER_IDENT)
		user = a->ident;
	else if (o->user_from == VISIT_USER_EXTRA && a->nextra >= o->user_extra)
		user = a->extra[o->user_extra - 1];
	if (user.n == 1 && user.p[0] == '-')
		user.n = 0;
	if (user.n)
		return json_escape(out, user.p, user.n);
	val->len = 0;
	if (buf_add(val, a->client.p, a->client.n) < 0 || buf_addc(val, '\n') < 0 ||
	    buf_add(val, a->agent.p, a->agent.n) < 0)
		return -1;
	h = hash64(val->p, val->len);
	for (k = 15; k >= 0; k--, h >>= 4)
		hex[k] = hx[h & 15];
	return json_escape(out, hex, 16);
}

/* Whether the request target matches the purchase pattern. 1, 0, or -2. */
static int is_purchase(const struct visit_opts *o, struct span target)
{
	char stack[512], *s;
	int m;

	if (!o->purchase || !target.n)
		return 0;
	if (!(s = target.n < sizeof(stack) ? stack : malloc(target.n + 1)))
		return -2;
	memcpy(s, target.p, target.n);
	s[target.n] = '\0';
	m = regexec(o->purchase, s, 0, NULL, 0) == 0;
	if (s != stack)
		free(s);
	return m;
}

int visit_line(const struct visit_opts *o, struct buf *val, const char *line, size_t len, struct buf *out,
	       char *why)
{
	static const char *const utm[][2] = {
		{ "utm_campaign", ",\"campaign\":" }, { "utm_source", ",\"source\":" },
		{ "utm_medium", ",\"medium\":" }, { "utm_content", ",\"content\":" },
		{ "utm_term", ",\"term\":" },
	};
	struct access_rec a;
	const char *err, *platform;
	struct span ext, v;
	struct vts t;
	char tsbuf[TS_MAX_LEN];
	int purchase, r;
	size_t i, start = out->len;

	if (len && line[len - 1] == '\r')
		len--;
	if (!utf8_valid(line, len))
		return snprintf(why, 200, "not valid UTF-8"), -1;
	if (access_parse(line, len, &a, &err) < 0)
		return snprintf(why, 200, "%s", err), -1;
	if (!o->keep_methods && !((a.method.n == 3 && !memcmp(a.method.p, "GET", 3)) ||
				  (a.method.n == 4 && !memcmp(a.method.p, "HEAD", 4))))
		return VISIT_METHOD;	/* no page view: a form posted, a probe */
	if (!o->keep_errors && (a.status < 200 || a.status > 399))
		return VISIT_ERROR;
	if (!o->keep_bots && a.agent.n && vocab_is_bot(a.agent.p, a.agent.n))
		return VISIT_BOT;
	ext = url_extension(a.target.p, a.target.n);
	if (!o->keep_assets && ext.n && vocab_asset(ext.p, ext.n))
		return VISIT_ASSET;
	if (ts_parse(a.time.p, a.time.n, &t) < 0 || !ts_in_range(t))
		return snprintf(why, 200, "unrecognised [time]: %.*s", (int)(a.time.n > 60 ? 60 : a.time.n), a.time.p),
		       -1;
	if ((purchase = is_purchase(o, a.target)) < 0)
		return -2;
	platform = visit_platform(val, &a);

	/* canonical fields in schema order */
	if (buf_add(out, "{\"event_id\":", 12) < 0 || event_put_fingerprint(out, line, len) < 0 ||
	    buf_add(out, ",\"ts\":", 6) < 0)
		goto oom;
	i = ts_format(t, tsbuf);
	if (json_escape(out, tsbuf, i) < 0 || buf_add(out, ",\"user_id\":", 11) < 0 || put_user(o, val, &a, out) < 0)
		goto oom;
	if (buf_add(out, ",\"platform\":\"", 13) < 0 || buf_adds(out, platform) < 0 ||
	    buf_adds(out, purchase ? "\",\"type\":\"purchase\"" : "\",\"type\":\"visit\"") < 0)
		goto oom;
	for (i = 0; i < sizeof(utm) / sizeof(utm[0]); i++) {
		r = param_value(val, a.target, utm[i][0], &v);
		if (r < 0)
			goto oom;
		if (r > 0 && v.n && put_str(out, utm[i][1], v.p, v.n) < 0)
			goto oom;
	}
	if (a.target.n && put_log_field(val, out, ",\"url\":", a.target, a.target_esc) < 0)
		goto oom;
	if (a.referrer.n && !(a.referrer.n == 1 && a.referrer.p[0] == '-') &&
	    put_log_field(val, out, ",\"referrer\":", a.referrer, a.ref_esc) < 0)
		goto oom;
	if (purchase && o->revenue_param) {
		r = param_value(val, a.target, o->revenue_param, &v);
		if (r < 0)
			goto oom;
		if (r > 0 && v.n) {
			if (!json_is_number(v.p, v.n)) {
				out->len = start;
				snprintf(why, 200, "%s=%.*s is not a decimal amount", o->revenue_param,
					 (int)(v.n > 40 ? 40 : v.n), v.p);
				return -1;
			}
			if (buf_adds(out, ",\"revenue\":") < 0 || buf_add(out, v.p, v.n) < 0)
				goto oom;
		}
	}
	if (buf_add(out, "}\n", 2) < 0)
		goto oom;
	return 0;
oom:
	out->len = start;
	return -2;
}
