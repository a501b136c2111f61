#!/bin/bash
# ctest-report.sh BUILD-DIR LANE: run CTest and print the rig's per-test
# lines (PASS/FAIL/SKIP LANE/test) and the lane summary line.
set -uo pipefail
build=$1
lane=$2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" > "$log" 2>&1
rc=$?
awk -v lane="$lane" '
	/Test +#[0-9]+: / {
		name = $0
		sub(/.*Test +#[0-9]+: /, "", name)
		sub(/ \.+.*/, "", name)
		if ($0 ~ /\*\*\*Skipped| Not Run/)      { st = "SKIP"; s++ }
		else if ($0 ~ / Passed /)               { st = "PASS"; p++ }
		else                                    { st = "FAIL"; f++ }
		printf "%-4s %s/%s\n", st, lane, name
	}
	END { printf "%s: %d passed, %d failed, %d skipped\n", lane, p, f, s }
' "$log"
if [ $rc -ne 0 ]; then
	echo "ctest failed (exit $rc); its output:" >&2
	sed 's/^/    /' "$log" >&2
fi
exit $rc
