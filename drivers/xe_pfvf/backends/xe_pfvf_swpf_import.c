// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_swpf.h"

/**
 * DOC: software PF as importer
 *
 * The software PF also plays the PF GPU consuming VF memory, say a guest's
 * framebuffer that the VMM exported as a dma-buf: it writes VF LMEM as the
 * PF would, imports dma-bufs over the private interconnect (or tries the
 * standard PCIe P2P path) and reads them back through the VRAM extents it
 * is given.  All of it through debugfs, root-only, in
 * ``/sys/kernel/debug/xe_pfvf_swpf/<PF PCI address>/``:
 *
 * ``vf``
 *	write ``provision <n>`` or ``unprovision <n>`` to provision or
 *	unprovision VF n with xe_pfvf as a PF driver does (unprovisioning
 *	returns -EBUSY when xe_pfvf quarantines the VF's VRAM; the software
 *	PF then keeps it until xe_pfvf hands it back).  -ENOENT for a VF that
 *	is not enabled, -EEXIST for one already provisioned.
 * ``fill``
 *	write ``vf=<n> lmem=<offset> len=<bytes> seed=<s> [tag]`` (any
 *	order, numbers in C notation): writes a pattern into bytes
 *	[offset, offset + len) of VF n's LMEM, through the software PF's own
 *	record of the VF's extents.  Byte o of the LMEM gets
 *	swpf_pattern_byte(s, o): bits 63..56 of one xorshift64 round (shifts
 *	13, 7, 17) of ``(s * 0x9e3779b97f4a7c15) ^ ((o + 1) *
 *	0xbf58476d1ce4e5b9)``, products modulo 2^64.  Malformed requests
 *	and a zero length fail with -EINVAL, a VF that is not provisioned with
 *	-ENOENT, a range past the VF's quota with -ERANGE.  With ``tag``
 *	(page-aligned ranges only), every 4 KiB page starts with a &struct
 *	swpf_tag naming the VF, the page's LMEM offset and the seed: a reader
 *	can then tell whose memory a page was written as.
 *
 * ``slot<k>/`` for k = 0 .. %SWPF_IMPORT_SLOTS - 1, one import each, kept
 * until released or until the PF is removed (which revokes and then
 * releases it):
 *
 * ``slot<k>/import``
 *	write ``<fd>`` to import the dma-buf behind file descriptor fd of the
 *	writing process over the private interconnect
 *	(xe_pfvf_dmabuf_attach() with %XE_PFVF_INTERCONNECT_LMEM, then
 *	xe_pfvf_dmabuf_map() under the buffer's reservation lock), or ``<fd>
 *	standard`` to attach with dma_buf_dynamic_attach() (peer-to-peer
 *	allowed) and map with dma_buf_map_attachment(), the PCIe P2P path.
 *	The import either maps the buffer or leaves the slot empty; the write
 *	fails with the errno of the step that failed (-EBUSY if the slot is in
 *	use).
 * ``slot<k>/ctl``
 *	write ``map`` (map again, e.g. after a revocation: fails with the
 *	exporter's errno, -ENODEV for a revoked buffer), ``unmap`` or
 *	``release`` (unmap, detach, drop the buffer).
 * ``slot<k>/status``
 *	``state=<s> mode=<m> vf=<n> size=<bytes> extents=<k> notified=<c>
 *	err=<errno>``, then one ``<start> <size>`` line per extent: VRAM
 *	extents in dma-buf order for ``lmem`` mode, DMA segments for
 *	``standard`` mode.  The state is ``empty``, ``mapped``, ``unmapped``
 *	or ``revoked`` (the exporter called move_notify, which unmapped the
 *	buffer); notified counts move_notify calls since the import; err is
 *	the result of the slot's last ``import`` or ``ctl`` write.
 * ``slot<k>/data``
 *	the buffer's bytes, read through the VRAM extents of the mapping
 *	(``lmem`` mode only, else -EOPNOTSUPP); -ENODEV once revoked,
 *	-ENODATA when not mapped.
 *
 * The importer's move_notify runs under the buffer's reservation lock and
 * takes no other lock: the slot's fields that it changes are protected by
 * that reservation lock.
 */

