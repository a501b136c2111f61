#!/bin/bash
# guest-run.sh: the rig's process 1 inside the VM (after switch_root).
#
# Environment (set by run-vm.sh's guest-entry): XE_RIG_REPO, XE_RIG_LANE,
# XE_RIG_MODDIR, XE_RIG_IGTDIR, XE_RIG_BINDIR, XE_RIG_OUT, XE_RIG_MODE
# (test, demo or shell), XE_RIG_TOPOLOGY.
# Appends "RESULT <name> PASS|FAIL|SKIP [detail]" lines and finally DONE to
# $XE_RIG_OUT/results, then powers the VM off.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/run/tmp TMPDIR=${TMPDIR:-/run/tmp} LANG=C.UTF-8

mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t configfs configfs /sys/kernel/config 2>/dev/null
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

echo "xe-rig: guest up: kernel $(uname -r), lane $XE_RIG_LANE, mode $XE_RIG_MODE"
. "$XE_RIG_REPO/tools/vm/guest-tests.sh"
. "$XE_RIG_REPO/tools/xe/guest-xe.sh"

case "$XE_RIG_MODE" in
test)
	run_all_tests
	;;
demo)
	run_demo > "$XE_RIG_OUT/demo.txt" 2>&1
	echo "RESULT demo $([ $? -eq 0 ] && echo PASS || echo FAIL)" >> "$XE_RIG_OUT/results"
	;;
script)
	bash -c ". '$XE_RIG_REPO/tools/vm/guest-tests.sh'; . '$XE_RIG_SCRIPT'" > "$XE_RIG_OUT/script.log" 2>&1
	echo "RESULT script $([ $? -eq 0 ] && echo PASS || echo FAIL)" >> "$XE_RIG_OUT/results"
	;;
shell)
	echo "xe-rig: modules are in $XE_RIG_MODDIR; helpers: rig_load, rig_pf"
	echo "xe-rig: type 'exit' to power off"
	export -f rig_load rig_pf
	setsid -c /bin/bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
	;;
esac

echo DONE >> "$XE_RIG_OUT/results"
sync
echo "xe-rig: powering off"
/bin/busybox poweroff -f
