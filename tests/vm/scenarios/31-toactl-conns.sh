#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# toactl conns / lookup / stats and libtoa's toa_get_peer() against real
# TOA connections through the balancer: IPv4, IPv6, an IPv4 client on a
# dual-stack socket and NAT64. conns lists exactly the backend's TOA sockets
# (local, balancer, client, format), only in their own netns; lookup finds
# one by 4-tuple and tells "no socket" from "no TOA data"; entries vanish
# with their sockets. The C and Python (ctypes) examples report the real
# client, "no-option" on a plain connection and "module-missing" after
# rmmod.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

T=$TOA_BIN/toactl
HOLD=$TOA_ROOT/tests/vm/scenarios/conns-hold.py
ERR=$TOA_TMP/err

# hold NS ARGS... - conns-hold.py in NS, in the background, until it
# prints its first line ("ready" / "connected N").
hold() {
	local ns=$1 out
	new_tmp out hold
	shift
	ip netns exec "$ns" python3 "$HOLD" "$@" >"$out" &
	HOLD_PIDS+=" $!"
	local end=$((SECONDS + 60))
	until [[ -s $out ]]; do
		kill -0 $! 2>/dev/null || fail "conns-hold.py $* exited"
		((SECONDS < end)) || fail "conns-hold.py $* not ready"
		nap 0.05
	done
	log "conns-hold.py $*: $(cat "$out")"
}
HOLD_PIDS=

toa_load
topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0

log "sockets of every family, held open by a listener that never accepts"
hold srv listen 0.0.0.0 8000
hold srv listen :: 8001
hold cli connect 10.0.2.2 8000 2 41000
hold cli connect fd02::2 8001 1 42000
hold cli connect 10.0.2.2 8001 1 43000

"$T" -n srv conns | tee "$TOA_TMP/conns"
assert_eq 5 "$(wc -l <"$TOA_TMP/conns")" "header + 4 sockets"
head -n 1 "$TOA_TMP/conns" | grep -Eq '^Local +Balancer +Client +Format +Age$' || fail "header"
grep -Eq '^10\.0\.2\.2:8000 +10\.0\.2\.1:41000 +10\.0\.1\.2:41000 +254/8 +[0-9.]+s$' "$TOA_TMP/conns" ||
	fail "IPv4 row"
assert_eq 4 "$("$T" -n srv conns -H | wc -l)" "-H: no header"
assert_eq 4 "$("$T" -n srv conns --count)" "--count"
"$T" -n srv -j conns | jq -c '.conns | sort_by(.client.port)[] | [.local, .balancer, .client, .format]' |
	tee "$TOA_TMP/rows"
assert_eq '[{"addr":"10.0.2.2","port":8000},{"addr":"10.0.2.1","port":41000},{"addr":"10.0.1.2","port":41000},"254/8"]
[{"addr":"10.0.2.2","port":8000},{"addr":"10.0.2.1","port":41001},{"addr":"10.0.1.2","port":41001},"254/8"]
[{"addr":"fd02::2","port":8001},{"addr":"fd02::1","port":42000},{"addr":"fd01::2","port":42000},"254/20"]
[{"addr":"10.0.2.2","port":8001},{"addr":"10.0.2.1","port":43000},{"addr":"10.0.1.2","port":43000},"254/8"]' \
	"$(cat "$TOA_TMP/rows")" "conns JSON"
"$T" -n srv -j conns | jq -e '.schema == 1 and .count == 4 and
	all(.conns[]; .age_ms >= 0 and .age_ms < 120000 and .cookie > 0)' >/dev/null ||
	fail "schema, count, age and cookie"
"$T" -n srv -p conns >"$TOA_TMP/pretty"
assert_eq "$("$T" -n srv -j conns | jq -cS '.conns | map(del(.age_ms))')" \
	"$(jq -cS '.conns | map(del(.age_ms))' "$TOA_TMP/pretty")" "-p: the same JSON, indented"
grep -q '^    {$' "$TOA_TMP/pretty" || fail "-p indents: $(head -5 "$TOA_TMP/pretty")"

