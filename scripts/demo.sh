#!/bin/sh
# demo.sh BUILD_DIR - generate a sample and run the pipeline as far as the
# filters exist, printing what each step did and a short report (jq).
set -eu
B=${1:-build}
export LC_ALL=C
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step "vchain-gen --seed 1 --events 200000 | gzip > sample.ndjson.gz"
"$B/vchain-gen" --seed 1 --events 200000 | gzip > "$d/sample.ndjson.gz"
ls -l "$d/sample.ndjson.gz" | awk '{ print $5 " bytes" }'

# a day of an export from elsewhere, with a broken line in it
printf '%s\n' \
	'{"created_at":"Wed Jan 10 09:30:00 +0000 2024","type":"Retweet","platform":"Twitter","user_id":1234567890123456789,"ts":"Wed Jan 10 09:30:00 +0000 2024"}' \
	'{"ts":"2024-01-10T10:00:00+01:00","type":"purchase_completed","platform":"IG","user_id":"anna","revenue":"49.95","currency":"eur","order_id":"A-1"}' \
	'{"ts":"2024-01-10 11:00:00","type":"like","platform":"fb","user_id":"ben",}' \
	> "$d/export.ndjson"

step "vchain-parse --stats --rejects rejects.ndjson sample.ndjson.gz export.ndjson > events.ndjson"
"$B/vchain-parse" --stats --rejects "$d/rejects.ndjson" "$d/sample.ndjson.gz" "$d/export.ndjson" > "$d/events.ndjson"

step "tail -n 2 events.ndjson   # the export, normalised"
tail -n 2 "$d/events.ndjson"
step "cat rejects.ndjson   # set aside byte-exact"
cat "$d/rejects.ndjson"

step "jq: events by type (count-weighted), people, revenue"
jq -s -r '
	(map(.count // 1) | add) as $w
	| "events: \(length)  weighted: \($w)  people: \(map(select(.user_id and .user_id != "brand") | .user_id) | unique | length)",
	  "revenue (purchases - refunds): \((map(select(.type == "purchase") | .revenue) | add) - (map(select(.type == "refund") | .revenue) | add // 0) | . * 100 | round / 100)",
	  "",
	  (group_by(.type) | map({type: .[0].type, n: (map(.count // 1) | add)}) | sort_by(-.n)[]
	   | "\(.type)\t\(.n)")' "$d/events.ndjson" |
	awk -F'\t' 'NF == 2 { printf "  %-14s %12s\n", $1, $2; next } { print }'

step "vchain-gen --format csv | access: the same kind of data as a shop's CSV and a web server's log"
"$B/vchain-gen" --seed 3 --events 20000 --format csv > "$d/shop.csv"
"$B/vchain-gen" --seed 3 --events 20000 --format access > "$d/access.log"
"$B/vchain-parse" --stats "$d/shop.csv" > "$d/shop.ndjson"
tail -n 1 "$d/shop.ndjson"
"$B/vchain-parse" --stats "$d/access.log" > "$d/visits.ndjson"
tail -n 1 "$d/visits.ndjson"

step "cat events.ndjson visits.ndjson | vchain-sort -c   # one source after another: not in time order"
cat "$d/events.ndjson" "$d/visits.ndjson" | "$B/vchain-sort" -c || true

step "vchain-dedupe --stats --dupes dupes.ndjson events.ndjson visits.ndjson | vchain-sort --stats -S 16M > unique.ndjson"
"$B/vchain-dedupe" --stats --dupes "$d/dupes.ndjson" "$d/events.ndjson" "$d/visits.ndjson" |
	"$B/vchain-sort" --stats -S 16M > "$d/unique.ndjson"
"$B/vchain-stage" --sorted-check "$d/unique.ndjson" > /dev/null

step "vchain-stage --stats unique.ndjson | tail -n 1"
"$B/vchain-stage" --stats "$d/unique.ndjson" | tail -n 1

step "vchain-stage unique.ndjson > staged.ndjson; vchain-aggregate --report funnel --format table"
"$B/vchain-stage" "$d/unique.ndjson" > "$d/staged.ndjson"
"$B/vchain-aggregate" --report funnel --format table "$d/staged.ndjson"

step "vchain-aggregate --report engagement --format table (rates against the sources' medians)"
"$B/vchain-aggregate" --report engagement --format table "$d/staged.ndjson"

step "vchain-aggregate --report roi -g platform --format table"
"$B/vchain-aggregate" --report roi -g platform --format table "$d/staged.ndjson"

step "vchain-aggregate --report sla -g platform --format table (answer in 12 h, resolve in 24 h)"
"$B/vchain-aggregate" --report sla -g platform --format table "$d/staged.ndjson"

step "vchain-aggregate --report listening --format table"
"$B/vchain-aggregate" --report listening --format table "$d/staged.ndjson"

step "vchain-aggregate -g platform -a rows,sum:revenue,distinct:user_id --format table unique.ndjson"
"$B/vchain-aggregate" -g platform -a rows,sum:revenue,distinct:user_id --format table "$d/unique.ndjson"

step "vchain-attribute --summary -m first,last,linear,markov,shapley --format table unique.ndjson (which platforms drove the sales)"
"$B/vchain-attribute" --summary -m first,last,linear,markov,shapley --format table "$d/unique.ndjson"

step "vchain-attribute --from-paths Data.csv -m markov --format table (ChannelAttribution's sample paths, solved exactly)"
if [ -f "$(dirname "$0")/../../shared/data/channelattribution/Data.csv" ]; then
	"$B/vchain-attribute" --from-paths "$(dirname "$0")/../../shared/data/channelattribution/Data.csv" -m markov \
		--format table --stats
else
	echo "(../shared/data/channelattribution is absent here)"
fi

step "vchain-gen --format online-retail | vchain-parse --explain | vchain-aggregate --report roi --every week (a shop's invoices, read by the online-retail profile it recognises)"
"$B/vchain-gen" --seed 9 --people 30000 --format online-retail > "$d/invoices.csv"
head -n 3 "$d/invoices.csv"
"$B/vchain-parse" --explain "$d/invoices.csv" | "$B/vchain-aggregate" --report roi --every week --format table

step "vchain-gen --people 30000 | vchain-rank-advocates -n 10 --format table (a whole audience's lives: who brought in customers)"
"$B/vchain-gen" --seed 9 --people 30000 > "$d/people.ndjson"
"$B/vchain-rank-advocates" -n 10 --format table "$d/people.ndjson"

step "vchain-rank-advocates --summary --format table (the viral loop: referred people per customer and per advocate)"
"$B/vchain-rank-advocates" --summary --format table "$d/people.ndjson"
