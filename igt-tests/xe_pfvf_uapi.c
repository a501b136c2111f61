// SPDX-License-Identifier: MIT
/**
 * TEST: xe pfvf uapi
 * Category: Core
 * Mega feature: SR-IOV
 * Sub-category: xe_pfvf
 * Functionality: the /dev/xe_pfvf uAPI: listing, translation, export by handle
 * Description: The xe_pfvf char device as a VMM or an admin tool uses it,
 *	against whichever PF driver registered the PF (Xe on a GPU host, the
 *	software PF in the VM): the listing agrees with sysfs, translations
 *	hide raw addresses from openers without CAP_SYS_ADMIN, every bad
 *	argument gets its documented errno, and an export handle works only
 *	in the file that made it, for the VFIO group that holds the VF, and
 *	dies with REVOKE and with the file.
 *
 * SUBTEST: version
 * Description: ABI major 1, the caps a root opener has (raw addresses),
 *	at least one PF registered and a handle limit.
 *
 * SUBTEST: list
 * Description: LIST_PFS sized by a call with count 0; each PF is an
 *	SR-IOV PF in sysfs with as many VFs as sriov_totalvfs and
 *	sriov_numvfs; LIST_VFS gives each enabled VF at the address of the
 *	PF's virtfn link and a provisioned VF a quota, extents and an LMEM
 *	BAR as large as the VF's resource in sysfs.
 *
 * SUBTEST: bad-args
 * Description: One dynamic subtest per refused call: size below the first
 *	version (EINVAL), above a page (E2BIG), non-zero unknown trailing
 *	bytes (E2BIG), flags and pad (EINVAL), an entry size below the
 *	first version (EINVAL), more than 65536 entries (E2BIG), a bad
 *	array pointer (EFAULT), an unknown ioctl number or type (ENOTTY),
 *	an unknown PF (ENODEV), a VF number out of range (ENOENT), zero
 *	length (EINVAL), a range past the quota (ERANGE), a handle of no
 *	file (ENOENT).
 *
 * SUBTEST: translate-handles
 * Description: The first provisioned VF's whole LMEM translates into
 *	extents whose lengths add up to its quota; the same VRAM gives the
 *	same opaque handle in one file and unrelated ones in another file;
 *	root sees VRAM addresses, distinct for distinct extents.
 *
 * SUBTEST: unprivileged-hides-addresses
 * Description: A child that dropped CAP_SYS_ADMIN before opening the
 *	device has no raw-address cap, gets zero VRAM and BAR addresses but
 *	the same extent lengths, and non-zero handles.
 *
 * SUBTEST: export-handle
 * Description: The first provisioned VF bound to vfio-pci: EXPORT with
 *	its VFIO group fd gives a handle; HANDLE_FD gives dma-buf fds of the
 *	range's size; another open file, a bad fd, a file that is not a VFIO
 *	group and another VF's address are refused (ENOENT, EBADF, EPERM,
 *	EPERM); REVOKE revokes the dma-bufs and kills the handle (ENOENT
 *	after); closing the file kills the handles it made.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include "igt_decls.h"
#include "xe_pfvf_igt_common.h"
#include "../uapi/linux/xe_pfvf.h"

#define DEV_NODE	"/dev/xe_pfvf"
#define PCI_DEVICES	"/sys/bus/pci/devices"
#define PCI_DRIVERS	"/sys/bus/pci/drivers"

static struct {
	int fd;
	struct xe_pfvf_pf_info pf;
	struct xe_pfvf_vf_info vfs[64];
	unsigned int nr_vfs;
	int vf;			/* index of the first provisioned VF, -1 for none */
} env = { .fd = -1, .vf = -1 };

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static void bdf_name(uint32_t bdf, char *buf, size_t len)
{
	snprintf(buf, len, "%04x:%02x:%02x.%u", XE_PFVF_BDF_SEG(bdf), XE_PFVF_BDF_BUS(bdf),
		 XE_PFVF_BDF_DEV(bdf), XE_PFVF_BDF_FN(bdf));
}

