/*
 * pathmodel.c - Markov removal effects by an exact solve, and Shapley
 * values, over aggregated paths.
 *
 * The chain: a journey goes from (start) through its states to
 * (conversion) or (null); the probability of each move is its count over
 * all moves out of the state (journeys weighted by how many took the
 * path). x[s], the probability of converting from s, solves
 * x = Q x + r (r[s]: the share of moves from s that convert). Removing a
 * channel sends every move into a state holding it to (null): those
 * states' x is 0. Small chains are solved by Gaussian elimination with
 * partial pivoting, large ones by Gauss-Seidel (all coefficients are
 * non-negative, so it rises monotonically to the solution) until no
 * value moves by more than 1e-15.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "pathmodel.h"
#include "sort.h"

enum { TO_CONV = -1, TO_NULL = -2 };

struct move {
	uint32_t from;
	int32_t to;		/* a state, TO_CONV or TO_NULL */
	uint64_t n;
};

struct chain {
	struct htab sidx, midx;
	uint32_t *tuple;	/* each state's channels, k a state (fewer for the first ones: UINT32_MAX pads) */
	size_t nstates, cap;
	struct move *mv;
	size_t nmv, mvcap;
	int k;
};

static long state_of(struct chain *c, const uint32_t *t, int len)
{
	uint32_t key[MARKOV_MAX_ORDER];
	uint64_t *v;
	int i, r;

	for (i = 0; i < c->k; i++)
		key[i] = i < len ? t[i] : UINT32_MAX;
	if ((r = htab_put(&c->sidx, hash128(key, sizeof(key[0]) * (size_t)c->k), &v)) < 0)
		return -1;
	if (!r)
		return (long)(*v - 1);
	if (c->nstates == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		uint32_t *t2 = realloc(c->tuple, cap * (size_t)c->k * sizeof(*t2));

		if (!t2)
			return -1;
		c->tuple = t2;
		c->cap = cap;
	}
	memcpy(c->tuple + c->nstates * (size_t)c->k, key, sizeof(key[0]) * (size_t)c->k);
	*v = ++c->nstates;
	return (long)(c->nstates - 1);
}

static int move(struct chain *c, uint32_t from, int32_t to, uint64_t n)
{
	int64_t key[2] = { from, to };
	uint64_t *v;
	int r;

	if (!n)
		return 0;
	if ((r = htab_put(&c->midx, hash128(key, sizeof(key)), &v)) < 0)
		return -1;
	if (r) {
		if (c->nmv == c->mvcap) {
			size_t cap = c->mvcap ? 2 * c->mvcap : 256;
			struct move *m = realloc(c->mv, cap * sizeof(*m));

			if (!m)
				return -1;
			c->mv = m;
			c->mvcap = cap;
		}
		c->mv[c->nmv].from = from;
		c->mv[c->nmv].to = to;
		c->mv[c->nmv].n = 0;
		*v = ++c->nmv;
	}
	c->mv[*v - 1].n += n;
	return 0;
}