/* Most bytes one read() of ``data`` returns. */
#define SWPF_DATA_CHUNK		SZ_64K
/* Longest request accepted by the debugfs files. */
#define SWPF_REQUEST_MAX	128

/**
 * enum swpf_import_state - what a slot holds
 * @SWPF_IMPORT_EMPTY: nothing
 * @SWPF_IMPORT_MAPPED: an attachment and a mapping
 * @SWPF_IMPORT_UNMAPPED: an attachment, unmapped through ``ctl``
 * @SWPF_IMPORT_REVOKED: an attachment whose mapping move_notify dropped
 */
enum swpf_import_state {
	SWPF_IMPORT_EMPTY,
	SWPF_IMPORT_MAPPED,
	SWPF_IMPORT_UNMAPPED,
	SWPF_IMPORT_REVOKED,
};

static const char * const swpf_import_state_names[] = {
	[SWPF_IMPORT_EMPTY] = "empty",
	[SWPF_IMPORT_MAPPED] = "mapped",
	[SWPF_IMPORT_UNMAPPED] = "unmapped",
	[SWPF_IMPORT_REVOKED] = "revoked",
};

/**
 * struct swpf_import - one import slot
 * @swpf: the software PF
 * @index: the slot's number
 * @lock: serialises the slot's debugfs operations
 * @dmabuf: the imported buffer, referenced, NULL when empty. Protected by @lock.
 * @attach: our attachment to @dmabuf. Protected by @lock.
 * @standard: attached through the standard dma-buf path rather than the
 *	      private interconnect. Protected by @lock.
 * @stall: ignore move_notify, keep the mapping. Protected by @lock.
 * @pinned: the attachment is pinned. Protected by @lock.
 * @err: result of the last ``import`` or ``ctl`` write. Protected by @lock.
 * @state: &enum swpf_import_state. Protected by the reservation lock of
 *	   @dmabuf while attached, by @lock otherwise.
 * @map: the private-interconnect mapping while mapped. As @state.
 * @sgt: the standard mapping while mapped. As @state.
 * @notified: move_notify calls since the import. As @state.
 */
struct swpf_import {
	struct swpf *swpf;
	unsigned int index;
	struct mutex lock; /* see the kernel-doc above */
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	bool standard;
	bool stall;
	bool pinned;
	int err;
	enum swpf_import_state state;
	const struct xe_pfvf_mapping *map;
	struct sg_table *sgt;
	unsigned int notified;
};

static struct dentry *swpf_debugfs_root;

/* Drops the slot's mapping, if it has one. */
static void swpf_import_unmap(struct swpf_import *imp, struct dma_buf_attachment *attach)
{
	dma_resv_assert_held(attach->dmabuf->resv);

	if (imp->map) {
		xe_pfvf_dmabuf_unmap(attach, imp->map);
		imp->map = NULL;
	}
	if (imp->sgt) {
		dma_buf_unmap_attachment(attach, imp->sgt, DMA_BIDIRECTIONAL);
		imp->sgt = NULL;
	}
}

/*
 * The exporter revokes (or moves) the buffer: called with its reservation
 * lock held, takes nothing else.
 */
static void swpf_import_move_notify(struct dma_buf_attachment *attach)
{
	struct swpf_import *imp = attach->importer_priv;

	imp->notified++;
	/* A hostile importer: it was told, and keeps using the memory. */
	if (READ_ONCE(imp->stall))
		return;
	swpf_import_unmap(imp, attach);
	imp->state = SWPF_IMPORT_REVOKED;
}

static const struct dma_buf_attach_ops swpf_lmem_importer_ops = {
	.XE_PFVF_INVALIDATE_MAPPINGS = swpf_import_move_notify,
};

static const struct dma_buf_attach_ops swpf_standard_importer_ops = {
	.allow_peer2peer = true,
	.XE_PFVF_INVALIDATE_MAPPINGS = swpf_import_move_notify,
};

