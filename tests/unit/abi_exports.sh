#!/bin/bash
# SPDX-License-Identifier: MIT
#
# abi_exports.sh LIBTOA.SO - the shared library exports its public API and
# nothing else: the C ABI (toa_*) and the C++ API of namespace toa, each
# symbol at version TOA_0; no internals (toa::detail, control::impl, the
# private constructor), nothing outside namespace toa.
set -euo pipefail
lib=${1:?usage: abi_exports.sh LIBTOA.SO}
syms=$(nm -DC --defined-only "$lib" | awk '$2 != "A" { $1 = ""; $2 = ""; sub(/^  /, ""); print }')
bad=$(grep -vE '^(toa_[a-z0-9_]+|toa::[^ ].*)@@TOA_0$' <<<"$syms" || true)
internal=$(grep -E 'toa::detail|::impl|unique_ptr<toa::control::impl' <<<"$syms" || true)
echo "$(wc -l <<<"$syms") exported symbols"
if [[ -n $bad || -n $internal ]]; then
	echo "not part of the API, or unversioned:" >&2
	printf '%s\n' "$bad" "$internal" | grep -v '^$' >&2
	exit 1
fi
grep -q '^toa_get_peer@@TOA_0$' <<<"$syms" || { echo "toa_get_peer missing" >&2; exit 1; }
grep -q '^toa::peer(int)@@TOA_0$' <<<"$syms" || { echo "toa::peer missing" >&2; exit 1; }
echo "abi_exports: only the public API, all at TOA_0"
