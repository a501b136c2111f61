#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tools/clang-tidy-cached.sh with a fake clang-tidy that counts its runs and
# fails on units that contain "FINDING": a clean unit is checked once, then
# skipped; a unit with findings fails every time; a change to a header the
# unit includes, or to a comment (NOLINT), checks it again.
#   tidy_cache_test.sh WRAPPER
set -u
wrapper=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XE_PFVF_TIDY_CACHE=$work/cache
fails=0

cat > "$work/fake-tidy" <<'FAKE'
#!/bin/bash
[ "${1:-}" = --version ] && { echo "fake-tidy 1"; exit 0; }
echo run >> "${0%/*}/runs"
grep -q FINDING "$1" "${0%/*}/hdr.hpp" && exit 1
exit 0
FAKE
chmod +x "$work/fake-tidy"

tidy() {  # tidy SOURCE: run the wrapper as CMake does
	"$wrapper" "$work/fake-tidy" "$1" -- c++ -std=c++20 -I"$work" -o "$work/x.o" -c "$1"
}
runs() { [ -f "$work/runs" ] && wc -l < "$work/runs" || echo 0; }
expect() {  # expect WHAT GOT WANT
	if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got $2, want $3"; fails=$((fails + 1)); fi
}

echo 'int h();' > "$work/hdr.hpp"
printf '#include "hdr.hpp"\nint f() { return h(); }\n' > "$work/good.cpp"
printf 'int g() { return 1; } // FINDING\n' > "$work/bad.cpp"

tidy "$work/good.cpp"; expect "clean unit passes" $? 0
tidy "$work/good.cpp"; expect "clean unit passes again" $? 0
expect "clean unit checked once" "$(runs)" 1
tidy "$work/bad.cpp"; expect "unit with findings fails" $? 1
tidy "$work/bad.cpp"; expect "unit with findings fails again" $? 1
expect "unit with findings checked every time" "$(runs)" 3
echo 'int h(); // FINDING' > "$work/hdr.hpp"
tidy "$work/good.cpp"; expect "changed header: checked again, and fails" $? 1
echo 'int h(); // NOLINT' > "$work/hdr.hpp"
tidy "$work/good.cpp"; expect "changed comment: checked again" $? 0
expect "runs" "$(runs)" 5

# Two clones of one project: a unit that names its own path (__FILE__, as
# GoogleTest's macros do) checked clean in one is not checked in the other.
for c in one two; do
	mkdir -p "$work/$c/tools" "$work/$c/src"
	cp "$wrapper" "$work/$c/tools/clang-tidy-cached.sh"
	printf 'const char *where() { return __FILE__; }\n' > "$work/$c/src/where.cpp"
done
before=$(runs)
for c in one two one; do
	"$work/$c/tools/clang-tidy-cached.sh" "$work/fake-tidy" "$work/$c/src/where.cpp" -- \
		c++ -std=c++20 -o "$work/x.o" -c "$work/$c/src/where.cpp"
done
expect "the same unit in another clone: not checked again" "$(( $(runs) - before ))" 1
printf 'const char *where() { return __FILE__ "!"; }\n' > "$work/two/src/where.cpp"
"$work/two/tools/clang-tidy-cached.sh" "$work/fake-tidy" "$work/two/src/where.cpp" -- \
	c++ -std=c++20 -o "$work/x.o" -c "$work/two/src/where.cpp"
expect "a changed unit in another clone: checked" "$(( $(runs) - before ))" 2

echo "tidy cache: $fails failed"
[ $fails -eq 0 ]
