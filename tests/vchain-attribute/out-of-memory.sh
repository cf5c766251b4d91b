# Out of memory at any allocation, vchain-attribute stops with a message
# and status 1, or writes the whole result: never a part of it with
# status 0, never a crash. Credit records, --summary (every model, the
# Markov chain solved), --paths, a short window (people forgotten),
# --partial and --merge; one thread, so the allocations come in one order.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
A="$BIN/vchain-attribute"
"$BIN/vchain-gen" --seed 71 --people 800 > "$TMP/in"
oom="$TOP/tests/faults/oom.sh"
for opts in "" "--summary" "--paths" "--summary --lookback 2h" "--partial"; do
	# shellcheck disable=SC2086
	"$A" -j 1 $opts < "$TMP/in" > "$TMP/want"
	[ -s "$TMP/want" ]
	# shellcheck disable=SC2086
	sh "$oom" "$so" "$TMP/want" "$TMP/in" "$A" -j 1 $opts
done
"$A" -j 1 --partial < "$TMP/in" > "$TMP/part"
"$A" -j 1 --merge --summary < "$TMP/part" > "$TMP/want"
sh "$oom" "$so" "$TMP/want" "$TMP/part" "$A" -j 1 --merge --summary
