// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 *
 * KUnit tests of the translation service through the exported API, on a
 * real SR-IOV PF with real VFs (QEMU's emulated NVMe PF in the test VM)
 * and, for IOVAs, a real IOMMU domain (intel-iommu) filled with
 * xe_pfvf_iommu_map().  VF BAR0 (16 KiB on the emulated VFs) is the LMEM BAR.
 */

#include <kunit/test.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_kunit_common.h"

#define IOVA_BASE	0x40000000UL

static const struct xe_pfvf_pf_desc xlate_desc = {
	.name = "kunit-xlate",
	.vram_size = SZ_1M,
	.lmem_bar = 0,
};

static int xlate_test_init(struct kunit *test)
{
	struct xe_pfvf_kunit_pf *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	xe_pfvf_kunit_pf_up(test, t, &xlate_desc);
	if (!t->pdev)
		return 0;
	KUNIT_ASSERT_EQ(test, pci_resource_len(t->vf[0], 0), (resource_size_t)SZ_16K);

	xe_pfvf_kunit_pf_provision(test, t);
	return 0;
}

static void xlate_test_exit(struct kunit *test)
{
	xe_pfvf_kunit_pf_down(test->priv);
}

static struct xe_pfvf_kunit_pf *require_setup(struct kunit *test)
{
	struct xe_pfvf_kunit_pf *t = test->priv;

	if (!t->pdev)
		kunit_skip(test, "no unbound SR-IOV PF with 2 or more VFs");
	return t;
}

/* Translate and compare with @want, @n extents. */
static void expect_xlate(struct kunit *test, struct xe_pfvf_pf *pf,
			 struct iommu_domain *domain, struct xe_pfvf_xlate_req req,
			 const struct xe_pfvf_extent *want, unsigned int n)
{
	struct xe_pfvf_extent ext[16];
	struct xe_pfvf_xlate_res res = { .ext = ext, .max = ARRAY_SIZE(ext) };
	unsigned int i;

	KUNIT_ASSERT_EQ(test, xe_pfvf_pf_translate(pf, domain, &req, &res), 0);
	KUNIT_ASSERT_EQ(test, res.nr, n);
	KUNIT_EXPECT_EQ(test, res.bytes, req.len);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, ext[i].start, want[i].start, "extent %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ext[i].size, want[i].size, "extent %u", i);
	}
}

static int xlate_err(struct xe_pfvf_pf *pf, struct iommu_domain *domain,
		     struct xe_pfvf_xlate_req req)
{
	struct xe_pfvf_xlate_res res = {};

	return xe_pfvf_pf_translate(pf, domain, &req, &res);
}

static void xlate_real_vf_bar(struct kunit *test)
{
	struct xe_pfvf_kunit_pf *t = require_setup(test);
	/* LMEM pages 0-3: VRAM 0x3000, then 0x0 and 0x1000 merged, 0x8000. */
	const struct xe_pfvf_extent want[] = {
		{ 0x3000, SZ_4K }, { 0x0, SZ_8K }, { 0x8000, SZ_4K },
	};
	u64 bus = pci_bus_address(t->vf[0], 0);

	expect_xlate(test, t->pf, NULL, (struct xe_pfvf_xlate_req){
		.space = XE_PFVF_SPACE_CPU, .addr = t->bar[0], .len = SZ_16K }, want, 3);
	expect_xlate(test, t->pf, NULL, (struct xe_pfvf_xlate_req){
		.space = XE_PFVF_SPACE_BUS, .addr = bus, .len = SZ_16K }, want, 3);
	/* The BAR shows only 16 of the 32 KiB provisioned. */
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, NULL, (struct xe_pfvf_xlate_req){
		.space = XE_PFVF_SPACE_CPU, .addr = t->bar[0], .len = SZ_16K + 1 }), -ENXIO);
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, NULL, (struct xe_pfvf_xlate_req){
		.space = XE_PFVF_SPACE_LMEM, .vfid = 1, .addr = SZ_16K, .len = SZ_16K }), 0);
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, NULL, (struct xe_pfvf_xlate_req){
		.space = XE_PFVF_SPACE_LMEM, .vfid = 1, .addr = SZ_16K, .len = SZ_16K + 1 }),
		-ERANGE);
	/* The PF's own BAR and system RAM are refused. */
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, NULL, (struct xe_pfvf_xlate_req){
		.space = XE_PFVF_SPACE_CPU, .addr = pci_resource_start(t->pdev, 0),
		.len = SZ_4K }), -EPERM);
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, NULL, (struct xe_pfvf_xlate_req){
		.space = XE_PFVF_SPACE_CPU, .addr = SZ_1M, .len = SZ_4K }), -EFAULT);
}

