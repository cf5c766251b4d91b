/*
 * par.c - a ring of chunk slots. A thread fills the slot at the tail from
 * the input (one at a time, in order: of a regular file any thread, which
 * then works on that chunk itself; of a pipe, or gzip, the calling thread
 * alone), workers take filled slots in order, and the calling thread
 * commits the slot at the head once it is done. A slot goes FREE ->
 * FILLED -> BUSY -> DONE -> (commit) FREE; with partitioned state BUSY ->
 * MAPPED -> DONE, the parts taking each MAPPED chunk in input order
 * (part_next[q] is the next chunk part q takes; a part whose next chunk
 * is mapped waits in the queue of the thread that mapped it), a thread
 * first taking the chunks it mapped itself. With 2W+4 slots the readers
 * stay ahead of W workers, and memory stays at a few chunks per thread
 * whatever the input's size. A free slot's input and output buffers go
 * back to the thread that wrote them, for its next chunk, and each thread
 * marks its chunks' lines in scratch of its own: what a thread writes is
 * then mostly in its own core's cache, not in another's.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "par.h"
#include "scan.h"

enum slot_state { FREE, FILLED, BUSY, MAPPED, DONE };

struct slot {
	struct par_chunk c;
	enum slot_state state;
	unsigned mapper;	/* the thread that worked on it (its wctx index): its output is in that core's cache */
	unsigned seq;		/* the chunk's number in the input (a count like head) */
	unsigned in_owner, out_owner;	/* whose pool c.in and c.out go back to when the slot is free */
};

/* A thread's scratch for the chunk it works on: its own, so always in its core's cache. */
struct scratch {
	uint64_t *newlines;	/* the chunk's line ends as a bitmap */
	uint64_t *quotes, *attn;	/* and for JSON lines (struct scan_marks) */
	size_t newlines_cap, quotes_cap, attn_cap;	/* words */
};

struct par {
	struct par_opts o;
	par_line_fn fn;
	void (*chunk_end)(void *wctx, struct par_chunk *c);
	void **wctx;
	unsigned nslots;
	struct slot *slots;
	pthread_t threads[PAR_MAX_WORKERS];
	unsigned nthreads;

	pthread_mutex_t mu;
	pthread_cond_t work, done;
	char quote, delim;	/* of the input being run */
	int json;
	int (*header)(void *, const char *, size_t, char *);
	void *hctx;
	unsigned next_work;	/* the next slot a worker should take */
	unsigned head, tail;	/* commit at head, fill at tail */
	int quit;
	int at_start;		/* the next chunk is the input's first */
	/* the input being run: read by one thread at a time, at the tail */
	struct in *in;
	int shared;		/* any thread reads it, and works on what it read (in_never_waits) */
	int reading;		/* a thread is reading the tail slot */
	int eof;		/* no more reading: the input's end, an error (failed), or a stop */
	int failed;
	/* partitioned state (par_set_parts) */
	unsigned nparts;
	par_part_fn part_fn;
	void **pctx;
	unsigned *part_next;	/* the next chunk (a count like head) each part takes */
	unsigned char *part_st;	/* each part WAITING, QUEUED or RUNNING */
	/*
	 * Thread i's queue of the parts whose next chunk it mapped, a ring of
	 * nparts at ready[i * nparts] from ready_head[i], ready_n[i] long: a
	 * part is in one queue at most. A part to take is found at once, not
	 * searched for among all of them (at -j 64, 128 parts, that search
	 * was 15 % of all instructions, under the lock).
	 */
	unsigned *ready, *ready_head, *ready_n;
	unsigned nready;	/* in all the queues */
	uint64_t *ready_mask;	/* bit i: thread i's queue has some */
	/* par_set_idle */
	int (*idle)(void *);
	void *idle_ctx;
	unsigned idle_in;	/* workers inside idle */
	/* par_each: tasks next .. n-1 to take, done of them finished */
	void (*each)(void *, unsigned);
	void *each_ctx;
	unsigned each_n, each_next, each_done;
	/* each thread's chunk buffers, free for its next chunk (take_buf, give_back) */
	struct buf *pool;	/* POOL_MAX a thread */
	unsigned char *pool_n;
	struct scratch *scratch;	/* one a thread */
};

#define POOL_MAX 4	/* free chunk buffers a thread keeps; more stay with their slots */

#define PART_RUN 16	/* chunks a part takes at once, at most */

enum part_state { WAITING, QUEUED, RUNNING };	/* WAITING: for its next chunk to be mapped */

static void chunk_reset(struct par_chunk *c)
{
	unsigned q;

	c->in.len = c->out.len = c->rejects.len = 0;
	c->skip = 0;
	c->lines = c->skip_lines = c->done = c->written = c->rejected = c->blank = 0;
	memset(c->dropped, 0, sizeof(c->dropped));
	c->nmsgs = 0;
	c->nspan = 0;
	c->stopped = c->fatal = 0;
	c->route_n = 0;
	c->parts_left = 0;
	c->nshift = 0;
	for (q = 0; q < c->nparts; q++)
		c->part_out[q].len = 0;
}

