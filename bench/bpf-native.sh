#!/bin/bash
# SPDX-License-Identifier: MIT
#
# bpf-native.sh [BINDIR] - the module-free mode's TCP bench (det-tcp.sh with
# BENCH_TOA_MODE=bpf, after its floor, BENCH_TOA_MODE=bpf-floor) on this
# machine's own kernel, no VM: wall-clock ns, so noisy, hence
# BENCH_DET_ROUNDS (default 21) pairs without / with the programs
# attached, medians of each side and of the per-pair ratio. Needs root,
# cgroup2, bpffs, namespaces, nftables and NFQUEUE, as make bpf-test does.
# Writes a run directory bench/report.sh reads (env and
# results/native-bpf{,-floor}/log under build/bench-native/) and prints
# its path on the last line. Run by make bench.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$(cd "${1:-$root/build/bin}" && pwd)
[[ $(id -u) == 0 ]] || { echo "bpf-native.sh: needs root" >&2; exit 1; }
for ns in cli lb srv; do
	[[ ! -e /run/netns/$ns ]] || { echo "bpf-native.sh: netns $ns exists already (another test running?)" >&2; exit 1; }
done
[[ ! -e /sys/fs/bpf/toa ]] ||
	{ echo "bpf-native.sh: /sys/fs/bpf/toa exists: the BPF mode is attached already" >&2; exit 1; }

run=$root/build/bench-native/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$run/tmp"
{
	printf 'KVER=%q\n' "$(uname -r)-native"
	printf 'TOA_COMMIT=%q\n' "$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
} >"$run/env"

# det-tcp.sh leaves its hosts to whoever booted the VM: here, this script
del_hosts() { for ns in cli lb srv; do ip netns del "$ns" 2>/dev/null || true; done; }
cleanup() {
	set +e
	del_hosts
	# det-tcp.sh detached and removed its cgroup; a cgroup2 it mounted
	mountpoint -q "$run/tmp/cgroup2" && umount "$run/tmp/cgroup2"
	rm -rf "$run/tmp"
}
trap cleanup EXIT

# The floor first (empty programs, det-bpf-floor.sh), then the mode.
rc=0
for kind in bpf-floor bpf; do
	mkdir -p "$run/results/native-$kind"
	(cd "$run/tmp" && TOA_ROOT=$root TOA_BIN=$bin TOA_TMP=$run/tmp BENCH_NATIVE=1 \
		BENCH_DET_ROUNDS=${BENCH_DET_ROUNDS:-21} bash "$root/bench/vm/det-$kind.sh") 2>&1 |
		tee "$run/results/native-$kind/log" || rc=$?
	del_hosts
	((rc == 0)) || break
done
echo "run $run"
exit "$rc"