/* A mapping must cover the buffer with VRAM this PF has. */
static int swpf_check_mapping(struct swpf_import *imp, const struct xe_pfvf_mapping *map)
{
	u64 total = 0, end;
	unsigned int i;

	for (i = 0; i < map->nr_extents; i++) {
		const struct xe_pfvf_extent *e = &map->extents[i];

		if (!e->size || check_add_overflow(e->start, e->size, &end) ||
		    end > imp->swpf->vram_size || check_add_overflow(total, e->size, &total))
			break;
	}
	if (i == map->nr_extents && total == map->size && total == imp->dmabuf->size)
		return 0;
	dev_err_ratelimited(&imp->swpf->pdev->dev,
			    "slot%u: mapping of %u extents for %llu bytes does not fit the VRAM or the %zu-byte buffer\n",
			    imp->index, map->nr_extents, map->size, imp->dmabuf->size);
	return -EIO;
}

static int swpf_import_map_locked(struct swpf_import *imp)
{
	const struct xe_pfvf_mapping *map;
	struct sg_table *sgt;
	int err;

	dma_resv_assert_held(imp->dmabuf->resv);

	if (imp->state == SWPF_IMPORT_MAPPED)
		return 0;
	if (imp->standard) {
		sgt = dma_buf_map_attachment(imp->attach, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
		imp->sgt = sgt;
	} else {
		map = xe_pfvf_dmabuf_map(imp->attach);
		if (IS_ERR(map))
			return PTR_ERR(map);
		err = swpf_check_mapping(imp, map);
		if (err) {
			xe_pfvf_dmabuf_unmap(imp->attach, map);
			return err;
		}
		imp->map = map;
	}
	imp->state = SWPF_IMPORT_MAPPED;
	return 0;
}

static int swpf_import_map(struct swpf_import *imp)
{
	int err;

	lockdep_assert_held(&imp->lock);

	if (!imp->dmabuf)
		return -ENOENT;
	dma_resv_lock(imp->dmabuf->resv, NULL);
	err = swpf_import_map_locked(imp);
	dma_resv_unlock(imp->dmabuf->resv);
	return err;
}

static void swpf_import_unmap_all(struct swpf_import *imp)
{
	lockdep_assert_held(&imp->lock);

	if (!imp->dmabuf)
		return;
	dma_resv_lock(imp->dmabuf->resv, NULL);
	swpf_import_unmap(imp, imp->attach);
	if (imp->state == SWPF_IMPORT_MAPPED)
		imp->state = SWPF_IMPORT_UNMAPPED;
	dma_resv_unlock(imp->dmabuf->resv);
}

static void swpf_import_release(struct swpf_import *imp)
{
	struct dma_buf *dmabuf = imp->dmabuf;

	lockdep_assert_held(&imp->lock);

	if (!dmabuf)
		return;
	swpf_import_unmap_all(imp);
	if (imp->pinned) {
		dma_resv_lock(dmabuf->resv, NULL);
		dma_buf_unpin(imp->attach);
		dma_resv_unlock(dmabuf->resv);
		imp->pinned = false;
	}
	/* No move_notify reaches the slot once detached. */
	dma_buf_detach(dmabuf, imp->attach);
	dma_buf_put(dmabuf);
	imp->attach = NULL;
	imp->dmabuf = NULL;
	imp->state = SWPF_IMPORT_EMPTY;
}

static int swpf_import_fd(struct swpf_import *imp, int fd, bool standard, bool stall, bool pin)
{
	struct device *dev = &imp->swpf->pdev->dev;
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	int err;

	lockdep_assert_held(&imp->lock);

	if (imp->dmabuf)
		return -EBUSY;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	/* Not attached yet: no move_notify can run. */
	imp->state = SWPF_IMPORT_UNMAPPED;
	imp->notified = 0;
	imp->standard = standard;
	WRITE_ONCE(imp->stall, stall);
	imp->pinned = false;
	if (standard)
		attach = dma_buf_dynamic_attach(dmabuf, dev, &swpf_standard_importer_ops, imp);
	else
		attach = xe_pfvf_dmabuf_attach(dmabuf, dev, &swpf_lmem_importer_ops, imp,
					       XE_PFVF_INTERCONNECT_LMEM);
	if (IS_ERR(attach)) {
		err = PTR_ERR(attach);
		goto err_put;
	}
	imp->dmabuf = dmabuf;
	imp->attach = attach;

	if (pin) {
		dma_resv_lock(dmabuf->resv, NULL);
		err = dma_buf_pin(attach);
		dma_resv_unlock(dmabuf->resv);
		if (err) {
			swpf_import_release(imp);
			return err;
		}
		imp->pinned = true;
	}
	err = swpf_import_map(imp);
	if (err) {
		swpf_import_release(imp);
		return err;
	}
	return 0;

err_put:
	imp->state = SWPF_IMPORT_EMPTY;
	dma_buf_put(dmabuf);
	return err;
}

/* Reads up to @count bytes at @pos of the mapped buffer into @buf. */
static ssize_t swpf_import_read_locked(struct swpf_import *imp, void *buf, u64 pos,
				       size_t count)
{
	const struct xe_pfvf_mapping *map = imp->map;
	u64 base = 0, skip, n;
	size_t done = 0;
	unsigned int i;

	dma_resv_assert_held(imp->dmabuf->resv);

	if (imp->state == SWPF_IMPORT_REVOKED)
		return -ENODEV;
	if (imp->state != SWPF_IMPORT_MAPPED)
		return -ENODATA;
	if (!map)
		return -EOPNOTSUPP;
	if (pos >= map->size)
		return 0;
	count = min_t(u64, count, map->size - pos);
	/* swpf_check_mapping() checked every extent against the VRAM. */
	for (i = 0; i < map->nr_extents && done < count; base += map->extents[i].size, i++) {
		const struct xe_pfvf_extent *e = &map->extents[i];

		if (pos + done >= base + e->size)
			continue;
		skip = pos + done - base;
		n = min_t(u64, e->size - skip, count - done);
		memcpy(buf + done, imp->swpf->vram + e->start + skip, n);
		done += n;
	}
	return done;
}

/* Copies a debugfs request into a NUL-terminated kernel string. */
static char *swpf_request(struct swpf *swpf, const char *file, const char __user *ubuf,
			  size_t count)
{
	if (!count || count > SWPF_REQUEST_MAX) {
		pci_notice_ratelimited(swpf->pdev, "debugfs %s: request of %zu bytes\n", file,
				       count);
		return ERR_PTR(-EINVAL);
	}
	return memdup_user_nul(ubuf, count);
}

/* Writes the pattern into [lo, hi) of the VF's LMEM, @p pointing at lo. */
static void swpf_fill_run(u8 *p, unsigned int vfid, u64 lo, u64 hi, u64 seed, bool tag)
{
	u64 o;

	for (o = lo; o < hi; o++, p++) {
		if (tag && !(o & (SZ_4K - 1))) {
			struct swpf_tag t = {
				.magic = SWPF_TAG_MAGIC, .vfid = vfid, .lmem = o, .seed = seed,
			};

			memcpy(p, &t, sizeof(t));
			o += sizeof(t) - 1;
			p += sizeof(t) - 1;
			continue;
		}
		*p = swpf_pattern_byte(seed, o);
	}
}

static int swpf_vf_fill(struct swpf *swpf, unsigned int vfid, u64 lmem, u64 len, u64 seed,
			bool tag)
{
	const struct swpf_lmem *vf;
	u64 base = 0, end, lo, hi;
	unsigned int i;

	if (!vfid || vfid > (unsigned int)pci_sriov_get_totalvfs(swpf->pdev))
		return -ENOENT;
	/* Chunks are whole pages: a tag never straddles two. */
	if (tag && !IS_ALIGNED(lmem | len, SZ_4K))
		return -EINVAL;

	guard(mutex)(&swpf->lock);
	vf = swpf->vfs[vfid - 1].lmem;
	if (!vf)
		return -ENOENT;
	if (check_add_overflow(lmem, len, &end) || end > (u64)vf->nr * swpf->chunk)
		return -ERANGE;

	for (i = 0; i < vf->nr && base < end; base += vf->extents[i].size, i++) {
		lo = max(lmem, base);
		hi = min(end, base + vf->extents[i].size);
		if (lo >= hi)
			continue;
		swpf_fill_run(swpf->vram + vf->extents[i].start + (lo - base), vfid, lo, hi, seed,
			      tag);
		cond_resched();
	}
	return 0;
}

/* Parses ``vf=<n> lmem=<offset> len=<bytes> seed=<s> [tag]``. */
static int swpf_fill_parse(char *line, unsigned int *vfid, u64 *lmem, u64 *len, u64 *seed,
			   bool *tag)
{
	static const char * const keys[] = { "vf", "lmem", "len", "seed" };
	u64 *values[] = { NULL, lmem, len, seed };
	unsigned int seen = 0;
	char *tok, *val;
	int k;

	*tag = false;
	while ((tok = strsep(&line, " \t\n"))) {
		if (!*tok)
			continue;
		if (!strcmp(tok, "tag") && !*tag) {
			*tag = true;
			continue;
		}
		val = strchr(tok, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		k = match_string(keys, ARRAY_SIZE(keys), tok);
		if (k < 0 || seen & BIT(k))
			return -EINVAL;
		seen |= BIT(k);
		if (values[k] ? kstrtou64(val, 0, values[k]) : kstrtouint(val, 0, vfid))
			return -EINVAL;
	}
	if (seen != GENMASK(ARRAY_SIZE(keys) - 1, 0) || !*len)
		return -EINVAL;
	return 0;
}

static ssize_t swpf_fill_write(struct file *file, const char __user *ubuf, size_t count,
			       loff_t *ppos)
{
	struct swpf *swpf = file->private_data;
	unsigned int vfid;
	u64 lmem, len, seed;
	char *line;
	bool tag;
	int err;

	line = swpf_request(swpf, "fill", ubuf, count);
	if (IS_ERR(line))
		return PTR_ERR(line);
	err = swpf_fill_parse(line, &vfid, &lmem, &len, &seed, &tag);
	kfree(line);
	if (err) {
		pci_notice_ratelimited(swpf->pdev,
				       "debugfs fill: want vf=<n> lmem=<offset> len=<bytes> seed=<s> [tag], len > 0\n");
		return err;
	}
	err = swpf_vf_fill(swpf, vfid, lmem, len, seed, tag);
	if (err) {
		pci_notice_ratelimited(swpf->pdev, "debugfs fill: VF%u LMEM %#llx+%#llx: %pe\n",
				       vfid, lmem, len, ERR_PTR(err));
		return err;
	}
	return count;
}

static const struct file_operations swpf_fill_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = swpf_fill_write,
};

/* Parses ``provision <n>`` or ``unprovision <n>``. */
static ssize_t swpf_vf_write(struct file *file, const char __user *ubuf, size_t count,
			     loff_t *ppos)
{
	static const char * const cmds[] = { "unprovision", "provision" };
	struct swpf *swpf = file->private_data;
	char *line, *cmd, *arg;
	unsigned int vfid;
	int k, err;

	line = swpf_request(swpf, "vf", ubuf, count);
	if (IS_ERR(line))
		return PTR_ERR(line);
	arg = strim(line);
	cmd = strsep(&arg, " \t");
	k = match_string(cmds, ARRAY_SIZE(cmds), cmd);
	err = k < 0 || !arg || kstrtouint(strim(arg), 0, &vfid) ? -EINVAL : 0;
	kfree(line);
	if (err) {
		pci_notice_ratelimited(swpf->pdev, "debugfs vf: want provision <n> or unprovision <n>\n");
		return err;
	}
	err = swpf_vf_ctl(swpf, k, vfid);
	if (err) {
		pci_info_ratelimited(swpf->pdev, "debugfs vf: %s VF%u: %pe\n", cmds[k], vfid,
				     ERR_PTR(err));
		return err;
	}
	return count;
}

static const struct file_operations swpf_vf_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = swpf_vf_write,
};

