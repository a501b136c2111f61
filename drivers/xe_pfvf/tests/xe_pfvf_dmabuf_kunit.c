// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 *
 * KUnit tests of the dma-buf exporter through the exported API, on a real
 * SR-IOV PF with real VFs (QEMU's emulated NVMe PF in the test VM): export,
 * the private interconnect for the owning PF, refusals of other importers,
 * and revocation from every path that takes a VF's memory away.
 */

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_kunit_common.h"

static const struct xe_pfvf_pf_desc dmabuf_desc = {
	.name = "kunit-dmabuf",
	.vram_size = SZ_1M,
	.lmem_bar = 0,
};

/**
 * struct test_importer - an importer played by the test
 * @map: the current private mapping, NULL when unmapped
 * @sgt: the current standard mapping, NULL when unmapped
 * @notified: move_notify calls
 */
struct test_importer {
	const struct xe_pfvf_mapping *map;
	struct sg_table *sgt;
	int notified;
};

struct dmabuf_test {
	struct xe_pfvf_kunit_pf k;
	struct xe_pfvf_vf *vf1;
};

static void importer_move_notify(struct dma_buf_attachment *attach)
{
	struct test_importer *imp = attach->importer_priv;

	imp->notified++;
	if (imp->map)
		xe_pfvf_dmabuf_unmap(attach, imp->map);
	imp->map = NULL;
	if (imp->sgt)
		dma_buf_unmap_attachment(attach, imp->sgt, DMA_BIDIRECTIONAL);
	imp->sgt = NULL;
}

static const struct dma_buf_attach_ops importer_ops = {
	.allow_peer2peer = true,
	.XE_PFVF_INVALIDATE_MAPPINGS = importer_move_notify,
};

static const struct dma_buf_attach_ops importer_ops_no_move = {
	.allow_peer2peer = true,
};

static int dmabuf_test_init(struct kunit *test)
{
	struct dmabuf_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	xe_pfvf_kunit_pf_up(test, &t->k, &dmabuf_desc);
	if (!t->k.pdev)
		return 0;

	xe_pfvf_kunit_pf_provision(test, &t->k);
	t->vf1 = xe_pfvf_vf_get(t->k.vf[0]);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->vf1);
	return 0;
}

static void dmabuf_test_exit(struct kunit *test)
{
	struct dmabuf_test *t = test->priv;

	if (!IS_ERR_OR_NULL(t->vf1))
		xe_pfvf_vf_put(t->vf1);
	xe_pfvf_kunit_pf_down(&t->k);
}

static struct dmabuf_test *require_setup(struct kunit *test)
{
	struct dmabuf_test *t = test->priv;

	if (!t->k.pdev)
		kunit_skip(test, "no unbound SR-IOV PF with 2 or more VFs");
	return t;
}

static struct dma_buf *export(struct xe_pfvf_vf *vf, u32 space,
			      const struct xe_pfvf_dmabuf_range *r, unsigned int n)
{
	struct xe_pfvf_dmabuf_desc desc = {
		.space = space, .ranges = r, .nr_ranges = n, .flags = O_RDWR,
	};

	return xe_pfvf_dmabuf_export(vf, &desc);
}

static int export_err(struct xe_pfvf_vf *vf, u32 space, u64 offset, u64 length)
{
	struct xe_pfvf_dmabuf_range r = { offset, length };
	struct dma_buf *dmabuf = export(vf, space, &r, 1);

	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	dma_buf_put(dmabuf);
	return 0;
}

/* Attach over the private interconnect, expecting a refusal: its errno. */
static int attach_err(struct dma_buf *dmabuf, struct device *dev,
		      const struct dma_buf_attach_ops *ops, const char *interconnect)
{
	struct test_importer imp = {};
	struct dma_buf_attachment *attach;

	attach = xe_pfvf_dmabuf_attach(dmabuf, dev, ops, &imp, interconnect);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	dma_buf_detach(dmabuf, attach);
	return 0;
}

static struct dma_buf_attachment *attach_private(struct kunit *test, struct dmabuf_test *t,
						 struct dma_buf *dmabuf,
						 struct test_importer *imp)
{
	struct dma_buf_attachment *attach;

	attach = xe_pfvf_dmabuf_attach(dmabuf, &t->k.pdev->dev, &importer_ops, imp,
				       XE_PFVF_INTERCONNECT_LMEM);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	return attach;
}

