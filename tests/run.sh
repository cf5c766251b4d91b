#!/bin/sh
# run.sh BUILD_DIR... - the whole suite against each build (plain, sanitized).
#
# For each build: the cmocka unit tests (tests/unit, TAP output), then for
# each filter directory tests/vchain-*/:
#   CASE.args  [CASE.in CASE.out CASE.err CASE.status]  a golden case: the
#              filter runs in that directory with the words of CASE.args,
#              stdin from CASE.in (else /dev/null); stdout must equal
#              CASE.out (else be empty), stderr CASE.err (else be empty),
#              the exit status CASE.status (else 0). CASE.sed, if there,
#              edits stdout first: what differs by machine (--help's
#              number of CPUs) made the same.
#   NAME.sh    a scripted test: exit 0 passes, 77 skips (with a reason on
#              stdout), anything else fails. It gets BIN, RUN, DATA, TMP.
# Pins LC_ALL=C TZ=UTC, and python3 to Debian's where it is. VALGRIND=1
# runs the filters under valgrind; ONLY="vchain-sort vchain-stage" runs
# those filters' tests (and the units);
# tests/matrix holds tests of every filter, tests/scripts those of scripts/.
# On a machine of 2 CPUs or more (SERIAL=1: one build after another, in
# one run), two runs a CPU take the tests of all the builds from one queue,
# each the next test not yet taken (tests/scripts' all together: they share
# GNU parallel's files in $HOME), and each run's report is printed when all
# are done: a CPU is not idle while tests are left, and a test that waits
# (ssh logins, time-outs) leaves its CPU to the other run. A unit test
# binary, a golden case or a scripted test still running after
# TEST_TIMEOUT seconds (default 600; 0: no limit) is stopped and fails:
# a hang (a lost wake-up among threads) is a failure, not a CI run that
# never ends.
# Ends with the line "N passed, N failed, N skipped".
set -u
export LC_ALL=C TZ=UTC
top=$(cd "$(dirname "$0")/.." && pwd)
export DATA="$top/../shared/data"
pass=0 fail=0 skip=0
failed=
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'rm -rf "$tmp"; echo "run.sh: interrupted" >&2; exit 130' INT TERM
# The tests' python3 is Debian's (make deps installs it and its jsonschema)
# where PATH finds another first: a pyenv shim is a bash script that took
# 0.4 s a call against 0.03 s, and the suites call python3 about 300 times.
if [ -z "${QUEUE:-}" ] && [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]; then
	mkdir "$tmp/bin" && ln -s /usr/bin/python3 "$tmp/bin/python3" && PATH="$tmp/bin:$PATH" && export PATH
fi

if [ "${VALGRIND:-}" = 1 ]; then
	RUN="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
else
	RUN=
fi
export RUN
# timeout --foreground: Ctrl-C still reaches the test; on time out, the test's own process is ended
TO=
if [ "${TEST_TIMEOUT:-600}" != 0 ] && command -v timeout > /dev/null; then
	TO="timeout --foreground -k 10 ${TEST_TIMEOUT:-600}"
fi

ok() { pass=$((pass + 1)); [ -n "${VERBOSE:-}" ] && echo "PASS $1"; return 0; }
bad() { fail=$((fail + 1)); failed="$failed $1"; echo "FAIL $1"; }

# mine: this run takes the next test. A run given QUEUE (a directory) is
# one of several going through the same tests in the same order: it takes
# test N when it is first to make the file QUEUE/N (noclobber: O_EXCL,
# without a fork), and makes no runs of its own.
child=${QUEUE:+1} item=0
mine() {
	item=$((item + 1))
	[ -n "$child" ] || return 0
	set -C
	if true 2> /dev/null > "$QUEUE/$item"; then set +C; return 0; fi
	set +C
	return 1
}

run_units() {	# BUILD
	for t in "$1"/tests/test_*; do
		[ -x "$t" ] || continue
		mine || continue
		CMOCKA_MESSAGE_OUTPUT=TAP $TO $RUN "$t" > "$tmp/tap" 2>&1
		rc=$?
		[ $rc -ne 124 ] && [ $rc -ne 137 ] || echo "not ok - $t: still running after ${TEST_TIMEOUT:-600} s, stopped" >> "$tmp/tap"
		n_ok=$(grep -c '^ok ' "$tmp/tap")
		n_bad=$(grep -c '^not ok ' "$tmp/tap")
		pass=$((pass + n_ok))
		if [ "$n_bad" -gt 0 ] || [ $rc -ne 0 ]; then
			[ "$n_bad" -eq 0 ] && n_bad=1
			fail=$((fail + n_bad))
			failed="$failed $t"
			echo "FAIL $t"
			grep -v '^ok ' "$tmp/tap" | head -30
		fi
	done
}

