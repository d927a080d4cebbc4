#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh KVER - build toa_ksock_test.ko (scenario 26's kernel-side
# server) for Debian's kernel KVER into build/ksock/KVER/, against the
# build tree kbuild.sh unpacked. Prints the module's path.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

kver=${1:?usage: build.sh KVER}
kdir=$(bash "$VM_DIR/kbuild.sh" "$kver")
src=$VM_DIR/ksock
out=$TOA_ROOT/build/ksock/$kver
mkdir -p "$out"
cp -u "$src"/{Kbuild,Makefile,toa_ksock_test.c} "$out/"
make -s -C "$out" KDIR="$kdir" >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log" >&2; vm_die "toa_ksock_test.ko for $kver did not build"; }
echo "$out/toa_ksock_test.ko"