/* Map over the private interconnect; returns 0 or the errno. */
static int map_private(struct dma_buf_attachment *attach, struct test_importer *imp)
{
	const struct xe_pfvf_mapping *map;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	map = xe_pfvf_dmabuf_map(attach);
	if (!IS_ERR(map))
		imp->map = map;
	dma_resv_unlock(attach->dmabuf->resv);
	return PTR_ERR_OR_ZERO(map);
}

static void unmap_private(struct dma_buf_attachment *attach, struct test_importer *imp)
{
	dma_resv_lock(attach->dmabuf->resv, NULL);
	if (imp->map)
		xe_pfvf_dmabuf_unmap(attach, imp->map);
	imp->map = NULL;
	dma_resv_unlock(attach->dmabuf->resv);
}

/* BAR ranges out of order come back as the VRAM behind them, in buffer order. */
static void dmabuf_private_map(struct kunit *test)
{
	struct dmabuf_test *t = require_setup(test);
	static const struct xe_pfvf_dmabuf_range r[] = { { 0x2000, SZ_8K }, { 0, SZ_4K } };
	static const struct xe_pfvf_extent want[] = {
		{ 0x1000, SZ_4K }, { 0x8000, SZ_4K }, { 0x3000, SZ_4K },
	};
	struct test_importer imp = {};
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	unsigned int i;

	dmabuf = export(t->vf1, XE_PFVF_SPACE_BAR, r, ARRAY_SIZE(r));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_EXPECT_EQ(test, dmabuf->size, (size_t)(3 * SZ_4K));
	KUNIT_EXPECT_TRUE(test, xe_pfvf_is_dmabuf(dmabuf));

	attach = attach_private(test, t, dmabuf, &imp);
	KUNIT_ASSERT_EQ(test, map_private(attach, &imp), 0);
	KUNIT_EXPECT_STREQ(test, imp.map->interconnect, XE_PFVF_INTERCONNECT_LMEM);
	KUNIT_EXPECT_EQ(test, imp.map->vfid, 1);
	KUNIT_EXPECT_EQ(test, imp.map->size, (u64)(3 * SZ_4K));
	KUNIT_ASSERT_EQ(test, imp.map->nr_extents, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		KUNIT_EXPECT_EQ_MSG(test, imp.map->extents[i].start, want[i].start, "extent %u", i);
		KUNIT_EXPECT_EQ_MSG(test, imp.map->extents[i].size, want[i].size, "extent %u", i);
	}
	/* The standard entry point refuses a private attachment. */
	dma_resv_lock(dmabuf->resv, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL)),
			-EOPNOTSUPP);
	dma_resv_unlock(dmabuf->resv);

	unmap_private(attach, &imp);
	dma_buf_detach(dmabuf, attach);
	dma_buf_put(dmabuf);
	KUNIT_EXPECT_EQ(test, imp.notified, 0);
}

/* LMEM offsets reach the whole quota, beyond the 16 KiB BAR. */
static void dmabuf_lmem_space(struct kunit *test)
{
	struct dmabuf_test *t = require_setup(test);
	static const struct xe_pfvf_dmabuf_range r[] = { { SZ_16K, SZ_16K } };
	static const struct xe_pfvf_extent want[] = {
		{ 0x9000, SZ_4K }, { 0x5000, SZ_8K }, { 0xa000, SZ_4K },
	};
	struct test_importer imp = {};
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	unsigned int i;

	dmabuf = export(t->vf1, XE_PFVF_SPACE_LMEM, r, ARRAY_SIZE(r));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	attach = attach_private(test, t, dmabuf, &imp);
	KUNIT_ASSERT_EQ(test, map_private(attach, &imp), 0);
	KUNIT_ASSERT_EQ(test, imp.map->nr_extents, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		KUNIT_EXPECT_EQ_MSG(test, imp.map->extents[i].start, want[i].start, "extent %u", i);
		KUNIT_EXPECT_EQ_MSG(test, imp.map->extents[i].size, want[i].size, "extent %u", i);
	}
	unmap_private(attach, &imp);
	dma_buf_detach(dmabuf, attach);
	dma_buf_put(dmabuf);
}

