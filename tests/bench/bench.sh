#!/bin/sh
# bench.sh BUILD_DIR - the project's benchmark: vchain against the tools our
# users would otherwise reach for, on the same generated data.
#
#   BENCH_EVENTS  events to generate (default 3000000, about 480 MB of NDJSON)
#   BENCH_RUNS    runs per measurement, median reported (default 5)
#   BENCH_SLOW_RUNS  runs for tools that take minutes (jq, Miller; default 1)
#   BENCH_DIR     where data and DuckDB's node module live (default bench-data)
#   BENCH_FLAT_EVENTS  events of dedupe's flat-memory row (default 20000000)
#   BENCH_SORT_EVENTS  shuffled events for vchain-sort (default 10000000, 1.6 GB)
#   BENCH_RANK_PEOPLE  people of vchain-gen --people for rank-advocates (default 5900000, about 10 M events)
#   BENCH_RETAIL_ROWS  UCI-shaped invoice lines for the profile rows (default 10000000)
#   BENCH_GA4_ROWS     GA4-shaped rows for the profile rows (default 2000000, about 1.4 GB)
#   BENCH_ONLY    the parts to run, of: parse aggregate reports dedupe stage sort attribute rank profiles partition (default all)
#
# Prints one table: task, tool, seconds (median wall time), MB/s (of the
# uncompressed input), peak RSS, and ratio = that tool's time / vchain's time
# for the task (above 1: vchain is faster). cat, zcat and igzip are floors.
# Numbers are printed, never asserted. Tools that are not installed are
# skipped with a note (make deps-bench installs them).
set -u
export LC_ALL=C
B=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# GNU time to the millisecond (tests/bench/timeit.c, make bench builds it), else GNU time's 10 ms
T="$B/tests/timeit"
[ -x "$T" ] || T=/usr/bin/time
EVENTS=${BENCH_EVENTS:-3000000}
RUNS=${BENCH_RUNS:-5}
SLOW=${BENCH_SLOW_RUNS:-1}
D=${BENCH_DIR:-bench-data}
mkdir -p "$D"
rows="$D/results.tsv"
: > "$rows"

have() { command -v "$1" > /dev/null 2>&1; }
want() { case " ${BENCH_ONLY:-$1} " in *" $1 "*) return 0 ;; esac; return 1; }
note() { echo "bench: $*" >&2; }

# ---- data ----
# made again when vchain-gen's output changed (a sample of it is the fingerprint)
sum=$("$B/vchain-gen" --seed 1 --events 2000 | cksum)
if [ "$(cat "$D/gen.sum" 2> /dev/null)" != "$sum" ]; then
	rm -f "$D"/events-* "$D"/staged-* "$D"/shuffled-* "$D"/sorted-*
	echo "$sum" > "$D/gen.sum"
fi
nd="$D/events-$EVENTS.ndjson"
if [ ! -s "$nd" ]; then
	note "generating $EVENTS events"
	"$B/vchain-gen" --seed 1 --events "$EVENTS" > "$nd.tmp" && mv "$nd.tmp" "$nd"
fi
if [ ! -s "$nd.gz" ]; then
	note "compressing with gzip -6"
	gzip -c "$nd" > "$nd.gz.tmp" && mv "$nd.gz.tmp" "$nd.gz"
fi
size=$(wc -c < "$nd")

# ---- DuckDB through its node API, installed from the npm registry on first use ----
duck=
if have node && have npm; then
	if [ ! -d "$D/node_modules/@duckdb/node-api" ]; then
		note "installing @duckdb/node-api into $D"
		(cd "$D" && npm install --no-audit --no-fund --silent @duckdb/node-api > /dev/null 2>&1) ||
			note "DuckDB node API could not be installed; DuckDB rows skipped"
	fi
	[ -d "$D/node_modules/@duckdb/node-api" ] && cp tests/bench/duck.mjs "$D/duck.mjs" && duck="node $D/duck.mjs"
fi

