// SPDX-License-Identifier: MIT
/**
 * TEST: xe pfvf dmabuf
 * Category: Core
 * Mega feature: SR-IOV
 * Sub-category: xe_pfvf
 * Functionality: VF VRAM dma-bufs over the private interconnect
 * Description: A VMM exports a VF's LMEM as a dma-buf through VFIO
 *	(VFIO_DEVICE_FEATURE_DMA_BUF on the VF variant driver
 *	xe_pfvf_vfio_pci), the VF's own PF imports it over the private
 *	interconnect xe_pfvf-lmem and reads the VF's memory back through the
 *	VRAM extents it is given; a VF reset revokes the import until the VF's
 *	memory is back, closing the VFIO device revokes it for good, and an
 *	importer that is not the PF is refused.  The PF, its VFs and the
 *	importer are found through the xe_pfvf debugfs and sysfs, whichever
 *	PF driver registered the PF; the import itself needs a PF driver
 *	with an import interface this test knows (the software PF,
 *	xe_pfvf_swpf), else those subtests skip.
 *
 * SUBTEST: vfio-export
 * Description: The VMM's side: the first provisioned VF bound to
 *	xe_pfvf_vfio_pci and opened through VFIO exports its whole LMEM BAR,
 *	then two ranges out of order.  Each dma-buf has the size of its
 *	ranges and xe_pfvf as exporter (fdinfo), is listed live in the PF's
 *	debugfs "dmabufs" with its VF and number of ranges, refuses CPU
 *	mmap() with EOPNOTSUPP, and is gone from "dmabufs" once closed.
 *
 * SUBTEST: vfio-export-bad-range
 * Description: One dynamic subtest per refused export, each with the
 *	errno the README documents: a range past the LMEM BAR and one across
 *	its end (ENXIO), an unaligned offset and a zero length (EINVAL), no
 *	ranges (EINVAL), an offset that wraps around (EOVERFLOW), another
 *	region than the LMEM BAR (ENODEV), more than 4096 ranges (E2BIG).
 *
 * SUBTEST: pf-import-readback
 * Description: The PF writes a seeded pattern into the VF's LMEM, imports
 *	the VMM's dma-buf of the whole LMEM BAR over the private interconnect
 *	and gets the VRAM extents that the translate file gives for the same
 *	LMEM, then reads the pattern back byte for byte through them; a
 *	buffer of three ranges out of order reads back as their
 *	concatenation; a new pattern written after the import is what the
 *	import reads (the VF's memory itself, not a copy).
 *
 * SUBTEST: flr-revokes
 * Description: A function level reset of the VF (sysfs reset) revokes
 *	the PF's import: the importer is notified, its mapping is gone and
 *	reads fail with ENODEV.  Once the reset is done the buffer is
 *	restored (notified again), maps onto the same VRAM extents and reads
 *	back what the PF writes into the VF's memory.
 *
 * SUBTEST: close-revokes
 * Description: Closing the VFIO device fd revokes the buffer for good:
 *	the import is notified, reads and maps fail with ENODEV, a new import
 *	is refused with ENODEV, and "dmabufs" lists the buffer revoked.
 *
 * SUBTEST: foreign-importer-refused
 * Description: vgem, a DRM driver that is neither the VF's PF nor a PCI
 *	device with a peer-to-peer path to the VF, fails to PRIME-import the
 *	buffer with EREMOTEIO, and with ENODEV once the buffer is revoked.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "igt_decls.h"
#include "xe_pfvf_igt_common.h"
#include "xe_pfvf_vfio_uapi.h"

IGT_TEST_DESCRIPTION("VF VRAM dma-bufs: VFIO export, PF import over the private interconnect, revocation");

#define DEBUGFS_ROOT	"/sys/kernel/debug"
#define XE_PFVF_DIR	DEBUGFS_ROOT "/xe_pfvf"
#define PCI_DEVICES	"/sys/bus/pci/devices"
#define PCI_DRIVERS	"/sys/bus/pci/drivers"

#define VARIANT_DRIVER	"xe_pfvf_vfio_pci"
#define EXPORTER_NAME	"xe_pfvf"
#define BDF_LEN		32
#define NAME_LEN	64
#define PAGE_4K		((uint64_t)0x1000)
#define MAX_EXTENTS	4096
#define MAX_RANGES	XE_PFVF_VFIO_DMA_BUF_MAX_RANGES
#define RESTORE_TIMEOUT_MS 10000

#define SEED_A		0x5eed0001ull
#define SEED_B		0xb0b0cafeull

struct range {
	uint64_t start;
	uint64_t size;
};

/* What the test found: the PF, its first provisioned VF, the importer. */
static struct {
	char pf[BDF_LEN];
	char driver[NAME_LEN];		/* the registered PF driver */
	int lmem_bar;
	unsigned int vf;		/* 1-based */
	char vf_bdf[BDF_LEN];
	uint64_t bar_size;
	const struct pf_importer *importer;	/* NULL: none this test knows */
	bool loaded_variant;		/* we loaded xe_pfvf_vfio_pci */
	bool loaded_vgem;		/* we loaded vgem */
} env;

/* ----------------------------------------------------------- file helpers */

/* The last component of the symlink @path into @out; false if none. */
static bool link_name(const char *path, char *out, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *slash;

	if (n < 0)
		return false;
	target[n] = '\0';
	slash = strrchr(target, '/');
	snprintf(out, size, "%.*s", (int)size - 1, slash ? slash + 1 : target);
	return true;
}

/* The value of "<key>: <value>" in the PF's debugfs info; false if absent. */
static bool info_field(const char *pf, const char *key, char *out, size_t size)
{
	char path[PATH_MAX], *buf, *line, *save = NULL;
	size_t klen = strlen(key);
	bool found = false;

	snprintf(path, sizeof(path), XE_PFVF_DIR "/%s/info", pf);
	buf = xe_pfvf_read_all(path);
	if (!buf)
		return false;
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, klen) && line[klen] == ':' && line[klen + 1] == ' ') {
			snprintf(out, size, "%s", line + klen + 2);
			found = true;
		}
	}
	free(buf);
	return found;
}

