// SPDX-License-Identifier: MIT
/**
 * TEST: xe pfvf sriov basic
 * Category: Core
 * Mega feature: SR-IOV
 * Sub-category: xe_pfvf
 * Functionality: VF provisioning table in debugfs
 * Description: Basic checks of the xe_pfvf debugfs interface: every
 *	registered PF is a real SR-IOV capable PCI device, the per-PF "vfs"
 *	table matches the VFs the PCI core enabled, and the table follows
 *	VF enable/disable through sysfs sriov_numvfs.
 *
 * SUBTEST: pf-registered
 * Description: At least one PF directory exists under
 *	/sys/kernel/debug/xe_pfvf and each one names an existing PCI device
 *	with sriov_totalvfs > 0.
 *
 * SUBTEST: vfs-listed
 * Description: For every PF the "vfs" table lists exactly sriov_numvfs
 *	VFs, VF n has the BDF of virtfn<n-1> and each VF's physfn points back
 *	to the PF.
 *
 * SUBTEST: vf-enable-disable
 * Description: Writing 0 and then min(2, sriov_totalvfs) to sriov_numvfs
 *	empties and then repopulates the "vfs" table with the right VF BDFs;
 *	the original sriov_numvfs value is restored afterwards.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "igt_decls.h"
#include "xe_pfvf_igt_common.h"

IGT_TEST_DESCRIPTION("Basic checks of the xe_pfvf SR-IOV debugfs provisioning table");

#define DEBUGFS_ROOT	"/sys/kernel/debug"
#define XE_PFVF_DIR	DEBUGFS_ROOT "/xe_pfvf"
#define PCI_DEVICES	"/sys/bus/pci/devices"

#define MAX_PFS		16
#define MAX_VFS		256
#define BDF_LEN		32
#define TABLE_TIMEOUT_MS 5000

struct pf {
	char bdf[BDF_LEN];
	int orig_numvfs;	/* sriov_numvfs when the test started */
	bool touched;		/* we wrote sriov_numvfs: restore needed */
};

struct vf_entry {
	int num;		/* 1-based VF number */
	char bdf[BDF_LEN];
	char state[32];
};

static struct pf pfs[MAX_PFS];
static int num_pfs;

/* ---------------------------------------------------------------- helpers */

/* Read a whole (small) file into buf, NUL terminated. Returns 0 or -errno. */
static int read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	while (len < size - 1) {
		ssize_t r = read(fd, buf + len, size - 1 - len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		len += r;
	}
	close(fd);
	buf[len] = '\0';
	return err;
}

static int pf_attr_path(char *out, size_t size, const char *pf, const char *attr)
{
	return snprintf(out, size, PCI_DEVICES "/%s/%s", pf, attr);
}

static int pf_read_int(const char *pf, const char *attr, int *val)
{
	char path[PATH_MAX];

	pf_attr_path(path, sizeof(path), pf, attr);
	return xe_pfvf_read_int(path, val);
}

/* Basename of the target of symlink <dir>/<name>, or -errno. */
static int link_basename(const char *dir, const char *name, char *out, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return -errno;
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(out, base);
	return 0;
}

/* dddd:bb:dd.f */
static bool looks_like_bdf(const char *s)
{
	static const char pattern[] = "xxxx:xx:xx.x";
	size_t i;

	if (strlen(s) != sizeof(pattern) - 1)
		return false;
	for (i = 0; pattern[i]; i++) {
		if (pattern[i] == 'x') {
			if (!strchr("0123456789abcdefABCDEF", s[i]))
				return false;
		} else if (s[i] != pattern[i]) {
			return false;
		}
	}
	return true;
}

static int cmp_pf(const void *a, const void *b)
{
	return strcmp(((const struct pf *)a)->bdf, ((const struct pf *)b)->bdf);
}

