// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/cleanup.h>
#include <linux/iommu.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/overflow.h>
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
 * of IOVA pages that are contiguous in CPU physical space and handing each
 * run to the core as it ends (xe_pfvf_runs_add(): once a run has passed the
 * checks, the runs after it inside the same VF BAR and quota are
 * translated inline, without them).
 * IOVA-contiguous is not assumed to be physically contiguous.  Errors are
 * those of the first page that fails, in IOVA order.
 *
 * A VF-scoped translation (xe_pfvf_vf_translate()) refuses anything that
 * resolves outside that VF with -EXDEV.
 */

/* Pages between checks for rescheduling and fatal signals in IOVA walks. */
#define XLATE_IOVA_BATCH	512

static bool xlate_is_ram(u64 addr, u64 len)
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
	    xlate_is_ram(req->addr, req->len))
		err = -EFAULT;
	return err;
}

/* A run that failed: what it maps to may be system RAM. */
static noinline int xlate_iova_refused(u64 phys, u64 len, int err)
{
	if (err == -EADDRNOTAVAIL && xlate_is_ram(phys, len))
		return -EFAULT;
	return err;
}

/*
 * Walk up to @batch bytes from @iova, translating each run of IOMMU pages
 * contiguous in CPU physical space as it ends, under rcu_read_lock().  The
 * loop keeps its state in locals: @runs is seen by the core, so the
 * compiler would reload it after every iommu_iova_to_phys().
 */
static int xlate_iova_batch(struct xe_pfvf_runs *runs, struct iommu_domain *domain,
			    u64 *iova, u64 *left, u64 pgsize, u64 batch)
{
	u64 addr = *iova, todo, run_phys = 0, run_len = 0;
	int err, hole = 0;

	todo = min(*left, batch - (addr & (pgsize - 1)));
	*left -= todo;
	while (todo) {
		u64 chunk = min(todo, pgsize - (addr & (pgsize - 1)));
		phys_addr_t phys = iommu_iova_to_phys(domain, addr);

		if (!phys) {
			hole = -EADDRNOTAVAIL;
			break;
		}
		/* Always true for the first page: phys is not 0. */
		if (phys != run_phys + run_len) {
			if (run_len) {
				err = xe_pfvf_runs_add(runs, run_phys, run_len);
				if (unlikely(err))
					return xlate_iova_refused(run_phys, run_len, err);
			}
			run_phys = phys;
			run_len = 0;
		}
		run_len += chunk;
		addr += chunk;
		todo -= chunk;
	}
	*iova = addr;
	*left += todo;
	/* Runs do not outlive the batch's hold on the table. */
	if (run_len) {
		err = xe_pfvf_runs_add(runs, run_phys, run_len);
		if (unlikely(err))
			return xlate_iova_refused(run_phys, run_len, err);
	}
	/* What comes before an unmapped page is judged first. */
	return hole;
}

static int xlate_iova(struct xe_pfvf_pf *pf, struct iommu_domain *domain,
		      const struct xe_pfvf_xlate_req *req, struct xe_pfvf_xlate_res *res)
{
	u64 iova = req->addr, left = req->len, pgsize, batch, last;
	struct xe_pfvf_runs runs;
	int err;

	err = xe_pfvf_xlate_check(req, &last);
	if (err)
		return err;
	if (!domain || !domain->pgsize_bitmap)
		return -ENXIO;

	pgsize = 1ULL << __ffs(domain->pgsize_bitmap);
	/* Saturates, for a domain whose smallest page is huge. */
	batch = size_mul(pgsize, XLATE_IOVA_BATCH);
	do {
		rcu_read_lock();
		/* A table changed between batches is the core's -EAGAIN. */
		xe_pfvf_runs_begin(&runs, rcu_dereference(pf->table), XE_PFVF_SPACE_CPU,
				   req->vfid, res);
		err = xlate_iova_batch(&runs, domain, &iova, &left, pgsize, batch);
		rcu_read_unlock();
		if (err)
			return err;
		if (left) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	} while (left);
	return xe_pfvf_runs_end(&runs);
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
 * (-EAGAIN there covers a VF provisioned again during an IOVA walk too),
 * plus -EFAULT for system RAM, -EINTR on a fatal signal.
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
