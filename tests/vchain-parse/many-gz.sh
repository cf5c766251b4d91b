# An archive of many files (gzip and plain): idle workers open the next
# inputs and inflate them ahead, and the records still come out in input
# order, the same for every -j: the event ids are jq's, in order. A
# truncated gzip or a missing file among them stops the run at the same
# record, with the same message, whatever the threads.
set -eu
"$BIN/vchain-gen" --seed 16 --events 60000 > "$TMP/all"
split -l 5000 -d -a 2 "$TMP/all" "$TMP/p"
for f in "$TMP"/p0? "$TMP"/p10; do gzip "$f"; done
set -- "$TMP"/p*
[ $# -eq 12 ]
jq -r .event_id "$TMP/all" > "$TMP/ids"
for j in 1 2 3 4 7; do
	$RUN "$BIN/vchain-parse" -j $j --stats "$@" > "$TMP/out$j" 2> "$TMP/err$j"
	jq -r .event_id "$TMP/out$j" | cmp - "$TMP/ids" || { echo "-j $j: not the inputs' events in order"; exit 1; }
	cmp "$TMP/out$j" "$TMP/out1"
	cmp "$TMP/err$j" "$TMP/err1"
	# and through vchain-dedupe, which reads its inputs the same way
	$RUN "$BIN/vchain-dedupe" -j $j "$TMP/out1" "$TMP/out1" > "$TMP/d$j"
	cmp "$TMP/d$j" "$TMP/d1"
done
[ "$(wc -l < "$TMP/d1")" -lt "$(wc -l < "$TMP/out1")" ]
# a truncated gzip as the 6th input, a file that is not there as the 9th
head -c 10000 "$TMP/p05.gz" > "$TMP/cut.gz"
for j in 1 2 4 7; do
	st=0
	$RUN "$BIN/vchain-parse" -j $j "$TMP/p00.gz" "$TMP/p01.gz" "$TMP/p02.gz" "$TMP/p03.gz" "$TMP/p04.gz" \
		"$TMP/cut.gz" "$TMP/p06.gz" "$TMP/p07.gz" > "$TMP/cut$j" 2> "$TMP/cuterr$j" || st=$?
	[ "$st" -eq 1 ] || { echo "-j $j: a truncated gzip gave status $st"; exit 1; }
	cmp "$TMP/cut$j" "$TMP/cut1"
	cmp "$TMP/cuterr$j" "$TMP/cuterr1"
	st=0
	$RUN "$BIN/vchain-parse" -j $j "$TMP/p00.gz" "$TMP/p01.gz" "$TMP/p02.gz" "$TMP/p03.gz" "$TMP/p04.gz" \
		"$TMP/p05.gz" "$TMP/p06.gz" "$TMP/p07.gz" "$TMP/nothere.gz" "$TMP/p09.gz" > "$TMP/miss$j" 2> "$TMP/misserr$j" || st=$?
	[ "$st" -eq 1 ] || { echo "-j $j: a missing file gave status $st"; exit 1; }
	cmp "$TMP/miss$j" "$TMP/miss1"
	cmp "$TMP/misserr$j" "$TMP/misserr1"
done
grep -q "cut.gz:[0-9]*: .*" "$TMP/cuterr1"
[ "$(wc -l < "$TMP/cut1")" -ge 25000 ]
grep -q "nothere.gz: cannot open" "$TMP/misserr1"
[ "$(wc -l < "$TMP/miss1")" -eq 40000 ]
