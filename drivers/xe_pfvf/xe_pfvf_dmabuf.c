// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/cleanup.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fcntl.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_drv.h"
#include "xe_pfvf_pf_types.h"

/**
 * DOC: private-interconnect dma-bufs
 *
 * A VF variant driver exports ranges of its VF's LMEM, given as offsets in
 * the VF's LMEM BAR or in its LMEM, as a dma-buf (xe_pfvf_dmabuf_export()).
 * The ranges are translated into VRAM extents once, at export, against the
 * provisioning the PF driver published; the buffer holds a reference on the
 * PF, the VF's &struct pci_dev and (as every dma-buf) on xe_pfvf.ko.
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
 *   interconnect, gets the standard path: the VF's LMEM BAR range as an
 *   &struct sg_table of DMA addresses for the importer, where PCI P2PDMA
 *   allows peer-to-peer between the VF and the importer.  Otherwise it is
 *   refused with -EREMOTEIO (no P2P path: the importer is not a PCI
 *   device, the kernel has no P2PDMA, or the topology does not allow it),
 *   or with -EOPNOTSUPP if it cannot take memory without struct pages
 *   (&dma_buf_attach_ops.allow_peer2peer unset).
 *
 * - Every importer must be revocable: an attachment without
 *   &dma_buf_attach_ops.move_notify is refused with -EOPNOTSUPP.  Pinning
 *   is accepted, since VRAM extents never move, but it does not prevent
 *   revocation: on kernels without CONFIG_DMABUF_MOVE_NOTIFY the dma-buf
 *   core pins at every map, and the importer is still notified.
 *
 * CPU access: none.  mmap() and vmap() of these buffers fail: the memory
 * belongs to a VF that a guest drives, the host reaches it through the VF
 * variant driver's own BAR mappings (which VFIO zaps on reset), and the PF
 * reaches it as VRAM.
 *
 * Revocation: VF reset or memory disable (reported by the variant driver
 * through xe_pfvf_vf_revoke()), unprovisioning, reprovisioning, disabling
 * the VFs and unregistering the PF revoke every buffer of the VF, and
 * xe_pfvf_dmabuf_revoke() one buffer.  Under the buffer's reservation lock
 * the buffer is marked revoked and the importers are notified with
 * dma_buf_move_notify(); then the revoker waits, at most
 * ``revoke_timeout_ms``, for their fences and for them to unmap.  Maps of a
 * revoked buffer fail with -ENODEV, for good: the VMM exports a new buffer
 * once the VF is back.  A revoked buffer still holds its references, so it
 * may outlive its VF, its PF and the modules of its variant driver, backend
 * and importers.
 *
 * Locking: &xe_pfvf_pf.lock, then the dma-buf's reservation lock.  The
 * revocation paths hold the PF lock; map and unmap run under the
 * reservation lock only.
 */

static unsigned int revoke_timeout_ms = 1000;
module_param(revoke_timeout_ms, uint, 0644);
MODULE_PARM_DESC(revoke_timeout_ms,
		 "Longest wait for importers to unmap a revoked dma-buf, in ms (default 1000)");

/**
 * enum pfvf_path - how an attachment maps the buffer
 * @PFVF_PATH_UNDECIDED: the owning PF attached; the standard path is
 *			 checked at its first map
 * @PFVF_PATH_PRIVATE: private interconnect, xe_pfvf_dmabuf_map()
 * @PFVF_PATH_P2P_BUS: standard path, PCI bus addresses (shared switch)
 * @PFVF_PATH_P2P_HOST: standard path through the host bridge,
 *			dma_map_resource() for the importer
 */
enum pfvf_path {
	PFVF_PATH_UNDECIDED,
	PFVF_PATH_PRIVATE,
	PFVF_PATH_P2P_BUS,
	PFVF_PATH_P2P_HOST,
};

/**
 * struct pfvf_dmabuf - an exported range list of one VF
 * @dmabuf: the dma-buf
 * @vf: the VF slot; its PF is referenced by this buffer
 * @pdev: the VF's PCI device, referenced
 * @link: entry in &xe_pfvf_vf.dmabufs while not revoked, protected by
 *	  &xe_pfvf_pf.lock
 * @bar: the VF's LMEM BAR at export
 * @nr_ranges: entries in @ranges
 * @ranges: the exported ranges, as offsets in the LMEM BAR (equal to LMEM
 *	    offsets)
 * @revoked: set once, under the reservation lock
 * @nr_mapped: live maps of all attachments, under the reservation lock
 * @unmapped: woken when @nr_mapped drops to 0
 * @map: the VRAM extents, immutable; handed out by xe_pfvf_dmabuf_map()
 */
