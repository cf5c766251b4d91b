# With -j N, vchain-aggregate cuts order-free states (counts, exact sums,
# distinct sets, percentiles, sketches, a funnel's people, the roi and
# selling reports' orders and customers) into parts by a
# field's hash, each taken by one thread at a time, and joins them at the
# end. The results and the --partial results are the same bytes for every
# -j, and the distinct counts are what jq and sort -u count.
set -eu
A="$BIN/vchain-aggregate"
"$BIN/vchain-gen" --seed 21 --events 120000 > "$TMP/ev"
acc=count,sum:revenue,distinct:user_id,distinct:post_id,approx_distinct:user_id,p50:revenue,p90:revenue,stddev:revenue
. "$TOP/tests/vchain-aggregate/parts.inc"
for args in "-a distinct:user_id" "-g platform -a $acc" "--every day -g type -a $acc" "--report roi -g campaign" \
	"--report roi --every week" "--report selling --every day -g platform"; do
	same "$TMP/ev" "$args"
done
# many groups (81,000 people): their table's slots and rows loaded ahead
# (from 16384 groups in a part); the parts' tables joined on every thread,
# each range of hashes from every part
for args in "-g user_id -a $acc" "-g post_id,user_id --every day -a count,rows,distinct:campaign,p90:revenue"; do
	same "$TMP/ev" "$args"
done
# records per person, counted apart (no user_id: null, first in the order)
jq -r '.user_id // ""' "$TMP/ev" | sort | uniq -c | awk '{ print $2 "\t" $1 }' > "$TMP/by-user"
$RUN "$A" -j 1 -g user_id -a rows --format tsv "$TMP/ev" | sed 1d | cmp - "$TMP/by-user"
# and so as NDJSON and CSV (rows that many made on every thread, written in order)
$RUN "$A" -j 3 -g user_id -a rows "$TMP/ev" | jq -r '[.user_id // "", .rows] | @tsv' | cmp - "$TMP/by-user"
$RUN "$A" -j 2 -g user_id -a rows --format csv "$TMP/ev" | sed 1d | tr , '\t' | cmp - "$TMP/by-user"
# the funnel's people, joined from the parts without a copy (a segment a
# part): the same report, and the same partial results, as one thread's
"$BIN/vchain-stage" "$TMP/ev" > "$TMP/st"
for args in "--report funnel" "--report funnel -g platform --exclude refund@7" "--report funnel --every week"; do
	same "$TMP/st" "$args"
done
# distinct people, all and by platform, counted apart
n=$(jq -r 'select(.user_id != null) | .user_id' "$TMP/ev" | sort -u | wc -l)
[ "$($RUN "$A" -j 3 -a distinct:user_id --format tsv "$TMP/ev" | sed 1d)" -eq "$n" ] ||
	{ echo "distinct users: not $n"; exit 1; }
jq -r 'select(.user_id != null) | [.platform, .user_id] | @tsv' "$TMP/ev" | sort -u | cut -f1 | uniq -c |
	awk '{ print $2 "\t" $1 }' > "$TMP/by-platform"
$RUN "$A" -j 7 -g platform -a distinct:user_id --format tsv "$TMP/ev" | sed 1d | awk -F'\t' '$2 > 0' |
	cmp - "$TMP/by-platform"
