#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [--kver KVER] [--ko PATH] SCENARIO... - boot one QEMU VM with
# Debian's kernel KVER and run the scenario scripts in it, one after the
# other, each from a clean state. Prints `PASS name (N.Ns)` / `FAIL ...` per
# scenario and finally `N passed, N failed`; exits 0 only if all passed and
# the VM shut down cleanly.
#
# The guest sees the host's / read-only over 9p (so every host tool and the
# repo are there at the same paths) and writes results to a second, writable
# 9p share: build/vm/out/<run-id>/. See README.md.
#
# Environment: KVER, TOA_KO, TOA_BIN (defaults for the options),
# TOA_VM_TIMEOUT (whole VM, s), TOA_VM_SCENARIO_TIMEOUT (s), TOA_VM_SHELL=1
# (debug shell on the console), TOA_VM_TRACE=1 (set -x in scenarios),
# TOA_VM_MEM (MiB), TOA_CONNS / TOA_CONCURRENT / TOA_SOAK_CONNS /
# TOA_UNLOAD_CYCLES / TOA_BARRAGE (scenario sizes, passed to the guest),
# TOA_VM_ACCEL (tcg), TOA_VM_CPU (max), TOA_VM_CMDLINE (extra kernel
# parameters), TOA_VM_DETERMINISTIC=1 (one vCPU, QEMU's
# -icount shift=0,sleep=off: guest nanoseconds count executed
# instructions, so a benchmark figure repeats; for bench/ only).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
	echo "usage: $0 [--kver KVER] [--ko PATH] [--bin DIR] SCENARIO..." >&2
	exit 2
}

# Defaults also from the environment (`make ... KVER=...` exports it).
kver=${KVER:-} ko=${TOA_KO:-$TOA_ROOT/kmod/toa.ko} bin=${TOA_BIN:-$TOA_ROOT/build/bin}
scenarios=()
while (($#)); do
	case $1 in
	--kver) kver=${2:?}; shift 2 ;;
	--ko) ko=${2:?}; shift 2 ;;
	--bin) bin=${2:?}; shift 2 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) scenarios+=("$(realpath -e "$1")"); shift ;;
	esac
