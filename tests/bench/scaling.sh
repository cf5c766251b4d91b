#!/bin/sh
# scaling.sh BUILD_DIR - how the filters scale with threads on this machine:
# each filter, and the four-stage pipeline over a .gz archive, at -j 1 2 4
# ... N (N: the CPUs this process may use), as median (or best) wall seconds and the
# speed-up over -j 1 (the runs of each -j taken in turn, so that a slow
# spell of a shared machine falls on all alike); then each filter reading
# a pipe (cat f | F, and splicecat f | F: the file moved into the pipe by
# splice(2), no copy, so what is left is the reader's own cost) against
# reading the file, and the pipeline's wall time
# against the CPU seconds its four stages take one after another. Numbers
# are printed, never asserted (make bench runs it).
#
#   SCALE_EVENTS  events to generate (default 3000000, about 480 MB of NDJSON)
#   SCALE_RUNS    runs per measurement (default 3)
#   SCALE_STAT    median (default), or best: the fastest run, as issue 18's
#                 own table (best of 2) was measured; on a shared machine a
#                 slow spell then falls out instead of into the middle
#   BENCH_DIR     where the data lives (default bench-data, shared with bench.sh)
set -u
export LC_ALL=C
B=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
EVENTS=${SCALE_EVENTS:-3000000}
RUNS=${SCALE_RUNS:-3}
STAT=${SCALE_STAT:-median}
case $STAT in median | best) ;; *) echo "scaling: SCALE_STAT is median or best, not $STAT" >&2; exit 2 ;; esac
# the median (or the best) of the wall seconds in file $1, one run a line
pick() {
	sort -n "$1" | awk -v s="$STAT" '{ w[NR] = $1 } END { print s == "best" ? w[1] : w[int((NR + 1) / 2)] }'
}
# GNU time to the millisecond (tests/bench/timeit.c, make bench builds it), else GNU time's 10 ms
T="$B/tests/timeit"
[ -x "$T" ] || T=/usr/bin/time
D=${BENCH_DIR:-bench-data}
mkdir -p "$D"
note() { echo "scaling: $*" >&2; }

ncpu=$(nproc 2> /dev/null || echo 1)
js=1
j=2
while [ "$j" -le "$ncpu" ]; do
	js="$js $j"
	j=$((j * 2))
done
case " $js " in *" $ncpu "*) ;; *) js="$js $ncpu" ;; esac

# ---- data (the same files as bench.sh when BENCH_DIR is shared) ----
nd="$D/events-$EVENTS.ndjson"
if [ ! -s "$nd" ]; then
	note "generating $EVENTS events"
	"$B/vchain-gen" --seed 1 --events "$EVENTS" > "$nd.tmp" && mv "$nd.tmp" "$nd"
fi
[ -s "$nd.gz" ] || { note "compressing with gzip -6"; gzip -c "$nd" > "$nd.gz.tmp" && mv "$nd.gz.tmp" "$nd.gz"; }
dd="$D/scale-deduped-$EVENTS.ndjson"
st="$D/scale-staged-$EVENTS.ndjson"
[ -s "$dd" ] || "$B/vchain-dedupe" "$nd" > "$dd"
[ -s "$st" ] || "$B/vchain-stage" "$dd" > "$st"
# in time order, for attribution and advocates
ts="$D/scale-sorted-staged-$EVENTS.ndjson"
[ -s "$ts" ] || { "$B/vchain-sort" "$st" > "$ts.tmp" && mv "$ts.tmp" "$ts"; }
# a many-file archive: the events in 8 daily-rotated .gz files
parts="$D/scale-parts-$EVENTS"
if [ ! -s "$parts/part-8.gz" ]; then
	rm -rf "$parts" && mkdir -p "$parts"
	lines=$(( ($(wc -l < "$nd") + 7) / 8 ))
	split -l "$lines" -d -a 1 "$nd" "$parts/p"
	i=1
	for f in "$parts"/p?; do
		gzip -c "$f" > "$parts/part-$i.gz" && rm -f "$f"
		i=$((i + 1))
	done
fi
# the same as BGZF (bgzip's independent members), written by the tests' zlib writer
bgz="$D/events-$EVENTS.bgz"
[ -s "$bgz" ] || { python3 tests/vchain-parse/bgzf.py < "$nd" > "$bgz.tmp" && mv "$bgz.tmp" "$bgz"; }
# one gzip member cut at flush points (pigz --independent), or the tests' zlib writer of the same
fl="$D/events-$EVENTS.flushed.gz"
if [ ! -s "$fl" ]; then
	if command -v pigz > /dev/null; then
		pigz -i -c "$nd" > "$fl.tmp" && mv "$fl.tmp" "$fl"
	else
		python3 tests/vchain-parse/flushed.py --every 131072 < "$nd" > "$fl.tmp" && mv "$fl.tmp" "$fl"
	fi
