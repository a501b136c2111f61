// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/align.h>
#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "xe_pfvf_table.h"

/**
 * DOC: translation
 *
 * A VF's LMEM is a list of VRAM extents; VF LMEM offset 0 is the first
 * byte of the first extent.  The VF's LMEM BAR maps LMEM linearly: BAR
 * offset x is LMEM offset x, so a BAR smaller than the quota reaches only
 * the first BAR-size bytes, and a BAR larger than the quota has a tail that
 * reaches nothing.
 *
 * A translation resolves every byte of [addr, addr + len) to VRAM extents,
 * coalescing extents that are contiguous in VRAM.  Checks, in this order,
 * each with its own errno:
 *
 * ============== ==========================================================
 * -EINVAL        zero length, unknown flags, a space other than LMEM,
 *                BAR, CPU and bus
 * -EOVERFLOW     addr + len wraps around
 * -EDOM          XE_PFVF_XLATE_ALIGNED and addr or len not granule-aligned
 * -ENOENT        no such VF (LMEM and BAR spaces)
 * -EADDRNOTAVAIL a CPU or bus address in no VF BAR and no PF BAR
 * -EPERM         the address is in one of the PF's own BARs
 * -EXDEV         the address belongs to another VF than the one the
 *                request is made for, or (accumulating results) than the
 *                one earlier calls resolved to
 * -ENXIO         the range runs past the end of the VF's LMEM BAR (or the
 *                VF has no LMEM BAR)
 * -ENODEV        the VF is not provisioned
 * -EAGAIN        (accumulating results) the VF was provisioned again since
 *                the earlier calls: their extents and these would describe
 *                two different provisionings
 * -ERANGE        the range runs past the VF's LMEM quota
 * -E2BIG         more extents than the caller's array holds
 * ============== ==========================================================
 *
 * The kernel service adds -EFAULT for CPU addresses (and IOVAs) that
 * resolve to system RAM.
 */

static bool table_granule_aligned(u64 v)
{
	return !(v & (XE_PFVF_GRANULE - 1));
}

/*
 * log2 of the bucket size for @nr extents over @quota bytes: the smallest
 * one, but no smaller than a granule, with at most 2 * @nr buckets.  Only
 * a bucket with an extent boundary inside it spans several extents: that
 * is at most @nr - 1 of about 2 * @nr buckets, and none at all when the
 * extents are multiples of the bucket size.
 */
static u32 table_bucket_shift(u64 quota, u32 nr)
{
	u32 shift = ilog2(XE_PFVF_GRANULE);

	/* quota == 0 is refused later; until then it must not overflow. */
	while (shift < 63 && (quota - 1) >> shift >= 2ULL * nr)
		shift++;
	return shift;
}

static size_t table_nr_buckets(u64 quota, u32 shift)
{
	return ((quota - 1) >> shift) + 1;
}

/* Fills @bucket, @nr_buckets entries, for @cfg's extents. */
static void table_fill_buckets(struct xe_pfvf_vf_cfg *cfg,
			       struct xe_pfvf_lmem_bucket *bucket, size_t nr_buckets)
{
	const struct xe_pfvf_vf_extent *e = cfg->extents;
	u64 mask = (1ULL << cfg->bucket_shift) - 1;
	u32 i = 0, n = cfg->nr_extents;
	size_t b;

	for (b = 0; b < nr_buckets; b++) {
		u64 first = (u64)b << cfg->bucket_shift;
		u64 last = min(first | mask, cfg->quota - 1);

		while (i + 1 < n && e[i + 1].lmem <= first)
			i++;
		bucket[b].first = i;
		while (i + 1 < n && e[i + 1].lmem <= last)
			i++;
		bucket[b].last = i;
		if (bucket[b].first == i)
			bucket[b].vram = e[i].vram + (first - e[i].lmem);
	}
	cfg->bucket = bucket;
}

