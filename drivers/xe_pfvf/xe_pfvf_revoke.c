// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_dmabuf.h"
#include "xe_pfvf_drv.h"
#include "xe_pfvf_pf_types.h"
#include "xe_pfvf_table.h"

/**
 * DOC: revocation
 *
 * What takes a VF's memory away from the importers of its dma-bufs, and
 * what happens then.
 *
 * ============================== ===================== ====================
 * event                          who reports it        buffers
 * ============================== ===================== ====================
 * memory disable, D3, low power, VF variant driver:    suspended until
 * VF reset (FLR), error recovery xe_pfvf_vf_revoke()   xe_pfvf_vf_restore()
 *                                with                  when the memory is
 *                                %XE_PFVF_REVOKE_      back
 *                                TEMPORARY
 * device close, driver unbind    VF variant driver:    revoked for good
 *                                xe_pfvf_vf_revoke()
 * one buffer                     xe_pfvf_dmabuf_       revoked for good
 *                                revoke()
 * unprovision, reprovision,      the PF driver's       the provisioning's
 * VF disable, PF unregister      call, inside xe_pfvf  buffers, for good
 * ============================== ===================== ====================
 *
 * Every revocation runs the same two passes over its buffers:
 *
 * 1. Under each buffer's reservation lock, the buffer is marked (maps fail
 *    with -ENODEV from then on) and its importers are told with
 *    dma_buf_move_notify(); they must unmap.
 * 2. With no lock held, the revoker waits for each buffer's fences and for
 *    its last mapping to go, all buffers against one deadline
 *    ``revoke_timeout_ms`` away, so that many buffers cost one timeout.
 *
 * No PF-wide lock is held across either pass: a slow importer of one VF
 * delays only the revocation that waits for it, never another VF's reset,
 * provisioning, export or dma-buf release.
 *
 * A buffer still mapped (or with fences pending) at the deadline is
 * *stuck*: xe_pfvf logs its importers, lists it in debugfs ``quarantine``,
 * keeps a reference on it, and polls it until it is unmapped and idle.
 * Later revocations do not wait for it again.  When the revocation belongs
 * to the withdrawal of a provisioning, the provisioning is *quarantined*:
 * the call returns -EBUSY, no new provisioning may use its VRAM (-EBUSY
 * again), and once the last stuck buffer lets go, xe_pfvf hands the
 * provisioning back to the PF driver through
 * &xe_pfvf_pf_desc.lmem_released, from a workqueue.  The VRAM of a buffer
 * that could not be revoked is never handed back while it is mapped.
 *
 * Lock order: the VF variant driver's locks (vfio-pci ``memory_lock``),
 * then &xe_pfvf_pf.lock, then &xe_pfvf_pf.buf_lock; the reservation locks
 * are taken with neither PF lock held.  The revocation lock nests outside
 * reservation locks.  Importers' move_notify callbacks run under the
 * reservation lock and must not call xe_pfvf, except xe_pfvf_dmabuf_unmap().
 */

static unsigned int revoke_timeout_ms = 1000;
module_param(revoke_timeout_ms, uint, 0644);
MODULE_PARM_DESC(revoke_timeout_ms,
		 "Longest wait for importers to let go of a revoked dma-buf, in ms (default 1000)");

/* How often stuck buffers are polled, besides when their importers unmap. */
#define REVOKE_POLL_MS	100

/* Protects the stuck list and the stuck state of buffers and provisionings. */
static DEFINE_MUTEX(revoke_lock);
static LIST_HEAD(revoke_stuck);
static atomic64_t revoke_epochs = ATOMIC64_INIT(0);

static void revoke_poll(struct work_struct *work);
static DECLARE_DELAYED_WORK(revoke_work, revoke_poll);

/**
 * struct revoke_req - what one revocation takes away
 * @vf: whose buffers
 * @generation: only the buffers of this provisioning, 0 for all
 * @to: the state they move to, %XE_PFVF_DMABUF_SUSPENDED or
 *	%XE_PFVF_DMABUF_REVOKED
 * @epoch: tells the buffers this revocation targeted from later exports
 * @prov: the withdrawn provisioning that stuck buffers keep quarantined,
 *	  or NULL
 * @revoked: buffers whose state this revocation changed
 * @stuck: targeted buffers still mapped at the deadline
 */
struct revoke_req {
	struct xe_pfvf_vf *vf;
	u32 generation;
	enum xe_pfvf_dmabuf_state to;
	u64 epoch;
	struct xe_pfvf_prov *prov;
	unsigned int revoked;
	unsigned int stuck;
};

