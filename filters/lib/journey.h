/*
 * journey.h - each person's recent touches, for attribution: kept by the
 * hash of the user id, only those within the lookback window of the
 * person's newest event; a person idle for longer than the window is
 * forgotten (after their touches since their last conversion are handed
 * on as a journey that did not convert). Events come in time order.
 *
 * Memory: about 72 bytes a person active within the window (two touches
 * included), 16 a touch beyond (arrays of a power of two touches, kept on
 * free lists for reuse once made), and 16-32 of index: flat in events for
 * a fixed number of active people.
 */
#ifndef VCHAIN_JOURNEY_H
#define VCHAIN_JOURNEY_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "hash.h"
#include "htab.h"

/*
 * journeys.last of a free slot: at or above JOURNEY_FREE, no time is so
 * late (epoch numbers and RFC 3339 years stop far below); it links the
 * free slots, LLONG_MAX less the next free slot + 1, so that taking a
 * free slot reads that array, not the slot's cold row.
 */
#define JOURNEY_FREE (LLONG_MAX - ((long long)1 << 32))
#define JOURNEY_FREE_LINK(next) (LLONG_MAX - (long long)(next))
#define JOURNEY_FREE_NEXT(last) ((uint32_t)(LLONG_MAX - (last)))
#define JOURNEY_INLINE 2	/* touches kept in the person's row itself: most people have few */
/*
 * Arrays of 4, 8 ... 64 touches come from the engine's own free lists
 * (one a size, linked through the free arrays themselves), carved from
 * blocks of JOURNEY_BLOCK bytes; longer ones from malloc. Touch arrays
 * are made and freed all the time (a person's third touch, a forgotten
 * person): glibc's malloc and free took 5 % of vchain-attribute's time.
 */
#define JOURNEY_SIZES 5
#define JOURNEY_BLOCK ((size_t)64 << 10)

struct jperson {
	struct h128 user;	/* the key: first, as htab_ref wants */
	union {
		struct attr_touch in[JOURNEY_INLINE];	/* cap <= JOURNEY_INLINE */
		struct attr_touch *heap;		/* else */
	} t;
	uint32_t head, n, cap;	/* touches [head, n) */
	uint32_t pending;	/* touches from here on came after the last conversion */
};

_Static_assert(offsetof(struct jperson, user) == 0, "htab_ref finds a row's key at its start");

static inline struct attr_touch *jperson_touches(struct jperson *p)
{
	return p->cap <= JOURNEY_INLINE ? p->t.in : p->t.heap;
}

/* A journey that did not convert: its touches in time order. 0, or -1 to stop (said). */
typedef int (*journey_null_fn)(void *ctx, const struct attr_touch *t, size_t n);

struct journeys {
	long long lookback_ms;
	journey_null_fn on_null;
	void *ctx;
	/* the rest is the engine's */
	struct htab_ref idx;	/* user hash -> slot */
	struct jperson *p;
	/*
	 * By slot, the person's newest event, or a free slot's link (see
	 * JOURNEY_FREE). Apart from the rows, so that the sweep reads 8
	 * bytes a person, not a row of 64.
	 */
	long long *last;
	size_t n, cap;		/* rows used, and made in both p and last */
	size_t pcap;		/* rows made in p */
	uint32_t free_head;	/* the first free slot + 1, 0: none; the others linked through last */
	size_t active, peak;
	long long next_sweep;
	int swept_once;
	uint64_t touches_aged;	/* touches that left the window before any conversion came */
	void *free_arr[JOURNEY_SIZES];	/* free arrays of 4 << k touches, each one's first bytes the next's address */
	char **blocks;		/* the blocks they are carved from */
	size_t nblocks, blocks_cap;
	char *carve;		/* the rest of the newest block */
	size_t carve_left;
	int err;		/* on_null stopped the run */
};

/*
 * For a person whose event comes a few records later: start loading
 * their index slot; some records later, that loaded, their row.
 */
static inline __attribute__((always_inline)) void journeys_prefetch_slot(const struct journeys *j,
									     struct h128 user)
{
	htab_ref_prefetch(&j->idx, user);
}
static inline __attribute__((always_inline)) void journeys_prefetch_row(const struct journeys *j,
									    struct h128 user)
{
	long row = htab_ref_find(&j->idx, user, NULL, 0);

	if (row >= 0) {
		__builtin_prefetch(&j->p[row]);
		__builtin_prefetch(&j->last[row]);
	}
}
/* Set lookback_ms, on_null and ctx, then use. */
void journeys_init(struct journeys *j, long long lookback_ms, journey_null_fn on_null, void *ctx);
/*
 * The person of user as of an event at ts: made when new; one idle for
 * longer than the window gives up their pending touches first. Also
 * sweeps out every idle person once per eighth of the window of stream
 * time. NULL when out of memory, or when on_null stopped (j->err).
 */
struct jperson *journeys_person(struct journeys *j, struct h128 user, long long ts);
/* A touch of p at ts on channel ch. 0, or -1 when out of memory. */
int journeys_touch(struct journeys *j, struct jperson *p, long long ts, uint32_t ch);
/* A conversion of p at ts: its touches within the window, *t[0..return). They are no longer pending. */
size_t journeys_convert(struct journeys *j, struct jperson *p, long long ts, const struct attr_touch **t);
/* The end of the input: every person's pending touches to on_null. 0, or -1. */
int journeys_finish(struct journeys *j);
size_t journeys_bytes(const struct journeys *j);
void journeys_free(struct journeys *j);

#endif
