# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# common.sh - the base of every test script that builds hosts out of
# network namespaces: the VM scenarios (tests/vm/lib.sh), the host check of
# toa-inject (tests/tools/host-check.sh) and the eBPF tests. Sourced, never
# executed. From here on the script runs under `set -e`: every line is an
# assertion, the first failing command fails it (the ERR trap logs where).

# Where a failure happened: the failing command and the call stack, so the
# tail of a log is enough to see what went wrong.
_stack() { # the stack of our caller's caller
	local i
	for ((i = 2; i < ${#FUNCNAME[@]}; i++)); do
		echo "    at ${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]} ${FUNCNAME[i]}"
	done >&2
}
_on_err() {
	echo "FAILED (exit $?): $BASH_COMMAND" >&2
	_stack
}

# Not in an interactive shell (TOA_VM_SHELL=1 debugging: `source` this to
# get the helpers), where set -e would end the shell and power off the VM.
if [[ $- != *i* ]]; then
	set -eEuo pipefail
	trap _on_err ERR
fi

if [[ -n ${TOA_VM_TRACE:-} ]]; then
	PS4='+ ${EPOCHREALTIME} ${BASH_SOURCE[0]##*/}:${LINENO}: '
	set -x
fi

log() { echo "-- $*"; }

# fail MSG - fail the script. Note: inside $(...) or a pipeline this only
# ends that subshell; set -e then fails the enclosing command.
fail() {
	echo "FAIL: $*" >&2
	_stack
	# the suite's own diagnostics (toa-lib.sh: the module's counters), once
	if [[ $(type -t on_fail) == function && -z ${_IN_ON_FAIL:-} ]]; then
		_IN_ON_FAIL=1
		on_fail >&2 || true
	fi
	exit 1
}

assert_eq() {
	[[ $1 == "$2" ]] || fail "${3:-assert_eq}: expected '$1', got '$2'"
}

# nap SECS - sleep SECS (fractions too) without starting a process: a
# read with a timeout on a FIFO this shell holds open for writing, so no
# data and no EOF ever come. Under TCG a `sleep` is a process start of tens
# of milliseconds of CPU, so a wait loop polling with it kept a vCPU half
# busy, slowing the very work it waited for.
nap() { read -r -t "$1" -u "$_NAP_FD" _ || true; }
_nap_fifo=$(mktemp -u "${TMPDIR:-/tmp}/nap.XXXXXX")
mkfifo -m 600 "$_nap_fifo"
exec {_NAP_FD}<>"$_nap_fifo"
rm -f "$_nap_fifo"
unset _nap_fifo

# new_tmp VAR NAME - set VAR to a new, empty file $TOA_TMP/NAME.PID.N. Not
# $RANDOM: two names of one run can collide, and a wait polling the reused
# file for a "ready" line then finds the old one before the new process
# has even truncated it (seen: host-check connected before its server
# listened). The PID keeps subshells, whose counts are their own, apart.
new_tmp() {
	_NEW_TMP_N=$((${_NEW_TMP_N:-0} + 1))
	printf -v "$1" '%s/%s.%d.%d' "${TOA_TMP:?}" "$2" "$BASHPID" "$_NEW_TMP_N"
	: >"${!1}"
}

# wait_until SECONDS WHAT CMD... - run CMD every 50 ms until it succeeds;
# fail with "timed out: WHAT" after SECONDS. The one way to wait for
# something in these tests: never a fixed sleep before an assertion, never
# an unbounded loop (a machine busy with other work is slow, not stuck).
wait_until() {
	local secs=$1 what=$2 end
	shift 2
	end=$((SECONDS + secs))
	until "$@"; do
		((SECONDS < end)) || fail "timed out after ${secs}s: $what"
		nap 0.05
	done
}

# cli/lb/srv CMD... - run CMD in that namespace. As in WireGuard's
# netns.sh, when called in a subshell (`srv cmd &`, `$(cli cmd)`, a pipeline)
# they exec, so that `$!` is the command itself and `kill $!` reaches it
# (otherwise it is a bash waiting for it, which defers the signal). So in a
# subshell, a cli/lb/srv call must be the last command.
maybe_exec() {
	if [[ $BASHPID == "$$" ]]; then
		"$@"
	else
		exec "$@"
	fi
}
cli() { maybe_exec ip netns exec cli "$@"; }
lb() { maybe_exec ip netns exec lb "$@"; }
srv() { maybe_exec ip netns exec srv "$@"; }
