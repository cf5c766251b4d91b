# A real multi-host run of scripts/vchain-parallel: sshd on 127.0.0.1 with a
# throwaway key (openssh-server installed when absent, as root), two
# "hosts" that are two logins to it, each job in its own work directory, so
# that the archives go out and the parts and results come back through ssh
# and rsync, as GNU parallel moves them. The results are those of one
# process, both hosts did jobs, and sshd is stopped at the end.
set -eu
command -v parallel > /dev/null || { echo "skipped: GNU parallel is not installed (make deps)"; exit 77; }
if [ ! -x /usr/sbin/sshd ] || ! command -v ssh > /dev/null || ! command -v rsync > /dev/null; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q openssh-server openssh-client rsync > "$TMP/apt" 2>&1 ||
			{ apt-get update -q > /dev/null 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y -q openssh-server openssh-client rsync > "$TMP/apt" 2>&1; } ||
			{ echo "skipped: openssh-server could not be installed: $(tail -n 1 "$TMP/apt")"; exit 77; }
	else
		echo "skipped: no sshd, ssh or rsync, and not root to install them"; exit 77
	fi
fi
[ "$(id -u)" -eq 0 ] || { echo "skipped: sshd on a test port needs root here"; exit 77; }
case $BIN in */san|*/tsan) echo "skipped: run once, in the plain build (the same script either way)"; exit 77 ;; esac
d="$TMP/ssh"
mkdir -p "$d" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$d/userkey"
cp "$d/userkey.pub" "$d/authorized_keys"
chmod 600 "$d/authorized_keys"
port=$((20000 + $$ % 20000))
cat > "$d/config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $d/hostkey
AuthorizedKeysFile $d/authorized_keys
PidFile $d/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
MaxStartups 100
MaxSessions 100
SetEnv SHLVL=1
EOF
# (SHLVL=1: bash, as the login's shell, then skips ~/.bashrc, which it
# reads for sshd only as the first shell. The run makes about 110 logins;
# a ~/.bashrc that starts pyenv took 0.7 s of CPU each on the machine this
# was written on, and what this tests is not root's ~/.bashrc.)
/usr/sbin/sshd -f "$d/config" -E "$d/sshd.log" || { echo "skipped: sshd does not start: $(tail -n 2 "$d/sshd.log")"; exit 77; }
stop() { [ -f "$d/sshd.pid" ] && kill "$(cat "$d/sshd.pid")" 2> /dev/null; rm -f "$d/sshd.pid"; }
trap stop EXIT
ssh="ssh -p $port -i $d/userkey -o StrictHostKeyChecking=no -o UserKnownHostsFile=$d/known -o BatchMode=yes -o LogLevel=ERROR"
i=0
until $ssh "$(id -un)@127.0.0.1" true 2> "$d/err"; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || { echo "skipped: cannot log in to the test sshd: $(cat "$d/err")"; exit 77; }
	sleep 0.2
done
printf '1/%s %s@127.0.0.1\n1/%s %s@localhost\n' "$ssh" "$(id -un)" "$ssh" "$(id -un)" > "$d/hosts"

"$BIN/vchain-gen" --seed 14 --events 40000 > "$TMP/all"
split -l 10000 -d -a 1 "$TMP/all" "$TMP/a"
gzip "$TMP/a0" "$TMP/a2"
archives="$TMP/a0.gz $TMP/a1 $TMP/a2.gz $TMP/a3"
# shellcheck disable=SC2086
"$BIN/vchain-parse" $archives | "$BIN/vchain-dedupe" | "$BIN/vchain-sort" | "$BIN/vchain-stage" > "$TMP/staged"
mkdir "$TMP/one" "$TMP/tmp"
for r in funnel roi sla; do "$BIN/vchain-aggregate" --report $r "$TMP/staged" > "$TMP/one/$r.ndjson"; done
"$BIN/vchain-rank-advocates" --include-fans -n 30 "$TMP/staged" > "$TMP/one/advocates.ndjson"
# shellcheck disable=SC2086
sh "$TOP/scripts/vchain-parallel" --sshloginfile "$d/hosts" -j 1 -n 3 --bin "$BIN" --tmpdir "$TMP/tmp" --keep \
	-o "$TMP/out" --report funnel,roi,sla --advocates="--include-fans -n 30" $archives 2> "$TMP/err" ||
	{ cat "$TMP/err"; tail -5 "$d/sshd.log"; exit 1; }
for f in "$TMP"/one/*; do
	cmp "$f" "$TMP/out/$(basename "$f")" || { echo "$(basename "$f") differs from one process's"; exit 1; }
done
# both hosts ran jobs, through ssh
work=$(ls -d "$TMP"/tmp/vchain-parallel.*)
cut -f2 "$work/map.log" "$work/reduce.log" | grep -v '^Host$' | sort -u > "$TMP/used"
[ "$(wc -l < "$TMP/used")" -eq 2 ] || { echo "hosts used: $(cat "$TMP/used")"; exit 1; }
grep -q "Accepted publickey" "$d/sshd.log"
# the parts came back to this machine by rsync, and the jobs' remote work directories were removed
[ -s "$work/m1/part-0.ndjson.gz" ] && [ -s "$work/r0/out-1.partial" ]
# (GNU parallel makes them as ~/.parallel/tmp/HOST-PID-SEQ; it keeps its own sshlogin cache there)
ls -d "$HOME"/.parallel/tmp/*-*-* 2> /dev/null > "$TMP/left" || true
[ ! -s "$TMP/left" ] || { echo "remote work directories left: $(head -3 "$TMP/left")"; exit 1; }
