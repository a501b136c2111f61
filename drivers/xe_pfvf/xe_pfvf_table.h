/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _XE_PFVF_TABLE_H_
#define _XE_PFVF_TABLE_H_

#include <linux/compiler.h>
#include <linux/errno.h>
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

/**
 * struct xe_pfvf_runs - CPU or bus ranges translated in order into one result
 * @table: the table, held from xe_pfvf_runs_begin() to the last range
 * @res: the result
 * @space: %XE_PFVF_SPACE_CPU or %XE_PFVF_SPACE_BUS
 * @vfid: the VF every range must resolve to, 0 for any single VF
 * @cur: the cursor of the checked path
 * @base: start of the VF LMEM BAR that the last checked range was in
 * @span: bytes from @base that pass every check once one range of that BAR
 *	  has passed them into @res: inside the BAR and the VF's quota.  0
 *	  until a range has passed them.
 * @cfg: the config of that VF
 * @bucket: its LMEM index (&xe_pfvf_vf_cfg.bucket)
 * @bucket_shift: log2 of the LMEM size each entry of @bucket covers
 *
 * For callers that find many short ranges, such as IOVA walks.  A range
 * inside @span is translated without checks: inline (xe_pfvf_runs_add())
 * over the buckets that lie inside one extent, out of line from the first
 * bucket over several extents.  Any other range goes through every check
 * (xe_pfvf_runs_add_checked()).
 */
struct xe_pfvf_runs {
	const struct xe_pfvf_table *table;
	struct xe_pfvf_xlate_res *res;
	u32 space;
	u16 vfid;
	struct xe_pfvf_cursor cur;
	u64 base;
	u64 span;
	const struct xe_pfvf_vf_cfg *cfg;
	const struct xe_pfvf_lmem_bucket *bucket;
	u32 bucket_shift;
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

void xe_pfvf_runs_begin(struct xe_pfvf_runs *runs, const struct xe_pfvf_table *table,
			u32 space, u16 vfid, struct xe_pfvf_xlate_res *res);
int xe_pfvf_runs_add_checked(struct xe_pfvf_runs *runs, u64 start, u64 len);

/**
 * xe_pfvf_res_append() - append a VRAM range to a result
 * @res: the result
 * @start: VRAM address of the range
 * @size: its length in bytes
 *
 * Coalesces with the last extent of @res when they are contiguous in VRAM,
 * and counts extents past the end of @res's array.
 */
static __always_inline void xe_pfvf_res_append(struct xe_pfvf_xlate_res *res, u64 start,
					       u64 size)
{
	/* In locals: @ext might alias @res, so each store would reload them. */
	struct xe_pfvf_extent *ext = res->ext;
	u32 nr = res->nr;

	res->bytes += size;
	if (nr && res->last.start + res->last.size == start) {
		size += res->last.size;
		res->last.size = size;
		if (ext && nr <= res->max)
			ext[nr - 1].size = size;
		return;
	}
	res->last.start = start;
	res->last.size = size;
	/* Not a copy of @res->last: that would wait for the stores above. */
	if (ext && nr < res->max) {
		ext[nr].start = start;
		ext[nr].size = size;
	}
	res->nr = nr + 1;
}

/**
 * xe_pfvf_runs_add() - translate the next range
 * @runs: the state, from xe_pfvf_runs_begin()
 * @start: the range's first CPU or bus address
 * @len: its length in bytes
 *
 * The same as xe_pfvf_table_xlate_cursor() on the range, with the space
 * and VF of xe_pfvf_runs_begin(), except that an array too small for the
 * result is only told by xe_pfvf_runs_end().
 *
 * Return: 0, or the errno of the range's first failing check.
 */
static __always_inline int xe_pfvf_runs_add(struct xe_pfvf_runs *runs, u64 start, u64 len)
{
	/*
	 * start < base wraps @off past the span, which ends by U64_MAX;
	 * len == 0 fails too.
	 */
	u64 off = start - runs->base;
	u64 mask = (1ULL << runs->bucket_shift) - 1;

	if (off < runs->span && len - 1 < runs->span - off) {
		/* Bucket by bucket, while each lies inside one extent. */
		for (;;) {
			const struct xe_pfvf_lmem_bucket *bk =
				&runs->bucket[off >> runs->bucket_shift];
			u64 piece = mask - (off & mask) + 1;

			if (bk->first != bk->last)
				break;
			if (piece > len)
				piece = len;
			xe_pfvf_res_append(runs->res, bk->vram + (off & mask), piece);
			len -= piece;
			if (!len)
				return 0;
			off += piece;
		}
		start = runs->base + off;
	}
	return xe_pfvf_runs_add_checked(runs, start, len);
}

/**
 * xe_pfvf_runs_end() - whether the result fitted
 * @runs: the state, after the last xe_pfvf_runs_add()
 *
 * Return: 0, or -E2BIG if the result outgrew its array; it still counts
 * every extent.
 */
static inline int xe_pfvf_runs_end(const struct xe_pfvf_runs *runs)
{
	return runs->res->ext && runs->res->nr > runs->res->max ? -E2BIG : 0;
}

int xe_pfvf_table_span(const struct xe_pfvf_table *table, u32 space, u16 vfid,
		       u64 off, u64 len, u32 *nr);

const char *xe_pfvf_space_name(u32 space);

#endif /* _XE_PFVF_TABLE_H_ */
