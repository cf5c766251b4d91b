# With -j N, vchain-aggregate cuts order-free states (counts, exact sums,
# distinct sets, percentiles, sketches, a funnel's people, the roi and
# selling reports' orders and customers) into parts by a
# field's hash, each taken by one thread at a time, and joins them at the
# end. The results and the --partial results are the same bytes for every
# -j, and the distinct counts are what jq and sort -u count.
set -eu
A="$BIN/vchain-aggregate"
"$BIN/vchain-gen" --seed 21 --events 120000 > "$TMP/ev"
acc=count,sum:revenue,distinct:user_id,distinct:post_id,approx_distinct:user_id,p50:revenue,p90:revenue,stddev:revenue
same() {	# INPUT ARGS: -j 2 and 7 give -j 1's result and partial results, which merge into it
	in=$1 args=$2
	# shellcheck disable=SC2086
	$RUN "$A" -j 1 $args "$in" > "$TMP/one"
	# shellcheck disable=SC2086
	$RUN "$A" -j 1 --partial $args "$in" > "$TMP/one.p"
	for j in 2 7; do
		# shellcheck disable=SC2086
		$RUN "$A" -j $j $args "$in" | cmp - "$TMP/one" || { echo "-j $j $args: not -j 1's"; exit 1; }
		# shellcheck disable=SC2086
		$RUN "$A" -j $j --partial $args "$in" | cmp - "$TMP/one.p" ||
			{ echo "-j $j --partial $args: not -j 1's"; exit 1; }
	done
	$RUN "$A" --merge "$TMP/one.p" | cmp - "$TMP/one"
}
for args in "-a distinct:user_id" "-g platform -a $acc" "--every day -g type -a $acc" "--report roi -g campaign" \
	"--report roi --every week" "--report selling --every day -g platform"; do
	same "$TMP/ev" "$args"
done
# many groups (81,000 people): their table's slots and rows loaded ahead
# (from 16384 groups in a part); the parts' tables joined on every thread,
# each range of hashes from every part
for args in "-g user_id -a $acc" "-g post_id,user_id --every day -a count,rows,distinct:campaign,p90:revenue"; do
	same "$TMP/ev" "$args"
done
# records per person, counted apart (no user_id: null, first in the order)
jq -r '.user_id // ""' "$TMP/ev" | sort | uniq -c | awk '{ print $2 "\t" $1 }' > "$TMP/by-user"
$RUN "$A" -j 1 -g user_id -a rows --format tsv "$TMP/ev" | sed 1d | cmp - "$TMP/by-user"
# and so as NDJSON and CSV (rows that many made on every thread, written in order)
$RUN "$A" -j 3 -g user_id -a rows "$TMP/ev" | jq -r '[.user_id // "", .rows] | @tsv' | cmp - "$TMP/by-user"
$RUN "$A" -j 2 -g user_id -a rows --format csv "$TMP/ev" | sed 1d | tr , '\t' | cmp - "$TMP/by-user"
# the funnel's people, joined from the parts without a copy (a segment a
# part): the same report, and the same partial results, as one thread's
"$BIN/vchain-stage" "$TMP/ev" > "$TMP/st"
for args in "--report funnel" "--report funnel -g platform --exclude refund@7" "--report funnel --every week"; do
	same "$TMP/st" "$args"
done
# distinct people, all and by platform, counted apart
n=$(jq -r 'select(.user_id != null) | .user_id' "$TMP/ev" | sort -u | wc -l)
[ "$($RUN "$A" -j 3 -a distinct:user_id --format tsv "$TMP/ev" | sed 1d)" -eq "$n" ] ||
	{ echo "distinct users: not $n"; exit 1; }
jq -r 'select(.user_id != null) | [.platform, .user_id] | @tsv' "$TMP/ev" | sort -u | cut -f1 | uniq -c |
	awk '{ print $2 "\t" $1 }' > "$TMP/by-platform"
$RUN "$A" -j 7 -g platform -a distinct:user_id --format tsv "$TMP/ev" | sed 1d | awk -F'\t' '$2 > 0' |
	cmp - "$TMP/by-platform"
# groups many enough (300,000 keys) that records go to parts by their group
# key (from 16384 groups in a part), and then one key with 60 % of the
# records, which at -j 7 sends them by their hash again: the counts and
# sums every -j gives are those awk adds up
awk 'BEGIN {
	for (i = 0; i < 300000; i++)
		printf "{\"user_id\":\"k%d\",\"revenue\":%d.%02d}\n", i, i % 97, i % 100
	for (i = 0; i < 200000; i++)
		if (i % 5 < 3)
			printf "{\"user_id\":\"heavy\",\"revenue\":%d}\n", i % 13
		else
			printf "{\"user_id\":\"k%d\",\"revenue\":1.5}\n", i * 7
}' > "$TMP/many"
awk -F'"' '{ v = $0; sub(/.*"revenue":/, "", v); sub(/}$/, "", v); n[$4]++; s[$4] += v * 100 }
	END { for (k in n) printf "%s\t%d\t%d\n", k, n[k], s[k] + 0.5 }' "$TMP/many" | LC_ALL=C sort > "$TMP/many.want"
for j in 1 2 7; do
	$RUN "$A" -j $j -g user_id -a count,sum:revenue --format tsv "$TMP/many" | sed 1d |
		awk -F'\t' '{ printf "%s\t%d\t%d\n", $1, $2, $3 * 100 + ($3 < 0 ? -0.5 : 0.5) }' | LC_ALL=C sort |
		cmp - "$TMP/many.want" || { echo "-j $j: many groups, one heavy: not what awk counts"; exit 1; }
done
same "$TMP/many" "-g user_id -a count,sum:revenue,p50:revenue"	# and the partial results too