/* Parses ``<fd> [standard] [stall] [pin]``. */
static int swpf_import_parse(char *line, int *fd, bool *standard, bool *stall, bool *pin)
{
	static const char * const words[] = { "standard", "stall", "pin" };
	bool *flags[] = { standard, stall, pin };
	bool have_fd = false;
	char *tok;
	int w;

	*standard = *stall = *pin = false;
	while ((tok = strsep(&line, " \t\n"))) {
		if (!*tok)
			continue;
		if (!have_fd) {
			if (kstrtoint(tok, 10, fd) || *fd < 0)
				return -EINVAL;
			have_fd = true;
			continue;
		}
		w = match_string(words, ARRAY_SIZE(words), tok);
		if (w < 0 || *flags[w])
			return -EINVAL;
		*flags[w] = true;
	}
	return have_fd ? 0 : -EINVAL;
}

static ssize_t swpf_slot_import_write(struct file *file, const char __user *ubuf, size_t count,
				      loff_t *ppos)
{
	struct swpf_import *imp = file->private_data;
	struct pci_dev *pdev = imp->swpf->pdev;
	bool standard, stall, pin;
	char *line;
	int fd, err;

	line = swpf_request(imp->swpf, "import", ubuf, count);
	if (IS_ERR(line))
		return PTR_ERR(line);
	err = swpf_import_parse(line, &fd, &standard, &stall, &pin);
	kfree(line);
	if (err) {
		pci_notice_ratelimited(pdev, "debugfs slot%u/import: want <fd> [standard] [stall] [pin]\n",
				       imp->index);
		return err;
	}

	guard(mutex)(&imp->lock);
	err = swpf_import_fd(imp, fd, standard, stall, pin);
	imp->err = err;
	if (err) {
		pci_info_ratelimited(pdev, "slot%u: %s import of fd %d failed: %pe\n", imp->index,
				     standard ? "standard" : "lmem", fd, ERR_PTR(err));
		return err;
	}
	return count;
}

