/*
 * report.c - what the reports share: the list of them, turning a report's
 * members into accumulators, and the accumulator kinds only reports have
 * (funnel, orders, sla), whose state lives in person.c, orders.c and sla.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "partial.h"
#include "report.h"

const struct report_def *const reports[] = {
	&report_funnel, &report_engagement, &report_roi, &report_sla, &report_listening, &report_selling, &report_networking, &report_rfm, NULL
};

const struct report_def *report_find(const char *s, size_t n)
{
	int i;

	for (i = 0; reports[i]; i++)
		if (strlen(reports[i]->name) == n && !memcmp(reports[i]->name, s, n))
			return reports[i];
	return NULL;
}

int report_accs(const struct report_def *def, struct rec_layout *l, const char *brand, long long media_followers,
		const struct funnel_exclude *excl, struct acc *acc, char *why)
{
	int i, j, r;

	for (i = 0; i < def->nmembers; i++) {
		const struct report_member *m = &def->members[i];
		char spec[1000];
		size_t n;

		n = (size_t)snprintf(spec, sizeof(spec), "%s%s%s", m->spec, m->brand && brand ? "|" : "",
				     m->brand && brand ? brand : "");
		if (m->media)	/* at least N followers: above N - 0.5, followers being whole */
			n += (size_t)snprintf(spec + n, sizeof(spec) - n, "&followers>%lld.5", media_followers - 1);
		/* the funnel takes the --exclude rules' records too, staged or not */
		for (j = 0; m->kind == A_FUNNEL && excl && j < excl->n && n < sizeof(spec); j++)
			n += (size_t)snprintf(spec + n, sizeof(spec) - n, ";user_id~&type=%s", excl->types[j]);
		if (n >= sizeof(spec))
			return snprintf(why, 200, "--exclude: too long"), -1;
		if ((r = acc_parse(&acc[i], l, spec, strlen(spec), 1, why)) < 0)
			return r;
		if (acc[i].kind != m->kind)
			return snprintf(why, 200, "report %s: member %d is declared %s but its spec is %s", def->name,
					i, acc_kinds[m->kind].name, m->spec), -1;
		acc[i].state = m->offset;
	}
	return 0;
}

int report_fits(const struct report_def *def, const struct acc *acc, int n)
{
	int i;

	if (n != def->nmembers)
		return 0;
	for (i = 0; i < n; i++)
		if (acc[i].kind != def->members[i].kind)
			return 0;
	return 1;
}

/* ---- the funnel's people: when each reached each stage ---- */

int funnel_flatten(A_FUNNEL_t *p)
{
	size_t n = funnel_people_n(p), at;
	unsigned k;

	if (!p->nmore)
		return 0;
	if (!p->rows.row_size)
		htab_rows_init_keyed(&p->rows, p->more[0].row_size, 16);
	if (n > p->rows.cap) {
		unsigned char *r = mem_grow(p->rows.rows, p->rows.cap * p->rows.row_size, n * p->rows.row_size);

		if (!r)
			return -2;
		p->rows.rows = r;
		p->rows.cap = n;
	}
	for (k = 0, at = p->rows.n; k < p->nmore; k++) {
		memcpy(p->rows.rows + at * p->rows.row_size, p->more[k].rows, p->more[k].n * p->rows.row_size);
		at += p->more[k].n;
		htab_rows_free(&p->more[k]);
	}
	free(p->more);
	p->more = NULL;
	p->nmore = 0;
	p->rows.n = n;
	htab_rows_unindex(&p->rows);	/* no longer covers them: funnel_row makes it again */
	return 0;
}

void funnel_free(A_FUNNEL_t *p)
{
	unsigned k;

	for (k = 0; k < p->nmore; k++)
		htab_rows_free(&p->more[k]);
	free(p->more);
	htab_rows_free(&p->rows);
	memset(p, 0, sizeof(*p));
}

/* Person id's row in p, made when new; rows hold nexcl --exclude times (p's, once it has rows). */
static struct funnel_row *funnel_row(A_FUNNEL_t *fp, int nexcl, struct h128 id)
{
	struct htab_rows *p = &fp->rows;
	struct funnel_row *row;
	int made;

