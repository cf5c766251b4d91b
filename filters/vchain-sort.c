/*
 * vchain-sort - records in time order (or by any fields), sorted outside
 * memory when they do not fit in it, and merged from inputs that are each
 * sorted already.
 *
 * Workers scan each line and make its sort key (sortkey.h: ts as an
 * instant, then event_id; or -k's fields); the commit step hands (key,
 * record) pairs in input order to the external sort (xsort.h), which
 * sorts full runs and spills them on other threads, then merges them.
 * Records are written byte-exact as they were read. -m merges inputs
 * that are each sorted, reading each in turn as the merge needs it; -c
 * checks that each input is sorted.
 */
#include <errno.h>
#include <pthread.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/input.h"
#include "lib/json.h"
#include "lib/scan.h"
#include "lib/sortkey.h"
#include "lib/spill.h"
#include "lib/xsort.h"

#define DEFAULT_MEM ((size_t)256 << 20)

struct opts {
	struct sortkey key;
	size_t mem;		/* -S */
	const char *tmpdir;	/* -T */
	int merge, check, stats;
	unsigned batch;		/* --batch-size: runs one merge reads at most (0: as memory allows, 64 at most) */
	struct drive d;
};

struct worker {
	const struct opts *o;
	struct jobj obj;
	struct buf tmp;
};

struct run {
	const struct opts *o;
	struct drive *d;
	struct xsort *x;
	struct buf last;	/* -c: the key before, in this input */
	uint64_t records;
};

static void usage(FILE *f)
{
	fputs("usage: vchain-sort [-h] [--version] [-k FIELD[,FIELD...]]\n"
	      "                   [--missing first|last|error] [-S SIZE] [-T DIR]\n"
	      "                   [--batch-size N] [-m | -c] [--stats]\n"
	      "                   [--rejects FILE [--max-rejects N|P%]] [-o FILE] [-j N]\n"
	      "                   [--max-line SIZE] [FILE ...]\n"
	      "\n"
	      "Sort records by ts, as an instant, then event_id, then input order (stable),\n"
	      "in bounded memory: runs that do not fit are sorted on all threads, spilled\n"
	      "to DIR compressed, and merged. Records are written as they were read.\n"
	      "\n"
	      "  -k, --key FIELDS      sort by these fields instead (ts compares as an instant,\n"
	      "                        numbers by value, strings by bytes), e.g. -k user_id,ts\n"
	      "      --missing WHERE   a record without a key field: error (default), first\n"
	      "                        or last\n"
	      "  -S, --buffer-size SIZE  memory for records being sorted (default 256M)\n"
	      "  -T, --temporary-directory DIR  where runs go (default $TMPDIR, else /tmp);\n"
	      "                        they are unlinked at once, so nothing is left behind\n"
	      "      --batch-size N    merge at most N runs from disk at once (2 to 64;\n"
	      "                        default: as many as half of -S reads, 64 at most)\n"
	      "  -m, --merge           merge inputs that are each sorted already\n"
	      "  -c, --check           check that each input is sorted; exit 1 at the first\n"
	      "                        record out of order\n"
	      "      --stats           records, runs spilled, bytes, merge width, time, peak\n"
	      "                        memory (stderr)\n"
	      DRIVE_REJECTS_HELP
	      "  -o, --output FILE     write to FILE instead of stdout\n", f);
	cli_help_threads(f);
	fputs("      --max-line SIZE   longest line accepted (default 16M)\n"
	      "  -h, --help            this help\n"
	      "      --version         version\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data, I/O error or (-c) disorder, 2 usage error.\n"
	      "See vchain-sort(1).\n", f);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_MISSING = 256, OPT_STATS, OPT_BATCH };
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "missing", required_argument, NULL, OPT_MISSING },
		{ "buffer-size", required_argument, NULL, 'S' },
		{ "temporary-directory", required_argument, NULL, 'T' },
		{ "merge", no_argument, NULL, 'm' },
		{ "check", no_argument, NULL, 'c' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "batch-size", required_argument, NULL, OPT_BATCH },
		DRIVE_REJECTS_LONGOPTS,
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *keys = NULL, *missing = NULL;
	char why[200];
	int c, k;

	memset(o, 0, sizeof(*o));
	o->mem = DEFAULT_MEM;
	o->tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (drive_init(&o->d) < 0)
		return CLI_ARGS_BAD;
	o->d.json_lines = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:S:T:mc" DRIVE_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 'k': keys = optarg; break;
		case OPT_MISSING: missing = optarg; break;
		case 'S':
			if (cli_parse_size(optarg, &o->mem) < 0 || o->mem < 65536) {
				diag("-S: '%s' is not a size of 64K or more (e.g. 256M, 2G)", optarg);
				return CLI_ARGS_BAD;
			}
			break;
		case 'T': o->tmpdir = optarg; break;
		case 'm': o->merge = 1; break;
		case 'c': o->check = 1; break;
		case OPT_STATS: o->stats = 1; break;
		case OPT_BATCH: {
			unsigned long long v;

			if (cli_parse_number(optarg, 2, XSORT_MAX_FANIN, &v) < 0) {
				diag("--batch-size: '%s' is not a number of runs from 2 to %d", optarg, XSORT_MAX_FANIN);
				return CLI_ARGS_BAD;
			}
			o->batch = (unsigned)v;
			break;
		}
		default:
			if ((k = drive_take_option(&o->d, c, optarg, argv, usage)) <= 0)
				return k;
		}
	}
	if (o->merge && o->check) {
		diag("-m and -c cannot be used together");
		return CLI_ARGS_BAD;
	}
	if (o->merge && o->d.rejects) {
		diag("--rejects cannot be used with -m: a merge stops at a bad record (vchain-sort --rejects "
		     "FILE, without -m, sorts an input and sets its bad records aside)");
		return CLI_ARGS_BAD;
	}
	if ((k = keys ? sortkey_parse(&o->key, keys, why) : sortkey_default(&o->key)) < 0) {
		diag("%s", k == -2 ? "out of memory" : why);
		return k == -2 ? CLI_ARGS_FAIL : CLI_ARGS_BAD;
	}
	if (missing) {
		if (!strcmp(missing, "first"))
			o->key.missing = SORTKEY_FIRST;
		else if (!strcmp(missing, "last"))
			o->key.missing = SORTKEY_LAST;
		else if (!strcmp(missing, "error"))
			o->key.missing = SORTKEY_ERROR;
		else {
			diag("--missing: '%s' is not first, last or error", missing);
			return CLI_ARGS_BAD;
		}
	}
	return optind;
}

