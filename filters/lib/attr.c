/*
 * attr.c - path transforms, rule-based attribution weights, exact splits.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"

const char *const attr_model_names[ATTR_NMODELS] = {
	"first", "last", "last_non_direct", "linear", "time_decay", "position", "markov", "shapley"
};

const char *const attr_transform_names[ATTR_NTF] = { "none", "unique", "exposure", "first", "frequency" };

static int name_of(const char *const *names, int n, const char *s, size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], s, len))
			return i;
	return -1;
}

int attr_model_of(const char *s, size_t n)
{
	return name_of(attr_model_names, ATTR_NMODELS, s, n);
}

int attr_transform_of(const char *s, size_t n)
{
	return name_of(attr_transform_names, ATTR_NTF, s, n);
}

/* The index of the first step before t[0..i) with the channel of t[i], or -1. */
static long seen_before(const struct attr_touch *t, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (t[k].ch == t[i].ch)
			return (long)k;
	return -1;
}

long attr_transform(enum attr_transform tf, struct attr_touch *t, size_t n, struct chans *ch, struct buf *tmp)
{
	size_t i, k = 0;

	switch (tf) {
	case ATTR_TF_NONE:
	case ATTR_TF_UNIQUE:	/* fractribution's "unique": every touch is its own event, as none */
	case ATTR_NTF:
		return (long)n;
	case ATTR_TF_EXPOSURE:	/* runs of one channel become one step */
		for (i = 0; i < n; i++)
			if (!k || t[k - 1].ch != t[i].ch)
				t[k++] = t[i];
		return (long)k;
	case ATTR_TF_FIRST:
		for (i = 0; i < n; i++)
			if (seen_before(t, i) < 0)
				t[k++] = t[i];
		return (long)k;
	case ATTR_TF_FREQUENCY: {
		/* first occurrences in order, each named with its count: "a(2)" */
		uint32_t *count = malloc((n ? n : 1) * sizeof(*count));
		char num[24];
		long id, at;

		if (!count)
			return -1;

		for (i = 0; i < n; i++) {
			/* seen_before on the steps kept: their channels are still the raw ones */
			at = -1;
			for (size_t j = 0; j < k; j++)
				if (t[j].ch == t[i].ch) {
					at = (long)j;
					break;
				}
			if (at >= 0) {
				count[at]++;
			} else {
				t[k] = t[i];
				count[k++] = 1;
			}
		}
		for (i = 0; i < k; i++) {
			tmp->len = 0;
			snprintf(num, sizeof(num), "(%u)", count[i]);
			if (buf_add(tmp, ch->name[t[i].ch], ch->len[t[i].ch]) < 0 || buf_adds(tmp, num) < 0 ||
			    (id = chans_id(ch, tmp->p, tmp->len)) < 0) {
				free(count);
				return -1;
			}
			t[i].ch = (uint32_t)id;
		}
		free(count);
		return (long)k;
	}
	}
	return (long)n;
}

int attr_direct(const char *name, size_t n)
{
	return (n == 8 && !memcmp(name, "(direct)", 8)) || (n == 3 && !memcmp(name, "web", 3)) ||
	       (n > 9 && !memcmp(name, "(direct)/", 9));
}

void attr_weights(enum attr_model m, const struct attr_params *p, const struct attr_touch *t, size_t n,
		  long long conv_ts, const uint8_t *direct, long double *w)
{
	long double sum = 0;
	size_t i;
	long k;

	for (i = 0; i < n; i++)
		w[i] = 0;
	switch (m) {
	case ATTR_FIRST:
		w[0] = 1;
		break;
	case ATTR_LAST:
		w[n - 1] = 1;
		break;
	case ATTR_LAST_NON_DIRECT:
		for (k = (long)n - 1; k > 0 && direct[t[k].ch]; k--)
			;
		/* every touch direct: the last one has it, as GA4 credits direct when nothing else came */
		w[direct[t[k].ch] ? n - 1 : (size_t)k] = 1;
		break;
	case ATTR_TIME_DECAY:
		for (i = 0; i < n; i++) {
			long double age = (long double)(conv_ts - t[i].ts);

			w[i] = exp2l(-(age < 0 ? 0 : age) / (long double)p->half_life_ms);
			sum += w[i];
		}
		if (sum > 0 && isfinite(sum)) {
			for (i = 0; i < n; i++)
				w[i] /= sum;
			break;
		}
		/* every touch so old its weight is 0: as linear */
		/* fall through */
	case ATTR_LINEAR:
		for (i = 0; i < n; i++)
			w[i] = 1.0L / (long double)n;
		break;
	case ATTR_POSITION:
		if (n == 1) {
			w[0] = 1;
		} else if (n == 2) {
			w[0] = w[1] = 0.5L;
		} else {
			long double total = (long double)p->pos[0] + p->pos[1] + p->pos[2];

			w[0] = p->pos[0] / total;
			w[n - 1] = p->pos[2] / total;
			for (i = 1; i + 1 < n; i++)
				w[i] = (long double)p->pos[1] / total / (long double)(n - 2);
		}
		break;
	default:
		break;
	}
}

