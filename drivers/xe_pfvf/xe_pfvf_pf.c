// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/workqueue.h>
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
 * cannot fail to take it: if the new table cannot be allocated, an empty
 * table that refuses every translation is published instead.  A withdrawn
 * provisioning is out of the table before its dma-bufs are revoked, and
 * stays on &xe_pfvf_pf.withdrawn, where no new provisioning may overlap it
 * (-EBUSY), until they are: see "DOC: revocation".  The revocation waits
 * with no PF lock held.
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

static void pf_prov_free(struct xe_pfvf_prov *prov)
{
	xe_pfvf_vf_cfg_free(prov->cfg);
	kfree(prov);
}

static void pf_release(struct kref *kref)
{
	struct xe_pfvf_pf *pf = container_of(kref, struct xe_pfvf_pf, refcount);
	struct xe_pfvf_prov *prov, *next;

	/* Stuck dma-bufs hold the PF: nothing is quarantined any more. */
	list_for_each_entry_safe(prov, next, &pf->withdrawn, link)
		pf_prov_free(prov);
	pf_table_free(rcu_dereference_protected(pf->table, true));
	kfree(pf->withdrawal);
	mutex_destroy(&pf->withdraw_lock);
	mutex_destroy(&pf->cb_lock);
	mutex_destroy(&pf->lock);
	pci_dev_put(pf->pdev);
	kfree(pf->name);
	kvfree(pf);
}

static void pf_bar_of(struct pci_dev *pdev, int bar, struct xe_pfvf_bar *out)
{
	*out = (struct xe_pfvf_bar){};
	if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) || !pci_resource_len(pdev, bar))
		return;
	out->cpu = pci_resource_start(pdev, bar);
	out->bus = pci_bus_address(pdev, bar);
	out->size = pci_resource_len(pdev, bar);
}

/* Publish @table, wait for readers of the old one, free it. */
static void pf_swap_table(struct xe_pfvf_pf *pf, struct xe_pfvf_table *table)
{
	struct xe_pfvf_table *old;

	old = rcu_replace_pointer(pf->table, table, lockdep_is_held(&pf->lock));
	synchronize_rcu();
	pf_table_free(old);
}

/* Build a table from the VF slots, VF @vfid given @cfg instead of its own. */
static struct xe_pfvf_table *pf_build(struct xe_pfvf_pf *pf, unsigned int vfid,
				      const struct xe_pfvf_vf_cfg *cfg)
{
	struct xe_pfvf_table_vf *slots;
	struct xe_pfvf_table *table;
	unsigned int n;

	lockdep_assert_held(&pf->lock);

	slots = kvcalloc(pf->total_vfs, sizeof(*slots), GFP_KERNEL);
	if (!slots)
		return ERR_PTR(-ENOMEM);
	for (n = 0; n < pf->total_vfs; n++) {
		if (pf->vfs[n].pdev)
			pf_bar_of(pf->vfs[n].pdev, pf->lmem_bar, &slots[n].bar);
		slots[n].cfg = pf->vfs[n].prov ? pf->vfs[n].prov->cfg : NULL;
	}
	if (vfid)
		slots[vfid - 1].cfg = cfg;
	table = xe_pfvf_table_build(pf->total_vfs, pf->vram_size, slots,
				    pf->pf_bars, pf->nr_pf_bars);
	kvfree(slots);
	return table;
}

