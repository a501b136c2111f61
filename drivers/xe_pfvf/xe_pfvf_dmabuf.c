// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/cleanup.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_dmabuf.h"
#include "xe_pfvf_drv.h"
#include "xe_pfvf_pf_types.h"
#include "xe_pfvf_table.h"

/**
 * DOC: private-interconnect dma-bufs
 *
 * A VF variant driver exports ranges of its VF's LMEM, given as offsets in
 * the VF's LMEM BAR or in its LMEM, as a dma-buf (xe_pfvf_dmabuf_export()).
 * The ranges are translated into VRAM extents once, at export, against the
 * provisioning the PF driver published.  The buffer holds a reference on
 * the PF, the VF's &struct pci_dev and (as every dma-buf) on xe_pfvf.ko.
 * Its extents, overlapping or repeated ranges counted in full, are at most
 * %XE_PFVF_DMABUF_MAX_EXTENTS, and the memory they take is charged to the
 * exporting task's memory cgroup.
 *
 * Importers, matched by the exporter when they attach:
 *
 * - The owning PF (the importer's device is the VF's pci_physfn()) that asks
 *   for the private interconnect %XE_PFVF_INTERCONNECT_LMEM through
 *   xe_pfvf_dmabuf_attach() maps the buffer with xe_pfvf_dmabuf_map() and
 *   gets the VRAM extents as a &struct xe_pfvf_mapping: no pci_p2pdma_*, no
 *   dma_map_resource(), no IOMMU mapping.  The interconnect is a name, the
 *   match is made by the exporter and the result is typed, so that the
 *   negotiation maps onto the dma-buf interconnect and mapping-type
 *   proposals once one is merged.
 *
 * - Any other importer, and the PF if it does not ask for the private
 *   interconnect, gets the standard path where the kernel's P2PDMA rules
 *   allow it (see "DOC: standard path"), and -EREMOTEIO where they do not.
 *
 * - Every importer must be revocable, as upstream requires from 7.1 on
 *   (dma_buf_attach_revocable()): an attachment without move_notify is
 *   refused with -EOPNOTSUPP, and so is pinning wherever the dma-buf core
 *   has move_notify (CONFIG_DMABUF_MOVE_NOTIFY), because a pinned importer
 *   may take a revocation as the end of the buffer rather than unmap.
 *   Where the core pins at every map of a dynamic importer (kernels without
 *   move_notify), pinning is accepted and the importer is notified anyway.
 *
 * - Attaching to a buffer that is revoked, even temporarily, fails with
 *   -ENODEV, as it does on vfio-pci.
 *
 * CPU access: none.  mmap() and vmap() of these buffers fail: the memory
 * belongs to a VF that a guest drives, the host reaches it through the VF
 * variant driver's own BAR mappings (which VFIO zaps on reset), and the PF
 * reaches it as VRAM.
 *
 * Every mapping is counted per attachment.  An importer that detaches with
 * a mapping still live is told in the log, and its mappings are dropped
 * with the attachment (the standard path's are unmapped), so that no later
 * revocation waits for a mapping nobody holds.
 *
 * Revocation is described in "DOC: revocation".
 */

static const struct dma_buf_ops dmabuf_ops;

/**
 * xe_pfvf_is_dmabuf() - is this a dma-buf exported by xe_pfvf?
 * @dmabuf: the dma-buf
 *
 * Return: true if xe_pfvf_dmabuf_export() made @dmabuf.
 */
bool xe_pfvf_is_dmabuf(const struct dma_buf *dmabuf)
{
	return dmabuf && dmabuf->ops == &dmabuf_ops;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_is_dmabuf, XE_PFVF_NS);

/**
 * xe_pfvf_dmabuf_next() - walk a VF's dma-bufs without holding a lock
 * @vf: the VF
 * @pos: the buffer returned by the previous call, or NULL to start
 *
 * Returns the next buffer on the VF's list with a reference on its file,
 * and drops the reference on @pos.  Buffers whose file is being released
 * are skipped: nobody can map them.
 *
 * Return: the next buffer, or NULL at the end of the list.
 */