/* Pass 1 for one buffer: mark it and notify its importers. */
static void revoke_mark(struct xe_pfvf_dmabuf *buf, struct revoke_req *req)
{
	struct dma_resv *resv = buf->dmabuf->resv;

	if (req->generation && buf->generation != req->generation)
		return;

	dma_resv_lock(resv, NULL);
	if (buf->state < req->to) {
		buf->state = req->to;
		xe_pfvf_dmabuf_invalidate(buf->dmabuf);
		req->revoked++;
	}
	buf->revoke_epoch = max(buf->revoke_epoch, req->epoch);
	dma_resv_unlock(resv);
}

/* Unmapped and idle; the caller holds the reservation lock. */
static bool revoke_clean_locked(struct xe_pfvf_dmabuf *buf)
{
	dma_resv_assert_held(buf->dmabuf->resv);

	return !buf->nr_mapped && dma_resv_test_signaled(buf->dmabuf->resv,
							 DMA_RESV_USAGE_BOOKKEEP);
}

static bool revoke_clean(struct xe_pfvf_dmabuf *buf)
{
	bool clean;

	dma_resv_lock(buf->dmabuf->resv, NULL);
	clean = revoke_clean_locked(buf);
	dma_resv_unlock(buf->dmabuf->resv);
	return clean;
}

static long revoke_left(unsigned long deadline)
{
	return time_before(jiffies, deadline) ? deadline - jiffies : 0;
}

/*
 * Pass 2 for one buffer: wait for its fences, then for its importers to
 * unmap, until @deadline.  Returns true once it is clean.
 */
static bool revoke_wait(struct xe_pfvf_dmabuf *buf, unsigned long deadline)
{
	dma_resv_wait_timeout(buf->dmabuf->resv, DMA_RESV_USAGE_BOOKKEEP, false,
			      revoke_left(deadline));
	wait_event_timeout(buf->unmapped, !READ_ONCE(buf->nr_mapped), revoke_left(deadline));
	return revoke_clean(buf);
}

static void revoke_schedule(unsigned long delay)
{
	mod_delayed_work(xe_pfvf_wq, &revoke_work, delay);
}

/*
 * Pass 2 found @buf still in use: put it on the stuck list (holding its
 * file) and, for a withdrawal, make it hold the provisioning.
 */
static void revoke_stick(struct xe_pfvf_dmabuf *buf, struct xe_pfvf_prov *prov)
{
	char importers[128];
	bool newly = false;
	unsigned int n;

	n = xe_pfvf_dmabuf_importers(buf, importers, sizeof(importers));

	mutex_lock(&revoke_lock);
	if (!buf->stuck) {
		get_file(buf->dmabuf->file);
		buf->stuck = true;
		buf->stuck_since = jiffies;
		list_add_tail(&buf->stuck_link, &revoke_stuck);
		newly = true;
	}
	if (prov && !buf->prov) {
		buf->prov = prov;
		prov->holds++;
	}
	mutex_unlock(&revoke_lock);

	if (newly) {
		dev_err_ratelimited(&buf->pdev->dev,
				    "dma-buf %lu not revoked after %u ms: %u importer(s) still map it (%s); its VRAM stays quarantined until they let go\n",
				    buf->ino, revoke_timeout_ms, n,
				    n ? importers : "fences pending");
		revoke_schedule(msecs_to_jiffies(REVOKE_POLL_MS));
	}
}

/* Both passes over the VF's buffers that @req targets. */
static void revoke_run(struct revoke_req *req)
{
	struct xe_pfvf_dmabuf *buf = NULL;
	unsigned long deadline;

	req->epoch = atomic64_inc_return(&revoke_epochs);
	while ((buf = xe_pfvf_dmabuf_next(req->vf, buf)))
		revoke_mark(buf, req);

	deadline = jiffies + msecs_to_jiffies(revoke_timeout_ms);
	while ((buf = xe_pfvf_dmabuf_next(req->vf, buf))) {
		/* Exported after pass 1 (and so not of a withdrawn provisioning). */
		if (READ_ONCE(buf->revoke_epoch) < req->epoch)
			continue;
		if (req->generation && buf->generation != req->generation)
			continue;
		/* Stuck already: reported, and not waited for twice. */
		if (!READ_ONCE(buf->stuck) && revoke_wait(buf, deadline))
			continue;
		revoke_stick(buf, req->prov);
		req->stuck++;
	}
}

/*
 * Drop the withdrawal's hold of @prov.  With @stuck buffers holding it, it
 * is quarantined first, and released when the last of them lets go.
 */
