// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <linux/xe_pfvf.h>
#include <asm/unaligned.h>

#include "xe_pfvf_vfio_uapi.h"

/**
 * DOC: sample VF variant vfio-pci driver
 *
 * xe_pfvf_vfio_pci is vfio-pci for the VFs of a PF registered with xe_pfvf,
 * plus the upstream ``VFIO_DEVICE_FEATURE_DMA_BUF`` feature: a VMM exports
 * ranges of the VF's LMEM BAR as dma-bufs (xe_pfvf_dmabuf_export()) that
 * the owning PF imports over the private interconnect, without the PCIe
 * P2P path.
 *
 * It binds only on request (``driver_override``), and only to SR-IOV VFs
 * that xe_pfvf knows (xe_pfvf_vf_get()).  The only region a dma-buf may
 * describe is the VF's LMEM BAR, as its PF driver registered it
 * (xe_pfvf_vf_lmem_bar()).
 *
 * Every dma-buf of the VF is revoked (xe_pfvf_vf_revoke()), for good, when
 * the VF's memory goes away from the guest's point of view:
 *
 * - before a function reset, whatever starts it (sysfs ``reset``,
 *   ``VFIO_DEVICE_RESET``, a bus or slot reset): the PCI core calls our
 *   ``reset_prepare``; exports are refused until ``reset_done``;
 * - when the guest clears the memory enable bit of the command register,
 *   which vfio-pci virtualises for VFs, or puts the VF in D3hot, and when
 *   the VMM puts the device in low power;
 * - when the device fd is closed, and when the driver is unbound.
 *
 * Exports are refused while the memory is disabled.  The checks and the
 * export run under the vfio-pci ``memory_lock`` (read), which the memory
 * disable paths take for writing, so a buffer exported concurrently with a
 * disable is revoked with the others.  The VMM exports new buffers when
 * the memory is back.
 */

/**
 * struct xe_pfvf_vfio_device - a VF bound to xe_pfvf_vfio_pci
 * @core: the vfio-pci core device, first for vfio_alloc_device()
 * @vf: the VF as xe_pfvf knows it, held from init to release
 * @lock: serialises exports with @in_reset; nests inside
 *	  &vfio_pci_core_device.memory_lock
 * @in_reset: a function reset is under way.  Protected by @lock.
 */
struct xe_pfvf_vfio_device {
	struct vfio_pci_core_device core;
	struct xe_pfvf_vf *vf;
	/* serialises exports with reset_prepare */
	struct mutex lock;
	bool in_reset;
};

static struct xe_pfvf_vfio_device *xvp_from_vfio(struct vfio_device *vdev)
{
	return container_of(vdev, struct xe_pfvf_vfio_device, core.vdev);
}

static struct xe_pfvf_vfio_device *xvp_from_pdev(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);

	return core ? container_of(core, struct xe_pfvf_vfio_device, core) : NULL;
}

static void xvp_revoke(struct xe_pfvf_vfio_device *xvdev, const char *why)
{
	struct pci_dev *pdev = xvdev->core.pdev;
	unsigned int n;

	n = xe_pfvf_vf_revoke(xvdev->vf);
	if (n)
		pci_info_ratelimited(pdev, "VF%u: %s: revoked %u dma-buf(s)\n",
				     xe_pfvf_vf_id(xvdev->vf), why, n);
	else
		pci_dbg(pdev, "VF%u: %s: no dma-buf to revoke\n",
			xe_pfvf_vf_id(xvdev->vf), why);
}

/*
 * Whether the guest may reach the VF's memory: the virtual memory enable
 * bit set (VFs have no physical one), not in D3hot and not in low power.
 * Only meaningful while the device is open (vconfig exists).
 */
static bool xvp_memory_enabled(struct xe_pfvf_vfio_device *xvdev)
{
	struct vfio_pci_core_device *core = &xvdev->core;
	pci_power_t state;
	u16 cmd;

	lockdep_assert_held(&core->memory_lock);

	state = core->pdev->current_state;
	cmd = get_unaligned_le16(&core->vconfig[PCI_COMMAND]);
	return (cmd & PCI_COMMAND_MEMORY) && !core->pm_runtime_engaged &&
	       state != PCI_D3hot && state != PCI_D3cold;
}

