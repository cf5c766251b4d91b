#!/bin/sh
# deps.sh [bench] - install the Debian packages vchain builds and tests with
# (and, with "bench", the tools the benchmark compares against).
# As root: apt-get installs whatever is missing. Otherwise: prints the exact
# apt-get line and fails, so nothing half-works silently.
# A tool already on PATH from elsewhere (e.g. node) counts as present.
set -eu
# package[:command that stands for it]
pkgs="gcc make libc6-dev libcsv-dev zlib1g-dev libisal-dev libxxhash-dev liblz4-dev libcmocka-dev
jq python3 python3-jsonschema xxhash:xxhsum parallel rsync gnuplot-nox:gnuplot tzdata"
if [ "${1:-}" = check ]; then	# make check's fuzz runs (clang's libFuzzer), ssh, and the report's page checks
	pkgs="$pkgs clang:clang libclang-rt-dev openssh-server:sshd openssh-client:ssh tidy:tidy libxml2-utils:xmllint chromium:chromium pigz:pigz"
fi
if [ "${1:-}" = bench ]; then
	pkgs="$pkgs miller:mlr mawk:mawk isal:igzip time:/usr/bin/time nodejs:node npm:npm valgrind:valgrind pigz:pigz"
fi
missing=
for spec in $pkgs; do
	p=${spec%%:*}
	cmd=${spec#*:}
	[ "$cmd" != "$spec" ] && command -v "$cmd" > /dev/null 2>&1 && continue
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "vchain: missing Debian packages; install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "vchain: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# a fresh machine has no package lists yet
apt-get install -y -q $missing > /dev/null 2>&1 ||
	{ apt-get update -q > /dev/null && apt-get install -y -q $missing > /dev/null; }