/* ---- sorting and checking: the key of each line, in the workers ---- */

/* The sort's message; out of memory names what grew: the -S buffers, and what to do. */
static void say_why(const struct opts *o, const char *why)
{
	if (!strcmp(why, "out of memory"))
		diag("out of memory with -S %.0f MiB of sort buffers (and a run's read buffers while merging): "
		     "a smaller -S spills sooner and needs less", (double)o->mem / 1048576);
	else
		diag("%s", why);
}

/* A line to its pair: u32 key length, u32 record length, key, the line and its '\n'. */
static int key_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks, struct buf *out,
		    char *why)
{
	struct worker *w = ctx;
	size_t start = out->len;
	uint32_t h[2] = { 0, 0 };
	int r;

	if (buf_add(out, h, sizeof(h)) < 0)
		return -2;
	if ((r = json_scan_record(line, len, &w->obj, marks, why)) < 0)
		return r;
	if ((r = sortkey_make(&w->o->key, &w->obj, out, &w->tmp, why)) < 0)
		return r;
	h[0] = (uint32_t)(out->len - start - sizeof(h));
	if (len && line[len - 1] == '\r')
		len--;	/* a CRLF line end is a line end: written as '\n' */
	h[1] = (uint32_t)len + 1;
	memcpy(out->p + start, h, sizeof(h));
	return buf_add(out, line, len) < 0 || buf_addc(out, '\n') < 0 ? -2 : 0;
}

static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	const char *p = c->out.p, *end = c->out.p + c->out.len;
	uint64_t k = 0;	/* the record's number in the chunk: its line, par_record_line */
	uint32_t h[2];

	for (; p < end; p += 8 + h[0] + h[1], k++) {
		memcpy(h, p, 8);
		r->records++;
		if (r->o->check) {
			if (r->last.len && sortkey_cmp(p + 8, h[0], r->last.p, (uint32_t)r->last.len) < 0) {
				diag_at(r->d->name, par_record_line(c, first_line, k), "out of order: it sorts before the record before it "
					"(vchain-sort, without -c, puts it in order)");
				return r->d->stop = -1;
			}
			r->last.len = 0;
			if (buf_add(&r->last, p + 8, h[0]) < 0)
				goto oom;
			continue;
		}
		if (xsort_add(r->x, p + 8, h[0], p + 8 + h[0], h[1]) < 0) {
			say_why(r->o, xsort_why(r->x));
			return r->d->stop = -1;
		}
	}
	if (drive_bad_records(r->d, c, first_line) < 0)
		return -1;
	if (c->fatal)
		goto oom;
	return 0;
