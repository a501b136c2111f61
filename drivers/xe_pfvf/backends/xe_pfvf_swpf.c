// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/bitmap.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_swpf.h"

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
 *
 * It simulates VRAM with system memory (``vram_mb``) split into tiles
 * (``tiles``), cut into chunks of ``extent_kb``.  Every enabled VF is
 * provisioned with ``vf_quota_kb`` of it, an equal share from each tile,
 * the tiles concatenated in LMEM order.  Within a tile the chunks are
 * picked in a shuffled order (``shuffle``, ``seed``), so that a VF's
 * extents are non-contiguous and in random VRAM order, as on a PF whose
 * VRAM has seen use.  The VFs' BAR ``lmem_bar`` is their LMEM BAR.
 *
 * It also plays the PF GPU that imports VF memory exported as dma-bufs and
 * reads it through VRAM, driven from debugfs: see "DOC: software PF as
 * importer".
 */

static char *attach;
module_param(attach, charp, 0444);
MODULE_PARM_DESC(attach, "PCI address of an SR-IOV PF to bind at load (e.g. 0000:01:00.0)");

static unsigned int num_vfs;
module_param(num_vfs, uint, 0444);
MODULE_PARM_DESC(num_vfs, "VFs to enable on the PF named by attach= (default 0)");

static unsigned int vram_mb = 64;
module_param(vram_mb, uint, 0444);
MODULE_PARM_DESC(vram_mb, "Simulated VRAM per PF in MiB (default 64)");

static unsigned int tiles = 1;
module_param(tiles, uint, 0444);
MODULE_PARM_DESC(tiles, "VRAM tiles, 1-4; VF LMEM is the concatenation of equal shares (default 1)");

static unsigned int vf_quota_kb = 8192;
module_param(vf_quota_kb, uint, 0444);
MODULE_PARM_DESC(vf_quota_kb, "LMEM quota of each VF in KiB (default 8192)");

static unsigned int extent_kb = 4;
module_param(extent_kb, uint, 0444);
MODULE_PARM_DESC(extent_kb, "VRAM allocation chunk in KiB, a multiple of 4 (default 4)");

static bool shuffle = true;
module_param(shuffle, bool, 0444);
MODULE_PARM_DESC(shuffle, "Give VFs their chunks in shuffled VRAM order (default true)");

static unsigned int seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "Seed of the shuffle (default 1)");

static int lmem_bar;
module_param(lmem_bar, int, 0444);
MODULE_PARM_DESC(lmem_bar, "VF BAR used as the LMEM BAR (default 0)");

static struct pci_driver swpf_driver;
static struct pci_dev *swpf_attached;

static void swpf_chunks_put(struct swpf *swpf, const struct xe_pfvf_extent *extents,
			    unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		clear_bit(div64_u64(extents[i].start, swpf->chunk), swpf->used);
}

/*
 * Withdraw a VF's provisioning from xe_pfvf, then free its VRAM, unless an
 * importer still maps it: then xe_pfvf hands it back later
 * (swpf_lmem_released()) and it waits on @swpf->parked meanwhile.
 */
static int swpf_vf_free(struct swpf *swpf, unsigned int vfid)
{
	struct swpf_vf *vf = &swpf->vfs[vfid - 1];
	struct swpf_lmem *lmem;
	int err;

	/* Unpublished first: no fill writes the chunks once they are reused. */
	scoped_guard(mutex, &swpf->lock) {
		lmem = vf->lmem;
		vf->lmem = NULL;
	}
	if (!lmem)
		return 0;
	err = xe_pfvf_vf_unprovision(swpf->pf, vfid);
	if (err == -EBUSY) {
		pci_warn(swpf->pdev, "VF%u: VRAM quarantined by xe_pfvf, parked until released\n",
			 vfid);
		scoped_guard(mutex, &swpf->lock)
			list_add_tail(&lmem->link, &swpf->parked);
		return err;
	}
	swpf_chunks_put(swpf, lmem->extents, lmem->nr);
	kvfree(lmem);
	return err;
}

/* xe_pfvf: the last importer of a quarantined provisioning let go. */
static void swpf_lmem_released(struct xe_pfvf_pf *pf, unsigned int vfid, void *cookie)
{
	struct swpf_lmem *lmem = cookie;
	struct swpf *swpf = lmem->swpf;

	scoped_guard(mutex, &swpf->lock)
		list_del(&lmem->link);
	swpf_chunks_put(swpf, lmem->extents, lmem->nr);
	pci_info(swpf->pdev, "VF%u: quarantined VRAM released, %u chunks free again\n",
		 vfid, lmem->nr);
	kvfree(lmem);
}

