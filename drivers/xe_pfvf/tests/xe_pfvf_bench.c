// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 *
 * In-kernel benchmarks, run by `make bench` in the VM, printing their
 * figures to the kernel log (the module stays loaded until rmmod):
 *
 * - ``what=iova``: IOVA translation of a 16 MiB range by xe_pfvf against a
 *   bare iommu_iova_to_phys() loop over the same pages, in a real IOMMU
 *   domain whose pages point into a VF's LMEM BAR: laid over the whole BAR
 *   again and again (runs as long as the BAR, as a VMM maps a BAR), then
 *   in runs of 4 pages and of 1 page.
 * - ``what=dmabuf``: map plus unmap of a 16 MiB dma-buf of the VF over the
 *   private interconnect, against the standard path's IOMMU mapping of the
 *   same size for the PF: one dma_map_resource() of 16 MiB (the BAR range
 *   in one piece, the best case) and dma_map_sgtable() of the buffer's
 *   extents as 4 KiB-page runs of system memory (as fragmented as the
 *   VRAM behind it).
 * - ``what=revoke``: the latency of revoking (temporarily) and restoring
 *   the dma-bufs of ``vf`` (each mapped by a prompt importer) while the
 *   revocation of a buffer of ``stuck_vf`` waits for an importer that never
 *   unmaps, against the same latency with no stuck importer anywhere.
 * - ``what=frame``: a guest framebuffer shared per frame, as a VMM and the
 *   PF drive it, at 1080p and 4K (32 bpp): export the frame's LMEM range of
 *   ``vf`` as a dma-buf, import it as the owning PF over the private
 *   interconnect, map it, read one cache line of every 4 KiB page through
 *   the software PF's simulated VRAM, unmap, detach and drop it.  Against
 *   the same buffer mapped again without a new export (with and without
 *   the reads), and against copying the frame out of the VRAM into system
 *   memory, as hosts do where P2P is refused.  Needs the software PF.
 * - ``what=revoke_n``: the latency of a VF reset's revocation
 *   (xe_pfvf_vf_revoke(), temporary) of ``buffers`` dma-bufs of ``vf``,
 *   each mapped by a prompt importer: from the call to the last unmap.
 * - ``what=scale``: over every VF of the PF of ``vf``: translation of every
 *   page of their LMEM (``vf_quota_kb`` each), export plus map of one
 *   buffer per VF, and the revocation of all those buffers by the PF-wide
 *   withdrawal that PF unregistration runs.  It leaves the VFs
 *   unprovisioned: load it last, then unload the PF driver.
 *
 * Besides the human-readable lines, every figure is printed once as
 * ``xe_pfvf_bench: csv=<table> key=value ...`` (raw nanoseconds, the keys of
 * a table always the same and in the same order), for scripts:
 *
 * - ``csv=iova extent_kb= run_pages= bare_ns= xlate_ns=`` (per 16 MiB)
 * - ``csv=dmabuf bytes= private_ns= map_resource_ns= map_sgtable_ns=``
 * - ``csv=revoke_stuck alone_ns= stuck_ns=``
 * - ``csv=frame frame= bytes= pages= share_ns= steady_ns= steady_map_ns=
 *   copy_ns= export_ns= import_ns= use_ns= release_ns= source=lmem`` (the
 *   last four: the share's phases, each its own median)
 * - ``csv=revoke buffers= latency_ns=``
 * - ``csv=scale vfs= pages= lookup_ps_per_page= export_map_ns=
 *   unregister_revoke_ns= buffers=``
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/xe_pfvf.h>

#include "../backends/xe_pfvf_swpf.h"

#define BENCH_NAME	"xe_pfvf_bench"
#define BENCH_IOVA	0x100000000ULL
#define BENCH_LEN	SZ_16M
#define BENCH_PAGES	(BENCH_LEN / SZ_4K)

static char *vf;
module_param(vf, charp, 0444);
MODULE_PARM_DESC(vf, "PCI address of a provisioned VF whose LMEM BAR is mapped");

static unsigned int iterations = 20;
module_param(iterations, uint, 0444);
MODULE_PARM_DESC(iterations, "Timed repetitions of each loop (default 20)");

static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "Rounds of each IOVA loop, the best one counting (default 5)");

static int lmem_bar;
module_param(lmem_bar, int, 0444);
MODULE_PARM_DESC(lmem_bar, "The VF's LMEM BAR (default 0)");

static char *what = "iova";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "Benchmark: iova, dmabuf, revoke, frame, revoke_n or scale (default iova)");

static char *stuck_vf;
module_param(stuck_vf, charp, 0444);
MODULE_PARM_DESC(stuck_vf, "what=revoke: PCI address of the VF whose importer never unmaps");

static unsigned int extent_kb;
module_param(extent_kb, uint, 0444);
MODULE_PARM_DESC(extent_kb, "what=iova: the software PF's VRAM chunk in KiB, as loaded (required)");

static unsigned int buffers = 1;
module_param(buffers, uint, 0444);
MODULE_PARM_DESC(buffers, "what=revoke_n: live dma-bufs of vf, each mapped (default 1, at most 4096)");

static unsigned int vf_quota_kb = 8192;
module_param(vf_quota_kb, uint, 0444);
MODULE_PARM_DESC(vf_quota_kb, "what=scale: LMEM quota of each VF in KiB, as the software PF's (default 8192)");

/* Buffers of the measured VF, and latencies sampled in each phase. */
#define BENCH_REVOKE_BUFS	8
#define BENCH_REVOKE_SAMPLES	41
/* what=revoke_n: most buffers */
#define BENCH_MAX_BUFFERS	4096
/* what=frame: bytes the PF reads of every 4 KiB page, one cache line */
#define BENCH_LINE		64
/* what=scale: size of each VF's buffer, at most its quota */
#define BENCH_SCALE_BUF		SZ_1M

/* Map the 16 MiB IOVA range, page i onto BAR page @bar_page(i). */
static int bench_map(struct iommu_domain *domain, u64 bar, unsigned int bar_pages,
		     unsigned int stride)
{
	unsigned long i;
	int err;

	for (i = 0; i < BENCH_PAGES; i++) {
		err = xe_pfvf_iommu_map(domain, BENCH_IOVA + i * SZ_4K,
					bar + ((i * stride) % bar_pages) * SZ_4K, SZ_4K,
					IOMMU_READ | IOMMU_WRITE);
		if (err)
			return err;
	}
	return 0;
}

static u64 bench_bare(struct iommu_domain *domain, phys_addr_t *sink)
{
	phys_addr_t acc = 0;
	unsigned long i;
	unsigned int it;
	u64 t0 = ktime_get_ns();

	for (it = 0; it < iterations; it++)
		for (i = 0; i < BENCH_PAGES; i++)
			acc ^= iommu_iova_to_phys(domain, BENCH_IOVA + i * SZ_4K);
	*sink = acc;
	return ktime_get_ns() - t0;
}

