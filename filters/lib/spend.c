/*
 * spend.c - see spend.h. The file is read whole (it is small) and split
 * into records as every CSV input is (input.h), then into fields (csvrec);
 * or, when it starts with '{', into lines of JSON objects.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csvrec.h"
#include "event.h"
#include "input.h"
#include "json.h"
#include "spend.h"

static int bad(struct spend *sp, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(struct spend *sp, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sp->err, sizeof(sp->err), fmt, ap);
	va_end(ap);
	sp->err_line = line;
	return -1;
}

/* The header's columns: key, spend and date (-1: none). 0, or -1. */
static int header(struct spend *sp, const struct csvrec *cr, long n, uint64_t line, long *kc, long *sc, long *dc)
{
	long k;

	for (k = 0; k < n; k++) {
		const char *h = cr->f[k];
		size_t hl = cr->flen[k];

		if ((hl == 8 && !memcmp(h, "campaign", 8)) || (hl == 8 && !memcmp(h, "platform", 8))) {
			if (*kc >= 0)
				return bad(sp, line, "both campaign and platform: spend is by one of them");
			*kc = k;
			sp->col = h[0] == 'c' ? "campaign" : "platform";
		} else if (hl == 4 && !memcmp(h, "date", 4))
			*dc = k;
		else if (hl == 5 && !memcmp(h, "spend", 5))
			*sc = k;
	}
	if (*kc < 0 || *sc < 0)
		return bad(sp, line, "the header needs campaign or platform, and spend (and may have date)");
	return 0;
}

/* One row of the table: its key, spend and date (NULL: none). 0, -1, -2. */
static int row(struct spend *sp, uint64_t line, const char *key, size_t klen, const char *v, size_t vlen,
	       const char *date, size_t dlen)
{
	struct spend_row *r;

	if (sp->n % 256 == 0) {
		struct spend_row *nr = realloc(sp->row, (sp->n + 256) * sizeof(*nr));

		if (!nr)
			return -2;
		sp->row = nr;
	}
	r = &sp->row[sp->n];
	memset(r, 0, sizeof(*r));
	r->line = line;
	if (dec_parse(v, vlen, &r->spend) < 0)
		return bad(sp, line, "spend: not a number: %.*s", (int)(vlen > 60 ? 60 : vlen), v);
	if (klen && !(r->key = strndup(key, klen)))
		return -2;
	sp->n++;	/* freed from here on */
	if (date && dlen) {
		long long ms;
		struct jfield f;

		memset(&f, 0, sizeof(f));
		f.type = J_STR;
		f.val = date;
		f.vlen = (uint32_t)dlen;
		if (event_ts_ms(&f, &ms) < 0)
			return bad(sp, line, "date: not a date: %.*s", (int)(f.vlen > 60 ? 60 : f.vlen), f.val);
		if (!(r->date = strndup(date, dlen)))
			return -2;
	}
	return 0;
}

/* A member of a spend record as text (a string decoded into b); absent or null: NULL. 0, or -1 (not text). */
static int member(const struct jobj *o, const char *name, struct buf *b, const char **s, size_t *n)
{
	const struct jfield *f = jobj_get(o, name, strlen(name));

	*s = NULL;
	*n = 0;
	if (!f || f->type == J_NULL)
		return 0;
	if (f->type != J_STR && f->type != J_NUM)
		return -1;
	if (f->type == J_STR && f->vesc) {
		b->len = 0;
		if (json_unescape(f->val, f->vlen, b) < 0)
			return -1;
		*s = b->p;
		*n = b->len;
	} else {
		*s = f->val;
		*n = f->vlen;
	}
	return 0;
}

/*
 * NDJSON: one object a line with campaign or platform (the first record
 * says which; every record has the same), spend (a number or a numeric
 * string) and optionally date: what vchain-parse writes from a spend
 * profile (google-ads).
 */
