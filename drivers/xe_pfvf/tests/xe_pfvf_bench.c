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
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/delay.h>
#include <linux/xe_pfvf.h>

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
MODULE_PARM_DESC(what, "Benchmark: iova, dmabuf or revoke (default iova)");

static char *stuck_vf;
module_param(stuck_vf, charp, 0444);
MODULE_PARM_DESC(stuck_vf, "what=revoke: PCI address of the VF whose importer never unmaps");

/* Buffers of the measured VF, and latencies sampled in each phase. */
#define BENCH_REVOKE_BUFS	8
#define BENCH_REVOKE_SAMPLES	41

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
 * @stall: never unmaps on move_notify, as a broken importer
 */
struct bench_importer {
	struct dma_buf_attachment *attach;
	const struct xe_pfvf_mapping *map;
	bool stall;
};

static void bench_revoke_notify(struct dma_buf_attachment *attach)
{
	struct bench_importer *imp = attach->importer_priv;

	if (imp->stall || !imp->map)
		return;
	xe_pfvf_dmabuf_unmap(attach, imp->map);
	imp->map = NULL;
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

/* A 4 KiB buffer of @h, attached and mapped by @imp for the PF. */
static struct dma_buf *bench_revoke_export(struct pci_dev *pdev, struct xe_pfvf_vf *h,
					   struct bench_importer *imp)
{
	struct xe_pfvf_dmabuf_range range = { 0, SZ_4K };
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
		dma_buf_put(dmabuf);
		return ERR_PTR(err);
	}
	return dmabuf;
}

static void bench_revoke_drop(struct dma_buf *dmabuf, struct bench_importer *imp)
{
	bench_revoke_unmap(imp);
	dma_buf_detach(dmabuf, imp->attach);
	dma_buf_put(dmabuf);
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
	for (i = 0; i < BENCH_REVOKE_BUFS; i++)
		if (bufs[i])
			bench_revoke_drop(bufs[i], &imps[i]);
	xe_pfvf_vf_put(st.h);
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
	pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;
	h = xe_pfvf_vf_get(pdev);
	ext = kvmalloc_array(BENCH_PAGES, sizeof(*ext), GFP_KERNEL);
	err = IS_ERR(h) ? PTR_ERR(h) : ext ? 0 : -ENOMEM;
	if (!err && !strcmp(what, "dmabuf")) {
		err = bench_dmabuf(pdev, h);
	} else if (!err && !strcmp(what, "revoke")) {
		struct pci_dev *stuck = bench_pci_dev(stuck_vf);

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