static u64 bench_xe_pfvf(struct xe_pfvf_vf *h, struct iommu_domain *domain,
			 struct xe_pfvf_extent *ext, u32 *nr, int *err)
{
	const struct xe_pfvf_xlate_req req = {
		.space = XE_PFVF_SPACE_IOVA, .addr = BENCH_IOVA, .len = BENCH_LEN,
	};
	unsigned int it;
	u64 t0 = ktime_get_ns();

	for (it = 0; it < iterations && !*err; it++) {
		struct xe_pfvf_xlate_res res = { .ext = ext, .max = BENCH_PAGES };

		*err = xe_pfvf_vf_translate(h, domain, &req, &res);
		*nr = res.nr;
	}
	return ktime_get_ns() - t0;
}

/*
 * Time one IOVA layout: the range is laid over the first @run pages of the
 * BAR again and again, visiting them @stride apart (stride 1 gives runs of
 * @run contiguous pages; stride 3 over 4 pages breaks every run).
 */
static int bench_layout(struct pci_dev *pdev, struct xe_pfvf_vf *h, unsigned int run,
			unsigned int stride, struct xe_pfvf_extent *ext)
{
	u64 bar = pci_resource_start(pdev, lmem_bar);
	struct iommu_domain *domain;
	unsigned int round;
	u64 bare, ours;
	phys_addr_t sink;
	u32 nr = 0;
	int err;

	domain = iommu_domain_alloc(&pci_bus_type);
	if (!domain)
		return -ENODEV;
	err = bench_map(domain, bar, run, stride);
	if (!err) {
		/* Warm up, then keep the best of alternating rounds. */
		bench_bare(domain, &sink);
		bench_xe_pfvf(h, domain, ext, &nr, &err);
		bare = U64_MAX;
		ours = U64_MAX;
		for (round = 0; round < rounds && !err; round++) {
			bare = min(bare, bench_bare(domain, &sink));
			ours = min(ours, bench_xe_pfvf(h, domain, ext, &nr, &err));
		}
	}
	if (!err)
		pr_info(BENCH_NAME ": iova 16MiB in %u-page runs: bare iommu_iova_to_phys %llu ns, xe_pfvf %llu ns, ratio %llu.%03llu (target <= 1.30: %s), %u extents (best of %u rounds of %u)\n",
			stride == 1 ? run : 1, div_u64(bare, iterations), div_u64(ours, iterations),
			div64_u64(ours, bare), div64_u64(ours * 1000, bare) % 1000,
			ours * 100 <= bare * 130 ? "meets" : "misses", nr, rounds, iterations);
	if (!err)
		pr_info(BENCH_NAME ": csv=iova extent_kb=%u run_pages=%u bare_ns=%llu xlate_ns=%llu\n",
			extent_kb, stride == 1 ? run : 1, div_u64(bare, iterations),
			div_u64(ours, iterations));
	iommu_domain_free(domain);
	return err;
}

static void bench_move_notify(struct dma_buf_attachment *attach)
{
	const struct xe_pfvf_mapping **map = attach->importer_priv;

	xe_pfvf_dmabuf_unmap(attach, *map);
	*map = NULL;
}

static const struct dma_buf_attach_ops bench_importer_ops = {
	.XE_PFVF_INVALIDATE_MAPPINGS = bench_move_notify,
};

/* Private interconnect: lock, map, unmap, unlock; ns for all iterations. */
static u64 bench_private(struct dma_buf_attachment *attach, const struct xe_pfvf_mapping **map,
			 int *err)
{
	struct dma_resv *resv = attach->dmabuf->resv;
	unsigned int it;
	u64 t0 = ktime_get_ns();

	for (it = 0; it < iterations && !*err; it++) {
		dma_resv_lock(resv, NULL);
		*map = xe_pfvf_dmabuf_map(attach);
		if (IS_ERR(*map))
			*err = PTR_ERR(*map);
		else
			xe_pfvf_dmabuf_unmap(attach, *map);
		*map = NULL;
		dma_resv_unlock(resv);
	}
	return ktime_get_ns() - t0;
}

/* Standard path, best case: the 16 MiB BAR range in one dma_map_resource(). */
static u64 bench_map_resource(struct device *dev, phys_addr_t phys, int *err)
{
	unsigned int it;
	u64 t0 = ktime_get_ns();

	for (it = 0; it < iterations && !*err; it++) {
		dma_addr_t addr = dma_map_resource(dev, phys, BENCH_LEN, DMA_BIDIRECTIONAL,
						   DMA_ATTR_SKIP_CPU_SYNC);

		if (dma_mapping_error(dev, addr))
			*err = -EIO;
		else
			dma_unmap_resource(dev, addr, BENCH_LEN, DMA_BIDIRECTIONAL,
					   DMA_ATTR_SKIP_CPU_SYNC);
	}
	return ktime_get_ns() - t0;
}

/* Standard path over fragmented memory: the extents as page runs. */
static u64 bench_map_sgtable(struct device *dev, struct sg_table *sgt, int *err)
{
	unsigned int it;
	u64 t0 = ktime_get_ns();

	for (it = 0; it < iterations && !*err; it++) {
		*err = dma_map_sgtable(dev, sgt, DMA_BIDIRECTIONAL, 0);
		if (!*err)
			dma_unmap_sgtable(dev, sgt, DMA_BIDIRECTIONAL, 0);
	}
	return ktime_get_ns() - t0;
}

/* One scatterlist entry per extent of @map, backed by system pages. */
static int bench_sgtable(const struct xe_pfvf_mapping *map, struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;
	int err;

	err = sg_alloc_table(sgt, map->nr_extents, GFP_KERNEL);
	if (err)
		return err;
	for_each_sgtable_sg(sgt, sg, i) {
		u64 size = map->extents[i].size;
		struct page *page = alloc_pages(GFP_KERNEL, get_order(size));

		if (!page)
			return -ENOMEM;
		sg_set_page(sg, page, size, 0);
	}
	return 0;
}

static void bench_sgtable_free(struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i)
		if (sg_page(sg))
			__free_pages(sg_page(sg), get_order(sg->length));
	sg_free_table(sgt);
}

static void bench_report(const char *name, u64 ns, u64 private_ns)
{
	pr_info(BENCH_NAME ": dmabuf 16MiB map+unmap: %s %llu ns, private interconnect %llu ns, %llux cheaper (%u iterations)\n",
		name, div_u64(ns, iterations), div_u64(private_ns, iterations),
		div64_u64(ns, max(private_ns, 1ULL)), iterations);
}