struct pfvf_dmabuf {
	struct dma_buf *dmabuf;
	struct xe_pfvf_vf *vf;
	struct pci_dev *pdev;
	struct list_head link;
	struct xe_pfvf_bar bar;
	unsigned int nr_ranges;
	struct xe_pfvf_dmabuf_range *ranges;
	bool revoked;
	unsigned int nr_mapped;
	wait_queue_head_t unmapped;
	struct xe_pfvf_mapping *map;
};

/**
 * struct pfvf_attach - exporter state of an attachment
 * @path: &enum pfvf_path, decided at attach or first map
 */
struct pfvf_attach {
	enum pfvf_path path;
};

static const struct dma_buf_ops pfvf_dmabuf_ops;

/* The importer's name for log lines. */
static const char *importer_name(struct device *dev)
{
	return dev_name(dev);
}

static bool pfvf_share_bridge(struct pci_dev *a, struct pci_dev *b)
{
	struct pci_dev *up, *bb;

	for (up = pci_upstream_bridge(a); up; up = pci_upstream_bridge(up))
		for (bb = pci_upstream_bridge(b); bb; bb = pci_upstream_bridge(bb))
			if (up == bb)
				return true;
	return false;
}

/*
 * Standard path: may @dev reach the VF's BAR peer to peer?  Linux 6.1 does
 * not export the P2PDMA map type: a bridge shared with the VF means bus
 * addresses, anything else that pci_p2pdma_distance() accepts goes through
 * the host bridge.
 */
static int pfvf_check_p2p(struct pfvf_dmabuf *buf, struct device *dev, enum pfvf_path *path)
{
	if (!dev_is_pci(dev)) {
		dev_notice_ratelimited(dev, "xe_pfvf dma-buf of VF%u refused: %s is not a PCI device, no peer-to-peer path\n",
				       buf->vf->vfid, importer_name(dev));
		return -EREMOTEIO;
	}
	if (!IS_ENABLED(CONFIG_PCI_P2PDMA)) {
		dev_notice_ratelimited(dev, "xe_pfvf dma-buf of VF%u refused: no peer-to-peer path, kernel built without PCI P2PDMA\n",
				       buf->vf->vfid);
		return -EREMOTEIO;
	}
	if (pci_p2pdma_distance(buf->pdev, dev, false) < 0) {
		dev_notice_ratelimited(dev, "xe_pfvf dma-buf of VF%u refused: no peer-to-peer path to %s (ACS redirect or host bridge not allowed)\n",
				       buf->vf->vfid, pci_name(buf->pdev));
		return -EREMOTEIO;
	}
	*path = pfvf_share_bridge(buf->pdev, to_pci_dev(dev)) ? PFVF_PATH_P2P_BUS :
								PFVF_PATH_P2P_HOST;
	return 0;
}

static bool pfvf_is_owner(struct pfvf_dmabuf *buf, struct device *dev)
{
	return dev_is_pci(dev) && to_pci_dev(dev) == pci_physfn(buf->pdev);
}

static int pfvf_dmabuf_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct pfvf_dmabuf *buf = dmabuf->priv;
	enum pfvf_path path = PFVF_PATH_UNDECIDED;
	struct pfvf_attach *pa;
	int err;

	if (READ_ONCE(buf->revoked))
		return -ENODEV;
	/* The owning PF may still ask for the private interconnect. */
	if (!pfvf_is_owner(buf, attach->dev)) {
		err = pfvf_check_p2p(buf, attach->dev, &path);
		if (err)
			return err;
	}
	if (!attach->importer_ops) {
		dev_notice_ratelimited(attach->dev, "xe_pfvf dma-buf of VF%u refused: importer %s cannot be revoked (no move_notify)\n",
				       buf->vf->vfid, importer_name(attach->dev));
		return -EOPNOTSUPP;
	}

	pa = kzalloc(sizeof(*pa), GFP_KERNEL);
	if (!pa)
		return -ENOMEM;
	pa->path = path;
	attach->priv = pa;
	return 0;
}

