/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _XE_PFVF_TABLE_H_
#define _XE_PFVF_TABLE_H_

#include <linux/types.h>
#include <linux/xe_pfvf_types.h>

/*
 * The provisioning table and translation core.  No locking, no PCI, no
 * dma-buf: the service publishes immutable tables under RCU and calls in
 * here; the same sources build in userspace (tools/core) against a small
 * shim of the kernel headers used below.
 */

/**
 * struct xe_pfvf_vf_extent - one VRAM extent of a VF, with its LMEM offset
 * @lmem: VF LMEM offset of the extent's first byte
 * @vram: VRAM address of the extent's first byte
 * @size: length in bytes
 */
struct xe_pfvf_vf_extent {
	u64 lmem;
	u64 vram;
	u64 size;
};

/**
 * struct xe_pfvf_vf_cfg - a VF's provisioning, validated and immutable
 * @vfid: VF number, 1-based
 * @generation: bumped by the service on every change of the VF's state
 * @quota: LMEM quota in bytes
 * @nr_extents: number of entries in @extents
 * @extents: extents in LMEM offset order, @extents[i].lmem ascending
 */
struct xe_pfvf_vf_cfg {
	u16 vfid;
	u32 generation;
	u64 quota;
	u32 nr_extents;
	struct xe_pfvf_vf_extent extents[];
};

/**
 * struct xe_pfvf_range - an address range owned by a VF BAR or a PF BAR
 * @start: first address
 * @last: last address (inclusive, so that a range may end at U64_MAX)
 * @vfid: owning VF, 0 for the PF
 */
struct xe_pfvf_range {
	u64 start;
	u64 last;
	u16 vfid;
};

/**
 * struct xe_pfvf_table_vf - a VF slot of the table
 * @bar: the VF's LMEM BAR, size 0 when the VF is not enabled
 * @cfg: the VF's provisioning, NULL when the VF is not provisioned
 */
struct xe_pfvf_table_vf {
	struct xe_pfvf_bar bar;
	const struct xe_pfvf_vf_cfg *cfg;
};

/**
 * struct xe_pfvf_table - a PF's provisioning table, immutable once built
 * @total_vfs: number of VF slots
 * @vram_size: size of the PF's VRAM
 * @nr_ranges: entries in each of @cpu and @bus
 * @cpu: VF LMEM BARs and PF BARs by CPU physical address, sorted
 * @bus: the same by PCI bus address, sorted
 * @vfs: VF slots, VF n at index n - 1
 *
 * The table does not own the &struct xe_pfvf_vf_cfg it points to.
 */
struct xe_pfvf_table {
	u16 total_vfs;
	u64 vram_size;
	u32 nr_ranges;
	struct xe_pfvf_range *cpu;
	struct xe_pfvf_range *bus;
	struct xe_pfvf_table_vf vfs[];
};

struct xe_pfvf_vf_cfg *xe_pfvf_vf_cfg_create(u16 vfid,
					     const struct xe_pfvf_provision *prov,
					     u64 vram_size);
void xe_pfvf_vf_cfg_free(struct xe_pfvf_vf_cfg *cfg);

struct xe_pfvf_table *xe_pfvf_table_build(u16 total_vfs, u64 vram_size,
					  const struct xe_pfvf_table_vf *vfs,
					  const struct xe_pfvf_bar *pf_bars,
					  unsigned int nr_pf_bars);
void xe_pfvf_table_free(struct xe_pfvf_table *table);

int xe_pfvf_table_xlate(const struct xe_pfvf_table *table,
			const struct xe_pfvf_xlate_req *req,
			struct xe_pfvf_xlate_res *res);

const char *xe_pfvf_space_name(u32 space);

#endif /* _XE_PFVF_TABLE_H_ */
