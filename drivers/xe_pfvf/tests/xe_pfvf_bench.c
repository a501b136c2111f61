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
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/slab.h>
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
MODULE_PARM_DESC(what, "Benchmark: iova or dmabuf (default iova)");

/* Map the 16 MiB IOVA range, page i onto BAR page @bar_page(i). */
static int bench_map(struct iommu_domain *domain, u64 bar, unsigned int bar_pages,
		     unsigned int stride)
{
	unsigned long i;
	int err;

	for (i = 0; i < BENCH_PAGES; i++) {
		err = iommu_map(domain, BENCH_IOVA + i * SZ_4K,
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
	.move_notify = bench_move_notify,
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
