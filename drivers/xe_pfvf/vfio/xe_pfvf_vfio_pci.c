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
#include <linux/workqueue.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_vfio_uapi.h"

/**
 * DOC: sample VF variant vfio-pci driver
 *
 * xe_pfvf_vfio_pci is vfio-pci for the VFs of a PF registered with xe_pfvf,
 * plus the upstream ``VFIO_DEVICE_FEATURE_DMA_BUF`` feature: a VMM exports
 * ranges of the VF's LMEM BAR as dma-bufs (xe_pfvf_dmabuf_export()) that
 * the owning PF imports over the private interconnect, without the PCIe
 * P2P path.  It binds only on request (``driver_override``), and only to
 * SR-IOV VFs that xe_pfvf knows (xe_pfvf_vf_get()).
 *
 * The buffers follow the VF's memory as vfio-pci's do (Linux 6.19 on,
 * drivers/vfio/pci/vfio_pci_dmabuf.c): they are live while the device is
 * open, its memory is enabled and no reset or error recovery is under way,
 * and revoked temporarily otherwise (xe_pfvf_vf_revoke() with
 * %XE_PFVF_REVOKE_TEMPORARY; maps and attaches fail with -ENODEV, importers
 * are notified).  xe_pfvf_vf_restore() brings them back, and notifies the
 * importers again so that they map anew:
 *
 * - The guest clears the memory enable bit of the command register, or
 *   puts the VF in D3hot through its PM control register: revoked before
 *   vfio-pci applies the config write, restored by the write that enables
 *   the memory again.
 * - VFIO_DEVICE_RESET, VFIO_DEVICE_PCI_HOT_RESET, an FLR through config
 *   space: revoked by ``reset_prepare`` under the reset, restored before
 *   the ioctl or the write returns.
 * - Any other function reset (sysfs ``reset``, a bus reset through another
 *   device): revoked by ``reset_prepare``, restored by a work item queued
 *   by ``reset_done``.
 * - A PCIe error: revoked by ``error_detected``, restored by ``resume`` or
 *   by a function reset.
 * - VFIO low-power entry: revoked before entry, restored on exit.
 * - The device fd closed, the driver unbound: revoked for good.
 *
 * A buffer exported while its VF is revoked temporarily starts revoked and
 * comes back with the others; the export itself succeeds, as upstream.
 * Buffers revoked for good stay revoked: the VMM exports new ones after it
 * opens the device again.
 *
 * Locking.  vfio-pci applies a config write under its ``memory_lock``
 * (write), which it takes itself, so a variant driver cannot revoke and
 * write in one critical section.  Instead, everything that may change
 * whether the memory is enabled (config writes, the reset ioctls, the
 * low-power features) runs under the per-device &xe_pfvf_vfio_device.cmd_lock
 * and follows one protocol: revoke first if the operation may disable
 * the memory, run vfio-pci, then restore if the memory is enabled.  A
 * restore needs ``cmd_lock``, so none can slip between the revocation and
 * the write that disables the memory; revoking while the memory is still
 * enabled is only conservative.  Every revocation and restoration is made
 * under &xe_pfvf_vfio_device.state_lock, which orders them.  Exports run
 * under ``memory_lock`` (read), which restorations hold for writing.
 *
 * Lock order: ``cmd_lock``, then vfio-pci's ``memory_lock``, then
 * ``state_lock``, then xe_pfvf's locks.  ``reset_prepare`` and
 * ``reset_done`` run with ``memory_lock`` held when VFIO starts the reset
 * and under the PCI core's device and config access locks otherwise; they
 * take only ``state_lock``, and ``reset_done`` leaves the restoration to a
 * work item that takes the locks in order.
 *
 * Errors of ``VFIO_DEVICE_FEATURE`` with ``VFIO_DEVICE_FEATURE_DMA_BUF``:
 *
 * =========== ==========================================================
 * errno       cause
 * =========== ==========================================================
 * EINVAL      ``flags`` not 0, no ranges, open flags other than
 *             O_CLOEXEC and O_ACCMODE, ``argsz`` too small for the
 *             ranges, a range empty or not 4 KiB aligned
 * E2BIG       more than %XE_PFVF_VFIO_DMA_BUF_MAX_RANGES ranges
 * ENODEV      the region is not the VF's LMEM BAR; the VF is gone
 * ENXIO       a range runs past the LMEM BAR
 * ERANGE      a range is inside the BAR but past the LMEM quota
 * EOVERFLOW   a range or the total size overflows
 * EFAULT      the ranges cannot be read
 * ENOMEM      out of memory
 * =========== ==========================================================
 *
 * Differences from upstream vfio-pci that a VMM can see:
 *
 * - Only the VF's LMEM BAR can be exported (-ENODEV for any other region).
 * - Stricter checks: ``argsz`` must cover the ranges (-EINVAL), at most
 *   4096 ranges (-E2BIG), open flags are checked (-EINVAL); a range past
 *   the BAR is -ENXIO and a total size that wraps -EOVERFLOW where
 *   upstream says -EINVAL; past the LMEM quota is -ERANGE.
 * - The memory enable bit counts for VFs.  Upstream takes a VF's memory as
 *   enabled whatever its virtual command register says (the PF's SR-IOV
 *   control gates it), so clearing the bit revokes and restores within
 *   the same write, and an export with the bit clear is live.  Here the
 *   buffers stay revoked, and new ones start revoked, until the guest sets
 *   the bit again.
 * - Resets that VFIO does not start (sysfs ``reset``, a bus reset through
 *   another device) revoke too; the restoration follows ``reset_done``
 *   asynchronously.  An export during such a reset does not wait for it:
 *   it starts revoked.
 * - PCIe errors revoke from ``error_detected`` until ``resume``; upstream
 *   leaves the buffers alone.
 * - Leaving low power through its wakeup eventfd restores at the next
 *   ioctl on the device; upstream waits for VFIO_DEVICE_FEATURE_LOW_POWER_EXIT
 *   or a memory re-enable.
 * - An importer that keeps a revoked buffer mapped past
 *   ``revoke_timeout_ms`` (xe_pfvf's module parameter, one deadline for all
 *   the VF's buffers) is logged and its buffer quarantined (see "DOC:
 *   revocation"); upstream waits a second per buffer and WARNs.
 * - No CPU access: mmap() and vmap() of the dma-buf fail.
 */