static const struct file_operations swpf_slot_import_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = swpf_slot_import_write,
};

static ssize_t swpf_slot_ctl_write(struct file *file, const char __user *ubuf, size_t count,
				   loff_t *ppos)
{
	static const char * const cmds[] = { "map", "unmap", "release" };
	struct swpf_import *imp = file->private_data;
	struct pci_dev *pdev = imp->swpf->pdev;
	char *line;
	int cmd, err = 0;

	line = swpf_request(imp->swpf, "ctl", ubuf, count);
	if (IS_ERR(line))
		return PTR_ERR(line);
	cmd = match_string(cmds, ARRAY_SIZE(cmds), strim(line));
	kfree(line);
	if (cmd < 0) {
		pci_notice_ratelimited(pdev, "debugfs slot%u/ctl: want map, unmap or release\n",
				       imp->index);
		return -EINVAL;
	}

	guard(mutex)(&imp->lock);
	switch (cmd) {
	case 0:
		err = swpf_import_map(imp);
		break;
	case 1:
		swpf_import_unmap_all(imp);
		break;
	case 2:
		swpf_import_release(imp);
		break;
	}
	imp->err = err;
	if (err) {
		pci_info_ratelimited(pdev, "slot%u: %s failed: %pe\n", imp->index, cmds[cmd],
				     ERR_PTR(err));
		return err;
	}
	return count;
}

