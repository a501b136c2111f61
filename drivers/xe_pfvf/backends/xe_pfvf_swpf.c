// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/device.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/xe_pfvf.h>

/**
 * DOC: software PF backend
 *
 * xe_pfvf_swpf plays the part of a GPU PF driver on hardware that has no
 * GPU: it binds to any SR-IOV physical function (in the test VM, QEMU's
 * emulated NVMe PF), registers it with xe_pfvf and reports VF enable and
 * disable, exactly where a real PF driver would.
 *
 * It binds only on request: through ``driver_override`` in sysfs, or with
 * the ``attach`` module parameter naming the PF's PCI address.  VFs are then
 * enabled through the PF's ``sriov_numvfs`` file, or at attach time with
 * ``num_vfs``.
 */

#define SWPF_NAME "xe_pfvf_swpf"

static char *attach;
module_param(attach, charp, 0444);
MODULE_PARM_DESC(attach, "PCI address of an SR-IOV PF to bind at load (e.g. 0000:01:00.0)");

static unsigned int num_vfs;
module_param(num_vfs, uint, 0444);
MODULE_PARM_DESC(num_vfs, "VFs to enable on the PF named by attach= (default 0)");

/**
 * struct swpf - one software PF
 * @pf: the PF as registered with xe_pfvf
 */
struct swpf {
	struct xe_pfvf_pf *pf;
};

static const struct xe_pfvf_pf_desc swpf_desc = {
	.name = SWPF_NAME,
};

static struct pci_driver swpf_driver;
static struct pci_dev *swpf_attached;

static int swpf_disable_vfs(struct pci_dev *pdev, struct swpf *swpf)
{
	if (pci_vfs_assigned(pdev)) {
		pci_err(pdev, "cannot disable VFs: some are assigned to guests\n");
		return -EPERM;
	}
	xe_pfvf_pf_set_num_vfs(swpf->pf, 0);
	pci_disable_sriov(pdev);
	return 0;
}

static int swpf_sriov_configure(struct pci_dev *pdev, int nr)
{
	struct swpf *swpf = pci_get_drvdata(pdev);
	int err;

	if (!nr)
		return swpf_disable_vfs(pdev, swpf);

	err = pci_enable_sriov(pdev, nr);
	if (err) {
		pci_err(pdev, "enabling %d VFs failed: %pe\n", nr, ERR_PTR(err));
		return err;
	}
	err = xe_pfvf_pf_set_num_vfs(swpf->pf, nr);
	if (err) {
		pci_err(pdev, "xe_pfvf refused %d VFs: %pe\n", nr, ERR_PTR(err));
		pci_disable_sriov(pdev);
		return err;
	}
	return nr;
}

static int swpf_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct swpf *swpf;
	int err;

	if (!pdev->is_physfn) {
		pci_err(pdev, "not an SR-IOV physical function\n");
		return -ENODEV;
	}

	swpf = devm_kzalloc(&pdev->dev, sizeof(*swpf), GFP_KERNEL);
	if (!swpf)
		return -ENOMEM;

	swpf->pf = xe_pfvf_pf_register(pdev, &swpf_desc);
	if (IS_ERR(swpf->pf)) {
		err = PTR_ERR(swpf->pf);
		pci_err(pdev, "registering with xe_pfvf failed: %pe\n", ERR_PTR(err));
		return err;
	}
	pci_set_drvdata(pdev, swpf);

	if (pdev == swpf_attached && num_vfs) {
		err = swpf_sriov_configure(pdev, num_vfs);
		if (err < 0) {
			xe_pfvf_pf_unregister(swpf->pf);
			return err;
		}
	}
	pci_info(pdev, "software PF attached\n");
	return 0;
}

static void swpf_remove(struct pci_dev *pdev)
{
	struct swpf *swpf = pci_get_drvdata(pdev);

	if (pci_num_vf(pdev)) {
		xe_pfvf_pf_set_num_vfs(swpf->pf, 0);
		pci_disable_sriov(pdev);
	}
	xe_pfvf_pf_unregister(swpf->pf);
	pci_info(pdev, "software PF detached\n");
}

/* No ID table: the driver binds only where it is asked to. */
static struct pci_driver swpf_driver = {
	.name = SWPF_NAME,
	.probe = swpf_probe,
	.remove = swpf_remove,
	.sriov_configure = swpf_sriov_configure,
};

static int swpf_attach(const char *name)
{
	unsigned int domain, bus, slot, fn;
	struct pci_dev *pdev;
	int err;

	if (sscanf(name, "%x:%x:%x.%x", &domain, &bus, &slot, &fn) != 4) {
		pr_err(SWPF_NAME ": attach=%s is not a PCI address\n", name);
		return -EINVAL;
	}
	pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!pdev) {
		pr_err(SWPF_NAME ": attach=%s: no such PCI device\n", name);
		return -ENODEV;
	}
	/* Set before probing: swpf_probe() applies num_vfs to this PF only. */
	swpf_attached = pdev;
	err = driver_set_override(&pdev->dev, &pdev->driver_override,
				  SWPF_NAME, strlen(SWPF_NAME));
	if (!err)
		err = device_driver_attach(&swpf_driver.driver, &pdev->dev);
	if (err) {
		pci_err(pdev, "attach failed: %pe\n", ERR_PTR(err));
		driver_set_override(&pdev->dev, &pdev->driver_override, "", 0);
		swpf_attached = NULL;
		pci_dev_put(pdev);
		return err;
	}
	return 0;
}

static void swpf_detach(void)
{
	if (!swpf_attached)
		return;
	device_release_driver(&swpf_attached->dev);
	driver_set_override(&swpf_attached->dev, &swpf_attached->driver_override, "", 0);
	pci_dev_put(swpf_attached);
	swpf_attached = NULL;
}

static int __init swpf_init(void)
{
	int err;

	err = pci_register_driver(&swpf_driver);
	if (err)
		return err;

	if (attach && *attach) {
		err = swpf_attach(attach);
		if (err) {
			pci_unregister_driver(&swpf_driver);
			return err;
		}
	}
	return 0;
}

static void __exit swpf_exit(void)
{
	swpf_detach();
	pci_unregister_driver(&swpf_driver);
}

module_init(swpf_init);
module_exit(swpf_exit);

MODULE_DESCRIPTION("xe_pfvf software PF backend");
MODULE_AUTHOR("The xe_pfvf authors");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(XE_PFVF_NS);
