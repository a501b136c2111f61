#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tools/vm/emulator-verdicts.sh against consoles of each kind: the boots
# run-vm.sh abandons and boots again (an emulator failure, not a test
# result) and the ones it must judge as they are (a crash our modules or
# our tests may have caused, a clean boot).
#   emulator_verdicts_test.sh VERDICTS-SH
set -u
# shellcheck source=../vm/emulator-verdicts.sh
. "$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0 n=0

boot='[    0.000000] Linux version 6.12.117+deb12-amd64 (debian-kernel@lists.debian.org)
[    0.412000] smp: Bringing up secondary CPUs ...'
untainted_oops='[    1.020000] int3: 0000 [#1] PREEMPT SMP NOPTI
[    1.020100] CPU: 0 UID: 0 PID: 0 Comm: swapper/0 Not tainted 6.12.117+deb12-amd64 #1  Debian 6.12.117-1
[    1.020200] RIP: 0010:sched_clock_cpu+0x5/0x1a0
[    1.021000] Kernel panic - not syncing: Attempted to kill the idle task!'
tainted_oops='[   60.100000] BUG: kernel NULL pointer dereference, address: 0000000000000008
[   60.100100] CPU: 1 UID: 0 PID: 311 Comm: insmod Tainted: G           OE      6.12.117+deb12-amd64 #1
[   60.100200] RIP: 0010:xe_pfvf_vf_get+0x1c/0x90 [xe_pfvf]'
untainted_bug='[    2.500000] BUG: kernel NULL pointer dereference, address: 0000000000000000
[    2.500100] CPU: 1 PID: 1 Comm: swapper/0 Not tainted 6.1.0-57-amd64 #1 Debian 6.1.158-1'
running='xe-rig: guest up: kernel 6.12.117+deb12-amd64, lane stock612, mode test
xe-rig: running module-load'
froze='[  301.000000] rcu: INFO: rcu_preempt self-detected stall on CPU
[  301.000100] rcu: 	Possible timer handling issue on cpu=1 timer-softirq=2201
[  301.000200] rcu: rcu_preempt kthread timer wakeup didn'"'"'t happen for 21002 jiffies! g1234 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x402
[  301.000300] rcu: 	Possible timer handling issue on cpu=1 timer-softirq=2201
[  301.000400] NMI backtrace for cpu 1 skipped: idling at default_idle+0xf/0x20'
only_wakeup='[  301.000200] rcu: rcu_preempt kthread timer wakeup didn'"'"'t happen for 21002 jiffies! g1234 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x402'
only_idle='[  301.000400] NMI backtrace for cpu 1 skipped: idling at default_idle+0xf/0x20'

console() {  # console NAME PART...: a console file made of the parts
	local f=$work/$1
	shift
	printf '%s\n' "$@" > "$f"
	echo "$f"
}
expect() {  # expect NAME WANT FUNCTION CONSOLE: WANT is yes (0) or no (1)
	local got=no
	"$3" "$4" && got=yes
	n=$((n + 1))
	if [ "$got" = "$2" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1: $3 said $got, want $2"
		fails=$((fails + 1))
	fi
}

expect "an untainted crash before init: boot again" yes emulator_boot_crash \
	"$(console crash "$boot" "$untainted_oops")"
expect "an untainted BUG before the first test: boot again" yes emulator_boot_crash \
	"$(console bug "$boot" "$untainted_bug" "xe-rig: guest up: kernel 6.1.0-57-amd64, lane stock, mode test")"
expect "an untainted crash after a test started is judged" no emulator_boot_crash \
	"$(console crash-running "$boot" "$running" "$untainted_oops")"
expect "a tainted crash before the first test is judged" no emulator_boot_crash \
	"$(console tainted "$boot" "$tainted_oops")"
expect "an untainted then a tainted crash is judged" no emulator_boot_crash \
	"$(console both "$boot" "$untainted_oops" "$tainted_oops")"
expect "a clean boot is no crash" no emulator_boot_crash "$(console clean "$boot" "$running")"
expect "an empty console is no crash" no emulator_boot_crash "$(console empty "")"
expect "no console at all is no crash" no emulator_boot_crash "$work/missing"
expect "a lost timer on an idle vCPU: boot again" yes emulator_froze "$(console froze "$boot" "$running" "$froze")"
expect "a timer that did not fire on a busy vCPU is judged" no emulator_froze \
	"$(console wakeup "$boot" "$running" "$only_wakeup")"
expect "an idle vCPU alone is no lost timer" no emulator_froze "$(console idle "$boot" "$only_idle")"
expect "no console at all is no lost timer" no emulator_froze "$work/missing"

echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
