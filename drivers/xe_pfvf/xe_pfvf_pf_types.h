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
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xe_pfvf_types.h>

struct dentry;
struct xe_pfvf_pf;
struct xe_pfvf_vf;
struct xe_pfvf_table;
struct xe_pfvf_vf_cfg;
struct vfio_device;

/**
 * enum xe_pfvf_prov_state - where a provisioning is in its life
 * @XE_PFVF_PROV_PUBLISHED: in the table, translations reach it
 * @XE_PFVF_PROV_WITHDRAWING: out of the table; its dma-bufs are being
 *			      revoked, its VRAM is not yet free
 * @XE_PFVF_PROV_QUARANTINED: out of the table, but an importer still maps
 *			      part of it after the revocation timed out; its
 *			      VRAM stays reserved until the last mapping goes
 */
enum xe_pfvf_prov_state {
	XE_PFVF_PROV_PUBLISHED,
	XE_PFVF_PROV_WITHDRAWING,
	XE_PFVF_PROV_QUARANTINED,
};

/**
 * struct xe_pfvf_prov - one provisioning of a VF, as long as it matters
 * @pf: the PF; a provisioning does not outlive it
 * @cfg: the validated provisioning, immutable; the table points to it while
 *	 published
 * @cookie: the PF driver's cookie, handed back by
 *	    &xe_pfvf_pf_desc.lmem_released
 * @vfid: the VF, 1-based
 * @link: entry in &xe_pfvf_pf.withdrawn once withdrawn. Protected by
 *	  &xe_pfvf_pf.lock.
 * @state: &enum xe_pfvf_prov_state. Protected by &xe_pfvf_pf.lock.
 * @holds: the withdrawal in progress (1) plus the dma-bufs of this
 *	   provisioning that could not be revoked; the provisioning is freed
 *	   when it drops to 0. Protected by the revocation lock (see "DOC:
 *	   revocation").
 * @reported: the withdrawal returned -EBUSY for it, so the PF driver hears
 *	      of its release. Protected by the revocation lock.
 * @release_work: tells the PF driver of the release, see
 *		  &xe_pfvf_pf_desc.lmem_released
 *
 * Published provisionings are reached from &xe_pfvf_vf.prov, withdrawn ones
 * from &xe_pfvf_pf.withdrawn, where new provisionings are checked against
 * them.
 */
struct xe_pfvf_prov {
	struct xe_pfvf_pf *pf;
	struct xe_pfvf_vf_cfg *cfg;
	void *cookie;
	u16 vfid;
	struct list_head link;
	enum xe_pfvf_prov_state state;
	unsigned int holds;
	bool reported;
	struct work_struct release_work;
};

/**
 * struct xe_pfvf_withdrawal - one provisioning being withdrawn
 * @vf: its VF
 * @prov: the provisioning, out of the table
 * @revoked: its dma-bufs the withdrawal revoked
 * @stuck: its dma-bufs still mapped at the deadline
 */
struct xe_pfvf_withdrawal {
	struct xe_pfvf_vf *vf;
	struct xe_pfvf_prov *prov;
	unsigned int revoked;
	unsigned int stuck;
};

/**
 * struct xe_pfvf_vf - one VF slot of a registered PF
 * @pf: the PF the slot belongs to
 * @vfid: VF number, 1-based
 * @pdev: the VF's PCI device, referenced while the VF is enabled, NULL
 *	  otherwise. Protected by &xe_pfvf_pf.lock.
 * @prov: the VF's published provisioning, NULL when not provisioned;
 *	  readers reach its config through &xe_pfvf_pf.table under RCU.
 *	  Protected by &xe_pfvf_pf.lock.
 * @generation: bumped on every enable, disable, provision and unprovision
 *		of the VF. Protected by &xe_pfvf_pf.lock.
 * @dmabufs: every dma-buf exported from the VF that is not released yet,
 *	     revoked or not. Protected by &xe_pfvf_pf.buf_lock.
 * @suspended: the VF's memory is disabled (xe_pfvf_vf_revoke() with
 *	       %XE_PFVF_REVOKE_TEMPORARY, until xe_pfvf_vf_restore()): new
 *	       dma-bufs start revoked. Protected by &xe_pfvf_pf.buf_lock.
 * @revocations: bumped by every xe_pfvf_vf_revoke(), so that the uAPI's
 *		 handles die with a revocation. Protected by
 *		 &xe_pfvf_pf.buf_lock.
 * @vfio: the VF's &struct vfio_device, as its VF variant driver named it
 *	  (xe_pfvf_vf_set_vfio_device()), for the uAPI's ownership check;
 *	  NULL otherwise. Protected by &xe_pfvf_pf.lock.
 */