static void revoke_prov_drop(struct xe_pfvf_prov *prov, unsigned int stuck)
{
	bool last;

	if (stuck)
		xe_pfvf_pf_prov_quarantined(prov);
	mutex_lock(&revoke_lock);
	/* Stuck buffers may have let go already: the callback comes anyway. */
	if (stuck)
		prov->reported = true;
	last = !--prov->holds;
	mutex_unlock(&revoke_lock);
	if (last)
		xe_pfvf_pf_prov_release(prov);
}

/**
 * xe_pfvf_revoke_withdrawn() - revoke the dma-bufs of withdrawn provisionings
 * @w: the provisionings, each with its VF, all in state
 *     %XE_PFVF_PROV_WITHDRAWING and holding one hold for this call
 * @nr: entries in @w
 * @why: reason, for the log
 *
 * Called by the PF registry without any lock held, after it took the
 * provisionings out of the table.  Notifies the importers of all of them
 * before waiting for any, then drops this call's hold of each: a clean
 * provisioning is freed, one with stuck buffers stays quarantined.
 *
 * Return: 0 when every buffer was revoked, -EBUSY when a provisioning is
 * quarantined.
 */
int xe_pfvf_revoke_withdrawn(struct xe_pfvf_withdrawal *w, unsigned int nr, const char *why)
{
	struct revoke_req req;
	unsigned long deadline;
	struct xe_pfvf_dmabuf *buf;
	unsigned int i, stuck = 0, revoked = 0;
	int err = 0;

	req = (struct revoke_req){ .to = XE_PFVF_DMABUF_REVOKED };
	req.epoch = atomic64_inc_return(&revoke_epochs);
	for (i = 0; i < nr; i++) {
		req.vf = w[i].vf;
		req.generation = w[i].prov->cfg->generation;
		req.revoked = 0;
		buf = NULL;
		while ((buf = xe_pfvf_dmabuf_next(req.vf, buf)))
			revoke_mark(buf, &req);
		w[i].revoked = req.revoked;
		revoked += req.revoked;
	}

	deadline = jiffies + msecs_to_jiffies(revoke_timeout_ms);
	for (i = 0; i < nr; i++) {
		w[i].stuck = 0;
		buf = NULL;
		while ((buf = xe_pfvf_dmabuf_next(w[i].vf, buf))) {
			if (buf->generation != w[i].prov->cfg->generation ||
			    READ_ONCE(buf->revoke_epoch) < req.epoch)
				continue;
			if (!READ_ONCE(buf->stuck) && revoke_wait(buf, deadline))
				continue;
			revoke_stick(buf, w[i].prov);
			w[i].stuck++;
		}
		stuck += w[i].stuck;
	}

	for (i = 0; i < nr; i++) {
		if (w[i].revoked)
			pci_info(w[i].vf->pf->pdev, "VF%u: %u dma-buf(s) revoked: %s\n",
				 w[i].vf->vfid, w[i].revoked, why);
		if (w[i].stuck) {
			pci_err(w[i].vf->pf->pdev,
				"VF%u: %s: %u dma-buf(s) still mapped, provisioning %u quarantined\n",
				w[i].vf->vfid, why, w[i].stuck, w[i].prov->cfg->generation);
			err = -EBUSY;
		}
		revoke_prov_drop(w[i].prov, w[i].stuck);
	}
	if (nr)
		atomic64_add(revoked, &w[0].vf->pf->nr_revoked);
	return err;
}

/*
 * Take @buf off the stuck list, with the revocation lock held.  Returns
 * the provisioning it released, if it was the last to hold it.
 */
static struct xe_pfvf_prov *revoke_unstick(struct xe_pfvf_dmabuf *buf)
{
	struct xe_pfvf_prov *prov = buf->prov;

	lockdep_assert_held(&revoke_lock);

	list_del_init(&buf->stuck_link);
	buf->stuck = false;
	buf->prov = NULL;
	if (prov && --prov->holds)
		prov = NULL;
	return prov;
}

/* Stuck buffers that let go, handled in batches outside the lock. */
#define REVOKE_BATCH	16

/*
 * Poll the stuck buffers; those clean now leave the quarantine.  Their
 * files are put and their provisionings released outside the revocation
 * lock.
 */
