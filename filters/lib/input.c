/*
 * input.c - the read side of every filter.
 *
 * Plain input is read(2) in large blocks into one buffer; lines are found
 * with memchr and handed out as spans into it. Gzip input is inflated
 * straight into the chunk by the reading thread, while the filter's
 * workers parse the chunks before it, so decoding and parsing use all
 * cores and no decoded byte is copied.
 *
 * in_chunk() reads straight into the caller's chunk; only the partial line
 * after a chunk's last newline is kept, in buf[0..end), for the next.
 */
#define _GNU_SOURCE	/* memrchr */
#include <errno.h>
#include <signal.h>
#include <iconv.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "input.h"
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
};

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
 * returns how many, 0 at the clean end, -1 with in->err. Multi-member
 * files go on into the next member; input that ends inside a member is
 * "truncated", never a short result.
 */
static ssize_t gz_fill(struct in *in, char *dst, size_t cap)
{
	struct gz *g = in->gz;
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
	if (g->done < 0) {
		snprintf(in->err, sizeof(in->err), "%s", g->err);
		return -1;
	}
	return 0;
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

/* Decoded bytes (UTF-8) into dst[0..cap): how many, 0 at the end, -1 with in->err. */
struct in_block {
	struct in_block *next;
	size_t off, len;
	char data[];
};

#define AHEAD_BLOCK ((size_t)1 << 20)

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
		free(b);
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
		struct in_block *b = malloc(sizeof(*b) + AHEAD_BLOCK);

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
			free(b);
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
	g->inbuf = malloc(GZ_IN_SIZE);
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
	size_t got = 0;
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
		free(b);
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
