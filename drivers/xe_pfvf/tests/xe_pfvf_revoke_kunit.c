// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 *
 * KUnit tests of revocation against hostile importers, on a real SR-IOV PF
 * (QEMU's emulated NVMe PF in the test VM): an importer that never unmaps
 * keeps its VRAM quarantined and the PF driver is told; one VF's stuck
 * importer does not delay another VF; pinning is refused; a detach does not
 * leave a mapping behind; exports are bounded; translations never mix two
 * provisionings; temporary revocation and restore.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_kunit_common.h"

/*
 * Well below the revocation timeout (1000 ms by default): an operation this
 * fast did not wait for a stuck importer, even on a loaded, emulated CPU.
 */
#define QUICK_MS	500

/**
 * struct released - what the PF driver hears back
 * @done: completed by the lmem_released callback
 * @vfid: the VF it named
 * @cookie: the cookie it gave back
 */
struct released {
	struct completion done;
	unsigned int vfid;
	void *cookie;
};

static void revoke_lmem_released(struct xe_pfvf_pf *pf, unsigned int vfid, void *cookie)
{
	struct released *r = cookie;

	r->vfid = vfid;
	r->cookie = cookie;
	complete(&r->done);
}

static const struct xe_pfvf_pf_desc revoke_desc = {
	.name = "kunit-revoke",
	.vram_size = SZ_1G,
	.lmem_bar = 0,
	.lmem_released = revoke_lmem_released,
};

/**
 * struct importer - an importer played by the test
 * @map: the current private mapping, NULL when unmapped
 * @sgt: the current standard mapping, NULL when unmapped
 * @notified: move_notify calls
 * @stall: ignore move_notify and keep the mapping, as a broken importer does
 */
struct importer {
	const struct xe_pfvf_mapping *map;
	struct sg_table *sgt;
	int notified;
	bool stall;
};

struct revoke_test {
	struct xe_pfvf_kunit_pf k;
	struct xe_pfvf_vf *vf[2];
	struct released rel;
	struct xe_pfvf_provision prov1;
};

static void importer_unmap(struct dma_buf_attachment *attach, struct importer *imp)
{
	if (imp->map)
		xe_pfvf_dmabuf_unmap(attach, imp->map);
	imp->map = NULL;
	if (imp->sgt)
		dma_buf_unmap_attachment(attach, imp->sgt, DMA_BIDIRECTIONAL);
	imp->sgt = NULL;
}

static void importer_move_notify(struct dma_buf_attachment *attach)
{
	struct importer *imp = attach->importer_priv;

	imp->notified++;
	if (!imp->stall)
		importer_unmap(attach, imp);
}

static const struct dma_buf_attach_ops importer_ops = {
	.allow_peer2peer = true,
	.XE_PFVF_INVALIDATE_MAPPINGS = importer_move_notify,
};

static int revoke_test_init(struct kunit *test)
{
	struct revoke_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	init_completion(&t->rel.done);
	xe_pfvf_kunit_pf_up(test, &t->k, &revoke_desc);
	if (!t->k.pdev)
		return 0;

	/* VF1 with a cookie the PF driver gets back if it is quarantined. */
	t->prov1 = xe_pfvf_kunit_prov[0];
	t->prov1.cookie = &t->rel;
	KUNIT_ASSERT_EQ(test, xe_pfvf_vf_provision(t->k.pf, 1, &t->prov1), 0);
	KUNIT_ASSERT_EQ(test, xe_pfvf_vf_provision(t->k.pf, 2, &xe_pfvf_kunit_prov[1]), 0);
	t->vf[0] = xe_pfvf_vf_get(t->k.vf[0]);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->vf[0]);
	t->vf[1] = xe_pfvf_vf_get(t->k.vf[1]);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->vf[1]);
	return 0;
}

static void revoke_test_exit(struct kunit *test)
{
	struct revoke_test *t = test->priv;

	if (!IS_ERR_OR_NULL(t->vf[0]))
		xe_pfvf_vf_put(t->vf[0]);
	if (!IS_ERR_OR_NULL(t->vf[1]))
		xe_pfvf_vf_put(t->vf[1]);
	xe_pfvf_kunit_pf_down(&t->k);
}

