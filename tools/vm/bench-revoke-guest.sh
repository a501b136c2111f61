# shellcheck shell=bash
# Guest side of `make bench`, revocation and frame part (run-vm.sh --script,
# four 16 KiB VFs):
# - the latency of revoking VF2's dma-bufs while a revocation of VF1 waits
#   for an importer that never unmaps, against VF2's latency alone;
# - what=frame: a 1080p and a 4K frame shared per frame over the private
#   interconnect against a copy through system memory, VF1 with 36 MiB of
#   LMEM in 2 MiB chunks (as Xe provisions it);
# - what=revoke_n: a VF reset's revocation of 1, 64 and 1024 mapped
#   dma-bufs of VF1.
# The scale figures come from a VM of their own (bench-scale-guest.sh), with
# the same provisioning at every VF count.  XE_RIG_BENCH_ITERATIONS
# (run-vm.sh --env) sets the samples of the last two (default 21), e.g.
# fewer on the debug kernel.
pf=$(rig_pf) || { echo "no SR-IOV PF"; exit 1; }
it=${XE_RIG_BENCH_ITERATIONS:-21}

# bench [insmod params...]: run one benchmark, print its lines, unload it.
bench() {
	dmesg -C
	insmod "$XE_RIG_MODDIR/xe_pfvf_bench.ko" "$@" || return 1
	dmesg | grep -o 'xe_pfvf_bench: .*'
	rmmod xe_pfvf_bench
}

virtfn() {
	basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn$1")"
}

rig_load attach="$pf" num_vfs=2 || exit 1
bench vf="$(virtfn 1)" stuck_vf="$(virtfn 0)" what=revoke || exit 1
rig_unload

rig_load attach="$pf" num_vfs=1 vram_mb=64 vf_quota_kb=36864 extent_kb=2048 || exit 1
bench vf="$(virtfn 0)" what=frame iterations="$it" || exit 1
rig_unload

rig_load attach="$pf" num_vfs=1 || exit 1
for n in 1 64 1024; do
	bench vf="$(virtfn 0)" what=revoke_n buffers=$n iterations="$it" || exit 1
done
rig_unload

