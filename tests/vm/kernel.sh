#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh [KVER] - make sure build/vm/<KVER>/ holds Debian's kernel for the
# test VM: boot/vmlinuz-<KVER> plus lib/modules/<KVER>/ with a modules.dep
# (so `modprobe -d build/vm/<KVER>` works inside the guest), and that
# linux-headers-<KVER> is installed (toa.ko is built against it).
#
# KVER defaults to the version linux-headers-amd64 depends on. Idempotent:
# a second call only does a few dpkg/apt-cache lookups.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kver=${1:-${KVER:-$(default_kver)}}
dest="$BUILD_VM/$kver"
pkg="linux-image-$kver-unsigned"
stamp="$dest/.image-version"

# Two run.sh calls (e.g. two engineers) may prepare the same kernel at once.
mkdir -p "$BUILD_VM"
exec 9>"$BUILD_VM/.lock-$kver"
flock 9

# Headers first: without them the module cannot be built for this kernel.
ensure_pkgs "linux-headers-$kver"

candidate() {
	apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p'
}
want=$(candidate)
if [[ -z $want || $want == '(none)' ]]; then
	apt_update
	want=$(candidate)
fi

# Already unpacked? Keep it unless apt now offers a different build of the
# same ABI (a Debian stable update), which we want to test against.
if [[ -f $stamp && -f $dest/boot/vmlinuz-$kver && -f $dest/lib/modules/$kver/modules.dep ]]; then
	have=$(<"$stamp")
	if [[ -z $want || $want == '(none)' || $want == "$have" ]]; then
		exit 0
	fi
fi
[[ -n $want && $want != '(none)' ]] || vm_die "no package $pkg in apt (wrong KVER? try: apt-cache search linux-image | grep unsigned)"

vm_log "fetching $pkg $want"
ensure_pkgs kmod
tmp=$(mktemp -d "$BUILD_VM/.kernel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt-get download drops privileges to _apt; a 0700 mktemp dir would make it
# warn, so make the scratch dir world-writable like /tmp.
chmod 1777 "$tmp"
(cd "$tmp" && apt-get download -q "$pkg=$want" >&2)
dpkg -x "$tmp"/*.deb "$tmp/root"

# Debian packages ship /lib/modules today; accept /usr/lib/modules too in
# case a later package is built for a merged-/usr layout.
if [[ ! -d $tmp/root/lib/modules/$kver && -d $tmp/root/usr/lib/modules/$kver ]]; then
	mkdir -p "$tmp/root/lib"
	mv "$tmp/root/usr/lib/modules" "$tmp/root/lib/modules"
fi
[[ -f $tmp/root/boot/vmlinuz-$kver ]] || vm_die "$pkg has no boot/vmlinuz-$kver"

# The package does not ship modules.dep (its postinst runs depmod).
depmod -b "$tmp/root" "$kver"
echo "$want" >"$tmp/root/.image-version"

# Swap in atomically-ish so an interrupted fetch never looks complete.
rm -rf "$dest"
mv "$tmp/root" "$dest"
vm_log "kernel $kver ready in ${dest#"$TOA_ROOT"/}"
