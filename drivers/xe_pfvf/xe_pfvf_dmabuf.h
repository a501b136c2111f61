/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _XE_PFVF_DMABUF_H_
#define _XE_PFVF_DMABUF_H_

#include <linux/dma-direction.h>
#include <linux/list.h>
#include <linux/scatterlist.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xe_pfvf.h>

struct dma_buf;
struct pci_dev;
struct seq_file;
struct xe_pfvf_prov;

/**
 * enum xe_pfvf_dmabuf_state - may the buffer be mapped?
 * @XE_PFVF_DMABUF_LIVE: yes
 * @XE_PFVF_DMABUF_SUSPENDED: not while the VF's memory is disabled or the VF
 *			      is being reset; xe_pfvf_vf_restore() makes it
 *			      live again
 * @XE_PFVF_DMABUF_REVOKED: never again
 */
enum xe_pfvf_dmabuf_state {
	XE_PFVF_DMABUF_LIVE,
	XE_PFVF_DMABUF_SUSPENDED,
	XE_PFVF_DMABUF_REVOKED,
};

/**
 * struct xe_pfvf_dmabuf - exporter state of an xe_pfvf dma-buf
 * @dmabuf: the dma-buf
 * @vf: the VF slot; the buffer holds a reference on its PF
 * @pdev: the VF's PCI device, referenced
 * @link: entry in &xe_pfvf_vf.dmabufs from export to release. Protected by
 *	  &xe_pfvf_pf.buf_lock.
 * @ino: inode number of the dma-buf's file, for logs and debugfs
 * @generation: generation of the provisioning the extents were taken from
 * @bar: the VF's LMEM BAR at export
 * @nr_ranges: entries in @ranges
 * @ranges: the exported ranges, as LMEM offsets (equal to LMEM BAR offsets)
 * @map: the VRAM extents, immutable; handed out by xe_pfvf_dmabuf_map()
 * @state: &enum xe_pfvf_dmabuf_state. Protected by the reservation lock.
 * @nr_mapped: live mappings of all attachments. Protected by the
 *	       reservation lock.
 * @unmapped: woken when @nr_mapped drops to 0
 * @revoke_epoch: the latest revocation that targeted the buffer (see "DOC:
 *		  revocation"). Protected by the reservation lock.
 * @stuck: a revocation timed out with the buffer still mapped or its fences
 *	   pending; the revocation lock protects this and the fields below
 * @stuck_since: jiffies when @stuck was set
 * @stuck_link: entry in the list of stuck buffers, holding a reference on
 *		the dma-buf's file
 * @prov: the withdrawn provisioning @stuck keeps quarantined, or NULL
 */
struct xe_pfvf_dmabuf {
	struct dma_buf *dmabuf;
	struct xe_pfvf_vf *vf;
	struct pci_dev *pdev;
	struct list_head link;
	unsigned long ino;
	u32 generation;
	struct xe_pfvf_bar bar;
	unsigned int nr_ranges;
	struct xe_pfvf_dmabuf_range *ranges;
	struct xe_pfvf_mapping *map;
	enum xe_pfvf_dmabuf_state state;
	unsigned int nr_mapped;
	wait_queue_head_t unmapped;
	u64 revoke_epoch;
	bool stuck;
	unsigned long stuck_since;
	struct list_head stuck_link;
	struct xe_pfvf_prov *prov;
};

/**
 * enum xe_pfvf_path - how an attachment maps its buffer
 * @XE_PFVF_PATH_UNDECIDED: the owning PF attached through the standard
 *			    entry point; the P2P verdict is asked at its
 *			    first standard map
 * @XE_PFVF_PATH_PRIVATE: the private interconnect, xe_pfvf_dmabuf_map()
 * @XE_PFVF_PATH_STANDARD: the standard path, as &xe_pfvf_attach.p2p says
 */
enum xe_pfvf_path {
	XE_PFVF_PATH_UNDECIDED,
	XE_PFVF_PATH_PRIVATE,
	XE_PFVF_PATH_STANDARD,
};

/**
 * struct xe_pfvf_attach - exporter state of an attachment
 * @path: &enum xe_pfvf_path, decided at attach (or the first standard map
 *	  for the owning PF). Protected by the reservation lock after attach.
 * @p2p: for %XE_PFVF_PATH_STANDARD, how the importer reaches the BAR
 * @nr_mapped: live mappings of this attachment. Protected by the
 *	       reservation lock.
 * @sgts: standard-path mappings not unmapped yet (&struct xe_pfvf_sgt).
 *	  Protected by the reservation lock.
 */
struct xe_pfvf_attach {
	enum xe_pfvf_path path;
	enum xe_pfvf_p2p_map p2p;
	unsigned int nr_mapped;
	struct list_head sgts;
};

/**
 * struct xe_pfvf_sgt - a standard-path mapping handed to an importer
 * @sgt: the table the importer sees
 * @dir: its DMA direction
 * @link: entry in &xe_pfvf_attach.sgts
 */
struct xe_pfvf_sgt {
	struct sg_table sgt;
	enum dma_data_direction dir;
	struct list_head link;
};

/* xe_pfvf_dmabuf.c */
struct xe_pfvf_dmabuf *xe_pfvf_dmabuf_next(struct xe_pfvf_vf *vf, struct xe_pfvf_dmabuf *pos);
void xe_pfvf_dmabuf_put(struct xe_pfvf_dmabuf *buf);
unsigned int xe_pfvf_dmabuf_importers(struct xe_pfvf_dmabuf *buf, char *names, size_t size);

/* xe_pfvf_revoke.c */
void xe_pfvf_revoke_kick(struct xe_pfvf_dmabuf *buf);
void xe_pfvf_revoke_show_stuck(struct seq_file *m, struct xe_pfvf_pf *pf);
void xe_pfvf_revoke_fini(void);

/* xe_pfvf_p2p.c */
int xe_pfvf_p2p_check(struct pci_dev *vf, int bar, struct device *importer,
		      enum xe_pfvf_p2p_map *map);
int xe_pfvf_p2p_map(struct device *importer, enum xe_pfvf_p2p_map map,
		    const struct xe_pfvf_bar *bar, const struct xe_pfvf_dmabuf_range *ranges,
		    unsigned int nr_ranges, enum dma_data_direction dir, struct sg_table *sgt);
void xe_pfvf_p2p_unmap(struct device *importer, enum xe_pfvf_p2p_map map,
		       struct sg_table *sgt, enum dma_data_direction dir);
const char *xe_pfvf_p2p_map_name(enum xe_pfvf_p2p_map map);
void xe_pfvf_p2p_show(struct seq_file *m, struct pci_dev *pf);
int xe_pfvf_p2p_init(void);
void xe_pfvf_p2p_fini(void);

#endif /* _XE_PFVF_DMABUF_H_ */