/* Collect PF directories under XE_PFVF_DIR into pfs[]. */
static void scan_pfs(void)
{
	struct dirent *de;
	DIR *dir;

	num_pfs = 0;
	dir = opendir(XE_PFVF_DIR);
	igt_assert_f(dir, "opendir(%s): %s\n", XE_PFVF_DIR, strerror(errno));

	while ((de = readdir(dir))) {
		char path[PATH_MAX];

		if (!looks_like_bdf(de->d_name))
			continue;
		snprintf(path, sizeof(path), XE_PFVF_DIR "/%s", de->d_name);
		if (!xe_pfvf_is_dir(path))
			continue;
		if (num_pfs >= MAX_PFS) {
			igt_warn("more than %d PFs registered, ignoring %s\n",
				 MAX_PFS, de->d_name);
			continue;
		}
		snprintf(pfs[num_pfs].bdf, BDF_LEN, "%s", de->d_name);
		pfs[num_pfs].orig_numvfs = -1;
		pfs[num_pfs].touched = false;
		num_pfs++;
	}
	closedir(dir);
	qsort(pfs, num_pfs, sizeof(pfs[0]), cmp_pf);
}

/*
 * Parse <XE_PFVF_DIR>/<pf>/vfs: a header line starting with "vf", then one
 * "<vfnum> <vf-bdf> <state> [more columns...]" line per enabled VF.
 * Returns the number of VF lines; fails the subtest on malformed content.
 */
static int read_vf_table(const char *pf, struct vf_entry *vfs, int max)
{
	static char buf[64 * 1024];
	char path[PATH_MAX], *line, *save = NULL;
	bool header = false;
	int n = 0, err;

	snprintf(path, sizeof(path), XE_PFVF_DIR "/%s/vfs", pf);
	err = read_file(path, buf, sizeof(buf));
	igt_assert_f(err == 0, "reading %s: %s\n", path, strerror(-err));

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct vf_entry *e;
		char *end;
		long num;

		line += strspn(line, " \t\r");
		if (!*line)
			continue;
		if (!header) {
			igt_assert_f(strncmp(line, "vf", 2) == 0,
				     "%s: first line is not a header: '%s'\n",
				     path, line);
			header = true;
			continue;
		}
		igt_assert_f(n < max, "%s: more than %d VF lines\n", path, max);
		e = &vfs[n];

		errno = 0;
		num = strtol(line, &end, 10);
		igt_assert_f(end != line && !errno && num > 0 && num <= MAX_VFS &&
			     (*end == ' ' || *end == '\t'),
			     "%s: bad VF number in line '%s'\n", path, line);
		e->num = (int)num;
		igt_assert_f(sscanf(end, "%31s %31s", e->bdf, e->state) == 2,
			     "%s: expected '<vfnum> <bdf> <state>', got '%s'\n",
			     path, line);
		igt_debug("%s: VF%d %s %s\n", pf, e->num, e->bdf, e->state);
		n++;
	}
	igt_assert_f(header, "%s: missing header line\n", path);
	return n;
}

/*
 * Check a parsed VF table against the PCI core's view of @pf with
 * @expected VFs enabled: one line per VF, unique numbers 1..expected,
 * VF n is virtfn<n-1>, and its physfn points back to @pf.
 */
