/*
 * input.c - the read side of every filter.
 *
 * Plain input is read(2) in large blocks into one buffer; lines are found
 * with memchr and handed out as spans into it. Gzip input is inflated
 * straight into the chunk by the reading thread, while the filter's
 * workers parse the chunks before it, so decoding and parsing use all
 * cores and no decoded byte is copied. BGZF input is inflated on every
 * thread (below).
 *
 * in_chunk() reads straight into the caller's chunk; only the partial line
 * after a chunk's last newline is kept, in buf[0..end), for the next.
 */
#define _GNU_SOURCE	/* memrchr */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <iconv.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_ISAL
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#endif

#include "input.h"
#include "mem.h"
#include "out.h"
#include "scan.h"

#define READ_SIZE ((size_t)1 << 20)	/* one read(2), and the initial buffer */
#define GZ_IN_SIZE ((size_t)1 << 18)	/* compressed bytes per read */

/*
 * A gzip decoder that inflates straight into the caller's buffer, in the
 * caller's thread: the filter's workers parse the chunks before while the
 * reading thread inflates the next, and no decoded byte is copied.
 */
struct gz {
	int fd;
	int use_isal;
	unsigned char *inbuf;
	const unsigned char *next_in;	/* compressed bytes not yet given to the decoder */
	size_t avail_in;
	int eof;		/* the file has no more bytes */
	int at_boundary;	/* a member has ended: another may start */
	int done;		/* decoded to the end: 1 clean, -1 failed (err) */
	z_stream z;
	int z_ready;
#ifdef HAVE_ISAL
	struct inflate_state *st;
#endif
	char err[200];
	uint64_t raw;		/* compressed bytes read; atomic, for progress */
	struct bgzf *bz;	/* BGZF: its blocks decoded on several threads (below) */
};

static struct gz *gz_start(int fd, const unsigned char *pre, size_t pre_len, int use_isal);
static void gz_destroy(struct gz *g);
static ssize_t bgzf_fill(struct gz *g, char *dst, size_t cap);

int in_have_isal(void)
{
#ifdef HAVE_ISAL
	return 1;
#else
	return 0;
#endif
}

const char *in_display_name(const struct in *in)
{
	return (!in->name || strcmp(in->name, "-") == 0) ? "<stdin>" : in->name;
}

volatile sig_atomic_t in_waiting;
static _Thread_local int reading_ahead;	/* this thread reads ahead: its waits say nothing of the writer's */

static ssize_t read_some(int fd, void *p, size_t n)
{
	ssize_t r;

	if (!reading_ahead)
		in_waiting = 1;	/* a signal now finds no write half done (cli.c) */
	do
		r = read(fd, p, n);
	while (r < 0 && errno == EINTR);
	if (!reading_ahead)
		in_waiting = 0;
	return r;
}

/* ---- gzip ---- */

/* Refill the compressed input; returns bytes read, 0 at EOF, -1 on error. */
static ssize_t gz_read(struct gz *g)
{
	ssize_t r = read_some(g->fd, g->inbuf, GZ_IN_SIZE);

	if (r > 0)
		__atomic_fetch_add(&g->raw, (uint64_t)r, __ATOMIC_RELAXED);
	return r;
}

static int ends_nocase(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix), i;

	if (n < k)
		return 0;
	for (i = 0; i < k; i++) {
		char c = s[n - k + i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != suffix[i])
			return 0;
	}
	return 1;
}

int in_name_ends(const struct in *in, const char *ext)
{
	size_t n;

	if (!in->name || strcmp(in->name, "-") == 0)
		return 0;
	n = strlen(in->name);
	if (ends_nocase(in->name, n, ".gz"))
		n -= 3;
	return ends_nocase(in->name, n, ext);
}

uint64_t in_bytes_read(const struct in *in)
{
	uint64_t n = __atomic_load_n(&in->raw, __ATOMIC_RELAXED);

	return in->gz ? n + __atomic_load_n(&in->gz->raw, __ATOMIC_RELAXED) : n;
}

static int gz_fail(struct gz *g, const char *fmt, const char *detail)
{
	snprintf(g->err, sizeof(g->err), fmt, detail ? detail : "");
	g->done = -1;
	return -1;
}

/*
 * One step of the decoder: inflate from the compressed input into
 * out[0..cap). *produced gets the bytes made; *member_end is set at the
 * end of a gzip member. 0, or -1 with g->err.
 */
static int gz_step(struct gz *g, char *out, size_t cap, size_t *produced, int *member_end)
{
	int ret;

	*member_end = 0;
#ifdef HAVE_ISAL
	if (g->use_isal) {
		g->st->next_in = (uint8_t *)g->next_in;
		g->st->avail_in = (uint32_t)g->avail_in;
		g->st->next_out = (uint8_t *)out;
		g->st->avail_out = (uint32_t)cap;
		ret = isal_inflate(g->st);
		*produced = cap - g->st->avail_out;
		g->next_in = g->st->next_in;
		g->avail_in = g->st->avail_in;
		if (ret < 0)
			return gz_fail(g, "corrupt gzip data: %s",
				       ret == ISAL_INCORRECT_CHECKSUM ? "incorrect data check" :
				       ret == ISAL_INVALID_WRAPPER ? "incorrect header check" :
				       "invalid deflate data");
		if (g->st->block_state == ISAL_BLOCK_FINISH) {
			isal_inflate_reset(g->st);
			g->st->crc_flag = ISAL_GZIP;
			*member_end = 1;
		}
		return 0;
	}
#endif
	g->z.next_in = (Bytef *)g->next_in;
	g->z.avail_in = (uInt)g->avail_in;
	g->z.next_out = (Bytef *)out;
	g->z.avail_out = (uInt)cap;
	ret = inflate(&g->z, Z_NO_FLUSH);
	*produced = cap - g->z.avail_out;
	g->next_in = g->z.next_in;
	g->avail_in = g->z.avail_in;
	if (ret == Z_STREAM_END) {
		inflateReset(&g->z);
		*member_end = 1;
	} else if (ret != Z_OK && ret != Z_BUF_ERROR)
		return gz_fail(g, "corrupt gzip data: %s", g->z.msg ? g->z.msg : zError(ret));
	return 0;
}

/*
 * Decoded bytes into dst[0..cap), as many as fit (fewer only at the end):
 * returns how many, 0 at the clean end, -1 with g->err. Multi-member
 * files go on into the next member; input that ends inside a member is
 * "truncated", never a short result.
 */
static ssize_t gz_fill_g(struct gz *g, char *dst, size_t cap)
{
	size_t got = 0, produced;
	int member_end;
	ssize_t r;

	while (got < cap && !g->done) {
		if (g->avail_in == 0 && !g->eof) {
			r = gz_read(g);
			if (r < 0) {
				gz_fail(g, "read error: %s", strerror(errno));
				break;
			}
			g->eof = r == 0;
			g->next_in = g->inbuf;
			g->avail_in = (size_t)r;
		}
		if (g->at_boundary) {
			if (g->avail_in == 0) {
				g->done = 1;	/* clean end after a whole member */
				break;
			}
			/* another member must start with the gzip magic */
			if (g->next_in[0] != 0x1f || (g->avail_in > 1 && g->next_in[1] != 0x8b)) {
				gz_fail(g, "trailing garbage after gzip data%s", NULL);
				break;
			}
			g->at_boundary = 0;
		}
		if (gz_step(g, dst + got, cap - got, &produced, &member_end) < 0)
			break;
		got += produced;
		if (member_end)
			g->at_boundary = 1;
		else if (g->eof && g->avail_in == 0 && produced == 0) {
			/* no progress with no input left: the file ends inside a member */
			gz_fail(g, "truncated gzip input (unexpected end of file)%s", NULL);
			break;
		}
	}
	if (got)
		return (ssize_t)got;	/* an error is reported on the next call, after these bytes */
	return g->done < 0 ? -1 : 0;
}

static ssize_t gz_fill(struct in *in, char *dst, size_t cap)
{
	ssize_t r = in->gz->bz ? bgzf_fill(in->gz, dst, cap) : gz_fill_g(in->gz, dst, cap);

	if (r < 0)
		snprintf(in->err, sizeof(in->err), "%s", in->gz->err);
	return r;
}

/* ---- BGZF: independent gzip members of known size, decoded in parallel ---- */

/*
 * BGZF (the SAM/BAM specification; bgzip, htslib) is gzip cut into members
 * of at most 64 KiB each way, every member's header carrying its size in
 * an extra field "BC". A member can so be found without decoding the ones
 * before it: the reader cuts the file into batches of whole members, in
 * order, and any thread decodes a batch (idle workers do, through
 * in_work_ahead), while the reader hands out the decoded batches in order.
 * Each member is checked as gzip checks it (its CRC-32 and length). A member
 * without the size field, and all after it, are decoded as plain gzip.
 */
