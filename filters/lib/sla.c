/*
 * sla.c - see sla.h.
 */
#include <stdlib.h>
#include <string.h>

#include "partial.h"
#include "rec.h"
#include "sla.h"
#include "sort.h"

/* The entry of an event_id (NULL: none, a new entry each time), made when new. */
static struct sla_ent *entry(struct sla *s, const struct h128 *id)
{
	struct sla_ent *e;
	int made = 1;

	if (!s->ents.row_size)
		htab_rows_init(&s->ents, sizeof(struct sla_ent), 256);
	if (!(e = id ? htab_rows_get(&s->ents, *id, &made) : htab_rows_add(&s->ents)) || !made)
		return e;
	if (id)
		e->id = *id;
	e->has_id = id != NULL;
	e->in_ts = e->resp_ts = e->res_ts = REC_NO_TS;
	e->group = SLA_NO_GROUP;
	return e;
}

/* The first of a repeated event_id keeps its group; its earliest time counts. */
static void inbound(struct sla_ent *e, uint32_t group, long long ts)
{
	if (e->group == SLA_NO_GROUP)
		e->group = group, e->in_ts = ts;
	else if (ts < e->in_ts)
		e->in_ts = ts;
}

int sla_inbound(struct sla *s, const struct h128 *id, uint32_t group, long long ts)
{
	struct sla_ent *e = entry(s, id);

	if (!e)
		return -1;
	inbound(e, group, ts);
	return 0;
}

int sla_reply(struct sla *s, struct h128 to, int resolve, long long ts)
{
	struct sla_ent *e = entry(s, &to);

	if (!e)
		return -1;
	if (!resolve) {
		if (ts < e->resp_ts)
			e->resp_ts = ts;
	} else if (ts < e->res_ts)
		e->res_ts = ts;
	return 0;
}

static const struct sla_ent *ent(const struct sla *s, size_t i)
{
	return htab_rows_at(&s->ents, i);
}

static int by_group(const void *a, const void *b, void *ctx)
{
	const struct sla *s = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (ent(s, i)->group != ent(s, j)->group)
		return ent(s, i)->group < ent(s, j)->group ? -1 : 1;
	return (i > j) - (i < j);	/* then as they came */
}

