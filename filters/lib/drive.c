/*
 * drive.c - the loop around a record filter. The one place that decides
 * that a closed pipe is a quiet end and a failed read names its input.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "drive.h"
#include "json.h"
#include "partial.h"

int drive_init(struct drive *d)
{
	memset(d, 0, sizeof(*d));
	d->threads = cli_default_threads();
	d->in.max_line = IN_MAX_LINE_DEFAULT;
	if (cli_inflate_env(&d->in) < 0) {
		diag("VCHAIN_INFLATE must be zlib, isal or auto");
		return -1;
	}
	return 0;
}

int drive_option(struct drive *d, int c, const char *arg, char **argv, void (*usage)(FILE *))
{
	int k = cli_option(c, arg, argv, usage, &d->output);

	if (k != CLI_OPT_NOT_MINE)
		return k;
	switch (c) {
	case 'j':
		if (cli_parse_threads(arg, &d->threads) < 0) {
			diag("--threads: '%s' is not a number from 1 to %d", arg, CLI_MAX_THREADS);
			return CLI_OPT_BAD;
		}
		return CLI_OPT_TAKEN;
	case DRIVE_OPT_REJECTS:
		d->rejects = arg;
		return CLI_OPT_TAKEN;
	case DRIVE_OPT_MAX_REJECTS: {
		char *e;
		double v;

		errno = 0;
		v = strtod(arg, &e);
		if (e == arg || errno || v < 0 || (*e && strcmp(e, "%")) || (*e == '%' && v > 100) ||
		    (!*e && (v != (double)(uint64_t)v || strchr(arg, '.') || strchr(arg, 'e') || strchr(arg, 'E')))) {
			diag("--max-rejects: '%s' is neither a count (e.g. 100) nor a percentage (e.g. 0.5%%)", arg);
			return CLI_OPT_BAD;
		}
		d->max_rejects_kind = *e ? 2 : 1;
		d->max_rejects = (uint64_t)v;
		d->max_rejects_pct = v;
		return CLI_OPT_TAKEN;
	}
	case DRIVE_OPT_MAX_LINE:
		if (cli_parse_size(arg, &d->in.max_line) < 0) {
			diag("--max-line: '%s' is not a size (e.g. 16M)", arg);
			return CLI_OPT_BAD;
		}
		d->max_line_given = 1;
		return CLI_OPT_TAKEN;
	}
	return CLI_OPT_NOT_MINE;
}

int drive_take_option(struct drive *d, int c, const char *arg, char **argv, void (*usage)(FILE *))
{
	switch (drive_option(d, c, arg, argv, usage)) {
	case CLI_OPT_DONE:
		return CLI_ARGS_DONE;
	case CLI_OPT_TAKEN:
		return 1;
	default:	/* a bad option, or one no filter takes (getopt returned it: a bug) */
		return CLI_ARGS_BAD;
	}
}

int drive_open(struct drive *d, par_line_fn fn, void **wctx)
{
	struct par_opts po;

	if (d->max_rejects_kind && !d->rejects) {
		diag("--max-rejects goes with --rejects FILE (without it, the first bad record stops the run)");
		return EXIT_USAGE;
	}
	if (d->rejects && out_open_path(&d->rej, d->rejects) < 0) {
		diag("%s: cannot open: %s", d->rejects, strerror(errno));
		return EXIT_DATA;
	}
	if (d->output ? out_open_path(&d->out, d->output) : out_open_fd(&d->out, 1, "<stdout>")) {
		diag("%s: cannot open: %s", d->output ? d->output : "<stdout>", strerror(errno));
		return EXIT_DATA;
	}
	memset(&po, 0, sizeof(po));
	po.workers = d->threads - 1;	/* the calling thread works too */
	d->in.helpers = d->threads;	/* (they decode a gzip ahead: drive_idle) */
	po.keep_going = d->rejects != NULL;
	po.max_line = d->in.max_line;
	d->par = par_new(&po, fn, wctx);
	if (!d->par) {
		diag("cannot start worker threads");
		return EXIT_DATA;
	}
	if (d->parts && (par_set_parts(d->par, d->parts, d->part_fn, d->pctx) < 0 ||
			 (d->part_outputs && par_part_outputs(d->par) < 0))) {
		diag("out of memory for %u parts of state", d->parts);
		return EXIT_DATA;
	}
	if (d->chunk_end)
		par_set_chunk_end(d->par, d->chunk_end);
	return EXIT_OK;
}

