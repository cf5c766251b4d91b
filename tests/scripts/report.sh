# scripts/vchain-report on generated events in three archives (one gzip'd)
# and on the real data of ../shared/data: every number in report.md and in
# report.html as Chromium renders it equals the filters' own output on the
# same input (report-check.py reads them back from the page); the SVGs are
# well-formed XML; report.html passes tidy -errors and references nothing
# outside itself; the progress says where and ends with the page's path; a
# truncated archive fails the run, names it, and leaves the report directory
# as it was.
set -eu
case $BIN in */san|*/tsan) echo "skipped: run once, in the plain build (a script: its programs are tested under the sanitizers on their own)"; exit 77 ;; esac
for t in jq gnuplot tidy xmllint python3; do
	command -v $t > /dev/null || { echo "skipped: $t is not installed (make deps)"; exit 77; }
done
# Chromium: installed when absent, as root; the test skips only where it cannot be
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ] && [ "$(id -u)" = 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium > /dev/null 2>&1 || true
	browser=$(command -v chromium || true)
fi
[ -n "$browser" ] || { echo "skipped: no Chromium and it cannot be installed here (not root, or no package)"; exit 77; }
VR="$TOP/scripts/vchain-report"
CHECK="$TOP/tests/scripts/report-check.py"

# the filters, run here on the same input: what the page must show
expect() {	# DIR EVERY BRAND SPEND ARCHIVES...
	e=$1 every=$2 brand=$3 spend=$4; shift 4
	mkdir -p "$e"
	"$BIN/vchain-parse" --stats --rejects "$e/rejects" "$@" > "$e/parsed" 2> "$e/parse.err"
	"$BIN/vchain-dedupe" "$e/parsed" | "$BIN/vchain-sort" | "$BIN/vchain-stage" > "$e/staged"
	A="$BIN/vchain-aggregate"
	"$A" --report funnel "$e/staged" > "$e/funnel.ndjson"
	"$A" --report engagement ${brand:+--brand "$brand"} "$e/staged" > "$e/engagement.ndjson"
	"$A" --report roi -g currency "$e/staged" > "$e/roi.ndjson"
	"$A" --report sla "$e/staged" > "$e/sla.ndjson"
	"$A" --report listening "$e/staged" > "$e/listening.ndjson"
	"$A" --report roi -g currency --every "$every" "$e/staged" > "$e/revenue-by-period.ndjson"
	"$A" -g type --every "$every" -a count "$e/staged" > "$e/types-by-period.ndjson"
	"$A" --report selling --every "$every" "$e/staged" > "$e/selling-periods.ndjson"
	"$A" --report selling -g campaign "$e/staged" > "$e/selling-campaigns.ndjson"
	"$A" --report networking --every "$every" "$e/staged" > "$e/networking-periods.ndjson"
	"$A" --report networking "$e/staged" > "$e/networking.ndjson"
	"$A" --report rfm -g user_id,currency "$e/staged" > "$e/rfm.ndjson"
	"$BIN/vchain-attribute" --summary ${spend:+--spend "$spend"} "$e/staged" > "$e/attribution.ndjson"
	"$BIN/vchain-rank-advocates" -n 8 "$e/staged" > "$e/advocates.ndjson"
	"$BIN/vchain-rank-advocates" --summary "$e/staged" > "$e/advocates-summary.ndjson"
	if [ -n "$spend" ]; then
		echo platform > "$e/spend-key"
		"$A" --report roi --spend "$spend" "$e/staged" > "$e/roi-by-platform.ndjson"
	fi
	echo "$every" > "$e/every"
	echo "$brand" > "$e/brand"
	# records read, written, left out and rejected as vchain-parse counts them;
	# events, duplicates and staged counted here
	tot=$(grep ': read [0-9]*, written' "$e/parse.err" | tail -n 1)
	n() { echo "$tot" | grep -o "$1 [0-9]*" | head -n 1 | awk '{ print $NF }'; }
	ev=$(wc -l < "$e/parsed")
	uniq=$("$BIN/vchain-dedupe" "$e/parsed" | wc -l)
	printf '{"read":%d,"written":%d,"events":%d,"left_out":%d,"rejected":%d,"duplicates":%d,"staged":%d}\n' \
		"$(n read)" "$(n written)" "$ev" "$(n 'left out' || echo 0)" "$(n rejected)" $((ev - uniq)) \
		"$(wc -l < "$e/staged")" > "$e/pipeline.ndjson"
}

page_checks() {	# REPORT_DIR EXPECTED_DIR
	r=$1 e=$2
	for c in funnel engagement attribution periods advocates response-times; do
		[ ! -f "$e/$c.nochart" ] || continue
		[ -f "$r/$c.svg" ] || { echo "$r: no $c.svg"; exit 1; }
	done
	for s in "$r"/*.svg; do
		xmllint --noout "$s" || { echo "$s: not well-formed XML"; exit 1; }
	done
	tidy -errors -q "$r/report.html" || { echo "$r/report.html: tidy -errors finds the above"; exit 1; }
	# ids once a page (the charts' patterns are found by id)
	dup=$(grep -o -E " id=['\"][^'\"]*" "$r/report.html" | sort | uniq -d | head -n 3)
	[ -z "$dup" ] || { echo "$r/report.html: ids used twice: $dup"; exit 1; }
	grep -o -E "(url\(#|href=['\"]#)[^)'\"]*" "$r/report.html" | sed -E "s/^(url\(#|href=['\"]#)//" | sort -u |
		while read -r id; do
			grep -q -E " id=['\"]$id['\"]" "$r/report.html" || { echo "$r/report.html: #$id is not there"; exit 1; }
		done
	# nothing from outside: no script, stylesheet link, image, font or
	# reference other than to the page itself
	if grep -n -i -E '<script|<link|<img|<iframe|<object|@import|@font-face|url\([^#]' "$r/report.html" ||
		grep -o -i -E '(src|href)="[^"#][^"]*"' "$r/report.html"; then
		echo "$r/report.html references something outside itself (above)"; exit 1
	fi
	# every number of the page as a browser renders it, and of the Markdown
	"$browser" --headless --no-sandbox --disable-gpu --dump-dom "file://$r/report.html" > "$TMP/dom.html" 2> "$TMP/chromium.err" ||
		{ cat "$TMP/chromium.err"; exit 1; }
	grep -q '<svg' "$TMP/dom.html" || { echo "the rendered page has no chart"; exit 1; }
	python3 "$CHECK" "$TMP/dom.html" "$e"
	python3 "$CHECK" "$r/report.md" "$e"
	"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,4000 \
		--screenshot="$TMP/page.png" "file://$r/report.html" > /dev/null 2>&1 || { echo "no screenshot"; exit 1; }
	# a PNG 1000 wide and 4000 high, and not blank (a blank one compresses to a few KB)
	[ "$(od -A n -t x1 -N 8 "$TMP/page.png" | tr -d ' ')" = 89504e470d0a1a0a ] || { echo "the screenshot is no PNG"; exit 1; }
	[ "$(od -A n -t u1 -j 16 -N 8 "$TMP/page.png" | awk '{ print $3 * 256 + $4, $7 * 256 + $8 }')" = "1000 4000" ] ||
		{ echo "the screenshot's size: $(od -A n -t u1 -j 16 -N 8 "$TMP/page.png")"; exit 1; }
	[ "$(wc -c < "$TMP/page.png")" -gt 50000 ] || { echo "the screenshot looks blank"; exit 1; }
	# NDJSON and CSV of each result: the same records
	for f in "$r"/*.ndjson; do
		c=${f%.ndjson}.csv
		[ "$(grep -c . "$f")" -eq 0 ] || [ $(($(wc -l < "$c") - 1)) -eq "$(wc -l < "$f")" ] ||
			{ echo "$c: not a header and a line per record of $f"; exit 1; }
	done
}

# ---- generated events: three archives, spend by platform ----
"$BIN/vchain-gen" --seed 21 --people 6000 > "$TMP/all"
split -n l/3 -d -a 1 "$TMP/all" "$TMP/a"
gzip "$TMP/a1"
printf 'platform,spend\nfacebook,1200.50\ninstagram,800\nemail,150.25\nx,90\n' > "$TMP/spend.csv"
set -- "$TMP/a0" "$TMP/a1.gz" "$TMP/a2"
expect "$TMP/exp" week brand "$TMP/spend.csv" "$@"
[ "$(jq -s 'map(select(.model == "markov")) | length' "$TMP/exp/attribution.ndjson")" -gt 3 ] || { echo "too few channels to check"; exit 1; }
[ "$(grep -c . "$TMP/exp/sla.ndjson")" = 1 ] && [ "$(grep -c . "$TMP/exp/advocates.ndjson")" = 8 ] || { echo "the sample lacks sla or advocates"; exit 1; }
# the read count of vchain-parse is the archives' lines
[ "$(jq .read "$TMP/exp/pipeline.ndjson")" = "$(wc -l < "$TMP/all")" ] || { echo "records read: not the archives' lines"; exit 1; }
sh "$VR" --bin "$BIN" -o "$TMP/rep" --spend "$TMP/spend.csv" --brand brand --top 8 "$@" 2> "$TMP/err" || { cat "$TMP/err"; exit 1; }
[ "$(head -n 1 "$TMP/err")" = "vchain-report: writing the report to $TMP/rep/" ] || { echo "first line: $(head -n 1 "$TMP/err")"; exit 1; }
[ "$(tail -n 1 "$TMP/err" | sed 's/.*: //')" = "$TMP/rep/report.html" ] || { echo "last line: $(tail -n 1 "$TMP/err")"; exit 1; }
page_checks "$TMP/rep" "$TMP/exp"
[ -f "$TMP/rep/roi-by-platform.csv" ] || { echo "no roi-by-platform.csv"; exit 1; }
# -q: nothing on stderr; --every month
sh "$VR" -q --bin "$BIN" -o "$TMP/rep-m" --every month --brand brand --top 8 --media-followers 1000 "$@" 2> "$TMP/err" ||
	{ cat "$TMP/err"; exit 1; }
[ ! -s "$TMP/err" ] || { echo "-q wrote: $(cat "$TMP/err")"; exit 1; }
expect "$TMP/exp-m" month brand "" "$@"
# --media-followers 1000 reaches the networking report (its summary's earned media)
"$BIN/vchain-aggregate" --report networking --media-followers 1000 --every month "$TMP/exp-m/staged" > "$TMP/exp-m/networking-periods.ndjson"
"$BIN/vchain-aggregate" --report networking --media-followers 1000 "$TMP/exp-m/staged" > "$TMP/exp-m/networking.ndjson"
cmp "$TMP/exp-m/networking.ndjson" "$TMP/rep-m/networking.ndjson"
grep -q "mentions by accounts with 1,000 followers or more" "$TMP/rep-m/report.md" || { echo "report.md: not 1,000 followers"; exit 1; }
python3 "$CHECK" "$TMP/rep-m/report.md" "$TMP/exp-m"

# ---- a truncated archive: the run fails naming it; the report stays as it was ----
head -c 20000 "$TMP/a1.gz" > "$TMP/cut.gz"
( cd "$TMP/rep" && ls -l --time-style=+%s ) > "$TMP/before"
if sh "$VR" -q --bin "$BIN" -o "$TMP/rep" "$TMP/a0" "$TMP/cut.gz" 2> "$TMP/err"; then echo "a truncated gzip went through"; exit 1; fi
grep -q "vchain-parse failed" "$TMP/err" && grep -q "cut.gz" "$TMP/err" || { echo "the error: $(cat "$TMP/err")"; exit 1; }
( cd "$TMP/rep" && ls -l --time-style=+%s ) | cmp -s - "$TMP/before" || { echo "the failed run changed the report"; exit 1; }
# usage errors: exit 2
st=0; sh "$VR" --every year "$TMP/a0" 2> /dev/null || st=$?
[ "$st" = 2 ] || { echo "--every year: exit $st"; exit 1; }

# ---- the real data vchain reads (../shared/data) ----
if [ ! -d "$DATA/access-logs" ]; then
	echo "skipped the real data: $DATA is absent"
	exit 0
fi
set -- "$DATA/access-logs/apache_logs" "$DATA/twitter-v1.1-python-twitter/tweets-v1.1.ndjson" \
	"$DATA/twitter-v2-twarc/flat.jsonl" "$DATA/stripe-payments/payments.csv" \
	"$DATA/ga4-bigquery-export/dataform-ga4-sessions-test-rows.ndjson" "$DATA/snowplow-events/snowplow_web_events.csv" \
	"$DATA/page-insights/tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv" \
	"$DATA/ecommerce-clickstream/rees46/2019-Oct-first1000.csv" "$DATA"/ecommerce-clickstream/uci-online-retail-by-day/*.csv
sh "$VR" -q --bin "$BIN" -o "$TMP/real" --rejects "$TMP/real-rejects" "$@" 2> "$TMP/err" || { cat "$TMP/err"; exit 1; }
expect "$TMP/exp-real" week "" "" "$@"
cmp "$TMP/real-rejects" "$TMP/exp-real/rejects"
# apache_logs' line 8899 (SOURCE.md: its last line has no user agent), set aside byte-exact
sed -n 8899p "$DATA/access-logs/apache_logs" | cmp - "$TMP/real-rejects"
touch "$TMP/exp-real/response-times.nochart" "$TMP/exp-real/advocates.nochart"
page_checks "$TMP/real" "$TMP/exp-real"
