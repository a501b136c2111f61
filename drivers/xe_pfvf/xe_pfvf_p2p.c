// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 */

#include <linux/dma-mapping.h>
#include <linux/hashtable.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xe_pfvf.h>

#include "xe_pfvf_dmabuf.h"
#include "xe_pfvf_drv.h"

/**
 * DOC: standard path
 *
 * An importer that is not the VF's PF asking for the private interconnect
 * gets the VF's LMEM BAR ranges as an &struct sg_table of DMA addresses,
 * where the kernel's PCI P2PDMA rules allow peer-to-peer between the VF
 * and the importer, and -EREMOTEIO where they do not: the importer is not
 * a PCI device, the kernel was built without CONFIG_PCI_P2PDMA, or the
 * topology does not allow it (ACS redirect towards a host bridge that is
 * not on the kernel's allow-list, on a CPU the kernel does not trust to
 * route P2P).
 *
 * The verdict is the kernel's.  pci_p2pdma_distance() says whether, with
 * the ACS, host bridge and CPU rules included.  How follows the rule of the
 * kernel's own map type (calc_map_type_and_dist() in
 * drivers/pci/p2pdma.c): PCI bus addresses only where the two functions
 * meet below a common upstream bridge and no device on either path up to
 * it redirects peer-to-peer requests upstream (ACS RR, CR or EC), and
 * otherwise the path through the host bridge, with addresses mapped for
 * the importer by dma_map_resource().  Kernels that export the map type
 * (6.19, pci_p2pdma_map_type()) are asked directly; the compat header
 * names that call.
 *
 * The kernel is asked once per importer and VF, and the verdict is kept
 * until a PCI device is added or removed: the kernel logs a warning each
 * time it finds ACS redirect on the path, and an importer repeating its
 * attach must not flood the log.  Each refusal is logged once per pair,
 * under the VF's name, and the kept verdicts are listed in debugfs ``p2p``
 * (see "DOC: debugfs").  Segments are cut to the importer's DMA max
 * segment size.
 */

/* Verdicts kept at most; the cache starts afresh beyond. */
#define P2P_CACHE_MAX	1024

/**
 * enum p2p_why - what decided a verdict
 * @P2P_NOT_PCI: the importer is not a PCI device
 * @P2P_NO_P2PDMA: the kernel has no PCI P2PDMA
 * @P2P_KERNEL: pci_p2pdma_distance() decided
 */
enum p2p_why {
	P2P_NOT_PCI,
	P2P_NO_P2PDMA,
	P2P_KERNEL,
};

/**
 * struct p2p_verdict - the kernel's answer for one importer and VF
 * @node: entry in the cache
 * @vf: the VF (the provider of the BAR)
 * @importer: the importing device
 * @map: how the importer reaches the VF's BAR
 * @why: what decided it
 * @distance: the kernel's distance, -1 when refused
 * @name: the importer's name, for debugfs
 */
struct p2p_verdict {
	struct hlist_node node;
	struct pci_dev *vf;
	const struct device *importer;
	enum xe_pfvf_p2p_map map;
	enum p2p_why why;
	int distance;
	char name[32];
};

static DEFINE_HASHTABLE(p2p_cache, 6);
static DEFINE_SPINLOCK(p2p_lock);
static unsigned int p2p_cached;

static u32 p2p_key(const struct pci_dev *vf, const struct device *importer)
{
	return hash_ptr(vf, 32) ^ hash_ptr(importer, 32);
}

/* The cached verdict, or -ENOENT; the caller holds @p2p_lock. */
static int p2p_lookup(const struct pci_dev *vf, const struct device *importer,
		      enum xe_pfvf_p2p_map *map)
{
	struct p2p_verdict *v;

	lockdep_assert_held(&p2p_lock);

	hash_for_each_possible(p2p_cache, v, node, p2p_key(vf, importer)) {
		if (v->vf == vf && v->importer == importer) {
			*map = v->map;
			return 0;
		}
	}
	return -ENOENT;
}

static void p2p_forget_all(void)
{
	struct p2p_verdict *v;
	struct hlist_node *tmp;
	unsigned int bkt;

	lockdep_assert_held(&p2p_lock);

	hash_for_each_safe(p2p_cache, bkt, tmp, v, node) {
		hash_del(&v->node);
		kfree(v);
	}
	p2p_cached = 0;
}

