#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check.sh - the deployment files offline: yamllint on the manifests, then
# check-manifests.py (the DaemonSet, the ConfigMap, the Containerfile and
# the entrypoint wired together); then the entrypoint's module step on
# this host: DKMS builds toa.ko from the packaged layout against Debian's
# build tree for KVER, into a scratch directory. Loading, readiness, the
# metrics and the unload on SIGTERM run in the VM (scenario 60).
# "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
source tests/vm/common.sh
ENSURE_NO_RECOMMENDS=1 ensure_pkgs yamllint python3-yaml dkms
kver=${1:-$(scripts/kver.sh default)}
source tests/lib/results.sh

out=$(yamllint -d '{extends: default, rules: {line-length: {max: 100}, document-start: disable, comments: {min-spaces-from-content: 1}}}' \
	deploy/kubernetes/ 2>&1)
result $(($? == 0)) "yamllint deploy/kubernetes/" "$out"
python3 tests/deploy/check-manifests.py "$root" | tee build/deploy-manifests.log
add_results build/deploy-manifests.log

# The entrypoint's module step, without a prebuilt module: DKMS against
# the node's headers (here: the unpacked build tree), from the image's
# layout (/opt/toa/src/toa-VERSION, as the Containerfile moves it).
kdir=$(bash tests/vm/kbuild.sh "$kver")
work=$root/build/deploy-check
rm -rf "$work"
mkdir -p "$work/src" "$work/modules"
version=$(<VERSION)
bash scripts/dkms-source.sh "$work/src/toa-$version" >/dev/null
ko=$(TOA_KERNEL_RELEASE=$kver TOA_MODULE_DIR=$work/modules TOA_DKMS_SOURCE=$work/src \
	TOA_KERNEL_BUILD=$kdir TOA_WORK_DIR=$work/run bash deploy/container/entrypoint.sh module 2>"$work/log")
result $([[ -f $ko && $(modinfo -F vermagic "$ko") == "$kver "* ]] && echo 1 || echo 0) \
	"entrypoint module: DKMS builds toa.ko for $kver without a prebuilt one${ko:+ ($ko)}"
mkdir -p "$work/modules/$kver"
cp "$ko" "$work/modules/$kver/toa.ko" 2>/dev/null
ko2=$(TOA_KERNEL_RELEASE=$kver TOA_MODULE_DIR=$work/modules TOA_DKMS_SOURCE=/nonexistent \
	TOA_KERNEL_BUILD=/nonexistent bash deploy/container/entrypoint.sh module 2>>"$work/log")
result $([[ $ko2 == "$work/modules/$kver/toa.ko" ]] && echo 1 || echo 0) "entrypoint module: a prebuilt module wins"
rc=0
TOA_KERNEL_RELEASE=0.0-none TOA_MODULE_DIR=$work/modules TOA_KERNEL_BUILD=/nonexistent \
	bash deploy/container/entrypoint.sh module >/dev/null 2>"$work/err" || rc=$?
result $((rc == 1)) "entrypoint module: neither a module nor headers: exit 1, says what to mount ($(head -c 120 "$work/err"))"
results_end
