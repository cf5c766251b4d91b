/*
 * pathmodel.h - the attribution models over all paths, converting and
 * not: the Markov-chain removal effect (Anderl et al. 2016, as
 * ChannelAttribution's markov_model defines it), solved exactly instead
 * of simulated, and Shapley values over the sets of channels seen.
 *
 * Both read the paths in the order of their text (paths_order), so the
 * result does not depend on the order the paths were added in: one pass
 * and a merge of shards give the same bits.
 */
#ifndef VCHAIN_PATHMODEL_H
#define VCHAIN_PATHMODEL_H

#include <stddef.h>

#include "paths.h"

#define MARKOV_MAX_ORDER 4
#define MARKOV_DENSE_WORK 400000000.0	/* states^3 x solves up to which Gaussian elimination is used */
#define SHAPLEY_MAX_CHANNELS 15

struct markov_result {
	double p_conv;		/* the probability that a journey from (start) converts */
	double *re;		/* removal effect by channel id (0 for channels on no path) */
	size_t states;		/* transient states, (start) included */
	size_t transitions;
	int dense;		/* solved by elimination (else Gauss-Seidel to 1e-15) */
};

/*
 * The removal effect of every channel on the paths (order[0..p->n) from
 * paths_order; row skip left out, -1: none), a Markov chain of order k
 * (1..MARKOV_MAX_ORDER): states are the last k channels. 0; -1 when out
 * of memory; -2 when the iteration did not converge (err[200]).
 */
int markov_removal(const struct paths *p, const size_t *order, long skip, int k, struct markov_result *res,
		   char *err);
void markov_result_free(struct markov_result *res);

/*
 * Shapley values of the channels on the paths, into phi[channel id]
 * (zeroed first; p->ch.n of them): each set of channels seen is worth its
 * conversion rate, a set never seen 0; a channel's value is its marginal
 * contribution averaged over all orderings, each contribution below zero
 * counted as zero; row skip left out (-1: none). 0; -1 when out of
 * memory; -2 when more than
 * SHAPLEY_MAX_CHANNELS channels are on the paths (err[200]).
 */
int shapley_values(const struct paths *p, long skip, double *phi, char *err);

#endif
