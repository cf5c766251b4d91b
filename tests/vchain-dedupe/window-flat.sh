# With --window on time-ordered input the table is swept: a short window
# still drops every repeat (vchain-gen repeats come at once), and memory
# does not grow with the input (peak RSS of 4x the input within 1.5x).
set -eu
[ -x /usr/bin/time ] || { echo "skipped: /usr/bin/time not installed"; exit 77; }
[ -z "$RUN" ] || { echo "skipped: RSS under valgrind means nothing"; exit 77; }
"$BIN/vchain-gen" --seed 4 --events 100000 > "$TMP/small"
"$BIN/vchain-gen" --seed 4 --events 400000 > "$TMP/big"
awk '!seen[$0]++' "$TMP/big" > "$TMP/awk"
/usr/bin/time -f %M -o "$TMP/rss-small" "$BIN/vchain-dedupe" --window 1h "$TMP/small" > /dev/null
/usr/bin/time -f %M -o "$TMP/rss-big" "$BIN/vchain-dedupe" --window 1h "$TMP/big" > "$TMP/out"
cmp "$TMP/out" "$TMP/awk"
s=$(tail -n 1 "$TMP/rss-small"); b=$(tail -n 1 "$TMP/rss-big")
echo "peak RSS: 100k events $s KB, 400k events $b KB"
[ $((b * 2)) -le $((s * 3)) ]
