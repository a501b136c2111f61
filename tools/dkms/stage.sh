#!/bin/bash
# stage.sh DIR VERSION: the DKMS source tree: Kbuild, drivers/, include/, uapi/ and
# dkms.conf with its version filled in.
set -euo pipefail
dir=$1
version=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$dir"
mkdir -p "$dir"
tar -C "$repo" -cf - Kbuild drivers include uapi | tar -C "$dir" -xf -
sed "s/@VERSION@/$version/" "$repo/dkms.conf" > "$dir/dkms.conf"
