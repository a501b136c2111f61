#!/bin/bash
# deps.sh: install, with apt-get, exactly the Debian packages xe_pfvf needs.
# Idempotent and quick when everything is already there.
set -euo pipefail

pkgs=(
	# kernels: the stock Debian kernel + headers, and the source of the
	# debug kernel (also provides scripts/checkpatch.pl)
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	# Debian's 6.12 kernel, the one with the Xe driver: image, headers and
	# source (the 6.12 debug kernel and the patched xe.ko); dkms to install
	# the modules the Debian way
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12 dkms
	build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils rsync
	# the VM rig
	qemu-system-x86 busybox-static kmod pciutils bsdextrautils
	# static checks
	sparse perl
	# userspace: C++20 tools, tests, benchmarks, fuzzing
	g++ ccache cmake clang clang-tidy libclang-rt-14-dev googletest libgtest-dev libbenchmark-dev
	# the P2P analyser: pciutils' libpci for config space, zlib for
	# /proc/config.gz, pkg-config to find libpci
	libpci-dev zlib1g-dev pkgconf
	# the xe-pfvf CLI: --json output, which its tests parse back (also
	# with python3); groff checks its man page
	nlohmann-json3-dev python3 groff-base
	# graphics stack: libdrm and IGT (libigt.so.0)
	libdrm-dev intel-gpu-tools
	# `make bench`'s plots (PNG through the pngcairo or png terminal)
	gnuplot-nox
)

missing=()
for p in "${pkgs[@]}"; do
	case "$p" in \#*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root for apt-get (missing: ${missing[*]})" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
