# --approx against the exact ranking: where --stats says the guarantee
# held, the bytes are the same; where it says it did not, it says why.
# On vchain-gen's people with the default capacity (100 x N: no evictions
# here) and with a small one; on a skewed crowd (5 heavy advocates, 3000
# one-share customers) with evictions by the thousand, where the guarantee
# must still hold: Space-Saving's bound (the smallest count) times the
# largest reach is below the heavy advocates' scores.
set -eu
R="$BIN/vchain-rank-advocates"
"$BIN/vchain-gen" --seed 9 --people 50000 > "$TMP/ev"
$RUN "$R" "$TMP/ev" > "$TMP/exact"
$RUN "$R" --approx --stats "$TMP/ev" > "$TMP/approx" 2> "$TMP/stats"
grep -q 'guarantee held' "$TMP/stats" || { cat "$TMP/stats"; exit 1; }
cmp "$TMP/exact" "$TMP/approx"
$RUN "$R" --approx --capacity 100 --stats "$TMP/ev" > "$TMP/approx" 2> "$TMP/stats"
grep -q 'guarantee did not hold: .*raise --capacity' "$TMP/stats" || { cat "$TMP/stats"; exit 1; }
[ "$(wc -l < "$TMP/approx")" -eq 20 ]

awk 'BEGIN {
	srand(7)
	t0 = 1704067200	# 2024-01-01
	for (i = 0; i < 3000; i++) {	# one share each, after a purchase
		ev[n++] = sprintf("%d\t{\"ts\":\"%%s\",\"user_id\":\"l%05d\",\"platform\":\"web\",\"type\":\"purchase\",\"revenue\":5}", t0 + i * 10, i)
		ev[n++] = sprintf("%d\t{\"ts\":\"%%s\",\"user_id\":\"l%05d\",\"platform\":\"x\",\"type\":\"share\",\"followers\":%d}", t0 + i * 10 + 5, i, int(rand() * 900))
	}
	for (h = 0; h < 5; h++) {	# a purchase, 10 shares in a burst, then 40 spread over the crowd
		ev[n++] = sprintf("%d\t{\"ts\":\"%%s\",\"user_id\":\"h%d\",\"platform\":\"web\",\"type\":\"purchase\",\"revenue\":50}", t0 + 1000 * h, h)
		for (k = 0; k < 10; k++)
			ev[n++] = sprintf("%d\t{\"ts\":\"%%s\",\"user_id\":\"h%d\",\"platform\":\"instagram\",\"type\":\"share\",\"followers\":%d}", t0 + 1000 * h + 1 + k, h, 5000 * (h + 1))
		for (k = 0; k < 40; k++)
			ev[n++] = sprintf("%d\t{\"ts\":\"%%s\",\"user_id\":\"h%d\",\"platform\":\"instagram\",\"type\":\"share\",\"followers\":%d}", t0 + 1000 * h + 1 + int(rand() * 29000), h, 5000 * (h + 1))
	}
	for (i = 0; i < n; i++) print ev[i]
}' | sort -n -s -k1,1 | awk -F'\t' '{ printf $2 "\n", strftime("%Y-%m-%dT%H:%M:%SZ", $1, 1) }' > "$TMP/skew"
$RUN "$R" -n 5 "$TMP/skew" > "$TMP/exact"
[ "$(jq -r .user_id "$TMP/exact" | cut -c1 | tr -d '\n')" = hhhhh ]
$RUN "$R" -n 5 --approx --capacity 200 --stats "$TMP/skew" > "$TMP/approx" 2> "$TMP/stats"
grep -q ' [0-9][0-9][0-9][0-9] evictions' "$TMP/stats" || { cat "$TMP/stats"; exit 1; }
grep -q 'guarantee held' "$TMP/stats" || { cat "$TMP/stats"; exit 1; }
cmp "$TMP/exact" "$TMP/approx"
# and per group
$RUN "$R" -n 3 -g platform "$TMP/skew" > "$TMP/exact"
$RUN "$R" -n 3 -g platform --approx --capacity 200 --stats "$TMP/skew" > "$TMP/approx" 2> "$TMP/stats"
if grep -q 'guarantee held' "$TMP/stats"; then cmp "$TMP/exact" "$TMP/approx"; else grep -q 'did not hold' "$TMP/stats"; fi
