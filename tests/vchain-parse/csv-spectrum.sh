# Every csv-spectrum case (../shared/data/csv-spectrum), read with --raw,
# gives the JSON its authors wrote down, compared after jq -S. Upstream's
# location_coordinates.json is one object, not an array, and has a phone
# number the CSV does not (1234567890 for 2095257564): that case is
# compared field by field, the phone number from the CSV itself.
set -u
dir="$DATA/csv-spectrum"
[ -d "$dir/csvs" ] || { echo "skipped: $dir not found"; exit 77; }
fails=0 n=0
for f in "$dir"/csvs/*.csv; do
	b=$(basename "$f" .csv)
	n=$((n + 1))
	if ! $RUN "$BIN/vchain-parse" --raw "$f" > "$TMP/out" 2> "$TMP/err"; then
		echo "FAIL $b: exit status"; cat "$TMP/err"; fails=$((fails + 1)); continue
	fi
	if [ "$b" = location_coordinates ]; then
		jq -S '.["Contact Phone Number"] = "2095257564"' "$dir/json/$b.json" > "$TMP/want"
		jq -S . "$TMP/out" > "$TMP/got"
	else
		jq -S . "$dir/json/$b.json" > "$TMP/want"
		jq -S -s . "$TMP/out" > "$TMP/got"
	fi
	if ! cmp -s "$TMP/want" "$TMP/got"; then
		echo "FAIL $b"; diff "$TMP/want" "$TMP/got" | head -10; fails=$((fails + 1))
	fi
done
echo "$n csv-spectrum cases, $fails failures"
[ $fails -eq 0 ] && [ $n -ge 12 ]
