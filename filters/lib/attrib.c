/*
 * attrib.c - the attribution engine: crediting as conversions come, the
 * path-level models and the results at the end, partial results and their
 * merge.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>

#include "attrib.h"
#include "diag.h"
#include "par.h"
#include "pathmodel.h"
#include "sort.h"
#include "spend.h"

/* ---- crediting ---- */

/* A conversion, as a part takes it from its record (struct attrib_rec): the raw JSON texts are for its credits. */
struct attrib_conv {
	struct h128 user;
	int has_user, has_value;
	long long ts;
	struct dec value;			/* has_value; else it counts 1 */
	const char *id, *user_text, *ts_text;	/* event_id, user_id, ts as JSON texts ("null" when absent) */
	size_t id_len, user_len, ts_len;
};

/* Out of memory, saying what this engine (a part, or the whole) holds. */
static int oom(struct attrib *r)
{
	snprintf(r->why, sizeof(r->why), "out of memory with %zu people in the window (%zu MB) and %zu paths",
		 r->jn.active, journeys_bytes(&r->jn) >> 20, r->paths.n);
	return -1;
}

static int by_name(const void *a, const void *b, void *ctx)
{
	const struct chans *ch = ctx;

	return strcmp(ch->name[*(const uint32_t *)a], ch->name[*(const uint32_t *)b]);
}

/* Room for n steps in the scratch arrays, and credit rows for every channel. 0, or -1. */
static int room(struct attrib *r, size_t n)
{
	size_t nch = r->paths.ch.n, i;
	int m;

	if (n > r->scratch_cap) {
		size_t cap = r->scratch_cap ? r->scratch_cap : 64;

		while (cap < n)
			cap *= 2;
		if (!(r->tt = realloc(r->tt, cap * sizeof(*r->tt))) || !(r->ids = realloc(r->ids, cap * sizeof(*r->ids))) ||
		    !(r->w = realloc(r->w, cap * sizeof(*r->w))) || !(r->wc = realloc(r->wc, cap * sizeof(*r->wc))) ||
		    !(r->cc = realloc(r->cc, cap * sizeof(*r->cc))) ||
		    !(r->vparts = realloc(r->vparts, cap * sizeof(*r->vparts))) ||
		    !(r->uparts = realloc(r->uparts, cap * sizeof(*r->uparts))))
			return -1;	/* what was moved stays reachable through the others: freed at the end */
		r->scratch_cap = cap;
	}
	if (nch > r->cr_cap) {
		size_t cap = r->cr_cap ? r->cr_cap : 64;

		while (cap < nch)
			cap *= 2;
		for (m = 0; m < ATTR_NMODELS; m++) {
			struct attrib_credit *c = realloc(r->cr[m], cap * sizeof(*c));

			if (!c)
				return -1;
			memset(c + r->cr_cap, 0, (cap - r->cr_cap) * sizeof(*c));
			r->cr[m] = c;
		}
		{
			uint8_t *d = realloc(r->direct, cap);

			if (!d)
				return -1;
			r->direct = d;
			if (!(d = realloc(r->null_ch, cap)))
				return -1;
			memset(d + r->cr_cap, 0, cap - r->cr_cap);
			r->null_ch = d;
		}
		r->cr_cap = cap;
	}
	for (i = r->direct_n; i < nch; i++)
		r->direct[i] = (uint8_t)attr_direct(r->paths.ch.name[i], r->paths.ch.len[i]);
	r->direct_n = nch;
	return 0;
}

/* The path (touches t[0..n), transformed in r->tt) into the table. 0, -1 (memory), -2 (value overflow). */
static long take_path(struct attrib *r, const struct attr_touch *t, size_t n, long long conv_ts, int *direct)
{
	long k;
	size_t i;

	*direct = 0;
	if (room(r, n + 1) < 0)
		return -1;
	if (n)
		memcpy(r->tt, t, n * sizeof(*t));
	if ((k = attr_transform(r->c->tf, r->tt, n, &r->paths.ch, &r->tmp)) < 0)
		return -1;
	if (k == 0) {	/* no touch: the conversion is direct */
		long id = chans_id(&r->paths.ch, PATHS_DIRECT, strlen(PATHS_DIRECT));

		if (id < 0)
			return -1;
		r->tt[0].ch = (uint32_t)id;
		r->tt[0].ts = conv_ts;
		k = 1;
		*direct = 1;
	}
	for (i = 0; i < (size_t)k; i++)
		r->ids[i] = r->tt[i].ch;
	if (room(r, (size_t)k) < 0)
		return -1;
	return k;
}

static int on_null(void *ctx, const struct attr_touch *t, size_t n)
{
	struct attrib *r = ctx;
	struct dec zero = { 0, 0 };
	int direct;
	long k;

	r->null_paths++;
	if (!r->c->keep_null) {
		/*
		 * Nothing reads the path, but the summary lists every channel
		 * on one (its transform keeps the channels it was given:
		 * keep_null is set for one that does not)
		 */
		if (r->paths.ch.n > r->cr_cap && room(r, 0) < 0)
			return oom(r);
		while (n)
			r->null_ch[t[--n].ch] = 1;
		return 0;
	}
	if (n == 1 && attr_transform_keeps_channels(r->c->tf)) {	/* most: one touch, its own transform */
		uint32_t id = t[0].ch;

		return paths_add(&r->paths, &id, 1, 0, zero, 1) < 0 ? oom(r) : 0;
	}
	if ((k = take_path(r, t, n, 0, &direct)) < 0 || paths_add(&r->paths, r->ids, (uint32_t)k, 0, zero, 1) < 0)
		return oom(r);
	return 0;
}

/*
 * Credit under model m a conversion (value v) along path r->tt[0..n) at
 * ts: the parts per channel into r->cc, r->uparts, r->vparts. The number
 * of channels, or -1 (memory), -2 (value too large).
 */
static long credit(struct attrib *r, int m, size_t n, long long ts, struct dec v, uint64_t times)
{
	size_t k, i;

	attr_weights((enum attr_model)m, &r->c->par, r->tt, n, ts, r->direct, r->w);
	k = attr_by_channel(r->tt, n, r->w, r->cc, r->wc);
	int e;

	if (attr_split((unsigned __int128)ATTR_UNIT * times, r->wc, k, r->uparts) < 0)
		return -1;
	if ((e = attr_split_dec(v, r->wc, k, r->vparts)) != 0)
		return e;
	for (i = 0; i < k; i++) {
		struct attrib_credit *c = &r->cr[m][r->cc[i]];

		c->units += r->uparts[i];
		if (dec_add(&c->value, r->vparts[i]) < 0)
			return -2;
	}
	return (long)k;
}