unsigned drive_parts(const struct drive *d)
{
	unsigned n = d->threads > 1 ? 2 * d->threads : 1;

	return n > PAR_MAX_PARTS ? PAR_MAX_PARTS : n;
}

int drive_start(struct drive *d, par_line_fn fn, size_t size, int (*init)(void *ctx, void *arg), void *arg,
		void (*done)(void *ctx))
{
	void **wctx = d->wctx;
	unsigned n = d->threads > 1 ? d->threads : 1, i;

	/*
	 * Each worker's context on cache lines of its own: a key buffer's
	 * length written on every record by one thread and read by its
	 * neighbour made the two cores trade the line, and at -j 2 the
	 * partitioner spent half again the CPU time of -j 1.
	 */
	d->worker_done = done;
	if (!(d->workers = par_calloc_lines(n, size, &d->worker_size))) {
		diag("out of memory");
		return EXIT_DATA;
	}
	for (i = 0; i < n; i++, d->nworkers++) {
		wctx[i] = (char *)d->workers + i * d->worker_size;
		if (init && init(wctx[i], arg) < 0) {
			diag("out of memory");
			return EXIT_DATA;
		}
	}
	return drive_open(d, fn, wctx);
}

/*
 * Reading ahead: while the reader works on input k, idle workers open the
 * next inputs and, for gzip ones, inflate up to AHEAD_BUDGET of each into
 * memory (in_read_ahead), a step at a time: an archive of many .gz files
 * is inflated on several threads at once, and its records still come in
 * input order. An input is in one hand at a time (state BUSY while a
 * worker has it); the reader takes it as it is when it gets there.
 */
#define AHEAD_BUDGET ((size_t)16 << 20)	/* decoded bytes an input is read ahead, at most */
#define AHEAD_STEP ((size_t)2 << 20)	/* a worker's piece of it */

enum { A_NONE, A_OPEN, A_BUSY, A_DONE, A_FAILED, A_TAKEN };

struct ahead {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char **names;
	int n, cur, window;
	const struct in_opts *opts;
	struct in *ins;
	unsigned char *state;
	int stop;
};

/* A worker's idle work: open the next input not yet opened, or read one further ahead. 1 done, 0 none. */
static int ahead_idle(void *ctx)
{
	struct ahead *a = ctx;
	int i, k = -1, st = A_NONE;

	pthread_mutex_lock(&a->mu);
	for (i = a->cur + 1; !a->stop && i < a->n && i <= a->cur + a->window && k < 0; i++) {
		if (!strcmp(a->names[i], "-"))
			continue;	/* stdin is read by the reader alone */
		if (a->state[i] == A_NONE || (a->state[i] == A_OPEN && a->ins[i].ahead_bytes < AHEAD_BUDGET))
			k = i, st = a->state[i], a->state[i] = A_BUSY;
	}
	pthread_mutex_unlock(&a->mu);
	if (k < 0)
		return 0;
	in_thread_reads_ahead();	/* a worker: never the one a signal should find waiting */
	if (st == A_NONE)
		st = in_open(&a->ins[k], a->names[k], a->opts) < 0 ? A_FAILED : a->ins[k].gz ? A_OPEN : A_DONE;
	else if (in_read_ahead(&a->ins[k], AHEAD_STEP) < 0 || a->ins[k].ahead_end ||
		 a->ins[k].ahead_bytes >= AHEAD_BUDGET)
		st = A_DONE;	/* (out of memory: the reader reads the rest) */
	pthread_mutex_lock(&a->mu);
	a->state[k] = (unsigned char)st;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return 1;
}

