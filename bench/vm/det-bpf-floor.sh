#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The TCP benchmark (det-tcp.sh) with empty programs (bpf/floor.bpf.c) at
# the module-free mode's attach points: "with" minus "without" is what the
# kernel's sock_ops and cgroup hooks cost by themselves, the floor under
# det-bpf.sh's figures. RESULT lines "det-bpf-floor ..." (bench/run.sh
# --deterministic).
command -v bpftool >/dev/null || { echo "det-bpf-floor.sh: bpftool missing" >&2; exit 1; }
BENCH_TOA_MODE=bpf-floor
source "$TOA_ROOT/bench/vm/det-tcp.sh"
