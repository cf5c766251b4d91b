# vchain-aggregate --report selling: leads and their growth over the
# previous period, and purchases per visit and per visitor, worked by hand
# (a gap between periods, a year's turn, the hour Berlin's clocks skip),
# then generated data against an independent reckoning in Python
# (selling.py), -j 1 and 3, and --partial/--merge over several shardings.
set -eu
A="$BIN/vchain-aggregate"

ev() { printf '{"ts":"%s","user_id":"%s","type":"%s","campaign":"%s"%s}\n' "$@"; }
{
	# campaign a, 2024-03-30: leads subscribe + signup + an insights lead row of count 3 = 5;
	# visits u1 u1 u2: 3 visits, 2 visitors; u1's order o1 of two lines: 1 purchase, 15
	ev 2024-03-30T08:00:00Z u1 subscribe a ''
	ev 2024-03-30T09:00:00Z u2 signup a ''
	printf '%s\n' '{"ts":"2024-03-30T00:00:00Z","type":"lead","campaign":"a","count":3}'
	ev 2024-03-30T10:00:00Z u1 visit a ''
	ev 2024-03-30T11:00:00Z u1 visit a ''
	ev 2024-03-30T12:00:00Z u2 visit a ''
	ev 2024-03-30T13:00:00Z u1 purchase a ',"order_id":"o1","revenue":10'
	ev 2024-03-30T13:00:00Z u1 purchase a ',"order_id":"o1","revenue":5'
	# a, 2024-03-31: 1 lead (prev 5: growth (1 - 5) / 5 = -0.8); 1 visit; two purchases
	# without order_id: 2 purchases, 2 per visit and per visitor, 20
	ev 2024-03-31T08:00:00Z u3 subscribe a ''
	ev 2024-03-31T09:00:00Z u3 visit a ''
	ev 2024-03-31T10:00:00Z u3 purchase a ',"revenue":12.5'
	ev 2024-03-31T11:00:00Z u3 purchase a ',"revenue":7.50'
	# a, 2024-04-02: 2 leads; 1 April has no row: prev 0, growth null
	ev 2024-04-02T08:00:00Z u4 lead a ''
	ev 2024-04-02T09:00:00Z u5 lead a ''
	# b, 2024-03-31: 1 lead, no row on the 30th: prev 0; a purchase and no visit: per visit null
	ev 2024-03-31T08:00:00Z u6 lead b ''
	ev 2024-03-31T09:00:00Z u6 purchase b ',"order_id":"o6","revenue":9.99'
	# what no metric reads makes no group
	ev 2024-03-31T09:00:00Z u7 like c ''
} > "$TMP/s"
cat > "$TMP/x" <<'EOF'
day,campaign,leads,leads_prev,lead_growth,visits,visitors,purchases,purchases_per_visit,purchases_per_visitor,revenue
2024-03-30,a,5,0,,3,2,1,0.3333333333333333,0.5,15
2024-03-31,a,1,5,-0.8,1,1,2,2,2,20.00
2024-03-31,b,1,0,,0,0,1,,,9.99
2024-04-02,a,2,0,,0,0,0,,,0
EOF
$RUN "$A" --report selling --every day -g campaign --format csv "$TMP/s" > "$TMP/o"
diff "$TMP/x" "$TMP/o"
# no --every: one group, no previous period
$RUN "$A" --report selling --format csv "$TMP/s" | sed -n 2p | grep -qx '9,,,4,3,4,1,1.3333333333333333,44.99'
# months across the year's turn: December 4 leads, January 6: growth 0.5
{
	for i in 1 2 3 4; do ev "2023-12-1${i}T00:00:00Z" "d$i" lead a ''; done
	for i in 1 2 3 4 5 6; do ev "2024-01-0${i}T00:00:00Z" "j$i" lead a ''; done
} > "$TMP/m"
$RUN "$A" --report selling --every month --format csv "$TMP/m" | cut -d, -f1-4 | tr '\n' ' ' |
	grep -qx 'month,leads,leads_prev,lead_growth 2023-12,4,0, 2024-01,6,4,0.5 '
# hours where Berlin's clocks skip 02:00-03:00 (01:00Z on 31 March): 00:30Z is
# 01:30+01:00 and 01:30Z is 03:30+02:00, one real hour apart, so the 03:00
# bucket's previous period is the 01:00 one: 1 lead then 2, growth 1
{
	ev 2024-03-31T00:30:00Z h1 lead a ''
	ev 2024-03-31T01:30:00Z h2 lead a ''
	ev 2024-03-31T01:40:00Z h3 lead a ''
} > "$TMP/h"
$RUN "$A" --report selling --every hour --tz Europe/Berlin --format csv "$TMP/h" | cut -d, -f1-4 | tr '\n' ' ' |
	grep -qx 'hour,leads,leads_prev,lead_growth 2024-03-31T01:00:00+01:00,1,0, 2024-03-31T03:00:00+02:00,2,1,1 '

# ---- generated data: the independent reckoning ----
"$BIN/vchain-gen" --seed 5 --people 6000 > "$TMP/ev"
for opts in "" "--every week" "--every day -g campaign" "--every month -g platform" \
	"--every hour --tz Europe/Berlin" "--every day --tz America/New_York -g campaign"; do
	# shellcheck disable=SC2086
	$RUN "$A" --report selling $opts "$TMP/ev" > "$TMP/o"
	# shellcheck disable=SC2086
	python3 selling.py "$TMP/ev" "$TMP/o" $opts
done
$RUN "$A" --report selling --every day -g campaign -j 1 "$TMP/ev" > "$TMP/one"
$RUN "$A" --report selling --every day -g campaign -j 3 "$TMP/ev" | cmp - "$TMP/one"

# ---- --partial per shard, --merge: one pass's bytes ----
. ./shards.inc
for opts in "--every day -g campaign" "--every hour --tz Europe/Berlin"; do
	# shellcheck disable=SC2086
	$RUN "$A" --report selling $opts "$TMP/ev" > "$TMP/one"
	merges_equal "$TMP/one" "$TMP/ev" "--report selling $opts" "" 2 3 7
done
