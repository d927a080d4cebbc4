#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbuild.sh KVER - make sure build/kbuild/KVER/ holds the build tree of
# Debian's kernel KVER and print its path (the KDIR to build toa.ko with).
#
# Installing linux-headers-KVER would pull in its kernel image, whose
# postinst runs update-initramfs and repoints /vmlinuz: on a developer's own
# machine that changes the kernel it boots. So, as kernel.sh does for the
# VM's image, the three packages of a build tree (linux-headers-KVER, its
# -common part and linux-kbuild-X.Y, which holds scripts/ and the host
# tools) are fetched with `apt-get download` and unpacked here. Nothing
# goes to /usr/src, /lib/modules or /boot.
#
# Idempotent: a second call only does a few apt-cache lookups.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kver=${1:?usage: kbuild.sh KVER}
pkg=linux-headers-$kver
dest=$TOA_ROOT/build/kbuild/$kver

mkdir -p "${dest%/*}"
exec 9>"$dest.lock"
flock 9

version=$(apt_candidate "$pkg")
[[ -n $version ]] || vm_die "no package $pkg in apt (try: apt-cache search linux-headers)"

# linux-headers-KVER depends on linux-headers-<abi>-common (= VERSION) and
# linux-kbuild-X.Y (>= VERSION): the same source build, so the same version.
pkgs=("$pkg=$version")
while read -r dep; do
	case $dep in
	linux-headers-*-common* | linux-kbuild-*) pkgs+=("$dep=$version") ;;
	esac
done < <(apt_depends "$pkg")
((${#pkgs[@]} == 3)) || vm_die "$pkg: expected a -common and a linux-kbuild dependency, got: ${pkgs[*]}"

# The compiler the kernel was built with (Makefile: CC = gcc-12), what
# kbuild's host tools link against, and pahole: trees that ship vmlinux
# (6.12) give every module its BTF.
ensure_pkgs make gcc-12 libelf1 libssl3 dwarves
if ! debs_unpacked "$dest" "${pkgs[*]}"; then
	unpack_debs "$dest" "${pkgs[*]}" "${pkgs[@]}"
	# The arch tree's Makefile includes the -common one by absolute path;
	# every other link in the packages is relative.
	for mk in "$dest"/usr/src/linux-headers-*/Makefile; do
		sed -i "s|^include /usr/src/|include $dest/usr/src/|" "$mk"
	done
	# /lib/modules/KVER/build points at /usr/src: not ours to use.
	rm -rf "${dest:?}/lib"
	vm_log "build tree $kver ready in ${dest#"$TOA_ROOT"/}"
fi
kdir=$dest/usr/src/$pkg
[[ -f $kdir/Makefile && -f $kdir/Module.symvers ]] || vm_die "$kdir is not a kernel build tree"
echo "$kdir"
