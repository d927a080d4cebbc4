# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - helpers for test-VM scenarios. A scenario starts with
#
#	source "$TOA_ROOT/tests/vm/lib.sh"
#
# and from then on runs under `set -e`: every line is an assertion, the
# first failing command fails the scenario (the ERR trap logs where).
#
# The helpers shared with the tests that run on the host are in
# tests/lib/: common.sh (fail, assert_eq, wait_until, cli/lb/srv),
# topology.sh (topo_up: client, balancer and backend namespaces, drawn
# there; lb_snat, lb_queue, wait_port) and capture.sh (tcpdump captures
# that are stopped only once they hold the packets asserted on). The VM has
# no network device at all: every packet stays in those namespaces.
#
# From the runner (guest.sh): TOA_ROOT, TOA_KO (module to insmod; the harness
# never loads it), TOA_BIN (userspace tools), KVER, TOA_OUT (this scenario's
# result dir on the host, for pcaps etc.), TOA_TMP (scratch, also the cwd)
# and the function vm_modprobe NAME... (modprobe from the guest kernel's
# modules; autoloading by the kernel works too).

source "$TOA_ROOT/tests/lib/common.sh"
source "$TOA_ROOT/tests/lib/topology.sh"
source "$TOA_ROOT/tests/lib/capture.sh"

# nginx_echo NS [PORT [LISTEN_PARAMS]] - nginx in NS on PORT (default 80,
# IPv4 and IPv6; LISTEN_PARAMS added to both listen lines, e.g. deferred)
# answering every request with "$remote_addr", i.e. the peer address nginx
# got from accept(): what toa is meant to change. Its access log, one line
# "$remote_addr $remote_port" per request, is $NGINX_DIR/access.log.
# Config, pid and logs are in NGINX_DIR=$TOA_TMP/nginx-NS-PORT/; the runner
# kills nginx after the scenario.
NGINX_DIR=
nginx_echo() {
	local ns=$1 port=${2:-80} params=${3:-} dir
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
				listen $port $params;
				listen [::]:$port $params;
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
		nap 0.05
	done
}