fi
size=$(wc -c < "$nd")

# median wall seconds of RUNS runs of sh -c "$1"; the sum of user and system seconds of the same runs' median
med() {
	: > "$D/scale.t"
	r=0
	while [ "$r" -lt "$RUNS" ]; do
		"$T" -f "%e %U %S" -o "$D/scale.1" sh -c "$1" > /dev/null 2> "$D/scale.err" ||
			{ note "failed: $1: $(head -c 300 "$D/scale.err")"; echo "- -"; return; }
		tail -n 1 "$D/scale.1" >> "$D/scale.t"
		r=$((r + 1))
	done
	sort -n "$D/scale.t" | awk -v s="$STAT" '{ w[NR] = $1; c[NR] = $2 + $3 } END { m = s == "best" ? 1 : int((NR + 1) / 2); print w[m], c[m] }'
}

# one timed run of sh -c "$2", appended to file $1 (wall, user, system seconds); 1 when it failed
once() {
	"$T" -f "%e %U %S" -o "$D/scale.1" sh -c "$2" > /dev/null 2> "$D/scale.err" ||
		{ note "failed: $2: $(head -c 300 "$D/scale.err")"; return 1; }
	tail -n 1 "$D/scale.1" >> "$1"
}

# the command $1 with -j $2, copy $3 (@C@, where a copy needs names of its own, becomes $3)
at() {
	echo "$1" | sed "s/@J@/$2/g; s/@C@/$3/g"
}

# row NAME COMMAND-WITH-@J@: the -j values' runs interleaved, so a slow
# spell of the machine falls on all alike; and in the same turns, ncpu
# copies of the -j 1 command at once, each a process of its own: what
# the machine gives ncpu independent jobs, the ceiling of a speed-up
# (a shared host, or vCPUs that are one core's hyperthreads, give ncpu
# busy CPUs less than ncpu times one busy CPU's speed)
row() {
	name=$1 cmd=$2
	line=$(printf '%-38s' "$name")
	base=
	for j in $js; do : > "$D/scale.t$j"; done
	: > "$D/scale.tc"
	copies=
	c=1
	while [ "$c" -le "$ncpu" ]; do
		copies="$copies$(at "$cmd" 1 "$c") & "
		c=$((c + 1))
	done
	copies="${copies}wait"
	r=0
	while [ "$r" -lt "$RUNS" ]; do
		for j in $js; do
			once "$D/scale.t$j" "$(at "$cmd" "$j" "")" || { echo "$line failed"; return; }
		done
		[ "$ncpu" -lt 2 ] || once "$D/scale.tc" "$copies" || { echo "$line failed"; return; }
		r=$((r + 1))
	done
	for j in $js; do
		t=$(pick "$D/scale.t$j")
		rm -f "$D/scale.t$j"
		[ -n "$base" ] || base=$t
		line="$line $(printf '%7s %5s' "$t" "$(awk -v b="$base" -v t="$t" 'BEGIN { if (t > 0) printf "%.2fx", b / t; else print "-" }')")"
	done
	if [ "$ncpu" -ge 2 ]; then
		t=$(pick "$D/scale.tc")
		line="$line $(printf '%7s %5s' "$t" "$(awk -v b="$base" -v t="$t" -v n="$ncpu" 'BEGIN { if (t > 0) printf "%.2fx", n * b / t; else print "-" }')")"
	fi
	rm -f "$D/scale.tc"
	echo "$line"
}

