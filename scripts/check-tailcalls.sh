#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-tailcalls.sh TOA_KO - the wrappers of kmod/peer_ops.c reach the
# kernel function they wrap, which may sleep, with a jump and never a
# call: no frame of toa.ko is then on a stack while that function sleeps,
# which is what lets rmmod free the module's text (peer_ops.c's exit
# waits with SRCU only for the one wrapper that must keep its frame).
# GCC does not promise the tail call, so every build of the module for
# the tests checks it here. Exit 1, naming the wrapper, if one calls.
set -euo pipefail
ko=${1:?usage: check-tailcalls.sh TOA_KO}
# wrapper:kernel function it must jump to
pairs=(
	toa_getname4:inet_getname toa_getname6:inet6_getname
	toa_release4:inet_release toa_release6:inet6_release
	toa_connect:inet_stream_connect toa_setsockopt:sock_common_setsockopt
)
dis=$(objdump -dr --no-show-raw-insn "$ko")
bad=0
for p in "${pairs[@]}"; do
	fn=${p%%:*} target=${p#*:}
	body=$(awk -v f="<$fn>:" '$2 == f { on = 1; next } on && /^$/ { exit } on' <<<"$dis")
	if [[ -z $body ]]; then
		echo "check-tailcalls: $fn not found in $ko" >&2
		bad=1
		continue
	fi
	# the relocation line follows the instruction that uses it
	insns=$(awk -v t="$target-0x4" '$NF == t && prev != "" { print prev } { prev = $2 }' <<<"$body")
	if [[ -z $insns ]]; then
		echo "check-tailcalls: $fn never reaches $target" >&2
		bad=1
	elif grep -qv '^jmp$' <<<"$insns"; then
		echo "check-tailcalls: $fn calls $target instead of jumping to it (its frame would be on the stack while $target sleeps)" >&2
		bad=1
	fi
done
exit $bad
