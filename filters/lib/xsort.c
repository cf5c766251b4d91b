/*
 * xsort.c - see xsort.h. A run in memory is its pairs, laid end to end
 * (u32 key length, u32 record length, key, record), and an index of 24
 * bytes a pair: the key's first 16 bytes as two big-endian integers, so
 * most comparisons are two integer compares, and where the pair is. The
 * index is sorted by a stable merge sort.
 *
 * With spill threads, a full run goes to a queue; a spill thread sorts it
 * and keeps it in memory, sorted ("held"), and writes it out only when its
 * memory is wanted: when the run being filled is half full, or the reader
 * waits for an empty run. So input that fits in the budget is never
 * written at all, and larger input is written while the reader goes on.
 * Runs are written in input order (a sequence number a run), so the runs
 * on disk are the first ones and those in memory the last, and a merge
 * that takes its sources in that order keeps equal keys in input order.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "spill.h"
#include "xsort.h"

#define XSORT_MAX_PARTS 65	/* the last run is sorted in parts, one a thread */
#define XSORT_MAX_MEM (XSORT_MAX_PARTS + 64)	/* and the held runs besides */

struct entry {
	uint64_t p0, p1;	/* the key's bytes 0-7 and 8-15, big-endian, zero-padded */
	uint32_t off;		/* of the pair in the run */
	uint32_t klen;
};

struct run {
	char *mem;		/* the pairs */
	size_t used, cap;
	struct entry *e;
	size_t n, ecap;
	uint64_t seq;		/* its place in the input, among runs */
};

/* A run's memory freed; it is empty. */
static void run_free(struct run *r)
{
	mem_free(r->mem, r->cap);
	mem_free(r->e, r->ecap * sizeof(*r->e));
	memset(r, 0, sizeof(*r));
}

/* A run on disk: its file, and where its segments begin (spill.h). */
struct disk_run {
	int fd;
	struct spill_segs g;
};

/* Entries [lo, hi) of a run in memory, sorted: a source of the final merge. */
struct part {
	const struct run *r;
	size_t lo, hi;
};

struct xsort {
	size_t budget;		/* bytes a run may hold, index included */
	unsigned max_fanin;	/* runs one merge reads at most */
	size_t max_pair;	/* the longest key and record added: no run holds a longer one */
	const char *tmpdir;
	unsigned threads, nrun;
	struct run *runs;	/* threads + 1 of them */
	struct run *cur;
	uint64_t next_seq;
	pthread_t th[64];
	unsigned started;
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* a run to spill, a run free, or one spilled */
	struct run **queue, **free;	/* full runs waiting to be sorted; empty ones */
	struct run **held;	/* sorted runs kept in memory, by sequence number */
	unsigned nqueue, nfree, nheld;
	uint64_t next_write;	/* the sequence number of the next run to write: those before are on disk */
	int pressure;		/* the run being filled is half full, or the reader waits: write a held run */
	int pressed;		/* (the reader's) pressure was raised for the current run */
	struct disk_run *disk;	/* spilled runs by sequence number; fd -1 while being spilled, or held */
	size_t nfd, fdcap;
	int done, failed;
	char why[256];
	struct xsort_stats st;
};