static const char *const conv_cols[] = { "conversion_id", "user_id", "ts", "model", "channel", "credit", "value" };
static const enum col_kind conv_kinds[] = { COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_NUMBER, COL_MONEY };

static int put_dec(struct buf *b, struct dec d)
{
	char s[DEC_MAX_LEN];

	return buf_add(b, s, dec_format(d, s));
}

/* A conversion's credit records, one per model and channel. 0, or -1. */
static int write_credits(struct attrib *r, int m, long k, const struct attrib_conv *cv)
{
	long i;

	for (i = 0; i < k; i++) {
		int j;

		if (!r->uparts[i] && !r->vparts[i].m)
			continue;	/* a channel on the path the model gives nothing */
		for (j = 0; j < 7; j++)
			r->vals[j].len = 0;
		if (buf_add(&r->vals[0], cv->id, cv->id_len) < 0 || buf_add(&r->vals[1], cv->user_text, cv->user_len) < 0 ||
		    buf_add(&r->vals[2], cv->ts_text, cv->ts_len) < 0 ||
		    json_escape(&r->vals[3], attr_model_names[m], strlen(attr_model_names[m])) < 0 ||
		    buf_addc(&r->vals[4], '"') < 0 ||
		    buf_add(&r->vals[4], r->paths.ch.name[r->cc[i]], r->paths.ch.len[r->cc[i]]) < 0 ||
		    buf_addc(&r->vals[4], '"') < 0 || attr_put_units(&r->vals[5], r->uparts[i]) < 0 ||
		    put_dec(&r->vals[6], r->vparts[i]) < 0)
			return -1;
		for (j = 0; j < 7; j++) {	/* the row, for the commit to write in input order */
			uint32_t n = (uint32_t)r->vals[j].len;

			if (buf_add(r->rows, &n, sizeof(n)) < 0 || buf_add(r->rows, r->vals[j].p, n) < 0)
				return -1;
		}
		r->block_rows++;
	}
	return 0;
}

/* A conversion: its path into the table, each per-conversion model's credit. */
static int convert_one(struct attrib *r, const struct attrib_conv *cv)
{
	const struct attr_touch *t = NULL;
	struct dec v = cv->has_value ? cv->value : (struct dec){ 1, 0 };
	size_t n = 0, block = 0;
	int direct, i, rc;
	long k, nc;

	if (cv->has_user) {
		struct jperson *pp = journeys_person(&r->jn, cv->user, cv->ts);

		if (!pp)
			return r->jn.err ? -1 : oom(r);
		n = journeys_convert(&r->jn, pp, cv->ts, &t);
	}
	if ((k = take_path(r, t, n, cv->ts, &direct)) < 0)
		return oom(r);
	r->conversions++;
	r->direct_conv += (uint64_t)direct;
	r->no_value += !cv->has_value;
	if ((rc = paths_add(&r->paths, r->ids, (uint32_t)k, 1, v, 0)) < 0) {
		if (rc == -1)
			return oom(r);
		goto too_large;
	}
	if (r->collect) {	/* the block of this conversion's rows starts with their count */
		uint32_t zero = 0;

		block = r->rows->len;
		r->block_rows = 0;
		if (buf_add(r->rows, &zero, sizeof(zero)) < 0)
			return oom(r);
	}
	for (i = 0; i < r->c->nmodel; i++) {
		int m = r->c->model[i];

		if (!attr_per_conversion(m))
			continue;
		if ((nc = credit(r, m, (size_t)k, cv->ts, v, 1)) == -1)
			return oom(r);
		if (nc < 0)
			goto too_large;
		if (r->collect && write_credits(r, m, nc, cv) < 0)
			return oom(r);
	}
	if (r->collect)
		memcpy(r->rows->p + block, &r->block_rows, sizeof(r->block_rows));
	return 0;
too_large:
	snprintf(r->why, sizeof(r->why), "%.60s: the value, or a sum of values, does not fit in 38 digits",
		 r->c->value_field);
	return -1;
}

static int touch_one(struct attrib *r, struct h128 user, long long ts, const char *ch, size_t n, struct h128 chh)
{
	struct jperson *pp = journeys_person(&r->jn, user, ts);
	long id;

	if (!pp)
		return r->jn.err ? -1 : oom(r);
	r->touches++;
	if ((id = chans_id_hashed(&r->paths.ch, ch, n, chh)) < 0 || journeys_touch(&r->jn, pp, ts, (uint32_t)id) < 0)
		return oom(r);
	return 0;
}

/* ---- parts: people split by their hash, each part an engine of its own ---- */

struct attrib_shard {
	struct attrib e;	/* its people, paths and credits */
	unsigned q;		/* its number: its credit records go to a chunk's part_out[q] */
	int rc;			/* it failed (e.why set): it takes no more records */
};

/*
 * What a part prefetches before it reaches a record: the record itself
 * (a part's records are an eighth or less of the chunk's, too far apart
 * for the hardware to see a stream), then its person's index slot, then
 * (the slot loaded by then) their row.
 */
#define ATTRIB_PREFETCH_REC 16	/* records ahead whose header starts loading */
#define ATTRIB_PREFETCH_SLOT 8	/* records ahead whose person's index slot starts loading */
#define ATTRIB_PREFETCH_ROW 4	/* ... and their row */
static struct h128 user_at(const struct par_chunk *c, uint32_t off)
{
	struct h128 u;

	memcpy(&u, c->out.p + off + offsetof(struct attrib_rec, user), sizeof(u));
	return u;
}