static struct revoke_test *require_setup(struct kunit *test)
{
	struct revoke_test *t = test->priv;

	if (!t->k.pdev)
		kunit_skip(test, "no unbound SR-IOV PF with 2 or more VFs");
	return t;
}

static struct dma_buf *export(struct xe_pfvf_vf *vf, u32 space, u64 offset, u64 length)
{
	struct xe_pfvf_dmabuf_range r = { offset, length };
	struct xe_pfvf_dmabuf_desc desc = {
		.space = space, .ranges = &r, .nr_ranges = 1, .flags = O_RDWR,
	};

	return xe_pfvf_dmabuf_export(vf, &desc);
}

static struct dma_buf_attachment *attach_private(struct kunit *test, struct revoke_test *t,
						 struct dma_buf *dmabuf, struct importer *imp)
{
	struct dma_buf_attachment *attach;

	attach = xe_pfvf_dmabuf_attach(dmabuf, &t->k.pdev->dev, &importer_ops, imp,
				       XE_PFVF_INTERCONNECT_LMEM);
	/* No assertion: the test must clean up what it holds. */
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, attach);
	return IS_ERR(attach) ? NULL : attach;
}

static int map_private(struct dma_buf_attachment *attach, struct importer *imp)
{
	const struct xe_pfvf_mapping *map;

	if (!attach)
		return -EINVAL;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	map = xe_pfvf_dmabuf_map(attach);
	if (!IS_ERR(map))
		imp->map = map;
	dma_resv_unlock(attach->dmabuf->resv);
	return PTR_ERR_OR_ZERO(map);
}

static void unmap(struct dma_buf_attachment *attach, struct importer *imp)
{
	if (!attach)
		return;
	dma_resv_lock(attach->dmabuf->resv, NULL);
	importer_unmap(attach, imp);
	dma_resv_unlock(attach->dmabuf->resv);
}

/* Unmaps what the importer still maps, then detaches; NULL is a no-op. */
static void detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach,
		   struct importer *imp)
{
	if (!attach)
		return;
	unmap(attach, imp);
	dma_buf_detach(dmabuf, attach);
}

static s64 ms_since(ktime_t start)
{
	return ktime_ms_delta(ktime_get(), start);
}

/*
 * An importer that never unmaps: the unprovision says -EBUSY, the VRAM is
 * quarantined (listed in debugfs, refused to another VF) until the importer
 * lets go, and then the PF driver gets its cookie back.
 */
static void revoke_stuck_importer_quarantines(struct kunit *test)
{
	struct revoke_test *t = require_setup(test);
	struct importer imp = { .stall = true };
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;

	dmabuf = export(t->vf[0], XE_PFVF_SPACE_LMEM, 0, SZ_32K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	attach = attach_private(test, t, dmabuf, &imp);
	KUNIT_EXPECT_EQ(test, map_private(attach, &imp), 0);

	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_unprovision(t->k.pf, 1), -EBUSY);
	KUNIT_EXPECT_EQ(test, imp.notified, 1);
	KUNIT_EXPECT_NOT_NULL(test, imp.map);
	/* Revoked all the same: no new mapping. */
	KUNIT_EXPECT_EQ(test, map_private(attach, &imp), -ENODEV);

	/* VF1's VRAM may not go to VF2 meanwhile. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_provision(t->k.pf, 2, &xe_pfvf_kunit_prov[0]), -EBUSY);
	KUNIT_EXPECT_FALSE(test, completion_done(&t->rel.done));

	/* The importer lets go: the cookie comes back, the VRAM is free. */
	unmap(attach, &imp);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&t->rel.done, 5 * HZ), 0);
	KUNIT_EXPECT_EQ(test, t->rel.vfid, 1);
	KUNIT_EXPECT_PTR_EQ(test, t->rel.cookie, (void *)&t->rel);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_provision(t->k.pf, 2, &xe_pfvf_kunit_prov[0]), 0);

	detach(dmabuf, attach, &imp);
	dma_buf_put(dmabuf);
}

