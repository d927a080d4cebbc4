#!/bin/bash
# SPDX-License-Identifier: MIT
#
# entrypoint.sh [run | module] - the toa DaemonSet's container
# (deploy/kubernetes/toa-daemonset.yaml): loads toa.ko on the node, keeps
# node_exporter's textfile of its counters fresh, and unloads it when the
# pod is stopped.
#
#   run (default)  find or build the module for the node's kernel, load it
#                  with the ConfigMap's settings, mark the pod ready, write
#                  the counters every TOA_METRICS_INTERVAL seconds; on
#                  SIGTERM remove the metrics and the readiness mark and
#                  unload the module (rmmod is safe with live TOA sockets:
#                  they fall back to the balancer's address).
#   module         only print the module it would load (prebuilt, or built
#                  now by DKMS against the node's headers).
#
# The module, in this order: $TOA_MODULE_DIR/<uname -r>/toa.ko (prebuilt
# into the image), else DKMS from the source in $TOA_DKMS_SOURCE against
# $TOA_KERNEL_BUILD (the node's /lib/modules/<uname -r>/build, mounted from
# the host), built into $TOA_WORK_DIR: nothing is written on the host.
# A module already loaded (by the node, or a pod before) is configured
# through toactl and left loaded at exit.
#
# Settings (environment, from the ConfigMap):
#   TOA_TRUSTED      balancer CIDRs ("" or "any": every source, warned)
#   TOA_FORMATS      honoured formats (default: the module's default)
#   TOA_ENABLED      1 rewrites, 0 pauses (default 1)
#   TOA_UDP          1 decodes UDP options too (load time; default 0)
#   TOA_TEXTFILE_DIR node_exporter's textfile directory ("" for none)
#   TOA_METRICS_INTERVAL  seconds between metric writes (default 15)
#   TOA_READY_FILE   touched once the module answers (readiness probe)
#   TOA_KEEP_LOADED  1: do not unload at exit
set -uo pipefail

kver=${TOA_KERNEL_RELEASE:-$(uname -r)}
module_dir=${TOA_MODULE_DIR:-/opt/toa/modules}
dkms_source=${TOA_DKMS_SOURCE:-/opt/toa/src}
kbuild=${TOA_KERNEL_BUILD:-/lib/modules/$kver/build}
work=${TOA_WORK_DIR:-/var/lib/toa}
textfile_dir=${TOA_TEXTFILE_DIR-/var/lib/prometheus/node-exporter}
interval=${TOA_METRICS_INTERVAL:-15}
ready=${TOA_READY_FILE:-/run/toa/ready}
toactl=${TOACTL:-toactl}

log() { echo "toa-entrypoint: $*" >&2; }
die() {
	log "$*"
	exit 1
}

# find_module - the path of a toa.ko for $kver, on stdout.
find_module() {
	local ko=$module_dir/$kver/toa.ko src version
	if [[ -f $ko ]]; then
		log "prebuilt module for $kver: $ko"
		echo "$ko"
		return
	fi
	[[ -d $kbuild ]] || die "no prebuilt module for $kver in $module_dir and no kernel build tree at $kbuild (mount the node's /lib/modules and /usr/src, or install linux-headers-$kver on the node)"
	src=$(find "$dkms_source" -mindepth 1 -maxdepth 1 -name 'toa-*' -type d 2>/dev/null | sort -V | tail -n 1)
	[[ -n $src && -f $src/dkms.conf ]] || die "no DKMS source (toa-VERSION/dkms.conf) in $dkms_source"
	version=${src##*/toa-}
	command -v dkms >/dev/null || die "dkms is not installed in the image"
	log "building toa $version for $kver with DKMS against $kbuild"
	# Afresh: DKMS keeps an installed module of the same version, which a
	# restarted container would then load instead of this image's build.
	rm -rf "$work/dkms" "$work/install"
	mkdir -p "$work/dkms" "$work/install/$kver"	# dkms install wants the kernel's directory
	local dkms=(dkms --dkmstree "$work/dkms" --sourcetree "$dkms_source" --installtree "$work/install")
	if ! { "${dkms[@]}" add -m toa -v "$version" &&
		"${dkms[@]}" build -m toa -v "$version" -k "$kver" --kernelsourcedir "$kbuild" &&
		"${dkms[@]}" install -m toa -v "$version" -k "$kver" --kernelsourcedir "$kbuild" --no-depmod; } \
		>"$work/dkms.log" 2>&1; then
		cat "$work/dkms.log" >&2
		die "DKMS could not build toa $version for $kver"
	fi
	ko=$work/install/$kver/updates/dkms/toa.ko
	[[ -f $ko ]] || die "DKMS built no module ($ko missing)"
	echo "$ko"
}

# params - toa.ko's parameters from the settings, one per word.
params() {
	local p=()
	case ${TOA_TRUSTED:-} in
	"" | any) ;;
	*) p+=("trusted=$TOA_TRUSTED") ;;
	esac
	[[ -z ${TOA_FORMATS:-} ]] || p+=("formats=$TOA_FORMATS")
	[[ -z ${TOA_ENABLED:-} ]] || p+=("enabled=$TOA_ENABLED")
	echo "${p[@]}"
}

