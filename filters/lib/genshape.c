/*
 * genshape.c - see genshape.h.
 */
#include <stdio.h>
#include <string.h>

#include "genshape.h"
#include "ts.h"

const char genshape_retail_header[] = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

static int is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* "2010-12-01 08:26:00" */
static size_t local_time(char *out, int64_t ms)
{
	char t[TS_MAX_LEN];
	size_t n = ts_format_ms(ms - ms % 1000, t);

	if (n < 19)
		return 0;
	memcpy(out, t, 19);
	out[10] = ' ';
	return 19;
}

size_t genshape_retail(char *out, const struct gen_event *e)
{
	int refund = is(e->type, "refund");
	unsigned lines, k, q;
	int64_t left, line;
	char when[24], *p = out;

	if ((!is(e->type, "purchase") && !refund) || e->revenue_cents <= 0)
		return 0;
	when[local_time(when, e->ts_ms)] = '\0';
	lines = 1 + (unsigned)(e->id % 4);	/* an invoice has several lines */
	if ((uint64_t)e->revenue_cents < lines)
		lines = 1;
	left = e->revenue_cents;
	for (k = 0; k < lines; k++) {
		line = k + 1 < lines ? e->revenue_cents / lines : left;
		left -= line;
		q = 1 + (unsigned)((e->id + k) % 3);
		if (line % q)
			q = 1;
		p += sprintf(p, "%s%llu,SKU%llu,ITEM %llu,%s%u,%s,%lld.%02lld,", refund ? "C" : "",
			     (unsigned long long)(500000 + e->order), (unsigned long long)(e->order * 7 + k) % 4000,
			     (unsigned long long)(e->order * 7 + k) % 4000, refund ? "-" : "", q, when,
			     (long long)(line / q / 100), (long long)(line / q % 100));
		if (e->user && e->user % 7)	/* now and then a guest checkout */
			p += sprintf(p, "%llu.0", (unsigned long long)(10000 + e->user));
		p += sprintf(p, ",United Kingdom\n");
	}
	return (size_t)(p - out);
}

static char *param(char *p, int *first, const char *key, const char *str, const char *num)
{
	p += sprintf(p, "%s{\"key\":\"%s\",\"value\":{\"string_value\":", *first ? "" : ",", key);
	p += str ? sprintf(p, "\"%s\"", str) : sprintf(p, "null");
	p += sprintf(p, ",\"int_value\":%s%s%s,\"float_value\":null,\"double_value\":null}}", num ? "\"" : "",
		     num ? num : "null", num ? "\"" : "");
	*first = 0;
	return p;
}

size_t genshape_ga4(char *out, const struct gen_event *e)
{
	const char *name = is(e->type, "visit") ? "page_view" : is(e->type, "click") ? "click"
			 : is(e->type, "purchase") ? "purchase" : is(e->type, "refund") ? "refund"
			 : is(e->type, "signup") ? "sign_up" : is(e->type, "lead") ? "generate_lead" : NULL;
	char date[TS_MAX_LEN], num[32], rev[32], *p = out;
	int first = 1, sale = is(e->type, "purchase") || is(e->type, "refund");

	if (!name || !e->user)
		return 0;
	ts_format_ms(e->ts_ms, date);
	p += sprintf(p, "{\"event_date\":\"%.4s%.2s%.2s\",\"event_timestamp\":\"%lld\",\"event_name\":\"%s\","
		     "\"event_params\":[", date, date + 5, date + 8, (long long)e->ts_ms * 1000 + (long long)(e->id % 1000), name);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)(e->ts_ms / 1000 - (int64_t)(e->user % 3600)));
	p = param(p, &first, "ga_session_id", NULL, num);
	if (e->url)
		p = param(p, &first, "page_location", e->url, NULL);
	if (e->source)
		p = param(p, &first, "source", e->source, NULL);
	if (e->medium)
		p = param(p, &first, "medium", e->medium, NULL);
	if (e->campaign)
		p = param(p, &first, "campaign", e->campaign, NULL);
	if (sale && e->revenue_cents >= 0) {
		snprintf(rev, sizeof(rev), "%lld.%02lld", (long long)(e->revenue_cents / 100), (long long)(e->revenue_cents % 100));
		p = param(p, &first, "currency", "EUR", NULL);
		snprintf(num, sizeof(num), "%lld", (long long)(e->revenue_cents / 100));
		p = param(p, &first, "value", NULL, num);
	}
	p += sprintf(p, "],\"user_id\":null,\"user_pseudo_id\":\"%llu.%llu\",\"traffic_source\":{\"name\":\"(direct)\","
		     "\"medium\":\"(none)\",\"source\":\"(direct)\"},\"platform\":\"WEB\",\"ecommerce\":",
		     (unsigned long long)(100000000 + e->user), (unsigned long long)(1700000000 + e->user % 9999991));
	if (sale && e->revenue_cents >= 0)
		p += sprintf(p, "{\"purchase_revenue\":\"%s\",\"transaction_id\":\"T%llu\"}", rev,
			     (unsigned long long)e->order);
	else
		p += sprintf(p, "null");
	p += sprintf(p, "}\n");
	return (size_t)(p - out);
}
