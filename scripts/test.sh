#!/bin/bash
# SPDX-License-Identifier: MIT
#
# test.sh - every test of the project: unit tests, a short build matrix
# (with the unit tests under ASan and UBSan), checkpatch, W=1 builds of
# toa.ko, fuzz smoke, toa-inject on the host, the BPF mode on the host's
# own kernel and a smoke run of its bench, the install targets, toa.ko (built by DKMS) in a QEMU
# VM on Debian 12's default kernel (6.1) and on its 6.12 kernel, then the
# Debian packages. Prints each stage's result and a last line "N passed,
# N failed" over every test run.
#
# The VM suites are most of the time, and a TCG guest leaves a core idle
# whenever a scenario waits: each kernel's suite starts in the background
# right after the build, beside the host stages, and its log is printed in
# its place at the end. Every test here passes beside two CPU hogs
# (scripts/stress-test.sh), so the overlap costs no reliability.
#   TOA_TEST_KERNELS="default 6.12"  which kernels (scripts/kver.sh names)
#   TOA_TEST_SCENARIOS="tests/vm/scenarios/*.sh"  which VM scenarios
#   FUZZ_SECONDS=10                   per fuzzer
# The long forms (every build flavour, 10M fuzz executions) are in
# scripts/check-long.sh (make check-long).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
start=$(date +%s)
log=$root/build/test-logs
mkdir -p "$log"
passed=0 failed=0 failures=()

# Each stage's header says when it started (seconds since the start): the
# time the suite takes is a requirement, and this shows where it goes.
stage() { printf '\n=== %s  [at %ds]\n' "$*" "$SECONDS"; }
count() { # count PASSED FAILED NAME
	passed=$((passed + $1))
	failed=$((failed + $2))
	(($2 == 0)) || failures+=("$3")
}
count_from() { # count_from LOG NAME - the log's last "N passed, N failed"
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$1" | tail -n 1)
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		count "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "$2"
	else
		count 0 1 "$2"
	fi
}

# default_kernel_check NAME SCRIPT - SCRIPT KVER for Debian's default
# kernel, its output in $log/NAME.log, counted.
default_kernel_check() {
	local kver
	if kver=$(scripts/kver.sh default); then
		bash "$2" "$kver" 2>&1 | tee "$log/$1.log"
		count_from "$log/$1.log" "$1"
	else
		count 0 1 "$1"
	fi
}

# Warnings are errors here, in the project's own test entry point only
# (consumers' and packagers' builds default to TOA_WERROR=OFF). Release
# (-O3): GCC's -O3 warnings are the ones a packager's -O2 build lacks, and
# the package build below covers Debian's -O2 flags; so the short build
# matrix needs no Release build of its own.
stage "build"
# In the background, so that the kernels are fetched and each kernel's
# toa.ko is built (DKMS) meanwhile; the VMs boot once it is done.
rm -f "$log/build.done" "$log/build.failed"
make -s userspace WERROR=ON BUILD_TYPE=Release >"$log/build.log" 2>&1 &
build_pid=$!