struct xe_pfvf_vf {
	struct xe_pfvf_pf *pf;
	u16 vfid;
	struct pci_dev *pdev;
	struct xe_pfvf_prov *prov;
	u32 generation;
	struct list_head dmabufs;
	bool suspended;
	u32 revocations;
	struct vfio_device *vfio;
};

/**
 * struct xe_pfvf_pf - a PF registered with xe_pfvf
 * @refcount: references; the registration holds one, lookups and dma-bufs
 *	      take more
 * @pdev: the PF's PCI device, referenced for the lifetime of this struct
 * @name: name of the PF driver or backend, a copy owned by this struct
 * @vram_size: size of the PF's VRAM in bytes
 * @lmem_bar: index of the VFs' LMEM BAR
 * @lmem_released: the PF driver's &xe_pfvf_pf_desc.lmem_released, or NULL
 * @link: entry in the PF registry, protected by the registry lock
 * @lock: serialises updates of the table and of the VF slots; never held
 *	  while waiting for an importer
 * @registered: false once xe_pfvf_pf_unregister() started. Protected by @lock.
 * @cb_lock: serialises @lmem_released calls with unregistering
 * @cb_live: @lmem_released may still be called. Protected by @cb_lock.
 * @buf_lock: protects the VFs' &xe_pfvf_vf.dmabufs lists and
 *	      &xe_pfvf_vf.suspended; only held for list operations
 * @total_vfs: number of VFs the PF supports (sriov_totalvfs)
 * @num_vfs: number of VFs enabled by the PF driver. Protected by @lock.
 * @table: the published provisioning table, read under RCU, replaced under
 *	   @lock; never NULL while registered
 * @withdrawn: provisionings taken out of the table whose VRAM is not free
 *	       yet (&struct xe_pfvf_prov). Protected by @lock.
 * @withdraw_lock: serialises the withdrawals of all VFs (VF disable,
 *		   unregister), which use @withdrawal; held across their wait
 *		   for importers, and by nothing else
 * @withdrawal: room for withdrawing every VF at once. Protected by
 *		@withdraw_lock.
 * @pf_bars: the PF's own memory BARs, refused by translations
 * @nr_pf_bars: entries in @pf_bars
 * @nr_revoked: dma-bufs of the PF's VFs revoked for good so far
 * @debugfs: the PF's debugfs directory, NULL without debugfs
 * @vfs: per-VF slots, @total_vfs entries, VF n at index n - 1
 */
struct xe_pfvf_pf {
	struct kref refcount;
	struct pci_dev *pdev;
	const char *name;
	u64 vram_size;
	int lmem_bar;
	void (*lmem_released)(struct xe_pfvf_pf *pf, unsigned int vfid, void *cookie);
	struct list_head link;
	struct mutex lock; /* see the kernel-doc above */
	bool registered;
	struct mutex cb_lock; /* see the kernel-doc above */
	bool cb_live;
	spinlock_t buf_lock; /* see the kernel-doc above */
	u16 total_vfs;
	u16 num_vfs;
	struct xe_pfvf_table __rcu *table;
	struct list_head withdrawn;
	struct mutex withdraw_lock; /* see the kernel-doc above */
	struct xe_pfvf_withdrawal *withdrawal;
	struct xe_pfvf_bar pf_bars[PCI_STD_NUM_BARS];
	unsigned int nr_pf_bars;
	atomic64_t nr_revoked;
	struct dentry *debugfs;
	struct xe_pfvf_vf vfs[];
};

#endif /* _XE_PFVF_PF_TYPES_H_ */