/* The threads at the end (sorting the last run, merging): the spill threads', idle by then; one with none. */
static unsigned end_threads(const struct xsort *x)
{
	return x->threads ? x->threads : 1;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t be64(const unsigned char *k, uint32_t n)
{
	uint64_t v = 0;
	uint32_t i;

	for (i = 0; i < 8; i++)
		v = v << 8 | (i < n ? k[i] : 0);
	return v;
}

static inline const char *key_of(const struct run *r, const struct entry *e)
{
	return r->mem + e->off + 8;
}

/* Keys in order: the prefixes, then the rest of the bytes, then the shorter (a prefix of the other) first. */
static inline int ecmp(const struct run *r, const struct entry *a, const struct entry *b)
{
	uint32_t n;
	int c;

	if (a->p0 != b->p0)
		return a->p0 < b->p0 ? -1 : 1;
	if (a->p1 != b->p1)
		return a->p1 < b->p1 ? -1 : 1;
	n = a->klen < b->klen ? a->klen : b->klen;
	if (n > 16 && (c = memcmp(key_of(r, a) + 16, key_of(r, b) + 16, n - 16)) != 0)
		return c;
	return (a->klen > b->klen) - (a->klen < b->klen);
}

/* A stable merge sort of n entries a of run r: runs of 8 by insertion, then merges. 0, or -1 (memory). */
static int sort_entries(const struct run *r, struct entry *a, size_t n)
{
	struct entry *b, *src, *dst, *t, tmp;
	size_t i, j, w;

	for (i = 0; i < n; i += 8) {
		size_t end = i + 8 < n ? i + 8 : n;

		for (j = i + 1; j < end; j++) {
			size_t k = j;

			tmp = a[j];
			while (k > i && ecmp(r, &a[k - 1], &tmp) > 0) {
				a[k] = a[k - 1];
				k--;
			}
			a[k] = tmp;
		}
	}
	if (n <= 8)
		return 0;
	if (!(b = mem_grow(NULL, 0, n * sizeof(*b))))	/* huge pages: each sort takes a new one */
		return -1;
	src = a, dst = b;
	for (w = 8; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			size_t mid = i + w < n ? i + w : n, hi = i + 2 * w < n ? i + 2 * w : n, x = i, y = mid, k = i;

			while (x < mid && y < hi)
				dst[k++] = ecmp(r, &src[y], &src[x]) < 0 ? src[y++] : src[x++];
			while (x < mid)
				dst[k++] = src[x++];
			while (y < hi)
				dst[k++] = src[y++];
		}
		t = src, src = dst, dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	mem_free(b, n * sizeof(*b));
	return 0;
}

static int sort_run(struct run *r)
{
	return sort_entries(r, r->e, r->n);
}

/*
 * The last run, kept in memory for the final merge, sorted in parts on all
 * threads at once: part i is entries [bound[i], bound[i + 1]), in input
 * order, and the merge takes the parts as sources of their own (equal keys
 * from the earlier part first). 0, or -1 (memory).
 */
struct part_job {
	const struct run *r;
	size_t lo, hi;
	int rc;
};

static void *sort_part(void *arg)
{
	struct part_job *j = arg;

	j->rc = sort_entries(j->r, j->r->e + j->lo, j->hi - j->lo);
	return NULL;
}

static int sort_parts(const struct run *r, unsigned parts, size_t *bound)
{
	struct part_job job[XSORT_MAX_PARTS];
	pthread_t th[XSORT_MAX_PARTS];
	int started[XSORT_MAX_PARTS] = { 0 };
	unsigned i;
	int rc = 0;

	for (i = 0; i <= parts; i++)
		bound[i] = r->n / parts * i + (i == parts ? r->n % parts : 0);
	for (i = 0; i < parts; i++) {
		job[i] = (struct part_job){ r, bound[i], bound[i + 1], 0 };
		if (i > 0 && pthread_create(&th[i], NULL, sort_part, &job[i]) == 0)
			started[i] = 1;
	}
	for (i = 0; i < parts; i++) {	/* the first here, and any that found no thread */
		if (started[i])
			continue;
		sort_part(&job[i]);
	}
	for (i = 0; i < parts; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		if (job[i].rc < 0)
			rc = -1;
	}
	return rc;
}

/* Write sorted run r out: its file, or -1 (why); its segments into *g. */
static int write_run(struct xsort *x, const struct run *r, struct spill_segs *g, char *why)
{
	struct spill_writer w;
	size_t i;
	int fd;

	if (spill_create(&w, x->tmpdir) < 0)
		goto fail;
	for (i = 0; i < r->n; i++) {
		const char *p = r->mem + r->e[i].off;
		uint32_t h[2];

		memcpy(h, p, 8);
		if (spill_put(&w, p + 8, h[0], p + 8 + h[0], h[1]) < 0)
			goto fail;
	}
	pthread_mutex_lock(&x->mu);
	x->st.spilled += w.bytes;
	x->st.spilled_raw += w.raw;
	pthread_mutex_unlock(&x->mu);
	if ((fd = spill_finish(&w, g)) < 0)
		goto fail;
	return fd;
fail:
	snprintf(why, 256, "%s", w.why);
	spill_writer_free(&w);
	return -1;
}

/* Sort run r and write it out: its file, or -1 (why); its segments into *g. */
static int spill_run(struct xsort *x, struct run *r, struct spill_segs *g, char *why)
{
	if (sort_run(r) < 0)
		return snprintf(why, 256, "out of memory"), -1;
	return write_run(x, r, g, why);
}

/* The sort has failed, why; the first failure says why. Under x->mu once spill threads run. */
static void fail_locked(struct xsort *x, const char *why)
{
	if (!x->failed) {
		x->failed = 1;
		snprintf(x->why, sizeof(x->why), "%s", why);
	}
}

/* The same, from the adding thread while the spill threads may fail too: -1. */
static int fail(struct xsort *x, const char *why)
{
	pthread_mutex_lock(&x->mu);
	fail_locked(x, why);
	pthread_mutex_unlock(&x->mu);
	return -1;
}

static void record_run(struct xsort *x, uint64_t seq, int fd, struct spill_segs *g, const char *why)
{
	if (fd < 0)
		fail_locked(x, why);
	x->disk[seq].fd = fd;
	x->disk[seq].g = *g;
	memset(g, 0, sizeof(*g));
	x->st.runs++;
}

/* Whether the oldest held run is to be written now: it is the next in input order, and its memory is wanted. */
static int write_due(const struct xsort *x)
{
	return x->nheld && x->held[0]->seq == x->next_write && x->pressure && !x->nfree && !x->failed;
}

/*
 * A spill thread: writes the oldest held run when its memory is wanted,
 * else sorts the next full run and holds it; at the end (done) it only
 * finishes the sorting.
 */
static void *spiller(void *arg)
{
	struct xsort *x = arg;
	struct spill_segs g = { 0 };
	struct run *r;
	char why[256];
	double t0;
	unsigned i;
	int fd;

	pthread_mutex_lock(&x->mu);
	for (;;) {
		if (write_due(x) && !x->done) {
			r = x->held[0];
			memmove(x->held, x->held + 1, --x->nheld * sizeof(*x->held));
			x->next_write++;
			pthread_mutex_unlock(&x->mu);
			t0 = now();
			fd = write_run(x, r, &g, why);
			pthread_mutex_lock(&x->mu);
			x->st.sort_s += now() - t0;
			record_run(x, r->seq, fd, &g, why);
			r->used = r->n = 0;
			x->free[x->nfree++] = r;
			pthread_cond_broadcast(&x->cv);
			continue;
		}
		if (x->nqueue) {
			r = x->queue[0];
			memmove(x->queue, x->queue + 1, --x->nqueue * sizeof(*x->queue));
			pthread_mutex_unlock(&x->mu);
			t0 = now();
			fd = sort_run(r);
			pthread_mutex_lock(&x->mu);
			x->st.sort_s += now() - t0;
			if (fd < 0)
				fail_locked(x, "out of memory");
			for (i = x->nheld; i > 0 && x->held[i - 1]->seq > r->seq; i--)	/* by sequence number */
				x->held[i] = x->held[i - 1];
			x->held[i] = r;
			x->nheld++;
			pthread_cond_broadcast(&x->cv);
			continue;
		}
		if (x->done)
			break;
		pthread_cond_wait(&x->cv, &x->mu);
	}
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

struct xsort *xsort_new(size_t mem, const char *tmpdir, unsigned threads)
{
	struct xsort *x = calloc(1, sizeof(*x));
	unsigned i;

	if (!x)
		return NULL;
	if (threads > 64)
		threads = 64;
	x->threads = threads;
	x->max_fanin = XSORT_MAX_FANIN;
	x->nrun = threads + 1;
	x->budget = mem / x->nrun;
	if (x->budget < 4096)
		x->budget = 4096;
	x->tmpdir = tmpdir;
	pthread_mutex_init(&x->mu, NULL);
	pthread_cond_init(&x->cv, NULL);
	if (!(x->runs = calloc(x->nrun, sizeof(*x->runs))) || !(x->queue = calloc(x->nrun, sizeof(*x->queue))) ||
	    !(x->free = calloc(x->nrun, sizeof(*x->free))) || !(x->held = calloc(x->nrun, sizeof(*x->held)))) {
		xsort_free(x);
		return NULL;
	}
	x->cur = &x->runs[0];
	for (i = 1; i < x->nrun; i++)
		x->free[x->nfree++] = &x->runs[i];
	for (i = 0; i < threads; i++, x->started++)
		if (pthread_create(&x->th[i], NULL, spiller, x) != 0) {
			xsort_free(x);
			return NULL;
		}
	return x;
}

/* The spill threads finish what is queued and end. */
static void stop_spillers(struct xsort *x)
{
	unsigned i;

	pthread_mutex_lock(&x->mu);
	x->done = 1;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	for (i = 0; i < x->started; i++)
		pthread_join(x->th[i], NULL);
	x->started = 0;
}

/* Hand the current run to be spilled (or spill it here), and take an empty one. 0, or -1. */
static int next_run(struct xsort *x)
{
	struct run *r = x->cur;
	char why[256];
	int fd, rc;

	r->seq = x->next_seq++;
	pthread_mutex_lock(&x->mu);	/* the spillers write into x->disk: realloc may free it */
	if (x->nfd == x->fdcap) {
		size_t cap = x->fdcap ? 2 * x->fdcap : 64;
		struct disk_run *nf = realloc(x->disk, cap * sizeof(*nf));

		if (!nf) {
			fail_locked(x, "out of memory");
			pthread_mutex_unlock(&x->mu);
			return -1;
		}
		x->disk = nf;
		x->fdcap = cap;
	}
	x->disk[x->nfd++] = (struct disk_run){ .fd = -1 };
	pthread_mutex_unlock(&x->mu);
	if (!x->threads) {
		double t0 = now();
		struct spill_segs g = { 0 };

		fd = spill_run(x, r, &g, why);
		x->st.sort_s += now() - t0;
		record_run(x, r->seq, fd, &g, why);
		r->used = r->n = 0;
		return fd < 0 ? -1 : 0;
	}
	pthread_mutex_lock(&x->mu);
	x->queue[x->nqueue++] = r;
	if (!x->nfree)
		x->pressure = 1;	/* waiting: a held run must go */
	pthread_cond_broadcast(&x->cv);
	while (!x->nfree && !x->failed)
		pthread_cond_wait(&x->cv, &x->mu);
	x->cur = x->nfree ? x->free[--x->nfree] : NULL;
	x->pressure = x->pressed = 0;
	rc = x->failed ? -1 : 0;	/* read under the lock: the spill threads set it */
	pthread_mutex_unlock(&x->mu);
	return rc;
}

/* The run being filled is half full: the oldest held run may go to disk meanwhile. */
static void press(struct xsort *x)
{
	x->pressed = 1;
	pthread_mutex_lock(&x->mu);
	x->pressure = 1;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
}

/*
 * Room for need elements of size bytes: doubling, but not past limit
 * elements unless need is. On huge pages (mem.h): a run's memory was
 * 68,000 page faults on 3 M events, a third of vchain-sort's time.
 */
static int grow(void *pp, size_t *cap, size_t need, size_t size, size_t limit)
{
	size_t c = *cap ? *cap : 4096;
	void *p, *np;

	while (c < need)
		c *= 2;
	if (c > limit && need <= limit)
		c = limit;
	memcpy(&p, pp, sizeof(p));
	if (!(np = mem_grow(p, *cap * size, c * size)))
		return -1;
	memcpy(pp, &np, sizeof(np));
	*cap = c;
	return 0;
}

int xsort_add(struct xsort *x, const char *key, uint32_t klen, const char *rec, uint32_t rlen)
{
	size_t need = 8 + (size_t)klen + rlen;
	struct run *r = x->cur;
	struct entry *e;
	uint32_t h[2] = { klen, rlen };

	if (need - 8 > x->max_pair)
		x->max_pair = need - 8;
	/*
	 * the index counts twice: its sort takes a copy of it; and each array
	 * as the memory it holds: a huge page is held whole once touched
	 */
	if (r->n && mem_bytes(r->used + need) + 2 * mem_bytes((r->n + 1) * sizeof(struct entry)) > x->budget) {
		if (next_run(x) < 0)
			return -1;
		r = x->cur;
	}
	if ((r->used + need > r->cap && grow(&r->mem, &r->cap, r->used + need, 1, x->budget) < 0) ||
	    (r->n == r->ecap && grow(&r->e, &r->ecap, r->n + 1, sizeof(*r->e), x->budget / 2 / sizeof(*r->e)) < 0))
		return fail(x, "out of memory");
	memcpy(r->mem + r->used, h, 8);
	memcpy(r->mem + r->used + 8, key, klen);
	memcpy(r->mem + r->used + 8 + klen, rec, rlen);
	e = &r->e[r->n++];
	e->p0 = be64((const unsigned char *)key, klen);
	e->p1 = klen > 8 ? be64((const unsigned char *)key + 8, klen - 8) : 0;
	e->off = (uint32_t)r->used;
	e->klen = klen;
	r->used += need;
	x->st.pairs++;
	if (!x->pressed && x->threads && 2 * (r->used + 2 * r->n * sizeof(struct entry)) > x->budget)
		press(x);
	if (r->used > UINT32_MAX - need) {	/* offsets are 32 bits: a run is under 4 GiB */
		if (next_run(x) < 0)
			return -1;
	}
	return 0;
}

/* ---- merging ---- */

typedef int (*next_fn)(void *ctx, unsigned i, const char **key, uint32_t *klen, const char **rec, uint32_t *rlen);
typedef int (*emit_fn)(void *ctx, const char *key, uint32_t klen, const char *rec, uint32_t rlen);

struct head {
	uint64_t p0, p1;	/* the key's first 16 bytes, as the runs' index has them */
	const char *key, *rec;
	uint32_t klen, rlen;
	unsigned src;
};

static inline void prefix(struct head *h)
{
	h->p0 = be64((const unsigned char *)h->key, h->klen);
	h->p1 = h->klen > 8 ? be64((const unsigned char *)h->key + 8, h->klen - 8) : 0;
}

static inline int hless(const struct head *a, const struct head *b)
{
	uint32_t n;
	int c;

	if (a->p0 != b->p0)
		return a->p0 < b->p0;
	if (a->p1 != b->p1)
		return a->p1 < b->p1;
	n = a->klen < b->klen ? a->klen : b->klen;
	if (n > 16 && (c = memcmp(a->key + 16, b->key + 16, n - 16)) != 0)
		return c < 0;
	if (a->klen != b->klen)
		return a->klen < b->klen;
	return a->src < b->src;
}

static void sift(struct head *h, unsigned n, unsigned i)
{
	struct head t = h[i];
	unsigned c;

	for (; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && hless(&h[c + 1], &h[c]))
			c++;
		if (!hless(&h[c], &t))
			break;
		h[i] = h[c];
	}
	h[i] = t;
}

/* The k-way merge: a binary heap of the sources' heads. 0, or -1. */
static int merge(unsigned k, next_fn next, void *nctx, emit_fn emit, void *ectx)
{
	struct head *h = malloc((k ? k : 1) * sizeof(*h));
	unsigned n = 0, i;
	int r, rc = -1;

	if (!h)
		return -1;
	for (i = 0; i < k; i++) {
		if ((r = next(nctx, i, &h[n].key, &h[n].klen, &h[n].rec, &h[n].rlen)) < 0)
			goto done;
		if (r) {
			prefix(&h[n]);
			h[n++].src = i;
		}
	}
	for (i = n / 2; i-- > 0;)
		sift(h, n, i);
	while (n) {
		if (emit(ectx, h[0].key, h[0].klen, h[0].rec, h[0].rlen) < 0)
			goto done;
		if ((r = next(nctx, h[0].src, &h[0].key, &h[0].klen, &h[0].rec, &h[0].rlen)) < 0)
			goto done;
		if (!r)
			h[0] = h[--n];
		else
			prefix(&h[0]);
		if (n)
			sift(h, n, 0);
	}
	rc = 0;
done:
	free(h);
	return rc;
}

/* The sources of a merge: spilled runs, then parts of runs in memory. */
struct sources {
	struct spill_reader *rd;
	unsigned nrd;
	const struct part *mp;
	unsigned nmp;
	size_t pos[XSORT_MAX_MEM];	/* each part's next entry */
	char why[256];
};

#define PREFETCH 8	/* entries ahead: the pairs they point to are all over the run */

/* The pair of run m's entry *pos, before end: 1 (and *pos moves on), or 0. */
static inline int part_pair(const struct run *m, size_t *pos, size_t end, const char **key, uint32_t *klen,
			    const char **rec, uint32_t *rlen)
{
	const char *p;
	uint32_t h[2];

	if (*pos == end)
		return 0;
	p = m->mem + m->e[(*pos)++].off;
	if (*pos + PREFETCH < end)
		__builtin_prefetch(m->mem + m->e[*pos + PREFETCH].off);
	memcpy(h, p, 8);
	*klen = h[0], *rlen = h[1];
	*key = p + 8;
	*rec = p + 8 + h[0];
	return 1;
}

static int next_pair(void *ctx, unsigned i, const char **key, uint32_t *klen, const char **rec, uint32_t *rlen)
{
	struct sources *s = ctx;
	int r;

	if (i < s->nrd) {
		if ((r = spill_next(&s->rd[i], key, klen, rec, rlen)) < 0)
			snprintf(s->why, sizeof(s->why), "%s", s->rd[i].why);
		return r;
	}
	i -= s->nrd;
	return part_pair(s->mp[i].r, &s->pos[i], s->mp[i].hi, key, klen, rec, rlen);
}

struct to_emit {
	int (*emit)(void *ctx, const char *rec, uint32_t rlen);
	void *ctx;
};

static int emit_record(void *ctx, const char *key, uint32_t klen, const char *rec, uint32_t rlen)
{
	const struct to_emit *t = ctx;

	(void)key;
	(void)klen;
	return t->emit(t->ctx, rec, rlen);
}

static int emit_spill(void *ctx, const char *key, uint32_t klen, const char *rec, uint32_t rlen)
{
	return spill_put(ctx, key, klen, rec, rlen);
}

/*
 * The readers of runs on disk that half the budget holds, with chunks of
 * 16 KiB: what the merges going on at once share. One merge reads as many
 * runs as that, 2 at least (a budget too small for that goes over it),
 * XSORT_MAX_FANIN (or xsort_batch's) at most.
 */
static size_t readers_fit(const struct xsort *x)
{
	return x->budget * x->nrun / 2 / (SPILL_READER_STATE + 3 * (16u << 10));
}

static unsigned merge_width(const struct xsort *x)
{
	size_t f = readers_fit(x);

	return f < 2 ? 2 : f > x->max_fanin ? x->max_fanin : (unsigned)f;
}

/*
 * Merge spilled runs fd[0..n), then the sorted parts of runs in memory
 * mp[0..nmp) (later in the input), into emit. 0, or -1 (x->why).
 */
static int merge_runs(struct xsort *x, struct disk_run *dr, unsigned n, const struct part *mp, unsigned nmp,
		      emit_fn emit, void *ectx, unsigned share, char *why)
{
	struct sources s;
	/* the readers take half the budget between them (spill.h: what a reader holds), or a share of it */
	size_t each = x->budget * x->nrun / 2 / (n ? n : 1) / share;
	size_t chunk = each > SPILL_READER_STATE + 3 * 4096 ? (each - SPILL_READER_STATE) / 3 : 4096;
	unsigned i;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	if (chunk > (4u << 20))
		chunk = 4u << 20;
	if (!(s.rd = calloc(n ? n : 1, sizeof(*s.rd))))
		return snprintf(why, 256, "out of memory"), -1;
	for (i = 0; i < n; i++, s.nrd++) {
		if (spill_open(&s.rd[i], dr[i].fd, chunk) < 0) {
			snprintf(why, 256, "%s", s.rd[i].why);
			s.nrd++;
			goto done;
		}
		dr[i].fd = -1;	/* the reader's now */
		s.rd[i].max_pair = x->max_pair;	/* a longer pair is damage */
		s.rd[i].end = dr[i].g.bytes;	/* and a run that ends before it, a loss */
		spill_segs_free(&dr[i].g);
	}
	s.mp = mp;
	s.nmp = nmp;
	for (i = 0; i < nmp; i++)
		s.pos[i] = mp[i].lo;
	if (merge(n + nmp, next_pair, &s, emit, ectx) < 0) {
		if (s.why[0])
			snprintf(why, 256, "%s", s.why);
		goto done;
	}
	rc = 0;
done:
	for (i = 0; i < s.nrd; i++)
		spill_reader_free(&s.rd[i]);
	free(s.rd);
	return rc;
}

/* ---- merge passes before the last ---- */

/* One merge of a pass: runs dr[0..n) into one run, out (fd -1 until it is whole). */
struct pass_job {
	struct xsort *x;
	struct disk_run *dr;
	unsigned n, share;	/* share: the merges run at once, whose readers share half the budget */
	struct disk_run out;
	uint64_t bytes, raw;
	int rc;
	char why[256];
};

static void *pass_job_run(void *arg)
{
	struct pass_job *j = arg;
	struct spill_writer w;
	int fd;

	j->rc = -1;
	if (spill_create(&w, j->x->tmpdir) < 0 ||
	    merge_runs(j->x, j->dr, j->n, NULL, 0, emit_spill, &w, j->share, j->why) < 0) {
		if (w.why[0])
			snprintf(j->why, sizeof(j->why), "%s", w.why);
		spill_writer_free(&w);
		return NULL;
	}
	j->bytes = w.bytes;
	j->raw = w.raw;
	if ((fd = spill_finish(&w, &j->out.g)) < 0) {
		snprintf(j->why, sizeof(j->why), "%s", w.why);
		spill_writer_free(&w);
		return NULL;
	}
	j->out.fd = fd;
	j->rc = 0;
	return NULL;
}

/*
 * A pass: every fanin runs on disk merged into one, in their place (so
 * input order holds); when merging the first few is enough for the last
 * merge to take all that are left (and the runs in memory, with mem),
 * only those. The merges of a pass run side by side on the threads, as
 * many as there are readers for (readers_fit). 0, or -1 (x->why).
 */
static int merge_pass(struct xsort *x, unsigned fanin, int mem)
{
	size_t total = x->nfd + (mem > 0), few = total - fanin + 1, g, j = 0, k, nj = 0, i;
	size_t fits = readers_fit(x) / fanin;
	struct pass_job *job = calloc(x->nfd, sizeof(*job));
	pthread_t th[XSORT_MAX_PARTS];
	unsigned at_once = end_threads(x), t, started;
	int rc = 0;

	if (!job)
		return snprintf(x->why, sizeof(x->why), "out of memory"), -1;
	/* the merges: runs [g, g + k) each; a run alone is carried over (n 1) */
	for (g = 0; g < x->nfd; g += k) {
		k = x->nfd - g < fanin ? x->nfd - g : fanin;
		if (few <= fanin)	/* the first few, and the rest carried over */
			k = g ? 1 : few;
		job[nj++] = (struct pass_job){ .x = x, .dr = x->disk + g, .n = (unsigned)k, .out = { .fd = -1 } };
		if (x->st.width < k)
			x->st.width = (unsigned)k;
	}
	if (at_once > fits)
		at_once = fits ? (unsigned)fits : 1;
	if (at_once > XSORT_MAX_PARTS)
		at_once = XSORT_MAX_PARTS;
	for (i = 0; i < nj && rc == 0; i += t) {
		/* a wave of at_once merges (runs alone are not merges): the first here, the rest on threads */
		size_t w[XSORT_MAX_PARTS], nw = 0, q;

		for (t = 0; i + t < nj && nw < at_once; t++)
			if (job[i + t].n > 1)
				w[nw++] = i + t;
		for (q = 0; q < nw; q++)
			job[w[q]].share = (unsigned)nw;
		if (x->st.pass_width < nw)
			x->st.pass_width = (unsigned)nw;
		for (started = 1; started < nw; started++)
			if (pthread_create(&th[started], NULL, pass_job_run, &job[w[started]]) != 0)
				break;
		for (q = started; q < nw; q++)	/* no thread for them: here */
			pass_job_run(&job[w[q]]);
		if (nw)
			pass_job_run(&job[w[0]]);
		for (q = 1; q < started; q++)
			pthread_join(th[q], NULL);
		for (q = 0; q < nw; q++)
			if (job[w[q]].rc < 0 && rc == 0) {
				snprintf(x->why, sizeof(x->why), "%s", job[w[q]].why);
				rc = -1;
			}
	}
	/* the pass's runs, in order, in place of the old */
	for (i = 0; i < nj; i++) {
		if (job[i].n == 1) {
			struct disk_run d = job[i].dr[0];

			job[i].dr[0] = (struct disk_run){ .fd = -1 };
			x->disk[j++] = d;
			continue;
		}
		x->st.spilled += job[i].bytes;
		x->st.spilled_raw += job[i].raw;
		for (k = 0; k < job[i].n; k++) {	/* their readers closed them (unless the pass stopped first) */
			if (job[i].dr[k].fd >= 0)
				close(job[i].dr[k].fd);
			spill_segs_free(&job[i].dr[k].g);
		}
		x->disk[j++] = job[i].out;
	}
	for (k = j; k < x->nfd; k++)
		x->disk[k] = (struct disk_run){ .fd = -1 };
	x->nfd = j;
	free(job);
	return rc;
}

/* The runs on disk are done with: closed, their segments freed. */
static void drop_disk(struct xsort *x)
{
	size_t k;

	for (k = 0; k < x->nfd; k++) {
		if (x->disk[k].fd >= 0)
			close(x->disk[k].fd);
		spill_segs_free(&x->disk[k].g);
	}
	x->nfd = 0;
}

/* ---- the last merge, split by key ranges ---- */

/*
 * The keys are cut into ranges at splitting keys chosen from the runs'
 * segments (spill.h) and samples of the runs in memory, a range holding
 * about size bytes of records (RANGE_BYTES_MIN to RANGE_BYTES_MAX); every
 * thread takes the next range and merges it from all the sources (a
 * spilled run read from the segment before the range's first key, a run in
 * memory from a binary search), so equal keys, always in one range, keep
 * the sources' order as the merge of everything does. Only the thread
 * whose range is the next to be written writes, as it goes; the others
 * keep theirs, waiting once they hold 2 size bytes (hold), and at most
 * 2 n ranges (n threads) are taken beyond the one being written: output
 * held in memory stays within 2 n hold however the keys fall.
 */
#define RANGE_BYTES_MAX ((size_t)4 << 20)
#define RANGE_BYTES_MIN ((size_t)64 << 10)
#define RANGE_FLUSH ((size_t)64 << 10)	/* the writing thread writes a range this much at a time */

/* Keys in the runs' order (ecmp's): bytes, then the shorter first. */
static int kcmp(const char *a, uint32_t an, const char *b, uint32_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

struct cand {
	const char *key;
	uint32_t klen;
	uint64_t weight;	/* bytes of records from this key to the next candidate of its source */
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return kcmp(x->key, x->klen, y->key, y->klen);
}

struct ranges {
	struct xsort *x;
	struct disk_run *dr;
	unsigned nd;
	const struct part *mp;
	unsigned nmp;
	const struct cand **split;	/* range i is [split[i - 1], split[i]): none before the first, after the last */
	size_t nranges;
	size_t hold, chunk;
	unsigned ring;
	int (*emit)(void *ctx, const char *rec, uint32_t rlen);
	void *ectx;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next_take, next_write;
	struct buf_slot {
		char *p;
		size_t len, cap;
		int done;
	} *slot;
	struct buf_slot *spare;	/* buffers written out, for the next ranges to keep theirs in */
	unsigned nspare;
	int stop;
	char why[256];
};

/* A thread's range: its sources, and the records merged and not yet written. */
struct rwork {
	struct ranges *g;
	size_t range;
	const char *lo, *hi;
	uint32_t lolen, hilen;
	struct spill_reader *rd;
	unsigned nrd;		/* readers opened: kept from range to range, each moved to its run's segment */
	unsigned char *begun;	/* a spilled run's reading is past the keys before lo */
	size_t pos[XSORT_MAX_MEM], end[XSORT_MAX_MEM];
	char *out;
	size_t len, cap;
	size_t check_at;	/* out's length at which to look whether the range is the next to be written */
	int head;		/* it is: records go to the output as they come */
	char why[256];
};

/* Part p's records, about: *bytes; and every how many entries a sample of about RANGE_BYTES_MIN of them. */
static size_t sample_step(const struct part *p, uint64_t *bytes)
{
	size_t n = p->hi - p->lo, step;

	*bytes = p->r->n ? (uint64_t)p->r->used * n / p->r->n : 0;
	step = *bytes ? (size_t)(n * (uint64_t)RANGE_BYTES_MIN / *bytes) : n;
	return step ? step : 1;
}

/* The first entry of part p whose key is at least k (n bytes). */
static size_t lower_bound(const struct part *p, const char *k, uint32_t n)
{
	size_t lo = p->lo, hi = p->hi;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct entry *e = &p->r->e[mid];

		if (kcmp(key_of(p->r, e), e->klen, k, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The segment of g to read from for keys from k on: the last that begins before k, else the first. */
static size_t seg_before(const struct spill_segs *g, const char *k, uint32_t n)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {	/* the first segment whose key is k or after */
		size_t mid = lo + (hi - lo) / 2;

		if (kcmp(spill_seg_key(g, mid), g->s[mid].klen, k, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : 0;
}

static int range_next(void *ctx, unsigned i, const char **key, uint32_t *klen, const char **rec, uint32_t *rlen)
{
	struct rwork *w = ctx;
	int r;

	if (i < w->g->nd) {
		for (;;) {
			if ((r = spill_next(&w->rd[i], key, klen, rec, rlen)) <= 0) {
				if (r < 0)
					snprintf(w->why, sizeof(w->why), "%s", w->rd[i].why);
				return r;
			}
			if (!w->begun[i]) {	/* the segment's keys before the range are the range before's */
				if (w->lo && kcmp(*key, *klen, w->lo, w->lolen) < 0)
					continue;
				w->begun[i] = 1;
			}
			return !w->hi || kcmp(*key, *klen, w->hi, w->hilen) < 0;
		}
	}
	i -= w->g->nd;
	return part_pair(w->g->mp[i].r, &w->pos[i], w->end[i], key, klen, rec, rlen);
}

/* Records b[0..n) (u32 length, record) to the output. 0, or -1. */
static int write_held(struct ranges *g, const char *b, size_t n)
{
	const char *p = b, *end = b + n;
	uint32_t len;

	for (; p < end; p += 4 + len) {
		memcpy(&len, p, 4);
		if (g->emit(g->ectx, p + 4, len) < 0)
			return -1;
	}
	return 0;
}

/* Whether w's range is the next to be written: then it writes what it holds. 0, or -1 (stop). */
static int write_if_next(struct rwork *w, int wait)
{
	struct ranges *g = w->g;
	int next;

	pthread_mutex_lock(&g->mu);
	while (wait && g->next_write != w->range && !g->stop)
		pthread_cond_wait(&g->cv, &g->mu);
	next = g->next_write == w->range && !g->stop;
	pthread_mutex_unlock(&g->mu);
	if (!next) {
		w->check_at = w->len + RANGE_FLUSH;	/* not before another RANGE_FLUSH bytes */
		return g->stop ? -1 : 0;
	}
	if (write_held(g, w->out, w->len) < 0)
		return -1;
	w->len = 0;
	w->head = 1;	/* until the range ends */
	return 0;
}

static int range_emit(void *ctx, const char *key, uint32_t klen, const char *rec, uint32_t rlen)
{
	struct rwork *w = ctx;

	(void)key, (void)klen;
	if (w->head)
		return w->g->emit(w->g->ectx, rec, rlen);
	if (w->cap - w->len < 4 + (size_t)rlen) {
		size_t cap = w->cap ? w->cap : RANGE_FLUSH;
		char *n;

		while (cap - w->len < 4 + (size_t)rlen)
			cap *= 2;
		if (!(n = realloc(w->out, cap)))
			return snprintf(w->why, sizeof(w->why), "out of memory"), -1;
		w->out = n;
		w->cap = cap;
	}
	memcpy(w->out + w->len, &rlen, 4);
	memcpy(w->out + w->len + 4, rec, rlen);
	w->len += 4 + (size_t)rlen;
	if (w->len >= w->check_at && write_if_next(w, w->len >= w->g->hold) < 0)
		return -1;
	return 0;
}

/* Merge range w->range into w's output (written as it goes when it is the next). 0, or -1 (w->why). */
static int merge_range(struct rwork *w)
{
	struct ranges *g = w->g;
	size_t i = w->range;
	unsigned k;

	w->lo = i ? g->split[i - 1]->key : NULL;
	w->lolen = i ? g->split[i - 1]->klen : 0;
	w->hi = i + 1 < g->nranges ? g->split[i]->key : NULL;
	w->hilen = i + 1 < g->nranges ? g->split[i]->klen : 0;
	w->len = 0;
	w->check_at = RANGE_FLUSH;
	w->head = 0;
	memset(w->begun, 0, g->nd);
	for (k = 0; k < g->nd; k++) {
		const struct disk_run *d = &g->dr[k];
		struct spill_reader *r = &w->rd[k];
		size_t s = w->lo ? seg_before(&d->g, w->lo, w->lolen) : 0;
		uint64_t off = d->g.n ? d->g.s[s].off : d->g.bytes;

		if (k < w->nrd)
			spill_seek(r, d->fd, off, d->g.bytes);
		else if (spill_open_at(r, d->fd, g->chunk, off, d->g.bytes) < 0) {
			snprintf(w->why, sizeof(w->why), "%s", r->why);
			spill_reader_free(r);
			return -1;
		} else {
			r->max_pair = g->x->max_pair;	/* a longer pair is damage */
			w->nrd++;
		}
	}
	for (k = 0; k < g->nmp; k++) {
		w->pos[k] = w->lo ? lower_bound(&g->mp[k], w->lo, w->lolen) : g->mp[k].lo;
		w->end[k] = w->hi ? lower_bound(&g->mp[k], w->hi, w->hilen) : g->mp[k].hi;
	}
	return merge(g->nd + g->nmp, range_next, w, range_emit, w);
}

/*
 * Range w->range is merged: written now if it is the next (and the ones
 * after it that are done), else kept for the thread that writes the one
 * before it. Under the lock, as on return. 0, or -1 (stop).
 */
static int range_done(struct rwork *w)
{
	struct ranges *g = w->g;
	struct buf_slot *sl;

	if (g->next_write != w->range) {
		sl = &g->slot[w->range];	/* w's output is the slot's now; w takes a spare buffer */
		sl->p = w->out, sl->len = w->len, sl->cap = w->cap;
		sl->done = 1;
		if (g->nspare) {
			g->nspare--;
			w->out = g->spare[g->nspare].p, w->cap = g->spare[g->nspare].cap;
		} else
			w->out = NULL, w->cap = 0;
		w->len = 0;
		return 0;
	}
	pthread_mutex_unlock(&g->mu);
	if (write_held(g, w->out, w->len) < 0) {
		pthread_mutex_lock(&g->mu);
		return -1;
	}
	w->len = 0;
	pthread_mutex_lock(&g->mu);
	for (g->next_write++; g->next_write < g->nranges && g->slot[g->next_write].done; g->next_write++) {
		sl = &g->slot[g->next_write];
		pthread_mutex_unlock(&g->mu);
		if (write_held(g, sl->p, sl->len) < 0) {
			pthread_mutex_lock(&g->mu);
			return -1;
		}
		pthread_mutex_lock(&g->mu);
		if (g->nspare < g->ring)
			g->spare[g->nspare++] = *sl;
		else
			free(sl->p);
		sl->p = NULL, sl->len = sl->cap = 0;
	}
	pthread_cond_broadcast(&g->cv);
	return 0;
}

static void *range_worker(void *arg)
{
	struct rwork *w = arg;
	struct ranges *g = w->g;

	pthread_mutex_lock(&g->mu);
	while (!g->stop && g->next_take < g->nranges) {
		if (g->next_take >= g->next_write + g->ring) {
			pthread_cond_wait(&g->cv, &g->mu);
			continue;
		}
		w->range = g->next_take++;
		pthread_mutex_unlock(&g->mu);
		if (merge_range(w) < 0) {
			pthread_mutex_lock(&g->mu);
			if (!g->stop && w->why[0])	/* the first error says why; an output error, nothing */
				snprintf(g->why, sizeof(g->why), "%s", w->why);
			g->stop = 1;
			pthread_cond_broadcast(&g->cv);
			break;
		}
		pthread_mutex_lock(&g->mu);
		if (range_done(w) < 0) {
			g->stop = 1;
			pthread_cond_broadcast(&g->cv);
			break;
		}
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/*
 * The splitting keys: candidates in key order, a cut where the bytes since
 * the last reach size, never between equal keys. Into g->split, g->nranges.
 * 0, or -1 (memory).
 */
static int plan_ranges(struct ranges *g, struct cand *c, size_t nc, size_t size)
{
	uint64_t acc = 0;
	size_t i, n = 0;

	qsort(c, nc, sizeof(*c), cand_cmp);
	if (!(g->split = malloc((nc ? nc : 1) * sizeof(*g->split))))
		return -1;
	for (i = 0; i < nc; i++) {
		if (acc >= size && (!n || kcmp(c[i].key, c[i].klen, g->split[n - 1]->key, g->split[n - 1]->klen) > 0)) {
			g->split[n++] = &c[i];
			acc = 0;
		}
		acc += c[i].weight;
	}
	g->nranges = n + 1;
	return 0;
}

/*
 * The last merge on all threads, by key ranges: 0, -1 (x->why), or 1 when
 * one thread is all there is, or the records make one range.
 */
static int merge_ranges(struct xsort *x, struct disk_run *dr, unsigned nd, const struct part *mp, unsigned nmp,
			int (*emit)(void *ctx, const char *rec, uint32_t rlen), void *ectx)
{
	struct ranges g;
	struct cand *c = NULL;
	struct rwork *w = NULL;
	pthread_t th[XSORT_MAX_PARTS];
	size_t nc = 0, cap = 0, total = 0, size, each, i, k;
	unsigned nth = end_threads(x), started = 0, t;
	int rc = -1;

	if (nth > XSORT_MAX_PARTS)
		nth = XSORT_MAX_PARTS;
	/* every thread reads every run on disk: as many threads as there are readers for */
	if (nd && nth > readers_fit(x) / nd)
		nth = (unsigned)(readers_fit(x) / nd);
	if (nth < 2)
		return 1;
	each = x->budget * x->nrun / 2 / ((nd ? nd : 1) * nth);
	memset(&g, 0, sizeof(g));
	/* ranges of a thirty-second of the budget a thread, within 64 KiB and 4 MiB */
	size = x->budget * x->nrun / 32 / nth;
	size = size < RANGE_BYTES_MIN ? RANGE_BYTES_MIN : size > RANGE_BYTES_MAX ? RANGE_BYTES_MAX : size;
	for (i = 0; i < nd; i++)
		cap += dr[i].g.n;
	for (k = 0; k < nmp; k++) {
		uint64_t bytes;

		cap += (mp[k].hi - mp[k].lo) / sample_step(&mp[k], &bytes) + 1;
	}
	if (!(c = malloc((cap ? cap : 1) * sizeof(*c))))
		goto oom;
	for (i = 0; i < nd; i++)
		for (k = 0; k < dr[i].g.n; k++) {
			c[nc++] = (struct cand){ spill_seg_key(&dr[i].g, k), dr[i].g.s[k].klen, dr[i].g.s[k].raw };
			total += dr[i].g.s[k].raw;
		}
	for (k = 0; k < nmp; k++) {
		const struct run *r = mp[k].r;
		size_t n = mp[k].hi - mp[k].lo, j;
		uint64_t bytes;
		size_t step = sample_step(&mp[k], &bytes);

		for (j = mp[k].lo; j < mp[k].hi; j += step)
			c[nc++] = (struct cand){ key_of(r, &r->e[j]), r->e[j].klen, bytes * step / (n ? n : 1) };
		total += bytes;
	}
	if (total < 2 * size) {
		free(c);
		return 1;
	}
	if (plan_ranges(&g, c, nc, size) < 0)
		goto oom;
	if (g.nranges < 2) {
		free(g.split);
		free(c);
		return 1;
	}
	g.x = x, g.dr = dr, g.nd = nd, g.mp = mp, g.nmp = nmp, g.emit = emit, g.ectx = ectx;
	g.hold = 2 * size;
	g.ring = 2 * nth;
	/* a range reads a few segments of each run: more at a time would be decoded for nothing */
	g.chunk = (each - SPILL_READER_STATE) / 3;
	if (g.chunk > (32u << 10))
		g.chunk = 32u << 10;
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.cv, NULL);
	if (!(g.slot = calloc(g.nranges, sizeof(*g.slot))) || !(g.spare = calloc(g.ring, sizeof(*g.spare))) ||
	    !(w = calloc(nth, sizeof(*w))))
		goto oom_locks;
	for (t = 0; t < nth; t++) {
		w[t].g = &g;
		if ((nd && !(w[t].rd = calloc(nd, sizeof(*w[t].rd)))) || !(w[t].begun = calloc(nd ? nd : 1, 1)))
			goto oom_locks;
	}
	for (t = 1; t < nth; t++, started++)
		if (pthread_create(&th[t], NULL, range_worker, &w[t]) != 0)
			break;
	range_worker(&w[0]);	/* this thread too; threads that did not start leave it more to do */
	for (t = 1; t <= started; t++)
		pthread_join(th[t], NULL);
	if (!g.stop) {
		x->st.merge_threads = started + 1;
		x->st.ranges = g.nranges;
		rc = 0;
	} else if (g.why[0])
		snprintf(x->why, sizeof(x->why), "%s", g.why);
	else
		x->why[0] = 0;	/* the output stopped: its error is the caller's to say */
	goto free_all;
oom_locks:
	snprintf(x->why, sizeof(x->why), "out of memory");
free_all:
	for (t = 0; w && t < nth; t++) {
		for (k = 0; k < w[t].nrd; k++)
			spill_reader_free(&w[t].rd[k]);
		free(w[t].rd);
		free(w[t].begun);
		free(w[t].out);
	}
	free(w);
	for (i = 0; g.slot && i < g.nranges; i++)
		free(g.slot[i].p);
	free(g.slot);
	for (i = 0; i < g.nspare; i++)
		free(g.spare[i].p);
	free(g.spare);
	pthread_mutex_destroy(&g.mu);
	pthread_cond_destroy(&g.cv);
	free(g.split);
	free(c);
	return rc;
oom:
	free(c);
	free(g.split);
	snprintf(x->why, sizeof(x->why), "out of memory");
	return -1;
}

int xsort_finish(struct xsort *x, int (*emit)(void *ctx, const char *rec, uint32_t rlen), void *ctx)
{
	struct to_emit t = { emit, ctx };
	struct run *last = x->cur;
	size_t bound[XSORT_MAX_PARTS + 1];
	struct part mp[XSORT_MAX_MEM];	/* the held runs, then the last run's parts */
	double t0;
	unsigned i, fanin = merge_width(x), parts = 0, nmp = 0;
	int rc;

	stop_spillers(x);
	if (x->failed)
		return -1;
	if (x->threads)
		x->nfd = x->next_write;	/* on disk: the runs before it; the rest are held */
	if (x->nfd && !x->threads && last->n) {
		/* one run held the whole budget: it goes to disk too, so that the readers have their half */
		if (next_run(x) < 0)
			return -1;
		run_free(last);
		last = NULL;
	} else {
		char why[256];

		/* runs on disk: their readers take half the budget, so held runs go too, but what fits in the other half */
		while (x->nfd && x->nheld && 2 * (x->nheld + 1) > x->nrun) {
			struct run *r = x->held[0];
			struct spill_segs g = { 0 };
			int fd = write_run(x, r, &g, why);

			memmove(x->held, x->held + 1, --x->nheld * sizeof(*x->held));
			record_run(x, x->nfd++, fd, &g, why);
			if (fd < 0)
				return -1;
			r->used = r->n = 0;
		}
		/* the last run in parts on all threads, a part of 32768 entries at least */
		parts = end_threads(x);
		if (parts > last->n / 32768)
			parts = last->n / 32768 ? (unsigned)(last->n / 32768) : 1;
		if (sort_parts(last, parts, bound) < 0)
			return snprintf(x->why, sizeof(x->why), "out of memory"), -1;
		for (i = 0; i < x->nheld; i++)
			mp[nmp++] = (struct part){ x->held[i], 0, x->held[i]->n };
		for (i = 0; i < parts; i++)
			mp[nmp++] = (struct part){ last, bound[i], bound[i + 1] };
	}
	for (i = 0; i < x->nrun; i++) {	/* the empty runs' memory, before the merge takes its own */
		unsigned h;

		for (h = 0; h < x->nheld && x->held[h] != &x->runs[i]; h++)
			;
		if (&x->runs[i] != last && h == x->nheld)
			run_free(&x->runs[i]);
	}
	t0 = now();
	/*
	 * More runs than one merge takes: passes that each merge every fanin
	 * runs side by side into one, in their place (so input order holds),
	 * until the last merge takes all that are left; when merging the first
	 * few is enough for that, only those.
	 */
	while (x->nfd + (nmp > 0) > fanin) {
		if (merge_pass(x, fanin, nmp > 0) < 0)
			return -1;
		x->st.passes++;
	}
	/* the last merge split by key ranges on all threads; else (one thread, little data) here */
	x->st.merge_threads = 1;
	if (x->st.width < x->nfd + nmp)
		x->st.width = (unsigned)x->nfd + nmp;
	if ((rc = merge_ranges(x, x->disk, (unsigned)x->nfd, mp, nmp, emit, ctx)) > 0)
		rc = merge_runs(x, x->disk, (unsigned)x->nfd, mp, nmp, emit_record, &t, 1, x->why);
	x->st.merge_s = now() - t0;
	drop_disk(x);
	return rc;
}

int xsort_merge(unsigned k, int (*next)(void *ctx, unsigned i, const char **key, uint32_t *klen, const char **rec,
					  uint32_t *rlen), void *nctx,
		int (*emit)(void *ctx, const char *rec, uint32_t rlen), void *ectx)
{
	struct to_emit t = { emit, ectx };

	return merge(k, next, nctx, emit_record, &t);
}

void xsort_batch(struct xsort *x, unsigned n)
{
	x->max_fanin = n < 2 ? 2 : n > XSORT_MAX_FANIN ? XSORT_MAX_FANIN : n;
}

const struct xsort_stats *xsort_stats(const struct xsort *x)
{
	return &x->st;
}

const char *xsort_why(const struct xsort *x)
{
	return x->why;
}

void xsort_free(struct xsort *x)
{
	unsigned i;

	if (!x)
		return;
	stop_spillers(x);
	drop_disk(x);
	for (i = 0; x->runs && i < x->nrun; i++)
		run_free(&x->runs[i]);
	free(x->runs);
	free(x->queue);
	free(x->free);
	free(x->held);
	free(x->disk);
	pthread_mutex_destroy(&x->mu);
	pthread_cond_destroy(&x->cv);
	free(x);
}
