# SPDX-License-Identifier: GPL-2.0
#
# Host-side helpers shared by kernel.sh, initramfs.sh and run.sh.
# Sourced, never executed; the caller has already done `set -euo pipefail`.

# The repo root is derived from this file's location so the scripts work
# from any cwd and from any checkout (CI clones into another folder).
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOA_ROOT=$(cd "$VM_DIR/../.." && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this
BUILD_VM="$TOA_ROOT/build/vm"

vm_log() { printf 'vm: %s\n' "$*" >&2; }
vm_die() { printf 'vm: error: %s\n' "$*" >&2; exit 1; }

# ensure_pkgs PKG... - apt-get install only what is missing. `dpkg -s` is
# a local lookup, so this costs nothing on a machine that is already set up;
# fresh CI machines get the packages (and `apt-get update` only when needed).
# Tool packages only: kernel build trees and images are never installed on
# the host, they are unpacked into build/ (unpack_debs below).
# ENSURE_NO_RECOMMENDS=1: without the packages' Recommends (dkms
# recommends linux-headers-amd64, which would bring a kernel image).
ensure_pkgs() {
	local p missing=() rec=()
	[[ -z ${ENSURE_NO_RECOMMENDS:-} ]] || rec=(--no-install-recommends)
	for p in "$@"; do
		dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	vm_log "installing ${missing[*]}"
	if ! apt_get install -y -q "${rec[@]}" "${missing[@]}" >&2; then
		apt_update
		apt_get install -y -q "${rec[@]}" "${missing[@]}" >&2
	fi
}

# apt_get ARGS... - apt-get that waits for a dpkg lock another apt-get
# holds (two `make` runs, or a person's apt session) instead of failing,
# and never asks (tshark's debconf question would block CI).
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# apt_update - at most once per script run; needed on machines whose
# package lists are empty or stale (apt-get download/apt-cache see nothing).
apt_update() {
	[[ -n ${_APT_UPDATED:-} ]] && return 0
	vm_log "apt-get update"
	apt_get update -q >&2
	_APT_UPDATED=1
}

# apt_candidate PKG - the version apt would install, empty if none
# (refreshing the package lists once if apt knows no such package yet).
apt_candidate() {
	local v
	v=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if [[ -z $v || $v == '(none)' ]]; then
		apt_update
		v=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	fi
	[[ $v != '(none)' ]] || v=
	echo "$v"
}

# apt_depends PKG - the package names PKG's candidate depends on, one a
# line (alternatives and version constraints dropped).
apt_depends() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Depends: //p' | tr ',' '\n' |
		sed 's/^ *//; s/[ |].*//' | grep -v '^$'
}

# debs_unpacked DEST STAMP - whether unpack_debs already made DEST with
# this STAMP (any string naming the set of packages and versions).
debs_unpacked() {
	[[ -f $1/.stamp && $(<"$1/.stamp") == "$2" ]]
}

# unpack_debs DEST STAMP PKG=VERSION... - make DEST hold the files of these
# packages, as `dpkg -x` lays them out, without installing anything: fetch
# with `apt-get download`, unpack into a scratch directory, swap it in,
# leaving STAMP in DEST/.stamp. The caller holds a lock on DEST.
unpack_debs() {
	local dest=$1 stamp=$2 tmp deb
	shift 2
	vm_log "fetching $*"
	mkdir -p "$(dirname "$dest")"
	tmp=$(mktemp -d "$dest.XXXXXX")
	# apt-get download drops privileges to _apt; a 0700 mktemp dir would
	# make it warn, so make the scratch dir world-writable like /tmp.
	chmod 1777 "$tmp"
	if ! (cd "$tmp" && apt-get download -q "$@" >&2); then
		rm -rf "$tmp"
		vm_die "apt-get download $* failed"
	fi
	for deb in "$tmp"/*.deb; do
		dpkg -x "$deb" "$tmp/root"
	done
	rm -f "$tmp"/*.deb
	echo "$stamp" >"$tmp/root/.stamp"
	# An interrupted fetch never looks complete: the stamp comes last.
	rm -rf "$dest"
	mv "$tmp/root" "$dest"
	rmdir "$tmp"
}

# default_kver - the kernel the module is built against by default: the one
# the linux-headers-amd64 metapackage points to (asked of apt, not of dpkg:
# the metapackage itself is never installed).
default_kver() {
	local dep
	[[ -n $(apt_candidate linux-headers-amd64) ]] ||
		vm_die "apt knows no linux-headers-amd64 (not Debian?)"
	# Depends: linux-headers-6.1.0-57-amd64 (= 6.1.192-3)
	dep=$(apt_depends linux-headers-amd64 | grep -m1 '^linux-headers-')
	[[ -n $dep ]] || vm_die "cannot read linux-headers-amd64's Depends"
	echo "${dep#linux-headers-}"
}
