#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Teardown races: rmmod/insmod cycles while one loop writes the "trusted"
# parameter (its sysfs file outlives module_exit, so a write can land after
# the list was torn down: it must be refused, never installed and leaked)
# and another creates network namespaces, counts a connection in each and
# deletes them (each namespace's counters are freed under RCU while the
# module and the namespace go away). No oops, no warning, no use after free
# (the runner checks dmesg); every write either took effect, was refused
# with ENODEV during exit, or found no module; the module works afterwards.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

P=/sys/module/toa/parameters/trusted
STOP=$TOA_TMP/stop WERR=$TOA_TMP/writes.err

# writer - write two lists in turn until $STOP exists (never "", whose
# warning would flood the console); one line per write
# to stdout ("ok") or an error message on stderr. Builtins only: no fork
# per write, so writes come fast enough to hit the exit window.
writer() {
	local v
	until [[ -e $STOP ]]; do
		for v in 10.0.0.0/8 192.0.2.0/24,fd00::/8; do
			if [[ -e $P ]] && { echo "$v" >"$P"; } 2>>"$WERR"; then
				echo ok
			fi
		done
	done
}

# churn - namespaces born, used (a loopback connection: a counted passive
# open) and destroyed, until $STOP exists.
churn() {
	local i=0 ns
	until [[ -e $STOP ]]; do
		ns=churn$((i++))
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		ip netns exec "$ns" "$TOA_BIN/toa-peer-server" -p 9000 >/dev/null &
		wait_port "$ns" 9000
		ip netns exec "$ns" "$TOA_BIN/toa-connect" 127.0.0.1 9000 >/dev/null || true
		wait
		ip netns del "$ns"
	done
	echo "$i"
}

toa_load trusted=10.0.0.0/8
writer >"$TOA_TMP/writes.ok" &
wpid=$!
churn >"$TOA_TMP/churned" &
cpid=$!

for i in $(seq 10); do
	toa_unload
	toa_load
done
touch "$STOP"
wait "$wpid" || fail "writer failed"
wait "$cpid" || fail "netns churn failed"

ok=$(wc -l <"$TOA_TMP/writes.ok")
refused=$(grep -c "No such device" "$WERR" || true)
absent=$(grep -c "No such file or directory\|Permission denied" "$WERR" || true)
log "trusted writes: $ok applied, $refused refused during exit, $absent without the module; $(cat "$TOA_TMP/churned") namespaces churned"
((ok > 0)) || fail "no write took effect"
other=$(grep -v "No such device\|No such file or directory\|Permission denied" "$WERR" || true)
[[ -z $other ]] || fail "unexpected write errors: $other"

log "the module loaded last works: its list is set and read back"
echo 10.0.0.0/8,fd00::/8 >"$P"
assert_eq 10.0.0.0/8,fd00::/8 "$(toa_param trusted)" "trusted after the races"
ip netns add a
ip -n a link set lo up
ip netns exec a "$TOA_BIN/toa-peer-server" -p 9000 >/dev/null &
wait_port a 9000
ip netns exec a "$TOA_BIN/toa-connect" 127.0.0.1 9000 >/dev/null
wait
expect_stat a syn_recv_sock_no_toa 1
