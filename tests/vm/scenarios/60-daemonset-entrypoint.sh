#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The DaemonSet's entrypoint (deploy/container/entrypoint.sh) run exactly
# as its pod runs it: load the prebuilt module for this kernel with the
# ConfigMap's settings, become ready, keep node_exporter's textfile of the
# counters fresh, and on SIGTERM remove both and unload the module. A
# module the node loaded itself is configured and left loaded; a bad
# setting fails the pod with the reason and loads nothing.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

EP=$TOA_ROOT/deploy/container/entrypoint.sh
T=$TOA_BIN/toactl
work=$TOA_TMP/pod
mkdir -p "$work/modules/$KVER"
cp "$TOA_KO" "$work/modules/$KVER/toa.ko"

# pod_start [ENV=VALUE...] - the entrypoint in the background, as the
# pod's process (the DaemonSet's env from the ConfigMap), its log in
# $work/log.
pod_start() {
	env TOA_MODULE_DIR="$work/modules" TOA_DKMS_SOURCE=/nonexistent \
		TOA_TEXTFILE_DIR="$work/textfile" TOA_READY_FILE="$work/run/ready" \
		TOA_WORK_DIR="$work/var" TOA_METRICS_INTERVAL=1 TOACTL="$T" "$@" \
		bash "$EP" run >"$work/log" 2>&1 &
	POD=$!
}
# pod_stop - SIGTERM, as the kubelet sends it; the exit status must be 0.
pod_stop() {
	kill -TERM "$POD"
	local rc=0
	wait "$POD" || rc=$?
	assert_eq 0 "$rc" "the entrypoint's exit status after SIGTERM ($(tail -n 3 "$work/log"))"
}
# metric NAME - its value in the textfile ("" if absent).
metric() { sed -n "s/^$1 \([0-9]*\)\$/\1/p" "$work/textfile/toa.prom" 2>/dev/null; }
# one_connection - a plain loopback connection: a passive open in this netns.
one_connection() {
	"$TOA_BIN/toa-peer-server" -p 9100 >/dev/null &
	local server=$!
	wait_until 20 "the peer server to listen" bash -c '[[ -n $(ss -Hltn "sport = :9100") ]]'
	"$TOA_BIN/toa-connect" 127.0.0.1 9100
	wait "$server"	# not a bare wait: the pod runs in the background too
}

log "the pod starts: prebuilt module loaded with the ConfigMap's settings, ready, metrics written"
pod_start TOA_TRUSTED=10.0.2.1/32 TOA_FORMATS=254/8,200/8 TOA_ENABLED=1
wait_until 60 "the pod to be ready" test -e "$work/run/ready"
assert_eq "10.0.2.1/32 254/8,200/8 Y" "$(toa_param trusted) $(toa_param formats) $(toa_param enabled)" \
	"module parameters from the settings"
! "$T" status | grep -q '^warning' || fail "a trusted list, no warning"
wait_until 30 "the textfile" test -s "$work/textfile/toa.prom"
grep -qx 'toa_info{mode="module",version="0.1.0"} 1' "$work/textfile/toa.prom" ||
	fail "toa_info: $(head -n 3 "$work/textfile/toa.prom")"
before=$(metric toa_syn_recv_sock_no_toa_total)
[[ -n $before ]] || fail "no syn_recv_sock_no_toa in the textfile"
one_connection
# (a function: wait_until re-runs it, a $(...) argument would be read once)
counted() { (($(metric toa_syn_recv_sock_no_toa_total) > before)); }
wait_until 30 "the next metrics write to count the connection" counted

log "SIGTERM: metrics and readiness gone, module unloaded, exit 0"
pod_stop
! grep -q '^toa ' /proc/modules || fail "toa.ko still loaded after the pod stopped"
[[ ! -e $work/run/ready ]] || fail "ready file left"
[[ -z $(ls -A "$work/textfile") ]] || fail "textfile left: $(ls -A "$work/textfile")"
grep -q "toa.ko unloaded" "$work/log" || fail "log: $(cat "$work/log")"

log "an empty trusted list: loaded, and the pod's log warns"
pod_start TOA_TRUSTED=
wait_until 60 "the pod to be ready" test -e "$work/run/ready"
grep -q "warning: trusted is empty" "$work/log" || fail "no warning in the pod's log: $(cat "$work/log")"
pod_stop

log "a module the node loaded: configured through toactl, left loaded at exit"
toa_load trusted=10.9.0.0/16
pod_start TOA_TRUSTED=10.0.2.1/32 TOA_ENABLED=0
wait_until 60 "the pod to be ready" test -e "$work/run/ready"
assert_eq "10.0.2.1/32 N" "$(toa_param trusted) $(toa_param enabled)" "configured"
pod_stop
grep -q '^toa ' /proc/modules || fail "the node's module was unloaded"
toa_unload

log "a bad setting: the pod fails with the reason, nothing loaded"
rc=0
env TOA_MODULE_DIR="$work/modules" TOA_TRUSTED=10.0.2.1/8 TOA_TEXTFILE_DIR= TOA_READY_FILE="$work/run/ready" \
	TOA_WORK_DIR="$work/var" TOACTL="$T" bash "$EP" run >"$work/log" 2>&1 || rc=$?
assert_eq 1 "$rc" "exit status with trusted=10.0.2.1/8"
grep -q "insmod .* failed" "$work/log" || fail "log: $(cat "$work/log")"
! grep -q '^toa ' /proc/modules || fail "loaded anyway"
[[ ! -e $work/run/ready ]] || fail "ready anyway"
rc=0
env TOA_MODULE_DIR="$work/modules" TOA_METRICS_INTERVAL=soon TOA_WORK_DIR="$work/var" \
	TOA_READY_FILE="$work/run/ready" TOACTL="$T" bash "$EP" run >"$work/log" 2>&1 || rc=$?
assert_eq 1 "$rc" "exit status with a bad interval"
! grep -q '^toa ' /proc/modules || fail "loaded with a bad interval"
