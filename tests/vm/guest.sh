#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage 2 of the test VM, PID 1 after switch_root into the host's root
# filesystem (read-only 9p). Makes the few writable places programs need,
# then runs each scenario listed by run.sh in a clean state and writes the
# results to the "out" 9p share, which is a directory on the host.
#
# No `set -e` here on purpose: if PID 1 exits the kernel panics, and a
# failing scenario must never take the whole VM down with it.
set -uo pipefail

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# HOME on scratch space: some tools keep state there.
export LC_ALL=C HOME=/tmp/home TERM=${TERM:-linux}
export PYTHONDONTWRITEBYTECODE=1 # the root fs is read-only

TOA_ROOT=${toavm_root:?}
OUT=${toavm_out:?}

say() { echo "toa-vm: $*" >/dev/console; }

poweroff_now() {
	sync
	# busybox is a harness dependency; systemd's poweroff needs systemd.
	busybox poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 10
}

# tmpfs_over DIR MODE - an empty writable DIR. If the repo lives below DIR
# (CI may clone into /tmp), carry it over into the new tmpfs at the same
# path. Only directories that exist on the host can be mount points.
tmpfs_over() {
	local d=$1 mode=$2
	[[ -d $d ]] || return 0
	if [[ $TOA_ROOT/ == "$d"/* ]]; then
		mkdir /dev/.toa-root
		mount --bind "$TOA_ROOT" /dev/.toa-root
		mount -t tmpfs -o "mode=$mode" tmpfs "$d"
		mkdir -p "$TOA_ROOT"
		mount --move /dev/.toa-root "$TOA_ROOT"
		rmdir /dev/.toa-root
	else
		mount -t tmpfs -o "mode=$mode" tmpfs "$d"
	fi
}

setup_mounts() {
	mkdir -p /dev/pts /dev/shm
	mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
	mount -t tmpfs -o mode=1777 tmpfs /dev/shm
	# Writable scratch over the read-only host root: nginx needs
	# /var/log/nginx, /var/lib/nginx and /run; `ip netns` needs /run/netns
	# (/var/run is a symlink to /run on Debian).
	tmpfs_over /tmp 1777
	tmpfs_over /var/tmp 1777
	tmpfs_over /run 755
	tmpfs_over /var/log 755
	tmpfs_over /var/cache 755
	tmpfs_over /var/lib/nginx 755
	mkdir -p /run/lock /run/netns /var/log/nginx "$HOME"
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out "$OUT"
}

# Module autoloading (veth on `ip link add`, nft expressions, ...) runs
# kernel.modprobe. The host's /lib/modules has no modules for the guest
# kernel, so point it at a wrapper using the unpacked image instead.
setup_modprobe() {
	mkdir -p /run/toa-vm
	cat >/run/toa-vm/modprobe <<-EOF
		#!/bin/sh
		exec /sbin/modprobe -d "$TOA_ROOT/build/vm/$KVER" "\$@"
	EOF
	chmod +x /run/toa-vm/modprobe
	echo /run/toa-vm/modprobe >/proc/sys/kernel/modprobe
}

vm_modprobe() { modprobe -d "$TOA_ROOT/build/vm/$KVER" "$@"; }

# Kill every user process except us (PID 1). Kernel threads and zombies
# have no /proc/PID/exe. Daemons a scenario started (nginx forks into its
# own session) would otherwise survive into the next scenario.
kill_strays() {
	local p d left tries=10
	while ((tries--)); do
		left=0
		for d in /proc/[0-9]*; do
			p=${d#/proc/}
			((p == 1 || p == $$ || p == BASHPID)) && continue
			[[ -e $d/exe ]] || continue
			kill -9 "$p" 2>/dev/null && left=1
		done
		((left)) || return 0
		sleep 0.1
	done
}

# Bring the VM back to the state a scenario may assume. Prints a reason and
# fails if that was not possible (e.g. toa.ko still in use).
reset_state() {
	local end=$((SECONDS + 30))
	kill_strays
	ip -all netns delete 2>/dev/null
	if [[ -d /sys/module/nf_tables ]]; then
		nft flush ruleset
	fi
	if [[ -d /sys/module/toa ]]; then
		# Sockets of deleted netns are freed asynchronously (by the
		# netns cleanup work, slower on a busy machine): retry, bounded.
		while ((SECONDS < end)) && ! rmmod toa 2>/dev/null; do
			sleep 0.1
		done
		if [[ -d /sys/module/toa ]]; then
			echo "rmmod toa failed: $(rmmod toa 2>&1)"
			return 1
		fi
	fi
	rm -rf /tmp/scenario
	return 0
}

# What counts as a kernel problem in the scenario's dmesg.
DMESG_BAD='BUG:|WARNING:|Oops|general protection|KASAN|UBSAN|refcount_t|list_add corruption|list_del corruption|Call Trace|kernel BUG'
# TAINT_BAD_PAGE | TAINT_DIE | TAINT_WARN: catches warnings even if the
# ring buffer overflowed during a noisy scenario.
TAINT_BAD=$(((1 << 5) | (1 << 7) | (1 << 9)))

# Tenths of a second between two $EPOCHREALTIME values (no subprocess).
elapsed() {
	local t=$((${2/./} / 100000 - ${1/./} / 100000))
	echo "$((t / 10)).$((t % 10))"
}

run_scenario() {
	local idx=$1 path=$2 name dir t0 t rc reason='' taint0 bad r
	name=$(basename "$path" .sh)
	dir="$OUT/results/$(printf %02d "$idx")-$name"
	mkdir -p "$dir"
	if ! reason=$(reset_state); then
		reason="could not reset state before start: $reason"
	fi
	dmesg -C
	taint0=$(</proc/sys/kernel/tainted)
	mkdir -p /tmp/scenario
	t0=$EPOCHREALTIME
	if [[ -z $reason ]]; then
		# timeout puts the scenario in its own process group and kills the
		# whole group when it expires.
		(
			cd /tmp/scenario &&
				TOA_OUT=$dir TOA_TMP=/tmp/scenario TMPDIR=/tmp/scenario \
					exec timeout -k 5 "$TOA_VM_SCENARIO_TIMEOUT" bash "$path"
		) >"$dir/log" 2>&1 </dev/null
		rc=$?
		if ((rc == 124 || rc == 137)); then
			reason="timed out after ${TOA_VM_SCENARIO_TIMEOUT}s"
		elif ((rc)); then
			reason="exit status $rc"
		fi
		r=$(reset_state) || reason="${reason:+$reason; }$r"
	fi
	t=$(elapsed "$t0" "$EPOCHREALTIME")
	dmesg >"$dir/dmesg"
	if bad=$(grep -E -m 3 "$DMESG_BAD" "$dir/dmesg"); then
		reason="${reason:+$reason; }kernel problem in dmesg: ${bad//$'\n'/ | }"
	elif (($(</proc/sys/kernel/tainted) & ~taint0 & TAINT_BAD)); then
		reason="${reason:+$reason; }kernel taint changed to $(</proc/sys/kernel/tainted)"
	fi
	# Write-then-rename: the host polls for this file.
	if [[ -z $reason ]]; then
		echo "PASS $t" >"$dir/result.tmp"
		say "PASS $name (${t}s)"
	else
		echo "FAIL $t $reason" >"$dir/result.tmp"
		say "FAIL $name (${t}s): $reason"
	fi
	mv "$dir/result.tmp" "$dir/result"
}

main() {
	setup_mounts || {
		say "cannot set up mounts"
		poweroff_now
	}
	# Written by run.sh: TOA_KO, TOA_BIN, KVER, TOA_VM_* settings.
	# shellcheck disable=SC1091
	source "$OUT/env"
	export TOA_ROOT TOA_KO TOA_BIN KVER TOA_VM_TRACE
	export -f vm_modprobe
	setup_modprobe
	# Every namespace a scenario makes starts without IPv6 duplicate
	# address detection (addresses usable at once, not after ~1 s): taken
	# over from here (devconf_inherit_init_net=1), instead of one process
	# per namespace setting it (topology.sh). No scenario changes this
	# namespace's ipv4/ipv6 conf, which new namespaces now copy.
	sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.core.devconf_inherit_init_net=1 && export TOA_NETNS_NO_DAD=1
	hostname toa-vm
	ip link set lo up
	dmesg >"$OUT/boot-dmesg"
	# Not a scenario's fault, but worth knowing: run.sh mentions it.
	grep -E "$DMESG_BAD" "$OUT/boot-dmesg" >"$OUT/boot-warnings" ||
		rm -f "$OUT/boot-warnings"
	echo "$(</proc/uptime)" >"$OUT/boot-uptime"
	say "booted in $(cut -d' ' -f1 /proc/uptime)s, running scenarios"

	local idx=0 path
	while IFS= read -r path; do
		[[ -n $path ]] || continue
		idx=$((idx + 1))
		run_scenario "$idx" "$path"
	done <"$OUT/scenarios"

	if [[ -n ${TOA_VM_SHELL:-} ]]; then
		say "debug shell; scenarios: $OUT/scenarios; exit to power off"
		cd "$TOA_ROOT" || true
		# ttyS0 rather than /dev/console so bash gets job control.
		setsid -c bash -i <>/dev/ttyS0 >&0 2>&0
	fi
	echo ok >"$OUT/done"
	poweroff_now
}

main
