# Out of memory at any allocation (LZ4's own included), vchain-sort stops
# with a message and status 1, or writes the whole sorted output: never a
# part of it with status 0, never a crash. In memory, spilled (-S 64K:
# dozens of runs, merge passes), and -m; one thread, so the allocations
# come in one order, and spilled on two threads as well; the last merge
# split by key ranges, and passes whose merges run side by side.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
"$BIN/vchain-gen" --seed 71 --events 3000 > "$TMP/in"
python3 ref.py "$TMP/in" > "$TMP/want"
oom="$TOP/tests/faults/oom.sh"
sh "$oom" "$so" "$TMP/want" "$TMP/in" "$BIN/vchain-sort" -j 1
sh "$oom" "$so" "$TMP/want" "$TMP/in" "$BIN/vchain-sort" -j 1 -S 64K -T "$TMP"
sh "$oom" "$so" "$TMP/want" "$TMP/in" "$BIN/vchain-sort" -j 2 -S 64K -T "$TMP"
# the last merge split by key ranges on two threads: in memory, and after passes run side by side
sh "$oom" "$so" "$TMP/want" "$TMP/in" "$BIN/vchain-sort" -j 2 -S 1M
"$BIN/vchain-gen" --seed 72 --events 20000 > "$TMP/in20k"
python3 ref.py "$TMP/in20k" > "$TMP/want20k"
sh "$oom" "$so" "$TMP/want20k" "$TMP/in20k" "$BIN/vchain-sort" -j 3 -S 2M --batch-size 2 -T "$TMP"
head -1500 "$TMP/want" > "$TMP/a"
tail -n +1501 "$TMP/want" > "$TMP/b"
sh "$oom" "$so" "$TMP/want" /dev/null "$BIN/vchain-sort" -j 1 -m "$TMP/b" "$TMP/a"
sh "$oom" "$so" "$TMP/want" /dev/null "$BIN/vchain-sort" -j 2 -m "$TMP/b" "$TMP/a"
