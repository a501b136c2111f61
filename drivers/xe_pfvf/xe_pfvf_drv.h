/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _XE_PFVF_DRV_H_
#define _XE_PFVF_DRV_H_

#define XE_PFVF_NAME "xe_pfvf"

struct dentry;
struct seq_file;
struct xe_pfvf_pf;
struct xe_pfvf_vf;

/* xe_pfvf_pf.c */
void xe_pfvf_registry_fini(void);
void xe_pfvf_pf_hold(struct xe_pfvf_pf *pf);

/* xe_pfvf_dmabuf.c */
unsigned int xe_pfvf_dmabuf_revoke_vf(struct xe_pfvf_vf *vf, const char *why);
void xe_pfvf_dmabuf_show(struct seq_file *m, struct xe_pfvf_vf *vf);

/* xe_pfvf_debugfs.c */
void xe_pfvf_debugfs_init(void);
void xe_pfvf_debugfs_fini(void);
void xe_pfvf_debugfs_pf_add(struct xe_pfvf_pf *pf);
void xe_pfvf_debugfs_pf_remove(struct xe_pfvf_pf *pf);

#endif /* _XE_PFVF_DRV_H_ */
