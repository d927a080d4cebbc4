#!/bin/bash
# SPDX-License-Identifier: MIT
#
# toactl_cli_test.sh TOACTL - what toactl answers before it talks to any
# kernel: --help for every command, and bad arguments refused with one line
# on stderr and exit 2 (usage), whatever is loaded. Runs the real binary on
# the build host; the answers that need toa.ko are in the VM scenario
# 30-toactl-control. Prints "N passed, N failed".
set -uo pipefail
T=${1:?usage: toactl_cli_test.sh path/to/toactl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# expect RC ARGS... - toactl ARGS exits RC; stdout in $tmp/out, stderr in $tmp/err.
expect() {
	local want=$1 rc=0
	shift
	"$T" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
	if ((rc == want)); then
		return 0
	fi
	echo "FAIL toactl $*: exit $rc, expected $want: $(head -c 300 "$tmp/err")"
	return 1
}
ok() { passed=$((passed + 1)); }
ko() { echo "FAIL $*"; failed=$((failed + 1)); }

for cmd in status stats conns lookup config bpf; do
	if expect 0 "$cmd" --help && grep -q "^Usage: toactl" "$tmp/out" &&
		expect 0 help "$cmd" && grep -q "^Usage: toactl" "$tmp/out"; then
		ok
	else
		ko "$cmd --help / help $cmd prints a usage"
	fi
done
if expect 0 --help && grep -q "4 permission denied" "$tmp/out"; then
	ok
else
	ko "--help lists the exit codes"
fi

bad=(
	"" "frob" "-x status" "-n" "--netns=" "status extra" "stats --bogus"
	"conns -Z" "conns -A -n a" "lookup" "lookup 1.2.3.4:1" "lookup 1.2.3.4 1.2.3.5:1"
	"lookup 1.2.3.4:1 [::1]:1" "lookup 1.2.3.4:99999 1.2.3.5:1" "lookup a b c"
	"config frob" "config show x" "config set" "config set x" "config set formats=254/7"
	"config set enabled=maybe" "config set color=red" "conns --port 70000" "conns --port"
	"conns --client 10.0.0.1/8" "conns --balancer x" "conns --count=1" "stats -P -j" "-jx status"
	"stats --prometheus --reset"
)
for args in "${bad[@]}"; do
	# shellcheck disable=SC2086 # each entry is a command line
	if expect 2 $args && (($(wc -l <"$tmp/err") == 1)); then
		ok
	else
		ko "'$args': exit 2 with one line of error (got: $(cat "$tmp/err"))"
	fi
done
# -j: a usage error is one JSON object too, for a script that always parses
if expect 2 -j conns --port 70000 && jq -e '.schema == 1 and .error.exit == 2' "$tmp/out" >/dev/null; then
	ok
else
	ko "-j usage error is a JSON object: $(cat "$tmp/out")"
fi
echo "$passed passed, $failed failed"
((failed == 0))
