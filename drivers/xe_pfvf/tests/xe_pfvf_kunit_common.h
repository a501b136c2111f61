/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#ifndef _XE_PFVF_KUNIT_COMMON_H_
#define _XE_PFVF_KUNIT_COMMON_H_

struct pci_dev;

struct pci_dev *xe_pfvf_kunit_free_pf(void);
struct pci_dev *xe_pfvf_kunit_non_pf(void);

#endif
