#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A TOA socket in a BPF sockmap (the data path of sockmap proxies such as
# Cilium's): the kernel redirects everything the socket receives back out
# of it, and the traffic arrives (the client reads its echo); the
# socket's getpeername() shows the client before, while and after it is
# in the map (sockmap swaps the socket's sk_prot, toa.ko its proto_ops:
# neither loses the other). IPv4 and IPv6; no entry left afterwards.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load
topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0

# sockmap_echo ADDR CLIENT - one connection through the sockmap echo
# server, whose line must show the client address CLIENT. The client is
# bash's /dev/tcp (one process, pinned like toa-connect; see
# inject_start): it sends only once the server says the socket is in the
# map, reads its echo back, and closes.
sockmap_echo() {
	local addr=$1 want=$2 out=$TOA_TMP/sockmap.out line
	ip netns exec srv "$TOA_BIN/toa-sockmap-echo" -p 9200 >"$out" &
	local pid=$!
	wait_port srv 9200
	ip netns exec cli taskset -c 0 bash -c '
		exec 3<>"/dev/tcp/$1/9200" || exit 1
		for ((i = 0; i < 400; i++)); do
			grep -q "^added" "$2" && break
			sleep 0.05
		done
		printf "through the sockmap\n" >&3
		read -r -t 20 echo <&3 || { echo "no echo" >&2; exit 1; }
		[[ $echo == "through the sockmap" ]] || { echo "echo: $echo" >&2; exit 1; }
		exec 3>&-' sockmap-client "$addr" "$out" || fail "the client through the sockmap failed"
	wait "$pid" || fail "toa-sockmap-echo failed"
	line=$(grep -v -e '^ready' -e '^added' "$out")
	log "sockmap server: $line"
	[[ $line =~ ^accept=(.*)\ peer=(.*)\ inmap=(.*)\ after=(.*)$ ]] || fail "server line: $line"
	local ep
	for ep in "${BASH_REMATCH[@]:1}"; do
		[[ $ep == "$want":* ]] || fail "not the client $want: $line"
	done
}

sockmap_echo 10.0.2.2 "[::ffff:10.0.1.2]"
sockmap_echo fd02::2 "[fd01::2]"
expect_stat srv syn_recv_sock_toa 2
expect_stat srv getname_toa_mismatch 0
toa_store_empty srv 20