/* Add a span of in or out to c's output; the same kind right after the last one extends it. */
static int add_span(struct par_chunk *c, int from_in, size_t off, size_t len)
{
	struct par_span *l = c->nspan ? &c->span[c->nspan - 1] : NULL;

	if (!len)
		return 0;
	if (l && l->from_in == from_in && l->off + l->len == off) {
		l->len += len;
		return 0;
	}
	if (c->nspan == c->span_cap) {
		size_t cap = c->span_cap ? c->span_cap * 2 : 16;
		struct par_span *n = realloc(c->span, cap * sizeof(*n));

		if (!n)
			return -1;
		c->span = n;
		c->span_cap = cap;
	}
	c->span[c->nspan].from_in = from_in;
	c->span[c->nspan].off = off;
	c->span[c->nspan++].len = len;
	return 0;
}

int par_chunk_write(const struct par_chunk *c, struct out *o)
{
	size_t i;

	if (!c->nspan)
		return c->out.len ? out_write(o, c->out.p, c->out.len) : 0;
	for (i = 0; i < c->nspan; i++)
		if (out_write(o, (c->span[i].from_in ? c->in.p : c->out.p) + c->span[i].off, c->span[i].len) < 0)
			return -1;
	return 0;
}

/*
 * The output spans, once lines have been kept as they were: out_done is
 * how much of out is already in a span, and the lines kept since are
 * added as one span of in (add_span joins neighbours).
 */
static int spans_to(struct par_chunk *c, size_t *out_done)
{
	if (!c->nspan)
		return 0;
	if (add_span(c, 0, *out_done, c->out.len - *out_done) < 0)
		return -1;
	*out_done = c->out.len;
	return 0;
}

/* Room for words words in *b (capacity *cap); -1 when out of memory. */
static int grow_bits(uint64_t **b, size_t *cap, size_t words)
{
	uint64_t *n;

	if (words <= *cap)
		return 0;
	n = realloc(*b, words * 2 * sizeof(*n));
	if (!n)
		return -1;
	*b = n;
	*cap = words * 2;
	return 0;
}

/*
 * Plain lines (no quote char) end where the chunk's newline bitmap says:
 * one pass over the chunk instead of a search per line. NULL when there
 * is no memory for it: the lines are searched one by one instead.
 */
static const uint64_t *newline_bitmap(struct scratch *c, const char *from, size_t n)
{
	if (grow_bits(&c->newlines, &c->newlines_cap, SCAN_WORDS(n)) < 0)
		return NULL;
	scan_mark(from, n, '\n', c->newlines);
	return c->newlines;
}

/*
 * JSON lines: the chunk marked in one pass (newlines, quotes, attn) into
 * *m. 0, or -1 when there is no memory for it (each line is then looked
 * at on its own).
 */
static int json_marks(struct scratch *c, const char *from, size_t n, struct scan_marks *m)
{
	size_t words = SCAN_WORDS(n);

	if (grow_bits(&c->newlines, &c->newlines_cap, words) < 0 ||
	    grow_bits(&c->quotes, &c->quotes_cap, words + 1) < 0 ||	/* a zero word after */
	    grow_bits(&c->attn, &c->attn_cap, words) < 0)
		return -1;
	m->any_attn = scan_json_lines(from, n, c->newlines, c->quotes, c->attn);
	m->base = from;
	m->n = n;
	m->newline = c->newlines;
	m->quote = c->quotes;
	m->attn = c->attn;
	m->nwords = words;
	return 0;
}

/* A line of nothing, or of spaces, tabs and carriage returns only. */
static int is_blank(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n == 0;
}

/* A record at offset off of out goes to part q. 0, or -1 when out of memory. */
static int route(struct par *p, struct par_chunk *c, size_t off, unsigned q)
{
	if (q >= p->nparts || off > UINT32_MAX)
		return -1;	/* a line function's mistake, or a chunk beyond 4 GiB: stops the run */
	if (c->route_n == c->route_cap) {
		size_t cap = c->route_cap ? c->route_cap * 2 : 1024;
		uint32_t *n = realloc(c->route, cap * 2 * sizeof(*n));

		if (!n)
			return -1;
		c->route = n;
		c->route_cap = cap;
	}
	c->route[2 * c->route_n] = (uint32_t)off;
	c->route[2 * c->route_n + 1] = q;
	c->route_n++;
	return 0;
}

/* The routed records grouped by part, each part's in input order (a counting sort). 0, or -1. */
static int by_part(struct par *p, struct par_chunk *c)
{
	uint32_t *start = c->part_start;
	size_t i;
	unsigned q;

	if (!p->nparts)
		return 0;
	if (c->route_n > c->part_rec_cap) {
		uint32_t *n = realloc(c->part_rec, c->route_n * 2 * sizeof(*n));

		if (!n)
			return -1;
		c->part_rec = n;
		c->part_rec_cap = c->route_n * 2;
	}
	memset(start, 0, (p->nparts + 1) * sizeof(*start));
	for (i = 0; i < c->route_n; i++)
		start[c->route[2 * i + 1] + 1]++;
	for (q = 0; q < p->nparts; q++)
		start[q + 1] += start[q];
	/* start[q] is now where part q's run begins; filling moves it to where it ends */
	for (i = 0; i < c->route_n; i++)
		c->part_rec[start[c->route[2 * i + 1]]++] = c->route[2 * i];
	for (q = p->nparts; q > 0; q--)
		start[q] = start[q - 1];
	start[0] = 0;
	return 0;
}

