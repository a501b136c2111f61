// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_drv.h"
#include "xe_pfvf_pf_types.h"

/**
 * DOC: PF registry
 *
 * Every PF that a PF driver (or the software PF backend) registers gets a
 * &struct xe_pfvf_pf, kept in a global list protected by a mutex.  The
 * struct is reference counted: the registration holds one reference and
 * every xe_pfvf_pf_get() takes another, so a lookup stays valid after the PF
 * driver unregisters; such a PF is marked unregistered and refuses updates.
 *
 * The registry records which VFs the PF driver has enabled and holds a
 * reference on each enabled VF's &struct pci_dev.
 */

static DEFINE_MUTEX(pf_registry_lock);
static LIST_HEAD(pf_registry);

static struct xe_pfvf_pf *pf_lookup(struct pci_dev *pdev)
{
	struct xe_pfvf_pf *pf;

	lockdep_assert_held(&pf_registry_lock);

	list_for_each_entry(pf, &pf_registry, link)
		if (pf->pdev == pdev)
			return pf;
	return NULL;
}

static void pf_release(struct kref *kref)
{
	struct xe_pfvf_pf *pf = container_of(kref, struct xe_pfvf_pf, refcount);

	mutex_destroy(&pf->lock);
	pci_dev_put(pf->pdev);
	kfree(pf->vfs);
	kfree(pf);
}

static void pf_release_vfs(struct xe_pfvf_pf *pf)
{
	unsigned int n;

	lockdep_assert_held(&pf->lock);

	for (n = 0; n < pf->num_vfs; n++) {
		pci_dev_put(pf->vfs[n].pdev);
		pf->vfs[n].pdev = NULL;
	}
	pf->num_vfs = 0;
}

/*
 * Find the enabled VFs of @pf on the PCI bus.  pci_iov_virtfn_bus() is not
 * exported, so walk the bus and keep the virtual functions whose physfn is
 * our PF; pci_iov_vf_id() gives their 0-based index.
 */
static int pf_bind_vfs(struct xe_pfvf_pf *pf, unsigned int num_vfs)
{
	struct pci_dev *vf = NULL;
	unsigned int found = 0;
	int id;

	lockdep_assert_held(&pf->lock);

	while ((vf = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, vf))) {
		if (!vf->is_virtfn || pci_physfn(vf) != pf->pdev)
			continue;
		id = pci_iov_vf_id(vf);
		if (id < 0 || id >= num_vfs || pf->vfs[id].pdev)
			continue;
		pf->vfs[id].pdev = pci_dev_get(vf);
		found++;
	}

	pf->num_vfs = num_vfs;
	if (found != num_vfs) {
		dev_err_ratelimited(&pf->pdev->dev,
				    "%u VFs reported enabled, %u found on the bus\n",
				    num_vfs, found);
		pf_release_vfs(pf);
		return -ENODEV;
	}
	return 0;
}

/**
 * xe_pfvf_pf_register() - register an SR-IOV PF with xe_pfvf
 * @pdev: the PF's PCI device
 * @desc: description of the PF driver; @desc->name must stay valid until
 *	  the PF is unregistered
 *
 * Called by the PF driver once it is ready to serve VF requests, typically
 * at the end of its probe.  Takes a reference on @pdev.
 *
 * Return: the new PF on success, ERR_PTR(-EINVAL) on a NULL argument,
 * ERR_PTR(-ENODEV) if @pdev is not an SR-IOV physical function,
 * ERR_PTR(-EEXIST) if it is already registered, ERR_PTR(-ENOMEM).
 */
struct xe_pfvf_pf *xe_pfvf_pf_register(struct pci_dev *pdev,
				       const struct xe_pfvf_pf_desc *desc)
{
	struct xe_pfvf_pf *pf;
	int total;

	if (!pdev || !desc || !desc->name) {
		pr_err_ratelimited(XE_PFVF_NAME ": register: missing %s\n",
				   !pdev ? "PCI device" : "description");
		return ERR_PTR(-EINVAL);
	}
	if (!pdev->is_physfn) {
		dev_err_ratelimited(&pdev->dev, "register: not an SR-IOV physical function\n");
		return ERR_PTR(-ENODEV);
	}

	total = pci_sriov_get_totalvfs(pdev);
	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return ERR_PTR(-ENOMEM);
	pf->vfs = kcalloc(total, sizeof(*pf->vfs), GFP_KERNEL);
	if (!pf->vfs) {
		kfree(pf);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&pf->refcount);
	mutex_init(&pf->lock);
	pf->pdev = pci_dev_get(pdev);
	pf->name = desc->name;
	pf->total_vfs = total;
	pf->registered = true;

	scoped_guard(mutex, &pf_registry_lock) {
		if (pf_lookup(pdev)) {
			dev_err_ratelimited(&pdev->dev, "register: already registered\n");
			kref_put(&pf->refcount, pf_release);
			return ERR_PTR(-EEXIST);
		}
		list_add_tail(&pf->link, &pf_registry);
	}

	xe_pfvf_debugfs_pf_add(pf);
	pci_info(pdev, "registered with xe_pfvf by %s, %u VFs supported\n",
		 pf->name, pf->total_vfs);
	return pf;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_pf_register, XE_PFVF_NS);