static void check_vf_table(const char *pf, const struct vf_entry *vfs, int n,
			   int expected)
{
	char pf_dir[PATH_MAX];
	bool seen[MAX_VFS + 1] = { false };
	int i;

	snprintf(pf_dir, sizeof(pf_dir), PCI_DEVICES "/%s", pf);
	igt_assert_f(n == expected, "%s: vfs lists %d VFs, sriov_numvfs is %d\n",
		     pf, n, expected);

	for (i = 0; i < n; i++) {
		char link[32], sys_bdf[BDF_LEN], back[BDF_LEN];
		char vf_dir[PATH_MAX];
		int err;

		igt_assert_f(vfs[i].num >= 1 && vfs[i].num <= expected,
			     "%s: VF number %d out of range 1..%d\n",
			     pf, vfs[i].num, expected);
		igt_assert_f(!seen[vfs[i].num], "%s: VF%d listed twice\n",
			     pf, vfs[i].num);
		seen[vfs[i].num] = true;

		snprintf(link, sizeof(link), "virtfn%d", vfs[i].num - 1);
		err = link_basename(pf_dir, link, sys_bdf, sizeof(sys_bdf));
		igt_assert_f(err == 0, "%s/%s: %s\n", pf_dir, link, strerror(-err));
		igt_assert_f(strcmp(vfs[i].bdf, sys_bdf) == 0,
			     "%s: VF%d is %s in debugfs but %s in sysfs\n",
			     pf, vfs[i].num, vfs[i].bdf, sys_bdf);

		snprintf(vf_dir, sizeof(vf_dir), PCI_DEVICES "/%s", sys_bdf);
		err = link_basename(vf_dir, "physfn", back, sizeof(back));
		igt_assert_f(err == 0, "%s/physfn: %s\n", vf_dir, strerror(-err));
		igt_assert_f(strcmp(back, pf) == 0,
			     "%s: physfn points to %s, expected %s\n",
			     sys_bdf, back, pf);
	}
}

/*
 * After changing sriov_numvfs, give the module a moment to notice: poll the
 * table until it has @expected lines (or time out), then check it fully.
 */
static void wait_and_check_table(const char *pf, int expected)
{
	static struct vf_entry vfs[MAX_VFS];
	long long start = xe_pfvf_now_ms();
	int n;

	for (;;) {
		n = read_vf_table(pf, vfs, MAX_VFS);
		if (n == expected || xe_pfvf_now_ms() - start > TABLE_TIMEOUT_MS)
			break;
		usleep(50 * 1000);
	}
	check_vf_table(pf, vfs, n, expected);
}

/* Set sriov_numvfs; going between two non-zero values needs a 0 first. */
static int set_numvfs(struct pf *pf, int num)
{
	char path[PATH_MAX];
	int cur, err;

	pf_attr_path(path, sizeof(path), pf->bdf, "sriov_numvfs");
	err = xe_pfvf_read_int(path, &cur);
	if (err)
		return err;
	if (cur == num)
		return 0;
	pf->touched = true;
	if (cur != 0 && num != 0) {
		err = xe_pfvf_write_int(path, 0);
		if (err)
			return err;
	}
	return xe_pfvf_write_int(path, num);
}

static void restore_numvfs(struct pf *pf)
{
	int err;

	if (!pf->touched || pf->orig_numvfs < 0)
		return;
	err = set_numvfs(pf, pf->orig_numvfs);
	if (err)
		igt_warn("%s: restoring sriov_numvfs=%d failed: %s\n",
			 pf->bdf, pf->orig_numvfs, strerror(-err));
	else
		pf->touched = false;
}

/* --------------------------------------------------------------- subtests */

static void test_pf_registered(void)
{
	int i;

	igt_assert_f(num_pfs > 0, "no PF directory under %s\n", XE_PFVF_DIR);

	for (i = 0; i < num_pfs; i++) {
		char path[PATH_MAX];
		int total = -1, err;

		snprintf(path, sizeof(path), PCI_DEVICES "/%s", pfs[i].bdf);
		igt_assert_f(xe_pfvf_is_dir(path), "%s: no PCI device %s\n",
			     pfs[i].bdf, path);
		err = pf_read_int(pfs[i].bdf, "sriov_totalvfs", &total);
		igt_assert_f(err == 0, "%s: reading sriov_totalvfs: %s\n",
			     pfs[i].bdf, strerror(-err));
		igt_assert_lt(0, total);
		igt_info("PF %s: sriov_totalvfs=%d\n", pfs[i].bdf, total);
	}
}

