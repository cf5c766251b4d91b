# The man pages render without warnings, and document every option that
# --help lists.
set -eu
command -v groff > /dev/null || { echo "skipped: groff not installed"; exit 77; }
for man in "$TOP"/filters/vchain-*.1; do
	f=$(basename "$man" .1)

	groff -mandoc -Tutf8 -ww -z "$man" 2> "$TMP/warn"
	[ ! -s "$TMP/warn" ] || { cat "$TMP/warn"; exit 1; }
	groff -mandoc -Tutf8 "$man" 2> /dev/null | sed 's/.\x08//g' > "$TMP/page"
	"$BIN/$f" --help | grep -o -- '--[a-z][a-z-]*' | sort -u | while read -r opt; do
		grep -q -- "$opt" "$TMP/page" || { echo "$f.1 does not document $opt"; exit 1; }
	done
done
