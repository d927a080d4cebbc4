#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh [--deterministic] [--kver KVER] [BENCH...] - run the benchmarks
# in one test VM (default: Debian's default kernel) and print their RESULT
# lines: figures without and with toa.ko measured in the same boot, and
# the ratio.
#   default          every bench/vm/*.sh but det-*, in the usual VM (2
#                    vCPUs, TCG: compare ratios only)
#   --deterministic  bench/vm/det-*.sh in a VM with one vCPU under QEMU's
#                    -icount shift=0,sleep=off: guest ns = instructions
set -euo pipefail
det= kver=
while (($#)); do
	case $1 in
	--deterministic) det=1; shift ;;
	--kver) kver=$2; shift 2 ;;
	*) break ;;
	esac
done
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
kver=${kver:-$(scripts/kver.sh default)}
ko=$(bash tests/vm/build-module.sh "$kver")
benches=("$@")
if ((!${#benches[@]})); then
	for b in bench/vm/*.sh; do
		is_det=
		[[ $(basename "$b") != det-* ]] || is_det=1
		[[ $is_det != "$det" ]] || benches+=("$b")
	done
fi
TOA_VM_DETERMINISTIC=$det TOA_VM_SCENARIO_TIMEOUT=${TOA_VM_SCENARIO_TIMEOUT:-1200} \
	bash tests/vm/run.sh --kver "$kver" --ko "$ko" "${benches[@]}" 2>&1 | tee build/bench.log
# run.sh names its output directory on its first line ("..., run DIR").
out=$(sed -n 's/^vm: booting .*, run \(.*\)$/\1/p' build/bench.log | head -n 1)
echo
if [[ -n $det ]]; then
	echo "== benchmark results ($kver, QEMU deterministic mode: 1 ns = 1 instruction)"
else
	echo "== benchmark results ($kver, QEMU TCG: compare the ratios)"
fi
grep -h '^RESULT' "$out"/results/*/log | sed 's/^RESULT /  /'
[[ -z $det ]] || echo "(bench/README.md's tables: bash bench/report.sh --update bench/README.md $out [another kernel's run])"