static void pfvf_dmabuf_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	kfree(attach->priv);
	attach->priv = NULL;
}

/* Pinning cannot stop a revocation; VRAM extents do not move anyway. */
static int pfvf_dmabuf_pin(struct dma_buf_attachment *attach)
{
	return 0;
}

static void pfvf_dmabuf_unpin(struct dma_buf_attachment *attach)
{
}

static void pfvf_mapped(struct pfvf_dmabuf *buf)
{
	dma_resv_assert_held(buf->dmabuf->resv);
	buf->nr_mapped++;
}

static void pfvf_unmapped(struct pfvf_dmabuf *buf)
{
	dma_resv_assert_held(buf->dmabuf->resv);
	if (!WARN_ON(!buf->nr_mapped) && !--buf->nr_mapped)
		wake_up_all(&buf->unmapped);
}

static void pfvf_unmap_sg(struct dma_buf_attachment *attach, struct sg_table *sgt,
			  unsigned int nents, enum dma_data_direction dir)
{
	struct pfvf_attach *pa = attach->priv;
	struct scatterlist *sg;
	unsigned int i;

	if (pa->path == PFVF_PATH_P2P_HOST)
		for_each_sg(sgt->sgl, sg, nents, i)
			dma_unmap_resource(attach->dev, sg_dma_address(sg), sg_dma_len(sg),
					   dir, DMA_ATTR_SKIP_CPU_SYNC);
	sg_free_table(sgt);
	kfree(sgt);
}

/*
 * Largest scatterlist segment for the importer: its DMA max segment size
 * (which also keeps every length within the 32 bits of sg_dma_len()),
 * rounded down to whole granules.
 */
static u64 pfvf_max_seg(struct device *dev)
{
	u64 seg = dma_get_max_seg_size(dev);

	return seg >= XE_PFVF_GRANULE ? round_down(seg, XE_PFVF_GRANULE) : seg;
}

/* Map one segment of the BAR for the importer; 0 or a negative errno. */
static int pfvf_map_seg(struct dma_buf_attachment *attach, struct scatterlist *sg,
			u64 offset, u64 len, enum dma_data_direction dir)
{
	struct pfvf_dmabuf *buf = attach->dmabuf->priv;
	struct pfvf_attach *pa = attach->priv;
	dma_addr_t addr;

	if (pa->path == PFVF_PATH_P2P_BUS) {
		addr = buf->bar.bus + offset;
	} else {
		addr = dma_map_resource(attach->dev, buf->bar.cpu + offset, len, dir,
					DMA_ATTR_SKIP_CPU_SYNC);
		if (dma_mapping_error(attach->dev, addr))
			return -EIO;
	}
	sg_set_page(sg, NULL, len, 0);
	sg_dma_address(sg) = addr;
	sg_dma_len(sg) = len;
	return 0;
}

/* Segments of at most @seg bytes for the ranges, or -ENXIO past the BAR. */
static int pfvf_count_segs(struct pfvf_dmabuf *buf, struct device *dev, u64 seg,
			   unsigned int *nents)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < buf->nr_ranges; i++) {
		const struct xe_pfvf_dmabuf_range *r = &buf->ranges[i];

		/* LMEM offsets are BAR offsets, if the BAR reaches that far. */
		if (r->offset >= buf->bar.size || r->length > buf->bar.size - r->offset) {
			dev_notice_ratelimited(dev, "xe_pfvf dma-buf of VF%u: LMEM %#llx+%#llx is beyond the VF's LMEM BAR (%#llx)\n",
					       buf->vf->vfid, r->offset, r->length, buf->bar.size);
			return -ENXIO;
		}
		n += div64_u64(r->length + seg - 1, seg);
	}
	if (n > UINT_MAX) {
		dev_notice_ratelimited(dev, "xe_pfvf dma-buf of VF%u: %llu segments of %llu bytes\n",
				       buf->vf->vfid, n, seg);
		return -E2BIG;
	}
	*nents = n;
	return 0;
}

/*
 * Standard path: the BAR ranges, as DMA addresses of the importer, cut to
 * its max segment size.
 */