/*
 * A worker's idle work: the BGZF members of the input being read, ahead of
 * the reader; else the inputs after it. 1 done, 0 none.
 */
static int drive_idle(void *ctx)
{
	struct drive *d = ctx;

	if (d->bz_in && in_work_ahead(d->bz_in))
		return 1;
	return d->ahead ? ahead_idle(d->ahead) : 0;
}

/* Idle workers decode in ahead (in: a BGZF input now being read), or stop that (in NULL). */
static void bgzf_helpers(struct drive *d, struct in *in)
{
	par_set_idle(d->par, NULL, NULL);	/* no worker is in drive_idle after this */
	d->bz_in = in;
	if (d->bz_in || d->ahead)
		par_set_idle(d->par, drive_idle, d);
}

/* The reader at input k: it as the workers left it (0), or not opened yet (1), or failed to open (-1). */
static int ahead_take(struct ahead *a, int k, struct in *in)
{
	int st;

	pthread_mutex_lock(&a->mu);
	a->cur = k;
	while (a->state[k] == A_BUSY)
		pthread_cond_wait(&a->cv, &a->mu);
	st = a->state[k];
	a->state[k] = A_TAKEN;
	pthread_mutex_unlock(&a->mu);
	if (st == A_NONE)
		return 1;
	*in = a->ins[k];
	return st == A_FAILED ? -1 : 0;
}

/* No more reading ahead: the workers out of it, the inputs opened and not taken closed. */
static void ahead_end(struct drive *d, struct ahead *a)
{
	int i;

	pthread_mutex_lock(&a->mu);
	a->stop = 1;	/* no more taken up; par_set_idle waits for those under way */
	pthread_mutex_unlock(&a->mu);
	par_set_idle(d->par, NULL, NULL);
	d->ahead = NULL;
	for (i = 0; i < a->n; i++)
		if (a->state[i] == A_OPEN || a->state[i] == A_DONE || a->state[i] == A_FAILED)
			in_close(&a->ins[i]);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a->ins);
	free(a->state);
	in_ahead_release();
}

static int one_input(struct drive *d, const char *name, struct ahead *a, int k,
		     int (*commit)(void *, const struct par_chunk *, uint64_t), void *cctx)
{
	struct in in;
	int status = EXIT_OK, t = a ? ahead_take(a, k, &in) : 1;

	d->stop = 0;
	d->in_bytes = 0;
	if (t < 0 || (t > 0 && in_open(&in, name, &d->in) < 0)) {
		diag_at(in_display_name(&in), 0, "%s", in.err);
		if (t < 0)
			in_close(&in);
		return EXIT_DATA;
	}
	d->name = in_display_name(&in);
	d->cur = &in;
	in.json = d->json_lines;
	if (in_is_bgzf(&in) && d->nworkers > 1)
		bgzf_helpers(d, &in);
	if (d->prepare && d->prepare(cctx, d, &in) < 0) {
		status = EXIT_DATA;
		goto done;
	}
	if (par_run(d->par, &in, commit, cctx) < 0) {
		status = EXIT_DATA;
		if (!d->stop)	/* not a record: the input itself failed */
			diag_at(d->name, in.lineno, "%s", in.err);
	}
	if (d->out.err == EPIPE) {	/* the reader has all it wanted */
		d->gone = 1;
		status = EXIT_OK;
	}
done:
	if (d->bz_in)
		bgzf_helpers(d, NULL);	/* before in_close: no worker decodes it any more */
	d->in_bytes = in_bytes_read(&in);
	d->cur = NULL;
	in_close(&in);
	return status;
}

