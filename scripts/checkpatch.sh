#!/bin/bash
# SPDX-License-Identifier: MIT
#
# checkpatch.sh - run the kernel's checkpatch.pl (--strict) over the module
# and the uapi headers it includes. checkpatch is not in the headers
# package, so it is taken once from Debian's linux-source package and kept
# in build/checkpatch/. Fails on any ERROR, WARNING or CHECK.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tests/vm/common.sh"
cp_dir=$TOA_ROOT/build/checkpatch
cp_pl=$cp_dir/scripts/checkpatch.pl

if [[ ! -x $cp_pl ]]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	pkg=$(apt-cache search --names-only '^linux-source-6\.1$' | cut -d' ' -f1)
	[[ -n $pkg ]] || { apt_update; pkg=linux-source-6.1; }
	# world-writable like kernel.sh's scratch dir: apt-get download
	# drops privileges to _apt
	chmod 1777 "$tmp"
	(cd "$tmp" && apt-get download -q "$pkg" >&2)
	mkdir -p "$cp_dir"
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-*.deb |
		tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		tar -xJ --strip-components=1 -C "$cp_dir" --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch'
fi

cd "$TOA_ROOT"
# Kernel-side sources (the scenarios' test module too), and the uapi headers the kernel includes (toa.h is
# the userspace C ABI: not kernel code).
files=(kmod/*.c kmod/*.h bpf/*.c bpf/include/linux/*.h tests/vm/ksock/*.c)
uapi=()
for h in include/toa/*.h; do
	case $h in
	include/toa/toa.h | include/toa/toa_udp.h | include/toa/export.h) ;; # libtoa's C ABI
	*) uapi+=("$h") ;;
	esac
done
# uapi headers cannot use the kernel's __packed (userspace includes them
# too), so that one suggestion is off for them.
out=$({
	"$cp_pl" --no-tree --strict --terse --show-types -f "${files[@]}" 2>&1
	"$cp_pl" --no-tree --strict --terse --show-types \
		--ignore PREFER_DEFINED_ATTRIBUTE_MACRO -f "${uapi[@]}" 2>&1
} || true)
echo "$out" | grep -v '^total:' || true
if grep -qE ': (ERROR|WARNING|CHECK):' <<<"$out"; then
	echo "checkpatch --strict: errors, warnings or checks above" >&2
	exit 1
fi
echo "checkpatch --strict: clean (no errors, warnings or checks) on $((${#files[@]} + ${#uapi[@]})) files"
