// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_dmabuf.h"
#include "xe_pfvf_drv.h"
#include "xe_pfvf_pf_types.h"
#include "xe_pfvf_table.h"

/**
 * DOC: debugfs
 *
 * ``/sys/kernel/debug/xe_pfvf/<PF PCI address>/`` per registered PF, all
 * root-only:
 *
 * ``info``
 *	the PF driver's name, VRAM size, LMEM BAR index, total and enabled VFs.
 * ``vfs``
 *	a header line, then one line per enabled VF: VF number (1-based), PCI
 *	address, state (``enabled`` or ``provisioned``), LMEM quota in bytes,
 *	number of extents, generation, and the LMEM BAR as ``<cpu>+<size>``
 *	and ``<bus>``.  Tools must parse only the columns they know.
 * ``provisioning``
 *	per provisioned VF a line ``vf <n> quota <bytes> generation <g>
 *	extents <k>``, then one line per extent: LMEM offset, VRAM address,
 *	size.
 * ``dmabufs``
 *	a header line, then one line per exported dma-buf not released yet:
 *	VF number, inode of the dma-buf file (as in ``/proc/<pid>/fdinfo``),
 *	state (``live``, ``suspended`` while the VF's memory is disabled,
 *	``revoked``), size in bytes, ranges, VRAM extents, importer
 *	attachments and live maps.  ``info`` counts the buffers revoked for
 *	good.
 * ``quarantine``
 *	``stuck`` lines, one per dma-buf whose revocation timed out while an
 *	importer still mapped it: VF, inode, state, milliseconds since,
 *	live maps, the generation of the provisioning it keeps quarantined (0
 *	for none) and the importers as ``driver:device``; then
 *	``withdrawn`` lines, one per provisioning out of the table whose VRAM
 *	is not free yet: VF, generation, ``withdrawing`` or ``quarantined``,
 *	quota, extents.
 * ``p2p``
 *	a header line, then the standard-path verdicts kept for the PF's VFs
 *	(see "DOC: standard path"), one per VF and importer: VF, importer,
 *	``refused``, ``bus-address`` or ``host-bridge``, what decided it
 *	(``not-pci``, ``no-p2pdma``, ``kernel``) and the kernel's P2PDMA
 *	distance (-1 when refused).
 * ``translate``
 *	write ``<space> <addr> <len> [vf=<n>] [aligned]`` (space one of
 *	lmem, bar, cpu, bus; numbers in C notation), then read
 *	``err=<errno> vf=<n> generation=<g> extents=<k> bytes=<b>`` followed
 *	by one ``<vram start> <size>`` line per extent.  Each open file keeps
 *	its own last result; each write rewinds the file to it.  IOVAs are
 *	not offered: nothing here could keep the VF's IOMMU domain from being
 *	freed under the walk.
 */

#define DEBUGFS_XLATE_MAX_EXTENTS 4096

static struct dentry *debugfs_root;