static int list_vfs(int fd, uint32_t pf, struct xe_pfvf_vf_info *out, unsigned int room,
		    unsigned int *total)
{
	struct xe_pfvf_list_vfs l = {
		.size = sizeof(l), .pf_bdf = pf, .count = room,
		.entry_size = sizeof(*out), .entries = (uintptr_t)out,
	};
	int err = xioctl(fd, XE_PFVF_IOC_LIST_VFS, &l);

	*total = l.count;
	return err;
}

static void open_env(void)
{
	struct xe_pfvf_list_pfs l = { .size = sizeof(l), .entry_size = sizeof(env.pf) };
	unsigned int i;

	igt_require_f(access(DEV_NODE, F_OK) == 0, "no " DEV_NODE " (xe_pfvf not loaded)\n");
	env.fd = open(DEV_NODE, O_RDWR | O_CLOEXEC);
	igt_assert_f(env.fd >= 0, "open " DEV_NODE ": %s\n", strerror(errno));
	igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_LIST_PFS, &l), 0);
	igt_require_f(l.count > 0, "no PF registered with xe_pfvf\n");
	l.count = 1;
	l.entries = (uintptr_t)&env.pf;
	igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_LIST_PFS, &l), 0);
	igt_assert_eq(list_vfs(env.fd, env.pf.bdf, env.vfs, 64, &env.nr_vfs), 0);
	igt_assert_eq(env.nr_vfs, env.pf.total_vfs);
	for (i = 0; i < env.nr_vfs && i < 64; i++) {
		if (env.vfs[i].state == XE_PFVF_VF_PROVISIONED) {
			env.vf = (int)i;
			break;
		}
	}
}

static const struct xe_pfvf_vf_info *require_vf(void)
{
	igt_require_f(env.vf >= 0, "no provisioned VF\n");
	return &env.vfs[env.vf];
}

static void test_version(void)
{
	struct xe_pfvf_version v = { .size = sizeof(v) };

	igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_VERSION, &v), 0);
	igt_assert_eq(v.major, XE_PFVF_UAPI_MAJOR);
	igt_assert(v.caps & XE_PFVF_CAP_RAW_ADDR);
	igt_assert_lte(1, (int)v.nr_pfs);
	igt_assert_lte(1, (int)v.max_handles);
}

static void test_list(void)
{
	char pf[32], path[256], link[PATH_MAX], want[32];
	unsigned int i, enabled = 0;
	int total, num;
	ssize_t n;

	bdf_name(env.pf.bdf, pf, sizeof(pf));
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/sriov_totalvfs", pf);
	igt_assert_eq(xe_pfvf_read_int(path, &total), 0);
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/sriov_numvfs", pf);
	igt_assert_eq(xe_pfvf_read_int(path, &num), 0);
	igt_assert_eq(env.pf.total_vfs, total);
	igt_assert_eq(env.pf.num_vfs, num);
	igt_assert(env.pf.driver[0]);

	for (i = 0; i < env.nr_vfs && i < 64; i++) {
		const struct xe_pfvf_vf_info *vf = &env.vfs[i];

		igt_assert_eq(vf->vfid, (int)i + 1);
		if (vf->state == XE_PFVF_VF_DISABLED) {
			igt_assert_eq(vf->bdf, 0);
			continue;
		}
		enabled++;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/virtfn%u", pf, i);
		n = readlink(path, link, sizeof(link) - 1);
		igt_assert(n > 0);
		link[n] = '\0';
		bdf_name(vf->bdf, want, sizeof(want));
		igt_assert_f(strstr(link, want), "VF%u listed at %s, virtfn%u is %s\n",
			     vf->vfid, want, i, link);
		if (vf->state == XE_PFVF_VF_PROVISIONED) {
			igt_assert_lt(0, (int)vf->nr_extents);
			igt_assert(vf->quota > 0 && vf->bar_size > 0);
			igt_assert(vf->vf_flags & XE_PFVF_VF_RAW);
			igt_assert(vf->bar_cpu != 0);
		}
	}
	igt_assert_eq(enabled, (unsigned int)num);
}