/* Build a table from the VF slots and publish it. */
static int pf_publish(struct xe_pfvf_pf *pf)
{
	struct xe_pfvf_table *table = pf_build(pf, 0, NULL);

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
 * Take the VF's provisioning out of its slot, onto the withdrawn list, with
 * the withdrawal's hold; the caller publishes the table without it and
 * then revokes its dma-bufs with no lock held.
 */
static struct xe_pfvf_prov *pf_withdraw(struct xe_pfvf_vf *vf)
{
	struct xe_pfvf_prov *prov = vf->prov;

	lockdep_assert_held(&vf->pf->lock);

	if (!prov)
		return NULL;
	vf->prov = NULL;
	vf->generation++;
	prov->state = XE_PFVF_PROV_WITHDRAWING;
	prov->holds = 1;
	list_add_tail(&prov->link, &vf->pf->withdrawn);
	return prov;
}

/*
 * Forget all VFs: withdraw their provisionings into @pf->withdrawal, drop
 * their PCI devices, publish.  Returns how many provisionings to revoke.
 */
static unsigned int pf_release_vfs(struct xe_pfvf_pf *pf)
{
	unsigned int n, nr = 0;

	lockdep_assert_held(&pf->lock);
	lockdep_assert_held(&pf->withdraw_lock);

	if (!pf->num_vfs)
		return 0;

	for (n = 0; n < pf->total_vfs; n++) {
		struct xe_pfvf_vf *vf = &pf->vfs[n];
		struct xe_pfvf_prov *prov = pf_withdraw(vf);

		if (prov) {
			pf->withdrawal[nr].vf = vf;
			pf->withdrawal[nr].prov = prov;
			nr++;
		}
		if (vf->pdev) {
			/* The table keeps BARs by value: no reader needs it. */
			pci_dev_put(vf->pdev);
			vf->pdev = NULL;
			vf->generation++;
		}
	}
	pf->num_vfs = 0;
	pf_publish_removal(pf);
	return nr;
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

	spin_lock(&pf->buf_lock);
	for (n = 0; n < num_vfs; n++) {
		pf->vfs[n].generation++;
		pf->vfs[n].suspended = false;
	}
	spin_unlock(&pf->buf_lock);
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
		pf_bar_of(pf->pdev, bar, &pf->pf_bars[pf->nr_pf_bars]);
		if (pf->pf_bars[pf->nr_pf_bars].size)
			pf->nr_pf_bars++;
	}
}

/**
 * xe_pfvf_pf_register() - register an SR-IOV PF with xe_pfvf
 * @pdev: the PF's PCI device
 * @desc: description of the PF, copied
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
	mutex_init(&pf->cb_lock);
	mutex_init(&pf->withdraw_lock);
	spin_lock_init(&pf->buf_lock);
	INIT_LIST_HEAD(&pf->withdrawn);
	pf->pdev = pci_dev_get(pdev);
	pf->vram_size = desc->vram_size;
	pf->lmem_bar = desc->lmem_bar;
	pf->lmem_released = desc->lmem_released;
	pf->cb_live = true;
	pf->total_vfs = total;
	pf->registered = true;
	/* Copies: the PF may outlive the module of its PF driver. */
	pf->name = kstrdup(desc->name, GFP_KERNEL);
	pf->withdrawal = kcalloc(max(total, 1), sizeof(*pf->withdrawal), GFP_KERNEL);
	if (!pf->name || !pf->withdrawal) {
		kref_put(&pf->refcount, pf_release);
		return ERR_PTR(-ENOMEM);
	}
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

/*
 * Withdraw every VF's provisioning and forget the VFs, then revoke their
 * dma-bufs with no PF lock held.  With @unregister, the PF also stops
 * serving anything.
 */
static int pf_disable_vfs(struct xe_pfvf_pf *pf, bool unregister, const char *why)
{
	unsigned int nr;

	guard(mutex)(&pf->withdraw_lock);

	scoped_guard(mutex, &pf->lock) {
		nr = pf_release_vfs(pf);
		if (unregister) {
			pf->registered = false;
			pf_swap_table(pf, &pf_table_closed);
		}
	}
	return xe_pfvf_revoke_withdrawn(pf->withdrawal, nr, why);
}

/**
 * xe_pfvf_pf_unregister() - unregister a PF
 * @pf: the PF, as returned by xe_pfvf_pf_register()
 *
 * Called by the PF driver before its PF goes away.  Forgets the PF's VFs
 * and their provisioning (as xe_pfvf_pf_set_num_vfs() with 0 would),
 * revokes their dma-bufs, makes every later translation fail, and drops
 * the registration's reference; @pf stays valid for holders of other
 * references.  &xe_pfvf_pf_desc.lmem_released is not called from the
 * moment this starts: VRAM still quarantined then is logged, and the PF
 * driver tears it down with its device.
 */