# measure TASK TOOL RUNS COMMAND: median wall seconds and peak RSS of RUNS
# runs. The rows of a task are run together, round by round (each tool
# once a round, in turn), so that a slow spell of this shared machine
# falls on all of them alike and the ratios hold; a new task, or the
# table, runs the rows queued before it. With PRE set, each run is
# preceded by that command, untimed (removing the last run's output).
queue="$D/queue"
qtask=
: > "$queue"
measure() {
	[ "$1" = "$qtask" ] || run_queue	# it sets tool, n and the like
	task=$1 tool=$2 n=$3
	shift 3
	qtask=$task
	printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "$n" "${BYTES:-$size}" "${PRE:-:}" "$*" >> "$queue"
}
run_queue() {
	[ -s "$queue" ] || return 0
	maxn=$(cut -f2 "$queue" | sort -n | tail -n 1)
	rm -f "$D"/t.* "$D"/failed.*
	r=1
	while [ "$r" -le "$maxn" ]; do
		i=0
		while IFS='	' read -r tool n bytes pre cmd; do
			i=$((i + 1))
			[ "$r" -le "$n" ] && [ ! -f "$D/failed.$i" ] || continue
			sh -c "$pre" < /dev/null > /dev/null 2>&1
			if "$T" -f "%e %M" -o "$D/time1" sh -c "$cmd" < /dev/null > /dev/null 2> "$D/err"; then
				tail -n 1 "$D/time1" >> "$D/t.$i"
			else
				note "$tool failed on $qtask: $(head -c 300 "$D/err")"
				: > "$D/failed.$i"
			fi
		done < "$queue"
		r=$((r + 1))
	done
	i=0
	while IFS='	' read -r tool n bytes pre cmd; do
		i=$((i + 1))
		[ -f "$D/failed.$i" ] && continue
		secs=$(sort -n "$D/t.$i" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
		rss=$(sort -k2,2n "$D/t.$i" | tail -n 1 | cut -d' ' -f2)
		printf '%s\t%s\t%s\t%s\t%s\n' "$qtask" "$tool" "$secs" "$rss" "$bytes" >> "$rows"
		printf '  %-28s %-40s %8ss\n' "$qtask" "$tool" "$secs" >&2
	done < "$queue"
	rm -f "$D"/t.* "$D"/failed.*
	: > "$queue"
}

P="$B/vchain-parse"
note "running (median of $RUNS; slow tools $SLOW)"

if want parse; then
t="ndjson -> canonical ndjson"
measure "$t" "vchain-parse --from ndjson" "$RUNS" "$P --from ndjson $nd"
measure "$t" "vchain-parse --raw" "$RUNS" "$P --raw $nd"
measure "$t" "cat (floor)" "$RUNS" "cat $nd"
have jq && measure "$t" "jq -c ." "$SLOW" "jq -c . $nd"
have mlr && measure "$t" "mlr --ijsonl --ojsonl cat" "$SLOW" "mlr --ijsonl --ojsonl cat $nd"
[ -n "$duck" ] && measure "$t" "duckdb COPY read_json TO json" "$RUNS" \
	"$duck \"COPY (SELECT * FROM read_json('$nd', format='newline_delimited', sample_size=-1)) TO '/dev/stdout' (FORMAT json)\""

t="ndjson.gz -> canonical ndjson"
if "$P" --version | grep -q ISA-L; then
	measure "$t" "vchain-parse (ISA-L)" "$RUNS" "$P $nd.gz"
	measure "$t" "vchain-parse --raw (ISA-L)" "$RUNS" "$P --raw $nd.gz"
fi
measure "$t" "vchain-parse (zlib)" "$RUNS" "VCHAIN_INFLATE=zlib $P $nd.gz"
measure "$t" "zcat (floor)" "$RUNS" "zcat $nd.gz"
have igzip && measure "$t" "igzip -dc (floor)" "$RUNS" "igzip -dc $nd.gz"
fi

# ---- the other input formats (vchain-gen writes the same events as CSV and as an access log) ----
csv="$D/events-$EVENTS.csv"
if [ ! -s "$csv" ]; then
	note "generating $EVENTS events as CSV"
	"$B/vchain-gen" --seed 1 --events "$EVENTS" --format csv > "$csv.tmp" && mv "$csv.tmp" "$csv"
fi
[ -s "$csv.gz" ] || { gzip -c "$csv" > "$csv.gz.tmp" && mv "$csv.gz.tmp" "$csv.gz"; }
if want parse; then
BYTES=$(wc -c < "$csv")
t="csv -> canonical ndjson"
measure "$t" "vchain-parse (csv)" "$RUNS" "$P $csv"
measure "$t" "vchain-parse -j 1 (csv)" "$RUNS" "$P -j 1 $csv"
measure "$t" "vchain-parse --raw (csv)" "$RUNS" "$P --raw $csv"
measure "$t" "cat (floor)" "$RUNS" "cat $csv"
have mlr && measure "$t" "mlr --icsv --ojsonl cat" "$SLOW" "mlr --icsv --ojsonl cat $csv"
[ -n "$duck" ] && measure "$t" "duckdb COPY read_csv TO json" "$RUNS" \
	"$duck \"COPY (SELECT * FROM read_csv('$csv')) TO '/dev/stdout' (FORMAT json)\""
t="csv.gz -> canonical ndjson"
measure "$t" "vchain-parse (csv.gz)" "$RUNS" "$P $csv.gz"
measure "$t" "zcat (floor)" "$RUNS" "zcat $csv.gz"
have igzip && measure "$t" "igzip -dc (floor)" "$RUNS" "igzip -dc $csv.gz"
[ -n "$duck" ] && measure "$t" "duckdb COPY read_csv TO json" "$RUNS" \
	"$duck \"COPY (SELECT * FROM read_csv('$csv.gz')) TO '/dev/stdout' (FORMAT json)\""
fi

log="$D/events-$EVENTS.log"
if [ ! -s "$log" ]; then
	note "generating $EVENTS events as an access log"
	"$B/vchain-gen" --seed 1 --events "$EVENTS" --format access > "$log.tmp" && mv "$log.tmp" "$log"
fi
if want parse; then
BYTES=$(wc -c < "$log")
t="access log -> visits ndjson"
measure "$t" "vchain-parse -j 1 (access)" "$RUNS" "$P -j 1 $log"
measure "$t" "vchain-parse (access)" "$RUNS" "$P $log"
measure "$t" "cat (floor)" "$RUNS" "cat $log"
have mawk && measure "$t" "mawk split on quotes (no JSON)" "$SLOW" \
	"mawk -F'\\\"' '{ print \$2, \$6 }' $log"
fi
unset BYTES

AG="$B/vchain-aggregate"
if [ -x "$AG" ] && want aggregate; then
	# the same numbers from every tool: rows per group (no count weights), sums, distinct users
	t="count by platform,type"
	measure "$t" "vchain-aggregate -g platform,type -a rows" "$RUNS" "$AG -g platform,type -a rows $nd"
	have jq && measure "$t" "jq reduce" "$SLOW" \
		"jq -n -c 'reduce inputs as \$e ({}; .[\$e.platform + \" \" + \$e.type] += 1)' $nd"
	have mlr && measure "$t" "mlr count -g platform,type" "$SLOW" "mlr --ijsonl --ojsonl count -g platform,type $nd"
	[ -n "$duck" ] && measure "$t" "duckdb GROUP BY over read_json" "$RUNS" \
		"$duck \"SELECT platform, type, count(*) FROM read_json('$nd', format='newline_delimited') GROUP BY ALL ORDER BY ALL\""
	t="sum revenue by campaign"
	measure "$t" "vchain-aggregate -a sum:revenue" "$RUNS" "$AG -g campaign -a sum:revenue $nd"
	have jq && measure "$t" "jq reduce (double sums)" "$SLOW" \
		"jq -n -c 'reduce (inputs | select(.revenue)) as \$e ({}; .[\$e.campaign // \"null\"] += \$e.revenue)' $nd"
	have mlr && measure "$t" "mlr stats1 -a sum" "$SLOW" "mlr --ijsonl --ojsonl stats1 -a sum -f revenue -g campaign $nd"
	[ -n "$duck" ] && measure "$t" "duckdb sum(revenue) GROUP BY" "$RUNS" \
		"$duck \"SELECT campaign, sum(revenue) FROM read_json('$nd', format='newline_delimited') GROUP BY ALL ORDER BY ALL\""
	t="distinct users"
	measure "$t" "vchain-aggregate -a distinct:user_id" "$RUNS" "$AG -a distinct:user_id $nd"
	have jq && measure "$t" "jq reduce into an object" "$SLOW" \
		"jq -n 'reduce (inputs | .user_id // empty) as \$u ({}; .[\$u] = 1) | length' $nd"
	have mlr && measure "$t" "mlr count-distinct -n" "$SLOW" "mlr --ijsonl --ojsonl count-distinct -n -f user_id $nd"
	[ -n "$duck" ] && measure "$t" "duckdb count(DISTINCT user_id)" "$RUNS" \
		"$duck \"SELECT count(DISTINCT user_id) FROM read_json('$nd', format='newline_delimited')\""
	BYTES=$(wc -c < "$csv")
	t="csv: count by platform,type"
	measure "$t" "vchain-aggregate (csv)" "$RUNS" "$AG -g platform,type -a rows $csv"
	measure "$t" "vchain-parse | vchain-aggregate" "$RUNS" "$P $csv | $AG -g platform,type -a rows"
	have jq && measure "$t" "jq -R split(\",\") (no quotes)" "$SLOW" \
		"jq -R -n -c 'input as \$header | reduce (inputs | split(\",\")) as \$r ({}; .[\$r[3] + \" \" + \$r[4]] += 1)' $csv"
	have mlr && measure "$t" "mlr --icsv count -g" "$SLOW" "mlr --icsv --ojsonl count -g platform,type $csv"
	[ -n "$duck" ] && measure "$t" "duckdb GROUP BY over read_csv" "$RUNS" \
		"$duck \"SELECT platform, type, count(*) FROM read_csv('$csv') GROUP BY ALL ORDER BY ALL\""
	unset BYTES
	# the reports, over staged events: the same numbers from each tool (jq 1.6's |= on
	# a big object is quadratic, so the jq one-liner assigns instead)
	staged="$D/staged-$EVENTS.ndjson"
	"$B/vchain-stage" "$nd" > "$staged"	# made each run: vchain-stage may have changed
	BYTES=$(wc -c < "$staged")
	t="funnel report"
	measure "$t" "vchain-aggregate --report funnel" "$RUNS" "$AG --report funnel $staged"
	have jq && measure "$t" "jq furthest stage per person" "$SLOW" \
		"jq -n -c 'reduce (inputs | select(.stage and .user_id)) as \$e ({}; .[\$e.user_id] = ([.[\$e.user_id], \$e.stage] | max)) | [.[]] | group_by(.) | map([.[0], length])' $staged"
	have mlr && measure "$t" "mlr stats1 max -g user_id, count" "$SLOW" \
		"mlr --ijsonl --ojsonl filter 'is_not_null(\$stage) && is_not_null(\$user_id)' then stats1 -a max -f stage -g user_id then count -g stage_max $staged"
	[ -n "$duck" ] && measure "$t" "duckdb max(stage) per person" "$RUNS" \
		"$duck \"WITH p AS (SELECT user_id, max(stage) s FROM read_json('$staged', format='newline_delimited') WHERE stage IS NOT NULL AND user_id IS NOT NULL GROUP BY ALL) SELECT r.range, count(*) FILTER (WHERE s >= r.range) FROM p, range(1, 8) r GROUP BY 1 ORDER BY 1\""
	# a breakdown whose groups add up (each person by first touch) with each step's
	# time to convert, and DuckDB's nearest query (its quantile_disc takes the
	# lower median, ours the upper, so some p50s differ; the people do not)
	t="funnel by platform (first touch), time to convert"
	measure "$t" "vchain-aggregate --report funnel -g platform" "$RUNS" "$AG --report funnel -g platform $staged"
	[ -n "$duck" ] && measure "$t" "duckdb arg_min, lag, quantile_disc" "$RUNS" \
		"$duck \"WITH e AS (SELECT user_id, stage, platform, ts::TIMESTAMP t FROM read_json('$staged', format='newline_delimited', sample_size=-1) WHERE stage IS NOT NULL AND user_id IS NOT NULL), r AS (SELECT user_id, stage, min(t) t FROM e GROUP BY ALL), p AS (SELECT user_id, arg_min(platform, t) g FROM e GROUP BY ALL), f AS (SELECT user_id, k, tk, tk - lag(tk) OVER (PARTITION BY user_id ORDER BY k) d FROM (SELECT r.user_id, k.range k, min(r.t) FILTER (WHERE r.stage >= k.range) tk FROM r, range(1, 8) k GROUP BY ALL) WHERE tk IS NOT NULL) SELECT g, k, count(*), quantile_disc(epoch(d) / 3600, 0.5), quantile_disc(epoch(d) / 3600, 0.9) FROM f JOIN p USING (user_id) GROUP BY ALL ORDER BY ALL\""
	t="events per Berlin day (--tz)"
	measure "$t" "vchain-aggregate --every day --tz Europe/Berlin" "$RUNS" "$AG --every day --tz Europe/Berlin -a count $staged"
	[ -n "$duck" ] && measure "$t" "duckdb AT TIME ZONE" "$RUNS" \
		"$duck \"SELECT (ts::TIMESTAMPTZ AT TIME ZONE 'Europe/Berlin')::DATE, sum(coalesce(count, 1)) FROM read_json('$staged', format='newline_delimited', sample_size=-1) GROUP BY ALL ORDER BY ALL\""
	t="engagement report"
	measure "$t" "vchain-aggregate --report engagement" "$RUNS" "$AG --report engagement $staged"
	[ -n "$duck" ] && measure "$t" "duckdb sum FILTER by platform" "$RUNS" \
		"$duck \"SELECT platform, sum(coalesce(count, 1)) FILTER (WHERE type IN ('impression', 'view')) i, sum(coalesce(count, 1)) FILTER (WHERE type IN ('like', 'comment', 'share')) e, e / i FROM read_json('$staged', format='newline_delimited', sample_size=-1) GROUP BY ALL ORDER BY ALL\""
	unset BYTES
fi

# the reports of the social cycle's last phases, each beside DuckDB's nearest query
# (BENCH_ONLY=reports runs these alone)
if [ -x "$AG" ] && { want aggregate || want reports; }; then
	staged="$D/staged-$EVENTS.ndjson"
	want aggregate || "$B/vchain-stage" "$nd" > "$staged"
	BYTES=$(wc -c < "$staged")
	t="selling report (leads, growth, offers) per campaign and week"
	measure "$t" "vchain-aggregate --report selling -g campaign --every week" "$RUNS" "$AG --report selling -g campaign --every week $staged"
	[ -n "$duck" ] && measure "$t" "duckdb FILTER sums, self-join on the week before" "$RUNS" \
		"$duck \"WITH e AS (SELECT date_trunc('week', ts::TIMESTAMP) w, campaign, type, user_id, order_id, revenue, coalesce(count, 1) c FROM read_json('$staged', format='newline_delimited', sample_size=-1) WHERE type IN ('subscribe', 'signup', 'lead', 'visit', 'purchase')), g AS (SELECT w, campaign, sum(c) FILTER (WHERE type IN ('subscribe', 'signup', 'lead')) leads, sum(c) FILTER (WHERE type = 'visit') visits, count(DISTINCT user_id) FILTER (WHERE type = 'visit') visitors, count(DISTINCT order_id) FILTER (WHERE type = 'purchase') + count(*) FILTER (WHERE type = 'purchase' AND order_id IS NULL) purchases, sum(revenue) FILTER (WHERE type = 'purchase') revenue FROM e GROUP BY ALL) SELECT g.*, p.leads, (g.leads - p.leads) / p.leads, g.purchases / g.visits, g.purchases / g.visitors FROM g LEFT JOIN g p ON p.campaign IS NOT DISTINCT FROM g.campaign AND p.w = g.w - INTERVAL 7 DAY ORDER BY ALL\""
	t="networking report (referring domains, earned media) per week"
	measure "$t" "vchain-aggregate --report networking --every week" "$RUNS" "$AG --report networking --every week $staged"
	[ -n "$duck" ] && measure "$t" "duckdb regexp host, min() OVER, FILTER" "$RUNS" \
		"$duck \"WITH e AS (SELECT date_trunc('week', ts::TIMESTAMP) w, ts::TIMESTAMP t, user_id, type, followers, sentiment, regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?([^:/?#]+)', 1) h0, rtrim(lower(h0), '.') h1, CASE WHEN starts_with(h1, 'www.') AND length(h1) > 4 THEN h1[5:] ELSE h1 END d FROM read_json('$staged', format='newline_delimited', sample_size=-1) WHERE type IN ('visit', 'mention')), r AS (SELECT w, d, count(*) visits, count(DISTINCT user_id) visitors, min(t) f FROM e WHERE type = 'visit' AND d <> '' GROUP BY ALL), n AS (SELECT *, min(f) OVER (PARTITION BY d) f0, f = f0 is_new FROM r), m AS (SELECT w, count(*) mentions, avg(sentiment) s, sum(followers) reach FROM e WHERE type = 'mention' AND followers >= 10000 GROUP BY ALL) SELECT n.*, m.* FROM n FULL JOIN m USING (w) ORDER BY ALL\""
	t="rfm report (recency, frequency, money, quintile scores)"
	measure "$t" "vchain-aggregate --report rfm" "$RUNS" "$AG --report rfm $staged"
	[ -n "$duck" ] && measure "$t" "duckdb FILTER aggregates, rank() OVER" "$RUNS" \
		"$duck \"WITH e AS (SELECT user_id, type, order_id, revenue, ts::TIMESTAMP t FROM read_json('$staged', format='newline_delimited', sample_size=-1)), a AS (SELECT max(t)::DATE d FROM e), c AS (SELECT user_id, max(t) FILTER (WHERE type = 'purchase') lp, count(DISTINCT order_id) FILTER (WHERE type = 'purchase') + count(*) FILTER (WHERE type = 'purchase' AND order_id IS NULL) f, sum(revenue) FILTER (WHERE type = 'purchase') - coalesce(sum(revenue) FILTER (WHERE type = 'refund'), 0) m FROM e WHERE user_id IS NOT NULL GROUP BY ALL HAVING count(*) FILTER (WHERE type = 'purchase') > 0), s AS (SELECT user_id, a.d - lp::DATE r, f, m FROM c, a) SELECT count(*), sum(rs), sum(fs), sum(ms) FROM (SELECT 1 + floor(5 * (rank() OVER (ORDER BY r DESC) - 1) / count(*) OVER ()) rs, 1 + floor(5 * (rank() OVER (ORDER BY f) - 1) / count(*) OVER ()) fs, 1 + floor(5 * (rank() OVER (ORDER BY m) - 1) / count(*) OVER ()) ms FROM s)\""
	unset BYTES
fi

D2="$B/vchain-dedupe"
if [ -x "$D2" ] && want dedupe; then
	t="dedupe by event_id"
	measure "$t" "vchain-dedupe" "$RUNS" "$D2 $nd"
	measure "$t" "vchain-dedupe --window 24h" "$RUNS" "$D2 --window 24h $nd"
	have mawk && measure "$t" "mawk '!seen[\$0]++'" "$SLOW" "mawk '!seen[\$0]++' $nd"
	have mlr && measure "$t" "mlr head -n 1 -g event_id" "$SLOW" "mlr --ijsonl --ojsonl head -n 1 -g event_id $nd"
	# flat memory: the same window over 1 M and 20 M events, streamed from vchain-gen
	FLAT=${BENCH_FLAT_EVENTS:-20000000}
	BYTES=-
	for n in 1000000 "$FLAT"; do
		measure "dedupe --window 24h, $n ev" "vchain-gen | vchain-dedupe (RSS)" 1 \
			"$B/vchain-gen --seed 1 --events $n | $D2 --window 24h"
	done
	unset BYTES
fi

S="$B/vchain-stage"
if [ -x "$S" ] && want stage; then
	t="add the stage field"
	measure "$t" "vchain-stage" "$RUNS" "$S $nd"
	measure "$t" "vchain-stage --journeys" "$RUNS" "$S --journeys $nd"
	have jq && measure "$t" "jq one-liner (map lookup)" "$SLOW" \
		"jq -c '. + {stage: ({impression:1,view:1,like:2,follow:2,comment:3,share:3,mention:3,tag:3,dm:3,complaint:3,review:3,referral:3,subscribe:4,signup:4,lead:4,visit:5,click:5,purchase:6,refund:6}[.type])}' $nd"
fi

SO="$B/vchain-sort"
if [ -x "$SO" ] && want sort; then
	# time order: events shuffled (shuf, the events file its random source: the same shuffle every time)
	SN=${BENCH_SORT_EVENTS:-10000000}
	sh10="$D/shuffled-$SN.ndjson"
	if [ ! -s "$sh10" ]; then
		note "generating and shuffling $SN events"
		"$B/vchain-gen" --seed 1 --events "$SN" | shuf --random-source="$nd" > "$sh10.tmp" && mv "$sh10.tmp" "$sh10"
	fi
	sh1="$D/shuffled-1000000.ndjson"
	[ -s "$sh1" ] || head -n 1000000 "$sh10" > "$sh1"
	# GNU sort sees ts as text (field 8 between double quotes): right for these canonical lines only
	gnu="sort -s -S 256M -t'\"' -k8,8"
	BYTES=$(wc -c < "$sh1")
	t="sort 1M shuffled by ts"
	measure "$t" "vchain-sort -S 256M" "$RUNS" "$SO -S 256M $sh1"
	measure "$t" "GNU sort -S 256M -k8,8 (ts as text)" "$RUNS" "$gnu $sh1"
	[ -n "$duck" ] && measure "$t" "duckdb ORDER BY ts" "$SLOW" \
		"$duck \"COPY (SELECT * FROM read_json('$sh1', format='newline_delimited', sample_size=-1) ORDER BY ts) TO '/dev/stdout' (FORMAT json)\""
	have mlr && measure "$t" "mlr sort -f ts (in memory)" "$SLOW" "mlr --ijsonl --ojsonl sort -f ts $sh1"
	have jq && measure "$t" "jq -s 'sort_by(.ts)[]' (in memory)" "$SLOW" "jq -c -s 'sort_by(.ts)[]' $sh1"
	BYTES=$(wc -c < "$sh10")
	t="sort ${SN} shuffled by ts"
	measure "$t" "vchain-sort -S 256M" "$RUNS" "$SO -S 256M $sh10"
	measure "$t" "vchain-sort -S 256M -j 1" "$SLOW" "$SO -S 256M -j 1 $sh10"
	measure "$t" "GNU sort -S 256M -k8,8 (ts as text)" "$SLOW" "$gnu -T ${TMPDIR:-/tmp} $sh10"
	[ -n "$duck" ] && measure "$t" "duckdb ORDER BY ts" "$SLOW" \
		"$duck \"COPY (SELECT * FROM read_json('$sh10', format='newline_delimited', sample_size=-1) ORDER BY ts) TO '/dev/stdout' (FORMAT json)\""
	[ -n "$duck" ] && measure "$t" "duckdb ORDER BY ts, memory_limit 256MB" "$SLOW" \
		"$duck \"SET memory_limit='256MB'; COPY (SELECT * FROM read_json('$sh10', format='newline_delimited', sample_size=-1) ORDER BY ts) TO '/dev/stdout' (FORMAT json)\""
	# Miller holds every record as a map (4.4 GB for 1 M events here): 10 M would not fit, see the 1 M row
	# -m: the sorted events dealt out to 16 files, each sorted
	if [ ! -s "$D/sorted-$SN.15" ]; then
		note "sorting $SN events into 16 sorted files"
		"$SO" "$sh10" | awk -v p="$D/sorted-$SN." '{ print > (p (NR % 16)) }'
	fi
	parts=$(for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do printf ' %s' "$D/sorted-$SN.$i"; done)
	t="merge 16 sorted files"
	measure "$t" "vchain-sort -m" "$RUNS" "$SO -m$parts"
	measure "$t" "vchain-sort -m -j 1" "$RUNS" "$SO -m -j 1$parts"
	measure "$t" "GNU sort -m -k8,8 (ts as text)" "$RUNS" "$gnu -m$parts"
	measure "$t" "cat (floor)" "$RUNS" "cat$parts"
	unset BYTES
fi

AT="$B/vchain-attribute"
if [ -x "$AT" ] && want attribute; then
	# attribution over time-ordered events: all models, and the rule-based ones beside DuckDB's window functions
	AN=${BENCH_ATTR_EVENTS:-10000000}
	ev="$D/sorted-events-$AN.ndjson"
	if [ ! -s "$ev" ]; then
		note "generating $AN events in time order"
		"$B/vchain-gen" --seed 1 --events "$AN" | "$B/vchain-sort" > "$ev.tmp" && mv "$ev.tmp" "$ev"
	fi
	BYTES=$(wc -c < "$ev")
	t="attribute $AN events"
	measure "$t" "vchain-attribute --summary (all 8 models)" "$RUNS" "$AT --summary $ev"
	measure "$t" "vchain-attribute --summary (5 rule-based)" "$RUNS" \
		"$AT --summary -m first,last,linear,time_decay,position $ev"
	measure "$t" "vchain-attribute (credit records)" "$RUNS" "$AT -m first,last,linear,time_decay,position $ev"
	measure "$t" "vchain-attribute --summary -j 1" "$SLOW" "$AT --summary -j 1 $ev"
	touch="'impression','view','like','follow','comment','share','mention','tag','dm','complaint','review','referral','subscribe','signup','lead','visit','click'"
	# the same rule-based credit in SQL: each purchase joined to its person's touches of the last 30 days
	sql="COPY (WITH e AS (SELECT row_number() OVER () AS rn, user_id, type, platform, revenue, ts::TIMESTAMPTZ AS ts
		FROM read_json('$ev', format='newline_delimited', columns={ts: 'VARCHAR', user_id: 'VARCHAR',
		type: 'VARCHAR', platform: 'VARCHAR', revenue: 'DECIMAL(18,2)'})),
	t AS (SELECT rn, user_id, ts, platform AS ch FROM e WHERE type IN ($touch) AND user_id IS NOT NULL),
	c AS (SELECT rn, user_id, ts, coalesce(revenue, 1) AS v FROM e WHERE type = 'purchase'),
	j AS (SELECT c.rn AS crn, c.v, t.ch, pow(2, -(epoch(c.ts) - epoch(t.ts)) / (7 * 86400)) AS d,
		row_number() OVER (PARTITION BY c.rn ORDER BY t.ts, t.rn) AS i, count(*) OVER (PARTITION BY c.rn) AS n
		FROM c JOIN t ON t.user_id = c.user_id AND t.ts BETWEEN c.ts - INTERVAL 30 DAY AND c.ts AND (t.ts < c.ts OR t.rn < c.rn)),
	w AS (SELECT *, d / sum(d) OVER (PARTITION BY crn) AS td,
		CASE WHEN n = 1 THEN 1 WHEN n = 2 THEN 0.5 WHEN i = 1 OR i = n THEN 0.4 ELSE 0.2 / (n - 2) END AS pos FROM j)
	SELECT ch, sum((i = 1)::INT) AS first, sum(v * (i = 1)::INT) AS first_value, sum((i = n)::INT) AS last,
		sum(v * (i = n)::INT) AS last_value, sum(1.0 / n) AS linear, sum(v / n) AS linear_value,
		sum(td) AS time_decay, sum(v * td) AS time_decay_value, sum(pos) AS position, sum(v * pos) AS position_value
	FROM w GROUP BY ch ORDER BY ch) TO '/dev/stdout' (FORMAT csv)"
	sql=$(printf '%s' "$sql" | tr '\n\t' '  ')	# one line: the queue is a line a command
	[ -n "$duck" ] && measure "$t" "duckdb window functions (5 rule-based)" "$SLOW" "$duck \"$sql\""
	unset BYTES