static struct sg_table *pfvf_map_dma_buf(struct dma_buf_attachment *attach,
					 enum dma_data_direction dir)
{
	struct pfvf_dmabuf *buf = attach->dmabuf->priv;
	struct pfvf_attach *pa = attach->priv;
	u64 seg = pfvf_max_seg(attach->dev);
	unsigned int i, nents, done = 0;
	struct scatterlist *sg;
	struct sg_table *sgt;
	int err;

	dma_resv_assert_held(attach->dmabuf->resv);

	if (buf->revoked)
		return ERR_PTR(-ENODEV);
	if (pa->path == PFVF_PATH_PRIVATE) {
		dev_notice_ratelimited(attach->dev, "xe_pfvf dma-buf of VF%u: attached over %s, map it with xe_pfvf_dmabuf_map()\n",
				       buf->vf->vfid, XE_PFVF_INTERCONNECT_LMEM);
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (pa->path == PFVF_PATH_UNDECIDED) {
		err = pfvf_check_p2p(buf, attach->dev, &pa->path);
		if (err)
			return ERR_PTR(err);
	}
	if (!attach->peer2peer) {
		dev_notice_ratelimited(attach->dev, "xe_pfvf dma-buf of VF%u refused: %s cannot take peer-to-peer memory\n",
				       buf->vf->vfid, importer_name(attach->dev));
		return ERR_PTR(-EOPNOTSUPP);
	}
	err = pfvf_count_segs(buf, attach->dev, seg, &nents);
	if (err)
		return ERR_PTR(err);

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	err = sg_alloc_table(sgt, nents, GFP_KERNEL);
	if (err) {
		kfree(sgt);
		return ERR_PTR(err);
	}

	sg = sgt->sgl;
	for (i = 0; i < buf->nr_ranges; i++) {
		u64 off = buf->ranges[i].offset, left = buf->ranges[i].length;

		while (left) {
			u64 len = min(left, seg);

			err = pfvf_map_seg(attach, sg, off, len, dir);
			if (err)
				goto err_unmap;
			done++;
			sg = sg_next(sg);
			off += len;
			left -= len;
		}
	}
	pfvf_mapped(buf);
	return sgt;

err_unmap:
	pfvf_unmap_sg(attach, sgt, done, dir);
	return ERR_PTR(err);
}

static void pfvf_unmap_dma_buf(struct dma_buf_attachment *attach, struct sg_table *sgt,
			       enum dma_data_direction dir)
{
	struct pfvf_dmabuf *buf = attach->dmabuf->priv;

	pfvf_unmap_sg(attach, sgt, sgt->orig_nents, dir);
	pfvf_unmapped(buf);
}

static void pfvf_dmabuf_free(struct pfvf_dmabuf *buf)
{
	kvfree(buf->map);
	kvfree(buf->ranges);
	pci_dev_put(buf->pdev);
	if (buf->vf)
		xe_pfvf_pf_put(buf->vf->pf);
	kfree(buf);
}

static void pfvf_dmabuf_release(struct dma_buf *dmabuf)
{
	struct pfvf_dmabuf *buf = dmabuf->priv;

	scoped_guard(mutex, &buf->vf->pf->lock)
		list_del(&buf->link);
	pfvf_dmabuf_free(buf);
}

static int pfvf_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	return -EOPNOTSUPP;
}

static const struct dma_buf_ops pfvf_dmabuf_ops = {
	.attach = pfvf_dmabuf_attach,
	.detach = pfvf_dmabuf_detach,
	.pin = pfvf_dmabuf_pin,
	.unpin = pfvf_dmabuf_unpin,
	.map_dma_buf = pfvf_map_dma_buf,
	.unmap_dma_buf = pfvf_unmap_dma_buf,
	.release = pfvf_dmabuf_release,
	.mmap = pfvf_dmabuf_mmap,
};

