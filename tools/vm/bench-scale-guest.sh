# shellcheck shell=bash
# Guest side of `make bench`, scale part (run-vm.sh --script --vfs 127): the
# benchmark module's what=scale with 1, 8 and 127 VFs provisioned: per-page
# translation over every VF's LMEM, export+map of a buffer of each, and
# their revocation by the PF-wide withdrawal of PF unregistration.  Every VF
# gets 1 MiB of LMEM in 4 KiB chunks picked in shuffled order from two
# tiles (256 extents, no two adjacent: the worst case), the same at every
# VF count, so that only the number of VFs changes.
pf=$(rig_pf) || { echo "no SR-IOV PF"; exit 1; }
quota_kb=1024
swpf_params=(vram_mb=256 tiles=2 "vf_quota_kb=$quota_kb" extent_kb=4 shuffle=1)

# No driver probes the VFs: the benchmark finds them by address, and
# nothing is gained by letting the nvme driver try (and fail) 127 times.
echo 0 > "/sys/bus/pci/devices/$pf/sriov_drivers_autoprobe"

ms_since() {
	echo $(( ($(date +%s%N) - $1) / 1000000 ))
}

total=$(cat "/sys/bus/pci/devices/$pf/sriov_totalvfs")
for n in 1 8 127; do
	[ "$n" -le "$total" ] || { echo "the PF has $total VFs, not $n: boot with run-vm.sh --vfs 127"; exit 1; }
	t=$(date +%s%N)
	rig_load attach="$pf" num_vfs=$n "${swpf_params[@]}" || exit 1
	echo "== $n VFs enabled and provisioned in $(ms_since "$t") ms (${swpf_params[*]})"
	[ "$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")" -eq "$n" ] || { echo "sriov_numvfs is not $n"; exit 1; }
	vf=$(basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn0")")
	dmesg -C
	insmod "$XE_RIG_MODDIR/xe_pfvf_bench.ko" vf="$vf" what=scale vf_quota_kb=$quota_kb iterations=21 || exit 1
	dmesg | grep -o 'xe_pfvf_bench: .*'
	rmmod xe_pfvf_bench
	t=$(date +%s%N)
	rig_unload
	echo "== $n VFs released and unloaded in $(ms_since "$t") ms"
done
