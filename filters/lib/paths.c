/*
 * paths.c - channels by name, journeys as aggregated paths, and
 * ChannelAttribution's path format in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvrec.h"
#include "paths.h"
#include "sort.h"

long chans_id(struct chans *c, const char *s, size_t n)
{
	return chans_id_hashed(c, s, n, hash128(s, n));
}

long chans_id_hashed(struct chans *c, const char *s, size_t n, struct h128 h)
{
	struct chans_memo *m = &c->memo[h.lo & (CHANS_MEMO - 1)];
	uint64_t *v;
	int r;
	char *copy;

	if (m->id1 && m->h.lo == h.lo && m->h.hi == h.hi)
		return (long)(m->id1 - 1);
	if ((r = htab_put(&c->idx, h, &v)) < 0)
		return -1;
	if (r == 0) {
		m->h = h;
		m->id1 = *v;
		return (long)(*v - 1);
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		const char **name = realloc(c->name, cap * sizeof(*name));
		uint32_t *len;

		if (name)
			c->name = name;
		len = name ? realloc(c->len, cap * sizeof(*len)) : NULL;
		if (!len) {
			htab_del(&c->idx, h);
			return -1;
		}
		c->len = len;
		c->cap = cap;
	}
	if (!(copy = arena_strndup(&c->a, s, n))) {
		htab_del(&c->idx, h);
		return -1;
	}
	c->name[c->n] = copy;
	c->len[c->n] = (uint32_t)n;
	*v = c->n + 1;	/* nothing was put in the table since: v still points at the key's value */
	m->h = h;
	m->id1 = *v;
	return (long)c->n++;
}

void chans_free(struct chans *c)
{
	htab_free(&c->idx);
	free(c->name);
	free(c->len);
	arena_free(&c->a);
	memset(c, 0, sizeof(*c));
}

/* Remember row + 1 as the path of channel ch alone: a lookup without hashing next time. Memory wanting: not remembered. */
static void remember_one(struct paths *p, uint32_t ch, size_t row1)
{
	if (ch >= p->one_cap) {
		size_t cap = p->one_cap ? 2 * p->one_cap : 64, *one;

		while (cap <= ch)
			cap *= 2;
		if (!(one = realloc(p->one, cap * sizeof(*one))))
			return;
		memset(one + p->one_cap, 0, (cap - p->one_cap) * sizeof(*one));
		p->one = one;
		p->one_cap = cap;
	}
	p->one[ch] = row1;
}

int paths_add(struct paths *p, const uint32_t *ids, uint32_t n, uint64_t conv, struct dec value, uint64_t null)
{
	struct h128 h;
	struct path_row *r;
	uint64_t *v;
	int made;

	if (n == 1 && ids[0] < p->one_cap && p->one[ids[0]]) {
		r = &p->row[p->one[ids[0]] - 1];
		goto add;
	}
	h = hash128(ids, n * sizeof(*ids));
	if ((made = htab_put(&p->idx, h, &v)) < 0)
		return -1;
	if (made) {
		if (p->n == p->cap) {
			size_t cap = p->cap ? 2 * p->cap : 256;
			struct path_row *row = realloc(p->row, cap * sizeof(*row));

			if (!row) {
				htab_del(&p->idx, h);
				return -1;
			}
			p->row = row;
			p->cap = cap;
		}
		if (p->seq_n + n > p->seq_cap) {
			size_t cap = p->seq_cap ? 2 * p->seq_cap : 1024;
			uint32_t *seq;

			while (cap < p->seq_n + n)
				cap *= 2;
			if (!(seq = realloc(p->seq, cap * sizeof(*seq)))) {
				htab_del(&p->idx, h);
				return -1;
			}
			p->seq = seq;
			p->seq_cap = cap;
		}
		memcpy(p->seq + p->seq_n, ids, n * sizeof(*ids));
		r = &p->row[p->n];
		memset(r, 0, sizeof(*r));
		r->off = p->seq_n;
		r->n = n;
		p->seq_n += n;
		*v = ++p->n;
	}
	r = &p->row[*v - 1];
	if (n == 1)
		remember_one(p, ids[0], (size_t)*v);
add:
	if (dec_add(&r->value, value) < 0 || dec_add(&p->value, value) < 0)
		return -2;
	r->conv += conv;
	r->null += null;
	p->conv += conv;
	p->null += null;
	return 0;
}

