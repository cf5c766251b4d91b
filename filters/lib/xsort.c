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

/* Entries [lo, hi) of a run in memory, sorted: a source of the final merge. */
struct part {
	const struct run *r;
	size_t lo, hi;
};

struct xsort {
	size_t budget;		/* bytes a run may hold, index included */
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
	int *fd;		/* spilled runs by sequence number; -1 while being spilled, or held */
	size_t nfd, fdcap;
	int done, failed;
	char why[256];
	struct xsort_stats st;
};

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
	if (!(b = malloc(n * sizeof(*b))))
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
	free(b);
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

/* Write sorted run r out: its file, or -1 (why). */
static int write_run(struct xsort *x, const struct run *r, char *why)
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
	if ((fd = spill_finish(&w)) < 0)
		goto fail;
	return fd;
fail:
	snprintf(why, 256, "%s", w.why);
	spill_writer_free(&w);
	return -1;
}

/* Sort run r and write it out: its file, or -1 (why). */
static int spill_run(struct xsort *x, struct run *r, char *why)
{
	if (sort_run(r) < 0)
		return snprintf(why, 256, "out of memory"), -1;
	return write_run(x, r, why);
}

static void record_run(struct xsort *x, uint64_t seq, int fd, const char *why)
{
	if (fd < 0 && !x->failed) {
		x->failed = 1;
		snprintf(x->why, sizeof(x->why), "%s", why);
	}
	x->fd[seq] = fd;
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
			fd = write_run(x, r, why);
			pthread_mutex_lock(&x->mu);
			x->st.sort_s += now() - t0;
			record_run(x, r->seq, fd, why);
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
			if (fd < 0 && !x->failed) {
				x->failed = 1;
				snprintf(x->why, sizeof(x->why), "out of memory");
			}
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
	int fd;

	r->seq = x->next_seq++;
	if (x->nfd == x->fdcap) {
		size_t cap = x->fdcap ? 2 * x->fdcap : 64;
		int *nf = realloc(x->fd, cap * sizeof(*nf));

		if (!nf)
			return snprintf(x->why, sizeof(x->why), "out of memory"), -1;
		pthread_mutex_lock(&x->mu);	/* the spillers write into it */
		x->fd = nf;
		pthread_mutex_unlock(&x->mu);
		x->fdcap = cap;
	}
	pthread_mutex_lock(&x->mu);
	x->fd[x->nfd++] = -1;
	pthread_mutex_unlock(&x->mu);
	if (!x->threads) {
		double t0 = now();

		fd = spill_run(x, r, why);
		x->st.sort_s += now() - t0;
		record_run(x, r->seq, fd, why);
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
	pthread_mutex_unlock(&x->mu);
	return x->failed ? -1 : 0;
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

/* Room for need elements of size bytes: doubling, but not past limit elements unless need is. */
static int grow(void *pp, size_t *cap, size_t need, size_t size, size_t limit)
{
	size_t c = *cap ? *cap : 4096;
	void *p, *np;

	while (c < need)
		c *= 2;
	if (c > limit && need <= limit)
		c = limit;
	memcpy(&p, pp, sizeof(p));
	if (!(np = realloc(p, c * size)))
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
	/* the index counts twice: its sort takes a copy of it */
	if (r->n && r->used + need + 2 * (r->n + 1) * sizeof(struct entry) > x->budget) {
		if (next_run(x) < 0)
			return -1;
		r = x->cur;
	}
	if ((r->used + need > r->cap && grow(&r->mem, &r->cap, r->used + need, 1, x->budget) < 0) ||
	    (r->n == r->ecap && grow(&r->e, &r->ecap, r->n + 1, sizeof(*r->e), x->budget / 2 / sizeof(*r->e)) < 0))
		return snprintf(x->why, sizeof(x->why), "out of memory"), -1;
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
	if (s->pos[i] == s->mp[i].hi)
		return 0;
	{
		const struct run *m = s->mp[i].r;
		const char *p = m->mem + m->e[s->pos[i]++].off;
		uint32_t h[2];

		if (s->pos[i] + PREFETCH < s->mp[i].hi)
			__builtin_prefetch(m->mem + m->e[s->pos[i] + PREFETCH].off);

		memcpy(h, p, 8);
		*klen = h[0], *rlen = h[1];
		*key = p + 8;
		*rec = p + 8 + h[0];
	}
	return 1;
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
 * The runs one merge reads at once: as many as half the budget holds with
 * chunks of 16 KiB, 2 at least (a budget too small for that goes over
 * it), XSORT_MAX_FANIN at most.
 */
static unsigned merge_width(const struct xsort *x)
{
	size_t f = x->budget * x->nrun / 2 / (SPILL_READER_STATE + 3 * (16u << 10));

	return f < 2 ? 2 : f > XSORT_MAX_FANIN ? XSORT_MAX_FANIN : (unsigned)f;
}

/*
 * Merge spilled runs fd[0..n), then the sorted parts of runs in memory
 * mp[0..nmp) (later in the input), into emit. 0, or -1 (x->why).
 */
static int merge_runs(struct xsort *x, int *fd, unsigned n, const struct part *mp, unsigned nmp, emit_fn emit,
		      void *ectx)
{
	struct sources s;
	/* the readers take half the budget between them (spill.h: what a reader holds) */
	size_t each = x->budget * x->nrun / 2 / (n ? n : 1);
	size_t chunk = each > SPILL_READER_STATE + 3 * 4096 ? (each - SPILL_READER_STATE) / 3 : 4096;
	unsigned i;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	if (chunk > (4u << 20))
		chunk = 4u << 20;
	if (!(s.rd = calloc(n ? n : 1, sizeof(*s.rd))))
		return snprintf(x->why, sizeof(x->why), "out of memory"), -1;
	for (i = 0; i < n; i++, s.nrd++) {
		if (spill_open(&s.rd[i], fd[i], chunk) < 0) {
			snprintf(x->why, sizeof(x->why), "%s", s.rd[i].why);
			s.nrd++;
			goto done;
		}
		fd[i] = -1;	/* the reader's now */
		s.rd[i].max_pair = x->max_pair;	/* a longer pair is damage */
	}
	s.mp = mp;
	s.nmp = nmp;
	for (i = 0; i < nmp; i++)
		s.pos[i] = mp[i].lo;
	if (x->st.width < n + nmp)
		x->st.width = n + nmp;
	if (merge(n + nmp, next_pair, &s, emit, ectx) < 0) {
		if (s.why[0])
			snprintf(x->why, sizeof(x->why), "%s", s.why);
		goto done;
	}
	rc = 0;
done:
	for (i = 0; i < s.nrd; i++)
		spill_reader_free(&s.rd[i]);
	free(s.rd);
	return rc;
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
		free(last->mem), free(last->e);
		memset(last, 0, sizeof(*last));
		last = NULL;
	} else {
		char why[256];

		/* runs on disk: their readers take half the budget, so held runs go too, but what fits in the other half */
		while (x->nfd && x->nheld && 2 * (x->nheld + 1) > x->nrun) {
			struct run *r = x->held[0];
			int fd = write_run(x, r, why);

			memmove(x->held, x->held + 1, --x->nheld * sizeof(*x->held));
			record_run(x, x->nfd++, fd, why);
			if (fd < 0)
				return -1;
			r->used = r->n = 0;
		}
		/* the last run in parts on all threads, a part of 32768 entries at least */
		parts = x->threads + 1;
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
		if (&x->runs[i] != last && h == x->nheld) {
			free(x->runs[i].mem), free(x->runs[i].e);
			memset(&x->runs[i], 0, sizeof(x->runs[i]));
		}
	}
	t0 = now();
	/*
	 * More runs than one merge takes: passes that each merge every fanin
	 * runs side by side into one, in their place (so input order holds),
	 * until the last merge takes all that are left; when merging the first
	 * few is enough for that, only those.
	 */
	while (x->nfd + (nmp > 0) > fanin) {
		size_t total = x->nfd + (nmp > 0), few = total - fanin + 1, g, j = 0, k;

		for (g = 0; g < x->nfd; g += k) {
			struct spill_writer w;
			int fd;

			k = x->nfd - g < fanin ? x->nfd - g : fanin;
			if (few <= fanin)	/* the first few, and the rest carried over */
				k = g ? 1 : few;
			if (k == 1) {	/* alone: carried over */
				fd = x->fd[g];
				x->fd[g] = -1;
				x->fd[j++] = fd;
				continue;
			}
			if (spill_create(&w, x->tmpdir) < 0 ||
			    merge_runs(x, x->fd + g, (unsigned)k, NULL, 0, emit_spill, &w) < 0) {
				if (w.why[0])
					snprintf(x->why, sizeof(x->why), "%s", w.why);
				spill_writer_free(&w);
				return -1;
			}
			x->st.spilled += w.bytes;
			x->st.spilled_raw += w.raw;
			if ((fd = spill_finish(&w)) < 0) {
				snprintf(x->why, sizeof(x->why), "%s", w.why);
				return -1;
			}
			x->fd[j++] = fd;
		}
		x->nfd = j;
		x->st.passes++;
	}
	rc = merge_runs(x, x->fd, (unsigned)x->nfd, mp, nmp, emit_record, &t);
	x->st.merge_s = now() - t0;
	x->nfd = 0;
	return rc;
}

int xsort_merge(unsigned k, int (*next)(void *ctx, unsigned i, const char **key, uint32_t *klen, const char **rec,
					  uint32_t *rlen), void *nctx,
		int (*emit)(void *ctx, const char *rec, uint32_t rlen), void *ectx)
{
	struct to_emit t = { emit, ectx };

	return merge(k, next, nctx, emit_record, &t);
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
	size_t k;

	if (!x)
		return;
	stop_spillers(x);
	for (k = 0; k < x->nfd; k++)
		if (x->fd[k] >= 0)
			close(x->fd[k]);
	for (i = 0; x->runs && i < x->nrun; i++) {
		free(x->runs[i].mem);
		free(x->runs[i].e);
	}
	free(x->runs);
	free(x->queue);
	free(x->free);
	free(x->held);
	free(x->fd);
	pthread_mutex_destroy(&x->mu);
	pthread_cond_destroy(&x->cv);
	free(x);
}
