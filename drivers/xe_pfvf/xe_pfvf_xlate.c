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

/* Translate one run of CPU physical addresses found behind an IOVA range. */
static int xlate_iova_run(struct xe_pfvf_pf *pf, const struct xe_pfvf_xlate_req *req,
			  u64 phys, u64 len, struct xe_pfvf_xlate_res *res)
{
	struct xe_pfvf_xlate_req run = {
		.space = XE_PFVF_SPACE_CPU,
		.vfid = req->vfid,
		.addr = phys,
		.len = len,
	};
	u32 generation = res->generation;
	bool first = !res->vfid;
	int err;

	err = xlate_table(pf, &run, res);
	/* The table changed between two runs: the result would be mixed. */
	if (!err && !first && res->generation != generation)
		err = -EAGAIN;
	return err;
}

static int xlate_iova(struct xe_pfvf_pf *pf, struct iommu_domain *domain,
		      const struct xe_pfvf_xlate_req *req, struct xe_pfvf_xlate_res *res)
{
	u64 iova = req->addr, left = req->len, run_phys = 0, run_len = 0, pgsize, last;
	unsigned int pages = 0;
	int err;

	if (!req->len || req->flags & ~XE_PFVF_XLATE_FLAGS)
		return -EINVAL;
	if (check_add_overflow(req->addr, req->len - 1, &last))
		return -EOVERFLOW;
	if (req->flags & XE_PFVF_XLATE_ALIGNED &&
	    !IS_ALIGNED(req->addr | req->len, XE_PFVF_GRANULE))
		return -EDOM;
	if (!domain || !domain->pgsize_bitmap)
		return -ENXIO;

	pgsize = 1ULL << __ffs(domain->pgsize_bitmap);
	while (left) {
		u64 chunk = min(left, pgsize - (iova & (pgsize - 1)));
		phys_addr_t phys = iommu_iova_to_phys(domain, iova);

		if (!phys)
			return -EADDRNOTAVAIL;
		if (run_len && run_phys + run_len == phys) {
			run_len += chunk;
		} else {
			if (run_len) {
				err = xlate_iova_run(pf, req, run_phys, run_len, res);
				if (err)
					return err;
			}
			run_phys = phys;
			run_len = chunk;
		}
		iova += chunk;
		left -= chunk;
		if (++pages % XLATE_IOVA_BATCH == 0) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return xlate_iova_run(pf, req, run_phys, run_len, res);
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
 *	    the VF is attached to; NULL otherwise
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
