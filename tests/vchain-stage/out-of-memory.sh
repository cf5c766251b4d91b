# Out of memory at any allocation, vchain-stage stops with a message and
# status 1, or writes its whole output: never a record cut short (its
# buffer appends are all checked) and never a crash. --journeys and the
# staged events, one thread (so the allocations come in one order).
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
"$BIN/vchain-gen" --seed 8 --events 3000 > "$TMP/in"
"$BIN/vchain-stage" -j 1 --journeys "$TMP/in" > "$TMP/journeys"
"$BIN/vchain-stage" -j 1 "$TMP/in" > "$TMP/staged"
sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/journeys" "$TMP/in" "$BIN/vchain-stage" -j 1 --journeys
sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/staged" "$TMP/in" "$BIN/vchain-stage" -j 1