/* Revoke one buffer and wait, boundedly, for its importers. */
static void pfvf_revoke(struct pfvf_dmabuf *buf)
{
	unsigned long timeout = msecs_to_jiffies(revoke_timeout_ms);
	struct dma_resv *resv = buf->dmabuf->resv;

	dma_resv_lock(resv, NULL);
	WRITE_ONCE(buf->revoked, true);
	dma_buf_move_notify(buf->dmabuf);
	dma_resv_unlock(resv);

	if (dma_resv_wait_timeout(resv, DMA_RESV_USAGE_BOOKKEEP, false, timeout) <= 0)
		dev_warn_ratelimited(&buf->pdev->dev, "revoked dma-buf: importer fences still pending after %u ms\n",
				     revoke_timeout_ms);
	if (!wait_event_timeout(buf->unmapped, !READ_ONCE(buf->nr_mapped), timeout))
		dev_warn_ratelimited(&buf->pdev->dev, "revoked dma-buf: %u importer mappings left after %u ms\n",
				     READ_ONCE(buf->nr_mapped), revoke_timeout_ms);
}

/**
 * xe_pfvf_dmabuf_revoke_vf() - revoke every dma-buf of a VF
 * @vf: the VF slot
 * @why: reason, for the log; NULL when the caller logs it
 *
 * Called with the PF lock held, before the VF's memory is taken away.
 *
 * Return: the number of buffers revoked.
 */
unsigned int xe_pfvf_dmabuf_revoke_vf(struct xe_pfvf_vf *vf, const char *why)
{
	struct pfvf_dmabuf *buf, *next;
	unsigned int n = 0;

	lockdep_assert_held(&vf->pf->lock);

	list_for_each_entry_safe(buf, next, &vf->dmabufs, link) {
		/* Off the list: later revocations skip it, release finds it unlinked. */
		list_del_init(&buf->link);
		pfvf_revoke(buf);
		n++;
	}
	vf->pf->nr_revoked += n;
	if (n && why)
		pci_info(vf->pf->pdev, "VF%u: %u dma-buf(s) revoked: %s\n", vf->vfid, n, why);
	return n;
}

/**
 * xe_pfvf_dmabuf_show() - list a VF's live dma-bufs in debugfs
 * @m: the seq_file
 * @vf: the VF slot
 *
 * Called with the PF lock held; see "DOC: debugfs".
 */
void xe_pfvf_dmabuf_show(struct seq_file *m, struct xe_pfvf_vf *vf)
{
	struct dma_buf_attachment *attach;
	struct pfvf_dmabuf *buf;
	unsigned int n, mapped;

	lockdep_assert_held(&vf->pf->lock);

	list_for_each_entry(buf, &vf->dmabufs, link) {
		n = 0;
		dma_resv_lock(buf->dmabuf->resv, NULL);
		list_for_each_entry(attach, &buf->dmabuf->attachments, node)
			n++;
		mapped = buf->nr_mapped;
		dma_resv_unlock(buf->dmabuf->resv);
		seq_printf(m, "%u %lu %llu %u %u %u %u\n", vf->vfid,
			   file_inode(buf->dmabuf->file)->i_ino, buf->map->size, buf->nr_ranges,
			   buf->map->nr_extents, n, mapped);
	}
}

/**
 * xe_pfvf_vf_revoke() - revoke every dma-buf of a VF
 * @vf: the VF, from xe_pfvf_vf_get()
 *
 * For VF variant drivers, on VF reset (FLR), memory disable and release.
 * Notifies the importers and waits, at most ``revoke_timeout_ms`` per
 * buffer, for them to unmap; maps of the buffers then fail with -ENODEV.
 * May sleep.  Takes the PF lock: do not call it from a dma-buf importer
 * callback or with a reservation lock held.  Logs nothing: the caller knows
 * why, and logs it.
 *
 * Return: the number of buffers revoked.
 */
unsigned int xe_pfvf_vf_revoke(struct xe_pfvf_vf *vf)
{
	guard(mutex)(&vf->pf->lock);

	return xe_pfvf_dmabuf_revoke_vf(vf, NULL);
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_revoke, XE_PFVF_NS);

/**
 * xe_pfvf_is_dmabuf() - is this a dma-buf exported by xe_pfvf?
 * @dmabuf: the dma-buf
 *
 * Return: true if xe_pfvf_dmabuf_export() made @dmabuf.
 */
bool xe_pfvf_is_dmabuf(const struct dma_buf *dmabuf)
{
	return dmabuf && dmabuf->ops == &pfvf_dmabuf_ops;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_is_dmabuf, XE_PFVF_NS);

