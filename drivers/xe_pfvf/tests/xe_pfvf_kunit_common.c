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
#include <linux/sizes.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_kunit_common.h"

static const struct xe_pfvf_extent vf1_ext[] = {
	{ 0x3000, SZ_4K }, { 0x0000, SZ_4K }, { 0x1000, SZ_4K }, { 0x8000, SZ_4K },
	{ 0x9000, SZ_4K }, { 0x5000, SZ_4K }, { 0x6000, SZ_4K }, { 0xa000, SZ_4K },
};

static const struct xe_pfvf_extent vf2_ext[] = { { 0x20000, SZ_16K } };

const struct xe_pfvf_provision xe_pfvf_kunit_prov[2] = {
	{ SZ_32K, vf1_ext, ARRAY_SIZE(vf1_ext) },
	{ SZ_16K, vf2_ext, ARRAY_SIZE(vf2_ext) },
};

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

/**
 * xe_pfvf_kunit_pf_up() - register a free PF and enable 2 VFs
 * @test: the test; asserts on failure
 * @k: filled in; @k->pdev stays NULL if there is no free PF
 * @desc: how to register the PF
 */
void xe_pfvf_kunit_pf_up(struct kunit *test, struct xe_pfvf_kunit_pf *k,
			 const struct xe_pfvf_pf_desc *desc)
{
	struct pci_dev *vf = NULL;

	k->pdev = xe_pfvf_kunit_free_pf();
	if (!k->pdev)
		return;

	k->pf = xe_pfvf_pf_register(k->pdev, desc);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, k->pf);
	KUNIT_ASSERT_EQ(test, pci_enable_sriov(k->pdev, 2), 0);
	k->sriov = true;
	KUNIT_ASSERT_EQ(test, xe_pfvf_pf_set_num_vfs(k->pf, 2), 0);

	while ((vf = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, vf))) {
		int id = vf->is_virtfn && pci_physfn(vf) == k->pdev ? pci_iov_vf_id(vf) : -1;

		if (id == 0 || id == 1) {
			k->vf[id] = pci_dev_get(vf);
			k->bar[id] = pci_resource_start(vf, 0);
		}
	}
	KUNIT_ASSERT_NOT_NULL(test, k->vf[0]);
	KUNIT_ASSERT_NOT_NULL(test, k->vf[1]);
}

/**
 * xe_pfvf_kunit_pf_down() - undo xe_pfvf_kunit_pf_up()
 * @k: the PF; @k->pf may already be unregistered (and set to NULL)
 */
void xe_pfvf_kunit_pf_down(struct xe_pfvf_kunit_pf *k)
{
	pci_dev_put(k->vf[0]);
	pci_dev_put(k->vf[1]);
	if (!IS_ERR_OR_NULL(k->pf))
		xe_pfvf_pf_unregister(k->pf);
	if (k->sriov)
		pci_disable_sriov(k->pdev);
	pci_dev_put(k->pdev);
}

/**
 * xe_pfvf_kunit_pf_provision() - provision VF1 and VF2 with xe_pfvf_kunit_prov
 * @test: the test; asserts on failure
 * @k: a PF from xe_pfvf_kunit_pf_up()
 */
void xe_pfvf_kunit_pf_provision(struct kunit *test, struct xe_pfvf_kunit_pf *k)
{
	KUNIT_ASSERT_EQ(test, xe_pfvf_vf_provision(k->pf, 1, &xe_pfvf_kunit_prov[0]), 0);
	KUNIT_ASSERT_EQ(test, xe_pfvf_vf_provision(k->pf, 2, &xe_pfvf_kunit_prov[1]), 0);
}

MODULE_DESCRIPTION("KUnit tests for xe_pfvf");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(XE_PFVF_NS);
MODULE_IMPORT_NS(XE_PFVF_DMA_BUF_NS);