done
((${#scenarios[@]})) || [[ -n ${TOA_VM_SHELL:-} ]] || usage
ko=$(realpath -m "$ko")
bin=$(realpath -m "$bin")

# The guest mounts empty tmpfs over these host directories (only the repo
# is carried over), so files the guest needs must not be there.
for f in "${scenarios[@]}" "$ko" "$bin"; do
	[[ $f/ == "$TOA_ROOT"/* ]] && continue
	case $f/ in
	/tmp/* | /var/tmp/* | /run/* | /var/log/* | /var/cache/*)
		vm_die "$f is hidden inside the VM; put it in the repo (e.g. under build/)" ;;
	esac
done

# Everything the guest runs comes from the host root, so the scenario tools
# must be installed here too.
ensure_pkgs qemu-system-x86 busybox-static kmod cpio xz-utils zstd \
	iproute2 iputils-ping nftables iptables nginx-light curl tcpdump tshark
kver=${kver:-$(default_kver)}
bash "$VM_DIR/kernel.sh" "$kver"
bash "$VM_DIR/initramfs.sh" "$kver"
# The scenarios' own test module (a kernel-side TCP server, scenario 26).
ksock_ko=$(bash "$VM_DIR/ksock/build.sh" "$kver")
# Tools the guest cannot fetch (it has no network): node_exporter reads
# toactl's Prometheus output in scenario 30.
bash "$VM_DIR/node-exporter.sh" >/dev/null

# One directory per run: logs and results come back here from the guest.
run_id="$(date +%Y%m%d-%H%M%S)-$kver-$$"
out="$BUILD_VM/out/$run_id"
mkdir -p "$out"
# Old runs: keep a day's worth for debugging.
find "$BUILD_VM/out" -mindepth 1 -maxdepth 1 -mmin +1440 -exec rm -rf {} + 2>/dev/null || true

n=${#scenarios[@]}
: >"$out/scenarios"
((n == 0)) || printf '%s\n' "${scenarios[@]}" >"$out/scenarios"
scen_timeout=${TOA_VM_SCENARIO_TIMEOUT:-120}
{
	printf 'TOA_KO=%q\n' "$ko"
	printf 'TOA_BIN=%q\n' "$bin"
	printf 'KVER=%q\n' "$kver"
	# What was measured or tested: bench/report.sh quotes it.
	printf 'TOA_COMMIT=%q\n' "$(git -C "$TOA_ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
	printf 'export TOA_KSOCK_KO=%q\n' "$ksock_ko"
	printf 'TOA_VM_SCENARIO_TIMEOUT=%q\n' "$scen_timeout"
	printf 'TOA_VM_SHELL=%q\n' "${TOA_VM_SHELL:-}"
	printf 'TOA_VM_TRACE=%q\n' "${TOA_VM_TRACE:-}"
	# The scenarios' size knobs (make check-long sets the long forms),
	# and the benchmarks' (bench/vm/*.sh).
	for v in TOA_CONNS TOA_CONCURRENT TOA_SOAK_CONNS TOA_UNLOAD_CYCLES TOA_BARRAGE \
		BENCH_DET_ROUNDS BENCH_DET_GETNAME BENCH_DET_ACCEPT BENCH_DET_TOA_CONNS \
		BENCH_UDP_ROUNDS BENCH_UDP_COUNT; do
		[[ -z ${!v:-} ]] || printf 'export %s=%q\n' "$v" "${!v}"
	done
} >"$out/env"

# A hung guest must never hang CI: cap the whole run. Scale with the number
# of scenarios so long suites are not cut short by the default.
vm_timeout=${TOA_VM_TIMEOUT:-$((n * 60 > 600 ? n * 60 : 600))}

cmdline="console=ttyS0 panic=-1 panic_on_warn=0 quiet loglevel=${TOA_VM_LOGLEVEL:-4}"
# Speed under TCG: no spectre mitigations (nothing to protect in a test VM).
cmdline+=" mitigations=off"
# Every slab cache on its own line of /proc/slabinfo: toa.ko's entries
# ("toa_entry") are then counted apart from the rest of the kernel.
cmdline+=" slab_nomerge"
cmdline+=" toavm_root=$TOA_ROOT toavm_out=$out"
[[ -n ${TOA_VM_SHELL:-} ]] && cmdline+=" toavm_shell=1"
cmdline+=" ${TOA_VM_CMDLINE:-}"

accel=(-accel "${TOA_VM_ACCEL:-tcg}" -smp 2)
[[ -z ${TOA_VM_DETERMINISTIC:-} ]] ||
	accel=(-accel tcg,thread=single -icount shift=0,sleep=off -smp 1)
qemu=(
	qemu-system-x86_64
	"${accel[@]}" -cpu "${TOA_VM_CPU:-max}" -m "${TOA_VM_MEM:-1024}"
	-nodefaults -no-user-config -nographic -no-reboot -nic none
	-kernel "$BUILD_VM/$kver/boot/vmlinuz-$kver"
	-initrd "$BUILD_VM/$kver/initramfs.cpio.gz"
	-append "$cmdline"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$out,mount_tag=out,security_model=none,multidevs=remap"
)

# print_result IDX - one PASS/FAIL line (plus details on failure) from the
# result file the guest wrote; returns 1 on failure. A missing result means
# the VM died or timed out before finishing that scenario.
passed=0 failed=0
print_result() {
	local idx=$1 path=${scenarios[$1 - 1]} name dir res verdict secs reason
	name=$(basename "$path" .sh)
	dir="$out/results/$(printf %02d "$idx")-$name"
	if [[ -f $dir/result ]]; then
		res=$(<"$dir/result")
	else
		res="FAIL ? no result (VM died or timed out, see ${out#"$TOA_ROOT"/}/console.log)"
	fi
	read -r verdict secs reason <<<"$res"
	if [[ $verdict == PASS ]]; then
		echo "PASS $name (${secs}s)"
		passed=$((passed + 1))
		return 0
	fi
	echo "FAIL $name (${secs}s)"
	echo "    reason: $reason"
	if [[ -s $dir/log ]]; then
		echo "    --- last lines of ${dir#"$TOA_ROOT"/}/log"
		tail -n 25 "$dir/log" | sed 's/^/    | /'
	fi
	failed=$((failed + 1))
	return 0
}

t0=$SECONDS
next=1
if [[ -n ${TOA_VM_SHELL:-} ]]; then
	# Interactive: console on this terminal, no timeout. Ctrl-a x quits.
	"${qemu[@]}" -serial mon:stdio || true
	vm_rc=0
else
	vm_log "booting $kver, $n scenario(s), timeout ${vm_timeout}s, run ${out#"$TOA_ROOT"/}"
	timeout -k 5 "$vm_timeout" "${qemu[@]}" -serial "file:$out/console.log" -monitor none \
		</dev/null &
	vm_pid=$!
	# Report each scenario as soon as the guest finishes it.
	while kill -0 "$vm_pid" 2>/dev/null; do
		while ((next <= n)) && [[ -f $out/results/$(printf %02d "$next")-$(basename "${scenarios[next - 1]}" .sh)/result ]]; do
			print_result "$next"
			next=$((next + 1))
		done
		sleep 0.2
	done
	vm_rc=0
	wait "$vm_pid" || vm_rc=$?
fi
while ((next <= n)); do
	print_result "$next"
	next=$((next + 1))
done

boot=$(cut -d' ' -f1 "$out/boot-uptime" 2>/dev/null || echo '?')
vm_log "VM: boot ${boot}s, total $((SECONDS - t0))s (qemu exit $vm_rc)"
[[ ! -s $out/boot-warnings ]] ||
	vm_log "note: kernel warnings during boot: ${out#"$TOA_ROOT"/}/boot-warnings"
if [[ ! -f $out/done ]] || ((vm_rc)); then
	if ((vm_rc == 124)); then
		echo "FAIL vm (timed out after ${vm_timeout}s)"
	else
		echo "FAIL vm (did not shut down cleanly, qemu exit $vm_rc)"
	fi
	# Show the start of a panic/oops if there is one, else the end.
	first=$(grep -n -m 1 -E 'Kernel panic|BUG:|Oops|WARNING:' "$out/console.log" 2>/dev/null | cut -d: -f1 || true)
	if [[ -n $first ]]; then
		echo "    --- from line $first of ${out#"$TOA_ROOT"/}/console.log"
		tail -n "+$first" "$out/console.log" | head -n 40 | sed 's/^/    | /' || true
	else
		echo "    --- last lines of ${out#"$TOA_ROOT"/}/console.log"
		tail -n 30 "$out/console.log" 2>/dev/null | sed 's/^/    | /' || true
	fi
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
((failed == 0))
