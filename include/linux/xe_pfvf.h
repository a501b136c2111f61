/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _LINUX_XE_PFVF_H_
#define _LINUX_XE_PFVF_H_

#include <linux/types.h>
#include <linux/xe_pfvf_compat.h>
#include <linux/xe_pfvf_types.h>

struct device;
struct dma_buf;
struct dma_buf_attach_ops;
struct dma_buf_attachment;
struct iommu_domain;
struct pci_dev;
struct vfio_device;
struct xe_pfvf_pf;
struct xe_pfvf_vf;

/**
 * DOC: xe_pfvf kernel API
 *
 * Everything exported by xe_pfvf.ko lives in the ``XE_PFVF`` symbol
 * namespace: callers add ``MODULE_IMPORT_NS(XE_PFVF_NS);`` to their module.
 *
 * A GPU PF driver registers its PF once it is probed and has its VRAM
 * manager up (xe_pfvf_pf_register()), reports every change in the number of
 * enabled VFs (xe_pfvf_pf_set_num_vfs()) right after pci_enable_sriov() and
 * right before pci_disable_sriov(), publishes each VF's LMEM provisioning
 * (xe_pfvf_vf_provision()) and withdraws it before releasing the memory
 * (xe_pfvf_vf_unprovision()), and unregisters the PF before it is removed
 * (xe_pfvf_pf_unregister()).
 *
 * VF variant drivers look their VF up from its &struct pci_dev
 * (xe_pfvf_vf_get()) and translate on its behalf (xe_pfvf_vf_translate()).
 *
 * VF numbers are 1-based throughout; 0 is the PF.
 *
 * VF variant drivers export ranges of their VF's memory as dma-bufs
 * (xe_pfvf_dmabuf_export()), revoke them (xe_pfvf_vf_revoke()) from their
 * reset and memory-disable paths and restore them (xe_pfvf_vf_restore())
 * once the memory is back, as vfio-pci does for its BAR dma-bufs.  The owning PF imports them over
 * the private interconnect (xe_pfvf_dmabuf_attach() with
 * %XE_PFVF_INTERCONNECT_LMEM, then xe_pfvf_dmabuf_map()), see "DOC:
 * private-interconnect dma-bufs".
 */

/**
 * struct xe_pfvf_pf_desc - what a PF driver tells xe_pfvf about its PF
 * @name: short name of the PF driver or backend, shown in debugfs; copied
 * @vram_size: size of the PF's VRAM (all tiles) in bytes
 * @lmem_bar: index of the VF BAR through which VFs reach their LMEM (2 on
 *	      Xe); the VF BAR layout is the same for all VFs of a PF
 * @lmem_released: optional.  Called, from a workqueue and with no xe_pfvf
 *		   lock held, when the VRAM of a provisioning whose withdrawal
 *		   returned -EBUSY (see "DOC: revocation") is no longer
 *		   mapped by any importer: the PF driver may now free or
 *		   reuse it.  @cookie is &xe_pfvf_provision.cookie.  Never
 *		   called once xe_pfvf_pf_unregister() has started; it may
 *		   call xe_pfvf, except xe_pfvf_pf_unregister().
 */
struct xe_pfvf_pf_desc {
	const char *name;
	u64 vram_size;
	int lmem_bar;
	void (*lmem_released)(struct xe_pfvf_pf *pf, unsigned int vfid, void *cookie);
};

struct xe_pfvf_pf *xe_pfvf_pf_register(struct pci_dev *pdev,
				       const struct xe_pfvf_pf_desc *desc);
void xe_pfvf_pf_unregister(struct xe_pfvf_pf *pf);
int xe_pfvf_pf_set_num_vfs(struct xe_pfvf_pf *pf, unsigned int num_vfs);
unsigned int xe_pfvf_pf_num_vfs(struct xe_pfvf_pf *pf);
struct xe_pfvf_pf *xe_pfvf_pf_get(struct pci_dev *pdev);
void xe_pfvf_pf_put(struct xe_pfvf_pf *pf);

int xe_pfvf_vf_provision(struct xe_pfvf_pf *pf, unsigned int vfid,
			 const struct xe_pfvf_provision *prov);
int xe_pfvf_vf_unprovision(struct xe_pfvf_pf *pf, unsigned int vfid);

