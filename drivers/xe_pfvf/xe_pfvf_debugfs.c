// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/pci.h>
#include <linux/seq_file.h>

#include "xe_pfvf_drv.h"
#include "xe_pfvf_pf_types.h"

/**
 * DOC: debugfs
 *
 * ``/sys/kernel/debug/xe_pfvf/<PF PCI address>/`` per registered PF:
 *
 * ``info``
 *	the PF driver's name, total and enabled VFs.
 * ``vfs``
 *	a header line, then one line per enabled VF: VF number (1-based), PCI
 *	address, state, and the VF's memory BARs as
 *	``<bar>:<cpu start>+<size>@<bus start>``.  Tools must parse only the
 *	columns they know: more may be appended.
 */

static struct dentry *debugfs_root;

static int pf_info_show(struct seq_file *m, void *data)
{
	struct xe_pfvf_pf *pf = m->private;

	guard(mutex)(&pf->lock);
	seq_printf(m, "pf: %s\n", pci_name(pf->pdev));
	seq_printf(m, "driver: %s\n", pf->name);
	seq_printf(m, "total_vfs: %u\n", pf->total_vfs);
	seq_printf(m, "num_vfs: %u\n", pf->num_vfs);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pf_info);

static void vf_show_bars(struct seq_file *m, struct pci_dev *vf)
{
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!(pci_resource_flags(vf, bar) & IORESOURCE_MEM) ||
		    !pci_resource_len(vf, bar))
			continue;
		seq_printf(m, " %d:%#llx+%#llx@%#llx", bar,
			   (u64)pci_resource_start(vf, bar),
			   (u64)pci_resource_len(vf, bar),
			   (u64)pci_bus_address(vf, bar));
	}
}

static int pf_vfs_show(struct seq_file *m, void *data)
{
	struct xe_pfvf_pf *pf = m->private;
	unsigned int n;

	guard(mutex)(&pf->lock);
	seq_puts(m, "vf bdf state bars\n");
	for (n = 0; n < pf->num_vfs; n++) {
		struct pci_dev *vf = pf->vfs[n].pdev;

		seq_printf(m, "%u %s enabled", n + 1, pci_name(vf));
		vf_show_bars(m, vf);
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pf_vfs);

void xe_pfvf_debugfs_pf_add(struct xe_pfvf_pf *pf)
{
	struct dentry *dir;

	if (!debugfs_root)
		return;

	dir = debugfs_create_dir(pci_name(pf->pdev), debugfs_root);
	debugfs_create_file("info", 0400, dir, pf, &pf_info_fops);
	debugfs_create_file("vfs", 0400, dir, pf, &pf_vfs_fops);
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