	if (!p->row_size)	/* a group's state starts zeroed */
		htab_rows_init_keyed(p, sizeof(struct funnel_row) + (size_t)nexcl * sizeof(long long), 16);
	if (fp->nmore && funnel_flatten(fp) < 0)
		return NULL;
	/* rows joined without their index (funnel_absorb): index them */
	if (!htab_rows_indexed(p) && htab_rows_reindex(p) < 0)
		return NULL;
	if (!(row = htab_rows_get(p, id, &made)))
		return NULL;
	if (made) {
		int j;

		row->id = id;
		stage_times_init(row->ts);
		row->last = FUNNEL_NO_LAST;
		for (j = 0; j < FUNNEL_NEXCL(p); j++)
			row->excl[j] = REC_NO_TS;
	}
	return row;
}

int funnel_take(A_FUNNEL_t *p, int nexcl, struct h128 person, int stage, long long ts)
{
	struct funnel_row *row = funnel_row(p, nexcl, person);

	if (!row)
		return -2;
	stage_times_reach(row->ts, stage, ts);
	if (ts > row->last)
		row->last = ts;
	return 0;
}

/*
 * src's people into p: each one's earliest time of each stage (src moved
 * into an empty p). disjoint: none of src's people is p's; their rows, as
 * they are, become segments of p (a join of parts copies nothing).
 */
static int funnel_absorb(A_FUNNEL_t *p, A_FUNNEL_t *src, int disjoint)
{
	const struct htab_rows *sr;
	size_t i;
	int j;

	if (!funnel_people_n(src)) {
		funnel_free(src);
		return 0;
	}
	if (!funnel_people_n(p)) {
		funnel_free(p);
		*p = *src;
		memset(src, 0, sizeof(*src));
		return 0;
	}
	if (disjoint) {
		struct htab_rows *m = realloc(p->more, (p->nmore + 1 + src->nmore) * sizeof(*m));

		if (!m)
			return -2;
		p->more = m;
		m[p->nmore++] = src->rows;
		htab_rows_unindex(&m[p->nmore - 1]);	/* segments are not looked up in */
		for (i = 0; i < src->nmore; i++)
			m[p->nmore++] = src->more[i];
		free(src->more);
		memset(src, 0, sizeof(*src));
		return 0;
	}
	if (funnel_flatten(src) < 0 || funnel_flatten(p) < 0)
		return -2;
	sr = &src->rows;
	if (htab_rows_reserve(&p->rows, p->rows.n + sr->n) < 0)
		return -2;
	for (i = 0; i < sr->n; i++) {
		const struct funnel_row *s = htab_rows_at(sr, i);
		struct funnel_row *row;

		if (i + 8 < sr->n)	/* the index slots are far apart: load one some people ahead */
			htab_rows_prefetch(&p->rows, ((const struct funnel_row *)htab_rows_at(sr, i + 8))->id);
		if (!(row = funnel_row(p, FUNNEL_NEXCL(sr), s->id)))
			return -2;
		for (j = 0; j < STAGES; j++)
			stage_times_reach(row->ts, j + 1, s->ts[j]);
		if (s->last > row->last)
			row->last = s->last;
		for (j = 0; j < FUNNEL_NEXCL(sr); j++)
			if (s->excl[j] < row->excl[j])
				row->excl[j] = s->excl[j];
	}
	return 0;
}