struct xe_pfvf_dmabuf *xe_pfvf_dmabuf_next(struct xe_pfvf_vf *vf, struct xe_pfvf_dmabuf *pos)
{
	struct xe_pfvf_pf *pf = vf->pf;
	struct xe_pfvf_dmabuf *buf, *next = NULL;

	spin_lock(&pf->buf_lock);
	/* @pos is still listed: its reference keeps its release away. */
	buf = pos ? list_next_entry(pos, link) :
		    list_first_entry(&vf->dmabufs, struct xe_pfvf_dmabuf, link);
	for (; !list_entry_is_head(buf, &vf->dmabufs, link); buf = list_next_entry(buf, link)) {
		if (xe_pfvf_file_get_active(buf->dmabuf->file)) {
			next = buf;
			break;
		}
	}
	spin_unlock(&pf->buf_lock);
	if (pos)
		fput(pos->dmabuf->file);
	return next;
}

/**
 * xe_pfvf_dmabuf_put() - stop a walk of xe_pfvf_dmabuf_next() early
 * @buf: the buffer it returned last, or NULL
 */
void xe_pfvf_dmabuf_put(struct xe_pfvf_dmabuf *buf)
{
	if (buf)
		fput(buf->dmabuf->file);
}

/**
 * xe_pfvf_dmabuf_importers() - the devices mapping a buffer, for logs
 * @buf: the buffer
 * @names: where to write their names, space separated
 * @size: size of @names
 *
 * Takes the buffer's reservation lock.
 *
 * Return: the number of attachments with a live mapping.
 */
unsigned int xe_pfvf_dmabuf_importers(struct xe_pfvf_dmabuf *buf, char *names, size_t size)
{
	struct dma_buf_attachment *attach;
	unsigned int n = 0;
	size_t len = 0;

	names[0] = '\0';
	dma_resv_lock(buf->dmabuf->resv, NULL);
	list_for_each_entry(attach, &buf->dmabuf->attachments, node) {
		struct xe_pfvf_attach *xa = attach->priv;

		if (!xa || !xa->nr_mapped)
			continue;
		len += scnprintf(names + len, size - len, "%s%s:%s", n ? " " : "",
				 dev_driver_string(attach->dev), dev_name(attach->dev));
		n++;
	}
	dma_resv_unlock(buf->dmabuf->resv);
	return n;
}

static bool dmabuf_is_owner(struct xe_pfvf_dmabuf *buf, struct device *dev)
{
	return dev_is_pci(dev) && to_pci_dev(dev) == pci_physfn(buf->pdev);
}

static void dmabuf_mapped(struct xe_pfvf_dmabuf *buf, struct xe_pfvf_attach *xa)
{
	dma_resv_assert_held(buf->dmabuf->resv);
	xa->nr_mapped++;
	buf->nr_mapped++;
}

static void dmabuf_unmapped(struct xe_pfvf_dmabuf *buf, struct xe_pfvf_attach *xa,
			    unsigned int n)
{
	dma_resv_assert_held(buf->dmabuf->resv);
	xa->nr_mapped -= n;
	buf->nr_mapped -= n;
	if (!buf->nr_mapped)
		xe_pfvf_revoke_kick(buf);
}

static int dmabuf_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct xe_pfvf_dmabuf *buf = dmabuf->priv;
	struct xe_pfvf_attach *xa;
	enum xe_pfvf_p2p_map p2p = XE_PFVF_P2P_REFUSED;
	int err;

	if (READ_ONCE(buf->state) != XE_PFVF_DMABUF_LIVE)
		return -ENODEV;
	/* The owning PF may still ask for the private interconnect. */
	if (!dmabuf_is_owner(buf, attach->dev)) {
		err = xe_pfvf_p2p_check(buf->pdev, buf->vf->pf->lmem_bar, attach->dev, &p2p);
		if (err)
			return err;
	}
	if (!xe_pfvf_attach_revocable(attach)) {
		pci_notice_ratelimited(buf->pdev, "dma-buf %lu refused to %s: importer cannot be revoked (no move_notify)\n",
				       buf->ino, dev_name(attach->dev));
		return -EOPNOTSUPP;
	}

	xa = kzalloc(sizeof(*xa), GFP_KERNEL_ACCOUNT);
	if (!xa)
		return -ENOMEM;
	xa->path = p2p == XE_PFVF_P2P_REFUSED ? XE_PFVF_PATH_UNDECIDED : XE_PFVF_PATH_STANDARD;
	xa->p2p = p2p;
	INIT_LIST_HEAD(&xa->sgts);
	attach->priv = xa;
	return 0;
}