struct xe_pfvf_vf *xe_pfvf_vf_get(struct pci_dev *pdev);
void xe_pfvf_vf_put(struct xe_pfvf_vf *vf);
unsigned int xe_pfvf_vf_id(const struct xe_pfvf_vf *vf);
int xe_pfvf_vf_lmem_bar(const struct xe_pfvf_vf *vf);
void xe_pfvf_vf_set_vfio_device(struct xe_pfvf_vf *vf, struct vfio_device *vdev);

int xe_pfvf_pf_translate(struct xe_pfvf_pf *pf, struct iommu_domain *domain,
			 const struct xe_pfvf_xlate_req *req,
			 struct xe_pfvf_xlate_res *res);
int xe_pfvf_vf_translate(struct xe_pfvf_vf *vf, struct iommu_domain *domain,
			 const struct xe_pfvf_xlate_req *req,
			 struct xe_pfvf_xlate_res *res);

/**
 * XE_PFVF_INTERCONNECT_LMEM - name of the private interconnect
 *
 * The owning PF reaches its VFs' LMEM as VRAM, without the PCIe P2P path.
 * Mappings over it are &struct xe_pfvf_mapping, VRAM extents in device
 * physical addresses of the PF.
 */
#define XE_PFVF_INTERCONNECT_LMEM	"xe_pfvf-lmem"

/**
 * struct xe_pfvf_dmabuf_range - a range of a VF's memory in a dma-buf
 * @offset: offset in the space of the dma-buf (LMEM BAR or LMEM)
 * @length: length in bytes
 */
struct xe_pfvf_dmabuf_range {
	u64 offset;
	u64 length;
};

/**
 * struct xe_pfvf_dmabuf_desc - what a dma-buf of a VF describes
 * @space: %XE_PFVF_SPACE_BAR for offsets in the VF's LMEM BAR, or
 *	   %XE_PFVF_SPACE_LMEM for offsets in its LMEM
 * @ranges: the ranges, concatenated in this order; granule-aligned
 * @nr_ranges: number of @ranges, at most %XE_PFVF_DMABUF_MAX_RANGES
 * @flags: file flags of the dma-buf (O_CLOEXEC, O_ACCMODE bits)
 */
struct xe_pfvf_dmabuf_desc {
	u32 space;
	const struct xe_pfvf_dmabuf_range *ranges;
	unsigned int nr_ranges;
	u32 flags;
};

/** XE_PFVF_DMABUF_MAX_RANGES - most ranges one dma-buf may describe */
#define XE_PFVF_DMABUF_MAX_RANGES	4096U

/**
 * XE_PFVF_DMABUF_MAX_EXTENTS - most VRAM extents one dma-buf may describe
 *
 * Counted before coalescing, with overlapping or repeated ranges counted in
 * full: 1 MiB of extents per buffer at most, whatever the caller sends.
 */
#define XE_PFVF_DMABUF_MAX_EXTENTS	65536U

/** XE_PFVF_REVOKE_TEMPORARY - revoke until xe_pfvf_vf_restore() */
#define XE_PFVF_REVOKE_TEMPORARY	BIT(0)

/**
 * struct xe_pfvf_mapping - a mapping over the private interconnect
 * @interconnect: %XE_PFVF_INTERCONNECT_LMEM
 * @vfid: the VF whose memory this is
 * @size: bytes mapped, the size of the dma-buf
 * @nr_extents: entries in @extents
 * @extents: the VRAM behind the dma-buf, in dma-buf offset order
 */
struct xe_pfvf_mapping {
	const char *interconnect;
	u16 vfid;
	u64 size;
	unsigned int nr_extents;
	struct xe_pfvf_extent extents[];
};

struct dma_buf *xe_pfvf_dmabuf_export(struct xe_pfvf_vf *vf,
				      const struct xe_pfvf_dmabuf_desc *desc);
int xe_pfvf_dmabuf_revoke(struct dma_buf *dmabuf);
int xe_pfvf_vf_revoke(struct xe_pfvf_vf *vf, unsigned int flags);
int xe_pfvf_vf_restore(struct xe_pfvf_vf *vf);
bool xe_pfvf_is_dmabuf(const struct dma_buf *dmabuf);

struct dma_buf_attachment *
xe_pfvf_dmabuf_attach(struct dma_buf *dmabuf, struct device *importer,
		      const struct dma_buf_attach_ops *ops, void *importer_priv,
		      const char *interconnect);
const struct xe_pfvf_mapping *xe_pfvf_dmabuf_map(struct dma_buf_attachment *attach);
void xe_pfvf_dmabuf_unmap(struct dma_buf_attachment *attach,
			  const struct xe_pfvf_mapping *map);

#endif /* _LINUX_XE_PFVF_H_ */
