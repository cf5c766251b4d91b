#!/bin/sh
# demo.sh BUILD_DIR - generate a sample, run scripts/vchain-report on it,
# print the headline and the tables, and say where the page and charts are.
set -eu
B=${1:-build}
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
d=$B/demo
rm -rf "$d"
mkdir -p "$d"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step "vchain-gen --seed 1 --people 30000: a brand's audience over five months, as two daily-style archives"
"$B/vchain-gen" --seed 1 --people 30000 > "$d/sample.ndjson"
split -n l/2 -d -a 1 "$d/sample.ndjson" "$d/archive-"
gzip "$d/archive-0" "$d/archive-1"
rm "$d/sample.ndjson"
ls -l "$d"/archive-*.gz | awk '{ print "  " $NF ": " $5 " bytes" }'
printf 'platform,spend\nfacebook,2500\ninstagram,1800\nx,600\nemail,300\n' > "$d/spend.csv"

step "scripts/vchain-report --spend spend.csv --brand brand -o $d/report $d/archive-*.gz"
sh "$here/vchain-report" --bin "$B" --spend "$d/spend.csv" --brand brand -o "$d/report" "$d"/archive-0.gz "$d"/archive-1.gz

step "the report (report.md without its charts)"
grep -v '^!\[' "$d/report/report.md" | cat -s

step "where it is"
echo "  the page:   $d/report/report.html   (self-contained: open it in any browser, or print it)"
echo "  Markdown:   $d/report/report.md"
echo "  charts:     $(cd "$d/report" && ls *.svg | tr '\n' ' ')"
echo "  results:    every table as NDJSON and CSV in $d/report/"
