/*
 * vchain-dedupe - drop repeated events, keep the first of each, in order.
 *
 * Worker threads parse each line and reduce its key (event_id, the fields
 * of -k, or with --content the whole record less --ignore fields) to a
 * 128-bit XXH3 hash, and read its ts. The keys seen are cut by hash into
 * parts (par_set_parts), each an open-addressing table (filters/lib/htab.c)
 * that one thread at a time looks a chunk's keys up in, in input order:
 * the first occurrence wins whatever the number of threads, and the
 * ordered commit step only writes. With --window, keys older than the
 * window behind the newest ts are forgotten, which keeps memory flat on
 * time-ordered archives; a record too late for the window is kept and
 * counted "late", never dropped unseen. The newest ts is an input-order
 * running maximum over all keys, so --window looks keys up in the commit
 * step, in one table (small: a window's keys).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/diag.h"
#include "lib/drive.h"
#include "lib/event.h"
#include "lib/hash.h"
#include "lib/htab.h"
#include "lib/input.h"
#include "lib/json.h"
#include "lib/out.h"
#include "lib/par.h"

#define MAX_KEYS 16
_Static_assert(MAX_KEYS <= JSON_LINE_KEY_MAX, "json_record_key takes at most JSON_LINE_KEY_MAX fields");

struct opts {
	const char *keys[MAX_KEYS];	/* -k fields (default event_id) */
	size_t key_len[MAX_KEYS];
	unsigned nkeys;
	struct jpick pick;		/* the -k fields, as json_line_key takes them */
	int content;			/* --content: the record less ignored fields */
	const char *ignore[MAX_KEYS];
	size_t ignore_len[MAX_KEYS];
	unsigned nignore;
	long long window_ms;		/* 0: remember every key */
	int require_key;
	int stats;
	const char *dupes;
	unsigned nparts;	/* 0: --window, the commit step looks keys up */
	struct drive d;		/* output, threads, input options */
};

/* What a worker hands the commit step for each line, followed by the line. */
struct rec {
	struct h128 key;
	long long ts_ms;
	const char *line;	/* in the chunk's input: not copied */
	uint32_t len;		/* of the line, without '\n' */
	uint8_t has_key, has_ts;
	uint8_t crlf;		/* the line ends in "\r\n" (known here: the commit need not look at the line) */
	uint8_t dup;		/* set by the key's part: seen before */
};

/* A part of the keys seen (all of them with --window: one part, in the commit step). */
struct part {	/* on lines of its own: the parts of a chunk run at once (par_calloc_lines) */
	_Alignas(PAR_LINE) struct htab seen;
	int oom;		/* it ran out of memory */
};

struct worker {
	const struct opts *o;
	struct jobj obj;
	struct buf kbuf, tmp;
	unsigned *order;	/* --content: member indexes sorted by key */
	size_t order_cap;
};

struct run {
	const struct opts *o;
	struct drive *d;
	struct out dupes;
	struct part *parts;	/* o->nparts of them, or one for --window */
	void **pctx;
	long long newest, last_sweep;
	int have_newest;
	uint64_t read, kept, dropped, late, keyless;
	uint64_t t_read, t_kept, t_dropped, t_late, t_keyless;
};

static void usage(FILE *f)
{
	fputs("usage: vchain-dedupe [-h] [--version]\n"
	      "                     [-k FIELD[,FIELD...] | --content [--ignore F,...]]\n"
	      "                     [--window DURATION] [--dupes FILE] [--require-key]\n"
	      "                     [--stats] [-o FILE] [-j N] [--max-line SIZE] [FILE ...]\n"
	      "\n"
	      "Drop repeated events, keeping the first of each in input order.\n"
	      "\n"
	      "  -k, --key FIELDS      the fields that identify an event (default event_id)\n"
	      "      --content         the whole record identifies it, less --ignore fields\n"
	      "      --ignore FIELDS   with --content: volatile fields to leave out\n"
	      "      --window DUR      forget keys older than DUR (30m, 24h, 7d) behind the\n"
	      "                        newest ts: flat memory for time-ordered input\n"
	      "      --dupes FILE      write every dropped record there, byte-exact\n"
	      "      --require-key     a record without the key is an error (default: kept)\n"
	      "      --stats           read, kept, dropped, late, without key (stderr)\n"
	      "  -o, --output FILE     write to FILE instead of stdout\n", f);
	cli_help_threads(f);
	fputs("      --max-line SIZE   longest line accepted (default 16M)\n"
	      "  -h, --help            this help\n"
	      "      --version         version\n"
	      "\n"
	      "Exit status: 0 success, 1 bad data or I/O error, 2 usage error.\n"
	      "See vchain-dedupe(1).\n", f);
}