static void revoke_poll(struct work_struct *work)
{
	struct {
		struct xe_pfvf_dmabuf *buf;
		struct xe_pfvf_prov *prov;
	} done[REVOKE_BATCH];
	struct xe_pfvf_dmabuf *buf, *next;
	unsigned int n, i;
	bool more;

	do {
		n = 0;
		mutex_lock(&revoke_lock);
		list_for_each_entry_safe(buf, next, &revoke_stuck, stuck_link) {
			if (n == REVOKE_BATCH)
				break;
			if (!revoke_clean(buf))
				continue;
			done[n].buf = buf;
			done[n].prov = revoke_unstick(buf);
			n++;
		}
		more = !list_empty(&revoke_stuck);
		mutex_unlock(&revoke_lock);

		for (i = 0; i < n; i++) {
			buf = done[i].buf;
			pci_info(buf->pdev, "dma-buf %lu: importers let go after %u ms, out of quarantine\n",
				 buf->ino, jiffies_to_msecs(jiffies - buf->stuck_since));
			if (done[i].prov)
				xe_pfvf_pf_prov_release(done[i].prov);
			/* Last: the buffer holds the PF of the provisioning. */
			fput(buf->dmabuf->file);
		}
	} while (n == REVOKE_BATCH);

	if (more)
		revoke_schedule(msecs_to_jiffies(REVOKE_POLL_MS));
}

/**
 * xe_pfvf_revoke_kick() - an importer of a stuck buffer let go of it
 * @buf: the buffer
 *
 * Called under the buffer's reservation lock when its last mapping goes:
 * wakes the revokers waiting for it and, if it is stuck, polls it now.
 */
void xe_pfvf_revoke_kick(struct xe_pfvf_dmabuf *buf)
{
	wake_up_all(&buf->unmapped);
	if (READ_ONCE(buf->stuck))
		revoke_schedule(0);
}

/**
 * xe_pfvf_vf_revoke() - revoke every dma-buf of a VF
 * @vf: the VF, from xe_pfvf_vf_get()
 * @flags: %XE_PFVF_REVOKE_TEMPORARY to revoke until xe_pfvf_vf_restore()
 *	   (memory disable, reset), 0 to revoke for good (close, unbind)
 *
 * For VF variant drivers, where vfio-pci revokes its own BAR dma-bufs.
 * Notifies the importers and waits, at most ``revoke_timeout_ms`` for all
 * buffers together, for their fences and for them to unmap; until then, and
 * after a temporary revocation until xe_pfvf_vf_restore(), maps fail with
 * -ENODEV.  Buffers exported while the VF is revoked temporarily start
 * revoked.  May sleep.  Takes no PF-wide lock across the wait; do not call
 * it from a dma-buf importer callback or with a reservation lock held.
 * Logs nothing unless an importer does not let go: the caller knows why,
 * and logs it.  See "DOC: revocation".
 *
 * Return: the number of buffers this call revoked, or -EBUSY if at least
 * one buffer is still mapped at the deadline (it is then revoked, reported
 * and watched, see "DOC: revocation"), -EINVAL for unknown @flags.
 */
int xe_pfvf_vf_revoke(struct xe_pfvf_vf *vf, unsigned int flags)
{
	struct xe_pfvf_pf *pf = vf->pf;
	struct revoke_req req = { .vf = vf };

	if (flags & ~XE_PFVF_REVOKE_TEMPORARY) {
		dev_err_ratelimited(&pf->pdev->dev, "VF%u revoke: unknown flags %#x\n",
				    vf->vfid, flags);
		return -EINVAL;
	}
	spin_lock(&pf->buf_lock);
	vf->revocations++;
	/* Exports from now on start suspended. */
	if (flags & XE_PFVF_REVOKE_TEMPORARY)
		vf->suspended = true;
	spin_unlock(&pf->buf_lock);
	req.to = flags & XE_PFVF_REVOKE_TEMPORARY ? XE_PFVF_DMABUF_SUSPENDED :
						    XE_PFVF_DMABUF_REVOKED;
	revoke_run(&req);
	if (req.to == XE_PFVF_DMABUF_REVOKED)
		atomic64_add(req.revoked, &pf->nr_revoked);
	return req.stuck ? -EBUSY : req.revoked;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_revoke, XE_PFVF_NS);

/**
 * xe_pfvf_vf_restore() - end a temporary revocation of a VF's dma-bufs
 * @vf: the VF, from xe_pfvf_vf_get()
 *
 * For VF variant drivers, once the VF's memory is enabled again and no
 * reset is under way.  Buffers revoked temporarily may be mapped again; the
 * importers are notified, so that they map again when they next need to.
 * Buffers revoked for good stay revoked, and so do the buffers of a
 * provisioning that was withdrawn meanwhile.  May sleep.
 *
 * Return: the number of buffers restored.
 */
