// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <kunit/test.h>
#include <linux/err.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_kunit_common.h"

/*
 * PF registry tests.  They run against a real SR-IOV PF of the machine (in
 * the test VM: QEMU's emulated NVMe PF) that no driver is bound to, and skip
 * where there is none.
 */

static const struct xe_pfvf_pf_desc test_desc = {
	.name = "kunit",
	.vram_size = SZ_64M,
	.lmem_bar = 0,
};

struct pf_test {
	struct pci_dev *pdev;
};

static int pf_test_init(struct kunit *test)
{
	struct pf_test *priv;

	priv = kunit_kzalloc(test, sizeof(*priv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, priv);
	priv->pdev = xe_pfvf_kunit_free_pf();
	test->priv = priv;
	return 0;
}

static void pf_test_exit(struct kunit *test)
{
	struct pf_test *priv = test->priv;

	pci_dev_put(priv->pdev);
}

static struct pci_dev *require_pf(struct kunit *test)
{
	struct pf_test *priv = test->priv;

	if (!priv->pdev)
		kunit_skip(test, "no unbound SR-IOV PF with 2 or more VFs");
	return priv->pdev;
}

static void pf_register_rejects_null(struct kunit *test)
{
	struct pci_dev *pdev = require_pf(test);

	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_pf_register(NULL, &test_desc)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_pf_register(pdev, NULL)), -EINVAL);
	KUNIT_EXPECT_NULL(test, xe_pfvf_pf_get(NULL));
}

static void pf_register_rejects_non_pf(struct kunit *test)
{
	struct pci_dev *pdev = xe_pfvf_kunit_non_pf();

	if (!pdev)
		kunit_skip(test, "no PCI function without SR-IOV");
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_pf_register(pdev, &test_desc)), -ENODEV);
	KUNIT_EXPECT_NULL(test, xe_pfvf_pf_get(pdev));
	pci_dev_put(pdev);
}

static void pf_register_lookup_unregister(struct kunit *test)
{
	struct pci_dev *pdev = require_pf(test);
	struct xe_pfvf_pf *pf, *found;

	pf = xe_pfvf_pf_register(pdev, &test_desc);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pf);

	found = xe_pfvf_pf_get(pdev);
	KUNIT_EXPECT_PTR_EQ(test, found, pf);
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_num_vfs(pf), 0U);

	xe_pfvf_pf_unregister(pf);
	KUNIT_EXPECT_NULL(test, xe_pfvf_pf_get(pdev));

	/* The lookup's reference keeps the PF valid, but unregistered. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(found, 0), -ENODEV);
	xe_pfvf_pf_put(found);
}

static void pf_register_rejects_bad_desc(struct kunit *test)
{
	struct pci_dev *pdev = require_pf(test);
	struct xe_pfvf_pf_desc desc = test_desc;

	desc.vram_size = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_pf_register(pdev, &desc)), -EINVAL);
	desc = test_desc;
	desc.lmem_bar = PCI_SRIOV_NUM_BARS;
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_pf_register(pdev, &desc)), -EINVAL);
	desc.lmem_bar = -1;
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_pf_register(pdev, &desc)), -EINVAL);
	KUNIT_EXPECT_NULL(test, xe_pfvf_pf_get(pdev));
}

static void pf_register_twice(struct kunit *test)
{
	struct pci_dev *pdev = require_pf(test);
	struct xe_pfvf_pf *pf;

	pf = xe_pfvf_pf_register(pdev, &test_desc);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pf);
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_pf_register(pdev, &test_desc)), -EEXIST);
	xe_pfvf_pf_unregister(pf);
}

static void pf_set_num_vfs_checks(struct kunit *test)
{
	struct pci_dev *pdev = require_pf(test);
	int total = pci_sriov_get_totalvfs(pdev);
	struct xe_pfvf_pf *pf;

	pf = xe_pfvf_pf_register(pdev, &test_desc);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pf);

	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(pf, total + 1), -ERANGE);
	/* No VF enabled in PCI yet. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(pf, 1), -ENODEV);
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_num_vfs(pf), 0U);
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(pf, 0), 0);

	xe_pfvf_pf_unregister(pf);
}

static void pf_tracks_real_vfs(struct kunit *test)
{
	struct pci_dev *pdev = require_pf(test);
	struct xe_pfvf_pf *pf;
	int err;

	pf = xe_pfvf_pf_register(pdev, &test_desc);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pf);

	err = pci_enable_sriov(pdev, 2);
	if (err) {
		xe_pfvf_pf_unregister(pf);
		kunit_skip(test, "pci_enable_sriov: %d", err);
	}

	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(pf, 3), -ENODEV);
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(pf, 2), 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_num_vfs(pf), 2U);
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(pf, 2), 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(pf, 1), -EBUSY);
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_num_vfs(pf), 2U);
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(pf, 0), 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_num_vfs(pf), 0U);
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_set_num_vfs(pf, 1), 0);

	/* Unregistering with VFs enabled forgets them. */
	xe_pfvf_pf_unregister(pf);
	pci_disable_sriov(pdev);
}

static struct kunit_case pf_test_cases[] = {
	KUNIT_CASE(pf_register_rejects_null),
	KUNIT_CASE(pf_register_rejects_non_pf),
	KUNIT_CASE(pf_register_lookup_unregister),
	KUNIT_CASE(pf_register_rejects_bad_desc),
	KUNIT_CASE(pf_register_twice),
	KUNIT_CASE(pf_set_num_vfs_checks),
	KUNIT_CASE(pf_tracks_real_vfs),
	{}
};

static struct kunit_suite pf_test_suite = {
	.name = "xe_pfvf_pf",
	.init = pf_test_init,
	.exit = pf_test_exit,
	.test_cases = pf_test_cases,
};

kunit_test_suite(pf_test_suite);
