/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _XE_PFVF_PF_TYPES_H_
#define _XE_PFVF_PF_TYPES_H_

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/xe_pfvf_types.h>

struct dentry;
struct xe_pfvf_pf;
struct xe_pfvf_table;
struct xe_pfvf_vf_cfg;

/**
 * struct xe_pfvf_vf - one VF slot of a registered PF
 * @pf: the PF the slot belongs to
 * @vfid: VF number, 1-based
 * @pdev: the VF's PCI device, referenced while the VF is enabled, NULL
 *	  otherwise. Protected by &xe_pfvf_pf.lock.
 * @cfg: the VF's provisioning, NULL when not provisioned; readers reach it
 *	 through &xe_pfvf_pf.table under RCU. Protected by &xe_pfvf_pf.lock.
 * @retired: a config replaced or removed but maybe still reachable by
 *	     readers of the previous table, freed once the next table is
 *	     published. Protected by &xe_pfvf_pf.lock.
 * @generation: bumped on every enable, disable, provision and unprovision
 *		of the VF. Protected by &xe_pfvf_pf.lock.
 * @dmabufs: the VF's exported dma-bufs that are not revoked. Protected by
 *	     &xe_pfvf_pf.lock.
 */
struct xe_pfvf_vf {
	struct xe_pfvf_pf *pf;
	u16 vfid;
	struct pci_dev *pdev;
	struct xe_pfvf_vf_cfg *cfg;
	struct xe_pfvf_vf_cfg *retired;
	u32 generation;
	struct list_head dmabufs;
};

/**
 * struct xe_pfvf_pf - a PF registered with xe_pfvf
 * @refcount: references; the registration holds one, lookups take more
 * @pdev: the PF's PCI device, referenced for the lifetime of this struct
 * @name: name of the PF driver or backend (static storage of the caller)
 * @vram_size: size of the PF's VRAM in bytes
 * @lmem_bar: index of the VFs' LMEM BAR
 * @link: entry in the PF registry, protected by the registry lock
 * @lock: PF-wide lock, serialises all updates
 * @registered: false once xe_pfvf_pf_unregister() started. Protected by @lock.
 * @total_vfs: number of VFs the PF supports (sriov_totalvfs)
 * @num_vfs: number of VFs enabled by the PF driver. Protected by @lock.
 * @table: the published provisioning table, read under RCU, replaced under
 *	   @lock; never NULL while registered
 * @pf_bars: the PF's own memory BARs, refused by translations
 * @nr_pf_bars: entries in @pf_bars
 * @nr_revoked: dma-bufs of the PF's VFs revoked so far. Protected by @lock.
 * @debugfs: the PF's debugfs directory, NULL without debugfs
 * @vfs: per-VF slots, @total_vfs entries, VF n at index n - 1
 */
struct xe_pfvf_pf {
	struct kref refcount;
	struct pci_dev *pdev;
	const char *name;
	u64 vram_size;
	int lmem_bar;
	struct list_head link;
	struct mutex lock; /* see the kernel-doc above */
	bool registered;
	u16 total_vfs;
	u16 num_vfs;
	struct xe_pfvf_table __rcu *table;
	struct xe_pfvf_bar pf_bars[PCI_STD_NUM_BARS];
	unsigned int nr_pf_bars;
	u64 nr_revoked;
	struct dentry *debugfs;
	struct xe_pfvf_vf vfs[];
};

#endif /* _XE_PFVF_PF_TYPES_H_ */
