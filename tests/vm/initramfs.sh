#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh [KVER] - build build/vm/<KVER>/initramfs.cpio.gz: static
# busybox, initramfs-init.sh as /init, and the modules needed to mount the
# host root over virtio 9p. Rebuilt only when one of its inputs changes.
# Run kernel.sh first (run.sh does).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kver=${1:-${KVER:-$(default_kver)}}
base="$BUILD_VM/$kver"
out="$base/initramfs.cpio.gz"
stamp="$base/initramfs.stamp"
busybox=/bin/busybox
[[ -f $base/lib/modules/$kver/modules.dep ]] || vm_die "run tests/vm/kernel.sh $kver first"
ensure_pkgs busybox-static cpio kmod xz-utils zstd

exec 9>"$BUILD_VM/.lock-$kver"
flock 9

# Let modprobe resolve the dependency closure against the unpacked image:
# the set differs between kernels (6.1 has a separate fscache.ko, 6.12 folds
# it into netfs.ko) and some of it may be built in ("builtin NAME" lines).
# Output is in load order; drop duplicates but keep the first occurrence.
mods=()
while read -r verb path _; do
	[[ $verb == insmod ]] || continue
	[[ " ${mods[*]} " == *" $path "* ]] || mods+=("$path")
done < <(for m in virtio_pci 9pnet_virtio 9p; do
	modprobe -d "$base" -S "$kver" --show-depends "$m"
done)

# Inputs: this script, /init, busybox and the exact module files.
hash=$({
	cat "${BASH_SOURCE[0]}" "$VM_DIR/initramfs-init.sh"
	stat -c '%n %s %Y' "$busybox" "${mods[@]}"
} | sha256sum)
hash=${hash%% *}
if [[ -f $out && -f $stamp && $(<"$stamp") == "$hash" ]]; then
	exit 0
fi

vm_log "building initramfs for $kver"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,modules}
cp "$busybox" "$tmp/bin/busybox"
install -m 0755 "$VM_DIR/initramfs-init.sh" "$tmp/init"
# The kernel's built-in initramfs already has /dev/console; this is a
# belt-and-braces copy (needs root, hence the `|| true`).
mknod -m 600 "$tmp/dev/console" c 5 1 2>/dev/null || true

# busybox insmod cannot read compressed modules, so decompress here.
for path in "${mods[@]}"; do
	name=$(basename "$path")
	case $name in
	*.ko.xz) xz -dc "$path" >"$tmp/modules/${name%.xz}" ;;
	*.ko.zst) zstd -qdc "$path" >"$tmp/modules/${name%.zst}" ;;
	*.ko.gz) gzip -dc "$path" >"$tmp/modules/${name%.gz}" ;;
	*.ko) cp "$path" "$tmp/modules/$name" ;;
	*) vm_die "unexpected module file $path" ;;
	esac
	echo "${name%.ko*}.ko" >>"$tmp/modules/load.list"
done
touch "$tmp/modules/load.list" # all built in: nothing to load

(cd "$tmp" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) >"$out.tmp"
mv "$out.tmp" "$out"
echo "$hash" >"$stamp"
vm_log "initramfs: $(tr '\n' ' ' <"$tmp/modules/load.list")"
