#!/bin/bash
# SPDX-License-Identifier: MIT
#
# format.sh [--check] - the userspace C and C++ in the style of the root
# .clang-format (Debian's clang-format): rewrites the files, or with
# --check lists the ones that differ and fails. kmod/, bpf/, include/ and
# the scenarios' test module (tests/vm/ksock/) are kernel style
# (scripts/checkpatch.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
check=0
case ${1:-} in
--check) check=1 ;;
"") ;;
*) echo "usage: format.sh [--check]" >&2; exit 2 ;;
esac
command -v clang-format >/dev/null || { echo "format.sh: clang-format missing (apt-get install clang-format)" >&2; exit 1; }
mapfile -t files < <(git ls-files -- 'libtoa/*' 'tools/*' 'tests/*' 'bench/*' 'examples/*' |
	grep -E '\.(c|h|cpp|hpp)$' | grep -v '^tests/vm/ksock/')
if ((check)); then
	bad=0
	for f in "${files[@]}"; do
		if ! clang-format --style=file "$f" | cmp -s "$f" -; then
			echo "format.sh: $f differs from .clang-format (run scripts/format.sh)"
			bad=1
		fi
	done
	((bad == 0)) && echo "format: ${#files[@]} files in the .clang-format style"
	exit "$bad"
fi
clang-format --style=file -i "${files[@]}"