static int bench_dmabuf_run(struct pci_dev *pdev, struct dma_buf *dmabuf)
{
	struct device *pf = &pci_physfn(pdev)->dev;
	const struct xe_pfvf_mapping *map = NULL;
	struct dma_buf_attachment *attach;
	struct iommu_domain *domain;
	struct sg_table sgt = {};
	u64 priv, res, sg;
	int err;

	attach = xe_pfvf_dmabuf_attach(dmabuf, pf, &bench_importer_ops, &map,
				       XE_PFVF_INTERCONNECT_LMEM);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	dma_resv_lock(dmabuf->resv, NULL);
	map = xe_pfvf_dmabuf_map(attach);
	err = PTR_ERR_OR_ZERO(map);
	if (!err) {
		err = bench_sgtable(map, &sgt);
		xe_pfvf_dmabuf_unmap(attach, map);
	}
	map = NULL;
	dma_resv_unlock(dmabuf->resv);
	domain = iommu_get_domain_for_dev(pf);
	if (!err) {
		pr_info(BENCH_NAME ": dmabuf: %u extents, PF %s in IOMMU domain type %#x\n",
			sgt.orig_nents, dev_name(pf), domain ? domain->type : 0);
		/* Warm up, then the best of two rounds each. */
		bench_private(attach, &map, &err);
		bench_map_resource(pf, pci_resource_start(pdev, lmem_bar), &err);
		bench_map_sgtable(pf, &sgt, &err);
		priv = min(bench_private(attach, &map, &err), bench_private(attach, &map, &err));
		res = min(bench_map_resource(pf, pci_resource_start(pdev, lmem_bar), &err),
			  bench_map_resource(pf, pci_resource_start(pdev, lmem_bar), &err));
		sg = min(bench_map_sgtable(pf, &sgt, &err), bench_map_sgtable(pf, &sgt, &err));
	}
	if (!err) {
		bench_report("dma_map_resource (1 range)", res, priv);
		bench_report("dma_map_sgtable (per extent)", sg, priv);
		pr_info(BENCH_NAME ": csv=dmabuf bytes=%u private_ns=%llu map_resource_ns=%llu map_sgtable_ns=%llu\n",
			BENCH_LEN, div_u64(priv, iterations), div_u64(res, iterations),
			div_u64(sg, iterations));
	}
	bench_sgtable_free(&sgt);
	dma_buf_detach(dmabuf, attach);
	return err;
}

static int bench_dmabuf(struct pci_dev *pdev, struct xe_pfvf_vf *h)
{
	struct xe_pfvf_dmabuf_range range = { 0, BENCH_LEN };
	struct xe_pfvf_dmabuf_desc desc = {
		.space = XE_PFVF_SPACE_LMEM, .ranges = &range, .nr_ranges = 1, .flags = O_RDWR,
	};
	struct dma_buf *dmabuf;
	int err;

	dmabuf = xe_pfvf_dmabuf_export(h, &desc);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	err = bench_dmabuf_run(pdev, dmabuf);
	dma_buf_put(dmabuf);
	return err;
}

/**
 * struct bench_importer - a private-interconnect importer of the benchmark
 * @attach: its attachment
 * @map: its mapping, NULL when unmapped
 * @unmapped_ns: when move_notify last unmapped it (ktime_get_ns()), 0 if
 *		 it has not since the benchmark cleared it
 * @stall: never unmaps on move_notify, as a broken importer
 *
 * @map and @unmapped_ns are protected by the buffer's reservation lock.
 */
struct bench_importer {
	struct dma_buf_attachment *attach;
	const struct xe_pfvf_mapping *map;
	u64 unmapped_ns;
	bool stall;
};

static void bench_revoke_notify(struct dma_buf_attachment *attach)
{
	struct bench_importer *imp = attach->importer_priv;

	if (imp->stall || !imp->map)
		return;
	xe_pfvf_dmabuf_unmap(attach, imp->map);
	imp->map = NULL;
	imp->unmapped_ns = ktime_get_ns();
}

static const struct dma_buf_attach_ops bench_revoke_ops = {
	.XE_PFVF_INVALIDATE_MAPPINGS = bench_revoke_notify,
};

static int bench_revoke_map(struct bench_importer *imp)
{
	struct dma_resv *resv = imp->attach->dmabuf->resv;
	int err = 0;

	dma_resv_lock(resv, NULL);
	if (!imp->map) {
		imp->map = xe_pfvf_dmabuf_map(imp->attach);
		err = PTR_ERR_OR_ZERO(imp->map);
		if (err)
			imp->map = NULL;
	}
	dma_resv_unlock(resv);
	return err;
}

static void bench_revoke_unmap(struct bench_importer *imp)
{
	dma_resv_lock(imp->attach->dmabuf->resv, NULL);
	if (imp->map)
		xe_pfvf_dmabuf_unmap(imp->attach, imp->map);
	imp->map = NULL;
	dma_resv_unlock(imp->attach->dmabuf->resv);
}

/*
 * Drop a dma-buf, as close() of its last fd does.  In a kernel thread the
 * release is deferred to the delayed-fput list, run here at once; in a
 * process (insmod) it runs on the return to userspace.
 */
static void bench_put(struct dma_buf *dmabuf)
{
	dma_buf_put(dmabuf);
	if (current->flags & PF_KTHREAD)
		flush_delayed_fput();
}

/* Bytes [@offset, @offset + @len) of @h's LMEM, attached and mapped by @imp for the PF. */
static struct dma_buf *bench_export_mapped(struct pci_dev *pdev, struct xe_pfvf_vf *h,
					   u64 offset, u64 len, struct bench_importer *imp)
{
	struct xe_pfvf_dmabuf_range range = { offset, len };
	struct xe_pfvf_dmabuf_desc desc = {
		.space = XE_PFVF_SPACE_LMEM, .ranges = &range, .nr_ranges = 1, .flags = O_RDWR,
	};
	struct dma_buf *dmabuf;
	int err;

	dmabuf = xe_pfvf_dmabuf_export(h, &desc);
	if (IS_ERR(dmabuf))
		return dmabuf;
	imp->attach = xe_pfvf_dmabuf_attach(dmabuf, &pci_physfn(pdev)->dev, &bench_revoke_ops,
					    imp, XE_PFVF_INTERCONNECT_LMEM);
	err = PTR_ERR_OR_ZERO(imp->attach);
	if (!err) {
		err = bench_revoke_map(imp);
		if (err)
			dma_buf_detach(dmabuf, imp->attach);
	}
	if (err) {
		bench_put(dmabuf);
		return ERR_PTR(err);
	}
	return dmabuf;
}

/* A 4 KiB buffer of @h, attached and mapped by @imp for the PF. */
static struct dma_buf *bench_revoke_export(struct pci_dev *pdev, struct xe_pfvf_vf *h,
					   struct bench_importer *imp)
{
	return bench_export_mapped(pdev, h, 0, SZ_4K, imp);
}

static void bench_revoke_drop(struct dma_buf *dmabuf, struct bench_importer *imp)
{
	bench_revoke_unmap(imp);
	dma_buf_detach(dmabuf, imp->attach);
	bench_put(dmabuf);
}

/**
 * struct bench_stuck - the stuck VF's side, run by a thread
 * @pdev: the VF
 * @h: its xe_pfvf handle
 * @waits: revocations waited out so far
 * @waiting: a revocation is waiting for the stuck importer now
 * @err: the first error
 */
struct bench_stuck {
	struct pci_dev *pdev;
	struct xe_pfvf_vf *h;
	atomic_t waits;
	atomic_t waiting;
	int err;
};

