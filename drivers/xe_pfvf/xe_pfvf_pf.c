// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_drv.h"
#include "xe_pfvf_pf_types.h"
#include "xe_pfvf_table.h"

/**
 * DOC: PF registry and provisioning table
 *
 * Every PF that a PF driver (or the software PF backend) registers gets a
 * &struct xe_pfvf_pf, kept in a global list protected by a mutex.  The
 * struct is reference counted: the registration holds one reference and
 * every xe_pfvf_pf_get() or xe_pfvf_vf_get() takes another, so a lookup
 * stays valid after the PF driver unregisters; such a PF refuses updates
 * and every translation.
 *
 * Updates (VF enable/disable, provision/unprovision) are serialised by the
 * PF's mutex.  Each builds a new immutable &struct xe_pfvf_table, publishes
 * it with rcu_replace_pointer() and frees the old one after a grace period,
 * so translations take no lock but rcu_read_lock() and cost O(log VFs +
 * log extents).
 *
 * Paths that take something away (unprovision, VF disable, unregister)
 * cannot fail: if the new table cannot be allocated, an empty table that
 * refuses every translation is published instead.
 */

static DEFINE_MUTEX(pf_registry_lock);
static LIST_HEAD(pf_registry);

/* Published when a table cannot be built on a removal path: fails closed. */
static struct xe_pfvf_table pf_table_closed;

static struct xe_pfvf_pf *pf_lookup(struct pci_dev *pdev)
{
	struct xe_pfvf_pf *pf;

	lockdep_assert_held(&pf_registry_lock);

	list_for_each_entry(pf, &pf_registry, link)
		if (pf->pdev == pdev)
			return pf;
	return NULL;
}

static void pf_table_free(struct xe_pfvf_table *table)
{
	if (table != &pf_table_closed)
		xe_pfvf_table_free(table);
}

static void pf_release(struct kref *kref)
{
	struct xe_pfvf_pf *pf = container_of(kref, struct xe_pfvf_pf, refcount);

	pf_table_free(rcu_dereference_protected(pf->table, true));
	mutex_destroy(&pf->lock);
	pci_dev_put(pf->pdev);
	kvfree(pf);
}

static void bar_of(struct pci_dev *pdev, int bar, struct xe_pfvf_bar *out)
{
	*out = (struct xe_pfvf_bar){};
	if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) || !pci_resource_len(pdev, bar))
		return;
	out->cpu = pci_resource_start(pdev, bar);
	out->bus = pci_bus_address(pdev, bar);
	out->size = pci_resource_len(pdev, bar);
}

/* Publish @table, wait for readers of the old one, free what they could reach. */
static void pf_swap_table(struct xe_pfvf_pf *pf, struct xe_pfvf_table *table)
{
	struct xe_pfvf_table *old;
	unsigned int n;

	old = rcu_replace_pointer(pf->table, table, lockdep_is_held(&pf->lock));
	synchronize_rcu();
	pf_table_free(old);
	for (n = 0; n < pf->total_vfs; n++) {
		xe_pfvf_vf_cfg_free(pf->vfs[n].retired);
		pf->vfs[n].retired = NULL;
	}
}

/* Build a table from the VF slots and publish it. */
static int pf_publish(struct xe_pfvf_pf *pf)
{
	struct xe_pfvf_table_vf *slots;
	struct xe_pfvf_table *table;
	unsigned int n;

	lockdep_assert_held(&pf->lock);

	slots = kvcalloc(pf->total_vfs, sizeof(*slots), GFP_KERNEL);
	if (!slots)
		return -ENOMEM;
	for (n = 0; n < pf->total_vfs; n++) {
		if (pf->vfs[n].pdev)
			bar_of(pf->vfs[n].pdev, pf->lmem_bar, &slots[n].bar);
		slots[n].cfg = pf->vfs[n].cfg;
	}
	table = xe_pfvf_table_build(pf->total_vfs, pf->vram_size, slots,
				    pf->pf_bars, pf->nr_pf_bars);
	kvfree(slots);
	if (IS_ERR(table))
		return PTR_ERR(table);

	pf_swap_table(pf, table);
	return 0;
}

/* Publish after taking something away: cannot fail, fails closed instead. */
static void pf_publish_removal(struct xe_pfvf_pf *pf)
{
	int err = pf_publish(pf);

	if (err) {
		pci_err(pf->pdev, "cannot rebuild the VF table (%pe): refusing all translations\n",
			ERR_PTR(err));
		pf_swap_table(pf, &pf_table_closed);
	}
}

/*
 * Take the VF's config away; it is freed at the next publish.  The VF's
 * dma-bufs are revoked first: their importers stop using the memory before
 * the PF driver may reuse it.
 */
