/*
 * par.h - an ordered parallel map over the lines of an input: chunks of
 * whole lines go to worker threads, and their results are committed
 * strictly in input order, so output, rejects, messages and FILE:LINE are
 * exactly what one thread would give. Workers do the per-line work that
 * needs no shared state (parsing, normalising); the commit step, in the
 * calling thread, does the rest (writing, counting, stopping).
 */
#ifndef VCHAIN_PAR_H
#define VCHAIN_PAR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "input.h"
#include "scan.h"

#define PAR_MAX_WORKERS 256
#define PAR_MAX_MSGS 10		/* messages kept per chunk for bad records */
#define PAR_MAX_RULES 8		/* reasons a line function may leave a record out */

/* A piece of a chunk's output: bytes of its input (lines kept as they were) or of out. */
struct par_span {
	int from_in;
	size_t off, len;
};

/* What a worker made of one chunk. */
struct par_chunk {
	struct buf in;		/* whole lines (or records), each ending in '\n' */
	size_t skip;		/* bytes of `in` that are no record (an input's header) */
	uint64_t skip_lines;	/* lines in them */
	uint64_t lines;		/* lines in `in` */
	struct buf out;		/* records written by the line function */
	/*
	 * The output in order, when some lines were kept as they were
	 * (PAR_SAME): spans of in and out. With no spans it is out alone.
	 * par_chunk_write writes either.
	 */
	struct par_span *span;
	size_t nspan, span_cap;
	struct buf rejects;	/* bad lines, byte-exact, each with its '\n' */
	uint64_t done;		/* records processed (all, unless stopped early) */
	uint64_t written, rejected;
	uint64_t blank;		/* of the records, lines of nothing or only white space (not CSV): skipped */
	uint64_t dropped[PAR_MAX_RULES + 1];	/* left out, by the rule number the function gave */
	/* bad records: line index in the chunk (0-based) of the record's first line, and message */
	unsigned nmsgs;
	uint64_t msg_line[PAR_MAX_MSGS];
	char msg[PAR_MAX_MSGS][200];
	int stopped;		/* processing ended at line msg_line[nmsgs-1] */
	int fatal;		/* out of memory */
	/*
	 * Partitioned state (par_set_parts): the records the line function
	 * routed, as offsets in out grouped by part (each part's in input
	 * order): part q's are part_rec[part_start[q] .. part_start[q + 1]).
	 */
	uint32_t *route;	/* scratch: (offset, part) pairs in record order */
	size_t route_n, route_cap;	/* pairs */
	uint32_t *part_rec, *part_start;
	size_t part_rec_cap;
	unsigned parts_left;	/* parts that have not yet taken the chunk */
	/*
	 * With par_part_outputs: a buffer a part, part_out[q], which part q's
	 * function may append to and the commit reads (what the part made of
	 * the chunk's records that is not one of them: vchain-attribute's
	 * credit records). Emptied when the slot takes its next chunk.
	 */
	struct buf *part_out;
	unsigned nparts;	/* of part_out */
	/*
	 * par_set_chunk_end: what the worker that mapped the chunk says of
	 * its records as a whole (their count, their times), for a commit
	 * that then need not read them one by one.
	 */
	_Alignas(8) unsigned char note[64];
	/*
	 * Where records and lines part (par_record_line): pairs (k, d), record
	 * k and those after it, up to the next pair, on chunk line k + d.
	 * Added when blank, left-out or set-aside lines, or a record of
	 * several lines, shift them: rarely.
	 */
	uint64_t *shift;
	size_t nshift, shift_cap;	/* pairs */
};

/*
 * The per-line function, run in a worker with that worker's context.
 * For an input whose lines are JSON (in->json), marks is the chunk's
 * marking (scan.h), which covers the line; else NULL.
 * Appends the record(s) for the line to out and returns 0; or returns -1
 * for a bad record with a message in why[200]; or -2 when out of memory
 * (after either, whatever it appended is taken back); or 1..PAR_MAX_RULES when the record is left out by that
 * rule (counted in dropped[]). With a quote char on the input, a "line" is
 * a whole record, newlines in quotes included.
 */
typedef int (*par_line_fn)(void *wctx, const char *line, size_t len, const struct scan_marks *marks,
			   struct buf *out, char *why);
/* A line function's answer for a record that is the line itself, unchanged: nothing copied. */
#define PAR_SAME 100
/*
 * With partitioned state: PAR_PART + q says the record the function wrote
 * to out (at the offset out had on entry) goes to part q, whose function
 * (par_set_parts) then sees it in input order with the part's other records.
 */
#define PAR_PART 0x10000
#define PAR_MAX_PARTS 4096

struct par_opts {
	unsigned workers;	/* threads besides the calling one (0: all in the calling thread) */
	int keep_going;		/* bad records go to rejects instead of stopping */
	size_t max_line;
	size_t chunk_size;	/* bytes of input per chunk; 0: 128 KiB */
};

struct par;

/*
 * The line number of the chunk's record k (0-based, counting every record
 * the line function wrote: answers 0, PAR_PART + q and PAR_SAME), the
 * chunk's first line being first_line: for a commit's message about a
 * record, right after blank lines, bad lines set aside (--rejects), lines
 * left out by a rule, or quoted newlines.
 */
