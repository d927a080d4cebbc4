#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Must FAIL: the scenario itself succeeds, but a kernel warning shows up in
# dmesg while it runs, which the runner must catch. No module can be loaded
# to cause a real one, so inject the line through /dev/kmsg.
source "$TOA_ROOT/tests/vm/lib.sh"

echo "WARNING: CPU: 0 PID: $$ at selftest/dmesg-warning.sh (injected)" >/dev/kmsg
log "scenario exits 0"
