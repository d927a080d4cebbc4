# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - helpers for test-VM scenarios. A scenario starts with
#
#	source "$TOA_ROOT/tests/vm/lib.sh"
#
# and from then on runs under `set -e`: every line is an assertion, the
# first failing command fails the scenario (the ERR trap logs where).
#
# Topology built by topo_up (network namespaces inside the VM; the VM has
# no network device at all):
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
# client's address except through the TOA option.
#
# From the runner (guest.sh): TOA_ROOT, TOA_KO (module to insmod; the harness
# never loads it), TOA_BIN (userspace tools), KVER, TOA_OUT (this scenario's
# result dir on the host, for pcaps etc.), TOA_TMP (scratch, also the cwd)
# and the function vm_modprobe NAME... (modprobe from the guest kernel's
# modules; autoloading by the kernel works too).

# Where a failure happened: the failing command and the call stack, so the
# tail of the log that run.sh prints is enough to see what went wrong.
_stack() { # the stack of our caller's caller
	local i
	for ((i = 2; i < ${#FUNCNAME[@]}; i++)); do
		echo "    at ${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]} ${FUNCNAME[i]}"
	done >&2
}
_on_err() {
	echo "FAILED (exit $?): $BASH_COMMAND" >&2
	_stack
}

# Not in an interactive shell (TOA_VM_SHELL=1 debugging: `source` this to
# get the helpers), where set -e would end the shell and power off the VM.
if [[ $- != *i* ]]; then
	set -eEuo pipefail
	trap _on_err ERR
fi

if [[ -n ${TOA_VM_TRACE:-} ]]; then
	PS4='+ ${EPOCHREALTIME} ${BASH_SOURCE[0]##*/}:${LINENO}: '
	set -x
fi

log() { echo "-- $*"; }

# fail MSG - fail the scenario. Note: inside $(...) or a pipeline this only
# ends that subshell; set -e then fails the enclosing command.
fail() {
	echo "FAIL: $*" >&2
	_stack
	exit 1
}

assert_eq() {
	[[ $1 == "$2" ]] || fail "${3:-assert_eq}: expected '$1', got '$2'"
}

# cli/lb/srv CMD... - run CMD in that namespace. As in WireGuard's
# netns.sh, when called in a subshell (`srv cmd &`, `$(cli cmd)`, a pipeline)
# they exec, so that `$!` is the command itself and `kill $!` reaches it
# (otherwise it is a bash waiting for it, which defers the signal). So in a
# subshell, a cli/lb/srv call must be the last command.
maybe_exec() {
	if [[ $BASHPID == "$$" ]]; then
		"$@"
	else
		exec "$@"
	fi
}
cli() { maybe_exec ip netns exec cli "$@"; }
lb() { maybe_exec ip netns exec lb "$@"; }
srv() { maybe_exec ip netns exec srv "$@"; }

topo_up() {
	local ns
	vm_modprobe veth # a module on Debian kernels
	for ns in cli lb srv; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		# No duplicate address detection: addresses (including the
		# link-local ones of veths created later) are usable at once
		# instead of after ~1 s of DAD.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
	lb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
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

topo_down() {
	ip netns del cli
	ip netns del lb
	ip netns del srv
}

# wait_port NS PORT [tcp|udp] - wait until something listens on PORT in NS
# (TOA_WAIT_TIMEOUT seconds, default 20: daemons start slowly under TCG).
wait_port() {
	local ns=$1 port=$2 proto=${3:-tcp} opt end
	case $proto in
	tcp) opt=-Hltn ;;
	udp) opt=-Hlun ;;
	*) fail "wait_port: bad protocol $proto" ;;
	esac
	end=$((SECONDS + ${TOA_WAIT_TIMEOUT:-20}))
	until [[ -n $(ip netns exec "$ns" ss "$opt" "sport = :$port") ]]; do
		((SECONDS < end)) || fail "nothing listens on $proto port $port in $ns"
		sleep 0.05
	done
}

# nginx_echo NS [PORT] - nginx in NS on PORT (default 80, IPv4 and IPv6)
# answering every request with "$remote_addr", i.e. the peer address nginx
# got from accept(): what toa is meant to change. Its access log, one line
# "$remote_addr $remote_port" per request, is $NGINX_DIR/access.log.
# Config, pid and logs are in NGINX_DIR=$TOA_TMP/nginx-NS-PORT/; the runner
# kills nginx after the scenario.
NGINX_DIR=
nginx_echo() {
	local ns=$1 port=${2:-80} dir
	dir="$TOA_TMP/nginx-$ns-$port"
	NGINX_DIR=$dir
	mkdir -p "$dir"
	cat >"$dir/nginx.conf" <<-EOF
		pid $dir/nginx.pid;
		error_log $dir/error.log;
		worker_processes 1;
		events { worker_connections 64; }
		http {
			log_format peer '\$remote_addr \$remote_port';
			access_log $dir/access.log peer;
			client_body_temp_path $dir/body;
			proxy_temp_path $dir/proxy;
			server {
				listen $port;
				listen [::]:$port;
				location / { return 200 "\$remote_addr\n"; }
			}
		}
	EOF
	ip netns exec "$ns" nginx -c "$dir/nginx.conf"
	wait_port "$ns" "$port"
	touch "$dir/access.log"
}

# nginx_wait_log N - wait until nginx_echo's access log has N lines (nginx
# writes it after answering, so the client may be done before it is).
nginx_wait_log() {
	local end=$((SECONDS + 10))
	until (($(wc -l <"$NGINX_DIR/access.log") >= $1)); do
		((SECONDS < end)) || fail "nginx logged $(wc -l <"$NGINX_DIR/access.log") of $1 requests"
		sleep 0.05
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

# lb_queue QNUM - send every client->backend TCP packet but SYNs and RSTs
# to NFQUEUE QNUM, where a userspace program (toa-inject) can insert the TOA
# option. The forward hook sees them before SNAT (postrouting). All of them,
# not just the first few: a packet that skipped the queue could overtake
# the queued handshake ACK (say a duplicate ACK answering a retransmitted
# SYN-ACK while toa-inject is slow) and complete the handshake without the
# option. `bypass`: without a program on the queue the packets pass
# unchanged. The counter shows how many were queued:
#	lb nft list chain inet toa_queue forward_q
lb_queue() {
	local q=${1:?lb_queue QNUM}
	lb nft -f - <<-EOF
		table inet toa_queue {
			chain forward_q {
				type filter hook forward priority filter; policy accept;
				iifname "eth-cli" oifname "eth-srv" tcp flags & (syn | rst) == 0 \
					counter queue num $q bypass
			}
		}
	EOF
	# Accounting for scenarios that match on "ct original packets" (it
	# only applies to connections created after it is enabled).
	lb sysctl -qw net.netfilter.nf_conntrack_acct=1
}