/* Export, map with an importer that never unmaps, revoke (waits), let go. */
static int bench_stuck_thread(void *data)
{
	struct bench_stuck *st = data;

	while (!kthread_should_stop()) {
		struct bench_importer imp = { .stall = true };
		struct dma_buf *dmabuf = bench_revoke_export(st->pdev, st->h, &imp);
		int err;

		if (IS_ERR(dmabuf)) {
			st->err = PTR_ERR(dmabuf);
			break;
		}
		atomic_set(&st->waiting, 1);
		err = xe_pfvf_dmabuf_revoke(dmabuf);
		atomic_set(&st->waiting, 0);
		atomic_inc(&st->waits);
		bench_revoke_drop(dmabuf, &imp);
		if (err != -EBUSY) {
			st->err = err ?: -EINVAL;
			break;
		}
	}
	while (!kthread_should_stop())
		usleep_range(10000, 20000);
	return 0;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * One sample: revoke @h's buffers (temporarily, as on a memory disable),
 * time it, restore them and map them again.  With @st, only a sample taken
 * entirely inside one of the stuck VF's waits counts.
 */
static int bench_revoke_sample(struct xe_pfvf_vf *h, struct bench_importer *imps,
			       struct bench_stuck *st, u64 *ns)
{
	int waits = st ? atomic_read(&st->waits) : 0;
	bool inside = !st || atomic_read(&st->waiting);
	unsigned int i;
	u64 t0;
	int ret, err = 0;

	t0 = ktime_get_ns();
	ret = xe_pfvf_vf_revoke(h, XE_PFVF_REVOKE_TEMPORARY);
	*ns = ktime_get_ns() - t0;
	if (st && (!atomic_read(&st->waiting) || atomic_read(&st->waits) != waits))
		inside = false;
	if (ret != BENCH_REVOKE_BUFS)
		return ret < 0 ? ret : -EIO;
	if (xe_pfvf_vf_restore(h) != BENCH_REVOKE_BUFS)
		return -EIO;
	for (i = 0; i < BENCH_REVOKE_BUFS && !err; i++)
		err = bench_revoke_map(&imps[i]);
	return err ?: inside ? 0 : -EAGAIN;
}

/* Median of @n samples taken as bench_revoke_sample() says. */
static int bench_revoke_phase(struct xe_pfvf_vf *h, struct bench_importer *imps,
			      struct bench_stuck *st, u64 *median)
{
	u64 samples[BENCH_REVOKE_SAMPLES];
	unsigned long deadline = jiffies + 60 * HZ;
	unsigned int n = 0;
	int err;

	while (n < BENCH_REVOKE_SAMPLES) {
		err = bench_revoke_sample(h, imps, st, &samples[n]);
		if (!err) {
			n++;
			continue;
		}
		if (err != -EAGAIN)
			return err;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		usleep_range(100, 200);
	}
	sort(samples, n, sizeof(*samples), bench_cmp_u64, NULL);
	*median = samples[n / 2];
	return 0;
}

static int bench_revoke(struct pci_dev *pdev, struct xe_pfvf_vf *h, struct pci_dev *stuck_pdev)
{
	struct bench_importer imps[BENCH_REVOKE_BUFS] = {};
	struct dma_buf *bufs[BENCH_REVOKE_BUFS] = {};
	struct bench_stuck st = { .pdev = stuck_pdev };
	struct task_struct *thread;
	u64 alone = 0, beside = 0;
	unsigned int i;
	int err = 0;

	st.h = xe_pfvf_vf_get(stuck_pdev);
	if (IS_ERR(st.h))
		return PTR_ERR(st.h);
	for (i = 0; i < BENCH_REVOKE_BUFS && !err; i++) {
		bufs[i] = bench_revoke_export(pdev, h, &imps[i]);
		err = PTR_ERR_OR_ZERO(bufs[i]);
		if (err)
			bufs[i] = NULL;
	}
	if (!err)
		err = bench_revoke_phase(h, imps, NULL, &alone);
	if (!err) {
		thread = kthread_run(bench_stuck_thread, &st, "xe_pfvf_bench_stuck");
		err = PTR_ERR_OR_ZERO(thread);
		if (!err) {
			err = bench_revoke_phase(h, imps, &st, &beside);
			kthread_stop(thread);
			err = err ?: st.err;
		}
	}
	if (!err)
		pr_info(BENCH_NAME ": revoke %u dma-bufs of %s: %llu ns alone, %llu ns while %s waits for a stuck importer (%d waits), %llu.%02llux: %s (target 1.5x)\n",
			BENCH_REVOKE_BUFS, pci_name(pdev), alone, beside, pci_name(stuck_pdev),
			atomic_read(&st.waits), div64_u64(beside, max(alone, 1ULL)),
			div64_u64(beside * 100, max(alone, 1ULL)) % 100,
			beside * 2 <= alone * 3 ? "meets" : "misses");
	if (!err)
		pr_info(BENCH_NAME ": csv=revoke_stuck alone_ns=%llu stuck_ns=%llu\n",
			alone, beside);
	for (i = 0; i < BENCH_REVOKE_BUFS; i++)
		if (bufs[i])
			bench_revoke_drop(bufs[i], &imps[i]);
	xe_pfvf_vf_put(st.h);
	return err;
}

/* Sorts @n samples in place; the median. */
static u64 bench_median(u64 *samples, unsigned int n)
{
	sort(samples, n, sizeof(*samples), bench_cmp_u64, NULL);
	return samples[n / 2];
}

/**
 * struct bench_job - a benchmark run in a kernel thread
 * @fn: the benchmark
 * @pdev: the VF given as ``vf``
 * @h: its xe_pfvf handle
 * @done: @fn returned
 * @err: what it returned
 */
struct bench_job {
	int (*fn)(struct pci_dev *pdev, struct xe_pfvf_vf *h);
	struct pci_dev *pdev;
	struct xe_pfvf_vf *h;
	struct completion done;
	int err;
};

static int bench_job_thread(void *data)
{
	struct bench_job *job = data;

	job->err = job->fn(job->pdev, job->h);
	complete(&job->done);
	/* kthread_stop() needs the thread alive until it is called. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Run @fn in a kernel thread, where bench_put() releases a dma-buf at once,
 * inside the figure that includes it, as close() does before it returns
 * to the VMM.
 */
static int bench_in_thread(int (*fn)(struct pci_dev *pdev, struct xe_pfvf_vf *h),
			   struct pci_dev *pdev, struct xe_pfvf_vf *h)
{
	struct bench_job job = { .fn = fn, .pdev = pdev, .h = h };
	struct task_struct *thread;

	init_completion(&job.done);
	thread = kthread_run(bench_job_thread, &job, "xe_pfvf_bench");
	if (IS_ERR(thread)) {
		pr_err(BENCH_NAME ": cannot start the benchmark thread: %pe\n", thread);
		return PTR_ERR(thread);
	}
	wait_for_completion(&job.done);
	kthread_stop(thread);
	return job.err;
}

/**
 * struct bench_vram - the software PF's simulated VRAM, as the PF GPU sees it
 * @base: VRAM address 0
 * @size: bytes
 */
struct bench_vram {
	const void *base;
	u64 size;
};

/* Frames at 32 bits per pixel, in whole 4 KiB pages. */
static const struct {
	const char *name;
	u64 bytes;
} bench_frames[] = {
	{ "1080p", ALIGN(1920ULL * 1080 * 4, SZ_4K) },
	{ "4k", ALIGN(3840ULL * 2160 * 4, SZ_4K) },
};

/* An extent of a mapping must lie inside the VRAM, as the importer checks. */
static int bench_vram_check(const struct bench_vram *vram, const struct xe_pfvf_extent *e)
{
	u64 end;

	if (check_add_overflow(e->start, e->size, &end) || end > vram->size) {
		pr_err(BENCH_NAME ": extent %#llx+%#llx outside the %llu-byte VRAM\n",
		       e->start, e->size, vram->size);
		return -EIO;
	}
	return 0;
}

/* The PF GPU reading a frame: one cache line of every 4 KiB page. */
static int bench_frame_read(const struct bench_vram *vram, const struct xe_pfvf_mapping *map,
			    u64 *sink)
{
	unsigned int i, w;
	u64 acc = 0, off;
	int err;

	for (i = 0; i < map->nr_extents; i++) {
		const struct xe_pfvf_extent *e = &map->extents[i];

		err = bench_vram_check(vram, e);
		if (err)
			return err;
		for (off = 0; off < e->size; off += SZ_4K) {
			const u64 *line = vram->base + e->start + off;

			for (w = 0; w < BENCH_LINE / sizeof(*line); w++)
				acc ^= READ_ONCE(line[w]);
		}
	}
	*sink ^= acc;
	return 0;
}

/* Host copy through system memory: the whole frame out of the VRAM into @dst. */
static int bench_frame_copy(const struct bench_vram *vram, const struct xe_pfvf_mapping *map,
			    void *dst)
{
	unsigned int i;
	u64 done = 0;
	int err;

	for (i = 0; i < map->nr_extents; i++) {
		const struct xe_pfvf_extent *e = &map->extents[i];

		err = bench_vram_check(vram, e);
		if (err)
			return err;
		memcpy(dst + done, vram->base + e->start, e->size);
		done += e->size;
	}
	return 0;
}

/* One map (and read, with @vram), unmap of an attached buffer, as the importer does. */
static int bench_frame_map(struct bench_importer *imp, const struct bench_vram *vram, u64 *sink)
{
	struct dma_resv *resv = imp->attach->dmabuf->resv;
	const struct xe_pfvf_mapping *map;
	int err = 0;

	dma_resv_lock(resv, NULL);
	map = xe_pfvf_dmabuf_map(imp->attach);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		pr_err(BENCH_NAME ": frame map: %pe\n", map);
	} else {
		imp->map = map;
		if (vram)
			err = bench_frame_read(vram, map, sink);
		xe_pfvf_dmabuf_unmap(imp->attach, map);
		imp->map = NULL;
	}
	dma_resv_unlock(resv);
	return err;
}

/* The phases of one frame shared from scratch, in ns. */
enum bench_phase {
	BENCH_EXPORT,	/* xe_pfvf_dmabuf_export() */
	BENCH_ATTACH,	/* the PF's import: xe_pfvf_dmabuf_attach() */
	BENCH_USE,	/* map, read, unmap */
	BENCH_RELEASE,	/* detach, and the last reference dropped */
	BENCH_PHASES
};

/*
 * One frame shared from scratch: export the frame's LMEM range as a
 * dma-buf, import it as the PF over the private interconnect, map, read,
 * unmap, detach, drop (and so release) it.  @ns gets the whole, @phase_ns
 * each phase.
 */
static int bench_frame_share(struct pci_dev *pdev, struct xe_pfvf_vf *h,
			     const struct bench_vram *vram, u64 bytes, u64 *ns,
			     u64 phase_ns[BENCH_PHASES], u64 *sink)
{
	struct xe_pfvf_dmabuf_range range = { 0, bytes };
	struct xe_pfvf_dmabuf_desc desc = {
		.space = XE_PFVF_SPACE_LMEM, .ranges = &range, .nr_ranges = 1, .flags = O_RDWR,
	};
	struct bench_importer imp = {};
	struct dma_buf *dmabuf;
	u64 t[BENCH_PHASES + 1];
	unsigned int i;
	int err;

	memset(t, 0, sizeof(t));
	t[0] = ktime_get_ns();
	dmabuf = xe_pfvf_dmabuf_export(h, &desc);
	if (IS_ERR(dmabuf)) {
		pr_err(BENCH_NAME ": frame export of %llu bytes: %pe\n", bytes, dmabuf);
		return PTR_ERR(dmabuf);
	}
	t[BENCH_ATTACH] = ktime_get_ns();
	imp.attach = xe_pfvf_dmabuf_attach(dmabuf, &pci_physfn(pdev)->dev, &bench_revoke_ops,
					   &imp, XE_PFVF_INTERCONNECT_LMEM);
	err = PTR_ERR_OR_ZERO(imp.attach);
	t[BENCH_USE] = ktime_get_ns();
	if (err) {
		pr_err(BENCH_NAME ": frame attach: %pe\n", imp.attach);
	} else {
		err = bench_frame_map(&imp, vram, sink);
		t[BENCH_RELEASE] = ktime_get_ns();
		dma_buf_detach(dmabuf, imp.attach);
	}
	bench_put(dmabuf);
	t[BENCH_PHASES] = ktime_get_ns();
	if (err)
		return err;
	*ns = t[BENCH_PHASES] - t[0];
	for (i = 0; i < BENCH_PHASES; i++)
		phase_ns[i] = t[i + 1] - t[i];
	return 0;
}

/* Copy samples of the frame behind @imp's mapping into @dst. */
static int bench_frame_copy_sample(struct bench_importer *imp, const struct bench_vram *vram,
				   void *dst, u64 *ns)
{
	struct dma_resv *resv = imp->attach->dmabuf->resv;
	u64 t0;
	int err;

	dma_resv_lock(resv, NULL);
	imp->map = xe_pfvf_dmabuf_map(imp->attach);
	err = PTR_ERR_OR_ZERO(imp->map);
	if (err) {
		pr_err(BENCH_NAME ": frame map for the copy: %pe\n", imp->map);
		imp->map = NULL;
	} else {
		t0 = ktime_get_ns();
		err = bench_frame_copy(vram, imp->map, dst);
		*ns = ktime_get_ns() - t0;
		xe_pfvf_dmabuf_unmap(imp->attach, imp->map);
		imp->map = NULL;
	}
	dma_resv_unlock(resv);
	return err;
}

/*
 * Medians of the four figures of one frame size and of the share's phases,
 * samples interleaved: @samples holds (4 + BENCH_PHASES) * iterations.
 */
static int bench_frame_size(struct pci_dev *pdev, struct xe_pfvf_vf *h,
			    const struct bench_vram *vram, u64 bytes, u64 *samples, void *dst,
			    u64 *med, u64 phase_med[BENCH_PHASES])
{
	u64 *share = samples, *steady = share + iterations, *bare = steady + iterations;
	u64 *copy = bare + iterations, *phases = copy + iterations, sink = 0, t0;
	u64 phase[BENCH_PHASES];
	unsigned int p;
	struct bench_importer imp = {};
	struct dma_buf *dmabuf;
	unsigned int it;
	int err = 0;

	/* The steady buffer: exported and attached once, left unmapped. */
	dmabuf = bench_export_mapped(pdev, h, 0, bytes, &imp);
	if (IS_ERR(dmabuf)) {
		pr_err(BENCH_NAME ": frame export of %llu bytes: %pe\n", bytes, dmabuf);
		return PTR_ERR(dmabuf);
	}
	bench_revoke_unmap(&imp);

	/* Warm up each once, then take the samples in turn. */
	for (it = 0; it <= iterations && !err; it++) {
		unsigned int i = it ? it - 1 : 0;

		err = bench_frame_share(pdev, h, vram, bytes, &share[i], phase, &sink);
		for (p = 0; p < BENCH_PHASES && !err; p++)
			phases[p * iterations + i] = phase[p];
		if (!err) {
			t0 = ktime_get_ns();
			err = bench_frame_map(&imp, vram, &sink);
			steady[i] = ktime_get_ns() - t0;
		}
		if (!err) {
			t0 = ktime_get_ns();
			err = bench_frame_map(&imp, NULL, &sink);
			bare[i] = ktime_get_ns() - t0;
		}
		if (!err)
			err = bench_frame_copy_sample(&imp, vram, dst, &copy[i]);
	}
	bench_revoke_drop(dmabuf, &imp);
	if (err)
		return err;
	med[0] = bench_median(share, iterations);
	med[1] = bench_median(steady, iterations);
	med[2] = bench_median(bare, iterations);
	med[3] = bench_median(copy, iterations);
	for (p = 0; p < BENCH_PHASES; p++)
		phase_med[p] = bench_median(phases + p * iterations, iterations);
	pr_debug(BENCH_NAME ": frame sink %llx\n", sink);
	return 0;
}

static int bench_frame(struct pci_dev *pdev, struct xe_pfvf_vf *h)
{
	struct pci_dev *pf = pci_physfn(pdev);
	struct bench_vram vram;
	u64 *samples, med[4], phase[BENCH_PHASES];
	unsigned int i;
	void *dst;
	int err = 0;

	vram.base = xe_pfvf_swpf_vram(pf, &vram.size);
	if (IS_ERR(vram.base)) {
		pr_err(BENCH_NAME ": frame: PF %s has no software PF VRAM to read: %pe\n",
		       pci_name(pf), vram.base);
		return PTR_ERR(vram.base);
	}
	samples = kmalloc_array((4 + BENCH_PHASES) * iterations, sizeof(*samples), GFP_KERNEL);
	dst = vmalloc(bench_frames[ARRAY_SIZE(bench_frames) - 1].bytes);
	if (!samples || !dst) {
		pr_err(BENCH_NAME ": frame: no memory for the samples or the copy\n");
		err = -ENOMEM;
	}
	for (i = 0; i < ARRAY_SIZE(bench_frames) && !err; i++) {
		u64 bytes = bench_frames[i].bytes;

		err = bench_frame_size(pdev, h, &vram, bytes, samples, dst, med, phase);
		if (err)
			break;
		pr_info(BENCH_NAME ": frame %s (%llu bytes at LMEM offset 0 of VF%u: LMEM offsets, the VF BAR is only %llu KiB): per-frame export+import+map+read+unmap+put %llu ns, steady map+read+unmap %llu ns, map+unmap %llu ns, copy through system memory %llu ns (medians of %u)\n",
			bench_frames[i].name, bytes, xe_pfvf_vf_id(h),
			(u64)pci_resource_len(pdev, xe_pfvf_vf_lmem_bar(h)) >> 10,
			med[0], med[1], med[2], med[3], iterations);
		pr_info(BENCH_NAME ": frame %s, the share's phases (medians of each): export %llu ns, import %llu ns, map+read+unmap %llu ns, detach+release %llu ns\n",
			bench_frames[i].name, phase[BENCH_EXPORT], phase[BENCH_ATTACH],
			phase[BENCH_USE], phase[BENCH_RELEASE]);
		pr_info(BENCH_NAME ": csv=frame frame=%s bytes=%llu pages=%llu share_ns=%llu steady_ns=%llu steady_map_ns=%llu copy_ns=%llu export_ns=%llu import_ns=%llu use_ns=%llu release_ns=%llu source=lmem\n",
			bench_frames[i].name, bytes, bytes / SZ_4K, med[0], med[1], med[2],
			med[3], phase[BENCH_EXPORT], phase[BENCH_ATTACH], phase[BENCH_USE],
			phase[BENCH_RELEASE]);
	}
	vfree(dst);
	kfree(samples);
	return err;
}

/*
 * One revoke_n sample: a VF reset's revocation of all @n buffers, from the
 * call to the last importer's unmap; then restore and map them again.
 */
static int bench_revoke_n_sample(struct xe_pfvf_vf *h, struct bench_importer *imps,
				 unsigned int n, u64 *ns)
{
	unsigned int i;
	u64 t0, last = 0;
	int ret, restored, err = 0;

	for (i = 0; i < n; i++)
		imps[i].unmapped_ns = 0;
	t0 = ktime_get_ns();
	ret = xe_pfvf_vf_revoke(h, XE_PFVF_REVOKE_TEMPORARY);
	for (i = 0; i < n && ret == n; i++) {
		if (imps[i].map || imps[i].unmapped_ns < t0) {
			pr_err(BENCH_NAME ": revoke_n: importer %u did not unmap\n", i);
			err = -EIO;
			break;
		}
		last = max(last, imps[i].unmapped_ns);
	}
	restored = xe_pfvf_vf_restore(h);
	if (ret != n) {
		pr_err(BENCH_NAME ": revoke_n: %d of %u buffers revoked\n", ret, n);
		return ret < 0 ? ret : -EIO;
	}
	if (restored != n) {
		pr_err(BENCH_NAME ": revoke_n: %d of %u buffers restored\n", restored, n);
		return -EIO;
	}
	*ns = last - t0;
	for (i = 0; i < n && !err; i++)
		err = bench_revoke_map(&imps[i]);
	return err;
}

static int bench_revoke_n(struct pci_dev *pdev, struct xe_pfvf_vf *h)
{
	struct bench_importer *imps;
	struct dma_buf **bufs;
	u64 *samples, median;
	unsigned int i, n = 0;
	int err = 0;

	imps = kvcalloc(buffers, sizeof(*imps), GFP_KERNEL);
	bufs = kvcalloc(buffers, sizeof(*bufs), GFP_KERNEL);
	samples = kmalloc_array(iterations, sizeof(*samples), GFP_KERNEL);
	if (!imps || !bufs || !samples) {
		pr_err(BENCH_NAME ": revoke_n: no memory for %u buffers\n", buffers);
		err = -ENOMEM;
	}
	/* 4 KiB each, over the first MiB of the VF's LMEM. */
	for (n = 0; n < buffers && !err; n++) {
		bufs[n] = bench_export_mapped(pdev, h, (n % 256) * SZ_4K, SZ_4K, &imps[n]);
		err = PTR_ERR_OR_ZERO(bufs[n]);
		if (err) {
			pr_err(BENCH_NAME ": revoke_n: buffer %u: %pe\n", n, bufs[n]);
			break;
		}
	}
	/* A warm-up sample, then the samples. */
	for (i = 0; i <= iterations && !err; i++)
		err = bench_revoke_n_sample(h, imps, buffers, &samples[i ? i - 1 : 0]);
	if (!err) {
		median = bench_median(samples, iterations);
		pr_info(BENCH_NAME ": revoke_n: VF reset revocation of %u mapped dma-bufs of %s, call to last unmap: %llu ns (median of %u)\n",
			buffers, pci_name(pdev), median, iterations);
		pr_info(BENCH_NAME ": csv=revoke buffers=%u latency_ns=%llu\n", buffers, median);
	}
	while (n--)
		bench_revoke_drop(bufs[n], &imps[n]);
	kfree(samples);
	kvfree(bufs);
	kvfree(imps);
	return err;
}

/**
 * struct bench_scale_vf - one VF in what=scale
 * @pdev: the VF
 * @h: its xe_pfvf handle
 * @dmabuf: its buffer, while exported
 * @imp: the PF's import of it
 */
struct bench_scale_vf {
	struct pci_dev *pdev;
	struct xe_pfvf_vf *h;
	struct dma_buf *dmabuf;
	struct bench_importer imp;
};

/* Every VF of @pf, indexed by VF number - 1, each with its handle. */
static int bench_scale_get(struct pci_dev *pf, struct bench_scale_vf *vfs, unsigned int nvfs)
{
	struct pci_dev *dev = NULL;
	unsigned int i;
	int id;

	while ((dev = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, dev))) {
		if (!dev->is_virtfn || pci_physfn(dev) != pf)
			continue;
		id = pci_iov_vf_id(dev);
		if (id >= 0 && id < nvfs && !vfs[id].pdev)
			vfs[id].pdev = pci_dev_get(dev);
	}
	for (i = 0; i < nvfs; i++) {
		if (!vfs[i].pdev) {
			pr_err(BENCH_NAME ": scale: VF%u of %s not found\n", i + 1, pci_name(pf));
			return -ENODEV;
		}
		vfs[i].h = xe_pfvf_vf_get(vfs[i].pdev);
		if (IS_ERR(vfs[i].h)) {
			pr_err(BENCH_NAME ": scale: %s: %pe\n", pci_name(vfs[i].pdev), vfs[i].h);
			return PTR_ERR(vfs[i].h);
		}
	}
	return 0;
}