static int translate(int fd, uint16_t vfid, uint32_t space, uint64_t addr, uint64_t len,
		     struct xe_pfvf_extent_info *ext, uint32_t room, uint32_t *count)
{
	struct xe_pfvf_translate t = {
		.size = sizeof(t), .pf_bdf = env.pf.bdf, .vfid = vfid, .space = space,
		.addr = addr, .length = len, .count = room, .entry_size = sizeof(*ext),
		.extents = (uintptr_t)ext,
	};
	int err = xioctl(fd, XE_PFVF_IOC_TRANSLATE, &t);

	if (count)
		*count = t.count;
	return err;
}

/* The VF's whole LMEM, extents in a malloc'ed array. */
static struct xe_pfvf_extent_info *translate_all(int fd, const struct xe_pfvf_vf_info *vf,
						 uint32_t *count)
{
	struct xe_pfvf_extent_info *ext;

	igt_assert_eq(translate(fd, vf->vfid, XE_PFVF_ADDR_LMEM, 0, vf->quota, NULL, 0, count), 0);
	igt_assert_lt(0, (int)*count);
	ext = calloc(*count, sizeof(*ext));
	igt_assert(ext);
	igt_assert_eq(translate(fd, vf->vfid, XE_PFVF_ADDR_LMEM, 0, vf->quota, ext, *count,
				count), 0);
	return ext;
}

static uint64_t sum_lengths(const struct xe_pfvf_extent_info *ext, uint32_t n)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		sum += ext[i].length;
	return sum;
}

static void test_translate_handles(void)
{
	const struct xe_pfvf_vf_info *vf = require_vf();
	struct xe_pfvf_extent_info *a, *b, *c;
	uint32_t na, nb, nc, i, j;
	int fd2;

	a = translate_all(env.fd, vf, &na);
	b = translate_all(env.fd, vf, &nb);
	fd2 = open(DEV_NODE, O_RDWR | O_CLOEXEC);
	igt_assert(fd2 >= 0);
	c = translate_all(fd2, vf, &nc);
	close(fd2);

	igt_assert(sum_lengths(a, na) == vf->quota);
	igt_assert_eq(na, nb);
	igt_assert_eq(na, nc);
	for (i = 0; i < na; i++) {
		igt_assert(a[i].handle == b[i].handle);
		igt_assert(a[i].handle != 0);
		igt_assert_f(a[i].handle != c[i].handle, "extent %u has the same handle in two files\n", i);
		igt_assert(a[i].length == c[i].length);
		for (j = 0; j < i; j++)
			igt_assert(a[i].vram != a[j].vram);
	}
	free(a);
	free(b);
	free(c);
}

static int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[0].effective &= ~(1U << CAP_SYS_ADMIN);
	data[0].permitted &= ~(1U << CAP_SYS_ADMIN);
	data[0].inheritable &= ~(1U << CAP_SYS_ADMIN);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* In a child without CAP_SYS_ADMIN; exits 0 when everything held. */
static int unprivileged_child(const struct xe_pfvf_vf_info *root_vf, uint64_t root_sum,
			      uint32_t root_n)
{
	struct xe_pfvf_version v = { .size = sizeof(v) };
	struct xe_pfvf_vf_info vfs[64];
	struct xe_pfvf_extent_info *ext;
	unsigned int total;
	uint32_t n, i;
	int fd;

	if (drop_sys_admin())
		return 10;
	fd = open(DEV_NODE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 11;
	if (xioctl(fd, XE_PFVF_IOC_VERSION, &v) || (v.caps & XE_PFVF_CAP_RAW_ADDR))
		return 12;
	if (list_vfs(fd, env.pf.bdf, vfs, 64, &total))
		return 13;
	if (vfs[env.vf].bar_cpu || vfs[env.vf].bar_bus || (vfs[env.vf].vf_flags & XE_PFVF_VF_RAW) ||
	    vfs[env.vf].bar_size != root_vf->bar_size || vfs[env.vf].quota != root_vf->quota)
		return 14;
	if (translate(fd, root_vf->vfid, XE_PFVF_ADDR_LMEM, 0, root_vf->quota, NULL, 0, &n) ||
	    n != root_n)
		return 15;
	ext = calloc(n, sizeof(*ext));
	if (!ext || translate(fd, root_vf->vfid, XE_PFVF_ADDR_LMEM, 0, root_vf->quota, ext, n, &n))
		return 16;
	for (i = 0; i < n; i++)
		if (ext[i].vram || !ext[i].handle)
			return 17;
	if (sum_lengths(ext, n) != root_sum)
		return 18;
	free(ext);
	close(fd);
	return 0;
}

static void test_unprivileged(void)
{
	const struct xe_pfvf_vf_info *vf = require_vf();
	struct xe_pfvf_extent_info *ext;
	uint32_t n;
	uint64_t sum;
	pid_t pid;
	int status;

	ext = translate_all(env.fd, vf, &n);
	sum = sum_lengths(ext, n);
	free(ext);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0)
		_exit(unprivileged_child(vf, sum, n));
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the unprivileged child failed at step %d\n", WEXITSTATUS(status));
}