#define BZ_RING 16			/* batches read ahead, at most */
#define BZ_TARGET ((size_t)1 << 20)	/* decoded bytes a batch aims at */
#define BZ_READ ((size_t)128 << 10)	/* one read(2) */
#define BZ_HEADER 18			/* a BGZF member's header with its BC field */

enum { BZ_FREE, BZ_BUSY, BZ_READY, BZ_FAILED };

struct bz_batch {
	unsigned char *raw;	/* whole members */
	size_t raw_len, raw_cap;
	char *out;		/* their decoded bytes, out[take..out_len) not handed out yet */
	size_t out_len, out_cap, take;
	int state;
	char err[200];
	/* a gzip member cut at flush points (below): what a helper made of the batch on its own */
	int ok;			/* decoded, no dictionary, to a block boundary at its end or the member's end */
	int fin;		/* the member's deflate data end in it, at raw[end_at] */
	int last;		/* it runs to the end of the file: no flush point after its start */
	int tried;		/* a helper decoded it (ok or not) */
	size_t end_at, in_off;	/* in_off: raw bytes the reader's decoder has taken */
	uint32_t crc;		/* of out[0..out_len) */
};

struct rawdec;

struct bgzf {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd, use_isal;
	uint64_t *raw_count;	/* the gzip's count of bytes read, for progress */
	unsigned char *pend;	/* read, not in a batch yet: pend[off..len) */
	size_t off, len, cap;
	int file_eof;
	int end;		/* batches no more: 1 the end, -1 an error (err), 2 plain gzip from pend[off] (or rest) */
	/* a gzip member cut at flush points (fl_*), not BGZF */
	int flush;
	unsigned depth;		/* batches cut ahead at most: BZ_RING; flushed, two a helper (BZ_RING at most) */
	int cut_all;		/* the last batch is cut: the file's end is in it */
	int dependent;		/* helpers' batches failed where the reader's did not: no more tried */
	unsigned misses;
	int mid;		/* the reader's decoder stopped inside a block: it goes on into the next batch */
	int ser_on;		/* the reader's decoder is decoding batch next_take into the caller's buffer */
	struct rawdec *ser;	/* the reader's decoder */
	struct rawdec *dec_idle[BZ_RING];	/* helpers' decoders not in use */
	int ndec_idle;
	uint64_t ahead;		/* bytes handed out that helpers decoded (in_decoded_ahead) */
	uint32_t crc;		/* of the member's bytes handed out, and how many */
	uint64_t total;
	unsigned char hist[32768];	/* the last of them: the window a decoder in the middle starts with */
	size_t hist_len;
	char err[200];
	uint64_t next_read, next_take;	/* batch numbers: the next to read, the next to hand out */
	struct bz_batch ring[BZ_RING];
	struct gz *rest;	/* after a member without the BC field: plain gzip */
	struct gz *idle[BZ_RING];	/* decoders not in use, kept for the next batches */
	int nidle;
	struct bz_batch spare[BZ_RING];	/* buffers of batches handed out, for the next to be read */
	int nspare;
};

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * The size of the BGZF member at p[0..n), or 0 when it is none: a gzip
 * header with the extra field (all of it in p[0..n)) holding BC, whose
 * size leaves room for the header and the trailer.
 */
static size_t bz_member_size(const unsigned char *p, size_t n)
{
	size_t xlen, i, size;

	if (n < BZ_HEADER || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 || !(p[3] & 4))
		return 0;
	xlen = le16(p + 10);
	if (n < 12 + xlen)
		return 0;
	for (i = 12; i + 4 <= 12 + xlen; i += 4 + le16(p + i + 2))
		if (p[i] == 'B' && p[i + 1] == 'C' && le16(p + i + 2) == 2) {
			if (i + 6 > 12 + xlen)
				return 0;
			size = (size_t)le16(p + i + 4) + 1;
			return size >= 12 + xlen + 8 ? size : 0;
		}
	return 0;
}

/* Whether pre[0..n) starts a BGZF file. */
static int bz_starts(const unsigned char *pre, size_t n)
{
	return bz_member_size(pre, n) >= BZ_HEADER + 8;
}

static int bz_fail(struct bgzf *z, const char *msg)
{
	snprintf(z->err, sizeof(z->err), "%s", msg);
	z->end = -1;
	return -1;
}

/* At least want bytes in pend (fewer at the end of the file). Under the lock. 0, or -1 (z->err). */
static int bz_need(struct bgzf *z, size_t want)
{
	ssize_t r;
	int was = reading_ahead;

	if (z->off && z->len - z->off < want) {	/* what is left, to the front */
		memmove(z->pend, z->pend + z->off, z->len - z->off);
		z->len -= z->off;
		z->off = 0;
	}
	reading_ahead = 1;	/* any thread may be here: it is no writer waiting */
	while (z->len - z->off < want && !z->file_eof) {
		if (z->cap - z->len < BZ_READ) {
			unsigned char *p = realloc(z->pend, z->len + BZ_READ);

			if (!p) {
				reading_ahead = was;
				return bz_fail(z, "out of memory");
			}
			z->pend = p;
			z->cap = z->len + BZ_READ;
		}
		r = read_some(z->fd, z->pend + z->len, BZ_READ);
		if (r < 0) {
			reading_ahead = was;
			snprintf(z->err, sizeof(z->err), "read error: %s", strerror(errno));
			z->end = -1;
			return -1;
		}
		if (r == 0)
			z->file_eof = 1;
		z->len += (size_t)r;
		__atomic_fetch_add(z->raw_count, (uint64_t)r, __ATOMIC_RELAXED);
	}
	reading_ahead = was;
	return 0;
}

/*
 * The next members, in order, into batch b (raw, and out_len the bytes
 * they decode to): about BZ_TARGET decoded bytes. Under the lock. At the
 * file's end, a member without the BC field, or an error, z->end says so
 * (b keeps the members before it).
 */
static void bz_read_batch(struct bgzf *z, struct bz_batch *b, size_t target)
{
	size_t size;
	uint32_t isize;

	b->raw_len = b->out_len = b->take = 0;
	while (b->out_len < target && !z->end) {
		if (bz_need(z, BZ_HEADER) < 0)
			break;
		if (z->len == z->off) {
			z->end = 1;	/* a clean end after a whole member */
			break;
		}
		if (z->pend[z->off] != 0x1f || (z->len - z->off > 1 && z->pend[z->off + 1] != 0x8b)) {
			bz_fail(z, "trailing garbage after gzip data");
			break;
		}
		if (z->len - z->off < BZ_HEADER) {
			bz_fail(z, "truncated gzip input (unexpected end of file)");
			break;
		}
		/* the whole extra field in view, so that its BC is found wherever it is */
		if ((z->pend[z->off + 3] & 4) && bz_need(z, 12 + le16(z->pend + z->off + 10)) < 0)
			break;
		if (!(size = bz_member_size(z->pend + z->off, z->len - z->off))) {
			z->end = 2;	/* a plain gzip member: it and the rest in order, by one decoder */
			break;
		}
		if (bz_need(z, size) < 0)
			break;
		if (z->len - z->off < size) {
			bz_fail(z, "truncated gzip input (unexpected end of file)");
			break;
		}
		isize = le32(z->pend + z->off + size - 4);
		if (isize > 65536) {
			bz_fail(z, "corrupt gzip data: a BGZF member that decodes to more than 64 KiB");
			break;
		}
		if (b->out_len + isize + 1 > target && b->raw_len)
			break;	/* (it and its byte of slack, below, would not fit: the next batch's) */
		if (b->raw_cap - b->raw_len < size) {
			size_t cap = b->raw_cap ? b->raw_cap : BZ_TARGET;
			unsigned char *p;

			while (cap - b->raw_len < size)
				cap *= 2;
			if (!(p = realloc(b->raw, cap))) {
				bz_fail(z, "out of memory");
				break;
			}
			b->raw = p;
			b->raw_cap = cap;
		}
		memcpy(b->raw + b->raw_len, z->pend + z->off, size);
		b->raw_len += size;
		b->out_len += isize;
		z->off += size;
	}
}

#ifdef HAVE_ISAL
/*
 * One whole member, of size bytes, that says it decodes to isize bytes:
 * into out, with room for isize + 1 (a member that makes more is caught).
 * ISA-L's one-shot decoder writes straight into out; isal_inflate decodes
 * a member's first 64 KiB into a buffer of its own and copies them out,
 * which for members of at most 64 KiB was every byte copied once more.
 * It checks the gzip header and the CRC-32 and length in the trailer.
 */