/**
 * xe_pfvf_vf_cfg_create() - validate a VF's provisioning
 * @vfid: VF number, 1-based
 * @prov: the provisioning
 * @vram_size: size of the PF's VRAM
 *
 * Checks each extent on its own; overlaps between extents (of this or other
 * VFs) are found by xe_pfvf_table_build().
 *
 * Besides the extents (24 bytes each), the config holds the index the
 * translations find them with: buckets of LMEM offsets, at most two per
 * extent (16 bytes each), so at most 56 bytes per extent in all (3.5 MiB
 * for %XE_PFVF_MAX_EXTENTS), whatever the quota.  A bucket inside one
 * extent, at least about half of them whatever the extents' sizes, is a
 * translation on its own: a lookup in it reads nothing else of the config.
 * A bucket over several extents gives the range of them to search: O(log
 * n) at worst.
 *
 * Return: the new config, or ERR_PTR(-EINVAL) for a malformed provisioning
 * (no extents, an empty or unaligned extent, quota not the sum of the
 * extents), ERR_PTR(-E2BIG) for more than %XE_PFVF_MAX_EXTENTS extents,
 * ERR_PTR(-ERANGE) for an extent beyond VRAM, ERR_PTR(-ENOMEM).
 */
struct xe_pfvf_vf_cfg *xe_pfvf_vf_cfg_create(u16 vfid,
					     const struct xe_pfvf_provision *prov,
					     u64 vram_size)
{
	struct xe_pfvf_vf_cfg *cfg;
	u64 lmem = 0, end;
	size_t nr_buckets, buckets_at;
	unsigned int i;
	u32 shift;
	int err;

	if (!vfid || !prov || !prov->extents || !prov->nr_extents)
		return ERR_PTR(-EINVAL);
	if (prov->nr_extents > XE_PFVF_MAX_EXTENTS)
		return ERR_PTR(-E2BIG);

	shift = table_bucket_shift(prov->quota, prov->nr_extents);
	nr_buckets = table_nr_buckets(prov->quota, shift);
	/*
	 * The buckets follow the extents, aligned to their size so that none
	 * straddles two cache lines.  No overflow: nr_extents is bounded.
	 */
	buckets_at = ALIGN(struct_size(cfg, extents, prov->nr_extents), sizeof(*cfg->bucket));
	cfg = kvzalloc(size_add(buckets_at, size_mul(nr_buckets, sizeof(*cfg->bucket))),
		       GFP_KERNEL);
	if (!cfg)
		return ERR_PTR(-ENOMEM);

	for (i = 0; i < prov->nr_extents; i++) {
		const struct xe_pfvf_extent *e = &prov->extents[i];

		if (!e->size || !table_granule_aligned(e->start | e->size)) {
			err = -EINVAL;
			goto err_free;
		}
		if (check_add_overflow(e->start, e->size, &end) || end > vram_size) {
			err = -ERANGE;
			goto err_free;
		}
		cfg->extents[i].lmem = lmem;
		cfg->extents[i].vram = e->start;
		cfg->extents[i].size = e->size;
		/* Cannot wrap: every extent ends inside VRAM and none overlap. */
		if (check_add_overflow(lmem, e->size, &lmem)) {
			err = -EINVAL;
			goto err_free;
		}
	}
	if (lmem != prov->quota) {
		err = -EINVAL;
		goto err_free;
	}

	cfg->vfid = vfid;
	cfg->quota = prov->quota;
	cfg->nr_extents = prov->nr_extents;
	cfg->bucket_shift = shift;
	table_fill_buckets(cfg, (void *)cfg + buckets_at, nr_buckets);
	return cfg;

err_free:
	kvfree(cfg);
	return ERR_PTR(err);
}

/**
 * xe_pfvf_vf_cfg_free() - free a config from xe_pfvf_vf_cfg_create()
 * @cfg: the config, may be NULL
 */
void xe_pfvf_vf_cfg_free(struct xe_pfvf_vf_cfg *cfg)
{
	kvfree(cfg);
}

static int table_cmp_range(const void *a, const void *b)
{
	const struct xe_pfvf_range *ra = a, *rb = b;

	if (ra->start != rb->start)
		return ra->start < rb->start ? -1 : 1;
	return 0;
}