static void xlate_vf_scoped(struct kunit *test)
{
	struct xe_pfvf_kunit_pf *t = require_setup(test);
	struct xe_pfvf_xlate_req req = {
		.space = XE_PFVF_SPACE_CPU, .addr = t->bar[0], .len = SZ_4K,
	};
	struct xe_pfvf_xlate_res res = {};
	struct xe_pfvf_vf *vf2;

	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_vf_get(NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_vf_get(t->pdev)), -EINVAL);
	vf2 = xe_pfvf_vf_get(t->vf[1]);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vf2);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_id(vf2), 2U);

	/* VF2 asking for VF1's BAR. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_translate(vf2, NULL, &req, &res), -EXDEV);
	req.vfid = 1;
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_translate(vf2, NULL, &req, &res), -EINVAL);
	req.vfid = 0;
	req.addr = t->bar[1];
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_translate(vf2, NULL, &req, &res), 0);
	KUNIT_EXPECT_EQ(test, res.vfid, 2);
	xe_pfvf_vf_put(vf2);
}

static void xlate_provisioning_changes(struct kunit *test)
{
	struct xe_pfvf_kunit_pf *t = require_setup(test);
	const struct xe_pfvf_extent clash[] = { { 0x9000, SZ_4K } };
	struct xe_pfvf_xlate_req req = {
		.space = XE_PFVF_SPACE_CPU, .addr = t->bar[1], .len = SZ_4K,
	};
	struct xe_pfvf_xlate_res res = {};
	u32 gen;

	KUNIT_ASSERT_EQ(test, xe_pfvf_pf_translate(t->pf, NULL, &req, &res), 0);
	gen = res.generation;

	/* Overlapping VF1's VRAM, VF not enabled, no such VF. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_provision(t->pf, 2, &(struct xe_pfvf_provision){
		SZ_4K, clash, 1 }), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_provision(t->pf, 3, &xe_pfvf_kunit_prov[1]), -ENODEV);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_provision(t->pf, 0, &xe_pfvf_kunit_prov[1]), -EINVAL);
	/* The refused updates left VF2 as it was. */
	res = (struct xe_pfvf_xlate_res){};
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_translate(t->pf, NULL, &req, &res), 0);
	KUNIT_EXPECT_EQ(test, res.generation, gen);

	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_unprovision(t->pf, 2), 0);
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, NULL, req), -ENODEV);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_provision(t->pf, 2, &xe_pfvf_kunit_prov[1]), 0);
	res = (struct xe_pfvf_xlate_res){};
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_translate(t->pf, NULL, &req, &res), 0);
	KUNIT_EXPECT_GT(test, res.generation, gen);

	/* Disabling VFs takes their BARs out of the table. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(t->pf, 0), 0);
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, NULL, req), -EADDRNOTAVAIL);
}

/* Map one read-write 4 KiB page of the test's IOVA space. */
static int map_page(struct iommu_domain *domain, u64 iova, phys_addr_t phys)
{
	return xe_pfvf_iommu_map(domain, iova, phys, SZ_4K, IOMMU_READ | IOMMU_WRITE);
}

