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
 * struct xe_pfvf_lmem_bucket - the extents over a bucket of LMEM offsets
 * @vram: when @first == @last, the VRAM address of the bucket's first byte
 * @first: index of the extent holding the bucket's first byte
 * @last: index of the extent holding the bucket's last byte
 */
struct xe_pfvf_lmem_bucket {
	u64 vram;
	u32 first;
	u32 last;
};

/**
 * struct xe_pfvf_vf_cfg - a VF's provisioning, validated and immutable
 * @vfid: VF number, 1-based
 * @generation: bumped by the service on every change of the VF's state
 * @quota: LMEM quota in bytes
 * @nr_extents: number of entries in @extents
 * @bucket_shift: log2 of the LMEM size each entry of @bucket covers
 * @bucket: the index of the extents by LMEM offset: entry b covers offsets
 *	    b << @bucket_shift to ((b + 1) << @bucket_shift) - 1 (and no
 *	    further than @quota).  At most 2 * @nr_extents entries, none
 *	    covering less than %XE_PFVF_GRANULE (see xe_pfvf_vf_cfg_create()).
 * @extents: extents in LMEM offset order, @extents[i].lmem ascending
 */
struct xe_pfvf_vf_cfg {
	u16 vfid;
	u32 generation;
	u64 quota;
	u32 nr_extents;
	u32 bucket_shift;
	const struct xe_pfvf_lmem_bucket *bucket;
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
 * struct xe_pfvf_range_pair - a VF's LMEM BAR range in each space
 * @r: the range by CPU address (index 0) and by bus address (index 1)
 */
struct xe_pfvf_range_pair {
	const struct xe_pfvf_range *r[2];
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
 * @vf_shift: when the enabled VFs' LMEM BARs are laid out as SR-IOV lays
 *	      them out (VF n at base + (n - 1) * size in both spaces, one
 *	      power-of-two size), log2 of that size, else 0
 * @vf_base: that base, by CPU and by bus address (index 0 and 1)
 * @vf_range: per VF, its range in @cpu and @bus (index 0 and 1), NULL
 *	      when not enabled; set with @vf_shift
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
	u32 vf_shift;
	u64 vf_base[2];
	struct xe_pfvf_range_pair *vf_range;
	struct xe_pfvf_table_vf vfs[];
};

/**
 * struct xe_pfvf_cursor - where the previous lookup in a table landed
 * @range: the CPU or bus range of the previous lookup, NULL for none
 * @space: the space of @range: ranges are only reused in the same space
 * @ext: index of the last extent the previous lookup used
 *
 * Valid only while the same table is held: zero it whenever the table may
 * have changed (after rcu_read_unlock()).
 */
struct xe_pfvf_cursor {
	const struct xe_pfvf_range *range;
	u32 space;
	u32 ext;
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

int xe_pfvf_xlate_check(const struct xe_pfvf_xlate_req *req, u64 *last);
int xe_pfvf_table_xlate(const struct xe_pfvf_table *table,
			const struct xe_pfvf_xlate_req *req,
			struct xe_pfvf_xlate_res *res);
int xe_pfvf_table_xlate_cursor(const struct xe_pfvf_table *table,
			       const struct xe_pfvf_xlate_req *req,
			       struct xe_pfvf_xlate_res *res,
			       struct xe_pfvf_cursor *cur);
int xe_pfvf_table_xlate_runs(const struct xe_pfvf_table *table, u32 space, u16 vfid,
			     const struct xe_pfvf_extent *runs, unsigned int nr,
			     struct xe_pfvf_xlate_res *res, struct xe_pfvf_cursor *cur,
			     unsigned int *done);

int xe_pfvf_table_span(const struct xe_pfvf_table *table, u32 space, u16 vfid,
		       u64 off, u64 len, u32 *nr);

const char *xe_pfvf_space_name(u32 space);

#endif /* _XE_PFVF_TABLE_H_ */
