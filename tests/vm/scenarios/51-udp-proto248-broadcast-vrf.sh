#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol 248 to every kind of local destination: a wrapper to the
# backend's subnet broadcast address, and wrappers to a backend whose
# interface is enslaved to a VRF (its addresses then live in the VRF's
# table, not in main), IPv4 and IPv6. Each is unwrapped before the filter
# table (an INPUT rule dropping protocol 248 never matches), delivered as
# plain UDP and mapped to the client the option carries.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

toa_load udp=1 trusted=10.0.2.1/32,fd02::1/128
topo_up
lb_snat
lb_queue_udp 0
srv_count_wrapped_input

log "broadcast: a wrapper to 10.0.2.255, sent by the balancer itself"
# Routers forward no directed broadcast: the datagram starts on lb (its
# postrouting queue sees it too); --client names the client.
inject_start lb --queue 0 --mode every --uoa-mode proto248 --client 10.0.1.99:5555
serve -u -4 -p 9000 -n 1
lb python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind(("10.0.2.1", 41040))
s.sendto(b"broadcast\n", ("10.0.2.255", 9000))'
serve_wait
expect_line 1 from=10.0.2.1:41040 lookup=10.0.1.99:5555 flow=proto248,10.0.1.99:5555 ipopt=none
inject_stop

log "VRF: srv's eth0 enslaved to vrf-blue (table 10)"
vm_modprobe vrf
srv ip link add vrf-blue type vrf table 10
srv ip link set vrf-blue up
srv ip link set eth0 master vrf-blue
# Enslaving cycles the link, which flushes its IPv6 addresses.
srv ip -6 addr replace fd02::2/64 dev eth0 nodad
srv ip route add default via 10.0.2.1 vrf vrf-blue
srv ip -6 route add default via fd02::1 vrf vrf-blue
inject_start lb --queue 0 --mode every --uoa-mode proto248
# Bound to the VRF device: it receives and answers in the VRF.
serve -u -d -I vrf-blue -p 9000 -n 2
udp_send 41041 10.0.2.2 9000
udp_send 41042 fd02::2 9000
serve_wait
expect_line 1 "from=[::ffff:10.0.2.1]:41041" lookup=10.0.1.2:41041 flow=proto248,10.0.1.2:41041
expect_line 2 "from=[fd02::1]:41042" "lookup=[fd01::2]:41042" "flow=proto248,[fd01::2]:41042"
inject_stop

log "the INPUT rule never saw protocol 248"
srv_wrapped_input_unseen
expect_stats srv udp_unwrapped=3 udp_drop=0 udp_opt_malformed=0
