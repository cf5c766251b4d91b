# Hadoop Streaming's contract, simulated with sort: each map task's mapper
# (vchain-parse | vchain-partition --keyed) writes KEY<tab>RECORD lines, the
# KeyFieldBasedPartitioner (-k1,1) sends each key to one of R reducers, each
# reducer's input is sorted by key, and the reducer (cut -f2- | vchain-dedupe
# | vchain-sort | vchain-stage | vchain-aggregate --partial) writes one
# part; --merge of the parts is one process's result, for the funnel and
# for sla (whose brand replies cross people). The commands are those of the
# README's hadoop jar line.
set -eu
case $BIN in */san|*/tsan) echo "skipped: run once, in the plain build (a script: its programs are tested under the sanitizers on their own)"; exit 77 ;; esac
"$BIN/vchain-gen" --seed 15 --events 40000 > "$TMP/all"
split -l 10000 -d -a 1 "$TMP/all" "$TMP/split"
"$BIN/vchain-parse" "$TMP/all" | "$BIN/vchain-dedupe" | "$BIN/vchain-sort" | "$BIN/vchain-stage" > "$TMP/staged"
tab=$(printf '\t')
for R in 1 3; do
	for report in funnel sla; do
		mapper="$BIN/vchain-parse | $BIN/vchain-partition --keyed"
		reducer="cut -f2- | $BIN/vchain-dedupe | $BIN/vchain-sort | $BIN/vchain-stage | $BIN/vchain-aggregate --report $report --partial"
		rm -f "$TMP"/map-* "$TMP"/red-* "$TMP"/part-*
		# map tasks, one an input split
		for s in "$TMP"/split?; do sh -c "$mapper" < "$s" > "$TMP/map-$(basename "$s")"; done
		# the partitioner: a key's reducer from its first hex digit, then each reducer's input sorted by key
		cat "$TMP"/map-* | awk -F'\t' -v R="$R" -v dir="$TMP" '{
			r = $1 == "" ? 0 : (index("0123456789abcdef", substr($1, 1, 1)) - 1) % R
			print > (dir "/red-" r) }'
		r=0
		while [ "$r" -lt "$R" ]; do
			touch "$TMP/red-$r"
			sort -t "$tab" -k1,1 "$TMP/red-$r" | sh -c "$reducer" > "$TMP/part-$r"
			r=$((r + 1))
		done
		"$BIN/vchain-aggregate" --merge "$TMP"/part-* > "$TMP/merged"
		"$BIN/vchain-aggregate" --report $report "$TMP/staged" | cmp - "$TMP/merged" ||
			{ echo "R=$R $report: not one process's result"; exit 1; }
	done
done
