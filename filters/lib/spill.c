/*
 * spill.c - see spill.h. A run is a sequence of LZ4 frames, one a segment;
 * pairs are u32 key length, u32 record length, key, record, in native byte
 * order (a run never leaves the process that wrote it).
 */
#define _GNU_SOURCE	/* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spill.h"

#define BLOCK (64u << 10)	/* pairs compressed at a time: one LZ4 block */

/*
 * Independent 64 KiB blocks: a reader's LZ4 state is then two blocks
 * (SPILL_READER_STATE), not the 64 KiB and 128 KiB of history of linked
 * blocks, at a 5 % larger spill (lz4 -1 -B4 against -B4 -BD on 100 MB of
 * our NDJSON: 29.2 MB against 27.8).
 */
static const LZ4F_preferences_t prefs = {
	/* checksums: a run damaged on disk is an error, never pairs of made-up lengths */
	.frameInfo = { .blockSizeID = LZ4F_max64KB, .blockMode = LZ4F_blockIndependent,
		       .contentChecksumFlag = LZ4F_contentChecksumEnabled, .blockChecksumFlag = LZ4F_blockChecksumEnabled },
	.compressionLevel = 0,	/* fast */
};

/* LZ4's error n in why[256]: -1. */
static int lz4_error(char *why, size_t n)
{
	if (!strcmp(LZ4F_getErrorName(n), "ERROR_allocation_failed"))	/* the code is in the static API only */
		snprintf(why, 256, "out of memory");
	else
		snprintf(why, 256, "lz4: %s", LZ4F_getErrorName(n));
	return -1;
}

/* An unnamed file in dir: O_TMPFILE, else a named one unlinked at once. */
static int temp_file(const char *dir, char *why)
{
	char path[4096];
	int fd;

#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT)
		return snprintf(why, 256, "%s: cannot make a temporary file: %s", dir, strerror(errno)), -1;
#endif
	if (snprintf(path, sizeof(path), "%s/vchain-sort.XXXXXX", dir) >= (int)sizeof(path))
		return snprintf(why, 256, "%s: the directory's name is too long", dir), -1;
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return snprintf(why, 256, "%s: cannot make a temporary file: %s", dir, strerror(errno)), -1;
	unlink(path);
	return fd;
}

