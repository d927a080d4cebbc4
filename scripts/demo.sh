#!/bin/bash
# SPDX-License-Identifier: MIT
#
# demo.sh - `make demo`: tests/vm/demo.sh in the test VM (client ->
# simulated balancer -> nginx backend), then what the backend saw.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
kver=$(scripts/kver.sh default)
ko=$(bash tests/vm/build-module.sh "$kver")
mkdir -p build
rc=0
bash tests/vm/run.sh --kver "$kver" --ko "$ko" tests/vm/demo.sh 2>&1 | tee build/demo.log || rc=$?
out=$(sed -n 's/^vm: booting .*, run \(.*\)$/\1/p' build/demo.log | head -n 1)
echo
cat "$out"/results/*-demo/log
exit "$rc"
