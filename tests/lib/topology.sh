# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# topology.sh - the three hosts every TOA test runs between, each a network
# namespace (inside the test VM, or on the host for host-check.sh):
#
#   ns "cli"            ns "lb" (forwarding on)                ns "srv"
#   +-------------+     +---------------------------------+     +-------------+
#   |        eth0 |-----| eth-cli                 eth-srv |-----| eth0        |
#   | 10.0.1.2/24 |veth | 10.0.1.1/24         10.0.2.1/24 |veth | 10.0.2.2/24 |
#   | fd01::2/64  |     | fd01::1/64           fd02::1/64 |     | fd02::2/64  |
#   +-------------+     +---------------------------------+     +-------------+
#   default via 10.0.1.1 / fd01::1          default via 10.0.2.1 / fd02::1
#
# lb_snat makes lb rewrite the source of client->backend traffic to
# 10.0.2.1 / fd02::1, like a full-NAT L4 balancer, so srv never sees the
# client's address except through the TOA option; lb_queue hands the
# client's packets to toa-inject, the balancer's option writer.
# Sourced after common.sh (cli/lb/srv, fail).

topo_up() {
	local ns
	# A module on Debian kernels (the VM's runner provides vm_modprobe);
	# built in where modules cannot be loaded (the host).
	if declare -F vm_modprobe >/dev/null && [[ ! -d /sys/module/veth ]]; then
		vm_modprobe veth
	fi
	# Builtins where they do: every process start costs under TCG.
	for ns in cli lb srv; do
		[[ ! -e /run/netns/$ns ]] || fail "netns $ns exists already"
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		# No duplicate address detection: addresses (including the
		# link-local ones of veths created later) are usable at once
		# instead of after ~1 s of DAD. The test VM sets that up once
		# for every new namespace (TOA_NETNS_NO_DAD, guest.sh).
		[[ -n ${TOA_NETNS_NO_DAD:-} ]] ||
			ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
				net.ipv6.conf.default.accept_dad=0
	done
	lb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# Tests bind explicit client ports below 50000 (toa-connect -s 40001),
	# to find them in captures and reports; ports the kernel picks come
	# from above, or an earlier connection's TIME_WAIT could hold one
	# ("Address already in use", seen in 1 of 20 stressed host checks).
	cli sysctl -qw net.ipv4.ip_local_port_range="50000 60999"
	# One `ip` process per namespace: process start-up is what costs
	# under TCG. Peers are created directly in their namespace.
	ip -n lb -b - <<-EOF
		link add eth-cli type veth peer name eth0 netns cli
		link add eth-srv type veth peer name eth0 netns srv
		addr add 10.0.1.1/24 dev eth-cli
		addr add fd01::1/64 dev eth-cli nodad
		addr add 10.0.2.1/24 dev eth-srv
		addr add fd02::1/64 dev eth-srv nodad
		link set eth-cli up
		link set eth-srv up
	EOF
	ip -n cli -b - <<-EOF
		addr add 10.0.1.2/24 dev eth0
		addr add fd01::2/64 dev eth0 nodad
		link set eth0 up
		route add default via 10.0.1.1
		route add default via fd01::1
	EOF
	ip -n srv -b - <<-EOF
		addr add 10.0.2.2/24 dev eth0
		addr add fd02::2/64 dev eth0 nodad
		link set eth0 up
		route add default via 10.0.2.1
		route add default via fd02::1
	EOF
}

