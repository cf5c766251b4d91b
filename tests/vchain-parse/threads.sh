# Results do not depend on the number of threads: on an input of many
# chunks with bad lines at known places, -j1, -j2 and -j4 give the same
# records, the same rejects and the same messages, and a stop names the
# line awk put the bad record on; whether the input is a file (every
# thread reads the next chunk in turn) or a pipe (the calling thread alone
# reads).
set -eu
"$BIN/vchain-gen" --seed 21 --events 60000 > "$TMP/good"
# bad records at lines 7, 12345, 30001 and 59999 (counted by awk, not by us)
awk 'NR == 7 || NR == 12345 || NR == 30001 || NR == 59999 { print "{\"broken\":"; next } { print }' \
	"$TMP/good" > "$TMP/mixed"
for j in 1 2 4; do
	$RUN "$BIN/vchain-parse" -j $j --stats --rejects "$TMP/rej$j" "$TMP/mixed" > "$TMP/out$j" 2> "$TMP/err$j"
	sed "s/rej$j/rejN/" "$TMP/err$j" > "$TMP/errN$j"
done
cmp "$TMP/out1" "$TMP/out2"; cmp "$TMP/out1" "$TMP/out4"
cmp "$TMP/rej1" "$TMP/rej2"; cmp "$TMP/rej1" "$TMP/rej4"
cmp "$TMP/errN1" "$TMP/errN2"; cmp "$TMP/errN1" "$TMP/errN4"
for j in 1 3; do
	cat "$TMP/mixed" | $RUN "$BIN/vchain-parse" -j $j --rejects "$TMP/prej$j" > "$TMP/pout$j" 2> "$TMP/perr$j"
	cmp "$TMP/pout$j" "$TMP/out1"; cmp "$TMP/prej$j" "$TMP/rej1"
	for n in 7 12345 30001 59999; do grep -q "^vchain-parse: <stdin>:$n: .*(set aside)" "$TMP/perr$j"; done
done
[ "$(wc -l < "$TMP/rej1")" -eq 4 ]
for n in 7 12345 30001 59999; do grep -q ":$n: .*(set aside)" "$TMP/err1"; done
grep -q ': read 60000, written 59996, rejected 4$' "$TMP/err1"
# stop mode: the first bad line, after exactly the 6 good records before it
for j in 1 2 4; do
	if "$BIN/vchain-parse" -j $j "$TMP/mixed" > "$TMP/s$j" 2> "$TMP/se$j"; then exit 1; fi
	grep -q "mixed:7: " "$TMP/se$j"
	[ "$(wc -l < "$TMP/s$j")" -eq 6 ]
done
# an over-long line deep in the input: the lines before it, then FILE:LINE
awk 'NR == 40000 { printf "{\"pad\":\""; for (i = 0; i < 3000; i++) printf "x"; print "\"}"; next } { print }' \
	"$TMP/good" > "$TMP/long"
for j in 1 3; do
	if "$BIN/vchain-parse" -j $j --raw --max-line 2K "$TMP/long" > "$TMP/l$j" 2> "$TMP/le$j"; then exit 1; fi
	grep -q "long:40000: line longer than 2048 bytes" "$TMP/le$j"
	[ "$(wc -l < "$TMP/l$j")" -eq 39999 ]
	if cat "$TMP/long" | "$BIN/vchain-parse" -j $j --raw --max-line 2K > "$TMP/pl$j" 2> "$TMP/ple$j"; then exit 1; fi
	grep -q "<stdin>:40000: line longer than 2048 bytes" "$TMP/ple$j"
	cmp "$TMP/pl$j" "$TMP/l$j"
done