int xe_pfvf_vf_restore(struct xe_pfvf_vf *vf)
{
	struct xe_pfvf_pf *pf = vf->pf;
	struct xe_pfvf_dmabuf *buf = NULL;
	int n = 0;

	spin_lock(&pf->buf_lock);
	vf->suspended = false;
	spin_unlock(&pf->buf_lock);

	while ((buf = xe_pfvf_dmabuf_next(vf, buf))) {
		bool restored = false;

		dma_resv_lock(buf->dmabuf->resv, NULL);
		if (buf->state == XE_PFVF_DMABUF_SUSPENDED) {
			buf->state = XE_PFVF_DMABUF_LIVE;
			xe_pfvf_dmabuf_invalidate(buf->dmabuf);
			restored = true;
		}
		dma_resv_unlock(buf->dmabuf->resv);
		if (!restored)
			continue;
		n++;
		/* Live again: a live buffer may be mapped, it is not stuck. */
		mutex_lock(&revoke_lock);
		restored = buf->stuck && !buf->prov;
		if (restored)
			revoke_unstick(buf);
		mutex_unlock(&revoke_lock);
		if (restored)
			fput(buf->dmabuf->file);
	}
	return n;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_vf_restore, XE_PFVF_NS);

/**
 * xe_pfvf_dmabuf_revoke() - revoke one dma-buf for good
 * @dmabuf: a dma-buf from xe_pfvf_dmabuf_export()
 *
 * As xe_pfvf_vf_revoke(), for one buffer.  May sleep.
 *
 * Return: 0 on success (also if already revoked), -EINVAL if @dmabuf is
 * not an xe_pfvf dma-buf, -EBUSY if its importers do not let go in time.
 */
int xe_pfvf_dmabuf_revoke(struct dma_buf *dmabuf)
{
	struct xe_pfvf_dmabuf *buf;
	struct revoke_req req = { .to = XE_PFVF_DMABUF_REVOKED };

	if (!xe_pfvf_is_dmabuf(dmabuf)) {
		pr_notice_ratelimited(XE_PFVF_NAME ": revoke: not an xe_pfvf dma-buf\n");
		return -EINVAL;
	}
	buf = dmabuf->priv;
	req.vf = buf->vf;
	req.epoch = atomic64_inc_return(&revoke_epochs);
	revoke_mark(buf, &req);
	if (req.revoked) {
		atomic64_inc(&buf->vf->pf->nr_revoked);
		pci_info(buf->pdev, "dma-buf %lu revoked: revoke requested\n", buf->ino);
	}
	if (READ_ONCE(buf->stuck) ||
	    !revoke_wait(buf, jiffies + msecs_to_jiffies(revoke_timeout_ms))) {
		revoke_stick(buf, NULL);
		return -EBUSY;
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_dmabuf_revoke, XE_PFVF_NS);

/**
 * xe_pfvf_revoke_show_stuck() - list a PF's stuck dma-bufs in debugfs
 * @m: the seq_file
 * @pf: the PF
 *
 * One line per stuck buffer: VF, inode, state, milliseconds since it got
 * stuck, live mappings, the quarantined provisioning's generation (0 for
 * none), and the importers still mapping it.
 */
void xe_pfvf_revoke_show_stuck(struct seq_file *m, struct xe_pfvf_pf *pf)
{
	static const char * const states[] = {
		[XE_PFVF_DMABUF_LIVE] = "live",
		[XE_PFVF_DMABUF_SUSPENDED] = "suspended",
		[XE_PFVF_DMABUF_REVOKED] = "revoked",
	};
	struct xe_pfvf_dmabuf *buf;
	char importers[128];

	guard(mutex)(&revoke_lock);
	list_for_each_entry(buf, &revoke_stuck, stuck_link) {
		if (buf->vf->pf != pf)
			continue;
		xe_pfvf_dmabuf_importers(buf, importers, sizeof(importers));
		seq_printf(m, "stuck %u %lu %s %u %u %u %s\n", buf->vf->vfid, buf->ino,
			   states[READ_ONCE(buf->state)],
			   jiffies_to_msecs(jiffies - buf->stuck_since),
			   READ_ONCE(buf->nr_mapped),
			   buf->prov ? buf->prov->cfg->generation : 0,
			   importers[0] ? importers : "-");
	}
}

/**
 * xe_pfvf_revoke_fini() - stop polling at module unload
 *
 * Nothing can be stuck by then: a stuck buffer holds its file, and so the
 * module.
 */
void xe_pfvf_revoke_fini(void)
{
	cancel_delayed_work_sync(&revoke_work);
}
