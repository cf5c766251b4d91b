/*
 * cond.h - which records an accumulator of a report takes: a small
 * language of tests on a reduced record's slots (rec.h), written in the
 * report's definition and in its partial results' header.
 *
 *   alternatives split by ';', each a conjunction of tests split by '&':
 *   F=a|b|   F is one of these strings (an empty choice: F is absent)
 *   F<x F>x  F is a number below / above x
 *   F~       F is present
 */
#ifndef VCHAIN_COND_H
#define VCHAIN_COND_H

#include <stddef.h>

#include "rec.h"

struct cond_test {
	int slot;
	char op;		/* = < > ~ */
	int nvals;
	char **vals;
	size_t *vlens;
	double x;
};

struct cond_alt {		/* holds when all its tests do */
	struct cond_test *t;
	int nt;
};

struct cond {			/* holds when one alternative does; none: every record */
	struct cond_alt *alt;
	int nalt;
};

/* Parse s[0..n) into c, registering the slots it tests in l. 0, -1 (bad, or too many fields), or -2 (memory). */
int cond_parse(struct cond *c, struct rec_layout *l, const char *s, size_t n);
int cond_holds(const struct cond *c, const struct slot *s);
/* Whether alternative i (0 <= i < c->nalt, in the order written) holds. */
int cond_alt_holds(const struct cond *c, int i, const struct slot *s);
void cond_free(struct cond *c);

#endif
