/*
 * genshape.c - see genshape.h.
 */
#include <stdio.h>
#include <string.h>

#include "genshape.h"
#include "json.h"
#include "ts.h"
#include "vocab.h"

#define MS_PER_DAY 86400000LL

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

/* ---- vchain-gen's own shapes ---- */


/* each as schemas/platforms.tsv names it */
static const int platform_id[N_PLATFORMS] = {
	PLATFORM_INSTAGRAM, PLATFORM_FACEBOOK, PLATFORM_X, PLATFORM_TIKTOK, PLATFORM_YOUTUBE,
	PLATFORM_LINKEDIN, PLATFORM_PINTEREST, PLATFORM_EMAIL, PLATFORM_WEB
};
#define PLATFORM_NAME(p) vocab_platforms[platform_id[p]]

/* referrer a visit from each platform carries (email and web: none) */
static const char *const platform_referrer[N_PLATFORMS] = {
	"https://l.instagram.com/", "https://l.facebook.com/", "https://t.co/", "https://www.tiktok.com/",
	"https://www.youtube.com/", "https://www.linkedin.com/", "https://www.pinterest.com/", NULL, NULL
};
static const char *const platform_medium[N_PLATFORMS] = {
	"social", "social", "social", "social", "video", "social", "social", "email", NULL
};

static const char *const campaign_theme[10] = {
	"spring-sale", "summer-drop", "back-to-school", "black-friday", "holiday-gifts",
	"new-year", "valentines", "influencer-collab", "ugc-contest", "loyalty-club"
};




/* ---- writing ---- */

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *put_money(char *p, int64_t cents)
{
	p = json_write_uint(p, (uint64_t)(cents / 100));
	*p++ = '.';
	*p++ = (char)('0' + cents % 100 / 10);
	*p++ = (char)('0' + cents % 10);
	return p;
}

static char *put_sentiment(char *p, int h)
{
	if (h < 0) {
		*p++ = '-';
		h = -h;
	}
	p = json_write_uint(p, (uint64_t)(h / 100));
	if (h % 100) {
		*p++ = '.';
		*p++ = (char)('0' + h % 100 / 10);
		if (h % 10)
			*p++ = (char)('0' + h % 10);
	}
	return p;
}

static char *put_user(char *p, uint64_t user)
{
	if (user == UINT64_MAX)
		return put_str(p, "brand");
	*p++ = 'u';
	if (user < 10000000) {	/* zero-padded to 8 digits: sorts as numbers do */
		char d[8];
		int i;

		for (i = 7; i >= 0; i--, user /= 10)
			d[i] = (char)('0' + user % 10);
		memcpy(p, d, 8);
		return p + 8;
	}
	return json_write_uint(p, user);
}

static char *put_campaign(char *p, unsigned c)
{
	p = put_str(p, campaign_theme[(c - 1) % 10]);
	*p++ = '-';
	return json_write_uint(p, (c - 1) / 10 + 1);
}

static char *put_post(char *p, unsigned c, unsigned post)
{
	*p++ = 'p';
	return json_write_uint(p, (uint64_t)c * 10 + post);
}

/* "YYYY-MM-DDTHH:MM:SSZ" with the date part cached per day. */
static char *put_ts(struct gen_writer *s, char *p, int64_t ms)
{
	int64_t day = ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
	int64_t sec = (ms - day * MS_PER_DAY) / 1000;

	if (day * MS_PER_DAY != s->day_ms || !s->day[0]) {
		struct vts t = { day * 86400, 0 };
		char buf[TS_MAX_LEN];

		ts_format(t, buf);
		memcpy(s->day, buf, 10);
		s->day[10] = '\0';
		s->day_ms = day * MS_PER_DAY;
	}
	memcpy(p, s->day, 10);
	p += 10;
	*p++ = 'T';
	*p++ = (char)('0' + sec / 36000);
	*p++ = (char)('0' + sec / 3600 % 10);
	*p++ = ':';
	*p++ = (char)('0' + sec / 600 % 6);
	*p++ = (char)('0' + sec / 60 % 10);
	*p++ = ':';
	*p++ = (char)('0' + sec % 60 / 10);
	*p++ = (char)('0' + sec % 10);
	*p++ = 'Z';
	return p;
}

static char *put_url(char *p, const struct gen_ev *e)
{
	p = put_str(p, "https://shop.example.com");
	p = put_str(p, e->path ? e->path : "/");
	if (e->utm && e->campaign) {
		p = put_str(p, "?utm_source=");
		p = put_str(p, PLATFORM_NAME(e->platform));
		if (platform_medium[e->platform]) {
			p = put_str(p, "&utm_medium=");
			p = put_str(p, platform_medium[e->platform]);
		}
		p = put_str(p, "&utm_campaign=");
		p = put_campaign(p, e->campaign);
		if (e->post) {
			p = put_str(p, "&utm_content=");
			p = put_post(p, e->campaign, e->post);
		}
	}
	return p;
}

#define KEY(p, k) put_str(p, ",\"" k "\":")

