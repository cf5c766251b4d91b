# vchain-sort against an independent sort (ref.py: Python's json and a
# stable sorted(), by instant, then event_id, then input position) on the
# multi-source input the issue starts from: a shop's CSV, an access log and
# NDJSON events read by vchain-parse one after the other, with timestamps
# rewritten into other offsets and fractions of a second (string order gets
# them wrong), a few records without event_id and some records that tie
# (the same ts and event_id, different otherwise: input order decides). As read, shuffled and
# reversed; in memory, and with -S small enough for dozens of spilled runs
# and several merge passes, on 1 and 2 threads.
set -eu
G="$BIN/vchain-gen" S="$BIN/vchain-sort"
"$G" --seed 21 --events 30000 -F csv > "$TMP/shop.csv"
"$G" --seed 22 --events 30000 -F access > "$TMP/access.log"
"$G" --seed 23 --events 30000 --start 2024-01-01T03:00:00Z > "$TMP/events.ndjson"
"$BIN/vchain-parse" "$TMP/shop.csv" "$TMP/access.log" "$TMP/events.ndjson" |
jq -c 'input_line_number as $n
	| if $n % 7 == 1 then .ts |= sub("Z$"; ".5Z")
	  elif $n % 7 == 2 then .ts |= sub("Z$"; ".000000001Z")
	  elif $n % 7 == 3 then .ts |= (fromdateiso8601 + 7200 | todate | sub("Z$"; "+02:00"))
	  elif $n % 7 == 4 then .ts |= (fromdateiso8601 - 19800 | todate | sub("Z$"; ".999-05:30"))
	  else . end
	| if $n % 97 == 0 then del(.event_id) else . end
	| if $n % 53 == 0 then .ts = "2024-01-01T01:00:00Z" | .event_id = "same" else . end' > "$TMP/multi"
n=$(wc -l < "$TMP/multi")
[ "$n" -ge 70000 ] || { echo "only $n records generated"; exit 1; }
# not sorted as it comes: the sources follow each other
if "$S" -c "$TMP/multi" 2> /dev/null; then echo "vchain-sort -c took the unsorted input for sorted"; exit 1; fi
awk 'BEGIN { srand(5) } { printf "%.12f\t%s\n", rand(), $0 }' "$TMP/multi" | sort -t "$(printf '\t')" -k1,1 |
	cut -f 2- > "$TMP/shuffled"
tac "$TMP/multi" > "$TMP/reversed"
for input in multi shuffled reversed; do
	python3 ref.py "$TMP/$input" > "$TMP/want"
	[ "$(wc -l < "$TMP/want")" -eq "$n" ] || { echo "$input: ref.py wrote $(wc -l < "$TMP/want") records of $n"; exit 1; }
	# the ties are there, in their input order
	grep '"event_id":"same"' "$TMP/$input" > "$TMP/ties"
	[ "$(wc -l < "$TMP/ties")" -ge 1300 ] || { echo "$input: only $(wc -l < "$TMP/ties") ties"; exit 1; }
	grep '"event_id":"same"' "$TMP/want" | cmp - "$TMP/ties"
	$RUN "$S" "$TMP/$input" > "$TMP/got"
	cmp "$TMP/want" "$TMP/got" || { echo "$input: differs from ref.py in memory"; exit 1; }
	for j in 1 2; do
		$RUN "$S" -j $j -S 256K --stats "$TMP/$input" > "$TMP/got" 2> "$TMP/stats"
		cmp "$TMP/want" "$TMP/got" || { echo "$input -j $j -S 256K: differs from ref.py"; exit 1; }
		runs=$(sed -n 's/.*runs spilled \([0-9]*\);.*/\1/p' "$TMP/stats")
		passes=$(sed -n 's/.* \([0-9]*\) pass.*/\1/p' "$TMP/stats")
		[ "$runs" -ge 24 ] || { echo "$input -j $j: only ${runs:-no} runs spilled"; cat "$TMP/stats"; exit 1; }
		[ "$passes" -ge 2 ] || { echo "$input -j $j: ${passes:-no} merge passes"; exit 1; }
	done
	# a middling -S: one merge takes all the runs
	$RUN "$S" -S 8M --stats "$TMP/$input" 2> "$TMP/stats" | cmp "$TMP/want" -
	grep -q ' 0 passes before the last' "$TMP/stats" || { echo "$input -S 8M: a merge pass before the last"; cat "$TMP/stats"; exit 1; }
	# a run and a bit: the full run is held in memory, sorted, and merged with the last; none spilled
	$RUN "$S" -j 2 -S 32M --stats "$TMP/$input" 2> "$TMP/stats" | cmp "$TMP/want" -
	grep -q 'runs spilled 0;.* merge width [2-9]' "$TMP/stats" || { cat "$TMP/stats"; exit 1; }
	# four threads: runs on disk, runs held, and the last run in parts, all in one merge
	$RUN "$S" -j 4 -S 2M --stats "$TMP/$input" 2> "$TMP/stats" | cmp "$TMP/want" -
done
# the same from standard input
python3 ref.py "$TMP/shuffled" > "$TMP/want"
$RUN "$S" < "$TMP/shuffled" | cmp "$TMP/want" -