/* Mirrors pci_bridge_has_acs_redir() of drivers/pci/p2pdma.c. */
static bool p2p_acs_redirects(struct pci_dev *pdev)
{
	u16 ctrl;

	if (!pdev->acs_cap)
		return false;
	pci_read_config_word(pdev, pdev->acs_cap + PCI_ACS_CTRL, &ctrl);
	return ctrl & (PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_EC);
}

/*
 * How @client reaches @provider once the kernel allows it: the rule of the
 * kernel's calc_map_type_and_dist(), for kernels that do not export it.
 */
static enum xe_pfvf_p2p_map p2p_map_type(struct pci_dev *provider, struct pci_dev *client)
{
	struct pci_dev *a, *b;
	bool acs = false;

	for (a = provider; a; a = pci_upstream_bridge(a)) {
		acs |= p2p_acs_redirects(a);
		for (b = client; b; b = pci_upstream_bridge(b))
			if (a == b)
				goto common;
	}
	return XE_PFVF_P2P_HOST_BRIDGE;

common:
	for (b = client; b != a; b = pci_upstream_bridge(b))
		acs |= p2p_acs_redirects(b);
	return acs ? XE_PFVF_P2P_HOST_BRIDGE : XE_PFVF_P2P_BUS_ADDR;
}

/*
 * Whether a function on the path between two functions redirects P2P, as
 * calc_map_type_and_dist() counts it: the provider's side up to and
 * including the common upstream bridge, the client's side below it.
 */
static bool p2p_path_redirects(struct pci_dev *provider, struct pci_dev *client)
{
	struct pci_dev *a, *b;

	for (a = provider; a; a = pci_upstream_bridge(a))
		for (b = client; b; b = pci_upstream_bridge(b))
			if (a == b)
				goto common;
	a = NULL;
common:
	for (b = provider; b; b = pci_upstream_bridge(b)) {
		if (p2p_acs_redirects(b))
			return true;
		if (b == a)
			break;
	}
	for (b = client; b != a; b = pci_upstream_bridge(b))
		if (p2p_acs_redirects(b))
			return true;
	return false;
}

/**
 * xe_pfvf_p2p_query() - the kernel's P2PDMA verdict for any two functions
 * @provider: the function whose memory is read
 * @client: the function reading it
 * @ans: the answer
 *
 * For the uAPI (%XE_PFVF_IOC_P2P): pci_p2pdma_distance() without its
 * warnings, and the map type as xe_pfvf's standard path would use it.
 * Nothing is cached; xe_pfvf logs nothing (6.1 still warns about a host
 * bridge off its allow-list).  May sleep.
 */
void xe_pfvf_p2p_query(struct pci_dev *provider, struct pci_dev *client,
		       struct xe_pfvf_p2p_answer *ans)
{
	ans->map = XE_PFVF_P2P_REFUSED;
	ans->distance = -1;
	ans->no_p2pdma = !IS_ENABLED(CONFIG_PCI_P2PDMA);
	ans->acs_redirect = p2p_path_redirects(provider, client);
	if (ans->no_p2pdma)
		return;
	ans->distance = pci_p2pdma_distance(provider, &client->dev, false);
	if (ans->distance >= 0)
		ans->map = p2p_map_type(provider, client);
}

/* Ask the kernel; logs a refusal under the VF's name. */
static void p2p_ask(struct pci_dev *vf, int bar, struct device *importer, struct p2p_verdict *v)
{
	v->map = XE_PFVF_P2P_REFUSED;
	v->distance = -1;
	if (!dev_is_pci(importer)) {
		v->why = P2P_NOT_PCI;
		pci_notice(vf, "standard path to %s refused: not a PCI device, no peer-to-peer path\n",
			   dev_name(importer));
		return;
	}
	if (!IS_ENABLED(CONFIG_PCI_P2PDMA)) {
		v->why = P2P_NO_P2PDMA;
		pci_notice(vf, "standard path to %s refused: kernel built without PCI P2PDMA\n",
			   dev_name(importer));
		return;
	}
	v->why = P2P_KERNEL;
	v->distance = pci_p2pdma_distance(vf, importer, false);
	if (v->distance < 0) {
		pci_notice(vf, "standard path to %s refused: the kernel allows no peer-to-peer path (ACS redirect to a host bridge off the P2PDMA allow-list)\n",
			   dev_name(importer));
		return;
	}
	if (xe_pfvf_p2pdma_map_type(vf, bar, importer, &v->map))
		v->map = p2p_map_type(vf, to_pci_dev(importer));
	pci_dbg(vf, "standard path to %s: %s, distance %d\n", dev_name(importer),
		xe_pfvf_p2p_map_name(v->map), v->distance);
}

