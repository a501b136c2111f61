/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _UAPI_LINUX_XE_PFVF_H_
#define _UAPI_LINUX_XE_PFVF_H_

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: xe_pfvf uAPI
 *
 * ``/dev/xe_pfvf`` is the userspace side of xe_pfvf: VMMs, admin tools and
 * tests query the VF provisioning table, translate VF addresses and export
 * ranges of a VF's memory as dma-bufs through opaque handles.  The node is
 * 0600 root:root; sites that delegate it to a group ship a udev rule (the
 * project installs ``70-xe-pfvf.rules`` commented out).
 *
 * Every ioctl takes one struct whose first two fields are ``size`` and
 * ``flags``:
 *
 * - ``size`` is sizeof() the struct as the caller's header has it.  The
 *   kernel accepts any size from the struct's first version
 *   (``XE_PFVF_*_SIZE_VER0``) up to one page.  Bytes past what the kernel
 *   knows must be zero (else -E2BIG), as copy_struct_from_user() checks;
 *   fields the caller does not know are taken as zero.  Output is written
 *   back up to the smaller of the two sizes.
 * - ``flags`` and every ``pad``/reserved field must be zero unless a flag
 *   is defined for it; anything else is -EINVAL.
 *
 * The kernel dispatches on the command's type and number only: the size
 * encoded in the command is that of the first version, and ``size`` is
 * what counts.
 *
 * Arrays (``entries``, ``extents``) are a user pointer, a ``count`` and an
 * ``entry_size``: the kernel writes min(count, available) entries of
 * ``entry_size`` bytes each (zero-filled past what it knows; an
 * ``entry_size`` below the entry's first version is -EINVAL) and returns
 * the number available in ``count``, so a call with count 0 sizes the
 * array.  Arrays of more than %XE_PFVF_MAX_ENTRIES entries are -E2BIG.
 *
 * PCI functions are named by ``XE_PFVF_BDF()``: segment (domain) in bits
 * 31:16, bus in 15:8, devfn in 7:0.
 *
 * Raw addresses (VRAM device physical addresses, BAR CPU and bus
 * addresses) are returned only to a file opened with CAP_SYS_ADMIN
 * (%XE_PFVF_CAP_RAW_ADDR in &struct xe_pfvf_version); other openers get
 * zeroes there, and extent lengths plus per-file opaque handles instead.
 *
 * Errors common to all ioctls: -EFAULT (bad pointer), -EINVAL (flags,
 * pad, or size below the first version), -E2BIG (size above one page or
 * non-zero unknown trailing bytes), -ENOTTY (unknown ioctl).
 */

#define XE_PFVF_UAPI_MAJOR	1
#define XE_PFVF_UAPI_MINOR	0

/** XE_PFVF_BDF - name a PCI function: segment, bus, device, function */
#define XE_PFVF_BDF(seg, bus, dev, fn) \
	((((__u32)(seg) & 0xffff) << 16) | (((__u32)(bus) & 0xff) << 8) | \
	 (((__u32)(dev) & 0x1f) << 3) | ((__u32)(fn) & 0x7))
#define XE_PFVF_BDF_SEG(bdf)	(((bdf) >> 16) & 0xffff)
#define XE_PFVF_BDF_BUS(bdf)	(((bdf) >> 8) & 0xff)
#define XE_PFVF_BDF_DEV(bdf)	(((bdf) >> 3) & 0x1f)
#define XE_PFVF_BDF_FN(bdf)	((bdf) & 0x7)

/** XE_PFVF_MAX_ENTRIES - largest ``count`` of any array */
#define XE_PFVF_MAX_ENTRIES	65536U

/* Capabilities (&struct xe_pfvf_version.caps) */
/** XE_PFVF_CAP_RAW_ADDR - this file sees raw VRAM, CPU and bus addresses */
#define XE_PFVF_CAP_RAW_ADDR	_BITULL(0)
/** XE_PFVF_CAP_EXPORT - export by handle is available (VFIO is loaded) */
#define XE_PFVF_CAP_EXPORT	_BITULL(1)
/** XE_PFVF_CAP_P2P - the kernel was built with PCI P2PDMA */
#define XE_PFVF_CAP_P2P		_BITULL(2)
/** XE_PFVF_CAP_IOMMU - the kernel has an IOMMU API (IOVA translation) */
#define XE_PFVF_CAP_IOMMU	_BITULL(3)

/**
 * struct xe_pfvf_version - %XE_PFVF_IOC_VERSION: ABI version and caps
 * @size: sizeof(struct xe_pfvf_version)
 * @flags: must be 0
 * @major: out: %XE_PFVF_UAPI_MAJOR of the kernel
 * @minor: out: %XE_PFVF_UAPI_MINOR of the kernel
 * @caps: out: XE_PFVF_CAP_* for this file
 * @nr_pfs: out: PFs registered now
 * @max_handles: out: most live handles one open file may hold
 */
struct xe_pfvf_version {
	__u32 size;
	__u32 flags;
	__u32 major;
	__u32 minor;
	__u64 caps;
	__u32 nr_pfs;
	__u32 max_handles;
};

#define XE_PFVF_VERSION_SIZE_VER0	32

/**
 * struct xe_pfvf_pf_info - one registered PF
 * @bdf: the PF, XE_PFVF_BDF()
 * @total_vfs: VFs the PF supports
 * @num_vfs: VFs enabled now
 * @lmem_bar: index of the VFs' LMEM BAR
 * @pad: zero
 * @vram_size: the PF's VRAM in bytes
 * @revoked: dma-bufs of its VFs revoked for good so far
 * @driver: the PF driver or backend, NUL-terminated
 */
struct xe_pfvf_pf_info {
	__u32 bdf;
	__u16 total_vfs;
	__u16 num_vfs;
	__u32 lmem_bar;
	__u32 pad;
	__u64 vram_size;
	__u64 revoked;
	char driver[32];
};

#define XE_PFVF_PF_INFO_SIZE_VER0	64

/**
 * struct xe_pfvf_list_pfs - %XE_PFVF_IOC_LIST_PFS: the registered PFs
 * @size: sizeof(struct xe_pfvf_list_pfs)
 * @flags: must be 0
 * @count: in: room in @entries; out: PFs registered
 * @entry_size: sizeof(struct xe_pfvf_pf_info)
 * @entries: user pointer to an array of &struct xe_pfvf_pf_info
 */
struct xe_pfvf_list_pfs {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 entry_size;
	__u64 entries;
};

#define XE_PFVF_LIST_PFS_SIZE_VER0	24

/* VF states (&struct xe_pfvf_vf_info.state) */
/** XE_PFVF_VF_DISABLED - the VF is not enabled */
#define XE_PFVF_VF_DISABLED	0
/** XE_PFVF_VF_ENABLED - the VF exists and has no LMEM */
#define XE_PFVF_VF_ENABLED	1
/** XE_PFVF_VF_PROVISIONED - the VF has LMEM in the table */
#define XE_PFVF_VF_PROVISIONED	2

/* VF flags (&struct xe_pfvf_vf_info.vf_flags) */
/**
 * XE_PFVF_VF_SUSPENDED - its memory is disabled: its dma-bufs are revoked
 * until restored
 */
#define XE_PFVF_VF_SUSPENDED	_BITUL(0)
/** XE_PFVF_VF_RAW - @bar_cpu and @bar_bus are filled in */
#define XE_PFVF_VF_RAW		_BITUL(1)

/**
 * struct xe_pfvf_vf_info - one VF slot of a PF
 * @bdf: the VF, XE_PFVF_BDF(); 0 when disabled
 * @vfid: VF number, 1-based
 * @state: XE_PFVF_VF_DISABLED, _ENABLED or _PROVISIONED
 * @generation: bumped on every enable, disable, provision and unprovision
 * @nr_extents: VRAM extents of its provisioning
 * @quota: LMEM quota in bytes, 0 when not provisioned
 * @bar_size: size of its LMEM BAR
 * @bar_cpu: CPU physical address of its LMEM BAR (%XE_PFVF_VF_RAW only)
 * @bar_bus: PCI bus address of its LMEM BAR (%XE_PFVF_VF_RAW only)
 * @live_bufs: its dma-bufs not yet released (revoked ones included)
 * @quarantined: its withdrawn provisionings whose VRAM an importer still
 *		 maps (or that are still being withdrawn)
 * @vf_flags: XE_PFVF_VF_* flags
 * @pad: zero
 */
struct xe_pfvf_vf_info {
	__u32 bdf;
	__u16 vfid;
	__u16 state;
	__u32 generation;
	__u32 nr_extents;
	__u64 quota;
	__u64 bar_size;
	__u64 bar_cpu;
	__u64 bar_bus;
	__u32 live_bufs;
	__u32 quarantined;
	__u32 vf_flags;
	__u32 pad;
};

#define XE_PFVF_VF_INFO_SIZE_VER0	64

/**
 * struct xe_pfvf_list_vfs - %XE_PFVF_IOC_LIST_VFS: the VF slots of a PF
 * @size: sizeof(struct xe_pfvf_list_vfs)
 * @flags: must be 0
 * @pf_bdf: the PF (-ENODEV when it is not registered)
 * @count: in: room in @entries; out: the PF's total VFs
 * @entry_size: sizeof(struct xe_pfvf_vf_info)
 * @pad: zero
 * @entries: user pointer to an array of &struct xe_pfvf_vf_info, VF n at
 *	     index n - 1
 */
struct xe_pfvf_list_vfs {
	__u32 size;
	__u32 flags;
	__u32 pf_bdf;
	__u32 count;
	__u32 entry_size;
	__u32 pad;
	__u64 entries;
};

#define XE_PFVF_LIST_VFS_SIZE_VER0	32

/* Address spaces (&struct xe_pfvf_translate.space, &struct xe_pfvf_export.space) */
/** XE_PFVF_ADDR_LMEM - offset in the VF's LMEM (0 .. quota - 1) */
#define XE_PFVF_ADDR_LMEM	0
/** XE_PFVF_ADDR_BAR - offset in the VF's LMEM BAR */
#define XE_PFVF_ADDR_BAR	1
/** XE_PFVF_ADDR_CPU - CPU physical address in the VF's LMEM BAR */
#define XE_PFVF_ADDR_CPU	2
/** XE_PFVF_ADDR_BUS - PCI bus address in the VF's LMEM BAR */
#define XE_PFVF_ADDR_BUS	3
/** XE_PFVF_ADDR_IOVA - IOVA in the IOMMU domain the VF is attached to now */
#define XE_PFVF_ADDR_IOVA	4

/** XE_PFVF_TRANSLATE_ALIGNED - @addr and @length must be 4 KiB aligned */
#define XE_PFVF_TRANSLATE_ALIGNED	_BITUL(0)

/**
 * struct xe_pfvf_extent_info - one coalesced extent of a translation
 * @handle: opaque: equal for equal VRAM addresses within one open file,
 *	    unrelated across files; never 0
 * @length: bytes
 * @vram: VRAM device physical address (%XE_PFVF_CAP_RAW_ADDR only, else 0)
 */
struct xe_pfvf_extent_info {
	__u64 handle;
	__u64 length;
	__u64 vram;
};

#define XE_PFVF_EXTENT_INFO_SIZE_VER0	24

/**
 * struct xe_pfvf_translate - %XE_PFVF_IOC_TRANSLATE: a VF range to VRAM
 * @size: sizeof(struct xe_pfvf_translate)
 * @flags: XE_PFVF_TRANSLATE_* flags
 * @pf_bdf: the PF
 * @vfid: the VF, 1-based; every byte must resolve inside it
 * @space: XE_PFVF_ADDR_* of @addr
 * @addr: first address or offset
 * @length: bytes, at least 1
 * @count: in: room in @extents; out: coalesced extents of the range
 * @entry_size: sizeof(struct xe_pfvf_extent_info)
 * @extents: user pointer to an array of &struct xe_pfvf_extent_info
 * @generation: out: the VF's provisioning generation translated against
 * @pad: zero
 *
 * Errors: -ENODEV (@pf_bdf is no registered PF), -ENOENT (no such VF),
 * then the translation's own, in this order: -EINVAL (zero length, bad
 * space or flags), -EOVERFLOW (@addr + @length wraps), -EDOM (unaligned
 * with %XE_PFVF_TRANSLATE_ALIGNED), -EADDRNOTAVAIL (a CPU or bus address
 * in no VF BAR), -EPERM (in one of the PF's own BARs), -EXDEV (in another
 * VF), -ENXIO (past the end of the VF's LMEM BAR), -ENODEV (the VF is not
 * provisioned), -ERANGE (past its LMEM quota); for IOVAs -EFAULT (an IOVA
 * mapping RAM), -EADDRNOTAVAIL (mapping nothing, or nothing in a VF
 * BAR), -EOPNOTSUPP (the VF has no IOMMU domain) and -EBUSY (the VF is
 * assigned to userspace: its IOMMU domain belongs to the VMM, which
 * translates through its VF variant driver).
 */
struct xe_pfvf_translate {
	__u32 size;
	__u32 flags;
	__u32 pf_bdf;
	__u16 vfid;
	__u16 space;
	__u64 addr;
	__u64 length;
	__u32 count;
	__u32 entry_size;
	__u64 extents;
	__u32 generation;
	__u32 pad;
};

#define XE_PFVF_TRANSLATE_SIZE_VER0	56

/**
 * struct xe_pfvf_export - %XE_PFVF_IOC_EXPORT: a VF range as an opaque handle
 * @size: sizeof(struct xe_pfvf_export)
 * @flags: must be 0
 * @vfio_fd: proof of ownership: the VF's VFIO device cdev fd
 *	     (``/dev/vfio/devices/vfioN``, kernels with VFIO device cdevs;
 *	     any VFIO driver), or the VFIO group fd the caller holds the VF
 *	     through (the VF bound to vfio-pci or to a vfio-pci-core variant
 *	     driver)
 * @vf_bdf: the VF
 * @space: %XE_PFVF_ADDR_LMEM or %XE_PFVF_ADDR_BAR
 * @pad: zero
 * @offset: first byte, 4 KiB aligned
 * @length: bytes, 4 KiB aligned, at least 4 KiB
 * @handle: out: the handle, valid in this open file only
 *
 * The handle names the range of the VF at the provisioning generation it
 * had now.  It dies when the file is closed, on %XE_PFVF_IOC_REVOKE and
 * when the VF's provisioning changes (reset, unprovision, disable).
 *
 * Errors: -EBADF (@vfio_fd is no open file), -EPERM (@vfio_fd is neither
 * the VFIO device cdev of @vf_bdf nor a VFIO group that holds it), -ENODEV
 * (@vf_bdf is no VF of a registered PF), -ENOENT (the VF is not enabled),
 * -EINVAL (space, flags or pad), -ENOSPC (the file holds
 * &xe_pfvf_version.max_handles handles), -EOPNOTSUPP (the kernel has no
 * VFIO), and the translation's errnos for the range (see &struct
 * xe_pfvf_translate; unaligned is -EDOM).
 */
struct xe_pfvf_export {
	__u32 size;
	__u32 flags;
	__s32 vfio_fd;
	__u32 vf_bdf;
	__u32 space;
	__u32 pad;
	__u64 offset;
	__u64 length;
	__u64 handle;
};

#define XE_PFVF_EXPORT_SIZE_VER0	48

/**
 * struct xe_pfvf_handle_fd - %XE_PFVF_IOC_HANDLE_FD: a handle as a dma-buf
 * @size: sizeof(struct xe_pfvf_handle_fd)
 * @flags: must be 0
 * @handle: a handle of this file
 * @fd_flags: O_CLOEXEC, and O_RDONLY or O_RDWR, for the dma-buf fd
 * @fd: out: the dma-buf fd
 *
 * Each call makes a new dma-buf of the handle's range, revoked with the
 * handle.  At most 16 of them are live per handle at a time (the kernel
 * forgets those whose fds are all closed).  Errors: -ENOENT (no such
 * handle in this file), -ESTALE (the VF was revoked, reset, unprovisioned
 * or disabled since the export: the handle is dead, revoke it), -EINVAL
 * (@fd_flags), -ENOSPC (16 live dma-bufs), -EMFILE.
 */
struct xe_pfvf_handle_fd {
	__u32 size;
	__u32 flags;
	__u64 handle;
	__u32 fd_flags;
	__s32 fd;
};

#define XE_PFVF_HANDLE_FD_SIZE_VER0	24

/**
 * struct xe_pfvf_revoke - %XE_PFVF_IOC_REVOKE: kill a handle
 * @size: sizeof(struct xe_pfvf_revoke)
 * @flags: must be 0
 * @handle: a handle of this file
 * @revoked: out: its dma-bufs revoked (importers told, maps refused); those
 *	     whose fds were all closed and that no importer holds are not
 *	     counted
 * @busy: out: of those, still mapped by an importer that ignored the
 *	  revocation (quarantined, see the module's "DOC: revocation")
 *
 * Errors: -ENOENT (no such handle in this file).
 */
struct xe_pfvf_revoke {
	__u32 size;
	__u32 flags;
	__u64 handle;
	__u32 revoked;
	__u32 busy;
};

#define XE_PFVF_REVOKE_SIZE_VER0	24

/* P2P map types (&struct xe_pfvf_p2p.map) */
/** XE_PFVF_P2P_MAP_NONE - no peer-to-peer path */
#define XE_PFVF_P2P_MAP_NONE		0
/** XE_PFVF_P2P_MAP_BUS_ADDR - at PCI bus addresses, through a common switch */
#define XE_PFVF_P2P_MAP_BUS_ADDR		1
/** XE_PFVF_P2P_MAP_HOST_BRIDGE - through the host bridge, mapped by the IOMMU */
#define XE_PFVF_P2P_MAP_HOST_BRIDGE		2

/* Why (&struct xe_pfvf_p2p.why) */
/** XE_PFVF_P2P_WHY_KERNEL - pci_p2pdma_distance() decided */
#define XE_PFVF_P2P_WHY_KERNEL		0
/** XE_PFVF_P2P_WHY_NO_P2PDMA - the kernel was built without PCI P2PDMA */
#define XE_PFVF_P2P_WHY_NO_P2PDMA	1

/* Flags of &struct xe_pfvf_p2p.result_flags */
/** XE_PFVF_P2P_ACS_REDIRECT - a function on the path redirects P2P upstream */
#define XE_PFVF_P2P_ACS_REDIRECT	_BITUL(0)
/**
 * XE_PFVF_P2P_PRIVATE - one function is a VF of the other, a PF registered
 * with xe_pfvf: its private interconnect applies
 */
#define XE_PFVF_P2P_PRIVATE		_BITUL(1)

/**
 * struct xe_pfvf_p2p - %XE_PFVF_IOC_P2P: the kernel's P2PDMA verdict
 * @size: sizeof(struct xe_pfvf_p2p)
 * @flags: must be 0
 * @provider: the function whose memory is read (XE_PFVF_BDF())
 * @client: the function reading it
 * @map: out: XE_PFVF_P2P_MAP_NONE, _BUS_ADDR or _HOST_BRIDGE
 * @distance: out: the kernel's distance, -1 when there is no path
 * @why: out: XE_PFVF_P2P_WHY_*
 * @result_flags: out: XE_PFVF_P2P_* flags
 *
 * Any two PCI functions, not only registered ones.  xe_pfvf logs
 * nothing, but the kernel's P2PDMA code may (6.1 warns "Host bridge not in
 * P2PDMA whitelist" for each query across an ACS-redirecting path).
 * Errors: -ENODEV (no such function).
 */
struct xe_pfvf_p2p {
	__u32 size;
	__u32 flags;
	__u32 provider;
	__u32 client;
	__u32 map;
	__s32 distance;
	__u32 why;
	__u32 result_flags;
};

#define XE_PFVF_P2P_SIZE_VER0	32

#define XE_PFVF_IOCTL_BASE	0xBA

#define XE_PFVF_IOC_VERSION	_IOWR(XE_PFVF_IOCTL_BASE, 0x00, struct xe_pfvf_version)
#define XE_PFVF_IOC_LIST_PFS	_IOWR(XE_PFVF_IOCTL_BASE, 0x01, struct xe_pfvf_list_pfs)
#define XE_PFVF_IOC_LIST_VFS	_IOWR(XE_PFVF_IOCTL_BASE, 0x02, struct xe_pfvf_list_vfs)
#define XE_PFVF_IOC_TRANSLATE	_IOWR(XE_PFVF_IOCTL_BASE, 0x03, struct xe_pfvf_translate)
#define XE_PFVF_IOC_EXPORT	_IOWR(XE_PFVF_IOCTL_BASE, 0x04, struct xe_pfvf_export)
#define XE_PFVF_IOC_HANDLE_FD	_IOWR(XE_PFVF_IOCTL_BASE, 0x05, struct xe_pfvf_handle_fd)
#define XE_PFVF_IOC_REVOKE	_IOWR(XE_PFVF_IOCTL_BASE, 0x06, struct xe_pfvf_revoke)
#define XE_PFVF_IOC_P2P		_IOWR(XE_PFVF_IOCTL_BASE, 0x07, struct xe_pfvf_p2p)

#endif /* _UAPI_LINUX_XE_PFVF_H_ */
