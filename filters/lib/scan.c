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

__attribute__((constructor)) static void scan_pick(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2")) {
		mark_fn = mark_avx2_plain;
		count_fn = count_avx2;
		json_fn = json_avx2;
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
#endif
