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
 * struct swpf_vf - VRAM given to one VF
 * @extents: the VF's extents in LMEM order, one per chunk
 * @nr: number of @extents, 0 while the VF is not provisioned
 */
struct swpf_vf {
	struct xe_pfvf_extent *extents;
	unsigned int nr;
};

/**
 * struct swpf - one software PF
 * @pdev: the PF
 * @pf: the PF as registered with xe_pfvf
 * @vram: the simulated VRAM; VRAM address n is byte n of it
 * @vram_size: its size in bytes
 * @chunk: allocation chunk in bytes
 * @nr_chunks: chunks in @vram
 * @used: bitmap of chunks given to VFs
 * @lock: protects the @vfs entries against ``fill`` (the debugfs writer of
 *	  VF LMEM); everything else is updated only from probe, remove and
 *	  sriov_configure, which the PCI core serialises with the device lock
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

/* xe_pfvf_swpf_import.c */
int swpf_imports_init(struct swpf *swpf);
void swpf_imports_fini(struct swpf *swpf);
void swpf_debugfs_pf_add(struct swpf *swpf);
void swpf_debugfs_pf_remove(struct swpf *swpf);
void swpf_debugfs_init(void);
void swpf_debugfs_fini(void);

#endif /* _XE_PFVF_SWPF_H_ */