static void dmabuf_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct xe_pfvf_dmabuf *buf = dmabuf->priv;
	struct xe_pfvf_attach *xa = attach->priv;
	struct xe_pfvf_sgt *xs, *next;

	/* Off the attachment list already: no map or notification reaches it. */
	dma_resv_lock(dmabuf->resv, NULL);
	if (xa->nr_mapped) {
		dev_err_ratelimited(&buf->pdev->dev, "dma-buf %lu: %s detached with %u mapping(s) live; dropping them\n",
				    buf->ino, dev_name(attach->dev), xa->nr_mapped);
		list_for_each_entry_safe(xs, next, &xa->sgts, link) {
			list_del(&xs->link);
			xe_pfvf_p2p_unmap(attach->dev, xa->p2p, &xs->sgt, xs->dir);
			kfree(xs);
		}
		dmabuf_unmapped(buf, xa, xa->nr_mapped);
	}
	dma_resv_unlock(dmabuf->resv);
	kfree(xa);
	attach->priv = NULL;
}

static int dmabuf_pin(struct dma_buf_attachment *attach)
{
	struct xe_pfvf_dmabuf *buf = attach->dmabuf->priv;

	/* The dma-buf core pins at every map where it has no move_notify. */
	if (XE_PFVF_DMABUF_CORE_PINS)
		return 0;
	pci_notice_ratelimited(buf->pdev, "dma-buf %lu: pin by %s refused: it could not be revoked\n",
			       buf->ino, dev_name(attach->dev));
	return -EOPNOTSUPP;
}

static void dmabuf_unpin(struct dma_buf_attachment *attach)
{
}

/* The standard path: the BAR ranges as DMA addresses of the importer. */
static struct sg_table *dmabuf_map(struct dma_buf_attachment *attach,
				   enum dma_data_direction dir)
{
	struct xe_pfvf_dmabuf *buf = attach->dmabuf->priv;
	struct xe_pfvf_attach *xa = attach->priv;
	struct xe_pfvf_sgt *xs;
	int err;

	dma_resv_assert_held(attach->dmabuf->resv);

	if (buf->state != XE_PFVF_DMABUF_LIVE)
		return ERR_PTR(-ENODEV);
	if (xa->path == XE_PFVF_PATH_PRIVATE) {
		pci_notice_ratelimited(buf->pdev, "dma-buf %lu: %s attached over %s, maps with xe_pfvf_dmabuf_map()\n",
				       buf->ino, dev_name(attach->dev), XE_PFVF_INTERCONNECT_LMEM);
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (xa->path == XE_PFVF_PATH_UNDECIDED) {
		err = xe_pfvf_p2p_check(buf->pdev, buf->vf->pf->lmem_bar, attach->dev,
					&xa->p2p);
		if (err)
			return ERR_PTR(err);
		xa->path = XE_PFVF_PATH_STANDARD;
	}
	if (!attach->peer2peer) {
		pci_notice_ratelimited(buf->pdev, "dma-buf %lu refused to %s: it cannot take peer-to-peer memory\n",
				       buf->ino, dev_name(attach->dev));
		return ERR_PTR(-EOPNOTSUPP);
	}

	xs = kzalloc(sizeof(*xs), GFP_KERNEL_ACCOUNT);
	if (!xs)
		return ERR_PTR(-ENOMEM);
	err = xe_pfvf_p2p_map(attach->dev, xa->p2p, &buf->bar, buf->ranges, buf->nr_ranges, dir,
			      &xs->sgt);
	if (err) {
		kfree(xs);
		return ERR_PTR(err);
	}
	xs->dir = dir;
	list_add_tail(&xs->link, &xa->sgts);
	dmabuf_mapped(buf, xa);
	return &xs->sgt;
}

static void dmabuf_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
			 enum dma_data_direction dir)
{
	struct xe_pfvf_dmabuf *buf = attach->dmabuf->priv;
	struct xe_pfvf_attach *xa = attach->priv;
	struct xe_pfvf_sgt *xs = container_of(sgt, struct xe_pfvf_sgt, sgt);

