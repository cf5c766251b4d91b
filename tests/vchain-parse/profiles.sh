# Import profiles on the real files of ../shared/data, detected by their
# headers, each SOURCE.md's facts exactly:
#   online-retail  the six days' net sums (purchases less C-invoice refunds,
#                  Quantity x UnitPrice in exact decimals) 58635.56 ... 45059.05
#   rees46         987 view, 3 cart (click), 10 purchases of 2387.84 by 9 buyers
#   stripe         eur 319 / 3107.50 (jq prints 3107.5), usd 197 / 3553.00, mxn 106 / 19115.00;
#                  622 payments, 196 customers
#   x-analytics    one insights event per tweet and metric: impressions
#                  1,625,538, likes 3,433, retweets 1,322, replies 615, url clicks
#                  34,681, media views 21,984, follows 3 (356 tweets)
#   facebook-post-metrics  (headerless, --profile) comment 3741, like 88795,
#                  share 13524 over 500 posts
#   ga4            (NDJSON, nested) 14 rows: session_start left out by the
#                  profile, 5 page views as visits, 3 purchase rows of one
#                  transaction: 31.0 EUR once vchain-dedupe keeps one; ts to the
#                  microsecond from event_timestamp, UTM fields from event_params
#   snowplow       160 rows, 157 distinct event ids (vchain-dedupe keeps 157), 43
#                  people, 50 page views, 8 pings; the 12 UTM rows 5/4/3; derived_tstamp
#                  span 2020-07-03 15:55:18.542 .. 2021-03-11 21:42:15.543
# and every event valid against schemas/event.schema.json's required fields.
set -eu
P="$BIN/vchain-parse"
A="$BIN/vchain-aggregate"
d="$DATA/ecommerce-clickstream/uci-online-retail-by-day"
[ -d "$d" ] || { echo "$d not found"; exit 77; }
for day in 01:58635.56 02:46207.28 03:45620.46 05:31383.95 06:53860.18 07:45059.05; do
	f="$d/2010-12-${day%%:*}.csv"
	$RUN "$P" --stats "$f" > "$TMP/ev" 2> "$TMP/err"
	rows=$(($(wc -l < "$f") - 1))
	grep -q "read $rows, written $rows, rejected 0" "$TMP/err" || { cat "$TMP/err"; exit 1; }
	got=$("$A" --report roi "$TMP/ev" | jq -r .revenue)
	[ "$got" = "${day#*:}" ] || { echo "2010-12-${day%%:*}: net $got, SOURCE.md says ${day#*:}"; exit 1; }
done
# a C-invoice line is a refund of its value; a guest has no user_id; 17850.0 is 17850
$RUN "$P" "$d/2010-12-01.csv" > "$TMP/ev"
jq -e -s '(map(select(.order_id | startswith("C"))) | all(.type == "refund"))
	and (map(select(.type == "refund")) | all(.order_id | startswith("C")))
	and (map(select(.user_id == null)) | length) == 1140
	and (map(select(.user_id == "17850")) | length) > 0' "$TMP/ev" > /dev/null

f="$DATA/ecommerce-clickstream/rees46/2019-Oct-first1000.csv"
$RUN "$P" "$f" > "$TMP/ev"
[ "$(jq -r .type "$TMP/ev" | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" = "click=3 purchase=10 view=987 " ]
"$A" -g type -a sum:revenue,distinct:user_id "$TMP/ev" |
	jq -e -s 'map(select(.type == "purchase"))[0] | .revenue_sum == 2387.84 and .user_id_distinct == 9' > /dev/null
[ "$(jq -c 'select(.type != "purchase" and has("revenue"))' "$TMP/ev" | wc -l)" -eq 0 ]

f="$DATA/stripe-payments/payments.csv"
if [ -f "$f" ]; then
	$RUN "$P" --stats "$f" > "$TMP/ev" 2> "$TMP/err"
	grep -q 'read 622, written 622, rejected 0' "$TMP/err" || { cat "$TMP/err"; exit 1; }
	"$A" -g currency -a sum:revenue,rows "$TMP/ev" | jq -r '[.currency, .revenue_sum, .rows] | @tsv' |
		tr '\t\n' ': ' | grep -qx 'EUR:3107.5:319 MXN:19115:106 USD:3553:197 '
	[ "$(jq -r 'select(.user_id) | .user_id' "$TMP/ev" | sort -u | wc -l)" -eq 196 ]
fi
f="$DATA/page-insights/tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
if [ -f "$f" ]; then
	$RUN "$P" --stats "$f" > "$TMP/ev" 2> "$TMP/err"
	grep -q 'read 356, written 356 (1112 events), rejected 0' "$TMP/err" || { cat "$TMP/err"; exit 1; }
	"$A" -g type -a count "$TMP/ev" | jq -r '[.type, .count] | @tsv' | tr '\t\n' '= ' |
		grep -qx 'click=34681 comment=615 follow=3 impression=1625538 like=3433 share=1322 view=21984 '
	[ "$(jq -r .post_id "$TMP/ev" | sort -u | wc -l)" -eq 356 ]
	jq -e -s 'all(.user_id == null and .platform == "x")' "$TMP/ev" > /dev/null
