#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check-long.sh - the long forms of make test's short checks, for a release
# or a change to the parsers and the build (not run by CI; about 15
# minutes on two cores):
#   - the whole build matrix: Release, Debug, Debian's default flags with
#     the tests, the library alone (make test builds Release and the
#     library alone);
#   - every fuzzer for FUZZ_RUNS executions, 10M by default (make test:
#     20 s each);
#   - the long forms of the VM proofs on Debian's default kernel
#     (TOA_LONG_KERNELS="default 6.12" for both): the soak with 100k TOA
#     connections (make test: 4000) and 20 rmmod/insmod cycles under load
#     (make test: 3), the hostile barrage with over 10,000 packets (make
#     test: about 3,500), beside 1000 simultaneous accepts (the same in
#     both);
#     about 15 minutes more per kernel.
# The suite's reliability under load is scripts/stress-test.sh (hours).
# Prints one line per check and "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
log=build/check-long
mkdir -p "$log"
source tests/lib/results.sh

bash scripts/build-matrix.sh 2>&1 | tee "$log/build-matrix.log"
result $((PIPESTATUS[0] == 0)) "build matrix (every flavour)" "log: $log/build-matrix.log"

runs=${FUZZ_RUNS:-10000000}
FUZZ_RUNS=$runs make -s fuzz WERROR=ON 2>&1 | tee "$log/fuzz.log"
result $((PIPESTATUS[0] == 0)) "fuzzers, $runs executions each" "log: $log/fuzz.log"

# The scenarios run the tools of the project's build.
make -s userspace >"$log/userspace.log" 2>&1 || result 0 "userspace build" "log: $log/userspace.log"
for k in ${TOA_LONG_KERNELS:-default}; do
	if ! kver=$(scripts/kver.sh "$k") || ! ko=$(bash tests/vm/build-module.sh "$kver"); then
		result 0 "toa.ko for $k"
		continue
	fi
	TOA_SOAK_CONNS=${TOA_SOAK_CONNS:-100000} TOA_UNLOAD_CYCLES=${TOA_UNLOAD_CYCLES:-20} \
		TOA_BARRAGE=${TOA_BARRAGE:-600} \
		TOA_VM_SCENARIO_TIMEOUT=3600 TOA_VM_TIMEOUT=7200 \
		bash tests/vm/run.sh --kver "$kver" --ko "$ko" tests/vm/scenarios/2[3457]-*.sh 2>&1 |
		tee "$log/vm-$kver.log"
	result $((PIPESTATUS[0] == 0)) "VM proofs, long forms, on $kver" "log: $log/vm-$kver.log"
done

results_end
