/*
 * sketch.c - HyperLogLog: a register per bucket of the hash's first HLL_P
 * bits keeps the longest run of leading zeros seen in the rest.
 */
#include <math.h>
#include <stdlib.h>

#include "sketch.h"

static unsigned hll_rank(uint64_t h)
{
	uint64_t w = h << HLL_P | ((uint64_t)1 << (HLL_P - 1));

	return (unsigned)__builtin_clzll(w) + 1;
}

int hll_add(struct hll *h, uint64_t hv)
{
	unsigned idx = (unsigned)(hv >> (64 - HLL_P)), rk = hll_rank(hv);

	if (!h->regs && !(h->regs = calloc(HLL_M, 1)))
		return -1;
	if (rk > h->regs[idx])
		h->regs[idx] = (unsigned char)rk;
	return 0;
}

double hll_estimate(const struct hll *h)
{
	double sum = 0, est, m = HLL_M;
	unsigned i, zeros = 0;

	if (!h->regs)
		return 0;
	for (i = 0; i < HLL_M; i++) {
		sum += ldexp(1.0, -(int)h->regs[i]);
		zeros += !h->regs[i];
	}
	est = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (est <= 2.5 * m && zeros)
		est = m * log(m / zeros);	/* linear counting for small sets */
	return est;
}

static const char hexd[] = "0123456789abcdef";

int hll_put_hex(const struct hll *h, struct buf *b)
{
	size_t k;

	if (!h->regs)
		return buf_add(b, "null", 4);
	if (buf_grow(b, 2 * HLL_M + 2) < 0)
		return -1;
	b->p[b->len++] = '"';
	for (k = 0; k < HLL_M; k++) {
		b->p[b->len++] = hexd[h->regs[k] >> 4];
		b->p[b->len++] = hexd[h->regs[k] & 15];
	}
	b->p[b->len++] = '"';
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int hll_merge_hex(struct hll *h, const char *hex, size_t n)
{
	size_t k;

	if (n != 2 * HLL_M)
		return -1;
	if (!h->regs && !(h->regs = calloc(HLL_M, 1)))
		return -2;
	for (k = 0; k < HLL_M; k++) {
		int hi = hexval(hex[2 * k]), lo = hexval(hex[2 * k + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		if ((unsigned char)(hi << 4 | lo) > h->regs[k])
			h->regs[k] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int hll_absorb(struct hll *h, struct hll *src)
{
	size_t k;

	if (!src->regs)
		return 0;
	if (!h->regs) {
		h->regs = src->regs;
		src->regs = NULL;
		return 0;
	}
	for (k = 0; k < HLL_M; k++)
		if (src->regs[k] > h->regs[k])
			h->regs[k] = src->regs[k];
	return 0;
}

void hll_free(struct hll *h)
{
	free(h->regs);
	h->regs = NULL;
}
