# vchain-aggregate against independent reckonings:
# - basic.{in,args,out} is worked by hand: x has count 1+1+3+1 = 6 over 4
#   rows, revenue 10.50 + "2.25" + 0.10 = 12.85 (min 0.10, max 10.50 as
#   written, p50 = 2.25, the middle of three); instagram's 1e1 sums to 10;
#   the record without platform is the null group, its null revenue counts
#   for nothing (sum 0, mean null). The stddev is python3's statistics.stdev.
# - time buckets worked by hand (2024-03-10 is a Sunday: ISO week of 03-04);
# - on 200,000 generated events, count by (platform, type) and distinct users
#   by platform equal jq's group_by; revenue by campaign equals Python's
#   decimal sum, digit for digit;
# - one million 0.1s sum to exactly 100000.0 (a double gives 100000.00000133288);
# - csv, tsv and table output; bad records named, or set aside and counted;
# - the same output for 1, 2 and 4 threads.
set -eu
A="$BIN/vchain-aggregate"
$RUN "$A" --every day -a rows basic.in | tr -d '\n' | grep -qx \
	'{"day":"2024-03-04","rows":3}{"day":"2024-03-05","rows":1}{"day":"2024-03-10","rows":1}{"day":"2024-03-11","rows":1}{"day":"2024-04-01","rows":1}'
$RUN "$A" --every week -a rows basic.in | tr -d '\n' | grep -qx \
	'{"week":"2024-03-04","rows":5}{"week":"2024-03-11","rows":1}{"week":"2024-04-01","rows":1}'
$RUN "$A" --every month -g type -a rows basic.in | tr -d '\n' | grep -qx \
	'{"month":"2024-03","type":"like","rows":1}{"month":"2024-03","type":"purchase","rows":4}{"month":"2024-03","type":"view","rows":1}{"month":"2024-04","type":"view","rows":1}'
$RUN "$A" --every hour -g platform -a sum:revenue basic.in | head -2 | tr -d '\n' | grep -qx \
	'{"hour":"2024-03-04T10:00:00Z","platform":"x","revenue_sum":10.50}{"hour":"2024-03-04T11:00:00Z","platform":"x","revenue_sum":2.25}'
# output formats
$RUN "$A" -g platform -a rows,sum:revenue --format csv basic.in | tr '\n' '|' | grep -qx 'platform,rows,revenue_sum|,1,0|instagram,2,10|x,4,12.85|'
$RUN "$A" -g platform -a rows --format tsv basic.in | tr '\n' '|' | grep -qx "$(printf 'platform\trows|\t1|instagram\t2|x\t4|')"
$RUN "$A" -g platform -a rows --format table basic.in > "$TMP/table"
printf 'platform   rows\n-             1\ninstagram     2\nx             4\n' | cmp - "$TMP/table"	# more in table.sh

# a field found whatever the members' order, an escaped key, a repeated key
# (the last one counts, as in jq), a field past the 16th member, and keys
# that change places, some of the same length: the sums by platform equal jq's
{
	printf '%s\n' '{"platform":"x","type":"like","revenue":1}' '{"type":"like","platform":"x","revenue":2}' \
		'{"plat\u0066orm":"facebook","type":"like","revenue":3}' \
		'{"platform":"x","platform":"instagram","type":"like","revenue":4}' \
		'{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"platform":"tiktok","type":"view","revenue":5}' \
		'{"platformx":"x","type":"like","revenue":7}' '{"":"x","platform":"email","type":"like","revenue":8}'
	i=0
	while [ $i -lt 50 ]; do
		printf '{"platform":"web","revenue":%d}\n{"revenue":%d,"platform":"x"}\n' $i $i
		printf '{"platform":"web","campaign":"c","revenue":1}\n{"campaign":"web","platform":"x","revenue":1}\n' 
		i=$((i + 1))
	done
} > "$TMP/shapes"
$RUN "$A" -g platform -a sum:revenue,rows "$TMP/shapes" > "$TMP/shapes.out"
jq -s -c 'group_by(.platform)[] | {platform: .[0].platform, revenue_sum: (map(.revenue) | add), rows: length}' \
	"$TMP/shapes" | cmp - "$TMP/shapes.out"

