#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh BINDIR SECONDS - run every *_fuzz binary in BINDIR for SECONDS,
# starting from its seed corpus in tests/fuzz/corpus/NAME/ (copied, so the
# tree is not written). Fails on the first crash, leak or abort.
# FUZZ_RUNS=N runs each for N executions instead (make check-long: 10M).
set -euo pipefail
bindir=${1:?usage: run.sh BINDIR SECONDS}
secs=${2:?usage: run.sh BINDIR SECONDS}
if [[ -n ${FUZZ_RUNS:-} ]]; then
	[[ $FUZZ_RUNS =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_RUNS must be a count" >&2; exit 2; }
	limit=(-runs="$FUZZ_RUNS") what="$FUZZ_RUNS executions"
else
	limit=(-max_total_time="$secs") what="${secs}s"
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

n=0
for fz in "$bindir"/*_fuzz; do
	[[ -x $fz ]] || continue
	name=$(basename "$fz" _fuzz)
	work=$(mktemp -d)
	[[ -d $here/corpus/$name ]] && cp "$here/corpus/$name"/* "$work/"
	echo "fuzz: $name for $what"
	"$fz" "${limit[@]}" -max_len=128 -print_final_stats=1 \
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