/* "a,b,c" into names[]; returns the count or -1. */
static int split_fields(char *s, const char **names, size_t *lens)
{
	unsigned n = 0;
	char *tok, *save;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_KEYS || !*tok)
			return -1;
		names[n] = tok;
		lens[n] = strlen(tok);
		n++;
	}
	return n ? (int)n : -1;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_CONTENT = 256, OPT_IGNORE, OPT_WINDOW, OPT_DUPES, OPT_REQUIRE, OPT_STATS };
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "content", no_argument, NULL, OPT_CONTENT },
		{ "ignore", required_argument, NULL, OPT_IGNORE },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "dupes", required_argument, NULL, OPT_DUPES },
		{ "require-key", no_argument, NULL, OPT_REQUIRE },
		{ "stats", no_argument, NULL, OPT_STATS },
		DRIVE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	int c, n, k;

	memset(o, 0, sizeof(*o));
	if (drive_init(&o->d) < 0)
		return -1;
	o->d.json_lines = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:o:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if ((n = split_fields(optarg, o->keys, o->key_len)) < 0) {
				diag("--key: expected FIELD[,FIELD...] (at most %d)", MAX_KEYS);
				return -1;
			}
			o->nkeys = (unsigned)n;
			break;
		case OPT_CONTENT: o->content = 1; break;
		case OPT_IGNORE:
			if ((n = split_fields(optarg, o->ignore, o->ignore_len)) < 0) {
				diag("--ignore: expected FIELD[,FIELD...] (at most %d)", MAX_KEYS);
				return -1;
			}
			o->nignore = (unsigned)n;
			break;
		case OPT_WINDOW:
			if (cli_parse_duration(optarg, &o->window_ms) < 0 || o->window_ms <= 0) {
				diag("--window: '%s' is not a duration (e.g. 30m, 24h, 7d)", optarg);
				return -1;
			}
			break;
		case OPT_DUPES: o->dupes = optarg; break;
		case OPT_REQUIRE: o->require_key = 1; break;
		case OPT_STATS: o->stats = 1; break;
		default:
			if ((k = drive_take_option(&o->d, c, optarg, argv, usage)) <= 0)
				return k;
		}
	}
	if (o->content && o->nkeys) {
		diag("--content and --key cannot be used together");
		return -1;
	}
	if (o->nignore && !o->content) {
		diag("--ignore goes with --content");
		return -1;
	}
	if (!o->content && !o->nkeys) {
		o->keys[0] = "event_id";
		o->key_len[0] = 8;
		o->nkeys = 1;
	}
	json_pick_init(&o->pick, o->keys, o->key_len, o->nkeys);
	return optind;
}

static int ignored(const struct opts *o, const struct jfield *f)
{
	unsigned i;

	for (i = 0; i < o->nignore; i++)
		if (f->klen == o->ignore_len[i] && memcmp(f->key, o->ignore[i], f->klen) == 0)
			return 1;
	return 0;
}

static int key_before(const struct jfield *a, const struct jfield *b)
{
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);

	return c < 0 || (c == 0 && a->klen < b->klen);
}

