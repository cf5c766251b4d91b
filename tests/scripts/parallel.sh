# scripts/vchain-parallel on generated events split into archives (gzip and
# plain): every report, the attribution summary and the advocates ranking
# are byte for byte those of one process (parse | dedupe | sort | stage |
# filter), with -j 1 and 2 and 1, 2 or 7 parts. --dry-run runs nothing; a
# bad archive fails the run naming it, writes no result and leaves no work
# file; a job that fails once is run again with --retries.
set -eu
case $BIN in */san|*/tsan) echo "skipped: run once, in the plain build (a script: its programs are tested under the sanitizers on their own)"; exit 77 ;; esac
command -v parallel > /dev/null || { echo "skipped: GNU parallel is not installed (make deps)"; exit 77; }
VP="$TOP/scripts/vchain-parallel"
"$BIN/vchain-gen" --seed 12 --events 60000 > "$TMP/all"
split -l 12000 -d -a 1 "$TMP/all" "$TMP/a"
for f in "$TMP"/a0 "$TMP"/a2 "$TMP"/a4; do gzip "$f"; done
archives="$TMP/a0.gz $TMP/a1 $TMP/a2.gz $TMP/a3 $TMP/a4.gz"
# one process
# shellcheck disable=SC2086
"$BIN/vchain-parse" $archives | "$BIN/vchain-dedupe" | "$BIN/vchain-sort" | "$BIN/vchain-stage" > "$TMP/staged"
mkdir "$TMP/one"
for r in funnel engagement roi sla listening selling networking rfm; do
	"$BIN/vchain-aggregate" --report $r "$TMP/staged" > "$TMP/one/$r.ndjson"
done
"$BIN/vchain-aggregate" -g platform --every month -a count,distinct:user_id,sum:revenue "$TMP/staged" > "$TMP/one/aggregate-1.ndjson"
"$BIN/vchain-attribute" --summary -m first,last,linear,markov --by campaign "$TMP/staged" > "$TMP/one/attribution.ndjson"
"$BIN/vchain-rank-advocates" --include-fans -n 50 "$TMP/staged" > "$TMP/one/advocates.ndjson"
[ "$(wc -l < "$TMP/one/advocates.ndjson")" -gt 5 ] || { echo "too few advocates to compare"; exit 1; }
[ "$(wc -l < "$TMP/one/rfm.ndjson")" -gt 5 ] || { echo "too few customers to compare"; exit 1; }
mkdir "$TMP/tmp"
for j in 1 2; do
	for n in 1 2 7; do
		rm -rf "$TMP/out"
		# shellcheck disable=SC2086
		sh "$VP" -j $j -n $n --bin "$BIN" --tmpdir "$TMP/tmp" -o "$TMP/out" --report funnel,engagement,roi,sla \
			--report listening,selling,networking,rfm --aggregate "-g platform --every month -a count,distinct:user_id,sum:revenue" \
			--attribute="-m first,last,linear,markov --by campaign" --advocates="--include-fans -n 50" $archives 2> "$TMP/err" ||
			{ cat "$TMP/err"; exit 1; }
		for f in "$TMP"/one/*; do
			cmp "$f" "$TMP/out/$(basename "$f")" || { echo "-j $j -n $n: $(basename "$f") differs"; exit 1; }
		done
		grep -q "map 5/5 done" "$TMP/err"
		grep -q "reduce part $((n - 1)) of 0-$((n - 1)) done" "$TMP/err"
		[ -z "$(ls "$TMP/tmp")" ] || { echo "work files left: $(ls "$TMP/tmp")"; exit 1; }
	done
done
# --format goes to the merge: CSV out
sh "$VP" -j 2 -n 2 --bin "$BIN" --tmpdir "$TMP/tmp" -o "$TMP/csv" --aggregate "--report funnel --format csv" \
	"$TMP/a1" 2> /dev/null
"$BIN/vchain-parse" "$TMP/a1" | "$BIN/vchain-dedupe" | "$BIN/vchain-sort" | "$BIN/vchain-stage" |
	"$BIN/vchain-aggregate" --report funnel --format csv | cmp - "$TMP/csv/aggregate-1.csv"
# --dry-run: the commands, and nothing run
sh "$VP" --dry-run -n 3 --bin "$BIN" -o "$TMP/dry" --report funnel $archives > "$TMP/cmds"
grep -q "parallel .*vchain-partition -j [0-9]* -n 3 " "$TMP/cmds"
grep -q "vchain-aggregate --merge" "$TMP/cmds"
[ ! -e "$TMP/dry" ]
# a truncated archive: the run fails, names it, writes nothing, leaves nothing
head -c 30000 "$TMP/a0.gz" > "$TMP/cut.gz"
if sh "$VP" -j 2 -n 2 --bin "$BIN" --tmpdir "$TMP/tmp" -o "$TMP/bad" --report funnel "$TMP/a1" "$TMP/cut.gz" 2> "$TMP/err"; then
	echo "a truncated archive passed"; exit 1
fi
grep -q "map failed on this host (exit 1): archive .*/cut.gz$" "$TMP/err" || { cat "$TMP/err"; exit 1; }
[ ! -e "$TMP/bad/funnel.ndjson" ]
[ -z "$(ls "$TMP/tmp")" ] || { echo "work files left after a failure"; exit 1; }
# a job that fails once: run again with --retries 1, a failure without
mkdir "$TMP/flaky"
for p in "$BIN"/vchain-*; do ln -s "$p" "$TMP/flaky/"; done
rm "$TMP/flaky/vchain-parse"
cat > "$TMP/flaky/vchain-parse" <<EOF
#!/bin/sh
[ -e "$TMP/failed-once" ] || { touch "$TMP/failed-once"; echo "vchain-parse: flaky" >&2; exit 1; }
exec "$BIN/vchain-parse" "\$@"
EOF
chmod +x "$TMP/flaky/vchain-parse"
if sh "$VP" -j 1 -n 2 --bin "$TMP/flaky" --tmpdir "$TMP/tmp" -o "$TMP/r0" --report funnel "$TMP/a1" 2> /dev/null; then
	echo "a failed job passed without --retries"; exit 1
fi
rm -f "$TMP/failed-once"
sh "$VP" -j 1 -n 2 --retries 1 --bin "$TMP/flaky" --tmpdir "$TMP/tmp" -o "$TMP/r1" --report funnel "$TMP/a1" 2> /dev/null
"$BIN/vchain-parse" "$TMP/a1" | "$BIN/vchain-dedupe" | "$BIN/vchain-sort" | "$BIN/vchain-stage" |
	"$BIN/vchain-aggregate" --report funnel | cmp - "$TMP/r1/funnel.ndjson"
# usage errors
for args in "" "--report funnel" "-n 0 --report funnel $TMP/a1" "-j x --report funnel $TMP/a1" "--bogus $TMP/a1"; do
	st=0
	# shellcheck disable=SC2086
	sh "$VP" $args > /dev/null 2>&1 || st=$?
	[ "$st" -eq 2 ] || { echo "'$args': status $st"; exit 1; }
done