/* A version call of @size bytes whose bytes past the struct are @tail. */
static int version_sized(uint32_t size, uint8_t tail)
{
	static uint8_t buf[8192];
	struct xe_pfvf_version *v = (void *)buf;

	memset(buf, tail, sizeof(buf));
	memset(buf, 0, sizeof(*v));
	v->size = size;
	return xioctl(env.fd, XE_PFVF_IOC_VERSION, v);
}

static void test_bad_args(void)
{
	struct xe_pfvf_list_vfs l = { .size = sizeof(l), .pf_bdf = env.pf.bdf, .count = 1,
				      .entry_size = sizeof(struct xe_pfvf_vf_info) };
	struct xe_pfvf_revoke rv = { .size = sizeof(rv), .handle = 0x1234567800000001ULL };
	struct xe_pfvf_vf_info info;
	void *none;

	igt_dynamic_f("size-below-first-version")
		igt_assert_eq(version_sized(XE_PFVF_VERSION_SIZE_VER0 - 4, 0), -EINVAL);
	igt_dynamic_f("size-above-page")
		igt_assert_eq(version_sized(4097, 0), -E2BIG);
	igt_dynamic_f("nonzero-trailing-bytes")
		igt_assert_eq(version_sized(XE_PFVF_VERSION_SIZE_VER0 + 8, 0xff), -E2BIG);
	igt_dynamic_f("zero-trailing-bytes")
		igt_assert_eq(version_sized(XE_PFVF_VERSION_SIZE_VER0 + 64, 0), 0);
	igt_dynamic_f("flags") {
		struct xe_pfvf_version v = { .size = sizeof(v), .flags = 1 };

		igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_VERSION, &v), -EINVAL);
	}
	igt_dynamic_f("pad") {
		struct xe_pfvf_list_vfs p = l;

		p.pad = 1;
		p.entries = (uintptr_t)&info;
		igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_LIST_VFS, &p), -EINVAL);
	}
	igt_dynamic_f("entry-size-below-first-version") {
		struct xe_pfvf_list_vfs p = l;

		p.entry_size = XE_PFVF_VF_INFO_SIZE_VER0 - 8;
		p.entries = (uintptr_t)&info;
		igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_LIST_VFS, &p), -EINVAL);
	}
	igt_dynamic_f("too-many-entries") {
		struct xe_pfvf_list_vfs p = l;

		p.count = XE_PFVF_MAX_ENTRIES + 1;
		p.entries = (uintptr_t)&info;
		igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_LIST_VFS, &p), -E2BIG);
	}
	igt_dynamic_f("bad-array-pointer") {
		struct xe_pfvf_list_vfs p = l;

		none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(none != MAP_FAILED);
		p.entries = (uintptr_t)none;
		igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_LIST_VFS, &p), -EFAULT);
		munmap(none, 4096);
	}
	igt_dynamic_f("unknown-ioctl-number") {
		struct xe_pfvf_version v = { .size = sizeof(v) };

		igt_assert_eq(xioctl(env.fd, _IOWR(XE_PFVF_IOCTL_BASE, 0x3f, struct xe_pfvf_version),
				     &v), -ENOTTY);
		igt_assert_eq(xioctl(env.fd, _IOWR(0x42, 0x00, struct xe_pfvf_version), &v),
			      -ENOTTY);
		igt_assert_eq(xioctl(env.fd, _IOR(XE_PFVF_IOCTL_BASE, 0x00, struct xe_pfvf_version),
				     &v), -ENOTTY);
	}
	igt_dynamic_f("unknown-pf") {
		struct xe_pfvf_list_vfs p = l;

		p.pf_bdf = XE_PFVF_BDF(0xfffe, 0xff, 0x1f, 7);
		p.entries = (uintptr_t)&info;
		igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_LIST_VFS, &p), -ENODEV);
	}
	igt_dynamic_f("vf-out-of-range")
		igt_assert_eq(translate(env.fd, env.pf.total_vfs + 1, XE_PFVF_ADDR_LMEM, 0, 4096,
					NULL, 0, NULL), -ENOENT);
	igt_dynamic_f("zero-length") {
		const struct xe_pfvf_vf_info *vf = require_vf();

		igt_assert_eq(translate(env.fd, vf->vfid, XE_PFVF_ADDR_LMEM, 0, 0, NULL, 0, NULL),
			      -EINVAL);
	}
	igt_dynamic_f("past-quota") {
		const struct xe_pfvf_vf_info *vf = require_vf();

		igt_assert_eq(translate(env.fd, vf->vfid, XE_PFVF_ADDR_LMEM, vf->quota - 4096,
					8192, NULL, 0, NULL), -ERANGE);
	}
	igt_dynamic_f("unknown-handle")
		igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_REVOKE, &rv), -ENOENT);
}

