# --partial per shard then --merge gives, byte for byte, what one pass over
# all the data gives: for every accumulator, with and without --every, the
# input split into 2, 3 and 7 shards by lines and into uneven shards, the
# shards' partials merged in input order (first and last depend on it), and
# merged in two levels (partials of merges). Mismatched partials are errors.
set -eu
A="$BIN/vchain-aggregate"
"$BIN/vchain-gen" --seed 11 --events 60000 > "$TMP/ev"
acc=count,rows,sum:revenue,mean:revenue,stddev:revenue,min:revenue,max:revenue,distinct:user_id
acc=$acc,approx_distinct:user_id,p50:revenue,p90:revenue,p99:revenue,first:ts,last:ts,min:campaign,last:order_id
for opts in "-g platform,type" "--every week -g campaign" "-g stage,platform"; do
	# shellcheck disable=SC2086
	$RUN "$A" $opts -a $acc "$TMP/ev" > "$TMP/one"
	[ "$(wc -l < "$TMP/one")" -ge 5 ]
	for k in 2 3 7; do
		rm -f "$TMP"/shard.* "$TMP"/part.*
		split -n l/$k "$TMP/ev" "$TMP/shard."
		for f in "$TMP"/shard.*; do
			# shellcheck disable=SC2086
			$RUN "$A" --partial $opts -a $acc "$f" > "$TMP/part.${f##*.}"
		done
		$RUN "$A" --merge "$TMP"/part.* > "$TMP/merged"
		cmp "$TMP/one" "$TMP/merged"
	done
	# uneven shards, one of them empty, gzip'd, merged in two levels
	head -n 7 "$TMP/ev" > "$TMP/u1"; : > "$TMP/u2"; sed -n '8,40000p' "$TMP/ev" > "$TMP/u3"; sed -n '40001,$p' "$TMP/ev" > "$TMP/u4"
	for i in 1 2 3 4; do
		# shellcheck disable=SC2086
		$RUN "$A" --partial $opts -a $acc "$TMP/u$i" | gzip > "$TMP/p$i.gz"
	done
	$RUN "$A" --merge --partial "$TMP/p1.gz" "$TMP/p2.gz" > "$TMP/p12"
	$RUN "$A" --merge --partial "$TMP/p3.gz" "$TMP/p4.gz" > "$TMP/p34"
	$RUN "$A" --merge "$TMP/p12" "$TMP/p34" | cmp "$TMP/one" -
done
# the state is versioned and checked
$RUN "$A" --partial -g platform "$TMP/ev" > "$TMP/pa"
$RUN "$A" --partial -g type "$TMP/ev" > "$TMP/pb"
if "$A" --merge "$TMP/pa" "$TMP/pb" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "pb:1: partial results of another aggregation" "$TMP/e"
if "$A" --merge "$TMP/ev" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "ev:1: not partial results of vchain-aggregate --partial" "$TMP/e"
if "$A" --merge -g platform "$TMP/pa" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "no -g, -a, --every, --tz or --report" "$TMP/e"
sed 's/"vchain_partial":2/"vchain_partial":3/' "$TMP/pa" > "$TMP/pv"
if "$A" --merge "$TMP/pv" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "pv:1: partial results of another version" "$TMP/e"

# every report: shards' partials merged equal one pass, byte for byte; the
# options that act at the end (--window, --step-window, --breakdown-by, --spend, the SLA limits) go to the
# merge, --brand to the shards. SLA replies often land in another shard
# than their message.
head -n 25000 "$TMP/ev" | "$BIN/vchain-stage" > "$TMP/st"	# a smaller sample: 15 reports to merge
printf 'platform,spend\nfacebook,120.50\ninstagram,80\nx,0\ntiktok,33.3\nlinkedin,1\n' > "$TMP/spend.csv"
for rep in "funnel" "funnel --window 1d" "funnel --step-window 2d" "engagement" "engagement -g post_id --brand u00000001" "roi" \
	"roi -g platform --spend $TMP/spend.csv" "sla" "sla --respond-within 1h -g platform" "listening --every week -g platform" \
	"funnel --every day -g campaign" "funnel -g platform --breakdown-by last" "funnel -g platform --exclude refund@7 --exclude unsubscribe" "roi -g campaign --every month" "sla --every day"; do
	# shellcheck disable=SC2086
	$RUN "$A" --report $rep "$TMP/st" > "$TMP/one"
	[ "$(wc -l < "$TMP/one")" -ge 1 ]
	shard_opts=$(echo "$rep" | sed 's/--breakdown-by [^ ]*//; s/--step-window [^ ]*//; s/--window [^ ]*//; s/--spend [^ ]*//; s/--respond-within [^ ]*//')
	merge_opts=$(echo "$rep" | sed -n 's/.*\(--breakdown-by [^ ]*\).*/\1/p; s/.*\(--step-window [^ ]*\).*/\1/p; s/.*\(--window [^ ]*\).*/\1/p; s/.*\(--spend [^ ]*\).*/\1/p; s/.*\(--respond-within [^ ]*\).*/\1/p')
	for k in 2 3 7; do
		rm -f "$TMP"/shard.* "$TMP"/part.*
		split -n l/$k "$TMP/st" "$TMP/shard."
		for f in "$TMP"/shard.*; do
			# shellcheck disable=SC2086
			$RUN "$A" --partial --report $shard_opts "$f" > "$TMP/part.${f##*.}"
		done
		# shellcheck disable=SC2086
		$RUN "$A" --merge $merge_opts "$TMP"/part.* > "$TMP/merged"
		cmp "$TMP/one" "$TMP/merged" || { echo "report $rep, $k shards"; exit 1; }
	done
	# uneven shards, one empty, merged in two levels
	head -n 7 "$TMP/st" > "$TMP/u1"; : > "$TMP/u2"; sed -n '8,15000p' "$TMP/st" > "$TMP/u3"; sed -n '15001,$p' "$TMP/st" > "$TMP/u4"
	for i in 1 2 3 4; do
		# shellcheck disable=SC2086
		$RUN "$A" --partial --report $shard_opts "$TMP/u$i" > "$TMP/p$i"
	done
	$RUN "$A" --merge --partial "$TMP/p1" "$TMP/p2" > "$TMP/p12"
	$RUN "$A" --merge --partial "$TMP/p3" "$TMP/p4" > "$TMP/p34"
	# shellcheck disable=SC2086
	$RUN "$A" --merge $merge_opts "$TMP/p12" "$TMP/p34" | cmp "$TMP/one" - || { echo "report $rep, uneven"; exit 1; }
done
cat "$TMP"/part.* | grep -q '"replies":'
# a report's partials do not merge with another's
$RUN "$A" --partial --report roi "$TMP/u1" > "$TMP/pr"
$RUN "$A" --partial --report listening "$TMP/u1" > "$TMP/pl"
if "$A" --merge "$TMP/pr" "$TMP/pl" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "pl:1: partial results of another aggregation" "$TMP/e"
if "$A" --merge --window 1d "$TMP/pr" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q -- "--window goes with --report funnel" "$TMP/e"