static void vf_retire_cfg(struct xe_pfvf_vf *vf, const char *why)
{
	lockdep_assert_held(&vf->pf->lock);

	xe_pfvf_dmabuf_revoke_vf(vf, why);
	if (!vf->cfg)
		return;
	vf->retired = vf->cfg;
	vf->cfg = NULL;
	vf->generation++;
}

/* Forget all VFs: unprovision them, drop their PCI devices, publish. */
static void pf_release_vfs(struct xe_pfvf_pf *pf, const char *why)
{
	unsigned int n;

	lockdep_assert_held(&pf->lock);

	if (!pf->num_vfs)
		return;

	for (n = 0; n < pf->total_vfs; n++) {
		struct xe_pfvf_vf *vf = &pf->vfs[n];

		vf_retire_cfg(vf, why);
		if (vf->pdev) {
			/* The table keeps BARs by value: no reader needs it. */
			pci_dev_put(vf->pdev);
			vf->pdev = NULL;
			vf->generation++;
		}
	}
	pf->num_vfs = 0;
	pf_publish_removal(pf);
}

/*
 * Find the enabled VFs of @pf on the PCI bus.  pci_iov_virtfn_bus() is not
 * exported, so walk the bus and keep the virtual functions whose physfn is
 * our PF; pci_iov_vf_id() gives their 0-based index.
 */
static int pf_bind_vfs(struct xe_pfvf_pf *pf, unsigned int num_vfs)
{
	struct pci_dev *vf = NULL;
	unsigned int found = 0, n;
	int id, err;

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

	if (found != num_vfs) {
		dev_err_ratelimited(&pf->pdev->dev,
				    "%u VFs reported enabled, %u found on the bus\n",
				    num_vfs, found);
		err = -ENODEV;
		goto err_put;
	}

	for (n = 0; n < num_vfs; n++)
		pf->vfs[n].generation++;
	pf->num_vfs = num_vfs;
	err = pf_publish(pf);
	if (err) {
		pf->num_vfs = 0;
		goto err_put;
	}
	return 0;

err_put:
	for (n = 0; n < num_vfs; n++) {
		pci_dev_put(pf->vfs[n].pdev);
		pf->vfs[n].pdev = NULL;
	}
	return err;
}

static void pf_read_bars(struct xe_pfvf_pf *pf)
{
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		bar_of(pf->pdev, bar, &pf->pf_bars[pf->nr_pf_bars]);
		if (pf->pf_bars[pf->nr_pf_bars].size)
			pf->nr_pf_bars++;
	}
}

/**
 * xe_pfvf_pf_register() - register an SR-IOV PF with xe_pfvf
 * @pdev: the PF's PCI device
 * @desc: description of the PF; @desc->name must stay valid until the PF
 *	  is unregistered
 *
 * Called by the PF driver once it is ready to serve VF requests, typically
 * at the end of its probe.  Takes a reference on @pdev.
 *
 * Return: the new PF on success, ERR_PTR(-EINVAL) on a NULL argument, a
 * zero VRAM size or an invalid LMEM BAR index, ERR_PTR(-ENODEV) if @pdev
 * is not an SR-IOV physical function, ERR_PTR(-EEXIST) if it is already
 * registered, ERR_PTR(-ENOMEM).
 */
struct xe_pfvf_pf *xe_pfvf_pf_register(struct pci_dev *pdev,
				       const struct xe_pfvf_pf_desc *desc)
{
	struct xe_pfvf_pf *pf;
	unsigned int n;
	int total, err;

	if (!pdev || !desc || !desc->name) {
		pr_err_ratelimited(XE_PFVF_NAME ": register: missing %s\n",
				   !pdev ? "PCI device" : "description");
		return ERR_PTR(-EINVAL);
	}
	if (!pdev->is_physfn) {
		dev_err_ratelimited(&pdev->dev, "register: not an SR-IOV physical function\n");
		return ERR_PTR(-ENODEV);
	}
	if (!desc->vram_size || desc->lmem_bar < 0 || desc->lmem_bar >= PCI_SRIOV_NUM_BARS) {
		dev_err_ratelimited(&pdev->dev, "register: VRAM size %llu, LMEM BAR %d\n",
				    desc->vram_size, desc->lmem_bar);
		return ERR_PTR(-EINVAL);
	}

	total = pci_sriov_get_totalvfs(pdev);
	pf = kvzalloc(struct_size(pf, vfs, total), GFP_KERNEL);
	if (!pf)
		return ERR_PTR(-ENOMEM);
	kref_init(&pf->refcount);
	mutex_init(&pf->lock);
	pf->pdev = pci_dev_get(pdev);
	pf->name = desc->name;
	pf->vram_size = desc->vram_size;
	pf->lmem_bar = desc->lmem_bar;
	pf->total_vfs = total;
	pf->registered = true;
	for (n = 0; n < total; n++) {
		pf->vfs[n].pf = pf;
		pf->vfs[n].vfid = n + 1;
		INIT_LIST_HEAD(&pf->vfs[n].dmabufs);
	}
	pf_read_bars(pf);

	RCU_INIT_POINTER(pf->table, &pf_table_closed);

	scoped_guard(mutex, &pf->lock)
		err = pf_publish(pf);
	if (err) {
		kref_put(&pf->refcount, pf_release);
		return ERR_PTR(err);
	}

	scoped_guard(mutex, &pf_registry_lock) {
		if (pf_lookup(pdev)) {
			dev_err_ratelimited(&pdev->dev, "register: already registered\n");
			kref_put(&pf->refcount, pf_release);
			return ERR_PTR(-EEXIST);
		}
		list_add_tail(&pf->link, &pf_registry);
	}

	xe_pfvf_debugfs_pf_add(pf);
	pci_info(pdev, "registered with xe_pfvf by %s: %u VFs, %llu MiB VRAM, LMEM BAR %d\n",
		 pf->name, pf->total_vfs, pf->vram_size >> 20, pf->lmem_bar);
	return pf;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_pf_register, XE_PFVF_NS);

