#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check.sh KVER - what the install targets put where, into a staging root
# (DESTDIR), never the host's own: `make install-module` for Debian's kernel
# KVER (its unpacked build tree) signed with a throwaway key, `make
# uninstall-module`, `make dkms-source`, and the userspace `make install`
# (library, headers, toa.pc, CMake package, toactl and its man page, one
# version everywhere). Prints a line per check and "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
kver=${1:?usage: check.sh KVER}
kdir=$(bash tests/vm/kbuild.sh "$kver") || exit 1
version=$(<VERSION)
work=$root/build/install-check
rm -rf "$work"
mkdir -p "$work"
dest=$work/root
source tests/lib/results.sh
RESULTS_LOG=$work/log

openssl req -new -nodes -utf8 -sha256 -days 1 -batch -x509 -subj /CN=toa-install-check \
	-outform DER -out "$work/key.der" -keyout "$work/key.pem" >>"$work/log" 2>&1
# The module is built in kmod/ by this target; build it in a copy.
mkdir -p "$work/tree"
cp -r kmod include VERSION Makefile deploy scripts dkms.conf.in "$work/tree/"
mods=$dest/lib/modules/$kver
check "make install-module: toa.ko in updates/, depmod for $kver" \
	make -s -C "$work/tree" install-module KDIR="$kdir" DESTDIR="$dest" \
	SIGN_KEY="$work/key.pem" SIGN_CERT="$work/key.der"
check "the module is in $kver's modules.dep" grep -q '^updates/toa.ko:' "$mods/modules.dep"
check "signed with the operator's key" \
	test "$(modinfo -F signer "$mods/updates/toa.ko")" = toa-install-check
check "module version is VERSION ($version)" test "$(modinfo -F version "$mods/updates/toa.ko")" = "$version"
check "modprobe.d file installed, options commented out" \
	bash -c "test -f '$dest/etc/modprobe.d/toa.conf' && ! grep -q '^options' '$dest/etc/modprobe.d/toa.conf'"
check "modules-load.d file installed, loading left off" \
	bash -c "test -f '$dest/etc/modules-load.d/toa.conf' && ! grep -q '^toa' '$dest/etc/modules-load.d/toa.conf'"
check "make uninstall-module removes the module" \
	make -s -C "$work/tree" uninstall-module KDIR="$kdir" DESTDIR="$dest"
check "... and it is gone from modules.dep" bash -c "test ! -e '$mods/updates/toa.ko' && ! grep -q toa.ko '$mods/modules.dep'"
check "make dkms-source: /usr/src/toa-$version with dkms.conf" \
	bash -c "make -s -C '$work/tree' dkms-source DESTDIR='$dest' >/dev/null &&
		grep -qx 'PACKAGE_VERSION=\"$version\"' '$dest/usr/src/toa-$version/dkms.conf' &&
		test -f '$dest/usr/src/toa-$version/kmod/main.c' -a -f '$dest/usr/src/toa-$version/include/toa/wire.h'"

# Userspace: cmake --install of the project's own build into the root.
prefix=$dest/usr
check "cmake --install (make install)" cmake --install build --prefix "$prefix"
check "libtoa.so.0 and toa.pc" bash -c "ls '$prefix'/lib*/libtoa.so.0 >/dev/null &&
	PKG_CONFIG_PATH=\$(dirname '$prefix'/lib*/pkgconfig/toa.pc) pkg-config --modversion toa | grep -qx '$version'"
check "headers: <toa/toa.h>, <toa/export.h>, <toa/toa.hpp>" \
	test -f "$prefix/include/toa/toa.h" -a -f "$prefix/include/toa/export.h" -a -f "$prefix/include/toa/toa.hpp"
check "toactl in sbin, version $version" bash -c "'$prefix/sbin/toactl' --version | grep -qx 'toactl $version'"
check "toa-inject(1), rendered without warnings" \
	bash -c "test -z \"\$(man --warnings -l '$prefix/share/man/man1/toa-inject.1' 2>&1 >/dev/null)\""
check "toactl(8) renders without warnings" \
	bash -c "test -z \"\$(man --warnings -l '$prefix/share/man/man8/toactl.8' 2>&1 >/dev/null)\""
check "toactl's bash completion" test -f "$prefix/share/bash-completion/completions/toactl"
check "toactl(8) carries version $version" \
	bash -c "zcat -f '$prefix'/share/man/man8/toactl.8* | grep -q '\"toa $version\"'"
results_end