/* Pick @need free chunks of [first, first + count), shuffled or in order. */
static int swpf_pick(struct swpf *swpf, struct rnd_state *rnd, unsigned int first,
		     unsigned int count, unsigned int need, struct xe_pfvf_extent *out)
{
	unsigned int *free, nr_free = 0, i, j;

	free = kvmalloc_array(count, sizeof(*free), GFP_KERNEL);
	if (!free)
		return -ENOMEM;
	for (i = first; i < first + count; i++)
		if (!test_bit(i, swpf->used))
			free[nr_free++] = i;
	if (nr_free < need) {
		kvfree(free);
		return -ENOSPC;
	}
	for (i = 0; i < need; i++) {
		if (shuffle) {
			j = i + prandom_u32_state(rnd) % (nr_free - i);
			swap(free[i], free[j]);
		}
		set_bit(free[i], swpf->used);
		out[i].start = (u64)free[i] * swpf->chunk;
		out[i].size = swpf->chunk;
	}
	kvfree(free);
	return 0;
}

static int swpf_vf_provision(struct swpf *swpf, unsigned int vfid)
{
	struct swpf_vf *vf = &swpf->vfs[vfid - 1];
	unsigned int per_tile = div64_u64((u64)vf_quota_kb << 10, swpf->chunk) / tiles;
	unsigned int tile_chunks = swpf->nr_chunks / tiles, t, nr = 0;
	struct xe_pfvf_provision prov;
	struct swpf_lmem *lmem;
	struct rnd_state rnd;
	int err;

	prandom_seed_state(&rnd, ((u64)seed << 16) | vfid);
	lmem = kvzalloc(struct_size(lmem, extents, per_tile * tiles), GFP_KERNEL);
	if (!lmem)
		return -ENOMEM;
	lmem->swpf = swpf;
	lmem->vfid = vfid;
	INIT_LIST_HEAD(&lmem->link);
	for (t = 0; t < tiles; t++) {
		err = swpf_pick(swpf, &rnd, t * tile_chunks, tile_chunks, per_tile,
				lmem->extents + nr);
		if (err)
			goto err_free;
		nr += per_tile;
	}
	lmem->nr = nr;

	prov.quota = (u64)nr * swpf->chunk;
	prov.extents = lmem->extents;
	prov.nr_extents = nr;
	prov.cookie = lmem;
	err = xe_pfvf_vf_provision(swpf->pf, vfid, &prov);
	if (err)
		goto err_free;

	scoped_guard(mutex, &swpf->lock)
		vf->lmem = lmem;
	return 0;

err_free:
	swpf_chunks_put(swpf, lmem->extents, nr);
	kvfree(lmem);
	return err;
}

static void swpf_release_vfs(struct swpf *swpf)
{
	unsigned int n;

	/*
	 * One VF at a time, so as to know whose VRAM xe_pfvf quarantines;
	 * then the VFs themselves.
	 */
	for (n = 1; n <= pci_sriov_get_totalvfs(swpf->pdev); n++)
		swpf_vf_free(swpf, n);
	xe_pfvf_pf_set_num_vfs(swpf->pf, 0);
	pci_disable_sriov(swpf->pdev);
}

static int swpf_disable_vfs(struct pci_dev *pdev, struct swpf *swpf)
{
	if (pci_vfs_assigned(pdev)) {
		pci_err(pdev, "cannot disable VFs: some are assigned to guests\n");
		return -EPERM;
	}
	swpf_release_vfs(swpf);
	return 0;
}

/**
 * swpf_vf_ctl() - provision or unprovision one VF, as a PF driver would
 * @swpf: the software PF
 * @provision: provision, or unprovision
 * @vfid: the VF, enabled
 *
 * Return: 0, -ENOENT for a VF that is not enabled, -EEXIST to provision a
 * provisioned VF, or the errno of the provisioning (-EBUSY: the VF's VRAM
 * is quarantined, or what to give it is).
 */
int swpf_vf_ctl(struct swpf *swpf, bool provision, unsigned int vfid)
{
	guard(mutex)(&swpf->cfg_lock);

	if (!vfid || vfid > pci_num_vf(swpf->pdev))
		return -ENOENT;
	if (!provision)
		return swpf_vf_free(swpf, vfid);
	if (swpf->vfs[vfid - 1].lmem)
		return -EEXIST;
	return swpf_vf_provision(swpf, vfid);
}

