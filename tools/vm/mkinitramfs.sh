#!/bin/bash
# mkinitramfs.sh OUT KVER|- : build the rig's tiny initramfs.
#
# busybox-static plus, for a modular kernel (KVER names a directory in
# /lib/modules), the modules needed to mount the host root over virtio-9p.
# Pass "-" for a kernel with those built in (the debug kernel).
set -euo pipefail

out=$1
kver=$2
here=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,dev,proc,sys,newroot,lib/modules}
cp /bin/busybox "$stage/bin/busybox"
for app in sh mount umount mkdir insmod switch_root poweroff sleep cat echo; do
	ln -s busybox "$stage/bin/$app"
done
cp "$here/initramfs-init" "$stage/init"
chmod +x "$stage/init"

: > "$stage/lib/modules/load-order"
if [ "$kver" != "-" ]; then
	declare -A seen=()
	add_module() {
		local name=$1 dep path
		[ -n "${seen[$name]:-}" ] && return
		seen[$name]=1
		for dep in $(modinfo -k "$kver" -F depends "$name" | tr ',' ' '); do
			add_module "$dep"
		done
		path=$(modinfo -k "$kver" -n "$name")
		case "$path" in
		/*) ;;
		*) return ;;	# built in
		esac
		case "$path" in
		*.ko.xz) xz -dc "$path" > "$stage/lib/modules/$name.ko" ;;
		*.ko.zst) zstd -qdc "$path" > "$stage/lib/modules/$name.ko" ;;
		*) cp "$path" "$stage/lib/modules/$name.ko" ;;
		esac
		echo "$name.ko" >> "$stage/lib/modules/load-order"
	}
	for m in virtio_pci 9pnet_virtio 9p; do
		add_module "$m"
	done
fi

(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
