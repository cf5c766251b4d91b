# Lines ending in CRLF (every third line here) are written with '\n' alone,
# in the kept output and in --dupes alike, and the lines between them come
# through byte for byte: the same as awk's dedupe of the input without the
# '\r's, at every thread count.
set -eu
"$BIN/vchain-gen" --seed 5 --events 40000 > "$TMP/in"
awk 'NR % 3 == 0 { printf "%s\r\n", $0; next } { print }' "$TMP/in" > "$TMP/crlf"
[ "$(grep -c "$(printf '\r')\$" "$TMP/crlf")" -gt 10000 ]
awk '!seen[$0]++' "$TMP/in" > "$TMP/kept"
awk 'seen[$0]++' "$TMP/in" > "$TMP/dropped"
for j in 1 2 3; do
	$RUN "$BIN/vchain-dedupe" -j $j --dupes "$TMP/d$j" "$TMP/crlf" > "$TMP/k$j"
	cmp "$TMP/k$j" "$TMP/kept"
	cmp "$TMP/d$j" "$TMP/dropped"
done
