#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 10,000 live TOA sockets: toactl conns lists each exactly once (a dump in
# many parts: ~1.5 MB of messages against 32 KiB parts), in text, count and
# JSON form, with the right client for each; and rmmod during a dump that
# its reader has stalled is refused (the dump holds the module) and works
# once the reader is gone, with every entry still live. Timings go to the
# log. TOA_CONNS=N overrides the number of connections (100000 needs
# TOA_VM_MEM=4096 and a longer TOA_VM_SCENARIO_TIMEOUT).
source "$TOA_ROOT/tests/vm/toa-lib.sh"

N=${TOA_CONNS:-10000}
T=$TOA_BIN/toactl
HOLD=$TOA_ROOT/tests/vm/scenarios/conns-hold.py

now() { echo "$EPOCHREALTIME"; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2fs", b - a }'; }

# hold NS ARGS... - conns-hold.py in the background until its first line.
hold() {
	local ns=$1 out
	new_tmp out hold
	shift
	ip netns exec "$ns" python3 "$HOLD" "$@" >"$out" &
	local pid=$! end=$((SECONDS + 200))
	until [[ -s $out ]]; do
		kill -0 $pid 2>/dev/null || fail "conns-hold.py $* exited"
		((SECONDS < end)) || fail "conns-hold.py $* not ready"
		nap 0.1
	done
	HOLD_LINE=$(cat "$out")
}

toa_load
topo_up
lb_snat
lb_queue 0
# Room for N connections: conntrack on lb, the accept queue on srv, source
# ports on cli, open files on both (conns-hold.py raises its own limit).
sysctl -qw net.netfilter.nf_conntrack_max=$((4 * N))
srv sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
cli sysctl -qw net.ipv4.ip_local_port_range="10000 64999"
inject_start lb --queue 0 --max-flows $((2 * N))

log "opening $N connections through the balancer"
# At most 50,000 per server port: one client address has ~55,000 ports.
# Explicit source ports: letting connect() pick them slows down as the
# range fills up (it searches for a free one), explicit ones cost O(1).
t=$(now)
left=$N port=8000
while ((left > 0)); do
	n=$((left > 50000 ? 50000 : left))
	hold srv listen 0.0.0.0 $port
	hold cli connect 10.0.2.2 $port $n 10000
	log "client, port $port: $HOLD_LINE"
	left=$((left - n)) port=$((port + 1))
done
log "$N connections: $(took "$t")"
end=$((SECONDS + 120))
until [[ $(toa_stat srv store_in_use) == "$N" ]]; do
	((SECONDS < end)) || fail "only $(toa_stat srv store_in_use) entries of $N"
	nap 0.2
done
assert_eq "$N" "$(toa_stat srv syn_recv_sock_toa)" "every connection had TOA"

log "conns lists every socket exactly once"
t=$(now)
"$T" -n srv conns >"$TOA_TMP/conns"
log "toactl conns: $(took "$t"), $(wc -c <"$TOA_TMP/conns") bytes"
assert_eq $((N + 1)) "$(wc -l <"$TOA_TMP/conns")" "header + N rows"
assert_eq "$N" "$(awk 'NR > 1 { print $1, $3 }' "$TOA_TMP/conns" | sort -u | wc -l)" "distinct connections"
assert_eq "$N" "$(grep -Ec '^10\.0\.2\.2:80[0-9][0-9] +10\.0\.2\.1:[0-9]+ +10\.0\.1\.2:[0-9]+ +254/8 ' "$TOA_TMP/conns")" "well-formed rows"
t=$(now)
assert_eq "$N" "$("$T" -n srv conns --count)" "--count"
log "toactl conns --count: $(took "$t")"
t=$(now)
"$T" -n srv -j conns >"$TOA_TMP/conns.json"
log "toactl -j conns: $(took "$t")"
assert_eq "$N $N $N 0" "$(jq -r '.count as $n | .conns | [$n, length, (map(.cookie) | unique | length),
	(map(select(.client.port != .balancer.port or .client.addr != "10.0.1.2")) | length)] | join(" ")' \
	"$TOA_TMP/conns.json")" "JSON: count, rows, distinct cookies, right clients"

log "rmmod while a dump is stalled half-way: refused, then fine"
# The reader does not read until told to: toactl blocks on the full pipe
# in the middle of the kernel's dump, which holds a reference on the
# module. Not a sleep: under load toactl may take long to get there.
resume=$TOA_TMP/resume
("$T" -n srv conns | {
	wait_until 120 "the go-ahead to read the dump" test -e "$resume"
	wc -l >"$TOA_TMP/stalled"
}) &
reader=$!
module_in_use() { (($(cat /sys/module/toa/refcnt) > 0)); }
wait_until 60 "the dump to hold a reference on toa.ko" module_in_use
if rmmod toa 2>"$TOA_TMP/rmmod.err"; then
	fail "rmmod succeeded during a dump"
fi
grep -q "in use" "$TOA_TMP/rmmod.err" || fail "rmmod: $(cat "$TOA_TMP/rmmod.err")"
touch "$resume"
wait $reader
assert_eq $((N + 1)) "$(cat "$TOA_TMP/stalled")" "the stalled dump still completes"
# A reader that goes away mid-dump (toactl dies of SIGPIPE) leaves nothing.
rc=0
"$T" -n srv conns | head -n 3 || rc=$?
assert_eq 141 "$rc" "toactl killed by SIGPIPE half-way"
t=$(now)
toa_unload
log "rmmod with $N live entries: $(took "$t")"