static int debugfs_info_show(struct seq_file *m, void *data)
{
	struct xe_pfvf_pf *pf = m->private;

	guard(mutex)(&pf->lock);
	seq_printf(m, "pf: %s\n", pci_name(pf->pdev));
	seq_printf(m, "driver: %s\n", pf->name);
	seq_printf(m, "vram_size: %llu\n", pf->vram_size);
	seq_printf(m, "lmem_bar: %d\n", pf->lmem_bar);
	seq_printf(m, "total_vfs: %u\n", pf->total_vfs);
	seq_printf(m, "num_vfs: %u\n", pf->num_vfs);
	seq_printf(m, "dmabufs_revoked: %lld\n", (long long)atomic64_read(&pf->nr_revoked));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(debugfs_info);

static const char * const debugfs_buf_states[] = {
	[XE_PFVF_DMABUF_LIVE] = "live",
	[XE_PFVF_DMABUF_SUSPENDED] = "suspended",
	[XE_PFVF_DMABUF_REVOKED] = "revoked",
};

/* Holds a reference on each buffer's file while it prints it. */
static int debugfs_dmabufs_show(struct seq_file *m, void *data)
{
	struct xe_pfvf_pf *pf = m->private;
	struct dma_buf_attachment *attach;
	struct xe_pfvf_dmabuf *buf;
	unsigned int n, attachments;

	seq_puts(m, "vf inode state size ranges extents attachments mapped\n");
	for (n = 0; n < pf->total_vfs; n++) {
		buf = NULL;
		while ((buf = xe_pfvf_dmabuf_next(&pf->vfs[n], buf))) {
			attachments = 0;
			dma_resv_lock(buf->dmabuf->resv, NULL);
			list_for_each_entry(attach, &buf->dmabuf->attachments, node)
				attachments++;
			seq_printf(m, "%u %lu %s %llu %u %u %u %u\n", buf->vf->vfid, buf->ino,
				   debugfs_buf_states[buf->state], buf->map->size, buf->nr_ranges,
				   buf->map->nr_extents, attachments, buf->nr_mapped);
			dma_resv_unlock(buf->dmabuf->resv);
		}
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(debugfs_dmabufs);

static int debugfs_quarantine_show(struct seq_file *m, void *data)
{
	static const char * const states[] = {
		[XE_PFVF_PROV_PUBLISHED] = "published",
		[XE_PFVF_PROV_WITHDRAWING] = "withdrawing",
		[XE_PFVF_PROV_QUARANTINED] = "quarantined",
	};
	struct xe_pfvf_pf *pf = m->private;
	struct xe_pfvf_prov *prov;

	seq_puts(m, "stuck vf inode state ms mapped generation importers\n");
	xe_pfvf_revoke_show_stuck(m, pf);
	seq_puts(m, "withdrawn vf generation state quota extents\n");
	guard(mutex)(&pf->lock);
	list_for_each_entry(prov, &pf->withdrawn, link)
		seq_printf(m, "withdrawn %u %u %s %llu %u\n", prov->vfid, prov->cfg->generation,
			   states[prov->state], prov->cfg->quota, prov->cfg->nr_extents);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(debugfs_quarantine);

static int debugfs_p2p_show(struct seq_file *m, void *data)
{
	struct xe_pfvf_pf *pf = m->private;

	xe_pfvf_p2p_show(m, pf->pdev);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(debugfs_p2p);

static int debugfs_vfs_show(struct seq_file *m, void *data)
{
	struct xe_pfvf_pf *pf = m->private;
	const struct xe_pfvf_table *t;
	unsigned int n;

	guard(mutex)(&pf->lock);
	t = rcu_dereference_protected(pf->table, lockdep_is_held(&pf->lock));
	seq_puts(m, "vf bdf state quota extents generation bar_cpu bar_bus\n");
	for (n = 0; n < pf->num_vfs; n++) {
		const struct xe_pfvf_vf *vf = &pf->vfs[n];
		const struct xe_pfvf_bar *bar = n < t->total_vfs ? &t->vfs[n].bar : NULL;

		const struct xe_pfvf_vf_cfg *cfg = vf->prov ? vf->prov->cfg : NULL;

		seq_printf(m, "%u %s %s %llu %u %u", vf->vfid, pci_name(vf->pdev),
			   cfg ? "provisioned" : "enabled", cfg ? cfg->quota : 0,
			   cfg ? cfg->nr_extents : 0, vf->generation);
		if (bar && bar->size)
			seq_printf(m, " %#llx+%#llx %#llx\n", bar->cpu, bar->size, bar->bus);
		else
			seq_puts(m, " - -\n");
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(debugfs_vfs);

static int debugfs_provisioning_show(struct seq_file *m, void *data)
{
	struct xe_pfvf_pf *pf = m->private;
	unsigned int n, e;

	guard(mutex)(&pf->lock);
	for (n = 0; n < pf->total_vfs; n++) {
		const struct xe_pfvf_prov *prov = pf->vfs[n].prov;
		const struct xe_pfvf_vf_cfg *cfg = prov ? prov->cfg : NULL;

		if (!cfg)
			continue;
		seq_printf(m, "vf %u quota %llu generation %u extents %u\n",
			   cfg->vfid, cfg->quota, pf->vfs[n].generation, cfg->nr_extents);
		for (e = 0; e < cfg->nr_extents; e++)
			seq_printf(m, "  %#llx %#llx %#llx\n", cfg->extents[e].lmem,
				   cfg->extents[e].vram, cfg->extents[e].size);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(debugfs_provisioning);

/**
 * struct debugfs_xlate_file - state of one open ``translate`` file
 * @pf: the PF
 * @lock: serialises writes and reads of this file
 * @buf: text of the last result
 * @len: bytes in @buf
 */
struct debugfs_xlate_file {
	struct xe_pfvf_pf *pf;
	struct mutex lock; /* see the kernel-doc above */
	char *buf;
	size_t len;
};

static int debugfs_xlate_open(struct inode *inode, struct file *file)
{
	struct debugfs_xlate_file *xf = kzalloc(sizeof(*xf), GFP_KERNEL);

	if (!xf)
		return -ENOMEM;
	xf->pf = inode->i_private;
	mutex_init(&xf->lock);
	file->private_data = xf;
	return nonseekable_open(inode, file);
}

static int debugfs_xlate_release(struct inode *inode, struct file *file)
{
	struct debugfs_xlate_file *xf = file->private_data;

	mutex_destroy(&xf->lock);
	kvfree(xf->buf);
	kfree(xf);
	return 0;
}

static int debugfs_xlate_parse(char *line, struct xe_pfvf_xlate_req *req)
{
	static const char * const spaces[] = { "lmem", "bar", "cpu", "bus" };
	char *tok, *space, *addr, *len;
	unsigned int vfid;
	int i;

	space = strsep(&line, " \t\n");
	addr = strsep(&line, " \t\n");
	len = strsep(&line, " \t\n");
	if (!space || !addr || !len)
		return -EINVAL;
	i = match_string(spaces, ARRAY_SIZE(spaces), space);
	if (i < 0)
		return -EINVAL;
	req->space = i;
	if (kstrtou64(addr, 0, &req->addr) || kstrtou64(len, 0, &req->len))
		return -EINVAL;
	while ((tok = strsep(&line, " \t\n"))) {
		if (!*tok)
			continue;
		if (!strcmp(tok, "aligned"))
			req->flags |= XE_PFVF_XLATE_ALIGNED;
		else if (sscanf(tok, "vf=%u", &vfid) == 1 && vfid <= U16_MAX)
			req->vfid = vfid;
		else
			return -EINVAL;
	}
	return 0;
}

static int debugfs_xlate_run(struct debugfs_xlate_file *xf, const struct xe_pfvf_xlate_req *req)
{
	struct xe_pfvf_xlate_res res = { .max = DEBUGFS_XLATE_MAX_EXTENTS };
	struct xe_pfvf_pf *pf = xf->pf;
	size_t size, n;
	u32 i;
	int err;

	res.ext = kvmalloc_array(res.max, sizeof(*res.ext), GFP_KERNEL);
	if (!res.ext)
		return -ENOMEM;

	err = xe_pfvf_pf_translate(pf, NULL, req, &res);

	size = 96 + (size_t)min(res.nr, res.max) * 40;
	kvfree(xf->buf);
	xf->buf = kvmalloc(size, GFP_KERNEL);
	if (!xf->buf) {
		xf->len = 0;
		kvfree(res.ext);
		return -ENOMEM;
	}
	/* After -E2BIG, extents= is the number needed. */
	n = scnprintf(xf->buf, size, "err=%d vf=%u generation=%u extents=%u bytes=%llu\n",
		      err, err ? 0 : res.vfid, err ? 0 : res.generation,
		      !err || err == -E2BIG ? res.nr : 0, err ? 0 : res.bytes);
	for (i = 0; !err && i < res.nr; i++)
		n += scnprintf(xf->buf + n, size - n, "%#llx %#llx\n",
			       res.ext[i].start, res.ext[i].size);
	xf->len = n;
	kvfree(res.ext);
	return 0;
}

static ssize_t debugfs_xlate_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct debugfs_xlate_file *xf = file->private_data;
	struct xe_pfvf_xlate_req req = {};
	char *line;
	int err;

	if (!count || count > 256) {
		pci_notice_ratelimited(xf->pf->pdev, "debugfs translate: request of %zu bytes\n",
				       count);
		return -EINVAL;
	}
	line = memdup_user_nul(ubuf, count);
	if (IS_ERR(line))
		return PTR_ERR(line);
	err = debugfs_xlate_parse(line, &req);
	kfree(line);
	if (err) {
		pci_notice_ratelimited(xf->pf->pdev, "debugfs translate: cannot parse request\n");
		return err;
	}

	guard(mutex)(&xf->lock);
	err = debugfs_xlate_run(xf, &req);
	if (err)
		return err;
	/* The next read starts at the new result. */
	*ppos = 0;
	return count;
}

static ssize_t debugfs_xlate_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct debugfs_xlate_file *xf = file->private_data;

	guard(mutex)(&xf->lock);
	return simple_read_from_buffer(ubuf, count, ppos, xf->buf, xf->len);
}

static const struct file_operations debugfs_xlate_fops = {
	.owner = THIS_MODULE,
	.open = debugfs_xlate_open,
	.release = debugfs_xlate_release,
	.read = debugfs_xlate_read,
	.write = debugfs_xlate_write,
};

void xe_pfvf_debugfs_pf_add(struct xe_pfvf_pf *pf)
{
	struct dentry *dir;

	if (!debugfs_root)
		return;

	dir = debugfs_create_dir(pci_name(pf->pdev), debugfs_root);
	debugfs_create_file("info", 0400, dir, pf, &debugfs_info_fops);
	debugfs_create_file("vfs", 0400, dir, pf, &debugfs_vfs_fops);
	debugfs_create_file("provisioning", 0400, dir, pf, &debugfs_provisioning_fops);
	debugfs_create_file("dmabufs", 0400, dir, pf, &debugfs_dmabufs_fops);
	debugfs_create_file("quarantine", 0400, dir, pf, &debugfs_quarantine_fops);
	debugfs_create_file("p2p", 0400, dir, pf, &debugfs_p2p_fops);
	debugfs_create_file("translate", 0600, dir, pf, &debugfs_xlate_fops);
	pf->debugfs = dir;
}

/* Waits for readers in progress; later ones get -EIO from debugfs. */
void xe_pfvf_debugfs_pf_remove(struct xe_pfvf_pf *pf)
{
	debugfs_remove_recursive(pf->debugfs);
	pf->debugfs = NULL;
}

void xe_pfvf_debugfs_init(void)
{
	struct dentry *root = debugfs_create_dir(XE_PFVF_NAME, NULL);

	debugfs_root = IS_ERR(root) ? NULL : root;
}

void xe_pfvf_debugfs_fini(void)
{
	debugfs_remove_recursive(debugfs_root);
	debugfs_root = NULL;
}
