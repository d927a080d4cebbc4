#!/bin/bash
# SPDX-License-Identifier: MIT
#
# stress-test.sh [--host-only | --vm-only] [--kernels "default 6.12"]
#                [--side-by-side] N
#
# Runs host-check (toa-inject on the host) and the whole VM suite on each
# kernel N times in a row while two CPU hogs compete with them for the
# machine's cores: a test that passes only on an idle machine has a race
# (a sleep before an assertion, a capture stopped too early) and shows up
# here. Not run by CI (it takes N times the suite). One line per run, the
# failing scenarios named, then "N passed, N failed" over all runs. Logs
# in build/stress/. --side-by-side runs each round's kernels at the same
# time, as make test does (scripts/test.sh): two VMs and two hogs on the
# machine's cores.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

usage() {
	echo "usage: stress-test.sh [--host-only | --vm-only] [--kernels \"default 6.12\"] [--side-by-side] N" >&2
	exit 2
}
host=1 vm=1 kernels="default 6.12" side_by_side=0 n=
while (($#)); do
	case $1 in
	--host-only) vm=0; shift ;;
	--vm-only) host=0; shift ;;
	--kernels) kernels=${2:?}; shift 2 ;;
	--side-by-side) side_by_side=1; shift ;;
	-h | --help) usage ;;
	[0-9]*) n=$1; shift ;;
	*) usage ;;
	esac
done
[[ $n =~ ^[1-9][0-9]*$ ]] || usage

log=build/stress/$(date +%Y%m%d-%H%M%S)
mkdir -p "$log"
make -s userspace WERROR=ON || exit 1
kos=()
if ((vm)); then
	for k in $kernels; do
		kver=$(scripts/kver.sh "$k") || exit 1
		ko=$(bash tests/vm/build-module.sh "$kver") || exit 1
		kos+=("$kver=$ko")
	done
fi

# The scenario timeout is a hang detector, not a speed test: with the
# cores shared three ways a slow scenario is no failure, a stuck one is.
export TOA_VM_SCENARIO_TIMEOUT=${TOA_VM_SCENARIO_TIMEOUT:-360} TOA_VM_TIMEOUT=${TOA_VM_TIMEOUT:-5400}

# Two hogs: as many busy loops as this machine (and CI's) has cores.
hogs=()
for _ in 1 2; do
	sha256sum /dev/zero &
	hogs+=($!)
done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
echo "stress: ${#hogs[@]} CPU hogs running; $n rounds; logs in $log"

passed=0 failed=0
result() { # result OK NAME [DETAIL]
	if (($1)); then
		passed=$((passed + 1))
		echo "PASS $2"
	else
		failed=$((failed + 1))
		echo "FAIL $2${3:+: $3}"
	fi
}
# vm_round KVER KO - one VM suite; prints its result line
vm_round() {
	local kver=$1 ko=$2 ok=0 start=$SECONDS
	bash tests/vm/run.sh --kver "$kver" --ko "$ko" tests/vm/scenarios/*.sh \
		>"$log/vm-$kver-$i.log" 2>&1 && ok=1
	echo "$ok VM suite on $kver round $i ($((SECONDS - start))s)"
}
for ((i = 1; i <= n; i++)); do
	if ((host)); then
		ok=0
		start=$SECONDS
		bash tests/tools/host-check.sh build/bin "$log/host-$i" >"$log/host-$i.log" 2>&1 && ok=1
		result $ok "host-check round $i ($((SECONDS - start))s)" \
			"$(grep -m1 -E '^FAIL|FAILED' "$log/host-$i.log")"
	fi
	rounds=() pids=()
	for kk in "${kos[@]}"; do
		if ((side_by_side)); then
			vm_round "${kk%%=*}" "${kk#*=}" >"$log/round-${kk%%=*}-$i" &
			pids+=($!)
		else
			vm_round "${kk%%=*}" "${kk#*=}" >"$log/round-${kk%%=*}-$i"
		fi
		rounds+=("${kk%%=*}")
	done
	# not a bare wait: the hogs are jobs too
	((${#pids[@]} == 0)) || wait "${pids[@]}"
	for kver in "${rounds[@]}"; do
		read -r ok name <"$log/round-$kver-$i"
		result "$ok" "$name" \
			"$(grep -E '^FAIL ' "$log/vm-$kver-$i.log" | cut -d' ' -f2 | tr '\n' ' ')"
	done
done
echo "$passed passed, $failed failed"
((failed == 0))