	dma_resv_assert_held(attach->dmabuf->resv);
	list_del(&xs->link);
	xe_pfvf_p2p_unmap(attach->dev, xa->p2p, &xs->sgt, xs->dir);
	kfree(xs);
	dmabuf_unmapped(buf, xa, 1);
}

static void dmabuf_free(struct xe_pfvf_dmabuf *buf)
{
	kvfree(buf->map);
	kvfree(buf->ranges);
	pci_dev_put(buf->pdev);
	if (buf->vf)
		xe_pfvf_pf_put(buf->vf->pf);
	kfree(buf);
}

static void dmabuf_release(struct dma_buf *dmabuf)
{
	struct xe_pfvf_dmabuf *buf = dmabuf->priv;
	struct xe_pfvf_pf *pf = buf->vf->pf;

	/* A stuck buffer holds its file: this one is not stuck. */
	spin_lock(&pf->buf_lock);
	list_del(&buf->link);
	spin_unlock(&pf->buf_lock);
	dmabuf_free(buf);
}

static int dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	return -EOPNOTSUPP;
}

static const struct dma_buf_ops dmabuf_ops = {
	.attach = dmabuf_attach,
	.detach = dmabuf_detach,
	.pin = dmabuf_pin,
	.unpin = dmabuf_unpin,
	.map_dma_buf = dmabuf_map,
	.unmap_dma_buf = dmabuf_unmap,
	.release = dmabuf_release,
	.mmap = dmabuf_mmap,
};

/* Checks on the request alone; the VF's device names the log lines. */
static int dmabuf_check_desc(struct pci_dev *pdev, const struct xe_pfvf_dmabuf_desc *desc,
			     u64 *size)
{
	unsigned int i;

	if (desc->space != XE_PFVF_SPACE_BAR && desc->space != XE_PFVF_SPACE_LMEM) {
		pci_notice_ratelimited(pdev, "export: space %u is neither LMEM nor BAR\n",
				       desc->space);
		return -EINVAL;
	}
	if (desc->flags & ~(O_CLOEXEC | O_ACCMODE)) {
		pci_notice_ratelimited(pdev, "export: file flags %#x\n", desc->flags);
		return -EINVAL;
	}
	if (!desc->nr_ranges || !desc->ranges) {
		pci_notice_ratelimited(pdev, "export: no ranges\n");
		return -EINVAL;
	}
	if (desc->nr_ranges > XE_PFVF_DMABUF_MAX_RANGES) {
		pci_notice_ratelimited(pdev, "export: %u ranges > %u\n", desc->nr_ranges,
				       XE_PFVF_DMABUF_MAX_RANGES);
		return -E2BIG;
	}
	*size = 0;
	for (i = 0; i < desc->nr_ranges; i++) {
		const struct xe_pfvf_dmabuf_range *r = &desc->ranges[i];

		if (!r->length || !IS_ALIGNED(r->offset | r->length, XE_PFVF_GRANULE)) {
			pci_notice_ratelimited(pdev, "export: range %u (%#llx+%#llx) empty or not %llu-byte aligned\n",
					       i, r->offset, r->length, XE_PFVF_GRANULE);
			return -EINVAL;
		}
		if (check_add_overflow(*size, r->length, size)) {
			pci_notice_ratelimited(pdev, "export: size overflows\n");
			return -EOVERFLOW;
		}
	}
	return 0;
}

/*
 * Translate the ranges into @buf's extents, against the table as the PF
 * lock holds it still: bounds and extents counted first (O(log n) per
 * range, nothing produced), then one translation straight into an array of
 * exactly that size.
 */
