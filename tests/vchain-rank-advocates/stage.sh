# One advocacy rule: the acts vchain-rank-advocates counts for each person
# are exactly the events vchain-stage places in stage 7 (advocacy), on
# events where the rule's every branch occurs (positive and negative
# mentions, reviews of every rating, shares, tags, referrals, by customers
# and by people who have not bought).
set -eu
"$BIN/vchain-gen" --seed 21 --people 20000 > "$TMP/ev"
"$BIN/vchain-stage" "$TMP/ev" | jq -r 'select(.stage == 7) | .user_id' | sort | uniq -c |
	awk '{ print $2 "\t" $1 }' > "$TMP/stage"
[ "$(wc -l < "$TMP/stage")" -ge 50 ]
$RUN "$BIN/vchain-rank-advocates" -n 1000000 "$TMP/ev" |
	jq -r '(.shares + .mentions + .tags + .reviews + .referrals) as $n | select($n > 0) | [.user_id, $n] | @tsv' |
	sort > "$TMP/rank"
cmp "$TMP/stage" "$TMP/rank"
# and with another threshold for positive sentiment, passed the same way
"$BIN/vchain-stage" --positive 0.6 "$TMP/ev" | jq -r 'select(.stage == 7) | .user_id' | sort | uniq -c |
	awk '{ print $2 "\t" $1 }' > "$TMP/stage6"
$RUN "$BIN/vchain-rank-advocates" --positive 0.6 -n 1000000 "$TMP/ev" |
	jq -r '(.shares + .mentions + .tags + .reviews + .referrals) as $n | select($n > 0) | [.user_id, $n] | @tsv' |
	sort > "$TMP/rank6"
cmp "$TMP/stage6" "$TMP/rank6"
! cmp -s "$TMP/stage" "$TMP/stage6"
