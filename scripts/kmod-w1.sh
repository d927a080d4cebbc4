#!/bin/bash
# SPDX-License-Identifier: MIT
#
# kmod-w1.sh [KERNEL...] - build toa.ko with the kernel's extra warnings
# (W=1) against each kernel's build tree (scripts/kver.sh names, default
# "default 6.12"), in build/kmod-w1/KVER/: any warning fails. Prints one
# line per kernel and "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
root=$PWD
source tests/lib/results.sh

kernels=("$@")
((${#kernels[@]})) || kernels=(default 6.12)
for k in "${kernels[@]}"; do
	if ! kver=$(scripts/kver.sh "$k") || ! kdir=$(bash tests/vm/kbuild.sh "$kver"); then
		result 0 "W=1 build for $k" "no build tree"
		continue
	fi
	# From scratch: kbuild only rebuilds (and warns about) what changed.
	out=$root/build/kmod-w1/$kver
	rm -rf "$out"
	if TOA_KMOD_W1=1 bash tests/vm/build-module.sh "$kver" "$kdir" >/dev/null 2>&1 &&
		! grep -v '^Skipping BTF generation' "$out/build.log" | grep -q .; then
		result 1 "toa.ko for $kver builds with W=1, no warning"
	else
		result 0 "toa.ko for $kver with W=1" "log: ${out#"$root"/}/build.log"
		grep -v '^Skipping BTF generation' "$out/build.log" | head -n 20
	fi
done
results_end
