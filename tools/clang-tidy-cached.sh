#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# clang-tidy with a cache of clean results, for CMake's CXX_CLANG_TIDY
# (tools/CMakeLists.txt, XE_PFVF_CLANG_TIDY=ON).  CMake runs it as
#
#   clang-tidy-cached.sh CLANG-TIDY [TIDY-ARGS...] SOURCE -- COMPILER ARGS...
#
# A translation unit that clang-tidy passed once is not checked again while
# nothing it sees has changed: the key is the unit preprocessed with its
# comments kept (so every header it includes and every NOLINT count), the
# source's name (both without the checkout's path), the tidy arguments,
# tools/.clang-tidy and clang-tidy's version.  Only clean results are
# cached; a unit with findings is checked every time.  The cache lives in XE_PFVF_TIDY_CACHE (default
# /var/cache/xe_pfvf/clang-tidy); where it cannot be written, every unit
# is checked.
set -u

sep=0
for ((i = 1; i <= $#; i++)); do
	[ "${!i}" = -- ] && { sep=$i; break; }
done
[ $sep -gt 2 ] || { echo "clang-tidy-cached.sh: usage: CLANG-TIDY ARGS... SOURCE -- COMPILE..." >&2; exit 2; }
tidy=("${@:1:sep-1}")
compile=("${@:sep+1}")

cache=${XE_PFVF_TIDY_CACHE:-/var/cache/xe_pfvf/clang-tidy}
config=$(dirname "$(readlink -f "$0")")/.clang-tidy
# The checkout this script is in: its path, which __FILE__ (GoogleTest's
# macros) puts into the preprocessed unit, is left out of the key, so that
# every clone of the project shares the cache.
checkout=$(dirname "$(dirname "$(readlink -f "$0")")")
checkout_re=$(printf '%s' "$checkout" | sed 's/[][\.*^$|]/\\&/g')

# The compile command as a preprocessor run to stdout: no object, no
# dependency file, comments and no line markers (the checkout's path does
# not matter).
pre=()
skip=0
for arg in "${compile[@]}"; do
	if [ $skip = 1 ]; then skip=0; continue; fi
	case $arg in
	-o | -MF | -MT | -MQ) skip=1 ;;
	-c | -MD | -MMD) ;;
	*) pre+=("$arg") ;;
	esac
done

key=$({
	printf '%s\n' "${tidy[@]}"
	"${tidy[0]}" --version
	cat "$config"
	"${pre[@]}" -E -C -P -o - || echo "preprocessing failed: $$"
} 2>/dev/null | sed "s|$checkout_re|@CHECKOUT@|g" | sha256sum | cut -c1-64)

stamp=$cache/${key:0:2}/$key
[ -e "$stamp" ] && exit 0

"${tidy[@]}" -- "${compile[@]}" || exit
mkdir -p "${stamp%/*}" 2>/dev/null && : > "$stamp" 2>/dev/null
exit 0
