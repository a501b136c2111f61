#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The guest rig's test runner (tools/vm/guest-tests.sh: run_test, rig_wait,
# run_gtest) on the host, with tests of each kind: passing, failing,
# skipping, past their time limit, printing their own RESULT lines, and a
# GoogleTest program; and the table check (check_vfs) against debugfs and
# sysfs trees made here.  The verdicts are what `xe-pfvf-rig report` reads.
#   guest_run_test_test.sh GUEST-TESTS-SH
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XE_RIG_OUT=$work TMPDIR=$work
# shellcheck source=../vm/guest-tests.sh
. "$1"
fails=0 n=0

check() {  # check DESCRIPTION CONDITION...
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		fails=$((fails + 1))
	fi
}

not() { ! "$@"; }

# has_line FILE LINE: FILE has exactly LINE as one of its lines.
has_line() { grep -qxF -- "$2" "$1"; }

t_pass() { echo "fine"; }
t_fail() { echo "about to fail"; die "it broke"; }
t_skip() { echo "no widget here"; exit 77; }
t_hang() { sleep 30; }
t_own_results() { echo "RESULT own/a PASS"; echo "RESULT own/b SKIP"; }
t_own_results_then_exit() { echo "RESULT own2/a PASS"; exit 3; }
t_own_fail() { echo "RESULT own3/a FAIL"; exit 1; }

: > "$results"
run_test pass t_pass > "$work/out.pass"
check "a passing test: PASS" has_line "$results" "RESULT pass PASS"
check "its output is shown" has_line "$work/out.pass" "  | fine"
check "its guest time is shown" grep -q '^xe-rig: pass took [0-9]* s$' "$work/out.pass"
check "nothing failed yet" test "$rig_failed" -eq 0

run_test skip t_skip > /dev/null
check "exit 77: SKIP" has_line "$results" "RESULT skip SKIP exit 77: no widget here"
check "a skip fails nothing" test "$rig_failed" -eq 0

run_test fail t_fail > /dev/null
check "a failing test: FAIL with its first failure" \
	has_line "$results" "RESULT fail FAIL exit 1:   FAILED: it broke"
check "a failure is remembered" test "$rig_failed" -eq 1
rig_failed=0

start=$SECONDS
XE_RIG_TEST_TIMEOUT=2 run_test hang t_hang > "$work/out.hang"
check "a test past its limit is killed within seconds" test $((SECONDS - start)) -lt 10
check "and fails, saying why" grep -q '^RESULT hang FAIL exit 137' "$results"
check "its log says it timed out" has_line "$work/out.hang" "  |   test timed out after 2s"
rig_failed=0

run_test own t_own_results > /dev/null
check "a test's own RESULT lines are kept" has_line "$results" "RESULT own/a PASS"
check "all of them" has_line "$results" "RESULT own/b SKIP"
check "and no line of its own" test "$(grep -c '^RESULT own ' "$results")" -eq 0

run_test own2 t_own_results_then_exit > /dev/null
check "own results but a failed exit: a FAIL line is added" \
	has_line "$results" "RESULT own2 FAIL exit 3"
rig_failed=0

run_test own3 t_own_fail > /dev/null
check "an own FAIL line: no second one" test "$(grep -c '^RESULT own3' "$results")" -eq 1
rig_failed=0

# A test's EXIT trap runs once, when the test ends, however its waits end.
t_trap() {
	trap 'echo done >> "$work/trap"' EXIT
	local i
	# A job that ends at once: rig_wait stops its timer as it starts.
	for ((i = 0; i < 20; i++)); do
		: &
		rig_wait $! 5
	done
}
: > "$work/trap"
run_test trap t_trap > /dev/null
check "a test's EXIT trap runs once, at its end" test "$(wc -l < "$work/trap")" -eq 1

XE_RIG_ONLY="pass other" run_test skipped_by_only t_fail > /dev/null
check "--only leaves out the tests it does not name" \
	test "$(grep -c skipped_by_only "$results")" -eq 0

