/*
 * person.h - what the value chain knows of a person, written once for
 * every filter that asks: when each stage was first reached and the
 * furthest one reached within a window of the first; which acts are
 * advocacy (BRIEF.md's stage 7: a positive review, mention, share or tag,
 * or a referral, by someone who bought earlier). People are kept by the
 * hash of their id in rows (htab.h's htab_rows).
 */
#ifndef VCHAIN_PERSON_H
#define VCHAIN_PERSON_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "htab.h"
#include "json.h"

#define STAGES 7		/* awareness .. advocacy; stage k is index k - 1 */

/* ---- stage times ---- */

/* Every stage never reached (REC_NO_TS). */
void stage_times_init(long long ts[STAGES]);
/* Stage k (1-7) reached at ts: kept when it is the first time. */
static inline void stage_times_reach(long long ts[STAGES], int k, long long t)
{
	if (t < ts[k - 1])
		ts[k - 1] = t;
}
/*
 * The furthest stage reached within window_ms of the first stage reached
 * (0: no window; 0 is returned when no stage was reached), and in *horizon
 * the last time that counts (a stage reached after it is as never).
 */
int stage_furthest(const long long ts[STAGES], long long window_ms, long long *horizon);
/*
 * The funnel's reckoning of one person (vchain-aggregate --report funnel):
 * reach[j] is when stage j + 1 *or a later one* was first reached within
 * the window (a person who enters at stage 3, or skips 2, reaches 2 when
 * they reach 3), for j below the result; the result is the furthest stage
 * k whose every step was made within step_ms of the one before
 * (reach[j] - reach[j - 1] <= step_ms; 0: no step window). With step_ms 0,
 * stage_furthest's stage.
 */
int stage_reach(const long long ts[STAGES], long long window_ms, long long step_ms, long long reach[STAGES]);

/* ---- the advocacy rule ---- */

/* What the rule makes of an event type (a stage map's names). */
enum act { ACT_NONE, ACT_REFERRAL, ACT_REVIEW, ACT_MENTION, ACT_SHARE_TAG, ACT_PURCHASE };
enum act person_act_of(const char *type, size_t n);
/*
 * Whether an act praises the brand: a referral; a review rated 4 or more;
 * a mention whose sentiment is at least positive; a share or tag unless
 * its sentiment is below positive (amplifying is endorsing, unless said
 * otherwise). rating and sentiment are the event's members (NULL: absent;
 * a number or a string holding one).
 */
int person_advocacy(enum act act, const struct jfield *rating, const struct jfield *sentiment, double positive);
/*
 * Whether an act speaks against the brand: a review rated 2 or less, a
 * mention whose sentiment is below 0 (the SLA report's negative mention).
 */
int person_detraction(enum act act, const struct jfield *rating, const struct jfield *sentiment);
/* ---- the stage map: which stage each event type reaches (schemas/stages.tsv) ---- */

#define STAGE_MAP_MAX 256

struct stage_map {
	char name[STAGE_MAP_MAX][32];
	size_t len[STAGE_MAP_MAX];
	int stage[STAGE_MAP_MAX];	/* 0: the type moves nobody (null) */
	enum act act[STAGE_MAP_MAX];	/* what the advocacy rule makes of the type */
	unsigned n;
	uint16_t slot[256];		/* by a type's length and end bytes: entry + 1, 0 none, STAGE_MAP_SCAN several */
	char err[120];			/* what is wrong, and where */
	unsigned err_line;
};

/* The map compiled in from schemas/stages.tsv. */
void stage_map_default(struct stage_map *m);
/* A map of TYPE<tab>STAGE lines (1-7, or '-'), '#' comments. 0, or -1 (err, err_line). */
int stage_map_parse(struct stage_map *m, const char *text, size_t n);
/* The map in the file at path (--map): 0, or -1 after saying what is wrong and where. */
int stage_map_load(struct stage_map *m, const char *path);
/* The map's entry for type s[0..n), or -1 when it has none. */
int stage_map_find(const struct stage_map *m, const char *s, size_t n);

/* The stage of an event: advocacy (7) for a praising act by a customer, else its own. */
static inline int person_stage(int base, int praises, int customer)
{
	return praises && customer ? 7 : base;
}

#endif
