# Out of memory at any allocation, vchain-dedupe stops with a message and
# status 1, or writes exactly the records it keeps: never a crash.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
"$BIN/vchain-gen" --seed 8 --events 3000 > "$TMP/in"
for args in "-j 1" "-j 3" "-j 1 --window 1h" "-j 1 --content --ignore event_id"; do
	# shellcheck disable=SC2086
	"$BIN/vchain-dedupe" $args < "$TMP/in" > "$TMP/expected"
	# shellcheck disable=SC2086
	sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/expected" "$TMP/in" "$BIN/vchain-dedupe" $args
done
