/*
 * orders.c - see orders.h.
 */
#include <stdlib.h>
#include <string.h>

#include "orders.h"
#include "partial.h"
#include "rec.h"

static struct cust *customer(struct orders *t, struct h128 id)
{
	struct cust *c;
	int made;

	if (!t->customers.row_size)	/* a group's state starts zeroed */
		htab_rows_init_keyed(&t->customers, sizeof(struct cust), 16);
	if ((c = htab_rows_get(&t->customers, id, &made)) && made) {
		c->id = id;
		c->first_ts = REC_NO_TS;
	}
	return c;
}

/* A customer's order (c NULL: a purchase without user_id), counted once. 0, or -1. */
static int add_pair(struct orders *t, struct cust *c, struct h128 user, struct h128 order)
{
	struct order_pair pr = { user, order };
	uint64_t *v;
	int ins;

	t->pairs.no_values = t->ids.no_values = 1;
	ins = htab_put(&t->pairs, hash128(&pr, sizeof(pr)), &v);
	if (ins <= 0)
		return ins;
	if (t->np == t->pcap) {
		size_t cap = t->pcap ? 2 * t->pcap : 16;
		struct order_pair *np = realloc(t->p, cap * sizeof(*np));

		if (!np)
			return -1;
		t->p = np;
		t->pcap = cap;
	}
	t->p[t->np++] = pr;
	if (c)
		c->norders++;
	return htab_put(&t->ids, order, &v) < 0 ? -1 : 0;
}

int orders_take(struct orders *t, int has_user, struct h128 user, long long ts, int has_order, struct h128 order)
{
	struct h128 u = { 0, 0 };
	struct cust *c = NULL;

	if (has_user) {
		u = user;
		if (!(c = customer(t, u)))
			return -1;
		if (ts < c->first_ts)
			c->first_ts = ts;
	}
	if (has_order)
		return add_pair(t, c, u, order);
	if (c)
		c->noid++;
	else
		t->anon_noid++;
	return 0;
}

uint64_t orders_count(const struct orders *t, uint64_t *repeat)
{
	uint64_t orders = t->ids.count + t->anon_noid;
	size_t i;

	*repeat = 0;
	for (i = 0; i < t->customers.n; i++) {
		const struct cust *c = orders_customer(t, i);

		orders += c->noid;
		*repeat += c->noid + c->norders >= 2;
	}
	return orders;
}

int orders_absorb(struct orders *t, struct orders *src)
{
	size_t k;

	if (!t->customers.n && !t->np && !t->anon_noid) {	/* an empty state takes src as it is */
		orders_free(t);
		*t = *src;
		memset(src, 0, sizeof(*src));
		return 0;
	}
	t->anon_noid += src->anon_noid;
	for (k = 0; k < src->customers.n; k++) {
		const struct cust *c = orders_customer(src, k);
		struct cust *cu = customer(t, c->id);

		if (!cu)
			return -1;
		if (c->first_ts < cu->first_ts)
			cu->first_ts = c->first_ts;
		cu->noid += c->noid;
	}
	for (k = 0; k < src->np; k++) {	/* each pair once, counted for its customer when new */
		const struct order_pair *pr = &src->p[k];
		struct cust *cu = NULL;

		if ((pr->user.lo || pr->user.hi) && !(cu = customer(t, pr->user)))
			return -1;
		if (add_pair(t, cu, pr->user, pr->order) < 0)
			return -1;
	}
	return 0;
}

static int cust_cmp(const void *a, const void *b)
{
	return h128_cmp(&(*(const struct cust *const *)a)->id, &(*(const struct cust *const *)b)->id);
}

static int pair_cmp(const void *a, const void *b)
{
	const struct order_pair *x = *(const struct order_pair *const *)a, *y = *(const struct order_pair *const *)b;
	int c = h128_cmp(&x->user, &y->user);

	return c ? c : h128_cmp(&x->order, &y->order);
}

