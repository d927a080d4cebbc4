#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh BINDIR SECONDS - run every *_fuzz binary in BINDIR for SECONDS,
# starting from its seed corpus in tests/fuzz/corpus/NAME/ (copied, so the
# tree is not written). Fails on the first crash, leak or abort.
set -euo pipefail
bindir=${1:?usage: run.sh BINDIR SECONDS}
secs=${2:?usage: run.sh BINDIR SECONDS}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

n=0
for fz in "$bindir"/*_fuzz; do
	[[ -x $fz ]] || continue
	name=$(basename "$fz" _fuzz)
	work=$(mktemp -d)
	[[ -d $here/corpus/$name ]] && cp "$here/corpus/$name"/* "$work/"
	echo "fuzz: $name for ${secs}s"
	"$fz" -max_total_time="$secs" -max_len=128 -print_final_stats=1 \
		-artifact_prefix="$work/" "$work" 2>&1 | grep -E '^(stat::number_of_executed_units|==|SUMMARY)' || true
	if ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* >/dev/null 2>&1; then
		echo "fuzz: $name FAILED, artifacts in $work" >&2
		exit 1
	fi
	rm -rf "$work"
	n=$((n + 1))
done
((n)) || { echo "fuzz: no fuzzer in $bindir" >&2; exit 1; }
echo "fuzz: $n fuzzer(s) clean"
