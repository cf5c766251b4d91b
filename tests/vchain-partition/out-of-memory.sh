# Out of memory at any allocation, vchain-partition stops with a message
# and status 1, or writes every file whole: never a short file with status
# 0, never a crash. --keyed (stdout) at -j 1 and at -j 3 (whose
# allocations come in another order each run: the property holds all the
# same); plain and gzip part files, at -j 1.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
P="$BIN/vchain-partition"
"$BIN/vchain-gen" --seed 72 --people 300 > "$TMP/in"
"$P" -j 1 --keyed < "$TMP/in" > "$TMP/want"
sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/want" "$TMP/in" "$P" -j 1 --keyed
sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/want" "$TMP/in" "$P" -j 3 --keyed
for ext in "" .gz; do	# the files in a fresh directory each run, checked against one made without failures
	rm -rf "$TMP/w" && mkdir "$TMP/w"
	"$P" -j 1 -n 4 -o "$TMP/w/p-%d$ext" < "$TMP/in"
	OOM_BEFORE="rm -rf '$TMP/o' && mkdir '$TMP/o'" OOM_CHECK="diff -r '$TMP/o' '$TMP/w'" \
		sh "$TOP/tests/faults/oom.sh" "$so" /dev/null "$TMP/in" "$P" -j 1 -n 4 -o "$TMP/o/p-%d$ext"
done