oom:
	diag_at(r->d->name, 0, "out of memory");
	return r->d->stop = -1;
}

static void before_input(void *ctx)
{
	((struct run *)ctx)->last.len = 0;	/* -c checks each input on its own */
}

static int emit(void *ctx, const char *rec, uint32_t n)
{
	if (n >= 2 && rec[n - 2] == '\r')	/* -m reads lines as they are: a CRLF end written as '\n' */
		return out_write(ctx, rec, n - 2) < 0 ? -1 : out_write(ctx, "\n", 1);
	return out_write(ctx, rec, n);
}

/* ---- -m: the inputs themselves are the sorted sources ---- */

/*
 * Each input is read a block of lines at a time, and the block's keys are
 * made, by a filler thread (serving every n-th input), while the merge
 * takes pairs from the block before: two blocks an input, so the keying,
 * most of the work, runs on the other threads. A block the merge needs
 * that no filler has begun, the merge fills itself rather than wait (with
 * -j 1, every block).
 */
#define MBLOCK ((size_t)1 << 20)
enum { B_FREE, B_FILLING, B_FULL };

struct mblock {
	struct buf chunk;	/* whole lines of the input */
	struct buf pairs;	/* a line each: u32 key length, u32 offset and length of the line, key */
	struct buf bits;	/* the chunk's marks (scan.h) */
	size_t pos;		/* the next pair to hand out */
	int state;
	int end;		/* the input ends with this block */
	int err;		/* a bad line: the block ends before it, and why says what */
	char why[300];
};

struct msrc {
	const char *name;
	struct in in;
	struct mblock b[2];
	int cur, fill;		/* the block the merge reads; the one to fill next */
	int done;		/* the filler has seen the end or an error */
	uint64_t line, records;
	struct jobj obj;
	struct buf prev, tmp;	/* prev: the last key of the block before */
};

struct msrcs {
	const struct opts *o;
	struct msrc *s;
	unsigned n, nth;
	pthread_t th[PAR_MAX_WORKERS];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	char why[300];
};

#define NO_PREV_AT SIZE_MAX

/*
 * The key of a line appended to out (the block's pairs), checked against
 * the line's before: at out->p + prev_at, or s->prev when prev_at is
 * NO_PREV_AT, none for the first line (prevlen bytes). 0, or -1 (why).
 */
static int line_key(struct msrcs *ms, struct msrc *s, const char *p, size_t n, const struct scan_marks *marks,
		    struct buf *out, size_t prev_at, size_t prevlen, char *why)
{
	const char *prev;
	size_t start = out->len;
	char w[200];
	int r;

	s->line++;
	if ((r = json_scan_line(p, n, &s->obj, marks)) == -2)
		return snprintf(why, 300, "out of memory"), -1;
	if (r < 0)
		return snprintf(why, 300, "%s:%llu: %.160s (column %zu)", s->name, (unsigned long long)s->line,
				s->obj.err, s->obj.err_col), -1;
	if ((r = sortkey_make(&ms->o->key, &s->obj, out, &s->tmp, w)) < 0)
		return snprintf(why, 300, r == -2 ? "out of memory" : "%s:%llu: %s", s->name,
				(unsigned long long)s->line, w), -1;
	/* an unsorted input would quietly give an unsorted output */
	prev = prev_at == NO_PREV_AT ? s->prev.p : out->p + prev_at;	/* out may have moved */
	if (s->line > 1 && sortkey_cmp(out->p + start, (uint32_t)(out->len - start), prev, (uint32_t)prevlen) < 0)
		return snprintf(why, 300, "%s:%llu: out of order: -m merges inputs that are sorted (vchain-sort %s "
				"sorts it)", s->name, (unsigned long long)s->line, s->name), -1;
	return 0;
}

