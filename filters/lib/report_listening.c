/*
 * report_listening.c - listening: mentions and their mean sentiment, the
 * share of them positive and negative, follows and unfollows (count-
 * weighted), and the refund rate (refunds per purchase).
 */
#include <stdio.h>

#include "report.h"

struct listening {
	A_COUNT_t mentions;
	A_MEAN_t sentiment;
	A_ROWS_t positive, negative;
	A_COUNT_t follows, unfollows, refunds, purchases;
};

static const struct report_member members[] = {
	REPORT_MEMBER(struct listening, mentions, A_COUNT, "count?type=mention"),
	REPORT_MEMBER(struct listening, sentiment, A_MEAN, "mean:sentiment?type=mention"),
	REPORT_MEMBER(struct listening, positive, A_ROWS, "rows?type=mention&sentiment>0"),
	REPORT_MEMBER(struct listening, negative, A_ROWS, "rows?type=mention&sentiment<0"),
	REPORT_MEMBER(struct listening, follows, A_COUNT, "count?type=follow"),
	REPORT_MEMBER(struct listening, unfollows, A_COUNT, "count?type=unfollow"),
	REPORT_MEMBER(struct listening, refunds, A_COUNT, "count?type=refund"),
	REPORT_MEMBER(struct listening, purchases, A_COUNT, "count?type=purchase"),
};

static const char *const cols[] = { "mentions", "sentiment_mean", "positive_share", "negative_share",
				    "follows", "unfollows", "net_follows", "refund_rate" };
static const enum col_kind kinds[] = { COL_COUNT, COL_NUMBER, COL_RATIO, COL_RATIO, COL_COUNT, COL_COUNT,
				       COL_COUNT, COL_RATIO };

static int row(struct report_run *rr, const struct group *g, int r, struct buf *v)
{
	const struct listening *l = (const void *)g->st;
	double n = (double)l->sentiment.n;
	char net[24];

	(void)rr;
	(void)r;
	/* follows less unfollows: below zero when more left than came */
	snprintf(net, sizeof(net), "%s%llu", l->follows < l->unfollows ? "-" : "",
		 (unsigned long long)(l->follows < l->unfollows ? l->unfollows - l->follows
								: l->follows - l->unfollows));
	return json_put_uint(&v[0], l->mentions) < 0 ||
	       report_put_ratio(&v[1], dec_to_double(l->sentiment.sum), n) < 0 ||
	       report_put_ratio(&v[2], (double)l->positive, n) < 0 || report_put_ratio(&v[3], (double)l->negative, n) < 0 ||
	       json_put_uint(&v[4], l->follows) < 0 || json_put_uint(&v[5], l->unfollows) < 0 ||
	       buf_adds(&v[6], net) < 0 || report_put_ratio(&v[7], (double)l->refunds, (double)l->purchases) < 0
	       ? -1 : 0;
}

const struct report_def report_listening = {
	.name = "listening",
	.state_size = sizeof(struct listening),
	.members = members,
	.nmembers = 8,
	.cols = cols,
	.kinds = kinds,
	.ncols = 8,
	.nrows = 1,
	.row = row,
};
