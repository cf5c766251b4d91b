# --set and --map-value: a constant for a canonical field in every record
# (over what the record had), a value replaced only when it is exactly
# FROM, on NDJSON (the copy-as-is path turned off) and CSV alike; a field
# that is not canonical is a usage error naming it.
set -eu
P="$BIN/vchain-parse"
printf '%s\n' '{"event_id":"1","ts":"2024-01-01T00:00:00Z","platform":"x","type":"view"}' \
	'{"event_id":"2","ts":"2024-01-01T00:00:00Z","platform":"web","type":"like","campaign":"a"}' > "$TMP/in"
$RUN "$P" --set platform=instagram --set campaign='spring "sale"' --map-value type:view=impression "$TMP/in" > "$TMP/out"
cat > "$TMP/want" <<'J'
{"event_id":"1","ts":"2024-01-01T00:00:00Z","platform":"instagram","type":"impression","campaign":"spring \"sale\""}
{"event_id":"2","ts":"2024-01-01T00:00:00Z","platform":"instagram","type":"like","campaign":"spring \"sale\""}
J
cmp "$TMP/want" "$TMP/out"
printf 'id,ts,type,platform\n1,2024-01-01T00:00:00Z,Views,fb\n2,2024-01-01T00:00:00Z,viewS,fb\n' > "$TMP/in.csv"
$RUN "$P" --map-value type:Views=click "$TMP/in.csv" | jq -r .type | tr '\n' ' ' | grep -qx 'click view '
! $RUN "$P" --set colour=red "$TMP/in" 2> "$TMP/err"
grep -q "'colour' is not a canonical field" "$TMP/err"
! $RUN "$P" --map-value type=view "$TMP/in" 2> "$TMP/err"
grep -q 'is not FIELD:FROM=TO' "$TMP/err"
