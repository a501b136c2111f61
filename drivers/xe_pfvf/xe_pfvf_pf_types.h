/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _XE_PFVF_PF_TYPES_H_
#define _XE_PFVF_PF_TYPES_H_

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct dentry;
struct pci_dev;

/**
 * struct xe_pfvf_vf - one VF of a registered PF
 * @pdev: the VF's PCI device, referenced while the VF is enabled
 */
struct xe_pfvf_vf {
	struct pci_dev *pdev;
};

/**
 * struct xe_pfvf_pf - a PF registered with xe_pfvf
 * @refcount: references; the registration holds one, lookups take more
 * @pdev: the PF's PCI device, referenced for the lifetime of this struct
 * @name: name of the PF driver or backend (static storage of the caller)
 * @link: entry in the PF registry, protected by the registry lock
 * @lock: PF-wide lock
 * @registered: false once xe_pfvf_pf_unregister() started. Protected by @lock.
 * @total_vfs: number of VFs the PF supports (sriov_totalvfs)
 * @num_vfs: number of VFs enabled by the PF driver. Protected by @lock.
 * @vfs: per-VF state, @total_vfs entries, VF n at index n - 1.
 *	 Protected by @lock.
 * @debugfs: the PF's debugfs directory, NULL without debugfs
 */
struct xe_pfvf_pf {
	struct kref refcount;
	struct pci_dev *pdev;
	const char *name;
	struct list_head link;
	struct mutex lock; /* see the kernel-doc above */
	bool registered;
	u16 total_vfs;
	u16 num_vfs;
	struct xe_pfvf_vf *vfs;
	struct dentry *debugfs;
};

#endif /* _XE_PFVF_PF_TYPES_H_ */