static int swpf_sriov_configure(struct pci_dev *pdev, int nr)
{
	struct swpf *swpf = pci_get_drvdata(pdev);
	unsigned int n;
	int err;

	guard(mutex)(&swpf->cfg_lock);
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
	for (n = 1; n <= nr; n++) {
		err = swpf_vf_provision(swpf, n);
		if (err) {
			pci_err(pdev, "provisioning VF%u failed: %pe\n", n, ERR_PTR(err));
			swpf_release_vfs(swpf);
			return err;
		}
	}
	return nr;
}

static int swpf_check_params(struct pci_dev *pdev)
{
	u64 chunk = (u64)extent_kb << 10, quota = (u64)vf_quota_kb << 10;

	if (!extent_kb || extent_kb % 4 || !tiles || tiles > 4 || !vf_quota_kb ||
	    quota % (chunk * tiles) || !vram_mb || ((u64)vram_mb << 20) % (chunk * tiles) ||
	    lmem_bar < 0 || lmem_bar >= PCI_SRIOV_NUM_BARS) {
		pci_err(pdev, "bad parameters: vram_mb=%u tiles=%u vf_quota_kb=%u extent_kb=%u lmem_bar=%d\n",
			vram_mb, tiles, vf_quota_kb, extent_kb, lmem_bar);
		return -EINVAL;
	}
	return 0;
}

static void swpf_free(struct swpf *swpf)
{
	struct swpf_lmem *lmem, *next;

	/* Unregistered: xe_pfvf hands nothing back any more. */
	list_for_each_entry_safe(lmem, next, &swpf->parked, link) {
		pci_warn(swpf->pdev, "VF%u: VRAM still quarantined at removal\n", lmem->vfid);
		kvfree(lmem);
	}
	mutex_destroy(&swpf->cfg_lock);
	mutex_destroy(&swpf->lock);
	bitmap_free(swpf->used);
	vfree(swpf->vram);
	kvfree(swpf);
}

static int swpf_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct xe_pfvf_pf_desc desc = {
		.name = SWPF_NAME,
		.lmem_bar = lmem_bar,
		.lmem_released = swpf_lmem_released,
	};
	struct swpf *swpf;
	int err;

	if (!pdev->is_physfn) {
		pci_err(pdev, "not an SR-IOV physical function\n");
		return -ENODEV;
	}
	err = swpf_check_params(pdev);
	if (err)
		return err;

	swpf = kvzalloc(struct_size(swpf, vfs, pci_sriov_get_totalvfs(pdev)), GFP_KERNEL);
	if (!swpf)
		return -ENOMEM;
	swpf->pdev = pdev;
	mutex_init(&swpf->lock);
	mutex_init(&swpf->cfg_lock);
	INIT_LIST_HEAD(&swpf->parked);
	swpf->vram_size = (u64)vram_mb << 20;
	swpf->chunk = (u64)extent_kb << 10;
	swpf->nr_chunks = div64_u64(swpf->vram_size, swpf->chunk);
	swpf->vram = vzalloc(swpf->vram_size);
	swpf->used = bitmap_zalloc(swpf->nr_chunks, GFP_KERNEL);
	if (!swpf->vram || !swpf->used) {
		swpf_free(swpf);
		return -ENOMEM;
	}

	desc.vram_size = swpf->vram_size;
	swpf->pf = xe_pfvf_pf_register(pdev, &desc);
	if (IS_ERR(swpf->pf)) {
		err = PTR_ERR(swpf->pf);
		pci_err(pdev, "registering with xe_pfvf failed: %pe\n", ERR_PTR(err));
		swpf_free(swpf);
		return err;
	}
	pci_set_drvdata(pdev, swpf);

	err = swpf_imports_init(swpf);
	if (err)
		goto err_unregister;
	swpf_debugfs_pf_add(swpf);
	if (pdev == swpf_attached && num_vfs) {
		err = swpf_sriov_configure(pdev, num_vfs);
		if (err < 0)
			goto err_debugfs;
	}
	pci_info(pdev, "software PF attached: %u MiB VRAM in %u tile(s), %u KiB chunks\n",
		 vram_mb, tiles, extent_kb);
	return 0;

err_debugfs:
	swpf_debugfs_pf_remove(swpf);
	swpf_imports_fini(swpf);
err_unregister:
	xe_pfvf_pf_unregister(swpf->pf);
	swpf_free(swpf);
	return err;
}

static void swpf_remove(struct pci_dev *pdev)
{
	struct swpf *swpf = pci_get_drvdata(pdev);

	/*
	 * The PF side goes first, as on a GPU PF driver: its withdrawal
	 * revokes the VFs' dma-bufs, which notifies the imports still held
	 * here.  The importer then lets go of them: its ops are in this
	 * module's text and its slots in @swpf.
	 */
	swpf_debugfs_pf_remove(swpf);
	scoped_guard(mutex, &swpf->cfg_lock)
		if (pci_num_vf(pdev))
			swpf_release_vfs(swpf);
	xe_pfvf_pf_unregister(swpf->pf);
	swpf_imports_fini(swpf);
	swpf_free(swpf);
	pci_info(pdev, "software PF detached\n");
}