int attrib_part(void *pctx, struct par_chunk *c, const uint32_t *offs, size_t n)
{
	struct attrib_shard *sh = pctx;
	struct attrib *e = &sh->e;
	struct attrib_rec h;
	size_t i;
	int rc;

	if (sh->rc)
		return 0;	/* it failed on an earlier chunk, whose commit stops the run */
	e->rows = c->nparts ? &c->part_out[sh->q] : NULL;
	for (i = 0; i < n && i < ATTRIB_PREFETCH_REC; i++)
		__builtin_prefetch(c->out.p + offs[i]);
	for (i = 0; i < n && i < ATTRIB_PREFETCH_SLOT; i++)
		journeys_prefetch_slot(&e->jn, user_at(c, offs[i]));
	for (i = 0; i < n; i++) {
		char *p = c->out.p + offs[i];

		if (i + ATTRIB_PREFETCH_REC < n)
			__builtin_prefetch(c->out.p + offs[i + ATTRIB_PREFETCH_REC]);
		if (i + ATTRIB_PREFETCH_SLOT < n)
			journeys_prefetch_slot(&e->jn, user_at(c, offs[i + ATTRIB_PREFETCH_SLOT]));
		if (i + ATTRIB_PREFETCH_ROW < n)
			journeys_prefetch_row(&e->jn, user_at(c, offs[i + ATTRIB_PREFETCH_ROW]));
		memcpy(&h, p, sizeof(h));
		if (h.kind == ATTRIB_TOUCH) {
			rc = touch_one(e, h.user, h.ts, p + sizeof(h), h.ch_len, h.chh);
		} else {
			const char *t = p + sizeof(h) + h.ch_len;	/* after the value */
			struct attrib_conv cv = { h.user, h.has_user, h.has_value, h.ts, { 0, 0 },
						  t, t + h.id_len, t + h.id_len + h.user_len, h.id_len, h.user_len, h.ts_len };

			memcpy(&cv.value, p + sizeof(h), sizeof(cv.value));
			rc = convert_one(e, &cv);
		}
		if (rc < 0) {	/* the record says so to the commit, which gives its line */
			p[offsetof(struct attrib_rec, kind)] = ATTRIB_FAILED;
			sh->rc = -1;
			return 0;
		}
	}
	return 0;
}

static struct attrib_shard *shard(const struct attrib *a, unsigned i)
{
	return a->pctx[i];
}

static int shards_end(struct attrib *a, int merge);

int attrib_parts(struct attrib *a, unsigned threads)
{
	unsigned i, nparts = par_nparts(threads, ATTRIB_PARTS_PER_THREAD, ATTRIB_PARTS_MIN, ATTRIB_MAX_PARTS);

	if (par_calloc_parts(nparts, sizeof(struct attrib_shard), &a->part_mem, &a->pctx) < 0) {
		snprintf(a->why, sizeof(a->why), "out of memory starting %u parts", nparts);
		return -1;
	}
	/* on failure the parts are taken down again (shards_end): each is zero or initialised */
	a->nparts = nparts;
	for (i = 0; i < nparts; i++) {
		struct attrib_shard *sh = shard(a, i);

		sh->q = i;
		if (attrib_init(&sh->e, a->c) < 0) {
			shards_end(a, 0);
			snprintf(a->why, sizeof(a->why), "out of memory starting %u parts", nparts);
			return -1;
		}
		sh->e.collect = a->w_open;
	}
	if (!(a->row_at = calloc(nparts, sizeof(*a->row_at)))) {
		shards_end(a, 0);
		snprintf(a->why, sizeof(a->why), "out of memory starting %u parts", nparts);
		return -1;
	}
	return 0;
}

/* The credit records of a conversion, the block at *at of a part's output; *at moves past it. 0, or -1. */
static int write_block(struct attrib *a, const struct buf *b, size_t *at)
{
	const char *p = b->p + *at;
	uint32_t nrows, len, k;
	int j;

	memcpy(&nrows, p, sizeof(nrows));
	p += sizeof(nrows);
	for (k = 0; k < nrows; k++) {
		for (j = 0; j < 7; j++) {
			memcpy(&len, p, sizeof(len));
			a->vals[j].len = 0;
			if (buf_add(&a->vals[j], p + sizeof(len), len) < 0)
				return oom(a);
			p += sizeof(len) + len;
		}
		if (writer_row(&a->w_conv, a->vals) < 0) {
			if (!a->w_conv.out->err)
				return oom(a);
			snprintf(a->why, sizeof(a->why), "cannot write the credits");
			return -1;
		}
	}
	*at = (size_t)(p - b->p);
	return 0;
}

void attrib_note_chunk(struct attrib_note *nt, struct par_chunk *c)
{
	memcpy(c->note, nt, sizeof(*nt));
	memset(nt, 0, sizeof(*nt));
}

/* The commit's message for a ts back from newest. */
static void went_back(struct attrib *a, long long ts, long long newest)
{
	snprintf(a->why, sizeof(a->why), "ts goes back %.3f s behind the newest so far: attribution "
		 "needs events in time order (vchain-sort; --tolerance)", (double)(newest - ts) / 1000);
}

/*
 * attrib_commit from the chunk's note alone, when no credit record is
 * written: 1 when done (0 written to *rc: the chunk is fine, or -1 with
 * *line), 0 when the records must be read (a part failed on one, or the
 * earliest ts is behind the newest before the chunk: which record, only
 * the reading says).
 */
static int commit_noted(struct attrib *a, const struct par_chunk *c, uint64_t first_line, uint64_t *line, int *rc)
{
	long long tol = a->c->tolerance_ms;
	struct attrib_note nt;
	unsigned q;

	memcpy(&nt, c->note, sizeof(nt));
	for (q = 0; q < a->nparts; q++)
		if (shard(a, q)->rc)
			return 0;
	if (!nt.n)
		return *rc = 0, 1;
	if (a->have_newest && nt.min_ts < a->newest - tol)
		return 0;
	if (nt.has_back) {	/* the first: none is behind the newest before the chunk */
		went_back(a, nt.back_ts, a->have_newest && a->newest > nt.back_newest ? a->newest : nt.back_newest);
		*line = par_record_line(c, first_line, nt.back_k);
		return *rc = -1, 1;
	}
	a->read += nt.n;
	a->others += nt.others;
	a->anon_touches += nt.anon;
	if (!a->have_newest || nt.max_ts > a->newest)
		a->newest = nt.max_ts;
	a->have_newest = 1;
	return *rc = 0, 1;
}