size_t attr_by_channel(const struct attr_touch *t, size_t n, const long double *w, uint32_t *ch_out,
		       long double *w_out)
{
	size_t i, k, m = 0;

	for (i = 0; i < n; i++) {
		for (k = 0; k < m && ch_out[k] != t[i].ch; k++)
			;
		if (k == m) {
			ch_out[m] = t[i].ch;
			w_out[m++] = 0;
		}
		w_out[k] += w[i];
	}
	return m;
}

/*
 * Long double carries 64 bits: a share computed two ways (1/6 + 1/6 + 1/6
 * and 3/6) may differ in the last ones. Differences below this, relative
 * to the share, are rounding: such fractions tie, as exact ones would.
 */
#define SPLIT_TIE 1e-16L

/*
 * floorl(x) as an integer, for 0 <= x. floorl and a conversion each set
 * and restore the x87 control word, and gcc's 128-bit conversion is a
 * library call (__fixunsxfti): perf gave those 60 % of attr_split and
 * attr_split 3 % of vchain-attribute. Below 2^62 llrintl rounds to the
 * nearest in the mode already set (one fistp), and one less when that
 * was up is the floor: the same value. (Not x + 2^63's significand:
 * that needs the x87's 64 bits, and valgrind computes long double in 53.)
 */
static inline unsigned __int128 floor_u128(long double x)
{
	if (x < 0x1p62L) {
		long long r = llrintl(x);

		return (unsigned __int128)(unsigned long long)((long double)r > x ? r - 1 : r);
	}
	return (unsigned __int128)floorl(x);
}
/* And back: through 64 bits (one fild) when it fits, not __floatuntixf. */
static inline long double ld_u128(unsigned __int128 u)
{
	return u >> 63 ? (long double)u : (long double)(long long)u;
}

#define SPLIT_STACK 32	/* parts split with scratch on the stack, not malloc's */

/* Scratch of want bytes: the stack's have when it is enough, else malloc's (NULL when out of memory). */
static void *scratch(void *stack, size_t have, size_t want)
{
	return want <= have ? stack : malloc(want);
}
static void scratch_free(void *p, const void *stack)
{
	if (p != stack)
		free(p);
}

/*
 * From 2^50 units on (10^13 at cents) long double's 64 bits no longer
 * hold a share to well below a unit, and the rounding above would take
 * or give thousands of units at a time: 10^22 split three ways came out
 * a million units apart, after seconds of one-unit steps. There the
 * weights are rounded to whole numbers f[i] of 2^-62 of their sum (F in
 * all) and the shares total * f[i] / F taken exactly, 192-bit products
 * divided limb by limb: the floors, the remainders compared exactly, the
 * units left (fewer than n) one each to the largest (ties: the earlier).
 */
#define SPLIT_BIG ((unsigned __int128)1 << 50)

/* floor(t * f / d) and its remainder, exactly (f, d < 2^64; the quotient fits: f <= d) */
static unsigned __int128 muldiv(unsigned __int128 t, uint64_t f, uint64_t d, uint64_t *rem)
{
	unsigned __int128 lo = (unsigned __int128)(uint64_t)t * f, hi = (unsigned __int128)(uint64_t)(t >> 64) * f;
	unsigned __int128 x1 = hi + (lo >> 64), cur;	/* t * f = x1 * 2^64 + (uint64_t)lo, x1 < 2^128 */
	uint64_t limb[3] = { (uint64_t)(x1 >> 64), (uint64_t)x1, (uint64_t)lo }, q[3], r = 0;
	int k;

	for (k = 0; k < 3; k++) {
		cur = (unsigned __int128)r << 64 | limb[k];
		q[k] = (uint64_t)(cur / d);
		r = (uint64_t)(cur % d);
	}
	*rem = r;
	return (unsigned __int128)q[1] << 64 | q[2];	/* q[0] is 0: the quotient is at most t */
}

