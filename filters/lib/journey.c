/*
 * journey.c - people's touches within the lookback window.
 */
#include <limits.h>
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

	if (from < p->n && j->on_null(j->ctx, jperson_touches(p) + from, p->n - from) < 0)
		rc = j->err = -1;
	p->head = p->n = p->pending = 0;
	return rc;
}

/* Touches older than the window before ts leave it. */
static void age(struct journeys *j, struct jperson *p, long long ts)
{
	long long horizon = ts - j->lookback_ms;
	const struct attr_touch *t = jperson_touches(p);

	while (p->head < p->n && t[p->head].ts < horizon) {
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

	j->seen[slot] = LLONG_MAX;	/* never idle: the sweep passes it by */

	if (p->cap > JOURNEY_INLINE)
		free(p->t.heap);
	memset(p, 0, sizeof(*p));
	j->free[j->nfree++] = slot;	/* a stack of its own: taking a slot reads no cold row */
	j->active--;
}

/* Forget the person in slot: their pending touches handed on, their index entry and slot freed. */
static void forget(struct journeys *j, uint32_t slot)
{
	struct jperson *p = &j->p[slot];

	if (j->err || give_up(j, p) < 0)
		return;
	htab_del(&j->idx, p->user);
	release(j, slot);
}

#define SWEEP_AHEAD 16	/* rows, then index entries, that load while those before are looked at */

/* A ring of slots in the order they were queued. */
struct ring {
	uint32_t slot[SWEEP_AHEAD];
	unsigned head, n;
};

static uint32_t ring_swap(struct ring *r, uint32_t slot)	/* the oldest out, slot in: a full ring */
{
	uint32_t old = r->slot[r->head];

	r->slot[r->head] = slot;
	r->head = (r->head + 1) % SWEEP_AHEAD;
	return old;
}

static void ring_push(struct ring *r, uint32_t slot)
{
	r->slot[(r->head + r->n++) % SWEEP_AHEAD] = slot;
}

static uint32_t ring_pop(struct ring *r)
{
	uint32_t old = r->slot[r->head];

	r->head = (r->head + 1) % SWEEP_AHEAD;
	r->n--;
	return old;
}

/* A slot whose seen time says idle, its row loaded: forget the person (queued), or bring seen up to date. */
static void sweep_row(struct journeys *j, struct ring *gone, uint32_t slot, long long now)
{
	struct jperson *p = &j->p[slot];

	if (now - p->last_ts <= j->lookback_ms) {
		j->seen[slot] = p->last_ts;
		return;
	}
	htab_prefetch(&j->idx, p->user);
	if (gone->n == SWEEP_AHEAD)
		forget(j, ring_swap(gone, slot));
	else
		ring_push(gone, slot);
}

/*
 * Forget everyone idle for longer than the window before now, in slot
 * order: seen[] is read in order (a stream of 8 bytes a person, not a
 * random read a person as walking the table would be); a row is read
 * only when seen says idle (SWEEP_AHEAD later than it starts loading),
 * and only the forgotten are looked up in the index (SWEEP_AHEAD later
 * again), in the same order.
 */
static void sweep(struct journeys *j, long long now)
{
	struct ring rows = { { 0 }, 0, 0 }, gone = { { 0 }, 0, 0 };
	long long horizon = now - j->lookback_ms;	/* seen before it: idle (a free slot's LLONG_MAX never is) */
	size_t i;

	for (i = 0; i < j->n && !j->err; i++) {
		if (j->seen[i] >= horizon)
			continue;
		__builtin_prefetch(&j->p[i]);
		if (rows.n == SWEEP_AHEAD)
			sweep_row(j, &gone, ring_swap(&rows, (uint32_t)i), now);
		else
			ring_push(&rows, (uint32_t)i);
	}
	while (rows.n && !j->err)
		sweep_row(j, &gone, ring_pop(&rows), now);
	while (gone.n && !j->err)
		forget(j, ring_pop(&gone));
}

struct jperson *journeys_person(struct journeys *j, struct h128 user, long long ts)
{
	struct jperson *p;
	uint64_t *v;
	uint32_t slot;
	int made;

	if (!j->swept_once || ts >= j->next_sweep) {
		long long step = j->lookback_ms / 8 > 0 ? j->lookback_ms / 8 : 1;

		if (j->swept_once)
			sweep(j, ts);
		if (j->err)
			return NULL;
		j->swept_once = 1;
		j->next_sweep = ts + step;
	}
	if ((made = htab_put(&j->idx, user, &v)) < 0)
		return NULL;
	if (made) {
		if (j->nfree) {
			slot = j->free[--j->nfree];
		} else {
			if (j->n == j->cap) {
				size_t cap = j->cap ? 2 * j->cap : 1024;
				struct jperson *np = realloc(j->p, cap * sizeof(*np));
				long long *ns = np ? realloc(j->seen, cap * sizeof(*ns)) : NULL;
				uint32_t *nf = ns ? realloc(j->free, cap * sizeof(*nf)) : NULL;

				if (np)
					j->p = np;
				if (ns)
					j->seen = ns;
				if (!nf) {
					htab_del(&j->idx, user);
					return NULL;
				}
				j->free = nf;
				j->cap = cap;
			}
			slot = (uint32_t)j->n++;
		}
		p = &j->p[slot];
		memset(p, 0, sizeof(*p));
		p->user = user;
		p->live = 1;
		p->last_ts = ts;
		j->seen[slot] = ts;
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
	struct attr_touch *t;

	age(j, p, ts);
	if (p->cap < JOURNEY_INLINE)	/* a new person: the room in the row */
		p->cap = JOURNEY_INLINE;
	t = jperson_touches(p);
	if (p->n == p->cap) {
		if (p->head > p->cap / 2) {	/* most of the array has aged out: move the rest down */
			memmove(t, t + p->head, (p->n - p->head) * sizeof(*t));
			p->n -= p->head;
			p->pending = p->pending > p->head ? p->pending - p->head : 0;
			p->head = 0;
		} else {
			uint32_t cap = 2 * p->cap;
			struct attr_touch *g = p->cap > JOURNEY_INLINE ? realloc(t, cap * sizeof(*g))
								     : malloc(cap * sizeof(*g));

			if (!g)
				return -1;
			if (p->cap <= JOURNEY_INLINE)
				memcpy(g, t, p->n * sizeof(*g));
			p->t.heap = g;
			p->cap = cap;
			t = g;
		}
	}
	t[p->n].ts = ts;
	t[p->n].ch = ch;
	p->n++;
	return 0;
}

size_t journeys_convert(struct journeys *j, struct jperson *p, long long ts, const struct attr_touch **t)
{
	age(j, p, ts);
	*t = jperson_touches(p) + p->head;
	p->pending = p->n;
	return p->n - p->head;
}

int journeys_finish(struct journeys *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->p[i].live && give_up(j, &j->p[i]) < 0)
			return -1;
	return 0;
}

size_t journeys_bytes(const struct journeys *j)
{
	size_t i, b = htab_bytes(&j->idx) + j->cap * (sizeof(*j->p) + sizeof(*j->seen) + sizeof(*j->free));

	for (i = 0; i < j->n; i++)
		if (j->p[i].cap > JOURNEY_INLINE)
			b += j->p[i].cap * sizeof(*j->p[i].t.heap);
	return b;
}

void journeys_free(struct journeys *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->p[i].cap > JOURNEY_INLINE)
			free(j->p[i].t.heap);
	free(j->p);
	free(j->seen);
	free(j->free);
	htab_free(&j->idx);
	memset(j, 0, sizeof(*j));
}
