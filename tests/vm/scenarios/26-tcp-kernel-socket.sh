#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel sockets are never rewritten: nfsd, ksmbd, DLM and ocfs2 accept
# in the kernel and authorise by the peer address, which must stay the
# real one (the balancer's). A kernel-side server (tests/vm/ksock/, loaded
# in the backend's namespace) accepts connections that carry a TOA
# option from the trusted balancer, IPv4 and IPv6, and logs what its
# accepted socket's getname and kernel_getpeername() say; a user-space
# server beside it, on the same traffic, sees the client.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

[[ -f ${TOA_KSOCK_KO:-} ]] || fail "no test module (run.sh builds it): ${TOA_KSOCK_KO:-unset}"
toa_load
topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0
# Kernel sockets hold no reference on their namespace: the module goes
# before srv does, however the scenario ends.
trap 'rmmod toa_ksock_test 2>/dev/null || true; balancer_cleanup' EXIT
ip netns exec srv insmod "$TOA_KSOCK_KO" port=9100
wait_port srv 9100

log "user space: the client"
through -d -p 8000 -- -s 40001 10.0.2.2 8000
expect_seen accept=[::ffff:10.0.1.2]:40001 peer=[::ffff:10.0.1.2]:40001

log "kernel sockets: the balancer, over IPv4 and IPv6"
connect_pinned -s 40002 10.0.2.2 9100
connect_pinned -s 40003 fd02::2 9100
seen() { dmesg | grep -c "toa_ksock_test: accept " || true; }
both() { (($(seen) >= 2)); }
wait_until 20 "the kernel server's two lines in dmesg" both
dmesg | grep "toa_ksock_test: accept " | tee "$TOA_TMP/ksock"
grep -Eq 'peer=\[::ffff:10\.0\.2\.1\]:40002 getpeername=\[::ffff:10\.0\.2\.1\]:40002$' "$TOA_TMP/ksock" ||
	fail "IPv4 kernel accept: not the balancer 10.0.2.1:40002"
grep -Eq 'peer=\[fd02::1\]:40003 getpeername=\[fd02::1\]:40003$' "$TOA_TMP/ksock" ||
	fail "IPv6 kernel accept: not the balancer [fd02::1]:40003"
! grep -Eq '10\.0\.1\.2|fd01::2' "$TOA_TMP/ksock" || fail "a kernel socket got the client's address"
# The options were there (the balancer wrote them on all three), but a
# kernel listener holds the kernel's own tables: toa.ko never sees its
# children, not even to count them.
expect_stat srv syn_recv_sock_toa 1
expect_stat srv syn_recv_sock_no_toa 0
expect_stat srv opt_seen 1
rmmod toa_ksock_test