long paths_find(const struct paths *p, const uint32_t *ids, uint32_t n)
{
	uint64_t *v = htab_get(&p->idx, hash128(ids, n * sizeof(*ids)));

	return v ? (long)*v - 1 : -1;
}

long paths_direct_row(const struct paths *p)
{
	uint64_t *v = htab_get(&p->ch.idx, hash128(PATHS_DIRECT, strlen(PATHS_DIRECT)));
	uint32_t id;

	if (!v)
		return -1;
	id = (uint32_t)(*v - 1);
	return paths_find(p, &id, 1);
}

static int by_text(const void *a, const void *b, void *ctx)
{
	const struct paths *p = ctx;
	const struct path_row *x = &p->row[*(const size_t *)a], *y = &p->row[*(const size_t *)b];
	const uint32_t *s = paths_steps(p, x), *t = paths_steps(p, y);
	uint32_t i, n = x->n < y->n ? x->n : y->n;

	for (i = 0; i < n; i++) {
		if (s[i] != t[i]) {
			/* names compare as bytes; the NUL after each makes a prefix come first */
			int c = strcmp(p->ch.name[s[i]], p->ch.name[t[i]]);

			if (c)
				return c;
		}
	}
	return (x->n > y->n) - (x->n < y->n);
}

int paths_order(const struct paths *p, size_t **order)
{
	size_t i;

	if (!(*order = malloc((p->n ? p->n : 1) * sizeof(**order))))
		return -1;
	for (i = 0; i < p->n; i++)
		(*order)[i] = i;
	return sort_stable(*order, p->n, sizeof(**order), by_text, (void *)p);
}

int paths_text(const struct paths *p, const struct path_row *r, const char *sep, struct buf *b)
{
	const uint32_t *s = paths_steps(p, r);
	uint32_t i;

	for (i = 0; i < r->n; i++)
		if ((i && buf_adds(b, sep) < 0) || buf_add(b, p->ch.name[s[i]], p->ch.len[s[i]]) < 0)
			return -1;
	return 0;
}

size_t paths_bytes(const struct paths *p)
{
	return htab_bytes(&p->idx) + p->cap * sizeof(*p->row) + p->seq_cap * sizeof(*p->seq) + p->one_cap * sizeof(*p->one) +
	       htab_bytes(&p->ch.idx) + p->ch.cap * (sizeof(*p->ch.name) + sizeof(*p->ch.len)) + p->ch.a.used;
}

void paths_free(struct paths *p)
{
	chans_free(&p->ch);
	htab_free(&p->idx);
	free(p->row);
	free(p->seq);
	free(p->one);
	memset(p, 0, sizeof(*p));
}

/* ---- ChannelAttribution's path format ---- */

/* A whole number of journeys: "12", "12.0". 0, or -1. */
static int whole(const char *s, size_t n, uint64_t *v)
{
	struct dec d;

	if (n == 0) {
		*v = 0;
		return 0;
	}
	if (dec_parse(s, n, &d) < 0 || d.m < 0)
		return -1;
	while (d.scale > 0 && d.m % 10 == 0) {
		d.m /= 10;
		d.scale--;
	}
	if (d.scale || d.m > (__int128)UINT64_MAX / 2)
		return -1;
	*v = (uint64_t)d.m;
	return 0;
}

static int bad(char *err, uint64_t *err_line, uint64_t line, const char *what)
{
	snprintf(err, 200, "%s", what);
	*err_line = line;
	return -1;
}

/* The channels of one path cell, interned into ids. The count, -1 (no channel), -2 (memory). */
static long split_path(struct paths *p, const char *s, size_t n, uint32_t **ids, size_t *cap)
{
	size_t k = 0, i = 0, j;
	long id;

	while (i <= n) {
		const char *gt = memchr(s + i, '>', n - i);

		j = gt ? (size_t)(gt - s) : n;
		{
			size_t a = i, b = j;

			while (a < b && (s[a] == ' ' || s[a] == '\t'))
				a++;
			while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
				b--;
			if (a == b)
				return -1;
			if (k == *cap) {
				size_t c = *cap ? 2 * *cap : 64;
				uint32_t *t = realloc(*ids, c * sizeof(*t));

				if (!t)
					return -2;
				*ids = t;
				*cap = c;
			}
			if ((id = chans_id(&p->ch, s + a, b - a)) < 0)
				return -2;
			(*ids)[k++] = (uint32_t)id;
		}
		i = j + 1;
	}
	return (long)k;
}