static int table_cmp_extent(const void *a, const void *b)
{
	const struct xe_pfvf_extent *ea = a, *eb = b;

	if (ea->start != eb->start)
		return ea->start < eb->start ? -1 : 1;
	return 0;
}

/* Sorts @r and checks that no two ranges share an address. */
static int table_sort_ranges(struct xe_pfvf_range *r, u32 n)
{
	u32 i;

	sort(r, n, sizeof(*r), table_cmp_range, NULL);
	for (i = 1; i < n; i++)
		if (r[i].start <= r[i - 1].last)
			return -EADDRINUSE;
	return 0;
}

static int table_add_bar(struct xe_pfvf_range *cpu, struct xe_pfvf_range *bus,
			 u32 *n, const struct xe_pfvf_bar *bar, u16 vfid)
{
	u64 size_m1 = bar->size - 1;

	if (!bar->size)
		return 0;
	if (bar->cpu > U64_MAX - size_m1 || bar->bus > U64_MAX - size_m1)
		return -EOVERFLOW;
	cpu[*n] = (struct xe_pfvf_range){ bar->cpu, bar->cpu + size_m1, vfid };
	bus[*n] = (struct xe_pfvf_range){ bar->bus, bar->bus + size_m1, vfid };
	(*n)++;
	return 0;
}

/*
 * No two VFs, and no two extents of one VF, may share VRAM, and all of it
 * must be inside the PF's VRAM.
 */