/**
 * xe_pfvf_pf_unregister() - unregister a PF
 * @pf: the PF, as returned by xe_pfvf_pf_register()
 *
 * Called by the PF driver before its PF goes away.  Revokes the VFs'
 * dma-bufs, forgets the PF's VFs
 * and their provisioning (as xe_pfvf_pf_set_num_vfs() with 0 would), makes
 * every later translation fail, and drops the registration's reference;
 * @pf stays valid for holders of other references.
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
		pf_release_vfs(pf, "PF unregistered");
		pf_swap_table(pf, &pf_table_closed);
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
 * one non-zero number to another must go through 0.  Disabling VFs also
 * revokes their dma-bufs and withdraws their provisioning.
 *
 * Return: 0 on success, -ENODEV if @pf is unregistered or its PCI function
 * does not have @num_vfs VFs enabled, -ERANGE if @num_vfs exceeds the
 * PF's total VFs, -EBUSY if other VFs are still enabled, -ENOMEM.
 */
int xe_pfvf_pf_set_num_vfs(struct xe_pfvf_pf *pf, unsigned int num_vfs)
{
	int err;

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
		pf_release_vfs(pf, "VFs disabled");
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
	err = pf_bind_vfs(pf, num_vfs);
	if (err)
		return err;

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

static int pf_check_vf(struct xe_pfvf_pf *pf, unsigned int vfid, const char *what)
{
	lockdep_assert_held(&pf->lock);

	if (!pf->registered)
		return -ENODEV;
	if (!vfid || vfid > pf->total_vfs) {
		dev_err_ratelimited(&pf->pdev->dev, "%s: no VF%u (%u VFs supported)\n",
				    what, vfid, pf->total_vfs);
		return -EINVAL;
	}
	if (!pf->vfs[vfid - 1].pdev) {
		dev_err_ratelimited(&pf->pdev->dev, "%s: VF%u is not enabled\n", what, vfid);
		return -ENODEV;
	}
	return 0;
}

/**
 * xe_pfvf_vf_provision() - publish a VF's LMEM provisioning
 * @pf: the PF
 * @vfid: VF number, 1-based
 * @prov: the VF's LMEM quota and the VRAM extents backing it
 *
 * Called by the PF driver once the VF's LMEM is allocated and pinned (in
 * Xe: when the VF's LMEM configuration is pushed to the GuC and LMTT).
 * Replaces an earlier provisioning of the VF.  @prov is copied.
 *
 * Return: 0 on success, -ENODEV if @pf is unregistered or the VF not
 * enabled, -EINVAL for a VF number out of range or a malformed
 * provisioning, -E2BIG for too many extents, -ERANGE for an extent beyond
 * VRAM, -EADDRINUSE for an extent that overlaps another (of this or
 * another VF), -ENOMEM.
 */
int xe_pfvf_vf_provision(struct xe_pfvf_pf *pf, unsigned int vfid,
			 const struct xe_pfvf_provision *prov)
{
	struct xe_pfvf_vf_cfg *cfg;
	struct xe_pfvf_vf *vf;
	int err;

	guard(mutex)(&pf->lock);

	err = pf_check_vf(pf, vfid, "provision");
	if (err)
		return err;
	vf = &pf->vfs[vfid - 1];

	cfg = xe_pfvf_vf_cfg_create(vfid, prov, pf->vram_size);
	if (IS_ERR(cfg)) {
		dev_err_ratelimited(&pf->pdev->dev, "provision VF%u: invalid provisioning: %pe\n",
				    vfid, cfg);
		return PTR_ERR(cfg);
	}
	cfg->generation = vf->generation + 1;

	swap(vf->cfg, cfg);
	err = pf_publish(pf);
	if (err) {
		swap(vf->cfg, cfg);
		xe_pfvf_vf_cfg_free(cfg);
		dev_err_ratelimited(&pf->pdev->dev, "provision VF%u: %pe\n", vfid, ERR_PTR(err));
		return err;
	}
	/* The previous config was only reachable through the old table. */
	xe_pfvf_vf_cfg_free(cfg);
	vf->generation++;
	/* Buffers of the previous provisioning describe memory on its way out. */
	xe_pfvf_dmabuf_revoke_vf(vf, "VF reprovisioned");
	pci_dbg(pf->pdev, "VF%u provisioned: %llu MiB in %u extents, generation %u\n",
		vfid, prov->quota >> 20, prov->nr_extents, vf->generation);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_provision, XE_PFVF_NS);

/**
 * xe_pfvf_vf_unprovision() - withdraw a VF's LMEM provisioning
 * @pf: the PF
 * @vfid: VF number, 1-based
 *
 * Called by the PF driver before it releases the VF's LMEM.  When it
 * returns, the VF's dma-bufs are revoked and no translation can resolve
 * into the VF's former extents.
 *
 * Return: 0 on success (also when the VF was not provisioned), -ENODEV if
 * @pf is unregistered or the VF not enabled, -EINVAL for a VF number out
 * of range.
 */
int xe_pfvf_vf_unprovision(struct xe_pfvf_pf *pf, unsigned int vfid)
{
	struct xe_pfvf_vf *vf;
	int err;

	guard(mutex)(&pf->lock);

	err = pf_check_vf(pf, vfid, "unprovision");
	if (err)
		return err;
	vf = &pf->vfs[vfid - 1];
	if (!vf->cfg)
		return 0;

	vf_retire_cfg(vf, "VF unprovisioned");
	pf_publish_removal(pf);
	pci_dbg(pf->pdev, "VF%u unprovisioned, generation %u\n", vfid, vf->generation);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_unprovision, XE_PFVF_NS);

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

/* Take another reference on a PF the caller already holds one on. */
void xe_pfvf_pf_hold(struct xe_pfvf_pf *pf)
{
	kref_get(&pf->refcount);
}

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

/**
 * xe_pfvf_vf_get() - get the xe_pfvf view of a VF from its PCI device
 * @pdev: the VF's PCI device, as a VF variant driver is bound to it
 *
 * The VF is identified by the device (its physfn and VF index), never by
 * anything the VF says.  The returned handle holds a reference on the PF.
 *
 * Return: the VF, to be released with xe_pfvf_vf_put(), or
 * ERR_PTR(-EINVAL) if @pdev is NULL or not a VF, ERR_PTR(-ENODEV) if its
 * PF is not registered, ERR_PTR(-ENOENT) if its PF driver has not
 * reported it enabled.
 */
struct xe_pfvf_vf *xe_pfvf_vf_get(struct pci_dev *pdev)
{
	struct xe_pfvf_pf *pf;
	int id;

	if (!pdev || !pdev->is_virtfn)
		return ERR_PTR(-EINVAL);
	pf = xe_pfvf_pf_get(pdev);
	if (!pf)
		return ERR_PTR(-ENODEV);

	id = pci_iov_vf_id(pdev);
	scoped_guard(mutex, &pf->lock) {
		if (id >= 0 && id < pf->total_vfs && pf->vfs[id].pdev == pdev)
			return &pf->vfs[id];
	}
	xe_pfvf_pf_put(pf);
	return ERR_PTR(-ENOENT);
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_get, XE_PFVF_NS);

/**
 * xe_pfvf_vf_put() - release a VF from xe_pfvf_vf_get()
 * @vf: the VF, may be NULL or an ERR_PTR
 */
void xe_pfvf_vf_put(struct xe_pfvf_vf *vf)
{
	if (!IS_ERR_OR_NULL(vf))
		xe_pfvf_pf_put(vf->pf);
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_put, XE_PFVF_NS);

/**
 * xe_pfvf_vf_id() - VF number of a VF
 * @vf: the VF
 *
 * Return: the 1-based VF number.
 */
unsigned int xe_pfvf_vf_id(const struct xe_pfvf_vf *vf)
{
	return vf->vfid;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_id, XE_PFVF_NS);

/**
 * xe_pfvf_vf_lmem_bar() - the VF BAR that holds a VF's LMEM
 * @vf: the VF
 *
 * Return: the BAR index the PF driver registered (2 on Xe).
 */
int xe_pfvf_vf_lmem_bar(const struct xe_pfvf_vf *vf)
{
	return vf->pf->lmem_bar;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_lmem_bar, XE_PFVF_NS);

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