static int bz_member_isal(struct gz *d, const unsigned char *in, size_t size, char *out, uint32_t isize)
{
	int ret;

	d->st->next_in = (uint8_t *)in;
	d->st->avail_in = (uint32_t)size;
	d->st->next_out = (uint8_t *)out;
	d->st->avail_out = isize + 1;
	d->st->crc_flag = ISAL_GZIP;
	ret = isal_inflate_stateless(d->st);
	if (ret == ISAL_INCORRECT_CHECKSUM || ret == ISAL_INVALID_WRAPPER || ret == ISAL_UNSUPPORTED_METHOD)
		return gz_fail(d, "corrupt gzip data: %s",
			       ret == ISAL_INCORRECT_CHECKSUM ? "incorrect data check" : "incorrect header check");
	if (ret == ISAL_DECOMP_OK && d->st->total_out == isize && d->st->avail_in == 0)
		return 0;
	if (ret == ISAL_DECOMP_OK || ret == ISAL_OUT_OVERFLOW || ret == ISAL_END_INPUT)
		return gz_fail(d, "corrupt gzip data: a BGZF member unlike its size fields", NULL);
	return gz_fail(d, "corrupt gzip data: %s", "invalid deflate data");
}
#endif

/*
 * Decode batch b's members with decoder d (outside the lock) into out, of
 * b->out_len + 1 bytes at least, or (out NULL) into b->out. 0, or -1 with
 * b->err.
 */
static int bz_decode(struct gz *d, struct bz_batch *b, char *out)
{
	size_t at = 0, o = 0, size, got, produced;
	uint32_t isize;
	int member_end;

	if (!out && b->out_cap < b->out_len + 1) {
		char *p = realloc(b->out, b->out_len + 1);

		if (!p) {
			snprintf(b->err, sizeof(b->err), "out of memory");
			return -1;
		}
		b->out = p;
		b->out_cap = b->out_len + 1;
	}
	if (!out)
		out = b->out;
	if (!b->raw_len)
		return 0;
	if (!d) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		return -1;
	}
	for (; at < b->raw_len; at += size) {
		size = bz_member_size(b->raw + at, b->raw_len - at);
		if (size < BZ_HEADER + 8 || size > b->raw_len - at) {	/* (as it was read: never) */
			snprintf(b->err, sizeof(b->err), "corrupt gzip data: a BGZF member unlike its size fields");
			return -1;
		}
		isize = le32(b->raw + at + size - 4);
#ifdef HAVE_ISAL
		if (d->use_isal) {
			if (bz_member_isal(d, b->raw + at, size, out + o, isize) < 0) {
				snprintf(b->err, sizeof(b->err), "%s", d->err);
				return -1;
			}
			o += isize;
			continue;
		}
#endif
		d->next_in = b->raw + at;
		d->avail_in = size;
		/* one more byte of room than the trailer says: a member that makes more is caught */
		for (got = 0, member_end = 0; !member_end;) {
			if (gz_step(d, out + o + got, isize + 1 - got, &produced, &member_end) < 0) {
				snprintf(b->err, sizeof(b->err), "%s", d->err);
				return -1;
			}
			got += produced;
			if (!member_end && (got > isize || (produced == 0 && d->avail_in == 0)))
				break;
		}
		if (!member_end || got != isize || d->avail_in) {
			snprintf(b->err, sizeof(b->err), "corrupt gzip data: a BGZF member unlike its size fields");
			return -1;
		}
		o += isize;
	}
	return 0;
}

/* A slot taken for the next batch: the buffers of one handed out, if it has none. Under the lock. */
static void bz_unpark(struct bgzf *z, struct bz_batch *b)
{
	struct bz_batch *s;

	if (b->raw || b->out || !z->nspare)
		return;
	s = &z->spare[--z->nspare];
	b->raw = s->raw;
	b->raw_cap = s->raw_cap;
	b->out = s->out;
	b->out_cap = s->out_cap;
}

/*
 * Take the next batch, read it, decode it: into its own buffer, or (out)
 * straight into out[0..cap), cap > 64 KiB. Called with the lock held,
 * which it drops while decoding. 0, or -1 when it failed (b->err).
 */
static int bz_run_batch(struct bgzf *z, char *out, size_t cap)
{
	struct bz_batch *b = &z->ring[z->next_read++ % BZ_RING];
	struct gz *d = NULL;
	int r;

	b->state = BZ_BUSY;
	bz_unpark(z, b);
	bz_read_batch(z, b, out ? cap : BZ_TARGET);
	if (b->raw_len)
		d = z->nidle ? z->idle[--z->nidle] : NULL;
	pthread_mutex_unlock(&z->mu);
	if (b->raw_len && !d)
		d = gz_start(-1, NULL, 0, z->use_isal);	/* a decoder for this thread's batches from now on */
	r = bz_decode(d, b, out);
	if (d && r < 0) {
		gz_destroy(d);	/* its state is mid-member */
		d = NULL;
	}
	pthread_mutex_lock(&z->mu);
	if (d && z->nidle < BZ_RING)
		z->idle[z->nidle++] = d;
	else if (d)
		gz_destroy(d);
	b->state = r < 0 ? BZ_FAILED : BZ_READY;
	pthread_cond_broadcast(&z->cv);
	return r;
}

/*
 * Batch b handed out: its slot is free, and its buffers wait for the next
 * batch read. The slots go round all BZ_RING; the buffers are only as many
 * as were ever read ahead at once (each is 1 MiB of fresh pages the first
 * time, 11 us a page to fault in on this project's virtual machines).
 * Under the lock.
 */
static void bz_park(struct bgzf *z, struct bz_batch *b)
{
	struct bz_batch *s = &z->spare[z->nspare];

	b->state = BZ_FREE;
	if (!b->raw && !b->out)
		return;
	if (z->nspare == BZ_RING) {	/* (never: there are no more buffers than slots) */
		free(b->raw);
		free(b->out);
	} else {
		s->raw = b->raw;
		s->raw_cap = b->raw_cap;
		s->out = b->out;
		s->out_cap = b->out_cap;
		z->nspare++;
	}
	b->raw = NULL;
	b->out = NULL;
	b->raw_cap = b->out_cap = 0;
}

/* Whether a batch may be read now: a slot free and batches left. Under the lock. */
static int bz_can_read(const struct bgzf *z)
{
	return !z->end && !z->cut_all && z->next_read - z->next_take < z->depth &&
	       z->ring[z->next_read % BZ_RING].state == BZ_FREE;
}

/*
 * Once the batches are over (z->end set; the lock not held, nobody changes
 * it now): 0 at the end, the plain decoder's bytes after them (z->rest), or
 * -1 with g->err.
 */
static ssize_t bz_after(struct gz *g, char *dst, size_t cap)
{
	struct bgzf *z = g->bz;
	ssize_t r;

	if (z->end == 1)
		return 0;
	if (z->end == 2) {
		if ((r = gz_fill_g(z->rest, dst, cap)) < 0)
			snprintf(g->err, sizeof(g->err), "%s", z->rest->err);
		return r;
	}
	snprintf(g->err, sizeof(g->err), "%s", z->err);
	return -1;
}

/* ---- a gzip member cut at its flush points, decoded on several threads ---- */

/*
 * pigz --independent (and any deflate that ends a stretch with a full
 * flush) writes one gzip member whose stretches share nothing: each ends
 * on a byte boundary with an empty stored block, the bytes 00 00 ff ff,
 * and the next refers to nothing before it. The reader cuts the member
 * after such bytes into batches of about FL_RAW compressed bytes (the
 * bytes can also occur inside compressed data: a cut is a guess), and
 * idle workers decode batches ahead, each from its start with no window.
 * Only what is verified is used: a batch's own decoding is taken when
 * its start is where the decoding before it ended on a block boundary
 * (the member's start, or a batch taken that way), and when it ended so
 * itself or at the member's end; a reference into the missing window is
 * an error of the decoder (zlib's "invalid distance too far back", ISA-L's
 * ISAL_INVALID_LOOKBACK), never a wrong byte. Anything else (a stream whose
 * stretches refer back, as plain pigz writes them; a cut that was no
 * flush point) the reader decodes itself, in order, from the last
 * verified boundary with the 32 KiB before it as the window, and
 * straight into the caller's buffer: the same bytes as one decoder from
 * the start. The member's CRC-32 and length are checked at its end; what
 * follows it (another member, or garbage) goes to the plain decoder.
 */
