// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 *
 * Shared by the KUnit suites of xe_pfvf_kunit.ko.  The suites that need a
 * PF run against a real SR-IOV PF of the machine (in the test VM: QEMU's
 * emulated NVMe PF) that no driver is bound to, and skip where there is none.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_kunit_common.h"

/* An SR-IOV PF with no driver, no VFs enabled and at least 2 VFs. */
struct pci_dev *xe_pfvf_kunit_free_pf(void)
{
	struct pci_dev *pdev = NULL;

	while ((pdev = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, pdev)))
		if (pdev->is_physfn && !pdev->driver && !pci_num_vf(pdev) &&
		    pci_sriov_get_totalvfs(pdev) >= 2)
			return pdev;
	return NULL;
}

/* Any PCI function without SR-IOV, referenced. */
struct pci_dev *xe_pfvf_kunit_non_pf(void)
{
	struct pci_dev *pdev = NULL;

	while ((pdev = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, pdev)))
		if (!pdev->is_physfn)
			return pdev;
	return NULL;
}

MODULE_DESCRIPTION("KUnit tests for xe_pfvf");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(XE_PFVF_NS);
