# A referrer with no event that makes her a row (rita buys, and only
# others' visits name her) refers twelve people, who fall in many parts of
# the state at every -j: her row is made at the end from the referred
# people's parts, and their purchases are counted into it. Worked out by
# hand: p2 buys 20.50; p4 buys 30.25 and gets 5 back; p7 refunds only
# (never bought); the others do not buy. So 12 people, 2 customers,
# 45.75, and a score of 2 x 10 (the referred-customer weight). With
# -g platform her web row has p1-p6 (p2, p4: 45.75), her email row p7-p12
# (none bought). p3 also names her on email: one person in both rows.
set -eu
R="$BIN/vchain-rank-advocates"
ev() { printf '{"event_id":"%s","ts":"2024-01-%02dT00:00:00Z","user_id":"%s","platform":"%s","type":"%s"%s}\n' "$@"; }
{
	ev r1 1 rita web purchase ',"revenue":10'
	for k in 1 2 3 4 5 6; do ev v$k $((k + 1)) p$k web visit ',"referred_by":"rita"'; done
	for k in 7 8 9 10 11 12; do ev v$k $((k + 1)) p$k email visit ',"referred_by":"rita"'; done
	ev v13 14 p3 email visit ',"referred_by":"rita"'
	ev b2 15 p2 web purchase ',"revenue":20.50'
	ev b4 16 p4 web purchase ',"revenue":30.25'
	ev f4 17 p4 web refund ',"revenue":5'
	ev f7 18 p7 web refund ',"revenue":3'
} > "$TMP/in"
check() {	# what got want
	[ "$2" = "$3" ] || { echo "$1: got '$2', want '$3'"; exit 1; }
}
for j in 1 2 3 4 7; do
	check "-j $j ranking" "$($RUN "$R" -j $j "$TMP/in" | jq -c '[.user_id, .score, .referred_people,
		.referred_customers, .referred_revenue, .shares]')" '["rita",20,12,2,45.75,0]'
	check "-j $j summary" "$($RUN "$R" -j $j --summary "$TMP/in" | jq -c '[.customers, .advocates,
		.referred_people, .referred_customers, .referred_revenue]')" '[3,0,12,2,45.75]'
	check "-j $j -g platform" "$($RUN "$R" -j $j -g platform "$TMP/in" | jq -c '[.platform, .user_id,
		.referred_people, .referred_customers, .referred_revenue]' | tr '\n' ' ')" \
		'["email","rita",7,0,0] ["web","rita",6,2,45.75] '
	# the partial results hold her row once, made from the stubs, and merge into the same ranking
	$RUN "$R" -j $j --partial "$TMP/in" > "$TMP/part"
	check "-j $j partial rows" "$(grep -c '"id":"rita"' "$TMP/part")" 1
	check "-j $j partial links" "$(grep -c '^{"l":' "$TMP/part")" 12	# p3's two visits: one link
	check "-j $j merged" "$($RUN "$R" --merge "$TMP/part" | jq -c '[.user_id, .referred_people,
		.referred_customers, .referred_revenue]')" '["rita",12,2,45.75]'
done