#define FL_RAW ((size_t)128 << 10)	/* compressed bytes a batch aims at */
#define FL_LOOK ((size_t)1 << 20)	/* a batch with no flush point in this many bytes is cut there */
#define FL_MISSES 2			/* helpers' batches that failed before helpers stop */
#define FL_STEP ((size_t)128 << 10)	/* a helper's output a decoding step */
/*
 * Threads (in_opts.helpers) from which a member is so shared out. With
 * fewer, one decoder keeps up with the parsing (on 2 CPUs here ISA-L
 * inflated 2.4 GB/s, a thread parsed 1.6 GB/s), and the copies of
 * helpers' batches only cost: vchain-parse -j 2 on 3 M events by pigz -i,
 * 0.26 s against 0.28 s with 2 (tests/bench/ab.sh 9).
 */
#ifndef FL_HELPERS
#define FL_HELPERS 3
#endif

enum { RD_MORE, RD_END, RD_ERR };

/* A raw deflate decoder: ISA-L's or zlib's. */
struct rawdec {
	int use_isal;
	z_stream z;
#ifdef HAVE_ISAL
	struct inflate_state st;
#endif
};

static struct rawdec *rd_new(int use_isal)
{
	struct rawdec *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->use_isal = use_isal;
#ifdef HAVE_ISAL
	if (use_isal)
		return d;
#endif
	d->use_isal = 0;
	if (inflateInit2(&d->z, -MAX_WBITS) != Z_OK) {
		free(d);
		return NULL;
	}
	return d;
}

static void rd_free(struct rawdec *d)
{
	if (d && !d->use_isal)
		inflateEnd(&d->z);
	free(d);
}

/* Ready for a new stream that starts with the window dict[0..n) (n 0: none). 0, or -1. */
static int rd_reset(struct rawdec *d, const unsigned char *dict, size_t n)
{
#ifdef HAVE_ISAL
	if (d->use_isal) {
		isal_inflate_init(&d->st);
		d->st.crc_flag = ISAL_DEFLATE;
		return n && isal_inflate_set_dict(&d->st, (uint8_t *)dict, (uint32_t)n) != COMP_OK ? -1 : 0;
	}
#endif
	if (inflateReset(&d->z) != Z_OK)
		return -1;
	return n && inflateSetDictionary(&d->z, dict, (uInt)n) != Z_OK ? -1 : 0;
}

/*
 * Decode from *in (*n bytes, both advanced past what was taken) into
 * out[0..cap), *made the bytes made. RD_END at the end of the deflate
 * data (*in then just after it), RD_ERR (*why) for bad data, else RD_MORE.
 */
static int rd_step(struct rawdec *d, const unsigned char **in, size_t *n, char *out, size_t cap, size_t *made,
		   const char **why)
{
	int r;

#ifdef HAVE_ISAL
	if (d->use_isal) {
		uint32_t back;

		d->st.next_in = (uint8_t *)*in;
		d->st.avail_in = (uint32_t)*n;
		d->st.next_out = (uint8_t *)out;
		d->st.avail_out = (uint32_t)cap;
		r = isal_inflate(&d->st);
		*made = cap - d->st.avail_out;
		*in = d->st.next_in;
		*n = d->st.avail_in;
		if (r < 0) {
			*why = r == ISAL_INVALID_LOOKBACK ? "invalid distance too far back" : "invalid deflate data";
			return RD_ERR;
		}
		if (d->st.block_state != ISAL_BLOCK_FINISH)
			return RD_MORE;
		back = (uint32_t)d->st.read_in_length / 8;	/* whole bytes read past the end: given back */
		*in -= back;
		*n += back;
		return RD_END;
	}
#endif
	d->z.next_in = (Bytef *)*in;
	d->z.avail_in = (uInt)*n;
	d->z.next_out = (Bytef *)out;
	d->z.avail_out = (uInt)cap;
	r = inflate(&d->z, Z_NO_FLUSH);
	*made = cap - d->z.avail_out;
	*in = d->z.next_in;
	*n = d->z.avail_in;
	if (r == Z_STREAM_END)
		return RD_END;
	if (r == Z_OK || r == Z_BUF_ERROR)
		return RD_MORE;
	*why = d->z.msg ? d->z.msg : zError(r);
	return RD_ERR;
}

/* Having taken all its input and made all its output: whether d stopped on a block boundary, on a byte. */
static int rd_at_boundary(const struct rawdec *d)
{
#ifdef HAVE_ISAL
	if (d->use_isal)
		return d->st.block_state == ISAL_BLOCK_NEW_HDR && d->st.read_in_length == 0 &&
		       d->st.tmp_out_valid == d->st.tmp_out_processed;
#endif
	/* zlib: 128, waiting for a block's header; the low bits, those left of the last byte */
	return (d->z.data_type & 128) && !(d->z.data_type & 64) && (d->z.data_type & 63) == 0;
}

static uint32_t crc_of(uint32_t crc, const void *p, size_t n)
{
#ifdef HAVE_ISAL
	return n ? crc32_gzip_refl(crc, (const unsigned char *)p, (uint64_t)n) : crc;
#else
	return n ? (uint32_t)crc32(crc, p, (uInt)n) : crc;	/* (n: at most a buffer's, under 4 GiB) */
#endif
}

/*
 * The length of the gzip header at p[0..n), or 0 when it is not all there
 * or not one this decoder takes (its own header CRC, reserved flags): the
 * plain decoder then reads the file.
 */
static size_t gz_header_len(const unsigned char *p, size_t n)
{
	size_t at = 10;
	const unsigned char *e;

	if (n < 10 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 || (p[3] & 0xe2))
		return 0;
	if (p[3] & 4) {	/* FEXTRA */
		if (n < 12 || n - 12 < le16(p + 10))
			return 0;
		at = 12 + le16(p + 10);
	}
	if (p[3] & 8) {	/* FNAME */
		if (!(e = memchr(p + at, 0, n - at)))
			return 0;
		at = (size_t)(e - p) + 1;
	}
	if (p[3] & 16) {	/* FCOMMENT */
		if (!(e = memchr(p + at, 0, n - at)))
			return 0;
		at = (size_t)(e - p) + 1;
	}
	return at < n ? at : 0;
}

static const unsigned char *find_flush(const unsigned char *p, size_t n)
{
	return memmem(p, n, "\0\0\xff\xff", 4);
}

/*
 * The next batch: pend's bytes up to just after the first flush point
 * FL_RAW bytes or more on (or up to the file's end, or FL_LOOK bytes on).
 * Under the lock. An error: z->end -1 and b FAILED.
 */
static void fl_cut(struct bgzf *z, struct bz_batch *b)
{
	size_t from, have, cut;
	const unsigned char *m = NULL;

	b->raw_len = b->out_len = b->take = b->in_off = b->end_at = 0;
	b->ok = b->fin = b->last = b->tried = 0;
	b->crc = 0;
	if (bz_need(z, FL_RAW + 4) < 0)
		goto fail;
	from = z->len - z->off < FL_RAW ? 0 : FL_RAW - 4;
	for (;;) {
		have = z->len - z->off;
		if (have > from && (m = find_flush(z->pend + z->off + from, have - from)))
			break;
		if (z->file_eof || have >= FL_LOOK)
			break;
		from = have > 3 ? have - 3 : 0;
		if (bz_need(z, have + FL_RAW) < 0)
			goto fail;
	}
	cut = m ? (size_t)(m - (z->pend + z->off)) + 4 : z->len - z->off;
	b->last = !m && z->file_eof;
	z->cut_all = b->last;
	if (b->raw_cap < cut) {
		unsigned char *p = realloc(b->raw, cut);

		if (!p) {
			bz_fail(z, "out of memory");
			goto fail;
		}
		b->raw = p;
		b->raw_cap = cut;
	}
	memcpy(b->raw, z->pend + z->off, cut);
	b->raw_len = cut;
	z->off += cut;
	return;
fail:
	snprintf(b->err, sizeof(b->err), "%s", z->err);
	b->state = BZ_FAILED;
}

/* A helper's decoding of batch b, from its start with no window, into b->out. Outside the lock. */
static void fl_decode(struct rawdec *d, struct bz_batch *b)
{
	const unsigned char *in = b->raw;
	size_t n = b->raw_len, made, room, before;
	const char *why;
	int st = RD_MORE;

	b->out_len = 0;
	b->crc = 0;
	b->tried = 1;
	if (!d || rd_reset(d, NULL, 0) < 0)
		return;
	for (;;) {
		if (b->out_cap - b->out_len < 65536) {
			size_t cap = b->out_cap ? 2 * b->out_cap : 8 * b->raw_len + 65536;
			char *p = realloc(b->out, cap);

			if (!p)
				return;
			b->out = p;
			b->out_cap = cap;
		}
		/* (a step's output is still in the cache for its CRC) */
		room = b->out_cap - b->out_len < FL_STEP ? b->out_cap - b->out_len : FL_STEP;
		before = n;
		st = rd_step(d, &in, &n, b->out + b->out_len, room, &made, &why);
		b->crc = crc_of(b->crc, b->out + b->out_len, made);
		b->out_len += made;
		if (st != RD_MORE || (n == 0 && made < room))
			break;
		if (!made && n == before)
			return;	/* (never: a decoder with input and room makes progress) */
	}
	if (st == RD_ERR)
		return;
	if (st == RD_END) {
		b->fin = 1;
		b->end_at = (size_t)(in - b->raw);
	} else if (b->last || !rd_at_boundary(d))
		return;	/* the reader goes on from inside the batch, or finds the file truncated */
	b->ok = 1;
}