P="$B/vchain-parse" DE="$B/vchain-dedupe" S="$B/vchain-stage" A="$B/vchain-aggregate" SO="$B/vchain-sort"
AT="$B/vchain-attribute" RA="$B/vchain-rank-advocates" PA="$B/vchain-partition" pd="$D/scale-partition"
echo "scaling on $ncpu CPUs, $EVENTS events ($((size / 1000000)) MB of NDJSON), $STAT of $RUNS; seconds and speed-up over -j 1"
[ "$ncpu" -lt 2 ] || echo "last column: $ncpu copies of the -j 1 run at once, and $ncpu x (-j 1) / that: what this machine gives $ncpu independent jobs, a speed-up's ceiling here"
hdr=$(printf '%-38s' "work")
for j in $js; do hdr="$hdr $(printf '%13s' "-j $j")"; done
[ "$ncpu" -lt 2 ] || hdr="$hdr $(printf '%13s' "$ncpu x -j 1")"
echo "$hdr"
row "vchain-parse NDJSON" "$P -j @J@ $nd"
row "vchain-parse one .gz" "$P -j @J@ $nd.gz"
row "vchain-parse 8 .gz files" "$P -j @J@ $parts/part-*.gz"
row "vchain-parse one BGZF file" "$P -j @J@ $bgz"
row "vchain-parse one pigz -i .gz" "$P -j @J@ $fl"
row "vchain-dedupe" "$DE -j @J@ $nd"
row "vchain-stage" "$S -j @J@ $dd"
row "vchain-stage --journeys" "$S -j @J@ --journeys $dd"
row "vchain-aggregate -a distinct:user_id" "$A -j @J@ -a distinct:user_id $st"
row "vchain-aggregate --report funnel" "$A -j @J@ --report funnel $st"
row "vchain-aggregate -g user_id -a count" "$A -j @J@ -g user_id -a count $st"
row "vchain-aggregate --report roi" "$A -j @J@ --report roi $st"
row "vchain-attribute --summary" "$AT -j @J@ --summary $ts"
row "vchain-rank-advocates" "$RA -j @J@ $ts"
row "vchain-partition -n 8 (and rm -rf)" "rm -rf $pd@C@ && mkdir $pd@C@ && $PA -j @J@ -n 8 -o $pd@C@/part-%d $nd"
row "vchain-sort -k user_id,ts" "$SO -j @J@ -k user_id,ts --missing last $nd"
row "pipeline .gz|dedupe|stage|funnel" "$P -j @J@ $nd.gz | $DE -j @J@ | $S -j @J@ | $A -j @J@ --report funnel"

echo
echo "reading a pipe (cat f | F; splicecat f | F, the file put in the pipe without a copy) against the file (F f), default -j:"
SC="$B/tests/splicecat"
[ -x "$SC" ] || SC=
for f in "$P|$nd" "$DE|$nd" "$S|$dd" "$A --report funnel|$st"; do
	cmd=${f%|*} in=${f#*|}
	: > "$D/scale.tf"
	: > "$D/scale.tp"
	: > "$D/scale.ts"
	r=0
	while [ "$r" -lt "$RUNS" ]; do	# in turn, as row does
		once "$D/scale.tf" "$cmd $in" && once "$D/scale.tp" "cat $in | $cmd" || break
		[ -z "$SC" ] || once "$D/scale.ts" "$SC $in | $cmd" || break
		r=$((r + 1))
	done
	file=$(pick "$D/scale.tf")
	pipe=$(pick "$D/scale.tp")
	spl=$(pick "$D/scale.ts")
	rm -f "$D/scale.tf" "$D/scale.tp" "$D/scale.ts"
	printf '  %-32s file %6ss  cat %6ss  cat/file %s' "$(basename "${cmd%% *}")${cmd#"${cmd%% *}"}" "$file" "$pipe" \
		"$(awk -v a="$pipe" -v b="$file" 'BEGIN { printf "%.2f", a / b }')"
	[ -z "$spl" ] || printf '  splice %6ss  splice/file %s' "$spl" "$(awk -v a="$spl" -v b="$file" 'BEGIN { printf "%.2f", a / b }')"
	echo
done

echo
set -- $(med "$P $nd.gz > $D/scale.p")
c1=$2
set -- $(med "$DE $D/scale.p > $D/scale.d")
c2=$2
set -- $(med "$S $D/scale.d > $D/scale.s")
c3=$2
set -- $(med "$A --report funnel $D/scale.s")
c4=$2
set -- $(med "$P $nd.gz | $DE | $S | $A --report funnel")
rm -f "$D/scale.p" "$D/scale.d" "$D/scale.s"
c=1
while [ "$c" -le "$ncpu" ]; do rm -rf "$pd$c"; c=$((c + 1)); done
rm -rf "$pd"
awk -v w="$1" -v a="$c1" -v b="$c2" -v c="$c3" -v d="$c4" -v n="$ncpu" -v mb="$size" 'BEGIN {
	s = a + b + c + d
	printf "pipeline over .gz: wall %.2fs (%.0f MB/s); its stages one after another take %.2f CPU s (%.2f + %.2f + %.2f + %.2f);\n", w, mb / 1e6 / w, s, a, b, c, d
	printf "  wall / (CPU s / %d CPUs) = %.2f (1.00: no CPU idle while work waits)\n", n, w / (s / n)
}'
