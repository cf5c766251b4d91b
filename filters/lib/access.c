/*
 * access.c - see access.h. Left to right over the line, no regex: the
 * fields are found by their delimiters (spaces, brackets, quotes).
 */
#include <stddef.h>
#include <string.h>

#include "access.h"

static const char *skip_sp(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* A "quoted" field at p: its content in *s; returns the end, or NULL when unterminated. */
static const char *quoted(const char *p, const char *end, struct span *s, int *esc)
{
	const char *q;

	/* the first quote ends it unless a backslash comes before: then byte by byte */
	*esc = 0;
	p++;
	if (!(q = memchr(p, '"', (size_t)(end - p))))
		q = end;
	if (memchr(p, '\\', (size_t)(q - p)))
		for (q = p; q < end; q++) {
			if (*q == '\\' && q + 1 < end) {
				*esc = 1;
				q++;
			} else if (*q == '"')
				break;
		}
	if (q >= end)
		return NULL;
	s->p = p;
	s->n = (size_t)(q - p);
	return q + 1;
}

/* An unquoted field (up to a space) at p. */
static const char *bare(const char *p, const char *end, struct span *s)
{
	const char *q = memchr(p, ' ', (size_t)(end - p));

	if (!q)
		q = end;
	s->p = p;
	s->n = (size_t)(q - p);
	return q;
}

/* A field either quoted or bare. */
static const char *field(const char *p, const char *end, struct span *s, int *esc)
{
	*esc = 0;
	return *p == '"' ? quoted(p, end, s, esc) : bare(p, end, s);
}

static int is_dash(struct span s)
{
	return s.n == 0 || (s.n == 1 && s.p[0] == '-');
}

/* The client: the first address in the part before IDENT USER that is not "-". */
static void pick_client(const char *p, const char *end, struct span *c)
{
	struct span t;
	const char *q;

	c->p = p;
	c->n = 0;
	while (p < end) {
		p = skip_sp(p, end);
		if (p >= end)
			break;
		if (*p == '"')
			p++;
		for (q = p; q < end && *q != ' ' && *q != ',' && *q != '"'; q++)
			;
		t.p = p;
		t.n = (size_t)(q - p);
		if (!is_dash(t)) {
			*c = t;
			return;
		}
		p = q;
		while (p < end && (*p == ',' || *p == '"'))
			p++;
	}
}

int access_parse(const char *line, size_t len, struct access_rec *r, const char **err)
{
	const char *end = line + len, *p, *lb, *q, *sp2, *sp1;
	int esc;

	/* all but the extra fields, which count from nextra = 0 */
	memset(r, 0, offsetof(struct access_rec, extra));
	r->nextra = 0;
	/* CLIENT... IDENT USER [TIME]: the bracket, then back over two fields */
	lb = memchr(line, '[', len);
	if (!lb || lb - line < 5 || lb[-1] != ' ') {
		*err = "no [time] field: not an access log line";
		return -1;
	}
	q = lb - 1;	/* the space before '[' */
	for (sp2 = q - 1; sp2 > line && *sp2 != ' '; sp2--)
		;
	for (sp1 = sp2 - 1; sp1 > line && *sp1 != ' '; sp1--)
		;
	if (sp1 <= line || *sp1 != ' ' || *sp2 != ' ') {
		*err = "expected CLIENT IDENT USER before [time]";
		return -1;
	}
	pick_client(line, sp1, &r->client);
	if (r->client.n == 0) {
		*err = "no client address";
		return -1;
	}
	r->ident.p = sp1 + 1;
	r->ident.n = (size_t)(sp2 - sp1 - 1);
	r->user.p = sp2 + 1;
	r->user.n = (size_t)(q - sp2 - 1);
	p = memchr(lb, ']', (size_t)(end - lb));
	if (!p) {
		*err = "[time] is not closed";
		return -1;
	}
	r->time.p = lb;
	r->time.n = (size_t)(p - lb + 1);
	p = skip_sp(p + 1, end);
	if (p >= end || *p != '"' || !(p = quoted(p, end, &r->request, &esc))) {
		*err = "no \"request\" field after [time]";
		return -1;
	}
	r->target_esc = esc;
	/* METHOD TARGET PROTOCOL; a bare "-" or junk leaves them empty */
	q = memchr(r->request.p, ' ', r->request.n);
	if (q) {
		const char *rend = r->request.p + r->request.n, *t = q + 1, *u;

		r->method.p = r->request.p;
		r->method.n = (size_t)(q - r->request.p);
		u = memchr(t, ' ', (size_t)(rend - t));
		r->target.p = t;
		r->target.n = (size_t)((u ? u : rend) - t);
		if (u) {
			r->proto.p = u + 1;
			r->proto.n = (size_t)(rend - u - 1);
		}
	}
	/* STATUS */
	p = skip_sp(p, end);
	if (end - p < 3 || p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9' || (end - p > 3 && p[3] != ' ')) {
		*err = "no three-digit status after the request";
		return -1;
	}
	r->status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	p = skip_sp(p + 3, end);
	/* BYTES: digits or "-" */
	if (p >= end) {
		*err = "no size after the status";
		return -1;
	}
	for (q = p; q < end && *q != ' '; q++)
		if (!(*q >= '0' && *q <= '9') && !(*q == '-' && q == p))
			break;
	if (q < end && *q != ' ') {
		*err = "the size after the status is not a number";
		return -1;
	}
	p = skip_sp(q, end);
	/* combined: "REFERRER" "USER-AGENT" */
	if (p < end && *p == '"') {
		if (!(p = quoted(p, end, &r->referrer, &r->ref_esc))) {
			*err = "the referrer's quote is not closed";
			return -1;
		}
		p = skip_sp(p, end);
		if (p >= end || *p != '"' || !(p = quoted(p, end, &r->agent, &r->agent_esc))) {
			*err = "no closed \"user agent\" after the referrer";
			return -1;
		}
		if (!r->referrer.p)
			r->referrer.p = "";
		if (!r->agent.p)
			r->agent.p = "";
	}
	/* the rest: extra fields */
	while ((p = skip_sp(p, end)) < end) {
		struct span s;

		if (!(p = field(p, end, &s, &esc))) {
			*err = "a quoted field at the end is not closed";
			return -1;
		}
		if (r->nextra < ACCESS_MAX_EXTRA)
			r->extra[r->nextra++] = s;
	}
	return 0;
}

int access_sniff(const char *line, size_t len)
{
	struct access_rec r;
	const char *err;

	return access_parse(line, len, &r, &err) == 0 && r.time.n >= 20 && r.time.p[3] == '/';
}

int access_unescape(struct buf *out, const char *s, size_t n)
{
	const char *end = s + n, *b;

	while (s < end) {
		b = memchr(s, '\\', (size_t)(end - s));
		if (!b || b + 1 >= end)
			return buf_add(out, s, (size_t)(end - s));
		if (buf_add(out, s, (size_t)(b - s)) < 0)
			return -1;
		if (b[1] == '"' || b[1] == '\\') {
			if (buf_addc(out, b[1]) < 0)
				return -1;
		} else if (buf_add(out, b, 2) < 0)
			return -1;
		s = b + 2;
	}
	return 0;
}

const char *url_param(const char *url, size_t n, const char *name, size_t nlen, size_t *vlen)
{
	const char *end = url + n, *p = memchr(url, '?', n), *e, *amp;

	if (!p)
		return NULL;
	e = memchr(p, '#', (size_t)(end - p));
	if (e)
		end = e;
	for (p++; p < end; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		if ((size_t)(amp - p) >= nlen && memcmp(p, name, nlen) == 0) {
			if (p + nlen == amp) {
				*vlen = 0;
				return amp;
			}
			if (p[nlen] == '=') {
				*vlen = (size_t)(amp - p - nlen - 1);
				return p + nlen + 1;
			}
		}
	}
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int url_decode(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int h, l;

	if (buf_grow(out, n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
			 (l = hexval(s[i + 2])) >= 0) {
			c = (char)(h * 16 + l);
			i += 2;
		}
		out->p[out->len++] = c;
	}
	return 0;
}

size_t url_host(const char *url, size_t n, char *out, size_t cap)
{
	const char *end = url + n, *p = url, *h, *q;
	size_t k;

	/* scheme "://" (or a scheme-relative "//") */
	q = n >= 3 ? memchr(url, ':', n) : NULL;
	if (q && q + 2 < end && q[1] == '/' && q[2] == '/')
		p = q + 3;
	else if (n >= 2 && url[0] == '/' && url[1] == '/')
		p = url + 2;
	else
		return 0;
	for (q = p; q < end && *q != '/' && *q != '?' && *q != '#'; q++)
		;
	h = memchr(p, '@', (size_t)(q - p));	/* user:password@ */
	if (h)
		p = h + 1;
	if (p < q && *p == '[')
		return 0;	/* an IPv6 literal is no platform's host */
	h = memchr(p, ':', (size_t)(q - p));	/* :port */
	if (h)
		q = h;
	if (q - p == 0 || (size_t)(q - p) >= cap)
		return 0;
	for (k = 0; p < q; p++, k++)
		out[k] = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
	if (out[k - 1] == '.')	/* a fully qualified "t.co." */
		k--;
	return k;
}

struct span url_extension(const char *url, size_t n)
{
	const char *end = url + n, *p, *dot = NULL, *q;
	struct span s = { NULL, 0 };

	q = memchr(url, '?', n);
	if (q)
		end = q;
	q = memchr(url, '#', (size_t)(end - url));
	if (q)
		end = q;
	for (p = end; p > url && p[-1] != '/'; p--)
		if (p[-1] == '.' && !dot)
			dot = p - 1;
	if (dot && end - dot > 1 && end - dot <= 8) {
		s.p = dot + 1;
		s.n = (size_t)(end - dot - 1);
	}
	return s;
}