/* Under the lock: a helper cuts the next batch and decodes it. */
static void fl_run_batch(struct bgzf *z)
{
	struct bz_batch *b = &z->ring[z->next_read++ % BZ_RING];
	struct rawdec *d;

	b->state = BZ_BUSY;
	bz_unpark(z, b);
	fl_cut(z, b);
	if (b->state == BZ_FAILED) {
		pthread_cond_broadcast(&z->cv);
		return;
	}
	d = z->ndec_idle ? z->dec_idle[--z->ndec_idle] : NULL;
	pthread_mutex_unlock(&z->mu);
	if (!d)
		d = rd_new(z->use_isal);
	fl_decode(d, b);
	pthread_mutex_lock(&z->mu);
	if (d && z->ndec_idle < BZ_RING)
		z->dec_idle[z->ndec_idle++] = d;
	else
		rd_free(d);
	b->state = BZ_READY;
	pthread_cond_broadcast(&z->cv);
}

/* Bytes p[0..n) handed out: in the member's CRC-32, length and window. */
static void fl_handed(struct bgzf *z, const char *p, size_t n, int crc_too)
{
	if (crc_too)
		z->crc = crc_of(z->crc, p, n);
	z->total += n;
	if (n >= sizeof(z->hist)) {
		memcpy(z->hist, p + n - sizeof(z->hist), sizeof(z->hist));
		z->hist_len = sizeof(z->hist);
		return;
	}
	if (z->hist_len + n > sizeof(z->hist)) {
		size_t keep = sizeof(z->hist) - n;

		memmove(z->hist, z->hist + z->hist_len - keep, keep);
		z->hist_len = keep;
	}
	memcpy(z->hist + z->hist_len, p, n);
	z->hist_len += n;
}

static int grow_bytes(unsigned char **p, size_t *cap, size_t need)
{
	unsigned char *q;

	if (need <= *cap)
		return 0;
	if (!(q = realloc(*p, need)))
		return -1;
	*p = q;
	*cap = need;
	return 0;
}

/*
 * Under the lock: the member ended in batch next_take, all of it handed
 * out. Its trailer and whatever follows are the bytes after its deflate
 * data: in that batch, in the batches cut after it, in pend, in the file.
 * The trailer is checked; what follows goes to the plain decoder (rest).
 */
static void fl_member_end(struct bgzf *z)
{
	struct bz_batch *b = &z->ring[z->next_take % BZ_RING];
	unsigned char *t = NULL;
	size_t len = 0, cap = 0;
	uint64_t k;

	if (grow_bytes(&t, &cap, b->raw_len - b->end_at + 1) < 0)
		goto oom;
	memcpy(t, b->raw + b->end_at, b->raw_len - b->end_at);
	len = b->raw_len - b->end_at;
	bz_park(z, b);
	for (k = z->next_take + 1; k < z->next_read; k++) {
		struct bz_batch *o = &z->ring[k % BZ_RING];

		while (o->state == BZ_BUSY)
			pthread_cond_wait(&z->cv, &z->mu);
		if (o->state == BZ_FAILED) {
			snprintf(z->err, sizeof(z->err), "%s", o->err);
			z->end = -1;
			free(t);
			return;
		}
		if (grow_bytes(&t, &cap, len + o->raw_len) < 0)
			goto oom;
		memcpy(t + len, o->raw, o->raw_len);
		len += o->raw_len;
		bz_park(z, o);
	}
	z->next_take = z->next_read;
	z->cut_all = 1;
	if (len < 8 && bz_need(z, 8 - len) < 0) {
		free(t);
		return;
	}
	if (grow_bytes(&t, &cap, len + z->len - z->off) < 0)
		goto oom;
	memcpy(t + len, z->pend + z->off, z->len - z->off);
	len += z->len - z->off;
	z->off = z->len;
	if (len < 8)
		bz_fail(z, "truncated gzip input (unexpected end of file)");
	else if (le32(t) != z->crc)
		bz_fail(z, "corrupt gzip data: incorrect data check");
	else if (le32(t + 4) != (uint32_t)z->total)
		bz_fail(z, "corrupt gzip data: incorrect length check");
	else if (len == 8 && z->file_eof)
		z->end = 1;
	else if (!(z->rest = gz_start(z->fd, t + 8, len - 8, z->use_isal)))
		bz_fail(z, "out of memory");
	else {
		z->rest->at_boundary = 1;	/* another member, or the end: as after any member */
		z->rest->eof = z->file_eof;
		z->end = 2;
	}
	free(t);
	return;
oom:
	free(t);
	bz_fail(z, "out of memory");
}

/*
 * The reader's decoding of batch next_take (b), on from b->in_off,
 * straight into dst[0..cap), outside the lock: the bytes made, or -1
 * (b->err: z->err is the lock's). *done when the batch is used up (or the
 * member ends in it).
 */
static ssize_t fl_serial(struct bgzf *z, struct bz_batch *b, char *dst, size_t cap, int *done)
{
	const unsigned char *in = b->raw + b->in_off;
	size_t n = b->raw_len - b->in_off, made;
	const char *why = NULL;
	int st;

	*done = 0;
	st = rd_step(z->ser, &in, &n, dst, cap, &made, &why);
	if (st == RD_MORE && !made && n && in == b->raw + b->in_off) {
		st = RD_ERR;	/* (never: a decoder with input and room makes progress) */
		why = "no progress";
	}
	b->in_off = (size_t)(in - b->raw);
	if (st == RD_ERR) {
		snprintf(b->err, sizeof(b->err), "corrupt gzip data: %s", why);
		return -1;
	}
	fl_handed(z, dst, made, 1);
	if (st == RD_END) {
		b->fin = 1;
		b->end_at = b->in_off;
		z->mid = 0;
		*done = 1;
	} else if (n == 0 && made < cap) {	/* all taken, nothing held back */
		if (b->last) {
			snprintf(b->err, sizeof(b->err), "truncated gzip input (unexpected end of file)");
			return -1;
		}
		z->mid = !rd_at_boundary(z->ser);
		*done = 1;
	}
	return (ssize_t)made;
}

/* bgzf_fill for a member cut at flush points: decoded bytes into dst, 0 at the end, -1 (g->err). */
static ssize_t fl_fill(struct gz *g, char *dst, size_t cap)
{
	struct bgzf *z = g->bz;
	struct bz_batch *b;
	ssize_t n;
	int done;

	pthread_mutex_lock(&z->mu);
	while (!z->end) {
		if (z->ser_on) {
			b = &z->ring[z->next_take % BZ_RING];
			pthread_mutex_unlock(&z->mu);	/* the batch is the reader's while it decodes it */
			n = fl_serial(z, b, dst, cap, &done);
			pthread_mutex_lock(&z->mu);
			if (n < 0) {
				bz_fail(z, b->err);
				break;
			}
			if (done) {
				z->ser_on = 0;
				if (b->fin)
					fl_member_end(z);
				else {
					bz_park(z, b);
					z->next_take++;
				}
			}
			if (n > 0) {
				pthread_mutex_unlock(&z->mu);
				return n;
			}
			continue;
		}
		if (z->next_take < z->next_read) {
			b = &z->ring[z->next_take % BZ_RING];
			while (b->state == BZ_BUSY)
				pthread_cond_wait(&z->cv, &z->mu);
			if (b->state == BZ_FAILED) {
				snprintf(z->err, sizeof(z->err), "%s", b->err);
				z->end = -1;
				break;
			}
			if (b->ok && !z->mid) {	/* a helper's, from a verified start */
				if (b->take == 0)
					z->crc = crc32_combine(z->crc, b->crc, (z_off_t)b->out_len);
				if (b->take < b->out_len) {
					pthread_mutex_unlock(&z->mu);
					n = (ssize_t)(b->out_len - b->take < cap ? b->out_len - b->take : cap);
					memcpy(dst, b->out + b->take, (size_t)n);
					fl_handed(z, dst, (size_t)n, 0);
					__atomic_fetch_add(&z->ahead, (uint64_t)n, __ATOMIC_RELAXED);
					b->take += (size_t)n;
					return n;
				}
				if (b->fin)
					fl_member_end(z);
				else {
					bz_park(z, b);
					z->next_take++;
				}
				continue;
			}
			if (b->tried && !z->mid && ++z->misses >= FL_MISSES)
				z->dependent = 1;	/* the stretches refer back: helpers' work is wasted */
			if (!z->ser && !(z->ser = rd_new(z->use_isal))) {
				bz_fail(z, "out of memory");
				break;
			}
			if (!z->mid && rd_reset(z->ser, z->hist, z->hist_len) < 0) {
				bz_fail(z, "cannot start gzip decoder");
				break;
			}
			b->in_off = 0;
			b->fin = 0;
			z->ser_on = 1;
			continue;
		}
		if (bz_can_read(z)) {	/* nothing cut ahead: the reader cuts the next batch, to decode it itself */
			b = &z->ring[z->next_read++ % BZ_RING];
			b->state = BZ_READY;
			bz_unpark(z, b);
			fl_cut(z, b);
			continue;
		}
		/* (never: batches are cut until the one the member ends in, and its slot is free) */
		bz_fail(z, "truncated gzip input (unexpected end of file)");
	}
	pthread_mutex_unlock(&z->mu);
	return bz_after(g, dst, cap);
}