/* Read and key block b of input s: pairs of a u32[3] header (key length, line offset, line length) and the key. */
static void fill(struct msrcs *ms, struct msrc *s, struct mblock *b)
{
	const char *p, *nl, *end;
	size_t prevlen = s->prev.len, prev_at = NO_PREV_AT, at, words, word;
	struct scan_marks marks;
	uint64_t *bits, nlbits;
	int r;

	b->chunk.len = b->pairs.len = b->pos = 0;
	b->end = b->err = 0;
	if ((r = in_chunk(&s->in, &b->chunk, MBLOCK, NULL)) < 0) {
		snprintf(b->why, sizeof(b->why), "%s:%llu: %s", s->name, (unsigned long long)s->line + 1, s->in.err);
		b->err = 1;
		return;
	}
	b->end = r == 0;
	/* the block marked in one pass (scan.h): lines, quotes, and what the scan must look at closely */
	words = SCAN_WORDS(b->chunk.len);
	b->bits.len = 0;
	if (buf_grow(&b->bits, (3 * words + 1) * sizeof(uint64_t)) < 0) {
		snprintf(b->why, sizeof(b->why), "out of memory");
		b->err = 1;
		return;
	}
	bits = (uint64_t *)(void *)b->bits.p;
	marks.base = b->chunk.p;
	marks.n = b->chunk.len;
	marks.nwords = words;
	marks.newline = bits;
	marks.quote = bits + words;
	marks.attn = bits + 2 * words + 1;
	marks.any_attn = scan_json_lines(b->chunk.p, b->chunk.len, bits, bits + words, bits + 2 * words + 1);
	word = 0;
	nlbits = words ? bits[0] : 0;
	for (p = b->chunk.p, end = p + b->chunk.len; p < end; p = nl + 1) {
		uint32_t h[3];

		while (!nlbits)	/* the chunk ends in '\n': a bit for every line */
			nlbits = bits[++word];
		nl = b->chunk.p + (word << 6) + __builtin_ctzll(nlbits);
		nlbits &= nlbits - 1;
		at = b->pairs.len;
		if (buf_add(&b->pairs, h, sizeof(h)) < 0) {
			snprintf(b->why, sizeof(b->why), "out of memory");
			b->err = 1;
			return;
		}
		if (line_key(ms, s, p, (size_t)(nl - p), &marks, &b->pairs, prev_at, prevlen, b->why) < 0) {
			b->pairs.len = at;	/* the pairs before stand */
			b->err = 1;
			return;
		}
		h[0] = (uint32_t)(b->pairs.len - at - sizeof(h));
		h[1] = (uint32_t)(p - b->chunk.p);
		h[2] = (uint32_t)(nl + 1 - p);
		memcpy(b->pairs.p + at, h, sizeof(h));
		prev_at = at + sizeof(h);
		prevlen = h[0];
		s->records++;
	}
	if (prev_at != NO_PREV_AT) {	/* the block's last key, for the next block's first line */
		s->prev.len = 0;
		if (buf_add(&s->prev, b->pairs.p + prev_at, prevlen) < 0) {
			snprintf(b->why, sizeof(b->why), "out of memory");
			b->err = 1;
		}
	}
}

/* Fill input s's next block, claimed with ms->mu held (as on return); the lock is let go meanwhile. */
static void fill_next(struct msrcs *ms, struct msrc *s)
{
	struct mblock *b = &s->b[s->fill];

	__atomic_store_n(&b->state, B_FILLING, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&ms->mu);
	fill(ms, s, b);
	pthread_mutex_lock(&ms->mu);
	s->done = b->end || b->err;
	__atomic_store_n(&b->state, B_FULL, __ATOMIC_RELEASE);	/* next_input looks without the lock */
	s->fill ^= 1;
	pthread_cond_broadcast(&ms->cv);
}

static void *filler(void *arg)
{
	struct msrcs *ms = ((void **)arg)[0];
	unsigned t = (unsigned)(uintptr_t)((void **)arg)[1], i;

	free(arg);
	in_thread_reads_ahead();	/* its reads are no wait of the writing thread's (in_waiting) */
	pthread_mutex_lock(&ms->mu);
	for (;;) {
		struct msrc *s = NULL;

		for (i = t; i < ms->n && !s; i += ms->nth)	/* inputs t, t + nth, ... */
			if (!ms->s[i].done && ms->s[i].b[ms->s[i].fill].state == B_FREE)
				s = &ms->s[i];
		if (!s) {
			if (ms->stop)
				break;
			pthread_cond_wait(&ms->cv, &ms->mu);
			continue;
		}
		fill_next(ms, s);
	}
	pthread_mutex_unlock(&ms->mu);
	return NULL;
}

