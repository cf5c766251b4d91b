# The threads a filter starts by default are the CPUs it may use, and its
# --help says how many: under taskset, its CPUs; in a cgroup with a CPU
# quota (docker --cpus, Kubernetes' limits.cpu), the quota rounded up
# (0.5 CPU: 1, 1.5: 2), however many CPUs its affinity has; in a cgroup
# under one with a quota, that quota. Counted as the process's threads
# (/proc/PID/status) while it waits on an empty FIFO. The quota part
# needs a cgroup v1 cpu hierarchy it may make cgroups in (root); without
# one it is skipped, after the rest has passed.
set -eu
[ -r /proc/self/status ] || { echo "no /proc: skipped"; exit 77; }
case $BIN in *tsan*) echo "skipped under ThreadSanitizer: its own thread, started with the first, is counted"; exit 77 ;; esac
fifo=$TMP/fifo

# COMMAND...: the threads vchain-dedupe runs by default, started by COMMAND (taskset, a cgroup)
threads() {
	rm -f "$fifo"
	mkfifo "$fifo"
	"$@" "$BIN/vchain-dedupe" "$fifo" > /dev/null &
	pid=$!
	last= t=
	i=0
	while [ $i -lt 100 ]; do	# until two looks a tenth of a second apart agree
		sleep 0.1
		t=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2> /dev/null) || t=
		[ -n "$t" ] && [ "$t" = "$last" ] && [ $i -ge 2 ] && break
		last=$t
		i=$((i + 1))
	done
	exec 3> "$fifo"	# a writer, then none: the filter reads an empty input and ends
	exec 3>&-
	wait "$pid" || { echo "vchain-dedupe ended with status $?" >&2; exit 1; }
	echo "$t"
}
said() {	# COMMAND...: the number --help says, started so
	"$@" "$BIN/vchain-dedupe" --help | sed -n 's/.*(default: the CPUs it may use: \([0-9][0-9]*\) here)$/\1/p'
}

n=$(said env)
[ -n "$n" ] || { echo "--help does not say the default number of threads"; exit 1; }
[ "$n" -le "$(nproc --all)" ] || { echo "--help says $n threads, the machine has $(nproc --all) CPUs"; exit 1; }
t=$(threads env)
[ "$t" = "$n" ] || { echo "by default: $t threads, --help says $n"; exit 1; }
if command -v taskset > /dev/null 2>&1; then
	t=$(threads taskset -c 0)
	[ "$t" = 1 ] || { echo "taskset -c 0: $t threads, not 1"; exit 1; }
	[ "$(said taskset -c 0)" = 1 ] || { echo "taskset -c 0: --help says $(said taskset -c 0), not 1"; exit 1; }
fi

# ---- a cgroup with a CPU quota ----
# where this process's cgroup of the v1 cpu hierarchy is
mnt=$(awk '{ split($0, h, " - "); split(h[1], a, " "); split(h[2], b, " ");
	     if (b[1] == "cgroup" && ("," b[3] ",") ~ /,cpu,/) { print a[4] " " a[5]; exit } }' /proc/self/mountinfo)
path=$(awk -F: '("," $2 ",") ~ /,cpu,/ { print $3; exit }' /proc/self/cgroup)
root=${mnt%% *} point=${mnt#* }
case $root in /) rel=$path ;; *) rel=${path#"$root"} ;; esac
[ "$rel" = / ] && rel=
cg=$point$rel/vchain-test-$$
if [ -z "$mnt" ] || [ -z "$path" ] || ! mkdir "$cg" 2> /dev/null; then
	echo "no cgroup v1 cpu hierarchy to make a cgroup in (needs root): the quota part skipped"
	exit 77
fi
trap 'rmdir "$cg/inner" "$cg" 2> /dev/null || :' EXIT
period=$(cat "$cg/cpu.cfs_period_us")
# in cgroup DIR: sh -c "$enter" DIR COMMAND... (a process of its own, which becomes COMMAND: its PID is $!)
enter='echo $$ > "$0/cgroup.procs" && exec "$@"'
echo $((period / 2)) > "$cg/cpu.cfs_quota_us"	# half a CPU
t=$(threads sh -c "$enter" "$cg")
[ "$t" = 1 ] || { echo "quota 0.5 CPU: $t threads, not 1"; exit 1; }
[ "$(said sh -c "$enter" "$cg")" = 1 ] || { echo "quota 0.5 CPU: --help says $(said sh -c "$enter" "$cg"), not 1"; exit 1; }
mkdir "$cg/inner"	# no quota of its own: its parent's holds
t=$(threads sh -c "$enter" "$cg/inner")
[ "$t" = 1 ] || { echo "under a parent's quota of 0.5 CPU: $t threads, not 1"; exit 1; }
if [ "$n" -ge 2 ]; then
	echo $((period * 3 / 2)) > "$cg/cpu.cfs_quota_us"	# 1.5 CPUs: 2 threads
	t=$(threads sh -c "$enter" "$cg")
	[ "$t" = 2 ] || { echo "quota 1.5 CPUs: $t threads, not 2"; exit 1; }
fi
echo -1 > "$cg/cpu.cfs_quota_us"	# none: the CPUs again
t=$(threads sh -c "$enter" "$cg")
[ "$t" = "$n" ] || { echo "no quota: $t threads, not $n"; exit 1; }
# vchain-parallel takes the filters' number, not nproc's: half a CPU, one job at once
echo $((period / 2)) > "$cg/cpu.cfs_quota_us"
echo '{}' > "$TMP/a.ndjson"
sh -c "$enter" "$cg" "$TOP/scripts/vchain-parallel" --bin "$BIN" --dry-run --report funnel -o "$TMP/out" "$TMP/a.ndjson" > "$TMP/dry" 2>&1 ||
	{ echo "vchain-parallel --dry-run failed"; cat "$TMP/dry"; exit 1; }
grep -q -- '^parallel --halt now,fail=1 --retries [0-9]* -j 1 ' "$TMP/dry" ||
	{ echo "vchain-parallel under 0.5 CPU: not one job at once (parallel -j 1)"; cat "$TMP/dry"; exit 1; }
