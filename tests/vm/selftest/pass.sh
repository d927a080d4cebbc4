#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Must PASS, and does nothing: `time tests/vm/run.sh tests/vm/selftest/pass.sh`
# measures the harness's fixed cost (boot and shutdown).
source "$TOA_ROOT/tests/vm/lib.sh"

log "nothing to do"