/**
 * struct xe_pfvf_vfio_device - a VF bound to xe_pfvf_vfio_pci
 * @core: the vfio-pci core device, first for vfio_alloc_device()
 * @vf: the VF as xe_pfvf knows it, held from init to release
 * @cmd_lock: serialises the operations that may change whether the VF's
 *	      memory is enabled (config writes, reset ioctls, low-power
 *	      features, @sync_work) with the revocation before them and the
 *	      restoration after them.  Taken before
 *	      &vfio_pci_core_device.memory_lock.
 * @state_lock: protects the fields below and orders every revocation and
 *		restoration.  Taken after &vfio_pci_core_device.memory_lock.
 * @open: the device is open, so vfio-pci's virtual config space exists.
 *	  Written under memory_lock (write) and @state_lock.
 * @resetting: between ``reset_prepare`` and ``reset_done``.
 * @error: between ``error_detected`` and ``resume`` or the next function
 *	   reset.
 * @suspended: the buffers were revoked temporarily and not restored since.
 *	       Written under @state_lock; read without it as a hint.
 * @sync_work: restores the buffers after events that cannot take
 *	       @cmd_lock where they happen: ``reset_done`` and ``resume``.
 */
struct xe_pfvf_vfio_device {
	struct vfio_pci_core_device core;
	struct xe_pfvf_vf *vf;
	struct mutex cmd_lock; /* see the kernel-doc above */
	struct mutex state_lock; /* see the kernel-doc above */
	bool open;
	bool resetting;
	bool error;
	bool suspended;
	struct work_struct sync_work;
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

/*
 * Whether the guest may reach the VF's memory: the virtual memory enable
 * bit set, in D0 and not in low power.  Only while the device is open.
 */
static bool xvp_memory_enabled(struct xe_pfvf_vfio_device *xvdev)
{
	struct vfio_pci_core_device *core = &xvdev->core;
	pci_power_t state = core->pdev->current_state;
	u16 cmd;

	lockdep_assert_held(&core->memory_lock);

	cmd = get_unaligned_le16(&core->vconfig[PCI_COMMAND]);
	return (cmd & PCI_COMMAND_MEMORY) && !core->pm_runtime_engaged &&
	       state != PCI_D3hot && state != PCI_D3cold && state != PCI_UNKNOWN;
}

/* Revoke the VF's buffers until xvp_restore_locked(). */
static void xvp_suspend(struct xe_pfvf_vfio_device *xvdev, const char *why)
{
	struct pci_dev *pdev = xvdev->core.pdev;
	int n;

	lockdep_assert_held(&xvdev->state_lock);

	n = xe_pfvf_vf_revoke(xvdev->vf, XE_PFVF_REVOKE_TEMPORARY);
	WRITE_ONCE(xvdev->suspended, true);
	if (n < 0)
		pci_warn(pdev, "VF%u: %s: revoking the dma-bufs: %pe\n",
			 xe_pfvf_vf_id(xvdev->vf), why, ERR_PTR(n));
	else
		pci_dbg(pdev, "VF%u: %s: %d dma-buf(s) revoked until the memory is back\n",
			xe_pfvf_vf_id(xvdev->vf), why, n);
}

/* Restore the buffers if nothing keeps the VF's memory away any more. */
static void xvp_restore_locked(struct xe_pfvf_vfio_device *xvdev)
{
	int n;

	lockdep_assert_held_write(&xvdev->core.memory_lock);
	lockdep_assert_held(&xvdev->state_lock);

	if (!xvdev->suspended || !xvdev->open || xvdev->resetting || xvdev->error ||
	    !xvp_memory_enabled(xvdev))
		return;
	n = xe_pfvf_vf_restore(xvdev->vf);
	WRITE_ONCE(xvdev->suspended, false);
	pci_dbg(xvdev->core.pdev, "VF%u: memory back: %d dma-buf(s) restored\n",
		xe_pfvf_vf_id(xvdev->vf), n);
}

/* The end of every operation under @cmd_lock. */
static void xvp_sync(struct xe_pfvf_vfio_device *xvdev)
{
	lockdep_assert_held(&xvdev->cmd_lock);

	if (!READ_ONCE(xvdev->suspended))
		return;
	guard(rwsem_write)(&xvdev->core.memory_lock);
	guard(mutex)(&xvdev->state_lock);
	xvp_restore_locked(xvdev);
}

static void xvp_sync_work(struct work_struct *work)
{
	struct xe_pfvf_vfio_device *xvdev =
		container_of(work, struct xe_pfvf_vfio_device, sync_work);

	guard(mutex)(&xvdev->cmd_lock);
	xvp_sync(xvdev);
}

static void xvp_revoke_for_good(struct xe_pfvf_vfio_device *xvdev, const char *why)
{
	struct pci_dev *pdev = xvdev->core.pdev;
	int n;

	guard(mutex)(&xvdev->state_lock);
	n = xe_pfvf_vf_revoke(xvdev->vf, 0);
	if (n < 0)
		pci_warn(pdev, "VF%u: %s: revoking the dma-bufs: %pe\n",
			 xe_pfvf_vf_id(xvdev->vf), why, ERR_PTR(n));
	else if (n)
		pci_info_ratelimited(pdev, "VF%u: %s: %d dma-buf(s) revoked\n",
				     xe_pfvf_vf_id(xvdev->vf), why, n);
}

static struct dma_buf *xvp_export(struct xe_pfvf_vfio_device *xvdev,
				  const struct xe_pfvf_dmabuf_desc *desc)
{
	struct vfio_pci_core_device *core = &xvdev->core;
	struct dma_buf *dmabuf;

	/*
	 * Restorations hold it for writing: a buffer exported while the VF is
	 * revoked temporarily starts revoked and is restored with the others.
	 */
	guard(rwsem_read)(&core->memory_lock);

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

/*
 * Low-power entry: the buffers go first, and stay revoked for as long as
 * vfio-pci keeps the device in low power (pm_runtime_engaged).
 */
static int xvp_low_power_entry(struct xe_pfvf_vfio_device *xvdev, u32 flags,
			       void __user *arg, size_t argsz, size_t minsz)
{
	struct vfio_device *vdev = &xvdev->core.vdev;
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET, minsz);
	if (ret != 1)
		return ret;

	guard(mutex)(&xvdev->cmd_lock);
	scoped_guard(rwsem_write, &xvdev->core.memory_lock) {
		guard(mutex)(&xvdev->state_lock);
		xvp_suspend(xvdev, "low-power entry");
	}
	ret = vfio_pci_core_ioctl_feature(vdev, flags, arg, argsz);
	/* Back at once if the entry failed. */
	xvp_sync(xvdev);
	return ret;
}

/*
 * After an operation that needs no @cmd_lock: vfio-pci may have left low
 * power on its own (its wakeup eventfd, when the ioctl woke the device).
 */
static void xvp_sync_unlocked(struct xe_pfvf_vfio_device *xvdev)
{
	if (!READ_ONCE(xvdev->suspended))
		return;
	guard(mutex)(&xvdev->cmd_lock);
	xvp_sync(xvdev);
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
		return xvp_low_power_entry(xvdev, flags, arg, argsz, 0);
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP:
		return xvp_low_power_entry(xvdev, flags, arg, argsz,
					   sizeof(struct vfio_device_low_power_entry_with_wakeup));
	default:
		/* LOW_POWER_EXIT among them. */
		ret = vfio_pci_core_ioctl_feature(vdev, flags, arg, argsz);
		xvp_sync_unlocked(xvdev);
		return ret;
	}
}

