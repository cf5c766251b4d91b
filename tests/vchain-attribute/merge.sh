# --partial / --merge: shards of people (split by user_id, each in input
# order, as vchain-partition will) merge into exactly the --summary and
# --paths of one pass, byte for byte, Markov and Shapley included; over
# several shardings, with shards given in any order. And the invariants
# on vchain-gen's events: a conversion's credits add up to 1 under each
# model, its values to its value to the cent, and each model's totals to
# the number of conversions and their revenue.
set -eu
A="$BIN/vchain-attribute"
"$BIN/vchain-gen" --seed 31 --events 60000 | "$BIN/vchain-sort" > "$TMP/ev"
opts="--by campaign --lookback 14d"
$RUN "$A" $opts --summary "$TMP/ev" > "$TMP/one.sum"
$RUN "$A" $opts --paths "$TMP/ev" > "$TMP/one.paths"
[ "$(wc -l < "$TMP/one.paths")" -ge 200 ]
for n in 2 3 5; do
	files=""
	for k in $(seq 0 $((n - 1))); do
		# byte-exact lines (jq would rewrite 39.00 as 39): awk, by the number in the user id
		awk -v n=$n -v k=$k '{ u = 0; if (match($0, /"user_id":"u[0-9]+"/)) u = substr($0, RSTART + 12, RLENGTH - 13) + 0
			if (u % n == k) print }' "$TMP/ev" > "$TMP/shard$k"
		$RUN "$A" $opts --partial "$TMP/shard$k" > "$TMP/part$k"
		files="$TMP/part$k $files"	# backwards: the order of shards does not matter
	done
	[ "$(cat "$TMP"/shard* | wc -l)" -eq "$(wc -l < "$TMP/ev")" ]
	$RUN "$A" --merge --summary $files | cmp "$TMP/one.sum" - || { echo "$n shards: summary differs"; exit 1; }
	$RUN "$A" --merge --paths $files | cmp "$TMP/one.paths" - || { echo "$n shards: paths differ"; exit 1; }
	# one stream of all of them, as a pipe from many hosts gives it
	cat $files | $RUN "$A" --merge --summary | cmp "$TMP/one.sum" -
done
# a shard's file cut short is an error, not a smaller result
head -n 5 "$TMP/part0" > "$TMP/cut"
! $RUN "$A" --merge --summary "$TMP/part1" "$TMP/cut" > /dev/null 2> "$TMP/err"
grep -q 'cut' "$TMP/err" || grep -q 'end' "$TMP/err" || { cat "$TMP/err"; exit 1; }
# shards made with other options do not merge
$RUN "$A" --by platform --partial "$TMP/shard1" > "$TMP/other"
! $RUN "$A" --merge --summary "$TMP/part0" "$TMP/other" > /dev/null 2> "$TMP/err"
grep -q 'differ' "$TMP/err"

# invariants, checked with jq in whole billionths and cents
$RUN "$A" $opts -m first,last,last_non_direct,linear,time_decay,position "$TMP/ev" > "$TMP/credits"
jq -s -r 'group_by([.conversion_id, .model])[]
	| [.[0].conversion_id, .[0].model, (map(.credit * 1e9 | round) | add), (map(.value * 100 | round) | add)] | @tsv' \
	"$TMP/credits" | sort > "$TMP/per"
jq -r 'select(.type == "purchase") | [.event_id, ((.revenue // 1) * 100 | round)] | @tsv' "$TMP/ev" | sort > "$TMP/conv"
nconv=$(wc -l < "$TMP/conv")
[ "$nconv" -ge 40 ]
awk -F'\t' '$3 != 1000000000 { print "credits of " $1 " under " $2 " add up to " $3; bad = 1 } END { exit bad }' "$TMP/per"
for m in first last last_non_direct linear time_decay position; do
	awk -F'\t' -v m=$m '$2 == m { print $1 "\t" $4 }' "$TMP/per" | cmp "$TMP/conv" - ||
		{ echo "$m: values do not add up to each conversion's revenue"; exit 1; }
done
revenue=$(awk -F'\t' '{ s += $2 } END { print s }' "$TMP/conv")
jq -r '[.model, .conversions, (.value * 100 | round)] | @tsv' "$TMP/one.sum" |
	awk -F'\t' -v n=$nconv -v r=$revenue '{ c[$1] += $2; v[$1] += $3 }
		END { for (m in c) if (c[m] != n || v[m] != r) { print m ": " c[m] " conversions, " v[m] " cents; want " n ", " r; bad = 1 }
		      exit bad }'

# people over threads (-j: each thread its own people, merged at the end; credit records
# written back in input order): the same bytes
for out in --summary --paths --partial --format=ndjson --format=table; do
	$RUN "$A" $opts -j 1 $out "$TMP/ev" > "$TMP/j1"
	for j in 2 3 8; do
		$RUN "$A" $opts -j $j $out "$TMP/ev" | cmp "$TMP/j1" - || { echo "$out -j $j differs from -j 1"; exit 1; }
	done
done

# a partial header that names a model twice is none vchain-attribute wrote:
# refused (it leaked the first model's state; fuzz_merge found it)
"$BIN/vchain-gen" --seed 2 --events 3000 | "$BIN/vchain-stage" > "$TMP/ev2"
"$A" --partial "$TMP/ev2" | sed '1s/"markov",/"markov","markov",/' > "$TMP/twice"
grep -q '"markov","markov"' "$TMP/twice"
if $RUN "$A" --merge --summary "$TMP/twice" > /dev/null 2> "$TMP/err"; then exit 1; fi
grep -q "twice:1: a partial header this version cannot read" "$TMP/err"
