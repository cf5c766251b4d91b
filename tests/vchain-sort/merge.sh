# -m: merging inputs that are each sorted gives what one sort of their
# concatenation gives (ref.py): equal keys from the earlier input first.
# 16 inputs (some gzipped, one from standard input, one empty, one without
# its last newline), on 1, 2 and 5 threads; memory stays flat as the
# inputs grow.
set -eu
S="$BIN/vchain-sort"
for seed in 51 52 53; do "$BIN/vchain-gen" --seed $seed --events 20000; done |
jq -c 'input_line_number as $n | if $n % 41 == 0 then .ts = "2024-01-01T01:00:00Z" | .event_id = "same" else . end
	| if $n % 3 == 0 then .ts |= sub("Z$"; ".75Z") else . end' > "$TMP/all"
python3 ref.py "$TMP/all" > "$TMP/sorted"
# deal the sorted records out to 16 inputs at random: each is sorted
awk -v dir="$TMP" 'BEGIN { srand(9) } { f = int(rand() * 15); print > (dir "/p" f) }' "$TMP/sorted"
: > "$TMP/p15"
for f in 3 7; do gzip "$TMP/p$f"; done
printf %s "$(cat "$TMP/p9")" > "$TMP/p9.cut" && mv "$TMP/p9.cut" "$TMP/p9"
inputs() { for f in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	if [ $f = 5 ]; then echo -; elif [ -f "$TMP/p$f.gz" ]; then echo "$TMP/p$f.gz"; else echo "$TMP/p$f"; fi; done; }
for f in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	if [ -f "$TMP/p$f.gz" ]; then gzip -dc "$TMP/p$f.gz"; else cat "$TMP/p$f"; fi
	[ $f = 9 ] && echo
done > "$TMP/concat"
[ "$(wc -l < "$TMP/concat")" -eq 60000 ]
python3 ref.py "$TMP/concat" > "$TMP/want"
! cmp -s "$TMP/want" "$TMP/sorted"	# the ties came out in another order: the test can tell
for j in 1 2 5; do
	$RUN "$S" -m -j $j $(inputs) < "$TMP/p5" > "$TMP/got"
	cmp "$TMP/want" "$TMP/got" || { echo "-m -j $j differs from a sort of the concatenation"; exit 1; }
done
# one input, and none but standard input
$RUN "$S" -m "$TMP/p0" | cmp "$TMP/p0" -
$RUN "$S" -m < "$TMP/p0" | cmp "$TMP/p0" -
# memory: the same with inputs four times as long (a block or two an input, however long)
# (not under ThreadSanitizer: its shadow of the memory a thread touched is counted too)
case $BIN in *tsan*) exit 0 ;; esac
for f in 0 1 2 3; do python3 ref.py "$TMP/sorted" > "$TMP/big$f"; done
for f in 0 1 2 3; do head -c 2000000 "$TMP/big$f" | sed '$d' > "$TMP/small$f"; done
[ "$(wc -c < "$TMP/big0")" -ge 8000000 ]
peak() { $RUN "$S" -m --stats "$@" 2>&1 > /dev/null | sed -n 's/.*peak memory \([0-9]*\)\..*/\1/p'; }
small=$(peak "$TMP/small0" "$TMP/small1" "$TMP/small2" "$TMP/small3")
big=$(peak "$TMP/big0" "$TMP/big1" "$TMP/big2" "$TMP/big3")
[ -n "$small" ] && [ -n "$big" ]
[ "$big" -le $((small + 4)) ] || { echo "-m: peak memory grew from $small MB to $big MB"; exit 1; }