static void test_vfs_listed(void)
{
	static struct vf_entry vfs[MAX_VFS];
	int i;

	igt_require_f(num_pfs > 0, "no PF registered\n");

	for (i = 0; i < num_pfs; i++) {
		int numvfs = -1, n, err;

		err = pf_read_int(pfs[i].bdf, "sriov_numvfs", &numvfs);
		igt_assert_f(err == 0, "%s: reading sriov_numvfs: %s\n",
			     pfs[i].bdf, strerror(-err));
		igt_assert_lte(0, numvfs);
		n = read_vf_table(pfs[i].bdf, vfs, MAX_VFS);
		check_vf_table(pfs[i].bdf, vfs, n, numvfs);
		igt_info("PF %s: %d VF(s) listed\n", pfs[i].bdf, n);
	}
}

/* Skip reason of the last PF whose sriov_numvfs could not be written. */
struct write_failure {
	const char *pf;
	int value;
	int err;
};

static void note_write_failure(struct write_failure *wf, struct pf *pf,
			       int value, int err)
{
	wf->pf = pf->bdf;
	wf->value = value;
	wf->err = err;
	igt_info("%s: writing sriov_numvfs=%d failed: %s\n",
		 pf->bdf, value, strerror(-err));
	restore_numvfs(pf);
}

static void test_vf_enable_disable(void)
{
	struct write_failure wf = { NULL, 0, 0 };
	int i, tested = 0;

	igt_require_f(num_pfs > 0, "no PF registered\n");

	for (i = 0; i < num_pfs; i++) {
		struct pf *pf = &pfs[i];
		int total = 0, want, err;

		err = pf_read_int(pf->bdf, "sriov_totalvfs", &total);
		igt_assert_f(err == 0, "%s: reading sriov_totalvfs: %s\n",
			     pf->bdf, strerror(-err));
		want = total < 2 ? total : 2;
		igt_assert_lt(0, want);
		igt_assert_f(pf->orig_numvfs >= 0,
			     "%s: sriov_numvfs was unreadable at start\n", pf->bdf);

		err = set_numvfs(pf, 0);
		if (err) {
			note_write_failure(&wf, pf, 0, err);
			continue;
		}
		wait_and_check_table(pf->bdf, 0);

		err = set_numvfs(pf, want);
		if (err) {
			note_write_failure(&wf, pf, want, err);
			continue;
		}
		wait_and_check_table(pf->bdf, want);

		restore_numvfs(pf);
		if (!pf->touched)
			wait_and_check_table(pf->bdf, pf->orig_numvfs);
		igt_info("PF %s: 0 -> %d -> %d VFs ok\n", pf->bdf, want,
			 pf->orig_numvfs);
		tested++;
	}

	if (!tested)
		igt_skip("%s: sriov_numvfs not writable (writing %d: %s)\n",
			 wf.pf, wf.value, strerror(-wf.err));
}

igt_main
{
	igt_fixture {
		int i;

		igt_require_f(geteuid() == 0, "needs root\n");
		if (!xe_pfvf_is_dir(XE_PFVF_DIR) && !xe_pfvf_debugfs_mounted() &&
		    mount("debugfs", DEBUGFS_ROOT, "debugfs", 0, NULL))
			igt_debug("mounting debugfs at %s: %s\n",
				  DEBUGFS_ROOT, strerror(errno));
		igt_require_f(xe_pfvf_is_dir(XE_PFVF_DIR),
			      "%s not found (xe_pfvf module not loaded?)\n",
			      XE_PFVF_DIR);

		scan_pfs();
		for (i = 0; i < num_pfs; i++)
			if (pf_read_int(pfs[i].bdf, "sriov_numvfs",
					&pfs[i].orig_numvfs))
				pfs[i].orig_numvfs = -1;
	}

	igt_describe("Every registered PF is an SR-IOV capable PCI device");
	igt_subtest("pf-registered")
		test_pf_registered();

	igt_describe("The vfs table matches the VFs enabled by the PCI core");
	igt_subtest("vfs-listed")
		test_vfs_listed();

	igt_describe("The vfs table follows sriov_numvfs changes");
	igt_subtest("vf-enable-disable")
		test_vf_enable_disable();

	igt_fixture {
		int i;

		for (i = 0; i < num_pfs; i++)
			restore_numvfs(&pfs[i]);
	}
}
