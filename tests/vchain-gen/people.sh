# --people N: exactly N people arrive on their own (their first event has no
# referred_by); people they refer come on top; the run ends by itself.
set -eu
"$BIN/vchain-gen" --seed 11 --people 3000 > "$TMP/g"
organic=$(jq -r 'select(.user_id and .user_id != "brand") | [.user_id, (.referred_by // "")] | @tsv' "$TMP/g" |
	awk -F'\t' '!seen[$1]++ && $2 == ""' | wc -l)
[ "$organic" -eq 3000 ] || { echo "organic people: $organic"; exit 1; }
