# SPDX-License-Identifier: GPL-2.0
#
# udp-lib.sh - helpers for the UDP scenarios (4*-udp-*.sh), on top of
# toa-lib.sh (topology, toa_load, inject_start, serve, expect_stat). A UDP
# scenario reads:
#
#	source "$TOA_ROOT/tests/vm/udp-lib.sh"
#	toa_load udp=1
#	topo_up; lb_snat; lb_queue_udp 0       # client -> balancer (SNAT) -> backend
#	inject_start lb --queue 0 --mode first:1 --uoa-mode proto248
#	serve -u -4 -p 9000 -n 2               # toa-peer-server -u in srv
#	udp_send 41001 10.0.2.2 9000 2         # two datagrams from port 41001
#	serve_wait
#	expect_line 2 from=10.0.2.1:41001 lookup=10.0.1.2:41001 ipopt=none
#
# The balancer: toa-inject sits on lb's postrouting hook right after SNAT,
# where a real balancer writes the option: the datagram already has its
# final addresses and UDP checksum, and the client comes from the
# conntrack entry (what the balancer's session table knows). Writing a
# protocol-248 wrapper before SNAT would not work: NAT would then rewrite
# the wrapper as if it were the UDP header.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

# lb_queue_udp QNUM - every UDP datagram lb sends to the backend goes to
# NFQUEUE QNUM after SNAT (`bypass`: without a program there, unchanged).
lb_queue_udp() {
	local q=${1:?lb_queue_udp QNUM}
	# toa-inject reads the client from the conntrack entry of each packet:
	# NFQUEUE gives it only with ctnetlink loaded.
	vm_modprobe nf_conntrack_netlink
	lb nft -f - <<-EOF
		table inet toa_queue_udp {
			chain post_q {
				type filter hook postrouting priority srcnat + 1; policy accept;
				oifname "eth-srv" meta l4proto udp counter queue num $q bypass
			}
		}
	EOF
}

# srv_count_wrapped_input - an INPUT rule on srv that counts (and drops)
# protocol 248: toa.ko unwraps before the filter table, so it must never
# match (srv_wrapped_input_unseen).
srv_count_wrapped_input() {
	srv nft -f - <<-NFT
		table inet wrapped {
			chain in {
				type filter hook input priority filter; policy accept;
				meta l4proto 248 counter drop
			}
		}
	NFT
}
srv_wrapped_input_unseen() {
	# Read first, then match: grep -q in a pipe can exit before nft has
	# written all, and pipefail then counts nft's SIGPIPE as a mismatch.
	local chain
	chain=$(srv nft list chain inet wrapped in)
	[[ $chain == *'counter packets 0 bytes 0'* ]] ||
		fail "protocol 248 reached the filter table: $chain"
}

# udp_send SPORT ADDR PORT [N [ARGS...]] - N datagrams (default 1) from cli
# port SPORT to ADDR PORT, one after the other, each echoed back (one
# toa-connect per datagram: a flow is its source port). ARGS go to
# toa-connect.
udp_send() {
	local sport=$1 addr=$2 port=$3 n=${4:-1} i
	shift $(($# < 4 ? $# : 4))
	for ((i = 0; i < n; i++)); do
		cli "$TOA_BIN/toa-connect" -u -s "$sport" "$@" "$addr" "$port" ||
			fail "toa-connect -u -s $sport $addr $port: datagram $((i + 1)) of $n"
	done
}

# expect_line N KEY=VALUE... - after serve_wait: every pair is in report
# line N (1 = the first datagram) of the server.
expect_line() {
	local n=$1 kv line
	shift
	line=$(sed -n "${n}p" <<<"$SERVED")
	[[ -n $line ]] || fail "no report line $n in: $SERVED"
	log "datagram $n: $line"
	for kv in "$@"; do
		[[ " $line " == *" $kv "* ]] || fail "expected '$kv' in line $n: $line"
	done
}

# expect_stats NS NAME=VALUE... - several counters of NS's
# /proc/net/toa_stats with one process (each process start costs under TCG).
expect_stats() {
	local ns=$1 got
	shift
	got=$(ip netns exec "$ns" awk -v want="$*" '
		BEGIN { n = split(want, w, " ") }
		{ v[$1] = $2 }
		END {
			for (i = 1; i <= n; i++) {
				split(w[i], kv, "=")
				printf "%s=%s ", kv[1], (kv[1] in v) ? v[kv[1]] : "missing"
			}
		}' /proc/net/toa_stats)
	assert_eq "$* " "$got" "counters in $ns"
}

# wait_stat NS NAME VALUE - wait (up to 10 s) until counter NAME of NS
# reaches VALUE: for what toa.ko does in the background (expiry).
wait_stat() {
	local end=$((SECONDS + 10))
	until [[ $(toa_stat "$1" "$2") == "$3" ]]; do
		((SECONDS < end)) || fail "counter $2 in $1 stuck at $(toa_stat "$1" "$2"), expected $3"
		nap 0.2
	done
}

# udp_unload - rmmod toa, retrying for up to 5 s while it is "in use": a
# getsockopt() in progress holds a reference on the module (which is what
# makes rmmod safe), and toa-peer-server makes two per datagram. A
# reference that is never dropped still fails, after the deadline.
udp_unload() {
	local end=$((SECONDS + 5))
	until rmmod toa 2>/dev/null; do
		((SECONDS < end)) || fail "rmmod toa: still in use after 5 s"
		nap 0.02
	done
	! grep -q '^toa ' /proc/modules || fail "toa.ko still loaded"
}
