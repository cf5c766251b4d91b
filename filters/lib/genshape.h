/*
 * genshape.h - vchain-gen's events and the shapes it writes them in:
 * canonical NDJSON, CSV, a combined-format access log, and other systems'
 * exports for tests at scale and benchmarks of import profiles: the UCI
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

/* The simulation's platforms (vchain-gen's weights and funnels are indexed by them). */
enum platform { P_INSTAGRAM, P_FACEBOOK, P_X, P_TIKTOK, P_YOUTUBE, P_LINKEDIN, P_PINTEREST, P_EMAIL, P_WEB, N_PLATFORMS };

/* One simulated event. */
struct gen_ev {
	int64_t ts_ms;
	uint64_t id;
	uint64_t user;		/* person number; 0: none (insights), UINT64_MAX: the brand */
	unsigned platform;
	const char *type;
	unsigned campaign;	/* 1-based; 0: none */
	unsigned post;		/* 1-based within campaign; 0: none */
	int utm;		/* a visit or click with utm_* parameters */
	const char *path;	/* for visits */
	int64_t revenue_cents;	/* -1: none */
	uint64_t order;
	int rating;		/* 0: none */
	int sentiment;		/* hundredths; INT32_MIN: none */
	uint64_t followers;	/* 0: none */
	uint64_t referred_by;
	uint64_t reply_to;
	uint64_t count;		/* 0: none (weight 1) */
};

/* Where an event is written: the line, and the day whose ts prefix is cached. */
struct gen_writer {
	int64_t day_ms;
	char day[11];			/* "YYYY-MM-DD" */
	char line[GENSHAPE_MAX > 2048 ? GENSHAPE_MAX : 2048];
};

/* The event as a line (or lines, or none) in w->line; its length. */
size_t gen_fmt_ndjson(struct gen_writer *w, const struct gen_ev *e);
extern const char gen_csv_header[];
size_t gen_fmt_csv(struct gen_writer *w, const struct gen_ev *e);
size_t gen_fmt_access(struct gen_writer *w, const struct gen_ev *e);
/* online-retail invoice lines, or (ga4) a GA4 row. */
size_t gen_fmt_shape(struct gen_writer *w, const struct gen_ev *e, int ga4);

extern const char genshape_retail_header[];
/* A purchase's (or refund's) invoice lines, 1 to 4, into out; 0 bytes for any other event. */
size_t genshape_retail(char *out, const struct gen_event *e);
/* A web event's GA4 row (page_view, click, purchase, refund, sign_up, generate_lead); 0 bytes for others. */
size_t genshape_ga4(char *out, const struct gen_event *e);

#endif