static void xvp_revoke_if_disabled(struct xe_pfvf_vfio_device *xvdev, const char *why)
{
	bool enabled;

	down_read(&xvdev->core.memory_lock);
	enabled = xvp_memory_enabled(xvdev);
	up_read(&xvdev->core.memory_lock);

	if (!enabled)
		xvp_revoke(xvdev, why);
}

static struct dma_buf *xvp_export(struct xe_pfvf_vfio_device *xvdev,
				  const struct xe_pfvf_dmabuf_desc *desc)
{
	struct vfio_pci_core_device *core = &xvdev->core;
	struct dma_buf *dmabuf;

	guard(rwsem_read)(&core->memory_lock);
	guard(mutex)(&xvdev->lock);

	if (xvdev->in_reset) {
		dev_err_ratelimited(&core->pdev->dev,
				    "DMA_BUF: refused, function reset under way\n");
		return ERR_PTR(-EBUSY);
	}
	if (!xvp_memory_enabled(xvdev)) {
		dev_err_ratelimited(&core->pdev->dev,
				    "DMA_BUF: refused, VF memory disabled or in low power\n");
		return ERR_PTR(-EIO);
	}

	dmabuf = xe_pfvf_dmabuf_export(xvdev->vf, desc);
	if (IS_ERR(dmabuf))
		pci_dbg(core->pdev, "DMA_BUF: xe_pfvf refused the export: %pe\n",
			dmabuf);
	return dmabuf;
}

static int xvp_feature_dma_buf(struct xe_pfvf_vfio_device *xvdev, u32 flags,
			       struct vfio_device_feature_dma_buf __user *arg,
			       size_t argsz)
{
	struct device *dev = &xvdev->core.pdev->dev;
	struct vfio_device_feature_dma_buf req;
	struct vfio_region_dma_range *uranges;
	struct xe_pfvf_dmabuf_range *ranges;
	struct xe_pfvf_dmabuf_desc desc;
	struct dma_buf *dmabuf;
	unsigned int i;
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_GET,
				 sizeof(req));
	if (ret != 1)
		return ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;

	if (req.flags) {
		dev_err_ratelimited(dev, "DMA_BUF: unknown flags %#x\n", req.flags);
		return -EINVAL;
	}
	if (!req.nr_ranges) {
		dev_err_ratelimited(dev, "DMA_BUF: no range\n");
		return -EINVAL;
	}
	if (req.nr_ranges > XE_PFVF_DMABUF_MAX_RANGES) {
		dev_err_ratelimited(dev, "DMA_BUF: %u ranges, at most %u\n",
				    req.nr_ranges, XE_PFVF_DMABUF_MAX_RANGES);
		return -E2BIG;
	}
	if (req.open_flags & ~(O_CLOEXEC | O_ACCMODE)) {
		dev_err_ratelimited(dev, "DMA_BUF: unsupported open flags %#x\n",
				    req.open_flags);
		return -EINVAL;
	}
	if (req.region_index != xe_pfvf_vf_lmem_bar(xvdev->vf)) {
		dev_err_ratelimited(dev, "DMA_BUF: region %u is not the LMEM BAR %d\n",
				    req.region_index, xe_pfvf_vf_lmem_bar(xvdev->vf));
		return -ENODEV;
	}
	if (argsz < struct_size(&req, dma_ranges, req.nr_ranges)) {
		dev_err_ratelimited(dev, "DMA_BUF: argsz %zu too small for %u ranges\n",
				    argsz, req.nr_ranges);
		return -EINVAL;
	}

	uranges = vmemdup_array_user(arg->dma_ranges, req.nr_ranges,
				     sizeof(*uranges));
	if (IS_ERR(uranges))
		return PTR_ERR(uranges);

	ranges = kvmalloc_array(req.nr_ranges, sizeof(*ranges), GFP_KERNEL);
	if (!ranges) {
		kvfree(uranges);
		return -ENOMEM;
	}
	for (i = 0; i < req.nr_ranges; i++) {
		ranges[i].offset = uranges[i].offset;
		ranges[i].length = uranges[i].length;
	}
	kvfree(uranges);

	desc.space = XE_PFVF_SPACE_BAR;
	desc.ranges = ranges;
	desc.nr_ranges = req.nr_ranges;
	desc.flags = req.open_flags;
	dmabuf = xvp_export(xvdev, &desc);
	kvfree(ranges);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	ret = dma_buf_fd(dmabuf, req.open_flags & O_CLOEXEC);
	if (ret < 0) {
		dev_err_ratelimited(dev, "DMA_BUF: no fd for the dma-buf: %pe\n",
				    ERR_PTR(ret));
		dma_buf_put(dmabuf);
	}
	return ret;
}