fi

RA="$B/vchain-rank-advocates"
if [ -x "$RA" ] && want rank; then
	# advocates over whole lives (vchain-gen --people: customers who share, review, refer), in time order;
	# beside the simplest top-N anyone would write: shares counted per user_id
	people() {	# N: the file of N people's events, made once
		f="$D/people-$1.ndjson"
		if [ ! -s "$f" ]; then
			note "generating the events of $1 people, in time order"
			"$B/vchain-gen" --seed 1 --people "$1" | "$B/vchain-sort" -S 1G > "$f.tmp" && mv "$f.tmp" "$f"
		fi
		echo "$f"
	}
	RP=${BENCH_RANK_PEOPLE:-5900000}
	ev=$(people "$RP")
	BYTES=$(wc -c < "$ev")
	t="rank-advocates $(wc -l < "$ev" | awk '{ printf "%.1fM", $1 / 1e6 }') events"
	measure "$t" "vchain-rank-advocates (exact)" "$RUNS" "$RA $ev"
	measure "$t" "vchain-rank-advocates --approx" "$RUNS" "$RA --approx $ev"
	measure "$t" "vchain-rank-advocates --summary" "$RUNS" "$RA --summary $ev"
	measure "$t" "vchain-rank-advocates -j 1" "$SLOW" "$RA -j 1 $ev"
	have mlr && measure "$t" "mlr share count -g user_id then top" "$SLOW" \
		"mlr --ijson --ojson filter '\$type == \"share\"' then count -g user_id then top -n 20 -f count -a $ev"
	sql="SELECT user_id, count(*) AS shares FROM read_json('$ev', format='newline_delimited',
		columns={user_id: 'VARCHAR', type: 'VARCHAR'}) WHERE type = 'share'
		GROUP BY user_id ORDER BY shares DESC, user_id LIMIT 20"
	sql=$(printf '%s' "$sql" | tr '\n\t' '  ')
	[ -n "$duck" ] && measure "$t" "duckdb share count GROUP BY, top 20" "$RUNS" "$duck \"$sql\""
	# --approx memory as the people grow tenfold (exact beside it)
	for n in 1000000 10000000; do
		ev=$(people "$n")
		BYTES=$(wc -c < "$ev")
		t="rank-advocates $((n / 1000000))M people"
		measure "$t" "vchain-rank-advocates --approx" "$RUNS" "$RA --approx $ev"
		measure "$t" "vchain-rank-advocates (exact)" "$RUNS" "$RA $ev"
	done
	unset BYTES
