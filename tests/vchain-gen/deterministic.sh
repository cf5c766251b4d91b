# The same options give the same bytes; another seed gives other bytes;
# --events N gives exactly N records in every format.
set -eu
G="$BIN/vchain-gen"
$RUN "$G" --seed 42 --events 20000 > "$TMP/a"
"$G" --seed 42 --events 20000 > "$TMP/b"
cmp "$TMP/a" "$TMP/b"
"$G" --seed 43 --events 20000 > "$TMP/c"
if cmp -s "$TMP/a" "$TMP/c"; then echo "seeds 42 and 43 gave the same bytes"; exit 1; fi
[ "$(wc -l < "$TMP/a")" -eq 20000 ]
[ "$("$G" -n 777 -F csv | wc -l)" -eq 778 ]	# with the header
[ "$("$G" -n 777 -F access | wc -l)" -eq 777 ]
# a longer run is the shorter one continued
"$G" --seed 42 --events 30000 | head -n 20000 | cmp - "$TMP/a"
