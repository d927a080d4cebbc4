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
ensure_pkgs() {
	local p missing=()
	for p in "$@"; do
		dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	vm_log "installing ${missing[*]}"
	# Noninteractive: tshark's debconf question would otherwise block CI.
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; then
		apt_update
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
	fi
}

# apt_update - at most once per script run; needed on machines whose
# package lists are empty or stale (apt-get download/apt-cache see nothing).
apt_update() {
	[[ -n ${_APT_UPDATED:-} ]] && return 0
	vm_log "apt-get update"
	apt-get update -q >&2
	_APT_UPDATED=1
}

# default_kver - the kernel the module is built against by default: the one
# the linux-headers-amd64 metapackage currently points to.
default_kver() {
	local dep
	ensure_pkgs linux-headers-amd64
	# Depends: linux-headers-6.1.0-56-amd64 (= 6.1.192-2)
	dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64)
	dep=${dep%% *}
	dep=${dep%%,*}
	[[ $dep == linux-headers-* ]] || vm_die "cannot parse linux-headers-amd64 Depends: $dep"
	echo "${dep#linux-headers-}"
}