static int load_ndjson(struct spend *sp, const char *p, const char *end)
{
	struct jobj o;
	struct buf kb = BUF_INIT, vb = BUF_INIT, db = BUF_INIT;
	const char *nl, *k, *v, *d;
	size_t kn, vn, dn;
	uint64_t line = 1;
	int rc = 0, r;

	memset(&o, 0, sizeof(o));
	for (; p < end && !rc; p = nl + 1, line++) {
		const char *e;

		nl = memchr(p, '\n', (size_t)(end - p));
		e = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p == e)
			continue;	/* a blank line */
		if ((r = json_scan_object(p, (size_t)(e - p), &o)) != 0) {
			rc = r == -2 ? -2 : bad(sp, line, "%s", o.err ? o.err : "not a JSON object");
			break;
		}
		if (!sp->col)
			sp->col = jobj_get(&o, "campaign", 8) ? "campaign" : "platform";
		if ((sp->col[0] == 'c' ? jobj_get(&o, "platform", 8) : jobj_get(&o, "campaign", 8)) != NULL) {
			rc = bad(sp, line, "both campaign and platform: spend is by one of them (the first record's %s)",
				 sp->col);
			break;
		}
		if (member(&o, sp->col, &kb, &k, &kn) < 0 || member(&o, "spend", &vb, &v, &vn) < 0 ||
		    member(&o, "date", &db, &d, &dn) < 0) {
			rc = bad(sp, line, "%s, spend and date are strings or numbers", sp->col);
			break;
		}
		if (!v) {
			rc = bad(sp, line, "no spend in the record");
			break;
		}
		rc = row(sp, line, k, kn, v, vn, d, dn);
	}
	if (!rc && !sp->col)
		rc = bad(sp, 0, "empty: no spend records");
	jobj_free(&o);
	buf_free(&kb);
	buf_free(&vb);
	buf_free(&db);
	return rc;
}

int spend_load(struct spend *sp, const char *path)
{
	struct buf text = BUF_INIT;
	struct csvrec cr;
	const char *p, *end;
	size_t len;
	uint64_t nl, line = 1;
	long n, ncol = 0, kc = -1, dc = -1, sc = -1;
	int rc = -1;

	memset(sp, 0, sizeof(*sp));
	sp->path = path;
	if (buf_load(&text, path) < 0) {
		rc = errno == ENOMEM ? -2 : bad(sp, 0, "cannot open: %s", strerror(errno));
		buf_free(&text);
		return rc;
	}
	if (csvrec_init(&cr, ',', '"') < 0) {
		buf_free(&text);
		return -2;
	}
	if ((!text.len || text.p[text.len - 1] != '\n') && buf_addc(&text, '\n') < 0)
		goto oom;
	p = text.p;
	end = text.p + text.len;
	if (end - p >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	if (p < end && *p == '{') {
		rc = load_ndjson(sp, p, end);
		goto done;
	}
	for (; p < end; p += len + 1, line += nl + 1) {
		len = in_record_len(p, (size_t)(end - p), '"', ',', &nl);
		if (len == 0 || (len == 1 && *p == '\r'))
			continue;
		n = csvrec_split(&cr, p, len);
		if (n == -2)
			goto oom;
		if (n < 0) {
			bad(sp, line, "%s", cr.err);
			goto done;
		}
		if (!ncol) {
			ncol = n;
			if (header(sp, &cr, n, line, &kc, &sc, &dc) < 0)
				goto done;
			continue;
		}
		if (n != ncol) {
			bad(sp, line, "%ld fields, the header has %ld", n, ncol);
			goto done;
		}
		if ((rc = row(sp, line, cr.f[kc], cr.flen[kc], cr.f[sc], cr.flen[sc], dc >= 0 ? cr.f[dc] : NULL,
			      dc >= 0 ? cr.flen[dc] : 0)) < 0)
			goto done;
	}
	rc = ncol ? 0 : bad(sp, 0, "empty: no header");
	goto done;
oom:
	rc = -2;
done:
	buf_free(&text);
	csvrec_free(&cr);
	return rc;
}

void spend_free(struct spend *sp)
{
	size_t i;

	for (i = 0; i < sp->n; i++) {
		free(sp->row[i].key);
		free(sp->row[i].date);
	}
	free(sp->row);
	sp->row = NULL;
	sp->n = 0;
}
