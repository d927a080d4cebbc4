#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module-free mode on a Debian kernel in the VM: tests/bpf/run.sh, which
# make test runs on the host's own kernel, with every check, here
# including the conns listing through the BPF iterator (the host's kernel
# refuses tracing programs, so it skips that one). Nothing may be skipped.
#   make bpf-vm-test [KVER=...]
# Not yet in make test (about 3 minutes per kernel under TCG). On 6.1 it
# found what the host's kernel cannot show: the pre-6.8 verifier pruned the
# refusal of a second TOA option away (see toa_walks in bpf/toa.bpf.c).
source "$TOA_ROOT/tests/vm/toa-lib.sh"

! grep -q '^toa ' /proc/modules || fail "toa.ko is loaded: the BPF mode's checks need it absent"
# run.sh writes a conntrack sysctl before any rule would load the module
vm_modprobe nf_conntrack
rc=0
bash "$TOA_ROOT/tests/bpf/run.sh" "$TOA_BIN" >"$TOA_TMP/bpf.log" 2>&1 || rc=$?
grep -v '^ok ' "$TOA_TMP/bpf.log" || true
assert_eq 0 "$rc" "tests/bpf/run.sh's exit status on $KVER"
last=$(tail -n 1 "$TOA_TMP/bpf.log")
[[ $last =~ ^[0-9]+\ passed,\ 0\ failed$ ]] || fail "tests/bpf/run.sh on $KVER: '$last'"
grep -q '^ok   - conns without toa.ko' "$TOA_TMP/bpf.log" || fail "the conns iterator was not checked"
log "tests/bpf/run.sh on $KVER: $last"
