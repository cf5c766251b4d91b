/*
 * refs.c - see refs.h.
 */
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "partial.h"
#include "rec.h"
#include "refs.h"

size_t ref_domain(const char *ref, size_t n, char *out, size_t cap)
{
	size_t k = url_host(ref, n, out, cap), i;
	int url = (n >= 2 && ref[0] == '/' && ref[1] == '/');

	for (i = 0; i + 2 < n && !url; i++)
		url = ref[i] == ':' && ref[i + 1] == '/' && ref[i + 2] == '/';
	if (!k && !url) {	/* "example.com/page": a host without a scheme */
		for (k = 0; k < n && k < cap && !memchr("/?#: ", ref[k], 5); k++)
			out[k] = (ref[k] >= 'A' && ref[k] <= 'Z') ? (char)(ref[k] + 32) : ref[k];
		if (k == cap || (k < n && ref[k] == ':' && k + 1 < n && ref[k + 1] != '/' &&
				 !(ref[k + 1] >= '0' && ref[k + 1] <= '9')))
			return 0;	/* too long, or "mailto:..."-like: no host */
		while (k && out[k - 1] == '.')
			k--;
	}
	if (k > 4 && !memcmp(out, "www.", 4)) {
		memmove(out, out + 4, k - 4);
		k -= 4;
	}
	for (i = 0; i < k; i++)
		if (out[i] == '.' ? i == 0 : (unsigned char)out[i] <= ' ')
			return 0;
	return k;
}

int ref_is_own(const char *d, size_t n, const char *own)
{
	while (own && *own) {
		const char *e = strchr(own, ',');
		size_t m = e ? (size_t)(e - own) : strlen(own);

		if (m && m <= n && !memcmp(d + n - m, own, m) && (m == n || d[n - m - 1] == '.'))
			return 1;
		own = e ? e + 1 : NULL;
	}
	return 0;
}

static struct ref_dom *domain(A_REFS_t *t, const char *d, size_t n)
{
	struct ref_dom *r;
	int made;

	if (!t->row_size)	/* a group's state starts zeroed */
		htab_rows_init(t, sizeof(struct ref_dom), 8);
	if ((r = htab_rows_get(t, hash128(d, n), &made)) && made) {
		struct slot s = { J_STR, d, (uint32_t)n };

		r->id = hash128(d, n);
		r->first = REC_NO_TS;
		if (acc_text_set(&r->name, &s) < 0)
			return NULL;
	}
	return r;
}

int refs_take(A_REFS_t *t, const char *ref, size_t n, int has_user, struct h128 user, long long ts)
{
	char d[256];
	size_t k = ref_domain(ref, n, d, sizeof(d));
	struct ref_dom *r;
	uint64_t *v;

	if (!k)
		return 0;
	if (!(r = domain(t, d, k)))
		return -1;
	r->visits++;
	if (ts < r->first)
		r->first = ts;
	r->visitors.h.no_values = 1;
	return has_user && htab_put(&r->visitors.h, user, &v) < 0 ? -1 : 0;
}

static int by_name(const void *a, const void *b)
{
	const struct ref_dom *x = *(const struct ref_dom *const *)a, *y = *(const struct ref_dom *const *)b;
	int c = memcmp(x->name.p, y->name.p, x->name.len < y->name.len ? x->name.len : y->name.len);

	return c ? c : (x->name.len > y->name.len) - (x->name.len < y->name.len);
}

int refs_json(const A_REFS_t *t, struct buf *b)
{
	const struct ref_dom **o;
	size_t i;
	int r = 0;

	if (!t->n)
		return buf_add(b, "null", 4);
	if (!(o = malloc(t->n * sizeof(*o))))
		return -1;
	for (i = 0; i < t->n; i++)
		o[i] = htab_rows_at(t, i);
	qsort(o, t->n, sizeof(*o), by_name);
	r = buf_addc(b, '[');
	for (i = 0; i < t->n && r == 0; i++)
		r = (i && buf_addc(b, ',') < 0) || buf_addc(b, '[') < 0 || json_escape(b, o[i]->name.p, o[i]->name.len) < 0 ||
		    buf_addc(b, ',') < 0 || json_put_uint(b, o[i]->visits) < 0 || buf_addc(b, ',') < 0 ||
		    partial_put_ms(b, o[i]->first, REC_NO_TS) < 0 || buf_addc(b, ',') < 0 ||
		    acc_state_json(A_DISTINCT, &o[i]->visitors, b) < 0 || buf_addc(b, ']') < 0 ? -1 : 0;
	free(o);
	return r || buf_addc(b, ']') < 0 ? -1 : 0;
}

int refs_merge_json(A_REFS_t *t, const struct jfield *f, struct jobj *arr, struct jobj *el, struct jobj *set,
		    struct buf *tmp)
{
	const char *err;
	size_t i;

	if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0)
		return -1;
	for (i = 0; i < arr->n; i++) {
		struct ref_dom *r;
		uint64_t visits;
		long long first;
		int m;

		if (arr->f[i].type != J_ARR || json_scan_array(arr->f[i].val, arr->f[i].vlen, el) != 0 || el->n != 4 ||
		    el->f[0].type != J_STR || el->f[0].vesc || !el->f[0].vlen || partial_get_u64(&el->f[1], &visits) < 0 ||
		    partial_get_ms(&el->f[2], &first, REC_NO_TS) < 0)
			return -1;
		if (!(r = domain(t, el->f[0].val, el->f[0].vlen)))
			return -2;
		r->visits += visits;
		if (first < r->first)
			r->first = first;
		if ((m = acc_merge_json(A_DISTINCT, &r->visitors, &el->f[3], set, tmp, &err)) < 0)
			return m;
	}
	return 0;
}

size_t refs_bytes(const A_REFS_t *t)
{
	size_t n = htab_rows_bytes(t), i;

	for (i = 0; i < t->n; i++) {
		const struct ref_dom *r = htab_rows_at(t, i);

		n += r->name.cap + acc_state_bytes(A_DISTINCT, &r->visitors);
	}
	return n;
}

void refs_free(A_REFS_t *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct ref_dom *r = htab_rows_at(t, i);

		acc_free_state(A_MIN, &r->name);
		acc_free_state(A_DISTINCT, &r->visitors);
	}
	htab_rows_free(t);
}
