set -eu
# a paths file whose first line is blank: the header is the first line that
# is not (this read outside the columns and crashed; fuzz_merge found it)
printf '\npath,total_conversions,total_conversion_value\nfacebook > email,2,30\nemail,1,10\n' > "$TMP/blank-first.csv"
$RUN "$BIN/vchain-attribute" --from-paths "$TMP/blank-first.csv" -m linear --summary > "$TMP/out"
# by hand: facebook 1 (two halves), email 1 + 1 = 2; values 15 and 15 + 10 = 25
[ "$(jq -r '"\(.channel)=\(.conversions)/\(.value)"' "$TMP/out" | sort | tr '\n' ' ')" = "email=2/25 facebook=1/15 " ]
