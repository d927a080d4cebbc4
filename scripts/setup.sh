#!/bin/bash
# SPDX-License-Identifier: MIT
#
# setup.sh - install, with apt-get, the tool packages this project needs
# and this Debian 12 machine lacks. Fast (dpkg lookups only) when all is
# there. Never a kernel: the build trees toa.ko is built against and the
# test VM's kernel images are unpacked into build/ (tests/vm/kbuild.sh,
# tests/vm/kernel.sh), and the VM's own tools (qemu, busybox, nginx,
# tshark...) are ensured by tests/vm/run.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tests/vm/common.sh"

[[ $(id -u) == 0 ]] || vm_die "run as root: packages may need installing"
# compilers and build tools; fuzzers (clang, its sanitizer runtimes); the
# libraries of libtoa (libmnl), toa-inject (libnetfilter-queue) and the
# unit tests (GoogleTest); dpkg-buildflags (dpkg-dev) for the build matrix;
# the BPF mode's toolchain (clang, llvm, libbpf-dev, bpftool); the one
# userspace style (clang-format, scripts/format.sh); jq for the tests' JSON checks
ensure_pkgs build-essential cmake pkg-config dpkg-dev clang libclang-rt-14-dev \
	libgtest-dev libmnl-dev libnetfilter-queue-dev kmod llvm libbpf-dev bpftool clang-format jq
