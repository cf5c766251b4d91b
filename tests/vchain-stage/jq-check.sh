# vchain-stage against the same rules written independently in jq
# (stages.jq, journeys.jq) on generated data: every event's stage, the
# journeys, and the journeys with --window 3d, byte for byte.
set -eu
"$BIN/vchain-gen" --seed 8 --people 4000 > "$TMP/ev"	# five months of 4000 lives: every stage, journeys longer than 3 days
$RUN "$BIN/vchain-stage" "$TMP/ev" > "$TMP/staged"
jq -r '.stage // "null"' "$TMP/staged" > "$TMP/ours"
jq -n -f stages.jq < "$TMP/ev" > "$TMP/stream"
jq -r '.s // "null"' "$TMP/stream" > "$TMP/theirs"
cmp "$TMP/ours" "$TMP/theirs"
[ "$(grep -c '^7$' "$TMP/ours")" -gt 0 ]	# advocacy happens in the sample
for w in 0 259200; do
	if [ $w -eq 0 ]; then opt=; else opt="--window 3d"; fi
	$RUN "$BIN/vchain-stage" --journeys $opt "$TMP/ev" | jq -c . > "$TMP/j-ours"
	jq -s -c --argjson window $w -f journeys.jq "$TMP/stream" > "$TMP/j-theirs"
	cmp "$TMP/j-ours" "$TMP/j-theirs"
done
# the thread count changes nothing (the customers are kept in parts by -j), the counts neither
for j in 1 3 7; do
	$RUN "$BIN/vchain-stage" -j $j --stats "$TMP/ev" 2> "$TMP/stats$j" | cmp - "$TMP/staged"
	cmp "$TMP/stats$j" "$TMP/stats1"
done
cat "$TMP/ev" | $RUN "$BIN/vchain-stage" -j 2 | cmp - "$TMP/staged"
grep -q "advocacy acts by non-customers [1-9]" "$TMP/stats1"
# events pass through byte for byte apart from the two fields (sed, not jq:
# jq would rewrite 99.90 as 99.9)
sed 's/,"stage":[^,]*,"stage_name":[^,}]*//' "$TMP/staged" | cmp - "$TMP/ev"