int drive_inputs(struct drive *d, char **names, int n,
		 int (*commit)(void *cctx, const struct par_chunk *c, uint64_t first_line),
		 void (*before_each)(void *cctx), void (*after_each)(void *cctx), void *cctx)
{
	struct ahead ahead, *a = NULL;
	int i, status = EXIT_OK;

	/* several inputs and workers: the next ones are opened and inflated ahead by idle workers */
	if (n > 1 && d->nworkers > 1) {
		memset(&ahead, 0, sizeof(ahead));
		ahead.names = names;
		ahead.n = n;
		ahead.window = (int)d->nworkers - 1;
		ahead.opts = &d->in;
		ahead.ins = calloc((size_t)n, sizeof(*ahead.ins));
		ahead.state = calloc((size_t)n, 1);
		if (ahead.ins && ahead.state) {
			pthread_mutex_init(&ahead.mu, NULL);
			pthread_cond_init(&ahead.cv, NULL);
			a = &ahead;
			d->ahead = a;
			par_set_idle(d->par, drive_idle, d);
		} else {
			free(ahead.ins);	/* no memory for it: read as ever */
			free(ahead.state);
		}
	}
	for (i = 0; i < (n ? n : 1) && status == EXIT_OK && !d->gone; i++) {
		if (before_each)
			before_each(cctx);
		status = one_input(d, n ? names[i] : "-", a, i, commit, cctx);
		d->failed = status != EXIT_OK;
		if (after_each)
			after_each(cctx);
	}
	if (a)
		ahead_end(d, a);
	return status;
}

int drive_bad_records(struct drive *d, const struct par_chunk *c, uint64_t first_line)
{
	uint64_t *shown = &d->shown;
	unsigned i;

	d->rejected += c->rejected;
	d->records += c->done;
	d->blank += c->blank;
	if (c->rejects.len && out_write(&d->rej, c->rejects.p, c->rejects.len) < 0) {
		diag("%s: write error: %s", d->rejects, strerror(d->rej.err));
		return d->stop = -1;
	}
	for (i = 0; i < c->nmsgs; i++) {
		if (c->stopped && i == c->nmsgs - 1) {
			diag_at(d->name, first_line + c->msg_line[i], "%s", c->msg[i]);
			return d->stop = -1;
		}
		if ((*shown)++ < DRIVE_MAX_REJECT_MESSAGES)
			diag_at(d->name, first_line + c->msg_line[i], "%s (set aside)", c->msg[i]);
	}
	if (c->rejected > c->nmsgs)
		*shown += c->rejected - c->nmsgs;
	if (cli_signal)
		return d->stop = -1;	/* the chunk's records are out whole: stop here (drive_close says so) */
	if (d->max_rejects_kind == 1 && d->rejected > d->max_rejects) {
		diag_at(d->name, 0, "more than %llu bad record%s (--max-rejects): stopping", (unsigned long long)d->max_rejects,
			d->max_rejects == 1 ? "" : "s");
		return d->stop = -1;
	}
	return 0;
}

/* At the end: too many bad records (a percentage), or nothing but bad ones. EXIT_OK, or EXIT_DATA (said). */
static int rejects_verdict(struct drive *d)
{
	uint64_t n = d->records - d->blank;

	if (!d->rejects || !d->rejected || d->stop)
		return EXIT_OK;
	if (d->rejected >= n) {
		diag("every record read (%llu) was bad: nothing written", (unsigned long long)n);
		return EXIT_DATA;
	}
	if (d->max_rejects_kind == 2 && (double)d->rejected * 100.0 > d->max_rejects_pct * (double)n) {
		diag("%llu of %llu records bad (%.4g%%), more than --max-rejects %g%% allows",
		     (unsigned long long)d->rejected, (unsigned long long)n, 100.0 * (double)d->rejected / (double)n,
		     d->max_rejects_pct);
		return EXIT_DATA;
	}
	return EXIT_OK;
}

