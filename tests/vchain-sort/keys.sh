# -k and --missing against ref.py: each person's events together and in
# time order (-k user_id,ts; insights rows have no user_id; the offsets and fractions of python.sh's kind
# included), numbers by value (-k followers, absent first or last), strings
# by bytes (-k platform,type,ts); in memory and spilled.
set -eu
S="$BIN/vchain-sort"
"$BIN/vchain-gen" --seed 31 --events 30000 |
jq -c 'input_line_number as $n
	| if $n % 5 == 1 then .ts |= sub("Z$"; ".25Z")
	  elif $n % 5 == 2 then .ts |= (fromdateiso8601 + 3600 | todate | sub("Z$"; "+01:00"))
	  else . end
	| if $n % 11 == 0 then .followers = ($n % 300) - 150 + ($n % 7) / 4 else . end' > "$TMP/ev"
[ "$(grep -c followers "$TMP/ev")" -ge 2000 ]
check() {	# OPTIONS...: ref.py and vchain-sort, in memory and spilled on 2 threads
	python3 ref.py "$@" "$TMP/ev" > "$TMP/want"
	[ "$(wc -l < "$TMP/want")" -eq 30000 ]
	$RUN "$S" "$@" "$TMP/ev" | cmp "$TMP/want" - || { echo "$*: differs"; exit 1; }
	$RUN "$S" -j 2 -S 256K "$@" "$TMP/ev" | cmp "$TMP/want" - || { echo "$* -S 256K: differs"; exit 1; }
}
check -k user_id,ts --missing last
check -k user_id,ts --missing first
check -k followers --missing first
check -k followers,event_id --missing last
check -k platform,type,ts
# a missing key is an error naming input and line, unless --missing says otherwise
line=$(grep -n -m 1 -v followers "$TMP/ev" | cut -d: -f1)
st=0
"$S" -k followers "$TMP/ev" > "$TMP/out" 2> "$TMP/err" || st=$?
[ $st -eq 1 ]
grep -qx "vchain-sort: $TMP/ev:$line: no followers to sort by (--missing first or last puts such records first or last)" "$TMP/err"
[ ! -s "$TMP/out" ]