/*
 * The first provisioned VF of @pf with an LMEM BAR, from its debugfs "vfs"
 * table ("vf bdf state quota extents generation bar_cpu bar_bus").
 */
static bool first_bar_vf(const char *pf)
{
	char path[PATH_MAX], *buf, *line, *save = NULL;
	bool found = false, header = true;

	snprintf(path, sizeof(path), XE_PFVF_DIR "/%s/vfs", pf);
	buf = xe_pfvf_read_all(path);
	if (!buf)
		return false;
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char bdf[BDF_LEN], state[32], bar[64];
		unsigned int vf;
		uint64_t cpu, size;

		if (header) {
			header = false;
			continue;
		}
		if (sscanf(line, "%u %31s %31s %*s %*s %*s %63s", &vf, bdf, state, bar) != 4 ||
		    strcmp(state, "provisioned") ||
		    sscanf(bar, "%" SCNx64 "+%" SCNx64, &cpu, &size) != 2 || !size)
			continue;
		env.vf = vf;
		snprintf(env.vf_bdf, sizeof(env.vf_bdf), "%s", bdf);
		env.bar_size = size;
		found = true;
	}
	free(buf);
	return found;
}

/* --------------------------------------------------- the PF-side importer */

/* An import as the importer reports it. */
struct import_status {
	char state[16];		/* empty, mapped, unmapped, revoked */
	char mode[16];		/* -, lmem, standard */
	unsigned int vf;
	uint64_t size;
	unsigned int nr;
	unsigned int notified;	/* revocations and restorations seen */
	int err;		/* -errno of the last import or map */
	struct range ext[MAX_EXTENTS];
};

/*
 * How the registered PF driver imports a dma-buf of its VF's memory over
 * the private interconnect and reads it through the VRAM extents it is
 * given: the only PF-specific part of this test.  Each call returns 0 or
 * -errno.
 */
struct pf_importer {
	const char *driver;
	/* Whether @pf offers this import interface. */
	bool (*present)(const char *pf);
	/* The PF writes the pattern of @seed into @len bytes of VF @vf's LMEM from @lmem. */
	int (*fill)(unsigned int vf, uint64_t lmem, uint64_t len, uint64_t seed);
	/* The byte that pattern has at LMEM offset @lmem. */
	uint8_t (*pattern)(uint64_t seed, uint64_t lmem);
	/* Import the dma-buf @fd into slot @slot and map it. */
	int (*import)(unsigned int slot, int fd);
	/* "map" again after a revocation, or "release" the slot. */
	int (*ctl)(unsigned int slot, const char *cmd);
	int (*status)(unsigned int slot, struct import_status *st);
	/* Read the whole buffer through the mapping; the byte count or -errno. */
	ssize_t (*read)(unsigned int slot, uint8_t *buf, size_t size);
	unsigned int nr_slots;
};

/*
 * The software PF (xe_pfvf_swpf) imports through its debugfs,
 * /sys/kernel/debug/xe_pfvf_swpf/<pf>/: "fill" writes VF LMEM as the PF,
 * "slot<k>/{import,ctl,status,data}" import and read back (the software
 * PF's "DOC: software PF as importer").  Its VF BARs are the emulated
 * device's registers, not the simulated VRAM, so the pattern is written as
 * the PF, not through the VF BAR.
 */
#define SWPF_DIR	DEBUGFS_ROOT "/xe_pfvf_swpf"

static void swpf_path(char *out, size_t size, const char *file)
{
	snprintf(out, size, SWPF_DIR "/%s/%s", env.pf, file);
}

static bool swpf_present(const char *pf)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SWPF_DIR "/%s/slot0/import", pf);
	return access(path, W_OK) == 0;
}

static int swpf_fill(unsigned int vf, uint64_t lmem, uint64_t len, uint64_t seed)
{
	char path[PATH_MAX], req[128];

	swpf_path(path, sizeof(path), "fill");
	snprintf(req, sizeof(req), "vf=%u lmem=%#" PRIx64 " len=%#" PRIx64 " seed=%#" PRIx64,
		 vf, lmem, len, seed);
	return xe_pfvf_write_str(path, req);
}

/* The software PF's fill pattern, as its DOC block defines it. */
static uint8_t swpf_pattern(uint64_t seed, uint64_t lmem)
{
	uint64_t x = (seed * 0x9e3779b97f4a7c15ull) ^ ((lmem + 1) * 0xbf58476d1ce4e5b9ull);

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (uint8_t)(x >> 56);
}

static void swpf_slot_path(char *out, size_t size, unsigned int slot, const char *file)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "slot%u/%s", slot, file);
	swpf_path(out, size, rel);
}

static int swpf_import(unsigned int slot, int fd)
{
	char path[PATH_MAX], req[32];

	swpf_slot_path(path, sizeof(path), slot, "import");
	snprintf(req, sizeof(req), "%d", fd);
	return xe_pfvf_write_str(path, req);
}

static int swpf_ctl(unsigned int slot, const char *cmd)
{
	char path[PATH_MAX];

	swpf_slot_path(path, sizeof(path), slot, "ctl");
	return xe_pfvf_write_str(path, cmd);
}

/* "state=.. mode=.. vf=.. size=.. extents=.. notified=.. err=..", then extents */
static int swpf_status(unsigned int slot, struct import_status *st)
{
	char path[PATH_MAX], *buf, *line, *save = NULL;
	int err = 0;

	swpf_slot_path(path, sizeof(path), slot, "status");
	buf = xe_pfvf_read_all(path);
	if (!buf)
		return -errno;
	line = strtok_r(buf, "\n", &save);
	if (!line ||
	    sscanf(line, "state=%15s mode=%15s vf=%u size=%" SCNu64 " extents=%u notified=%u err=%d",
		   st->state, st->mode, &st->vf, &st->size, &st->nr, &st->notified,
		   &st->err) != 7 || st->nr > MAX_EXTENTS) {
		free(buf);
		return -EPROTO;
	}
	for (unsigned int i = 0; i < st->nr; i++) {
		line = strtok_r(NULL, "\n", &save);
		if (!line || sscanf(line, "%" SCNx64 " %" SCNx64, &st->ext[i].start,
				    &st->ext[i].size) != 2) {
			err = -EPROTO;
			break;
		}
	}
	free(buf);
	return err;
}