/* An importer that lets go in time: 0, and the PF driver hears nothing. */
static void revoke_prompt_importer_is_clean(struct kunit *test)
{
	struct revoke_test *t = require_setup(test);
	struct importer imp = {};
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;

	dmabuf = export(t->vf[0], XE_PFVF_SPACE_LMEM, 0, SZ_8K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	attach = attach_private(test, t, dmabuf, &imp);
	KUNIT_EXPECT_EQ(test, map_private(attach, &imp), 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_unprovision(t->k.pf, 1), 0);
	KUNIT_EXPECT_EQ(test, imp.notified, 1);
	KUNIT_EXPECT_NULL(test, imp.map);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_provision(t->k.pf, 2, &xe_pfvf_kunit_prov[0]), 0);
	KUNIT_EXPECT_FALSE(test, completion_done(&t->rel.done));
	detach(dmabuf, attach, &imp);
	dma_buf_put(dmabuf);
}

/*
 * A stuck importer of VF1 reported by a VF reset first: the revocation says
 * -EBUSY, a second one does not wait for it again, and the unprovision
 * still quarantines the provisioning without waiting.
 */
static void revoke_stuck_is_waited_for_once(struct kunit *test)
{
	struct revoke_test *t = require_setup(test);
	struct importer imp = { .stall = true };
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	ktime_t start;

	dmabuf = export(t->vf[0], XE_PFVF_SPACE_BAR, 0, SZ_4K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	attach = attach_private(test, t, dmabuf, &imp);
	KUNIT_EXPECT_EQ(test, map_private(attach, &imp), 0);

	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_revoke(t->vf[0], 0), -EBUSY);
	start = ktime_get();
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_revoke(t->vf[0], 0), -EBUSY);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_unprovision(t->k.pf, 1), -EBUSY);
	KUNIT_EXPECT_LT(test, ms_since(start), QUICK_MS);

	unmap(attach, &imp);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&t->rel.done, 5 * HZ), 0);
	detach(dmabuf, attach, &imp);
	dma_buf_put(dmabuf);
}

/* Pinning is refused wherever the dma-buf core has move_notify. */
static void revoke_pin_refused(struct kunit *test)
{
	struct revoke_test *t = require_setup(test);
	struct importer imp = {};
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	int err;

	dmabuf = export(t->vf[0], XE_PFVF_SPACE_BAR, 0, SZ_4K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	attach = attach_private(test, t, dmabuf, &imp);
	dma_resv_lock(dmabuf->resv, NULL);
	err = dma_buf_pin(attach);
	if (!err)
		dma_buf_unpin(attach);
	dma_resv_unlock(dmabuf->resv);
	if (IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY))
		KUNIT_EXPECT_EQ(test, err, -EOPNOTSUPP);
	else
		KUNIT_EXPECT_EQ(test, err, 0);
	detach(dmabuf, attach, &imp);
	dma_buf_put(dmabuf);
}

/*
 * An importer that detaches with its mapping live: no mapping is left
 * behind, so the next revocation has nothing to wait for.
 */
static void revoke_detach_drops_its_mappings(struct kunit *test)
{
	struct revoke_test *t = require_setup(test);
	struct importer imp = {};
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	ktime_t start;

	dmabuf = export(t->vf[0], XE_PFVF_SPACE_BAR, 0, SZ_8K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	attach = attach_private(test, t, dmabuf, &imp);
	KUNIT_EXPECT_EQ(test, map_private(attach, &imp), 0);
	KUNIT_EXPECT_EQ(test, map_private(attach, &imp), 0);
	if (attach)
		dma_buf_detach(dmabuf, attach);

	start = ktime_get();
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_revoke(t->vf[0], 0), 1);
	KUNIT_EXPECT_LT(test, ms_since(start), QUICK_MS);
	dma_buf_put(dmabuf);
}