/* --content: members by key (so field order does not matter), less ignored ones. */
static int content_key(struct worker *w)
{
	size_t i, j, n = w->obj.n;
	unsigned t;

	if (n > w->order_cap) {
		unsigned *p = realloc(w->order, n * 2 * sizeof(*p));

		if (!p)
			return -1;
		w->order = p;
		w->order_cap = n * 2;
	}
	for (i = 0; i < n; i++) {	/* insertion sort: records have tens of fields */
		t = (unsigned)i;
		for (j = i; j > 0 && key_before(&w->obj.f[t], &w->obj.f[w->order[j - 1]]); j--)
			w->order[j] = w->order[j - 1];
		w->order[j] = t;
	}
	for (i = 0; i < n; i++) {
		const struct jfield *f = &w->obj.f[w->order[i]];
		uint32_t klen = f->klen;

		if (ignored(w->o, f))
			continue;
		if (buf_add(&w->kbuf, &klen, 4) < 0 || buf_add(&w->kbuf, f->key, klen) < 0 ||
		    json_key_value(f, &w->kbuf, &w->tmp) < 0)
			return -1;
	}
	return 0;
}

/* In a worker: the line's key hash and ts, then the line itself. */
static int dedupe_line(void *ctx, const char *line, size_t len, const struct scan_marks *marks,
		       struct buf *out, char *why)
{
	struct worker *w = ctx;
	const struct opts *o = w->o;
	const struct jfield *f;
	struct rec r;
	int sr;

	memset(&r, 0, sizeof(r));
	r.len = (uint32_t)len;
	buf_reset(&w->kbuf);
	if (!o->content && !o->window_ms) {
		/* the key alone: found by the walk that stores nothing */
		if ((sr = json_line_key(&w->obj, line, len, marks, &o->pick, &w->kbuf, &w->tmp,
					why)) < 0)
			return sr;
		r.has_key = (uint8_t)sr;
	} else if ((sr = json_scan_record(line, len, &w->obj, marks, why)) < 0)
		return sr;
	else if (o->content) {
		if (content_key(w) < 0)
			return -2;
		r.has_key = 1;
	} else {
		int k = json_record_key(&w->obj, o->keys, o->key_len, o->nkeys, &w->kbuf, &w->tmp);

		if (k < 0)
			return -2;
		r.has_key = (uint8_t)k;
	}
	if (r.has_key)
		r.key = hash128(w->kbuf.p, w->kbuf.len);
	if (o->window_ms) {	/* only the window needs the time */
		f = jobj_get(&w->obj, "ts", 2);
		r.has_ts = f && event_ts_ms(f, &r.ts_ms) == 0;
	}
	r.line = line;
	r.crlf = len && line[len - 1] == '\r';
	if (buf_add(out, &r, sizeof(r)) < 0)
		return -2;
	return r.has_key && o->nparts ? PAR_PART + (int)par_part_of(r.key.hi, o->nparts) : 0;
}

/* A part's keys of a chunk, in input order: each marked dup when seen before. */
static int part_keys(void *ctx, struct par_chunk *c, const uint32_t *offs, size_t n)
{
	struct part *pt = ctx;
	struct rec rec;
	uint64_t *val;
	size_t i;
	int ins;

	/* the table is far bigger than cache: start loading slots 8 records ahead */
	for (i = 0; i < 8 && i < n; i++) {
		memcpy(&rec, c->out.p + offs[i], sizeof(rec));
		htab_prefetch(&pt->seen, rec.key);
	}
	for (i = 0; i < n; i++) {
		char *p = c->out.p + offs[i];

		if (i + 8 < n) {
			memcpy(&rec, c->out.p + offs[i + 8], sizeof(rec));
			htab_prefetch(&pt->seen, rec.key);
		}
		memcpy(&rec, p, sizeof(rec));
		if ((ins = htab_put(&pt->seen, rec.key, &val)) < 0) {
			pt->oom = 1;
			return -2;
		}
		rec.dup = ins == 0;
		memcpy(p, &rec, sizeof(rec));
	}
	return 0;
}

static int older_than(uint64_t val, void *ctx)
{
	return (long long)val < *(long long *)ctx;
}

/* A record's line, joined to the run of lines before it when it follows them in the input. */
static int write_rec(struct run *r, struct out *o, struct out_run *run, const char *line, size_t n, int crlf)
{
	/* a CRLF line end is a line end, no part of the record: written as '\n' */
	if (crlf ? out_run_end(o, run) == 0 && out_write(o, line, n - 2) == 0 &&
						  out_write(o, "\n", 1) == 0
					     : out_run_add(o, run, line, n) == 0)
		return 0;
	if (o == &r->dupes)
		diag("%s: write error: %s", r->o->dupes, strerror(o->err));
	return r->d->stop = -1;
}

