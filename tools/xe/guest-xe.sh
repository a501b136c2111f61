# SPDX-License-Identifier: GPL-2.0-only
#
# Guest tests of the Xe PF hookup, sourced by tools/vm/guest-run.sh after
# guest-tests.sh (they use its die()).  Environment, besides the rig's
# XE_RIG_MODDIR (where xe_pfvf.ko is):
#   XE_RIG_XE_KO   the patched xe.ko (tools/xe/build-xe.sh prints its path)
#   XE_RIG_KTREE   a directory with the modules of the 6.12 debug kernel it
#                  was built against (`make xe-module` copies them there):
#                  xe's dependencies (drm, ttm, gpu-sched, ...) are taken
#                  from there by name, as the guest has no installed modules
# Both are host paths, which the guest sees through the read-only 9p root.
# There is no Intel GPU in the VM: xe loads, binds nothing and unloads.

# xe_insmod_deps: insmods what xe needs, in the order the host worked out
# at build time (XE_RIG_KTREE/load-order, tools/xe/xe-load-order.sh): no
# modinfo in the guest, where an exec costs a third of a second.
xe_insmod_deps() {
	local ko name loaded=" "
	[ -f "$XE_RIG_KTREE/load-order" ] || die "no $XE_RIG_KTREE/load-order (make xe-module)"
	while read -r name _; do loaded+="$name "; done < /proc/modules
	while read -r ko; do
		name=${ko##*/}
		name=${name%.ko}
		[[ "$loaded" == *" ${name//-/_} "* ]] && continue
		insmod "$ko" || die "insmod $ko"
	done < "$XE_RIG_KTREE/load-order"
}

t_xe_load() {
	[ -f "$XE_RIG_XE_KO" ] || { echo "no patched xe.ko"; exit 77; }
	local mark
	mark=$(dmesg | wc -l)
	[[ ",$(modinfo -F depends "$XE_RIG_XE_KO")," == *,xe_pfvf,* ]] ||
		die "xe.ko does not depend on xe_pfvf"
	insmod "$XE_RIG_MODDIR/xe_pfvf.ko" || die "insmod xe_pfvf"
	xe_insmod_deps
	insmod "$XE_RIG_XE_KO" || die "insmod xe"
	grep -q '^xe ' /proc/modules || die "xe not loaded"
	# The glue's KUnit suites ran at this load: t_xe_kunit judges them
	# from this log instead of loading xe once more (a minute under TCG).
	dmesg | tail -n +"$((mark + 1))" > "$TMPDIR/xe-load.dmesg"
	# xe holds a reference on xe_pfvf: its xe_pfvf symbols resolved.
	grep '^xe_pfvf ' /proc/modules | grep -qw xe || die "xe does not use xe_pfvf"
	rmmod xe_pfvf 2>/dev/null && die "xe_pfvf unloaded under xe"
	rmmod xe || die "rmmod xe"
	rmmod xe_pfvf || die "rmmod xe_pfvf"
	if dmesg | tail -n +"$((mark + 1))" |
		grep -E 'Unknown symbol|disagrees about version|WARNING:|BUG:|KASAN|UBSAN|lockdep|Oops'; then
		die "kernel log not clean across xe load/unload"
	fi
}

t_xe_kunit() {
	[ -f "$XE_RIG_XE_KO" ] || { echo "no patched xe.ko"; exit 77; }
	local mark log suite
	# With DRM_XE_KUNIT_TEST, the suites built into xe.ko run at load:
	# t_xe_load's load when it ran, else a load of our own.
	if [ -s "$TMPDIR/xe-load.dmesg" ]; then
		log=$(sed 's/^\[[^]]*\] //' "$TMPDIR/xe-load.dmesg")
	else
		mark=$(dmesg | wc -l)
		insmod "$XE_RIG_MODDIR/xe_pfvf.ko" || die "insmod xe_pfvf"
		xe_insmod_deps
		insmod "$XE_RIG_XE_KO" || die "insmod xe"
		rmmod xe || die "rmmod xe"
		rmmod xe_pfvf || die "rmmod xe_pfvf"
		log=$(dmesg | tail -n +"$((mark + 1))" | sed 's/^\[[^]]*\] //')
	fi
	for suite in xe_sriov_pfvf_extents xe_sriov_pfvf_hooks; do
		printf '%s\n' "$log" | grep -Eq "^ok [0-9]+ $suite\$" ||
			die "KUnit suite $suite did not pass"
	done
	if printf '%s\n' "$log" | grep -E '^ *not ok '; then
		die "KUnit: failing cases"
	fi
	printf '%s\n' "$log" | grep -E '^ *# (Totals|xe_sriov_pfvf)' || true
}
