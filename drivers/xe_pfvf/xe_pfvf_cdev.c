// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <linux/xarray.h>
#include <linux/xe_pfvf.h>

#include "uapi/linux/xe_pfvf.h"
#include "xe_pfvf_dmabuf.h"
#include "xe_pfvf_drv.h"
#include "xe_pfvf_pf_types.h"
#include "xe_pfvf_table.h"

/**
 * DOC: uAPI char device
 *
 * ``/dev/xe_pfvf`` (misc device, 0600) implements the ioctls of
 * ``uapi/linux/xe_pfvf.h``, see "DOC: xe_pfvf uAPI" there.  What this file
 * adds to the kernel API:
 *
 * - Each open file has its own handles and its own key for the opaque
 *   extent handles of translations.  Raw addresses go to files opened by a
 *   CAP_SYS_ADMIN process only: the capability is taken from the opener,
 *   so a file passed to a less privileged process keeps what it was.
 * - An export handle is 32 random bits above a 32-bit index in the file's
 *   handle table; both must match.  A handle holds a reference on its VF
 *   (xe_pfvf_vf_get()) and on the dma-bufs made from it, which it revokes
 *   when it dies: on %XE_PFVF_IOC_REVOKE and when the file is released.  A
 *   handle whose VF was revoked (xe_pfvf_vf_revoke(): FLR, reset, memory
 *   disable), re-provisioned, unprovisioned or disabled since the export
 *   is stale: it makes no more dma-bufs.
 * - Ownership of a VF is proved by a VFIO file the caller holds it through
 *   (VFIO's symbols are looked up with symbol_get(), so that xe_pfvf does
 *   not need VFIO loaded):
 *
 *   - the VF's VFIO device cdev, ``/dev/vfio/devices/vfioN`` (kernels with
 *     CONFIG_VFIO_DEVICE_CDEV, the iommufd way of holding a device): a
 *     file VFIO calls its own (vfio_file_is_valid()) whose inode is the
 *     character device that VFIO registered as a child of the VF.  This
 *     needs nothing from the driver the VF is bound to, so it works for
 *     vfio-pci and for every variant driver;
 *   - the VFIO group file, with vfio_file_has_dev().  The VF's
 *     &struct vfio_device is the drvdata of vfio-pci and of every driver
 *     using vfio-pci core's error handlers (vfio-pci core needs it there),
 *     or what the VF's variant driver named with
 *     xe_pfvf_vf_set_vfio_device().
 *
 *   An iommufd file proves nothing about a device: it is the VFIO device
 *   cdev bound to it that does.
 * - IOVA translations walk the VF's IOMMU domain only while it is the
 *   kernel's own (DMA or identity): a VF assigned to userspace has the
 *   VMM's domain, whose lifetime the VMM controls (-EBUSY; its variant
 *   driver translates for it inside VFIO's device ops).
 *
 * Every refusal is logged, rate-limited, with the caller's command.
 */

/* Most live export handles per open file. */
#define CDEV_MAX_HANDLES	1024
/* Most live dma-bufs per handle. */
#define CDEV_MAX_BUFS		16
/* Most PFs one listing returns. */
#define CDEV_MAX_PFS		256

/**
 * struct cdev_file - an open /dev/xe_pfvf
 * @lock: serialises the handle operations of the file
 * @handles: the live export handles (&struct cdev_handle) by index
 * @nr_handles: entries in @handles. Protected by @lock.
 * @key: key of the opaque extent handles
 * @raw: the opener had CAP_SYS_ADMIN
 */
struct cdev_file {
	struct mutex lock; /* see the kernel-doc above */
	struct xarray handles;
	unsigned int nr_handles;
	siphash_key_t key;
	bool raw;
};

/**
 * struct cdev_handle - an export handle
 * @value: the handle as userspace sees it
 * @vf: the VF, from xe_pfvf_vf_get()
 * @generation: the VF's generation at the export
 * @revocations: the VF's &xe_pfvf_vf.revocations at the export
 * @space: %XE_PFVF_SPACE_LMEM or %XE_PFVF_SPACE_BAR
 * @range: the range
 * @bufs: the dma-bufs made from it, referenced
 * @nr_bufs: entries in @bufs
 */
struct cdev_handle {
	u64 value;
	struct xe_pfvf_vf *vf;
	u32 generation;
	u32 revocations;
	u32 space;
	struct xe_pfvf_dmabuf_range range;
	struct dma_buf *bufs[CDEV_MAX_BUFS];
	unsigned int nr_bufs;
};