static int split_big(unsigned __int128 total, const long double *w, size_t n, long double sum, unsigned __int128 *out)
{
	uint64_t stack[2 * SPLIT_STACK], *f = scratch(stack, sizeof(stack), 2 * n * sizeof(*f)), *rem = f + n, F = 0;
	unsigned __int128 given = 0;
	size_t i, best;

	if (!f)
		return -1;
	for (i = 0; i < n; i++) {
		long double x = w[i] > 0 ? w[i] / sum * 0x1p62L : 0;

		f[i] = x > 0 ? (uint64_t)floor_u128(x > 0x1p62L ? 0x1p62L : x) : 0;
		F += f[i];	/* n * 2^62 at most: n < 4 here, or the sum of the floors, about 2^62 */
	}
	if (!F) {	/* every weight below 2^-62 of their sum: the largest takes it */
		for (best = 0, i = 1; i < n; i++)
			if (w[i] > w[best])
				best = i;
		f[best] = F = 1;
	}
	for (i = 0; i < n; i++) {
		out[i] = muldiv(total, f[i], F, &rem[i]);
		given += out[i];
	}
	for (; given < total; given++) {	/* sum of the shares is total: fewer than n units left */
		for (best = n, i = 0; i < n; i++)
			if (f[i] && rem[i] != UINT64_MAX && (best == n || rem[i] > rem[best]))
				best = i;
		out[best]++;
		rem[best] = UINT64_MAX;	/* had its unit */
	}
	scratch_free(f, stack);
	return 0;
}

int attr_split(unsigned __int128 total, const long double *w, size_t n, unsigned __int128 *out)
{
	long double sum = 0, stack[2 * SPLIT_STACK], *frac, *tol, q, ltotal = ld_u128(total);
	unsigned __int128 given = 0;
	size_t i, best;

	for (i = 0; i < n; i++)
		sum += w[i] > 0 ? w[i] : 0;
	if (total >= SPLIT_BIG && sum > 0)
		return split_big(total, w, n, sum, out);
	if (!(frac = scratch(stack, sizeof(stack), 2 * n * sizeof(*frac))))
		return -1;
	tol = frac + n;
	for (i = 0; i < n; i++) {
		q = sum > 0 && w[i] > 0 ? ltotal * (w[i] / sum) : 0;
		if (q > ltotal)
			q = ltotal;
		tol[i] = (q > 1 ? q : 1) * SPLIT_TIE;
		out[i] = floor_u128(q + tol[i]);
		if (out[i] > total)
			out[i] = total;
		frac[i] = q - ld_u128(out[i]);
		if (frac[i] < 0)
			frac[i] = 0;
		given += out[i];
	}
	if (sum <= 0 && n) {	/* nothing to go by: all to the first */
		for (i = 0; i < n; i++)
			out[i] = 0;
		out[0] = total;
		goto done;
	}
	/* rounding may still leave the floors a unit over: take it from the smallest fractions */
	while (given > total) {
		for (best = n, i = 0; i < n; i++)
			if (out[i] && (best == n || frac[i] < frac[best] - tol[i]))
				best = i;
		out[best]--;
		frac[best] = 2;	/* never again */
		given--;
	}
	/* the units left, one each to the largest fractions; a near tie goes to the earlier */
	while (given < total) {
		for (best = 0, i = 1; i < n; i++)
			if (frac[i] > frac[best] + tol[i])
				best = i;
		if (frac[best] < 0) {	/* every part had its unit: start again */
			for (i = 0; i < n; i++)
				frac[i] = w[i] > 0 ? frac[i] + 2 : frac[i];
			continue;
		}
		out[best]++;
		frac[best] -= 2;
		given++;
	}
done:
	scratch_free(frac, stack);
	return 0;
}

int attr_split_dec(struct dec v, const long double *w, size_t n, struct dec *out)
{
	static const __int128 limit = (__int128)1000000000000000000LL * 1000000000LL;	/* 1e27 */
	unsigned __int128 stack[SPLIT_STACK], *parts, mag;
	int neg = v.m < 0, scale = v.scale < 2 ? 2 : v.scale;
	size_t i;

	mag = (unsigned __int128)(neg ? -v.m : v.m);
	for (i = (size_t)v.scale; i < (size_t)scale; i++)
		mag *= 10;
	if (mag >= (unsigned __int128)limit)
		return -2;
	if (!(parts = scratch(stack, sizeof(stack), n * sizeof(*parts))))
		return -1;
	if (attr_split(mag, w, n, parts) < 0) {
		scratch_free(parts, stack);
		return -1;
	}
	for (i = 0; i < n; i++) {
		out[i].m = neg ? -(__int128)parts[i] : (__int128)parts[i];
		out[i].scale = scale;
	}
	scratch_free(parts, stack);
	return 0;
}

int attr_put_units(struct buf *b, unsigned __int128 units)
{
	char s[64];
	unsigned long long whole = (unsigned long long)(units / ATTR_UNIT), frac = (unsigned long long)(units % ATTR_UNIT);
	int n = snprintf(s, sizeof(s), "%llu", whole);

	if (frac) {
		n += snprintf(s + n, sizeof(s) - (size_t)n, ".%09llu", frac);
		while (s[n - 1] == '0')
			n--;
	}
	return buf_add(b, s, (size_t)n);
}