# run_gtest on a program that prints GoogleTest's verdict lines.
cat > "$work/gtest" <<'EOF'
#!/bin/bash
echo "[       OK ] Suite.Good (3 ms)"
echo "[  FAILED  ] Suite.Bad (1 ms)"
echo "[  SKIPPED ] Suite.Later (0 ms)"
exit 1
EOF
chmod +x "$work/gtest"
t_gtest() { run_gtest g "$work/gtest"; }
run_test g t_gtest > /dev/null 2>&1
check "run_gtest: one RESULT a case (PASS)" has_line "$results" "RESULT g/Suite.Good PASS"
check "run_gtest: FAIL" has_line "$results" "RESULT g/Suite.Bad FAIL"
check "run_gtest: SKIP" has_line "$results" "RESULT g/Suite.Later SKIP"
rig_failed=0

cat > "$work/gtest-hang" <<'EOF'
#!/bin/bash
echo "[       OK ] Suite.First (3 ms)"
exec sleep 30
EOF
chmod +x "$work/gtest-hang"
t_gtest_hang() { XE_RIG_GTEST_TIMEOUT=2 run_gtest gh "$work/gtest-hang"; }
export XE_RIG_SYSRQ=$work/sysrq
start=$SECONDS
run_test gh t_gtest_hang > "$work/out.gh" 2>&1
check "run_gtest: a hung program is killed within seconds" test $((SECONDS - start)) -lt 10
check "run_gtest: and named" grep -q "HUNG: gh still running after 2s" "$work/out.gh"
check "run_gtest: the blocked tasks are asked for (sysrq w)" has_line "$work/sysrq" w
check "run_gtest: its finished cases count" has_line "$results" "RESULT gh/Suite.First PASS"
check "run_gtest: the test fails" grep -q "^RESULT gh FAIL exit 137" "$results"
rig_failed=0

# check_vfs against a made-up debugfs table and sysfs tree.
dbg=$work/dbg
sys=$work/sys
pf=0000:01:00.0
mkdir -p "$dbg/$pf"
mkvf() {  # mkvf I BDF START END
	mkdir -p "$sys/$2"
	printf '%#018x %#018x 0x0000000000040200\n' "$3" "$4" > "$sys/$2/resource"
	ln -sfn "../$2" "$sys/$pf/virtfn$1"
}
mkdir -p "$sys/$pf"
mkvf 0 0000:01:00.1 0xfe000000 0xfe003fff
mkvf 1 0000:01:00.2 0xfe004000 0xfe007fff
table() {  # table LINE...: the PF's vfs file
	{
		echo "vf bdf state quota extents generation bar_cpu bar_bus"
		[ $# -eq 0 ] || printf '%s\n' "$@"
	} > "$dbg/$pf/vfs"
}
good1="1 0000:01:00.1 provisioned 1048576 2 1 0xfe000000+0x4000 0xfe000000+0x4000"
good2="2 0000:01:00.2 provisioned 1048576 1 1 0xfe004000+0x4000 0xfe004000+0x4000"
vfs_ok() { (check_vfs "$pf" "$1") > /dev/null 2>&1; }
# check_vfs reads /sys/bus/pci/devices: point it at the made-up tree.
eval "$(declare -f check_vfs | sed "s|/sys/bus/pci/devices|$sys|g")"
table "$good1" "$good2"
check "check_vfs: a right table passes" vfs_ok 2
check "check_vfs: a wrong count fails" not vfs_ok 1
table "$good1" "${good2/0000:01:00.2/0000:01:00.1}"
check "check_vfs: a VF that is not its virtfn fails" not vfs_ok 2
table "$good1" "${good2/provisioned/unprovisioned}"
check "check_vfs: an unprovisioned VF fails" not vfs_ok 2
table "$good1" "${good2/0xfe004000+0x4000 0xfe004000/0xfe004000+0x8000 0xfe004000}"
check "check_vfs: a BAR that differs from sysfs fails" not vfs_ok 2
table "$good1" "${good2% *} -"
check "check_vfs: a VF without a bus address fails" not vfs_ok 2
table "$good2" "$good1"
check "check_vfs: VFs out of order fail" not vfs_ok 2
table
check "check_vfs: no VFs, none listed" vfs_ok 0

echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
