#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds Debian 6.12's Xe with the xe_pfvf hookup (patches/xe-6.12/) as an
# external module against a configured and built 6.12 kernel tree.
#
#   build-xe.sh --tree TREE --symvers XE_PFVF_MODULE_SYMVERS [--out DIR]
#
# TREE: the 6.12 tree (DRM_XE=m); XE_PFVF_MODULE_SYMVERS: the Module.symvers
# of xe_pfvf built against the same tree (its build directory must hold
# drivers/xe_pfvf/.xe_pfvf_drv.o.cmd: the compat feature flags are taken
# from there, so that xe sees <linux/xe_pfvf_compat.h> as xe_pfvf did).
# DIR defaults to build/xe-6.12.  Extracts the pristine drivers/gpu/drm/xe
# (and i915, whose headers xe includes) from /usr/src/linux-source-6.12.tar.xz,
# checks and applies the series, builds W=1, fails on any warning in the
# files the series touches, and prints the path of xe.ko; or copies a clean
# xe.ko made from the same inputs from the cache (below) and does none of
# that.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
src=/usr/src/linux-source-6.12.tar.xz
tree= symvers= out=$repo/build/xe-6.12

usage() {
	sed -n '4,16p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--tree) tree=$2; shift 2 ;;
	--symvers) symvers=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
done
[ -n "$tree" ] && [ -n "$symvers" ] || usage
[ -f "$tree/.config" ] || { echo "build-xe: $tree is not a configured kernel tree" >&2; exit 1; }
[ -f "$symvers" ] || { echo "build-xe: no xe_pfvf Module.symvers at $symvers" >&2; exit 1; }
grep -q '^CONFIG_DRM_XE=m' "$tree/.config" || { echo "build-xe: $tree does not have DRM_XE=m" >&2; exit 1; }

cmd=$(dirname "$symvers")/drivers/xe_pfvf/.xe_pfvf_drv.o.cmd
[ -f "$cmd" ] || { echo "build-xe: no $cmd (build xe_pfvf against $tree first)" >&2; exit 1; }
flags=$(grep -o -- '-DXE_PFVF_[A-Z0-9_]*' "$cmd" | sort -u | tr '\n' ' ')

shopt -s nullglob
patches=("$repo"/patches/xe-6.12/*.patch)
[ ${#patches[@]} -gt 0 ] || { echo "build-xe: no patches in $repo/patches/xe-6.12" >&2; exit 1; }

# The build takes 2.5 minutes on an idle 2-core machine (more when it is
# loaded): a clean one is kept in $XE_PFVF_CACHE/xe-ko, keyed on everything
# it was made from (this script, the series, xe_pfvf's headers, the exports
# of xe_pfvf.ko, the compat flags, the kernel tree, its configuration and
# the compiler).  Only builds that passed the warning check below are
# kept, so a hit has passed it too, and the series applied to this very
# source: a hit skips the extraction (40 s of xz) and the patch check.
cache=${XE_PFVF_CACHE:-/var/cache/xe_pfvf}/xe-ko
key=$({
	cat "$0" "${patches[@]}" "$tree/.config" "$tree/Module.symvers"
	# xe links against xe_pfvf.ko alone: its exports, not the path of the
	# build or the other modules built beside it.
	awk -F '\t' '$3 ~ /(^|\/)xe_pfvf$/ { print $1, $2, $4, $5 }' "$symvers"
	find "$repo/include" -type f | LC_ALL=C sort | xargs cat
	echo "$tree $flags"
	sha256sum < "$src"
	gcc --version
} | sha256sum | cut -c1-16)
rm -rf "$out"
xe=$out/drm/xe
if [ -f "$cache/$key/xe.ko" ]; then
	mkdir -p "$xe"
	cp "$cache/$key/xe.ko" "$xe/xe.ko"
	echo "build-xe: xe.ko from the cache ($cache/$key)" >&2
	echo "$xe/xe.ko"
	exit 0
fi

mkdir -p "$out"
tar -C "$out" --strip-components=3 -xf "$src" \
	linux-source-6.12/drivers/gpu/drm/xe linux-source-6.12/drivers/gpu/drm/i915

touched=()
for p in "${patches[@]}"; do
	if ! patch -d "$xe" -p5 --dry-run -s -f < "$p" > "$out/patch.log" 2>&1; then
		echo "build-xe: $(basename "$p") no longer applies to Debian's 6.12 Xe:" >&2
		cat "$out/patch.log" >&2
		exit 1
	fi
	patch -d "$xe" -p5 -s -f < "$p"
	while read -r f; do
		touched+=("$(basename "$f")")
	done < <(sed -n 's|^+++ b/drivers/gpu/drm/xe/||p' "$p")
done

log=$out/build.log
set +e
nice -n 10 make -C "$tree" M="$xe" W=1 -j2 \
	CONFIG_DRM_XE_PFVF=y \
	KCPPFLAGS="-DCONFIG_DRM_XE_PFVF=1 -I$repo/include $flags" \
	KBUILD_EXTRA_SYMBOLS="$(realpath "$symvers")" modules > "$log" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ]; then
	grep -E 'error|Error' "$log" | head -40 >&2
	echo "build-xe: build failed, see $log" >&2
	exit 1
fi

pattern=$(printf '%s\n' "${touched[@]}" | sort -u | sed 's/\./\\./g' | paste -sd'|')
warnings=$(grep -E "($pattern):[0-9]+(:[0-9]+)?: warning" "$log" || true)
modpost=$(grep -E 'WARNING: modpost' "$log" || true)
if [ -n "$warnings$modpost" ]; then
	printf '%s\n' "$warnings" "$modpost" | sed '/^$/d' >&2
	echo "build-xe: warnings in the xe_pfvf hookup, see $log" >&2
	exit 1
fi
if mkdir -p "$cache" 2>/dev/null; then
	tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
	cp "$xe/xe.ko" "$log" "$tmp/" && mv -T "$tmp" "$cache/$key" 2>/dev/null ||
		rm -rf "$tmp"
fi
echo "$xe/xe.ko"