fi

if want profiles; then
	# import profiles: vchain-gen's shapes of other exports, mapped to canonical events by the shipped
	# profiles, beside the same mapping written for Miller and DuckDB
	shape() {	# FORMAT ROWS EXT: the file, made once
		f="$D/$1-$2.$3"
		if [ ! -s "$f" ]; then
			note "generating $2 rows of $1"
			"$B/vchain-gen" --seed 1 --format "$1" --events "$2" > "$f.tmp" && mv "$f.tmp" "$f"
		fi
		echo "$f"
	}
	RR=${BENCH_RETAIL_ROWS:-10000000}
	f=$(shape online-retail "$RR" csv)
	BYTES=$(wc -c < "$f")
	t="profile online-retail $((RR / 1000000))M rows"
	measure "$t" "vchain-parse (online-retail profile)" "$RUNS" "$P $f"
	measure "$t" "vchain-parse -j 1" "$SLOW" "$P -j 1 $f"
	have mlr && measure "$t" "mlr put (the same mapping)" "$SLOW" \
		"mlr --icsv --ojsonl put '\$v = \$Quantity * \$UnitPrice; \$type = \$v < 0 ? \"refund\" : \"purchase\"; \$revenue = abs(\$v); \$user_id = sub(string(\$CustomerID), \"[.]0\$\", \"\"); \$ts = strftime(strptime(\$InvoiceDate, \"%Y-%m-%d %H:%M:%S\"), \"%Y-%m-%dT%H:%M:%SZ\"); \$platform = \"web\"; \$currency = \"GBP\"; \$order_id = \$InvoiceNo; unset \$v, \$Quantity, \$UnitPrice, \$InvoiceDate, \$CustomerID, \$InvoiceNo' $f"
	sql="COPY (SELECT strftime(InvoiceDate::TIMESTAMP, '%Y-%m-%dT%H:%M:%SZ') AS ts, regexp_replace(CustomerID, '[.]0\$', '') AS user_id,
		'web' AS platform, CASE WHEN Quantity * UnitPrice < 0 THEN 'refund' ELSE 'purchase' END AS type,
		abs(Quantity * UnitPrice) AS revenue, 'GBP' AS currency, InvoiceNo AS order_id, StockCode, Description, Country
		FROM read_csv('$f', header = true, columns = {'InvoiceNo': 'VARCHAR', 'StockCode': 'VARCHAR', 'Description': 'VARCHAR',
		'Quantity': 'INTEGER', 'InvoiceDate': 'VARCHAR', 'UnitPrice': 'DECIMAL(18,2)', 'CustomerID': 'VARCHAR', 'Country': 'VARCHAR'}))
		TO '/dev/stdout' (FORMAT json)"
	sql=$(printf '%s' "$sql" | tr '\n\t' '  ')
	[ -n "$duck" ] && measure "$t" "duckdb COPY (SELECT mapping) TO json" "$RUNS" "$duck \"$sql\""
	GR=${BENCH_GA4_ROWS:-2000000}
	f=$(shape ga4 "$GR" json)
	BYTES=$(wc -c < "$f")
	t="profile ga4 $((GR / 1000000))M rows"
	measure "$t" "vchain-parse (ga4 profile)" "$RUNS" "$P $f"
	have mlr && measure "$t" "mlr put (the same mapping)" "$SLOW" \
		"mlr --ijsonl --ojsonl put '\$ts = sec2gmt(int(\$event_timestamp) / 1000000, 6); \$user_id = \$user_pseudo_id; \$type = \$event_name == \"page_view\" ? \"visit\" : \$event_name == \"purchase\" ? \"purchase\" : \"click\"; for (i, p in \$event_params) { if (p[\"key\"] == \"source\") { \$source = p[\"value\"][\"string_value\"] } elif (p[\"key\"] == \"medium\") { \$medium = p[\"value\"][\"string_value\"] } elif (p[\"key\"] == \"campaign\") { \$campaign = p[\"value\"][\"string_value\"] } elif (p[\"key\"] == \"page_location\") { \$url = p[\"value\"][\"string_value\"] } } if (is_map(\$ecommerce)) { \$revenue = \$ecommerce[\"purchase_revenue\"]; \$order_id = \$ecommerce[\"transaction_id\"] } unset \$event_params, \$ecommerce, \$traffic_source' $f"
	sql="COPY (SELECT make_timestamp(event_timestamp::BIGINT) AS ts, user_pseudo_id AS user_id, 'web' AS platform,
		CASE event_name WHEN 'page_view' THEN 'visit' WHEN 'purchase' THEN 'purchase' WHEN 'refund' THEN 'refund' ELSE 'click' END AS type,
		ecommerce.purchase_revenue AS revenue, ecommerce.transaction_id AS order_id,
		(list_filter(event_params, x -> x.key = 'source')[1]).value.string_value AS source,
		(list_filter(event_params, x -> x.key = 'medium')[1]).value.string_value AS medium,
		(list_filter(event_params, x -> x.key = 'campaign')[1]).value.string_value AS campaign,
		(list_filter(event_params, x -> x.key = 'page_location')[1]).value.string_value AS url
		FROM read_json('$f', format = 'newline_delimited')) TO '/dev/stdout' (FORMAT json)"
	sql=$(printf '%s' "$sql" | tr '\n\t' '  ')
	[ -n "$duck" ] && measure "$t" "duckdb COPY (SELECT mapping) TO json" "$RUNS" "$duck \"$sql\""
	unset BYTES