static ssize_t bgzf_fill(struct gz *g, char *dst, size_t cap)
{
	struct bgzf *z = g->bz;
	struct bz_batch *b;
	size_t n;

	if (z->flush)
		return fl_fill(g, dst, cap);
	pthread_mutex_lock(&z->mu);
	for (;;) {
		if (z->next_take < z->next_read) {
			b = &z->ring[z->next_take % BZ_RING];
			while (b->state == BZ_BUSY)
				pthread_cond_wait(&z->cv, &z->mu);
			if (b->state == BZ_FAILED) {
				snprintf(g->err, sizeof(g->err), "%s", b->err);
				pthread_mutex_unlock(&z->mu);
				return -1;
			}
			if (b->take < b->out_len) {
				pthread_mutex_unlock(&z->mu);	/* the batch is the reader's until it frees it */
				n = b->out_len - b->take < cap ? b->out_len - b->take : cap;
				memcpy(dst, b->out + b->take, n);
				b->take += n;
				return (ssize_t)n;
			}
			bz_park(z, b);
			z->next_take++;
			continue;
		}
		if (bz_can_read(z) && cap > 65536) {
			/* nothing decoded ahead: the reader decodes, straight into dst (no copy) */
			b = &z->ring[z->next_read % BZ_RING];
			if (bz_run_batch(z, dst, cap) < 0) {
				snprintf(g->err, sizeof(g->err), "%s", b->err);
				pthread_mutex_unlock(&z->mu);
				return -1;
			}
			n = b->out_len;
			bz_park(z, b);	/* handed out whole: the batch after it is next */
			z->next_take++;
			if (!n)
				continue;
			pthread_mutex_unlock(&z->mu);
			return (ssize_t)n;
		}
		if (bz_can_read(z)) {
			bz_run_batch(z, NULL, 0);	/* a small dst: decoded into the batch */
			continue;
		}
		break;
	}
	/* every batch handed out: the end, an error, or plain gzip from here */
	if (z->end == 2 && !z->rest) {
		if (!(z->rest = gz_start(z->fd, z->pend + z->off, z->len - z->off, z->use_isal)))
			bz_fail(z, "out of memory");
		else if (z->file_eof)
			z->rest->eof = 1;
	}
	pthread_mutex_unlock(&z->mu);
	return bz_after(g, dst, cap);
}

int in_work_ahead(struct in *in)
{
	struct bgzf *z = in->gz ? in->gz->bz : NULL;
	int did = 0;

	if (!z)
		return 0;
	pthread_mutex_lock(&z->mu);
	if (z->flush ? !z->dependent && bz_can_read(z) : bz_can_read(z)) {
		if (z->flush)
			fl_run_batch(z);
		else
			bz_run_batch(z, NULL, 0);
		did = 1;
	}
	pthread_mutex_unlock(&z->mu);
	return did;
}

static struct bgzf *bz_new(struct gz *g, const unsigned char *pre, size_t pre_len)
{
	struct bgzf *z = calloc(1, sizeof(*z));

	if (!z || !(z->pend = malloc(pre_len + BZ_READ))) {
		free(z);
		return NULL;
	}
	pthread_mutex_init(&z->mu, NULL);
	pthread_cond_init(&z->cv, NULL);
	z->fd = g->fd;
	z->depth = BZ_RING;
	z->use_isal = g->use_isal;
	z->raw_count = &g->raw;
	memcpy(z->pend, pre, pre_len);
	z->len = pre_len;
	z->cap = pre_len + BZ_READ;
	return z;
}

static void bz_free(struct bgzf *z)
{
	int i;

	if (!z)
		return;
	for (i = 0; i < BZ_RING; i++) {
		free(z->ring[i].raw);
		free(z->ring[i].out);
	}
	for (i = 0; i < z->nspare; i++) {
		free(z->spare[i].raw);
		free(z->spare[i].out);
	}
	if (z->rest)
		gz_destroy(z->rest);
	while (z->nidle)
		gz_destroy(z->idle[--z->nidle]);
	while (z->ndec_idle)
		rd_free(z->dec_idle[--z->ndec_idle]);
	rd_free(z->ser);
	free(z->pend);
	pthread_mutex_destroy(&z->mu);
	pthread_cond_destroy(&z->cv);
	free(z);
}

int in_is_bgzf(const struct in *in)
{
	return in->gz && in->gz->bz;
}

uint64_t in_decoded_ahead(const struct in *in)
{
	return in_is_bgzf(in) ? __atomic_load_n(&in->gz->bz->ahead, __ATOMIC_RELAXED) : 0;
}

