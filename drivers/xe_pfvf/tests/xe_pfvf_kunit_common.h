/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _XE_PFVF_KUNIT_COMMON_H_
#define _XE_PFVF_KUNIT_COMMON_H_

#include <linux/types.h>

struct kunit;
struct pci_dev;
struct xe_pfvf_pf;
struct xe_pfvf_pf_desc;
struct xe_pfvf_provision;

/*
 * The provisioning of the PF tests: VF1 32 KiB in 8 pages in scrambled VRAM
 * order, VF2 16 KiB contiguous; index 0 is VF1.
 */
extern const struct xe_pfvf_provision xe_pfvf_kunit_prov[2];

/**
 * struct xe_pfvf_kunit_pf - a real PF registered by a test, with 2 VFs
 * @pdev: the PF, NULL when the machine has no free SR-IOV PF
 * @pf: the PF as registered with xe_pfvf
 * @vf: its first two VFs, referenced
 * @bar: CPU address of each VF's BAR0, the LMEM BAR of the tests
 * @sriov: VFs enabled by the test
 */
struct xe_pfvf_kunit_pf {
	struct pci_dev *pdev;
	struct xe_pfvf_pf *pf;
	struct pci_dev *vf[2];
	u64 bar[2];
	bool sriov;
};

struct pci_dev *xe_pfvf_kunit_free_pf(void);
struct pci_dev *xe_pfvf_kunit_non_pf(void);
void xe_pfvf_kunit_pf_up(struct kunit *test, struct xe_pfvf_kunit_pf *k,
			 const struct xe_pfvf_pf_desc *desc);
void xe_pfvf_kunit_pf_down(struct xe_pfvf_kunit_pf *k);
void xe_pfvf_kunit_pf_provision(struct kunit *test, struct xe_pfvf_kunit_pf *k);

#endif
