#!/bin/bash
# static-report.sh BUILD-DIR KDIR DEBUG-TREE: the static checks as a test
# lane: W=1 -Werror module build, sparse (C=2), checkpatch --strict +
# kernel-doc, the uAPI header alone as C and C++, and clang-tidy over the
# C++ tools.  Prints the rig's per-test
# lines and the lane summary line.
set -uo pipefail
build=$1
kdir=$2
tree=$3
repo=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

verdict() {
	local name=$1 rc=$2
	if [ "$rc" -eq 0 ]; then
		echo "PASS static/$name"
		pass=$((pass + 1))
	else
		echo "FAIL static/$name"
		# The findings, else the end of the log.
		if grep -qE '(error|warning):' "$log"; then
			grep -E '(error|warning):' "$log" | head -n 40 | sed 's/^/    /'
		else
			tail -n 40 "$log" | sed 's/^/    /'
		fi
		fail=$((fail + 1))
	fi
}

stage() {
	rm -rf "$1"
	mkdir -p "$1"
	tar -C "$repo" -cf - Kbuild drivers include uapi | tar -C "$1" -xf -
}

stage "$build/static-w1"
make -j"$(nproc)" -C "$kdir" M="$build/static-w1" W=1 KCFLAGS=-Werror modules > "$log" 2>&1
verdict w1-werror-build $?

stage "$build/static-sparse"
make -j"$(nproc)" -C "$kdir" M="$build/static-sparse" C=2 modules > "$log" 2>&1
rc=$?
grep -E ' (warning|error): ' "$log" > "$log.w" && rc=1
grep -c CHECK "$log" | grep -qv '^0$' || rc=1
cp "$log.w" "$log" 2>/dev/null; rm -f "$log.w"
verdict sparse $rc

"$repo/tools/checkpatch.sh" "$tree" > "$log" 2>&1
verdict checkpatch-strict-kernel-doc $?

make -C "$repo" --no-print-directory headers_check > "$log" 2>&1
verdict uapi-headers-check $?

# The same build type and flags as `make tools` (build/tools, at the same
# depth): each unit's compile after clang-tidy is then a ccache hit, so a
# cold run pays for clang-tidy alone, not for a second compile of the tools.
cmake -S "$repo/tools" -B "$build/tools-tidy" -DXE_PFVF_CLANG_TIDY=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo > "$log" 2>&1 &&
	cmake --build "$build/tools-tidy" -j"$(nproc)" >> "$log" 2>&1
verdict clang-tidy $?

echo "static: $pass passed, $fail failed, 0 skipped"
[ $fail -eq 0 ]
