/*
 * journey.c - people's touches within the lookback window.
 */
#include <stdlib.h>
#include <string.h>

#include "journey.h"
#include "mem.h"

void journeys_init(struct journeys *j, long long lookback_ms, journey_null_fn on_null, void *ctx)
{
	memset(j, 0, sizeof(*j));
	j->lookback_ms = lookback_ms;
	j->on_null = on_null;
	j->ctx = ctx;
}

/* The free list of arrays of cap touches (4, 8 ... 4 << (JOURNEY_SIZES - 1)), or -1: malloc's. cap > JOURNEY_INLINE. */
static int size_of(uint32_t cap)
{
	int k = __builtin_ctz(cap) - 2;

	return k < JOURNEY_SIZES ? k : -1;
}

/* An array of cap touches (a power of two, more than JOURNEY_INLINE), or NULL. */
static struct attr_touch *arr_get(struct journeys *j, uint32_t cap)
{
	int k = size_of(cap);
	size_t bytes = (size_t)cap * sizeof(struct attr_touch);
	void *a;

	if (k < 0)
		return malloc(bytes);
	if ((a = j->free_arr[k])) {
		memcpy(&j->free_arr[k], a, sizeof(void *));
		return a;
	}
	if (j->carve_left < bytes) {	/* the newest block's rest, too short for this one, is left unused */
		if (j->nblocks == j->blocks_cap) {
			size_t n = j->blocks_cap ? 2 * j->blocks_cap : 16;
			char **nb = realloc(j->blocks, n * sizeof(*nb));

			if (!nb)
				return NULL;
			j->blocks = nb;
			j->blocks_cap = n;
		}
		if (!(j->carve = malloc(JOURNEY_BLOCK)))
			return NULL;
		j->blocks[j->nblocks++] = j->carve;
		j->carve_left = JOURNEY_BLOCK;
	}
	a = j->carve;
	j->carve += bytes;
	j->carve_left -= bytes;
	return a;
}

static void arr_put(struct journeys *j, struct attr_touch *a, uint32_t cap)
{
	int k = size_of(cap);

	if (k < 0) {
		free(a);
		return;
	}
	memcpy(a, &j->free_arr[k], sizeof(void *));
	j->free_arr[k] = a;
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

	if (p->cap > JOURNEY_INLINE)
		arr_put(j, p->t.heap, p->cap);
	memset(p, 0, sizeof(*p));
	j->last[slot] = JOURNEY_FREE_LINK(j->free_head);
	j->free_head = slot + 1;
	j->active--;
}

/* Forget the person in slot: their pending touches handed on, their index entry and slot freed. */
static void forget(struct journeys *j, uint32_t slot)
{
	struct jperson *p = &j->p[slot];

	if (j->err || give_up(j, p) < 0)
		return;
	htab_ref_del(&j->idx, p->user, slot);
	release(j, slot);
}

#define SWEEP_AHEAD 16	/* the forgotten whose rows load while those before are removed (a power of two) */
#define SWEEP_SLOT 8	/* ... and whose index slots (their row loaded, its key read) */

/*
 * Forget everyone idle for longer than the window before now: their
 * times are read in order (a stream through memory, not a random read a
 * person as walking the table would be); only the forgotten are looked
 * up, in the same order: each one's row starts loading SWEEP_AHEAD
 * forgotten before it is removed, its index slot SWEEP_SLOT before.
 */
static void sweep(struct journeys *j, long long now)
{
	uint32_t ring[SWEEP_AHEAD];	/* the k-th found at k % SWEEP_AHEAD */
	size_t i, found = 0, done = 0, k;
	long long horizon = now - j->lookback_ms;	/* a free slot's time is never before it */

	_Static_assert(SWEEP_SLOT < SWEEP_AHEAD && (SWEEP_AHEAD & (SWEEP_AHEAD - 1)) == 0, "sweep's ring");
	for (i = 0; i < j->n && !j->err; i++) {
		if (j->last[i] >= horizon)
			continue;
		__builtin_prefetch(&j->p[i]);
		if (found - done == SWEEP_AHEAD)
			forget(j, ring[done++ % SWEEP_AHEAD]);
		ring[found++ % SWEEP_AHEAD] = (uint32_t)i;
		if (found > SWEEP_SLOT)
			htab_ref_prefetch(&j->idx, j->p[ring[(found - 1 - SWEEP_SLOT) % SWEEP_AHEAD]].user);
	}
	for (k = found > SWEEP_SLOT ? found - SWEEP_SLOT : done; k < found; k++)
		htab_ref_prefetch(&j->idx, j->p[ring[k % SWEEP_AHEAD]].user);
	while (done < found)
		forget(j, ring[done++ % SWEEP_AHEAD]);
}