/* Input i's next record and its key: 1, 0 at its end, -1 (why). */
static int next_input(void *ctx, unsigned i, const char **key, uint32_t *klen, const char **rec, uint32_t *rlen)
{
	struct msrcs *ms = ctx;
	struct msrc *s = &ms->s[i];
	struct mblock *b = &s->b[s->cur];
	uint32_t h[3];

	/* the block's state is read here without the lock: full, the filler's writes to it are seen */
	while (__atomic_load_n(&b->state, __ATOMIC_ACQUIRE) != B_FULL || b->pos == b->pairs.len) {
		if (__atomic_load_n(&b->state, __ATOMIC_ACQUIRE) == B_FULL) {	/* taken: its end, its error, or the next block */
			if (b->err)
				return snprintf(ms->why, sizeof(ms->why), "%s", b->why), -1;
			if (b->end)
				return 0;
			pthread_mutex_lock(&ms->mu);
			__atomic_store_n(&b->state, B_FREE, __ATOMIC_RELAXED);
			pthread_cond_broadcast(&ms->cv);
			pthread_mutex_unlock(&ms->mu);
			s->cur ^= 1;
			b = &s->b[s->cur];
		}
		pthread_mutex_lock(&ms->mu);
		if (b->state == B_FREE)	/* no filler has begun it (then it is the one to fill next): here */
			fill_next(ms, s);
		while (b->state != B_FULL) {	/* a filler has: meanwhile, another input's next block */
			struct msrc *o = NULL;
			unsigned k;

			for (k = 1; k < ms->n && !o; k++) {
				struct msrc *c = &ms->s[(i + k) % ms->n];

				if (!c->done && c->b[c->fill].state == B_FREE)
					o = c;
			}
			if (o)
				fill_next(ms, o);
			else
				pthread_cond_wait(&ms->cv, &ms->mu);
		}
		pthread_mutex_unlock(&ms->mu);
	}
	memcpy(h, b->pairs.p + b->pos, sizeof(h));
	*key = b->pairs.p + b->pos + sizeof(h);
	*klen = h[0];
	*rec = b->chunk.p + h[1];
	*rlen = h[2];
	b->pos += sizeof(h) + h[0];
	return 1;
}

static int merge_inputs(struct opts *o, char **names, int n, uint64_t *records)
{
	struct in_opts io = o->d.in;
	struct msrcs ms;
	char *stdin_name[1] = { "-" };
	unsigned i, started = 0;
	int rc = EXIT_DATA;

	if (!n)
		names = stdin_name, n = 1;
	io.helpers = 0;	/* an input is one thread's: none decodes it ahead (in_work_ahead) */
	memset(&ms, 0, sizeof(ms));
	ms.o = o;
	ms.n = (unsigned)n;
	ms.nth = o->d.threads > 1 ? o->d.threads - 1 : 0;
	if (ms.nth > ms.n)
		ms.nth = ms.n;
	pthread_mutex_init(&ms.mu, NULL);
	pthread_cond_init(&ms.cv, NULL);
	if (!(ms.s = calloc(ms.n, sizeof(*ms.s))))
		return diag("out of memory"), EXIT_DATA;
	for (i = 0; i < ms.n; i++) {
		ms.s[i].in.fd = -1;
		if (in_open(&ms.s[i].in, names[i], &io) < 0) {
			diag_at(in_display_name(&ms.s[i].in), 0, "%s", ms.s[i].in.err);
			goto done;
		}
		ms.s[i].name = in_display_name(&ms.s[i].in);
	}
	for (; started < ms.nth; started++) {
		void **arg = malloc(2 * sizeof(*arg));

		if (!arg)
			break;
		arg[0] = &ms;
		arg[1] = (void *)(uintptr_t)started;
		if (pthread_create(&ms.th[started], NULL, filler, arg) != 0) {
			free(arg);
			break;
		}
	}
	if (started < ms.nth) {
		diag("cannot start threads");
		goto done;
	}
	if (xsort_merge(ms.n, next_input, &ms, emit, &o->d.out) == 0)
		rc = EXIT_OK;
	else if (!o->d.out.err)
		diag("%s", ms.why);
	else
		rc = EXIT_OK;	/* drive_close says what the write error was, or nothing for EPIPE */
done:
	pthread_mutex_lock(&ms.mu);
	ms.stop = 1;
	for (i = 0; i < ms.n; i++)	/* a stopped merge leaves blocks full: the fillers have nothing left */
		ms.s[i].done = 1;
	pthread_cond_broadcast(&ms.cv);
	pthread_mutex_unlock(&ms.mu);
	for (i = 0; i < started; i++)
		pthread_join(ms.th[i], NULL);
	for (i = 0; i < ms.n; i++) {
		struct msrc *s = &ms.s[i];

		*records += s->records;
		if (s->name)
			in_close(&s->in);
		buf_free(&s->b[0].chunk), buf_free(&s->b[0].pairs), buf_free(&s->b[0].bits);
		buf_free(&s->b[1].chunk), buf_free(&s->b[1].pairs), buf_free(&s->b[1].bits);
		buf_free(&s->prev), buf_free(&s->tmp);
		jobj_free(&s->obj);
	}
	free(ms.s);
	pthread_mutex_destroy(&ms.mu);
	pthread_cond_destroy(&ms.cv);
	return rc;
}