int in_never_waits(const struct in *in)
{
	struct stat st;

	return fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- another encoding, turned into UTF-8 (iconv) ---- */

#define CONV_SIZE ((size_t)64 << 10)

struct in_conv {
	iconv_t cd;
	char raw[CONV_SIZE];	/* undecoded bytes, raw[0..rlen) */
	size_t rlen;
	char out[4 * CONV_SIZE];	/* decoded bytes not handed out yet: out[ooff..olen) */
	size_t ooff, olen;
	int raw_eof;
	uint64_t decoded;	/* bytes of UTF-8 handed out, for messages */
};

int in_encoding_known(const char *encoding)
{
	iconv_t cd = iconv_open("UTF-8", encoding);

	if (cd == (iconv_t)-1)
		return 0;
	iconv_close(cd);
	return 1;
}

/* Bytes as the file (or gzip) gives them: how many, 0 at the end, -1 with in->err. */
static ssize_t raw_fill(struct in *in, char *dst, size_t cap)
{
	ssize_t r;

	if (in->gz)
		return gz_fill(in, dst, cap);
	r = read_some(in->fd, dst, cap);
	if (r > 0)
		__atomic_fetch_add(&in->raw, (uint64_t)r, __ATOMIC_RELAXED);
	if (r < 0)
		snprintf(in->err, sizeof(in->err), "read error: %s", strerror(errno));
	return r;
}

/* Decoded bytes read ahead (in_read_ahead): data[off..len) not taken yet. */
struct in_block {
	struct in_block *next;
	size_t off, len;
	char data[];
};

/* A block is one huge page (mem.c), header and all: one fault, not 512 */
#define AHEAD_BLOCK (MEM_MAP_MIN - sizeof(struct in_block))

/*
 * Blocks read and taken wait here for the next read ahead (until
 * in_ahead_release): a block of malloc's own was fresh pages each time,
 * which the kernel faulted in and cleared as it was decoded into (18,000
 * faults on 8 .gz files of 60 MB). They are never more than were read
 * ahead at once, which the callers' budget bounds.
 */
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static struct in_block *pool;

static struct in_block *block_get(void)
{
	struct in_block *b;

	pthread_mutex_lock(&pool_mu);
	if ((b = pool) != NULL)
		pool = b->next;
	pthread_mutex_unlock(&pool_mu);
	return b ? b : mem_zalloc(MEM_MAP_MIN);
}

static void block_put(struct in_block *b)
{
	pthread_mutex_lock(&pool_mu);
	b->next = pool;
	pool = b;
	pthread_mutex_unlock(&pool_mu);
}

void in_ahead_release(void)
{
	struct in_block *b;

	pthread_mutex_lock(&pool_mu);
	b = pool;
	pool = NULL;
	pthread_mutex_unlock(&pool_mu);
	while (b) {
		struct in_block *next = b->next;

		mem_free(b, MEM_MAP_MIN);
		b = next;
	}
}

static ssize_t fill_now(struct in *in, char *dst, size_t cap);

/* Decoded bytes: those read ahead first, then from the file. */
static ssize_t fill(struct in *in, char *dst, size_t cap)
{
	struct in_block *b = in->ahead;
	size_t n;

	if (!b) {
		if (in->ahead_end)	/* read ahead to the end, or to an error (in->err) */
			return in->ahead_end < 0 ? -1 : 0;
		return fill_now(in, dst, cap);
	}
	n = b->len - b->off < cap ? b->len - b->off : cap;
	memcpy(dst, b->data + b->off, n);
	b->off += n;
	in->ahead_bytes -= n;
	if (b->off == b->len) {
		in->ahead = b->next;
		if (!in->ahead)
			in->ahead_tail = NULL;
		block_put(b);
	}
	return (ssize_t)n;
}

void in_thread_reads_ahead(void)
{
	reading_ahead = 1;
}

int in_read_ahead(struct in *in, size_t budget)
{
	size_t got = 0;
	ssize_t r = 1;
	int was = reading_ahead;

	reading_ahead = 1;
	while (got < budget && !in->ahead_end) {
		struct in_block *b = block_get();

		if (!b) {
			reading_ahead = was;
			return -1;
		}
		b->next = NULL;
		b->off = b->len = 0;
		while (b->len < AHEAD_BLOCK && (r = fill_now(in, b->data + b->len, AHEAD_BLOCK - b->len)) > 0)
			b->len += (size_t)r;
		if (r <= 0)
			in->ahead_end = r < 0 ? -1 : 1;
		if (!b->len) {
			block_put(b);
			break;
		}
		if (in->ahead_tail)
			in->ahead_tail->next = b;
		else
			in->ahead = b;
		in->ahead_tail = b;
		in->ahead_bytes += b->len;
		got += b->len;
	}
	reading_ahead = was;
	return 0;
}

/* Decoded bytes (UTF-8) into dst[0..cap): how many, 0 at the end, -1 with in->err. */
static ssize_t fill_now(struct in *in, char *dst, size_t cap)
{
	struct in_conv *c = in->conv;
	size_t n;
	ssize_t r;

	if (!c)
		return raw_fill(in, dst, cap);
	while (c->ooff == c->olen) {
		char *ip, *op;
		size_t il, ol;

		if (!c->raw_eof && c->rlen < sizeof(c->raw)) {
			r = raw_fill(in, c->raw + c->rlen, sizeof(c->raw) - c->rlen);
			if (r < 0)
				return -1;
			if (r == 0)
				c->raw_eof = 1;
			c->rlen += (size_t)r;
		}
		if (c->rlen == 0)
			return 0;
		ip = c->raw;
		il = c->rlen;
		op = c->out;
		ol = sizeof(c->out);
		if (iconv(c->cd, &ip, &il, &op, &ol) == (size_t)-1 && errno != EINVAL && errno != E2BIG) {
			snprintf(in->err, sizeof(in->err), "byte %llu of the decoded text: not in the input's encoding "
				 "(--encoding)", (unsigned long long)(c->decoded + (size_t)(op - c->out) + 1));
			return -1;
		}
		c->ooff = 0;
		c->olen = (size_t)(op - c->out);
		memmove(c->raw, ip, il);	/* a sequence cut by the read waits for its rest */
		c->rlen = il;
		if (c->olen == 0 && c->raw_eof && c->rlen) {
			snprintf(in->err, sizeof(in->err), "the input ends inside a character (--encoding)");
			return -1;
		}
	}
	n = c->olen - c->ooff < cap ? c->olen - c->ooff : cap;
	memcpy(dst, c->out + c->ooff, n);
	c->ooff += n;
	c->decoded += n;
	return (ssize_t)n;
}

static void gz_destroy(struct gz *g)
{
	bz_free(g->bz);
	if (g->z_ready)
		inflateEnd(&g->z);
#ifdef HAVE_ISAL
	free(g->st);
#endif
	free(g->inbuf);
	free(g);
}

static struct gz *gz_start(int fd, const unsigned char *pre, size_t pre_len, int use_isal)
{
	struct gz *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->fd = fd;
	g->use_isal = use_isal;
	g->inbuf = malloc(pre_len > GZ_IN_SIZE ? pre_len : GZ_IN_SIZE);	/* (a member's end hands on more) */
	if (!g->inbuf)
		goto fail;
#ifdef HAVE_ISAL
	if (use_isal) {
		g->st = malloc(sizeof(*g->st));
		if (!g->st)
			goto fail;
		isal_inflate_init(g->st);
		g->st->crc_flag = ISAL_GZIP;
	} else
#endif
	{
		if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK)
			goto fail;
		g->z_ready = 1;
	}
	if (pre_len)
		memcpy(g->inbuf, pre, pre_len);
	g->next_in = g->inbuf;
	g->avail_in = pre_len;
	return g;
fail:
	gz_destroy(g);
	return NULL;
}

int in_open(struct in *in, const char *name, const struct in_opts *o)
{
	ssize_t r;
	size_t got = 0, hdr;
	int use_isal;

	memset(in, 0, sizeof(*in));
	in->name = name;
	in->max_line = o && o->max_line ? o->max_line : IN_MAX_LINE_DEFAULT;
	if (!name || strcmp(name, "-") == 0) {
		in->fd = 0;
		fd_pipe_size(0);
	} else {
		in->fd = open(name, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
			snprintf(in->err, sizeof(in->err), "cannot open: %s", strerror(errno));
			return -1;
		}
	}
	in->cap = READ_SIZE;
	in->buf = malloc(in->cap);
	if (!in->buf) {
		snprintf(in->err, sizeof(in->err), "out of memory");
		goto fail;
	}
	/* read until two bytes are in, to look for the gzip magic */
	/* no more than the gzip decoder's input buffer holds: it takes these bytes */
	while (got < 2) {
		r = read_some(in->fd, in->buf + got, GZ_IN_SIZE - got);
		if (r < 0) {
			snprintf(in->err, sizeof(in->err), "read error: %s", strerror(errno));
			goto fail;
		}
		if (r == 0) {
			in->eof = 1;
			break;
		}
		got += (size_t)r;
	}
	in->raw = got;
	if (got >= 2 && (unsigned char)in->buf[0] == 0x1f && (unsigned char)in->buf[1] == 0x8b) {
		use_isal = in_have_isal() && (!o || o->inflate != IN_INFLATE_ZLIB);
		in->gz = gz_start(in->fd, (unsigned char *)in->buf, got, use_isal);
		if (!in->gz) {
			snprintf(in->err, sizeof(in->err), "cannot start gzip decoder");
			goto fail;
		}
		/* BGZF when its first member says so (the first read has its header but on a slow pipe) */
		if (bz_starts((unsigned char *)in->buf, got) && !(in->gz->bz = bz_new(in->gz, (unsigned char *)in->buf, got))) {
			snprintf(in->err, sizeof(in->err), "out of memory");
			goto fail;
		}
		/* a member cut at flush points, for threads to share: one in the first read says so */
		hdr = in->gz->bz || !o || o->helpers < FL_HELPERS ? 0 : gz_header_len((unsigned char *)in->buf, got);
		if (hdr && find_flush((unsigned char *)in->buf + hdr, got - hdr)) {
			if (!(in->gz->bz = bz_new(in->gz, (unsigned char *)in->buf + hdr, got - hdr))) {
				snprintf(in->err, sizeof(in->err), "out of memory");
				goto fail;
			}
			in->gz->bz->flush = 1;
			/* each batch's buffers are fresh pages the first time: as many as keep the helpers busy */
			in->gz->bz->depth = o->helpers > BZ_RING / 2 ? BZ_RING : 2 * o->helpers;
		}
		in->end = 0;
	} else if (in->name && strcmp(in->name, "-") && ends_nocase(in->name, strlen(in->name), ".gz")) {
		/* as zcat says: a .gz name promises gzip, and reading it as text would give nothing useful */
		snprintf(in->err, sizeof(in->err), got ? "not in gzip format (the name ends in .gz)"
							: "empty, not gzip (the name ends in .gz)");
		goto fail;
	} else {
		in->end = got;
	}
	if (o && o->encoding) {
		if (!(in->conv = calloc(1, sizeof(*in->conv)))) {
			snprintf(in->err, sizeof(in->err), "out of memory");
			goto fail;
		}
		if ((in->conv->cd = iconv_open("UTF-8", o->encoding)) == (iconv_t)-1) {
			snprintf(in->err, sizeof(in->err), "--encoding: iconv does not know '%s'", o->encoding);
			free(in->conv);
			in->conv = NULL;
			goto fail;
		}
		/* the bytes read to look for gzip are undecoded, and the end of the file is not the end yet */
		memcpy(in->conv->raw, in->buf, in->end);
		in->conv->rlen = in->end;
		in->end = 0;
		in->conv->raw_eof = in->eof;
		in->eof = 0;
	}
	return 0;
fail:
	if (in->gz)
		gz_destroy(in->gz);
	in->gz = NULL;
	if (in->fd > 0)
		close(in->fd);
	in->fd = -1;
	free(in->buf);
	in->buf = NULL;
	return -1;
}

