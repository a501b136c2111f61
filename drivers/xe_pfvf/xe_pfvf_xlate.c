// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/cleanup.h>
#include <linux/iommu.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_drv.h"
#include "xe_pfvf_pf_types.h"
#include "xe_pfvf_table.h"

/**
 * DOC: translation service
 *
 * Translations run against the PF's published table under rcu_read_lock()
 * only.  On top of the core's checks (see "DOC: translation"), the service
 * refines an unknown CPU physical address to -EFAULT when it is system RAM,
 * and translates IOVAs page by page with iommu_iova_to_phys(), merging runs
 * of IOVA pages that are contiguous in CPU physical space before looking
 * them up.  IOVA-contiguous is not assumed to be physically contiguous.
 *
 * A VF-scoped translation (xe_pfvf_vf_translate()) refuses anything that
 * resolves outside that VF with -EXDEV.
 */

/* Pages between checks for rescheduling and fatal signals in IOVA walks. */
#define XLATE_IOVA_BATCH	512

static bool is_system_ram(u64 addr, u64 len)
{
	return region_intersects(addr, len, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	       REGION_DISJOINT;
}

static int xlate_table(struct xe_pfvf_pf *pf, const struct xe_pfvf_xlate_req *req,
		       struct xe_pfvf_xlate_res *res)
{
	int err;

	rcu_read_lock();
	err = xe_pfvf_table_xlate(rcu_dereference(pf->table), req, res);
	rcu_read_unlock();

	if (err == -EADDRNOTAVAIL && req->space == XE_PFVF_SPACE_CPU &&
	    is_system_ram(req->addr, req->len))
		err = -EFAULT;
	return err;
}

/**
 * struct iova_walk - state of an IOVA translation
 * @req: the request
 * @res: the result
 * @table: the table held for the current batch, under rcu_read_lock()
 * @cur: cursor into @table
 * @run_phys: CPU physical address of the pending run
 * @run_len: length of the pending run, 0 for none
 * @generation: the VF's generation seen by the first run
 * @e2big: the caller's array is full; the walk goes on counting
 */
struct iova_walk {
	const struct xe_pfvf_xlate_req *req;
	struct xe_pfvf_xlate_res *res;
	const struct xe_pfvf_table *table;
	struct xe_pfvf_cursor cur;
	u64 run_phys;
	u64 run_len;
	u32 generation;
	bool e2big;
};

/* Translate the pending run, found behind the IOVA range, as CPU space. */
static int iova_flush(struct iova_walk *w)
{
	struct xe_pfvf_xlate_req run = {
		.space = XE_PFVF_SPACE_CPU,
		.vfid = w->req->vfid,
		.addr = w->run_phys,
		.len = w->run_len,
	};
	bool first = !w->res->vfid;
	int err;

	if (!w->run_len)
		return 0;
	err = xe_pfvf_table_xlate_cursor(w->table, &run, w->res, &w->cur);
	/* Keep counting, so that the result tells the size needed. */
	if (err == -E2BIG)
		w->e2big = true;
	else if (err)
		return err;
	if (first)
		w->generation = w->res->generation;
	/* The table changed between two batches: the result would be mixed. */
	else if (w->res->generation != w->generation)
		return -EAGAIN;
	w->run_len = 0;
	return 0;
}

/* Walk up to @pages IOMMU pages from @iova; called under rcu_read_lock(). */
static int iova_batch(struct iova_walk *w, struct iommu_domain *domain, u64 *iova,
		      u64 *left, u64 pgsize, unsigned int pages)
{
	int err;

	while (*left && pages--) {
		u64 chunk = min(*left, pgsize - (*iova & (pgsize - 1)));
		phys_addr_t phys = iommu_iova_to_phys(domain, *iova);

		if (!phys)
			return -EADDRNOTAVAIL;
		if (!w->run_len || w->run_phys + w->run_len != phys) {
			err = iova_flush(w);
			if (err)
				return err;
			w->run_phys = phys;
		}
		w->run_len += chunk;
		*iova += chunk;
		*left -= chunk;
	}
	/* Runs do not outlive the batch's hold on the table. */
	return iova_flush(w);
}

static int xlate_iova(struct xe_pfvf_pf *pf, struct iommu_domain *domain,
		      const struct xe_pfvf_xlate_req *req, struct xe_pfvf_xlate_res *res)
{
	struct iova_walk w = { .req = req, .res = res };
	u64 iova = req->addr, left = req->len, pgsize, last;
	int err;

	err = xe_pfvf_xlate_check(req, &last);
	if (err)
		return err;
	if (!domain || !domain->pgsize_bitmap)
		return -ENXIO;

	pgsize = 1ULL << __ffs(domain->pgsize_bitmap);
	while (left) {
		rcu_read_lock();
		w.table = rcu_dereference(pf->table);
		w.cur = (struct xe_pfvf_cursor){};
		err = iova_batch(&w, domain, &iova, &left, pgsize, XLATE_IOVA_BATCH);
		rcu_read_unlock();
		if (err == -EADDRNOTAVAIL && w.run_len && is_system_ram(w.run_phys, w.run_len))
			return -EFAULT;
		if (err)
			return err;
		if (left) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return w.e2big ? -E2BIG : 0;
}

static void xlate_log(struct xe_pfvf_pf *pf, const struct xe_pfvf_xlate_req *req, int err)
{
	if (err == -E2BIG)
		return;
	pci_notice_ratelimited(pf->pdev, "translate %s %#llx+%#llx for VF%u refused: %pe\n",
			       xe_pfvf_space_name(req->space), req->addr, req->len,
			       req->vfid, ERR_PTR(err));
}

/**
 * xe_pfvf_pf_translate() - translate a range on behalf of the PF
 * @pf: the PF
 * @domain: the IOMMU domain for %XE_PFVF_SPACE_IOVA, NULL otherwise
 * @req: the request; @req->vfid 0 accepts a range in any single VF
 * @res: the result, see &struct xe_pfvf_xlate_res
 *
 * For trusted callers: the PF driver, admin tools.  Requests on behalf of
 * a VF go through xe_pfvf_vf_translate().  May sleep for IOVA translations.
 *
 * Return: 0 on success, or a negative errno as listed in "DOC: translation"
 * plus -EFAULT for system RAM, -EAGAIN if the table changed during an IOVA
 * walk, -EINTR on a fatal signal.
 */
int xe_pfvf_pf_translate(struct xe_pfvf_pf *pf, struct iommu_domain *domain,
			 const struct xe_pfvf_xlate_req *req,
			 struct xe_pfvf_xlate_res *res)
{
	int err;

	if (req->space == XE_PFVF_SPACE_IOVA)
		err = xlate_iova(pf, domain, req, res);
	else
		err = xlate_table(pf, req, res);
	if (err)
		xlate_log(pf, req, err);
	return err;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_pf_translate, XE_PFVF_NS);

/**
 * xe_pfvf_vf_translate() - translate a range on behalf of a VF
 * @vf: the VF, from xe_pfvf_vf_get()
 * @domain: for %XE_PFVF_SPACE_IOVA the IOMMU domain, or NULL for the one
 *	    the VF is attached to, which the caller must keep attached for
 *	    the call (a VFIO variant driver inside its device ops does: VFIO
 *	    keeps the container set while the device is open); NULL otherwise
 * @req: the request; @req->vfid must be 0 or the VF's number
 * @res: the result, see &struct xe_pfvf_xlate_res
 *
 * Like xe_pfvf_pf_translate(), but every byte must resolve inside @vf:
 * anything in another VF gives -EXDEV, in the PF's BARs -EPERM.
 *
 * Return: 0 on success or a negative errno, see xe_pfvf_pf_translate();
 * -EINVAL if @req->vfid names another VF, -ENODEV if the VF has no IOMMU
 * domain.
 */
int xe_pfvf_vf_translate(struct xe_pfvf_vf *vf, struct iommu_domain *domain,
			 const struct xe_pfvf_xlate_req *req,
			 struct xe_pfvf_xlate_res *res)
{
	struct xe_pfvf_xlate_req scoped = *req;
	struct xe_pfvf_pf *pf = vf->pf;
	struct pci_dev *pdev = NULL;
	int err;

	if (req->vfid && req->vfid != vf->vfid)
		return -EINVAL;
	scoped.vfid = vf->vfid;

	if (req->space == XE_PFVF_SPACE_IOVA && !domain) {
		scoped_guard(mutex, &pf->lock)
			pdev = pci_dev_get(vf->pdev);
		domain = pdev ? iommu_get_domain_for_dev(&pdev->dev) : NULL;
		if (!domain) {
			pci_dev_put(pdev);
			return -ENODEV;
		}
	}
	err = xe_pfvf_pf_translate(pf, domain, &scoped, res);
	pci_dev_put(pdev);
	return err;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_translate, XE_PFVF_NS);