static void bench_scale_put(struct bench_scale_vf *vfs, unsigned int nvfs)
{
	unsigned int i;

	for (i = 0; i < nvfs; i++) {
		if (vfs[i].dmabuf)
			bench_revoke_drop(vfs[i].dmabuf, &vfs[i].imp);
		if (!IS_ERR_OR_NULL(vfs[i].h))
			xe_pfvf_vf_put(vfs[i].h);
		pci_dev_put(vfs[i].pdev);
	}
}

/* Translate every page of every VF's LMEM, one 4 KiB request each. */
static int bench_scale_lookup(struct bench_scale_vf *vfs, unsigned int nvfs, u64 pages,
			      u64 *ns, u64 *sink)
{
	struct xe_pfvf_xlate_req req = { .space = XE_PFVF_SPACE_LMEM, .len = SZ_4K };
	struct xe_pfvf_extent ext;
	u64 p, acc = 0, t0 = ktime_get_ns();
	unsigned int i;
	int err;

	for (i = 0; i < nvfs; i++) {
		for (p = 0; p < pages; p++) {
			struct xe_pfvf_xlate_res res = { .ext = &ext, .max = 1 };

			req.addr = p * SZ_4K;
			err = xe_pfvf_vf_translate(vfs[i].h, NULL, &req, &res);
			if (err) {
				pr_err(BENCH_NAME ": scale: VF%u LMEM page %llu: %pe\n", i + 1, p,
				       ERR_PTR(err));
				return err;
			}
			acc ^= ext.start;
		}
	}
	*ns = ktime_get_ns() - t0;
	*sink ^= acc;
	return 0;
}

