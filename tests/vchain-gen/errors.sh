# Usage errors exit 2 with a message; a full disk exits 1.
set -u
G="$BIN/vchain-gen"
"$G" --events 0 2> "$TMP/e"; [ $? -eq 2 ] && grep -q "^vchain-gen: --events: '0'" "$TMP/e" || exit 1
"$G" --events 5 --people 5 2> "$TMP/e"; [ $? -eq 2 ] && grep -q 'cannot be used together' "$TMP/e" || exit 1
"$G" --format xml 2> "$TMP/e"; [ $? -eq 2 ] || exit 1
"$G" extra 2> "$TMP/e"; [ $? -eq 2 ] && grep -q 'reads no input' "$TMP/e" || exit 1
"$G" --events 100000 > /dev/full 2> "$TMP/e"; [ $? -eq 1 ] && grep -q 'No space left on device' "$TMP/e" || exit 1
"$G" --help | grep -q '^usage: vchain-gen' || exit 1
