/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _XE_PFVF_DRV_H_
#define _XE_PFVF_DRV_H_

#define XE_PFVF_NAME "xe_pfvf"

struct dentry;
struct seq_file;
struct workqueue_struct;
struct xe_pfvf_pf;
struct xe_pfvf_prov;
struct xe_pfvf_vf;
struct xe_pfvf_withdrawal;

/* xe_pfvf_drv.c: runs the revocation poll and the PF drivers' callbacks */
extern struct workqueue_struct *xe_pfvf_wq;

/* xe_pfvf_pf.c */
void xe_pfvf_registry_fini(void);
void xe_pfvf_pf_hold(struct xe_pfvf_pf *pf);
unsigned int xe_pfvf_pf_snapshot(struct xe_pfvf_pf **pfs, unsigned int max);
void xe_pfvf_pf_prov_quarantined(struct xe_pfvf_prov *prov);
void xe_pfvf_pf_prov_release(struct xe_pfvf_prov *prov);

/* xe_pfvf_revoke.c */
int xe_pfvf_revoke_withdrawn(struct xe_pfvf_withdrawal *w, unsigned int nr, const char *why);

/* xe_pfvf_cdev.c */
int xe_pfvf_cdev_init(void);
void xe_pfvf_cdev_fini(void);

/* xe_pfvf_p2p.c */
/**
 * struct xe_pfvf_p2p_answer - the kernel's P2PDMA verdict for two functions
 * @map: &enum xe_pfvf_p2p_map
 * @distance: pci_p2pdma_distance(), -1 when refused
 * @no_p2pdma: the kernel has no PCI P2PDMA
 * @acs_redirect: a function on the path redirects peer-to-peer upstream
 */
struct xe_pfvf_p2p_answer {
	int map;
	int distance;
	bool no_p2pdma;
	bool acs_redirect;
};

void xe_pfvf_p2p_query(struct pci_dev *provider, struct pci_dev *client,
		       struct xe_pfvf_p2p_answer *ans);

/* xe_pfvf_debugfs.c */
void xe_pfvf_debugfs_init(void);
void xe_pfvf_debugfs_fini(void);
void xe_pfvf_debugfs_pf_add(struct xe_pfvf_pf *pf);
void xe_pfvf_debugfs_pf_remove(struct xe_pfvf_pf *pf);

#endif /* _XE_PFVF_DRV_H_ */