static void dmabuf_export_errors(struct kunit *test)
{
	struct dmabuf_test *t = require_setup(test);
	struct xe_pfvf_dmabuf_range r = { 0, SZ_4K };
	struct xe_pfvf_dmabuf_desc desc = { .space = XE_PFVF_SPACE_BAR, .ranges = &r };

	KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_IOVA, 0, SZ_4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_CPU, t->k.bar[0], SZ_4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_BAR, 0x800, SZ_4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_BAR, 0, 0x800), -EINVAL);
	KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_BAR, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_BAR, SZ_16K, SZ_4K), -ENXIO);
	KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_BAR, SZ_8K, SZ_16K), -ENXIO);
	KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_LMEM, SZ_32K, SZ_4K), -ERANGE);
	KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_LMEM, SZ_4K, SZ_32K), -ERANGE);
	KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_LMEM, -SZ_4K, SZ_8K), -EOVERFLOW);

	desc.nr_ranges = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_dmabuf_export(t->vf1, &desc)), -EINVAL);
	desc.nr_ranges = XE_PFVF_DMABUF_MAX_RANGES + 1;
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_dmabuf_export(t->vf1, &desc)), -E2BIG);
	desc.nr_ranges = 1;
	desc.flags = O_TRUNC;
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_dmabuf_export(t->vf1, &desc)), -EINVAL);
}

/* Only the owning PF gets the private interconnect, and only if revocable. */
static void dmabuf_attach_refusals(struct kunit *test)
{
	struct dmabuf_test *t = require_setup(test);
	struct xe_pfvf_dmabuf_range r = { 0, SZ_4K };
	struct test_importer imp = {};
	struct dma_buf_attachment *attach;
	struct platform_device *foreign;
	struct dma_buf *dmabuf;

	dmabuf = export(t->vf1, XE_PFVF_SPACE_BAR, &r, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);

	KUNIT_EXPECT_EQ(test, attach_err(dmabuf, &t->k.pdev->dev, &importer_ops, "pcie"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, attach_err(dmabuf, &t->k.pdev->dev, &importer_ops_no_move,
					 XE_PFVF_INTERCONNECT_LMEM), -EOPNOTSUPP);
	/* Another VF of the same PF is not the owner. */
	KUNIT_EXPECT_EQ(test, attach_err(dmabuf, &t->k.vf[1]->dev, &importer_ops,
					 XE_PFVF_INTERCONNECT_LMEM), -EXDEV);

	/* A device that is not PCI has no peer-to-peer path at all. */
	foreign = platform_device_register_simple("xe_pfvf_kunit_importer", -1, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, foreign);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_dynamic_attach(dmabuf, &foreign->dev,
							     &importer_ops, &imp)),
			-EREMOTEIO);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_attach(dmabuf, &foreign->dev)), -EREMOTEIO);
	platform_device_unregister(foreign);

	/* The owner attaching statically cannot be revoked. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_attach(dmabuf, &t->k.pdev->dev)), -EOPNOTSUPP);

	/* Attached privately, the map is not the standard path's. */
	attach = attach_private(test, t, dmabuf, &imp);
	dma_buf_detach(dmabuf, attach);
	dma_buf_put(dmabuf);
}

/* Does @pdev redirect peer-to-peer requests upstream (ACS RR, CR or EC)? */
static bool acs_redirects(struct pci_dev *pdev)
{
	u16 ctrl;

	if (!pdev->acs_cap)
		return false;
	pci_read_config_word(pdev, pdev->acs_cap + PCI_ACS_CTRL, &ctrl);
	return ctrl & (PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_EC);
}

/*
 * The owning PF not asking for the private interconnect gets the standard
 * path: the BAR range, where P2PDMA allows it between VF and PF, cut to the
 * importer's max segment size.  Bus addresses only where the two meet below
 * one bridge that does not redirect them upstream; through the host bridge
 * (an IOVA of the PF's domain, not the bus address) otherwise.
 */