uint64_t par_record_line(const struct par_chunk *c, uint64_t first_line, uint64_t k);

/* Write a chunk's output (its spans, or out) to o. 0, or -1 as out_write. */
struct out;
int par_chunk_write(const struct par_chunk *c, struct out *o);

/*
 * wctx[i] is worker thread i's context, and wctx[workers] the calling
 * thread's, which works on chunks too. NULL when out of memory.
 */
struct par *par_new(const struct par_opts *o, par_line_fn fn, void **wctx);
void par_free(struct par *p);

/*
 * Run one input through the workers; commit(cctx, chunk, first_line) is
 * called for each chunk in input order, first_line being the 1-based line
 * number of its first line. commit returns 0 to go on, -1 to stop (the
 * chunks in flight are then dropped). Returns 0 when the input was read
 * to its end, -1 when it could not be (in->err says why, in->lineno where)
 * or commit stopped.
 */
/*
 * For the next par_run only: its first record is a header, given to
 * fn(hctx, rec, len, why) in the calling thread before any worker sees a
 * record (so workers may read what it sets up). fn returns 0, 1 when rec
 * is a line before the header (a report's title: skipped, and fn is given
 * the next), or -1 with why[200]: the run stops with that message on the
 * header's line.
 */
void par_set_header(struct par *p, int (*fn)(void *hctx, const char *rec, size_t len, char *why),
		    void *hctx);

/*
 * Partitioned state instead of a serial commit (DuckDB's radix-partitioned
 * aggregation; morsel-driven parallelism, Leis et al. 2014): state is cut
 * into nparts parts by the key's hash, part q's state is pctx[q], and
 * fn(pctx[q], chunk, offs, n) runs for every chunk in input order with the
 * records the line function routed to q (their offsets in chunk->out). A
 * part is taken by one thread at a time, so its function needs no lock and
 * sees its keys in input order: "keep the first" stays exact whatever the
 * threads. Parts of one chunk run at once on different threads and may
 * write into their own records in out (never into others'). The chunk is
 * committed once every part has taken it. fn returns 0, or -2 when out of
 * memory (the chunk is then fatal). Call before the first par_run.
 */
typedef int (*par_part_fn)(void *pctx, struct par_chunk *c, const uint32_t *offs, size_t n);
int par_set_parts(struct par *p, unsigned nparts, par_part_fn fn, void **pctx);
/* After par_set_parts: each chunk gets its part_out buffers. 0, or -1 when out of memory. */
int par_part_outputs(struct par *p);
/*
 * fn(wctx, c) in the worker that mapped chunk c, after its last line (and
 * whatever the lines were): it writes c->note from what the line function
 * gathered in wctx, and starts afresh. Call before the first par_run.
 */
void par_set_chunk_end(struct par *p, void (*fn)(void *wctx, struct par_chunk *c));
/*
 * Work for idle workers: a worker with nothing to map and no part to take
 * calls fn(ctx) (outside the lock), which does a bounded piece of work and
 * returns 1, or 0 when there is none (the worker then waits for chunks).
 * NULL stops it; par_set_idle returns once no worker is inside fn.
 */
void par_set_idle(struct par *p, int (*fn)(void *ctx), void *ctx);
/*
 * fn(ctx, i) for every i in [0, n), on the workers and the calling thread
 * at once (the work at the end of a run: a part of the state each); returns
 * once all are done. Not while par_run runs. p NULL: one after another here.
 */
void par_each(struct par *p, unsigned n, void (*fn)(void *ctx, unsigned i), void *ctx);
/*
 * n zeroed objects of size bytes each, each on cache lines of its own
 * (PAR_LINE bytes: two 64-byte lines, as the adjacent-line prefetcher
 * fetches pairs), for state that threads write at once: a worker's
 * context, the parts. Without it one thread's counter and its neighbour's
 * share a line the two cores keep taking from each other. *stride gets
 * the bytes from one object to the next. NULL when out of memory; free()
 * frees it.
 */
#define PAR_LINE 128
void *par_calloc_lines(size_t n, size_t size, size_t *stride);
/*
 * Parts of state for par_set_parts: n zeroed objects of size bytes, each on
 * lines of its own (par_calloc_lines), in *mem, and *ptrs[q] the address
 * of object q. 0, or -1 when out of memory (nothing kept). free() both.
 */
int par_calloc_parts(unsigned n, size_t size, void **mem, void ***ptrs);
/* per_thread parts a thread, at least min and at most max. */
static inline unsigned par_nparts(unsigned threads, unsigned per_thread, unsigned min, unsigned max)
{
	unsigned n = threads * per_thread;

	return n < min ? min : n > max ? max : n;
}
/* Which of n parts a 64-bit hash goes to: its high bits (a table indexes by the low ones). */
static inline unsigned par_part_of(uint64_t h, unsigned n)
{
	return (unsigned)(((h >> 32) * (uint64_t)n) >> 32);
}

int par_run(struct par *p, struct in *in,
	    int (*commit)(void *cctx, const struct par_chunk *c, uint64_t first_line), void *cctx);

#endif
