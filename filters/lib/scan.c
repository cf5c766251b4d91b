/*
 * scan.c - whole-buffer byte passes. Each comes three ways: AVX2 (32
 * bytes a step), SSE2 (16) and bytewise; the vector ones read a short last
 * block as the block that ends the buffer, overlapping the one before,
 * and shift its bits into place, so nothing is read outside p[0..n). The
 * AVX2 ones are compiled for that target alone and picked at start-up
 * when the CPU has it.
 */
#include <string.h>
#ifdef __SSE2__
#include <immintrin.h>
#endif

#include "scan.h"

static unsigned mark_bytes(const unsigned char *p, size_t n, unsigned char c, uint64_t *bits, int json)
{
	unsigned found = 0;
	size_t i;

	memset(bits, 0, SCAN_WORDS(n) * sizeof(*bits));
	for (i = 0; i < n; i++) {
		if (p[i] == c)
			bits[i >> 6] |= (uint64_t)1 << (i & 63);
		else if (json && (p[i] == '\\' || p[i] < 0x20))
			found |= SCAN_SPECIAL;
		else if (json && p[i] >= 0x80)
			found |= SCAN_NONASCII;
	}
	return found;
}

static void lines_bytes(const unsigned char *p, size_t n, uint64_t *nl, uint64_t *qt, uint64_t *attn)
{
	size_t i, words = SCAN_WORDS(n);

	memset(nl, 0, words * sizeof(*nl));
	memset(qt, 0, words * sizeof(*qt));
	memset(attn, 0, words * sizeof(*attn));
	for (i = 0; i < n; i++) {
		uint64_t bit = (uint64_t)1 << (i & 63);

		if (p[i] == '\n')
			nl[i >> 6] |= bit;
		else if (p[i] == '"')
			qt[i >> 6] |= bit;
		else if (p[i] == '\\' || p[i] < 0x20 || p[i] >= 0x80)
			attn[i >> 6] |= bit;
	}
}

static size_t count_bytes(const unsigned char *p, size_t n, unsigned char c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += p[i] == c;
	return k;
}

/* The bits m of the block at bit offset i (a multiple of the block width). */
static inline void put_bits(uint64_t *bits, size_t i, uint64_t m)
{
	if (i & 63)
		bits[i >> 6] |= m << (i & 63);
	else
		bits[i >> 6] = m;	/* the first block of a word clears the rest of it */
}

#ifdef __SSE2__
static inline unsigned mark_sse2(const unsigned char *p, size_t n, unsigned char c, uint64_t *bits, int json)
{
	const __m128i cv = _mm_set1_epi8((char)c), bslash = _mm_set1_epi8('\\');
	const __m128i ctl = _mm_set1_epi8(0x1F);
	__m128i special = _mm_setzero_si128(), high = _mm_setzero_si128(), v;
	size_t i;
	unsigned shift;

	if (n < 16)
		return mark_bytes(p, n, c, bits, json);
	for (i = 0; i < n; i += 16) {
		shift = 0;
		if (n - i < 16) {
			shift = (unsigned)(16 - (n - i));
			v = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
		} else
			v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		put_bits(bits, i, (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cv)) >> shift);
		if (json) {
			special = _mm_or_si128(special, _mm_or_si128(_mm_cmpeq_epi8(v, bslash),
					       _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v)));
			high = _mm_or_si128(high, v);
		}
	}
	return (_mm_movemask_epi8(special) ? SCAN_SPECIAL : 0) |
	       (_mm_movemask_epi8(high) ? SCAN_NONASCII : 0);
}

static size_t count_sse2(const unsigned char *p, size_t n, unsigned char c)
{
	const __m128i cv = _mm_set1_epi8((char)c);
	size_t i, k = 0;

	if (n < 16)
		return count_bytes(p, n, c);
	for (i = 0; i + 16 <= n; i += 16)
		k += (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(p + i)), cv)));
	if (i < n)
		k += (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(p + n - 16)), cv)) >> (16 - (n - i)));
	return k;
}

