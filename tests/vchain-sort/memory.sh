# Memory stays within -S plus the overhead vchain-sort(1) states: about
# 6 MB and 1 MB a thread. 500 000 events (80 MB) sorted with -S 8M, -S 32M
# and the default on 1 and 2 threads: peak RSS (getrusage, as --stats
# reports it) at most -S + 6 MB + 1 MB a thread, with 2 MB to spare; and
# with -S 8M, 150 000 events (three times -S) peak within 2 MB of 500 000:
# memory does not grow with the input. (Not in the sanitizer build: ASan's shadow and
# quarantine are memory of its own.)
set -eu
[ -f "$BIN/tests/failalloc.so" ] || { echo "skipped in the sanitizer build: its memory is not the program's"; exit 77; }
S="$BIN/vchain-sort"
"$BIN/vchain-gen" --seed 81 --events 500000 > "$TMP/big"
head -n 150000 "$TMP/big" > "$TMP/small"
peak() { "$S" --stats "$@" 2>&1 > /dev/null | sed -n 's/.*peak memory \([0-9.]*\) MB.*/\1/p'; }
for j in 1 2; do
	for m in 8 32; do
		p=$(peak -j $j -S ${m}M "$TMP/big")
		limit=$((m + 6 + j + 2))
		awk -v p="$p" -v l="$limit" 'BEGIN { exit !(p > 0 && p <= l) }' ||
			{ echo "-j $j -S ${m}M: peak $p MB, over $limit MB"; exit 1; }
		[ $m = 8 ] || continue
		q=$(peak -j $j -S ${m}M "$TMP/small")
		awk -v p="$p" -v q="$q" 'BEGIN { exit !(p <= q + 2) }' ||
			{ echo "-j $j -S ${m}M: peak $q MB on 150 000 events, $p MB on 500 000"; exit 1; }
	done
done
