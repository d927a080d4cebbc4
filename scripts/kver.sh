#!/bin/bash
# SPDX-License-Identifier: MIT
#
# kver.sh default|6.12 - the Debian kernel versions toa.ko is built and
# tested for: the one linux-headers-amd64 points to (Debian 12: 6.1), and
# the newest 6.12 kernel Debian 12 ships. Asks apt only: the build trees
# are unpacked into build/ by tests/vm/kbuild.sh, never installed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tests/vm/common.sh"

case ${1:-default} in
default)
	default_kver
	;;
6.12)
	find612() {
		apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
			cut -d' ' -f1 | sort -V | tail -n 1
	}
	pkg=$(find612)
	if [[ -z $pkg ]]; then
		apt_update
		pkg=$(find612)
	fi
	[[ -n $pkg ]] || vm_die "no linux-headers-6.12.*+deb12-amd64 package found"
	echo "${pkg#linux-headers-}"
	;;
*)
	echo "usage: kver.sh default|6.12" >&2
	exit 2
	;;
esac
