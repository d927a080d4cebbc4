#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM's initramfs (stage 1, busybox only). Its one job is to
# get the host's root filesystem mounted over 9p and hand over to
# tests/vm/guest.sh, which lives in the repo and so never needs a rebuild
# of the initramfs when it changes.
#
# The kernel passes unknown name=value boot parameters to us as environment
# variables: toavm_root (repo path on the host), toavm_shell.

# shellcheck disable=SC2154 # toavm_* come from the kernel command line
PATH=/bin
/bin/busybox --install -s /bin

die() {
	echo "initramfs: $*"
	# Interactive debugging only; in CI there is no console input.
	[ -n "$toavm_shell" ] && setsid cttyhack sh
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# 9p over virtio-pci is modular in Debian; initramfs.sh put the needed .ko
# files (already decompressed, in dependency order) into /modules.
while read -r ko; do
	insmod "/modules/$ko" || die "insmod $ko failed"
done </modules/load.list

# The 9p channel appears once virtio-pci has probed the device; that is
# normally synchronous, but retry briefly rather than trust it.
# cache=loose: the host root is read-only for the guest, so caching file
# data and metadata is safe and saves a lot of slow 9p round trips under TCG.
opts=trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro
i=0
until mount -t 9p -o "$opts" hostroot /newroot 2>/dev/null; do
	i=$((i + 1))
	[ $i -ge 50 ] && die "cannot mount 9p hostroot"
	sleep 0.1
done

for d in dev proc sys; do
	mount --move "/$d" "/newroot/$d" || die "cannot move /$d"
done

guest="$toavm_root/tests/vm/guest.sh"
[ -f "/newroot$guest" ] || die "$guest not found on the host root"
exec switch_root /newroot /bin/bash "$guest"
