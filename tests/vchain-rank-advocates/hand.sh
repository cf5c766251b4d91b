# Every rule on hand.in, a story small enough to work out by hand (the
# expected scores are computed here with awk from the documented formula,
# not taken from an earlier run):
#   alice  reviews before she buys (not advocacy: she was no customer yet),
#          buys, shares on instagram with 999 followers 90 days before the
#          last event (half the weight), reviews 5 on the last day, refers
#          carol (who buys 40, refunds 10) and, by a ?ref=alice link, hank
#   carol  refers dave, who buys 20: a two-level chain; alice gets carol only
#   bob    shares but never buys: a fan, ranked only with --include-fans
#   erin   shares (9 followers) and writes a negative mention: a detractor act
#   frank, gina  the same tag at the same time: a tie, broken by user_id
set -eu
R="$BIN/vchain-rank-advocates"
in=hand.in
score() {	# user: the score in the NDJSON on stdin, 4 decimals
	jq -r --arg u "$1" 'select(.user_id == $u) | .score' | awk '{ printf "%.4f\n", $1 }'
}
want() {	# awk expression: its value, 4 decimals
	awk "BEGIN { l10 = log(10); printf \"%.4f\n\", $1 }"
}
check() {	# what got want
	[ "$2" = "$3" ] || { echo "$1: got '$2', want '$3'"; exit 1; }
}
d() { echo "(0.5 ^ ($1 / 90))"; }	# decay of an act $1 days old, half-life 90 days
$RUN "$R" "$in" > "$TMP/rank"
check "order" "$(jq -r .user_id "$TMP/rank" | tr '\n' ' ')" "alice carol erin frank gina "
check "alice" "$(score alice < "$TMP/rank")" "$(want "(3 * $(d 90) + 4 * $(d 0)) * (1 + log(1000) / l10) + 10")"
check "carol" "$(score carol < "$TMP/rank")" "$(want "5 * $(d 30) + 10")"
check "erin" "$(score erin < "$TMP/rank")" "$(want "3 * (1 + log(10) / l10) - 3")"
check "frank" "$(score frank < "$TMP/rank")" "$(want "2 * $(d 90)")"
check "alice's counts" "$(jq -r 'select(.user_id == "alice") | [.shares, .reviews, .referred_people, .referred_customers,
	.referred_revenue, .followers, .tier, .platforms, .last_ts] | @tsv' "$TMP/rank")" \
	"$(printf '1\t1\t1\t1\t30\t999\tnano\tinstagram,other\t2024-04-10T00:00:00Z')"
check "carol's counts" "$(jq -r 'select(.user_id == "carol") | [.referrals, .referred_people, .referred_customers,
	.referred_revenue, (.followers | tostring), (.tier | tostring)] | @tsv' "$TMP/rank")" "$(printf '1\t1\t1\t20\tnull\tnull')"
check "erin's detractor acts" "$(jq -r 'select(.user_id == "erin") | .detractor_acts' "$TMP/rank")" 1
check "-n 2" "$($RUN "$R" -n 2 "$in" | jq -r .rank | tr '\n' ' ')" "1 2 "

# fans: bob ranked, not a customer; alice's review before her purchase counts
$RUN "$R" --include-fans "$in" > "$TMP/fans"
check "fans order" "$(jq -r .user_id "$TMP/fans" | tr '\n' ' ')" "alice carol bob erin frank gina "
check "bob" "$(score bob < "$TMP/fans")" "$(want "3 * $(d 60) * (1 + log(51) / l10)")"
check "bob customer" "$(jq -r 'select(.user_id == "bob") | .customer' "$TMP/fans")" false
check "alice as a fan" "$(score alice < "$TMP/fans")" "$(want "(4 * $(d 112) + 3 * $(d 90) + 4 * $(d 0)) * 4 + 10")"

# the ref query value of hank's visit names alice
check "--ref-field" "$($RUN "$R" --ref-field ref "$in" | jq -r 'select(.user_id == "alice") | [.referred_people, .referred_customers] | @tsv')" \
	"$(printf '2\t1')"

# --as-of: ages from then, and later events left out (carol's referral of dave on 03-12, dave's purchase)
$RUN "$R" --as-of 2024-03-11T00:00:00Z "$in" > "$TMP/asof"
check "as-of alice" "$(score alice < "$TMP/asof")" "$(want "3 * $(d 60) * 4 + 10")"
check "as-of carol" "$(score carol < "$TMP/asof")" "$(want "5")"

# --half-life and --weights
check "--half-life 30d" "$($RUN "$R" --half-life 30d "$in" | score carol)" "$(want "5 * 0.5 + 10")"
check "--weights" "$($RUN "$R" --weights share=0,review=1,referred_customer=1 "$in" | score alice)" \
	"$(want "(1 * $(d 0)) * 4 + 1")"
check "--weights detractor" "$($RUN "$R" --weights detractor=0.5 "$in" | score erin)" "$(want "6 - 0.5")"

# -g platform: a ranking per platform, each with its own acts
$RUN "$R" -g platform "$in" > "$TMP/g"
check "-g rows" "$(jq -r '[.platform, .rank, .user_id] | @tsv' "$TMP/g" | tr '\t\n' ': ')" \
	"email:1:carol google:1:alice instagram:1:alice tiktok:1:erin web:1:alice x:1:frank x:2:gina x:3:erin "
check "-g instagram" "$(jq -c 'select(.platform == "instagram")' "$TMP/g" | score alice)" "$(want "3 * $(d 90) * 4")"

# the summary: 6 customers (alice carol dave erin frank gina), 5 advocates (not dave),
# carol and dave referred by customers, both bought: 30 + 20
check "--summary" "$($RUN "$R" --summary "$in" | jq -r '[.customers, .advocates, .referred_people, .referred_customers,
	.referred_revenue, (.advocate_share * 6), (.k_factor * 6), (.referred_per_advocate * 5), .referred_conversion] | @tsv')" \
	"$(printf '6\t5\t2\t2\t50\t5\t2\t2\t1')"
# table and CSV
$RUN "$R" --format csv -n 1 "$in" > "$TMP/csv"
check "csv" "$(cat "$TMP/csv")" "$(printf 'rank,user_id,score,shares,mentions,tags,reviews,referrals,detractor_acts,referred_people,referred_customers,referred_revenue,followers,tier,platforms,last_ts\n1,alice,32.0000,1,0,0,1,0,0,1,1,30,999,nano,"instagram,other",2024-04-10T00:00:00Z')"
$RUN "$R" --format table -n 1 "$in" | grep -q '^   1  alice    32.00 '

# --rejects: the act without ts set aside byte for byte, the rest ranked
cp bad-ts.in "$TMP/bad"
$RUN "$R" --rejects "$TMP/rej" "$TMP/bad" > "$TMP/out" 2> "$TMP/err"
cmp "$TMP/rej" - <<'X'
{"user_id":"a","type":"share"}
X
grep -q '1 bad record' "$TMP/err" || grep -q 'set aside' "$TMP/err" || { cat "$TMP/err"; exit 1; }
