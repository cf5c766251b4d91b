/*
 * gzout.h - write gzip to an out (out.h): ISA-L's deflate at level 1 when
 * it is built in (several times zlib's speed), else zlib's at level 1.
 * Either writes one gzip member that gzip, zcat and vchain read.
 */
#ifndef VCHAIN_GZOUT_H
#define VCHAIN_GZOUT_H

#include <stddef.h>

#include "out.h"

struct gzout;

/* A compressor writing to o (which stays the caller's). NULL when out of memory. */
struct gzout *gzout_new(struct out *o);
/* Compress p[0..n) into o. 0, or -1 (o->err says a write error; else out of memory). */
int gzout_write(struct gzout *g, const void *p, size_t n);
/* End the member (trailer written to o, not flushed). 0, or -1 as gzout_write. */
int gzout_finish(struct gzout *g);
void gzout_free(struct gzout *g);

#endif
