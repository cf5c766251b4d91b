/*
 * dec.h - exact decimal numbers for money: a 128-bit integer and a count of
 * digits after the point (value = m / 10^scale). JSON numbers are read
 * without a binary floating-point step, so summing ten million purchases
 * gives the exact decimal sum that a double cannot (0.1 + 0.2).
 */
#ifndef VCHAIN_DEC_H
#define VCHAIN_DEC_H

#include <stddef.h>

#define DEC_MAX_SCALE 30	/* digits after the point kept */
#define DEC_MAX_LEN 48		/* longest dec_format output, with its NUL */

struct dec {
	__int128 m;
	int scale;		/* 0..DEC_MAX_SCALE */
};

/*
 * A JSON number (or a string holding one) to a decimal. Returns 0, -1 when
 * s is no number, -2 when it does not fit (beyond 38 digits, or more than
 * DEC_MAX_SCALE digits after the point that are not zeros).
 */
int dec_parse(const char *s, size_t n, struct dec *d);
/* *sum += v, at the larger scale of the two. 0, or -2 on overflow. */
int dec_add(struct dec *sum, struct dec v);
/* "-12.340": every digit of the scale kept. Returns the length. */
size_t dec_format(struct dec d, char out[DEC_MAX_LEN]);
/* -1, 0 or 1 as a is less than, equal to or greater than b (exactly). */
int dec_cmp(struct dec a, struct dec b);
/* The nearest double. */
double dec_to_double(struct dec d);
long double dec_to_long_double(struct dec d);
/* x * y, exact (digits beyond DEC_MAX_SCALE after the point dropped). 0, or -2 on overflow. */
int dec_mul(struct dec x, struct dec y, struct dec *out);
/* x * x, the same. */
int dec_square(struct dec x, struct dec *out);

#endif