/*
 * vfio-pci resets under memory_lock (write): reset_prepare revokes, and the
 * buffers come back once the reset is done.  The other devices a hot reset
 * takes along restore from their reset_done.
 */
static long xvp_reset_ioctl(struct xe_pfvf_vfio_device *xvdev, unsigned int cmd,
			    unsigned long arg)
{
	long ret;

	guard(mutex)(&xvdev->cmd_lock);
	ret = vfio_pci_core_ioctl(&xvdev->core.vdev, cmd, arg);
	xvp_sync(xvdev);
	return ret;
}

static long xvp_ioctl(struct vfio_device *vdev, unsigned int cmd,
		      unsigned long arg)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);
	long ret;

	if (cmd == VFIO_DEVICE_RESET || cmd == VFIO_DEVICE_PCI_HOT_RESET)
		return xvp_reset_ioctl(xvdev, cmd, arg);

	ret = vfio_pci_core_ioctl(vdev, cmd, arg);
	xvp_sync_unlocked(xvdev);
	return ret;
}

/*
 * The byte a config write of @count bytes at @pos from @buf puts at @reg:
 * 1 and *@val if it writes one there, 0 if not, -EFAULT if unreadable.
 */
static int xvp_written_byte(const char __user *buf, size_t count, u64 pos,
			    u64 reg, u8 *val)
{
	if (pos > reg || reg - pos >= count)
		return 0;
	if (get_user(*val, (const u8 __user *)buf + (reg - pos)))
		return -EFAULT;
	return 1;
}

