#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VM scenario for tests/deb/check.sh: what the Debian packages ship, used
# for real. toa.ko was built by DKMS from toa-dkms's /usr/src/toa-VERSION;
# toactl and toa-inject are the toactl package's, libtoa.so.0 libtoa0's
# (all unpacked into build/deb/root). One TOA connection through the
# balancer: the client is seen; toactl reports the module and its
# counters; the Python example, on the packaged library, gets the client.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

root=$TOA_ROOT/build/deb/root
T=$root/usr/sbin/toactl
version=$(<"$TOA_ROOT/VERSION")
lib=$(echo "$root"/usr/lib/*/libtoa.so.0)
# The packaged toa-inject beside the suite's own test server and client.
mkdir -p "$TOA_TMP/bin"
ln -s "$root/usr/bin/toa-inject" "$TOA_TMP/bin/toa-inject"
ln -s "$TOA_BIN/toa-peer-server" "$TOA_BIN/toa-connect" "$TOA_TMP/bin/"
TOA_BIN=$TOA_TMP/bin

toa_load trusted=10.0.2.1/32
assert_eq "$version" "$(modinfo -F version "$TOA_KO")" "DKMS module version"
"$T" status | tee "$TOA_TMP/status"
grep -qx "toa.ko: loaded, version $version, protocol 1" "$TOA_TMP/status" || fail "packaged toactl status"
assert_eq "toactl $version" "$("$T" --version)" "packaged toactl version"

topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0
through -4 -p 8000 -- -s 40001 10.0.2.2 8000
expect_seen accept=10.0.1.2:40001 peer=10.0.1.2:40001
assert_eq 1 "$("$T" -n srv -j stats | jq .counters.syn_recv_sock_toa)" "packaged toactl: one TOA socket"

log "the Python example on the packaged libtoa.so.0"
out=$TOA_TMP/py.out
TOA_LIB=$lib srv python3 "$TOA_ROOT/examples/python/toa_peer_server.py" 9001 1 >"$out" &
py=$!
wait_until 60 "python example ready" grep -q ready "$out"
cli "$TOA_BIN/toa-connect" -s 46000 10.0.2.2 9001 >/dev/null 2>&1 || true
wait "$py"
assert_eq "status=toa client=10.0.1.2:46000 balancer=10.0.2.1:46000" "$(grep status "$out")" \
	"libtoa0 from the package"
