#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The TCP benchmark (det-tcp.sh) for the module-free mode: "with" is
# toactl bpf attach on the cgroup the bench's servers run in, "without"
# the same cgroup with nothing attached, toa.ko never loaded. RESULT lines
# "det-bpf ...": what the sock_ops, getpeername and getsockopt programs
# cost each path, in instructions (bench/run.sh --deterministic).
"$TOA_BIN/toactl" bpf --help >/dev/null 2>&1 ||
	{ echo "det-bpf.sh: $TOA_BIN/toactl was built without the BPF mode" >&2; exit 1; }
BENCH_TOA_MODE=bpf
source "$TOA_ROOT/bench/vm/det-tcp.sh"
