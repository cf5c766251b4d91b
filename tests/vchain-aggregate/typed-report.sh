# A report's state members are typed: a member whose field is not its
# kind's state type does not compile (report.h's REPORT_MEMBER), so a
# report cannot read one accumulator's state as another's.
set -eu
command -v cc > /dev/null || { echo "no C compiler"; exit 77; }
write() {	# FIELD_TYPE
	cat > "$TMP/r.c" <<EOC
#include "report.h"
struct r { $1 n; };
const struct report_member m[] = { REPORT_MEMBER(struct r, n, A_SUM, "sum:revenue?type=purchase") };
EOC
}
flags="-std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -fsyntax-only -I$TOP/filters/lib -I$BIN/gen"
write A_SUM_t
# shellcheck disable=SC2086
cc $flags "$TMP/r.c"
for t in A_COUNT_t uint64_t A_STDDEV_t A_MIN_t; do
	write "$t"
	# shellcheck disable=SC2086
	if cc $flags "$TMP/r.c" 2> "$TMP/err"; then
		echo "a member of type $t compiled as a sum"
		exit 1
	fi
done
