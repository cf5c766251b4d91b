# vchain-aggregate --report rfm: ten customers worked by hand (ties at the
# quintile edges, an order of two lines, orders without order_id, a refund
# larger than the order, the as-of date from the latest record or --as-of,
# a zone whose date differs from UTC's), the errors it names, then
# generated data against an independent reckoning in Python (rfm.py), the
# same at -j 1 and 3, and --partial/--merge over several shardings.
set -eu
A="$BIN/vchain-aggregate"
SEG="$TOP/schemas/rfm-segments.tsv"

# ---- by hand (rfm-hand.ndjson, shuffled) ----
# As of 2024-03-31 (the latest record: p1's visit at 20:00Z). Recency days:
# c0 0, c1 0, c2 1, c3 c4 c5 5, c6 10, c7 c8 30, c9 60. A score is
# 1 + floor(5 * w / 10), w the customers strictly worse (older):
# c0 c1 w 8: 5; c2 w 7: 4; c3-c5 w 4: 3; c6 w 3: 2; c7 c8 w 1: 1; c9 w 0: 1.
# Frequency: c1 3 orders, c2 1 (two lines of order o2), c3 2 (no order_id),
# c6 4, c8 2, the rest 1: six 1s (w 0: 1), c3 c8 (w 6: 4), c1 (w 8: 5), c6 (w 9: 5).
# Monetary: c4 5 - 10 = -5 (w 0: 1), c7 0.99 (w 1: 1), c0 10 and c2 10.0
# (a tie whatever the decimals; w 2: 2), c3 25.5 and c8 25.50 (w 4: 3),
# c1 30.0 (w 6: 4), c6 40 (w 7: 4), c5 100 (w 8: 5), c9 1000 (w 9: 5).
# Segments by (r, f) from schemas/rfm-segments.tsv. p1 (no purchase), the
# purchase without user_id and the insights row are no customers.
cat > "$TMP/x" <<'EOF'
user_id,last_purchase,recency_days,frequency,monetary,r,f,m,rfm,segment,as_of,currency
c0,2024-03-31T16:30:00Z,0,1,10,5,1,2,512,New Customers,2024-03-31,EUR
c1,2024-03-31T12:00:00Z,0,3,30.0,5,5,4,554,Champions,2024-03-31,EUR
c2,2024-03-30T12:00:00Z,1,1,10.0,4,1,2,412,Promising,2024-03-31,EUR
c3,2024-03-26T12:00:00Z,5,2,25.5,3,4,3,343,Loyal Customers,2024-03-31,EUR
c4,2024-03-26T12:00:00Z,5,1,-5,3,1,1,311,About To Sleep,2024-03-31,EUR
c5,2024-03-26T12:00:00Z,5,1,100,3,1,5,315,About To Sleep,2024-03-31,EUR
c6,2024-03-21T12:00:00Z,10,4,40,2,5,4,254,Can't Lose Them,2024-03-31,EUR
c7,2024-03-01T12:00:00Z,30,1,0.99,1,1,1,111,Hibernating,2024-03-31,EUR
c8,2024-03-01T12:00:00Z,30,2,25.5,1,4,3,143,At Risk,2024-03-31,EUR
c9,2024-01-31T12:00:00Z,60,1,1000,1,1,5,115,Hibernating,2024-03-31,EUR
EOF
$RUN "$A" --report rfm --format csv rfm-hand.ndjson > "$TMP/o"
diff "$TMP/x" "$TMP/o"
# In Tokyo (UTC+9) p1's visit is on 1 April, and so is c0's purchase
# (16:30Z is 01:30 there); the others' noons are 21:00 the same day: recency
# c0 0, c1 1, c2 2, c3-c5 6, c6 11, c7 c8 31, c9 61. c0 and c1 no longer tie,
# but each keeps its score (c1 still has 8 worse).
$RUN "$A" --report rfm --tz Asia/Tokyo --format csv rfm-hand.ndjson | cut -d, -f1,3,6,11 | tr '\n' ' ' |
	grep -qx 'user_id,recency_days,r,as_of c0,0,5,2024-04-01 c1,1,5,2024-04-01 c2,2,4,2024-04-01 c3,6,3,2024-04-01 c4,6,3,2024-04-01 c5,6,3,2024-04-01 c6,11,2,2024-04-01 c7,31,1,2024-04-01 c8,31,1,2024-04-01 c9,61,1,2024-04-01 '
# --as-of 2024-04-30: every recency 30 days more, the same scores
$RUN "$A" --report rfm --as-of 2024-04-30 --format csv rfm-hand.ndjson | cut -d, -f1,3,6 | tr '\n' ' ' |
	grep -qx 'user_id,recency_days,r c0,30,5 c1,30,5 c2,31,4 c3,35,3 c4,35,3 c5,35,3 c6,40,2 c7,60,1 c8,60,1 c9,90,1 '