__attribute__((target("avx2")))
static inline unsigned mark_avx2(const unsigned char *p, size_t n, unsigned char c, uint64_t *bits, int json)
{
	const __m256i cv = _mm256_set1_epi8((char)c), bslash = _mm256_set1_epi8('\\');
	const __m256i ctl = _mm256_set1_epi8(0x1F);
	__m256i special = _mm256_setzero_si256(), high = _mm256_setzero_si256(), v;
	size_t i;
	unsigned shift;

	if (n < 32)
		return mark_sse2(p, n, c, bits, json);
	for (i = 0; i < n; i += 32) {
		shift = 0;
		if (n - i < 32) {
			shift = (unsigned)(32 - (n - i));
			v = _mm256_loadu_si256((const __m256i *)(const void *)(p + n - 32));
		} else
			v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
		put_bits(bits, i, (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, cv)) >> shift);
		if (json) {
			special = _mm256_or_si256(special, _mm256_or_si256(_mm256_cmpeq_epi8(v, bslash),
						  _mm256_cmpeq_epi8(_mm256_min_epu8(v, ctl), v)));
			high = _mm256_or_si256(high, v);
		}
	}
	return (_mm256_movemask_epi8(special) ? SCAN_SPECIAL : 0) |
	       (_mm256_movemask_epi8(high) ? SCAN_NONASCII : 0);
}

__attribute__((target("avx2")))
static size_t count_avx2(const unsigned char *p, size_t n, unsigned char c)
{
	const __m256i cv = _mm256_set1_epi8((char)c);
	size_t i, k = 0;

	if (n < 32)
		return count_sse2(p, n, c);
	for (i = 0; i + 32 <= n; i += 32)
		k += (size_t)__builtin_popcount((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
			_mm256_loadu_si256((const __m256i *)(const void *)(p + i)), cv)));
	if (i < n)
		k += (size_t)__builtin_popcount((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
			_mm256_loadu_si256((const __m256i *)(const void *)(p + n - 32)), cv)) >> (32 - (n - i)));
	return k;
}

static void lines_sse2(const unsigned char *p, size_t n, uint64_t *nl, uint64_t *qt, uint64_t *attn)
{
	const __m128i nlv = _mm_set1_epi8('\n'), qv = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i ctl = _mm_set1_epi8(0x1F);
	__m128i v;
	size_t i;
	unsigned shift, mn, ms;

	if (n < 16) {
		lines_bytes(p, n, nl, qt, attn);
		return;
	}
	for (i = 0; i < n; i += 16) {
		shift = 0;
		if (n - i < 16) {
			shift = (unsigned)(16 - (n - i));
			v = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
		} else
			v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		mn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nlv));
		ms = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, bslash),
							      _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v)));
		put_bits(nl, i, mn >> shift);
		put_bits(qt, i, (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, qv)) >> shift);
		put_bits(attn, i, ((ms & ~mn) | (unsigned)_mm_movemask_epi8(v)) >> shift);
	}
}

/* Sixty-four bytes at a time, then the last bytes as lines_sse2 does them. */
__attribute__((target("avx2")))
static void lines_avx2(const unsigned char *p, size_t n, uint64_t *nl, uint64_t *qt, uint64_t *attn)
{
	const __m256i nlv = _mm256_set1_epi8('\n'), qv = _mm256_set1_epi8('"');
	const __m256i bslash = _mm256_set1_epi8('\\'), ctl = _mm256_set1_epi8(0x1F);
	size_t i;

#define MASKS(v, mn, mq, ma) do { \
		mn = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, nlv)); \
		mq = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, qv)); \
		ma = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(v, bslash), \
				_mm256_cmpeq_epi8(_mm256_min_epu8(v, ctl), v))); \
		ma = (ma & ~mn) | (uint32_t)_mm256_movemask_epi8(v); \
	} while (0)
	for (i = 0; i + 64 <= n; i += 64) {
		__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
		__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 32));
		uint32_t an, aq, aa, bn, bq, ba;

		MASKS(a, an, aq, aa);
		MASKS(b, bn, bq, ba);
		nl[i >> 6] = an | (uint64_t)bn << 32;
		qt[i >> 6] = aq | (uint64_t)bq << 32;
		attn[i >> 6] = aa | (uint64_t)ba << 32;
	}
