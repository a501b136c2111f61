#!/bin/bash
# run-igt.sh BINARY... - run IGT test binaries (all subtests) and summarise.
#
# For each binary, prints one line per subtest on stdout:
#   RESULT igt/<binary>/<subtest> PASS|FAIL|SKIP
# (IGT SUCCESS -> PASS, FAIL/CRASH/TIMEOUT/other -> FAIL, SKIP -> SKIP).
# A subtest that started but never reported a result is a FAIL.
# Without any subtest result lines the binary itself is reported:
#   exit 0 -> "RESULT igt/<binary> PASS", 77 -> "RESULT igt/<binary> SKIP",
#   anything else -> "RESULT igt/<binary> FAIL exit <code>".
# An exit code other than 0/77/98 after subtest lines (abort, signal, ...)
# adds "RESULT igt/<binary> FAIL exit <code>".
#
# The binaries' own output goes to stderr.  Exit status: 0 if nothing
# failed, 1 otherwise.  Needs only bash, coreutils, grep and sed.
#
# Environment: IGT_TIMEOUT  seconds per binary (default 500, below the VM rig's 600 s
#              per-test limit; 0 = none).

set -u

if [ $# -eq 0 ]; then
	echo "usage: $0 <igt-binary>..." >&2
	exit 2
fi

timeout_s=${IGT_TIMEOUT:-500}
log=$(mktemp "${TMPDIR:-/tmp}/run-igt.XXXXXX") || exit 2
trap 'rm -f "$log"' EXIT

failed=0

map_result() {
	case "$1" in
	SUCCESS) echo PASS ;;
	SKIP) echo SKIP ;;
	*) echo FAIL ;;
	esac
}

for bin in "$@"; do
	name=$(basename -- "$bin")
	case "$bin" in
	*/*) cmd=$bin ;;
	*) cmd=./$bin ;;
	esac

	echo "=== igt/$name" >&2
	if [ "$timeout_s" != 0 ] && command -v timeout >/dev/null 2>&1; then
		timeout -k 10 "$timeout_s" "$cmd" >"$log" 2>&1 </dev/null
	else
		"$cmd" >"$log" 2>&1 </dev/null
	fi
	rc=$?
	cat "$log" >&2

	declare -A seen=()
	started=()
	nres=0
	# "Starting subtest: NAME" and "Subtest NAME: RESULT (1.234s)"
	while IFS= read -r line; do
		case "$line" in
		"Starting subtest: "*)
			started+=("${line#Starting subtest: }")
			;;
		"Subtest "*": "*)
			rest=${line#Subtest }
			sub=${rest%%: *}
			res=${rest#*: }
			res=${res%% *}
			r=$(map_result "$res")
			echo "RESULT igt/$name/$sub $r"
			[ "$r" = FAIL ] && failed=1
			seen[$sub]=1
			nres=$((nres + 1))
			;;
		esac
	done < <(sed 's/\r$//' "$log" | grep -E '^(Starting subtest: |Subtest [^ ]+: )')

	for sub in "${started[@]+"${started[@]}"}"; do
		if [ -z "${seen[$sub]+x}" ]; then
			echo "RESULT igt/$name/$sub FAIL"
			failed=1
			seen[$sub]=1
			nres=$((nres + 1))
		fi
	done
	unset seen

	if [ "$nres" -eq 0 ]; then
		case "$rc" in
		0) echo "RESULT igt/$name PASS" ;;
		77) echo "RESULT igt/$name SKIP" ;;
		*) echo "RESULT igt/$name FAIL exit $rc"; failed=1 ;;
		esac
	else
		case "$rc" in
		0 | 77 | 98) ;;
		*) echo "RESULT igt/$name FAIL exit $rc"; failed=1 ;;
		esac
	fi
done

exit $failed