static int by_from(const void *a, const void *b, void *ctx)
{
	const struct move *x = a, *y = b;

	(void)ctx;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

/* The chain of the paths: states from (start) = 0, in the order the sorted paths first reach them. */
static int build(struct chain *c, const struct paths *p, const size_t *order, long skip)
{
	uint32_t start[1] = { 0 };
	size_t i;
	uint32_t j;
	long s, prev;

	if (state_of(c, start, 0) < 0)
		return -1;
	for (i = 0; i < p->n; i++) {
		const struct path_row *r = &p->row[order[i]];
		const uint32_t *st = paths_steps(p, r);

		if ((long)order[i] == skip)
			continue;
		prev = 0;
		for (j = 0; j < r->n; j++) {
			int len = (int)(j + 1 < (uint32_t)c->k ? j + 1 : (uint32_t)c->k);

			if ((s = state_of(c, st + j + 1 - (uint32_t)len, len)) < 0 ||
			    move(c, (uint32_t)prev, (int32_t)s, r->conv + r->null) < 0)
				return -1;
			prev = s;
		}
		if (move(c, (uint32_t)prev, TO_CONV, r->conv) < 0 || move(c, (uint32_t)prev, TO_NULL, r->null) < 0)
			return -1;
	}
	return sort_stable(c->mv, c->nmv, sizeof(*c->mv), by_from, NULL);
}

/* Gaussian elimination of (I - Q) x = r with the removed states fixed at 0; x[0]. */
static int solve_dense(const struct chain *c, const size_t *first, const double *out, const uint8_t *removed,
		       double *a, double *x)
{
	size_t n = c->nstates, i, j, k, piv;
	double f, t;

	memset(a, 0, n * (n + 1) * sizeof(*a));
	for (i = 0; i < n; i++) {
		double *row = a + i * (n + 1);

		row[i] = 1;
		if (removed[i] || out[i] == 0)
			continue;
		for (k = first[i]; k < first[i + 1]; k++) {
			const struct move *m = &c->mv[k];

			if (m->to == TO_CONV)
				row[n] += (double)m->n / out[i];
			else if (m->to >= 0)
				row[m->to] -= (double)m->n / out[i];
		}
	}
	for (j = 0; j < n; j++) {
		for (piv = j, i = j + 1; i < n; i++)
			if (fabs(a[i * (n + 1) + j]) > fabs(a[piv * (n + 1) + j]))
				piv = i;
		if (a[piv * (n + 1) + j] == 0)
			return -1;	/* cannot happen: every state leaves for an absorbing one */
		if (piv != j)
			for (k = j; k <= n; k++) {
				t = a[j * (n + 1) + k];
				a[j * (n + 1) + k] = a[piv * (n + 1) + k];
				a[piv * (n + 1) + k] = t;
			}
		for (i = j + 1; i < n; i++) {
			if ((f = a[i * (n + 1) + j] / a[j * (n + 1) + j]) == 0)
				continue;
			for (k = j; k <= n; k++)
				a[i * (n + 1) + k] -= f * a[j * (n + 1) + k];
		}
	}
	for (i = n; i-- > 0;) {
		t = a[i * (n + 1) + n];
		for (k = i + 1; k < n; k++)
			t -= a[i * (n + 1) + k] * x[k];
		x[i] = t / a[i * (n + 1) + i];
	}
	return 0;
}

#define GS_TOLERANCE 1e-15
#define GS_MAX_SWEEPS 1000000

static int solve_iter(const struct chain *c, const size_t *first, const double *out, const uint8_t *removed,
		      double *x)
{
	size_t n = c->nstates, i, k;
	double delta, num, self, v;
	long sweep;

	memset(x, 0, n * sizeof(*x));
	for (sweep = 0; sweep < GS_MAX_SWEEPS; sweep++) {
		delta = 0;
		for (i = n; i-- > 0;) {	/* backwards: later states first, as paths run forwards */
			if (removed[i] || out[i] == 0)
				continue;
			num = self = 0;
			for (k = first[i]; k < first[i + 1]; k++) {
				const struct move *m = &c->mv[k];

				if (m->to == TO_CONV)
					num += (double)m->n;
				else if (m->to == (int32_t)i)
					self += (double)m->n;
				else if (m->to >= 0 && !removed[m->to])
					num += (double)m->n * x[m->to];
			}
			v = num / (out[i] - self);
			if (fabs(v - x[i]) > delta)
				delta = fabs(v - x[i]);
			x[i] = v;
		}
		if (delta <= GS_TOLERANCE)
			return 0;
	}
	return -2;
}

int markov_removal(const struct paths *p, const size_t *order, long skip, int k, struct markov_result *res,
		   char *err)
{
	struct chain c;
	size_t *first = NULL, i, j, n, ch;
	double *out = NULL, *x = NULL, *a = NULL, base;
	uint8_t *removed = NULL, *used = NULL;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	memset(res, 0, sizeof(*res));
	c.k = k;
	if (build(&c, p, order, skip) < 0)
		goto done;
	n = c.nstates;
	res->states = n;
	res->transitions = c.nmv;
	if (!(first = calloc(n + 1, sizeof(*first))) || !(out = calloc(n, sizeof(*out))) ||
	    !(x = calloc(n, sizeof(*x))) || !(removed = calloc(n, 1)) || !(used = calloc(p->ch.n + 1, 1)) ||
	    !(res->re = calloc(p->ch.n + 1, sizeof(*res->re))))
		goto done;
	for (i = 0; i < c.nmv; i++) {
		first[c.mv[i].from + 1]++;
		out[c.mv[i].from] += (double)c.mv[i].n;
	}
	for (i = 0; i < n; i++)
		first[i + 1] += first[i];
	for (i = 1; i < n; i++)
		for (j = 0; j < (size_t)k; j++)
			if (c.tuple[i * (size_t)k + j] != UINT32_MAX)
				used[c.tuple[i * (size_t)k + j]] = 1;
	res->dense = (double)n * (double)n * (double)n * (double)(p->ch.n + 1) <= MARKOV_DENSE_WORK;
	if (res->dense && !(a = malloc(n * (n + 1) * sizeof(*a))))
		goto done;
#define SOLVE() (res->dense ? solve_dense(&c, first, out, removed, a, x) : solve_iter(&c, first, out, removed, x))
	if ((rc = SOLVE()) < 0)
		goto fail;
	base = res->p_conv = x[0];
	for (ch = 0; ch < p->ch.n; ch++) {
		double re;

		if (!used[ch])
			continue;
		for (i = 0; i < n; i++) {
			removed[i] = 0;
			for (j = 0; j < (size_t)k; j++)
				if (c.tuple[i * (size_t)k + j] == ch)
					removed[i] = 1;
		}
		if ((rc = SOLVE()) < 0)
			goto fail;
		re = base > 0 ? 1 - x[0] / base : 0;
		res->re[ch] = re < 1e-12 ? 0 : re;	/* what is left below 1e-12 is rounding: a real zero */
	}
#undef SOLVE
	rc = 0;
	goto done;
fail:
	if (rc == -2)
		snprintf(err, 200, "the Markov chain's solution did not settle to %g in %d sweeps (%zu states)",
			 GS_TOLERANCE, GS_MAX_SWEEPS, n);
	else
		rc = -1;
done:
	htab_free(&c.sidx);
	htab_free(&c.midx);
	free(c.tuple);
	free(c.mv);
	free(first);
	free(out);
	free(x);
	free(a);
	free(removed);
	free(used);
	if (rc < 0)
		markov_result_free(res);
	return rc;
}

void markov_result_free(struct markov_result *res)
{
	free(res->re);
	res->re = NULL;
}

/* ---- Shapley ---- */

static int by_name(const void *a, const void *b, void *ctx)
{
	const struct chans *ch = ctx;

	return strcmp(ch->name[*(const uint32_t *)a], ch->name[*(const uint32_t *)b]);
}

int shapley_values(const struct paths *p, long skip, double *phi, char *err)
{
	uint32_t ids[SHAPLEY_MAX_CHANNELS];
	int *bit = calloc(p->ch.n + 1, sizeof(*bit));
	double *conv = NULL, *tot = NULL, *fact = NULL, *v = NULL;
	size_t i, nch = 0, sets;
	uint32_t j, s, mask;
	int rc = -1;

	if (!bit)
		return -1;
	memset(phi, 0, p->ch.n * sizeof(*phi));
	for (i = 0; i < p->ch.n; i++)
		bit[i] = -1;
	for (i = 0; i < p->n; i++) {
		const uint32_t *st = paths_steps(p, &p->row[i]);

		if ((long)i == skip)
			continue;
		for (j = 0; j < p->row[i].n; j++)
			if (bit[st[j]] < 0) {
				if (nch == SHAPLEY_MAX_CHANNELS) {
					size_t more = 0;

					for (size_t q = 0; q < p->n; q++)
						for (uint32_t r = 0; r < p->row[q].n && (long)q != skip; r++)
							if (bit[paths_steps(p, &p->row[q])[r]] == -1) {
								bit[paths_steps(p, &p->row[q])[r]] = -2;
								more++;
							}
					snprintf(err, 200, "shapley is exact for up to %d channels and the paths have %zu "
						 "(attribute --by a coarser field, or leave shapley out with -m)",
						 SHAPLEY_MAX_CHANNELS, nch + more);
					rc = -2;
					goto done;
				}
				bit[st[j]] = (int)nch;
				ids[nch++] = st[j];
			}
	}
	/* bits in the order of the channels' names: the same sums in the same order on every run */
	if (sort_stable(ids, nch, sizeof(ids[0]), by_name, (void *)&p->ch) < 0)
		goto done;
	for (i = 0; i < nch; i++)
		bit[ids[i]] = (int)i;
	sets = (size_t)1 << nch;
	if (!(conv = calloc(sets, sizeof(*conv))) || !(tot = calloc(sets, sizeof(*tot))) ||
	    !(v = calloc(sets, sizeof(*v))) || !(fact = calloc(nch + 1, sizeof(*fact))))
		goto done;
	for (i = 0; i < p->n; i++) {
		const struct path_row *r = &p->row[i];
		const uint32_t *st = paths_steps(p, r);

		if ((long)i == skip)
			continue;
		for (mask = 0, j = 0; j < r->n; j++)
			mask |= 1u << bit[st[j]];
		conv[mask] += (double)r->conv;
		tot[mask] += (double)(r->conv + r->null);
	}
	for (s = 0; s < sets; s++)
		v[s] = tot[s] > 0 ? conv[s] / tot[s] : 0;
	/* weight of a coalition of size m not holding the channel: m! (n-m-1)! / n! */
	for (i = 0; i < nch; i++) {
		double w = 1;

		for (j = 1; j <= i; j++)
			w *= j;
		for (j = 1; j < nch - i; j++)
			w *= j;
		for (j = 1; j <= nch; j++)
			w /= j;
		fact[i] = w;
	}
	for (i = 0; i < nch; i++) {
		double sum = 0;
		uint32_t me = 1u << i;

		for (s = 0; s < sets; s++) {
			double gain;

			if (s & me)
				continue;
			gain = v[s | me] - v[s];
			if (gain > 0)	/* a negative contribution counts as none */
				sum += fact[__builtin_popcount(s)] * gain;
		}
		phi[ids[i]] = sum;
	}
	rc = 0;
done:
	free(bit);
	free(conv);
	free(tot);
	free(v);
	free(fact);
	return rc;
}