/**
 * xe_pfvf_dmabuf_revoke() - revoke one dma-buf
 * @dmabuf: a dma-buf from xe_pfvf_dmabuf_export()
 *
 * As xe_pfvf_vf_revoke(), for one buffer.  May sleep.
 *
 * Return: 0 on success (also if already revoked), -EINVAL if @dmabuf is
 * not an xe_pfvf dma-buf.
 */
int xe_pfvf_dmabuf_revoke(struct dma_buf *dmabuf)
{
	struct pfvf_dmabuf *buf;

	if (!xe_pfvf_is_dmabuf(dmabuf)) {
		pr_notice_ratelimited(XE_PFVF_NAME ": revoke: not an xe_pfvf dma-buf\n");
		return -EINVAL;
	}
	buf = dmabuf->priv;

	guard(mutex)(&buf->vf->pf->lock);
	if (!list_empty(&buf->link)) {
		list_del_init(&buf->link);
		pfvf_revoke(buf);
		buf->vf->pf->nr_revoked++;
		pci_info(buf->vf->pf->pdev, "VF%u: 1 dma-buf revoked: revoke requested\n",
			 buf->vf->vfid);
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_dmabuf_revoke, XE_PFVF_NS);

static int pfvf_check_desc(struct xe_pfvf_vf *vf, const struct xe_pfvf_dmabuf_desc *desc,
			   u64 *size)
{
	struct device *dev = &vf->pf->pdev->dev;
	unsigned int i;

	if (desc->space != XE_PFVF_SPACE_BAR && desc->space != XE_PFVF_SPACE_LMEM) {
		dev_notice_ratelimited(dev, "export VF%u: space %u is neither LMEM nor BAR\n",
				       vf->vfid, desc->space);
		return -EINVAL;
	}
	if (desc->flags & ~(O_CLOEXEC | O_ACCMODE)) {
		dev_notice_ratelimited(dev, "export VF%u: file flags %#x\n", vf->vfid, desc->flags);
		return -EINVAL;
	}
	if (!desc->nr_ranges || !desc->ranges) {
		dev_notice_ratelimited(dev, "export VF%u: no ranges\n", vf->vfid);
		return -EINVAL;
	}
	if (desc->nr_ranges > XE_PFVF_DMABUF_MAX_RANGES) {
		dev_notice_ratelimited(dev, "export VF%u: %u ranges > %u\n", vf->vfid,
				       desc->nr_ranges, XE_PFVF_DMABUF_MAX_RANGES);
		return -E2BIG;
	}
	*size = 0;
	for (i = 0; i < desc->nr_ranges; i++) {
		const struct xe_pfvf_dmabuf_range *r = &desc->ranges[i];

		if (!r->length || !IS_ALIGNED(r->offset | r->length, XE_PFVF_GRANULE)) {
			dev_notice_ratelimited(dev, "export VF%u: range %u (%#llx+%#llx) empty or not %llu-byte aligned\n",
					       vf->vfid, i, r->offset, r->length, XE_PFVF_GRANULE);
			return -EINVAL;
		}
		if (check_add_overflow(*size, r->length, size)) {
			dev_notice_ratelimited(dev, "export VF%u: size overflows\n", vf->vfid);
			return -EOVERFLOW;
		}
	}
	return 0;
}

/* Translate the ranges: count with @ext NULL, or fill @ext. */
static int pfvf_xlate_ranges(struct xe_pfvf_vf *vf, const struct xe_pfvf_dmabuf_desc *desc,
			     struct xe_pfvf_extent *ext, u32 max, struct xe_pfvf_xlate_res *res)
{
	unsigned int i;
	int err;

	*res = (struct xe_pfvf_xlate_res){ .ext = ext, .max = max };
	for (i = 0; i < desc->nr_ranges; i++) {
		struct xe_pfvf_xlate_req req = {
			.space = desc->space,
			.flags = XE_PFVF_XLATE_ALIGNED,
			.vfid = vf->vfid,
			.addr = desc->ranges[i].offset,
			.len = desc->ranges[i].length,
		};

		err = xe_pfvf_vf_translate(vf, NULL, &req, res);
		if (err)
			return err;
	}
	return 0;
}

static struct pfvf_dmabuf *pfvf_dmabuf_build(struct xe_pfvf_vf *vf,
					     const struct xe_pfvf_dmabuf_desc *desc, u64 size)
{
	struct xe_pfvf_xlate_res res;
	struct pfvf_dmabuf *buf;
	u32 nr;
	int err;

	lockdep_assert_held(&vf->pf->lock);

	/* The PF lock keeps the provisioning still between the two passes. */
	err = pfvf_xlate_ranges(vf, desc, NULL, 0, &res);
	if (err)
		return ERR_PTR(err);
	nr = res.nr;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&buf->link);
	init_waitqueue_head(&buf->unmapped);
	buf->nr_ranges = desc->nr_ranges;
	buf->ranges = kvmalloc_array(desc->nr_ranges, sizeof(*desc->ranges), GFP_KERNEL);
	buf->map = kvzalloc(struct_size(buf->map, extents, nr), GFP_KERNEL);
	if (!buf->ranges || !buf->map) {
		err = -ENOMEM;
		goto err_free;
	}
	memcpy(buf->ranges, desc->ranges, array_size(desc->nr_ranges, sizeof(*desc->ranges)));
	err = pfvf_xlate_ranges(vf, desc, buf->map->extents, nr, &res);
	if (err)
		goto err_free;
	if (res.nr > nr || res.bytes != size) {
		err = -EAGAIN;
		goto err_free;
	}
	buf->map->interconnect = XE_PFVF_INTERCONNECT_LMEM;
	buf->map->vfid = vf->vfid;
	buf->map->size = size;
	buf->map->nr_extents = res.nr;
	return buf;

err_free:
	pfvf_dmabuf_free(buf);
	return ERR_PTR(err);
}