int funnel_exclude_add(struct funnel_exclude *x, const char *s, size_t n, char *why)
{
	const char *at = memchr(s, '@', n);
	size_t tn = at ? (size_t)(at - s) : n, i, o = 0;
	int stage = 0;

	if (x->n == FUNNEL_MAX_EXCLUDE)
		return snprintf(why, 200, "--exclude: at most %d rules", FUNNEL_MAX_EXCLUDE), -1;
	if (at && !(n - tn == 2 && at[1] >= '2' && at[1] <= '7'))
		return snprintf(why, 200, "--exclude %.*s: @STAGE is a stage from 2 to 7", (int)n, s), -1;
	if (at)
		stage = at[1] - '0';
	if (!tn || tn >= sizeof(x->types[0]))
		return snprintf(why, 200, "--exclude %.*s: TYPE[,TYPE...][@STAGE]", (int)n, s), -1;
	for (i = 0; i < tn; i++) {	/* the types as a condition's choices: a|b */
		char c = s[i];

		if (c == ',')
			c = '|';
		else if (!(c == '_' || c == '-' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9')))
			return snprintf(why, 200, "--exclude %.*s: a type is letters, digits, '_', '-' or '.'",
					(int)n, s), -1;
		x->types[x->n][o++] = c;
	}
	x->types[x->n][o] = '\0';
	x->stage[x->n] = stage;
	o = strlen(x->text);
	snprintf(x->text + o, sizeof(x->text) - o, "%s%.*s", o ? ";" : "", (int)n, s);
	x->n++;
	return 0;
}

int funnel_exclude_parse(struct funnel_exclude *x, const char *s, size_t n)
{
	char why[200];
	size_t i = 0, j;

	memset(x, 0, sizeof(*x));
	while (i < n) {
		for (j = i; j < n && s[j] != ';'; j++)
			;
		if (funnel_exclude_add(x, s + i, j - i, why) < 0)
			return -1;
		i = j + 1;
	}
	return 0;
}

int report_order_free(const struct report_def *def)
{
	int i;

	if (def->intercept)
		return 0;
	for (i = 0; i < def->nmembers; i++)
		if (def->members[i].kind != A_FUNNEL && def->members[i].kind != A_ORDERS &&
		    !acc_order_free(def->members[i].kind))
			return 0;
	return 1;
}

int report_absorb(const struct acc *a, void *p, void *src, int disjoint)
{
	if (a->kind == A_ORDERS)
		return orders_absorb(p, src) < 0 ? -2 : 0;
	return a->kind == A_FUNNEL ? funnel_absorb(p, src, disjoint) : acc_absorb(a->kind, p, src, disjoint);
}

/* funnel rows by id: the id first in the row */
static int row_cmp(const void *a, const void *b)
{
	return h128_cmp(*(const void *const *)a, *(const void *const *)b);
}

int funnel_json(const A_FUNNEL_t *p, int nexcl, struct buf *b)
{
	/* in the people's hash order: the same text however the rows were made (parts, input order) */
	size_t n = funnel_people_n(p), k = 0, i;
	const struct funnel_row **rows = malloc((n ? n : 1) * sizeof(*rows));
	unsigned seg;
	int j, r = -1;

	if (!rows)
		return -1;
	for (seg = 0; seg < funnel_segments(p); seg++)
		for (i = 0; i < funnel_segment(p, seg)->n; i++)
			rows[k++] = htab_rows_at(funnel_segment(p, seg), i);
	qsort(rows, n, sizeof(*rows), row_cmp);
	if (buf_addc(b, '[') < 0)
		goto out;
	for (k = 0; k < n; k++) {
		const struct funnel_row *row = rows[k];

		if ((k && buf_addc(b, ',') < 0) || buf_addc(b, '[') < 0 || partial_put_hash(b, row->id) < 0)
			goto out;
		for (j = 0; j < STAGES; j++)
			if (buf_addc(b, ',') < 0 || partial_put_ms(b, row->ts[j], REC_NO_TS) < 0)
				goto out;
		if (buf_addc(b, ',') < 0 || partial_put_ms(b, row->last, FUNNEL_NO_LAST) < 0)
			goto out;
		for (j = 0; j < nexcl; j++)
			if (buf_addc(b, ',') < 0 || partial_put_ms(b, row->excl[j], REC_NO_TS) < 0)
				goto out;
		if (buf_addc(b, ']') < 0)
			goto out;
	}
	r = buf_addc(b, ']');
out:
	free(rows);
	return r;
}

int funnel_merge_json(A_FUNNEL_t *p, int nexcl, const struct jfield *f, struct jobj *arr, struct jobj *el)
{
	long long ms[STAGES], last, x[FUNNEL_MAX_EXCLUDE];
	struct h128 h;
	size_t k;
	int j;

	if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0)
		return -1;
	for (k = 0; k < arr->n; k++) {
		struct funnel_row *row;

		if (arr->f[k].type != J_ARR || json_scan_array(arr->f[k].val, arr->f[k].vlen, el) != 0 ||
		    el->n != (size_t)(STAGES + 2 + nexcl) || partial_get_hash(&el->f[0], &h) < 0)
			return -1;
		for (j = 0; j < STAGES; j++)
			if (partial_get_ms(&el->f[j + 1], &ms[j], REC_NO_TS) < 0)
				return -1;
		if (partial_get_ms(&el->f[STAGES + 1], &last, FUNNEL_NO_LAST) < 0)
			return -1;
		for (j = 0; j < nexcl; j++)
			if (partial_get_ms(&el->f[STAGES + 2 + j], &x[j], REC_NO_TS) < 0)
				return -1;
		if (!(row = funnel_row(p, nexcl, h)))
			return -2;
		for (j = 0; j < STAGES; j++)
			stage_times_reach(row->ts, j + 1, ms[j]);
		if (last > row->last)
			row->last = last;
		for (j = 0; j < nexcl; j++)
			if (x[j] < row->excl[j])
				row->excl[j] = x[j];
	}
	return 0;
}

/* ---- the report kinds ---- */

int report_update(struct report_run *rr, const struct acc *a, void *p, const struct group *g, const struct slot *s)
{
	switch (a->kind) {
	case A_FUNNEL: {
		struct funnel_row *row;
		long long t = slot_ms(&s[a->xs[1]]);
		int stage = s[a->xs[0]].type == REC_ABSENT ? 0 : (int)slot_double(&s[a->xs[0]]), j;

		if (stage >= 1 && stage <= STAGES) {	/* (the rules' records may have none) */
			rr->staged++;
			if (funnel_take(p, rr->excl ? rr->excl->n : 0, slot_hash(&s[a->slot]), stage, t) < 0)
				return -2;
		}
		/* an --exclude rule's type: the first time of it (rule j is the condition's
		 * alternative 1 + j, report_accs's "user_id~&type=...") */
		for (j = 0; rr->excl && j < rr->excl->n; j++)
			if (cond_alt_holds(&a->cond, 1 + j, s)) {
				if (!(row = funnel_row(p, rr->excl->n, slot_hash(&s[a->slot]))))
					return -2;
				if (t < row->excl[j])
					row->excl[j] = t;
			}
		return 0;
	}
	case A_ORDERS: {
		const struct slot *u = &s[a->slot], *o = &s[a->xs[0]];
		struct h128 none = { 0, 0 };

		return orders_take(p, u->type != REC_ABSENT, u->type != REC_ABSENT ? slot_hash(u) : none,
				   slot_ms(&s[a->xs[1]]), o->type != REC_ABSENT,
				   o->type != REC_ABSENT ? slot_hash(o) : none) < 0 ? -2 : 0;
	}
	case A_REFS: {	/* a visit's referrer */
		const struct slot *r = &s[a->slot], *u = &s[a->xs[0]];

		if (r->type != J_STR)
			return 0;
		return refs_take(p, r->v, r->n, u->type != REC_ABSENT, u->type != REC_ABSENT ? slot_hash(u) : (struct h128){ 0, 0 },
				 slot_ms(&s[a->xs[1]])) < 0 ? -2 : 0;
	}
	case A_SLA: {
		const struct slot *ev = &s[a->xs[1]];
		struct h128 id = ev->type != REC_ABSENT ? slot_hash(ev) : (struct h128){ 0, 0 };

		return sla_inbound(&rr->sla, ev->type != REC_ABSENT ? &id : NULL, g->id, slot_ms(&s[a->xs[3]])) < 0
		       ? -2 : 0;
	}
	default:
		return 0;
	}
}

int report_state_json(const struct report_run *rr, const struct acc *a, const void *p, const struct group *g,
		      struct buf *b)
{
	switch (a->kind) {
	case A_FUNNEL:
		return funnel_json(p, rr->excl ? rr->excl->n : 0, b);
	case A_ORDERS:
		return orders_json(p, b);
	case A_REFS:
		return refs_json(p, b);
	case A_SLA:
		return sla_group_json(&rr->sla, g->id, b);
	default:
		return acc_state_json(a->kind, p, b);
	}
}

int report_merge(struct report_run *rr, const struct acc *a, void *p, const struct group *g, const struct jfield *f,
		 const char **err)
{
	*err = "a state that is not what the accumulator keeps";
	if (f->type == J_NULL)
		return 0;
	switch (a->kind) {
	case A_FUNNEL:
		return funnel_merge_json(p, rr->excl ? rr->excl->n : 0, f, &rr->jo[0], &rr->jo[1]);
	case A_ORDERS:
		return orders_merge_json(p, f, &rr->jo[0], &rr->jo[1], &rr->jo[2]);
	case A_REFS:
		return refs_merge_json(p, f, &rr->jo[0], &rr->jo[1], &rr->jo[2], &rr->tmp);
	case A_SLA:
		return sla_merge_json(&rr->sla, g->id, f, &rr->jo[0], &rr->jo[1]);
	default:
		return acc_merge_json(a->kind, p, f, &rr->jo[0], &rr->tmp, err);
	}
}

int report_states_json(const struct report_run *rr, const struct group *g, struct buf *b)
{
	int i;

	if (buf_addc(b, '[') < 0)
		return -1;
	for (i = 0; i < rr->def->nmembers; i++)
		if ((i && buf_addc(b, ',') < 0) ||
		    report_state_json(rr, &rr->acc[i], g->st + rr->acc[i].state, g, b) < 0)
			return -1;
	return buf_addc(b, ']');
}

int report_merge_states(struct report_run *rr, struct group *g, const struct jfield *states, const char **err,
			int *bad)
{
	int i, m;

	for (i = 0; i < rr->def->nmembers; i++)
		if ((m = report_merge(rr, &rr->acc[i], g->st + rr->acc[i].state, g, &states[i], err)) < 0) {
			*bad = i;
			return m;
		}
	return 0;
}

static void free_state(const struct acc *a, void *p)
{
	switch (a->kind) {
	case A_FUNNEL:
		funnel_free(p);
		break;
	case A_ORDERS:
		orders_free(p);
		break;
	case A_REFS:
		refs_free(p);
		break;
	case A_SLA:
		break;
	default:
		acc_free_state(a->kind, p);
	}
}

size_t report_state_bytes(const struct report_run *rr, const struct group *g)
{
	size_t n = 0;
	int i;

	for (i = 0; i < rr->def->nmembers; i++) {
		const void *p = g->st + rr->acc[i].state;

		switch (rr->acc[i].kind) {
		case A_FUNNEL: {
			const A_FUNNEL_t *f = p;
			unsigned k;

			for (k = 0; k < funnel_segments(f); k++)
				n += htab_rows_bytes(funnel_segment(f, k));
			break;
		}
		case A_ORDERS: {
			const struct orders *o = p;

			n += htab_rows_bytes(&o->customers) + htab_bytes(&o->pairs) + htab_bytes(&o->ids) +
			     o->pcap * sizeof(*o->p);
			break;
		}
		case A_REFS:
			n += refs_bytes(p);
			break;
		case A_SLA:
			break;
		default:
			n += acc_state_bytes(rr->acc[i].kind, p);
		}
	}
	return n;
}

void report_free_states(const struct report_run *rr, struct group *g)
{
	int i;

	for (i = 0; i < rr->def->nmembers; i++)
		free_state(&rr->acc[i], g->st + rr->acc[i].state);
}

void report_run_free(struct report_run *rr)
{
	int i;

	sla_free(&rr->sla);
	for (i = 0; i <= STAGES; i++)
		mem_free(rr->ttc[i], rr->cttc[i] * sizeof(*rr->ttc[i]));
	free(rr->spend_of);
	free(rr->has_spend);
	free(rr->new_of);
	free(rr->scores);
	free(rr->prev_leads);
	htab_free(&rr->seen_idx);
	free(rr->seen_first);
	free(rr->doms);
	for (i = 0; i < 3; i++)
		jobj_free(&rr->jo[i]);
	buf_free(&rr->tmp);
}

int report_key_bytes(const struct report_run *rr, const struct slot *ks, int skip, struct buf *b)
{
	int j;

	b->len = 0;
	for (j = 0; j < rr->groups->nkeys; j++)
		if (j != skip && (buf_addc(b, (char)ks[j].type) < 0 || buf_add(b, &ks[j].n, 4) < 0 ||
				  buf_add(b, ks[j].v, ks[j].n) < 0))
			return -1;
	return 0;
}

int report_put_date(struct buf *b, long long day)
{
	int64_t y;
	unsigned m, d;
	char t[32];

	ts_civil_from_days(day, &y, &m, &d);
	return json_escape(b, t, (size_t)snprintf(t, sizeof(t), "%04lld-%02u-%02u", (long long)y, m, d));
}

int report_use_zone(struct report_run *rr)
{
	char why[200];

	if (!rr->tz || !rr->tz[0] || ts_zone())
		return 0;
	if (ts_zone_set(rr->tz, why) < 0)	/* the header's zone, checked when the shards ran */
		return snprintf(rr->why, sizeof(rr->why), "--tz: %.190s", why), -1;
	return 0;
}

int report_put_ratio(struct buf *b, double num, double den)
{
	return den != 0 ? json_put_double(b, num / den) : buf_add(b, "null", 4);
}

int report_put_money_ratio(struct buf *b, long double num, long double den)
{
	return den != 0 ? json_put_double(b, (double)(num / den)) : buf_add(b, "null", 4);
}