static int dmabuf_translate(struct xe_pfvf_dmabuf *buf, const struct xe_pfvf_table *table,
			    const struct xe_pfvf_dmabuf_desc *desc, u64 size)
{
	struct xe_pfvf_vf *vf = buf->vf;
	struct xe_pfvf_xlate_res res = {};
	struct xe_pfvf_cursor cur = {};
	u64 nr = 0;
	unsigned int i;
	u32 span;
	int err;

	lockdep_assert_held(&vf->pf->lock);

	for (i = 0; i < desc->nr_ranges; i++) {
		const struct xe_pfvf_dmabuf_range *r = &desc->ranges[i];

		err = xe_pfvf_table_span(table, desc->space, vf->vfid, r->offset, r->length, &span);
		if (err) {
			pci_notice_ratelimited(buf->pdev, "export: %s range %u (%#llx+%#llx): %pe\n",
					       xe_pfvf_space_name(desc->space), i, r->offset,
					       r->length, ERR_PTR(err));
			return err;
		}
		/* Repeated or overlapping ranges count in full. */
		nr += span;
		if (nr > XE_PFVF_DMABUF_MAX_EXTENTS) {
			pci_notice_ratelimited(buf->pdev, "export: more than %u VRAM extents in %u ranges\n",
					       XE_PFVF_DMABUF_MAX_EXTENTS, i + 1);
			return -E2BIG;
		}
	}

	buf->map = kvzalloc(struct_size(buf->map, extents, nr), GFP_KERNEL_ACCOUNT);
	if (!buf->map)
		return -ENOMEM;
	res.ext = buf->map->extents;
	res.max = nr;
	for (i = 0; i < desc->nr_ranges; i++) {
		const struct xe_pfvf_xlate_req req = {
			.space = desc->space,
			.flags = XE_PFVF_XLATE_ALIGNED,
			.vfid = vf->vfid,
			.addr = desc->ranges[i].offset,
			.len = desc->ranges[i].length,
		};

		/* Checked above, on the same table: cannot fail. */
		err = xe_pfvf_table_xlate_cursor(table, &req, &res, &cur);
		if (err)
			return err;
	}
	buf->map->interconnect = XE_PFVF_INTERCONNECT_LMEM;
	buf->map->vfid = vf->vfid;
	buf->map->size = size;
	buf->map->nr_extents = res.nr;
	buf->generation = res.generation;
	return 0;
}

/**
 * xe_pfvf_dmabuf_export() - export ranges of a VF's LMEM as a dma-buf
 * @vf: the VF, from xe_pfvf_vf_get()
 * @desc: the ranges, by LMEM BAR or LMEM offset; copied
 *
 * Every range must be granule-aligned and lie inside the VF's LMEM quota
 * (and, for BAR offsets, inside its LMEM BAR); the buffer is their
 * concatenation.  Install it in a file descriptor with dma_buf_fd(), or
 * drop it with dma_buf_put().  A buffer exported while the VF's memory is
 * revoked temporarily (xe_pfvf_vf_revoke()) starts revoked.  See "DOC:
 * private-interconnect dma-bufs" for who may import it and "DOC:
 * revocation" for how it is revoked.
 *
 * Return: the dma-buf, or ERR_PTR(-EINVAL) for a malformed @desc (no
 * ranges, unknown space or flags, unaligned range), ERR_PTR(-E2BIG) for
 * more than %XE_PFVF_DMABUF_MAX_RANGES ranges or more than
 * %XE_PFVF_DMABUF_MAX_EXTENTS VRAM extents, ERR_PTR(-EOVERFLOW) for a
 * total size that overflows, ERR_PTR(-ENXIO) for a range beyond the LMEM
 * BAR, ERR_PTR(-ERANGE) beyond the LMEM quota, ERR_PTR(-ENODEV) if the VF
 * is not enabled or not provisioned or its PF unregistered,
 * ERR_PTR(-ENOMEM).
 */
