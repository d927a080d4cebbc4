#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Must FAIL: panics the guest kernel. run.sh must report this scenario and
# every one after it as failed (no result), plus the VM itself.
source "$TOA_ROOT/tests/vm/lib.sh"

echo c >/proc/sysrq-trigger
