# --summary --spend: fractribution's report columns, worked by hand on
# hand.in (first: facebook has a4 and d2, 10.01 of value; linear: a4's
# thirds and d2), with spend by platform summed over dates; channels
# without spend get null; a spend table by another column is an error.
set -eu
A="$BIN/vchain-attribute"
printf 'date,platform,spend\n2024-03-01,facebook,1.50\n2024-03-02,facebook,0.50\n2024-03-01,instagram,1.00\n2024-03-01,web,4.00\n' > "$TMP/spend.csv"
$RUN "$A" --summary -m first,linear --spend "$TMP/spend.csv" hand.in |
	jq -r '[.model, .channel, .conversions, .value, .spend, .roas, .cost_per_conversion] | map(tostring) | @tsv' > "$TMP/got"
cat > "$TMP/want" <<'T'
first	(direct)	2	12.5	null	null	null
first	facebook	2	10.01	2	5.005	1
first	instagram	0	0	1	0	null
first	web	0	0	4	0	null
first	x	0	0	null	null	null
linear	(direct)	2	12.5	null	null	null
linear	facebook	1.333333334	3.35	2	1.675	1.4999999992500001
linear	instagram	0.333333333	3.33	1	3.33	3.000000003000000
linear	web	0.333333333	3.33	4	0.8325	12.000000012000001
linear	x	0	0	null	null	null
T
# cost per conversion to 9 significant digits (its last digits are binary rounding)
awk -F'\t' '{ if ($7 != "null") $7 = sprintf("%.9g", $7); print }' OFS='\t' "$TMP/want" > "$TMP/want9"
awk -F'\t' '{ if ($7 != "null") $7 = sprintf("%.9g", $7); print }' OFS='\t' "$TMP/got" > "$TMP/got9"
cmp "$TMP/want9" "$TMP/got9" || { diff "$TMP/want9" "$TMP/got9"; exit 1; }
printf 'campaign,spend\nc1,5\n' > "$TMP/by-campaign.csv"
! $RUN "$A" --summary --spend "$TMP/by-campaign.csv" hand.in > /dev/null 2> "$TMP/err"
grep -q 'gives spend by campaign, so attribute --by campaign' "$TMP/err"
