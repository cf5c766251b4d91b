/*
 * genshape.h - vchain-gen's events in the shapes of other systems'
 * exports, for tests at scale and benchmarks of import profiles: the UCI
 * "Online Retail" invoice lines (schemas/profiles/online-retail.profile)
 * and GA4's BigQuery export rows (ga4.profile). Deterministic: the same
 * event gives the same bytes.
 */
#ifndef VCHAIN_GENSHAPE_H
#define VCHAIN_GENSHAPE_H

#include <stddef.h>
#include <stdint.h>

/* What the shapes need of an event. */
struct gen_event {
	int64_t ts_ms;
	uint64_t id, user, order;	/* user 0: none */
	const char *type;
	const char *url;		/* visits and clicks, with their utm_* */
	const char *source, *medium, *campaign;	/* NULL: none */
	int64_t revenue_cents;		/* -1: none */
};

#define GENSHAPE_MAX 4096		/* the longest any event gives, lines together */

extern const char genshape_retail_header[];
/* A purchase's (or refund's) invoice lines, 1 to 4, into out; 0 bytes for any other event. */
size_t genshape_retail(char *out, const struct gen_event *e);
/* A web event's GA4 row (page_view, click, purchase, refund, sign_up, generate_lead); 0 bytes for others. */
size_t genshape_ga4(char *out, const struct gen_event *e);

#endif