run_golden() {	# BUILD FILTER_DIR CASE
	b=$1 dir=$2 c=$3
	f=$(basename "$dir")
	name="$b:$f/$c"
	want_status=0
	[ -f "$dir/$c.status" ] && want_status=$(cat "$dir/$c.status")
	input=/dev/null
	[ -f "$dir/$c.in" ] && input="$dir/$c.in"
	(cd "$dir" && eval "exec $TO $RUN \"$top/$b/$f\" $(cat "$c.args")") \
		< "$input" > "$tmp/out" 2> "$tmp/err"
	st=$?
	if [ -f "$dir/$c.sed" ]; then
		sed -f "$dir/$c.sed" "$tmp/out" > "$tmp/out.sed" && mv "$tmp/out.sed" "$tmp/out"
	fi
	: > "$tmp/empty"
	exp_out="$dir/$c.out"; [ -f "$exp_out" ] || exp_out="$tmp/empty"
	exp_err="$dir/$c.err"; [ -f "$exp_err" ] || exp_err="$tmp/empty"
	if [ "$st" != "$want_status" ]; then
		bad "$name"; echo "  exit status $st, expected $want_status"; sed 's/^/  stderr: /' "$tmp/err" | head -5
	elif ! cmp -s "$tmp/out" "$exp_out"; then
		bad "$name"; diff "$exp_out" "$tmp/out" | head -20 | sed 's/^/  /'
	elif ! cmp -s "$tmp/err" "$exp_err"; then
		bad "$name"; diff "$exp_err" "$tmp/err" | head -20 | sed 's/^/  /'
	else
		ok "$name"
	fi
}

run_script() {	# BUILD FILTER_DIR SCRIPT
	b=$1 dir=$2 s=$3
	name="$b:$(basename "$dir")/$s"
	mkdir -p "$tmp/s" && rm -rf "$tmp/s"/*
	(cd "$dir" && BIN="$top/$b" TMP="$tmp/s" TOP="$top" $TO sh "./$s") > "$tmp/log" 2>&1
	st=$?
	[ $st -ne 124 ] && [ $st -ne 137 ] || echo "still running after ${TEST_TIMEOUT:-600} s: stopped" >> "$tmp/log"
	if [ $st -eq 0 ]; then
		ok "$name"
	elif [ $st -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$tmp/log")"
	else	# the status too: a test killed by a signal, or failing a silent check, leaves no log
		bad "$name"; echo "  exit status $st"; tail -n 20 "$tmp/log" | sed 's/^/  /'
	fi
}

[ $# -gt 0 ] || set -- build
# Two runs a CPU, all taking from one queue; each run's report shown whole
# when all have ended, then the sum.
cpus=$(nproc 2> /dev/null || echo 1)
if [ -z "${SERIAL:-}" ] && [ -z "$child" ] && [ "$cpus" -gt 1 ]; then
	runs=$((2 * cpus))
	echo "run.sh: the suites of $* at once, in $runs runs taking the tests from one queue (SERIAL=1: in turn); each run's report when all are done"
	mkdir "$tmp/queue"
	k=0
	while [ $k -lt $runs ]; do
		QUEUE="$tmp/queue" sh "$0" "$@" > "$tmp/run.$k" 2>&1 &
		k=$((k + 1))
	done
	wait
	k=0
	while [ $k -lt $runs ]; do
		r="$tmp/run.$k"
		k=$((k + 1))
		sed '$d' "$r" | grep -v '^failed:'
		failed="$failed$(sed -n 's/^failed://p' "$r")"
		set -- $(tail -n 1 "$r")
		case "${1:-}.${3:-}.${5:-}" in
		*[!0-9.]*|.*|*..*|*.) echo "run.sh: run $k of $runs ended without its counts"; fail=$((fail + 1)); failed="$failed run-$k" ;;
		*) pass=$((pass + $1)) fail=$((fail + $3)) skip=$((skip + $5)) ;;
		esac
	done
	[ $fail -gt 0 ] && echo "failed:$failed"
	echo "$pass passed, $fail failed, $skip skipped"
	[ $fail -eq 0 ]
	exit
fi
for b in "$@"; do
	[ -d "$top/$b" ] || { echo "run.sh: no build in $b" >&2; exit 2; }
	run_units "$top/$b"
	for dir in "$top"/tests/vchain-*/ "$top"/tests/matrix/ "$top"/tests/scripts/; do
		dir=${dir%/}
		case " ${ONLY:-$(basename "$dir")} " in	# ONLY="vchain-sort matrix ...": those tests
		*" $(basename "$dir") "*) ;;
		*) continue ;;
		esac
		# a filter's tests without its program fail: a missing binary is no pass
		# (tests/matrix runs every filter, tests/scripts the scripts: each names what it needs)
		if [ "$(basename "$dir")" != matrix ] && [ "$(basename "$dir")" != scripts ] &&
			[ ! -x "$top/$b/$(basename "$dir")" ]; then
			mine || continue	# (said once, by the run that takes it)
			bad "$b:$(basename "$dir")"
			echo "  no program $b/$(basename "$dir") to test"
			continue
		fi
		for a in "$dir"/*.args; do
			[ -f "$a" ] || continue
			mine || continue
			c=$(basename "$a" .args)
			run_golden "$b" "$dir" "$c"
		done
		whole=	# tests/scripts: taken whole, by one run
		if [ "$(basename "$dir")" = scripts ]; then mine || continue; whole=1; fi
		for s in "$dir"/*.sh; do
			[ -f "$s" ] || continue
			[ -n "$whole" ] || mine || continue
			t0=$(date +%s)
			run_script "$b" "$dir" "$(basename "$s")"
			# TIMES=1: each scripted test's seconds, to keep make check within its budget
			[ -z "${TIMES:-}" ] || echo "TIME $(( $(date +%s) - t0 )) s $b:$(basename "$dir")/$(basename "$s")"
		done
	done
done

[ $fail -gt 0 ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
