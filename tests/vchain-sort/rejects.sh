# --rejects: bad records go aside byte for byte, in input order, and are
# counted; the rest come out sorted as ref.py sorts them; read = written +
# set aside. Spilled on 2 threads too. Without --rejects the first bad
# record stops the sort with its input and line, and nothing is written.
set -eu
S="$BIN/vchain-sort"
"$BIN/vchain-gen" --seed 41 --events 20000 > "$TMP/good"
# every 1000th line replaced by a bad one, of four kinds (one ends in CR)
awk '
	NR % 1000 == 0 { k = NR / 1000 % 4
		if (k == 0) print "{\"ts\":\"2024-01-01T00:00:00Z\",\"cut\":"
		else if (k == 1) print "{\"event_id\":\"x\",\"ts\":\"noon\"}"
		else if (k == 2) print "{\"event_id\":\"y\",\"type\":\"like\"}\r"
		else print "[\"not\",\"an\",\"object\"]"
		next }
	{ print }' "$TMP/good" > "$TMP/in"
awk 'NR % 1000 == 0' "$TMP/in" > "$TMP/bad"
awk 'NR % 1000 != 0' "$TMP/in" > "$TMP/ok"
python3 ref.py "$TMP/ok" > "$TMP/want"
for opts in "" "-j 2 -S 256K"; do
	$RUN "$S" $opts --rejects "$TMP/rej" "$TMP/in" > "$TMP/out" 2> "$TMP/err"
	cmp "$TMP/want" "$TMP/out" || { echo "$opts: the good records, sorted, differ"; exit 1; }
	cmp "$TMP/bad" "$TMP/rej" || { echo "$opts: the records set aside differ"; exit 1; }
	[ $(($(wc -l < "$TMP/out") + $(wc -l < "$TMP/rej"))) -eq 20000 ]
	grep -qx "vchain-sort: 20 bad records set aside in $TMP/rej" "$TMP/err"
	grep -qx "vchain-sort: $TMP/in:1000: ts: not a timestamp: noon (set aside)" "$TMP/err"
done
st=0
$RUN "$S" -S 256K "$TMP/in" > "$TMP/out" 2> "$TMP/err" || st=$?
[ $st -eq 1 ]
[ ! -s "$TMP/out" ]
grep -qx "vchain-sort: $TMP/in:1000: ts: not a timestamp: noon" "$TMP/err"
# a line longer than --max-line is an error even with --rejects: it is not read whole to be set aside
awk -v long="$(head -c 3000 /dev/zero | tr '\0' x)" 'NR == 7 { print "{\"pad\":\"" long "\"}"; next } { print }' \
	"$TMP/good" > "$TMP/in"
st=0
$RUN "$S" --max-line 2K --rejects "$TMP/rej" "$TMP/in" > "$TMP/out" 2> "$TMP/err" || st=$?
[ $st -eq 1 ]
[ ! -s "$TMP/out" ]
grep -qx "vchain-sort: $TMP/in:7: line longer than 2048 bytes (--max-line)" "$TMP/err"
