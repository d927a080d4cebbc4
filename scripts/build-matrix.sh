#!/bin/bash
# SPDX-License-Identifier: MIT
#
# build-matrix.sh - the userspace builds a packager or a consumer makes,
# each warning-free (-DTOA_WERROR=ON here, as only the project's own test
# entry point sets it): Release (-O3), Debug (-O0), Debian's default flags
# (dpkg-buildflags: -O2, fortify, stack protector, format-security), and
# the library alone, which must configure without GoogleTest or
# libnetfilter_queue, and the everyday RelWithDebInfo (-O2 -g); and the
# unit tests built with AddressSanitizer and UndefinedBehaviorSanitizer
# and run, where any report fails them.
# --short (make test): the library alone and the sanitized unit tests. make test's own build is Release,
# where GCC's -O3 warnings show, and the package build in tests/deb/ covers
# Debian's flags for the product. The whole matrix runs in make check-long.
# Prints one line per build and "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
out=build/matrix
mkdir -p "$out"
source tests/lib/results.sh
short=0
case ${1:-} in
--short) short=1 ;;
"") ;;
*) echo "usage: build-matrix.sh [--short]" >&2; exit 2 ;;
esac

# try NAME [ENV=VALUE...] -- CMAKE-ARGS...: one configure and build.
try() {
	local name=$1 envs=()
	shift
	while [[ $1 != -- ]]; do envs+=("$1"); shift; done
	shift
	if env "${envs[@]}" cmake -S . -B "$out/$name" -DTOA_WERROR=ON "$@" \
		>"$out/$name.log" 2>&1 &&
		cmake --build "$out/$name" -j"$(nproc)" >>"$out/$name.log" 2>&1; then
		result 1 "$name"
	else
		result 0 "$name" "log: $out/$name.log"
		grep -E 'warning|error' "$out/$name.log" | head -n 20
		return 1
	fi
}

# sanitized NAME CMAKE-ARGS...: the unit tests under ASan and UBSan, any
# finding fatal (no recovery: UBSan would otherwise only print).
sanitized() {
	local name=$1 flags='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer'
	shift
	try "$name" -- -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_C_FLAGS=$flags" \
		"-DCMAKE_CXX_FLAGS=$flags" -DTOA_BUILD_BENCH=OFF -DTOA_BUILD_EXAMPLES=OFF "$@" || return 0
	if (cd "$out/$name" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j"$(nproc)") >"$out/$name-ctest.log" 2>&1; then
		result 1 "$name: all $(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' \
			"$out/$name-ctest.log") unit tests pass, no sanitizer finding"
	else
		result 0 "$name: unit tests under the sanitizers" "log: $out/$name-ctest.log"
		grep -E 'ERROR: AddressSanitizer|runtime error|LeakSanitizer|Failed' "$out/$name-ctest.log" | head -n 20
	fi
}

((short)) || try release -- -DCMAKE_BUILD_TYPE=Release
((short)) || try relwithdebinfo -- -DCMAKE_BUILD_TYPE=RelWithDebInfo
((short)) || try debug -- -DCMAKE_BUILD_TYPE=Debug
# What debhelper's cmake build system passes: the flags through the
# environment, CMAKE_BUILD_TYPE=None so CMake adds none of its own.
cppflags=$(dpkg-buildflags --get CPPFLAGS)
((short)) || try debian-flags "CFLAGS=$(dpkg-buildflags --get CFLAGS) $cppflags" \
	"CXXFLAGS=$(dpkg-buildflags --get CXXFLAGS) $cppflags" \
	"LDFLAGS=$(dpkg-buildflags --get LDFLAGS)" -- -DCMAKE_BUILD_TYPE=None
try library-only -- -DTOA_BUILD_TESTS=OFF -DTOA_BUILD_TOOLS=OFF \
	-DTOA_BUILD_BENCH=OFF -DTOA_BUILD_EXAMPLES=OFF
# Nothing but libmnl looked up: no GoogleTest, no libnetfilter_queue.
if grep -qE '^(GTest_|TOA_INJECT_NFQ_)' "$out/library-only/CMakeCache.txt"; then
	result 0 "library-only: looked up test or tool dependencies"
else
	result 1 "library-only needs neither GoogleTest nor libnetfilter_queue"
fi
sanitized asan-ubsan
results_end
