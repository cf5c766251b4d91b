/*
 * scan.h - the passes that look at every byte of the input: a byte's
 * positions as a bitmap, its count, and a JSON line's quotes together with
 * whether anything in it needs a closer look. 32 bytes a step with AVX2
 * where the CPU has it, 16 with SSE2, one at a time elsewhere.
 */
#ifndef VCHAIN_SCAN_H
#define VCHAIN_SCAN_H

#include <stddef.h>
#include <stdint.h>

/* Words of a bitmap of n bytes. */
#define SCAN_WORDS(n) (((n) + 63) >> 6)

/* Sets bit i of bits[i / 64] where p[i] == c, for i < n, and clears the rest of the last word. */
void scan_mark(const char *p, size_t n, char c, uint64_t *bits);
/* How many bytes of p[0..n) are c. */
size_t scan_count(const char *p, size_t n, char c);

enum { SCAN_SPECIAL = 1, SCAN_NONASCII = 2 };
/*
 * scan_mark(p, n, '"', quotes), and the return says what else is there:
 * SCAN_SPECIAL for a backslash or a byte below 0x20, SCAN_NONASCII for a
 * byte above 0x7F.
 */
unsigned scan_json(const char *p, size_t n, uint64_t *quotes);

/*
 * A chunk of JSON lines marked in one pass (scan_json_lines): where its
 * lines end, its quotes, and its bytes that need a closer look (attn: a
 * backslash, a control byte other than '\n', or a byte above 0x7F).
 * Bit i of each bitmap is byte base[i]; quote has a zero word after its
 * last. A line with no attn bit has strings that end at the next quote.
 */
struct scan_marks {
	const char *base;
	size_t n;
	const uint64_t *newline, *quote, *attn;
	size_t nwords;
	int any_attn;		/* some attn bit is set: lines must be tested (scan_attn) */
};

/*
 * Marks p[0..n) into newline, quote and attn (SCAN_WORDS(n) words each,
 * quote one more); returns whether any attn bit is set.
 */
int scan_json_lines(const char *p, size_t n, uint64_t *newline, uint64_t *quote, uint64_t *attn);
/* Whether any attn bit is set for bytes [from, to) of the marked chunk. */
int scan_attn(const struct scan_marks *m, const char *from, const char *to);

#endif
