#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The UDP benchmark (udp.sh) in QEMU's deterministic mode (bench/run.sh
# --deterministic): one vCPU under -icount shift=0,sleep=off, where a
# guest nanosecond is one executed instruction, so the rates are
# datagrams per 10^9 instructions and their ratios repeat from run to
# run: what toa.ko's UDP path costs, free of the host's noise.
source "$TOA_ROOT/bench/vm/udp.sh"
