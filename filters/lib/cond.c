/*
 * cond.c - parsing and testing conditions (cond.h). A test compares bytes
 * or a number; nothing is allocated while records are tested.
 */
#include <stdlib.h>
#include <string.h>

#include "cond.h"

/* One test, s[0..n): F=a|b, F<x, F>x or F~. 0, -1, or -2 (memory). */
static int parse_test(struct cond_test *t, struct rec_layout *l, const char *s, size_t n)
{
	size_t k = strcspn(s, "=<>~"), j;
	const char *v, *bar;
	char num[64], *end;

	if (k >= n || k == 0)
		return -1;
	t->op = s[k];
	v = s + k + 1;
	n -= k + 1;
	t->slot = rec_slot(l, s, k, t->op == '<' || t->op == '>', SK_PLAIN);
	if (t->slot < 0)
		return t->slot;
	if (t->op == '~')
		return n ? -1 : 0;
	if (t->op != '=') {
		if (!n || n >= sizeof(num))
			return -1;
		memcpy(num, v, n);
		num[n] = '\0';
		t->x = strtod(num, &end);
		return *end ? -1 : 0;
	}
	for (j = 0;; j++) {
		char **vals = realloc(t->vals, (j + 1) * sizeof(*vals));
		size_t *vlens;

		if (!vals)
			return -2;
		t->vals = vals;
		if (!(vlens = realloc(t->vlens, (j + 1) * sizeof(*vlens))))
			return -2;
		t->vlens = vlens;
		bar = memchr(v, '|', n);
		t->vlens[j] = bar ? (size_t)(bar - v) : n;
		if (!(t->vals[j] = strndup(v, t->vlens[j])))
			return -2;
		t->nvals = (int)j + 1;
		if (!bar)
			return 0;
		n -= (size_t)(bar + 1 - v);
		v = bar + 1;
	}
}

int cond_parse(struct cond *c, struct rec_layout *l, const char *s, size_t n)
{
	const char *end = s + n, *semi, *amp;

	for (; s <= end; s = semi + 1) {
		struct cond_alt *a;

		semi = memchr(s, ';', (size_t)(end - s));
		if (!semi)
			semi = end;
		if (!(a = realloc(c->alt, (size_t)(c->nalt + 1) * sizeof(*a))))
			return -2;
		c->alt = a;
		a = &c->alt[c->nalt++];
		memset(a, 0, sizeof(*a));
		for (; s <= semi; s = amp + 1) {
			struct cond_test *t;
			int r;

			amp = memchr(s, '&', (size_t)(semi - s));
			if (!amp)
				amp = semi;
			if (!(t = realloc(a->t, (size_t)(a->nt + 1) * sizeof(*t))))
				return -2;
			a->t = t;
			memset(&a->t[a->nt], 0, sizeof(*t));
			a->nt++;	/* freed with the rest, whatever parse_test did */
			if ((r = parse_test(&a->t[a->nt - 1], l, s, (size_t)(amp - s))) < 0)
				return r;
		}
	}
	return 0;
}

static int test_holds(const struct cond_test *t, const struct slot *v)
{
	int k;

	if (t->op == '~')
		return v->type != REC_ABSENT;
	if (t->op != '=')
		return v->type != REC_ABSENT && (t->op == '<' ? slot_double(v) < t->x : slot_double(v) > t->x);
	for (k = 0; k < t->nvals; k++)
		if (!t->vlens[k] ? v->type == REC_ABSENT
				 : v->type != REC_ABSENT && v->n == t->vlens[k] && !memcmp(v->v, t->vals[k], v->n))
			return 1;
	return 0;
}

int cond_alt_holds(const struct cond *c, int i, const struct slot *s)
{
	const struct cond_alt *a = &c->alt[i];
	int j, ok;

	for (ok = 1, j = 0; ok && j < a->nt; j++)
		ok = test_holds(&a->t[j], &s[a->t[j].slot]);
	return ok;
}

int cond_holds(const struct cond *c, const struct slot *s)
{
	int i;

	if (!c->nalt)
		return 1;
	for (i = 0; i < c->nalt; i++)
		if (cond_alt_holds(c, i, s))
			return 1;
	return 0;
}

void cond_free(struct cond *c)
{
	int i, j, k;

	for (i = 0; i < c->nalt; i++) {
		for (j = 0; j < c->alt[i].nt; j++) {
			for (k = 0; k < c->alt[i].t[j].nvals; k++)
				free(c->alt[i].t[j].vals[k]);
			free(c->alt[i].t[j].vals);
			free(c->alt[i].t[j].vlens);
		}
		free(c->alt[i].t);
	}
	free(c->alt);
	c->alt = NULL;
	c->nalt = 0;
}
