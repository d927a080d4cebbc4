#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check.sh KVER - the Debian packages, end to end: built with
# dpkg-buildpackage and checked by lintian (build.sh), unpacked with
# `dpkg -x` into build/deb/root (not installed with dpkg -i: their
# maintainer scripts would run DKMS on this host), each holding what it
# should; toa.ko built by DKMS from the toa-dkms package's source for
# Debian's kernel KVER; then a VM scenario (scenario.sh) with that module,
# the packaged toactl, toa-inject and libtoa.so.0. "N passed, N failed".
set -uo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root_dir" || exit 1
kver=${1:?usage: check.sh KVER}
version=$(<VERSION)
source tests/lib/results.sh
RESULTS_LOG=build/deb-check.log
: >build/deb-check.log
out=build/deb
check "dpkg-buildpackage, lintian without errors" bash tests/deb/build.sh
pkgroot=$out/root
rm -rf "$pkgroot"
for p in toa-dkms libtoa0 libtoa-dev toactl; do
	deb=$(echo "$out/${p}_${version}_"*.deb)
	check "package $p built" test -f "$deb"
	[[ -f $deb ]] && dpkg -x "$deb" "$pkgroot"
done
has() { test -e "$pkgroot/$1"; }
check "toa-dkms: /usr/src/toa-$version/dkms.conf" has "usr/src/toa-$version/dkms.conf"
check "toa-dkms: modprobe.d and modules-load.d files" \
	bash -c "test -f '$pkgroot/etc/modprobe.d/toa.conf' -a -f '$pkgroot/etc/modules-load.d/toa.conf'"
check "libtoa0: libtoa.so.0" bash -c "ls '$pkgroot'/usr/lib/*/libtoa.so.0 >/dev/null"
check "libtoa-dev: headers, toa.pc, CMake package" \
	bash -c "test -f '$pkgroot/usr/include/toa/toa.h' && ls '$pkgroot'/usr/lib/*/pkgconfig/toa.pc '$pkgroot'/usr/lib/*/cmake/toa/toaConfig.cmake >/dev/null"
check "toactl: toactl, toa-inject, toactl(8), toa-inject(1), bash completion" \
	bash -c "test -x '$pkgroot/usr/sbin/toactl' -a -x '$pkgroot/usr/bin/toa-inject' && ls '$pkgroot'/usr/share/man/man8/toactl.8* >/dev/null &&
		test -f '$pkgroot/usr/share/bash-completion/completions/toactl' &&
		ls '$pkgroot'/usr/share/man/man1/toa-inject.1* >/dev/null"
check "libtoa0 depends on its shared libraries (shlibs)" \
	bash -c "dpkg-deb -f $out/libtoa0_${version}_*.deb Depends | grep -q libc6"

ko=
# Its own DKMS trees: the VM suites may be loading build/dkms's module now.
if ko=$(TOA_DKMS_DIR=$root_dir/build/deb/dkms bash tests/dkms/build.sh "$kver" "$pkgroot/usr/src/toa-$version" 2>>build/deb-check.log); then
	result 1 "DKMS builds and installs toa.ko for $kver from the packaged source"
	if bash tests/vm/run.sh --kver "$kver" --ko "$ko" tests/deb/scenario.sh >build/deb-vm.log 2>&1; then
		result 1 "the packaged module and tools in the VM ($kver)"
	else
		tail -n 20 build/deb-vm.log
		result 0 "the packaged module and tools in the VM ($kver)" "log: build/deb-vm.log"
	fi
else
	result 0 "DKMS from the packaged source" "log: build/deb-check.log"
fi
results_end
