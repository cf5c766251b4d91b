# --progress: on a terminal, bytes of the total, percentage and rate on
# stderr, cleared at the end; nothing at all when stderr is no terminal.
set -eu
"$BIN/vchain-gen" --seed 2 --events 20000 --format csv > "$TMP/g.csv"
"$BIN/vchain-parse" --progress "$TMP/g.csv" > "$TMP/out" 2> "$TMP/err"
[ ! -s "$TMP/err" ]
command -v script > /dev/null || { echo "skipped: script(1) not installed, no terminal to test with"; exit 77; }
script -qec "'$BIN/vchain-parse' --progress '$TMP/g.csv' > '$TMP/out2'" /dev/null > "$TMP/tty" < /dev/null
cmp "$TMP/out" "$TMP/out2"
grep -q "vchain-parse: .* of .* (1*[0-9]*%), .*B/s" "$TMP/tty"
# the line is cleared at the end
tail -c 8 "$TMP/tty" | od -c | grep -q 'K'