/*
 * Whether a config write may disable the VF's memory: clear the memory
 * enable bit or enter D3hot.  vfio-pci applies a write in naturally aligned
 * pieces and changes the bit or the power state only for a piece that
 * starts at PCI_COMMAND or at PCI_PM_CTRL, both dword aligned: the byte the
 * write puts there decides.  A byte that cannot be read counts as a
 * disable; the write then fails anyway.
 */
static bool xvp_write_disables(struct xe_pfvf_vfio_device *xvdev,
			       const char __user *buf, size_t count, u64 pos)
{
	u8 pm = xvdev->core.pdev->pm_cap;
	u8 val;
	int ret;

	ret = xvp_written_byte(buf, count, pos, PCI_COMMAND, &val);
	if (ret < 0 || (ret && !(val & PCI_COMMAND_MEMORY)))
		return true;
	if (!pm)
		return false;
	ret = xvp_written_byte(buf, count, pos, pm + PCI_PM_CTRL, &val);
	/* The state field is 3 for D3hot, as vfio-pci decodes it. */
	return ret < 0 ||
	       (ret && (val & PCI_PM_CTRL_STATE_MASK) == PCI_PM_CTRL_STATE_MASK);
}

static ssize_t xvp_write(struct vfio_device *vdev, const char __user *buf,
			 size_t count, loff_t *ppos)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);
	u64 pos = *ppos & VFIO_PCI_OFFSET_MASK;
	ssize_t ret;

	if (VFIO_PCI_OFFSET_TO_INDEX(*ppos) != VFIO_PCI_CONFIG_REGION_INDEX)
		return vfio_pci_core_write(vdev, buf, count, ppos);

	/*
	 * Every config write: besides the command and PM control registers,
	 * one may start an FLR (PCIe or AF capability), which vfio-pci runs
	 * under memory_lock.
	 */
	guard(mutex)(&xvdev->cmd_lock);
	if (xvp_write_disables(xvdev, buf, count, pos)) {
		guard(rwsem_write)(&xvdev->core.memory_lock);
		guard(mutex)(&xvdev->state_lock);
		xvp_suspend(xvdev, "memory disable");
	}
	/* Takes memory_lock for the command and PM control registers. */
	ret = vfio_pci_core_write(vdev, buf, count, ppos);
	/* Also after a failure: a write may fail part way. */
	xvp_sync(xvdev);
	return ret;
}