static void xlate_iova(struct kunit *test)
{
	struct xe_pfvf_kunit_pf *t = require_setup(test);
	/* IOVA pages 0-3 -> BAR pages 2, 0, 3, 1: IOVA-contiguous only. */
	static const unsigned int perm[] = { 2, 0, 3, 1 };
	/* LMEM pages 2, 0, 3, 1 live at VRAM 0x1000, 0x3000, 0x8000, 0x0. */
	const struct xe_pfvf_extent want[] = {
		{ 0x1000, SZ_4K }, { 0x3000, SZ_4K }, { 0x8000, SZ_4K }, { 0x0, SZ_4K },
	};
	/* Half of IOVA page 0 and half of page 1. */
	const struct xe_pfvf_extent want_unaligned[] = { { 0x1800, SZ_2K }, { 0x3000, SZ_2K } };
	const struct xe_pfvf_extent want_linear[] = {
		{ 0x3000, SZ_4K }, { 0x0, SZ_8K }, { 0x8000, SZ_4K },
	};
	struct xe_pfvf_xlate_req req = { .space = XE_PFVF_SPACE_IOVA, .len = SZ_16K };
	struct xe_pfvf_xlate_res res = {};
	struct iommu_domain *domain;
	struct xe_pfvf_vf *vf1;
	struct page *ram;
	unsigned int i;

	domain = iommu_domain_alloc(&pci_bus_type);
	if (!domain)
		kunit_skip(test, "no IOMMU domain (boot with intel_iommu=on)");
	ram = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ram);

	for (i = 0; i < ARRAY_SIZE(perm); i++) {
		u64 iova = IOVA_BASE + i * SZ_4K;

		KUNIT_ASSERT_EQ(test, map_page(domain, iova, t->bar[0] + perm[i] * SZ_4K), 0);
		KUNIT_ASSERT_EQ(test, map_page(domain, iova + SZ_1M, t->bar[0] + i * SZ_4K), 0);
	}
	KUNIT_ASSERT_EQ(test, map_page(domain, IOVA_BASE + SZ_2M, page_to_phys(ram)), 0);
	KUNIT_ASSERT_EQ(test, map_page(domain, IOVA_BASE + SZ_4M, t->bar[1]), 0);
	KUNIT_ASSERT_EQ(test, map_page(domain, IOVA_BASE + SZ_8M,
				       pci_resource_start(t->pdev, 0)), 0);

	req.addr = IOVA_BASE;
	expect_xlate(test, t->pf, domain, req, want, 4);
	req.addr = IOVA_BASE + SZ_1M;
	expect_xlate(test, t->pf, domain, req, want_linear, 3);
	expect_xlate(test, t->pf, domain, (struct xe_pfvf_xlate_req){
		.space = XE_PFVF_SPACE_IOVA, .addr = IOVA_BASE + SZ_2K, .len = SZ_4K },
		want_unaligned, 2);

	/* RAM, unmapped, partly mapped, the PF's BAR. */
	req.len = SZ_4K;
	req.addr = IOVA_BASE + SZ_2M;
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), -EFAULT);
	req.addr = IOVA_BASE + SZ_2M + SZ_4K;
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), -EADDRNOTAVAIL);
	req.addr = IOVA_BASE + SZ_8K;
	req.len = SZ_16K;
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), -EADDRNOTAVAIL);
	req.addr = IOVA_BASE + SZ_8M;
	req.len = SZ_4K;
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), -EPERM);

	/* VF2's BAR behind an IOVA: fine for the PF, refused for VF1. */
	req.addr = IOVA_BASE + SZ_4M;
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), 0);
	vf1 = xe_pfvf_vf_get(t->vf[0]);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vf1);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_translate(vf1, domain, &req, &res), -EXDEV);
	req.addr = IOVA_BASE;
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_translate(vf1, domain, &req, &res), 0);
	xe_pfvf_vf_put(vf1);

	iommu_domain_free(domain);
	__free_page(ram);
}