/* The VF bound to vfio-pci and its group open, for export-handle. */
static struct {
	char bdf[32];
	char original[64];
	int group;
	bool bound;
} vfio = { .group = -1 };

static void vfio_release(void)
{
	char path[256];

	if (vfio.group >= 0)
		close(vfio.group);
	vfio.group = -1;
	if (!vfio.bound)
		return;
	snprintf(path, sizeof(path), PCI_DRIVERS "/vfio-pci/unbind");
	xe_pfvf_write_str(path, vfio.bdf);
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", vfio.bdf);
	xe_pfvf_write_str(path, "\n");
	if (vfio.original[0]) {
		snprintf(path, sizeof(path), PCI_DRIVERS "/%s/bind", vfio.original);
		xe_pfvf_write_str(path, vfio.bdf);
	}
	vfio.bound = false;
}

static void vfio_take(const struct xe_pfvf_vf_info *vf)
{
	char path[256], link[PATH_MAX], *group;
	bool loaded;
	ssize_t n;

	bdf_name(vf->bdf, vfio.bdf, sizeof(vfio.bdf));
	igt_require_f(xe_pfvf_kmod_load("vfio-pci", &loaded) == 0 ||
		      xe_pfvf_is_dir(PCI_DRIVERS "/vfio-pci"), "no vfio-pci\n");
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", vfio.bdf);
	n = readlink(path, link, sizeof(link) - 1);
	vfio.original[0] = '\0';
	if (n > 0) {
		link[n] = '\0';
		snprintf(vfio.original, sizeof(vfio.original), "%s", strrchr(link, '/') + 1);
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver/unbind", vfio.bdf);
		igt_assert_eq(xe_pfvf_write_str(path, vfio.bdf), 0);
	}
	vfio.bound = true;
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", vfio.bdf);
	igt_assert_eq(xe_pfvf_write_str(path, "vfio-pci"), 0);
	igt_assert_eq(xe_pfvf_write_str(PCI_DRIVERS "/vfio-pci/bind", vfio.bdf), 0);
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group", vfio.bdf);
	n = readlink(path, link, sizeof(link) - 1);
	igt_require_f(n > 0, "%s has no IOMMU group\n", vfio.bdf);
	link[n] = '\0';
	group = strrchr(link, '/') + 1;
	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	vfio.group = open(path, O_RDWR | O_CLOEXEC);
	igt_require_f(vfio.group >= 0, "open %s: %s (a group shared with the PF?)\n", path,
		      strerror(errno));
}

