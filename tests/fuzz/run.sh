#!/bin/sh
# run.sh SECONDS TARGET... - run each libFuzzer target for SECONDS, with a
# corpus in build/fuzz/corpus/<target> seeded from tests/fuzz/seeds and
# ../shared/data. Fails if any target finds a crash (kept as crash-* files).
# The targets run a CPU each at once, each one's lines printed in order.
set -u
secs=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
data="$top/../shared/data"
status=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fuzz_one() {	# TARGET: its lines in $out/NAME, and $out/NAME.failed when it failed
	t=$1
	name=$(basename "$t")
	corpus="$top/build/fuzz/corpus/$name"
	mkdir -p "$corpus"
	case $name in
	fuzz_json)
		cp "$top"/tests/vchain-parse/*.in "$corpus"/ 2>/dev/null
		[ -d "$data/JSONTestSuite" ] && cp "$data"/JSONTestSuite/test_parsing/*.json "$corpus"/ ;;
	fuzz_ts)
		for s in "2024-03-01T12:34:56+01:00" "1700000000123" "[10/Oct/2000:13:55:36 -0700]" \
			"Wed Oct 10 20:19:24 +0000 2018" "2024-02-29T23:59:59.5Z"; do
			printf '%s' "$s" > "$corpus/seed-$(printf '%s' "$s" | cksum | cut -d' ' -f1)"
		done ;;
	fuzz_profile)
		# each shipped profile, a NUL, a record; the Google Ads fixture as a file's first lines
		for f in "$top"/schemas/profiles/*.profile; do
			{ cat "$f"; printf '\0%s' '2024-01-01,17.0,3,2.5,IG'; } > "$corpus/seed-$(basename "$f" .profile)"
		done
		cp "$top"/tests/vchain-parse/google-ads-campaigns.csv "$corpus"/seed-google-ads-csv ;;
	fuzz_twitter)
		for f in "$data"/twitter-v1.1-python-twitter/*.ndjson "$data"/twitter-v2-twarc/*.jsonl; do
			[ -f "$f" ] && head -n 20 "$f" | split -l 1 - "$corpus/seed-$(basename "$f")-"
		done ;;
	fuzz_merge)
		# partial results of each filter that merges, and the paths --from-paths reads
		b="$top/build"
		if [ -x "$b/vchain-gen" ]; then
			"$b/vchain-gen" --seed 5 --events 400 | "$b/vchain-stage" > "$corpus/.ev" &&
			{ printf 'a'; "$b/vchain-aggregate" --partial -g platform -a count,distinct:user_id,sum:revenue,p90:revenue "$corpus/.ev"; } > "$corpus/seed-agg" &&
			{ printf 'a'; "$b/vchain-aggregate" --partial --report funnel "$corpus/.ev"; } > "$corpus/seed-funnel" &&
			{ printf 'b'; "$b/vchain-attribute" --partial "$corpus/.ev"; } > "$corpus/seed-attr" &&
			{ printf 'c'; "$b/vchain-rank-advocates" --partial "$corpus/.ev"; } > "$corpus/seed-adv" &&
			{ printf 'd'; "$b/vchain-attribute" --paths "$corpus/.ev"; } > "$corpus/seed-paths"
			rm -f "$corpus/.ev"
		fi
		[ -d "$data/channelattribution" ] && for f in "$data"/channelattribution/*; do
			[ -f "$f" ] && { printf 'd'; head -c 4000 "$f"; } > "$corpus/seed-ca-$(basename "$f")"
		done ;;
	fuzz_csv)
		[ -d "$data/csv-spectrum" ] && cp "$data"/csv-spectrum/csvs/*.csv "$corpus"/
		[ -d "$data/csv-commons-csv" ] && cp "$data"/csv-commons-csv/CSVFileParser/*.csv "$corpus"/ ;;
	fuzz_sortkey)
		for f in "$top"/tests/vchain-sort/*.in; do split -l 1 "$f" "$corpus/seed-$(basename "$f" .in)-"; done
		printf '%s' '{"event_id":"e1","ts":"2024-03-01T12:34:56Z","type":"like","event_id":"a"}' > "$corpus/seed-repeat"
		printf '%s' '{"event_id":"e1","ts":"2024-03-01T12:34:56.5+01:00","user_id":"u","n":-1.5e3}' > "$corpus/seed-any" ;;
	fuzz_access)
		[ -f "$data/access-logs/apache_logs" ] &&
			head -n 200 "$data/access-logs/apache_logs" | split -l 1 - "$corpus/seed-" ;;
	fuzz_input)
		printf 'a\nbb\n' > "$corpus/seed-plain"
		printf 'x\n' | gzip > "$corpus/seed-gz"
		printf 'a\nbb\nccc\n' | python3 "$top/tests/vchain-parse/bgzf.py" --block 3 > "$corpus/seed-bgzf"
		printf 'a\nbb\nccc\ndddd\n' | python3 "$top/tests/vchain-parse/flushed.py" --every 3 > "$corpus/seed-flushed"
		printf 'a\nbb\nccc\ndddd\n' | python3 "$top/tests/vchain-parse/flushed.py" --every 2 --kind mixed > "$corpus/seed-flushed-mixed"
		[ -d "$data/gzip-multimember" ] && cp "$data/gzip-multimember/bgziptest.txt.gz" "$corpus/" ;;
	esac
	echo "fuzz: $name for ${secs}s"
	case $t in /*) ;; *) t="$top/$t" ;; esac
	(cd "$top/build/fuzz" && "$t" -max_total_time="$secs" -max_len=65536 -print_final_stats=0 \
		"$corpus" > "$top/build/fuzz/$name.log" 2>&1) || {
		echo "fuzz: $name FAILED, see build/fuzz/$name.log and build/fuzz/crash-*"
		tail -n 30 "$top/build/fuzz/$name.log"
		: > "$out/$name.failed"
	}
	grep -E '^#[0-9]+.*DONE|stat::number_of_executed_units' "$top/build/fuzz/$name.log" | tail -n 1
}
cpus=$(nproc 2> /dev/null || echo 1)
n=0
for t in "$@"; do
	fuzz_one "$t" > "$out/$(basename "$t")" 2>&1 &
	n=$((n + 1))
	[ $((n % cpus)) -ne 0 ] || wait
done
wait
for t in "$@"; do
	cat "$out/$(basename "$t")"
	[ ! -e "$out/$(basename "$t").failed" ] || status=1
done
exit $status
