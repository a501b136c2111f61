# shellcheck shell=bash
# Guest side of `make bench` (run by run-vm.sh --script --vf-bar large, so
# that VF1's BAR is 1 MiB): the in-kernel IOVA benchmark against VF1 of the
# software PF, with VRAM handed out in 4 KiB chunks (every page its own
# extent: the worst case) and in 2 MiB chunks (as Xe provisions LMEM); then
# map+unmap of a 16 MiB dma-buf over the private interconnect against the
# standard path's IOMMU mappings.
pf=$(rig_pf) || { echo "no SR-IOV PF"; exit 1; }
for kb in 4 2048; do
	rig_load attach="$pf" num_vfs=1 extent_kb=$kb || exit 1
	vf=$(basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn0")")
	dmesg -C
	insmod "$XE_RIG_MODDIR/xe_pfvf_bench.ko" vf="$vf" extent_kb=$kb iterations=20 || exit 1
	dmesg | grep -o 'xe_pfvf_bench: .*' |
		sed "/^xe_pfvf_bench: csv=/!s/^xe_pfvf_bench: /xe_pfvf_bench: VRAM chunks ${kb} KiB: /"
	rmmod xe_pfvf_bench
	rig_unload
done
rig_load attach="$pf" num_vfs=1 vf_quota_kb=16384 extent_kb=4 || exit 1
vf=$(basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn0")")
dmesg -C
insmod "$XE_RIG_MODDIR/xe_pfvf_bench.ko" vf="$vf" what=dmabuf iterations=20 || exit 1
dmesg | grep -o 'xe_pfvf_bench: .*'
rmmod xe_pfvf_bench
rig_unload