fi

# ---- the shuffle and the map-shuffle-reduce ----
PT="$B/vchain-partition"
if [ -x "$PT" ] && want partition; then
	t="partition by user_id, 8 files"
	pt="$D/partition"
	# the last run's files removed before each run, untimed: deleting 480 MB is no part of either tool
	PRE="rm -rf $pt && mkdir -p $pt"
	measure "$t" "vchain-partition -n 8" "$RUNS" "$PT -n 8 -o $pt/p-%d $nd"
	measure "$t" "vchain-partition -n 8 -j 1 (one core)" "$RUNS" "$PT -n 8 -j 1 -o $pt/p-%d $nd"
	measure "$t" "vchain-partition -n 8, gzip" "$RUNS" "$PT -n 8 -o $pt/p-%d.gz $nd"
	# GNU parallel's own shard: every line through Perl (the user_id is the column after '"user_id":"')
	have parallel && measure "$t" "parallel --pipe --shard (8 jobs)" "$SLOW" \
		"parallel --pipe --block 10M --shard '2 s/\\\".*//' --colsep '\\\"user_id\\\":\\\"' -j 8 'cat > $pt/p-{%}' < $nd"
	run_queue
	unset PRE
	# the pipeline over 8 gzip archives: one process, and scripts/vchain-parallel -j 2
	arch="$D/archives-$EVENTS"
	if [ ! -s "$arch/part-8.gz" ]; then
		rm -rf "$arch" && mkdir -p "$arch"
		split -l $(( ($(wc -l < "$nd") + 7) / 8 )) -d -a 1 "$nd" "$arch/p"
		i=1
		for f in "$arch"/p?; do gzip -c "$f" > "$arch/part-$i.gz" && rm -f "$f"; i=$((i + 1)); done
	fi
	t="funnel over 8 .gz archives"
	measure "$t" "one process: parse|dedupe|sort|stage|agg" "$RUNS" \
		"$P $arch/part-*.gz | $B/vchain-dedupe | $B/vchain-sort | $B/vchain-stage | $B/vchain-aggregate --report funnel"
	have parallel && measure "$t" "scripts/vchain-parallel -j 2" "$RUNS" \
		"sh scripts/vchain-parallel -j 2 --bin $B -o $D/vp-out --report funnel $arch/part-*.gz"
	rm -rf "$pt"
fi

# ---- the table ----
run_queue
echo
echo "vchain bench: $EVENTS events, $(awk -v s="$size" 'BEGIN { printf "%.0f MB", s / 1e6 }') NDJSON, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo "(MB/s of each task's own uncompressed input: NDJSON, CSV or the access log)"
awk -F'\t' -v size="$size" '
	{ task[NR] = $1; tool[NR] = $2; secs[NR] = $3; rss[NR] = $4; bytes[NR] = $5
	  if (!(($1) in ours)) ours[$1] = $3 }	# the first row of a task is vchain
	END {
		printf "%-30s %-40s %8s %9s %9s %7s\n", "task", "tool", "seconds", "MB/s", "RSS MB", "ratio"
		for (i = 1; i <= NR; i++) {
			mbs = bytes[i] == "-" ? "-" : secs[i] > 0 ? sprintf("%.0f", bytes[i] / 1e6 / secs[i]) : "0"
			printf "%-30s %-40s %8.3f %9s %9.1f %6.1fx\n", task[i], tool[i], secs[i], mbs,
				rss[i] / 1024, secs[i] / ours[task[i]]
		}
	}' "$rows"