int paths_read_csv(struct paths *p, const char *path, char *err, uint64_t *err_line)
{
	struct buf b = BUF_INIT;
	struct csvrec cr;
	uint32_t *ids = NULL;
	size_t cap = 0, pos = 0, len;
	uint64_t line = 0, conv, null;
	int col[4] = { -1, -1, -1, -1 }, rc = -1, i, header = 0;
	long nf, k;
	static const char *const names[4] = { "path", "total_conversions", "total_conversion_value", "total_null" };

	*err_line = 0;
	if (buf_load(&b, path) < 0) {
		snprintf(err, 200, "cannot open: %s", strerror(errno));
		buf_free(&b);
		return -1;
	}
	if (csvrec_init(&cr, ',', '"') < 0) {
		buf_free(&b);
		return -2;
	}
	while (pos < b.len) {
		const char *s = b.p + pos, *nl = memchr(s, '\n', b.len - pos);
		struct dec value = { 0, 0 };

		len = nl ? (size_t)(nl - s) : b.len - pos;
		pos += len + 1;
		line++;
		if (len == 0 || (len == 1 && s[0] == '\r'))
			continue;
		if (!header && memchr(s, ';', len))
			csvrec_set_delim(&cr, ';');
		if ((nf = csvrec_split(&cr, s, len)) == -2)
			goto oom;
		if (nf < 0) {
			rc = bad(err, err_line, line, cr.err);
			goto done;
		}
		if (!header) {	/* the first line that is not blank (not line 1: a blank line may come first) */
			header = 1;
			for (k = 0; k < nf; k++)
				for (i = 0; i < 4; i++)
					if (cr.flen[k] == strlen(names[i]) && !memcmp(cr.f[k], names[i], cr.flen[k]))
						col[i] = (int)k;
			if (col[0] < 0 || col[1] < 0) {
				rc = bad(err, err_line, line,
					 "not ChannelAttribution's path format: the header names no path and "
					 "total_conversions columns");
				goto done;
			}
			continue;
		}
		for (i = 0; i < 4; i++)
			if (col[i] >= nf) {
				rc = bad(err, err_line, line, "fewer fields than the header");
				goto done;
			}
		if (whole(cr.f[col[1]], cr.flen[col[1]], &conv) < 0) {
			rc = bad(err, err_line, line, "total_conversions is not a whole number of journeys");
			goto done;
		}
		null = 0;
		if (col[3] >= 0 && whole(cr.f[col[3]], cr.flen[col[3]], &null) < 0) {
			rc = bad(err, err_line, line, "total_null is not a whole number of journeys");
			goto done;
		}
		if (col[2] >= 0 && cr.flen[col[2]] && dec_parse(cr.f[col[2]], cr.flen[col[2]], &value) < 0) {
			rc = bad(err, err_line, line, "total_conversion_value is not a number");
			goto done;
		}
		if (!conv && !null)
			continue;	/* a path nobody took */
		if ((k = split_path(p, cr.f[col[0]], cr.flen[col[0]], &ids, &cap)) == -2)
			goto oom;
		if (k < 0) {
			rc = bad(err, err_line, line, "a path with an empty channel");
			goto done;
		}
		if ((i = paths_add(p, ids, (uint32_t)k, conv, value, null)) == -1)
			goto oom;
		if (i < 0) {
			rc = bad(err, err_line, line, "the values' sum does not fit in 38 digits");
			goto done;
		}
	}
	if (line == 0)
		rc = bad(err, err_line, 0, "empty: a header line was expected");
	else
		rc = 0;
	goto done;
oom:
	rc = -2;
done:
	free(ids);
	csvrec_free(&cr);
	buf_free(&b);
	return rc;
}