/*
 * A record is written from chunk line phys: when lines and records no
 * longer line up as they did, note where (par_record_line). 0, or -1.
 */
static int note_record(struct par_chunk *c, uint64_t phys, uint64_t *delta)
{
	if (phys - c->written == *delta)
		return 0;
	if (c->nshift == c->shift_cap) {
		size_t cap = c->shift_cap ? 2 * c->shift_cap : 16;
		uint64_t *n = realloc(c->shift, 2 * cap * sizeof(*n));

		if (!n)
			return -1;
		c->shift = n;
		c->shift_cap = cap;
	}
	*delta = phys - c->written;
	c->shift[2 * c->nshift] = c->written;
	c->shift[2 * c->nshift + 1] = *delta;
	c->nshift++;
	return 0;
}

uint64_t par_record_line(const struct par_chunk *c, uint64_t first_line, uint64_t k)
{
	size_t i = c->nshift;

	while (i > 0 && c->shift[2 * (i - 1)] > k)
		i--;
	return first_line + k + (i ? c->shift[2 * i - 1] : 0);
}

static void chunk_work(struct par *p, void *wctx, struct scratch *sc, struct par_chunk *c)
{
	const char *base = c->in.p + c->skip, *line = base, *end = c->in.p + c->in.len, *nl;
	const char *same = NULL;	/* the first of the lines kept as they were since the last span */
	uint64_t phys = c->skip_lines, inner = 0;	/* the record's first line in the chunk */
	uint64_t delta = 0;	/* phys - written, as the last shift noted it */
	const uint64_t *nlbits = NULL;
	struct scan_marks marks, *mp = NULL;
	uint64_t bits = 0;
	size_t len, out_done = 0, word = 0, before;
	char why[200];
	int r;

	if (!p->quote && line < end) {
		if (p->json && json_marks(sc, base, (size_t)(end - base), &marks) == 0) {
			mp = &marks;
			nlbits = marks.newline;
		} else
			nlbits = newline_bitmap(sc, base, (size_t)(end - base));
		if (nlbits)
			bits = nlbits[0];
	}
	for (; line < end; line = nl + 1, c->done++, phys += 1 + inner) {
		if (nlbits) {
			/* the chunk ends in '\n', so a bit is left for every line */
			while (!bits)
				bits = nlbits[++word];
			nl = base + (word << 6) + __builtin_ctzll(bits);
			bits &= bits - 1;
			len = (size_t)(nl - line);
		} else {
			len = in_record_len(line, (size_t)(end - line), p->quote, p->delim, &inner);
			nl = line + len;
		}
		if (!p->quote && is_blank(line, len)) {
			/* as jq and Miller do: skipped, counted; not kept in the output */
			if (same) {
				if (add_span(c, 1, (size_t)(same - c->in.p), (size_t)(line - same)) < 0)
					goto oom;
				same = NULL;
			}
			c->blank++;
			continue;
		}
		if (len > p->o.max_line) {
			snprintf(why, sizeof(why), "line longer than %zu bytes (--max-line)", p->o.max_line);
			r = -3;	/* an error even with --rejects */
		} else {
			before = c->out.len;
			r = p->fn(wctx, line, len, mp, &c->out, why);
			if (r < 0)	/* half a record in out would be read as a whole one */
				c->out.len = before;
		}
		if (r == 0 || r == PAR_SAME || r >= PAR_PART) {
			if (note_record(c, phys, &delta) < 0)
				goto oom;
		}
		if (r == PAR_SAME) {
			if (!same) {
				/* what out got before, then (at the next span) the run of kept lines */
				if (add_span(c, 0, out_done, c->out.len - out_done) < 0)
					goto oom;
				out_done = c->out.len;
				same = line;
			}
			c->written++;
			continue;
		}
		if (same) {	/* the run of kept lines ends before this line */
			if (add_span(c, 1, (size_t)(same - c->in.p), (size_t)(line - same)) < 0)
				goto oom;
			same = NULL;
		}
		if (r == 0) {
			c->written++;
			continue;
		}
		if (r >= PAR_PART) {
			if (route(p, c, before, (unsigned)(r - PAR_PART)) < 0)
				goto oom;
			c->written++;
			continue;
		}
		if (r > 0) {
			c->dropped[r <= PAR_MAX_RULES ? r : 0]++;
			continue;
		}
		if (r == -2)
			goto oom;
		if (c->nmsgs < PAR_MAX_MSGS) {
			c->msg_line[c->nmsgs] = phys;
			memcpy(c->msg[c->nmsgs], why, sizeof(why));
			c->nmsgs++;
		}
		if (r == -3 || !p->o.keep_going) {
			if (r != -3)
				c->rejected++;
			if (c->nmsgs == PAR_MAX_MSGS) {	/* the stopping message must be last */
				c->msg_line[PAR_MAX_MSGS - 1] = phys;
				memcpy(c->msg[PAR_MAX_MSGS - 1], why, sizeof(why));
			}
			c->stopped = 1;
			break;
		}
		c->rejected++;
		if (buf_add(&c->rejects, line, len + 1) < 0)
			goto oom;
	}
	c->lines = phys;	/* all of them, unless the chunk stopped the run */
	if (p->chunk_end)
		p->chunk_end(wctx, c);
	if (same && add_span(c, 1, (size_t)(same - c->in.p), (size_t)(line - same)) < 0)
		goto oom;
	if (spans_to(c, &out_done) == 0 && by_part(p, c) == 0)
		return;
oom:
	c->fatal = 1;
	if (p->chunk_end)	/* the worker starts afresh; the chunk is no one's to commit */
		p->chunk_end(wctx, c);
	if (p->nparts)	/* the parts take nothing of it */
		memset(c->part_start, 0, (p->nparts + 1) * sizeof(*c->part_start));
}