/* A mapping that is not the attachment's is refused without a splat. */
static void revoke_bogus_unmap_is_ignored(struct kunit *test)
{
	struct revoke_test *t = require_setup(test);
	struct importer a = {}, b = {};
	struct dma_buf_attachment *att_a, *att_b;
	struct dma_buf *x, *y;
	ktime_t start;

	x = export(t->vf[0], XE_PFVF_SPACE_BAR, 0, SZ_4K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, x);
	y = export(t->vf[0], XE_PFVF_SPACE_BAR, SZ_4K, SZ_4K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, y);
	att_a = attach_private(test, t, x, &a);
	att_b = attach_private(test, t, y, &b);
	KUNIT_EXPECT_EQ(test, map_private(att_a, &a), 0);
	/* b unmaps a's mapping through its own attachment, twice. */
	dma_resv_lock(y->resv, NULL);
	xe_pfvf_dmabuf_unmap(att_b, a.map);
	xe_pfvf_dmabuf_unmap(att_b, a.map);
	dma_resv_unlock(y->resv);
	/* a's mapping is still counted: revoking x waits for a, which unmaps. */
	start = ktime_get();
	KUNIT_EXPECT_EQ(test, xe_pfvf_dmabuf_revoke(x), 0);
	KUNIT_EXPECT_EQ(test, a.notified, 1);
	KUNIT_EXPECT_LT(test, ms_since(start), QUICK_MS);
	detach(x, att_a, &a);
	detach(y, att_b, &b);
	dma_buf_put(x);
	dma_buf_put(y);
}

/**
 * struct unprovision_job - an unprovision of VF1 run by a thread
 * @pf: the PF
 * @err: its result
 * @done: completed when it returned
 */
struct unprovision_job {
	struct xe_pfvf_pf *pf;
	int err;
	struct completion done;
};

static int unprovision_thread(void *data)
{
	struct unprovision_job *job = data;

	job->err = xe_pfvf_vf_unprovision(job->pf, 1);
	complete(&job->done);
	return 0;
}

/*
 * While VF1's unprovision waits for a stuck importer, VF2 is exported,
 * mapped, revoked, released and provisioned again without waiting for it.
 */
static void revoke_no_pf_lock_across_waits(struct kunit *test)
{
	struct revoke_test *t = require_setup(test);
	struct importer stuck = { .stall = true }, imp = {};
	struct dma_buf_attachment *attach1, *attach2;
	struct unprovision_job job = {};
	struct task_struct *thread;
	struct dma_buf *buf1, *buf2;
	bool overlapped;
	ktime_t start;
	s64 ms;

	buf1 = export(t->vf[0], XE_PFVF_SPACE_BAR, 0, SZ_4K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf1);
	attach1 = attach_private(test, t, buf1, &stuck);
	KUNIT_EXPECT_EQ(test, map_private(attach1, &stuck), 0);

	if (!attach1 || !stuck.map) {
		detach(buf1, attach1, &stuck);
		dma_buf_put(buf1);
		return;
	}
	job.pf = t->k.pf;
	init_completion(&job.done);
	thread = kthread_run(unprovision_thread, &job, "xe_pfvf_kunit_unprov");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, thread);
	/* Notified: the unprovision is in its wait now. */
	while (!READ_ONCE(stuck.notified))
		usleep_range(500, 1000);

	start = ktime_get();
	buf2 = export(t->vf[1], XE_PFVF_SPACE_BAR, 0, SZ_4K);
	if (!IS_ERR(buf2)) {
		attach2 = xe_pfvf_dmabuf_attach(buf2, &t->k.pdev->dev, &importer_ops, &imp,
						XE_PFVF_INTERCONNECT_LMEM);
		if (!IS_ERR(attach2)) {
			KUNIT_EXPECT_EQ(test, map_private(attach2, &imp), 0);
			KUNIT_EXPECT_EQ(test, xe_pfvf_vf_revoke(t->vf[1], 0), 1);
			KUNIT_EXPECT_EQ(test, imp.notified, 1);
			dma_buf_detach(buf2, attach2);
		}
		dma_buf_put(buf2);
	}
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_unprovision(t->k.pf, 2), 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_provision(t->k.pf, 2, &xe_pfvf_kunit_prov[1]), 0);
	ms = ms_since(start);
	overlapped = !completion_done(&job.done);

	wait_for_completion(&job.done);
	KUNIT_EXPECT_FALSE(test, IS_ERR(buf2));
	KUNIT_EXPECT_LT(test, ms, QUICK_MS);
	KUNIT_EXPECT_TRUE_MSG(test, overlapped, "VF1's unprovision finished before VF2's work");
	KUNIT_EXPECT_EQ(test, job.err, -EBUSY);

	unmap(attach1, &stuck);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&t->rel.done, 5 * HZ), 0);
	detach(buf1, attach1, &stuck);
	dma_buf_put(buf1);
}

