#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh [BENCH...] - run the benchmarks (default: every bench/vm/*.sh) in
# one test VM on Debian's default kernel and print their RESULT lines:
# rates without and with toa.ko measured in the same boot, and the ratio.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
kver=$(scripts/kver.sh default)
ko=$(bash tests/vm/build-module.sh "$kver")
benches=("$@")
((${#benches[@]})) || benches=(bench/vm/*.sh)
TOA_VM_SCENARIO_TIMEOUT=${TOA_VM_SCENARIO_TIMEOUT:-600} \
	bash tests/vm/run.sh --kver "$kver" --ko "$ko" "${benches[@]}" 2>&1 | tee build/bench.log
# run.sh names its output directory on its first line ("..., run DIR").
out=$(sed -n 's/^vm: booting .*, run \(.*\)$/\1/p' build/bench.log | head -n 1)
echo
echo "== benchmark results ($kver, QEMU TCG: compare the ratios)"
grep -h '^RESULT' "$out"/results/*/log | sed 's/^RESULT /  /'