/*
 * PCIe error recovery, as a GPU PF driver takes part in it: the simulated
 * VRAM is system memory and survives any reset, so the PF recovers once
 * its link is back, and the VFs' variant drivers get their resume.
 */
static pci_ers_result_t swpf_error_detected(struct pci_dev *pdev, pci_channel_state_t state)
{
	pci_info(pdev, "PCIe error, channel state %d\n", state);
	if (state == pci_channel_io_perm_failure)
		return PCI_ERS_RESULT_DISCONNECT;
	return state == pci_channel_io_frozen ? PCI_ERS_RESULT_NEED_RESET :
						PCI_ERS_RESULT_CAN_RECOVER;
}

static pci_ers_result_t swpf_slot_reset(struct pci_dev *pdev)
{
	return PCI_ERS_RESULT_RECOVERED;
}

static void swpf_resume(struct pci_dev *pdev)
{
	pci_info(pdev, "recovered from a PCIe error\n");
}

static const struct pci_error_handlers swpf_err_handlers = {
	.error_detected = swpf_error_detected,
	.slot_reset = swpf_slot_reset,
	.resume = swpf_resume,
};

/* No ID table: the driver binds only where it is asked to. */
static struct pci_driver swpf_driver = {
	.name = SWPF_NAME,
	.probe = swpf_probe,
	.remove = swpf_remove,
	.sriov_configure = swpf_sriov_configure,
	.err_handler = &swpf_err_handlers,
};

/**
 * xe_pfvf_swpf_vram() - the simulated VRAM of a software PF
 * @pdev: a PF bound to xe_pfvf_swpf
 * @size: set to the size of the VRAM in bytes
 *
 * For in-kernel benchmarks and tests that play the PF GPU reading what it
 * imported over the private interconnect: VRAM address n (as in
 * &xe_pfvf_extent.start of a &struct xe_pfvf_mapping) is byte n of the
 * returned memory.  It stays valid while the PF stays bound.  A caller
 * that reads it under the reservation lock of a buffer it maps over the
 * private interconnect has that guarantee: removing the PF revokes the
 * mapping (under that lock) before the VRAM is freed.
 *
 * Return: the VRAM, or ERR_PTR(-ENODEV) if @pdev is not bound to
 * xe_pfvf_swpf.
 */
const void *xe_pfvf_swpf_vram(struct pci_dev *pdev, u64 *size)
{
	struct swpf *swpf;

	if (!pdev || pdev->dev.driver != &swpf_driver.driver) {
		pr_notice_ratelimited(SWPF_NAME ": %s is not a software PF\n",
				      pdev ? pci_name(pdev) : "(none)");
		return ERR_PTR(-ENODEV);
	}
	swpf = pci_get_drvdata(pdev);
	*size = swpf->vram_size;
	return swpf->vram;
}
EXPORT_SYMBOL_NS_GPL(xe_pfvf_swpf_vram, XE_PFVF_NS);

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
	err = xe_pfvf_set_driver_override(pdev, SWPF_NAME);
	if (!err)
		err = device_driver_attach(&swpf_driver.driver, &pdev->dev);
	if (err) {
		pci_err(pdev, "attach failed: %pe\n", ERR_PTR(err));
		xe_pfvf_set_driver_override(pdev, "");
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
	xe_pfvf_set_driver_override(swpf_attached, "");
	pci_dev_put(swpf_attached);
	swpf_attached = NULL;
}

static int __init swpf_init(void)
{
	int err;

	swpf_debugfs_init();
	err = pci_register_driver(&swpf_driver);
	if (err)
		goto err_debugfs;

	if (attach && *attach) {
		err = swpf_attach(attach);
		if (err)
			goto err_unregister;
	}
	return 0;

err_unregister:
	pci_unregister_driver(&swpf_driver);
err_debugfs:
	swpf_debugfs_fini();
	return err;
}

static void __exit swpf_exit(void)
{
	swpf_detach();
	pci_unregister_driver(&swpf_driver);
	swpf_debugfs_fini();
}

module_init(swpf_init);
module_exit(swpf_exit);

MODULE_DESCRIPTION("xe_pfvf software PF backend");
MODULE_AUTHOR("The xe_pfvf authors");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(XE_PFVF_NS);
MODULE_IMPORT_NS(XE_PFVF_DMA_BUF_NS);