/**
 * xe_pfvf_p2p_check() - may an importer take a VF's BAR on the standard path?
 * @vf: the VF
 * @bar: the VF's LMEM BAR index
 * @importer: the importing device
 * @map: where to store how it reaches the BAR
 *
 * See "DOC: standard path".  May sleep.
 *
 * Return: 0, or -EREMOTEIO when there is no peer-to-peer path.
 */
int xe_pfvf_p2p_check(struct pci_dev *vf, int bar, struct device *importer,
		      enum xe_pfvf_p2p_map *map)
{
	struct p2p_verdict *v, ask = {};

	spin_lock(&p2p_lock);
	if (!p2p_lookup(vf, importer, map)) {
		spin_unlock(&p2p_lock);
		if (*map == XE_PFVF_P2P_REFUSED)
			pci_dbg(vf, "standard path to %s refused, as before\n", dev_name(importer));
		return *map == XE_PFVF_P2P_REFUSED ? -EREMOTEIO : 0;
	}
	spin_unlock(&p2p_lock);

	p2p_ask(vf, bar, importer, &ask);
	*map = ask.map;

	/* Without memory for the cache, ask again next time. */
	v = kmemdup(&ask, sizeof(ask), GFP_KERNEL);
	if (v) {
		v->vf = vf;
		v->importer = importer;
		strscpy(v->name, dev_name(importer), sizeof(v->name));
		spin_lock(&p2p_lock);
		if (p2p_lookup(vf, importer, map)) {
			if (p2p_cached >= P2P_CACHE_MAX)
				p2p_forget_all();
			hash_add(p2p_cache, &v->node, p2p_key(vf, importer));
			p2p_cached++;
			v = NULL;
		}
		spin_unlock(&p2p_lock);
		kfree(v);
	}
	return *map == XE_PFVF_P2P_REFUSED ? -EREMOTEIO : 0;
}

/**
 * xe_pfvf_p2p_show() - list the verdicts kept for a PF's VFs in debugfs
 * @m: the seq_file
 * @pf: the PF
 *
 * One line per importer and VF: the VF, the importer, the map type, what
 * decided it and the kernel's distance.
 */
void xe_pfvf_p2p_show(struct seq_file *m, struct pci_dev *pf)
{
	static const char * const whys[] = {
		[P2P_NOT_PCI] = "not-pci",
		[P2P_NO_P2PDMA] = "no-p2pdma",
		[P2P_KERNEL] = "kernel",
	};
	static const char * const maps[] = {
		[XE_PFVF_P2P_REFUSED] = "refused",
		[XE_PFVF_P2P_BUS_ADDR] = "bus-address",
		[XE_PFVF_P2P_HOST_BRIDGE] = "host-bridge",
	};
	struct p2p_verdict *v;
	unsigned int bkt;

	seq_puts(m, "vf importer map why distance\n");
	spin_lock(&p2p_lock);
	hash_for_each(p2p_cache, bkt, v, node)
		if (pci_physfn(v->vf) == pf)
			seq_printf(m, "%s %s %s %s %d\n", pci_name(v->vf), v->name, maps[v->map],
				   whys[v->why], v->distance);
	spin_unlock(&p2p_lock);
}

/**
 * xe_pfvf_p2p_map_name() - name of a map type, for logs
 * @map: &enum xe_pfvf_p2p_map
 *
 * Return: the name.
 */
const char *xe_pfvf_p2p_map_name(enum xe_pfvf_p2p_map map)
{
	switch (map) {
	case XE_PFVF_P2P_BUS_ADDR:
		return "bus addresses";
	case XE_PFVF_P2P_HOST_BRIDGE:
		return "through the host bridge";
	default:
		return "refused";
	}
}

/*
 * Largest scatterlist segment for the importer: its DMA max segment size
 * (which also keeps every length within the 32 bits of sg_dma_len()),
 * rounded down to whole granules.
 */
static u64 p2p_max_seg(struct device *dev)
{
	u64 seg = dma_get_max_seg_size(dev);

	return seg >= XE_PFVF_GRANULE ? round_down(seg, XE_PFVF_GRANULE) : seg;
}

static void p2p_unmap_segs(struct device *importer, enum xe_pfvf_p2p_map map,
			   struct sg_table *sgt, unsigned int nents, enum dma_data_direction dir)
{
	struct scatterlist *sg;
	unsigned int i;

