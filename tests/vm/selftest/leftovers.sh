#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Must PASS, and leave a mess behind for clean-state.sh (run it right after):
# namespaces, an nft ruleset, a daemon (nginx) and a background process.
# Also shows nginx runs in the VM and sees the SNAT address.
source "$TOA_ROOT/tests/vm/lib.sh"

topo_up
lb_snat
nginx_echo srv 80
assert_eq "10.0.2.1" "$(cli curl -sS http://10.0.2.2/)" "nginx \$remote_addr, IPv4"
assert_eq "fd02::1" "$(cli curl -sS 'http://[fd02::2]/')" "nginx \$remote_addr, IPv6"
sleep 100000 &
nft add table ip leftover