/**
 * xe_pfvf_pf_unregister() - unregister a PF
 * @pf: the PF, as returned by xe_pfvf_pf_register()
 *
 * Called by the PF driver before its PF goes away.  Forgets the PF's VFs
 * (as xe_pfvf_pf_set_num_vfs() with 0 would) and drops the registration's
 * reference; @pf stays valid for holders of other references, which see it
 * unregistered.
 */
void xe_pfvf_pf_unregister(struct xe_pfvf_pf *pf)
{
	if (!pf)
		return;

	scoped_guard(mutex, &pf_registry_lock)
		list_del_init(&pf->link);

	xe_pfvf_debugfs_pf_remove(pf);

	scoped_guard(mutex, &pf->lock) {
		pf->registered = false;
		pf_release_vfs(pf);
	}

	pci_info(pf->pdev, "unregistered from xe_pfvf\n");
	kref_put(&pf->refcount, pf_release);
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_pf_unregister, XE_PFVF_NS);

/**
 * xe_pfvf_pf_set_num_vfs() - tell xe_pfvf how many VFs the PF has enabled
 * @pf: the PF
 * @num_vfs: number of enabled VFs, 0 when disabling them
 *
 * Call right after pci_enable_sriov() succeeded, and with 0 right before
 * pci_disable_sriov().  As with the sriov_numvfs sysfs file, changing from
 * one non-zero number to another must go through 0.
 *
 * Return: 0 on success, -ENODEV if @pf is unregistered or its PCI function
 * does not have @num_vfs VFs enabled, -ERANGE if @num_vfs exceeds the
 * PF's total VFs, -EBUSY if other VFs are still enabled.
 */
int xe_pfvf_pf_set_num_vfs(struct xe_pfvf_pf *pf, unsigned int num_vfs)
{
	guard(mutex)(&pf->lock);

	if (!pf->registered)
		return -ENODEV;
	if (num_vfs > pf->total_vfs) {
		dev_err_ratelimited(&pf->pdev->dev, "set_num_vfs: %u VFs > %u supported\n",
				    num_vfs, pf->total_vfs);
		return -ERANGE;
	}
	if (num_vfs == pf->num_vfs)
		return 0;
	if (!num_vfs) {
		pf_release_vfs(pf);
		pci_info(pf->pdev, "VFs disabled\n");
		return 0;
	}
	if (pf->num_vfs) {
		dev_err_ratelimited(&pf->pdev->dev,
				    "set_num_vfs: %u VFs still enabled, disable them first\n",
				    pf->num_vfs);
		return -EBUSY;
	}
	if (pci_num_vf(pf->pdev) < num_vfs) {
		dev_err_ratelimited(&pf->pdev->dev,
				    "set_num_vfs: %u VFs requested, %d enabled in PCI\n",
				    num_vfs, pci_num_vf(pf->pdev));
		return -ENODEV;
	}
	if (pf_bind_vfs(pf, num_vfs))
		return -ENODEV;

	pci_info(pf->pdev, "%u VFs enabled\n", num_vfs);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_pf_set_num_vfs, XE_PFVF_NS);

/**
 * xe_pfvf_pf_num_vfs() - number of VFs xe_pfvf knows as enabled
 * @pf: the PF
 *
 * Return: the number of enabled VFs, 0 for an unregistered PF.
 */
unsigned int xe_pfvf_pf_num_vfs(struct xe_pfvf_pf *pf)
{
	guard(mutex)(&pf->lock);

	return pf->num_vfs;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_pf_num_vfs, XE_PFVF_NS);

/**
 * xe_pfvf_pf_get() - look up the registered PF of a PCI device
 * @pdev: the PF, or one of its VFs
 *
 * Return: a reference to the registered PF that @pdev is or belongs to, to
 * be dropped with xe_pfvf_pf_put(), or NULL if there is none.
 */
struct xe_pfvf_pf *xe_pfvf_pf_get(struct pci_dev *pdev)
{
	struct xe_pfvf_pf *pf;

	if (!pdev)
		return NULL;

	guard(mutex)(&pf_registry_lock);
	pf = pf_lookup(pci_physfn(pdev));
	if (pf)
		kref_get(&pf->refcount);
	return pf;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_pf_get, XE_PFVF_NS);

/**
 * xe_pfvf_pf_put() - drop a reference taken by xe_pfvf_pf_get()
 * @pf: the PF, may be NULL
 */
void xe_pfvf_pf_put(struct xe_pfvf_pf *pf)
{
	if (pf)
		kref_put(&pf->refcount, pf_release);
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_pf_put, XE_PFVF_NS);

/*
 * Module exit.  Every PF driver imports our symbols and so is gone by now:
 * a PF still registered is a bug in its driver.
 */
void xe_pfvf_registry_fini(void)
{
	struct xe_pfvf_pf *pf, *next;

	guard(mutex)(&pf_registry_lock);
	list_for_each_entry_safe(pf, next, &pf_registry, link) {
		pci_err(pf->pdev, "still registered by %s at unload\n", pf->name);
		list_del_init(&pf->link);
	}
}