# Load-time only parameters: given to insmod, not to toactl config set.
load_params() {
	[[ -z ${TOA_UDP:-} ]] || echo "udp=$TOA_UDP"
}

write_metrics() {
	[[ -n $textfile_dir ]] || return 0
	local tmp=$textfile_dir/.toa.prom.$$
	# node_exporter must never read half a file: write, then rename.
	if "$toactl" stats --prometheus >"$tmp" 2>"$work/metrics.err"; then
		mv -f "$tmp" "$textfile_dir/toa.prom"
	else
		rm -f "$tmp"
		log "toactl stats --prometheus failed: $(cat "$work/metrics.err")"
	fi
}

loaded_by_us=0
stopping=0
sleeper=
cleanup() {
	stopping=1
	[[ -z $sleeper ]] || kill "$sleeper" 2>/dev/null
	rm -f "$ready"
	[[ -z $textfile_dir ]] || rm -f "$textfile_dir/toa.prom" "$textfile_dir/.toa.prom.$$"
	if ((loaded_by_us)) && [[ ${TOA_KEEP_LOADED:-0} != 1 ]]; then
		local i
		for i in 1 2 3 4 5; do
			if rmmod toa 2>"$work/rmmod.err"; then
				log "toa.ko unloaded"
				return 0
			fi
			[[ -d /sys/module/toa ]] || return 0
			sleep 1
		done
		log "rmmod toa failed: $(cat "$work/rmmod.err")"
		return 1
	fi
	return 0
}

run() {
	mkdir -p "$work" "$(dirname "$ready")"
	[[ -z $textfile_dir ]] || mkdir -p "$textfile_dir"
	[[ $interval =~ ^[1-9][0-9]*$ ]] || die "TOA_METRICS_INTERVAL must be a number of seconds, not '$interval'"
	trap 'cleanup; exit $?' TERM INT
	local p lp ko
	read -ra p <<<"$(params)"
	if [[ -d /sys/module/toa ]]; then
		log "toa.ko is loaded already: configuring it, and leaving it loaded at exit"
		local set=("${p[@]}")
		[[ ${TOA_TRUSTED:-} == "" || ${TOA_TRUSTED:-} == any ]] && set+=("trusted=any")
		"$toactl" config set "${set[@]}" || die "toactl config set ${set[*]} failed"
	else
		ko=$(find_module) || exit 1
		read -ra lp <<<"$(load_params)"
		p+=("${lp[@]}")
		log "insmod $ko ${p[*]}"
		insmod "$ko" "${p[@]}" 2>"$work/insmod.err" ||
			die "insmod $ko ${p[*]} failed: $(cat "$work/insmod.err") (see dmesg)"
		loaded_by_us=1
	fi
	"$toactl" status >&2 || {
		cleanup
		die "toa.ko does not answer (toactl status)"
	}
	touch "$ready"
	log "ready"
	while ((!stopping)); do
		write_metrics
		# in the background, so SIGTERM is handled at once
		sleep "$interval" &
		sleeper=$!
		wait "$sleeper" || true
	done
}

case ${1:-run} in
run) run ;;
module) find_module ;;
*) die "usage: entrypoint.sh [run | module]" ;;
esac