# against jq on generated data
"$BIN/vchain-gen" --seed 4 --events 200000 > "$TMP/ev"
$RUN "$A" -g platform,type "$TMP/ev" > "$TMP/count"
jq -s -c 'group_by([.platform, .type])[] | {platform: .[0].platform, type: .[0].type,
	count: (map(.count // 1) | add)}' "$TMP/ev" | cmp - "$TMP/count"
$RUN "$A" -g platform -a distinct:user_id "$TMP/ev" > "$TMP/distinct"
jq -s -c 'group_by(.platform)[] | {platform: .[0].platform, user_id_distinct: (map(.user_id // empty) | unique | length)}' \
	"$TMP/ev" | cmp - "$TMP/distinct"
# approx_distinct within 5% (its standard error is 1.6%)
$RUN "$A" -g platform -a distinct:user_id,approx_distinct:user_id "$TMP/ev" |
	jq -e -s 'all(.[]; (.user_id_approx_distinct - .user_id_distinct | fabs) <= 0.05 * .user_id_distinct + 2)' > /dev/null
# exact money, against Python's decimal module
$RUN "$A" -g campaign -a sum:revenue,rows "$TMP/ev" | jq -r 'select(.revenue_sum != 0) | .campaign' > "$TMP/c"
$RUN "$A" -g campaign -a sum:revenue "$TMP/ev" | sed -n 's/.*"campaign":"\([^"]*\)","revenue_sum":\([-0-9.]*\)}$/\1 \2/p' |
	grep -v ' 0$' > "$TMP/sums"
/usr/bin/python3 - "$TMP/ev" > "$TMP/py" <<'PY'
import json, sys
from decimal import Decimal
s = {}
for line in open(sys.argv[1]):
    e = json.loads(line, parse_float=Decimal)
    if e.get("revenue") is not None:
        s[e.get("campaign")] = s.get(e.get("campaign"), Decimal(0)) + Decimal(e["revenue"])
for k in sorted(s):
    print(k, s[k])
PY
cmp "$TMP/py" "$TMP/sums"
[ "$(wc -l < "$TMP/sums")" -ge 10 ]
awk 'BEGIN { for (i = 0; i < 1000000; i++) print "{\"revenue\":0.1}" }' > "$TMP/tenths"
$RUN "$A" -a sum:revenue,mean:revenue "$TMP/tenths" | grep -qx '{"revenue_sum":100000.0,"revenue_mean":0.1}'

# bad records
printf '{"revenue":1}\n{"revenue":"abc"}\nnot json\n{"revenue":2}\n' > "$TMP/bad"
if $RUN "$A" -a sum:revenue "$TMP/bad" > "$TMP/o" 2> "$TMP/e"; then exit 1; fi
grep -qx "vchain-aggregate: $TMP/bad:2: revenue: not a number: abc" "$TMP/e"
[ ! -s "$TMP/o" ]
$RUN "$A" --stats --rejects "$TMP/rej" -a sum:revenue "$TMP/bad" > "$TMP/o" 2> "$TMP/e"
grep -qx '{"revenue_sum":3}' "$TMP/o"
printf '{"revenue":"abc"}\nnot json\n' | cmp - "$TMP/rej"
grep -q "read 4, rejected 2, groups 1" "$TMP/e"
if "$A" -a sum "$TMP/bad" 2> "$TMP/e"; then exit 1; fi
grep -q "'sum' needs a field" "$TMP/e"

# threads do not change the result
for j in 1 2 4; do
	$RUN "$A" -j $j -g platform,campaign -a count,sum:revenue,p90:revenue,first:ts,last:ts "$TMP/ev" > "$TMP/j$j"
done
cmp "$TMP/j1" "$TMP/j2"
cmp "$TMP/j1" "$TMP/j4"

# CSV input (vchain-gen writes the same events as CSV): the same numbers as from NDJSON
"$BIN/vchain-gen" --seed 4 --events 200000 --format csv > "$TMP/ev.csv"
acc=count,rows,sum:revenue,mean:revenue,stddev:revenue,distinct:user_id,p90:revenue
$RUN "$A" -g platform,campaign -a $acc "$TMP/ev" > "$TMP/nd"
$RUN "$A" -g platform,campaign -a $acc "$TMP/ev.csv" | cmp "$TMP/nd" -
$RUN "$A" -j 3 --every day -g type -a $acc "$TMP/ev" > "$TMP/nd2"
gzip -c "$TMP/ev.csv" > "$TMP/ev.csv.gz"
$RUN "$A" -j 3 --every day -g type -a $acc "$TMP/ev.csv.gz" | cmp "$TMP/nd2" -
tr ',' '\t' < "$TMP/ev.csv" > "$TMP/ev.tsv"
$RUN "$A" --from tsv --every day -g type -a $acc < "$TMP/ev.tsv" | cmp "$TMP/nd2" -
# a CSV row with the wrong number of fields is a bad record, named
printf 'platform,revenue\nx,1\ny\n' > "$TMP/bad.csv"
if $RUN "$A" -g platform "$TMP/bad.csv" > /dev/null 2> "$TMP/e"; then exit 1; fi
grep -q "bad.csv:3: 1 field, the header has 2" "$TMP/e"	# one message with vchain-parse (source.c)
# blank CSV lines are no records, and --stats counts them: read = aggregated + rejected + blank
printf 'platform\nx\n\ny\n\n' | $RUN "$A" --from csv --stats -g platform -a rows 2> "$TMP/e" | tr -d '\n' |
	grep -qx '{"platform":"x","rows":1}{"platform":"y","rows":1}'
grep -qx 'vchain-aggregate: read 4, rejected 0, blank lines 2, groups 2, 0 MB of state' "$TMP/e"