# vm_suite KVER - toa.ko as an operator's node gets it (built and
# installed by DKMS against Debian's build tree for KVER, unpacked into
# build/kbuild/), then every scenario in a VM booted on KVER.
vm_suite() {
	local kver=$1 ko
	if ! ko=$(bash tests/dkms/build.sh "$kver"); then
		echo "FAIL dkms toa.ko for $kver"
		echo "0 passed, 1 failed"
		return 1
	fi
	echo "module: $ko"
	# the scenarios run the userspace tools of the build
	until [[ -e $log/build.done ]]; do
		[[ ! -e $log/build.failed ]] || return 1
		sleep 1
	done
	# shellcheck disable=SC2086 # a list of globs
	bash tests/vm/run.sh --kver "$kver" --ko "$ko" ${TOA_TEST_SCENARIOS:-tests/vm/scenarios/*.sh}
}
# Sharing the cores stretches a scenario: these timeouts catch hangs.
export TOA_VM_SCENARIO_TIMEOUT=${TOA_VM_SCENARIO_TIMEOUT:-300} TOA_VM_TIMEOUT=${TOA_VM_TIMEOUT:-3000}
vm_kvers=() vm_pids=()
# Interrupted: stop the background suites' VMs too (QEMU runs under timeout,
# not as a direct child).
trap 'kill "${vm_pids[@]}" 2>/dev/null; pkill -f "qemu-system-x86_64 .*$root/build/vm/out" 2>/dev/null; exit 130' INT TERM
for k in ${TOA_TEST_KERNELS:-default 6.12}; do
	if ! kver=$(scripts/kver.sh "$k"); then
		count 0 1 "kernel $k"
		continue
	fi
	# Kernel, build tree and initramfs are fetched here, one kernel after
	# the other; the suites then only read them.
	if ! bash tests/vm/kbuild.sh "$kver" >/dev/null || ! bash tests/vm/kernel.sh "$kver" ||
		! bash tests/vm/initramfs.sh "$kver"; then
		count 0 1 "kernel $kver"
		continue
	fi
	vm_suite "$kver" >"$log/vm-$kver.log" 2>&1 &
	vm_kvers+=("$kver") vm_pids+=($!)
	echo "toa.ko on $kver in a VM: started in the background (log: ${log#"$root"/}/vm-$kver.log)"
done

if ! wait "$build_pid"; then
	cat "$log/build.log"
	touch "$log/build.failed"
	echo "build failed"
	wait "${vm_pids[@]}" 2>/dev/null
	echo "0 passed, 1 failed"
	exit 1
fi
cat "$log/build.log"
touch "$log/build.done"
echo "build done  [at ${SECONDS}s]"

stage "unit tests (GoogleTest via ctest)"
(cd build && ctest --output-on-failure -j"$(nproc)") 2>&1 | tee "$log/unit.log"
total=$(sed -n 's/.* tests failed out of \([0-9]*\).*/\1/p' "$log/unit.log")
bad=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' "$log/unit.log")
[[ -n $total ]] || { total=1; bad=1; }
count $((total - bad)) "$bad" unit

stage "build matrix, short: the library alone, warning-free; the unit tests under ASan and UBSan"
bash scripts/build-matrix.sh --short 2>&1 | tee "$log/build-matrix.log"
count_from "$log/build-matrix.log" build-matrix

stage "format (the userspace C and C++ in the style of .clang-format)"
if bash scripts/format.sh --check; then count 1 0 format; else count 0 1 format; fi

stage "checkpatch (kernel coding style of kmod/ and the uapi headers)"
if bash scripts/checkpatch.sh; then count 1 0 checkpatch; else count 0 1 checkpatch; fi

stage "toa.ko with the kernel's extra warnings (W=1), both kernels"
bash scripts/kmod-w1.sh ${TOA_TEST_KERNELS:-default 6.12} 2>&1 | tee "$log/kmod-w1.log"
count_from "$log/kmod-w1.log" kmod-w1

stage "fuzz smoke (${FUZZ_SECONDS:-10}s per fuzzer)"
if make -s fuzz WERROR=ON FUZZ_SECONDS="${FUZZ_SECONDS:-10}"; then count 1 0 fuzz; else count 0 1 fuzz; fi

stage "toa-inject on the host (tshark checks every packet)"
if [[ -x tests/tools/host-check.sh ]]; then
	if bash tests/tools/host-check.sh build/bin "$log/host-check" >"$log/host-check.log" 2>&1; then
		tail -n 3 "$log/host-check.log"
		count 1 0 host-check
	else
		tail -n 30 "$log/host-check.log"
		count 0 1 host-check
	fi
fi

stage "BPF mode (no module) on this host's kernel: tests/bpf/run.sh"
bash tests/bpf/run.sh build/bin 2>&1 | tee "$log/bpf.log"
count_from "$log/bpf.log" bpf

stage "bench smoke: the BPF mode's TCP bench on this host's kernel, one short pair"
# The figures are make bench's; this checks the bench still runs (and its
# getpeername saw the client) so that make bench is not found broken later.
if BENCH_DET_ROUNDS=1 BENCH_DET_GETNAME=2000 BENCH_DET_ACCEPT=500 BENCH_DET_TOA_CONNS=20 \
	bash bench/bpf-native.sh build/bin >"$log/bench-smoke.log" 2>&1 &&
	(($(grep -c '^RESULT native-bpf .* ratio' "$log/bench-smoke.log") == 5)) &&
	(($(grep -c '^RESULT native-bpf-floor .* ratio' "$log/bench-smoke.log") == 5)); then
	grep '^RESULT' "$log/bench-smoke.log"
	count 1 0 bench-smoke
else
	tail -n 30 "$log/bench-smoke.log"
	count 0 1 bench-smoke
fi

stage "install targets into a staging root (module, DKMS source, userspace)"
default_kernel_check install tests/install/check.sh

stage "deployment: the DaemonSet and its image checked offline, the entrypoint's DKMS build"
default_kernel_check deploy tests/deploy/check.sh

stage "Debian packages: built, lintian, DKMS from toa-dkms, packaged tools in the VM"
default_kernel_check deb tests/deb/check.sh

for i in "${!vm_kvers[@]}"; do
	stage "toa.ko on ${vm_kvers[i]} in a VM"
	wait "${vm_pids[i]}"
	echo "(finished at $(($(stat -c %Y "$log/vm-${vm_kvers[i]}.log") - start))s)"
	cat "$log/vm-${vm_kvers[i]}.log"
	count_from "$log/vm-${vm_kvers[i]}.log" "vm ${vm_kvers[i]}"
done

stage "summary"
((${#failures[@]} == 0)) || echo "failed: ${failures[*]}"
echo "took ${SECONDS}s"
echo "$passed passed, $failed failed"
((failed == 0))
