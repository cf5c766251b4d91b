# Repeats apart, with different content: 400,000 records of 50,000 keys
# (each key's copies chunks apart) and of 3,000 (about a chunk apart). The first of each key in input
# order is kept, whatever the threads (-j 1 3 7) and whether the input
# is a file or a pipe: what awk's '!seen[key]++' keeps.
set -eu
for keys in 50000 3000; do
awk -v k=$keys 'BEGIN { for (i = 0; i < 400000; i++) printf "{\"event_id\":\"k%d\",\"n\":%d,\"pad\":\"%s\"}\n", (i * 7919) % k, i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' > "$TMP/in"
awk -F'"' '!seen[$4]++' "$TMP/in" > "$TMP/expected"
[ "$(wc -l < "$TMP/expected")" -eq $keys ] || { echo "awk kept $(wc -l < "$TMP/expected")"; exit 1; }
for j in 1 3 7; do
	$RUN "$BIN/vchain-dedupe" -j $j "$TMP/in" > "$TMP/out"
	cmp "$TMP/out" "$TMP/expected" || { echo "-j $j: not what awk keeps"; exit 1; }
	cat "$TMP/in" | $RUN "$BIN/vchain-dedupe" -j $j --dupes "$TMP/dupes" > "$TMP/out"
	cmp "$TMP/out" "$TMP/expected" || { echo "-j $j, stdin: not what awk keeps"; exit 1; }
	awk -F'"' 'seen[$4]++' "$TMP/in" | cmp - "$TMP/dupes" || { echo "-j $j: --dupes is not what awk drops"; exit 1; }
done
done
