#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh KVER - build toa.ko against linux-headers-KVER into
# build/kmod/KVER/kmod/ (a copy of kmod/ next to a link to include/), so the
# source tree stays clean and modules for several kernels coexist.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kver=${1:?usage: build-module.sh KVER}
ensure_pkgs "linux-headers-$kver"
out=$TOA_ROOT/build/kmod/$kver
mkdir -p "$out/kmod"
ln -sfn "$TOA_ROOT/include" "$out/include"
# Copy only what changed, so kbuild rebuilds only that.
cp -u "$TOA_ROOT"/kmod/{Kbuild,Makefile,*.c,*.h} "$out/kmod/"
make -s -C "$out/kmod" KDIR="/usr/src/linux-headers-$kver" >&2
echo "$out/kmod/toa.ko"