log "conns filters: local port, client and balancer prefixes (and their sum)"
# cport FILTER... - the client ports conns lists, sorted, as "[a,b]". From
# the table and one awk, not JSON and jq: a jq start costs half a second
# under TCG, and the filters act before either output is written.
cport() {
	"$T" -n srv conns -H "$@" | awk '{ p = $3; sub(/.*:/, "", p); a[n++] = p + 0 }
		END {
			for (i = 0; i < n; i++)
				for (j = i + 1; j < n; j++)
					if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			printf "["
			for (i = 0; i < n; i++) printf "%s%d", (i ? "," : ""), a[i]
			print "]"
		}'
}
assert_eq '[41000,41001]' "$(cport --port 8000)" "--port 8000"
assert_eq '[42000,43000]' "$(cport --port=8001)" "--port=8001"
assert_eq '[41000,41001,43000]' "$(cport --client 10.0.1.0/24)" "--client IPv4 (also ::ffff: on the dual-stack socket)"
assert_eq '[42000]' "$(cport --client fd01::/64)" "--client IPv6"
assert_eq '[41000,41001,43000]' "$(cport --balancer 10.0.2.1)" "--balancer one address"
assert_eq '[43000]' "$(cport --client 10.0.1.2/32 --port 8001)" "filters add up"
assert_eq '[]' "$(cport --client 192.0.2.0/24)" "no match"
assert_eq 2 "$("$T" -n srv conns -Hc --port 8000)" "combined flags with a filter"
assert_eq 1 "$("$T" conns --balancer fd02::1 -cn srv)" "options after the command, -n among them"
rc=0; "$T" -n srv conns --client 10.0.1.2/8 2>"$ERR" || rc=$?
assert_eq 2 "$rc" "a prefix with host bits is a usage error"

log "only in their own namespace; -A labels each"
assert_eq 0 "$("$T" -n cli conns -c)" "cli has no TOA sockets"
assert_eq 0 "$("$T" conns -c)" "the VM's own namespace has none"
"$T" conns -A | tee "$TOA_TMP/all"
assert_eq 4 "$(grep -c '^srv ' "$TOA_TMP/all")" "-A: srv's rows"
assert_eq 5 "$(wc -l <"$TOA_TMP/all")" "-A: header + srv's rows only"
assert_eq '{"srv":4}' "$("$T" -j conns -A | jq -c '.conns | group_by(.netns) | map({(.[0].netns): length}) | add')" "-A JSON"

log "lookup by 4-tuple: IPv4, IPv6, IPv4 on a dual-stack socket (either spelling)"
"$T" -n srv lookup 10.0.2.2:8000 10.0.2.1:41001 | tee "$TOA_TMP/one"
grep -Eq '^10\.0\.2\.2:8000 +10\.0\.2\.1:41001 +10\.0\.1\.2:41001 +254/8 ' "$TOA_TMP/one" || fail "lookup row"
assert_eq '{"addr":"fd01::2","port":42000}' \
	"$("$T" -n srv -j lookup '[fd02::2]:8001' '[fd02::1]:42000' | jq -c .client)" "IPv6 lookup"
assert_eq 10.0.1.2:43000 "$("$T" -n srv -j lookup 10.0.2.2:8001 10.0.2.1:43000 | jq -r '"\(.client.addr):\(.client.port)"')" "dual-stack lookup"
assert_eq 10.0.1.2:43000 "$("$T" -n srv -j lookup '[::ffff:10.0.2.2]:8001' '[::ffff:10.0.2.1]:43000' | jq -r '"\(.client.addr):\(.client.port)"')" "mapped spelling"

log "lookup: no such socket, and a socket without TOA data, are told apart"
rc=0; "$T" -n srv lookup 10.0.2.2:8000 10.0.2.1:9 2>"$ERR" || rc=$?
assert_eq 1 "$rc" "no socket: exit 1"
grep -q "no established TCP socket 10.0.2.2:8000 <- 10.0.2.1:9" "$ERR" || fail "$(cat "$ERR")"
rc=0; "$T" -n cli lookup 10.0.1.2:41000 10.0.2.2:8000 2>"$ERR" || rc=$?
assert_eq 1 "$rc" "client side socket: exit 1"
grep -q "has no TOA data" "$ERR" || fail "$(cat "$ERR")"
rc=0; "$T" -n lb lookup 10.0.2.2:8000 10.0.2.1:41001 2>"$ERR" || rc=$?
assert_eq 1 "$rc" "another netns does not see srv's sockets"

