#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink control plane and toactl, without connections: a clear exit 3
# without the module; status and config agree with the module parameters
# both ways (one setter path); a bad change is refused whole, with the
# kernel's reason; reads are open to all, changes need CAP_NET_ADMIN (the
# global config in the init user namespace and from the initial network
# namespace, a netns's own counters in its owner's); counters are per netns; --help and --json for every command;
# bad arguments give one line and exit 2.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

T=$TOA_BIN/toactl
OUT=$TOA_TMP/out ERR=$TOA_TMP/err

# expect_rc RC CMD... - run CMD, its stdout in $OUT and stderr in $ERR.
expect_rc() {
	local want=$1 rc=0
	shift
	"$@" >"$OUT" 2>"$ERR" || rc=$?
	((rc == want)) || fail "'$*' exited $rc, expected $want: $(head -c 300 "$ERR")"
}
expect_err() { grep -q -- "$1" "$ERR" || fail "stderr lacks '$1': $(cat "$ERR")"; }
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$@"
}
json() { "$T" -j "$@" | jq -c "${JQ:-.}"; }

log "without toa.ko: exit 3 and a clear message"
expect_rc 3 "$T" status
assert_eq "toa.ko: not loaded" "$(cat "$OUT")" "status output"
expect_rc 3 "$T" -j status
assert_eq false "$(jq .loaded "$OUT")" "status JSON"
for cmd in stats conns config "config set enabled=0" "lookup 10.0.2.2:1 10.0.2.1:2"; do
	expect_rc 3 "$T" $cmd
	expect_err "toa.ko is not loaded"
done

# warned - how many times the kernel log says every source is trusted.
warned() { dmesg | grep -c "trusted is empty: TOA options are honoured from every source" || true; }

log "an empty trusted list (the default) trusts everyone, and says so"
toa_load
assert_eq 1 "$(warned)" "warning at load"
"$T" status | grep -q "^warning: trusted is empty: options are honoured from any source" ||
	fail "status warns of the empty list"
assert_eq true "$(JQ=.trusts_any_source json status)" "status JSON trusts_any_source"
toa_unload

toa_load formats=254/8 trusted=10.0.0.0/8
assert_eq 1 "$(warned)" "no warning with a list"
log "status and config show the module parameters"
"$T" status | tee "$OUT"
! grep -q "^warning" "$OUT" || fail "status warns with a trusted list"
assert_eq false "$(JQ=.trusts_any_source json status)" "status JSON with a list"
grep -qx "toa.ko: loaded, version 0.1.0, protocol 1" "$OUT" || fail "status header"
grep -qx "formats: 254/8" "$OUT" || fail "status formats"
assert_eq '{"version":"0.1.0","formats":["254/8"],"formats_mask":1,"trusted":["10.0.0.0/8"],"enabled":true,"max_entries":1048576}' \
	"$(json config)" "config JSON"
assert_eq true "$(JQ=.loaded json status)" "status JSON"

log "config set through netlink shows in /sys/module/toa/parameters"
"$T" config set formats=all trusted=10.0.2.1/32,fd02::1/128 enabled=0
assert_eq "254/8,200/8,254/20,253/20,253/8" "$(toa_param formats)" "formats param"
assert_eq "10.0.2.1/32,fd02::1/128" "$(toa_param trusted)" "trusted param"
assert_eq N "$(toa_param enabled)" "enabled param"
"$T" status | grep -qx "rewriting: paused" || fail "status shows paused"

log "module parameters show through netlink"
echo 1 >/sys/module/toa/parameters/enabled
echo 200/8 >/sys/module/toa/parameters/formats
echo "" >/sys/module/toa/parameters/trusted
assert_eq 2 "$(warned)" "warning when the parameter empties the list"
"$T" status | grep -q "^warning: trusted is empty" || fail "status after emptying"
"$T" config | tee "$OUT"
assert_eq "formats 200/8
trusted any
enabled 1
max_entries 1048576" "$(cat "$OUT")" "config show"

log "a bad change is refused whole, with the kernel's reason"
expect_rc 1 "$T" config set formats=254/8 enabled=0 trusted=10.0.0.1/8
expect_err "zero host bits"
assert_eq "200/8 Y" "$(toa_param formats) $(toa_param enabled)" "nothing changed"
many=$(for i in $(seq 65); do printf '10.1.%d.0/24,' "$i"; done)
expect_rc 1 "$T" config set "trusted=$many"
expect_err "too many trusted CIDRs"
"$T" config set formats=default trusted=any
assert_eq "254/8,200/8,254/20,253/20" "$(toa_param formats)" "formats=default"

