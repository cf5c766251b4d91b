# Out of memory at any allocation, vchain-rank-advocates stops with a
# message and status 1, or writes the whole result: never a part of it
# with status 0, never a crash. Ranking, -g, summary, --approx, --partial
# and --merge; one thread, so the allocations come in one order.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
R="$BIN/vchain-rank-advocates"
"$BIN/vchain-gen" --seed 71 --people 1500 > "$TMP/in"
oom="$TOP/tests/faults/oom.sh"
for opts in "-n 50" "-g platform -n 5 --include-fans" "--summary" "--approx --capacity 40" "--partial"; do
	"$R" -j 1 $opts < "$TMP/in" > "$TMP/want"
	[ -s "$TMP/want" ]
	sh "$oom" "$so" "$TMP/want" "$TMP/in" "$R" -j 1 $opts
done
"$R" -j 1 --partial < "$TMP/in" > "$TMP/part"
"$R" -j 1 --merge -n 50 < "$TMP/part" > "$TMP/want"
sh "$oom" "$so" "$TMP/want" "$TMP/part" "$R" -j 1 --merge -n 50