/*
 * Revoke every VF's buffer as PF unregistration does: the PF-wide
 * withdrawal of all VFs (xe_pfvf_pf_set_num_vfs(0) runs it, as
 * xe_pfvf_pf_unregister() does), from the call to the last unmap.  Then
 * the VFs are reported enabled again, unprovisioned.
 */
static int bench_scale_unregister(struct pci_dev *pf_pdev, struct bench_scale_vf *vfs,
				  unsigned int nvfs, u64 *ns, u64 *call_ns)
{
	struct xe_pfvf_pf *pf = xe_pfvf_pf_get(pf_pdev);
	unsigned int i;
	u64 t0, last = 0;
	int err, again;

	if (!pf) {
		pr_err(BENCH_NAME ": scale: %s is not registered\n", pci_name(pf_pdev));
		return -ENODEV;
	}
	for (i = 0; i < nvfs; i++)
		vfs[i].imp.unmapped_ns = 0;
	t0 = ktime_get_ns();
	err = xe_pfvf_pf_set_num_vfs(pf, 0);
	*call_ns = ktime_get_ns() - t0;
	again = xe_pfvf_pf_set_num_vfs(pf, nvfs);
	xe_pfvf_pf_put(pf);
	if (err)
		pr_err(BENCH_NAME ": scale: withdrawing all VFs: %pe\n", ERR_PTR(err));
	if (again)
		pr_err(BENCH_NAME ": scale: enabling the VFs again: %pe\n", ERR_PTR(again));
	if (err || again)
		return err ?: again;
	for (i = 0; i < nvfs; i++) {
		if (vfs[i].imp.map || vfs[i].imp.unmapped_ns < t0) {
			pr_err(BENCH_NAME ": scale: the importer of VF%u did not unmap\n", i + 1);
			return -EIO;
		}
		last = max(last, vfs[i].imp.unmapped_ns);
	}
	*ns = last - t0;
	return 0;
}

