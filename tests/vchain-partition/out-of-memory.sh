# Out of memory at any allocation, vchain-partition stops with a message
# and status 1, or writes every file whole: never a short file with status
# 0, never a crash. --keyed (stdout), plain and gzip files; one thread, so
# the allocations come in one order.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
P="$BIN/vchain-partition"
"$BIN/vchain-gen" --seed 72 --people 300 > "$TMP/in"
"$P" -j 1 --keyed < "$TMP/in" > "$TMP/want"
sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/want" "$TMP/in" "$P" -j 1 --keyed
sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/want" "$TMP/in" "$P" -j 3 --keyed
for ext in "" .gz; do
	rm -rf "$TMP/w" && mkdir "$TMP/w"
	"$P" -j 1 -n 4 -o "$TMP/w/p-%d$ext" < "$TMP/in"
	FAIL_ALLOC_COUNT="$TMP/count" LD_PRELOAD="$so" "$P" -j 1 -n 4 -o "$TMP/w/q-%d$ext" < "$TMP/in"
	total=$(cat "$TMP/count")
	step=$((total / 200 + 1))
	n=0 clean=0 whole=0
	while [ $n -lt "$total" ]; do
		rm -rf "$TMP/o" && mkdir "$TMP/o"
		st=0
		FAIL_ALLOC_AFTER=$n LD_PRELOAD="$so" "$P" -j 1 -n 4 -o "$TMP/o/p-%d$ext" < "$TMP/in" 2> "$TMP/err" || st=$?
		if [ $st -eq 0 ]; then
			for k in 0 1 2 3; do
				cmp -s "$TMP/o/p-$k$ext" "$TMP/w/p-$k$ext" ||
					{ echo "allocation $n failing: exit 0 with file $k not whole"; head -c 300 "$TMP/err"; exit 1; }
			done
			whole=$((whole + 1))
		elif [ $st -eq 1 ] && [ -s "$TMP/err" ]; then
			clean=$((clean + 1))
		else
			echo "allocation $n failing ($ext): exit status $st"; head -c 300 "$TMP/err"; exit 1
		fi
		n=$((n + step))
	done
	echo "files$ext: $total allocations, every ${step}th failed in turn: $clean runs stopped with a message, $whole whole"
done
