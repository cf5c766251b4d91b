# Out of memory at any allocation, vchain-aggregate stops with a message and
# status 1, or writes its whole result: never a crash (a group without its
# state), a silent status 1, or a result with a group missing. Every report,
# -a accumulators, CSV input, --partial and --merge; one thread (the
# allocations then come in one order) and three.
set -eu
so="$BIN/tests/failalloc.so"
[ -f "$so" ] || { echo "no failalloc.so in this build (the sanitizers replace malloc)"; exit 77; }
"$BIN/vchain-gen" --seed 8 --events 3000 | "$BIN/vchain-stage" > "$TMP/st"
"$BIN/vchain-gen" --seed 8 --events 1000 --format csv > "$TMP/in.csv"
walk() {	# INPUT ARGS...
	in=$1
	shift
	"$BIN/vchain-aggregate" "$@" < "$in" > "$TMP/expected"
	sh "$TOP/tests/faults/oom.sh" "$so" "$TMP/expected" "$in" "$BIN/vchain-aggregate" "$@"
}
for j in 1 3; do
	walk "$TMP/st" -j $j --report funnel
	walk "$TMP/st" -j $j --report roi -g campaign --every week
	walk "$TMP/st" -j $j --report sla -g platform --format table
	walk "$TMP/st" -j $j --report engagement
	walk "$TMP/st" -j $j --report listening --every day --format csv
	walk "$TMP/st" -j $j -g platform -a count,sum:revenue,distinct:user_id,p50:revenue,approx_distinct:user_id,min:ts
done
walk "$TMP/in.csv" -j 1 --from csv -g type -a rows,sum:revenue
# thousands of groups in three parts: joined on every thread (a failure
# there leaves each group's state in one place, freed once)
"$BIN/vchain-gen" --seed 8 --events 5000 > "$TMP/many"
walk "$TMP/many" -j 3 -g user_id -a count
export OOM_LAST=300
walk "$TMP/many" -j 3 -g user_id -a count,distinct:platform,p50:revenue
unset OOM_LAST
"$BIN/vchain-aggregate" --partial --report sla -g platform "$TMP/st" > "$TMP/p.sla"
"$BIN/vchain-aggregate" --partial -g platform -a count,stddev:revenue,distinct:user_id,p50:revenue,approx_distinct:user_id,min:ts "$TMP/st" > "$TMP/p.acc"
walk "$TMP/st" -j 1 --partial --report funnel
walk "$TMP/p.sla" -j 1 --merge
walk "$TMP/p.acc" -j 1 --merge
