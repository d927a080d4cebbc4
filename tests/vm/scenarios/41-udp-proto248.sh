#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Private-protocol mode, for networks that drop IP options: the balancer
# wraps each datagram in IP protocol 248 (IPv4 and IPv6 clients). toa.ko
# removes the wrapper before anything else sees the packet, so the socket
# gets a plain UDP datagram (checksum verified, no IP option left) and the
# flow is mapped; with the wrapper on the first datagram only, the next
# ones are mapped too. IPv6 has no IPv4 options: a balancer in IP-option
# mode wraps IPv6 datagrams all the same, on the same dual-stack socket as
# its IPv4 ones. Whatever the path to the socket, the INPUT rules see
# plain UDP only: fragments (reassembled, without conntrack on the
# backend, at LOCAL_IN for IPv4, and for IPv6 before PRE_ROUTING by
# nf_defrag_ipv6, which toa.ko enables) are unwrapped before the filter
# table too.
# With the backend's own DNAT (Docker -p, NodePort), the flow is mapped as
# the socket sees it, after NAT.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

toa_load udp=1
topo_up
lb_snat
lb_queue_udp 0
srv_count_wrapped_input
inject_start lb --queue 0 --mode first:1 --uoa-mode proto248

log "IPv4 client, wrapper on the first datagram"
serve -u -4 -p 9000 -n 2
udp_send 41011 10.0.2.2 9000 2
serve_wait
for n in 1 2; do
	expect_line $n from=10.0.2.1:41011 lookup=10.0.1.2:41011 \
		flow=proto248,10.0.1.2:41011 ipopt=none
done

log "IPv6 client, wrapper on the first datagram"
serve -u -6 -p 9000 -n 2
udp_send 41012 fd02::2 9000 2
serve_wait
for n in 1 2; do
	expect_line $n "from=[fd02::1]:41012" "lookup=[fd01::2]:41012" \
		"flow=proto248,[fd01::2]:41012" ipopt=none
done
expect_stats srv udp_unwrapped=2 udp_opt_seen=2 udp_map_new=2 \
	udp_map_in_use=2 udp_drop=0 udp_opt_malformed=0
inject_stop

log "IP-option mode: IPv4 gets an option, IPv6 a wrapper"
inject_start lb --queue 0 --mode every
serve -u -d -p 9000 -n 2
udp_send 41013 fd02::2 9000
udp_send 41014 10.0.2.2 9000
serve_wait
expect_line 1 "from=[fd02::1]:41013" "lookup=[fd01::2]:41013" \
	"flow=proto248,[fd01::2]:41013" ipopt=none
expect_line 2 "from=[::ffff:10.0.2.1]:41014" lookup=10.0.1.2:41014 \
	flow=ipopt,10.0.1.2:41014 ipopt=10.0.1.2:41014
expect_stats srv udp_unwrapped=3 udp_opt_seen=4 udp_drop=0
inject_stop

# 3000 bytes: sent in fragments, reassembled by lb (conntrack) to be
# wrapped, fragmented again towards srv.
big=$(printf '%03000d' 0)
log "IPv4 fragments of a wrapper, no conntrack on srv: unwrapped at LOCAL_IN"
inject_start lb --queue 0 --mode every --uoa-mode proto248
serve -u -4 -p 9000 -n 1
udp_send 41015 10.0.2.2 9000 1 -m "$big"
serve_wait
expect_line 1 from=10.0.2.1:41015 lookup=10.0.1.2:41015 flow=proto248,10.0.1.2:41015
inject_stop

# IPv6 reassembles after LOCAL_IN: whole at PRE_ROUTING only because
# toa.ko enabled nf_defrag_ipv6 in srv (no conntrack there yet).
log "IPv6 fragments of a wrapper, no conntrack on srv: reassembled before PRE_ROUTING"
inject_start lb --queue 0 --mode every --uoa-mode proto248
serve -u -6 -p 9000 -n 1
udp_send 41018 fd02::2 9000 1 -m "$big"
serve_wait
expect_line 1 "from=[fd02::1]:41018" "lookup=[fd01::2]:41018" "flow=proto248,[fd01::2]:41018"
inject_stop

log "srv DNATs port 9100 to 9000: mapped as the socket sees the flow"
srv nft -f - <<-NFT
	table inet dnat9100 {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			meta nfproto ipv4 udp dport 9100 dnat ip to 10.0.2.2:9000
			meta nfproto ipv6 udp dport 9100 dnat ip6 to [fd02::2]:9000
		}
	}
NFT
inject_start lb --queue 0 --mode first:1 --uoa-mode proto248
serve -u -d -p 9000 -n 4
udp_send 41016 10.0.2.2 9100 2
# IPv6 fragments: srv's NAT table brings nf_defrag_ipv6, so they are
# whole at PRE_ROUTING already.
udp_send 41017 fd02::2 9100 2 -m "$big"
serve_wait
for n in 1 2; do
	expect_line $n from=[::ffff:10.0.2.1]:41016 lookup=10.0.1.2:41016 \
		flow=proto248,10.0.1.2:41016
done
for n in 3 4; do
	expect_line $n "from=[fd02::1]:41017" "lookup=[fd01::2]:41017" \
		"flow=proto248,[fd01::2]:41017"
done
inject_stop

log "the INPUT rule never saw protocol 248"
srv_wrapped_input_unseen
expect_stats srv udp_drop=0 udp_opt_malformed=0
