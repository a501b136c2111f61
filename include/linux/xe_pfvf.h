/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _LINUX_XE_PFVF_H_
#define _LINUX_XE_PFVF_H_

#include <linux/types.h>
#include <linux/xe_pfvf_compat.h>
#include <linux/xe_pfvf_types.h>

struct iommu_domain;
struct pci_dev;
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
 */

/**
 * struct xe_pfvf_pf_desc - what a PF driver tells xe_pfvf about its PF
 * @name: short name of the PF driver or backend, shown in debugfs
 * @vram_size: size of the PF's VRAM (all tiles) in bytes
 * @lmem_bar: index of the VF BAR through which VFs reach their LMEM (2 on
 *	      Xe); the VF BAR layout is the same for all VFs of a PF
 */
struct xe_pfvf_pf_desc {
	const char *name;
	u64 vram_size;
	int lmem_bar;
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

int xe_pfvf_pf_translate(struct xe_pfvf_pf *pf, struct iommu_domain *domain,
			 const struct xe_pfvf_xlate_req *req,
			 struct xe_pfvf_xlate_res *res);
int xe_pfvf_vf_translate(struct xe_pfvf_vf *vf, struct iommu_domain *domain,
			 const struct xe_pfvf_xlate_req *req,
			 struct xe_pfvf_xlate_res *res);

#endif /* _LINUX_XE_PFVF_H_ */