static int table_check_vram(u16 total_vfs, u64 vram_size, const struct xe_pfvf_table_vf *vfs)
{
	struct xe_pfvf_extent *all;
	size_t n = 0, i;
	u32 vf, e;
	int err = 0;

	for (vf = 0; vf < total_vfs; vf++) {
		const struct xe_pfvf_vf_cfg *cfg = vfs[vf].cfg;

		for (e = 0; cfg && e < cfg->nr_extents; e++)
			if (cfg->extents[e].vram + cfg->extents[e].size > vram_size)
				return -ERANGE;
		if (cfg)
			n += cfg->nr_extents;
	}
	if (n < 2)
		return 0;

	all = kvmalloc_array(n, sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	n = 0;
	for (vf = 0; vf < total_vfs; vf++) {
		const struct xe_pfvf_vf_cfg *cfg = vfs[vf].cfg;

		for (e = 0; cfg && e < cfg->nr_extents; e++) {
			all[n].start = cfg->extents[e].vram;
			all[n].size = cfg->extents[e].size;
			n++;
		}
	}
	sort(all, n, sizeof(*all), table_cmp_extent, NULL);
	for (i = 1; i < n; i++) {
		/* Extents end inside VRAM (checked at creation): no wrap. */
		if (all[i].start < all[i - 1].start + all[i - 1].size) {
			err = -EADDRINUSE;
			break;
		}
	}
	kvfree(all);
	return err;
}

/*
 * SR-IOV places VF n's BAR at base + (n - 1) * size.  When the enabled VFs'
 * LMEM BARs follow that in both spaces, index them so that a lookup costs
 * one subtraction and shift whatever the number of VFs.  Without the index
 * (other layouts, or no memory for it), lookups search the sorted ranges.
 */
static void table_index_vfs(struct xe_pfvf_table *t)
{
	u64 size = 0, base[2] = {};
	u32 i, k;

	for (i = 0; i < t->total_vfs; i++) {
		const struct xe_pfvf_bar *bar = &t->vfs[i].bar;

		if (!bar->size)
			continue;
		if (!size) {
			size = bar->size;
			if (!is_power_of_2(size) || bar->cpu < i * size || bar->bus < i * size)
				return;
			base[0] = bar->cpu - i * size;
			base[1] = bar->bus - i * size;
		}
		if (bar->size != size || bar->cpu != base[0] + i * size ||
		    bar->bus != base[1] + i * size)
			return;
	}
	if (!size)
		return;

	t->vf_range = kvcalloc(t->total_vfs, sizeof(*t->vf_range), GFP_KERNEL);
	if (!t->vf_range)
		return;
	for (k = 0; k < t->nr_ranges; k++) {
		if (t->cpu[k].vfid)
			t->vf_range[t->cpu[k].vfid - 1].r[0] = &t->cpu[k];
		if (t->bus[k].vfid)
			t->vf_range[t->bus[k].vfid - 1].r[1] = &t->bus[k];
	}
	t->vf_base[0] = base[0];
	t->vf_base[1] = base[1];
	t->vf_shift = ilog2(size);
}

/**
 * xe_pfvf_table_build() - build an immutable provisioning table
 * @total_vfs: number of VF slots
 * @vram_size: size of the PF's VRAM
 * @vfs: @total_vfs slots, VF n at index n - 1: the VF's LMEM BAR (size 0
 *	 when the VF is not enabled) and its config (NULL when not
 *	 provisioned); a config's VF number must match its slot
 * @pf_bars: the PF's own memory BARs, translations into which are refused
 * @nr_pf_bars: number of entries in @pf_bars
 *
 * Return: the table, or ERR_PTR(-EINVAL) for a config in the wrong slot,
 * ERR_PTR(-ERANGE) for an extent beyond @vram_size,
 * ERR_PTR(-EADDRINUSE) if two BARs overlap or two extents share VRAM,
 * ERR_PTR(-EOVERFLOW) for a BAR that wraps around, ERR_PTR(-ENOMEM).
 */
struct xe_pfvf_table *xe_pfvf_table_build(u16 total_vfs, u64 vram_size,
					  const struct xe_pfvf_table_vf *vfs,
					  const struct xe_pfvf_bar *pf_bars,
					  unsigned int nr_pf_bars)
{
	struct xe_pfvf_table *t;
	u32 i, n = 0;
	int err;

	for (i = 0; i < total_vfs; i++)
		if (vfs[i].cfg && vfs[i].cfg->vfid != i + 1)
			return ERR_PTR(-EINVAL);

	err = table_check_vram(total_vfs, vram_size, vfs);
	if (err)
		return ERR_PTR(err);

	t = kvzalloc(struct_size(t, vfs, total_vfs), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->cpu = kvmalloc_array((size_t)total_vfs + nr_pf_bars + 1, sizeof(*t->cpu), GFP_KERNEL);
	t->bus = kvmalloc_array((size_t)total_vfs + nr_pf_bars + 1, sizeof(*t->bus), GFP_KERNEL);
	if (!t->cpu || !t->bus) {
		err = -ENOMEM;
		goto err_free;
	}

	t->total_vfs = total_vfs;
	t->vram_size = vram_size;
	for (i = 0; i < total_vfs; i++) {
		t->vfs[i] = vfs[i];
		err = table_add_bar(t->cpu, t->bus, &n, &vfs[i].bar, i + 1);
		if (err)
			goto err_free;
	}
	for (i = 0; i < nr_pf_bars; i++) {
		err = table_add_bar(t->cpu, t->bus, &n, &pf_bars[i], 0);
		if (err)
			goto err_free;
	}
	t->nr_ranges = n;
	err = table_sort_ranges(t->cpu, n);
	if (!err)
		err = table_sort_ranges(t->bus, n);
	if (err)
		goto err_free;
	table_index_vfs(t);
	return t;

err_free:
	xe_pfvf_table_free(t);
	return ERR_PTR(err);
}

/**
 * xe_pfvf_table_free() - free a table from xe_pfvf_table_build()
 * @table: the table, may be NULL; the configs it points to are not freed
 */
void xe_pfvf_table_free(struct xe_pfvf_table *table)
{
	if (!table)
		return;
	kvfree(table->cpu);
	kvfree(table->bus);
	kvfree(table->vf_range);
	kvfree(table);
}

/* The range containing @addr, or NULL.  O(log n). */
static const struct xe_pfvf_range *
table_find_range(const struct xe_pfvf_range *r, u32 n, u64 addr)
{
	u32 lo = 0, hi = n;

	/* Find the last range starting at or below @addr. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (r[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr > r[lo - 1].last)
		return NULL;
	return &r[lo - 1];
}

/* The range holding a CPU or bus address: O(1) in the SR-IOV layout. */
static const struct xe_pfvf_range *
table_lookup_range(const struct xe_pfvf_table *t, u32 space, u64 addr)
{
	unsigned int s = space == XE_PFVF_SPACE_BUS;

	if (t->vf_shift && addr >= t->vf_base[s]) {
		u64 idx = (addr - t->vf_base[s]) >> t->vf_shift;

		if (idx < t->total_vfs && t->vf_range[idx].r[s])
			return t->vf_range[idx].r[s];
	}
	return table_find_range(s ? t->bus : t->cpu, t->nr_ranges, addr);
}

/*
 * Index of the extent holding LMEM offset @off (< quota), in bucket @bk:
 * O(1) when the bucket lies inside one extent, or when the extent is @hint
 * or the one after (sequential access), else O(log n) over the extents the
 * bucket spans.
 */
static u32 table_find_extent(const struct xe_pfvf_vf_cfg *cfg,
			     const struct xe_pfvf_lmem_bucket *bk, u64 off, u32 hint)
{
	const struct xe_pfvf_vf_extent *e = cfg->extents;
	u32 lo = bk->first, hi = bk->last;

	if (lo == hi)
		return lo;

	if (hint + 1 >= lo && hint <= hi && e[hint].lmem <= off) {
		if (hint == hi || off < e[hint + 1].lmem)
			return hint;
		lo = hint + 1;
		if (lo == hi || off < e[lo + 1].lmem)
			return lo;
	}

	/* The last of extents lo to hi starting at or below @off. */
	hi++;
	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (e[mid].lmem <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * [off, off + len) is inside the quota.  Returns the last extent used.
 * Always inlined, into xe_pfvf_table_xlate_cursor() and the path of runs
 * inside an open BAR.
 */
static __always_inline u32 table_xlate_lmem(const struct xe_pfvf_vf_cfg *cfg, u64 off,
					    u64 len, struct xe_pfvf_xlate_res *res, u32 hint)
{
	const struct xe_pfvf_lmem_bucket *bk = &cfg->bucket[off >> cfg->bucket_shift];
	u64 mask = (1ULL << cfg->bucket_shift) - 1;
	const struct xe_pfvf_vf_extent *e;
	u64 delta, chunk;
	u32 i;

	/*
	 * Inside a bucket inside an extent: the bucket says it all.  No wrap:
	 * (off & mask) + len - 1 <= off + len - 1 < quota.
	 */
	if (bk->first == bk->last && (off & mask) + (len - 1) <= mask) {
		xe_pfvf_res_append(res, bk->vram + (off & mask), len);
		return bk->first;
	}

	i = bk->first == bk->last ? bk->first : table_find_extent(cfg, bk, off, hint);
	e = &cfg->extents[i];
	delta = off - e->lmem;
	chunk = min(len, e->size - delta);
	for (;;) {
		xe_pfvf_res_append(res, e->vram + delta, chunk);
		len -= chunk;
		if (!len)
			return e - cfg->extents;
		e++;
		delta = 0;
		chunk = min(len, e->size);
	}
}

/**
 * xe_pfvf_xlate_check() - the checks on a request on its own
 * @req: the request
 * @last: where to store the range's last address
 *
 * The first checks of "DOC: translation", shared by every address space
 * (the service's IOVA walk runs them on the IOVA range).
 *
 * Return: 0, or -EINVAL for a zero length or unknown flags, -EOVERFLOW if
 * the range wraps around, -EDOM if %XE_PFVF_XLATE_ALIGNED is set and the
 * range is not granule-aligned.
 */
int xe_pfvf_xlate_check(const struct xe_pfvf_xlate_req *req, u64 *last)
{
	if (!req->len || req->flags & ~XE_PFVF_XLATE_FLAGS)
		return -EINVAL;
	if (check_add_overflow(req->addr, req->len - 1, last))
		return -EOVERFLOW;
	if (req->flags & XE_PFVF_XLATE_ALIGNED &&
	    (!table_granule_aligned(req->addr) || !table_granule_aligned(req->len)))
		return -EDOM;
	return 0;
}

/**
 * xe_pfvf_table_xlate_cursor() - translate, reusing the previous lookup
 * @table: the PF's table
 * @req: what to translate
 * @res: where to put the extents; accumulates across calls, which must all
 *	 resolve to the same VF
 * @cur: the cursor of the previous call on @table, zeroed for the first
 *
 * As xe_pfvf_table_xlate(), but a CPU or bus address in the same BAR as
 * the previous call's skips the range search, and an LMEM offset in or
 * right after the previous call's last extent skips the extent search: for
 * callers that translate many runs in order, such as IOVA walks.
 *
 * Return: 0 on success, a negative errno otherwise.
 */
int xe_pfvf_table_xlate_cursor(const struct xe_pfvf_table *table,
			       const struct xe_pfvf_xlate_req *req,
			       struct xe_pfvf_xlate_res *res,
			       struct xe_pfvf_cursor *cur)
{
	const struct xe_pfvf_range *range;
	const struct xe_pfvf_table_vf *slot;
	u64 last, off;
	u16 vfid;

	int err;

	/* IOVAs are the service's: the core sees what they map to. */
	if (req->space > XE_PFVF_SPACE_BUS)
		return -EINVAL;
	err = xe_pfvf_xlate_check(req, &last);
	if (err)
		return err;

	switch (req->space) {
	case XE_PFVF_SPACE_LMEM:
	case XE_PFVF_SPACE_BAR:
		if (!req->vfid || req->vfid > table->total_vfs)
			return -ENOENT;
		vfid = req->vfid;
		off = req->addr;
		break;
	case XE_PFVF_SPACE_CPU:
	case XE_PFVF_SPACE_BUS:
		range = cur->space == req->space ? cur->range : NULL;
		if (!range || req->addr < range->start || req->addr > range->last) {
			range = table_lookup_range(table, req->space, req->addr);
			if (!range)
				return -EADDRNOTAVAIL;
			cur->range = range;
			cur->space = req->space;
			cur->ext = 0;
		}
		if (!range->vfid)
			return -EPERM;
		if (req->vfid && range->vfid != req->vfid)
			return -EXDEV;
		if (last > range->last)
			return -ENXIO;
		vfid = range->vfid;
		off = req->addr - range->start;
		break;
	default:
		return -EINVAL;
	}
	if (res->vfid && res->vfid != vfid)
		return -EXDEV;

	slot = &table->vfs[vfid - 1];
	if (req->space != XE_PFVF_SPACE_LMEM && last - req->addr + off >= slot->bar.size)
		return -ENXIO;
	if (!slot->cfg)
		return -ENODEV;
	/* Extents of two provisionings must not end up in one result. */
	if (res->vfid && res->generation != slot->cfg->generation)
		return -EAGAIN;
	/* off + len - 1 cannot wrap: off <= last - addr for BAR, or off == addr. */
	if (off + (req->len - 1) >= slot->cfg->quota)
		return -ERANGE;

	res->vfid = vfid;
	res->generation = slot->cfg->generation;
	cur->ext = table_xlate_lmem(slot->cfg, off, req->len, res, cur->ext);
	return res->ext && res->nr > res->max ? -E2BIG : 0;
}

/**
 * xe_pfvf_table_xlate() - translate a range into VRAM extents
 * @table: the PF's table
 * @req: what to translate
 * @res: where to put the extents; accumulates across calls, which must all
 *	 resolve to the same VF
 *
 * See "DOC: translation" for the checks and their errnos.  On error @res
 * is unchanged, except after -E2BIG: @res->nr then tells how many extents
 * the whole result needs.
 *
 * Return: 0 on success, a negative errno otherwise.
 */
int xe_pfvf_table_xlate(const struct xe_pfvf_table *table,
			const struct xe_pfvf_xlate_req *req,
			struct xe_pfvf_xlate_res *res)
{
	struct xe_pfvf_cursor cur = {};

	return xe_pfvf_table_xlate_cursor(table, req, res, &cur);
}

/* Index of the extent holding LMEM offset @off (< quota). */
static u32 table_extent_of(const struct xe_pfvf_vf_cfg *cfg, u64 off)
{
	const struct xe_pfvf_lmem_bucket *bk = &cfg->bucket[off >> cfg->bucket_shift];

	return table_find_extent(cfg, bk, off, bk->first);
}

/**
 * xe_pfvf_table_span() - check a range of a VF's LMEM and count its extents
 * @table: the PF's table
 * @space: %XE_PFVF_SPACE_LMEM or %XE_PFVF_SPACE_BAR
 * @vfid: the VF
 * @off: offset of the range in @space, granule-aligned
 * @len: length of the range, granule-aligned
 * @nr: where to store how many of the VF's extents the range touches: the
 *	most extents a translation of it produces (fewer once coalesced)
 *
 * The checks of xe_pfvf_table_xlate() with %XE_PFVF_XLATE_ALIGNED, without
 * producing anything: O(log n) whatever the range's length, so that an
 * exporter can size its extent array exactly before it translates.
 *
 * Return: 0, or the errno xe_pfvf_table_xlate() would return.
 */
int xe_pfvf_table_span(const struct xe_pfvf_table *table, u32 space, u16 vfid,
		       u64 off, u64 len, u32 *nr)
{
	const struct xe_pfvf_xlate_req req = {
		.space = space, .flags = XE_PFVF_XLATE_ALIGNED, .vfid = vfid,
		.addr = off, .len = len,
	};
	const struct xe_pfvf_table_vf *slot;
	u64 last;
	int err;

	if (space != XE_PFVF_SPACE_LMEM && space != XE_PFVF_SPACE_BAR)
		return -EINVAL;
	err = xe_pfvf_xlate_check(&req, &last);
	if (err)
		return err;
	if (!vfid || vfid > table->total_vfs)
		return -ENOENT;
	slot = &table->vfs[vfid - 1];
	if (space == XE_PFVF_SPACE_BAR && last >= slot->bar.size)
		return -ENXIO;
	if (!slot->cfg)
		return -ENODEV;
	if (last >= slot->cfg->quota)
		return -ERANGE;
	*nr = table_extent_of(slot->cfg, last) - table_extent_of(slot->cfg, off) + 1;
	return 0;
}

/**
 * xe_pfvf_runs_begin() - start translating ranges into a result
 * @runs: the state to set up
 * @table: the PF's table, held until the last range is translated
 * @space: %XE_PFVF_SPACE_CPU or %XE_PFVF_SPACE_BUS
 * @vfid: the VF every range must resolve to, 0 for any single VF
 * @res: where to put the extents, accumulating as xe_pfvf_table_xlate()
 *
 * Begin again whenever the table may have changed, or to translate into
 * another result.
 */
void xe_pfvf_runs_begin(struct xe_pfvf_runs *runs, const struct xe_pfvf_table *table,
			u32 space, u16 vfid, struct xe_pfvf_xlate_res *res)
{
	*runs = (struct xe_pfvf_runs){
		.table = table, .res = res, .space = space, .vfid = vfid,
	};
}

/**
 * xe_pfvf_runs_add_checked() - translate the next range with every check
 * @runs: the state, from xe_pfvf_runs_begin()
 * @start: the range's first CPU or bus address
 * @len: its length in bytes
 *
 * The path of xe_pfvf_runs_add() for a range it cannot translate inline.
 * A range inside the BAR that the last checked range opened, over several
 * buckets or extents, needs no check either.  Once any other range has
 * passed the checks, the ranges after it in its BAR need none.
 *
 * Return: 0, -EINVAL for a space other than CPU and bus, or the errno of
 * xe_pfvf_table_xlate_cursor() but -E2BIG.
 */
int xe_pfvf_runs_add_checked(struct xe_pfvf_runs *runs, u64 start, u64 len)
{
	const struct xe_pfvf_xlate_req req = {
		.space = runs->space, .vfid = runs->vfid, .addr = start, .len = len,
	};
	const struct xe_pfvf_range *range;
	const struct xe_pfvf_vf_cfg *cfg;
	u64 off = start - runs->base;
	int err;

	/* As in xe_pfvf_runs_add(). */
	if (off < runs->span && len - 1 < runs->span - off) {
		/* In a local: through @runs->res, each extent would reload it. */
		struct xe_pfvf_xlate_res res = *runs->res;

		runs->cur.ext = table_xlate_lmem(runs->cfg, off, len, &res, runs->cur.ext);
		*runs->res = res;
		return 0;
	}

	/* The inline path knows no other space: LMEM and BAR have no range. */
	if (runs->space != XE_PFVF_SPACE_CPU && runs->space != XE_PFVF_SPACE_BUS)
		return -EINVAL;
	err = xe_pfvf_table_xlate_cursor(runs->table, &req, runs->res, &runs->cur);
	if (err && err != -E2BIG)
		return err;

	/*
	 * Translated into @runs->res: the cursor's range is the LMEM BAR of a
	 * provisioned VF, which is @runs->vfid if set and the VF of the
	 * result, of the generation of the result.  Every other address of
	 * the range, inside the quota, passes the same checks.
	 */
	range = runs->cur.range;
	cfg = runs->table->vfs[range->vfid - 1].cfg;
	runs->base = range->start;
	runs->span = min(range->last - range->start, cfg->quota - 1) + 1;
	runs->cfg = cfg;
	runs->bucket = cfg->bucket;
	runs->bucket_shift = cfg->bucket_shift;
	return 0;
}

/**
 * xe_pfvf_table_xlate_runs() - translate a list of CPU or bus ranges
 * @table: the PF's table
 * @space: %XE_PFVF_SPACE_CPU or %XE_PFVF_SPACE_BUS
 * @vfid: the VF every range must resolve to, 0 for any single VF
 * @runs: the ranges, in order
 * @nr: number of @runs
 * @res: where to put the extents, accumulating as xe_pfvf_table_xlate()
 * @cur: the cursor, as for xe_pfvf_table_xlate_cursor()
 * @done: where to store the number of runs translated: @nr, or on error
 *	  the index of the run that failed
 *
 * The same as xe_pfvf_table_xlate_cursor() on each run in turn with
 * @space and @vfid, stopping at the first error other than -E2BIG, in one
 * call, through xe_pfvf_runs_add().
 *
 * Return: 0, -E2BIG if the result outgrew @res's array (all runs were still
 * counted), -EINVAL for another @space, or the errno of run @done.
 */
int xe_pfvf_table_xlate_runs(const struct xe_pfvf_table *table, u32 space, u16 vfid,
			     const struct xe_pfvf_extent *runs, unsigned int nr,
			     struct xe_pfvf_xlate_res *res, struct xe_pfvf_cursor *cur,
			     unsigned int *done)
{
	struct xe_pfvf_runs rs;
	unsigned int i;
	int err = 0;

	*done = 0;
	if (space != XE_PFVF_SPACE_CPU && space != XE_PFVF_SPACE_BUS)
		return -EINVAL;

	xe_pfvf_runs_begin(&rs, table, space, vfid, res);
	rs.cur = *cur;
	for (i = 0; i < nr; i++) {
		err = xe_pfvf_runs_add(&rs, runs[i].start, runs[i].size);
		if (err)
			break;
	}
	*cur = rs.cur;
	*done = i;
	return err ?: xe_pfvf_runs_end(&rs);
}

/**
 * xe_pfvf_space_name() - name of an address space, for logs and debugfs
 * @space: &enum xe_pfvf_space
 *
 * Return: the name, "?" for an unknown space.
 */
const char *xe_pfvf_space_name(u32 space)
{
	static const char * const names[] = {
		[XE_PFVF_SPACE_LMEM] = "lmem",
		[XE_PFVF_SPACE_BAR] = "bar",
		[XE_PFVF_SPACE_CPU] = "cpu",
		[XE_PFVF_SPACE_BUS] = "bus",
		[XE_PFVF_SPACE_IOVA] = "iova",
	};

	return space < ARRAY_SIZE(names) ? names[space] : "?";
}
