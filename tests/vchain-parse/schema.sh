# What vchain-parse makes of every input format validates against
# schemas/event.schema.json with a real validator (python3-jsonschema):
# the real access logs and tweets of ../shared/data, generated CSV, and
# every shipped import profile (but google-ads, which makes spend rows) on
# its real file.
set -eu
py=/usr/bin/python3
$py -c 'import jsonschema' 2>/dev/null || { echo "skipped: python3-jsonschema not installed (make deps)"; exit 77; }
"$BIN/vchain-gen" --seed 9 --events 5000 --format csv | "$BIN/vchain-parse" > "$TMP/csv.ndjson"
printf 'created_at,customer_id,event_type,total,currency,extra\n2024-01-01 10:00,u1,Purchase Completed,12.50,eur,x\n' |
	"$BIN/vchain-parse" > "$TMP/csv2.ndjson"
files="$TMP/csv.ndjson $TMP/csv2.ndjson"
for f in access-logs/apache_logs access-logs/basjes-hackers-access.log \
	 twitter-v1.1-python-twitter/tweets-v1.1.ndjson twitter-v2-twarc/edited.jsonl; do
	[ -f "$DATA/$f" ] || continue
	out="$TMP/$(basename "$f").out"
	"$BIN/vchain-parse" --keep-bots --keep-assets --keep-errors --keep-methods --rejects /dev/null "$DATA/$f" > "$out" 2>/dev/null
	files="$files $out"
done
for f in ecommerce-clickstream/uci-online-retail-by-day/2010-12-01.csv ecommerce-clickstream/rees46/2019-Oct-first1000.csv \
	 stripe-payments/payments.csv snowplow-events/snowplow_web_events.csv ga4-bigquery-export/dataform-ga4-sessions-test-rows.ndjson \
	 page-insights/tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv; do
	[ -f "$DATA/$f" ] || continue
	out="$TMP/$(basename "$f").profile.out"
	"$BIN/vchain-parse" "$DATA/$f" > "$out"
	files="$files $out"
done
if [ -f "$DATA/facebook-post-metrics/dataset_Facebook.csv" ]; then
	"$BIN/vchain-parse" --profile facebook-post-metrics "$DATA/facebook-post-metrics/dataset_Facebook.csv" > "$TMP/fb.out"
	files="$files $TMP/fb.out"
fi
$py - "$TOP/schemas/event.schema.json" $files <<'PY'
import json, sys
from jsonschema import Draft202012Validator, FormatChecker
v = Draft202012Validator(json.load(open(sys.argv[1])), format_checker=FormatChecker())
bad = n = 0
for path in sys.argv[2:]:
    for i, line in enumerate(open(path, encoding="utf-8"), 1):
        n += 1
        for e in v.iter_errors(json.loads(line)):
            bad += 1
            if bad <= 5:
                print(f"{path}:{i}: {e.message}")
print(f"{n} events, {bad} schema errors")
sys.exit(1 if bad or n < 5000 else 0)
PY
