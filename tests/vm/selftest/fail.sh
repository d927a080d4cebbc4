#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Must FAIL: proves run.sh reports a failing scenario and exits non-zero.
# Run: tests/vm/run.sh tests/vm/selftest/fail.sh
source "$TOA_ROOT/tests/vm/lib.sh"

topo_up
log "this ping works"
cli ping -c 1 -W 2 10.0.2.2
log "this one cannot: nothing has 10.0.9.9"
cli ping -c 1 -W 1 10.0.9.9
log "not reached"
