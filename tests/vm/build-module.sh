#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh KVER [KDIR] - build toa.ko for Debian's kernel KVER into
# build/kmod/KVER/kmod/ (a copy of kmod/ next to a link to include/), so the
# source tree stays clean and modules for several kernels coexist. KDIR
# defaults to that kernel's build tree unpacked by kbuild.sh into build/.
# Prints the module's path. TOA_KMOD_W1=1: with the kernel's extra
# warnings (W=1), in build/kmod-w1/KVER/ (its build.log is what
# scripts/kmod-w1.sh reads).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kver=${1:?usage: build-module.sh KVER [KDIR]}
kdir=${2:-$(bash "$VM_DIR/kbuild.sh" "$kver")}
w1=${TOA_KMOD_W1:+W=1}
out=$TOA_ROOT/build/kmod${w1:+-w1}/$kver
mkdir -p "$out/kmod"
ln -sfn "$TOA_ROOT/include" "$out/include"
ln -sfn "$TOA_ROOT/VERSION" "$out/VERSION"
# Copy only what changed, so kbuild rebuilds only that.
cp -u "$TOA_ROOT"/kmod/{Kbuild,Makefile,*.c,*.h} "$out/kmod/"
# Debian's build trees have no vmlinux, so kbuild says it skips BTF for
# the module: expected, not worth a line in every log.
status=0
# shellcheck disable=SC2086 # $w1: W=1 or nothing
make -s -C "$out/kmod" KDIR="$kdir" $w1 >&2 2>"$out/build.log" || status=$?
grep -v '^Skipping BTF generation' "$out/build.log" >&2 || true
((status == 0)) || vm_die "toa.ko for $kver did not build (make exited $status)"
# rmmod safety that the compiler must give us: see the script.
bash "$TOA_ROOT/scripts/check-tailcalls.sh" "$out/kmod/toa.ko" >&2 ||
	vm_die "toa.ko for $kver: a proto_ops wrapper is not a tail call"
echo "$out/kmod/toa.ko"