static ssize_t swpf_read(unsigned int slot, uint8_t *buf, size_t size)
{
	char path[PATH_MAX];
	size_t len = 0;
	int fd;

	swpf_slot_path(path, sizeof(path), slot, "data");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r = read(fd, buf + len, size - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		if (r == 0 || len + r == size) {
			len += r;
			break;
		}
		len += r;
	}
	close(fd);
	return len;
}

static const struct pf_importer swpf_importer = {
	.driver = "xe_pfvf_swpf",
	.present = swpf_present,
	.fill = swpf_fill,
	.pattern = swpf_pattern,
	.import = swpf_import,
	.ctl = swpf_ctl,
	.status = swpf_status,
	.read = swpf_read,
	.nr_slots = 4,
};

/*
 * The importer of the PF driver that registered @pf, or NULL when that
 * driver offers no import interface this test knows (an Xe PF, whose
 * import would bind the extents into its GPU page tables, has none yet).
 */
static const struct pf_importer *pf_importer_find(const char *pf, const char *driver)
{
	static const struct pf_importer * const importers[] = { &swpf_importer };

	for (size_t i = 0; i < sizeof(importers) / sizeof(importers[0]); i++)
		if (!strcmp(importers[i]->driver, driver) && importers[i]->present(pf))
			return importers[i];
	return NULL;
}

static const struct pf_importer *require_importer(void)
{
	igt_require_f(env.importer,
		      "PF %s is registered by %s, which offers no import interface this test knows\n",
		      env.pf, env.driver);
	return env.importer;
}

static void release_slots(void)
{
	if (!env.importer)
		return;
	for (unsigned int k = 0; k < env.importer->nr_slots; k++)
		env.importer->ctl(k, "release");
}

static void import_status(unsigned int slot, struct import_status *st)
{
	int err = env.importer->status(slot, st);

	igt_assert_f(err == 0, "slot %u status: %s\n", slot, strerror(-err));
}

/* ------------------------------------------------------- the VMM: VFIO */

/* The VF opened through VFIO, as a VMM holds it. */
static struct {
	bool bound;			/* we bound it to the variant driver */
	char original[NAME_LEN];	/* its driver before, "" if none */
	int container, group, device;
} vfio = { .container = -1, .group = -1, .device = -1 };

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void vfio_close_device(void)
{
	close_fd(&vfio.device);
}

/* Undo vfio_open(), whatever part of it was done. */
static void vfio_close(void)
{
	char path[PATH_MAX];

	vfio_close_device();
	if (vfio.group >= 0)
		ioctl(vfio.group, VFIO_GROUP_UNSET_CONTAINER);
	close_fd(&vfio.group);
	close_fd(&vfio.container);
	if (!vfio.bound)
		return;
	snprintf(path, sizeof(path), PCI_DRIVERS "/" VARIANT_DRIVER "/unbind");
	xe_pfvf_write_str(path, env.vf_bdf);
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", env.vf_bdf);
	xe_pfvf_write_str(path, "\n");
	if (vfio.original[0]) {
		snprintf(path, sizeof(path), PCI_DRIVERS "/%s/bind", vfio.original);
		xe_pfvf_write_str(path, env.vf_bdf);
	}
	vfio.bound = false;
}

/*
 * Devices other than the VF, its fellow VFs and bridges in the VF's IOMMU
 * group: VFIO cannot take the group while they are bound elsewhere.
 */
static bool group_blocked(char *who, size_t size)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	who[0] = '\0';
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group/devices", env.vf_bdf);
	dir = opendir(path);
	if (!dir) {
		snprintf(who, size, "no IOMMU group");
		return true;
	}
	while ((de = readdir(dir))) {
		char p[PATH_MAX], *cls;
		bool bridge;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, env.vf_bdf))
			continue;
		snprintf(p, sizeof(p), PCI_DEVICES "/%s/physfn", de->d_name);
		if (access(p, F_OK) == 0)
			continue;
		snprintf(p, sizeof(p), PCI_DEVICES "/%s/class", de->d_name);
		cls = xe_pfvf_read_all(p);
		bridge = cls && !strncmp(cls, "0x0604", 6);
		free(cls);
		if (!bridge) {
			snprintf(who, size, "%.*s", (int)size - 1, de->d_name);
			break;
		}
	}
	closedir(dir);
	return who[0] != '\0';
}

static struct vfio_region_info region_info(unsigned int index)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };

	igt_assert_f(ioctl(vfio.device, VFIO_DEVICE_GET_REGION_INFO, &info) == 0,
		     "VFIO_DEVICE_GET_REGION_INFO %u: %s\n", index, strerror(errno));
	return info;
}

/* Set the memory space enable bit of the VF's command register. */
static void enable_memory(void)
{
	struct vfio_region_info cfg = region_info(VFIO_PCI_CONFIG_REGION_INDEX);
	uint16_t cmd;

	igt_assert(pread(vfio.device, &cmd, 2, cfg.offset + PCI_COMMAND) == 2);
	cmd |= PCI_COMMAND_MEMORY;
	igt_assert(pwrite(vfio.device, &cmd, 2, cfg.offset + PCI_COMMAND) == 2);
}

/*
 * Bind the VF to the variant driver and open it through VFIO: group,
 * type1 container, device; enable its memory.  Skips where its IOMMU
 * group cannot go to VFIO.
 */
