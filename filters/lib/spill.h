/*
 * spill.h - sorted runs on disk, for sorts larger than memory. A run is a
 * sequence of (key, record) pairs, LZ4-compressed (Debian's liblz4: on our
 * NDJSON it compresses 1.5 times as fast as zstd -1, at half zstd's ratio,
 * and the spill is CPU-bound), written to a file of the temporary directory
 * that is unlinked as soon as it exists: the space comes back when the
 * file is closed or the process ends, however it ends (an error, SIGINT,
 * SIGKILL), and nothing is ever left behind. Reading a run back hands out
 * its pairs in order, each valid until the next call.
 */
#ifndef VCHAIN_SPILL_H
#define VCHAIN_SPILL_H

#include <stddef.h>
#include <stdint.h>

/*
 * A run is written in segments of about SPILL_SEGMENT bytes of pairs, each
 * an LZ4 frame of its own that no pair crosses, so a reader may start at
 * any segment: its offset in the file, its bytes before compression, and
 * its first pair's key (key_at into keys, klen bytes). A merge split by
 * key ranges starts each range's reading at the segment before its first
 * key (xsort.c).
 */
#define SPILL_SEGMENT (64u << 10)

struct spill_seg {
	uint64_t off, raw;
	size_t key_at;
	uint32_t klen;
};

struct spill_segs {
	struct spill_seg *s;
	size_t n, cap;
	char *keys;
	size_t keys_len, keys_cap;
	uint64_t bytes;		/* the run's size */
};

struct spill_writer {
	int fd;
	const char *dir;	/* for messages */
	void *cctx;		/* LZ4F_cctx */
	char *in, *out;		/* pairs waiting; compressed bytes */
	size_t in_len, in_cap, out_cap;
	uint64_t bytes;		/* compressed bytes written */
	uint64_t raw;		/* the same, before compression */
	uint64_t pairs;
	uint64_t seg_raw;	/* bytes of pairs in the segment being written (0: none begun) */
	struct spill_segs segs;
	char why[256];
};

struct spill_reader {
	int fd;
	int own;		/* the reader closes fd */
	uint64_t pos;		/* the file offset read next */
	uint64_t end;		/* set by the caller: the run's size (0: not known; the last frame ends it) */
	int in_frame;		/* a segment's frame is begun and not ended */
	void *dctx;		/* LZ4F_dctx */
	char *in;		/* compressed bytes read, in[in_pos..in_len) not yet decoded */
	size_t in_pos, in_len, in_cap;
	char *out;		/* decoded, out[out_pos..out_len) not yet handed out */
	size_t out_pos, out_len, out_cap;
	int eof;
	int started;	/* the frame's header was read (and checked) */
	size_t max_pair;	/* set by the caller: no pair written was longer (0: not known) */
	char why[256];
};

/* A new run in directory dir. 0, or -1 (why: the directory, and what is wrong). */
int spill_create(struct spill_writer *w, const char *dir);
/* One pair. 0, or -1 (why: a full disk names the directory). */
int spill_put(struct spill_writer *w, const void *key, uint32_t klen, const void *rec, uint32_t rlen);
/*
 * The run written: its file, ready to be read from the start (the writer
 * is freed); its segments into *segs when segs is not NULL. The fd, or -1
 * (why).
 */
int spill_finish(struct spill_writer *w, struct spill_segs *segs);
void spill_writer_free(struct spill_writer *w);
void spill_segs_free(struct spill_segs *segs);
/* Segment i's first key. */
static inline const char *spill_seg_key(const struct spill_segs *g, size_t i)
{
	return g->keys + g->s[i].key_at;
}

/* What a reader holds besides its chunk and twice that (below): LZ4's blocks. */
#define SPILL_READER_STATE ((size_t)2 * (64u << 10) + 64)

/*
 * Read the run in fd, decoding about chunk bytes at a time: it holds chunk
 * bytes read, 2 * chunk decoded (more for a pair longer than that) and
 * SPILL_READER_STATE. 0, or -1 (why).
 */
int spill_open(struct spill_reader *r, int fd, size_t chunk);
/*
 * As spill_open, from file offset off (a segment's) to the run's end, end
 * (its size: reading stops short of it only at an error), reading with
 * pread: readers of one file side by side. fd stays open when the reader
 * is freed.
 */
int spill_open_at(struct spill_reader *r, int fd, size_t chunk, uint64_t off, uint64_t end);
/* The same reader (its buffers, its max_pair), to read run fd of size end from off now. */
void spill_seek(struct spill_reader *r, int fd, uint64_t off, uint64_t end);
/* The next pair: 1; 0 at the end of the run; -1 (why: a damaged run). */
int spill_next(struct spill_reader *r, const char **key, uint32_t *klen, const char **rec, uint32_t *rlen);
/* Closes the file too (spill_open's). */
void spill_reader_free(struct spill_reader *r);

#endif
