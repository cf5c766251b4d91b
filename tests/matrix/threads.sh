# No filter's output depends on the number of threads: each filter, on one
# input of about 75 chunks, gives at -j 2, 3, 4 and 7 exactly the bytes
# (records, reports, rejects and messages) it gives at -j 1; read from the
# file (every thread reads chunks in turn) and from a pipe (one reader).
set -eu
"$BIN/vchain-gen" --seed 31 --events 60000 > "$TMP/raw"
# a few bad records, far apart, for the filters that set them aside
awk 'NR == 1000 || NR == 41000 { print "{\"broken\":"; next } { print }' "$TMP/raw" > "$TMP/bad"
"$BIN/vchain-stage" "$TMP/raw" > "$TMP/staged"
"$BIN/vchain-sort" "$TMP/raw" > "$TMP/sorted"
"$BIN/vchain-stage" "$TMP/sorted" > "$TMP/sorted-staged"
n=0
same() {	# NAME INPUT FILTER ARGS...: the filter's stdout and stderr at each -j are -j 1's
	name=$1 in=$2; shift 2
	f=$1; shift
	for j in 1 2 3 4 7; do
		rm -f "$TMP/rej"
		set +e
		$RUN "$BIN/$f" -j $j "$@" "$in" > "$TMP/o$j" 2> "$TMP/e$j"
		echo $? > "$TMP/s$j"
		[ ! -f "$TMP/rej" ] || cat "$TMP/rej" >> "$TMP/o$j"	# the records set aside, after the output
		rm -f "$TMP/rej"
		cat "$in" | $RUN "$BIN/$f" -j $j "$@" > "$TMP/po$j" 2> "$TMP/pe$j"
		echo $? > "$TMP/ps$j"
		[ ! -f "$TMP/rej" ] || cat "$TMP/rej" >> "$TMP/po$j"
		set -e
		sed -i "s#$in#INPUT#g; s#<stdin>#INPUT#g" "$TMP/e$j" "$TMP/pe$j"
		[ "$(cat "$TMP/s$j")" -le 1 ] || { echo "$name -j $j: status $(cat "$TMP/s$j")"; cat "$TMP/e$j"; exit 1; }
		for x in o e s; do
			cmp -s "$TMP/$x$j" "$TMP/${x}1" || { echo "$name -j $j: $x differs from -j 1"; exit 1; }
			cmp -s "$TMP/p$x$j" "$TMP/${x}1" || { echo "$name -j $j, from a pipe: $x differs from -j 1"; exit 1; }
		done
	done
	[ -s "$TMP/o1" ] || { echo "$name: no output"; exit 1; }
	n=$((n + 1))
}
same parse "$TMP/raw" vchain-parse --stats
same "parse --rejects" "$TMP/bad" vchain-parse --stats --rejects "$TMP/rej"
[ "$(grep -c '"broken":' "$TMP/o1")" -eq 2 ] && grep -q 'INPUT:41000: .*(set aside)' "$TMP/e1" ||
	{ echo "parse --rejects: not the 2 records set aside"; exit 1; }
same "parse, stopping" "$TMP/bad" vchain-parse
[ "$(cat "$TMP/s1")" -eq 1 ] && [ "$(wc -l < "$TMP/o1")" -eq 999 ] && grep -q 'INPUT:1000: ' "$TMP/e1" ||
	{ echo "parse: not stopped at line 1000"; exit 1; }
same dedupe "$TMP/raw" vchain-dedupe --stats
same "dedupe --window" "$TMP/raw" vchain-dedupe --window 1d
same sort "$TMP/raw" vchain-sort
same "sort -k user_id,ts" "$TMP/raw" vchain-sort -k user_id,ts --missing last
same stage "$TMP/raw" vchain-stage
same "stage --journeys" "$TMP/sorted" vchain-stage --journeys
same "aggregate -g" "$TMP/raw" vchain-aggregate -g platform,type -a count,sum:revenue,distinct:user_id,p90:revenue
same "aggregate distinct" "$TMP/raw" vchain-aggregate -a distinct:user_id
same "aggregate --report funnel" "$TMP/staged" vchain-aggregate --report funnel
same "aggregate --report funnel --partial" "$TMP/staged" vchain-aggregate --report funnel -g platform --partial
same "aggregate --report roi" "$TMP/staged" vchain-aggregate --report roi -g campaign
same "attribute --summary" "$TMP/sorted-staged" vchain-attribute --summary
same "attribute credits" "$TMP/sorted-staged" vchain-attribute -m first,linear,position
same "rank-advocates --include-fans" "$TMP/sorted-staged" vchain-rank-advocates --include-fans -n 200
same "rank-advocates --summary" "$TMP/sorted-staged" vchain-rank-advocates --summary
same "partition --keyed" "$TMP/raw" vchain-partition --keyed
echo "$n filters and modes the same at -j 1 2 3 4 7, from a file and from a pipe"