log "reads are open to everyone, changes need CAP_NET_ADMIN"
for cmd in status stats conns config; do
	expect_rc 0 nobody "$T" $cmd
done
expect_rc 4 nobody "$T" config set enabled=0
expect_err "permission denied"
expect_rc 4 nobody "$T" stats --reset
assert_eq Y "$(toa_param enabled)" "still enabled"

log "a container's root may reset its own counters, not the global config"
expect_rc 0 unshare -Urn "$T" stats --reset
expect_rc 4 unshare -Urn "$T" config set enabled=0

log "counters are per netns; -n picks one; a reset touches only the caller's"
for ns in a b; do ip netns add $ns; ip -n $ns link set lo up; done
# One loopback connection in a: a passive open without an option.
ip netns exec a "$TOA_BIN/toa-peer-server" -p 9000 >"$TOA_TMP/a.out" &
wait_port a 9000
ip netns exec a "$TOA_BIN/toa-connect" 127.0.0.1 9000
wait
n=$(toa_stat a syn_recv_sock_no_toa)
((n > 0)) || fail "no passive open counted in a"
assert_eq "$n" "$(JQ=.syn_recv_sock_no_toa json -n a stats)" "toactl -n a stats"
assert_eq 0 "$(JQ=.syn_recv_sock_no_toa json -n b stats)" "toactl -n b stats"
"$T" -n a stats | grep -Eq "^syn_recv_sock_no_toa +$n\$" || fail "text stats"
assert_eq "$(ip netns exec a tail -n +2 /proc/net/toa_stats | wc -l)" "$("$T" stats | wc -l)" "one line per counter"
"$T" -n b stats --reset
assert_eq "$n" "$(toa_stat a syn_recv_sock_no_toa)" "a untouched by b's reset"
"$T" -n a stats --reset
assert_eq 0 "$(toa_stat a syn_recv_sock_no_toa)" "a reset"
expect_rc 1 "$T" -n no-such-ns stats
expect_err "netns no-such-ns"

log "global settings change only from the initial netns (a pod with NET_ADMIN cannot)"
"$T" config set trusted=10.0.0.0/8 enabled=1
expect_rc 4 "$T" -n a config set trusted=0.0.0.0/0
expect_err "permission denied: global settings change only from the initial network namespace"
expect_rc 4 ip netns exec a "$T" config set enabled=0 formats=none
expect_err "initial network namespace"
assert_eq "10.0.0.0/8 Y 254/8,200/8,254/20,253/20" \
	"$(toa_param trusted) $(toa_param enabled) $(toa_param formats)" "nothing changed"
"$T" -n a config | grep -qx "trusted 10.0.0.0/8" || fail "a reads the global config"
"$T" config set trusted=any
assert_eq "" "$(toa_param trusted)" "set from the initial netns"
assert_eq 3 "$(warned)" "warning when netlink empties the list"

log "--help for every command; JSON for every command"
for cmd in status stats conns lookup config; do
	expect_rc 0 "$T" $cmd --help
	grep -q "^Usage: toactl" "$OUT" || fail "$cmd --help"
	expect_rc 0 "$T" help $cmd
done
expect_rc 0 "$T" --help
grep -q "4 permission denied" "$OUT" || fail "exit codes in --help"
for cmd in status stats conns config "conns -c" "conns -A" "stats --reset" "config set enabled=1"; do
	"$T" --json $cmd | jq -e . >/dev/null || fail "JSON of $cmd"
done
assert_eq '[]' "$(json conns)" "no sockets yet"

log "bad arguments: one line on stderr, exit 2"
bad=(
	"" "frob" "-x status" "-n" "--netns=" "status extra" "stats --bogus"
	"conns -Z" "conns -A -n a" "lookup" "lookup 1.2.3.4:1" "lookup 1.2.3.4 1.2.3.5:1"
	"lookup 1.2.3.4:1 [::1]:1" "lookup 1.2.3.4:99999 1.2.3.5:1" "lookup a b c"
	"config frob" "config show x" "config set" "config set x" "config set formats=254/7"
	"config set enabled=maybe" "config set color=red"
)
for args in "${bad[@]}"; do
	expect_rc 2 "$T" $args
	assert_eq 1 "$(wc -l <"$ERR")" "one line of error for '$args'"
done
log "all bad invocations rejected"