/* VF1 provisioned with @n 4 KiB extents, none contiguous in VRAM. */
static void provision_fragmented(struct kunit *test, struct revoke_test *t, unsigned int n)
{
	struct xe_pfvf_extent *ext;
	struct xe_pfvf_provision prov = { .quota = (u64)n * SZ_4K, .nr_extents = n };
	unsigned int i;

	ext = kvmalloc_array(n, sizeof(*ext), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ext);
	for (i = 0; i < n; i++)
		ext[i] = (struct xe_pfvf_extent){ SZ_1M + (u64)i * SZ_8K, SZ_4K };
	prov.extents = ext;
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_unprovision(t->k.pf, 1), 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_provision(t->k.pf, 1, &prov), 0);
	kvfree(ext);
}

static int export_ranges(struct xe_pfvf_vf *vf, u64 length, unsigned int nr)
{
	struct xe_pfvf_dmabuf_range *r;
	struct xe_pfvf_dmabuf_desc desc = {
		.space = XE_PFVF_SPACE_LMEM, .nr_ranges = nr, .flags = O_RDWR,
	};
	struct dma_buf *dmabuf;
	unsigned int i;

	r = kvmalloc_array(nr, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		r[i] = (struct xe_pfvf_dmabuf_range){ 0, length };
	desc.ranges = r;
	dmabuf = xe_pfvf_dmabuf_export(vf, &desc);
	kvfree(r);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	dma_buf_put(dmabuf);
	return 0;
}

/*
 * The extents of one buffer are capped, repeated ranges counted in full:
 * 4096 ranges over 65536 extents each (a 4 GiB extent array before the cap)
 * are refused at once with E2BIG, without a splat.
 */
static void revoke_export_extent_cap(struct kunit *test)
{
	struct revoke_test *t = require_setup(test);
	const u64 quota = (u64)XE_PFVF_DMABUF_MAX_EXTENTS * SZ_4K;
	ktime_t start;

	provision_fragmented(test, t, XE_PFVF_DMABUF_MAX_EXTENTS);
	KUNIT_EXPECT_EQ(test, export_ranges(t->vf[0], quota, 1), 0);
	KUNIT_EXPECT_EQ(test, export_ranges(t->vf[0], quota, 2), -E2BIG);
	KUNIT_EXPECT_EQ(test, export_ranges(t->vf[0], SZ_4K, XE_PFVF_DMABUF_MAX_RANGES), 0);
	start = ktime_get();
	KUNIT_EXPECT_EQ(test, export_ranges(t->vf[0], quota, XE_PFVF_DMABUF_MAX_RANGES), -E2BIG);
	KUNIT_EXPECT_LT(test, ms_since(start), QUICK_MS);
}

/* Results accumulated across a reprovisioning are refused. */
static void revoke_translation_generation(struct kunit *test)
{
	struct revoke_test *t = require_setup(test);
	struct xe_pfvf_xlate_req req = {
		.space = XE_PFVF_SPACE_LMEM, .vfid = 1, .addr = 0, .len = SZ_4K,
	};
	struct xe_pfvf_extent ext[4];
	struct xe_pfvf_xlate_res res = { .ext = ext, .max = ARRAY_SIZE(ext) };

	KUNIT_ASSERT_EQ(test, xe_pfvf_pf_translate(t->k.pf, NULL, &req, &res), 0);
	KUNIT_ASSERT_EQ(test, xe_pfvf_vf_provision(t->k.pf, 1, &xe_pfvf_kunit_prov[0]), 0);
	req.addr = SZ_4K;
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_translate(t->k.pf, NULL, &req, &res), -EAGAIN);
	KUNIT_EXPECT_EQ(test, res.nr, 1);
	res = (struct xe_pfvf_xlate_res){ .ext = ext, .max = ARRAY_SIZE(ext) };
	KUNIT_EXPECT_EQ(test, xe_pfvf_pf_translate(t->k.pf, NULL, &req, &res), 0);
}

