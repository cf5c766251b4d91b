/* dec.c - see dec.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dec.h"

/* m * 10^k without overflow. 0 or -2. */
static int scale_up(__int128 *m, int k)
{
	if (*m == 0)
		return 0;	/* a zero: each journey without conversion adds one */
	while (k-- > 0) {
		if (__builtin_mul_overflow(*m, 10, m))
			return -2;
	}
	return 0;
}

int dec_parse(const char *s, size_t n, struct dec *d)
{
	const char *p = s, *end = s + n;
	__int128 m = 0;
	int neg = 0, scale = 0, digits = 0, exp = 0, eneg = 0, any = 0;

	if (p < end && *p == '-')
		neg = 1, p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++, any = 1) {
		if (m == 0 && *p == '0')
			continue;
		if (++digits > 38)
			return -2;
		m = m * 10 + (*p - '0');
	}
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, any = 1) {
			if (m != 0 || *p != '0')
				if (++digits > 38)
					return -2;
			m = m * 10 + (*p - '0');
			scale++;
		}
	}
	if (!any)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= end || *p < '0' || *p > '9')
			return -1;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (exp < 10000)
				exp = exp * 10 + (*p - '0');
	}
	if (p != end)
		return -1;
	if (m == 0) {	/* zero keeps the digits it was written with: 0.00 */
		scale += eneg ? (exp < 100 ? exp : 100) : -(exp < 100 ? exp : 100);
		d->m = 0;
		d->scale = scale < 0 ? 0 : scale > DEC_MAX_SCALE ? DEC_MAX_SCALE : scale;
		return 0;
	}
	if (exp > 100)
		return -2;
	scale += eneg ? exp : -exp;
	if (scale < 0) {
		if (scale_up(&m, -scale) < 0)
			return -2;
		scale = 0;
	}
	while (scale > DEC_MAX_SCALE) {
		if (m % 10)
			return -2;
		m /= 10;
		scale--;
	}
	d->m = neg ? -m : m;
	d->scale = scale;
	return 0;
}

int dec_add(struct dec *sum, struct dec v)
{
	if (v.m == 0 && v.scale <= sum->scale)
		return 0;	/* the sum as it was, its scale too */
	if (v.scale > sum->scale) {
		if (scale_up(&sum->m, v.scale - sum->scale) < 0)
			return -2;
		sum->scale = v.scale;
	} else if (v.scale < sum->scale && scale_up(&v.m, sum->scale - v.scale) < 0)
		return -2;
	return __builtin_add_overflow(sum->m, v.m, &sum->m) ? -2 : 0;
}

int dec_cmp(struct dec a, struct dec b)
{
	struct dec x = a, y = b;

	/* at one scale; should that not fit, the one scaled up is the larger in size */
	if (y.scale > x.scale && scale_up(&x.m, y.scale - x.scale) < 0)
		return a.m < 0 ? -1 : 1;
	if (x.scale > y.scale && scale_up(&y.m, x.scale - y.scale) < 0)
		return b.m < 0 ? 1 : -1;
	return x.m < y.m ? -1 : x.m > y.m;
}

size_t dec_format(struct dec d, char out[DEC_MAX_LEN])
{
	char tmp[DEC_MAX_LEN];
	unsigned __int128 u;
	size_t k = 0, n = 0;
	int i;

	u = d.m < 0 ? (unsigned __int128)(-(d.m + 1)) + 1 : (unsigned __int128)d.m;
	do {
		tmp[k++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	while ((int)k <= d.scale)
		tmp[k++] = '0';
	if (d.m < 0)
		out[n++] = '-';
	for (i = (int)k - 1; i >= 0; i--) {
		out[n++] = tmp[i];
		if (i == d.scale && d.scale > 0)
			out[n++] = '.';
	}
	out[n] = '\0';
	return n;
}

double dec_to_double(struct dec d)
{
	char b[DEC_MAX_LEN];
	double x;

	dec_format(d, b);
	sscanf(b, "%lf", &x);
	return x;
}

int dec_mul(struct dec x, struct dec y, struct dec *out)
{
	__int128 m;
	int sc = x.scale + y.scale;

	if (__builtin_mul_overflow(x.m, y.m, &m))
		return -2;
	while (sc > DEC_MAX_SCALE) {	/* the digits beyond the scale kept are dropped */
		m /= 10;
		sc--;
	}
	out->m = m;
	out->scale = sc;
	return 0;
}

int dec_square(struct dec x, struct dec *out)
{
	return dec_mul(x, x, out);
}

long double dec_to_long_double(struct dec d)
{
	char b[DEC_MAX_LEN];

	dec_format(d, b);
	return strtold(b, NULL);
}