int drive_close(struct drive *d, int status)
{
	int st;

	if (d->rejects && d->rej.buf) {
		if (d->rejected > DRIVE_MAX_REJECT_MESSAGES)
			diag("%llu more bad record%s not shown",
			     (unsigned long long)(d->rejected - DRIVE_MAX_REJECT_MESSAGES),
			     d->rejected - DRIVE_MAX_REJECT_MESSAGES == 1 ? "" : "s");
		if (d->rejected)
			diag("%llu bad record%s set aside in %s", (unsigned long long)d->rejected, d->rejected == 1 ? "" : "s",
			     d->rejects);
		if (status == EXIT_OK)
			status = rejects_verdict(d);
		st = cli_close_out(&d->rej);
		if (status == EXIT_OK)
			status = st;
	}
	par_free(d->par);
	d->par = NULL;
	for (; d->nworkers; d->nworkers--)
		if (d->worker_done)
			d->worker_done((char *)d->workers + (d->nworkers - 1) * d->worker_size);
	free(d->workers);
	d->workers = NULL;
	st = d->out.buf ? cli_close_out(&d->out) : EXIT_OK;
	return cli_interrupted(status == EXIT_OK ? st : status);
}

/* ---- --merge ---- */

struct merge_run {
	struct drive *d;
	struct drive_merge *m;
};

static int merge_copy(void *ctx, const char *line, size_t len, const struct scan_marks *marks, struct buf *out,
		      char *why)
{
	return partial_copy_line(ctx, line, len, marks, out, why);
}

static void merge_worker_done(void *ctx)
{
	jobj_free(ctx);
}

static int merge_commit(void *ctx, const struct par_chunk *c, uint64_t first_line)
{
	struct merge_run *mr = ctx;
	struct drive *d = mr->d;
	const char *p = c->out.p, *end = c->out.p + c->out.len, *nl;
	uint64_t k = 0;	/* the record's number in the chunk: its line, par_record_line */

	for (; p < end; p = nl + 1, k++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (mr->m->line(mr->m->ctx, p, (size_t)(nl - p)) < 0) {
			diag_at(d->name, par_record_line(c, first_line, k), "%s", mr->m->why);
			return d->stop = -1;
		}
	}
	return drive_chunk_done(d, c, first_line);
}

static void merge_before(void *ctx)
{
	struct merge_run *mr = ctx;

	mr->m->input(mr->m->ctx);
}

static void merge_after(void *ctx)
{
	struct merge_run *mr = ctx;
	struct drive *d = mr->d;

	if (!d->failed && !d->gone && !mr->m->failed && mr->m->input_done(mr->m->ctx) < 0) {
		diag_at(d->name, 0, "%s", mr->m->why);
		mr->m->failed = 1;
	}
}

void drive_merge_lines(struct drive *d)
{
	if (!d->max_line_given)
		d->in.max_line = (size_t)1 << 40;
}

int drive_merge(struct drive *d, char **names, int n, struct drive_merge *m)
{
	struct merge_run mr = { d, m };
	int status;

	drive_merge_lines(d);
	status = drive_start(d, merge_copy, sizeof(struct jobj), NULL, NULL, merge_worker_done);
	if (status == EXIT_OK)
		status = drive_inputs(d, names, n, merge_commit, merge_before, merge_after, &mr);
	return status == EXIT_OK && m->failed ? EXIT_DATA : status;
}

int drive_chunk_done(struct drive *d, const struct par_chunk *c, uint64_t first_line)
{
	if (drive_bad_records(d, c, first_line) < 0)
		return -1;
	if (c->fatal) {
		diag_at(d->name, 0, "out of memory in a worker thread reading a chunk (-j %u threads; -j 1 needs less)",
			d->threads);
		return d->stop = -1;
	}
	return 0;
}

void drive_say_blank(const struct drive *d)
{
	if (d->blank)
		diag("blank lines %llu: skipped, besides the records read", (unsigned long long)d->blank);
}
