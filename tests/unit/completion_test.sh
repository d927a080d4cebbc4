#!/bin/bash
# SPDX-License-Identifier: MIT
#
# completion_test.sh FILE - toactl's bash completion (FILE) completes what
# toactl takes: commands, subcommands, each command's options, KEY= of
# config set and their values. Prints "N passed, N failed".
set -uo pipefail
source "${1:?usage: completion_test.sh toactl.bash-completion}"
passed=0 failed=0

# expect "WORDS TYPED" "EXPECTED REPLIES": the line as typed up to the cursor
# (a trailing space starts a new word), split the way bash splits it.
expect() {
	local line=$1 want=$2 got
	read -ra COMP_WORDS <<<"${line//=/ = }"
	[[ $line == *" " || $line == *"=" ]] && COMP_WORDS+=("")
	[[ $line == *"=" ]] && { unset 'COMP_WORDS[-1]'; COMP_WORDS[-1]="="; }
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_toactl
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
	if [[ $got == "$want" ]]; then
		passed=$((passed + 1))
	else
		echo "FAIL '$line': got '$got', want '$want'"
		failed=$((failed + 1))
	fi
}

expect "toactl " "bpf config conns help lookup stats status"
expect "toactl st" "stats status"
expect "toactl -j co" "config conns"
expect "toactl -n " "$(ls /run/netns 2>/dev/null | sort | xargs)"
expect "toactl --" "--help --json --netns --pretty --version"
expect "toactl stats --" "--help --json --netns --pretty --prometheus --reset --version"
expect "toactl conns --c" "--client --count"
expect "toactl -n x conns -H --p" "--port --pretty"
expect "toactl config " "set show"
expect "toactl config set " "enabled= formats= trusted="
expect "toactl config set formats=" "200/8 253/20 253/8 254/20 254/8 all default none"
expect "toactl config set formats=25" "253/20 253/8 254/20 254/8"
expect "toactl config set enabled=" "0 1"
expect "toactl config set enabled=1 tr" "trusted="
expect "toactl bpf " "attach config detach stats status"
expect "toactl bpf attach --c" "--cgroup"
expect "toactl bpf attach --formats " "200/8 253/20 253/8 254/20 254/8 all default none"
expect "toactl help c" "config conns"
echo "$passed passed, $failed failed"
((failed == 0))
