/*
 * orders.h - a group's orders and customers, for ROI: each customer (by
 * user_id's hash) with the time of their first purchase and their orders;
 * each order counted once however many events repeat it (by order_id, per
 * customer); purchases without an order_id each one order. Mergeable:
 * shards' states merge into exactly one pass's.
 *
 * Memory: 40 bytes a customer and 32 an order, plus three hash tables
 * (24 bytes a customer, 16 a customer's order, 16 an order).
 */
#ifndef VCHAIN_ORDERS_H
#define VCHAIN_ORDERS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hash.h"
#include "htab.h"
#include "json.h"

struct cust {
	struct h128 id;
	long long first_ts;	/* of the first purchase; REC_NO_TS: none with a ts */
	uint64_t noid;		/* purchases without an order_id */
	uint64_t norders;	/* distinct order_ids */
};

struct order_pair {		/* a customer's order (user {0,0}: a purchase without user_id) */
	struct h128 user, order;
};

struct orders {
	struct htab_rows customers;	/* user hash -> struct cust */
	struct htab pairs;	/* hash of each pair, a set */
	struct order_pair *p;
	size_t np, pcap;
	struct htab ids;	/* order_id hashes, a set */
	uint64_t anon_noid;	/* purchases with neither user_id nor order_id */
};
typedef struct orders A_ORDERS_t;

/*
 * A purchase: by user (has_user 0: none) at ts, of order (has_order 0:
 * none). 0, or -1 when out of memory.
 */
int orders_take(struct orders *t, int has_user, struct h128 user, long long ts, int has_order, struct h128 order);
static inline size_t orders_customers(const struct orders *t)
{
	return t->customers.n;
}
static inline const struct cust *orders_customer(const struct orders *t, size_t i)
{
	return htab_rows_at(&t->customers, i);
}
/* Orders (distinct), and customers who ordered twice or more. */
uint64_t orders_count(const struct orders *t, uint64_t *repeat_customers);
/* src (a part's state) into t, as a merge of their JSON would; src is left empty or as it was. 0, or -1. */
int orders_absorb(struct orders *t, struct orders *src);
/* The state as JSON, and its merge (arr, el, obj: scratch). 0; -1 (not such a state); -2 (memory). */
int orders_json(const struct orders *t, struct buf *b);
int orders_merge_json(struct orders *t, const struct jfield *f, struct jobj *arr, struct jobj *el, struct jobj *obj);
void orders_free(struct orders *t);

#endif