/*
 * Memory disable and reset revoke until restore; buffers exported meanwhile
 * start revoked; revocations for good and withdrawals are not undone.
 */
static void revoke_temporary_and_restore(struct kunit *test)
{
	struct revoke_test *t = require_setup(test);
	struct importer a = {}, b = {};
	struct dma_buf_attachment *att;
	struct dma_buf *x, *y;

	x = export(t->vf[0], XE_PFVF_SPACE_BAR, 0, SZ_4K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, x);
	att = attach_private(test, t, x, &a);
	KUNIT_EXPECT_EQ(test, map_private(att, &a), 0);

	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_revoke(t->vf[0], XE_PFVF_REVOKE_TEMPORARY), 1);
	KUNIT_EXPECT_EQ(test, a.notified, 1);
	KUNIT_EXPECT_EQ(test, map_private(att, &a), -ENODEV);
	/* Exported while the memory is off: revoked from the start. */
	y = export(t->vf[0], XE_PFVF_SPACE_BAR, SZ_4K, SZ_4K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, y);
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_dmabuf_attach(y, &t->k.pdev->dev, &importer_ops, &b,
							    XE_PFVF_INTERCONNECT_LMEM)),
			-ENODEV);

	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_restore(t->vf[0]), 2);
	KUNIT_EXPECT_EQ(test, map_private(att, &a), 0);
	unmap(att, &a);
	detach(x, att, &a);
	att = attach_private(test, t, y, &b);
	KUNIT_EXPECT_EQ(test, map_private(att, &b), 0);

	/* Revoked for good, then restored: stays revoked. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_dmabuf_revoke(y), 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_restore(t->vf[0]), 0);
	KUNIT_EXPECT_EQ(test, map_private(att, &b), -ENODEV);
	detach(y, att, &b);

	/* Withdrawn while suspended: not restored either. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_revoke(t->vf[0], XE_PFVF_REVOKE_TEMPORARY), 1);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_unprovision(t->k.pf, 1), 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_restore(t->vf[0]), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_dmabuf_attach(x, &t->k.pdev->dev, &importer_ops, &a,
							    XE_PFVF_INTERCONNECT_LMEM)),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, xe_pfvf_vf_revoke(t->vf[0], BIT(5)), -EINVAL);
	dma_buf_put(x);
	dma_buf_put(y);
}

static struct kunit_case revoke_test_cases[] = {
	KUNIT_CASE(revoke_stuck_importer_quarantines),
	KUNIT_CASE(revoke_prompt_importer_is_clean),
	KUNIT_CASE(revoke_stuck_is_waited_for_once),
	KUNIT_CASE(revoke_pin_refused),
	KUNIT_CASE(revoke_detach_drops_its_mappings),
	KUNIT_CASE(revoke_bogus_unmap_is_ignored),
	KUNIT_CASE(revoke_no_pf_lock_across_waits),
	KUNIT_CASE(revoke_export_extent_cap),
	KUNIT_CASE(revoke_translation_generation),
	KUNIT_CASE(revoke_temporary_and_restore),
	{}
};

static struct kunit_suite revoke_test_suite = {
	.name = "xe_pfvf_revoke",
	.init = revoke_test_init,
	.exit = revoke_test_exit,
	.test_cases = revoke_test_cases,
};

kunit_test_suite(revoke_test_suite);
