#!/bin/bash
# run-vm.sh: boot a kernel in QEMU with a real VT-d IOMMU and an SR-IOV PF,
# guest root = host root (read-only 9p), and run the rig's guest tests.
#
#   run-vm.sh --kernel BZIMAGE --kver KVER|- --moddir DIR --out DIR
#             [--lane NAME] [--topology T] [--timeout SECS]
#             [--shell] [--demo] [--script FILE] [--only 'TEST...']
#             [--vf-bar small|large] [--vfs N] [--cpu MODEL] [--smp N] [--mem SIZE]
#             [--env NAME=VALUE]...
#
# --topology: rootport (the PF under a root port, the default), switch (under
# an x3130 switch in a root port), rootports2 (rootport plus an e1000e under
# a second root port), switch2 (switch plus an e1000e under a second
# downstream port and another under a second root port).
# --only runs just the named tests (as in guest-tests.sh run_all_tests).
# --script runs FILE (bash, with guest-tests.sh's helpers such as rig_pf and
# rig_load) in the guest instead of the tests; its output is OUT/script.log.
# --vf-bar large gives the PF one VF with a 1 MiB BAR0 (the most queue
# doorbells the emulated NVMe VF can have) instead of four 16 KiB ones.
# --vfs N (1 to 127, default 4; rootport topologies only above 4) gives the
# PF N VFs of 16 KiB BAR0 each (with --vf-bar small).
# --cpu picks QEMU's CPU model (default max): EPYC makes the kernel trust
# the host bridge with P2P (cpu_supports_p2pdma(), AMD Zen and later).
# --smp (default 2) and --mem (default 2G) size the guest.  The lanes
# without race tests take one vCPU: a two-vCPU lane slows most when another
# runs beside it.  A debug kernel's kmemleak scan takes about twice as long
# with 2G as with 1G.
# --kver names /lib/modules/KVER for the initramfs modules ("-" when virtio,
# 9p are built in).  --moddir is where the guest finds our .ko files.
# XE_RIG_KERNEL_ARGS (environment) adds to the guest kernel command line.
# --env exports NAME=VALUE to the guest tests (XE_RIG_* names only), e.g.
# XE_RIG_XE_KO, the patched xe.ko of the 6.12 lanes.
# Writes OUT/console.log (serial console), OUT/results (RESULT lines, DONE).
# Exit status: 0 when the guest ran to completion, 1 on timeout or crash;
# test verdicts are in OUT/results and judged by `xe-pfvf-rig report`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kernel= kver= moddir= out= lane=vm topology=rootport timeout=900 mode=test script= only=
vfbar=small
vfs=4 vfs_given=0
extra_env=
cpu=max,la57=off
smp=2
mem=2G
igtdir=${XE_PFVF_IGT_DIR:-$repo/build/igt}
bindir=${XE_PFVF_BIN_DIR:-$repo/build/tools}