int sla_by_group(struct sla *s, size_t ngroups)
{
	size_t i, k;

	free(s->order);
	free(s->start);
	s->order = malloc((s->ents.n + 1) * sizeof(size_t));
	s->start = malloc((ngroups + 2) * sizeof(size_t));
	if (!s->order || !s->start)
		return -1;
	s->ngroups = ngroups;
	for (i = 0; i < s->ents.n; i++)
		s->order[i] = i;
	if (sort_stable(s->order, s->ents.n, sizeof(size_t), by_group, s) < 0)
		return -1;
	for (k = 0, i = 0; k <= ngroups; k++) {
		s->start[k] = i;
		while (i < s->ents.n && ent(s, s->order[i])->group == k)
			i++;
	}
	s->start[ngroups + 1] = s->ents.n;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int sla_tally(struct sla *s, size_t ngroups, long long respond_ms, long long resolve_ms)
{
	size_t k, i, nd = 0;

	if (sla_by_group(s, ngroups) < 0)
		return -1;
	s->tally = calloc(ngroups + 1, sizeof(*s->tally));
	s->delay = malloc((s->ents.n + 1) * sizeof(double));
	if (!s->tally || !s->delay)
		return -1;
	for (k = 0; k < ngroups; k++) {
		struct sla_tally *y = &s->tally[k];

		y->d0 = nd;
		for (i = s->start[k]; i < s->start[k + 1]; i++) {
			const struct sla_ent *e = ent(s, s->order[i]);

			y->inbound++;
			if (e->resp_ts != REC_NO_TS) {
				y->responded++;
				y->resp_in_time += e->resp_ts - e->in_ts <= respond_ms;
				s->delay[nd++] = (double)(e->resp_ts - e->in_ts) / 3600000.0;
			}
			if (e->res_ts != REC_NO_TS) {
				y->resolved++;
				y->res_in_time += e->res_ts - e->in_ts <= resolve_ms;
			}
		}
		y->dn = nd - y->d0;
		qsort(s->delay + y->d0, y->dn, sizeof(double), cmp_double);
	}
	return 0;
}

int sla_group_json(const struct sla *s, uint32_t g, struct buf *b)
{
	size_t k;

	if (buf_addc(b, '[') < 0)
		return -1;
	for (k = s->start[g]; k < s->start[g + 1]; k++) {
		const struct sla_ent *e = ent(s, s->order[k]);

		if ((k > s->start[g] && buf_addc(b, ',') < 0) || buf_addc(b, '[') < 0 ||
		    (e->has_id ? partial_put_hash(b, e->id) : buf_add(b, "null", 4)) < 0 || buf_addc(b, ',') < 0 ||
		    partial_put_ms(b, e->in_ts, REC_NO_TS) < 0 || buf_addc(b, ',') < 0 ||
		    partial_put_ms(b, e->resp_ts, REC_NO_TS) < 0 || buf_addc(b, ',') < 0 ||
		    partial_put_ms(b, e->res_ts, REC_NO_TS) < 0 || buf_addc(b, ']') < 0)
			return -1;
	}
	return buf_addc(b, ']');
}

int sla_replies_json(const struct sla *s, struct buf *b)
{
	size_t k, first = s->start[s->ngroups];

	if (first == s->ents.n)
		return 0;
	if (buf_adds(b, "{\"replies\":[") < 0)
		return -1;
	for (k = first; k < s->ents.n; k++) {
		const struct sla_ent *e = ent(s, s->order[k]);

		if ((k > first && buf_addc(b, ',') < 0) || buf_addc(b, '[') < 0 || partial_put_hash(b, e->id) < 0 ||
		    buf_addc(b, ',') < 0 || partial_put_ms(b, e->resp_ts, REC_NO_TS) < 0 || buf_addc(b, ',') < 0 ||
		    partial_put_ms(b, e->res_ts, REC_NO_TS) < 0 || buf_addc(b, ']') < 0)
			return -1;
	}
	return buf_add(b, "]}\n", 3);
}

int sla_merge_json(struct sla *s, uint32_t group, const struct jfield *f, struct jobj *arr, struct jobj *el)
{
	int replies = group == SLA_NO_GROUP;
	long long ms[3];
	struct h128 h;
	size_t k;

	if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0)
		return -1;
	for (k = 0; k < arr->n; k++) {
		const struct jfield *t;
		struct sla_ent *e;

		if (arr->f[k].type != J_ARR || json_scan_array(arr->f[k].val, arr->f[k].vlen, el) != 0 ||
		    el->n != (replies ? 3u : 4u))
			return -1;
		t = el->f + !replies;	/* the times after the id (and in_ts) */
		if (replies ? partial_get_hash(&el->f[0], &h) < 0
			    : (el->f[0].type != J_NULL && partial_get_hash(&el->f[0], &h) < 0) ||
				      partial_get_ms(&el->f[1], &ms[0], REC_NO_TS) < 0)
			return -1;
		if (partial_get_ms(&t[1], &ms[1], REC_NO_TS) < 0 || partial_get_ms(&t[2], &ms[2], REC_NO_TS) < 0)
			return -1;
		if (!(e = entry(s, replies || el->f[0].type != J_NULL ? &h : NULL)))
			return -2;
		if (!replies)
			inbound(e, group, ms[0]);
		if (ms[1] < e->resp_ts)
			e->resp_ts = ms[1];
		if (ms[2] < e->res_ts)
			e->res_ts = ms[2];
	}
	return 0;
}

void sla_free(struct sla *s)
{
	htab_rows_free(&s->ents);
	free(s->order);
	free(s->start);
	free(s->tally);
	free(s->delay);
	memset(s, 0, sizeof(*s));
}