/* The chunk's last runs written (before it is freed, or an error ends the run). 0, or -1. */
static int end_runs(struct run *r, struct out_run *kept, struct out_run *dup)
{
	if (out_run_end(&r->d->out, kept) < 0)
		return r->d->stop = -1;
	if (out_run_end(&r->dupes, dup) < 0) {
		diag("%s: write error: %s", r->o->dupes, strerror(r->dupes.err));
		return r->d->stop = -1;
	}
	return 0;
}

static size_t keys_seen(const struct run *r)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < (r->o->nparts ? r->o->nparts : 1); i++)
		n += r->parts[i].seen.count;
	return n;
}

/* In input order: the parts decided (with --window, the one table here decides). */
static int commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct run *r = ctx;
	const struct opts *o = r->o;
	const char *p = c->out.p, *end = c->out.p + c->out.len, *line;
	uint64_t k = 0, *val;	/* k: the record's number in the chunk: its line, par_record_line */
	struct htab *seen = &r->parts[0].seen;
	struct rec rec;
	struct out_run kept = { NULL, 0 }, dup = { NULL, 0 };
	unsigned i;
	int ins;

	if (c->fatal)
		for (i = 0; i < (o->nparts ? o->nparts : 1); i++)
			if (r->parts[i].oom) {
				diag_at(r->d->name, 0, "out of memory for %zu keys", keys_seen(r));
				return r->d->stop = -1;
			}
	for (; p < end; p += sizeof(rec), k++) {
		memcpy(&rec, p, sizeof(rec));
		line = rec.line;
		r->read++;
		if (!rec.has_key) {
			if (o->require_key) {
				end_runs(r, &kept, &dup);	/* the records before it */
				diag_at(r->d->name, par_record_line(c, first_line, k), "no key field (--require-key)");
				return r->d->stop = -1;
			}
			r->keyless++;
			r->kept++;
			if (write_rec(r, &r->d->out, &kept, line, rec.len + 1, rec.crlf) < 0)
				return -1;
			continue;
		}
		if (o->window_ms && rec.has_ts) {
			if (!r->have_newest || rec.ts_ms > r->newest) {
				r->newest = rec.ts_ms;
				if (!r->have_newest)
					r->last_sweep = rec.ts_ms;
				r->have_newest = 1;
			}
			if (rec.ts_ms < r->newest - o->window_ms) {
				r->late++;	/* its key may be forgotten: kept, and said so */
				r->kept++;
				if (write_rec(r, &r->d->out, &kept, line, rec.len + 1, rec.crlf) < 0)
					return -1;
				continue;
			}
			/* forget what fell out of the window, every eighth of a window */
			if (r->newest - r->last_sweep >= o->window_ms / 8) {
				long long horizon = r->newest - o->window_ms;

				htab_sweep(seen, older_than, &horizon);
				r->last_sweep = r->newest;
			}
		}
		if (o->window_ms) {
			if ((ins = htab_put(seen, rec.key, &val)) < 0) {
				end_runs(r, &kept, &dup);
				diag_at(r->d->name, par_record_line(c, first_line, k), "out of memory for %zu keys", seen->count);
				return r->d->stop = -1;
			}
			/* a key remembers when it was first seen (or the newest ts, if it has none) */
			if (ins)
				*val = (uint64_t)(rec.has_ts ? rec.ts_ms : r->newest);
			rec.dup = ins == 0;
		}
		if (rec.dup) {
			r->dropped++;
			if (o->dupes && write_rec(r, &r->dupes, &dup, line, rec.len + 1, rec.crlf) < 0)
				return -1;
			continue;
		}
		r->kept++;
		if (write_rec(r, &r->d->out, &kept, line, rec.len + 1, rec.crlf) < 0)
			return -1;
	}
	if (end_runs(r, &kept, &dup) < 0)
		return -1;
	return drive_chunk_done(r->d, c, first_line);	/* a record that stopped the run, memory; the blank lines */
}