static int xvp_device_feature(struct vfio_device *vdev, u32 flags,
			      void __user *arg, size_t argsz)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);
	int ret;

	switch (flags & VFIO_DEVICE_FEATURE_MASK) {
	case VFIO_DEVICE_FEATURE_DMA_BUF:
		return xvp_feature_dma_buf(xvdev, flags, arg, argsz);
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY:
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP:
		/* The device suspends only once the ioctl has returned. */
		ret = vfio_pci_core_ioctl_feature(vdev, flags, arg, argsz);
		if (!ret && !(flags & VFIO_DEVICE_FEATURE_PROBE))
			xvp_revoke(xvdev, "low-power entry");
		return ret;
	default:
		return vfio_pci_core_ioctl_feature(vdev, flags, arg, argsz);
	}
}

static long xvp_ioctl(struct vfio_device *vdev, unsigned int cmd,
		      unsigned long arg)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);

	/* reset_prepare revokes again, under the memory lock. */
	if (cmd == VFIO_DEVICE_RESET && xvdev->core.reset_works)
		xvp_revoke(xvdev, "VFIO_DEVICE_RESET");

	return vfio_pci_core_ioctl(vdev, cmd, arg);
}

/* Whether [pos, pos + count) meets [reg, reg + len); pos is below 2^40. */
static bool xvp_overlaps(u64 pos, u64 count, u64 reg, u64 len)
{
	return pos < reg + len && reg < pos + count;
}

static ssize_t xvp_write(struct vfio_device *vdev, const char __user *buf,
			 size_t count, loff_t *ppos)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);
	struct pci_dev *pdev = xvdev->core.pdev;
	unsigned int index = VFIO_PCI_OFFSET_TO_INDEX(*ppos);
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;
	ssize_t ret;

	ret = vfio_pci_core_write(vdev, buf, count, ppos);

	/*
	 * vfio-pci keeps the guest's memory enable bit in vconfig (a VF has
	 * no physical one) and tracks D3hot; a write that failed part way
	 * may still have changed them.
	 */
	if (index == VFIO_PCI_CONFIG_REGION_INDEX &&
	    (xvp_overlaps(pos, count, PCI_COMMAND, 2) ||
	     (pdev->pm_cap &&
	      xvp_overlaps(pos, count, pdev->pm_cap + PCI_PM_CTRL, 2))))
		xvp_revoke_if_disabled(xvdev, "memory disable");

	return ret;
}

static int xvp_open_device(struct vfio_device *vdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);
	int ret;

	ret = vfio_pci_core_enable(&xvdev->core);
	if (ret)
		return ret;

	vfio_pci_core_finish_enable(&xvdev->core);
	return 0;
}

static void xvp_close_device(struct vfio_device *vdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);

	xvp_revoke(xvdev, "close");
	vfio_pci_core_close_device(vdev);
}

