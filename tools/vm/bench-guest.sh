# shellcheck shell=bash
# Guest side of `make bench` (run by run-vm.sh --script): the in-kernel
# IOVA benchmark against VF1 of the software PF.
pf=$(rig_pf) || { echo "no SR-IOV PF"; exit 1; }
rig_load attach="$pf" num_vfs=1 || exit 1
vf=$(basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn0")")
dmesg -C
insmod "$XE_RIG_MODDIR/xe_pfvf_bench.ko" vf="$vf" iterations=20 || exit 1
dmesg | grep -o 'xe_pfvf_bench: .*'
rmmod xe_pfvf_bench
rig_unload
