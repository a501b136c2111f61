#!/bin/bash
# Build (or reuse) the xe_pfvf debug kernel from Debian's linux-source package.
#
# The tree lives outside the checkout, in $XE_PFVF_CACHE (default
# /var/cache/xe_pfvf), keyed by a hash of the config fragment and the
# linux-source package version, so a changed fragment or source gets a new
# tree and an unchanged one is reused.  Prints the tree's path on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug-kernel.config
cache=${XE_PFVF_CACHE:-/var/cache/xe_pfvf}
tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)
[ -n "$tarball" ] || { echo "build-debug-kernel: no /usr/src/linux-source-*.tar.xz (run make deps)" >&2; exit 1; }
srcpkg=$(basename "$tarball" .tar.xz)
srcver=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null || stat -c %Y "$tarball")
key=$( (cat "$frag"; echo "$srcpkg $srcver") | sha256sum | cut -c1-16)
tree=$cache/linux-debug-$key

if [ -f "$tree/.xe_pfvf-built" ]; then
	echo "$tree"
	exit 0
fi

mkdir -p "$cache"
# Drop stale trees of other keys: each is ~2 GiB.
find "$cache" -maxdepth 1 -name 'linux-debug-*' ! -name "linux-debug-$key" -exec rm -rf {} + 2>/dev/null || true
if [ ! -f "$tree/Makefile" ]; then
	echo "build-debug-kernel: unpacking $srcpkg $srcver into $tree" >&2
	rm -rf "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1
	mv "$tree.tmp" "$tree"
fi

jobs=$(nproc)
cd "$tree"
echo "build-debug-kernel: configuring (tinyconfig + $(basename "$frag"))" >&2
make -s tinyconfig >"$tree/config.log" 2>&1
./scripts/kconfig/merge_config.sh -m .config "$frag" >>"$tree/config.log" 2>&1
make -s olddefconfig >>"$tree/config.log" 2>&1
# Every option the fragment asks for must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=n) continue ;; CONFIG_*) ;; *) continue ;; esac
	if ! grep -qx -- "$line" .config; then
		echo "build-debug-kernel: option not applied: $line" >&2
		missing=1
	fi
done < "$frag"
[ $missing -eq 0 ] || exit 1
echo "build-debug-kernel: building bzImage and modules with -j$jobs (about 10 min)" >&2
start=$(date +%s)
make -j"$jobs" bzImage modules >"$tree/build.log" 2>&1 || { tail -40 "$tree/build.log" >&2; exit 1; }
echo "build-debug-kernel: built in $(( $(date +%s) - start )) s" >&2
touch "$tree/.xe_pfvf-built"
echo "$tree"