fi
# the by-day export (x-analytics-daily, detected): SOURCE.md's day count, span and column sums
f="$DATA/page-insights/daily_tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
if [ -f "$f" ]; then
	$RUN "$P" --stats "$f" > "$TMP/ev" 2> "$TMP/err" || { cat "$TMP/err"; exit 1; }
	grep -q 'read 31, written 31 (182 events), rejected 0' "$TMP/err" || { cat "$TMP/err"; exit 1; }
	"$A" -g type -a sum:count "$TMP/ev" | jq -r '[.type, .count_sum] | @tsv' | tr '\t\n' '= ' |
		grep -qx 'click=34633 comment=649 follow=3 impression=1639423 like=3535 share=480 view=22013 ' ||
		{ echo "x-analytics-daily: the sums are not SOURCE.md's"; exit 1; }
	[ "$(jq -r .ts "$TMP/ev" | sort -u | sed -n '1p;$p;$=' | tr '\n' ' ')" = "2021-08-01T00:00:00Z 2021-08-31T00:00:00Z 31 " ] ||
		{ echo "x-analytics-daily: not the 31 days of August 2021"; exit 1; }
	jq -e -s 'all(.user_id == null and .post_id == null and .platform == "x")' "$TMP/ev" > /dev/null
fi
f="$DATA/facebook-post-metrics/dataset_Facebook.csv"
if [ -f "$f" ]; then
	$RUN "$P" --stats --profile facebook-post-metrics "$f" > "$TMP/ev" 2> "$TMP/err"
	grep -q 'read 500, written 500' "$TMP/err" || { cat "$TMP/err"; exit 1; }
	"$A" -g type -a count "$TMP/ev" | jq -r 'select(.type != "impression") | [.type, .count] | @tsv' |
		tr '\t\n' '= ' | grep -qx 'comment=3741 like=88795 share=13524 '
fi
f="$DATA/ga4-bigquery-export/dataform-ga4-sessions-test-rows.ndjson"
if [ -f "$f" ]; then
	$RUN "$P" --stats "$f" > "$TMP/ev" 2> "$TMP/err"
	grep -q 'read 14, written 13, rejected 0, left out 1 (the profile.s skip rule 1)' "$TMP/err" || { cat "$TMP/err"; exit 1; }
	[ "$(jq -r .type "$TMP/ev" | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" = "click=1 lead=2 purchase=3 view=2 visit=5 " ]
	[ "$(jq -r .ts "$TMP/ev" | sort | sed -n '1p;$p' | tr '\n' ' ')" = "2023-10-19T07:03:06.127385Z 2023-12-15T14:45:59.604144Z " ]
	"$BIN/vchain-dedupe" "$TMP/ev" | "$A" --report roi | jq -e '.revenue == 31 and .orders == 1' > /dev/null
	[ "$(jq -r 'select(.type == "visit" and .source == "google" and .medium == "cpc") | .campaign' "$TMP/ev")" = cpc_campaign ]
	jq -e -s 'map(select(.type == "purchase")) | all(.currency == "EUR" and .order_id == "257059")' "$TMP/ev" > /dev/null
	# --explain on NDJSON: each field's paths, and what happens to the rest
	$RUN "$P" --explain "$f" 2> "$TMP/err" > /dev/null
	grep -q '  ts  *<- event_timestamp$' "$TMP/err" && grep -q '  revenue  *<- ecommerce.purchase_revenue | when$' "$TMP/err" &&
		grep -q '  url  *<- params.page_location$' "$TMP/err" && grep -q 'other members are dropped' "$TMP/err" ||
		{ cat "$TMP/err"; exit 1; }
fi
f="$DATA/snowplow-events/snowplow_web_events.csv"
if [ -f "$f" ]; then
	$RUN "$P" --stats "$f" > "$TMP/ev" 2> "$TMP/err"
	grep -q 'read 160, written 160, rejected 0' "$TMP/err" || { cat "$TMP/err"; exit 1; }
	[ "$("$BIN/vchain-dedupe" "$TMP/ev" | wc -l)" -eq 157 ]
	[ "$(jq -r .user_id "$TMP/ev" | sort -u | wc -l)" -eq 43 ]
	[ "$(jq -r 'select(.type == "visit" or .type == "view") | .type' "$TMP/ev" | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" = "view=8 visit=50 " ]
	jq -r 'select(.campaign) | [.source, .medium, .campaign] | join("/")' "$TMP/ev" | sort | uniq -c |
		awk '{ printf "%s %s,", $1, $2 }' |
		grep -qx '5 google-ad/display/data-utilization,4 google-ad/display/product-analytics-new-ebook,3 google-ad/ppc/data-utilization,'
	[ "$(jq -r .ts "$TMP/ev" | sort | sed -n '1p;$p' | tr '\n' ' ')" = "2020-07-03T15:55:18.542Z 2021-03-11T21:42:15.543Z " ]
fi
# the schema's required fields, on all of them
for f in "$d"/2010-12-01.csv "$DATA/ecommerce-clickstream/rees46/2019-Oct-first1000.csv"; do
	$RUN "$P" "$f" | jq -e -s 'all(.event_id and .ts and .platform and .type)' > /dev/null
done
