/*
 * journey.c - people's touches within the lookback window.
 */
#include <stdlib.h>
#include <string.h>

#include "journey.h"

void journeys_init(struct journeys *j, long long lookback_ms, journey_null_fn on_null, void *ctx)
{
	memset(j, 0, sizeof(*j));
	j->lookback_ms = lookback_ms;
	j->on_null = on_null;
	j->ctx = ctx;
}

/* Hand on p's pending touches as a journey without conversion, and forget them. 0, or -1. */
static int give_up(struct journeys *j, struct jperson *p)
{
	uint32_t from = p->pending > p->head ? p->pending : p->head;
	int rc = 0;

	if (from < p->n && j->on_null(j->ctx, p->t + from, p->n - from) < 0)
		rc = j->err = -1;
	p->head = p->n = p->pending = 0;
	return rc;
}

/* Touches older than the window before ts leave it. */
static void age(struct journeys *j, struct jperson *p, long long ts)
{
	long long horizon = ts - j->lookback_ms;

	while (p->head < p->n && p->t[p->head].ts < horizon) {
		if (p->head >= p->pending)
			j->touches_aged++;
		p->head++;
	}
	if (p->head == p->n)
		p->head = p->n = p->pending = 0;
}

static void release(struct journeys *j, uint32_t slot)
{
	struct jperson *p = &j->p[slot];

	free(p->t);
	memset(p, 0, sizeof(*p));
	p->next_free = j->free_head;
	j->free_head = slot + 1;
	j->active--;
}

struct sweep {
	struct journeys *j;
	long long now;
};

static int idle(uint64_t val, void *ctx)
{
	struct sweep *s = ctx;
	struct journeys *j = s->j;
	struct jperson *p = &j->p[val - 1];

	if (j->err || s->now - p->last_ts <= j->lookback_ms)
		return 0;
	if (give_up(j, p) < 0)
		return 0;
	release(j, (uint32_t)(val - 1));
	return 1;
}

struct jperson *journeys_person(struct journeys *j, struct h128 user, long long ts)
{
	struct jperson *p;
	uint64_t *v;
	uint32_t slot;
	int made;

	if (!j->swept_once || ts >= j->next_sweep) {
		struct sweep s = { j, ts };
		long long step = j->lookback_ms / 8 > 0 ? j->lookback_ms / 8 : 1;

		if (j->swept_once)
			htab_sweep(&j->idx, idle, &s);
		if (j->err)
			return NULL;
		j->swept_once = 1;
		j->next_sweep = ts + step;
	}
	if ((made = htab_put(&j->idx, user, &v)) < 0)
		return NULL;
	if (made) {
		if (j->free_head) {
			slot = j->free_head - 1;
			j->free_head = j->p[slot].next_free;
		} else {
			if (j->n == j->cap) {
				size_t cap = j->cap ? 2 * j->cap : 1024;
				struct jperson *np = realloc(j->p, cap * sizeof(*np));

				if (!np) {
					htab_del(&j->idx, user);
					return NULL;
				}
				j->p = np;
				j->cap = cap;
			}
			slot = (uint32_t)j->n++;
		}
		p = &j->p[slot];
		memset(p, 0, sizeof(*p));
		p->last_ts = ts;
		*v = (uint64_t)slot + 1;
		if (++j->active > j->peak)
			j->peak = j->active;
		return p;
	}
	p = &j->p[*v - 1];
	if (ts - p->last_ts > j->lookback_ms && give_up(j, p) < 0)
		return NULL;
	if (ts > p->last_ts)
		p->last_ts = ts;
	return p;
}

int journeys_touch(struct journeys *j, struct jperson *p, long long ts, uint32_t ch)
{
	age(j, p, ts);
	if (p->n == p->cap) {
		if (p->head > p->cap / 2) {	/* most of the array has aged out: move the rest down */
			memmove(p->t, p->t + p->head, (p->n - p->head) * sizeof(*p->t));
			p->n -= p->head;
			p->pending = p->pending > p->head ? p->pending - p->head : 0;
			p->head = 0;
		} else {
			uint32_t cap = p->cap ? 2 * p->cap : 4;
			struct attr_touch *t = realloc(p->t, cap * sizeof(*t));

			if (!t)
				return -1;
			p->t = t;
			p->cap = cap;
		}
	}
	p->t[p->n].ts = ts;
	p->t[p->n].ch = ch;
	p->n++;
	return 0;
}

size_t journeys_convert(struct journeys *j, struct jperson *p, long long ts, const struct attr_touch **t)
{
	age(j, p, ts);
	*t = p->t + p->head;
	p->pending = p->n;
	return p->n - p->head;
}

int journeys_finish(struct journeys *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->p[i].t && give_up(j, &j->p[i]) < 0)
			return -1;
	return 0;
}

size_t journeys_bytes(const struct journeys *j)
{
	size_t i, b = htab_bytes(&j->idx) + j->cap * sizeof(*j->p);

	for (i = 0; i < j->n; i++)
		b += j->p[i].cap * sizeof(*j->p[i].t);
	return b;
}

void journeys_free(struct journeys *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		free(j->p[i].t);
	free(j->p);
	htab_free(&j->idx);
	memset(j, 0, sizeof(*j));
}