#define WALK_PAGES	1200	/* over two batches of 512 pages, many flushes of runs */

/* BAR page behind IOVA page @i of the long walk, after @prev. */
static unsigned int walk_bar_page(unsigned int i, unsigned int prev)
{
	u32 h = i * 2654435761U;

	/* Two pages in three follow the one before: runs of 1 to 4 pages. */
	return (h >> 28) % 3 ? (prev + 1) % 4 : (h >> 24) % 4;
}

/*
 * A walk of WALK_PAGES IOVA pages, in many runs, against the same pages
 * translated one at a time by CPU address into one result; then what stops
 * it, deep inside: RAM, an unmapped page, VF2's BAR for VF1, a full array.
 */
static void xlate_iova_long_walk(struct kunit *test)
{
	struct xe_pfvf_kunit_pf *t = require_setup(test);
	struct xe_pfvf_xlate_req req = {
		.space = XE_PFVF_SPACE_IOVA, .addr = IOVA_BASE, .len = WALK_PAGES * SZ_4K,
	};
	struct xe_pfvf_xlate_res res = {}, want = {};
	struct xe_pfvf_extent *ext, *want_ext;
	struct iommu_domain *domain;
	struct xe_pfvf_vf *vf1;
	unsigned int i, page = 0;
	struct page *ram;
	int err = 0;

	domain = iommu_domain_alloc(&pci_bus_type);
	if (!domain)
		kunit_skip(test, "no IOMMU domain (boot with intel_iommu=on)");
	ram = alloc_page(GFP_KERNEL);
	ext = kunit_kcalloc(test, WALK_PAGES, sizeof(*ext), GFP_KERNEL);
	want_ext = kunit_kcalloc(test, WALK_PAGES, sizeof(*want_ext), GFP_KERNEL);
	if (!ram || !ext || !want_ext)
		goto out;

	want.ext = want_ext;
	want.max = WALK_PAGES;
	for (i = 0; i < WALK_PAGES && !err; i++) {
		struct xe_pfvf_xlate_req one = { .space = XE_PFVF_SPACE_CPU, .len = SZ_4K };

		page = walk_bar_page(i, page);
		one.addr = t->bar[0] + page * SZ_4K;
		err = map_page(domain, IOVA_BASE + i * SZ_4K, one.addr);
		if (!err)
			err = xe_pfvf_pf_translate(t->pf, NULL, &one, &want);
	}
	KUNIT_EXPECT_EQ(test, err, 0);
	if (err)
		goto out;
	/* Runs of 1 to 4 pages: far more than one flush of runs per batch. */
	KUNIT_EXPECT_GT(test, want.nr, WALK_PAGES / 4);

	res.ext = ext;
	res.max = WALK_PAGES;
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_translate(t->pf, domain, &req, &res), 0);
	KUNIT_EXPECT_EQ(test, res.bytes, req.len);
	KUNIT_EXPECT_EQ(test, res.nr, want.nr);
	KUNIT_EXPECT_EQ(test, memcmp(ext, want_ext, min(res.nr, want.nr) * sizeof(*ext)), 0);

	/* A full array: counted to the end all the same. */
	res = (struct xe_pfvf_xlate_res){ .ext = ext, .max = 3 };
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_translate(t->pf, domain, &req, &res), -E2BIG);
	KUNIT_EXPECT_EQ(test, res.nr, want.nr);
	KUNIT_EXPECT_EQ(test, res.bytes, req.len);

	/* Page 700 unmapped, then RAM, then VF2's BAR on behalf of VF1. */
	iommu_unmap(domain, IOVA_BASE + 700 * SZ_4K, SZ_4K);
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), -EADDRNOTAVAIL);
	KUNIT_EXPECT_EQ(test, map_page(domain, IOVA_BASE + 700 * SZ_4K, page_to_phys(ram)), 0);
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), -EFAULT);
	iommu_unmap(domain, IOVA_BASE + 700 * SZ_4K, SZ_4K);
	KUNIT_EXPECT_EQ(test, map_page(domain, IOVA_BASE + 700 * SZ_4K, t->bar[1]), 0);
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), -EXDEV);
	vf1 = xe_pfvf_vf_get(t->vf[0]);
	if (!IS_ERR_OR_NULL(vf1)) {
		res = (struct xe_pfvf_xlate_res){};
		KUNIT_EXPECT_EQ(test, xe_pfvf_vf_translate(vf1, domain, &req, &res), -EXDEV);
		req.len = 700 * SZ_4K;
		KUNIT_EXPECT_EQ(test, xe_pfvf_vf_translate(vf1, domain, &req, &res), 0);
		xe_pfvf_vf_put(vf1);
	}
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, vf1);
out:
	KUNIT_EXPECT_NOT_NULL(test, ram);
	if (ram)
		__free_page(ram);
	iommu_domain_free(domain);
}