static int bench_scale(struct pci_dev *pdev, struct xe_pfvf_vf *h)
{
	struct pci_dev *pf = pci_physfn(pdev);
	u64 quota = (u64)vf_quota_kb << 10, pages = quota / SZ_4K;
	u64 len = min_t(u64, quota, BENCH_SCALE_BUF);
	unsigned int nvfs = pci_num_vf(pf), i, it;
	u64 *lookup, *expmap, sink = 0, unreg = 0, call = 0, t0;
	struct bench_scale_vf *vfs;
	int err = 0;

	if (!nvfs || !pages || quota % SZ_4K) {
		pr_err(BENCH_NAME ": scale: %u VFs, vf_quota_kb=%u\n", nvfs, vf_quota_kb);
		return -EINVAL;
	}
	vfs = kvcalloc(nvfs, sizeof(*vfs), GFP_KERNEL);
	lookup = kmalloc_array(iterations, sizeof(*lookup), GFP_KERNEL);
	expmap = kvmalloc_array(array_size(iterations, nvfs), sizeof(*expmap), GFP_KERNEL);
	if (!vfs || !lookup || !expmap) {
		pr_err(BENCH_NAME ": scale: no memory for %u VFs\n", nvfs);
		err = -ENOMEM;
		goto out_free;
	}
	err = bench_scale_get(pf, vfs, nvfs);

	/* A warm-up sweep, then the sweeps. */
	for (it = 0; it <= iterations && !err; it++)
		err = bench_scale_lookup(vfs, nvfs, pages, &lookup[it ? it - 1 : 0], &sink);

	/* Rounds of one export+map per VF; the last round stays mapped. */
	for (it = 0; it < iterations && !err; it++) {
		for (i = 0; i < nvfs && !err; i++) {
			t0 = ktime_get_ns();
			vfs[i].dmabuf = bench_export_mapped(vfs[i].pdev, vfs[i].h, 0, len,
							    &vfs[i].imp);
			expmap[it * nvfs + i] = ktime_get_ns() - t0;
			if (IS_ERR(vfs[i].dmabuf)) {
				err = PTR_ERR(vfs[i].dmabuf);
				pr_err(BENCH_NAME ": scale: export VF%u: %pe\n", i + 1,
				       vfs[i].dmabuf);
				vfs[i].dmabuf = NULL;
			}
		}
		for (i = 0; i < nvfs && it + 1 < iterations; i++) {
			if (vfs[i].dmabuf)
				bench_revoke_drop(vfs[i].dmabuf, &vfs[i].imp);
			vfs[i].dmabuf = NULL;
		}
	}
	if (!err)
		err = bench_scale_unregister(pf, vfs, nvfs, &unreg, &call);
	if (!err) {
		u64 look = bench_median(lookup, iterations), em;

		em = bench_median(expmap, iterations * nvfs);
		pr_info(BENCH_NAME ": scale: %u VFs of %s, %llu KiB LMEM each: translation %llu.%03llu ns per page (%llu pages, median of %u sweeps), export+map of %llu KiB %llu ns (median of %u), all %u buffers revoked by the PF-wide withdrawal of PF unregistration in %llu ns to the last unmap (%llu ns the whole call)\n",
			nvfs, pci_name(pf), quota >> 10, div64_u64(look, nvfs * pages),
			div64_u64(look * 1000, nvfs * pages) % 1000, nvfs * pages, iterations,
			len >> 10, em, iterations * nvfs, nvfs, unreg, call);
		pr_info(BENCH_NAME ": csv=scale vfs=%u pages=%llu lookup_ps_per_page=%llu export_map_ns=%llu unregister_revoke_ns=%llu buffers=%u\n",
			nvfs, nvfs * pages, div64_u64(look * 1000, nvfs * pages), em, unreg, nvfs);
		pr_debug(BENCH_NAME ": scale sink %llx\n", sink);
	}
out_free:
	if (vfs)
		bench_scale_put(vfs, nvfs);
	kvfree(expmap);
	kfree(lookup);
	kvfree(vfs);
	return err;
}