#define cdev_refuse(err, fmt, ...)						\
	pr_notice_ratelimited(XE_PFVF_NAME ": %s[%d]: " fmt ": %pe\n",		\
			      current->comm, task_pid_nr(current), ##__VA_ARGS__,	\
			      ERR_PTR(err))

static u32 cdev_bdf(const struct pci_dev *pdev)
{
	return XE_PFVF_BDF(pci_domain_nr(pdev->bus), pdev->bus->number,
			   PCI_SLOT(pdev->devfn), PCI_FUNC(pdev->devfn));
}

static struct pci_dev *cdev_pci_get(u32 bdf)
{
	return pci_get_domain_bus_and_slot(XE_PFVF_BDF_SEG(bdf), XE_PFVF_BDF_BUS(bdf),
					   bdf & 0xff);
}

/* The registered PF at @bdf (not one of its VFs), or ERR_PTR(-ENODEV). */
static struct xe_pfvf_pf *cdev_pf_get(u32 bdf)
{
	struct pci_dev *pdev = cdev_pci_get(bdf);
	struct xe_pfvf_pf *pf = xe_pfvf_pf_get(pdev);

	if (pf && pf->pdev != pdev) {
		xe_pfvf_pf_put(pf);
		pf = NULL;
	}
	pci_dev_put(pdev);
	return pf ?: ERR_PTR(-ENODEV);
}

/*
 * Copy in an extensible struct whose first field is its size: at least
 * @ver0 bytes, at most a page, unknown trailing bytes zero.  Returns the
 * caller's size or a negative errno.
 */
