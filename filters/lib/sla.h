/*
 * sla.h - response times, for the SLA report: each inbound message (a
 * complaint, a DM, a negative mention), known by its event_id, joined to
 * the first response and the first resolve whose reply_to names it,
 * wherever they come: before the message, after it, or in another shard
 * (a shard's replies to messages it lacks are kept and merged too).
 *
 * Memory: 48 bytes a message or reply, plus 24 of hash table.
 */
#ifndef VCHAIN_SLA_H
#define VCHAIN_SLA_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hash.h"
#include "htab.h"
#include "json.h"

#define SLA_NO_GROUP UINT32_MAX

struct sla_ent {		/* an inbound message (by its event_id), or a reply to one not seen */
	struct h128 id;
	long long in_ts, resp_ts, res_ts;	/* REC_NO_TS: none */
	uint32_t group;		/* the inbound's group id; SLA_NO_GROUP: not seen */
	uint8_t has_id;
};

/* The sla accumulator's state in a group: none (the messages are the run's struct sla, by group id). */
typedef struct {
	uint8_t unused;
} A_SLA_t;

struct sla_tally {		/* a group's inbound messages, for the output */
	uint64_t inbound, responded, resolved, resp_in_time, res_in_time;
	size_t d0, dn;		/* its response delays, in sla->delay[d0 .. d0 + dn), sorted */
};

struct sla {
	struct htab_rows ents;	/* event_id hash -> struct sla_ent; messages without one have none */
	/* after sla_by_group: the entries in order of their group (unseen messages last) */
	size_t *order, *start;	/* start[g]: where group g's are in order; start[ngroups] the unseen */
	size_t ngroups;
	/* after sla_tally */
	struct sla_tally *tally;	/* by group id */
	double *delay;		/* hours */
};

/* An inbound message of group (its event_id: id, NULL for none) at ts. 0, or -1 when out of memory. */
int sla_inbound(struct sla *s, const struct h128 *id, uint32_t group, long long ts);
/* A response (resolve 0) or resolve (1) to message to at ts; the first of each counts. 0, or -1. */
int sla_reply(struct sla *s, struct h128 to, int resolve, long long ts);
/* Order the entries by the group of their message (ngroups groups). 0, or -1. */
int sla_by_group(struct sla *s, size_t ngroups);
/* Each group's counts and sorted delays, against the limits (after sla_by_group is done inside). 0, or -1. */
int sla_tally(struct sla *s, size_t ngroups, long long respond_ms, long long resolve_ms);
/* Group g's messages as JSON (after sla_by_group); the replies to messages not seen, as a state line. */
int sla_group_json(const struct sla *s, uint32_t g, struct buf *b);
int sla_replies_json(const struct sla *s, struct buf *b);
/* Merge a group's messages, or a replies line (group SLA_NO_GROUP). 0; -1 (not such a state); -2. */
int sla_merge_json(struct sla *s, uint32_t group, const struct jfield *f, struct jobj *arr, struct jobj *el);
void sla_free(struct sla *s);

#endif
