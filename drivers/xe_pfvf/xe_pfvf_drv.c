// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/module.h>
#include <linux/workqueue.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_dmabuf.h"
#include "xe_pfvf_drv.h"

/**
 * DOC: xe_pfvf
 *
 * xe_pfvf is loaded beside an SR-IOV GPU PF driver.  It keeps, per PF, the
 * table of what each VF was provisioned with (LMEM quota, the VRAM extents
 * backing it, the VF's LMEM BAR), translates VF addresses into VRAM extents
 * on behalf of the VF they belong to, and exports VF VRAM as dma-bufs over
 * a private interconnect that only the owning PF can import.
 */

struct workqueue_struct *xe_pfvf_wq;

static int __init xe_pfvf_init(void)
{
	int err;

	/* dma-buf sizes are size_t, VF memory is u64. */
	BUILD_BUG_ON(sizeof(size_t) < sizeof(u64));

	xe_pfvf_wq = alloc_workqueue(XE_PFVF_NAME, WQ_UNBOUND, 0);
	if (!xe_pfvf_wq)
		return -ENOMEM;
	err = xe_pfvf_p2p_init();
	if (err) {
		destroy_workqueue(xe_pfvf_wq);
		return err;
	}
	err = xe_pfvf_cdev_init();
	if (err) {
		xe_pfvf_p2p_fini();
		destroy_workqueue(xe_pfvf_wq);
		return err;
	}
	xe_pfvf_debugfs_init();
	pr_info(XE_PFVF_NAME ": loaded\n");
	return 0;
}

static void __exit xe_pfvf_exit(void)
{
	/* No file is open: each holds a module reference. */
	xe_pfvf_cdev_fini();
	xe_pfvf_registry_fini();
	xe_pfvf_debugfs_fini();
	xe_pfvf_revoke_fini();
	/* Runs what is left: provisionings handed back late. */
	destroy_workqueue(xe_pfvf_wq);
	xe_pfvf_p2p_fini();
	pr_info(XE_PFVF_NAME ": unloaded\n");
}

module_init(xe_pfvf_init);
module_exit(xe_pfvf_exit);

MODULE_DESCRIPTION("SR-IOV GPU VF VRAM translation and private-interconnect dma-buf service");
MODULE_AUTHOR("The xe_pfvf authors");
MODULE_LICENSE("GPL");
