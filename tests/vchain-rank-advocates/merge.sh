# --partial / --merge: shards of people (split by user_id, each in input
# order, as vchain-partition does) merge into exactly the ranking, the
# per-platform ranking and the summary of one pass, byte for byte: decay
# included, and referred customers whose events are in other shards than
# their referrer's. Over several shardings, shards given in any order or
# as one stream; a shard cut short, or made with other options, is an error.
set -eu
R="$BIN/vchain-rank-advocates"
"$BIN/vchain-gen" --seed 17 --people 30000 > "$TMP/ev"
$RUN "$R" -n 500 "$TMP/ev" > "$TMP/one.rank"
$RUN "$R" -n 50 -g platform "$TMP/ev" > "$TMP/one.g"
$RUN "$R" --summary "$TMP/ev" > "$TMP/one.sum"
$RUN "$R" -n 500 --ref-field ref --half-life 30d --include-fans "$TMP/ev" > "$TMP/one.fans"
[ "$(wc -l < "$TMP/one.rank")" -ge 100 ]
# a single pass's partial merges into itself
$RUN "$R" --partial "$TMP/ev" | $RUN "$R" --merge -n 500 | cmp "$TMP/one.rank" -
for n in 2 3 7; do
	files=""
	for k in $(seq 0 $((n - 1))); do
		awk -v n=$n -v k=$k '{ u = 0; if (match($0, /"user_id":"u[0-9]+"/)) u = substr($0, RSTART + 12, RLENGTH - 13) + 0
			if (u % n == k) print }' "$TMP/ev" > "$TMP/shard$k"
		$RUN "$R" --partial "$TMP/shard$k" > "$TMP/part$k"
		$RUN "$R" -g platform --partial "$TMP/shard$k" > "$TMP/gpart$k"
		$RUN "$R" --ref-field ref --half-life 30d --include-fans --partial "$TMP/shard$k" > "$TMP/fpart$k"
		files="$TMP/part$k $files"
	done
	[ "$(cat "$TMP"/shard* | wc -l)" -eq "$(wc -l < "$TMP/ev")" ]
	$RUN "$R" --merge -n 500 $files | cmp "$TMP/one.rank" - || { echo "$n shards: ranking differs"; exit 1; }
	$RUN "$R" --merge --summary $files | cmp "$TMP/one.sum" - || { echo "$n shards: summary differs"; exit 1; }
	$RUN "$R" --merge -n 50 "$TMP"/gpart* | cmp "$TMP/one.g" - || { echo "$n shards: -g differs"; exit 1; }
	$RUN "$R" --merge -n 500 "$TMP"/fpart* | cmp "$TMP/one.fans" - || { echo "$n shards: fans differ"; exit 1; }
	cat $files | $RUN "$R" --merge -n 500 | cmp "$TMP/one.rank" -
	rm -f "$TMP"/shard* "$TMP"/part* "$TMP"/gpart* "$TMP"/fpart*
done
# a referred customer in another shard than the referrer: the sharding above has them; check it did
jq -r 'select(.referred_by) | [.user_id, .referred_by] | @tsv' "$TMP/ev" |
	awk -F'\t' '{ a = substr($1, 2) % 2; b = substr($2, 2) % 2; if (a != b) x++ } END { exit !(x > 10) }'

"$BIN/vchain-gen" --seed 18 --people 3000 > "$TMP/ev2"
$RUN "$R" --partial "$TMP/ev2" > "$TMP/p2"
head -n 5 "$TMP/p2" > "$TMP/cut"
! $RUN "$R" --merge "$TMP/p2" "$TMP/cut" > /dev/null 2> "$TMP/err"
grep -q 'cut' "$TMP/err" || grep -q 'end' "$TMP/err" || { cat "$TMP/err"; exit 1; }
$RUN "$R" --half-life 7d --partial "$TMP/ev2" > "$TMP/other"
! $RUN "$R" --merge "$TMP/p2" "$TMP/other" > /dev/null 2> "$TMP/err"
grep -q 'differ' "$TMP/err" || { cat "$TMP/err"; exit 1; }
! $RUN "$R" --merge --half-life 7d "$TMP/p2" > /dev/null 2> "$TMP/err"
grep -q 'takes the weights' "$TMP/err"
# threads change nothing: each part of the state (4 a thread, 8 at least)
# takes its people's events in input order, and --partial is written in
# the order of the keys' hashes, so every output is the same bytes
$RUN "$R" -j 1 --partial "$TMP/ev" > "$TMP/one.part"
for j in 1 2 3 4 7; do
	$RUN "$R" -j $j -n 500 "$TMP/ev" | cmp "$TMP/one.rank" - || { echo "-j $j: ranking differs"; exit 1; }
	$RUN "$R" -j $j -n 50 -g platform "$TMP/ev" | cmp "$TMP/one.g" - || { echo "-j $j: -g differs"; exit 1; }
	$RUN "$R" -j $j --summary "$TMP/ev" | cmp "$TMP/one.sum" - || { echo "-j $j: summary differs"; exit 1; }
	$RUN "$R" -j $j -n 500 --ref-field ref --half-life 30d --include-fans "$TMP/ev" | cmp "$TMP/one.fans" - ||
		{ echo "-j $j: fans differ"; exit 1; }
	$RUN "$R" -j $j --partial "$TMP/ev" | cmp "$TMP/one.part" - || { echo "-j $j: --partial differs"; exit 1; }
done