	if (map == XE_PFVF_P2P_HOST_BRIDGE)
		for_each_sg(sgt->sgl, sg, nents, i)
			dma_unmap_resource(importer, sg_dma_address(sg), sg_dma_len(sg), dir,
					   DMA_ATTR_SKIP_CPU_SYNC);
	sg_free_table(sgt);
}

/**
 * xe_pfvf_p2p_map() - map BAR ranges for a standard-path importer
 * @importer: the importing device
 * @map: how it reaches the BAR, from xe_pfvf_p2p_check()
 * @bar: the VF's LMEM BAR
 * @ranges: offsets into @bar, checked against its size at export
 * @nr_ranges: entries in @ranges
 * @dir: the DMA direction
 * @sgt: the table to fill
 *
 * Return: 0, -ENXIO for a range beyond the BAR, -E2BIG for more segments
 * than a scatterlist takes, -EIO if a mapping fails, -ENOMEM.
 */
int xe_pfvf_p2p_map(struct device *importer, enum xe_pfvf_p2p_map map,
		    const struct xe_pfvf_bar *bar, const struct xe_pfvf_dmabuf_range *ranges,
		    unsigned int nr_ranges, enum dma_data_direction dir, struct sg_table *sgt)
{
	u64 seg = p2p_max_seg(importer), nents = 0, off, left, len;
	unsigned int i, done = 0;
	struct scatterlist *sg;
	dma_addr_t addr;
	int err;

	for (i = 0; i < nr_ranges; i++) {
		const struct xe_pfvf_dmabuf_range *r = &ranges[i];

		/* LMEM offsets are BAR offsets, if the BAR reaches that far. */
		if (r->offset >= bar->size || r->length > bar->size - r->offset)
			return -ENXIO;
		nents += div64_u64(r->length + seg - 1, seg);
	}
	if (nents > UINT_MAX)
		return -E2BIG;
	err = sg_alloc_table(sgt, nents, GFP_KERNEL_ACCOUNT);
	if (err)
		return err;

	sg = sgt->sgl;
	for (i = 0; i < nr_ranges; i++) {
		off = ranges[i].offset;
		for (left = ranges[i].length; left; off += len, left -= len) {
			len = min(left, seg);
			if (map == XE_PFVF_P2P_BUS_ADDR) {
				addr = bar->bus + off;
			} else {
				addr = dma_map_resource(importer, bar->cpu + off, len, dir,
							DMA_ATTR_SKIP_CPU_SYNC);
				if (dma_mapping_error(importer, addr)) {
					p2p_unmap_segs(importer, map, sgt, done, dir);
					return -EIO;
				}
			}
			sg_set_page(sg, NULL, len, 0);
			sg_dma_address(sg) = addr;
			sg_dma_len(sg) = len;
			sg = sg_next(sg);
			done++;
		}
	}
	return 0;
}

/**
 * xe_pfvf_p2p_unmap() - undo xe_pfvf_p2p_map()
 * @importer: the importing device
 * @map: as given to xe_pfvf_p2p_map()
 * @sgt: the table it filled; freed, not the struct itself
 * @dir: the DMA direction
 */
void xe_pfvf_p2p_unmap(struct device *importer, enum xe_pfvf_p2p_map map,
		       struct sg_table *sgt, enum dma_data_direction dir)
{
	p2p_unmap_segs(importer, map, sgt, sgt->orig_nents, dir);
}

/* A device came or went: topology and device pointers may have changed. */
static int p2p_bus_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	if (action == BUS_NOTIFY_ADD_DEVICE || action == BUS_NOTIFY_DEL_DEVICE ||
	    action == BUS_NOTIFY_REMOVED_DEVICE) {
		spin_lock(&p2p_lock);
		p2p_forget_all();
		spin_unlock(&p2p_lock);
	}
	return NOTIFY_DONE;
}

static struct notifier_block p2p_nb = {
	.notifier_call = p2p_bus_notify,
};

/**
 * xe_pfvf_p2p_init() - start following PCI topology changes
 *
 * Return: 0 or a negative errno.
 */
int xe_pfvf_p2p_init(void)
{
	return bus_register_notifier(&pci_bus_type, &p2p_nb);
}

/**
 * xe_pfvf_p2p_fini() - forget every verdict
 */
void xe_pfvf_p2p_fini(void)
{
	bus_unregister_notifier(&pci_bus_type, &p2p_nb);
	spin_lock(&p2p_lock);
	p2p_forget_all();
	spin_unlock(&p2p_lock);
}