struct dma_buf *xe_pfvf_dmabuf_export(struct xe_pfvf_vf *vf,
				      const struct xe_pfvf_dmabuf_desc *desc)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct xe_pfvf_pf *pf = vf->pf;
	const struct xe_pfvf_table *table;
	struct xe_pfvf_dmabuf *buf;
	struct dma_buf *dmabuf;
	struct pci_dev *pdev;
	u64 size;
	int err;

	guard(mutex)(&pf->lock);

	pdev = vf->pdev;
	if (!pf->registered || !pdev) {
		pci_notice_ratelimited(pf->pdev, "export VF%u: VF not enabled\n", vf->vfid);
		return ERR_PTR(-ENODEV);
	}
	err = dmabuf_check_desc(pdev, desc, &size);
	if (err)
		return ERR_PTR(err);

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&buf->link);
	INIT_LIST_HEAD(&buf->stuck_link);
	init_waitqueue_head(&buf->unmapped);
	buf->pdev = pci_dev_get(pdev);
	buf->vf = vf;
	xe_pfvf_pf_hold(pf);

	table = rcu_dereference_protected(pf->table, lockdep_is_held(&pf->lock));
	err = dmabuf_translate(buf, table, desc, size);
	if (err)
		goto err_free;

	buf->nr_ranges = desc->nr_ranges;
	buf->ranges = kvmalloc_array(desc->nr_ranges, sizeof(*desc->ranges), GFP_KERNEL_ACCOUNT);
	if (!buf->ranges) {
		err = -ENOMEM;
		goto err_free;
	}
	memcpy(buf->ranges, desc->ranges, array_size(desc->nr_ranges, sizeof(*desc->ranges)));
	buf->bar.cpu = pci_resource_start(pdev, pf->lmem_bar);
	buf->bar.bus = pci_bus_address(pdev, pf->lmem_bar);
	buf->bar.size = pci_resource_len(pdev, pf->lmem_bar);

	exp_info.ops = &dmabuf_ops;
	exp_info.size = size;
	exp_info.flags = desc->flags;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		err = PTR_ERR(dmabuf);
		pci_notice_ratelimited(pdev, "export: %pe\n", dmabuf);
		goto err_free;
	}
	buf->dmabuf = dmabuf;
	buf->ino = file_inode(dmabuf->file)->i_ino;

	/* Not visible to anyone before it is listed. */
	spin_lock(&pf->buf_lock);
	buf->state = vf->suspended ? XE_PFVF_DMABUF_SUSPENDED : XE_PFVF_DMABUF_LIVE;
	list_add_tail(&buf->link, &vf->dmabufs);
	spin_unlock(&pf->buf_lock);

	pci_dbg(pdev, "exported %llu bytes in %u extents as dma-buf %lu%s\n", size,
		buf->map->nr_extents, buf->ino, buf->state == XE_PFVF_DMABUF_LIVE ? "" :
		" (memory disabled: revoked until restored)");
	return dmabuf;

err_free:
	dmabuf_free(buf);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_dmabuf_export, XE_PFVF_NS);

/**
 * xe_pfvf_dmabuf_attach() - attach to a VF's dma-buf over an interconnect
 * @dmabuf: a dma-buf from xe_pfvf_dmabuf_export()
 * @importer: the importing device, the VF's PF
 * @ops: the importer's callbacks; move_notify is required and must unmap
 * @importer_priv: the importer's private data for the attachment
 * @interconnect: the interconnect asked for, %XE_PFVF_INTERCONNECT_LMEM
 *
 * The exporter matches the request: only the VF's own PF gets the private
 * interconnect.  Map the attachment with xe_pfvf_dmabuf_map() and detach it
 * with dma_buf_detach().
 *
 * Return: the attachment, or ERR_PTR(-EINVAL) if @dmabuf is not an xe_pfvf
 * dma-buf or @interconnect unknown, ERR_PTR(-EOPNOTSUPP) without
 * move_notify, ERR_PTR(-EXDEV) if @importer is not the VF's PF,
 * ERR_PTR(-ENODEV) if the buffer is revoked, ERR_PTR(-ENOMEM).
 */
