# On vchain-gen data, whose repeats are whole-line copies (retried webhooks),
# dedupe by event_id keeps exactly what awk '!seen[$0]++' keeps; kept equals
# the distinct ids (sort -u), the --dupes file holds exactly what awk drops,
# the counts add up, and the thread count (-j 1 2 3 4 7) changes nothing.
set -eu
"$BIN/vchain-gen" --seed 17 --events 150000 > "$TMP/in"
awk '!seen[$0]++' "$TMP/in" > "$TMP/awk-kept"
awk 'seen[$0]++' "$TMP/in" > "$TMP/awk-dropped"
for j in 1 2 3 4 7; do
	$RUN "$BIN/vchain-dedupe" -j $j --stats --dupes "$TMP/dupes$j" "$TMP/in" > "$TMP/kept$j" 2> "$TMP/err$j"
	cmp "$TMP/kept$j" "$TMP/awk-kept"
	cmp "$TMP/dupes$j" "$TMP/awk-dropped"
done
ids=$(jq -r .event_id "$TMP/in" | sort -u | wc -l)
read_n=$(wc -l < "$TMP/in"); kept=$(wc -l < "$TMP/kept1"); dropped=$(wc -l < "$TMP/dupes1")
[ "$kept" -eq "$ids" ] || { echo "kept $kept, distinct ids $ids"; exit 1; }
[ $((kept + dropped)) -eq "$read_n" ] || { echo "kept $kept + dropped $dropped != read $read_n"; exit 1; }
[ "$dropped" -gt 1000 ] || { echo "only $dropped dropped"; exit 1; }
grep -qx "vchain-dedupe: $TMP/in: read $read_n, kept $kept, dropped $dropped (kept: late 0, without key 0)" "$TMP/err1"
# gzip input, and a window larger than the data: the same result
gzip -c "$TMP/in" > "$TMP/in.gz"
"$BIN/vchain-dedupe" --window 365d "$TMP/in.gz" | cmp - "$TMP/awk-kept"
