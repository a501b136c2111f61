# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by run-vm.sh: the emulator failures that are not a test result,
# each told from the serial console it is given.  A boot that shows one is
# abandoned and the lane booted once more.  Tested on the host by
# tools/tests/emulator_verdicts_test.sh.

# Under TCG, QEMU 7.2 sometimes loses the timer of a halted vCPU for good:
# the guest's RCU then reports "timer wakeup didn't happen" ("Possible timer
# handling issue on cpu=N") and every task on that CPU is frozen.  Seen
# twice in eight lanes on this 2-core machine and at the 10th and 36th
# repeat of the dma-buf memory disable/enable race test alone, with the
# LAPIC in TSC-deadline and in one-shot mode alike.  That is the emulator,
# not a test result: the boot is abandoned (its console kept as
# console.froze.log, and said so) and the lane booted once more.
#
# emulator_froze CONSOLE: both, the timer did not fire, and the CPU was
# idle (halted), not spinning with interrupts off, which would be a kernel
# bug.
emulator_froze() {
	grep -q "timer wakeup didn't happen" "$1" 2>/dev/null &&
		grep -q "skipped: idling at" "$1"
}

# Under TCG, Debian's stock 6.12 died once before init ran (the CI run of
# stop 17, the only time so far): an int3 trap at a site the
# kernel had just patched (sched_clock_cpu, CPU 0 idle) and no longer
# recognised as its own, most likely a vCPU running a stale translation
# of code the other vCPU had rewritten.  A kernel that
# crashes untainted (no module of ours loaded) before the rig ran a single
# test has not tested anything: that boot is abandoned too (console kept as
# console.bootcrash.log, and said so) and the lane booted once more.
#
# emulator_boot_crash CONSOLE
emulator_boot_crash() {
	local con=$1
	grep -q '^xe-rig: running' "$con" 2>/dev/null && return 1
	grep -Eq '(Oops|BUG|Kernel panic)' "$con" 2>/dev/null || return 1
	grep -q ' Not tainted ' "$con" && ! grep -q ' Tainted: ' "$con"
}
