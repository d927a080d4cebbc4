#!/bin/bash
# SPDX-License-Identifier: MIT
#
# dkms-source.sh DEST - lay out the module's source the way DKMS wants it
# in DEST (normally $DESTDIR/usr/src/toa-<version>): dkms.conf (from
# dkms.conf.in, with the version from VERSION), kmod/ (sources and
# Kbuild) and include/toa/ (the uapi headers the module includes), VERSION.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest=${1:?usage: dkms-source.sh DEST}
version=$(<"$root/VERSION")
mkdir -p "$dest/kmod" "$dest/include/toa"
install -m 644 "$root"/kmod/{Kbuild,Makefile,*.c,*.h} "$dest/kmod/"
install -m 644 "$root"/include/toa/*.h "$dest/include/toa/"
install -m 644 "$root/VERSION" "$dest/"
sed "s/@VERSION@/$version/" "$root/dkms.conf.in" >"$dest/dkms.conf"
echo "$dest"
