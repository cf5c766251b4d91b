# vchain-gen writes canonical events: vchain-parse leaves them byte-for-byte
# unchanged (its normalisation is the identity on canonical input), and the
# CSV form holds the same events as the NDJSON form (checked with jq).
set -eu
"$BIN/vchain-gen" --seed 9 --events 50000 > "$TMP/gen.ndjson"
$RUN "$BIN/vchain-parse" "$TMP/gen.ndjson" | cmp - "$TMP/gen.ndjson"
"$BIN/vchain-gen" --seed 9 --events 50000 --format csv > "$TMP/gen.csv"
head -n 1 "$TMP/gen.csv" | tr ',' '\n' > "$TMP/cols"
jq -r --rawfile cols "$TMP/cols" '
	. as $e | ($cols | split("\n") | map(select(length > 0))) as $c
	| [$c[] | $e[.] | if . == null then "" else tostring end] | join(",")' "$TMP/gen.ndjson" > "$TMP/from-json.csv"
tail -n +2 "$TMP/gen.csv" > "$TMP/rows.csv"
# jq prints numbers its own way (12.50 -> 12.5): compare with revenue normalised on both sides
norm() { awk -F, 'BEGIN { OFS = "," } { if ($12 != "") $12 = sprintf("%.2f", $12); print }' "$1"; }
norm "$TMP/rows.csv" > "$TMP/a"; norm "$TMP/from-json.csv" > "$TMP/b"
cmp "$TMP/a" "$TMP/b"
