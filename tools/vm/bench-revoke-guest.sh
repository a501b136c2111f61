# shellcheck shell=bash
# Guest side of `make bench`, revocation part (run-vm.sh --script, four
# 16 KiB VFs): the latency of revoking VF2's dma-bufs while a revocation of
# VF1 waits for an importer that never unmaps, against VF2's latency alone.
pf=$(rig_pf) || { echo "no SR-IOV PF"; exit 1; }
rig_load attach="$pf" num_vfs=2 || exit 1
vf1=$(basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn0")")
vf2=$(basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn1")")
dmesg -C
insmod "$XE_RIG_MODDIR/xe_pfvf_bench.ko" vf="$vf2" stuck_vf="$vf1" what=revoke || exit 1
dmesg | grep -o 'xe_pfvf_bench: .*'
rmmod xe_pfvf_bench
rig_unload