static int xvp_open_device(struct vfio_device *vdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);
	struct vfio_pci_core_device *core = &xvdev->core;
	int ret;

	ret = vfio_pci_core_enable(core);
	if (ret)
		return ret;

	vfio_pci_core_finish_enable(core);

	/*
	 * No config write or ioctl before this returns: no cmd_lock, which
	 * the hot reset ioctl holds around the dev_set lock that is held here.
	 * Ends what earlier revocations (the reset in vfio_pci_core_enable())
	 * left for the exports to come.
	 */
	guard(rwsem_write)(&core->memory_lock);
	guard(mutex)(&xvdev->state_lock);
	xvdev->open = true;
	xvdev->error = false;
	if (!xvp_memory_enabled(xvdev))
		xvp_suspend(xvdev, "open with the memory disabled");
	xvp_restore_locked(xvdev);
	return 0;
}

static void xvp_close_device(struct vfio_device *vdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);

	scoped_guard(rwsem_write, &xvdev->core.memory_lock) {
		scoped_guard(mutex, &xvdev->state_lock)
			xvdev->open = false;
		xvp_revoke_for_good(xvdev, "close");
	}
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
	mutex_init(&xvdev->cmd_lock);
	mutex_init(&xvdev->state_lock);
	INIT_WORK(&xvdev->sync_work, xvp_sync_work);
	return 0;
}

static void xvp_release_dev(struct vfio_device *vdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_vfio(vdev);

	mutex_destroy(&xvdev->state_lock);
	mutex_destroy(&xvdev->cmd_lock);
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
#if IS_ENABLED(CONFIG_IOMMUFD)
	/* VFIO refuses a device without them when the kernel has iommufd. */
	.bind_iommufd	= vfio_iommufd_physical_bind,
	.unbind_iommufd	= vfio_iommufd_physical_unbind,
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
#endif
};

/*
 * Whatever starts the reset: with memory_lock held for writing (the VFIO
 * paths), or under the PCI core's device and config access locks (sysfs,
 * bus resets), which a config write under cmd_lock may be waiting for.
 * Hence only state_lock here.
 */
static void xvp_reset_prepare(struct pci_dev *pdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_pdev(pdev);

	if (!xvdev)
		return;

	guard(mutex)(&xvdev->state_lock);
	xvdev->resetting = true;
	xvp_suspend(xvdev, "function reset");
}

static void xvp_reset_done(struct pci_dev *pdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_pdev(pdev);

	if (!xvdev)
		return;

	scoped_guard(mutex, &xvdev->state_lock) {
		xvdev->resetting = false;
		/* A reset recovers the function from an earlier error too. */
		xvdev->error = false;
	}
	/*
	 * The VFIO reset paths restore when they return, before the work
	 * runs; the work is for the others.
	 */
	schedule_work(&xvdev->sync_work);
}

static pci_ers_result_t xvp_error_detected(struct pci_dev *pdev,
					   pci_channel_state_t state)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_pdev(pdev);

	if (xvdev) {
		guard(mutex)(&xvdev->state_lock);
		xvdev->error = true;
		xvp_suspend(xvdev, "PCIe error");
	}
	/* Tells the VMM (VFIO_PCI_ERR_IRQ_INDEX). */
	return vfio_pci_core_aer_err_detected(pdev, state);
}

static void xvp_error_resume(struct pci_dev *pdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_pdev(pdev);

	if (!xvdev)
		return;

	scoped_guard(mutex, &xvdev->state_lock)
		xvdev->error = false;
	schedule_work(&xvdev->sync_work);
}

static const struct pci_error_handlers xvp_err_handlers = {
	.error_detected	= xvp_error_detected,
	.resume		= xvp_error_resume,
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
	/* Our error handlers are our own: name the VFIO device for the uAPI. */
	xe_pfvf_vf_set_vfio_device(xvdev->vf, &xvdev->core.vdev);

	pci_dbg(pdev, "VF%u bound, LMEM BAR %d\n", xe_pfvf_vf_id(xvdev->vf),
		xe_pfvf_vf_lmem_bar(xvdev->vf));
	return 0;
}

static void xvp_remove(struct pci_dev *pdev)
{
	struct xe_pfvf_vfio_device *xvdev = xvp_from_pdev(pdev);

	xe_pfvf_vf_set_vfio_device(xvdev->vf, NULL);
	/* Waits for the device fd to be closed. */
	vfio_pci_core_unregister_device(&xvdev->core);
	/* The device lock held here keeps reset and error callbacks away. */
	cancel_work_sync(&xvdev->sync_work);
	xvp_revoke_for_good(xvdev, "remove");
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