/**
 * xe_pfvf_dmabuf_export() - export ranges of a VF's LMEM as a dma-buf
 * @vf: the VF, from xe_pfvf_vf_get()
 * @desc: the ranges, by LMEM BAR or LMEM offset; copied
 *
 * Every range must be granule-aligned and lie inside the VF's LMEM quota
 * (and, for BAR offsets, inside its LMEM BAR); the buffer is their
 * concatenation.  Install it in a file descriptor with dma_buf_fd(), or
 * drop it with dma_buf_put().  See "DOC: private-interconnect dma-bufs" for
 * who may import it and how it is revoked.
 *
 * Return: the dma-buf, or ERR_PTR(-EINVAL) for a malformed @desc (no
 * ranges, unknown space or flags, unaligned range), ERR_PTR(-E2BIG) for
 * too many ranges, ERR_PTR(-EOVERFLOW) for a range or total size that
 * overflows, ERR_PTR(-ENXIO) for a range beyond the LMEM BAR,
 * ERR_PTR(-ERANGE) beyond the LMEM quota, ERR_PTR(-ENODEV) if the VF is
 * not enabled or not provisioned or its PF unregistered, ERR_PTR(-ENOMEM).
 */
struct dma_buf *xe_pfvf_dmabuf_export(struct xe_pfvf_vf *vf,
				      const struct xe_pfvf_dmabuf_desc *desc)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct xe_pfvf_pf *pf = vf->pf;
	struct pfvf_dmabuf *buf;
	struct dma_buf *dmabuf;
	u64 size;
	int err;

	err = pfvf_check_desc(vf, desc, &size);
	if (err)
		return ERR_PTR(err);

	guard(mutex)(&pf->lock);

	if (!pf->registered || !vf->pdev) {
		dev_notice_ratelimited(&pf->pdev->dev, "export VF%u: VF not enabled\n", vf->vfid);
		return ERR_PTR(-ENODEV);
	}
	buf = pfvf_dmabuf_build(vf, desc, size);
	if (IS_ERR(buf))
		return ERR_CAST(buf);

	xe_pfvf_pf_hold(pf);
	buf->vf = vf;
	buf->pdev = pci_dev_get(vf->pdev);
	buf->bar.cpu = pci_resource_start(vf->pdev, pf->lmem_bar);
	buf->bar.bus = pci_bus_address(vf->pdev, pf->lmem_bar);
	buf->bar.size = pci_resource_len(vf->pdev, pf->lmem_bar);

	exp_info.ops = &pfvf_dmabuf_ops;
	exp_info.size = size;
	exp_info.flags = desc->flags;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		dev_notice_ratelimited(&pf->pdev->dev, "export VF%u: %pe\n", vf->vfid, dmabuf);
		pfvf_dmabuf_free(buf);
		return dmabuf;
	}
	buf->dmabuf = dmabuf;
	list_add_tail(&buf->link, &vf->dmabufs);
	pci_dbg(pf->pdev, "VF%u: exported %llu bytes in %u extents as dma-buf %lu\n",
		vf->vfid, size, buf->map->nr_extents, file_inode(dmabuf->file)->i_ino);
	return dmabuf;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_dmabuf_export, XE_PFVF_NS);