static int xvp_init_dev(struct vfio_device *vdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);
	struct pci_dev *pdev = to_pci_dev(vdev->dev);
	struct xe_pfvf_vf *vf;
	int ret;

	ret = vfio_pci_core_init_dev(vdev);
	if (ret)
		return ret;

	vf = xe_pfvf_vf_get(pdev);
	if (IS_ERR(vf)) {
		pci_err(pdev, "not a VF of a PF registered with xe_pfvf: %pe\n", vf);
		return PTR_ERR(vf);
	}

	xvdev->vf = vf;
	mutex_init(&xvdev->lock);
	return 0;
}

static void xvp_release_dev(struct vfio_device *vdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);

	mutex_destroy(&xvdev->lock);
	xe_pfvf_vf_put(xvdev->vf);
	/* Frees @xvdev. */
	vfio_pci_core_release_dev(vdev);
}

static const struct vfio_device_ops xvp_ops = {
	.name		= "xe_pfvf-vfio-pci",
	.init		= xvp_init_dev,
	.release	= xvp_release_dev,
	.open_device	= xvp_open_device,
	.close_device	= xvp_close_device,
	.ioctl		= xvp_ioctl,
	.device_feature	= xvp_device_feature,
	.read		= vfio_pci_core_read,
	.write		= xvp_write,
	.mmap		= vfio_pci_core_mmap,
	.request	= vfio_pci_core_request,
	.match		= vfio_pci_core_match,
};

static void xvp_reset_prepare(struct pci_dev *pdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_pdev(pdev);

	if (!xvdev)
		return;

	scoped_guard(mutex, &xvdev->lock)
		xvdev->in_reset = true;
	xvp_revoke(xvdev, "reset");
}

static void xvp_reset_done(struct pci_dev *pdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_pdev(pdev);

	if (!xvdev)
		return;

	guard(mutex)(&xvdev->lock);
	xvdev->in_reset = false;
}

static const struct pci_error_handlers xvp_err_handlers = {
	.error_detected	= vfio_pci_core_aer_err_detected,
	.reset_prepare	= xvp_reset_prepare,
	.reset_done	= xvp_reset_done,
};

static int xvp_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct xe_pfvf_vfio_device *xvdev;
	int ret;

	if (!pdev->is_virtfn) {
		pci_err(pdev, "not an SR-IOV VF, refusing to bind\n");
		return -ENODEV;
	}

	xvdev = vfio_alloc_device(xe_pfvf_vfio_device, core.vdev, &pdev->dev, &xvp_ops);
	if (IS_ERR(xvdev))
		return PTR_ERR(xvdev);

	dev_set_drvdata(&pdev->dev, &xvdev->core);
	ret = vfio_pci_core_register_device(&xvdev->core);
	if (ret) {
		vfio_put_device(&xvdev->core.vdev);
		return ret;
	}

	pci_dbg(pdev, "VF%u bound, LMEM BAR %d\n", xe_pfvf_vf_id(xvdev->vf),
		xe_pfvf_vf_lmem_bar(xvdev->vf));
	return 0;
}

static void xvp_remove(struct pci_dev *pdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_pdev(pdev);

	/* Waits for the device fd to be closed. */
	vfio_pci_core_unregister_device(&xvdev->core);
	xvp_revoke(xvdev, "remove");
	vfio_put_device(&xvdev->core.vdev);
}

static struct pci_driver xvp_driver = {
	.name			= KBUILD_MODNAME,
	.probe			= xvp_probe,
	.remove			= xvp_remove,
	.err_handler		= &xvp_err_handlers,
	.driver_managed_dma	= true,
};

static int __init xvp_init(void)
{
	BUILD_BUG_ON(XE_PFVF_VFIO_DMA_BUF_MAX_RANGES != XE_PFVF_DMABUF_MAX_RANGES);

	return pci_register_driver(&xvp_driver);
}

static void __exit xvp_exit(void)
{
	pci_unregister_driver(&xvp_driver);
}

module_init(xvp_init);
module_exit(xvp_exit);

MODULE_DESCRIPTION("xe_pfvf sample VF variant vfio-pci driver with dma-buf export");
MODULE_AUTHOR("The xe_pfvf authors");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(XE_PFVF_NS);
MODULE_IMPORT_NS(XE_PFVF_DMA_BUF_NS);
