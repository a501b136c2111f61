/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _XE_PFVF_SWPF_H_
#define _XE_PFVF_SWPF_H_

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xe_pfvf_types.h>

struct dentry;
struct pci_dev;
struct swpf_import;
struct xe_pfvf_pf;

#define SWPF_NAME "xe_pfvf_swpf"

/** SWPF_IMPORT_SLOTS - import slots per software PF */
#define SWPF_IMPORT_SLOTS 4

/**
 * struct swpf_lmem - VRAM given to one VF, the cookie of its provisioning
 * @swpf: the software PF
 * @link: entry in &swpf.parked while xe_pfvf keeps it quarantined
 * @vfid: the VF
 * @nr: number of @extents
 * @extents: the VF's extents in LMEM order, one per chunk
 */
struct swpf_lmem {
	struct swpf *swpf;
	struct list_head link;
	unsigned int vfid;
	unsigned int nr;
	struct xe_pfvf_extent extents[];
};

/**
 * struct swpf_vf - one VF of the software PF
 * @lmem: its VRAM, NULL while the VF is not provisioned
 */
struct swpf_vf {
	struct swpf_lmem *lmem;
};

/**
 * struct swpf - one software PF
 * @pdev: the PF
 * @pf: the PF as registered with xe_pfvf
 * @vram: the simulated VRAM; VRAM address n is byte n of it
 * @vram_size: its size in bytes
 * @chunk: allocation chunk in bytes
 * @nr_chunks: chunks in @vram
 * @used: bitmap of chunks given to VFs, changed with atomic bit operations:
 *	  xe_pfvf hands quarantined chunks back from its workqueue
 * @lock: protects the @vfs entries against ``fill`` (the debugfs writer of
 *	  VF LMEM) and @parked against xe_pfvf's callback; everything else is
 *	  updated only from probe, remove and sriov_configure, which the PCI
 *	  core serialises with the device lock
 * @parked: VRAM of VFs unprovisioned while an importer still mapped it
 *	    (&struct swpf_lmem), kept until xe_pfvf hands it back
 * @cfg_lock: serialises changes of the VFs: sriov_configure and the
 *	      debugfs ``vf`` control
 * @debugfs: the PF's directory under ``xe_pfvf_swpf/`` in debugfs
 * @imports: the import slots, see "DOC: software PF as importer"
 * @vfs: per VF, VF n at index n - 1. Protected by @lock.
 */
struct swpf {
	struct pci_dev *pdev;
	struct xe_pfvf_pf *pf;
	void *vram;
	u64 vram_size;
	u64 chunk;
	unsigned int nr_chunks;
	unsigned long *used;
	struct mutex lock; /* see the kernel-doc above */
	struct list_head parked;
	struct mutex cfg_lock; /* see the kernel-doc above */
	struct dentry *debugfs;
	struct swpf_import *imports;
	struct swpf_vf vfs[];
};

/**
 * swpf_pattern_byte() - the byte ``fill`` writes at an LMEM offset
 * @seed: the seed given to ``fill``
 * @lmem: the byte's offset in the VF's LMEM
 *
 * With 64-bit wrapping products, x = (seed * 0x9e3779b97f4a7c15) ^
 * ((lmem + 1) * 0xbf58476d1ce4e5b9), then one round of Marsaglia's
 * xorshift64 (x ^= x << 13, x ^= x >> 7, x ^= x << 17); the byte is bits
 * 63..56 of x.  Userspace tests compute the same to check what an importer
 * reads back.
 *
 * Return: the pattern byte.
 */
static inline u8 swpf_pattern_byte(u64 seed, u64 lmem)
{
	u64 x = (seed * 0x9e3779b97f4a7c15ULL) ^ ((lmem + 1) * 0xbf58476d1ce4e5b9ULL);

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x >> 56;
}

/**
 * SWPF_TAG_MAGIC - first word of every page ``fill`` writes with ``tag``
 *
 * A tagged page starts with &struct swpf_tag; its other bytes are the
 * pattern of swpf_pattern_byte().
 */
#define SWPF_TAG_MAGIC	0x4741547666707865ULL	/* "expfvTAG" */

/**
 * struct swpf_tag - the head of a tagged page
 * @magic: %SWPF_TAG_MAGIC
 * @vfid: the VF whose LMEM the page was written as
 * @lmem: the page's offset in that VF's LMEM
 * @seed: the seed of the page's pattern
 */
struct swpf_tag {
	u64 magic;
	u64 vfid;
	u64 lmem;
	u64 seed;
};

/* xe_pfvf_swpf.c */
int swpf_vf_ctl(struct swpf *swpf, bool provision, unsigned int vfid);
const void *xe_pfvf_swpf_vram(struct pci_dev *pdev, u64 *size);

/* xe_pfvf_swpf_import.c */
int swpf_imports_init(struct swpf *swpf);
void swpf_imports_fini(struct swpf *swpf);
void swpf_debugfs_pf_add(struct swpf *swpf);
void swpf_debugfs_pf_remove(struct swpf *swpf);
void swpf_debugfs_init(void);
void swpf_debugfs_fini(void);

#endif /* _XE_PFVF_SWPF_H_ */