static void vfio_open(void)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[PATH_MAX], group[NAME_LEN], who[NAME_LEN];
	unsigned long type;
	int err;

	if (vfio.device >= 0)
		return;
	vfio_close();
	igt_skip_on_f(group_blocked(who, sizeof(who)),
		      "VF %s's IOMMU group also holds %s: VFIO cannot take it\n", env.vf_bdf, who);

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", env.vf_bdf);
	if (!link_name(path, vfio.original, sizeof(vfio.original)))
		vfio.original[0] = '\0';
	igt_assert_f(strcmp(vfio.original, VARIANT_DRIVER),
		     "VF %s is bound to " VARIANT_DRIVER " already\n", env.vf_bdf);
	vfio.bound = true;
	if (vfio.original[0]) {
		snprintf(path, sizeof(path), PCI_DRIVERS "/%s/unbind", vfio.original);
		err = xe_pfvf_write_str(path, env.vf_bdf);
		igt_assert_f(!err, "unbinding %s from %s: %s\n", env.vf_bdf, vfio.original,
			     strerror(-err));
	}
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", env.vf_bdf);
	err = xe_pfvf_write_str(path, VARIANT_DRIVER);
	igt_assert_f(!err, "driver_override of %s: %s\n", env.vf_bdf, strerror(-err));
	err = xe_pfvf_write_str(PCI_DRIVERS "/" VARIANT_DRIVER "/bind", env.vf_bdf);
	igt_assert_f(!err, "binding %s to " VARIANT_DRIVER ": %s\n", env.vf_bdf, strerror(-err));

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group", env.vf_bdf);
	igt_assert(link_name(path, group, sizeof(group)));
	vfio.container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	igt_assert_f(vfio.container >= 0, "/dev/vfio/vfio: %s\n", strerror(errno));
	igt_assert_eq(ioctl(vfio.container, VFIO_GET_API_VERSION), VFIO_API_VERSION);
	type = ioctl(vfio.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0 ?
	       VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	vfio.group = open(path, O_RDWR | O_CLOEXEC);
	igt_assert_f(vfio.group >= 0, "%s: %s\n", path, strerror(errno));
	igt_assert(ioctl(vfio.group, VFIO_GROUP_GET_STATUS, &status) == 0);
	igt_assert_f(status.flags & VFIO_GROUP_FLAGS_VIABLE, "VFIO group %s not viable\n", group);
	igt_assert_f(ioctl(vfio.group, VFIO_GROUP_SET_CONTAINER, &vfio.container) == 0,
		     "VFIO_GROUP_SET_CONTAINER: %s\n", strerror(errno));
	igt_assert_f(ioctl(vfio.container, VFIO_SET_IOMMU, type) == 0,
		     "VFIO_SET_IOMMU: %s\n", strerror(errno));
	vfio.device = ioctl(vfio.group, VFIO_GROUP_GET_DEVICE_FD, env.vf_bdf);
	igt_assert_f(vfio.device >= 0, "VFIO_GROUP_GET_DEVICE_FD %s: %s\n", env.vf_bdf,
		     strerror(errno));
	enable_memory();
}

/* A DMA_BUF feature request; the fields a hostile VMM may set wrong. */
struct export_req {
	uint32_t region;
	uint32_t open_flags;
	uint32_t nr_ranges;	/* as told to the driver */
	unsigned int nr;	/* ranges actually passed */
	const struct range *ranges;
};

/* VFIO_DEVICE_FEATURE_DMA_BUF: the new dma-buf fd, or -errno. */
static int export_raw(const struct export_req *req)
{
	size_t head = sizeof(struct vfio_device_feature);
	size_t body = sizeof(struct vfio_device_feature_dma_buf);
	size_t size = head + body + req->nr * sizeof(struct vfio_region_dma_range);
	struct vfio_device_feature *feature = calloc(1, size);
	struct vfio_device_feature_dma_buf *dma;
	int fd;

	igt_assert(feature);
	feature->argsz = size;
	feature->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
	dma = (struct vfio_device_feature_dma_buf *)feature->data;
	dma->region_index = req->region;
	dma->open_flags = req->open_flags;
	dma->nr_ranges = req->nr_ranges;
	for (unsigned int i = 0; i < req->nr; i++) {
		dma->dma_ranges[i].offset = req->ranges[i].start;
		dma->dma_ranges[i].length = req->ranges[i].size;
	}
	fd = ioctl(vfio.device, VFIO_DEVICE_FEATURE, feature);
	fd = fd < 0 ? -errno : fd;
	free(feature);
	return fd;
}

/* A dma-buf of @nr ranges of the LMEM BAR; asserts that the export works. */
static int export_ranges(const struct range *ranges, unsigned int nr)
{
	struct export_req req = {
		.region = env.lmem_bar,
		.open_flags = O_CLOEXEC | O_RDWR,
		.nr_ranges = nr,
		.nr = nr,
		.ranges = ranges,
	};
	int fd = export_raw(&req);

	igt_assert_f(fd >= 0, "VFIO_DEVICE_FEATURE_DMA_BUF of %u range(s) of VF %s: %s\n",
		     nr, env.vf_bdf, strerror(-fd));
	return fd;
}

static const struct range *whole_bar(void)
{
	static struct range r;

	r.start = 0;
	r.size = env.bar_size;
	return &r;
}

/* ------------------------------------------------------------- checks */

/* A field "<key>:\t<value>" of the fd's /proc fdinfo; false if absent. */
static bool fdinfo_field(int fd, const char *key, char *out, size_t size)
{
	char path[64], *buf, *line, *save = NULL;
	size_t klen = strlen(key);
	bool found = false;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	buf = xe_pfvf_read_all(path);
	igt_assert_f(buf, "%s: %s\n", path, strerror(errno));
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			snprintf(out, size, "%s", line + klen + 1 + strspn(line + klen + 1, " \t"));
			found = true;
		}
	}
	free(buf);
	return found;
}

/* A buffer's line in the PF's debugfs "dmabufs". */
struct buf_entry {
	unsigned int vf;
	char state[16];
	uint64_t size;
	unsigned int ranges, extents, attachments, mapped;
};

/* Find the dma-buf @fd (by inode) in "dmabufs"; false if not listed. */
static bool dmabufs_entry(int fd, struct buf_entry *e)
{
	char path[PATH_MAX], *buf, *line, *save = NULL;
	struct stat st;
	bool found = false;

	igt_assert(fstat(fd, &st) == 0);
	snprintf(path, sizeof(path), XE_PFVF_DIR "/%s/dmabufs", env.pf);
	buf = xe_pfvf_read_all(path);
	igt_assert_f(buf, "%s: %s\n", path, strerror(errno));
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long ino;

		if (sscanf(line, "%u %lu %15s %" SCNu64 " %u %u %u %u", &e->vf, &ino, e->state,
			   &e->size, &e->ranges, &e->extents, &e->attachments, &e->mapped) == 8 &&
		    ino == st.st_ino)
			found = true;
	}
	free(buf);
	return found;
}

