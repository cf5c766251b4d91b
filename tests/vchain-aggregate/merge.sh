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
grep -q "no -g, -a or --every" "$TMP/e"
sed 's/"vchain_partial":1/"vchain_partial":2/' "$TMP/pa" > "$TMP/pv"
if "$A" --merge "$TMP/pv" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "pv:1: partial results of another version" "$TMP/e"