# the days change at the zone's midnight, daylight saving included: Berlin
# moves to UTC+2 at 01:00Z on 31 March, so 22:30Z on the 31st is 00:30 on
# 1 April there, while 22:30Z on the 30th is 23:30 on the 30th: two days
# apart in Berlin, one in UTC
printf '%s\n' '{"ts":"2024-03-31T22:30:00Z","user_id":"b1","type":"purchase","revenue":1}' \
	'{"ts":"2024-03-30T22:30:00Z","user_id":"b2","type":"purchase","revenue":1}' > "$TMP/b"
$RUN "$A" --report rfm --tz Europe/Berlin --format csv "$TMP/b" | cut -d, -f1,3,11 | tr '\n' ' ' |
	grep -qx 'user_id,recency_days,as_of b1,0,2024-04-01 b2,2,2024-04-01 '
$RUN "$A" --report rfm --format csv "$TMP/b" | cut -d, -f1,3,11 | tr '\n' ' ' |
	grep -qx 'user_id,recency_days,as_of b1,0,2024-03-31 b2,1,2024-03-31 '

# ---- what it refuses, and says ----
fails() {	# expected message, then the arguments
	want=$1; shift
	if "$A" "$@" > /dev/null 2> "$TMP/e"; then echo "no error: $*"; exit 1; fi
	grep -q -- "$want" "$TMP/e" || { echo "not '$want':"; cat "$TMP/e"; exit 1; }
}
fails "scores the whole input: no --every" --report rfm --every month rfm-hand.ndjson
fails "-g must include it" --report rfm -g platform rfm-hand.ndjson
fails "not a date (YYYY-MM-DD)" --report rfm --as-of 2024-02-30 rfm-hand.ndjson
fails "--as-of goes with --report rfm" --report roi --as-of 2024-02-01 rfm-hand.ndjson
fails "rfm: customer c0 bought after the --as-of date" --report rfm --as-of 2024-03-30 rfm-hand.ndjson
printf '%s\n' '{"ts":"2024-01-01T00:00:00Z","user_id":"m","type":"purchase","revenue":1,"currency":"EUR"}' \
	'{"ts":"2024-01-02T00:00:00Z","user_id":"m","type":"purchase","revenue":1,"currency":"USD"}' > "$TMP/cur"
fails "customer m paid in EUR and USD: give -g user_id,currency" --report rfm "$TMP/cur"
$RUN "$A" --report rfm -g user_id,currency --format csv "$TMP/cur" | cut -d, -f1,2,5 | tr '\n' ' ' |
	grep -qx 'user_id,currency,frequency m,EUR,1 m,USD,1 '
# money beyond 38 digits is an error, never a wrong number
printf '%s\n' '{"ts":"2024-01-01T00:00:00Z","user_id":"big","type":"purchase","revenue":99999999999999999999999999999999999999}' \
	'{"ts":"2024-01-01T00:00:00Z","user_id":"big","type":"refund","revenue":-99999999999999999999999999999999999999}' > "$TMP/big"
fails "rfm: customer big has purchases less refunds beyond 38 digits" --report rfm "$TMP/big"
printf '%s\n' '{"ts":"2024-01-01T00:00:00Z","user_id":"m","type":"visit"}' '{"user_id":"m","type":"purchase","revenue":1}' > "$TMP/nots"
fails "nots:2: ts missing: rfm needs the time of each purchase" --report rfm "$TMP/nots"

# ---- generated data: the independent reckoning ----
"$BIN/vchain-gen" --seed 5 --people 9000 > "$TMP/ev"
$RUN "$A" --report rfm "$TMP/ev" > "$TMP/o1"
python3 rfm.py "$TMP/ev" "$TMP/o1" "$SEG"
$RUN "$A" --report rfm --tz America/Los_Angeles --as-of 2024-06-01 "$TMP/ev" > "$TMP/o2"
python3 rfm.py "$TMP/ev" "$TMP/o2" "$SEG" --tz America/Los_Angeles --as-of 2024-06-01
$RUN "$A" --report rfm -g campaign,user_id "$TMP/ev" > "$TMP/o3"
python3 rfm.py "$TMP/ev" "$TMP/o3" "$SEG" --by campaign
$RUN "$A" --report rfm -j 1 "$TMP/ev" | cmp - "$TMP/o1"
$RUN "$A" --report rfm -j 3 "$TMP/ev" | cmp - "$TMP/o1"

# ---- --partial per shard, --merge: one pass's bytes (--as-of at the merge; --tz with the shards) ----
. ./shards.inc
for opts in "--tz Asia/Tokyo" "-g user_id,currency"; do
	# shellcheck disable=SC2086
	$RUN "$A" --report rfm $opts "$TMP/ev" > "$TMP/one"
	# shellcheck disable=SC2086
	$RUN "$A" --report rfm $opts --as-of 2024-07-01 "$TMP/ev" > "$TMP/one-asof"
	merges_equal "$TMP/one" "$TMP/ev" "--report rfm $opts" "" 2 7
	merges_equal "$TMP/one-asof" "$TMP/ev" "--report rfm $opts" "--as-of 2024-07-01" 7
done
