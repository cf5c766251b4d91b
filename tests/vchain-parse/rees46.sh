# REES46's clickstream (../shared/data/ecommerce-clickstream/rees46) reads
# end to end with two generic options: "... UTC" timestamps, cart mapped to
# a type (--map-value), the platform set (--set); price is revenue on
# purchases only. SOURCE.md's facts: 1,000 rows = 987 view, 3 cart, 10
# purchase; 330 users; the purchases sum to 2387.84 by 9 buyers; the 19-digit
# category_id kept whole; 2019-10-01 00:00:00 .. 00:17:26 UTC.
set -eu
f="$DATA/ecommerce-clickstream/rees46/2019-Oct-first1000.csv"
[ -f "$f" ] || { echo "$f not found"; exit 77; }
$RUN "$BIN/vchain-parse" --stats --map-value type:cart=click --set platform=web "$f" > "$TMP/ev" 2> "$TMP/err"
grep -q 'read 1000, written 1000, rejected 0' "$TMP/err" || { cat "$TMP/err"; exit 1; }
[ "$(jq -r .type "$TMP/ev" | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" = "click=3 purchase=10 view=987 " ]
[ "$(jq -r .user_id "$TMP/ev" | sort -u | wc -l)" -eq 330 ]
[ "$(jq -r .platform "$TMP/ev" | sort -u)" = web ]
"$BIN/vchain-aggregate" -g type -a sum:revenue,distinct:user_id "$TMP/ev" |
	jq -e -s 'map(select(.type == "purchase"))[0] | .revenue_sum == 2387.84 and .user_id_distinct == 9' > /dev/null
# no revenue on a view or a cart: the price stays price
[ "$(jq -c 'select(.type != "purchase" and has("revenue"))' "$TMP/ev" | wc -l)" -eq 0 ]
[ "$(jq -c 'select(.type == "view" and has("price"))' "$TMP/ev" | wc -l)" -eq 987 ]
# category_id exceeds 2^53: carried as the text it was
grep -q '"category_id":"2103807459595387724"' "$TMP/ev"
[ "$(jq -r .ts "$TMP/ev" | sort | sed -n '1p;$p' | tr '\n' ' ')" = "2019-10-01T00:00:00Z 2019-10-01T00:17:26Z " ]
