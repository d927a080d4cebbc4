#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libtoa names the real client of every datagram (examples/udp-echo, on the
# C ABI over toa::udp::recv): from the datagram's own IPv4 option once
# toa.ko's flow map vouches for it; from the flow map for the datagrams
# after the first, and for IPv6 (a protocol-248 wrapper) on the same
# dual-stack socket. TOA_SO_GET_PEER answers for a connected UDP socket.
# Without toa.ko nobody vetted the header option: it is ignored, and the
# datagram is its sender's (module missing).
source "$TOA_ROOT/tests/vm/udp-lib.sh"

# echo_run ARGS... -- SEND... : udp-echo in srv, the datagrams, its lines
echo_run() {
	local args=() out pid
	new_tmp out echo
	while [[ $1 != -- ]]; do args+=("$1"); shift; done
	shift
	ip netns exec srv "$TOA_BIN/udp-echo" "${args[@]}" >"$out" &
	pid=$!
	until grep -q ready "$out"; do
		kill -0 $pid 2>/dev/null || fail "udp-echo exited early"
		nap 0.05
	done
	"$@"
	wait $pid || fail "udp-echo failed"
	SERVED=$(grep -v ready "$out")
}

toa_load udp=1
topo_up
lb_snat
lb_queue_udp 0
inject_start lb --queue 0 --mode first:1

log "dual-stack socket: IPv4 (IP option), then IPv6 (wrapper)"
both() {
	udp_send 41060 10.0.2.2 9000 2
	udp_send 41061 fd02::2 9000
}
echo_run -6 -n 3 9000 -- both
expect_line 1 client=10.0.1.2:41060 via=option "sender=[::ffff:10.0.2.1]:41060"
expect_line 2 client=10.0.1.2:41060 via=flow-map
expect_line 3 "client=[fd01::2]:41061" via=flow-map "sender=[fd02::1]:41061"

log "a connected UDP socket: TOA_SO_GET_PEER from the flow map"
echo_run -4 -c -n 3 9001 -- udp_send 41062 10.0.2.2 9001 3
expect_line 1 client=10.0.1.2:41062 via=option sender=10.0.2.1:41062
for n in 2 3; do
	expect_line $n client=10.0.1.2:41062 via=flow-map peer=10.0.1.2:41062,toa
done

log "without toa.ko: a header option nobody vetted is not believed"
toa_unload
inject_stop
inject_start lb --queue 0 --mode every
echo_run -4 -n 1 9002 -- udp_send 41063 10.0.2.2 9002
expect_line 1 client=10.0.2.1:41063 via=none module-missing
inject_stop
echo_run -4 -n 1 9002 -- udp_send 41064 10.0.2.2 9002
expect_line 1 client=10.0.2.1:41064 via=none module-missing