static int export(int fd, int vfio_fd, uint32_t bdf, uint64_t len, uint64_t *handle)
{
	struct xe_pfvf_export ex = {
		.size = sizeof(ex), .vfio_fd = vfio_fd, .vf_bdf = bdf,
		.space = XE_PFVF_ADDR_LMEM, .offset = 0, .length = len,
	};
	int err = xioctl(fd, XE_PFVF_IOC_EXPORT, &ex);

	*handle = ex.handle;
	return err;
}

static int handle_fd(int fd, uint64_t handle, int *out)
{
	struct xe_pfvf_handle_fd hf = {
		.size = sizeof(hf), .handle = handle, .fd_flags = O_CLOEXEC | O_RDWR,
	};
	int err = xioctl(fd, XE_PFVF_IOC_HANDLE_FD, &hf);

	*out = hf.fd;
	return err;
}

static void test_export_handle(void)
{
	const struct xe_pfvf_vf_info *vf = require_vf();
	struct xe_pfvf_revoke rv = { .size = sizeof(rv) };
	uint64_t handle, other, len = 8192;
	int buf, buf2, fd2, devnull;
	uint32_t i;

	vfio_take(vf);
	fd2 = open(DEV_NODE, O_RDWR | O_CLOEXEC);
	igt_assert(fd2 >= 0);

	igt_assert_eq(export(env.fd, vfio.group, vf->bdf, len, &handle), 0);
	igt_assert(handle != 0);
	igt_assert_eq(handle_fd(env.fd, handle, &buf), 0);
	igt_assert_eq(lseek(buf, 0, SEEK_END), (off_t)len);
	igt_assert_eq(handle_fd(env.fd, handle, &buf2), 0);
	igt_assert_neq(buf, buf2);

	/* The handle is this file's only. */
	igt_assert_eq(handle_fd(fd2, handle, &buf2), -ENOENT);
	/* Ownership is the VFIO group's, not an fd's or an address's. */
	igt_assert_eq(export(env.fd, -1, vf->bdf, len, &other), -EBADF);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	igt_assert_eq(export(env.fd, devnull, vf->bdf, len, &other), -EPERM);
	close(devnull);
	igt_assert_eq(export(env.fd, env.fd, vf->bdf, len, &other), -EPERM);
	for (i = 0; i < env.nr_vfs && i < 64; i++)
		if (env.vfs[i].state == XE_PFVF_VF_PROVISIONED && env.vfs[i].bdf != vf->bdf)
			igt_assert_eq(export(env.fd, vfio.group, env.vfs[i].bdf, len, &other),
				      -EPERM);
	igt_assert_eq(export(env.fd, vfio.group, vf->bdf, vf->quota + 4096, &other), -ERANGE);

	/* REVOKE kills the handle and revokes its dma-bufs. */
	rv.handle = handle;
	igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_REVOKE, &rv), 0);
	igt_assert_eq(rv.revoked, 2);
	igt_assert_eq(rv.busy, 0);
	igt_assert_eq(handle_fd(env.fd, handle, &buf2), -ENOENT);
	igt_assert_eq(xioctl(env.fd, XE_PFVF_IOC_REVOKE, &rv), -ENOENT);
	close(buf);

	/* Closing the file kills what it made. */
	igt_assert_eq(export(fd2, vfio.group, vf->bdf, len, &other), 0);
	close(fd2);
	fd2 = open(DEV_NODE, O_RDWR | O_CLOEXEC);
	igt_assert(fd2 >= 0);
	igt_assert_eq(handle_fd(fd2, other, &buf2), -ENOENT);
	close(fd2);
}

igt_main
{
	igt_fixture
		open_env();

	igt_subtest("version")
		test_version();
	igt_subtest("list")
		test_list();
	igt_subtest_with_dynamic("bad-args")
		test_bad_args();
	igt_subtest("translate-handles")
		test_translate_handles();
	igt_subtest("unprivileged-hides-addresses")
		test_unprivileged();
	igt_subtest("export-handle")
		test_export_handle();

	igt_fixture {
		vfio_release();
		if (env.fd >= 0)
			close(env.fd);
	}
}