static int write_all(struct spill_writer *w, const char *p, size_t n)
{
	ssize_t k;

	while (n) {
		if ((k = write(w->fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return snprintf(w->why, sizeof(w->why), "%s: cannot write a sorted run there: %s", w->dir,
					strerror(errno)), -1;
		}
		p += k;
		n -= (size_t)k;
		w->bytes += (uint64_t)k;
	}
	return 0;
}

int spill_create(struct spill_writer *w, const char *dir)
{
	LZ4F_cctx *c = NULL;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->dir = dir;
	if ((w->fd = temp_file(dir, w->why)) < 0)
		return -1;
	w->out_cap = LZ4F_compressBound(BLOCK, &prefs) + 64;
	if (LZ4F_isError(LZ4F_createCompressionContext(&c, LZ4F_VERSION)) || !(w->in = malloc(BLOCK)) ||
	    !(w->out = malloc(w->out_cap))) {
		w->cctx = c;
		return snprintf(w->why, sizeof(w->why), "out of memory"), -1;
	}
	w->cctx = c;
	w->in_cap = BLOCK;
	return 0;
}

/* Compress what waits. */
static int flush(struct spill_writer *w)
{
	size_t n;

	if (!w->in_len)
		return 0;
	n = LZ4F_compressUpdate(w->cctx, w->out, w->out_cap, w->in, w->in_len, NULL);
	w->in_len = 0;
	if (LZ4F_isError(n))
		return lz4_error(w->why, n);
	return write_all(w, w->out, n);
}

/* The segment being written ends: its frame is closed. */
static int end_segment(struct spill_writer *w)
{
	size_t n;

	if (!w->seg_raw)
		return 0;
	if (flush(w) < 0)
		return -1;
	n = LZ4F_compressEnd(w->cctx, w->out, w->out_cap, NULL);
	if (LZ4F_isError(n))
		return lz4_error(w->why, n);
	w->segs.s[w->segs.n - 1].raw = w->seg_raw;
	w->seg_raw = 0;
	return write_all(w, w->out, n);
}

/* A segment begins with this pair's key: its frame is opened, and it is noted. */
static int begin_segment(struct spill_writer *w, const void *key, uint32_t klen)
{
	struct spill_segs *g = &w->segs;
	size_t n;

	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 16;
		struct spill_seg *ns = realloc(g->s, cap * sizeof(*ns));

		if (!ns)
			return snprintf(w->why, sizeof(w->why), "out of memory"), -1;
		g->s = ns;
		g->cap = cap;
	}
	if (g->keys_cap - g->keys_len < klen) {
		size_t cap = g->keys_cap ? 2 * g->keys_cap : 1024;
		char *nk;

		while (cap - g->keys_len < klen)
			cap *= 2;
		if (!(nk = realloc(g->keys, cap)))
			return snprintf(w->why, sizeof(w->why), "out of memory"), -1;
		g->keys = nk;
		g->keys_cap = cap;
	}
	g->s[g->n] = (struct spill_seg){ .off = w->bytes, .key_at = g->keys_len, .klen = klen };
	if (klen)
		memcpy(g->keys + g->keys_len, key, klen);
	g->keys_len += klen;
	g->n++;
	n = LZ4F_compressBegin(w->cctx, w->out, w->out_cap, &prefs);
	if (LZ4F_isError(n))
		return lz4_error(w->why, n);
	return write_all(w, w->out, n);
}

/* Append bytes, compressing a block at a time (a pair may cross blocks). */
static int put(struct spill_writer *w, const void *p, size_t n)
{
	const char *s = p;

	while (n) {
		size_t k = w->in_cap - w->in_len < n ? w->in_cap - w->in_len : n;

		memcpy(w->in + w->in_len, s, k);
		w->in_len += k;
		s += k;
		n -= k;
		if (w->in_len == w->in_cap && flush(w) < 0)
			return -1;
	}
	return 0;
}

int spill_put(struct spill_writer *w, const void *key, uint32_t klen, const void *rec, uint32_t rlen)
{
	uint32_t h[2] = { klen, rlen };
	uint64_t need = sizeof(h) + (uint64_t)klen + rlen;

	/* a segment ends before a pair that would take it past SPILL_SEGMENT (none is empty) */
	if (w->seg_raw && w->seg_raw + need > SPILL_SEGMENT && end_segment(w) < 0)
		return -1;
	if (!w->seg_raw && begin_segment(w, key, klen) < 0)
		return -1;
	w->pairs++;
	w->raw += need;
	w->seg_raw += need;
	return put(w, h, sizeof(h)) < 0 || put(w, key, klen) < 0 || put(w, rec, rlen) < 0 ? -1 : 0;
}

int spill_finish(struct spill_writer *w, struct spill_segs *segs)
{
	int fd;

	if (end_segment(w) < 0)
		return -1;
	if (lseek(w->fd, 0, SEEK_SET) < 0)
		return snprintf(w->why, sizeof(w->why), "%s: cannot read a sorted run back: %s", w->dir,
				strerror(errno)), -1;
	fd = w->fd;
	w->fd = -1;
	if (segs) {
		w->segs.bytes = w->bytes;
		*segs = w->segs;
		memset(&w->segs, 0, sizeof(w->segs));
	}
	spill_writer_free(w);
	return fd;
}

void spill_segs_free(struct spill_segs *g)
{
	free(g->s);
	free(g->keys);
	memset(g, 0, sizeof(*g));
}

void spill_writer_free(struct spill_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	LZ4F_freeCompressionContext(w->cctx);
	w->cctx = NULL;
	free(w->in);
	free(w->out);
	w->in = w->out = NULL;
	spill_segs_free(&w->segs);
}

int spill_open_at(struct spill_reader *r, int fd, size_t chunk, uint64_t off, uint64_t end)
{
	if (spill_open(r, fd, chunk) < 0)
		return -1;
	spill_seek(r, fd, off, end);
	return 0;
}

void spill_seek(struct spill_reader *r, int fd, uint64_t off, uint64_t end)
{
	LZ4F_resetDecompressionContext(r->dctx);
	r->fd = fd;
	r->own = 0;
	r->pos = off;
	r->end = end;
	r->in_pos = r->in_len = r->out_pos = r->out_len = 0;
	r->eof = r->in_frame = r->started = 0;
	r->why[0] = 0;
}

int spill_open(struct spill_reader *r, int fd, size_t chunk)
{
	LZ4F_dctx *d = NULL;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->own = 1;
	r->in_cap = chunk < 4096 ? 4096 : chunk;
	r->out_cap = r->in_cap * 2;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)) || !(r->in = malloc(r->in_cap)) ||
	    !(r->out = malloc(r->out_cap))) {
		r->dctx = d;
		return snprintf(r->why, sizeof(r->why), "out of memory"), -1;
	}
	r->dctx = d;
	return 0;
}