/* Under the lock: part q queued for thread i. */
static void part_queue(struct par *p, unsigned q, unsigned i)
{
	unsigned *n = &p->ready_n[i];

	p->ready[i * p->nparts + (p->ready_head[i] + *n) % p->nparts] = q;
	if ((*n)++ == 0)
		p->ready_mask[i / 64] |= (uint64_t)1 << (i % 64);
	p->nready++;
	p->part_st[q] = QUEUED;
}

/* Under the lock: the first part in thread i's queue taken out of it into *q; 0 when there is none. */
static int part_unqueue(struct par *p, unsigned i, unsigned *q)
{
	if (!p->ready_n[i])
		return 0;
	*q = p->ready[i * p->nparts + p->ready_head[i]];
	p->ready_head[i] = (p->ready_head[i] + 1) % p->nparts;
	if (--p->ready_n[i] == 0)
		p->ready_mask[i / 64] &= ~((uint64_t)1 << (i % 64));
	p->nready--;
	return 1;
}

/* Under the lock: a part from the first queue past thread self's (round the threads) that has one. */
static int part_steal(struct par *p, unsigned self, unsigned *q)
{
	unsigned nthr = p->o.workers + 1, nw = (nthr + 63) / 64, from = (self + 1) % nthr, k, w;
	uint64_t m;

	for (k = 0; k <= nw; k++) {	/* from's word from its bit on, the others, then its bits before from */
		w = (from / 64 + k) % nw;
		m = p->ready_mask[w];
		if (k == 0)
			m &= ~(uint64_t)0 << (from % 64);
		else if (k == nw)
			m &= ((uint64_t)1 << (from % 64)) - 1;
		if (m)
			return part_unqueue(p, w * 64 + (unsigned)__builtin_ctzll(m), q);
	}
	return 0;
}

/* Under the lock: chunk_work is done with s. */
static void mapped(struct par *p, struct slot *s)
{
	if (p->nparts) {
		unsigned q;

		s->c.parts_left = p->nparts;
		s->state = MAPPED;
		for (q = 0; q < p->nparts; q++)	/* the parts waiting for it queued for its mapper */
			if (p->part_st[q] == WAITING && p->part_next[q] == s->seq)
				part_queue(p, q, s->mapper);
		pthread_cond_broadcast(&p->work);	/* the parts may take it */
	} else
		s->state = DONE;
	pthread_cond_broadcast(&p->done);
}

/* Chunks from first on that part q may take now. */
struct part_task {
	unsigned q, first, n;
};

/*
 * Under the lock: the number of mapped chunks in a row from chunk k on;
 * with own, of those thread self worked on.
 */
static unsigned part_ready(const struct par *p, unsigned k, unsigned self, int own)
{
	unsigned n = 0;

	for (; n < PART_RUN && k != p->tail && p->slots[k % p->nslots].state == MAPPED &&
	       (!own || p->slots[k % p->nslots].mapper == self); k++)
		n++;
	return n;
}

/*
 * Under the lock: a part with chunks to take, taken. With own, from the
 * parts whose next chunk thread self worked on, and as many chunks in a
 * row as it worked on: their records are still in its core's cache,
 * where reading them costs least. Else from another thread's queue (the
 * search starts past self: round the threads), as many as are mapped.
 */
static int take_part(struct par *p, struct part_task *t, unsigned self, int own)
{
	unsigned q;

	if (!p->nready || !(own ? part_unqueue(p, self, &q) : part_steal(p, self, &q)))
		return 0;
	t->q = q;
	t->first = p->part_next[q];
	t->n = part_ready(p, t->first, self, own);	/* at least 1: its queue's thread mapped the first */
	p->part_st[q] = RUNNING;
	return 1;
}

/* Under the lock: part q, not running, queued for whoever mapped its next chunk, if that is mapped. */
static void part_check(struct par *p, unsigned q)
{
	unsigned k = p->part_next[q];
	const struct slot *s = &p->slots[k % p->nslots];

	if (k != p->tail && s->state == MAPPED)
		part_queue(p, q, s->mapper);
	else
		p->part_st[q] = WAITING;
}