/* In the hashes' order: the same text however the state was built (in parts, or merged). */
int orders_json(const struct orders *t, struct buf *b)
{
	const void **o;
	size_t k, n = t->customers.n > t->np ? t->customers.n : t->np;
	int r = -1;

	if (!(o = malloc((n ? n : 1) * sizeof(*o))))
		return -1;
	for (k = 0; k < t->customers.n; k++)
		o[k] = orders_customer(t, k);
	qsort(o, t->customers.n, sizeof(*o), cust_cmp);
	if (buf_adds(b, "{\"c\":[") < 0)
		goto done;
	for (k = 0; k < t->customers.n; k++) {
		const struct cust *c = o[k];

		if ((k && buf_addc(b, ',') < 0) || buf_addc(b, '[') < 0 || partial_put_hash(b, c->id) < 0 ||
		    buf_addc(b, ',') < 0 || partial_put_ms(b, c->first_ts, REC_NO_TS) < 0 ||
		    buf_addc(b, ',') < 0 || json_put_uint(b, c->noid) < 0 || buf_addc(b, ']') < 0)
			goto done;
	}
	if (buf_adds(b, "],\"p\":[") < 0)
		goto done;
	for (k = 0; k < t->np; k++)
		o[k] = &t->p[k];
	qsort(o, t->np, sizeof(*o), pair_cmp);
	for (k = 0; k < t->np; k++) {
		const struct order_pair *pr = o[k];
		int anon = !pr->user.lo && !pr->user.hi;

		if ((k && buf_addc(b, ',') < 0) || buf_addc(b, '[') < 0 ||
		    (anon ? buf_add(b, "null", 4) : partial_put_hash(b, pr->user)) < 0 || buf_addc(b, ',') < 0 ||
		    partial_put_hash(b, pr->order) < 0 || buf_addc(b, ']') < 0)
			goto done;
	}
	r = buf_adds(b, "],\"a\":") < 0 || json_put_uint(b, t->anon_noid) < 0 || buf_addc(b, '}') < 0 ? -1 : 0;
done:
	free(o);
	return r;
}

int orders_merge_json(struct orders *t, const struct jfield *f, struct jobj *arr, struct jobj *el, struct jobj *obj)
{
	const struct jfield *c, *pr, *an;
	struct h128 h, o;
	long long ms;
	uint64_t n;
	size_t k;

	if (f->type != J_OBJ || json_scan_object(f->val, f->vlen, obj) != 0 || !(c = jobj_get(obj, "c", 1)) ||
	    !(pr = jobj_get(obj, "p", 1)) || !(an = jobj_get(obj, "a", 1)) || c->type != J_ARR ||
	    pr->type != J_ARR || partial_get_u64(an, &n) < 0 || json_scan_array(c->val, c->vlen, arr) != 0)
		return -1;
	t->anon_noid += n;
	for (k = 0; k < arr->n; k++) {
		struct cust *cu;

		if (arr->f[k].type != J_ARR || json_scan_array(arr->f[k].val, arr->f[k].vlen, el) != 0 ||
		    el->n != 3 || partial_get_hash(&el->f[0], &h) < 0 ||
		    partial_get_ms(&el->f[1], &ms, REC_NO_TS) < 0 || partial_get_u64(&el->f[2], &n) < 0)
			return -1;
		if (!(cu = customer(t, h)))
			return -2;
		if (ms < cu->first_ts)
			cu->first_ts = ms;
		cu->noid += n;
	}
	if (json_scan_array(pr->val, pr->vlen, arr) != 0)
		return -1;
	for (k = 0; k < arr->n; k++) {
		struct cust *cu = NULL;

		h.lo = h.hi = 0;
		if (arr->f[k].type != J_ARR || json_scan_array(arr->f[k].val, arr->f[k].vlen, el) != 0 ||
		    el->n != 2 || (el->f[0].type != J_NULL && partial_get_hash(&el->f[0], &h) < 0) ||
		    partial_get_hash(&el->f[1], &o) < 0)
			return -1;
		if (el->f[0].type != J_NULL && !(cu = customer(t, h)))
			return -2;
		if (add_pair(t, cu, h, o) < 0)
			return -2;
	}
	return 0;
}

void orders_free(struct orders *t)
{
	htab_rows_free(&t->customers);
	htab_free(&t->pairs);
	htab_free(&t->ids);
	free(t->p);
	memset(t, 0, sizeof(*t));
}