size_t gen_fmt_ndjson(struct gen_writer *s, const struct gen_ev *e)
{
	char *p = s->line;

	p = put_str(p, "{\"event_id\":\"e");
	p = json_write_uint(p, e->id);
	p = put_str(p, "\",\"ts\":\"");
	p = put_ts(s, p, e->ts_ms);
	*p++ = '"';
	if (e->user) {
		p = put_str(p, ",\"user_id\":\"");
		p = put_user(p, e->user);
		*p++ = '"';
	}
	p = put_str(p, ",\"platform\":\"");
	p = put_str(p, PLATFORM_NAME(e->platform));
	p = put_str(p, "\",\"type\":\"");
	p = put_str(p, e->type);
	*p++ = '"';
	if (e->post) {
		p = put_str(p, ",\"post_id\":\"");
		p = put_post(p, e->campaign, e->post);
		*p++ = '"';
	}
	if (e->campaign) {
		p = put_str(p, ",\"campaign\":\"");
		p = put_campaign(p, e->campaign);
		*p++ = '"';
	}
	if (e->utm && e->campaign) {
		p = put_str(p, ",\"source\":\"");
		p = put_str(p, PLATFORM_NAME(e->platform));
		*p++ = '"';
		if (platform_medium[e->platform]) {
			p = put_str(p, ",\"medium\":\"");
			p = put_str(p, platform_medium[e->platform]);
			*p++ = '"';
		}
	}
	if (e->path) {
		p = put_str(p, ",\"url\":\"");
		p = put_url(p, e);
		*p++ = '"';
		if (platform_referrer[e->platform]) {
			p = put_str(p, ",\"referrer\":\"");
			p = put_str(p, platform_referrer[e->platform]);
			*p++ = '"';
		}
	}
	if (e->revenue_cents >= 0) {
		p = KEY(p, "revenue");
		p = put_money(p, e->revenue_cents);
		p = put_str(p, ",\"currency\":\"USD\"");
	}
	if (e->order) {
		p = put_str(p, ",\"order_id\":\"o");
		p = json_write_uint(p, e->order);
		*p++ = '"';
	}
	if (e->rating) {
		p = KEY(p, "rating");
		*p++ = (char)('0' + e->rating);
	}
	if (e->sentiment != INT32_MIN) {
		p = KEY(p, "sentiment");
		p = put_sentiment(p, e->sentiment);
	}
	if (e->followers) {
		p = KEY(p, "followers");
		p = json_write_uint(p, e->followers);
	}
	if (e->referred_by) {
		p = put_str(p, ",\"referred_by\":\"");
		p = put_user(p, e->referred_by);
		*p++ = '"';
	}
	if (e->reply_to) {
		p = put_str(p, ",\"reply_to\":\"e");
		p = json_write_uint(p, e->reply_to);
		*p++ = '"';
	}
	if (e->count) {
		p = KEY(p, "count");
		p = json_write_uint(p, e->count);
	}
	*p++ = '}';
	*p++ = '\n';
	return (size_t)(p - s->line);
}

const char gen_csv_header[] =
	"event_id,ts,user_id,platform,type,post_id,campaign,source,medium,url,referrer,"
	"revenue,currency,order_id,rating,sentiment,followers,referred_by,reply_to,count\n";

/* No generated value holds a comma, quote or newline, so none needs quoting. */
size_t gen_fmt_csv(struct gen_writer *s, const struct gen_ev *e)
{
	char *p = s->line;

	*p++ = 'e';
	p = json_write_uint(p, e->id);
	*p++ = ',';
	p = put_ts(s, p, e->ts_ms);
	*p++ = ',';
	if (e->user)
		p = put_user(p, e->user);
	*p++ = ',';
	p = put_str(p, PLATFORM_NAME(e->platform));
	*p++ = ',';
	p = put_str(p, e->type);
	*p++ = ',';
	if (e->post)
		p = put_post(p, e->campaign, e->post);
	*p++ = ',';
	if (e->campaign)
		p = put_campaign(p, e->campaign);
	*p++ = ',';
	if (e->utm && e->campaign) {
		p = put_str(p, PLATFORM_NAME(e->platform));
		*p++ = ',';
		if (platform_medium[e->platform])
			p = put_str(p, platform_medium[e->platform]);
	} else
		*p++ = ',';
	*p++ = ',';
	if (e->path) {
		p = put_url(p, e);
		*p++ = ',';
		if (platform_referrer[e->platform])
			p = put_str(p, platform_referrer[e->platform]);
	} else
		*p++ = ',';
	*p++ = ',';
	if (e->revenue_cents >= 0) {
		p = put_money(p, e->revenue_cents);
		p = put_str(p, ",USD");
	} else
		*p++ = ',';
	*p++ = ',';
	if (e->order) {
		*p++ = 'o';
		p = json_write_uint(p, e->order);
	}
	*p++ = ',';
	if (e->rating)
		*p++ = (char)('0' + e->rating);
	*p++ = ',';
	if (e->sentiment != INT32_MIN)
		p = put_sentiment(p, e->sentiment);
	*p++ = ',';
	if (e->followers)
		p = json_write_uint(p, e->followers);
	*p++ = ',';
	if (e->referred_by)
		p = put_user(p, e->referred_by);
	*p++ = ',';
	if (e->reply_to) {
		*p++ = 'e';
		p = json_write_uint(p, e->reply_to);
	}
	*p++ = ',';
	if (e->count)
		p = json_write_uint(p, e->count);
	*p++ = '\n';
	return (size_t)(p - s->line);
}

