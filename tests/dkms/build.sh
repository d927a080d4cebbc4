#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh KVER [SRC] - toa.ko for Debian's kernel KVER the way an
# operator's node gets it: `make dkms-source` lays out /usr/src/toa-<version>
# (or SRC is one, e.g. unpacked from the toa-dkms package), then `dkms add`,
# `dkms build` and `dkms install` against that kernel's build tree.
# Everything stays in build/dkms/, or $TOA_DKMS_DIR (DKMS's trees are
# pointed there, the build tree is the one kbuild.sh unpacked); nothing is
# installed on the host. Prints the installed module's path, which the VM suite then loads.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../vm/common.sh"

kver=${1:?usage: build.sh KVER [SRC]}
src=${2:-}
kdir=$(bash "$VM_DIR/kbuild.sh" "$kver")
ENSURE_NO_RECOMMENDS=1 ensure_pkgs dkms
version=$(<"$TOA_ROOT/VERSION")
base=${TOA_DKMS_DIR:-$TOA_ROOT/build/dkms}
mkdir -p "$base"
exec 9>"$base/.lock"
flock 9

# A fresh source, tree and install each time: the module's sources may have
# changed under the same version, and DKMS keeps an installed module of
# the same version ("DKMS will not replace this module").
rm -rf "$base/src" "$base/tree/toa" "$base/install/$kver"
if [[ -n $src ]]; then
	mkdir -p "$base/src"
	cp -r "$src" "$base/src/toa-$version"
else
	bash "$TOA_ROOT/scripts/dkms-source.sh" "$base/src/toa-$version" >/dev/null
fi
mkdir -p "$base/tree" "$base/install/$kver"
dkms=(dkms --dkmstree "$base/tree" --sourcetree "$base/src" --installtree "$base/install")
run() { # run ACTION...: dkms, its output in the log, shown on failure
	if ! "${dkms[@]}" "$@" -m toa -v "$version" >>"$base/$kver.log" 2>&1; then
		cat "$base/$kver.log" >&2
		vm_die "dkms $1 failed for $kver"
	fi
}
: >"$base/$kver.log"
run add
run build -k "$kver" --kernelsourcedir "$kdir"
run install -k "$kver" --kernelsourcedir "$kdir" --no-depmod
"${dkms[@]}" status -m toa -v "$version" -k "$kver" | grep -q ': installed$' ||
	vm_die "dkms status does not say installed: $("${dkms[@]}" status)"
ko=$base/install/$kver/updates/dkms/toa.ko
[[ -f $ko ]] || vm_die "dkms installed no $ko"
[[ $(modinfo -F version "$ko") == "$version" && $(modinfo -F vermagic "$ko") == "$kver "* ]] ||
	vm_die "$ko: version $(modinfo -F version "$ko"), vermagic $(modinfo -F vermagic "$ko")"
vm_log "dkms: toa $version built and installed for $kver"
echo "$ko"