usage() {
	sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--kver) kver=$2; shift 2 ;;
	--moddir) moddir=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--lane) lane=$2; shift 2 ;;
	--topology) topology=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--shell) mode=shell; shift ;;
	--demo) mode=demo; shift ;;
	--script) mode=script; script=$(realpath "$2"); shift 2 ;;
	--only) only=$2; shift 2 ;;
	--vf-bar) vfbar=$2; shift 2 ;;
	--vfs) vfs=$2; vfs_given=1; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--env)
		[[ "$2" =~ ^XE_RIG_[A-Z0-9_]+=[^\']*$ ]] || { echo "run-vm.sh: --env wants XE_RIG_NAME=VALUE without quotes, not $2" >&2; exit 2; }
		extra_env+=" ${2%%=*}='${2#*=}'"
		shift 2
		;;
	-h|--help) usage ;;
	*) echo "run-vm.sh: unknown argument $1" >&2; usage ;;
	esac
done
[ -n "$kernel" ] && [ -n "$kver" ] && [ -n "$moddir" ] && [ -n "$out" ] || usage
[[ "$smp" =~ ^[1-8]$ ]] || { echo "run-vm.sh: --smp wants 1 to 8, not $smp" >&2; exit 2; }
[[ "$mem" =~ ^[0-9]+[MG]$ ]] || { echo "run-vm.sh: --mem wants a size such as 1G or 768M, not $mem" >&2; exit 2; }
[ -f "$kernel" ] || { echo "run-vm.sh: no kernel image $kernel" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || { echo "run-vm.sh: qemu-system-x86_64 missing (make deps)" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
initrd=$out/initramfs.cpio.gz
"$here/mkinitramfs.sh" "$initrd" "$kver"

cat > "$out/guest-entry" <<ENTRY
#!/bin/bash
export XE_RIG_REPO='$repo' XE_RIG_LANE='$lane' XE_RIG_MODDIR='$moddir'
export XE_RIG_IGTDIR='$igtdir' XE_RIG_BINDIR='$bindir' XE_RIG_MODE='$mode' XE_RIG_SCRIPT='$script'
export XE_RIG_OUT=/run/xe_out XE_RIG_TOPOLOGY='$topology' TMPDIR=/run/tmp XE_RIG_ONLY='$only'
${extra_env:+export$extra_env}
exec /bin/bash '$repo/tools/vm/guest-run.sh'
ENTRY

# The SR-IOV PF: QEMU's NVMe controller with 4 VFs (--vfs), behind a root
# port or behind a PCIe switch (x3130 upstream + downstream port) in that
# port.  A VF's BAR0 holds its queue doorbells (8 bytes a queue pair) and
# MSI-X table, rounded up to a power of two: 2 flexible queues a VF give
# 16 KiB each up to 127 VFs; 65532 queues for a single VF give 1 MiB.
# QEMU 7.2 (hw/nvme/ctrl.c, nvme_check_constraints()) wants at most 127 VFs,
# sriov_vq_flexible >= 2 * sriov_max_vfs, sriov_vi_flexible >= sriov_max_vfs,
# max_ioqpairs >= sriov_vq_flexible + 2 and msix_qsize >= sriov_vi_flexible + 1.
[[ "$vfs" =~ ^[0-9]+$ ]] && [ "$vfs" -ge 1 ] && [ "$vfs" -le 127 ] ||
	{ echo "run-vm.sh: --vfs wants 1 to 127, not $vfs" >&2; exit 2; }
case "$vfbar" in
small)
	pf="nvme,serial=xepf0,subsys=s0,sriov_max_vfs=$vfs,sriov_vq_flexible=$((2 * vfs))"
	pf="$pf,sriov_vi_flexible=$vfs,max_ioqpairs=$((2 * vfs + 4)),msix_qsize=$((vfs + 2))"
	;;
large)
	[ "$vfs_given" -eq 0 ] || { echo "run-vm.sh: --vf-bar large has one VF, no --vfs" >&2; exit 2; }
	pf="nvme,serial=xepf0,subsys=s0,sriov_max_vfs=1,sriov_vq_flexible=65532"
	pf="$pf,sriov_vi_flexible=1,max_ioqpairs=65534,msix_qsize=2"
	;;
*) echo "run-vm.sh: unknown --vf-bar $vfbar" >&2; exit 2 ;;
esac
# The firmware sizes the root port's memory window for the PF's own BARs;
# many VF BARs need room reserved there (127 x 16 KiB is 2 MiB less 16 KiB).
# The VFs sit on the PF's bus (routing IDs 1 to 127, ARI), so no more buses.
rp1=pcie-root-port,id=rp1,chassis=1,slot=1
if [ "$vfs" -gt 4 ]; then
	case "$topology" in
	rootport|rootports2) rp1="$rp1,mem-reserve=32M" ;;
	*) echo "run-vm.sh: --vfs above 4 only with the rootport topologies" >&2; exit 2 ;;
	esac
fi
case "$topology" in
rootport)
	topo=(-device "$rp1"
	      -device nvme-subsys,id=s0 -device "$pf,bus=rp1")
	;;
switch)
	topo=(-device pcie-root-port,id=rp1,chassis=1,slot=1
	      -device x3130-upstream,id=up1,bus=rp1
	      -device xio3130-downstream,id=dn1,bus=up1,chassis=2,slot=0
	      -device nvme-subsys,id=s0 -device "$pf,bus=dn1")
	;;