struct dma_buf_attachment *
xe_pfvf_dmabuf_attach(struct dma_buf *dmabuf, struct device *importer,
		      const struct dma_buf_attach_ops *ops, void *importer_priv,
		      const char *interconnect)
{
	struct dma_buf_attachment *attach;
	struct xe_pfvf_dmabuf *buf;
	struct xe_pfvf_attach *xa;

	if (!xe_pfvf_is_dmabuf(dmabuf) || !importer) {
		pr_notice_ratelimited(XE_PFVF_NAME ": attach: not an xe_pfvf dma-buf\n");
		return ERR_PTR(-EINVAL);
	}
	buf = dmabuf->priv;
	if (!interconnect || strcmp(interconnect, XE_PFVF_INTERCONNECT_LMEM)) {
		pci_notice_ratelimited(buf->pdev, "dma-buf %lu: %s asks for unknown interconnect %s\n",
				       buf->ino, dev_name(importer), interconnect ?: "(none)");
		return ERR_PTR(-EINVAL);
	}
	if (!xe_pfvf_importer_revocable(ops)) {
		pci_notice_ratelimited(buf->pdev, "dma-buf %lu refused to %s: importer cannot be revoked (no move_notify)\n",
				       buf->ino, dev_name(importer));
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (!dmabuf_is_owner(buf, importer)) {
		pci_notice_ratelimited(buf->pdev, "dma-buf %lu refused to %s: %s is only for the VF's PF %s\n",
				       buf->ino, dev_name(importer), XE_PFVF_INTERCONNECT_LMEM,
				       pci_name(pci_physfn(buf->pdev)));
		return ERR_PTR(-EXDEV);
	}

	attach = dma_buf_dynamic_attach(dmabuf, importer, ops, importer_priv);
	if (IS_ERR(attach))
		return attach;
	/* The importer has not seen the attachment yet: nobody maps it. */
	xa = attach->priv;
	xa->path = XE_PFVF_PATH_PRIVATE;
	return attach;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_dmabuf_attach, XE_PFVF_NS);

/**
 * xe_pfvf_dmabuf_map() - map a dma-buf over the private interconnect
 * @attach: an attachment from xe_pfvf_dmabuf_attach()
 *
 * Called with the dma-buf's reservation lock held.  O(1): the extents were
 * translated at export.  The mapping stays valid until
 * xe_pfvf_dmabuf_unmap(), which the importer must call from its
 * move_notify callback at the latest.
 *
 * Return: the VRAM extents behind the buffer (read-only), or
 * ERR_PTR(-ENODEV) if the buffer is revoked, ERR_PTR(-EINVAL) if @attach
 * is not an xe_pfvf attachment over the private interconnect.
 */
const struct xe_pfvf_mapping *xe_pfvf_dmabuf_map(struct dma_buf_attachment *attach)
{
	struct xe_pfvf_dmabuf *buf;
	struct xe_pfvf_attach *xa;

	if (!attach || !xe_pfvf_is_dmabuf(attach->dmabuf))
		return ERR_PTR(-EINVAL);
	dma_resv_assert_held(attach->dmabuf->resv);
	buf = attach->dmabuf->priv;
	xa = attach->priv;
	if (xa->path != XE_PFVF_PATH_PRIVATE) {
		pci_notice_ratelimited(buf->pdev, "dma-buf %lu: attachment of %s is not over %s\n",
				       buf->ino, dev_name(attach->dev), XE_PFVF_INTERCONNECT_LMEM);
		return ERR_PTR(-EINVAL);
	}
	if (buf->state != XE_PFVF_DMABUF_LIVE)
		return ERR_PTR(-ENODEV);
	dmabuf_mapped(buf, xa);
	return buf->map;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_dmabuf_map, XE_PFVF_NS);

/**
 * xe_pfvf_dmabuf_unmap() - release a mapping from xe_pfvf_dmabuf_map()
 * @attach: the attachment
 * @map: the mapping
 *
 * Called with the dma-buf's reservation lock held, from the importer's
 * move_notify callback or when it is done with the memory.  A mapping that
 * is not the attachment's is logged and ignored.
 */
void xe_pfvf_dmabuf_unmap(struct dma_buf_attachment *attach,
			  const struct xe_pfvf_mapping *map)
{
	struct xe_pfvf_dmabuf *buf;
	struct xe_pfvf_attach *xa;

	if (!attach || !xe_pfvf_is_dmabuf(attach->dmabuf) || IS_ERR_OR_NULL(map))
		return;
	dma_resv_assert_held(attach->dmabuf->resv);
	buf = attach->dmabuf->priv;
	xa = attach->priv;
	if (map != buf->map || xa->path != XE_PFVF_PATH_PRIVATE || !xa->nr_mapped) {
		dev_err_ratelimited(&buf->pdev->dev, "dma-buf %lu: %s unmaps a mapping it does not have\n",
				    buf->ino, dev_name(attach->dev));
		return;
	}
	dmabuf_unmapped(buf, xa, 1);
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_dmabuf_unmap, XE_PFVF_NS);

MODULE_IMPORT_NS(XE_PFVF_DMA_BUF_NS);