static struct pci_dev *bench_pci_dev(const char *name)
{
	unsigned int domain, bus, slot, fn;

	if (!name || sscanf(name, "%x:%x:%x.%x", &domain, &bus, &slot, &fn) != 4)
		return NULL;
	return pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
}

static int __init bench_init(void)
{
	unsigned int domain, bus, slot, fn;
	struct xe_pfvf_extent *ext;
	struct pci_dev *pdev;
	struct xe_pfvf_vf *h;
	int err;

	if (!vf || sscanf(vf, "%x:%x:%x.%x", &domain, &bus, &slot, &fn) != 4 || !iterations ||
	    !rounds) {
		pr_err(BENCH_NAME ": needs vf=<PCI address>, iterations > 0 and rounds > 0\n");
		return -EINVAL;
	}
	if (!sysfs_streq(what, "iova") && !sysfs_streq(what, "dmabuf") &&
	    !sysfs_streq(what, "revoke") && !sysfs_streq(what, "frame") &&
	    !sysfs_streq(what, "revoke_n") && !sysfs_streq(what, "scale")) {
		pr_err(BENCH_NAME ": unknown what=%s\n", what);
		return -EINVAL;
	}
	if (sysfs_streq(what, "iova") && !extent_kb) {
		pr_err(BENCH_NAME ": what=iova needs extent_kb=<the software PF's extent_kb>\n");
		return -EINVAL;
	}
	if (!buffers || buffers > BENCH_MAX_BUFFERS) {
		pr_err(BENCH_NAME ": buffers=%u: 1 to %u\n", buffers, BENCH_MAX_BUFFERS);
		return -EINVAL;
	}
	pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!pdev) {
		pr_err(BENCH_NAME ": vf=%s: no such PCI device\n", vf);
		return -ENODEV;
	}
	h = xe_pfvf_vf_get(pdev);
	ext = kvmalloc_array(BENCH_PAGES, sizeof(*ext), GFP_KERNEL);
	err = IS_ERR(h) ? PTR_ERR(h) : ext ? 0 : -ENOMEM;
	if (!err && sysfs_streq(what, "dmabuf")) {
		err = bench_dmabuf(pdev, h);
	} else if (!err && sysfs_streq(what, "frame")) {
		err = bench_in_thread(bench_frame, pdev, h);
	} else if (!err && sysfs_streq(what, "revoke_n")) {
		err = bench_in_thread(bench_revoke_n, pdev, h);
	} else if (!err && sysfs_streq(what, "scale")) {
		err = bench_in_thread(bench_scale, pdev, h);
	} else if (!err && sysfs_streq(what, "revoke")) {
		struct pci_dev *stuck = bench_pci_dev(stuck_vf);

		if (!stuck)
			pr_err(BENCH_NAME ": what=revoke needs stuck_vf=<PCI address of a VF>\n");
		err = stuck ? bench_revoke(pdev, h, stuck) : -EINVAL;
		pci_dev_put(stuck);
	} else if (!err) {
		unsigned int bar_pages = pci_resource_len(pdev, lmem_bar) / SZ_4K;

		/*
		 * As a VMM maps a BAR: runs as long as the BAR (up to the whole
		 * range); then runs of 4 pages, and of 1 page (the worst case).
		 */
		if (bar_pages < 4)
			err = -ENOSPC;
		if (!err && bar_pages > 4)
			err = bench_layout(pdev, h, min_t(unsigned int, bar_pages, BENCH_PAGES),
					   1, ext);
		if (!err)
			err = bench_layout(pdev, h, 4, 1, ext);
		if (!err)
			err = bench_layout(pdev, h, 4, 3, ext);
	}
	if (err)
		pr_err(BENCH_NAME ": %s: %pe\n", vf, ERR_PTR(err));
	kvfree(ext);
	xe_pfvf_vf_put(h);
	pci_dev_put(pdev);
	return err;
}

static void __exit bench_exit(void)
{
}

module_init(bench_init);
module_exit(bench_exit);

MODULE_DESCRIPTION("xe_pfvf in-kernel benchmarks");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(XE_PFVF_NS);
MODULE_IMPORT_NS(XE_PFVF_DMA_BUF_NS);