struct jperson *journeys_person(struct journeys *j, struct h128 user, long long ts)
{
	struct jperson *p;
	uint32_t slot, fresh;
	long long *nl;
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
	/* the row a new person would take: the first free one, else one more (made now, used or not) */
	if (j->free_head)
		fresh = j->free_head - 1;
	else {
		if (j->n == j->cap) {
			size_t cap = j->cap ? 2 * j->cap : 1024;
			struct jperson *np;

			if (j->pcap < cap) {	/* p may be grown already, by a call whose last did not grow */
				if (cap > UINT32_MAX || !(np = mem_grow(j->p, j->pcap * sizeof(*np), cap * sizeof(*np))))
					return NULL;
				j->p = np;
				j->pcap = cap;
			}
			if (!(nl = mem_grow(j->last, j->cap * sizeof(*nl), cap * sizeof(*nl))))
				return NULL;
			j->last = nl;
			j->cap = cap;
		}
		fresh = (uint32_t)j->n;
	}
	if ((made = htab_ref_put(&j->idx, user, j->p, sizeof(*j->p), fresh, &slot)) < 0)
		return NULL;
	if (made) {
		if (j->free_head)
			j->free_head = JOURNEY_FREE_NEXT(j->last[slot]);
		else
			j->n++;
		p = &j->p[slot];
		memset(p, 0, sizeof(*p));
		p->user = user;
		j->last[slot] = ts;
		if (++j->active > j->peak)
			j->peak = j->active;
		return p;
	}
	p = &j->p[slot];
	if (ts - j->last[slot] > j->lookback_ms && give_up(j, p) < 0)
		return NULL;
	if (ts > j->last[slot])
		j->last[slot] = ts;
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
			struct attr_touch *g;

			if (p->cap > JOURNEY_INLINE && size_of(p->cap) < 0)	/* malloc's already */
				g = realloc(t, cap * sizeof(*g));
			else if ((g = arr_get(j, cap))) {	/* from the row, or from a free list's array */
				memcpy(g, t, p->n * sizeof(*g));
				if (p->cap > JOURNEY_INLINE)
					arr_put(j, t, p->cap);
			}
			if (!g)
				return -1;
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
		if (j->last[i] < JOURNEY_FREE && give_up(j, &j->p[i]) < 0)
			return -1;
	return 0;
}

size_t journeys_bytes(const struct journeys *j)
{
	size_t i, b = htab_ref_bytes(&j->idx) + j->pcap * sizeof(*j->p) + j->cap * sizeof(*j->last) +
		      j->nblocks * JOURNEY_BLOCK + j->blocks_cap * sizeof(*j->blocks);

	for (i = 0; i < j->n; i++)	/* the free lists' arrays are in the blocks */
		if (j->p[i].cap > JOURNEY_INLINE && size_of(j->p[i].cap) < 0)
			b += j->p[i].cap * sizeof(*j->p[i].t.heap);
	return b;
}

void journeys_free(struct journeys *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->p[i].cap > JOURNEY_INLINE && size_of(j->p[i].cap) < 0)
			free(j->p[i].t.heap);
	for (i = 0; i < j->nblocks; i++)
		free(j->blocks[i]);
	free(j->blocks);
	mem_free(j->p, j->pcap * sizeof(*j->p));
	mem_free(j->last, j->cap * sizeof(*j->last));
	htab_ref_free(&j->idx);
	memset(j, 0, sizeof(*j));
}
