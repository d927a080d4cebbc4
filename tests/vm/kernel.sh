#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh [KVER] - make sure build/vm/<KVER>/ holds Debian's kernel for the
# test VM: boot/vmlinuz-<KVER> plus lib/modules/<KVER>/ with a modules.dep
# (so `modprobe -d build/vm/<KVER>` works inside the guest). The image is
# unpacked, never installed: the host's /boot and default kernel stay as
# they are. (kbuild.sh does the same for the build tree toa.ko needs.)
#
# KVER defaults to the version linux-headers-amd64 depends on. Idempotent:
# a second call only does a few apt-cache lookups; a Debian stable update
# of the same ABI (a new package version) is fetched and tested against.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kver=${1:-${KVER:-$(default_kver)}}
dest="$BUILD_VM/$kver"
pkg="linux-image-$kver-unsigned"

# Two run.sh calls (e.g. two engineers) may prepare the same kernel at once.
mkdir -p "$BUILD_VM"
exec 9>"$BUILD_VM/.lock-$kver"
flock 9

want=$(apt_candidate "$pkg")
[[ -n $want ]] || vm_die "no package $pkg in apt (wrong KVER? try: apt-cache search linux-image | grep unsigned)"
debs_unpacked "$dest" "$pkg=$want" && [[ -f $dest/lib/modules/$kver/modules.dep ]] && exit 0

ensure_pkgs kmod
unpack_debs "$dest" "$pkg=$want" "$pkg=$want"
# Debian packages ship /lib/modules today; accept /usr/lib/modules too in
# case a later package is built for a merged-/usr layout.
if [[ ! -d $dest/lib/modules/$kver && -d $dest/usr/lib/modules/$kver ]]; then
	mkdir -p "$dest/lib"
	mv "$dest/usr/lib/modules" "$dest/lib/modules"
fi
[[ -f $dest/boot/vmlinuz-$kver ]] || vm_die "$pkg has no boot/vmlinuz-$kver"
# The package does not ship modules.dep (its postinst runs depmod).
depmod -b "$dest" "$kver"
vm_log "kernel $kver ready in ${dest#"$TOA_ROOT"/}"