static bool inode_listed(ino_t ino)
{
	char path[PATH_MAX], *buf, *line, *save = NULL;
	bool found = false;

	snprintf(path, sizeof(path), XE_PFVF_DIR "/%s/dmabufs", env.pf);
	buf = xe_pfvf_read_all(path);
	igt_assert_f(buf, "%s: %s\n", path, strerror(errno));
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long i;

		found = sscanf(line, "%*u %lu", &i) == 1 && i == ino;
	}
	free(buf);
	return found;
}

static void check_exported(int fd, uint64_t size, unsigned int ranges)
{
	struct buf_entry e;
	char val[64];
	void *p;

	igt_assert_f(fdinfo_field(fd, "exp_name", val, sizeof(val)) && !strcmp(val, EXPORTER_NAME),
		     "dma-buf exporter '%s', expected " EXPORTER_NAME "\n", val);
	igt_assert_f(fdinfo_field(fd, "size", val, sizeof(val)) &&
		     strtoull(val, NULL, 10) == size,
		     "dma-buf size %s, expected %" PRIu64 "\n", val, size);
	igt_assert_f(dmabufs_entry(fd, &e), "the dma-buf is not in %s/dmabufs\n", env.pf);
	igt_assert_f(e.vf == env.vf && !strcmp(e.state, "live") && e.size == size &&
		     e.ranges == ranges && e.extents > 0 && e.attachments == 0 && e.mapped == 0,
		     "dmabufs: vf %u state %s size %" PRIu64 " ranges %u extents %u attachments %u mapped %u; expected vf %u live size %" PRIu64 " ranges %u\n",
		     e.vf, e.state, e.size, e.ranges, e.extents, e.attachments, e.mapped,
		     env.vf, size, ranges);

	p = mmap(NULL, PAGE_4K, PROT_READ, MAP_SHARED, fd, 0);
	igt_assert_f(p == MAP_FAILED && errno == EOPNOTSUPP,
		     "mmap() of the dma-buf: %s, expected EOPNOTSUPP\n",
		     p == MAP_FAILED ? strerror(errno) : "succeeded");
	igt_info("dma-buf of %u range(s), %" PRIu64 " bytes of VF%u: %u VRAM extents\n",
		 ranges, size, env.vf, e.extents);
}

/*
 * The VRAM extents that the PF's translate file gives for LMEM @ranges of
 * the VF, concatenated, pieces contiguous in VRAM merged: what the
 * private-interconnect mapping must hold.  The translate file is checked
 * against a model of the provisioning by xe_pfvf_translate.
 */
static unsigned int expected_extents(const struct range *ranges, unsigned int nr,
				     struct range *out, unsigned int max)
{
	char path[PATH_MAX], req[128], buf[96 + 64 * 48];
	unsigned int n = 0;
	int fd;