/* Decode more into out (after what is not handed out yet). 0, or -1. */
static int decode(struct spill_reader *r, size_t want)
{
	ssize_t k;

	if (r->out_pos) {	/* what is left to the front */
		memmove(r->out, r->out + r->out_pos, r->out_len - r->out_pos);
		r->out_len -= r->out_pos;
		r->out_pos = 0;
	}
	if (want > r->out_cap) {
		char *o = realloc(r->out, want);

		if (!o)
			return snprintf(r->why, sizeof(r->why), "out of memory"), -1;
		r->out = o;
		r->out_cap = want;
	}
	while (r->out_len < want && !r->eof) {
		size_t src, dst, n;

		if (r->in_pos == r->in_len) {
			/* pread: readers of ranges of one run side by side share its file */
			do
				k = pread(r->fd, r->in, r->in_cap, (off_t)r->pos);
			while (k < 0 && errno == EINTR);
			if (k < 0)
				return snprintf(r->why, sizeof(r->why), "cannot read a sorted run: %s", strerror(errno)), -1;
			if (k == 0) {
				/* the end, after a whole frame and where the run was known to end */
				if (r->in_frame || (r->end && r->pos != r->end))
					return snprintf(r->why, sizeof(r->why), "a sorted run ends early"), -1;
				r->eof = 1;
				break;
			}
			/* the frame's flags (after 4 bytes of magic): ours have block checksums */
			if (!r->started && (k < 5 || !((unsigned char)r->in[4] & 0x10)))
				return snprintf(r->why, sizeof(r->why), "a damaged sorted run: not a run this program wrote"), -1;
			r->started = 1;
			r->pos += (uint64_t)k;
			r->in_pos = 0;
			r->in_len = (size_t)k;
		}
		src = r->in_len - r->in_pos;
		dst = r->out_cap - r->out_len;
		n = LZ4F_decompress(r->dctx, r->out + r->out_len, &dst, r->in + r->in_pos, &src, NULL);
		if (LZ4F_isError(n))
			return !strcmp(LZ4F_getErrorName(n), "ERROR_allocation_failed") ? lz4_error(r->why, n) :
			       (snprintf(r->why, sizeof(r->why), "a damaged sorted run: %s", LZ4F_getErrorName(n)), -1);
		r->in_pos += src;
		r->out_len += dst;
		r->in_frame = n != 0;	/* 0: a frame is whole; the next one, if any, begins after it */
	}
	return 0;
}

int spill_next(struct spill_reader *r, const char **key, uint32_t *klen, const char **rec, uint32_t *rlen)
{
	uint32_t h[2];

	if (r->out_len - r->out_pos < sizeof(h) && decode(r, sizeof(h)) < 0)
		return -1;
	if (r->out_len - r->out_pos < sizeof(h)) {
		if (r->out_len == r->out_pos && r->eof)
			return 0;
		return snprintf(r->why, sizeof(r->why), "a damaged sorted run: a pair cut short"), -1;
	}
	memcpy(h, r->out + r->out_pos, sizeof(h));
	if (r->max_pair && (size_t)h[0] + h[1] > r->max_pair)
		return snprintf(r->why, sizeof(r->why), "a damaged sorted run: a pair of %zu bytes, longer than any written",
				(size_t)h[0] + h[1]), -1;
	if (r->out_len - r->out_pos < sizeof(h) + h[0] + h[1]) {
		if (decode(r, sizeof(h) + (size_t)h[0] + h[1]) < 0)
			return -1;
		if (r->out_len - r->out_pos < sizeof(h) + h[0] + h[1])
			return snprintf(r->why, sizeof(r->why), "a damaged sorted run: a pair cut short"), -1;
	}
	*klen = h[0];
	*rlen = h[1];
	*key = r->out + r->out_pos + sizeof(h);
	*rec = *key + h[0];
	r->out_pos += sizeof(h) + h[0] + h[1];
	return 1;
}

void spill_reader_free(struct spill_reader *r)
{
	if (r->fd >= 0 && r->own)
		close(r->fd);
	r->fd = -1;
	LZ4F_freeDecompressionContext(r->dctx);
	r->dctx = NULL;
	free(r->in);
	free(r->out);
	r->in = r->out = NULL;
}
