#!/bin/bash
# SPDX-License-Identifier: MIT
#
# setup.sh - install, with apt-get, whatever this project needs and this
# Debian 12 machine lacks. Fast (dpkg lookups only) when all is there.
# The test VM's own packages (qemu, busybox, nginx, tshark...) are ensured
# by tests/vm/run.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tests/vm/common.sh"

[[ $(id -u) == 0 ]] || vm_die "run as root: packages may need installing"
ensure_pkgs build-essential cmake pkg-config clang libclang-rt-14-dev \
	libgtest-dev libmnl-dev libnetfilter-queue-dev kmod libelf-dev bc \
	linux-headers-amd64 llvm libbpf-dev bpftool
