# SPDX-License-Identifier: MIT
#
# results.sh - the PASS/FAIL lines and the closing "N passed, N failed"
# that scripts/test.sh counts, for the check scripts (build matrix,
# install, Debian packages, deployment, check-long). Source it; set
# RESULTS_LOG to the file that collects the commands' output.

passed=0 failed=0

# result OK WHAT [DETAIL] - OK is 1 for a pass, 0 for a failure.
result() {
	if (($1)); then
		echo "PASS $2"
		passed=$((passed + 1))
	else
		echo "FAIL $2${3:+ ($3)}"
		failed=$((failed + 1))
	fi
}

# check WHAT CMD... - run CMD, its output appended to $RESULTS_LOG.
check() {
	local what=$1
	shift
	if "$@" >>"${RESULTS_LOG:-/dev/null}" 2>&1; then
		result 1 "$what"
	else
		result 0 "$what" "log: ${RESULTS_LOG:-none}"
	fi
}

# add_results LOG - add the counts of LOG's last "N passed, N failed".
add_results() {
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
	else
		result 0 "$1 has no result line"
	fi
}

# results_end - the closing line; false if anything failed.
results_end() {
	echo "$passed passed, $failed failed"
	((failed == 0))
}
