# The sample has the shape the brief asks for, counted with jq: most people
# stop at awareness, purchases are rare, ~1-2% duplicate event ids, insights
# rows with count > 1, refunds, brand responses within 12 h for most
# complaints and past 24 h for some, and referred people.
set -eu
case $BIN in */san) echo "skipped: run once, in the plain build (jq counts the sample's shape; vchain-gen runs under the sanitizers in its other tests)"; exit 77 ;; esac
"$BIN/vchain-gen" --seed 3 --events 200000 > "$TMP/g"
total=$(wc -l < "$TMP/g")
dups=$(jq -r .event_id "$TMP/g" | sort | uniq -d | wc -l)
[ $((dups * 1000 / total)) -ge 10 ] && [ $((dups * 1000 / total)) -le 20 ] || { echo "duplicates $dups of $total"; exit 1; }
people=$(jq -r 'select(.user_id and .user_id != "brand") | .user_id' "$TMP/g" | sort -u | wc -l)
buyers=$(jq -r 'select(.type == "purchase") | .user_id' "$TMP/g" | sort -u | wc -l)
aware_only=$(jq -r 'select(.user_id and .user_id != "brand") | [.user_id, .type] | @tsv' "$TMP/g" |
	awk -F'\t' '{ t[$1] = t[$1] " " $2 } END { for (u in t) if (t[u] ~ /^( (impression|view))+$/) n++; print n }')
echo "people $people, buyers $buyers, awareness only $aware_only"
[ "$buyers" -gt 0 ] || { echo "no buyers"; exit 1; }
[ $((buyers * 100)) -lt "$people" ] || { echo "1% or more buy"; exit 1; }
[ $((aware_only * 2)) -gt "$people" ] || { echo "most do not stop at awareness"; exit 1; }
[ "$(jq -c 'select(.count > 1 and .user_id == null)' "$TMP/g" | wc -l)" -gt 100 ]
[ "$(jq -c 'select(.type == "refund" and .order_id and .revenue > 0)' "$TMP/g" | wc -l)" -gt 0 ]
[ "$(jq -c 'select(.referred_by)' "$TMP/g" | wc -l)" -gt 0 ]
[ "$(jq -c 'select(.type == "review" and .rating >= 1)' "$TMP/g" | wc -l)" -gt 0 ]
# response delays: join responses to the complaints they answer
jq -r 'select(.type == "complaint" or .type == "dm" or (.type == "mention" and .sentiment < 0)) | [.event_id, .ts] | @tsv' "$TMP/g" | sort -u > "$TMP/in"
jq -r 'select(.type == "response") | [.reply_to, .ts] | @tsv' "$TMP/g" | sort -u > "$TMP/resp"
join -t "$(printf '\t')" "$TMP/in" "$TMP/resp" | while IFS="$(printf '\t')" read -r id a b; do
	echo $(( ($(date -u -d "$b" +%s) - $(date -u -d "$a" +%s)) / 3600 ))
done > "$TMP/hours"
n=$(wc -l < "$TMP/hours"); in12=$(awk '$1 < 12' "$TMP/hours" | wc -l); over24=$(awk '$1 >= 24' "$TMP/hours" | wc -l)
inbound=$(wc -l < "$TMP/in")
echo "inbound $inbound, answered $n, within 12 h $in12, past 24 h $over24"
[ $((in12 * 2)) -gt "$n" ] || { echo "most answers are not within 12 h"; exit 1; }
[ "$over24" -gt 0 ] || { echo "no answer past 24 h"; exit 1; }
[ "$n" -lt "$inbound" ] || { echo "every message answered"; exit 1; }
