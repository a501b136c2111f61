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
# and its KUnit tests).
set -euo pipefail

version=${1:-6.1}
here=$(cd "$(dirname "$0")" && pwd)
frags=("$here/debug-kernel.config")
[ -f "$here/debug-kernel-$version.config" ] && frags+=("$here/debug-kernel-$version.config")
cache=${XE_PFVF_CACHE:-/var/cache/xe_pfvf}
srcpkg=linux-source-$version
tarball=/usr/src/$srcpkg.tar.xz
[ -f "$tarball" ] || { echo "build-debug-kernel: no $tarball (run make deps)" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null || stat -c %Y "$tarball")
key=$( (cat "${frags[@]}"; echo "$srcpkg $srcver") | sha256sum | cut -c1-16)
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
# Every option the fragments ask for must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=n) continue ;; CONFIG_*) ;; *) continue ;; esac
	if ! grep -qx -- "$line" .config; then
		echo "build-debug-kernel: option not applied: $line" >&2
		missing=1
	fi
done < <(cat "${frags[@]}")
[ $missing -eq 0 ] || exit 1
echo "build-debug-kernel: building $version bzImage and modules with -j$jobs (10 to 25 min)" >&2
start=$(date +%s)
make -j"$jobs" bzImage modules >"$tree/build.log" 2>&1 || { tail -40 "$tree/build.log" >&2; exit 1; }
echo "build-debug-kernel: built $version in $(( $(date +%s) - start )) s" >&2
touch "$tree/.xe_pfvf-built"
echo "$tree"
