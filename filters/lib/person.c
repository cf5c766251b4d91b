/*
 * person.c - see person.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "person.h"
#include "rec.h"

void stage_times_init(long long ts[STAGES])
{
	int k;

	for (k = 0; k < STAGES; k++)
		ts[k] = REC_NO_TS;
}

int stage_furthest(const long long ts[STAGES], long long window_ms, long long *horizon)
{
	long long first = REC_NO_TS, h;
	int j, furthest = 0;

	for (j = 0; j < STAGES; j++)
		if (ts[j] < first)
			first = ts[j];
	h = window_ms && first < REC_NO_TS - window_ms ? first + window_ms : REC_NO_TS;
	for (j = 0; j < STAGES; j++)
		if (ts[j] != REC_NO_TS && ts[j] <= h)
			furthest = j + 1;
	if (horizon)
		*horizon = h;
	return furthest;
}

enum act person_act_of(const char *s, size_t n)
{
#define NAMED(w) (n == sizeof(w) - 1 && memcmp(s, w, n) == 0)
	return NAMED("referral") ? ACT_REFERRAL : NAMED("review") ? ACT_REVIEW : NAMED("mention") ? ACT_MENTION :
	       NAMED("share") || NAMED("tag") ? ACT_SHARE_TAG : NAMED("purchase") ? ACT_PURCHASE : ACT_NONE;
#undef NAMED
}

/* A number member (or a string holding one) as a double; 0 if there is none. */
static int number_of(const struct jfield *f, double *v)
{
	char tmp[64];
	char *end;

	if (!f || (f->type != J_NUM && f->type != J_STR) || f->vlen == 0 || f->vlen >= sizeof(tmp))
		return 0;
	memcpy(tmp, f->val, f->vlen);
	tmp[f->vlen] = '\0';
	*v = strtod(tmp, &end);
	return *end == '\0';
}

int person_advocacy(enum act act, const struct jfield *rating, const struct jfield *sentiment, double positive)
{
	double s, r;

	switch (act) {
	case ACT_REFERRAL:
		return 1;
	case ACT_REVIEW:
		return number_of(rating, &r) && r >= 4;
	case ACT_MENTION:
		return number_of(sentiment, &s) && s >= positive;
	case ACT_SHARE_TAG:	/* amplifying is endorsing, unless said otherwise */
		return !number_of(sentiment, &s) || s >= positive;
	default:
		return 0;
	}
}

void people_init(struct people *p, size_t row_size, void (*init)(void *row))
{
	memset(p, 0, sizeof(*p));
	p->row_size = row_size;
	p->init = init;
}

void *people_row(struct people *p, struct h128 id, int *made)
{
	uint64_t *i;
	int ins = htab_put(&p->idx, id, &i);
	void *row;

	if (made)
		*made = ins > 0;
	if (ins < 0)
		return NULL;
	if (!ins)
		return people_at(p, *i);
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		unsigned char *nr = realloc(p->rows, cap * p->row_size);

		if (!nr) {
			htab_del(&p->idx, id);
			return NULL;
		}
		p->rows = nr;
		p->cap = cap;
	}
	*i = p->n;
	row = people_at(p, p->n++);
	memset(row, 0, p->row_size);
	if (p->init)
		p->init(row);
	return row;
}

size_t people_bytes(const struct people *p)
{
	return htab_bytes(&p->idx) + p->cap * p->row_size;
}

void people_free(struct people *p)
{
	htab_free(&p->idx);
	free(p->rows);
	p->rows = NULL;
	p->n = p->cap = 0;
}
