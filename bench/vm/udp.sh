#!/bin/bash
# SPDX-License-Identifier: MIT
#
# UDP benchmark, run in the test VM by bench/run.sh: datagrams received
# and decoded per second of one CPU over loopback (bench/udp/
# toa_bench_udp.cpp: the kernel's receive path, toa.ko's hooks included,
# then the application's receive calls, each timed), without and with the
# UOA decoding, in one boot, and their ratios:
#   plain         plain datagrams, recvmsg(): what toa.ko's hooks cost UDP
#                 traffic that carries no option
#   ipopt-kernel  an IPv4 option on every datagram, recvmsg(): toa.ko
#                 records every option (the application decodes nothing)
#   ipopt         the same datagrams; with: toa.ko, and toa::udp::recv()
#                 decoding the option from IP_RECVOPTS and confirming it in
#                 the flow map; without: no toa.ko,
#                 recvmsg() (the kernel ignores the option)
#   proto248      a protocol-248 wrapper on every datagram; with: toa.ko
#                 unwraps and records, toa::udp::recv() asks the flow map
#                 (one getsockopt per datagram); without: plain datagrams,
#                 recvmsg() (a wrapper cannot arrive without toa.ko)
#   first         the option on the first datagram only; with: one flow-map
#                 lookup per datagram; without: the same datagrams, recvmsg
# Each round measures every pair back to back (toa.ko unloaded, then
# loaded); a line reports the median over the rounds of each side's rate
# and of the per-round ratio, which drifts of a shared host cancel out of.
# Absolute figures are from an emulated CPU (QEMU TCG): compare ratios.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

ip netns add bench
ip -n bench link set lo up
count=${BENCH_UDP_COUNT:-40000}
rounds=${BENCH_UDP_ROUNDS:-5}
# b SEND RECV [VIA] - one run in netns bench: prints its line and sets
# $rate; with libtoa most datagrams must have come VIA that way.
b() {
	local r
	r=$(ip netns exec bench "$TOA_BIN/toa-bench-udp" "$1" "$2" -n "$count")
	echo "$r"
	rate=$(sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<<"$r")
	[[ -z ${3:-} || $r == *" via=$3" ]] || fail "expected via=$3: $r"
}
declare -A runs
keep() { runs[$1]+="$rate "; }

for ((round = 1; round <= rounds; round++)); do
	log "round $round without toa.ko"
	! grep -q '^toa ' /proc/modules || toa_unload
	b plain recvmsg; keep plain0
	b ipopt recvmsg; keep ipopt0
	b first recvmsg; keep first0
	log "round $round with toa.ko"
	toa_load udp=1
	b plain recvmsg; keep plain1
	b ipopt recvmsg; keep ipoptk
	b ipopt libtoa option; keep ipopt1
	b proto248 libtoa flow-map; keep proto1
	b first libtoa flow-map; keep first1
	expect_stat bench udp_drop 0
done
expect_stat bench udp_opt_malformed 0

# ratio NAME WITHOUT WITH - medians of the rates and of the round ratios
ratio() {
	awk -v n="$1" -v a="${runs[$2]}" -v b="${runs[$3]}" '
	function median(v, k,   i, j, t) {
		for (i = 1; i <= k; i++)
			for (j = i + 1; j <= k; j++)
				if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
	}
	BEGIN {
		k = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= k; i++) r[i] = y[i] / x[i]
		printf "RESULT udp %-13s without=%d/s with=%d/s ratio(with/without)=%.3f\n",
			n, median(x, k), median(y, k), median(r, k)
	}'
}
ratio plain plain0 plain1
ratio ipopt-kernel ipopt0 ipoptk
ratio ipopt ipopt0 ipopt1
ratio proto248 plain0 proto1
ratio first first0 first1
