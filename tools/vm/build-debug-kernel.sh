#!/bin/bash
# build-debug-kernel.sh [6.1|6.12]: build (or reuse) the xe_pfvf debug
# kernel from Debian's linux-source-<version> package; prints the tree's path
# on stdout.
#
# The tree lives outside the checkout, in $XE_PFVF_CACHE (default
# /var/cache/xe_pfvf), keyed by a hash of the config fragments and the
# source package's version, so a changed fragment or source gets a new tree
# and an unchanged one is reused.  The fragments are debug-kernel.config,
# plus debug-kernel-<version>.config where it exists (6.12: the Xe driver
# and its KUnit tests; a later fragment's value of an option wins).  The
# 6.12 tree does not build its own, unpatched Xe (129 of its units):
# tools/xe/build-xe.sh builds the patched one against it.
#
# Two steps are also run alone, by tools/tests/debug_kernel_config_test.sh:
#   build-debug-kernel.sh --check-config CONFIG FRAGMENT...
#   build-debug-kernel.sh --leave-out-xe DRM-MAKEFILE
set -euo pipefail

# check_config CONFIG FRAGMENT...: every option the fragments ask for (the
# last fragment's value where two name it) survived olddefconfig in CONFIG;
# names each one that did not.
check_config() {
	local config=$1 line opt missing=0
	shift
	local -A want=()
	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) want[${line%%=*}]=$line ;; esac
	done < <(cat "$@")
	for opt in "${!want[@]}"; do
		line=${want[$opt]}
		case "$line" in
		*=n) grep -q -- "^$opt=" "$config" || continue ;;
		*) grep -qx -- "$line" "$config" && continue ;;
		esac
		echo "build-debug-kernel: option not applied: $line" >&2
		missing=1
	done
	return $missing
}

# leave_out_xe MAKEFILE: drivers/gpu/drm/Makefile without its xe/ line, so
# that the tree does not build Debian's unpatched Xe.  DRM_XE=m stays in
# .config: xe's dependencies are built, and build-xe.sh builds the patched
# xe against the tree.  Running it twice changes nothing.
leave_out_xe() {
	sed -i "s|^obj-\$(CONFIG_DRM_XE)[[:space:]]*+= xe/\$|# xe/: built by xe_pfvf (tools/xe/build-xe.sh)|" "$1"
	grep -q "^# xe/: built by xe_pfvf" "$1" || {
		echo "build-debug-kernel: no xe/ line to leave out in $1" >&2
		return 1
	}
}

case "${1:-}" in
--check-config) shift; check_config "$@"; exit ;;
--leave-out-xe) leave_out_xe "$2"; exit ;;
esac

version=${1:-6.1}
here=$(cd "$(dirname "$0")" && pwd)
frags=("$here/debug-kernel.config")
[ -f "$here/debug-kernel-$version.config" ] && frags+=("$here/debug-kernel-$version.config")
cache=${XE_PFVF_CACHE:-/var/cache/xe_pfvf}
srcpkg=linux-source-$version
tarball=/usr/src/$srcpkg.tar.xz
[ -f "$tarball" ] || { echo "build-debug-kernel: no $tarball (run make deps)" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null || stat -c %Y "$tarball")
skip_xe=0
[ "$version" = 6.1 ] || skip_xe=1
key=$( (cat "${frags[@]}"; echo "$srcpkg $srcver"
	[ $skip_xe -eq 0 ] || echo "no in-tree xe") | sha256sum | cut -c1-16)
# 6.1 keeps the directory name it always had, so its cache stays valid.
case "$version" in
6.1) prefix=linux-debug ;;
*) prefix=linux-debug${version//./} ;;
esac
tree=$cache/$prefix-$key

if [ -f "$tree/.xe_pfvf-built" ]; then
	echo "$tree"
	exit 0
fi

mkdir -p "$cache"
# Drop stale trees of this version with other keys: each is 2 GiB or more.
find "$cache" -maxdepth 1 -name "$prefix-*" ! -name "$prefix-$key" -exec rm -rf {} + 2>/dev/null || true
if [ ! -f "$tree/Makefile" ]; then
	echo "build-debug-kernel: unpacking $srcpkg $srcver into $tree" >&2
	rm -rf "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1
	mv "$tree.tmp" "$tree"
fi

jobs=$(nproc)
cd "$tree"
echo "build-debug-kernel: configuring $version (tinyconfig + ${frags[*]##*/})" >&2
make -s tinyconfig >"$tree/config.log" 2>&1
./scripts/kconfig/merge_config.sh -m .config "${frags[@]}" >>"$tree/config.log" 2>&1
make -s olddefconfig >>"$tree/config.log" 2>&1
check_config .config "${frags[@]}" || exit 1
if [ $skip_xe -eq 1 ]; then
	leave_out_xe drivers/gpu/drm/Makefile || exit 1
fi
echo "build-debug-kernel: building $version bzImage and modules with -j$jobs (12 min on 2 cores)" >&2
start=$(date +%s)
make -j"$jobs" bzImage modules >"$tree/build.log" 2>&1 || { tail -40 "$tree/build.log" >&2; exit 1; }
echo "build-debug-kernel: built $version in $(( $(date +%s) - start )) s" >&2
touch "$tree/.xe_pfvf-built"
echo "$tree"
