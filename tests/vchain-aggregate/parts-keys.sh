# With -j N and many groups, vchain-aggregate sends records to its parts
# by their group key (from 16384 groups in a part), and by their whole
# hash again once one key has most of a chunk's records: the counts and
# sums every -j gives are those awk adds up, and the --partial results
# are -j 1's. (Apart from parts.sh, so that a run of its own can take it.)
set -eu
A="$BIN/vchain-aggregate"
. "$TOP/tests/vchain-aggregate/parts.inc"
# 300,000 keys, then one key with 60 % of the records (at -j 7, more than its share of a chunk)
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
