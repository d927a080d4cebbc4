#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink control plane and toactl, without connections: a clear exit 3
# without the module; status and config agree with the module parameters
# both ways (one setter path); a bad change is refused whole, with the
# kernel's reason; reads are open to all, changes need CAP_NET_ADMIN (the
# global config in the init user namespace and from the initial network
# namespace, a netns's own counters in its owner's); counters are per
# netns, and --prometheus exports them as node_exporter reads them; --json
# (one object with a schema, an error object on failure) for every command.
# --help and bad arguments need no kernel: tests/unit/toactl_cli_test.sh.
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
# jq_all FILTER FILE... - the names of the FILEs whose JSON fails FILTER
# (or that are not one JSON value: jq's complaint): one jq for many
# outputs, as each jq start costs half a second under TCG.
jq_all() {
	local filter=$1 f
	shift
	for f; do [[ -s $f ]] || echo "$f (empty)"; done
	jq -r -n '
		[inputs | . as $o | input_filename as $n | {n: $n, ok: ($o | '"$filter"')}]
		| map(select(.ok != true) | .n) | .[]' "$@" 2>&1
}

log "without toa.ko: exit 3 and a clear message"
expect_rc 3 "$T" status
assert_eq "toa.ko: not loaded" "$(cat "$OUT")" "status output"
expect_rc 3 "$T" -j status
assert_eq "1 false" "$(jq -r '"\(.schema) \(.loaded)"' "$OUT")" "status JSON"
i=0
for cmd in stats conns config "config set enabled=0" "lookup 10.0.2.2:1 10.0.2.1:2"; do
	expect_rc 3 "$T" $cmd
	expect_err "toa.ko is not loaded"
	# -j: a failure is still one JSON object, with the reason
	expect_rc 3 "$T" -j $cmd
	cp "$OUT" "$TOA_TMP/nomod.$((i++))"
done
bad=$(jq_all '.schema == 1 and .error.exit == 3 and (.error.message | test("toa.ko is not loaded"))' \
	"$TOA_TMP"/nomod.*)
[[ -z $bad ]] || fail "-j without the module: $bad: $(cat $bad)"

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
assert_eq '{"schema":1,"version":"0.1.0","formats":["254/8"],"formats_mask":1,"trusted":["10.0.0.0/8"],"enabled":true,"max_entries":1048576}' \
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
assert_eq "$n" "$(JQ=.counters.syn_recv_sock_no_toa json -n a stats)" "toactl -n a stats"
assert_eq 0 "$(JQ=.counters.syn_recv_sock_no_toa json -n b stats)" "toactl -n b stats"
"$T" -n a stats | grep -Eq "^syn_recv_sock_no_toa +$n\$" || fail "text stats"
assert_eq "$(ip netns exec a tail -n +2 /proc/net/toa_stats | wc -l)" "$("$T" stats | wc -l)" "one line per counter"
"$T" -n b stats --reset
assert_eq "$n" "$(toa_stat a syn_recv_sock_no_toa)" "a untouched by b's reset"
"$T" -n a stats --reset
assert_eq 0 "$(toa_stat a syn_recv_sock_no_toa)" "a reset"
expect_rc 1 "$T" -n no-such-ns stats
expect_err "netns no-such-ns"
expect_rc 1 "$T" -j -n no-such-ns stats
jq -e '.error.exit == 1 and (.error.message | test("netns no-such-ns"))' "$OUT" >/dev/null ||
	fail "-j error object: $(cat "$OUT")"

log "stats --prometheus: every counter with its definition, read by node_exporter"
prom=$TOA_TMP/prom
mkdir -p "$prom"
"$T" -n a stats --prometheus >"$prom/toa.prom"
ip netns exec a tail -n +2 /proc/net/toa_stats >"$TOA_TMP/a-stats"
# every counter (name, total, per-CPU values) has its sample, in one awk
missing=$(awk 'NR == FNR { have[$0] = 1; next }
	!(("toa_" $1 "_total{netns=\"a\"} " $2) in have || ("toa_" $1 "{netns=\"a\"} " $2) in have) {
		print $1 " = " $2 }' "$prom/toa.prom" "$TOA_TMP/a-stats")
[[ -z $missing ]] || fail "no sample for: $missing"
assert_eq $(($(wc -l <"$TOA_TMP/a-stats") + 1)) "$(grep -c '^# HELP toa_' "$prom/toa.prom")" "a HELP per metric"
grep -qx '# HELP toa_opt_untrusted_total Options from a source outside the trusted-balancer list: ignored (a client forging the option, or a misconfigured list).' \
	"$prom/toa.prom" || fail "HELP is the definition in include/toa/stats.h"
grep -qx '# TYPE toa_store_in_use gauge' "$prom/toa.prom" || fail "store_in_use is a gauge"
grep -qx 'toa_info{netns="a",mode="module",version="0.1.0"} 1' "$prom/toa.prom" || fail "toa_info"
# node_exporter's textfile collector takes the file as it is.
NE=$TOA_ROOT/build/tools/node-exporter/usr/bin/prometheus-node-exporter
[[ -x $NE ]] || fail "no $NE (tests/vm/node-exporter.sh unpacks it)"
"$NE" --web.listen-address=127.0.0.1:9100 --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$prom" >"$TOA_TMP/ne.log" 2>&1 &
ne=$!
wait_until 60 "node_exporter to answer" curl -sf -o "$TOA_TMP/metrics" http://127.0.0.1:9100/metrics
kill "$ne"
wait "$ne" 2>/dev/null || true
grep -qx 'node_textfile_scrape_error 0' "$TOA_TMP/metrics" || fail "node_exporter: $(grep textfile "$TOA_TMP/metrics")"
grep -qx "toa_syn_recv_sock_no_toa_total{netns=\"a\"} $(toa_stat a syn_recv_sock_no_toa)" "$TOA_TMP/metrics" ||
	fail "node_exporter does not export the counter: $(grep toa_ "$TOA_TMP/metrics" | head)"

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

log "JSON for every command"
i=0
for cmd in status stats conns config lookup "conns -c" "conns -A" "stats --reset" "config set enabled=1"; do
	echo "$cmd" >"$TOA_TMP/cmd.$i"
	"$T" --json $cmd >"$TOA_TMP/json.$i" || true
	# -p: the same object, indented
	"$T" $cmd -p >"$TOA_TMP/pretty.$((i++))" || true
done
bad=$(jq_all '.schema == 1' "$TOA_TMP"/json.* "$TOA_TMP"/pretty.*)
[[ -z $bad ]] || fail "JSON without a schema: $(for f in $bad; do echo "$(cat "$TOA_TMP/cmd.${f##*.}") (${f##*/}): $(head -c 200 "$f")"; done)"
assert_eq '[]' "$(JQ=.conns json conns)" "no sockets yet"
assert_eq 0 "$(JQ=.count json conns)" "count 0"