static uint64_t count_lines(const char *p, size_t n)
{
	return n ? scan_count(p, n, '\n') : 0;	/* p may be NULL: a chunk buffer never grown */
}

/*
 * CSV record boundaries (RFC 4180, read as libcsv reads it): a quote opens
 * a quoted field only at the start of a field; inside one, a doubled quote
 * is a quote and a single one closes it. A quote anywhere else is data.
 * Newlines end a record except inside a quoted field. The states carry
 * across calls, so a chunk may end anywhere.
 */
enum { R_FIELD, R_UNQ, R_QUOTED, R_QQ };	/* field start, unquoted, quoted, quote seen in quoted */

/*
 * Advance over p[0..n) from state *st: the first (first != 0) or last
 * record-ending newline, or NULL. *st is the state after p[n-1], except
 * when the first newline is returned.
 */
static const char *rec_scan(const char *p, size_t n, char q, char d, int *st, int first)
{
	const char *end = p + n, *last = NULL, *x, *lim, *nl;
	int s = *st, at_start;

	while (p < end) {
		if (s == R_QQ) {	/* a quote was seen in a quoted field: the next byte decides */
			if (*p == q) {
				s = R_QUOTED;
				p++;
				continue;
			}
			s = R_UNQ;	/* closed (text after it is the parser's to reject) */
		}
		if (s == R_QUOTED) {
			x = memchr(p, q, (size_t)(end - p));
			if (!x) {
				p = end;
				break;
			}
			p = x + 1;
			s = R_QQ;
			continue;
		}
		/* outside quotes: every newline up to the next quote ends a record */
		x = memchr(p, q, (size_t)(end - p));
		lim = x ? x : end;
		if (lim > p) {
			nl = first ? memchr(p, '\n', (size_t)(lim - p)) : memrchr(p, '\n', (size_t)(lim - p));
			if (nl) {
				if (first) {
					*st = R_FIELD;
					return nl;
				}
				last = nl;
			}
			at_start = lim[-1] == d || lim[-1] == '\n';
		} else
			at_start = s == R_FIELD;
		if (!x) {
			s = at_start ? R_FIELD : R_UNQ;
			break;
		}
		s = at_start ? R_QUOTED : R_UNQ;
		p = x + 1;
	}
	*st = s;
	return last;
}

/* The end of the last whole record (or line, when q is 0) in p[0..n), or NULL. */
static const char *last_break(const char *p, size_t n, char q, char d, int *st)
{
	if (!q)
		return n ? (const char *)memrchr(p, '\n', n) : NULL;
	return rec_scan(p, n, q, d, st, 0);
}

/* The first '\n' or q in p[0..n) (there is a '\n'), in one pass. */
static const char *newline_or(const char *p, size_t n, char q)
{
	const char *end = p + n;

#ifdef __SSE2__
	const __m128i nv = _mm_set1_epi8('\n'), qv = _mm_set1_epi8(q);

	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, nv), _mm_cmpeq_epi8(v, qv)));

		if (m)
			return p + __builtin_ctz(m);
	}
#endif
	for (; p < end && *p != '\n' && *p != q; p++)
		;
	return p;
}

size_t in_record_len(const char *p, size_t n, char q, char d, uint64_t *nl)
{
	const char *e, *s, *b;
	int st = R_FIELD;

	*nl = 0;
	if (!q)
		return (size_t)((const char *)memchr(p, '\n', n) - p);
	e = newline_or(p, n, q);
	if (e == p + n || *e == '\n')
		return (size_t)(e - p);	/* no quote before the newline: the line is the record */
	b = rec_scan(p, n, q, d, &st, 1);
	if (!b)
		b = p + n - 1;	/* a quote left open at the end of input: the rest is the record */
	for (s = p; (s = memchr(s, '\n', (size_t)(b - s))) != NULL; s++)
		++*nl;
	return (size_t)(b - p);
}

ssize_t in_peek(struct in *in, size_t want, const char **p)
{
	ssize_t r;

	if (want > in->cap) {
		char *b = realloc(in->buf, want);

		if (!b) {
			snprintf(in->err, sizeof(in->err), "out of memory");
			return -1;
		}
		in->buf = b;
		in->cap = want;
	}
	while (in->end < want && !in->eof) {
		r = fill(in, in->buf + in->end, want - in->end);
		if (r < 0) {
			in->peek_err = 1;	/* in_chunk reports it, after the bytes before it */
			break;
		}
		if (r == 0)
			in->eof = 1;
		in->end += (size_t)r;
	}
	*p = in->buf;
	return (ssize_t)in->end;
}

/*
 * Reads go straight into the chunk (no copy through in->buf); only the
 * partial line after the chunk's last newline is carried over, in in->buf.
 */
int in_chunk(struct in *in, struct buf *dst, size_t target, uint64_t *lines)
{
	size_t base = dst->len, scanned, whole, left, want;
	ssize_t r;
	char *nl;
	int failed = 0, inq = R_FIELD;

	if (lines)
		*lines = 0;
	if (in->pending_err) {
		/* the error found while filling the previous chunk, on the next line */
		in->pending_err = 0;
		in->lineno++;
		return -1;
	}
	if (in->end && buf_add(dst, in->buf, in->end) < 0)
		goto oom;
	in->end = 0;
	whole = scanned = base;	/* dst[base..whole) holds whole lines */
	for (;;) {
		nl = dst->len > scanned ? (char *)last_break(dst->p + scanned, dst->len - scanned, in->quote, in->delim, &inq) : NULL;
		if (nl)
			whole = (size_t)(nl - dst->p) + 1;
		scanned = dst->len;
		if (dst->len - whole > in->max_line) {
			if (in->quote)
				snprintf(in->err, sizeof(in->err),
					 "record longer than %zu bytes (--max-line; an unclosed quote?)", in->max_line);
			else
				snprintf(in->err, sizeof(in->err), "line longer than %zu bytes (--max-line)", in->max_line);
			failed = 1;
			break;
		}
		if (whole - base >= target || in->eof)
			break;
		if (in->peek_err) {
			failed = 1;
			break;
		}
		want = target - (whole - base) + (64u << 10);
		if (buf_grow(dst, want) < 0)
			goto oom;
		r = fill(in, dst->p + dst->len, want);
		if (r < 0) {
			failed = 1;
			break;
		}
		if (r == 0)
			in->eof = 1;
		dst->len += (size_t)r;
	}
	if (!failed && in->eof && dst->len > whole) {
		/* a last line without '\n' (or a CSV record with a quote left open) */
		if (dst->p[dst->len - 1] != '\n' && buf_addc(dst, '\n') < 0)
			goto oom;
		whole = dst->len;
	}
	/* carry the partial line over to the next call */
	left = failed ? 0 : dst->len - whole;
	if (left > in->cap) {
		char *p = realloc(in->buf, left);

		if (!p)
			goto oom;
		in->buf = p;
		in->cap = left;
	}
	if (left)
		memcpy(in->buf, dst->p + whole, left);
	in->end = left;
	dst->len = whole;
	if (lines) {
		*lines = count_lines(dst->p + base, whole - base);
		in->lineno += *lines;
	}
	if (failed) {
		if (whole == base) {
			in->lineno++;
			return -1;
		}
		in->pending_err = 1;	/* hand out the good lines first */
	}
	return whole > base;
oom:
	snprintf(in->err, sizeof(in->err), "out of memory");
	in->lineno++;
	return -1;
}

void in_close(struct in *in)
{
	while (in->ahead) {
		struct in_block *b = in->ahead;

		in->ahead = b->next;
		block_put(b);
	}
	in->ahead_tail = NULL;
	if (in->gz)
		gz_destroy(in->gz);
	in->gz = NULL;
	if (in->conv) {
		iconv_close(in->conv->cd);
		free(in->conv);
		in->conv = NULL;
	}
	if (in->fd > 0)
		close(in->fd);
	in->fd = -1;
	free(in->buf);
	in->buf = NULL;
}
