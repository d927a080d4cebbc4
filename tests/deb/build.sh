#!/bin/bash
# SPDX-License-Identifier: MIT
#
# build.sh - the Debian packages (toa-dkms, libtoa0, libtoa-dev, toactl)
# built with dpkg-buildpackage from a copy of the tree in build/deb/, then
# lintian on them (any error fails). Prints the directory holding the .debs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../vm/common.sh"
ENSURE_NO_RECOMMENDS=1 ensure_pkgs debhelper dh-dkms lintian fakeroot dpkg-dev \
	cmake pkg-config libmnl-dev libnetfilter-queue-dev
out=$TOA_ROOT/build/deb
rm -rf "$out"
mkdir -p "$out/src"
# The tracked files as they are now (uncommitted changes included).
(cd "$TOA_ROOT" && git ls-files -z --cached --others --exclude-standard |
	grep -zv '^build/' | tar --null -T - -cf -) | tar -xf - -C "$out/src"
# Warnings are errors in the project's own suite (debian/rules passes it on).
(cd "$out/src" && TOA_WERROR=ON dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	vm_die "dpkg-buildpackage failed (log: $out/build.log)"
}
# lintian's errors are defects; its warnings are listed.
lintian --tag-display-limit 0 "$out"/*.changes >"$out/lintian.log" 2>&1 || true
cat "$out/lintian.log" >&2
! grep -q '^E:' "$out/lintian.log" || vm_die "lintian found errors (log: $out/lintian.log)"
echo "$out"