static int cdev_copy_in(void *k, size_t ksize, size_t ver0, void __user *u)
{
	u32 usize;
	int err;

	if (get_user(usize, (u32 __user *)u))
		return -EFAULT;
	if (usize < ver0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(k, ksize, u, usize);
	return err ?: usize;
}

static int cdev_copy_out(void __user *u, const void *k, size_t ksize, u32 usize)
{
	return copy_to_user(u, k, min_t(size_t, ksize, usize)) ? -EFAULT : 0;
}

/* Check an array argument: @count entries of @entry_size at @uptr. */
static int cdev_check_array(u32 count, u32 entry_size, size_t ver0, u64 uptr)
{
	if (!count)
		return 0;
	if (count > XE_PFVF_MAX_ENTRIES)
		return -E2BIG;
	if (entry_size < ver0)
		return -EINVAL;
	if (entry_size > PAGE_SIZE)
		return -E2BIG;
	if (!access_ok(u64_to_user_ptr(uptr), (size_t)count * entry_size))
		return -EFAULT;
	return 0;
}

/* Write entry @idx of an array: what the kernel knows, zeroes past it. */
static int cdev_put_entry(u64 uptr, u32 entry_size, u32 idx, const void *k, size_t ksize)
{
	void __user *dst = u64_to_user_ptr(uptr) + (size_t)idx * entry_size;
	size_t n = min_t(size_t, entry_size, ksize);

	if (copy_to_user(dst, k, n))
		return -EFAULT;
	if (entry_size > n && clear_user(dst + n, entry_size - n))
		return -EFAULT;
	return 0;
}

static int cdev_version(struct cdev_file *cf, void __user *uarg)
{
	struct xe_pfvf_version v;
	int usize;

	usize = cdev_copy_in(&v, sizeof(v), XE_PFVF_VERSION_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (v.flags)
		return -EINVAL;
	v.major = XE_PFVF_UAPI_MAJOR;
	v.minor = XE_PFVF_UAPI_MINOR;
	v.caps = 0;
	if (cf->raw)
		v.caps |= XE_PFVF_CAP_RAW_ADDR;
	if (IS_ENABLED(CONFIG_VFIO))
		v.caps |= XE_PFVF_CAP_EXPORT;
	if (IS_ENABLED(CONFIG_PCI_P2PDMA))
		v.caps |= XE_PFVF_CAP_P2P;
	if (IS_ENABLED(CONFIG_IOMMU_API))
		v.caps |= XE_PFVF_CAP_IOMMU;
	v.nr_pfs = xe_pfvf_pf_snapshot(NULL, 0);
	v.max_handles = CDEV_MAX_HANDLES;
	return cdev_copy_out(uarg, &v, sizeof(v), usize);
}

static void cdev_pf_info(struct xe_pfvf_pf *pf, struct xe_pfvf_pf_info *info)
{
	memset(info, 0, sizeof(*info));
	guard(mutex)(&pf->lock);
	info->bdf = cdev_bdf(pf->pdev);
	info->total_vfs = pf->total_vfs;
	info->num_vfs = pf->num_vfs;
	info->lmem_bar = pf->lmem_bar;
	info->vram_size = pf->vram_size;
	info->revoked = atomic64_read(&pf->nr_revoked);
	strscpy(info->driver, pf->name, sizeof(info->driver));
}

static int cdev_list_pfs(void __user *uarg)
{
	struct xe_pfvf_pf_info info;
	struct xe_pfvf_list_pfs l;
	struct xe_pfvf_pf **pfs;
	unsigned int n, i, room;
	int usize, err = 0;

	usize = cdev_copy_in(&l, sizeof(l), XE_PFVF_LIST_PFS_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (l.flags)
		return -EINVAL;
	err = cdev_check_array(l.count, l.entry_size, XE_PFVF_PF_INFO_SIZE_VER0, l.entries);
	if (err)
		return err;

	room = min(l.count, CDEV_MAX_PFS);
	pfs = kcalloc(max(room, 1U), sizeof(*pfs), GFP_KERNEL);
	if (!pfs)
		return -ENOMEM;
	n = xe_pfvf_pf_snapshot(pfs, room);
	for (i = 0; i < min(n, room); i++) {
		if (!err) {
			cdev_pf_info(pfs[i], &info);
			err = cdev_put_entry(l.entries, l.entry_size, i, &info, sizeof(info));
		}
		xe_pfvf_pf_put(pfs[i]);
	}
	kfree(pfs);
	if (err)
		return err;
	l.count = n;
	return cdev_copy_out(uarg, &l, sizeof(l), usize);
}

/* Fill @info for VF slot @n; the caller holds the PF's lock. */
static void cdev_vf_info(struct cdev_file *cf, struct xe_pfvf_pf *pf, unsigned int n,
			 const struct xe_pfvf_table *t, struct xe_pfvf_vf_info *info)
{
	struct xe_pfvf_vf *vf = &pf->vfs[n];
	const struct xe_pfvf_bar *bar = n < t->total_vfs ? &t->vfs[n].bar : NULL;
	struct xe_pfvf_dmabuf *buf;
	struct xe_pfvf_prov *prov;

	lockdep_assert_held(&pf->lock);

	memset(info, 0, sizeof(*info));
	info->vfid = vf->vfid;
	info->generation = vf->generation;
	if (vf->pdev) {
		info->bdf = cdev_bdf(vf->pdev);
		info->state = vf->prov ? XE_PFVF_VF_PROVISIONED : XE_PFVF_VF_ENABLED;
	}
	if (vf->prov) {
		info->quota = vf->prov->cfg->quota;
		info->nr_extents = vf->prov->cfg->nr_extents;
	}
	if (bar && bar->size) {
		info->bar_size = bar->size;
		if (cf->raw) {
			info->bar_cpu = bar->cpu;
			info->bar_bus = bar->bus;
			info->vf_flags |= XE_PFVF_VF_RAW;
		}
	}
	list_for_each_entry(prov, &pf->withdrawn, link)
		if (prov->vfid == vf->vfid)
			info->quarantined++;
	spin_lock(&pf->buf_lock);
	list_for_each_entry(buf, &vf->dmabufs, link)
		info->live_bufs++;
	if (vf->suspended)
		info->vf_flags |= XE_PFVF_VF_SUSPENDED;
	spin_unlock(&pf->buf_lock);
}

static int cdev_list_vfs(struct cdev_file *cf, void __user *uarg)
{
	struct xe_pfvf_vf_info *infos = NULL;
	const struct xe_pfvf_table *t;
	struct xe_pfvf_list_vfs l;
	struct xe_pfvf_pf *pf;
	unsigned int n, room;
	int usize, err;

	usize = cdev_copy_in(&l, sizeof(l), XE_PFVF_LIST_VFS_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (l.flags || l.pad)
		return -EINVAL;
	err = cdev_check_array(l.count, l.entry_size, XE_PFVF_VF_INFO_SIZE_VER0, l.entries);
	if (err)
		return err;
	pf = cdev_pf_get(l.pf_bdf);
	if (IS_ERR(pf))
		return PTR_ERR(pf);

	room = min_t(unsigned int, l.count, pf->total_vfs);
	if (room) {
		infos = kvcalloc(room, sizeof(*infos), GFP_KERNEL);
		if (!infos) {
			xe_pfvf_pf_put(pf);
			return -ENOMEM;
		}
	}
	scoped_guard(mutex, &pf->lock) {
		t = rcu_dereference_protected(pf->table, lockdep_is_held(&pf->lock));
		for (n = 0; n < room; n++)
			cdev_vf_info(cf, pf, n, t, &infos[n]);
	}
	l.count = pf->total_vfs;
	xe_pfvf_pf_put(pf);

	for (n = 0; n < room && !err; n++)
		err = cdev_put_entry(l.entries, l.entry_size, n, &infos[n], sizeof(infos[n]));
	kvfree(infos);
	return err ?: cdev_copy_out(uarg, &l, sizeof(l), usize);
}

/*
 * The VF's IOMMU domain, while it is the kernel's own; its PCI device is
 * returned referenced in @pdev.
 */
static struct iommu_domain *cdev_vf_domain(struct xe_pfvf_pf *pf, u16 vfid,
					   struct pci_dev **pdev)
{
	struct iommu_domain *domain;
	struct pci_dev *vfdev;

	scoped_guard(mutex, &pf->lock)
		vfdev = pci_dev_get(pf->vfs[vfid - 1].pdev);
	*pdev = vfdev;
	if (!vfdev)
		return ERR_PTR(-ENOENT);
	domain = iommu_get_domain_for_dev(&vfdev->dev);
	if (!domain)
		return ERR_PTR(-EOPNOTSUPP);
	if (!(domain->type & __IOMMU_DOMAIN_DMA_API) && domain->type != IOMMU_DOMAIN_IDENTITY)
		return ERR_PTR(-EBUSY);
	return domain;
}

static u64 cdev_extent_handle(struct cdev_file *cf, u64 vram)
{
	return siphash_1u64(vram, &cf->key) ?: 1;
}

static int cdev_translate(struct cdev_file *cf, void __user *uarg)
{
	struct xe_pfvf_xlate_res res = {};
	struct xe_pfvf_xlate_req req = {};
	struct iommu_domain *domain = NULL;
	struct xe_pfvf_extent_info info;
	struct xe_pfvf_translate tr;
	struct pci_dev *vfdev = NULL;
	struct xe_pfvf_pf *pf;
	unsigned int i;
	int usize, err;

	usize = cdev_copy_in(&tr, sizeof(tr), XE_PFVF_TRANSLATE_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if ((tr.flags & ~XE_PFVF_TRANSLATE_ALIGNED) || tr.pad || tr.space > XE_PFVF_ADDR_IOVA)
		return -EINVAL;
	err = cdev_check_array(tr.count, tr.entry_size, XE_PFVF_EXTENT_INFO_SIZE_VER0,
			       tr.extents);
	if (err)
		return err;
	pf = cdev_pf_get(tr.pf_bdf);
	if (IS_ERR(pf))
		return PTR_ERR(pf);
	err = -ENOENT;
	if (!tr.vfid || tr.vfid > pf->total_vfs)
		goto out;

	if (tr.space == XE_PFVF_ADDR_IOVA) {
		domain = cdev_vf_domain(pf, tr.vfid, &vfdev);
		if (IS_ERR(domain)) {
			err = PTR_ERR(domain);
			goto out;
		}
	}
	if (tr.count) {
		err = -ENOMEM;
		res.ext = kvmalloc_array(tr.count, sizeof(*res.ext), GFP_KERNEL);
		if (!res.ext)
			goto out;
		res.max = tr.count;
	}
	req.space = tr.space;
	req.flags = tr.flags & XE_PFVF_TRANSLATE_ALIGNED ? XE_PFVF_XLATE_ALIGNED : 0;
	req.vfid = tr.vfid;
	req.addr = tr.addr;
	req.len = tr.length;
	/* Refusals past this point are logged by the translation. */
	err = xe_pfvf_pf_translate(pf, domain, &req, &res);
	if (err == -E2BIG)
		err = 0;
	if (err)
		goto out_logged;

	for (i = 0; i < min(res.nr, tr.count) && !err; i++) {
		info.handle = cdev_extent_handle(cf, res.ext[i].start);
		info.length = res.ext[i].size;
		info.vram = cf->raw ? res.ext[i].start : 0;
		err = cdev_put_entry(tr.extents, tr.entry_size, i, &info, sizeof(info));
	}
	tr.count = res.nr;
	tr.generation = res.generation;
	if (!err)
		err = cdev_copy_out(uarg, &tr, sizeof(tr), usize);
out:
	if (err && err != -EFAULT)
		cdev_refuse(err, "translate %#llx+%#llx (space %u) of VF%u of %04x:%02x:%02x.%u",
			    tr.addr, tr.length, tr.space, tr.vfid, XE_PFVF_BDF_SEG(tr.pf_bdf),
			    XE_PFVF_BDF_BUS(tr.pf_bdf), XE_PFVF_BDF_DEV(tr.pf_bdf),
			    XE_PFVF_BDF_FN(tr.pf_bdf));
out_logged:
	kvfree(res.ext);
	pci_dev_put(vfdev);
	xe_pfvf_pf_put(pf);
	return err;
}

#if IS_ENABLED(CONFIG_VFIO_DEVICE_CDEV)
static int cdev_is_child_devt(struct device *dev, void *data)
{
	return dev->devt == *(dev_t *)data;
}

/*
 * Is @file an open VFIO device cdev of @pdev?  See "DOC: uAPI char device".
 * The caller holds @file; the device lock keeps @pdev's children.
 */
static bool cdev_is_vfio_cdev_of(struct pci_dev *pdev, struct file *file)
{
	const struct inode *inode = file_inode(file);
	bool (*is_valid)(struct file *file);
	dev_t devt = inode->i_rdev;
	bool ret;

	if (!S_ISCHR(inode->i_mode) || !devt)
		return false;
	is_valid = symbol_get(vfio_file_is_valid);
	if (!is_valid)
		return false;
	ret = is_valid(file);
	symbol_put(vfio_file_is_valid);
	if (!ret)
		return false;

	device_lock(&pdev->dev);
	ret = device_for_each_child(&pdev->dev, &devt, cdev_is_child_devt) > 0;
	device_unlock(&pdev->dev);
	return ret;
}
#else
static bool cdev_is_vfio_cdev_of(struct pci_dev *pdev, struct file *file)
{
	return false;
}
#endif

/*
 * Does the VFIO group file @file hold @pdev, the PCI device of @vf?  See
 * "DOC: uAPI char device".
 */
static int cdev_group_has(struct xe_pfvf_vf *vf, struct pci_dev *pdev, struct file *file)
{
#if IS_ENABLED(CONFIG_VFIO_PCI_CORE)
	bool (*has_dev)(struct file *file, struct vfio_device *device);
	const struct pci_error_handlers *core_handlers;
	struct vfio_pci_core_device *core;
	const struct pci_driver *drv;
	struct vfio_device *vdev;
	bool owns = false;

	has_dev = symbol_get(vfio_file_has_dev);
	if (!has_dev)
		return -EOPNOTSUPP;
	core_handlers = symbol_get(vfio_pci_core_err_handlers);

	/* The device lock keeps the driver and its drvdata bound. */
	device_lock(&pdev->dev);
	scoped_guard(mutex, &vf->pf->lock)
		vdev = vf->vfio;
	drv = pdev->dev.driver ? to_pci_driver(pdev->dev.driver) : NULL;
	if (!vdev && core_handlers && drv && drv->err_handler &&
	    (drv->err_handler == core_handlers ||
	     drv->err_handler->error_detected == core_handlers->error_detected)) {
		core = dev_get_drvdata(&pdev->dev);
		vdev = core ? &core->vdev : NULL;
	}
	if (vdev)
		owns = has_dev(file, vdev);
	device_unlock(&pdev->dev);

	if (core_handlers)
		symbol_put(vfio_pci_core_err_handlers);
	symbol_put(vfio_file_has_dev);
	return owns ? 0 : -EPERM;
#else
	return -EOPNOTSUPP;
#endif
}

/* Does @file prove that its holder owns @vf, whose PCI device is @pdev? */
static int cdev_check_owner(struct xe_pfvf_vf *vf, struct pci_dev *pdev, struct file *file)
{
	if (cdev_is_vfio_cdev_of(pdev, file))
		return 0;
	return cdev_group_has(vf, pdev, file);
}

/* Whether the VF changed since the handle was made. */
static bool cdev_handle_stale(const struct cdev_handle *h)
{
	struct xe_pfvf_vf *vf = h->vf;
	struct xe_pfvf_pf *pf = vf->pf;
	bool stale;

	scoped_guard(mutex, &pf->lock)
		stale = vf->generation != h->generation;
	spin_lock(&pf->buf_lock);
	stale |= vf->revocations != h->revocations;
	spin_unlock(&pf->buf_lock);
	return stale;
}

static int cdev_export(struct cdev_file *cf, void __user *uarg)
{
	struct xe_pfvf_xlate_res res = {};
	struct xe_pfvf_xlate_req req = {};
	struct xe_pfvf_vf *vf = NULL;
	struct xe_pfvf_export ex;
	struct cdev_handle *h;
	struct pci_dev *pdev;
	struct file *vfio;
	int usize, err;
	u32 id;

	usize = cdev_copy_in(&ex, sizeof(ex), XE_PFVF_EXPORT_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (ex.flags || ex.pad ||
	    (ex.space != XE_PFVF_ADDR_LMEM && ex.space != XE_PFVF_ADDR_BAR))
		return -EINVAL;

	pdev = cdev_pci_get(ex.vf_bdf);
	if (!pdev || !pdev->is_virtfn) {
		err = -ENODEV;
		goto out_pdev;
	}
	vf = xe_pfvf_vf_get(pdev);
	if (IS_ERR(vf)) {
		err = PTR_ERR(vf) == -EINVAL ? -ENODEV : PTR_ERR(vf);
		vf = NULL;
		goto out_pdev;
	}
	vfio = fget(ex.vfio_fd);
	if (!vfio) {
		err = -EBADF;
		goto out_pdev;
	}
	err = cdev_check_owner(vf, pdev, vfio);
	fput(vfio);
	if (err)
		goto out_pdev;

	/* The range, checked now: the handle names a valid one. */
	req.space = ex.space;
	req.flags = XE_PFVF_XLATE_ALIGNED;
	req.addr = ex.offset;
	req.len = ex.length;
	err = xe_pfvf_vf_translate(vf, NULL, &req, &res);
	if (err)
		goto out_logged;

	err = -ENOMEM;
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		goto out_pdev;
	h->vf = vf;
	h->generation = res.generation;
	spin_lock(&vf->pf->buf_lock);
	h->revocations = vf->revocations;
	spin_unlock(&vf->pf->buf_lock);
	h->space = ex.space;
	h->range.offset = ex.offset;
	h->range.length = ex.length;

	mutex_lock(&cf->lock);
	if (cf->nr_handles >= CDEV_MAX_HANDLES) {
		err = -ENOSPC;
	} else {
		err = xa_alloc(&cf->handles, &id, h, xa_limit_32b, GFP_KERNEL);
		if (!err) {
			cf->nr_handles++;
			h->value = (u64)(get_random_u32() | 1) << 32 | id;
			ex.handle = h->value;
		}
	}
	mutex_unlock(&cf->lock);
	if (err) {
		kfree(h);
		goto out_pdev;
	}
	vf = NULL;	/* the handle's now */
	err = cdev_copy_out(uarg, &ex, sizeof(ex), usize);
	/* A handle the caller cannot learn dies with the file. */
out_pdev:
	if (err && err != -EFAULT)
		cdev_refuse(err, "export %#llx+%#llx (space %u) of %04x:%02x:%02x.%u",
			    ex.offset, ex.length, ex.space, XE_PFVF_BDF_SEG(ex.vf_bdf),
			    XE_PFVF_BDF_BUS(ex.vf_bdf), XE_PFVF_BDF_DEV(ex.vf_bdf),
			    XE_PFVF_BDF_FN(ex.vf_bdf));
out_logged:
	xe_pfvf_vf_put(vf);
	pci_dev_put(pdev);
	return err;
}

/* The handle @value of @cf, or NULL; the caller holds @cf->lock. */
static struct cdev_handle *cdev_handle_find(struct cdev_file *cf, u64 value)
{
	struct cdev_handle *h;

	lockdep_assert_held(&cf->lock);
	h = xa_load(&cf->handles, lower_32_bits(value));
	return h && h->value == value ? h : NULL;
}

/* Drop the dma-bufs of @h that nobody else holds any more. */
static void cdev_handle_prune(struct cdev_handle *h)
{
	unsigned int i = 0;

	while (i < h->nr_bufs) {
		if (file_count(h->bufs[i]->file) == 1) {
			dma_buf_put(h->bufs[i]);
			h->bufs[i] = h->bufs[--h->nr_bufs];
		} else {
			i++;
		}
	}
}

static int cdev_handle_fd(struct cdev_file *cf, void __user *uarg)
{
	struct xe_pfvf_dmabuf_desc desc = {};
	struct xe_pfvf_handle_fd hf;
	struct dma_buf *dmabuf;
	struct cdev_handle *h;
	int usize, err, fd;

	usize = cdev_copy_in(&hf, sizeof(hf), XE_PFVF_HANDLE_FD_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	/* O_RDONLY or O_RDWR: neither O_WRONLY nor the invalid mode 3. */
	if (hf.flags || (hf.fd_flags & ~(O_CLOEXEC | O_ACCMODE)) ||
	    ((hf.fd_flags & O_ACCMODE) != O_RDONLY && (hf.fd_flags & O_ACCMODE) != O_RDWR))
		return -EINVAL;

	guard(mutex)(&cf->lock);
	h = cdev_handle_find(cf, hf.handle);
	if (!h) {
		cdev_refuse(-ENOENT, "dma-buf of handle %#llx", hf.handle);
		return -ENOENT;
	}
	if (cdev_handle_stale(h)) {
		cdev_refuse(-ESTALE, "dma-buf of handle %#llx of VF%u", hf.handle, h->vf->vfid);
		return -ESTALE;
	}
	cdev_handle_prune(h);
	if (h->nr_bufs == CDEV_MAX_BUFS) {
		cdev_refuse(-ENOSPC, "dma-buf of handle %#llx of VF%u", hf.handle, h->vf->vfid);
		return -ENOSPC;
	}

	fd = get_unused_fd_flags(hf.fd_flags & O_CLOEXEC);
	if (fd < 0)
		return fd;
	desc.space = h->space;
	desc.ranges = &h->range;
	desc.nr_ranges = 1;
	desc.flags = hf.fd_flags;
	dmabuf = xe_pfvf_dmabuf_export(h->vf, &desc);
	if (IS_ERR(dmabuf)) {
		put_unused_fd(fd);
		return PTR_ERR(dmabuf);
	}
	hf.fd = fd;
	err = cdev_copy_out(uarg, &hf, sizeof(hf), usize);
	if (err) {
		put_unused_fd(fd);
		xe_pfvf_dmabuf_revoke(dmabuf);
		dma_buf_put(dmabuf);
		return err;
	}
	get_dma_buf(dmabuf);
	h->bufs[h->nr_bufs++] = dmabuf;
	fd_install(fd, dmabuf->file);
	return 0;
}

/*
 * Revoke the dma-bufs of a handle that is going away, and free it; those
 * nobody else holds any more are only let go (not counted).
 */
static void cdev_handle_free(struct cdev_handle *h, u32 *revoked, u32 *busy)
{
	unsigned int i;

	cdev_handle_prune(h);
	for (i = 0; i < h->nr_bufs; i++) {
		if (xe_pfvf_dmabuf_revoke(h->bufs[i]) == -EBUSY)
			(*busy)++;
		(*revoked)++;
		dma_buf_put(h->bufs[i]);
	}
	xe_pfvf_vf_put(h->vf);
	kfree(h);
}

static int cdev_revoke(struct cdev_file *cf, void __user *uarg)
{
	struct xe_pfvf_revoke rv;
	struct cdev_handle *h;
	int usize;

	usize = cdev_copy_in(&rv, sizeof(rv), XE_PFVF_REVOKE_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (rv.flags)
		return -EINVAL;
	rv.revoked = 0;
	rv.busy = 0;
	scoped_guard(mutex, &cf->lock) {
		h = cdev_handle_find(cf, rv.handle);
		if (h) {
			xa_erase(&cf->handles, lower_32_bits(rv.handle));
			cf->nr_handles--;
		}
	}
	if (!h) {
		cdev_refuse(-ENOENT, "revoke handle %#llx", rv.handle);
		return -ENOENT;
	}
	cdev_handle_free(h, &rv.revoked, &rv.busy);
	return cdev_copy_out(uarg, &rv, sizeof(rv), usize);
}

static bool cdev_private(struct pci_dev *provider, struct pci_dev *client)
{
	struct xe_pfvf_pf *pf = xe_pfvf_pf_get(provider);
	bool private;

	if (!pf)
		return false;
	private = (provider->is_virtfn && client == pf->pdev) ||
		  (client->is_virtfn && provider == pf->pdev &&
		   pci_physfn(client) == pf->pdev);
	xe_pfvf_pf_put(pf);
	return private;
}

static int cdev_p2p(void __user *uarg)
{
	struct pci_dev *provider, *client;
	struct xe_pfvf_p2p_answer ans;
	struct xe_pfvf_p2p p;
	int usize;

	usize = cdev_copy_in(&p, sizeof(p), XE_PFVF_P2P_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (p.flags)
		return -EINVAL;
	provider = cdev_pci_get(p.provider);
	client = cdev_pci_get(p.client);
	if (!provider || !client) {
		pci_dev_put(provider);
		pci_dev_put(client);
		cdev_refuse(-ENODEV, "p2p %#x -> %#x", p.provider, p.client);
		return -ENODEV;
	}
	xe_pfvf_p2p_query(provider, client, &ans);
	p.map = ans.map;
	p.distance = ans.distance;
	p.why = ans.no_p2pdma ? XE_PFVF_P2P_WHY_NO_P2PDMA : XE_PFVF_P2P_WHY_KERNEL;
	p.result_flags = (ans.acs_redirect ? XE_PFVF_P2P_ACS_REDIRECT : 0) |
			 (cdev_private(provider, client) ? XE_PFVF_P2P_PRIVATE : 0);
	pci_dev_put(provider);
	pci_dev_put(client);
	return cdev_copy_out(uarg, &p, sizeof(p), usize);
}

static long cdev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct cdev_file *cf = file->private_data;
	void __user *uarg = (void __user *)arg;

	/* The size in the command is the first version's: @size counts. */
	if (_IOC_TYPE(cmd) != XE_PFVF_IOCTL_BASE || _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(XE_PFVF_IOC_VERSION):
		return cdev_version(cf, uarg);
	case _IOC_NR(XE_PFVF_IOC_LIST_PFS):
		return cdev_list_pfs(uarg);
	case _IOC_NR(XE_PFVF_IOC_LIST_VFS):
		return cdev_list_vfs(cf, uarg);
	case _IOC_NR(XE_PFVF_IOC_TRANSLATE):
		return cdev_translate(cf, uarg);
	case _IOC_NR(XE_PFVF_IOC_EXPORT):
		return cdev_export(cf, uarg);
	case _IOC_NR(XE_PFVF_IOC_HANDLE_FD):
		return cdev_handle_fd(cf, uarg);
	case _IOC_NR(XE_PFVF_IOC_REVOKE):
		return cdev_revoke(cf, uarg);
	case _IOC_NR(XE_PFVF_IOC_P2P):
		return cdev_p2p(uarg);
	default:
		return -ENOTTY;
	}
}

static int cdev_open(struct inode *inode, struct file *file)
{
	struct cdev_file *cf;

	cf = kzalloc(sizeof(*cf), GFP_KERNEL);
	if (!cf)
		return -ENOMEM;
	mutex_init(&cf->lock);
	xa_init_flags(&cf->handles, XA_FLAGS_ALLOC1);
	get_random_bytes(&cf->key, sizeof(cf->key));
	cf->raw = capable(CAP_SYS_ADMIN);
	file->private_data = cf;
	return nonseekable_open(inode, file);
}

static int cdev_release(struct inode *inode, struct file *file)
{
	struct cdev_file *cf = file->private_data;
	struct cdev_handle *h;
	u32 revoked = 0, busy = 0;
	unsigned long id;

	xa_for_each(&cf->handles, id, h)
		cdev_handle_free(h, &revoked, &busy);
	xa_destroy(&cf->handles);
	mutex_destroy(&cf->lock);
	kfree(cf);
	return 0;
}

static const struct file_operations cdev_fops = {
	.owner		= THIS_MODULE,
	.open		= cdev_open,
	.release	= cdev_release,
	.unlocked_ioctl	= cdev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice cdev_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= XE_PFVF_NAME,
	.fops	= &cdev_fops,
	.mode	= 0600,
};

int xe_pfvf_cdev_init(void)
{
	/* The uAPI's numbers are the kernel API's. */
	BUILD_BUG_ON(XE_PFVF_ADDR_LMEM != XE_PFVF_SPACE_LMEM);
	BUILD_BUG_ON(XE_PFVF_ADDR_BAR != XE_PFVF_SPACE_BAR);
	BUILD_BUG_ON(XE_PFVF_ADDR_CPU != XE_PFVF_SPACE_CPU);
	BUILD_BUG_ON(XE_PFVF_ADDR_BUS != XE_PFVF_SPACE_BUS);
	BUILD_BUG_ON(XE_PFVF_ADDR_IOVA != XE_PFVF_SPACE_IOVA);
	BUILD_BUG_ON(XE_PFVF_P2P_MAP_NONE != XE_PFVF_P2P_REFUSED);
	BUILD_BUG_ON(XE_PFVF_P2P_MAP_BUS_ADDR != XE_PFVF_P2P_BUS_ADDR);
	BUILD_BUG_ON(XE_PFVF_P2P_MAP_HOST_BRIDGE != XE_PFVF_P2P_HOST_BRIDGE);
	BUILD_BUG_ON(sizeof(struct xe_pfvf_translate) != XE_PFVF_TRANSLATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct xe_pfvf_export) != XE_PFVF_EXPORT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct xe_pfvf_vf_info) != XE_PFVF_VF_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct xe_pfvf_pf_info) != XE_PFVF_PF_INFO_SIZE_VER0);

	return misc_register(&cdev_misc);
}

void xe_pfvf_cdev_fini(void)
{
	misc_deregister(&cdev_misc);
}
