#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# xe-load-order.sh KO KTREE: the modules KO needs loaded first, one path a
# line, each after the modules it needs (depth first, as modprobe would),
# taken by name from KTREE.  xe_pfvf is left out: the rig loads its own.
# Run on the host at build time (make xe-module writes KTREE/load-order),
# so that the guest loads xe's dependencies without a modinfo each: under
# TCG on the 6.12 debug kernel every exec costs the guest a third of a
# second.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: xe-load-order.sh KO KTREE" >&2; exit 2; }
ktree=$2
declare -A seen=()

visit() {
	local dep ko
	for dep in $(modinfo -F depends "$1" | tr ',' ' '); do
		[ "$dep" = xe_pfvf ] && continue
		[ -z "${seen[$dep]:-}" ] || continue
		seen[$dep]=1
		ko=$ktree/$dep.ko
		[ -f "$ko" ] || ko=$ktree/${dep//_/-}.ko
		[ -f "$ko" ] || { echo "xe-load-order.sh: dependency $dep of $1 not in $ktree" >&2; exit 1; }
		visit "$ko"
		echo "$ko"
	done
}

[ -f "$1" ] || { echo "xe-load-order.sh: no $1" >&2; exit 1; }
visit "$1"
