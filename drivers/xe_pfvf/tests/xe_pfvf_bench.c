// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 *
 * In-kernel benchmark, run by `make bench` in the VM: IOVA translation of a
 * 16 MiB range by xe_pfvf against a bare iommu_iova_to_phys() loop over the
 * same pages, in a real IOMMU domain whose pages point into a VF's LMEM
 * BAR.  Prints its figures to the kernel log and stays loaded until rmmod.
 */

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

static int lmem_bar;
module_param(lmem_bar, int, 0444);
MODULE_PARM_DESC(lmem_bar, "The VF's LMEM BAR (default 0)");

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

static int bench_layout(struct pci_dev *pdev, struct xe_pfvf_vf *h, const char *name,
			unsigned int stride, struct xe_pfvf_extent *ext)
{
	u64 bar = pci_resource_start(pdev, lmem_bar);
	unsigned int bar_pages = pci_resource_len(pdev, lmem_bar) / SZ_4K;
	struct iommu_domain *domain;
	u64 bare, ours;
	phys_addr_t sink;
	u32 nr = 0;
	int err;

	domain = iommu_domain_alloc(&pci_bus_type);
	if (!domain)
		return -ENODEV;
	err = bench_map(domain, bar, min(bar_pages, 4U), stride);
	if (!err) {
		/* Warm up, then keep the best of two alternating rounds. */
		bench_bare(domain, &sink);
		bench_xe_pfvf(h, domain, ext, &nr, &err);
		bare = bench_bare(domain, &sink);
		ours = bench_xe_pfvf(h, domain, ext, &nr, &err);
		ours = min(ours, bench_xe_pfvf(h, domain, ext, &nr, &err));
		bare = min(bare, bench_bare(domain, &sink));
	}
	if (!err)
		pr_info(BENCH_NAME ": iova %s 16MiB: bare iommu_iova_to_phys %llu ns, xe_pfvf %llu ns, ratio %llu.%02llu, %u extents (%u iterations)\n",
			name, div_u64(bare, iterations), div_u64(ours, iterations),
			div64_u64(ours, bare), div64_u64(ours * 100, bare) % 100, nr,
			iterations);
	iommu_domain_free(domain);
	return err;
}

static int __init bench_init(void)
{
	unsigned int domain, bus, slot, fn;
	struct xe_pfvf_extent *ext;
	struct pci_dev *pdev;
	struct xe_pfvf_vf *h;
	int err;

	if (!vf || sscanf(vf, "%x:%x:%x.%x", &domain, &bus, &slot, &fn) != 4 || !iterations) {
		pr_err(BENCH_NAME ": needs vf=<PCI address> and iterations > 0\n");
		return -EINVAL;
	}
	pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;
	h = xe_pfvf_vf_get(pdev);
	ext = kvmalloc_array(BENCH_PAGES, sizeof(*ext), GFP_KERNEL);
	err = IS_ERR(h) ? PTR_ERR(h) : ext ? 0 : -ENOMEM;
	/* Runs of 4 contiguous pages, then runs of 1 page (worst case). */
	if (!err)
		err = bench_layout(pdev, h, "runs-of-4-pages", 1, ext);
	if (!err)
		err = bench_layout(pdev, h, "runs-of-1-page", 3, ext);
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
