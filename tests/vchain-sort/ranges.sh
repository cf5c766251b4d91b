# The last merge split by key ranges on several threads (xsort.c): against
# ref.py (Python's stable sorted(), independent of vchain-sort) with runs
# on disk, runs held in memory and the last run in parts, at -j 2, 3 and 7,
# and after passes whose merges ran side by side;
# --stats must say the merge took key ranges on 2 threads or more, so the
# split is what was checked. Then keys that fall unevenly: a third of the
# records share one ts and event_id (they cannot be split, and must come
# out in input order), sorted with -S 8M on 4 threads; and -k user_id,ts,
# whose keys are long and share prefixes. And a write error in the middle
# of the split merge (a full output: a file-size limit) is an error.
set -eu
S="$BIN/vchain-sort"
"$BIN/vchain-gen" --seed 91 --events 60000 > "$TMP/in"
python3 ref.py "$TMP/in" > "$TMP/want"
split_merge() {	# FILE WANT OPTIONS...: sorted as WANT, by a merge split on 2 threads or more
	f=$1 want=$2
	shift 2
	$RUN "$S" --stats "$@" "$f" > "$TMP/got" 2> "$TMP/stats"
	cmp "$want" "$TMP/got" || { echo "$*: differs from ref.py"; cat "$TMP/stats"; exit 1; }
	grep -q 'key ranges on [2-9] threads' "$TMP/stats" ||
		{ echo "$*: the merge was not split"; cat "$TMP/stats"; exit 1; }
}
split_merge "$TMP/in" "$TMP/want" -j 2 -S 8M	# runs on disk and in memory
grep -q 'runs spilled [1-9]' "$TMP/stats" || { cat "$TMP/stats"; exit 1; }
split_merge "$TMP/in" "$TMP/want" -j 3 -S 8M
split_merge "$TMP/in" "$TMP/want" -j 7 -S 16M
split_merge "$TMP/in" "$TMP/want" -j 4 -S 64M	# all in memory: runs held and the last in parts
grep -q 'runs spilled 0;' "$TMP/stats" || { cat "$TMP/stats"; exit 1; }
# passes before the last, their merges side by side (--batch-size 2: a few runs a merge)
split_merge "$TMP/in" "$TMP/want" -j 7 -S 8M --batch-size 2
grep -q 'pass.* before the last (up to [2-9] merges side by side)' "$TMP/stats" || { cat "$TMP/stats"; exit 1; }
# a third of the records tie: one range holds them all, in input order
awk 'NR % 3 == 0 { sub(/"event_id":"[^"]*"/, "\"event_id\":\"same\""); sub(/"ts":"[^"]*"/, "\"ts\":\"2024-02-01T00:00:00Z\"") } 1' \
	"$TMP/in" > "$TMP/ties"
[ "$(grep -c '"event_id":"same"' "$TMP/ties")" -eq 20000 ]
python3 ref.py "$TMP/ties" > "$TMP/want-ties"
grep '"event_id":"same"' "$TMP/ties" > "$TMP/t1"
grep '"event_id":"same"' "$TMP/want-ties" | cmp - "$TMP/t1"
split_merge "$TMP/ties" "$TMP/want-ties" -j 4 -S 8M
# and through passes side by side: each pass's runs in their input order, or the ties would not be
split_merge "$TMP/ties" "$TMP/want-ties" -j 7 -S 8M --batch-size 2
grep -q 'side by side' "$TMP/stats" || { cat "$TMP/stats"; exit 1; }
# long keys with shared prefixes
python3 ref.py -k user_id,ts --missing last "$TMP/in" > "$TMP/want-k"
split_merge "$TMP/in" "$TMP/want-k" -j 3 -S 8M -k user_id,ts --missing last
# the output full in the middle of the split merge: an error, status 1
if [ -f "$BIN/tests/failalloc.so" ]; then	# (not under the sanitizers: their own files)
	set +e
	(ulimit -f 2000; trap '' XFSZ; exec "$S" -j 3 -S 8M "$TMP/in" > "$TMP/full" 2> "$TMP/err")
	st=$?
	set -e
	[ "$st" -eq 1 ] || { echo "a full output: status $st"; cat "$TMP/err"; exit 1; }
	grep -q 'File too large' "$TMP/err" || { echo "a full output:"; cat "$TMP/err"; exit 1; }
fi
