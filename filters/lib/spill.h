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

struct spill_writer {
	int fd;
	const char *dir;	/* for messages */
	void *cctx;		/* LZ4F_cctx */
	char *in, *out;		/* pairs waiting; compressed bytes */
	size_t in_len, in_cap, out_cap;
	uint64_t bytes;		/* compressed bytes written */
	uint64_t raw;		/* the same, before compression */
	uint64_t pairs;
	char why[256];
};

struct spill_reader {
	int fd;
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
/* The run written: its file, ready to be read from the start (the writer is freed). The fd, or -1 (why). */
int spill_finish(struct spill_writer *w);
void spill_writer_free(struct spill_writer *w);

/* What a reader holds besides its chunk and twice that (below): LZ4's blocks. */
#define SPILL_READER_STATE ((size_t)2 * (64u << 10) + 64)

/*
 * Read the run in fd, decoding about chunk bytes at a time: it holds chunk
 * bytes read, 2 * chunk decoded (more for a pair longer than that) and
 * SPILL_READER_STATE. 0, or -1 (why).
 */
int spill_open(struct spill_reader *r, int fd, size_t chunk);
/* The next pair: 1; 0 at the end of the run; -1 (why: a damaged run). */
int spill_next(struct spill_reader *r, const char **key, uint32_t *klen, const char **rec, uint32_t *rlen);
/* Closes the file too. */
void spill_reader_free(struct spill_reader *r);

#endif