# topo_down - delete the three namespaces (whichever exist: also the
# cleanup of a script that failed half-way through topo_up).
topo_down() {
	local ns
	for ns in cli lb srv; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

# lb_snat - full-NAT on lb: the backend only ever sees 10.0.2.1 / fd02::1.
lb_snat() {
	lb nft -f - <<-EOF
		table inet toa_snat {
			chain post {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "eth-srv" meta nfproto ipv4 snat ip to 10.0.2.1
				oifname "eth-srv" meta nfproto ipv6 snat ip6 to fd02::1
			}
		}
	EOF
}

# lb_queue QNUM [syn] - send every client->backend TCP packet but SYNs and
# RSTs (SYNs too with "syn", for toa-inject's --mss-clamp) to NFQUEUE
# QNUM, where toa-inject inserts the TOA option. The forward hook sees them
# before SNAT (postrouting). All of them, not just the first few: a packet
# that skipped the queue could overtake the queued handshake ACK (say a
# duplicate ACK answering a retransmitted SYN-ACK while toa-inject is slow)
# and complete the handshake without the option. `bypass`: without a
# program on the queue the packets pass unchanged. Replaces an earlier
# lb_queue rule. nft's queue expression where the kernel has it (the VM:
# nft_queue is a module), else iptables' NFQUEUE target (the host kernel
# has only xt_NFQUEUE built in). LB_QUEUE_VIA says which. The counter
# shows how many were queued: lb nft list chain inet toa_queue forward_q
LB_QUEUE_VIA=
lb_queue() {
	local q=${1:?lb_queue QNUM [syn]} flags='tcp flags & (syn | rst) == 0'
	local xflags=(--tcp-flags 'SYN,RST' NONE) t
	if [[ ${2:-} == syn ]]; then
		flags='tcp flags & rst == 0'
		xflags=(--tcp-flags RST NONE)
	fi
	# Accounting for rules that match on "ct original packets" (it only
	# applies to connections created after it is enabled).
	lb sysctl -qw net.netfilter.nf_conntrack_acct=1
	# (a scenario may have deleted it itself)
	[[ $LB_QUEUE_VIA != nft ]] || lb nft delete table inet toa_queue 2>/dev/null || true
	if [[ $LB_QUEUE_VIA == iptables ]]; then
		for t in iptables ip6tables; do lb "$t" -F FORWARD; done
	fi
	if lb nft -f - 2>/dev/null <<-EOF; then
		table inet toa_queue {
			chain forward_q {
				type filter hook forward priority filter; policy accept;
				iifname "eth-cli" oifname "eth-srv" $flags \
					counter queue num $q bypass
			}
		}
	EOF
		LB_QUEUE_VIA=nft
		return
	fi
	for t in iptables ip6tables; do
		lb "$t" -A FORWARD -i eth-cli -o eth-srv -p tcp "${xflags[@]}" \
			-j NFQUEUE --queue-num "$q" --queue-bypass
	done
	LB_QUEUE_VIA=iptables
}

# wait_port NS PORT [tcp|udp] - wait until something listens on PORT in NS
# (TOA_WAIT_TIMEOUT seconds, default 20: daemons start slowly under TCG).
wait_port() {
	local ns=$1 port=$2 opt
	case ${3:-tcp} in
	tcp) opt=-Hltn ;;
	udp) opt=-Hlun ;;
	*) fail "wait_port: bad protocol $3" ;;
	esac
	wait_until "${TOA_WAIT_TIMEOUT:-20}" "nothing listens on ${3:-tcp} port $port in $ns" \
		_listening "$ns" "$opt" "$port"
}
_listening() { [[ -n $(ip netns exec "$1" ss "$2" "sport = :$3") ]]; }

# netns_private SCRIPT ARGS... - on the host, re-run the calling script in
# a mount namespace of its own with an empty /run/netns: its namespace
# names (cli, lb, srv) cannot collide with the machine's or with another
# test's running beside it, and they vanish with the script, however it
# ends. Call it first thing: netns_private "$0" "$@". (The VM needs none of
# this: each scenario has the guest to itself.)
netns_private() {
	if [[ -z ${TOA_NETNS_PRIVATE:-} ]]; then
		TOA_NETNS_PRIVATE=1 exec unshare --mount --propagation private bash "$@"
	fi
	mkdir -p /run/netns
	mount -t tmpfs -o mode=755 toa-netns /run/netns
}