/*
 * Runs after the first in VF1's BAR are translated inline, up to the end of
 * the BAR: a run from inside it across its end is still refused as a whole
 * (-ENXIO when VF2's BAR follows right after, so that the run is
 * physically contiguous), and what comes before it is judged first.
 */
static void xlate_iova_run_across_bar_end(struct kunit *test)
{
	struct xe_pfvf_kunit_pf *t = require_setup(test);
	struct xe_pfvf_xlate_req req = {
		.space = XE_PFVF_SPACE_IOVA, .addr = IOVA_BASE, .len = 3 * SZ_4K,
	};
	/* LMEM pages 1 and 3 live at VRAM 0x0 and 0x8000. */
	const struct xe_pfvf_extent want[] = { { 0x0, SZ_4K }, { 0x8000, SZ_4K } };
	bool adjacent = t->bar[1] == t->bar[0] + SZ_16K;
	struct iommu_domain *domain;

	domain = iommu_domain_alloc(&pci_bus_type);
	if (!domain)
		kunit_skip(test, "no IOMMU domain (boot with intel_iommu=on)");
	/* BAR pages 1 and 3 of VF1, then VF2's first page. */
	KUNIT_ASSERT_EQ(test, map_page(domain, IOVA_BASE, t->bar[0] + SZ_4K), 0);
	KUNIT_ASSERT_EQ(test, map_page(domain, IOVA_BASE + SZ_4K, t->bar[0] + 3 * SZ_4K), 0);
	KUNIT_ASSERT_EQ(test, map_page(domain, IOVA_BASE + SZ_8K, t->bar[1]), 0);

	expect_xlate(test, t->pf, domain, (struct xe_pfvf_xlate_req){
		.space = XE_PFVF_SPACE_IOVA, .addr = IOVA_BASE, .len = SZ_8K }, want, 2);
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), adjacent ? -ENXIO : -EXDEV);
	req.vfid = 1;
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), adjacent ? -ENXIO : -EXDEV);
	/* VF2's page on its own: VF2's for the PF, another VF's for VF1. */
	req.addr = IOVA_BASE + SZ_8K;
	req.len = SZ_4K;
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), -EXDEV);
	req.vfid = 0;
	KUNIT_EXPECT_EQ(test, xlate_err(t->pf, domain, req), 0);
	iommu_domain_free(domain);
}

static struct kunit_case xlate_test_cases[] = {
	KUNIT_CASE(xlate_real_vf_bar),
	KUNIT_CASE(xlate_vf_scoped),
	KUNIT_CASE(xlate_provisioning_changes),
	KUNIT_CASE(xlate_iova),
	KUNIT_CASE(xlate_iova_long_walk),
	KUNIT_CASE(xlate_iova_run_across_bar_end),
	{}
};

static struct kunit_suite xlate_test_suite = {
	.name = "xe_pfvf_xlate",
	.init = xlate_test_init,
	.exit = xlate_test_exit,
	.test_cases = xlate_test_cases,
};

kunit_test_suite(xlate_test_suite);
