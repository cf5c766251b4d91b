/*
 * gzout.c - see gzout.h. Input is gathered into GZ_IN bytes before a
 * deflate call, so that small writes (a record) cost a copy, not a call.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "gzout.h"

#define GZ_IN ((size_t)256 << 10)
#define GZ_OUT ((size_t)256 << 10)

struct gzout {
	struct out *o;
	unsigned char *in, *outb;
	size_t nin;
#ifdef HAVE_ISAL
	struct isal_zstream s;
	unsigned char *level_buf;
#else
	z_stream z;
#endif
};

struct gzout *gzout_new(struct out *o)
{
	struct gzout *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->o = o;
	g->in = malloc(GZ_IN);
	g->outb = malloc(GZ_OUT);
#ifdef HAVE_ISAL
	g->level_buf = malloc(ISAL_DEF_LVL1_DEFAULT);
	if (!g->in || !g->outb || !g->level_buf) {
		gzout_free(g);
		return NULL;
	}
	isal_deflate_init(&g->s);
	g->s.gzip_flag = IGZIP_GZIP;
	g->s.level = 1;
	g->s.level_buf = g->level_buf;
	g->s.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
#else
	if (!g->in || !g->outb ||
	    deflateInit2(&g->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(g->in);
		free(g->outb);
		free(g);
		return NULL;
	}
#endif
	return g;
}

/* Deflate what is gathered (and end the member when last). 0, or -1. */
static int deflate_some(struct gzout *g, int last)
{
#ifdef HAVE_ISAL
	g->s.next_in = g->in;
	g->s.avail_in = (uint32_t)g->nin;
	g->s.end_of_stream = (uint16_t)last;
	g->s.flush = NO_FLUSH;
	do {
		g->s.next_out = g->outb;
		g->s.avail_out = (uint32_t)GZ_OUT;
		if (isal_deflate(&g->s) != COMP_OK)
			return -1;
		if (out_write(g->o, g->outb, GZ_OUT - g->s.avail_out) < 0)
			return -1;
	} while (g->s.avail_in || (last && g->s.internal_state.state != ZSTATE_END));
#else
	int r;

	g->z.next_in = g->in;
	g->z.avail_in = (uInt)g->nin;
	do {
		g->z.next_out = g->outb;
		g->z.avail_out = (uInt)GZ_OUT;
		r = deflate(&g->z, last ? Z_FINISH : Z_NO_FLUSH);
		if (r == Z_STREAM_ERROR)
			return -1;
		if (out_write(g->o, g->outb, GZ_OUT - g->z.avail_out) < 0)
			return -1;
	} while (g->z.avail_in || (last && r != Z_STREAM_END));
#endif
	g->nin = 0;
	return 0;
}

int gzout_write(struct gzout *g, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t k;

	while (n) {
		k = GZ_IN - g->nin < n ? GZ_IN - g->nin : n;
		memcpy(g->in + g->nin, s, k);
		g->nin += k;
		s += k;
		n -= k;
		if (g->nin == GZ_IN && deflate_some(g, 0) < 0)
			return -1;
	}
	return 0;
}

int gzout_finish(struct gzout *g)
{
	return deflate_some(g, 1);
}

void gzout_free(struct gzout *g)
{
	if (!g)
		return;
#ifndef HAVE_ISAL
	deflateEnd(&g->z);
#else
	free(g->level_buf);
#endif
	free(g->in);
	free(g->outb);
	free(g);
}