log "stats through netlink equal /proc/net/toa_stats"
assert_eq "$(toa_stat srv syn_recv_sock_toa) $(toa_stat srv opt_seen) $(toa_stat srv store_in_use)" \
	"$("$T" -n srv -j stats | jq -r '.counters | "\(.syn_recv_sock_toa) \(.opt_seen) \(.store_in_use)"')" \
	"syn_recv_sock_toa, opt_seen, store_in_use"
assert_eq 4 "$(toa_stat srv syn_recv_sock_toa)" "4 TOA sockets"
"$T" -n srv status | grep -qx "entries: 4 of 1048576" || fail "status entries"

log "global gauges: seen from the VM's namespace or with CAP_NET_ADMIN, not from another"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
nobody() { "${NOBODY[@]}" "$@"; }
# nobody_in NS CMD... - CMD in NS without any privilege.
nobody_in() { local ns=$1; shift; ip netns exec "$ns" "${NOBODY[@]}" "$@"; }
# In the VM's own (initial) namespace, even without privileges.
assert_eq 4 "$(nobody "$T" -j stats | jq .counters.store_in_use)" "nobody in the initial netns"
assert_eq 4 "$(nobody awk '$1 == "store_in_use" { print $2 }' /proc/net/toa_stats)" \
	"initial netns /proc"
# Root in cli (CAP_NET_ADMIN over the initial namespace): seen.
assert_eq 4 "$("$T" -n cli -j stats | jq .counters.store_in_use)" "root in cli"
# Without it, from cli: neither the gauges' values nor their names.
nobody_in cli cat /proc/net/toa_stats >"$TOA_TMP/cli-proc"
! grep -Eq '^(store_in_use|udp_map_in_use|probe_missed) ' "$TOA_TMP/cli-proc" ||
	fail "cli's unprivileged /proc/net/toa_stats shows a global gauge: $(cat "$TOA_TMP/cli-proc")"
grep -q '^syn_recv_sock_toa ' "$TOA_TMP/cli-proc" || fail "cli's own counters are listed"
nobody_in cli "$T" -j stats >"$TOA_TMP/cli-stats"
assert_eq "false false false true" \
	"$(jq -r '.counters | [has("store_in_use"), has("udp_map_in_use"), has("probe_missed"), has("syn_recv_sock_toa")] | join(" ")' "$TOA_TMP/cli-stats")" \
	"cli's unprivileged netlink stats"
nobody_in cli "$T" status | tee "$TOA_TMP/cli-status"
grep -q "^entries: hidden in this netns" "$TOA_TMP/cli-status" || fail "status hides entries"
assert_eq null "$(nobody_in cli "$T" -j status | jq .entries)" "status JSON entries"
# A container's root (its own user and network namespace): not seen either.
assert_eq false "$(unshare -Urn "$T" -j stats | jq '.counters | has("store_in_use")')" "container root"
# Live connections stay visible in their own namespace, to anyone there.
assert_eq 4 "$(nobody_in srv "$T" conns -c)" "srv's own conns, unprivileged"
# Entering a namespace with -n is setns(2): CAP_SYS_ADMIN, and toactl says so.
rc=0; nobody "$T" -n srv conns -c 2>"$ERR" || rc=$?
assert_eq 4 "$rc" "-n without CAP_SYS_ADMIN: exit 4"
grep -q "netns srv: permission denied (entering a network namespace needs CAP_SYS_ADMIN)" "$ERR" ||
	fail "-n names the capability: $(cat "$ERR")"

log "entries go with their sockets"
kill $HOLD_PIDS
wait $HOLD_PIDS 2>/dev/null || true
HOLD_PIDS=
end=$((SECONDS + 20))
until [[ $("$T" -n srv conns -c) == 0 ]]; do
	((SECONDS < end)) || fail "entries left: $("$T" -n srv conns)"
	nap 0.1
done
assert_eq 0 "$("$T" -n srv -j stats | jq .counters.store_in_use)" "store empty"