	snprintf(path, sizeof(path), XE_PFVF_DIR "/%s/translate", env.pf);
	fd = open(path, O_RDWR | O_CLOEXEC);
	igt_assert_f(fd >= 0, "%s: %s\n", path, strerror(errno));
	for (unsigned int i = 0; i < nr; i++) {
		char *line, *save = NULL;
		ssize_t len;
		int err = -1;
		unsigned int vf, extents;

		snprintf(req, sizeof(req), "lmem %#" PRIx64 " %#" PRIx64 " vf=%u",
			 ranges[i].start, ranges[i].size, env.vf);
		igt_assert(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
		len = read(fd, buf, sizeof(buf) - 1);
		igt_assert_f(len > 0 && (size_t)len < sizeof(buf) - 1, "translate '%s': %s\n", req,
			     len < 0 ? strerror(errno) : "result too long");
		buf[len] = '\0';
		line = strtok_r(buf, "\n", &save);
		igt_assert_f(line && sscanf(line, "err=%d vf=%u generation=%*u extents=%u",
					    &err, &vf, &extents) == 3 && err == 0 && vf == env.vf,
			     "translate '%s': '%s'\n", req, line ? line : "");
		while ((line = strtok_r(NULL, "\n", &save))) {
			struct range r;

			igt_assert(sscanf(line, "%" SCNx64 " %" SCNx64, &r.start, &r.size) == 2);
			if (n && out[n - 1].start + out[n - 1].size == r.start) {
				out[n - 1].size += r.size;
				continue;
			}
			igt_assert(n < max);
			out[n++] = r;
		}
	}
	close(fd);
	return n;
}

/* The import in @slot must be mapped over the private interconnect onto @ranges. */
static void check_mapped(unsigned int slot, const struct range *ranges, unsigned int nr,
			 unsigned int notified)
{
	static struct import_status st;
	static struct range want[MAX_EXTENTS];
	uint64_t size = 0;
	unsigned int n;

	for (unsigned int i = 0; i < nr; i++)
		size += ranges[i].size;
	import_status(slot, &st);
	igt_assert_f(!strcmp(st.state, "mapped") && !strcmp(st.mode, "lmem") &&
		     st.vf == env.vf && st.size == size && st.notified == notified && st.err == 0,
		     "slot %u: state=%s mode=%s vf=%u size=%" PRIu64 " notified=%u err=%d; expected mapped lmem vf=%u size=%" PRIu64 " notified=%u err=0\n",
		     slot, st.state, st.mode, st.vf, st.size, st.notified, st.err, env.vf, size,
		     notified);
	n = expected_extents(ranges, nr, want, MAX_EXTENTS);
	igt_assert_f(st.nr == n, "slot %u: %u VRAM extents, translate gives %u\n", slot, st.nr, n);
	for (unsigned int i = 0; i < n; i++)
		igt_assert_f(st.ext[i].start == want[i].start && st.ext[i].size == want[i].size,
			     "slot %u: extent %u is %#" PRIx64 "+%#" PRIx64 ", translate gives %#" PRIx64 "+%#" PRIx64 "\n",
			     slot, i, st.ext[i].start, st.ext[i].size, want[i].start, want[i].size);
}

/* The PF reads @slot back: the pattern of @seed over LMEM @ranges, concatenated. */
static void check_pattern(unsigned int slot, uint64_t seed, const struct range *ranges,
			  unsigned int nr)
{
	const struct pf_importer *imp = env.importer;
	uint64_t size = 0, pos = 0, bad_lmem = 0;
	uint8_t *buf, bad_got = 0, bad_want = 0;
	bool bad = false;
	ssize_t got;

	for (unsigned int i = 0; i < nr; i++)
		size += ranges[i].size;
	buf = malloc(size + 1);
	igt_assert(buf);
	got = imp->read(slot, buf, size + 1);
	for (unsigned int i = 0; i < nr && (uint64_t)got == size && !bad; i++) {
		for (uint64_t o = 0; o < ranges[i].size && !bad; o++, pos++) {
			uint8_t want = imp->pattern(seed, ranges[i].start + o);

			if (buf[pos] != want) {
				bad = true;
				bad_lmem = ranges[i].start + o;
				bad_got = buf[pos];
				bad_want = want;
			}
		}
	}
	free(buf);
	igt_assert_f(got >= 0, "slot %u: reading the buffer: %s\n", slot, strerror(-got));
	igt_assert_f((uint64_t)got == size, "slot %u: read %zd bytes, expected %" PRIu64 "\n",
		     slot, got, size);
	igt_assert_f(!bad,
		     "slot %u: byte %#" PRIx64 " (LMEM %#" PRIx64 ") is %#x, expected %#x (seed %#" PRIx64 ")\n",
		     slot, pos - 1, bad_lmem, bad_got, bad_want, seed);
	igt_info("slot %u: %" PRIu64 " bytes read back by the PF match the pattern of seed %#" PRIx64 "\n",
		 slot, size, seed);
}

static void fill(uint64_t lmem, uint64_t len, uint64_t seed)
{
	int err = env.importer->fill(env.vf, lmem, len, seed);

	igt_assert_f(err == 0, "PF writing VF%u LMEM %#" PRIx64 "+%#" PRIx64 ": %s\n",
		     env.vf, lmem, len, strerror(-err));
}

static void import_ok(unsigned int slot, int fd)
{
	int err = env.importer->import(slot, fd);

	igt_assert_f(err == 0, "slot %u: import over the private interconnect: %s\n",
		     slot, strerror(-err));
}

/* The import in @slot must be revoked: notified @notified times, no mapping, reads refused. */
static void check_revoked(unsigned int slot, unsigned int notified)
{
	static struct import_status st;
	uint8_t byte;
	ssize_t got;

	import_status(slot, &st);
	igt_assert_f(!strcmp(st.state, "revoked") && st.notified == notified && st.nr == 0,
		     "slot %u: state=%s notified=%u extents=%u; expected revoked, notified=%u, no extents\n",
		     slot, st.state, st.notified, st.nr, notified);
	got = env.importer->read(slot, &byte, 1);
	igt_assert_f(got == -ENODEV, "slot %u: reading a revoked import gave %zd (%s), expected ENODEV\n",
		     slot, got, got < 0 ? strerror(-got) : "data");
}

/* ----------------------------------------------------------------- vgem */

/* An open vgem DRM card, or -1. */
static int open_vgem(void)
{
	char path[64], name[16];
	int fd;

	for (int i = 0; i < 16; i++) {
		struct drm_version v = { .name_len = sizeof(name) - 1, .name = name };

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (ioctl(fd, DRM_IOCTL_VERSION, &v) == 0 && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -1;
}

/* DRM PRIME import of @dmabuf into @card: 0 (handle closed again) or -errno. */
static int prime_import(int card, int dmabuf)
{
	struct drm_prime_handle prime = { .fd = dmabuf };
	struct drm_gem_close gem_close = { 0 };

	if (ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime))
		return -errno;
	gem_close.handle = prime.handle;
	ioctl(card, DRM_IOCTL_GEM_CLOSE, &gem_close);
	return 0;
}

/* ------------------------------------------------------------- subtests */

/*
 * The VF's whole LMEM BAR, filled with SEED_A by the PF, exported through
 * VFIO and imported into slot 0 over the private interconnect: the
 * dma-buf's fd.
 */
static int import_whole_bar(void)
{
	int fd;

	release_slots();
	vfio_open();
	fill(0, env.bar_size, SEED_A);
	fd = export_ranges(whole_bar(), 1);
	import_ok(0, fd);
	check_mapped(0, whole_bar(), 1, 0);
	return fd;
}

static void test_vfio_export(void)
{
	const struct range two[] = {
		{ PAGE_4K, PAGE_4K },
		{ 0, PAGE_4K },
	};
	struct vfio_region_info bar;
	struct stat st;
	int fd;

	vfio_open();
	bar = region_info(env.lmem_bar);
	igt_assert_f(bar.size == env.bar_size,
		     "VFIO region %d of %s is %#llx bytes, the LMEM BAR %#" PRIx64 "\n",
		     env.lmem_bar, env.vf_bdf, (unsigned long long)bar.size, env.bar_size);

	fd = export_ranges(whole_bar(), 1);
	check_exported(fd, env.bar_size, 1);
	igt_assert(fstat(fd, &st) == 0);
	close(fd);
	igt_assert_f(!inode_listed(st.st_ino), "dmabufs still lists the closed dma-buf\n");

	igt_require_f(env.bar_size >= 2 * PAGE_4K, "LMEM BAR below 8 KiB\n");
	fd = export_ranges(two, 2);
	check_exported(fd, 2 * PAGE_4K, 2);
	close(fd);
	vfio_close();
}

enum bad_case {
	BAD_PAST_BAR, BAD_ACROSS_END, BAD_UNALIGNED, BAD_ZERO_LENGTH, BAD_NO_RANGES,
	BAD_WRAPS, BAD_OTHER_REGION, BAD_TOO_MANY, NR_BAD_CASES,
};

static const struct {
	const char *name;
	int err;
} bad_cases[NR_BAD_CASES] = {
	[BAD_PAST_BAR] = { "past-bar", ENXIO },
	[BAD_ACROSS_END] = { "across-bar-end", ENXIO },
	[BAD_UNALIGNED] = { "unaligned-offset", EINVAL },
	[BAD_ZERO_LENGTH] = { "zero-length", EINVAL },
	[BAD_NO_RANGES] = { "no-ranges", EINVAL },
	[BAD_WRAPS] = { "offset-wraps", EOVERFLOW },
	[BAD_OTHER_REGION] = { "other-region", ENODEV },
	[BAD_TOO_MANY] = { "too-many-ranges", E2BIG },
};

static void bad_export(enum bad_case c)
{
	struct range r = { 0, PAGE_4K };
	struct export_req req = {
		.region = env.lmem_bar,
		.open_flags = O_CLOEXEC | O_RDWR,
		.nr_ranges = 1,
		.nr = 1,
		.ranges = &r,
	};
	int fd;

	vfio_open();
	switch (c) {
	case BAD_PAST_BAR:
		r.start = env.bar_size;
		break;
	case BAD_ACROSS_END:
		r.start = env.bar_size - PAGE_4K;
		r.size = 2 * PAGE_4K;
		break;
	case BAD_UNALIGNED:
		r.start = PAGE_4K / 2;
		break;
	case BAD_ZERO_LENGTH:
		r.size = 0;
		break;
	case BAD_NO_RANGES:
		req.nr_ranges = 0;
		req.nr = 0;
		break;
	case BAD_WRAPS:
		r.start = ~0ull - PAGE_4K + 1;
		r.size = 2 * PAGE_4K;
		break;
	case BAD_OTHER_REGION:
		req.region = env.lmem_bar + 1;
		break;
	case BAD_TOO_MANY:
		req.nr_ranges = MAX_RANGES + 1;
		break;
	case NR_BAD_CASES:
		break;
	}
	fd = export_raw(&req);
	if (fd >= 0)
		close(fd);
	igt_assert_f(fd == -bad_cases[c].err,
		     "%s: export gave %s, expected %s\n", bad_cases[c].name,
		     fd >= 0 ? "a dma-buf" : strerror(-fd), strerror(bad_cases[c].err));
	igt_info("%s (%#" PRIx64 "+%#" PRIx64 ", %u range(s), region %u): %s\n",
		 bad_cases[c].name, r.start, r.size, req.nr_ranges, req.region, strerror(-fd));
}

static void test_vfio_export_bad_range(void)
{
	volatile int c;

	for (c = 0; c < NR_BAD_CASES; c++)
		igt_dynamic_f("%s", bad_cases[c].name)
			bad_export(c);
	vfio_close();
}

static void test_pf_import_readback(void)
{
	const struct range three[] = {
		{ 3 * PAGE_4K, PAGE_4K },
		{ 0, 2 * PAGE_4K },
		{ 2 * PAGE_4K, PAGE_4K },
	};
	int whole, parts = -1;

	require_importer();
	whole = import_whole_bar();
	check_pattern(0, SEED_A, whole_bar(), 1);

	if (env.bar_size >= 4 * PAGE_4K) {
		parts = export_ranges(three, 3);
		import_ok(1, parts);
		check_mapped(1, three, 3, 0);
		check_pattern(1, SEED_A, three, 3);
	}

	fill(0, env.bar_size, SEED_B);
	check_pattern(0, SEED_B, whole_bar(), 1);
	if (parts >= 0)
		check_pattern(1, SEED_B, three, 3);

	release_slots();
	close(whole);
	if (parts >= 0)
		close(parts);
	vfio_close();
}

static unsigned int notified(unsigned int slot)
{
	static struct import_status st;

	import_status(slot, &st);
	return st.notified;
}

static void test_flr_revokes(void)
{
	static struct import_status st;
	char path[PATH_MAX], *methods;
	long long start;
	uint8_t byte;
	ssize_t got;
	int fd, err;

	require_importer();
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/reset", env.vf_bdf);
	igt_require_f(access(path, W_OK) == 0, "VF %s has no reset method\n", env.vf_bdf);
	fd = import_whole_bar();
	check_pattern(0, SEED_A, whole_bar(), 1);

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/reset_method", env.vf_bdf);
	methods = xe_pfvf_read_all(path);
	igt_info("resetting VF %s (reset methods: %s)\n", env.vf_bdf,
		 methods ? strtok(methods, "\n") : "?");
	free(methods);
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/reset", env.vf_bdf);
	err = xe_pfvf_write_str(path, "1");
	igt_assert_f(err == 0, "%s: %s\n", path, strerror(-err));

	/* Revoked before the reset, restored after it (asynchronously). */
	import_status(0, &st);
	igt_assert_f(st.notified >= 1 && !strcmp(st.state, "revoked") && st.nr == 0,
		     "after the reset: state=%s notified=%u extents=%u; expected revoked\n",
		     st.state, st.notified, st.nr);
	/* The importer's mapping went with the revocation: access is refused. */
	got = env.importer->read(0, &byte, 1);
	igt_assert_f(got == -ENODEV, "reading the revoked import gave %zd (%s), expected ENODEV\n",
		     got, got < 0 ? strerror(-got) : "data");
	start = xe_pfvf_now_ms();
	while (notified(0) < 2 && xe_pfvf_now_ms() - start < RESTORE_TIMEOUT_MS)
		usleep(10 * 1000);
	igt_assert_f(notified(0) == 2, "not restored %d ms after the reset: notified %u, expected 2\n",
		     RESTORE_TIMEOUT_MS, notified(0));
	igt_info("import revoked by the reset and restored after %lld ms\n", xe_pfvf_now_ms() - start);

	err = env.importer->ctl(0, "map");
	igt_assert_f(err == 0, "mapping the restored buffer: %s\n", strerror(-err));
	check_mapped(0, whole_bar(), 1, 2);
	fill(0, env.bar_size, SEED_B);
	check_pattern(0, SEED_B, whole_bar(), 1);

	release_slots();
	close(fd);
	vfio_close();
}

static void test_close_revokes(void)
{
	struct buf_entry e;
	int fd, err;

	require_importer();
	fd = import_whole_bar();

	vfio_close_device();
	check_revoked(0, 1);
	err = env.importer->ctl(0, "map");
	igt_assert_f(err == -ENODEV, "mapping a buffer of the closed device: %s, expected ENODEV\n",
		     strerror(-err));
	err = env.importer->import(1, fd);
	igt_assert_f(err == -ENODEV, "importing a buffer of the closed device: %s, expected ENODEV\n",
		     strerror(-err));
	igt_assert_f(dmabufs_entry(fd, &e) && !strcmp(e.state, "revoked"),
		     "dmabufs: the buffer of the closed device is %s, expected revoked\n", e.state);
	igt_assert_eq(notified(0), 1);

	release_slots();
	close(fd);
	vfio_close();
}

static void test_foreign_importer_refused(void)
{
	int card, fd, err;
	bool loaded = false;

	/*
	 * vfio_open() may skip: the vgem card is opened after it, so that a
	 * skip leaves no card open (vgem could not be unloaded).
	 */
	release_slots();
	vfio_open();
	card = open_vgem();
	if (card < 0) {
		igt_kmod_load("vgem", NULL);
		loaded = igt_kmod_is_loaded("vgem");
		env.loaded_vgem |= loaded;
		card = open_vgem();
	}
	igt_require_f(card >= 0, "no vgem DRM card (vgem module)\n");

	fd = export_ranges(whole_bar(), 1);
	err = prime_import(card, fd);
	igt_assert_f(err == -EREMOTEIO, "vgem PRIME import of the VF's buffer: %s, expected EREMOTEIO\n",
		     err ? strerror(-err) : "succeeded");
	if (env.importer) {
		/* The refusal leaves the buffer alone: its PF still imports it. */
		import_ok(0, fd);
		check_mapped(0, whole_bar(), 1, 0);
		release_slots();
	}

	vfio_close_device();
	err = prime_import(card, fd);
	igt_assert_f(err == -ENODEV, "vgem PRIME import of a revoked buffer: %s, expected ENODEV\n",
		     err ? strerror(-err) : "succeeded");
	close(fd);
	close(card);
	vfio_close();
}

/* ------------------------------------------------------------- fixtures */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/*
 * The first registered PF (in PCI address order) with a provisioned VF
 * that has an LMEM BAR; the variant driver loaded if it is not.
 */
static void setup(void)
{
	char *names[64], val[NAME_LEN];
	struct dirent *de;
	int n = 0, err;
	bool found = false;
	DIR *dir;

	xe_pfvf_require_debugfs();

	dir = opendir(XE_PFVF_DIR);
	igt_assert_f(dir, "opendir(%s): %s\n", XE_PFVF_DIR, strerror(errno));
	while ((de = readdir(dir)) && n < 64)
		if (de->d_name[0] != '.' && strlen(de->d_name) < BDF_LEN)
			names[n++] = strdup(de->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n; i++) {
		if (!found && first_bar_vf(names[i])) {
			snprintf(env.pf, sizeof(env.pf), "%s", names[i]);
			found = true;
		}
		free(names[i]);
	}
	igt_require_f(found, "no PF with a provisioned VF that has an LMEM BAR\n");
	igt_assert_f(info_field(env.pf, "driver", env.driver, sizeof(env.driver)),
		     "no driver in %s/info\n", env.pf);
	igt_assert_f(info_field(env.pf, "lmem_bar", val, sizeof(val)),
		     "no lmem_bar in %s/info\n", env.pf);
	env.lmem_bar = atoi(val);
	env.importer = pf_importer_find(env.pf, env.driver);
	igt_info("PF %s (%s), VF%u %s, LMEM BAR%d of %#" PRIx64 " bytes, importer: %s\n",
		 env.pf, env.driver, env.vf, env.vf_bdf, env.lmem_bar, env.bar_size,
		 env.importer ? env.importer->driver : "none");

	if (!xe_pfvf_is_dir(PCI_DRIVERS "/" VARIANT_DRIVER)) {
		bool loaded;

		xe_pfvf_kmod_load("vfio-pci", &loaded);
		err = xe_pfvf_kmod_load(VARIANT_DRIVER, &env.loaded_variant);
		igt_debug("loading " VARIANT_DRIVER ": %s\n", strerror(-err));
	}
	igt_require_f(xe_pfvf_is_dir(PCI_DRIVERS "/" VARIANT_DRIVER),
		      "no " VARIANT_DRIVER " driver (kernel without vfio-pci core, or module not found)\n");
	igt_require_f(access("/dev/vfio/vfio", R_OK | W_OK) == 0, "no /dev/vfio/vfio\n");
}

static void teardown(void)
{
	release_slots();
	vfio_close();
	if (env.loaded_variant && igt_kmod_unload(VARIANT_DRIVER, 0))
		igt_warn("unloading " VARIANT_DRIVER " failed\n");
	if (env.loaded_vgem && igt_kmod_unload("vgem", 0))
		igt_warn("unloading vgem failed\n");
}

igt_main
{
	igt_fixture
		setup();

	igt_describe("A VMM exports VF LMEM as a dma-buf through VFIO and the VF variant driver");
	igt_subtest("vfio-export")
		test_vfio_export();

	igt_describe("Every refused export gets its documented errno");
	igt_subtest_with_dynamic("vfio-export-bad-range")
		test_vfio_export_bad_range();

	igt_describe("The PF imports the VF's dma-buf over the private interconnect and reads it back");
	igt_subtest("pf-import-readback")
		test_pf_import_readback();

	igt_describe("A VF reset revokes the PF's import until the VF's memory is back");
	igt_subtest("flr-revokes")
		test_flr_revokes();

	igt_describe("Closing the VFIO device revokes the buffer for good");
	igt_subtest("close-revokes")
		test_close_revokes();

	igt_describe("An importer that is not the VF's PF is refused");
	igt_subtest("foreign-importer-refused")
		test_foreign_importer_refused();

	igt_fixture
		teardown();
}