/* Out of the lock: part t->q takes its chunks; failed[i]: the i-th ran out of memory. */
static void run_part(struct par *p, const struct part_task *t, int *failed)
{
	unsigned i;

	for (i = 0; i < t->n; i++) {
		struct par_chunk *c = &p->slots[(t->first + i) % p->nslots].c;
		uint32_t a = c->part_start[t->q], b = c->part_start[t->q + 1];

		failed[i] = p->part_fn(p->pctx[t->q], c, c->part_rec + a, b - a) < 0;
	}
}

/* Under the lock: the part is done with its chunks; a chunk that every part took is DONE. */
static void part_done(struct par *p, const struct part_task *t, const int *failed)
{
	unsigned i;
	int any = 0;

	for (i = 0; i < t->n; i++) {
		struct slot *s = &p->slots[(t->first + i) % p->nslots];

		if (failed[i])
			s->c.fatal = 1;
		if (--s->c.parts_left == 0) {
			s->state = DONE;
			any = 1;
		}
	}
	p->part_next[t->q] += t->n;
	part_check(p, t->q);
	if (any)
		pthread_cond_broadcast(&p->done);
	if (p->part_st[t->q] == QUEUED)	/* it has more */
		pthread_cond_signal(&p->work);
}

/* Take a part's chunks and do them (the lock held before and after). */
static void do_part(struct par *p, const struct part_task *t)
{
	int failed[PART_RUN];

	pthread_mutex_unlock(&p->mu);
	run_part(p, t, failed);
	pthread_mutex_lock(&p->mu);
	part_done(p, t, failed);
}

/*
 * Under the lock: thread self is to write *b (a free slot's c.in or c.out):
 * one of its own buffers, if it has one. A chunk's buffers so go back to
 * the core that wrote them last, where their lines may still be; a slot's
 * own, handed round the threads, were in another core's cache most times
 * (vchain-stage -j 2: 73 % of chunks), each line of it then moved across
 * before it could be written.
 */
static void take_buf(struct par *p, unsigned self, struct buf *b, unsigned *owner)
{
	*owner = self;
	if (!b->cap && p->pool_n[self]) {
		*b = p->pool[self * POOL_MAX + --p->pool_n[self]];
		b->len = 0;
	}
}

/* Under the lock: a free slot's buffer b back to its owner's pool (else it stays with the slot). */
static void give_back(struct par *p, struct buf *b, unsigned owner)
{
	if (b->cap && p->pool_n[owner] < POOL_MAX) {
		p->pool[owner * POOL_MAX + p->pool_n[owner]++] = *b;
		b->p = NULL;
		b->len = b->cap = 0;
	}
}

static void slot_free(struct par *p, struct slot *s)
{
	s->state = FREE;
	give_back(p, &s->c.in, s->in_owner);
	give_back(p, &s->c.out, s->out_owner);
}

/* Under the lock: s (BUSY) worked on out of it by thread self, then mapped. */
static void work_on(struct par *p, unsigned self, struct slot *s)
{
	take_buf(p, self, &s->c.out, &s->out_owner);
	pthread_mutex_unlock(&p->mu);
	chunk_work(p, p->wctx[self], &p->scratch[self], &s->c);
	pthread_mutex_lock(&p->mu);
	s->mapper = self;
	mapped(p, s);
}

/* Under the lock: whether the next chunk may be read now (the tail slot is free, nobody reads). */
static int can_read(const struct par *p)
{
	return !p->eof && !p->reading && p->tail - p->head < p->nslots;
}

static int fill(struct par *p, struct slot *s, int *failed);

/*
 * Under the lock, can_read: read the next chunk into the tail slot (out of
 * the lock) and hand it out. With take, the reader keeps it when it is the
 * next to be taken, as it is unless chunks wait: a chunk is worked on by
 * the core that read it, while it is in that core's cache. The slot so
 * kept (BUSY), or NULL.
 */
static struct slot *read_step(struct par *p, unsigned self, int take)
{
	unsigned k = p->tail;
	struct slot *s = &p->slots[k % p->nslots];
	int got, failed = 0;

	p->reading = 1;
	take_buf(p, self, &s->c.in, &s->in_owner);
	pthread_mutex_unlock(&p->mu);
	got = fill(p, s, &failed);
	pthread_mutex_lock(&p->mu);
	p->reading = 0;
	if (!got) {
		p->eof = 1;
		p->failed = failed;
	} else {
		s->state = FILLED;
		s->seq = p->tail++;
	}
	/* others may read the next one, or take this one; the caller may wait for the end */
	pthread_cond_broadcast(&p->work);
	pthread_cond_broadcast(&p->done);
	if (got && take && p->next_work == k) {
		p->next_work++;
		s->state = BUSY;
		return s;
	}
	return NULL;
}

/* Under the lock: the next of par_each's tasks, done out of it. */
static void each_one(struct par *p)
{
	unsigned i = p->each_next++;

	pthread_mutex_unlock(&p->mu);
	p->each(p->each_ctx, i);
	pthread_mutex_lock(&p->mu);
	if (++p->each_done == p->each_n)
		pthread_cond_broadcast(&p->done);
}

