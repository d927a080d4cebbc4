#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Broken options and wrappers: never a crash, never a wrong address. A
# well-formed carrier with a bogus option (port 0, address 0, UOA code with
# a wrong length) delivers its datagram unmapped, the option blanked, and
# is counted malformed. A broken IPv4 option list never reaches toa.ko: the
# kernel drops it. A broken protocol-248 wrapper (version, next protocol,
# length) is dropped by toa.ko and counted.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

toa_load udp=1
topo_up
lb_snat
lb_queue_udp 0

port=41050
delivered() { # delivered KIND [ARGS] - one datagram with a broken option
	local kind=$1
	shift
	inject_start lb --queue 0 --mode every --malform "$kind" "$@"
	udp_send $port 10.0.2.2 9000
	inject_stop
	port=$((port + 1))
}
dropped() { # dropped KIND [ARGS] - one datagram that must not arrive
	local kind=$1
	shift
	inject_start lb --queue 0 --mode every --malform "$kind" "$@"
	! cli "$TOA_BIN/toa-connect" -u -t 1 -s $port 10.0.2.2 9000 2>/dev/null ||
		fail "a datagram with --malform $kind $* arrived"
	inject_stop
	port=$((port + 1))
}

serve -u -4 -p 9000 -n 8
log "IP-option mode: delivered, option blanked"
for kind in zero-port zero-addr short; do delivered $kind; done
log "IP-option mode: broken option lists, dropped by the kernel"
for kind in truncated badlen; do dropped $kind; done
expect_stats srv udp_opt_malformed=3 udp_drop=0
log "protocol 248: bad options inside a good wrapper, delivered"
for kind in truncated badlen zero-port zero-addr short; do
	delivered $kind --uoa-mode proto248
done
log "protocol 248: broken wrappers, dropped by toa.ko"
for kind in opp-version opp-proto opp-length; do dropped $kind; done
serve_wait
for n in 1 2 3 4 5 6 7 8; do
	expect_line $n lookup=ENOENT flow=ENOENT ipopt=none
done
expect_stats srv udp_opt_malformed=11 udp_drop=3 udp_unwrapped=5 \
	udp_opt_seen=0 udp_map_in_use=0
