#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Must PASS when run after leftovers.sh: the runner has cleaned up.
source "$TOA_ROOT/tests/vm/lib.sh"

assert_eq "" "$(ip netns list)" "network namespaces left"
assert_eq "" "$(nft list ruleset)" "nft ruleset left"
assert_eq "" "$(pgrep -x 'nginx|sleep' || true)" "processes left"