/* ---- setting up ---- */

static int worker_init(void *ctx, void *o)
{
	((struct worker *)ctx)->o = o;
	return 0;
}

static void worker_done(void *ctx)
{
	struct worker *w = ctx;

	jobj_free(&w->obj);
	buf_free(&w->tmp);
}

/* The temporary directory is usable: found out now, not after an hour of reading. */
static int check_tmpdir(const char *dir)
{
	struct spill_writer w;

	if (spill_create(&w, dir) < 0) {
		diag("%s", w.why);
		spill_writer_free(&w);
		return -1;
	}
	spill_writer_free(&w);
	return 0;
}

static void say_stats(const struct opts *o, const struct run *r)
{
	struct rusage ru;
	long peak = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;	/* KiB */

	if (r->x) {
		const struct xsort_stats *st = xsort_stats(r->x);
		char ranges[80], side[80] = "";

		if (st->merge_threads > 1)
			snprintf(ranges, sizeof(ranges), "%llu key ranges on %u threads",
				 (unsigned long long)st->ranges, st->merge_threads);
		else
			snprintf(ranges, sizeof(ranges), "one thread");
		if (st->pass_width > 1)
			snprintf(side, sizeof(side), " (up to %u merges side by side)", st->pass_width);

		diag("records %llu; runs spilled %llu; written to %s %.1f MB (%.1f MB before compression); "
		     "merge width %u, %u pass%s before the last%s; sorting and spilling %.2f s (%s), merging %.2f s "
		     "(%s); peak memory %.1f MB (-S %.1f MB)",
		     (unsigned long long)st->pairs, (unsigned long long)st->runs, o->tmpdir,
		     (double)st->spilled / 1e6, (double)st->spilled_raw / 1e6, st->width, st->passes,
		     st->passes == 1 ? "" : "es", side, st->sort_s,
		     o->d.threads > 1 ? "beside the reading, in threads of their own" : "in the reading thread",
		     st->merge_s, ranges, (double)peak / 1024, (double)o->mem / 1048576);
	} else
		diag("records %llu; peak memory %.1f MB", (unsigned long long)r->records, (double)peak / 1024);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	int first, status;

	cli_start(argv[0]);
	first = parse_args(argc, argv, &o);
	if (first <= 0) {
		sortkey_free(&o.key);
		return cli_args_status(first);
	}
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	if (o.merge) {
		status = drive_start(&o.d, key_line, sizeof(struct worker), NULL, NULL, NULL);
		if (status == EXIT_OK)
			status = merge_inputs(&o, argv + first, argc - first, &r.records);
	} else {
		if (!o.check && check_tmpdir(o.tmpdir) < 0)
			status = EXIT_DATA;
		else if (!o.check && !(r.x = xsort_new(o.mem, o.tmpdir, o.d.threads > 1 ? o.d.threads : 0))) {
			diag("out of memory");
			status = EXIT_DATA;
		} else {
			if (r.x && o.batch)
				xsort_batch(r.x, o.batch);
			status = drive_start(&o.d, key_line, sizeof(struct worker), worker_init, &o, worker_done);
		}
		if (status == EXIT_OK)
			status = drive_inputs(&o.d, argv + first, argc - first, commit, before_input, NULL, &r);
		if (status == EXIT_OK && r.x && !o.d.gone && xsort_finish(r.x, emit, &o.d.out) < 0 && !o.d.out.err) {
			say_why(&o, xsort_why(r.x));
			status = EXIT_DATA;
		}
	}
	if (o.stats) {
		say_stats(&o, &r);
		drive_say_blank(&o.d);
	}
	status = drive_close(&o.d, status);
	xsort_free(r.x);
	buf_free(&r.last);
	sortkey_free(&o.key);
	return status;
}