rootports2)
	# A second PCIe function (an e1000e, no driver needed) under a second
	# root port: P2P between them has no common upstream bridge.
	topo=(-device "$rp1"
	      -device nvme-subsys,id=s0 -device "$pf,bus=rp1"
	      -device pcie-root-port,id=rp2,chassis=1,slot=2
	      -device e1000e,bus=rp2)
	;;
switch2)
	# The switch with a second function under a second downstream port
	# (P2P below one switch), and a third under a second root port.
	topo=(-device pcie-root-port,id=rp1,chassis=1,slot=1
	      -device x3130-upstream,id=up1,bus=rp1
	      -device xio3130-downstream,id=dn1,bus=up1,chassis=2,slot=0
	      -device nvme-subsys,id=s0 -device "$pf,bus=dn1"
	      -device xio3130-downstream,id=dn2,bus=up1,chassis=2,slot=1
	      -device e1000e,bus=dn2
	      -device pcie-root-port,id=rp2,chassis=1,slot=2
	      -device e1000e,bus=rp2)
	;;
*) echo "run-vm.sh: unknown topology $topology" >&2; exit 2 ;;
esac

accel=${XE_PFVF_ACCEL:-tcg}
qemu=(qemu-system-x86_64
      -machine q35,kernel-irqchip=split -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem"
      -device intel-iommu,intremap=on
      -kernel "$kernel" -initrd "$initrd"
      -append "console=ttyS0 intel_iommu=on panic=-1 loglevel=7 ${XE_RIG_KERNEL_ARGS:-}"
      -no-reboot -nodefaults -display none
      -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
      -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
      -fsdev local,id=xeout,path="$out",security_model=none
      -device virtio-9p-pci,fsdev=xeout,mount_tag=xeout
      "${topo[@]}")

if [ "$mode" = shell ]; then
	echo "run-vm.sh: guest shell; 'exit' powers the VM off" >&2
	exec "${qemu[@]}" -serial mon:stdio
fi

# The emulator's failures that are no test result, each detected on the
# console: the boot is abandoned (its console kept) and the lane booted
# once more (tools/vm/emulator-verdicts.sh).
# shellcheck source=emulator-verdicts.sh
. "$here/emulator-verdicts.sh"

rc=1
for attempt in 1 2; do
	rm -f "$out/results"
	"${qemu[@]}" -chardev file,id=con,path="$out/console.log" -serial chardev:con </dev/null &
	qpid=$!
	# Progress: show the rig's own lines as the guest prints them.
	tail -n +1 -F "$out/console.log" 2>/dev/null --pid=$qpid |
		grep --line-buffered -E '^(xe-rig:|RESULT |xe-demo:)' | sed -u "s/^/[$lane] /" &
	tpid=$!
	rc=0
	froze=0
	for ((t = 0; t < timeout; t++)); do
		kill -0 $qpid 2>/dev/null || break
		sleep 1
		if ((t % 5 == 0)) && emulator_froze "$out/console.log"; then
			froze=1
			break
		fi
	done
	if [ $froze -eq 1 ]; then
		echo "[$lane] xe-rig: the emulator lost a vCPU's timer (attempt $attempt of 2, console in console.froze.log)" >&2
		kill $qpid 2>/dev/null || true
		rc=1
	elif kill -0 $qpid 2>/dev/null; then
		echo "[$lane] xe-rig: guest timed out after ${timeout}s" >&2
		kill $qpid 2>/dev/null || true
		rc=1
	fi
	wait $qpid 2>/dev/null || true
	sleep 0.3
	kill $tpid 2>/dev/null || true
	wait $tpid 2>/dev/null || true
	[ $attempt -eq 1 ] || break
	if [ $froze -eq 1 ]; then
		mv "$out/console.log" "$out/console.froze.log"
	elif emulator_boot_crash "$out/console.log"; then
		echo "[$lane] xe-rig: the kernel crashed untainted before the first test (attempt $attempt of 2, console in console.bootcrash.log)" >&2
		mv "$out/console.log" "$out/console.bootcrash.log"
	else
		break
	fi
done
grep -qx DONE "$out/results" 2>/dev/null || rc=1
exit $rc
