/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _LINUX_XE_PFVF_TYPES_H_
#define _LINUX_XE_PFVF_TYPES_H_

#include <linux/bits.h>
#include <linux/types.h>

/*
 * Plain data types shared by the kernel API and the translation core.  The
 * core also builds in userspace (host tests, fuzzing, benchmarks), so this
 * header includes nothing but <linux/bits.h> and <linux/types.h>.
 */

/** XE_PFVF_GRANULE - alignment of VRAM extents and of aligned translations */
#define XE_PFVF_GRANULE		4096ULL

/** XE_PFVF_MAX_EXTENTS - most extents a VF's provisioning may have */
#define XE_PFVF_MAX_EXTENTS	65536U

/**
 * struct xe_pfvf_extent - a physically contiguous range of PF VRAM
 * @start: VRAM address (device physical address, DPA) of the first byte
 * @size: length in bytes
 */
struct xe_pfvf_extent {
	u64 start;
	u64 size;
};

/**
 * struct xe_pfvf_bar - a BAR in CPU physical and PCI bus terms
 * @cpu: CPU physical address of the first byte
 * @bus: PCI bus address of the first byte; differs from @cpu where the
 *	 host bridge applies an offset
 * @size: length in bytes, 0 when there is no such BAR
 */
struct xe_pfvf_bar {
	u64 cpu;
	u64 bus;
	u64 size;
};

/**
 * struct xe_pfvf_provision - a VF's LMEM provisioning, as the PF driver
 * publishes it
 * @quota: LMEM quota in bytes; equals the sum of the extents' sizes
 * @extents: VRAM extents backing the VF's LMEM, in VF LMEM offset order:
 *	     VF LMEM offset 0 is @extents[0].start.  Any VRAM order,
 *	     granule-aligned, non-overlapping; multi-tile LMEM is the
 *	     concatenation of the tiles' extents.
 * @nr_extents: number of entries in @extents
 * @cookie: the PF driver's handle of the memory, given back by
 *	    &xe_pfvf_pf_desc.lmem_released if the provisioning is quarantined
 */
struct xe_pfvf_provision {
	u64 quota;
	const struct xe_pfvf_extent *extents;
	unsigned int nr_extents;
	void *cookie;
};

/**
 * enum xe_pfvf_space - address spaces a translation can start from
 * @XE_PFVF_SPACE_LMEM: offset in the VF's LMEM (0 .. quota - 1)
 * @XE_PFVF_SPACE_BAR: offset in the VF's LMEM BAR (0 .. BAR size - 1)
 * @XE_PFVF_SPACE_CPU: CPU physical address
 * @XE_PFVF_SPACE_BUS: PCI bus address
 * @XE_PFVF_SPACE_IOVA: I/O virtual address in an IOMMU domain
 */
enum xe_pfvf_space {
	XE_PFVF_SPACE_LMEM,
	XE_PFVF_SPACE_BAR,
	XE_PFVF_SPACE_CPU,
	XE_PFVF_SPACE_BUS,
	XE_PFVF_SPACE_IOVA,
};

/**
 * enum xe_pfvf_p2p_map - how an importer reaches a VF's BAR on the
 * standard (PCIe peer-to-peer) path
 * @XE_PFVF_P2P_REFUSED: it does not: the kernel allows no P2P path
 * @XE_PFVF_P2P_BUS_ADDR: at the BAR's PCI bus addresses, through a switch
 *			  that forwards peer-to-peer
 * @XE_PFVF_P2P_HOST_BRIDGE: through the host bridge, at addresses mapped
 *			     for the importer with dma_map_resource()
 */
enum xe_pfvf_p2p_map {
	XE_PFVF_P2P_REFUSED,
	XE_PFVF_P2P_BUS_ADDR,
	XE_PFVF_P2P_HOST_BRIDGE,
};

/* Translation flags */
/** XE_PFVF_XLATE_ALIGNED - start and length must be granule-aligned */
#define XE_PFVF_XLATE_ALIGNED	BIT(0)
#define XE_PFVF_XLATE_FLAGS	XE_PFVF_XLATE_ALIGNED

/**
 * struct xe_pfvf_xlate_req - a translation request
 * @space: &enum xe_pfvf_space of @addr
 * @flags: XE_PFVF_XLATE_* flags
 * @vfid: for LMEM and BAR spaces, the VF; for CPU and bus addresses, the VF
 *	  the request is made for (the range must resolve inside it), or 0
 *	  for any single VF
 * @addr: first address or offset
 * @len: length in bytes
 */
struct xe_pfvf_xlate_req {
	u32 space;
	u32 flags;
	u16 vfid;
	u64 addr;
	u64 len;
};

/**
 * struct xe_pfvf_xlate_res - translation result, accumulated across calls
 * @ext: output array, or NULL to count extents only (never -E2BIG)
 * @max: capacity of @ext
 * @nr: number of coalesced extents produced so far (also counted past
 *	@max, so that after -E2BIG it tells the size needed)
 * @bytes: bytes translated so far
 * @vfid: VF the translated range belongs to, 0 before the first call
 * @generation: that VF's provisioning generation
 * @last: the last extent produced, for coalescing
 *
 * Zero-initialise it and set @ext and @max before the first call.
 */
struct xe_pfvf_xlate_res {
	struct xe_pfvf_extent *ext;
	u32 max;
	u32 nr;
	u64 bytes;
	u16 vfid;
	u32 generation;
	struct xe_pfvf_extent last;
};

#endif /* _LINUX_XE_PFVF_TYPES_H_ */
