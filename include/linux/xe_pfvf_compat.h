/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _LINUX_XE_PFVF_COMPAT_H_
#define _LINUX_XE_PFVF_COMPAT_H_

#include <linux/dma-buf.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/fs.h>
#include <linux/kconfig.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <linux/xe_pfvf_types.h>

/* get_unaligned_le16() and friends moved to <linux/unaligned.h> in 6.12. */
#ifdef XE_PFVF_HAVE_LINUX_UNALIGNED
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

struct device;
struct pci_dev;

/*
 * Every difference between the kernels xe_pfvf builds for lives here, and
 * only here.  Kbuild defines the XE_PFVF_HAVE_* feature macros from the
 * kernel's version (drivers/xe_pfvf/Kbuild).  Built and run: Debian's 6.1
 * and 6.12.  Named but never built (no tree to build against): the 6.13,
 * 6.19, 7.0 and 7.1 branches.
 */

/*
 * Symbol namespaces take a bare identifier up to 6.12 and a string literal
 * from 6.13 on; Kbuild defines XE_PFVF_NS_IS_STRING on the latter.  Use
 * EXPORT_SYMBOL_NS_GPL(sym, XE_PFVF_NS) and MODULE_IMPORT_NS(XE_PFVF_NS);
 * dma-buf users MODULE_IMPORT_NS(XE_PFVF_DMA_BUF_NS).
 */
#ifdef XE_PFVF_NS_IS_STRING
#define XE_PFVF_NS "XE_PFVF"
#define XE_PFVF_DMA_BUF_NS "DMA_BUF"
#else
#define XE_PFVF_NS XE_PFVF
#define XE_PFVF_DMA_BUF_NS DMA_BUF
#endif

/*
 * 7.1 renames &dma_buf_attach_ops.move_notify to invalidate_mappings and
 * dma_buf_move_notify() to dma_buf_invalidate_mappings(), builds move_notify
 * always, and adds dma_buf_attach_revocable() (unbuilt here).  Importers
 * name the callback's field with XE_PFVF_INVALIDATE_MAPPINGS:
 *
 *	static const struct dma_buf_attach_ops ops = {
 *		.XE_PFVF_INVALIDATE_MAPPINGS = my_invalidate,
 *	};
 */
#ifdef XE_PFVF_HAVE_INVALIDATE_MAPPINGS
#define XE_PFVF_INVALIDATE_MAPPINGS invalidate_mappings

static inline void xe_pfvf_dmabuf_invalidate(struct dma_buf *dmabuf)
{
	dma_buf_invalidate_mappings(dmabuf);
}

static inline bool xe_pfvf_attach_revocable(struct dma_buf_attachment *attach)
{
	return dma_buf_attach_revocable(attach);
}

/* The dma-buf core no longer pins behind the importer's back. */
#define XE_PFVF_DMABUF_CORE_PINS 0
#else
#define XE_PFVF_INVALIDATE_MAPPINGS move_notify

static inline void xe_pfvf_dmabuf_invalidate(struct dma_buf *dmabuf)
{
	dma_buf_move_notify(dmabuf);
}

/* Before 7.1, the core refuses importer_ops without move_notify. */
static inline bool xe_pfvf_attach_revocable(struct dma_buf_attachment *attach)
{
	return attach->importer_ops;
}

/* Without move_notify, the core pins dynamic importers at every map. */
#define XE_PFVF_DMABUF_CORE_PINS (!IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY))
#endif

/* Whether an importer's callbacks let it be revoked. */
static inline bool xe_pfvf_importer_revocable(const struct dma_buf_attach_ops *ops)
{
	return ops && ops->XE_PFVF_INVALIDATE_MAPPINGS;
}

/*
 * A reference on a file whose last reference may be going, for files the
 * caller's locking keeps from being freed: get_file_active() from 6.7 on.
 */
static inline bool xe_pfvf_file_get_active(struct file *file)
{
#ifdef XE_PFVF_HAVE_GET_FILE_ACTIVE
	return get_file_active(&file);
#else
	return atomic_long_inc_not_zero(&file->f_count);
#endif
}

/*
 * A PCI device's driver override: in struct pci_dev, or in struct device
 * with device_set_driver_override() (upstream 6.19, and Debian's 6.12).
 * @name "" clears it.
 */
static inline int xe_pfvf_set_driver_override(struct pci_dev *pdev, const char *name)
{
#ifdef XE_PFVF_HAVE_DEVICE_DRIVER_OVERRIDE
	return device_set_driver_override(&pdev->dev, name);
#else
	return driver_set_override(&pdev->dev, &pdev->driver_override, name, strlen(name));
#endif
}

/* iommu_map(), which takes a gfp_t from 6.3 on (tests and benchmarks). */
#define xe_pfvf_iommu_map(domain, iova, paddr, size, prot) \
	__xe_pfvf_iommu_map(domain, iova, paddr, size, prot)
#ifdef XE_PFVF_IOMMU_MAP_GFP
#define __xe_pfvf_iommu_map(domain, iova, paddr, size, prot) \
	iommu_map(domain, iova, paddr, size, prot, GFP_KERNEL)
#else
#define __xe_pfvf_iommu_map(domain, iova, paddr, size, prot) \
	iommu_map(domain, iova, paddr, size, prot)
#endif

/*
 * The kernel's P2PDMA map type is public from 6.19 on, for a provider
 * (pcim_p2pdma_provider(), set up by the VF's driver) of the BAR; unbuilt
 * here.  Returns -EOPNOTSUPP where the kernel does not tell, and the caller
 * derives the map type by the kernel's rule.
 */
#ifdef XE_PFVF_HAVE_P2PDMA_PROVIDER
#include <linux/pci-p2pdma.h>

static inline int xe_pfvf_p2pdma_map_type(struct pci_dev *vf, int bar, struct device *importer,
					  enum xe_pfvf_p2p_map *map)
{
	struct p2pdma_provider *provider = pcim_p2pdma_provider(vf, bar);

	if (!provider)
		return -EOPNOTSUPP;
	switch (pci_p2pdma_map_type(provider, importer)) {
	case PCI_P2PDMA_MAP_BUS_ADDR:
		*map = XE_PFVF_P2P_BUS_ADDR;
		break;
	case PCI_P2PDMA_MAP_THRU_HOST_BRIDGE:
		*map = XE_PFVF_P2P_HOST_BRIDGE;
		break;
	default:
		*map = XE_PFVF_P2P_REFUSED;
		break;
	}
	return 0;
}
#else
static inline int xe_pfvf_p2pdma_map_type(struct pci_dev *vf, int bar, struct device *importer,
					  enum xe_pfvf_p2p_map *map)
{
	return -EOPNOTSUPP;
}
#endif

/*
 * From 7.0, the dma-buf core takes physical ranges as &struct phys_vec
 * (dma_buf_phys_vec_to_sgt()); the standard path's sg_table building in
 * xe_pfvf_p2p.c is what would hand its BAR ranges over that way.  Unbuilt
 * here: Kbuild defines XE_PFVF_HAVE_PHYS_VEC there, and nothing uses it yet.
 */

#endif /* _LINUX_XE_PFVF_COMPAT_H_ */