static const struct file_operations swpf_slot_ctl_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = swpf_slot_ctl_write,
};

static void swpf_slot_status_print(struct seq_file *m, struct swpf_import *imp)
{
	const struct xe_pfvf_mapping *map = imp->map;
	struct scatterlist *sg;
	unsigned int i;

	seq_printf(m, "state=%s mode=%s vf=%u size=%zu extents=%u notified=%u err=%d\n",
		   swpf_import_state_names[imp->state],
		   !imp->dmabuf ? "-" : imp->standard ? "standard" : "lmem",
		   map ? map->vfid : 0, imp->dmabuf ? imp->dmabuf->size : 0,
		   map ? map->nr_extents : imp->sgt ? imp->sgt->nents : 0,
		   imp->notified, imp->err);
	for (i = 0; map && i < map->nr_extents; i++)
		seq_printf(m, "%#llx %#llx\n", map->extents[i].start, map->extents[i].size);
	if (imp->sgt)
		for_each_sgtable_dma_sg(imp->sgt, sg, i)
			seq_printf(m, "%#llx %#x\n", (u64)sg_dma_address(sg), sg_dma_len(sg));
}

static int swpf_slot_status_show(struct seq_file *m, void *data)
{
	struct swpf_import *imp = m->private;

	guard(mutex)(&imp->lock);
	if (!imp->dmabuf) {
		swpf_slot_status_print(m, imp);
		return 0;
	}
	dma_resv_lock(imp->dmabuf->resv, NULL);
	swpf_slot_status_print(m, imp);
	dma_resv_unlock(imp->dmabuf->resv);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(swpf_slot_status);

static ssize_t swpf_slot_data_read(struct file *file, char __user *ubuf, size_t count,
				   loff_t *ppos)
{
	struct swpf_import *imp = file->private_data;
	ssize_t ret;
	void *buf;

	if (*ppos < 0)
		return -EINVAL;
	if (!count)
		return 0;
	count = min_t(size_t, count, SWPF_DATA_CHUNK);
	/*
	 * Copied out under the reservation lock into a bounce buffer, handed
	 * to userspace after: no page fault with the reservation lock held.
	 */
	buf = kvmalloc(count, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	scoped_guard(mutex, &imp->lock) {
		if (!imp->dmabuf) {
			ret = -ENODATA;
			break;
		}
		dma_resv_lock(imp->dmabuf->resv, NULL);
		ret = swpf_import_read_locked(imp, buf, *ppos, count);
		dma_resv_unlock(imp->dmabuf->resv);
	}
	if (ret > 0) {
		if (copy_to_user(ubuf, buf, ret))
			ret = -EFAULT;
		else
			*ppos += ret;
	}
	kvfree(buf);
	return ret;
}

static const struct file_operations swpf_slot_data_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = swpf_slot_data_read,
	.llseek = default_llseek,
};

/**
 * swpf_imports_init() - set up a software PF's import slots
 * @swpf: the software PF
 *
 * Return: 0 or -ENOMEM.
 */
int swpf_imports_init(struct swpf *swpf)
{
	unsigned int k;

	swpf->imports = kcalloc(SWPF_IMPORT_SLOTS, sizeof(*swpf->imports), GFP_KERNEL);
	if (!swpf->imports)
		return -ENOMEM;
	for (k = 0; k < SWPF_IMPORT_SLOTS; k++) {
		swpf->imports[k].swpf = swpf;
		swpf->imports[k].index = k;
		mutex_init(&swpf->imports[k].lock);
	}
	return 0;
}

/**
 * swpf_imports_fini() - release everything a software PF imported
 * @swpf: the software PF, its debugfs files already removed
 *
 * Unmaps, detaches and drops the buffers of all slots, then frees them.
 */
void swpf_imports_fini(struct swpf *swpf)
{
	unsigned int k;

	if (!swpf->imports)
		return;
	for (k = 0; k < SWPF_IMPORT_SLOTS; k++) {
		scoped_guard(mutex, &swpf->imports[k].lock)
			swpf_import_release(&swpf->imports[k]);
		mutex_destroy(&swpf->imports[k].lock);
	}
	kfree(swpf->imports);
	swpf->imports = NULL;
}

/**
 * swpf_debugfs_pf_add() - create a software PF's debugfs directory
 * @swpf: the software PF, its import slots set up
 */
void swpf_debugfs_pf_add(struct swpf *swpf)
{
	struct dentry *dir, *slot;
	char name[16];
	unsigned int k;

	dir = debugfs_create_dir(pci_name(swpf->pdev), swpf_debugfs_root);
	swpf->debugfs = dir;
	debugfs_create_file("fill", 0200, dir, swpf, &swpf_fill_fops);
	debugfs_create_file("vf", 0200, dir, swpf, &swpf_vf_fops);
	for (k = 0; k < SWPF_IMPORT_SLOTS; k++) {
		struct swpf_import *imp = &swpf->imports[k];

		snprintf(name, sizeof(name), "slot%u", k);
		slot = debugfs_create_dir(name, dir);
		debugfs_create_file("import", 0200, slot, imp, &swpf_slot_import_fops);
		debugfs_create_file("ctl", 0200, slot, imp, &swpf_slot_ctl_fops);
		debugfs_create_file("status", 0400, slot, imp, &swpf_slot_status_fops);
		debugfs_create_file("data", 0400, slot, imp, &swpf_slot_data_fops);
	}
}

/**
 * swpf_debugfs_pf_remove() - remove a software PF's debugfs directory
 * @swpf: the software PF
 *
 * Returns once no operation on its files runs any more.
 */
void swpf_debugfs_pf_remove(struct swpf *swpf)
{
	debugfs_remove(swpf->debugfs);
	swpf->debugfs = NULL;
}

/**
 * swpf_debugfs_init() - create the module's debugfs directory
 */
void swpf_debugfs_init(void)
{
	swpf_debugfs_root = debugfs_create_dir(SWPF_NAME, NULL);
}

/**
 * swpf_debugfs_fini() - remove the module's debugfs directory
 */
void swpf_debugfs_fini(void)
{
	debugfs_remove(swpf_debugfs_root);
	swpf_debugfs_root = NULL;
}
