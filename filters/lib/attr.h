/*
 * attr.h - attribution of a conversion to the touches before it: the path
 * transforms (Google's fractribution's names), the rule-based models'
 * weights, and the exact split of a whole into parts that add up to it
 * (largest remainder), for credits in billionths and for money.
 */
#ifndef VCHAIN_ATTR_H
#define VCHAIN_ATTR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dec.h"
#include "paths.h"

enum attr_model {
	ATTR_FIRST, ATTR_LAST, ATTR_LAST_NON_DIRECT, ATTR_LINEAR, ATTR_TIME_DECAY, ATTR_POSITION,
	ATTR_MARKOV, ATTR_SHAPLEY, ATTR_NMODELS
};
extern const char *const attr_model_names[ATTR_NMODELS];
/* The model named s[0..n), or -1. */
int attr_model_of(const char *s, size_t n);
/* Whether the model credits each conversion from its own touches (else from all paths at the end). */
static inline int attr_per_conversion(int m)
{
	return m <= ATTR_POSITION;
}

enum attr_transform { ATTR_TF_NONE, ATTR_TF_UNIQUE, ATTR_TF_EXPOSURE, ATTR_TF_FIRST, ATTR_TF_FREQUENCY, ATTR_NTF };
extern const char *const attr_transform_names[ATTR_NTF];
int attr_transform_of(const char *s, size_t n);

struct attr_touch {
	long long ts;		/* epoch ms */
	uint32_t ch;		/* channel id */
};

struct attr_params {
	long long half_life_ms;	/* time_decay */
	double pos[3];		/* position: first, the middle together, last */
};

/*
 * Transform the path t[0..n) in place; returns its new length, or -1 when
 * out of memory (frequency makes channels "name(count)" in ch; tmp is
 * scratch). A step merged into another keeps the time of the first.
 */
long attr_transform(enum attr_transform tf, struct attr_touch *t, size_t n, struct chans *ch, struct buf *tmp);
/*
 * Whether tf keeps a path's channels as they are (it only drops steps), so
 * that a path of one step is its own transform: all but frequency, which
 * names them anew.
 */
static inline int attr_transform_keeps_channels(enum attr_transform tf)
{
	return tf != ATTR_TF_FREQUENCY;
}

/* Whether a channel is direct traffic for last_non_direct: "(direct)", "web", "(direct)/...". */
int attr_direct(const char *name, size_t n);

/*
 * The weight of each step of t[0..n) (n >= 1) under model m (a
 * per-conversion model), for a conversion at conv_ts; they sum to 1.
 * direct[id] says which channels are direct (last_non_direct).
 */
void attr_weights(enum attr_model m, const struct attr_params *p, const struct attr_touch *t, size_t n,
		  long long conv_ts, const uint8_t *direct, long double *w);

/*
 * The steps' weights summed per channel, the channels in the order they
 * first appear: ch_out[k], w_out[k], k < the count returned.
 */
size_t attr_by_channel(const struct attr_touch *t, size_t n, const long double *w, uint32_t *ch_out,
		       long double *w_out);

/*
 * Split total into parts in proportion to w[0..n) (not all zero): each
 * part the floor of its share, the units left over going one each to the
 * largest fractions (ties: the earlier), so the parts add up to total.
 * 0, or -1 when out of memory.
 */
int attr_split(unsigned __int128 total, const long double *w, size_t n, unsigned __int128 *out);
/*
 * The same for money: v split at a unit of 10^-max(2, v.scale), the sign
 * kept. 0, -1 when out of memory, or -2 when v is too large to split
 * (beyond 27 digits).
 */
int attr_split_dec(struct dec v, const long double *w, size_t n, struct dec *out);

#define ATTR_UNIT 1000000000ULL	/* credits are whole billionths of a conversion */
/* A count of billionths as a JSON number: "1", "0.333333334", "12.5". */
int attr_put_units(struct buf *b, unsigned __int128 units);

#endif