void xe_pfvf_pf_unregister(struct xe_pfvf_pf *pf)
{
	int err;

	if (!pf)
		return;

	scoped_guard(mutex, &pf_registry_lock)
		list_del_init(&pf->link);

	xe_pfvf_debugfs_pf_remove(pf);

	/* Waits for a callback in progress; none starts after. */
	scoped_guard(mutex, &pf->cb_lock)
		pf->cb_live = false;

	err = pf_disable_vfs(pf, true, "PF unregistered");
	if (err)
		pci_err(pf->pdev, "unregistered from xe_pfvf with VRAM still mapped by importers: %pe\n",
			ERR_PTR(err));
	else
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
 * withdraws their provisioning and revokes their dma-bufs, as
 * xe_pfvf_vf_unprovision() does for one VF; the VFs are disabled even when
 * that returns -EBUSY.
 *
 * Return: 0 on success, -EBUSY if VFs were disabled but some of their VRAM
 * is quarantined (see xe_pfvf_vf_unprovision()), -ENODEV if @pf is
 * unregistered or its PCI function does not have @num_vfs VFs enabled,
 * -ERANGE if @num_vfs exceeds the PF's total VFs, -EBUSY if other VFs are
 * still enabled, -ENOMEM.
 */
int xe_pfvf_pf_set_num_vfs(struct xe_pfvf_pf *pf, unsigned int num_vfs)
{
	int err;

	if (!num_vfs) {
		scoped_guard(mutex, &pf->lock) {
			if (!pf->registered)
				return -ENODEV;
			if (!pf->num_vfs)
				return 0;
		}
		err = pf_disable_vfs(pf, false, "VFs disabled");
		pci_info(pf->pdev, "VFs disabled\n");
		return err;
	}

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

static int pf_cmp_extent(const void *a, const void *b)
{
	const struct xe_pfvf_extent *ea = a, *eb = b;

	if (ea->start != eb->start)
		return ea->start < eb->start ? -1 : 1;
	return 0;
}

/* Does VRAM [start, start + size) meet one of the sorted extents? */
static bool pf_extents_meet(const struct xe_pfvf_extent *sorted, u32 nr, u64 start, u64 size)
{
	u32 lo = 0, hi = nr;

	/* The first extent ending after @start. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (sorted[mid].start + sorted[mid].size <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nr && sorted[lo].start < start + size;
}

/*
 * A new provisioning must not use VRAM that a withdrawn one still holds:
 * its dma-bufs are being revoked, or could not be.
 */
static int pf_check_withdrawn(struct xe_pfvf_pf *pf, const struct xe_pfvf_vf_cfg *cfg)
{
	struct xe_pfvf_extent *sorted;
	struct xe_pfvf_prov *prov;
	u32 i;
	int err = 0;

	lockdep_assert_held(&pf->lock);

	if (list_empty(&pf->withdrawn))
		return 0;
	sorted = kvmalloc_array(cfg->nr_extents, sizeof(*sorted), GFP_KERNEL);
	if (!sorted)
		return -ENOMEM;
	for (i = 0; i < cfg->nr_extents; i++)
		sorted[i] = (struct xe_pfvf_extent){ cfg->extents[i].vram, cfg->extents[i].size };
	sort(sorted, cfg->nr_extents, sizeof(*sorted), pf_cmp_extent, NULL);

	list_for_each_entry(prov, &pf->withdrawn, link) {
		for (i = 0; i < prov->cfg->nr_extents && !err; i++)
			if (pf_extents_meet(sorted, cfg->nr_extents, prov->cfg->extents[i].vram,
					    prov->cfg->extents[i].size))
				err = -EBUSY;
		if (err) {
			dev_err_ratelimited(&pf->pdev->dev,
					    "provision VF%u: VRAM still held by VF%u's %s provisioning %u\n",
					    cfg->vfid, prov->vfid,
					    prov->state == XE_PFVF_PROV_QUARANTINED ?
					    "quarantined" : "withdrawing", prov->cfg->generation);
			break;
		}
	}
	kvfree(sorted);
	return err;
}

/**
 * xe_pfvf_vf_provision() - publish a VF's LMEM provisioning
 * @pf: the PF
 * @vfid: VF number, 1-based
 * @prov: the VF's LMEM quota, the VRAM extents backing it, and the PF
 *	  driver's cookie for them
 *
 * Called by the PF driver once the VF's LMEM is allocated and pinned (in
 * Xe: when the VF's LMEM configuration is pushed to the GuC and LMTT).
 * @prov is copied.  A provisioning that is refused leaves the VF as it
 * was.  Otherwise an earlier provisioning of the VF is withdrawn first, as
 * xe_pfvf_vf_unprovision() does; if that returns -EBUSY, the new one is
 * not published either.
 *
 * Return: 0 on success, -ENODEV if @pf is unregistered or the VF not
 * enabled, -EINVAL for a VF number out of range or a malformed
 * provisioning, -E2BIG for too many extents, -ERANGE for an extent beyond
 * VRAM, -EADDRINUSE for an extent that overlaps another (of this or
 * another VF), -EBUSY for an extent in VRAM that a withdrawn provisioning
 * still holds (quarantined, or its dma-bufs still being revoked), or if
 * the earlier provisioning of the VF got quarantined, -ENOMEM.
 */
int xe_pfvf_vf_provision(struct xe_pfvf_pf *pf, unsigned int vfid,
			 const struct xe_pfvf_provision *prov)
{
	struct xe_pfvf_withdrawal old = {};
	struct xe_pfvf_vf *vf = NULL;
	struct xe_pfvf_prov *p;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->pf = pf;
	p->vfid = vfid;
	p->cookie = prov ? prov->cookie : NULL;
	INIT_LIST_HEAD(&p->link);

	scoped_guard(mutex, &pf->lock) {
		err = pf_check_vf(pf, vfid, "provision");
		if (err)
			goto err_free;
		vf = &pf->vfs[vfid - 1];
		p->cfg = xe_pfvf_vf_cfg_create(vfid, prov, pf->vram_size);
		if (IS_ERR(p->cfg)) {
			err = PTR_ERR(p->cfg);
			p->cfg = NULL;
			dev_err_ratelimited(&pf->pdev->dev,
					    "provision VF%u: invalid provisioning: %pe\n",
					    vfid, ERR_PTR(err));
			goto err_free;
		}
		/* Everything that can refuse it, before the VF loses anything. */
		err = pf_check_withdrawn(pf, p->cfg);
		if (!err) {
			struct xe_pfvf_table *trial = pf_build(pf, vfid, p->cfg);

			err = PTR_ERR_OR_ZERO(trial);
			if (!err)
				xe_pfvf_table_free(trial);
		}
		if (err) {
			dev_err_ratelimited(&pf->pdev->dev, "provision VF%u: %pe\n", vfid,
					    ERR_PTR(err));
			goto err_free;
		}
		old.prov = pf_withdraw(vf);
		if (old.prov) {
			old.vf = vf;
			pf_publish_removal(pf);
		}
	}

	/* Buffers of the earlier provisioning describe memory on its way out. */
	if (old.prov) {
		err = xe_pfvf_revoke_withdrawn(&old, 1, "VF reprovisioned");
		if (err)
			goto err_free;
	}

	scoped_guard(mutex, &pf->lock) {
		err = pf_check_vf(pf, vfid, "provision");
		if (!err && vf->prov) {
			dev_err_ratelimited(&pf->pdev->dev,
					    "provision VF%u: provisioned concurrently\n", vfid);
			err = -EBUSY;
		}
		if (!err)
			err = pf_check_withdrawn(pf, p->cfg);
		if (err)
			goto err_free;
		p->cfg->generation = vf->generation + 1;
		p->state = XE_PFVF_PROV_PUBLISHED;
		vf->prov = p;
		err = pf_publish(pf);
		if (err) {
			vf->prov = NULL;
			dev_err_ratelimited(&pf->pdev->dev, "provision VF%u: %pe\n", vfid,
					    ERR_PTR(err));
			goto err_free;
		}
		vf->generation++;
	}
	pci_dbg(pf->pdev, "VF%u provisioned: %llu MiB in %u extents, generation %u\n",
		vfid, prov->quota >> 20, prov->nr_extents, p->cfg->generation);
	return 0;

err_free:
	pf_prov_free(p);
	return err;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_provision, XE_PFVF_NS);

/**
 * xe_pfvf_vf_unprovision() - withdraw a VF's LMEM provisioning
 * @pf: the PF
 * @vfid: VF number, 1-based
 *
 * Called by the PF driver before it releases the VF's LMEM.  The
 * provisioning leaves the table at once: no translation or export reaches
 * it any more.  Then its dma-bufs are revoked and their importers waited
 * for, at most ``revoke_timeout_ms``, with no PF-wide lock held.
 *
 * Return: 0 (also when the VF was not provisioned): the VRAM is no longer
 * reachable through xe_pfvf and the PF driver may free it.  -EBUSY: an
 * importer still maps part of it, and it is quarantined: the PF driver must
 * not free or reuse it, must not touch @cookie of the provisioning from
 * now on, and gets @cookie back through &xe_pfvf_pf_desc.lmem_released
 * once the last mapping is gone (or never, without that callback).
 * -ENODEV if @pf is unregistered or the VF not enabled, -EINVAL for a VF
 * number out of range.
 */
int xe_pfvf_vf_unprovision(struct xe_pfvf_pf *pf, unsigned int vfid)
{
	struct xe_pfvf_withdrawal w = {};
	int err;

	scoped_guard(mutex, &pf->lock) {
		err = pf_check_vf(pf, vfid, "unprovision");
		if (err)
			return err;
		w.vf = &pf->vfs[vfid - 1];
		w.prov = pf_withdraw(w.vf);
		if (!w.prov)
			return 0;
		pf_publish_removal(pf);
	}
	err = xe_pfvf_revoke_withdrawn(&w, 1, "VF unprovisioned");
	pci_dbg(pf->pdev, "VF%u unprovisioned (%d)\n", vfid, err);
	return err;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_unprovision, XE_PFVF_NS);

/**
 * xe_pfvf_pf_prov_quarantined() - a withdrawn provisioning is quarantined
 * @prov: the provisioning, held by its withdrawal
 */
void xe_pfvf_pf_prov_quarantined(struct xe_pfvf_prov *prov)
{
	guard(mutex)(&prov->pf->lock);
	prov->state = XE_PFVF_PROV_QUARANTINED;
}

static void pf_prov_release_work(struct work_struct *work)
{
	struct xe_pfvf_prov *prov = container_of(work, struct xe_pfvf_prov, release_work);
	struct xe_pfvf_pf *pf = prov->pf;

	scoped_guard(mutex, &pf->lock)
		list_del(&prov->link);
	scoped_guard(mutex, &pf->cb_lock) {
		if (pf->cb_live && pf->lmem_released)
			pf->lmem_released(pf, prov->vfid, prov->cookie);
		else
			pci_info(pf->pdev, "VF%u: quarantined provisioning %u released, PF driver not told\n",
				 prov->vfid, prov->cfg->generation);
	}
	pf_prov_free(prov);
	xe_pfvf_pf_put(pf);
}

/**
 * xe_pfvf_pf_prov_release() - the last hold of a withdrawn provisioning went
 * @prov: the provisioning, off the table for a grace period already
 *
 * A provisioning whose withdrawal returned -EBUSY is handed back to the PF
 * driver from the workqueue; any other is freed now.
 */
void xe_pfvf_pf_prov_release(struct xe_pfvf_prov *prov)
{
	struct xe_pfvf_pf *pf = prov->pf;

	if (prov->reported) {
		xe_pfvf_pf_hold(pf);
		INIT_WORK(&prov->release_work, pf_prov_release_work);
		queue_work(xe_pfvf_wq, &prov->release_work);
		return;
	}
	scoped_guard(mutex, &pf->lock)
		list_del(&prov->link);
	pf_prov_free(prov);
}

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
 * xe_pfvf_pf_snapshot() - references to the registered PFs
 * @pfs: where to store up to @max references, in registration order
 * @max: room in @pfs
 *
 * For the uAPI's listing.  Drop each with xe_pfvf_pf_put().
 *
 * Return: the number of PFs registered, which may exceed @max.
 */
unsigned int xe_pfvf_pf_snapshot(struct xe_pfvf_pf **pfs, unsigned int max)
{
	struct xe_pfvf_pf *pf;
	unsigned int n = 0;

	guard(mutex)(&pf_registry_lock);
	list_for_each_entry(pf, &pf_registry, link) {
		if (n < max) {
			kref_get(&pf->refcount);
			pfs[n] = pf;
		}
		n++;
	}
	return n;
}

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

/**
 * xe_pfvf_vf_set_vfio_device() - name the VFIO device a VF is assigned through
 * @vf: the VF, from xe_pfvf_vf_get()
 * @vdev: its &struct vfio_device once registered, NULL before it is
 *	  unregistered
 *
 * For VF variant drivers whose PCI error handlers are their own: the uAPI
 * proves that a caller owns a VF by the VFIO group file it holds the VF
 * through (vfio_file_has_dev()), and finds the VF's &struct vfio_device of
 * vfio-pci and of drivers using vfio-pci core's error handlers by itself.
 * Other drivers name it here, after vfio_register_group_dev() and before
 * vfio_unregister_group_dev().
 */
void xe_pfvf_vf_set_vfio_device(struct xe_pfvf_vf *vf, struct vfio_device *vdev)
{
	guard(mutex)(&vf->pf->lock);
	vf->vfio = vdev;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_set_vfio_device, XE_PFVF_NS);

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
