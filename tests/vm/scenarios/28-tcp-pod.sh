#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A server in a pod: the backend host (srv) is a Kubernetes node whose
# NodePort (30080) DNATs to a pod, a network namespace of its own behind
# a veth, as kube-proxy does. The option survives the node's DNAT and
# forwarding; toa.ko rewrites in the pod's namespace (counted there, not
# on the node), IPv4 and IPv6. With the node masquerading (kube-proxy's
# externalTrafficPolicy: Cluster) the pod's peer is the node: its option
# is then untrusted unless the node's address is on the trusted list, and
# honoured once it is.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load trusted=10.0.2.1/32,fd02::1/128
topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0

ip netns add pod
ip -n pod link set lo up
ip netns exec pod sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
srv sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n srv -b - <<-EOF2
	link add veth-pod type veth peer name eth0 netns pod
	addr add 10.244.0.1/24 dev veth-pod
	addr add fd44::1/64 dev veth-pod nodad
	link set veth-pod up
EOF2
ip -n pod -b - <<-EOF2
	addr add 10.244.0.2/24 dev eth0
	addr add fd44::2/64 dev eth0 nodad
	link set eth0 up
	route add default via 10.244.0.1
	route add default via fd44::1
EOF2
srv nft -f - <<-EOF2
	table inet nodeport {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			tcp dport 30080 meta nfproto ipv4 dnat ip to 10.244.0.2:8000
			tcp dport 30080 meta nfproto ipv6 dnat ip6 to [fd44::2]:8000
		}
	}
EOF2

SERVE_NS=pod # serve and expect_seen: the server in the pod

log "NodePort to a pod, no masquerade: the pod sees the client"
through -d -p 8000 -- -s 40001 10.0.2.2 30080
expect_seen accept=[::ffff:10.0.1.2]:40001 peer=[::ffff:10.0.1.2]:40001
through -d -p 8000 -- -s 40002 fd02::2 30080
expect_seen accept=[fd01::2]:40002 peer=[fd01::2]:40002
expect_stat pod syn_recv_sock_toa 2
expect_stat srv syn_recv_sock_toa 0

log "the node masquerades: its option is not trusted"
srv nft add table ip masq
srv nft add chain ip masq post '{ type nat hook postrouting priority srcnat; policy accept; }'
srv nft add rule ip masq post oifname veth-pod masquerade
through -d -p 8000 -- -s 40003 10.0.2.2 30080
# masquerade may pick another source port: the address is the point
serve_wait
[[ $SERVED == "accept=[::ffff:10.244.0.1]:"* ]] || fail "expected the node 10.244.0.1: $SERVED"
expect_stat pod opt_untrusted 1

log "the node's address trusted: the client again"
echo 10.0.2.1/32,fd02::1/128,10.244.0.1/32 >/sys/module/toa/parameters/trusted
through -d -p 8000 -- -s 40004 10.0.2.2 30080
expect_seen accept=[::ffff:10.0.1.2]:40004 peer=[::ffff:10.0.1.2]:40004