static const char *const user_agents[4] = {
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
};

static char *put_clf_ts(char *p, int64_t ms)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int64_t day = ms / MS_PER_DAY, sec = ms / 1000 % 86400, y;
	unsigned m, d;

	ts_civil_from_days(day, &y, &m, &d);
	*p++ = '[';
	*p++ = (char)('0' + d / 10);
	*p++ = (char)('0' + d % 10);
	*p++ = '/';
	memcpy(p, months + 3 * (m - 1), 3);
	p += 3;
	*p++ = '/';
	p = json_write_uint(p, (uint64_t)y);
	*p++ = ':';
	*p++ = (char)('0' + sec / 36000);
	*p++ = (char)('0' + sec / 3600 % 10);
	*p++ = ':';
	*p++ = (char)('0' + sec / 600 % 6);
	*p++ = (char)('0' + sec / 60 % 10);
	*p++ = ':';
	*p++ = (char)('0' + sec % 60 / 10);
	*p++ = (char)('0' + sec % 10);
	return put_str(p, " +0000]");
}

/* One combined-format line; the client address and agent follow from the person. */
static char *put_access(char *p, const struct gen_ev *e, const char *path, int utm, int status,
			const char *agent, uint64_t who)
{
	struct gen_ev v = *e;

	p = put_str(p, "10.");
	p = json_write_uint(p, who >> 16 & 255);
	*p++ = '.';
	p = json_write_uint(p, who >> 8 & 255);
	*p++ = '.';
	p = json_write_uint(p, who & 255);
	p = put_str(p, " - - ");
	p = put_clf_ts(p, e->ts_ms);
	p = put_str(p, " \"GET ");
	v.path = path;
	v.utm = utm;
	{
		char url[1024], *u = put_url(url, &v);
		size_t host = strlen("https://shop.example.com");

		memcpy(p, url + host, (size_t)(u - url) - host);
		p += (size_t)(u - url) - host;
	}
	p = put_str(p, " HTTP/1.1\" ");
	p = json_write_uint(p, (uint64_t)status);
	*p++ = ' ';
	p = json_write_uint(p, 512 + (e->id * 2654435761u) % 40000);
	p = put_str(p, " \"");
	p = put_str(p, utm && platform_referrer[e->platform] ? platform_referrer[e->platform] : "-");
	p = put_str(p, "\" \"");
	p = put_str(p, agent);
	p = put_str(p, "\"\n");
	return p;
}

/*
 * Access-log format: each visit is a page request (with utm_* when it came
 * from a campaign), sometimes followed by its assets; a purchase is the
 * thank-you page; now and then a crawler or a 404. Other events have no
 * line in a web server's log.
 */
size_t gen_fmt_access(struct gen_writer *s, const struct gen_ev *e)
{
	char *p = s->line;
	const char *agent = user_agents[e->user % 4];

	if (strcmp(e->type, "visit") == 0) {
		p = put_access(p, e, e->path, e->utm, 200, agent, e->user);
		if (e->id % 3 == 0)
			p = put_access(p, e, "/static/app.css", 0, 200, agent, e->user);
		if (e->id % 5 == 0)
			p = put_access(p, e, "/static/logo.png", 0, 200, agent, e->user);
		if (e->id % 41 == 0)
			p = put_access(p, e, "/products/discontinued", 0, 404, agent, e->user);
		if (e->id % 53 == 0)
			p = put_access(p, e, "/robots.txt", 0, 200,
				       "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
				       0xFFFFFF);
	} else if (strcmp(e->type, "purchase") == 0) {
		p = put_access(p, e, "/checkout/thank-you", 0, 200, agent, e->user);
	}
	return (size_t)(p - s->line);
}

/* Another system's export shape: invoice lines, or a GA4 row. */
size_t gen_fmt_shape(struct gen_writer *s, const struct gen_ev *e, int ga4)
{
	char url[512];
	struct gen_event g = { e->ts_ms, e->id, e->user == UINT64_MAX ? 0 : e->user, e->order, e->type, NULL, NULL,
			       NULL, NULL, e->revenue_cents };
	char campaign[64];

	if (e->path || e->utm) {
		url[put_url(url, e) - url] = '\0';
		g.url = url;
	}
	if (e->utm && e->campaign) {
		g.source = PLATFORM_NAME(e->platform);
		g.medium = platform_medium[e->platform];
		campaign[put_campaign(campaign, e->campaign) - campaign] = '\0';
		g.campaign = campaign;
	}
	return ga4 ? genshape_ga4(s->line, &g) : genshape_retail(s->line, &g);
}
