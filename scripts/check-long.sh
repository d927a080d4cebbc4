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
#     20 s each).
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

results_end