#undef MASKS
	if (i < n) {
		/* the last word's bytes: from a copy padded with spaces (no mark) */
		unsigned char tail[64];

		memset(tail, ' ', sizeof(tail));
		memcpy(tail, p + i, n - i);
		lines_sse2(tail, 64, nl + (i >> 6), qt + (i >> 6), attn + (i >> 6));
	}
}

static void mark_sse2_plain(const unsigned char *p, size_t n, unsigned char c, uint64_t *bits)
{
	mark_sse2(p, n, c, bits, 0);
}

static unsigned json_sse2(const unsigned char *p, size_t n, uint64_t *bits)
{
	return mark_sse2(p, n, '"', bits, 1);
}

__attribute__((target("avx2")))
static void mark_avx2_plain(const unsigned char *p, size_t n, unsigned char c, uint64_t *bits)
{
	mark_avx2(p, n, c, bits, 0);
}

__attribute__((target("avx2")))
static unsigned json_avx2(const unsigned char *p, size_t n, uint64_t *bits)
{
	return mark_avx2(p, n, '"', bits, 1);
}

static void (*mark_fn)(const unsigned char *, size_t, unsigned char, uint64_t *) = mark_sse2_plain;
static size_t (*count_fn)(const unsigned char *, size_t, unsigned char) = count_sse2;
static unsigned (*json_fn)(const unsigned char *, size_t, uint64_t *) = json_sse2;
static void (*lines_fn)(const unsigned char *, size_t, uint64_t *, uint64_t *, uint64_t *) = lines_sse2;

__attribute__((constructor)) static void scan_pick(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2")) {
		mark_fn = mark_avx2_plain;
		count_fn = count_avx2;
		json_fn = json_avx2;
		lines_fn = lines_avx2;
	}
}

void scan_mark(const char *p, size_t n, char c, uint64_t *bits)
{
	mark_fn((const unsigned char *)p, n, (unsigned char)c, bits);
}

size_t scan_count(const char *p, size_t n, char c)
{
	return count_fn((const unsigned char *)p, n, (unsigned char)c);
}

unsigned scan_json(const char *p, size_t n, uint64_t *quotes)
{
	return json_fn((const unsigned char *)p, n, quotes);
}

static int any_bit(const uint64_t *b, size_t words)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < words; i++)
		x |= b[i];
	return x != 0;
}

int scan_json_lines(const char *p, size_t n, uint64_t *newline, uint64_t *quote, uint64_t *attn)
{
	lines_fn((const unsigned char *)p, n, newline, quote, attn);
	quote[SCAN_WORDS(n)] = 0;
	return any_bit(attn, SCAN_WORDS(n));
}
#else
void scan_mark(const char *p, size_t n, char c, uint64_t *bits)
{
	mark_bytes((const unsigned char *)p, n, (unsigned char)c, bits, 0);
}

size_t scan_count(const char *p, size_t n, char c)
{
	return count_bytes((const unsigned char *)p, n, (unsigned char)c);
}

unsigned scan_json(const char *p, size_t n, uint64_t *quotes)
{
	return mark_bytes((const unsigned char *)p, n, '"', quotes, 1);
}

int scan_json_lines(const char *p, size_t n, uint64_t *newline, uint64_t *quote, uint64_t *attn)
{
	size_t i;
	uint64_t x = 0;

	lines_bytes((const unsigned char *)p, n, newline, quote, attn);
	quote[SCAN_WORDS(n)] = 0;
	for (i = 0; i < SCAN_WORDS(n); i++)
		x |= attn[i];
	return x != 0;
}
#endif

int scan_attn(const struct scan_marks *m, const char *from, const char *to)
{
	size_t a = (size_t)(from - m->base), b = (size_t)(to - m->base), w = a >> 6, last;
	uint64_t bits;

	if (a >= b)
		return 0;
	last = (b - 1) >> 6;
	bits = m->attn[w] & (~(uint64_t)0 << (a & 63));
	while (w < last) {
		if (bits)
			return 1;
		bits = m->attn[++w];
	}
	return (bits & (~(uint64_t)0 >> (63 - ((b - 1) & 63)))) != 0;
}
