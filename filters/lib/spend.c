/*
 * spend.c - see spend.h. The file is read whole (it is small) and split
 * into records as every CSV input is (input.h), then into fields (csvrec).
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

/* One row of the table. 0, -1, -2. */
static int row(struct spend *sp, const struct csvrec *cr, uint64_t line, long kc, long sc, long dc)
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
	if (dec_parse(cr->f[sc], cr->flen[sc], &r->spend) < 0)
		return bad(sp, line, "spend: not a number: %.*s", (int)(cr->flen[sc] > 60 ? 60 : cr->flen[sc]),
			   cr->f[sc]);
	if (cr->flen[kc] && !(r->key = strndup(cr->f[kc], cr->flen[kc])))
		return -2;
	sp->n++;	/* freed from here on */
	if (dc >= 0 && cr->flen[dc]) {
		long long ms;
		struct jfield f;

		memset(&f, 0, sizeof(f));
		f.type = J_STR;
		f.val = cr->f[dc];
		f.vlen = (uint32_t)cr->flen[dc];
		if (event_ts_ms(&f, &ms) < 0)
			return bad(sp, line, "date: not a date: %.*s", (int)(f.vlen > 60 ? 60 : f.vlen), f.val);
		if (!(r->date = strndup(cr->f[dc], cr->flen[dc])))
			return -2;
	}
	return 0;
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
		if ((rc = row(sp, &cr, line, kc, sc, dc)) < 0)
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
