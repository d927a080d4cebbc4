#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# node-exporter.sh - make sure build/tools/node-exporter/ holds Debian's
# prometheus-node-exporter, unpacked (never installed: its package would
# start a daemon on this host), and print the binary's path. The VM
# scenarios run it to read toactl's --prometheus output through
# node_exporter's textfile collector, as a node does.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

dest=$TOA_ROOT/build/tools/node-exporter
pkg=prometheus-node-exporter
mkdir -p "$(dirname "$dest")"
exec 9>"$dest.lock"
flock 9
want=$(apt_candidate "$pkg")
[[ -n $want ]] || vm_die "no package $pkg in apt"
debs_unpacked "$dest" "$pkg=$want" || unpack_debs "$dest" "$pkg=$want" "$pkg=$want"
echo "$dest/usr/bin/prometheus-node-exporter"
