#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Must FAIL (timed out) without taking the rest of the run with it; use a
# short limit: TOA_VM_SCENARIO_TIMEOUT=5 tests/vm/run.sh tests/vm/selftest/hang.sh
source "$TOA_ROOT/tests/vm/lib.sh"

sleep 100000