/*
 * Under the lock: a piece of work for thread self, if there is one: the
 * parts' work on chunks it mapped itself (it frees chunks for the commit,
 * and their records are in this core's cache); else a filled chunk to
 * map; else, when any thread may read, the next chunk read and mapped;
 * else the parts' work on chunks others mapped. 1 when it did one.
 */
static int work_step(struct par *p, unsigned self)
{
	struct part_task t;
	struct slot *s;

	if (p->nparts && take_part(p, &t, self, 1)) {
		do_part(p, &t);
		return 1;
	}
	if (p->next_work != p->tail && p->slots[p->next_work % p->nslots].state == FILLED) {
		s = &p->slots[p->next_work++ % p->nslots];
		s->state = BUSY;
		work_on(p, self, s);
		return 1;
	}
	if (p->shared && can_read(p)) {
		if ((s = read_step(p, self, 1)) != NULL)
			work_on(p, self, s);
		return 1;
	}
	if (p->nparts && take_part(p, &t, self, 0)) {
		do_part(p, &t);
		return 1;
	}
	return 0;
}

/* A worker thread: par_each's tasks, else work_step's, else the idle work, else it waits. */
static void *worker(void *arg)
{
	struct par *p = ((void **)arg)[0];
	unsigned self = (unsigned)(uintptr_t)((void **)arg)[1];

	free(arg);
	in_thread_reads_ahead();	/* its reads (of regular files only) are no writer's waits */
	pthread_mutex_lock(&p->mu);
	for (;;) {
		int (*idle)(void *) = p->idle;
		void *ictx = p->idle_ctx;
		int did = 0;

		if (p->quit)
			break;
		if (p->each_next < p->each_n) {
			each_one(p);
			continue;
		}
		if (work_step(p, self))
			continue;
		if (idle) {	/* nothing here: the idle work, if there is some */
			p->idle_in++;
			pthread_mutex_unlock(&p->mu);
			did = idle(ictx);
			pthread_mutex_lock(&p->mu);
			if (--p->idle_in == 0)
				pthread_cond_broadcast(&p->done);
		}
		if (!did)
			pthread_cond_wait(&p->work, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

void *par_calloc_lines(size_t n, size_t size, size_t *stride)
{
	size_t st = (size + PAR_LINE - 1) & ~(size_t)(PAR_LINE - 1);
	void *p;

	if (!n)
		n = 1;
	if (!st || n > SIZE_MAX / st || !(p = aligned_alloc(PAR_LINE, n * st)))
		return NULL;
	memset(p, 0, n * st);
	if (stride)
		*stride = st;
	return p;
}

int par_calloc_parts(unsigned n, size_t size, void **mem, void ***ptrs)
{
	size_t stride;
	unsigned q;

	*ptrs = calloc(n ? n : 1, sizeof(**ptrs));
	*mem = *ptrs ? par_calloc_lines(n, size, &stride) : NULL;
	if (!*mem) {
		free(*ptrs);
		*ptrs = NULL;
		return -1;
	}
	for (q = 0; q < n; q++)
		(*ptrs)[q] = (char *)*mem + q * stride;
	return 0;
}

struct par *par_new(const struct par_opts *o, par_line_fn fn, void **wctx)
{
	struct par *p = calloc(1, sizeof(*p));
	unsigned i;

	if (!p)
		return NULL;
	p->o = *o;
	if (p->o.workers > PAR_MAX_WORKERS - 1)
		p->o.workers = PAR_MAX_WORKERS - 1;	/* wctx has PAR_MAX_WORKERS contexts at most */
	if (!p->o.chunk_size)
		p->o.chunk_size = (size_t)128 << 10;	/* fits a core's L2 with its output */
	p->fn = fn;
	p->wctx = wctx;
	p->nslots = p->o.workers ? 2 * p->o.workers + 4 : 1;
	p->slots = calloc(p->nslots, sizeof(*p->slots));
	p->pool = calloc((size_t)(p->o.workers + 1) * POOL_MAX, sizeof(*p->pool));
	p->pool_n = calloc(p->o.workers + 1, 1);
	p->scratch = calloc(p->o.workers + 1, sizeof(*p->scratch));
	if (!p->slots || !p->pool || !p->pool_n || !p->scratch) {
		free(p->slots);
		free(p->pool);
		free(p->pool_n);
		free(p->scratch);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	for (i = 0; i < p->o.workers; i++) {
		void **arg = malloc(2 * sizeof(*arg));

		if (!arg)
			break;
		arg[0] = p;
		arg[1] = (void *)(uintptr_t)i;
		if (pthread_create(&p->threads[i], NULL, worker, arg) != 0) {
			free(arg);
			break;
		}
		p->nthreads++;
	}
	if (p->nthreads < p->o.workers) {
		par_free(p);
		return NULL;
	}
	return p;
}

void par_free(struct par *p)
{
	unsigned i, q;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	for (i = 0; i < p->nslots; i++) {
		free(p->slots[i].c.route);
		free(p->slots[i].c.part_rec);
		free(p->slots[i].c.part_start);
		free(p->slots[i].c.shift);
		for (q = 0; q < p->slots[i].c.nparts; q++)
			buf_free(&p->slots[i].c.part_out[q]);
		free(p->slots[i].c.part_out);
		buf_free(&p->slots[i].c.in);
		buf_free(&p->slots[i].c.out);
		buf_free(&p->slots[i].c.rejects);
		free(p->slots[i].c.span);
	}
	for (i = 0; i <= p->o.workers; i++) {
		free(p->scratch[i].newlines);
		free(p->scratch[i].quotes);
		free(p->scratch[i].attn);
	}
	for (i = 0; i <= p->o.workers; i++)
		for (q = 0; q < p->pool_n[i]; q++)
			buf_free(&p->pool[i * POOL_MAX + q]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p->slots);
	free(p->pool);
	free(p->pool_n);
	free(p->scratch);
	free(p->part_next);
	free(p->part_st);
	free(p->ready);
	free(p->ready_head);
	free(p->ready_n);
	free(p->ready_mask);
	free(p);
}

int par_set_parts(struct par *p, unsigned nparts, par_part_fn fn, void **pctx)
{
	unsigned i;

	if (!nparts || nparts > PAR_MAX_PARTS || p->nparts)
		return -1;
	if (!(p->part_next = calloc(nparts, sizeof(*p->part_next))) ||
	    !(p->part_st = calloc(nparts, sizeof(*p->part_st))) ||
	    !(p->ready = calloc((size_t)(p->o.workers + 1) * nparts, sizeof(*p->ready))) ||
	    !(p->ready_head = calloc(p->o.workers + 1, sizeof(*p->ready_head))) ||
	    !(p->ready_n = calloc(p->o.workers + 1, sizeof(*p->ready_n))) ||
	    !(p->ready_mask = calloc((p->o.workers + 64) / 64, sizeof(*p->ready_mask))))
		return -1;
	for (i = 0; i < p->nslots; i++)
		if (!(p->slots[i].c.part_start = calloc(nparts + 1, sizeof(*p->slots[i].c.part_start))))
			return -1;
	pthread_mutex_lock(&p->mu);	/* workers read them */
	p->part_fn = fn;
	p->pctx = pctx;
	p->nparts = nparts;
	pthread_mutex_unlock(&p->mu);
	return 0;
}

int par_part_outputs(struct par *p)
{
	unsigned i;

	for (i = 0; i < p->nslots; i++) {
		if (!(p->slots[i].c.part_out = calloc(p->nparts, sizeof(*p->slots[i].c.part_out))))
			return -1;
		p->slots[i].c.nparts = p->nparts;
	}
	return 0;
}

void par_each(struct par *p, unsigned n, void (*fn)(void *ctx, unsigned i), void *ctx)
{
	unsigned i;

	if (!p || !p->nthreads || n < 2) {
		for (i = 0; i < n; i++)
			fn(ctx, i);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->each = fn;
	p->each_ctx = ctx;
	p->each_n = n;
	p->each_next = p->each_done = 0;
	pthread_cond_broadcast(&p->work);
	while (p->each_next < n)
		each_one(p);
	while (p->each_done < n)
		pthread_cond_wait(&p->done, &p->mu);
	p->each_n = p->each_next = p->each_done = 0;
	p->each = NULL;
	pthread_mutex_unlock(&p->mu);
}

void par_set_chunk_end(struct par *p, void (*fn)(void *wctx, struct par_chunk *c))
{
	p->chunk_end = fn;
}

void par_set_idle(struct par *p, int (*fn)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&p->mu);
	p->idle = fn;
	p->idle_ctx = ctx;
	while (!fn && p->idle_in)
		pthread_cond_wait(&p->done, &p->mu);
	if (fn)
		pthread_cond_broadcast(&p->work);	/* idle workers: there may be some now */
	pthread_mutex_unlock(&p->mu);
}

void par_set_header(struct par *p, int (*fn)(void *, const char *, size_t, char *), void *hctx)
{
	p->header = fn;
	p->hctx = hctx;
}

/*
 * The header: the chunk's first record, given to p->header and skipped by
 * the workers. A bad one stops the chunk there, as a bad record would.
 */
static void take_header(struct par *p, struct par_chunk *c)
{
	uint64_t inner = 0, at = 0;
	size_t len;
	char why[200];
	int r;

	c->skip_lines = 0;	/* c->skip: past a byte order mark already */
	for (;;) {
		at = c->skip_lines;	/* where the record starts */
		if (c->skip >= c->in.len) {
			snprintf(why, sizeof(why), "no header: the input ends first");
			r = -1;
			break;
		}
		len = in_record_len(c->in.p + c->skip, c->in.len - c->skip, p->quote, p->delim, &inner);
		r = p->header(p->hctx, c->in.p + c->skip, len, why);
		c->skip += len + 1;
		c->skip_lines += 1 + inner;
		if (r <= 0)
			break;	/* 1: a line before the header (a title), skipped */
	}
	if (r < 0) {
		c->msg_line[0] = at;
		c->skip = c->in.len;	/* nothing of it is worked on */
		c->nmsgs = 1;
		memcpy(c->msg[0], why, sizeof(why));
		c->stopped = 1;
	}
}

/* Wait until the head slot is done; the caller then commits it. */
static struct slot *wait_head(struct par *p)
{
	struct slot *s = &p->slots[p->head % p->nslots];

	pthread_mutex_lock(&p->mu);
	while (s->state != DONE)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	return s;
}

/* Drop the chunks in flight: those no worker took yet at once, the others once done. */
static void drain(struct par *p)
{
	pthread_mutex_lock(&p->mu);
	p->eof = 1;	/* nobody reads on */
	while (p->reading)
		pthread_cond_wait(&p->done, &p->mu);
	p->tail = p->next_work;	/* filled, not taken: nobody takes them now */
	pthread_mutex_unlock(&p->mu);
	while (p->head != p->tail) {
		struct slot *s = wait_head(p);

		pthread_mutex_lock(&p->mu);
		slot_free(p, s);
		p->head++;
		pthread_mutex_unlock(&p->mu);
	}
}

/*
 * Read the next chunk of the input into s, the slot at the tail, by the
 * one thread reading. 1, or 0 at the end of the input (*failed: by an
 * error).
 */
static int fill(struct par *p, struct slot *s, int *failed)
{
	int r;

	chunk_reset(&s->c);
	r = in_chunk(p->in, &s->c.in, p->o.chunk_size, NULL);	/* chunk_work counts the lines */
	if (r <= 0) {
		/* a read error ends the input; what came before it is committed first */
		*failed = r < 0;
		return 0;
	}
	if (p->at_start) {
		/* a UTF-8 byte order mark (Windows tools write one) is no part of the first record */
		p->at_start = 0;
		if (s->c.in.len >= 3 && !memcmp(s->c.in.p, "\xEF\xBB\xBF", 3))
			s->c.skip = 3;
	}
	if (p->header) {
		take_header(p, &s->c);
		p->header = NULL;
	}
	return 1;
}

/*
 * The calling thread commits, and works as the workers do. Each turn it
 * commits the head if it is done. When it is the only reader (a pipe,
 * gzip), it reads next while at most workers + 1 chunks wait (a chunk
 * more than the workers can take, so none of them waits for the reader),
 * so the reading (for gzip the inflating) never waits behind workers that
 * the scheduler shares a core with. Else it takes work_step's work; else
 * it waits. At most one thread per core is busy, and memory stays at the
 * ring's chunks.
 */
int par_run(struct par *p, struct in *in,
	    int (*commit)(void *cctx, const struct par_chunk *c, uint64_t first_line), void *cctx)
{
	uint64_t line = 1;
	int r = 0, failed;
	unsigned self = p->o.workers;	/* the calling thread's context is the last */
	struct slot *s;

	p->quote = in->quote;
	p->delim = in->delim;
	p->at_start = 1;
	p->json = in->json && !in->quote;
	pthread_mutex_lock(&p->mu);	/* workers read these */
	p->head = p->tail = p->next_work = 0;
	if (p->nparts) {	/* every part took every chunk of the last input, none is queued: made sure */
		memset(p->part_next, 0, p->nparts * sizeof(*p->part_next));
		memset(p->part_st, WAITING, p->nparts);
		memset(p->ready_n, 0, (p->o.workers + 1) * sizeof(*p->ready_n));
		p->nready = 0;
		memset(p->ready_mask, 0, (p->o.workers + 64) / 64 * sizeof(*p->ready_mask));
	}
	p->in = in;
	p->eof = p->failed = 0;
	p->shared = 0;
	read_step(p, self, 0);	/* the first chunk (a header, a byte order mark) read here */
	/*
	 * gzip stays with one reader: its inflating is the long step, which
	 * idle workers share out otherwise (BGZF members, the next files);
	 * they would rarely be idle if every thread could read
	 */
	p->shared = in_never_waits(in) && !in->gz;
	for (;;) {
		s = &p->slots[p->head % p->nslots];
		if (p->head != p->tail && s->state == DONE) {
			pthread_mutex_unlock(&p->mu);
			r = commit(cctx, &s->c, line);
			line += s->c.lines;
			pthread_mutex_lock(&p->mu);
			slot_free(p, s);
			p->head++;
			if (p->shared)
				pthread_cond_broadcast(&p->work);	/* a slot to read into */
			if (r < 0) {
				pthread_mutex_unlock(&p->mu);
				drain(p);
				pthread_mutex_lock(&p->mu);
				break;
			}
			continue;
		}
		/* the only reader: ahead while at most workers + 1 chunks wait */
		if (!p->shared && can_read(p) && p->tail - p->next_work <= p->o.workers + 1) {
			read_step(p, self, 0);
			continue;
		}
		if (work_step(p, self))
			continue;
		if (p->eof && !p->reading && p->head == p->tail)
			break;
		pthread_cond_wait(&p->done, &p->mu);
	}
	failed = p->failed;
	p->eof = 1;	/* no worker reads between runs */
	p->shared = 0;
	p->in = NULL;
	p->header = NULL;	/* an empty input, or a stopped one, has none */
	pthread_mutex_unlock(&p->mu);
	if (r < 0)
		return -1;
	if (failed)
		in->lineno = line;	/* every line before it is committed */
	return failed ? -1 : 0;
}
