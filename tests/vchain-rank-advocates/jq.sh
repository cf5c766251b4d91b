# The ranking and the summary against ref.jq, the rules written again in
# jq, over vchain-gen's people (customers who share, review and refer,
# people they bring in, refunds, negative mentions): every ranked customer
# in the same order with the same counts, scores equal to 1e-9, the
# summary equal (money to the cent).
set -eu
R="$BIN/vchain-rank-advocates"
"$BIN/vchain-gen" --seed 9 --people 50000 > "$TMP/ev"
jq -n -c -f ref.jq "$TMP/ev" > "$TMP/ref"
[ "$(jq '.rows | length' "$TMP/ref")" -ge 150 ] || { echo "too few advocates in the sample"; exit 1; }
[ "$(jq '.summary.referred_customers' "$TMP/ref")" -ge 20 ] || { echo "too few referred customers in the sample"; exit 1; }

jq -r '.rows | sort_by(-.score, .user_id)[] | [.user_id, .acts, .det, .referred_people, .referred_customers,
	(.referred_revenue * 100 | round), .score] | @tsv' "$TMP/ref" > "$TMP/want"
$RUN "$R" -n 100000 "$TMP/ev" | jq -r '[.user_id, (.shares + .mentions + .tags + .reviews + .referrals), .detractor_acts,
	.referred_people, .referred_customers, (.referred_revenue * 100 | round), .score] | @tsv' > "$TMP/got"
[ "$(wc -l < "$TMP/got")" -eq "$(wc -l < "$TMP/want")" ] ||
	{ echo "$(wc -l < "$TMP/got") rows ranked, ref.jq has $(wc -l < "$TMP/want")"; exit 1; }
paste "$TMP/got" "$TMP/want" | awk -F'\t' '
	{ for (i = 1; i <= 6; i++) if ($i != $(i + 7)) { print "row " NR ": " $0; bad = 1; next }
	  d = $7 - $14; if (d < 0) d = -d
	  if (d > 0.00005 + 1e-9 * ($14 < 0 ? -$14 : $14)) { print "row " NR " score: " $0; bad = 1 } }
	END { exit bad }'

want=$(jq -r '.summary | [.customers, .advocates, .referred_people, .referred_customers, (.referred_revenue * 100 | round)] | @tsv' "$TMP/ref")
got=$($RUN "$R" --summary "$TMP/ev" | jq -r '[.customers, .advocates, .referred_people, .referred_customers,
	(.referred_revenue * 100 | round)] | @tsv')
[ "$got" = "$want" ] || { echo "summary: got $got, want $want"; exit 1; }
# the ratios from those counts
$RUN "$R" --summary "$TMP/ev" | jq -e '(.advocate_share - .advocates / .customers | fabs) < 1e-15
	and (.k_factor - .referred_people / .customers | fabs) < 1e-15
	and (.referred_per_advocate - .referred_people / .advocates | fabs) < 1e-15
	and (.referred_conversion - .referred_customers / .referred_people | fabs) < 1e-15' > /dev/null