/**
 * xe_pfvf_dmabuf_attach() - attach to a VF's dma-buf over an interconnect
 * @dmabuf: a dma-buf from xe_pfvf_dmabuf_export()
 * @importer: the importing device, the VF's PF
 * @ops: the importer's callbacks; &dma_buf_attach_ops.move_notify is
 *	 required and must unmap
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
	struct pfvf_attach *pa;
	struct pfvf_dmabuf *buf;

	if (!xe_pfvf_is_dmabuf(dmabuf) || !importer) {
		pr_notice_ratelimited(XE_PFVF_NAME ": attach: not an xe_pfvf dma-buf\n");
		return ERR_PTR(-EINVAL);
	}
	buf = dmabuf->priv;
	if (!interconnect || strcmp(interconnect, XE_PFVF_INTERCONNECT_LMEM)) {
		dev_notice_ratelimited(importer, "xe_pfvf dma-buf of VF%u: unknown interconnect %s\n",
				       buf->vf->vfid, interconnect ?: "(none)");
		return ERR_PTR(-EINVAL);
	}
	if (!ops || !ops->move_notify) {
		dev_notice_ratelimited(importer, "xe_pfvf dma-buf of VF%u refused: importer cannot be revoked (no move_notify)\n",
				       buf->vf->vfid);
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (!pfvf_is_owner(buf, importer)) {
		dev_notice_ratelimited(importer, "xe_pfvf dma-buf of VF%u refused: %s is only for the VF's PF %s\n",
				       buf->vf->vfid, XE_PFVF_INTERCONNECT_LMEM,
				       pci_name(pci_physfn(buf->pdev)));
		return ERR_PTR(-EXDEV);
	}

	attach = dma_buf_dynamic_attach(dmabuf, importer, ops, importer_priv);
	if (IS_ERR(attach))
		return attach;
	/* Nobody else knows the attachment yet. */
	pa = attach->priv;
	pa->path = PFVF_PATH_PRIVATE;
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
	struct pfvf_attach *pa;
	struct pfvf_dmabuf *buf;

	if (!attach || !xe_pfvf_is_dmabuf(attach->dmabuf))
		return ERR_PTR(-EINVAL);
	dma_resv_assert_held(attach->dmabuf->resv);
	buf = attach->dmabuf->priv;
	pa = attach->priv;
	if (pa->path != PFVF_PATH_PRIVATE) {
		dev_notice_ratelimited(attach->dev, "xe_pfvf dma-buf of VF%u: attachment is not over %s\n",
				       buf->vf->vfid, XE_PFVF_INTERCONNECT_LMEM);
		return ERR_PTR(-EINVAL);
	}
	if (buf->revoked)
		return ERR_PTR(-ENODEV);
	pfvf_mapped(buf);
	return buf->map;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_dmabuf_map, XE_PFVF_NS);

/**
 * xe_pfvf_dmabuf_unmap() - release a mapping from xe_pfvf_dmabuf_map()
 * @attach: the attachment
 * @map: the mapping
 *
 * Called with the dma-buf's reservation lock held, from the importer's
 * move_notify callback or when it is done with the memory.
 */
void xe_pfvf_dmabuf_unmap(struct dma_buf_attachment *attach,
			  const struct xe_pfvf_mapping *map)
{
	struct pfvf_dmabuf *buf;

	if (!attach || !xe_pfvf_is_dmabuf(attach->dmabuf) || IS_ERR_OR_NULL(map))
		return;
	dma_resv_assert_held(attach->dmabuf->resv);
	buf = attach->dmabuf->priv;
	if (WARN_ON(map != buf->map))
		return;
	pfvf_unmapped(buf);
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_dmabuf_unmap, XE_PFVF_NS);

MODULE_IMPORT_NS(XE_PFVF_DMA_BUF_NS);