static void dmabuf_standard_path(struct kunit *test)
{
	struct dmabuf_test *t = require_setup(test);
	struct xe_pfvf_dmabuf_range r = { SZ_4K, SZ_8K };
	struct test_importer imp = {};
	struct dma_buf_attachment *attach;
	struct pci_dev *bridge;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;
	unsigned int max_seg;
	bool p2p, bus_addr;
	u64 bus;

	p2p = IS_ENABLED(CONFIG_PCI_P2PDMA) &&
	      pci_p2pdma_distance(t->k.vf[0], &t->k.pdev->dev, false) >= 0;
	/* VF and PF sit on one bus: the bridge above it is their meeting point. */
	bridge = pci_upstream_bridge(t->k.pdev);
	bus_addr = bridge && bridge == pci_upstream_bridge(t->k.vf[0]) && !acs_redirects(bridge);
	bus = pci_bus_address(t->k.vf[0], 0);
	kunit_info(test, "P2PDMA %s, expecting %s", p2p ? "allows" : "refuses",
		   !p2p ? "EREMOTEIO" : bus_addr ? "bus addresses" : "host bridge mappings");

	dmabuf = export(t->vf1, XE_PFVF_SPACE_BAR, &r, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	attach = dma_buf_dynamic_attach(dmabuf, &t->k.pdev->dev, &importer_ops, &imp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);

	/* Segments of 4 KiB at most: the 8 KiB range takes two. */
	max_seg = dma_get_max_seg_size(&t->k.pdev->dev);
	/* void from 6.11 on; cannot fail on a PCI device (it has DMA parameters) */
	dma_set_max_seg_size(&t->k.pdev->dev, SZ_4K);
	dma_resv_lock(dmabuf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
	dma_set_max_seg_size(&t->k.pdev->dev, max_seg);
	/* No assertion under the reservation lock: it would stay held. */
	if (p2p && !IS_ERR_OR_NULL(sgt))
		imp.sgt = sgt;
	if (p2p && imp.sgt)
		KUNIT_EXPECT_EQ(test, sgt->nents, 2);
	else if (p2p)
		KUNIT_FAIL(test, "standard path refused: %ld", PTR_ERR(sgt));
	else
		KUNIT_EXPECT_EQ(test, PTR_ERR(sgt), -EREMOTEIO);
	if (p2p && imp.sgt && sgt->nents == 2) {
		KUNIT_EXPECT_EQ(test, sg_dma_len(sgt->sgl), SZ_4K);
		KUNIT_EXPECT_EQ(test, sg_dma_len(sg_next(sgt->sgl)), SZ_4K);
		if (bus_addr) {
			KUNIT_EXPECT_EQ(test, sg_dma_address(sgt->sgl), bus + SZ_4K);
			KUNIT_EXPECT_EQ(test, sg_dma_address(sg_next(sgt->sgl)), bus + SZ_8K);
		} else {
			/* Mapped for the PF: ACS would send a bus address upstream. */
			KUNIT_EXPECT_NE(test, sg_dma_address(sgt->sgl), bus + SZ_4K);
			KUNIT_EXPECT_NE(test, sg_dma_address(sg_next(sgt->sgl)), bus + SZ_8K);
		}
	}
	/* Private maps need a private attachment. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_dmabuf_map(attach)), -EINVAL);
	dma_resv_unlock(dmabuf->resv);

	/* A revocation unmaps the standard path too. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_dmabuf_revoke(dmabuf), 0);
	KUNIT_EXPECT_EQ(test, imp.notified, 1);
	KUNIT_EXPECT_NULL(test, imp.sgt);
	dma_resv_lock(dmabuf->resv, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL)), -ENODEV);
	dma_resv_unlock(dmabuf->resv);
	dma_buf_detach(dmabuf, attach);
	dma_buf_put(dmabuf);
}

/* Explicit revocation: notified, unmapped, later maps and attaches refused. */
static void dmabuf_revoke(struct kunit *test)
{
	struct dmabuf_test *t = require_setup(test);
	struct xe_pfvf_dmabuf_range r = { 0, SZ_16K };
	struct test_importer imp = {};
	struct dma_buf_attachment *attach;
	struct dma_buf *a, *b;
	struct xe_pfvf_vf *vf2;

	a = export(t->vf1, XE_PFVF_SPACE_BAR, &r, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	vf2 = xe_pfvf_vf_get(t->k.vf[1]);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vf2);
	b = export(vf2, XE_PFVF_SPACE_BAR, &r, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);

	attach = attach_private(test, t, a, &imp);
	KUNIT_ASSERT_EQ(test, map_private(attach, &imp), 0);

	/* Revoking VF2 leaves VF1's buffer alone. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_revoke(vf2, 0), 1);
	KUNIT_EXPECT_EQ(test, imp.notified, 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_revoke(vf2, 0), 0);

	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_revoke(t->vf1, 0), 1);
	KUNIT_EXPECT_EQ(test, imp.notified, 1);
	KUNIT_EXPECT_NULL(test, imp.map);
	KUNIT_EXPECT_EQ(test, map_private(attach, &imp), -ENODEV);
	KUNIT_EXPECT_EQ(test, attach_err(a, &t->k.pdev->dev, &importer_ops,
					 XE_PFVF_INTERCONNECT_LMEM), -ENODEV);
	/* Revoking again is a no-op. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_dmabuf_revoke(a), 0);
	KUNIT_EXPECT_EQ(test, imp.notified, 1);

	dma_buf_detach(a, attach);
	dma_buf_put(a);
	dma_buf_put(b);
	xe_pfvf_vf_put(vf2);
}

enum revoke_path { BY_UNPROVISION, BY_REPROVISION, BY_DISABLE, BY_UNREGISTER };

static const char * const revoke_path_names[] = {
	"unprovision", "reprovision", "vf-disable", "pf-unregister",
};

static void revoke_path_desc(const enum revoke_path *p, char *desc)
{
	strscpy(desc, revoke_path_names[*p], KUNIT_PARAM_DESC_SIZE);
}

static const enum revoke_path revoke_paths[] = {
	BY_UNPROVISION, BY_REPROVISION, BY_DISABLE, BY_UNREGISTER,
};

KUNIT_ARRAY_PARAM(revoke_path, revoke_paths, revoke_path_desc);

/*
 * Every path that takes the VF's memory away revokes its buffers before it
 * returns; the buffer outlives the PF registration without use-after-free
 * (KASAN watches).
 */
static void dmabuf_revoked_by(struct kunit *test)
{
	const enum revoke_path *path = test->param_value;
	struct dmabuf_test *t = require_setup(test);
	struct xe_pfvf_dmabuf_range r = { 0, SZ_8K };
	struct test_importer imp = {};
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;

	dmabuf = export(t->vf1, XE_PFVF_SPACE_BAR, &r, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	attach = attach_private(test, t, dmabuf, &imp);
	KUNIT_ASSERT_EQ(test, map_private(attach, &imp), 0);

	switch (*path) {
	case BY_UNPROVISION:
		KUNIT_EXPECT_EQ(test, xe_pfvf_vf_unprovision(t->k.pf, 1), 0);
		break;
	case BY_REPROVISION:
		KUNIT_EXPECT_EQ(test, xe_pfvf_vf_provision(t->k.pf, 1, &xe_pfvf_kunit_prov[0]), 0);
		break;
	case BY_DISABLE:
		KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(t->k.pf, 0), 0);
		break;
	case BY_UNREGISTER:
		xe_pfvf_pf_unregister(t->k.pf);
		t->k.pf = NULL;
		break;
	}
	KUNIT_EXPECT_EQ(test, imp.notified, 1);
	KUNIT_EXPECT_NULL(test, imp.map);
	KUNIT_EXPECT_EQ(test, map_private(attach, &imp), -ENODEV);

	/* A new export sees the new state. */
	if (*path == BY_REPROVISION)
		KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_BAR, 0, SZ_8K), 0);
	else
		KUNIT_EXPECT_EQ(test, export_err(t->vf1, XE_PFVF_SPACE_BAR, 0, SZ_8K), -ENODEV);

	dma_buf_detach(dmabuf, attach);
	if (*path == BY_UNREGISTER) {
		/* The last reference on the PF may be the buffer's. */
		xe_pfvf_vf_put(t->vf1);
		t->vf1 = NULL;
	}
	dma_buf_put(dmabuf);
}

static struct kunit_case dmabuf_test_cases[] = {
	KUNIT_CASE(dmabuf_private_map),
	KUNIT_CASE(dmabuf_lmem_space),
	KUNIT_CASE(dmabuf_export_errors),
	KUNIT_CASE(dmabuf_attach_refusals),
	KUNIT_CASE(dmabuf_standard_path),
	KUNIT_CASE(dmabuf_revoke),
	KUNIT_CASE_PARAM(dmabuf_revoked_by, revoke_path_gen_params),
	{}
};

static struct kunit_suite dmabuf_test_suite = {
	.name = "xe_pfvf_dmabuf",
	.init = dmabuf_test_init,
	.exit = dmabuf_test_exit,
	.test_cases = dmabuf_test_cases,
};

kunit_test_suite(dmabuf_test_suite);