log "toa_get_peer() from C: IPv4, IPv6, dual-stack, NAT64, no option"
peer_c() { # peer_c SERVER_ARGS -- CONNECT_ARGS: the example's line
	local out sargs=() cargs=()
	new_tmp out peer
	while [[ $1 != -- ]]; do sargs+=("$1"); shift; done
	shift
	cargs=("$@")
	srv "$TOA_BIN/toa-peer-example" "${sargs[@]}" >"$out" &
	wait_until 30 "ready line in $out" grep -q ready "$out"
	# The example answers nothing: toa-connect's echo check fails, the
	# connection itself is what counts (and the line proves it).
	# (In a subshell of its own: inside $(), cli/srv exec.)
	("${cargs[@]}") >/dev/null 2>&1 || true
	wait $!
	grep -v ready "$out"
}
assert_eq "status=toa client=10.0.1.2:45000 balancer=10.0.2.1:45000" \
	"$(peer_c -4 9000 -- cli "$TOA_BIN/toa-connect" -s 45000 10.0.2.2 9000)" "C, IPv4"
assert_eq "status=toa client=[fd01::2]:45001 balancer=[fd02::1]:45001" \
	"$(peer_c 9000 -- cli "$TOA_BIN/toa-connect" -s 45001 fd02::2 9000)" "C, IPv6"
assert_eq "status=toa client=10.0.1.2:45002 balancer=10.0.2.1:45002" \
	"$(peer_c 9000 -- cli "$TOA_BIN/toa-connect" -s 45002 10.0.2.2 9000)" "C, dual-stack"
assert_eq "status=no-option client=127.0.0.1:45003 balancer=-" \
	"$(peer_c 9000 -- srv "$TOA_BIN/toa-connect" -s 45003 127.0.0.1 9000)" "C, no option"
inject_stop
inject_start lb --queue 0 --format 254/20 --client '[2001:db8:64::7]:5555'
assert_eq "status=toa client=[2001:db8:64::7]:5555 balancer=10.0.2.1:45004 nat64" \
	"$(peer_c -4 9000 -- cli "$TOA_BIN/toa-connect" -s 45004 10.0.2.2 9000)" "C, NAT64"
inject_stop
inject_start lb --queue 0

if [[ -x $TOA_BIN/toa-peer-example-go ]]; then
	log "toa_get_peer() from Go (cgo)"
	out=$TOA_TMP/go.out
	srv "$TOA_BIN/toa-peer-example-go" 9002 >"$out" &
	gopid=$!
	wait_until 30 "ready line in $out" grep -q ready "$out"
	cli "$TOA_BIN/toa-connect" -s 45005 fd02::2 9002 >/dev/null 2>&1 || true
	wait_until 30 "status line in $out" grep -q status "$out"
	kill $gopid
	assert_eq "status=toa client=[fd01::2]:45005 balancer=[fd02::1]:45005" \
		"$(grep status "$out")" "Go example"
else
	log "no Go example built (no Go toolchain): skipped"
fi

log "toa_get_peer() from Python (ctypes): TOA, then module missing"
out=$TOA_TMP/py.out
TOA_LIB=$TOA_BIN/../libtoa/libtoa.so.0 srv python3 "$TOA_ROOT/examples/python/toa_peer_server.py" 9001 2 >"$out" &
py=$!
end=$((SECONDS + 60))
until grep -q ready "$out"; do
	((SECONDS < end)) || fail "python example not ready"
	nap 0.1
done
cli "$TOA_BIN/toa-connect" -s 46000 10.0.2.2 9001 >/dev/null 2>&1 || true
wait_until 30 "status line in $out" grep -q status "$out"
toa_unload
cli "$TOA_BIN/toa-connect" -s 46001 10.0.2.2 9001 >/dev/null 2>&1 || true
wait $py
assert_eq "status=toa client=10.0.1.2:46000 balancer=10.0.2.1:46000
status=module-missing client=10.0.2.1:46001 balancer=-" "$(grep -v ready "$out")" "Python example"
rc=0; "$T" -n srv conns 2>"$ERR" || rc=$?
assert_eq 3 "$rc" "toactl after rmmod"
