#!/bin/sh
# soak.sh BUILD [EVENTS...] - the long run (make soak; not part of make check).
# For each count (default 1M, 10M, 100M): generated events written to disk
# as ten gzip archives, then
#   1. vchain-parse | vchain-dedupe --window 24h | vchain-stage |
#      vchain-aggregate --report funnel over the archives, each stage's
#      counts checked to add up from one to the next;
#   2. the staged stream split in ten (people across the parts), each part
#      aggregated --partial, merged with --merge: the same funnel, byte for
#      byte;
#   3. vchain-attribute --summary and vchain-rank-advocates over the
#      staged stream: attribute's counts add up to the records read, each
#      model's conversions to the conversions; and both again from ten
#      shards of people (vchain-partition -k user_id), --partial then
#      --merge: the same output byte for byte;
#   4. vchain-sort over the archives in reverse order: as many records out
#      as in, and in order (vchain-sort -c);
# with each stage's peak RSS, and the seconds, in a table at the end.
# SOAK_DIR (default /tmp/vchain-soak) holds the archives, kept between runs.
set -eu
B=${1:-build}
shift || true
[ $# -gt 0 ] || set -- 1000000 10000000 100000000
top=$(cd "$(dirname "$0")/.." && pwd)
case $B in /*) ;; *) B="$top/$B" ;; esac
D=${SOAK_DIR:-/tmp/vchain-soak}
mkdir -p "$D"
T=/usr/bin/time
[ -x $T ] || { echo "soak: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
if command -v igzip > /dev/null 2>&1; then Z="igzip -1 -c"; else Z="gzip -1 -c"; fi
table="$D/table.tsv"
: > "$table"
fail() { echo "soak: $*" >&2; exit 1; }
# cmd... with peak RSS (KB) and seconds to $D/t.NAME
timed() { name=$1; shift; $T -f '%M %e' -o "$D/t.$name" "$@"; }
row() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$(cut -d' ' -f1 "$D/t.$2")" "$(cut -d' ' -f2 "$D/t.$2")" >> "$table"; }
num() { grep -v '^vchain-[a-z]*: stopped' "$2" | grep "$1 [0-9]" | tail -n 1 | grep -o "$1 [0-9][0-9]*" | head -n 1 | awk '{ print $NF }'; }

for N in "$@"; do
	A="$D/$N"
	mkdir -p "$A"
	if [ ! -s "$A/done" ]; then
		echo "soak: generating $N events as ten gzip archives in $A"
		rm -f "$A"/part-*.ndjson.gz
		"$B/vchain-gen" --seed 1 --events "$N" |
			split -d -a 2 -l $(((N + 9) / 10)) --filter="$Z > \$FILE.ndjson.gz" - "$A/part-"
		echo "$N" > "$A/done"
	fi
	set -- "$A"/part-*.ndjson.gz
	echo "soak: $N events: the pipeline"
	timed parse "$B/vchain-parse" --stats "$@" 2> "$D/e.parse" |
		timed dedupe "$B/vchain-dedupe" --stats --window 24h 2> "$D/e.dedupe" |
		timed stage "$B/vchain-stage" --stats 2> "$D/e.stage" |
		tee "$D/staged.ndjson" |
		timed funnel "$B/vchain-aggregate" --stats --report funnel 2> "$D/e.funnel" > "$D/funnel.ndjson"
	for s in parse dedupe stage funnel; do row "$N" $s; done
	# the counts, one stage to the next
	p_read=$(num "read" "$D/e.parse"); p_out=$(num "written" "$D/e.parse")
	[ "$p_read" = "$N" ] && [ "$p_out" = "$N" ] || fail "parse read $p_read, wrote $p_out of $N: $(cat "$D/e.parse")"
	d_read=$(num "read" "$D/e.dedupe"); d_kept=$(num "kept" "$D/e.dedupe"); d_drop=$(num "dropped" "$D/e.dedupe")
	[ "$d_read" = "$p_out" ] && [ $((d_kept + d_drop)) -eq "$d_read" ] || fail "dedupe: $(cat "$D/e.dedupe")"
	s_read=$(num "read" "$D/e.stage")
	[ "$s_read" = "$d_kept" ] || fail "stage read $s_read, dedupe kept $d_kept"
	[ "$(wc -l < "$D/staged.ndjson")" -eq "$d_kept" ] || fail "stage wrote other than it read"
	f_read=$(num "read" "$D/e.funnel")
	[ "$f_read" = "$d_kept" ] || fail "funnel read $f_read, stage wrote $d_kept"
	echo "soak: $N events: parse $p_out, dedupe kept $d_kept (dropped $d_drop), stage $s_read, funnel read $f_read"
	# the same funnel from ten parts of the staged stream, merged
	echo "soak: $N events: ten --partial results, merged"
	rm -f "$D"/staged-*
	split -d -a 2 -l $(((d_kept + 9) / 10)) "$D/staged.ndjson" "$D/staged-"
	for f in "$D"/staged-[0-9][0-9]; do
		"$B/vchain-aggregate" --partial --report funnel "$f" > "$f.partial"
	done
	timed merge "$B/vchain-aggregate" --merge "$D"/staged-*.partial > "$D/merged.ndjson"
	row "$N" merge
	cmp "$D/funnel.ndjson" "$D/merged.ndjson" || fail "the merged funnel differs from the one-pass funnel"
	rm -f "$D"/staged-*
	# attribution and the advocates: one pass, then ten shards of people merged
	echo "soak: $N events: vchain-attribute and vchain-rank-advocates, one pass and ten shards merged"
	timed attribute "$B/vchain-attribute" --stats --summary "$D/staged.ndjson" 2> "$D/e.attr" > "$D/attr.ndjson"
	timed advocates "$B/vchain-rank-advocates" -n 100 "$D/staged.ndjson" > "$D/adv.ndjson"
	row "$N" attribute
	row "$N" advocates
	a_read=$(num "read" "$D/e.attr")
	set -- $(sed -n 's/.*read [0-9]*: \([0-9]*\) touches, \([0-9]*\) conversions.*, \([0-9]*\) other; \([0-9]*\) touches without.*/\1 \2 \3 \4/p' "$D/e.attr")
	[ $# -eq 4 ] && [ "$a_read" = "$d_kept" ] && [ $(($1 + $2 + $3 + $4)) -eq "$a_read" ] ||
		fail "attribute read $a_read of $d_kept, counts do not add up: $(cat "$D/e.attr")"
	conv=$2
	jq -r '"\(.model) \(.conversions)"' "$D/attr.ndjson" | awk -v c="$conv" '
		{ s[$1] += $2 }
		END { for (m in s) if (s[m] - c > 1e-6 || c - s[m] > 1e-6) { print m, s[m], c; bad = 1 } exit bad }' ||
		fail "a model's conversions do not add up to the $conv conversions"
	rm -rf "$D/shards" && mkdir "$D/shards"
	"$B/vchain-partition" -n 10 -k user_id -o "$D/shards/s-%d" "$D/staged.ndjson"
	for f in "$D"/shards/s-*; do
		"$B/vchain-attribute" --partial "$f" > "$f.attr"
		"$B/vchain-rank-advocates" --partial "$f" > "$f.adv"
	done
	"$B/vchain-attribute" --merge --summary "$D"/shards/*.attr | cmp - "$D/attr.ndjson" ||
		fail "attribution merged from ten shards differs from one pass"
	"$B/vchain-rank-advocates" --merge -n 100 "$D"/shards/*.adv | cmp - "$D/adv.ndjson" ||
		fail "the advocates merged from ten shards differ from one pass"
	echo "soak: $N events: attribute read $a_read ($conv conversions), $(wc -l < "$D/adv.ndjson") advocates ranked; merged shards identical"
	rm -rf "$D/shards" "$D/staged.ndjson" "$D/attr.ndjson" "$D/adv.ndjson"
	# sort: the archives last to first, as many out as in, in order
	echo "soak: $N events: vchain-sort"
	rev=$(ls -r "$A"/part-*.ndjson.gz)
	timed sort "$B/vchain-sort" -T "$D" --stats $rev 2> "$D/e.sort" | timed sortcheck "$B/vchain-sort" -c > /dev/null
	row "$N" sort
	[ "$(num records "$D/e.sort")" = "$N" ] || fail "sort: $(cat "$D/e.sort")"
	[ -z "$(find "$D" -mindepth 1 -maxdepth 1 -name 'vchain-*' -newer "$A/done" 2>/dev/null)" ] || fail "sort left temporary files"
done
echo
echo "soak: peak RSS (MB) and seconds by stage and events"
awk -F'\t' '{ printf "%-12s %-8s %10.1f MB %9.1f s\n", $1, $2, $3 / 1024, $4 }' "$table"
echo "soak: passed"
