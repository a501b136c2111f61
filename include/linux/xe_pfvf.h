/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _LINUX_XE_PFVF_H_
#define _LINUX_XE_PFVF_H_

#include <linux/types.h>
#include <linux/xe_pfvf_compat.h>

struct pci_dev;
struct xe_pfvf_pf;

/**
 * DOC: xe_pfvf kernel API
 *
 * Everything exported by xe_pfvf.ko lives in the ``XE_PFVF`` symbol
 * namespace: callers add ``MODULE_IMPORT_NS(XE_PFVF_NS);`` to their module.
 *
 * A GPU PF driver registers its PF once it is probed and has its VRAM
 * manager up (xe_pfvf_pf_register()), reports every change in the number of
 * enabled VFs (xe_pfvf_pf_set_num_vfs()) right after pci_enable_sriov() and
 * right before pci_disable_sriov(), and unregisters the PF before it is
 * removed (xe_pfvf_pf_unregister()).
 *
 * VF numbers are 1-based throughout; 0 is the PF.
 */

/**
 * struct xe_pfvf_pf_desc - what a PF driver tells xe_pfvf about its PF
 * @name: short name of the PF driver or backend, shown in debugfs
 * @owner: module implementing the PF side, pinned while the PF is registered
 */
struct xe_pfvf_pf_desc {
	const char *name;
	struct module *owner;
};

struct xe_pfvf_pf *xe_pfvf_pf_register(struct pci_dev *pdev,
				       const struct xe_pfvf_pf_desc *desc);
void xe_pfvf_pf_unregister(struct xe_pfvf_pf *pf);
int xe_pfvf_pf_set_num_vfs(struct xe_pfvf_pf *pf, unsigned int num_vfs);
unsigned int xe_pfvf_pf_num_vfs(struct xe_pfvf_pf *pf);
struct xe_pfvf_pf *xe_pfvf_pf_get(struct pci_dev *pdev);
void xe_pfvf_pf_put(struct xe_pfvf_pf *pf);

#endif /* _LINUX_XE_PFVF_H_ */
