# --format table is for people: columns padded by display width (café is 4
# columns, 日本語 6), text left and numbers right, two spaces apart; null,
# the empty string and the string "-" look different; a tab or newline in a
# value cannot break a line; ratios are percentages (two decimals, or two
# significant digits below 1 %), factors "x", counts with every digit. The
# expected lines are written by hand from those rules.
set -eu
A="$BIN/vchain-aggregate"
printf '%s\n' '{"platform":"café","n":1}' '{"platform":"日本語","n":2}' '{"platform":"","n":3}' \
	'{"platform":"-","n":4}' '{"n":5}' '{"platform":"a\tb\nc","n":6}' '{"platform":"x","n":123456789012}' > "$TMP/t"
$RUN "$A" -g platform -a rows,sum:n --format table "$TMP/t" > "$TMP/o"
{
	printf 'platform   rows         n_sum\n'
	printf -- '-             1             5\n'
	printf '""            1             3\n'
	printf '"-"           1             4\n'
	printf '"a\\tb\\nc"     1             6\n'
	printf 'café          1             1\n'
	printf 'x             1  123456789012\n'
	printf '日本語        1             2\n'
} > "$TMP/x"
diff "$TMP/x" "$TMP/o"

# money lines up on the point: each plain decimal of a sum column gets the column's most decimals
# (0 as 0.000 beside 1.125), whole sums stay whole; CSV keeps the values as they are
printf '%s\n' '{"g":"a","v":"9.99"}' '{"g":"b","v":0}' '{"g":"c","v":12.5}' '{"g":"d","v":"-3"}' \
	'{"g":"e","v":1.125}' '{"g":"f"}' > "$TMP/m"
$RUN "$A" -g g -a sum:v,rows --format table "$TMP/m" > "$TMP/o"
{
	printf 'g   v_sum  rows\n'
	printf 'a   9.990     1\n'
	printf 'b   0.000     1\n'
	printf 'c  12.500     1\n'
	printf 'd  -3.000     1\n'
	printf 'e   1.125     1\n'
	printf 'f   0.000     1\n'
} | diff - "$TMP/o"
[ "$($RUN "$A" -g g -a sum:v --format csv "$TMP/m" | tr '\n' ' ')" = "g,v_sum a,9.99 b,0 c,12.5 d,-3 e,1.125 f,0 " ]
printf '%s\n' '{"g":"a","v":1}' '{"g":"b","v":20}' | $RUN "$A" -g g -a sum:v --format table | sed -n 3p | grep -qx 'b     20'

# the funnel worked by hand in reports.sh (funnel-hand.ndjson): people at >= k 4 4 2 2 2 2 1
cp funnel-hand.ndjson "$TMP/f"
$RUN "$A" --report funnel --format table "$TMP/f" > "$TMP/o"
{
	printf 'stage  stage_name     users  step_conversion  overall_conversion  drop_off  ttc_p50_hours  ttc_p90_hours\n'
	printf '    1  awareness          4         100.00 %%            100.00 %%         0              -              -\n'
	printf '    3  engagement         2          50.00 %%             50.00 %%         2           0.00           0.00\n'
	printf '    7  advocacy           1          50.00 %%             25.00 %%         1           1.00           1.00\n'
} > "$TMP/x"
sed -n '1p;2p;4p;8p' "$TMP/o" | diff "$TMP/x" -

# a rate of 1 / 16421 = 0.00609 %, x's median 0.045 %: 0.14 times it
printf '%s\n' '{"platform":"x","type":"impression","count":16421}' '{"platform":"x","type":"like","user_id":"u"}' |
	$RUN "$A" --report engagement --format table > "$TMP/o"
{
	printf 'platform  impressions  engagements  followers  engagement_rate  engagement_rate_followers  benchmark  vs_benchmark\n'
	printf 'x               16421            1          -         0.0061 %%                          -    0.045 %%         0.14x\n'
} | diff - "$TMP/o"
# NDJSON keeps full precision
printf '%s\n' '{"platform":"x","type":"impression","count":16421}' '{"platform":"x","type":"like","user_id":"u"}' |
	$RUN "$A" --report engagement | grep -q '"engagement_rate":6.08976310821509e-05,'
