# --help of every program and script: status 0, the text on stdout and
# nothing on stderr, its first line the usage of that program, every line
# within 80 columns (a terminal's width), and no printf escape left in it
# (vchain-parse's help once printed strptime's %Y as "%%Y": a string for
# printf written with fputs). The filters' --version names them.
set -eu
for p in parse dedupe sort stage attribute aggregate rank-advocates partition gen; do
	set -- "$@" "$BIN/vchain-$p"
done
set -- "$@" "$TOP/scripts/vchain-parallel" "$TOP/scripts/vchain-report"
for prog in "$@"; do
	name=$(basename "$prog")
	"$prog" --help > "$TMP/out" 2> "$TMP/err" || { echo "$name --help: exit status $?"; exit 1; }
	[ ! -s "$TMP/err" ] || { echo "$name --help wrote to stderr:"; cat "$TMP/err"; exit 1; }
	head -n 1 "$TMP/out" | grep -q "^usage: $name " || { echo "$name --help does not start with its usage:"; head -n 3 "$TMP/out"; exit 1; }
	awk -v n="$name" 'length > 80 { printf "%s --help, line %d is %d columns:\n%s\n", n, NR, length, $0; bad = 1 }
		END { exit bad }' "$TMP/out"
	if grep -n '%%' "$TMP/out"; then echo "$name --help shows a printf escape"; exit 1; fi
	case $name in
	vchain-parallel|vchain-report) ;;
	*) "$prog" --version | grep -q "^$name [0-9]" || { echo "$name --version:"; "$prog" --version; exit 1; } ;;
	esac
done