int attrib_commit(struct attrib *a, const struct par_chunk *c, uint64_t first_line, uint64_t *line)
{
	const char *p = c->out.p, *end = c->out.p + c->out.len;
	uint64_t k = 0;		/* the record's number in the chunk: its line, par_record_line */
	struct attrib_rec h;
	unsigned q;
	int rc;

	*line = 0;
	if (a->noted && !a->w_open && commit_noted(a, c, first_line, line, &rc))
		return rc;
	if (a->w_open)
		memset(a->row_at, 0, a->nparts * sizeof(*a->row_at));
	for (; p < end; p += ATTRIB_REC_LEN(h), k++) {
		memcpy(&h, p, sizeof(h));
		a->read++;
		if (a->have_newest && h.ts < a->newest - a->c->tolerance_ms) {
			went_back(a, h.ts, a->newest);
			*line = par_record_line(c, first_line, k);
			return -1;
		}
		if (!a->have_newest || h.ts > a->newest)
			a->newest = h.ts;
		a->have_newest = 1;
		q = attrib_part_of(&h, a->nparts);
		if (h.kind == ATTRIB_OTHER) {
			a->others++;
		} else if (h.kind == ATTRIB_TOUCH) {
			a->anon_touches += !h.has_user;
		} else if (h.kind == ATTRIB_FAILED) {
			memcpy(a->why, shard(a, q)->e.why, sizeof(a->why));
			*line = par_record_line(c, first_line, k);
			return -1;
		} else if (a->w_open && write_block(a, &c->part_out[q], &a->row_at[q]) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Part s's paths, credits and counts into a, channels matched by name. 0, or -1. */
static int absorb(struct attrib *a, struct attrib *s)
{
	size_t i, nch = s->paths.ch.n;
	uint32_t *map = malloc((nch ? nch : 1) * sizeof(*map)), j;
	long id;
	int m;

	if (!map)
		return oom(a);
	for (i = 0; i < nch; i++) {
		if ((id = chans_id(&a->paths.ch, s->paths.ch.name[i], s->paths.ch.len[i])) < 0)
			goto fail;
		map[i] = (uint32_t)id;
	}
	for (i = 0; i < s->paths.n; i++) {
		const struct path_row *pr = &s->paths.row[i];
		const uint32_t *st = paths_steps(&s->paths, pr);

		if (room(a, pr->n) < 0)
			goto fail;
		for (j = 0; j < pr->n; j++)
			a->ids[j] = map[st[j]];
		if (paths_add(&a->paths, a->ids, pr->n, pr->conv, pr->value, pr->null) < 0)
			goto fail;
	}
	if (room(a, 0) < 0)
		goto fail;
	for (i = 0; i < nch && i < s->cr_cap; i++)
		a->null_ch[map[i]] |= s->null_ch[i];
	for (m = 0; m < ATTR_NMODELS; m++)
		for (i = 0; i < nch && i < s->cr_cap; i++) {
			a->cr[m][map[i]].units += s->cr[m][i].units;
			if (dec_add(&a->cr[m][map[i]].value, s->cr[m][i].value) < 0)
				goto fail;
		}
	a->touches += s->touches;
	a->conversions += s->conversions;
	a->direct_conv += s->direct_conv;
	a->no_value += s->no_value;
	a->null_paths += s->null_paths;
	a->jn.touches_aged += s->jn.touches_aged;
	a->jn.peak += s->jn.peak;
	a->people_bytes += s->people_bytes;
	free(map);
	return 0;
fail:
	free(map);
	return oom(a);
}

/* The parts taken down; with merge (after attrib_finish ended their journeys), their results into a. 0, or -1. */
static int shards_end(struct attrib *a, int merge)
{
	unsigned i;
	int rc = 0;

	for (i = 0; i < a->nparts && a->pctx[i]; i++) {	/* each freed once merged */
		if (merge && rc == 0)
			rc = absorb(a, &shard(a, i)->e);
		attrib_free(&shard(a, i)->e);
	}
	free(a->part_mem);
	free(a->pctx);
	free(a->row_at);
	a->part_mem = NULL;
	a->pctx = NULL;
	a->row_at = NULL;
	a->nparts = 0;
	return rc;
}

int attrib_init(struct attrib *r, struct attrib_cfg *c)
{
	memset(r, 0, sizeof(*r));
	r->c = c;
	journeys_init(&r->jn, c->lookback_ms, on_null, r);
	return room(r, 1) < 0 ? oom(r) : 0;
}

int attrib_open_credits(struct attrib *r, struct out *out)
{
	unsigned i;

	if (writer_open(&r->w_conv, out, r->c->format, 7, conv_cols, conv_kinds) < 0)
		return oom(r);
	r->w_open = 1;
	for (i = 0; i < r->nparts; i++)
		shard(r, i)->e.collect = 1;
	return 0;
}

/* Part i's people's last journeys (par_each: the parts at once). */
static void finish_part(void *ctx, unsigned i)
{
	struct attrib_shard *sh = shard(ctx, i);

	if (!sh->rc && journeys_finish(&sh->e.jn) < 0)
		sh->rc = -1;
	sh->e.people_bytes = journeys_bytes(&sh->e.jn);
}

int attrib_finish(struct attrib *r, struct par *p)
{
	unsigned i;
	int rc = 0;

	if (r->nparts) {
		par_each(p, r->nparts, finish_part, r);
		for (i = 0; i < r->nparts && rc == 0; i++)
			if (shard(r, i)->rc) {
				memcpy(r->why, shard(r, i)->e.why, sizeof(r->why));
				rc = -1;
			}
		if (rc == 0)
			rc = shards_end(r, 1);
	}	/* no parts: attrib_parts failed, and nothing was read */
	if (r->w_open) {
		r->w_open = 0;
		if (writer_close(&r->w_conv) < 0 && rc == 0) {
			if (r->w_conv.out->err)
				snprintf(r->why, sizeof(r->why), "cannot write the credits");
			else
				oom(r);
			rc = -1;
		}
	}
	return rc;
}

int attrib_read_paths(struct attrib *r, const char *path)
{
	uint64_t line;
	int k = paths_read_csv(&r->paths, path, r->why, &line);

	if (k == -1) {
		diag_at(path, line, "%s", r->why);
		return -1;
	}
	if (k == -2 || room(r, 1) < 0) {
		diag("out of memory");
		return -1;
	}
	return 0;
}

/* ---- partial results ---- */

static int header(const struct attrib_cfg *o, struct buf *b)
{
	int i;

	if (partial_header_begin(b) < 0 || buf_adds(b, ",\"tool\":\"vchain-attribute\",\"models\":[") < 0)
		return -1;
	for (i = 0; i < o->nmodel; i++)
		if ((i && buf_addc(b, ',') < 0) ||
		    json_escape(b, attr_model_names[o->model[i]], strlen(attr_model_names[o->model[i]])) < 0)
			return -1;
	if (buf_adds(b, "],\"by\":[") < 0)
		return -1;
	for (i = 0; i < o->nby; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, o->by[i], strlen(o->by[i])) < 0)
			return -1;
	if (buf_adds(b, "],\"conversion\":[") < 0)
		return -1;
	for (i = 0; i < o->nconv; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, o->conv[i], strlen(o->conv[i])) < 0)
			return -1;
	if (buf_adds(b, "],\"touch\":[") < 0)
		return -1;
	for (i = 0; i < o->ntouch; i++)
		if ((i && buf_addc(b, ',') < 0) || json_escape(b, o->touch[i], strlen(o->touch[i])) < 0)
			return -1;
	char s[512];

	snprintf(s, sizeof(s), "],\"value_field\":");
	if (buf_adds(b, s) < 0 || json_escape(b, o->value_field, strlen(o->value_field)) < 0)
		return -1;
	snprintf(s, sizeof(s), ",\"transform\":\"%s\",\"lookback_ms\":%lld,\"half_life_ms\":%lld,"
		 "\"position\":[%.17g,%.17g,%.17g],\"order\":%d}\n", attr_transform_names[o->tf], o->lookback_ms,
		 o->par.half_life_ms, o->par.pos[0], o->par.pos[1], o->par.pos[2], o->order);
	return buf_adds(b, s);
}

int attrib_write_partial(struct attrib *r, struct out *out)
{
	struct partial_out po = { NULL, 0 };
	struct buf b = BUF_INIT;
	size_t *order = NULL, i, nch = r->paths.ch.n;
	uint32_t j, *byname = NULL;
	int m, k, rc = -1;

	if (header(r->c, &b) < 0 || partial_out_begin(&po, out, b.p, b.len) < 0 ||
	    paths_order(&r->paths, &order) < 0 || room(r, 0) < 0 ||
	    !(byname = malloc((nch ? nch : 1) * sizeof(*byname))))
		goto done;
	for (i = 0; i < nch; i++)
		byname[i] = (uint32_t)i;
	if (sort_stable(byname, nch, sizeof(*byname), by_name, &r->paths.ch) < 0)
		goto done;
	for (i = 0; i < r->paths.n; i++) {
		const struct path_row *pr = &r->paths.row[order[i]];
		const uint32_t *st = paths_steps(&r->paths, pr);

		b.len = 0;
		if (buf_adds(&b, "{\"p\":[") < 0)
			goto done;
		for (j = 0; j < pr->n; j++)
			if ((j && buf_addc(&b, ',') < 0) || buf_addc(&b, '"') < 0 ||
			    buf_add(&b, r->paths.ch.name[st[j]], r->paths.ch.len[st[j]]) < 0 || buf_addc(&b, '"') < 0)
				goto done;
		if (buf_adds(&b, "],\"c\":") < 0 || json_put_uint(&b, pr->conv) < 0 || buf_adds(&b, ",\"v\":") < 0 ||
		    partial_put_dec(&b, pr->value) < 0 || buf_adds(&b, ",\"n\":") < 0 || json_put_uint(&b, pr->null) < 0 ||
		    buf_adds(&b, "}\n") < 0 || partial_out_line(&po, out, b.p, b.len) < 0)
			goto done;
	}
	for (k = 0; k < r->c->nmodel; k++) {
		m = r->c->model[k];
		if (!attr_per_conversion(m))
			continue;
		for (i = 0; i < nch; i++) {	/* by name: the same bytes whatever ids the channels got */
			uint32_t ch = byname[i];
			const struct attrib_credit *c = &r->cr[m][ch];

			if (!c->units && !c->value.m)
				continue;
			b.len = 0;
			if (buf_adds(&b, "{\"m\":\"") < 0 || buf_adds(&b, attr_model_names[m]) < 0 ||
			    buf_adds(&b, "\",\"ch\":\"") < 0 ||
			    buf_add(&b, r->paths.ch.name[ch], r->paths.ch.len[ch]) < 0 || buf_adds(&b, "\",\"u\":\"") < 0 ||
			    attr_put_units(&b, c->units) < 0 || buf_adds(&b, "\",\"v\":") < 0 ||
			    partial_put_dec(&b, c->value) < 0 || buf_adds(&b, "}\n") < 0 ||
			    partial_out_line(&po, out, b.p, b.len) < 0)
				goto done;
		}
	}
	rc = partial_out_end(&po, out);
done:
	if (po.h)
		XXH3_freeState(po.h);
	free(byname);
	free(order);
	buf_free(&b);
	if (rc < 0 && !out->err)
		diag("out of memory");
	return rc;
}

/* Units written by attr_put_units back: "12.5" -> 12500000000. 0, or -1. */
static int get_units(const struct jfield *f, unsigned __int128 *u)
{
	struct dec d;
	int s;

	if (!f || f->type != J_STR || dec_parse(f->val, f->vlen, &d) < 0 || d.m < 0 || d.scale > 9)
		return -1;
	for (s = d.scale; s < 9; s++)
		d.m *= 10;
	*u = (unsigned __int128)d.m;
	return 0;
}

/* The first header: models and order from it. 0, or -1. */
static int configure(struct attrib *r, const struct jobj *h)
{
	const struct jfield *m = jobj_get(h, "models", 6), *ord = jobj_get(h, "order", 5);
	struct jobj arr = JOBJ_INIT;
	int k, rc = -1;
	size_t i;

	r->c->nmodel = 0;
	if (!m || m->type != J_ARR || !ord || ord->type != J_NUM || json_scan_array(m->val, m->vlen, &arr) != 0)
		goto done;
	for (i = 0; i < arr.n; i++) {
		int j;

		if (arr.f[i].type != J_STR || (k = attr_model_of(arr.f[i].val, arr.f[i].vlen)) < 0 ||
		    r->c->nmodel == ATTR_NMODELS)
			goto done;
		for (j = 0; j < r->c->nmodel; j++)
			if (r->c->model[j] == k)
				goto done;	/* a model twice: no header vchain-attribute writes (fuzz_merge) */
		r->c->model[r->c->nmodel++] = k;
	}
	r->c->order = atoi(ord->val);
	if (r->c->order < 1 || r->c->order > MARKOV_MAX_ORDER)
		goto done;
	r->configured = 1;
	rc = 0;
done:
	jobj_free(&arr);
	return rc;
}

int attrib_merge_line(struct attrib *r, const char *line, size_t len)
{
	struct jobj *obj = &r->jo[0], *arr = &r->jo[1];
	const struct jfield *f;
	char *why = r->why;
	long id;
	size_t i;

	if (json_scan_object(line, len, obj) != 0) {
		snprintf(why, sizeof(r->why), "not a JSON object");
		goto bad;
	}
	switch (partial_line(&r->pin, obj, line, len, "vchain-attribute",
			     "attribution (the models or options differ from the first input's)", why)) {
	case PARTIAL_FIRST:
		if (configure(r, obj) < 0) {
			snprintf(why, sizeof(r->why), "a partial header this version cannot read");
			goto bad;
		}
		return 0;
	case PARTIAL_AGAIN:
	case PARTIAL_END:
		return 0;
	case PARTIAL_BAD:
		goto bad;
	default:
		break;
	}
	if ((f = jobj_get(obj, "p", 1))) {
		uint64_t conv, null;
		struct dec v;

		if (f->type != J_ARR || json_scan_array(f->val, f->vlen, arr) != 0 || arr->n == 0 ||
		    partial_get_u64(jobj_get(obj, "c", 1), &conv) < 0 || partial_get_u64(jobj_get(obj, "n", 1), &null) < 0 ||
		    partial_get_dec(jobj_get(obj, "v", 1), &v) < 0 || room(r, arr->n) < 0)
			goto shape;
		for (i = 0; i < arr->n; i++) {
			if (arr->f[i].type != J_STR || (id = chans_id(&r->paths.ch, arr->f[i].val, arr->f[i].vlen)) < 0)
				goto shape;
			r->ids[i] = (uint32_t)id;
		}
		if (paths_add(&r->paths, r->ids, (uint32_t)arr->n, conv, v, null) < 0)
			goto shape;
		return room(r, 0) < 0 ? oom(r) : 0;
	}
	if ((f = jobj_get(obj, "m", 1))) {
		const struct jfield *ch = jobj_get(obj, "ch", 2);
		unsigned __int128 u;
		struct dec v;
		int m;

		if (f->type != J_STR || (m = attr_model_of(f->val, f->vlen)) < 0 || !attr_per_conversion(m) || !ch ||
		    ch->type != J_STR || get_units(jobj_get(obj, "u", 1), &u) < 0 ||
		    partial_get_dec(jobj_get(obj, "v", 1), &v) < 0 ||
		    (id = chans_id(&r->paths.ch, ch->val, ch->vlen)) < 0 || room(r, 0) < 0)
			goto shape;
		r->cr[m][id].units += u;
		if (dec_add(&r->cr[m][id].value, v) < 0)
			goto shape;
		return 0;
	}
shape:
	snprintf(why, sizeof(r->why), "a line that is not what vchain-attribute's partial results hold");
bad:
	return -1;
}

void attrib_merge_input(struct attrib *r)
{
	partial_next_input(&r->pin);
}

int attrib_merge_input_done(struct attrib *r)
{
	return partial_input_done(&r->pin, r->why);
}

/* ---- the summary ---- */

struct srow {
	uint32_t ch;
	unsigned __int128 units;
	struct dec value;
};

static int by_credit(const void *a, const void *b, void *ctx)
{
	const struct srow *x = a, *y = b;
	const struct chans *ch = ctx;

	if (x->units != y->units)
		return x->units > y->units ? -1 : 1;
	return strcmp(ch->name[x->ch], ch->name[y->ch]);
}

/*
 * The path-level model m's credit by channel into r->cr[m], from weights
 * by channel id; the channels on paths in the order of their names
 * (byname[0..n)), so a tie goes the same way in one pass and in a merge.
 * 0, -1, -2.
 */
static int share_out(struct attrib *r, int m, const double *weight, const uint32_t *byname, size_t n, long drow)
{
	const struct path_row *d = drow >= 0 ? &r->paths.row[drow] : NULL;
	uint64_t conv = r->paths.conv - (d ? d->conv : 0);
	struct dec value = r->paths.value;
	size_t i, k = 0;
	int e;

	if (d) {	/* the conversions without touches are (direct)'s, as they are */
		struct dec minus = { -d->value.m, d->value.scale };
		uint32_t id = paths_steps(&r->paths, d)[0];

		if (dec_add(&value, minus) < 0)
			return -2;
		r->cr[m][id].units = (unsigned __int128)ATTR_UNIT * d->conv;
		r->cr[m][id].value = d->value;
	}
	for (i = 0; i < n; i++) {
		r->cc[k] = byname[i];
		r->wc[k++] = weight[byname[i]];
	}
	if (!k)
		return 0;
	if (attr_split((unsigned __int128)ATTR_UNIT * conv, r->wc, k, r->uparts) < 0)
		return -1;
	if ((e = attr_split_dec(value, r->wc, k, r->vparts)) != 0)
		return e;
	for (i = 0; i < k; i++) {
		r->cr[m][r->cc[i]].units += r->uparts[i];
		if (dec_add(&r->cr[m][r->cc[i]].value, r->vparts[i]) < 0)
			return -2;
	}
	return 0;
}

/* --from-paths: the per-conversion models' credit, path by path. 0, -1, -2. */
static int credit_paths(struct attrib *r)
{
	size_t i, n;
	int k;
	long nc;

	for (i = 0; i < r->paths.n; i++) {
		const struct path_row *pr = &r->paths.row[i];

		if (!pr->conv)
			continue;
		n = pr->n;
		if (room(r, n) < 0)
			return -1;
		for (size_t j = 0; j < n; j++) {
			r->tt[j].ch = paths_steps(&r->paths, pr)[j];
			r->tt[j].ts = 0;
		}
		for (k = 0; k < r->c->nmodel; k++)
			if (attr_per_conversion(r->c->model[k]) &&
			    (nc = credit(r, r->c->model[k], n, 0, pr->value, pr->conv)) < 0)
				return (int)nc;
	}
	return 0;
}

static const char *const sum_cols[] = { "model", "channel", "conversions", "value", "share", "removal_effect",
					"spend", "roas", "cost_per_conversion" };
static const enum col_kind sum_kinds[] = { COL_TEXT, COL_TEXT, COL_NUMBER, COL_MONEY, COL_RATIO, COL_NUMBER,
					   COL_MONEY, COL_FACTOR, COL_MONEY };

/* Spend by channel id (dates summed), from the table; has[id] says which channels have a row. */
static int spend_by_channel(struct attrib *r, const struct spend *sp, struct dec *spend, uint8_t *has)
{
	size_t i;
	uint64_t *v;

	for (i = 0; i < sp->n; i++) {
		long id;

		if (!sp->row[i].key)
			continue;
		/* only channels on some path: a lookup that makes no new channel */
		v = htab_get(&r->paths.ch.idx, hash128(sp->row[i].key, strlen(sp->row[i].key)));
		if (!v)
			continue;
		id = (long)*v - 1;
		if (dec_add(&spend[id], sp->row[i].spend) < 0)
			return -2;
		has[id] = 1;
	}
	return 0;
}

int attrib_write_summary(struct attrib *r, struct out *out)
{
	const struct attrib_cfg *o = r->c;
	size_t nch = r->paths.ch.n, i, n;
	struct markov_result mr = { 0, NULL, 0, 0, 0 };
	double *phi = NULL, *wt = NULL;
	uint8_t *used = NULL, *has = NULL;
	struct dec *spend = NULL;
	struct srow *rows = NULL;
	struct spend sp;
	struct writer w;
	size_t *order = NULL, nused = 0;
	long drow = paths_direct_row(&r->paths);
	uint32_t *byname = NULL;
	char err[200], s[64];
	int k, rc = -1, m, ncol = o->spend_path ? 9 : 6, w_open = 0, sr, skip_shapley = 0;

	memset(&sp, 0, sizeof(sp));
	if (o->spend_path) {
		if ((sr = spend_load(&sp, o->spend_path)) < 0) {
			if (sr == -2)
				diag("out of memory");
			else
				diag_at(o->spend_path, sp.err_line, "%s", sp.err);
			spend_free(&sp);
			return -1;
		}
		if (o->nby != 1 || strcmp(o->by[0], sp.col)) {
			diag("--spend: %s gives spend by %s, so attribute --by %s", o->spend_path, sp.col, sp.col);
			spend_free(&sp);
			return -1;
		}
	}
	if (room(r, nch + 1) < 0 || !(used = calloc(nch + 1, 1)) || !(rows = calloc(nch + 1, sizeof(*rows))) ||
	    !(wt = calloc(nch + 1, sizeof(*wt))) || !(spend = calloc(nch + 1, sizeof(*spend))) ||
	    !(has = calloc(nch + 1, 1)) || !(byname = calloc(nch + 1, sizeof(*byname))) ||
	    paths_order(&r->paths, &order) < 0)
		goto oom;
	for (i = 0; i < r->paths.n; i++)
		for (uint32_t j = 0; j < r->paths.row[i].n; j++)
			used[paths_steps(&r->paths, &r->paths.row[i])[j]] = 1;
	for (i = 0; i < nch; i++) {
		used[i] |= r->null_ch[i];	/* room() made null_ch's nch */
		if (used[i])
			byname[nused++] = (uint32_t)i;
	}
	if (sort_stable(byname, nused, sizeof(*byname), by_name, &r->paths.ch) < 0)
		goto oom;
	if (o->spend_path && spend_by_channel(r, &sp, spend, has) < 0)
		goto too_large;
	if (o->from_paths && (k = credit_paths(r)) < 0) {
		if (k == -1)
			goto oom;
		goto too_large;
	}
	for (k = 0; k < o->nmodel; k++) {
		m = o->model[k];
		if (m == ATTR_MARKOV) {
			if ((sr = markov_removal(&r->paths, order, drow, o->order, &mr, err)) == -1)
				goto oom;
			if (sr < 0) {
				diag("%s", err);
				goto done;
			}
			for (i = 0; i < nch; i++)
				wt[i] = mr.re[i];
		} else if (m == ATTR_SHAPLEY) {
			if (!(phi = calloc(nch + 1, sizeof(*phi))))
				goto oom;
			if ((sr = shapley_values(&r->paths, drow, phi, err)) == -1)
				goto oom;
			if (sr < 0 && !o->models_given) {	/* all models by default: all that can be */
				diag("shapley left out: %s", err);
				skip_shapley = 1;
				continue;
			}
			if (sr < 0) {
				diag("%s", err);
				goto done;
			}
			for (i = 0; i < nch; i++)
				wt[i] = phi[i];
		} else {
			continue;
		}
		if ((sr = share_out(r, m, wt, byname, nused, drow)) == -1)
			goto oom;
		if (sr < 0)
			goto too_large;
	}
	if (writer_open(&w, out, o->format, ncol, sum_cols, sum_kinds) < 0)
		goto write_failed;
	w_open = 1;
	for (k = 0; k < o->nmodel; k++) {
		m = o->model[k];
		if (m == ATTR_SHAPLEY && skip_shapley)
			continue;
		for (n = 0, i = 0; i < nch; i++)
			if (used[i]) {
				rows[n].ch = (uint32_t)i;
				rows[n].units = r->cr[m][i].units;
				rows[n].value = r->cr[m][i].value;
				/* no credit: 0 at the scale of the whole (0.00), as the column's other cells */
				if (rows[n].value.m == 0 && rows[n].value.scale < r->paths.value.scale)
					rows[n].value.scale = r->paths.value.scale;
				n++;
			}
		if (sort_stable(rows, n, sizeof(*rows), by_credit, &r->paths.ch) < 0)
			goto oom;
		for (i = 0; i < n; i++) {
			struct buf *v = r->vals;
			uint32_t ch = rows[i].ch;
			int j;

			for (j = 0; j < 7; j++)
				v[j].len = 0;
			if (json_escape(&v[0], attr_model_names[m], strlen(attr_model_names[m])) < 0 ||
			    buf_addc(&v[1], '"') < 0 || buf_add(&v[1], r->paths.ch.name[ch], r->paths.ch.len[ch]) < 0 ||
			    buf_addc(&v[1], '"') < 0 || attr_put_units(&v[2], rows[i].units) < 0 ||
			    put_dec(&v[3], rows[i].value) < 0 ||
			    json_put_double(&v[4], r->paths.conv ? (double)(long double)rows[i].units /
								  ((long double)ATTR_UNIT * r->paths.conv) : 0) < 0)
				goto oom;
			if (m == ATTR_MARKOV) {
				snprintf(s, sizeof(s), "%.12g", mr.re[ch]);
				if (buf_adds(&v[5], s) < 0)
					goto oom;
			} else if (buf_adds(&v[5], "null") < 0) {
				goto oom;
			}
			if (o->spend_path) {
				/* three more columns: the writer reads vals[0..9) */
				struct buf extra[9];

				memcpy(extra, v, 6 * sizeof(*v));
				memset(extra + 6, 0, 3 * sizeof(*v));
				if (has[ch]) {
					long double sv = dec_to_long_double(spend[ch]);
					long double val = dec_to_long_double(rows[i].value);
					long double conv = (long double)rows[i].units / ATTR_UNIT;

					if (put_dec(&extra[6], spend[ch]) < 0 ||
					    (sv > 0 ? json_put_double(&extra[7], (double)(val / sv))
						    : buf_adds(&extra[7], "null")) < 0 ||
					    (conv > 0 ? json_put_double(&extra[8], (double)(sv / conv))
						      : buf_adds(&extra[8], "null")) < 0) {
						for (j = 6; j < 9; j++)
							buf_free(&extra[j]);
						goto oom;
					}
				} else if (buf_adds(&extra[6], "null") < 0 || buf_adds(&extra[7], "null") < 0 ||
					   buf_adds(&extra[8], "null") < 0) {
					for (j = 6; j < 9; j++)
						buf_free(&extra[j]);
					goto oom;
				}
				sr = writer_row(&w, extra);
				for (j = 6; j < 9; j++)
					buf_free(&extra[j]);
				if (sr < 0)
					goto write_failed;
			} else if (writer_row(&w, v) < 0) {
				goto write_failed;
			}
		}
	}
	if (o->stats && mr.states)
		diag("markov: order %d, %zu states, %zu transitions, solved by %s", o->order, mr.states, mr.transitions,
		     mr.dense ? "elimination" : "Gauss-Seidel");
	rc = 0;
	goto done;
too_large:
	diag("a value's share, or a sum of values, does not fit in 38 digits");
	goto done;
oom:
	diag("out of memory");
	goto done;
write_failed:	/* a write error is said when the output is closed; else memory ran out */
	if (!out->err)
		diag("out of memory");
done:
	if (w_open && writer_close(&w) < 0 && rc == 0) {
		if (!out->err)
			diag("out of memory");
		rc = -1;
	}
	markov_result_free(&mr);
	spend_free(&sp);
	free(phi);
	free(wt);
	free(used);
	free(has);
	free(spend);
	free(rows);
	free(order);
	free(byname);
	return rc;
}

static const char *const path_cols[] = { "path", "total_conversions", "total_conversion_value", "total_null" };
static const enum col_kind path_kinds[] = { COL_TEXT, COL_COUNT, COL_MONEY, COL_COUNT };

int attrib_write_paths(struct attrib *r, struct out *out)
{
	struct writer w;
	size_t *order = NULL, i;
	int rc = -1, j;

	if (paths_order(&r->paths, &order) < 0) {
		diag("out of memory");
		return -1;
	}
	if (writer_open(&w, out, r->c->format, 4, path_cols, path_kinds) < 0)
		goto done;
	for (i = 0; i < r->paths.n; i++) {
		const struct path_row *pr = &r->paths.row[order[i]];

		for (j = 0; j < 4; j++)
			r->vals[j].len = 0;
		if (buf_addc(&r->vals[0], '"') < 0 || paths_text(&r->paths, pr, PATHS_SEP, &r->vals[0]) < 0 ||
		    buf_addc(&r->vals[0], '"') < 0 || json_put_uint(&r->vals[1], pr->conv) < 0 ||
		    put_dec(&r->vals[2], pr->value) < 0 || json_put_uint(&r->vals[3], pr->null) < 0 ||
		    writer_row(&w, r->vals) < 0)
			break;
	}
	rc = writer_close(&w) < 0 || i < r->paths.n ? -1 : 0;
done:
	free(order);
	if (rc < 0 && !out->err)	/* a write error is said when the output is closed */
		diag("out of memory");
	return rc;
}

void attrib_free(struct attrib *r)
{
	int m, j;

	shards_end(r, 0);	/* a run that stopped early, or never read */
	paths_free(&r->paths);
	journeys_free(&r->jn);
	for (m = 0; m < ATTR_NMODELS; m++)
		free(r->cr[m]);
	free(r->direct);
	free(r->null_ch);
	free(r->tt);
	free(r->ids);
	free(r->w);
	free(r->wc);
	free(r->cc);
	free(r->vparts);
	free(r->uparts);
	buf_free(&r->tmp);
	for (j = 0; j < 7; j++)
		buf_free(&r->vals[j]);
	partial_in_free(&r->pin);
	jobj_free(&r->jo[0]);
	jobj_free(&r->jo[1]);
}

void attrib_stats(const struct attrib *r)
{
	const struct attrib_cfg *o = r->c;

	if (o->from_paths || r->configured) {
		diag("%zu paths, %zu channels; %llu conversions, %llu journeys without", r->paths.n, r->paths.ch.n,
		     (unsigned long long)r->paths.conv, (unsigned long long)r->paths.null);
		return;
	}
	diag("read %llu: %llu touches, %llu conversions (%llu direct, %llu without %s, valued 1), %llu other; "
	     "%llu touches without user_id left out", (unsigned long long)r->read, (unsigned long long)r->touches,
	     (unsigned long long)r->conversions, (unsigned long long)r->direct_conv, (unsigned long long)r->no_value,
	     o->value_field, (unsigned long long)r->others, (unsigned long long)r->anon_touches);
	diag("%llu journeys without conversion; %llu touches left the window before any conversion; "
	     "%zu paths%s, %zu channels; people in the window at most %zu; %zu bytes of people, %zu of paths",
	     (unsigned long long)r->null_paths, (unsigned long long)r->jn.touches_aged, r->paths.n,
	     o->keep_null ? "" : " (converting ones only: nothing asked for reads the others)", r->paths.ch.n, r->jn.peak,
	     r->people_bytes, paths_bytes(&r->paths));
}