static void stats(const char *name, uint64_t read, uint64_t kept, uint64_t dropped,
		  uint64_t late, uint64_t keyless)
{
	diag_at(name, 0, "read %llu, kept %llu, dropped %llu (kept: late %llu, without key %llu)",
		(unsigned long long)read, (unsigned long long)kept, (unsigned long long)dropped,
		(unsigned long long)late, (unsigned long long)keyless);
}

static void before_input(void *ctx)
{
	struct run *r = ctx;

	r->read = r->kept = r->dropped = r->late = r->keyless = 0;
}

static void after_input(void *ctx)
{
	struct run *r = ctx;

	if (r->o->stats)
		stats(r->d->name, r->read, r->kept, r->dropped, r->late, r->keyless);
	r->t_read += r->read;
	r->t_kept += r->kept;
	r->t_dropped += r->dropped;
	r->t_late += r->late;
	r->t_keyless += r->keyless;
}

static int worker_init(void *ctx, void *o)
{
	((struct worker *)ctx)->o = o;
	return 0;
}

static void worker_done(void *ctx)
{
	struct worker *w = ctx;

	jobj_free(&w->obj);
	buf_free(&w->kbuf);
	buf_free(&w->tmp);
	free(w->order);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	unsigned np, i;
	int first, status, st;

	cli_start(argv[0]);
	first = parse_args(argc, argv, &o);
	if (first <= 0)
		return cli_args_status(first);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.d = &o.d;
	o.nparts = o.window_ms ? 0 : drive_parts(&o.d);
	np = o.nparts ? o.nparts : 1;
	r.parts = par_calloc_lines(np, sizeof(*r.parts), NULL);
	r.pctx = calloc(np, sizeof(*r.pctx));
	if (!r.parts || !r.pctx) {
		diag("out of memory");
		return EXIT_DATA;
	}
	for (i = 0; i < np; i++) {
		r.parts[i].seen.no_values = !o.window_ms;	/* only --window needs each key's time */
		r.pctx[i] = &r.parts[i];
	}
	if (o.nparts) {
		o.d.parts = o.nparts;
		o.d.part_fn = part_keys;
		o.d.pctx = r.pctx;
	}
	if (o.dupes && out_open_path(&r.dupes, o.dupes) < 0) {
		diag("%s: cannot open: %s", o.dupes, strerror(errno));
		return EXIT_DATA;
	}
	status = drive_start(&o.d, dedupe_line, sizeof(struct worker), worker_init, &o, worker_done);
	if (status == EXIT_OK)
		status = drive_inputs(&o.d, argv + first, argc - first, commit,
				      before_input, after_input, &r);
	if (o.stats && argc - first > 1)
		stats("total", r.t_read, r.t_kept, r.t_dropped, r.t_late, r.t_keyless);
	if (o.stats)
		drive_say_blank(&o.d);
	if (status == EXIT_OK && r.t_late)	/* said even without --stats: repeats may have been kept */
		diag("%llu record%s came more than --window behind the newest ts: a repeat of %s may have "
		     "been kept (vchain-sort puts records in time order)", (unsigned long long)r.t_late,
		     r.t_late == 1 ? "" : "s", r.t_late == 1 ? "it" : "them");
	if (status == EXIT_OK && r.t_read && r.t_keyless == r.t_read && !o.content) {
		/* a key no record has is a misspelt name, not data: everything kept, nothing compared */
		char names[256];
		size_t n = 0;
		unsigned k;

		names[0] = '\0';
		for (k = 0; k < o.nkeys && n < sizeof(names); k++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%.*s", k ? "," : "", (int)o.key_len[k],
					      o.keys[k]);
		diag("no record has the key %s (all %llu written, none compared): check -k", names,
		     (unsigned long long)r.t_read);
		status = EXIT_DATA;
	}
	if (o.dupes) {
		st = cli_close_out(&r.dupes);
		if (status == EXIT_OK)
			status = st;
	}
	status = drive_close(&o.d, status);
	for (i = 0; i < np; i++)
		htab_free(&r.parts[i].seen);
	free(r.parts);
	free(r.pctx);
	return status;
}
