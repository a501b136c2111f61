// SPDX-License-Identifier: MIT
/**
 * TEST: xe pfvf translate
 * Category: Core
 * Mega feature: SR-IOV
 * Sub-category: xe_pfvf
 * Functionality: VF address translation through debugfs
 * Description: Checks the xe_pfvf debugfs "translate" file against a model
 *	of the provisioning built from the "vfs" and "provisioning" files:
 *	VF LMEM BAR addresses (CPU and bus) and LMEM offsets translate to the
 *	VRAM extents the PF provisioned, every refused request gets its
 *	documented errno, and disabling the VFs withdraws their translations.
 *
 * SUBTEST: bar-cpu-matches-provisioning
 * Description: For every provisioned VF, translating its whole LMEM BAR
 *	and each 4 KiB page of it by CPU address gives the VRAM extents of
 *	the "provisioning" file (VRAM-contiguous pieces merged), the VF's
 *	number and its current generation.
 *
 * SUBTEST: bus-matches-cpu
 * Description: The same ranges translated by bus address give the same
 *	results as by CPU address.
 *
 * SUBTEST: lmem-full-quota
 * Description: Translating LMEM offsets 0 to the quota of every
 *	provisioned VF gives the model's extent count, extents and byte
 *	count, or E2BIG with the number of extents needed when they do not
 *	fit in the 4096 extents of the debugfs file.
 *
 * SUBTEST: errno-matrix
 * Description: One dynamic subtest per refused request, each with its
 *	documented errno: zero length (EINVAL), a range that wraps around
 *	(EOVERFLOW), an unaligned "aligned" request (EDOM), a VF's BAR
 *	asked for another VF (EXDEV), a range past the end of the BAR
 *	(ENXIO), past the quota (ERANGE), a VF that does not exist (ENOENT),
 *	the PF's own memory BAR (EPERM), system RAM (EFAULT), and a
 *	malformed request, whose write() fails with EINVAL.
 *
 * SUBTEST: vf-disable-withdraws
 * Description: After writing 0 to sriov_numvfs the former BAR addresses
 *	of a VF translate to nothing (EADDRNOTAVAIL, or EFAULT) and its LMEM
 *	to ENODEV; once the original number of VFs is restored the VF
 *	translates again, with a higher generation than before.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

IGT_TEST_DESCRIPTION("Translation of VF addresses into VRAM extents through the xe_pfvf debugfs");

#define DEBUGFS_ROOT	"/sys/kernel/debug"
#define XE_PFVF_DIR	DEBUGFS_ROOT "/xe_pfvf"
#define PCI_DEVICES	"/sys/bus/pci/devices"

#define MAX_VFS		256
#define BDF_LEN		32
#define PAGE_4K		((uint64_t)0x1000)
#define XLATE_MAX_EXTENTS 4096	/* extents the debugfs file reports at most */
#define MAX_PAGES	4096	/* pages of a BAR checked one by one */
#define IORESOURCE_MEM	0x200
#define WAIT_TIMEOUT_MS	5000

struct extent {
	uint64_t lmem;
	uint64_t vram;
	uint64_t size;
};

struct range {
	uint64_t start;
	uint64_t size;
};

/* One VF as the "vfs" and "provisioning" files describe it. */
struct vf_model {
	int num;		/* 1-based; 0: slot unused */
	char bdf[BDF_LEN];
	bool provisioned;
	uint64_t quota;
	unsigned int nr_extents;
	unsigned int generation;
	uint64_t bar_cpu;
	uint64_t bar_size;	/* 0: no LMEM BAR */
	uint64_t bar_bus;
	struct extent *ext;	/* nr_extents, from "provisioning" */
};

/* A translation result, parsed or expected. */
struct xlate_result {
	int err;
	unsigned int vf;
	unsigned int generation;
	unsigned int nr;	/* extents= */
	uint64_t bytes;
	unsigned int nr_lines;	/* extent lines, at most XLATE_MAX_EXTENTS */
	uint64_t last_end;	/* model only: end of the last piece added */
	struct range ext[XLATE_MAX_EXTENTS];
};

static char pf_bdf[BDF_LEN];
static struct vf_model vfs[MAX_VFS];	/* VF n at index n - 1 */
static int orig_numvfs = -1;
static bool numvfs_touched;

/* ---------------------------------------------------------------- helpers */

/* Parse a whole C-notation number; false if there is anything else. */
static bool parse_u64(const char *s, uint64_t *val)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*val = strtoull(s, &end, 0);
	return !errno && end != s && *end == '\0';
}

static void pf_path(char *out, size_t size, const char *pf, const char *file)
{
	snprintf(out, size, XE_PFVF_DIR "/%s/%s", pf, file);
}

/* --------------------------------------------------------------- the model */

static void model_free(void)
{
	int i;

	for (i = 0; i < MAX_VFS; i++)
		free(vfs[i].ext);
	memset(vfs, 0, sizeof(vfs));
}

/* Split @line at whitespace into at most @max tokens; returns the count. */
static int split(char *line, char **tok, int max)
{
	char *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(line, " \t\r", &save); t && n < max;
	     t = strtok_r(NULL, " \t\r", &save))
		tok[n++] = t;
	return n;
}

enum vfs_col { COL_VF, COL_BDF, COL_STATE, COL_QUOTA, COL_EXTENTS,
	       COL_GENERATION, COL_BAR_CPU, COL_BAR_BUS, NR_COLS };

static const char * const vfs_cols[NR_COLS] = {
	"vf", "bdf", "state", "quota", "extents", "generation", "bar_cpu", "bar_bus",
};

/* Map the header's column names to positions; unknown columns are ignored. */
static void parse_vfs_header(char *line, int *col)
{
	char *tok[64];
	int n = split(line, tok, 64), i, c;

	for (c = 0; c < NR_COLS; c++)
		col[c] = -1;
	for (i = 0; i < n; i++)
		for (c = 0; c < NR_COLS; c++)
			if (!strcmp(tok[i], vfs_cols[c]))
				col[c] = i;
	for (c = 0; c < NR_COLS; c++)
		igt_assert_f(col[c] >= 0, "vfs: no column '%s' in the header\n",
			     vfs_cols[c]);
}

/* "<cpu>+<size>" or "-" */
static void parse_bar(const char *s, const char *bus, struct vf_model *vf)
{
	char cpu[64], *plus;

	vf->bar_size = 0;
	if (!strcmp(s, "-"))
		return;
	snprintf(cpu, sizeof(cpu), "%s", s);
	plus = strchr(cpu, '+');
	igt_assert_f(plus, "vfs: bar_cpu '%s' is not <cpu>+<size>\n", s);
	*plus = '\0';
	igt_assert_f(parse_u64(cpu, &vf->bar_cpu) && parse_u64(plus + 1, &vf->bar_size) &&
		     vf->bar_size, "vfs: bad bar_cpu '%s'\n", s);
	igt_assert_f(parse_u64(bus, &vf->bar_bus), "vfs: bad bar_bus '%s'\n", bus);
}

static void parse_vfs_line(char *line, const int *col)
{
	struct vf_model *vf;
	char *tok[64];
	uint64_t num, v;
	int n = split(line, tok, 64), c;

	for (c = 0; c < NR_COLS; c++)
		igt_assert_f(col[c] < n, "vfs: short line (%d columns)\n", n);
	igt_assert_f(parse_u64(tok[col[COL_VF]], &num) && num >= 1 && num <= MAX_VFS,
		     "vfs: bad VF number '%s'\n", tok[col[COL_VF]]);
	vf = &vfs[num - 1];
	igt_assert_f(!vf->num, "vfs: VF%d listed twice\n", (int)num);
	vf->num = (int)num;
	snprintf(vf->bdf, sizeof(vf->bdf), "%s", tok[col[COL_BDF]]);
	vf->provisioned = !strcmp(tok[col[COL_STATE]], "provisioned");
	igt_assert_f(vf->provisioned || !strcmp(tok[col[COL_STATE]], "enabled"),
		     "vfs: VF%d has state '%s'\n", vf->num, tok[col[COL_STATE]]);
	igt_assert_f(parse_u64(tok[col[COL_QUOTA]], &vf->quota),
		     "vfs: VF%d bad quota\n", vf->num);
	igt_assert_f(parse_u64(tok[col[COL_EXTENTS]], &v) && v <= UINT_MAX,
		     "vfs: VF%d bad extents\n", vf->num);
	vf->nr_extents = (unsigned int)v;
	igt_assert_f(parse_u64(tok[col[COL_GENERATION]], &v) && v <= UINT_MAX,
		     "vfs: VF%d bad generation\n", vf->num);
	vf->generation = (unsigned int)v;
	parse_bar(tok[col[COL_BAR_CPU]], tok[col[COL_BAR_BUS]], vf);
}

static void parse_vfs(const char *pf)
{
	char path[PATH_MAX], *buf, *line, *save = NULL;
	int col[NR_COLS];
	bool header = false;

	pf_path(path, sizeof(path), pf, "vfs");
	buf = xe_pfvf_read_all(path);
	igt_assert_f(buf, "reading %s: %s\n", path, strerror(errno));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!line[strspn(line, " \t\r")])
			continue;
		if (!header) {
			parse_vfs_header(line, col);
			header = true;
		} else {
			parse_vfs_line(line, col);
		}
	}
	free(buf);
	igt_assert_f(header, "%s: no header line\n", path);
}

/* "vf <n> quota <q> generation <g> extents <k>" then k "<lmem> <vram> <size>" */
static void parse_provisioning(const char *pf)
{
	char path[PATH_MAX], *buf, *line, *save = NULL;
	struct vf_model *vf = NULL;
	unsigned int seen = 0;
	uint64_t lmem = 0;

	pf_path(path, sizeof(path), pf, "provisioning");
	buf = xe_pfvf_read_all(path);
	igt_assert_f(buf, "reading %s: %s\n", path, strerror(errno));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned int num, gen, nr;
		uint64_t quota;
		struct extent *e;
		char *tok[4];

		if (sscanf(line, "vf %u quota %" SCNu64 " generation %u extents %u",
			   &num, &quota, &gen, &nr) == 4) {
			igt_assert_f(!vf || seen == vf->nr_extents,
				     "provisioning: VF%d has %u extent lines, %u announced\n",
				     vf->num, seen, vf->nr_extents);
			igt_assert_f(num >= 1 && num <= MAX_VFS && vfs[num - 1].num &&
				     vfs[num - 1].provisioned,
				     "provisioning: VF%u is not a provisioned VF in vfs\n", num);
			vf = &vfs[num - 1];
			igt_assert_f(!vf->ext, "provisioning: VF%u listed twice\n", num);
			igt_assert_f(quota == vf->quota && gen == vf->generation &&
				     nr == vf->nr_extents && nr > 0,
				     "provisioning: VF%u quota %" PRIu64 " generation %u extents %u, vfs says %" PRIu64 " %u %u\n",
				     num, quota, gen, nr, vf->quota, vf->generation,
				     vf->nr_extents);
			vf->ext = calloc(nr, sizeof(*vf->ext));
			igt_assert(vf->ext);
			seen = 0;
			lmem = 0;
			continue;
		}
		igt_assert_f(vf && seen < vf->nr_extents && split(line, tok, 4) == 3,
			     "provisioning: unexpected line '%s'\n", line);
		e = &vf->ext[seen];
		igt_assert_f(parse_u64(tok[0], &e->lmem) && parse_u64(tok[1], &e->vram) &&
			     parse_u64(tok[2], &e->size) && e->size,
			     "provisioning: bad extent line '%s'\n", line);
		igt_assert_f(e->lmem == lmem,
			     "provisioning: VF%d extent %u at LMEM %#" PRIx64 ", expected %#" PRIx64 "\n",
			     vf->num, seen, e->lmem, lmem);
		lmem += e->size;
		seen++;
		igt_assert_f(seen < vf->nr_extents || lmem == vf->quota,
			     "provisioning: VF%d extents add up to %#" PRIx64 ", quota %#" PRIx64 "\n",
			     vf->num, lmem, vf->quota);
	}
	free(buf);
	igt_assert_f(!vf || seen == vf->nr_extents,
		     "provisioning: VF%d has %u extent lines, %u announced\n",
		     vf->num, seen, vf->nr_extents);
}

/* Load the model of @pf; returns the number of provisioned VFs. */
static int model_load(const char *pf)
{
	int i, n = 0;

	model_free();
	parse_vfs(pf);
	parse_provisioning(pf);
	for (i = 0; i < MAX_VFS; i++) {
		if (!vfs[i].provisioned)
			continue;
		igt_assert_f(vfs[i].ext, "VF%d is provisioned in vfs but not in provisioning\n",
			     vfs[i].num);
		n++;
	}
	return n;
}

static void result_init(struct xlate_result *r, int err)
{
	r->err = err;
	r->vf = 0;
	r->generation = 0;
	r->nr = 0;
	r->bytes = 0;
	r->nr_lines = 0;
	r->last_end = 0;
}

/*
 * Append a VRAM piece, merged into the previous one when contiguous with
 * it.  Past XLATE_MAX_EXTENTS only the count goes on.
 */
static void result_add(struct xlate_result *r, uint64_t start, uint64_t size)
{
	r->bytes += size;
	if (r->nr && r->last_end == start) {
		if (r->nr <= XLATE_MAX_EXTENTS)
			r->ext[r->nr - 1].size += size;
	} else {
		if (r->nr < XLATE_MAX_EXTENTS) {
			r->ext[r->nr].start = start;
			r->ext[r->nr].size = size;
			r->nr_lines++;
		}
		r->nr++;
	}
	r->last_end = start + size;
}

/* Index of the extent holding LMEM offset @off (< quota). */
static unsigned int model_find(const struct vf_model *vf, uint64_t off)
{
	unsigned int lo = 0, hi = vf->nr_extents;

	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (vf->ext[mid].lmem <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Expected result of translating LMEM [off, off + len) of @vf: walk the
 * VF's extents from the one holding @off and merge the pieces that are
 * contiguous in VRAM.
 */
static void model_lmem(const struct vf_model *vf, uint64_t off, uint64_t len,
		       struct xlate_result *want)
{
	unsigned int i;

	if (!len) {
		result_init(want, -EINVAL);
		return;
	}
	if (!vf->provisioned) {
		result_init(want, -ENODEV);
		return;
	}
	if (off >= vf->quota || len > vf->quota - off) {
		result_init(want, -ERANGE);
		return;
	}
	result_init(want, 0);
	for (i = model_find(vf, off); len; i++) {
		const struct extent *e = &vf->ext[i];
		uint64_t delta = off - e->lmem;
		uint64_t chunk = e->size - delta < len ? e->size - delta : len;

		result_add(want, e->vram + delta, chunk);
		off += chunk;
		len -= chunk;
	}
	if (want->nr > XLATE_MAX_EXTENTS) {
		unsigned int needed = want->nr;

		/* The debugfs file then reports only the number needed. */
		result_init(want, -E2BIG);
		want->nr = needed;
		return;
	}
	want->vf = vf->num;
	want->generation = vf->generation;
}

/* Expected result for LMEM BAR offset [off, off + len) of @vf. */
static void model_bar(const struct vf_model *vf, uint64_t off, uint64_t len,
		      struct xlate_result *want)
{
	if (!len) {
		result_init(want, -EINVAL);
		return;
	}
	if (off >= vf->bar_size || len > vf->bar_size - off) {
		result_init(want, -ENXIO);
		return;
	}
	model_lmem(vf, off, len, want);
}

/* ------------------------------------------------------------- translating */

static int open_translate(void)
{
	char path[PATH_MAX];
	int fd;

	pf_path(path, sizeof(path), pf_bdf, "translate");
	fd = open(path, O_RDWR | O_CLOEXEC);
	igt_assert_f(fd >= 0, "open %s: %s\n", path, strerror(errno));
	return fd;
}

static void parse_result(const char *req, char *buf, struct xlate_result *res)
{
	char *line, *save = NULL;
	bool header = false;

	result_init(res, 0);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tok[3];
		struct range *r;

		if (!header) {
			igt_assert_f(sscanf(line, "err=%d vf=%u generation=%u extents=%u bytes=%" SCNu64,
					    &res->err, &res->vf, &res->generation, &res->nr,
					    &res->bytes) == 5,
				     "'%s': bad result line '%s'\n", req, line);
			header = true;
			continue;
		}
		igt_assert_f(res->nr_lines < XLATE_MAX_EXTENTS,
			     "'%s': more than %d extent lines\n", req, XLATE_MAX_EXTENTS);
		r = &res->ext[res->nr_lines];
		igt_assert_f(split(line, tok, 3) == 2 && parse_u64(tok[0], &r->start) &&
			     parse_u64(tok[1], &r->size),
			     "'%s': bad extent line '%s'\n", req, line);
		res->nr_lines++;
	}
	igt_assert_f(header, "'%s': empty result\n", req);
}

/*
 * Write @req to the open translate file @fd and read the result back from
 * the same fd.  Returns 0, or -errno if write() failed.
 */
static int xlate_fd(int fd, const char *req, struct xlate_result *res)
{
	static char buf[96 + XLATE_MAX_EXTENTS * 48];
	size_t len = 0;
	ssize_t w;

	w = write(fd, req, strlen(req));
	if (w < 0)
		return -errno;
	igt_assert_f((size_t)w == strlen(req), "'%s': short write %zd\n", req, w);
	for (;;) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		igt_assert_f(r >= 0, "'%s': read: %s\n", req, strerror(errno));
		if (r == 0)
			break;
		len += r;
		igt_assert_f(len < sizeof(buf) - 1, "'%s': result too long\n", req);
	}
	buf[len] = '\0';
	parse_result(req, buf, res);
	igt_debug("'%s': err=%d vf=%u generation=%u extents=%u bytes=%" PRIu64 "\n",
		  req, res->err, res->vf, res->generation, res->nr, res->bytes);
	return 0;
}

/* As xlate_fd(), for a request that must be accepted by write(). */
static void xlate(int fd, struct xlate_result *res, const char *fmt, ...)
	IGT_DECL_PRINTF(3, 4);

static void xlate(int fd, struct xlate_result *res, const char *fmt, ...)
{
	char req[256];
	va_list ap;
	int err;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	err = xlate_fd(fd, req, res);
	igt_assert_f(err == 0, "'%s': write: %s\n", req, strerror(-err));
}

static void check_result(const char *what, const struct xlate_result *got,
			 const struct xlate_result *want)
{
	unsigned int i;

	igt_assert_f(got->err == want->err,
		     "%s: err=%d (%s), expected %d (%s)\n", what, got->err,
		     strerror(-got->err), want->err, strerror(-want->err));
	igt_assert_f(got->vf == want->vf && got->generation == want->generation,
		     "%s: vf=%u generation=%u, expected vf=%u generation=%u\n",
		     what, got->vf, got->generation, want->vf, want->generation);
	igt_assert_f(got->nr == want->nr && got->bytes == want->bytes,
		     "%s: extents=%u bytes=%" PRIu64 ", expected extents=%u bytes=%" PRIu64 "\n",
		     what, got->nr, got->bytes, want->nr, want->bytes);
	igt_assert_f(got->nr_lines == (got->err ? 0 : got->nr),
		     "%s: %u extent lines for extents=%u err=%d\n",
		     what, got->nr_lines, got->nr, got->err);
	for (i = 0; i < got->nr_lines; i++)
		igt_assert_f(got->ext[i].start == want->ext[i].start &&
			     got->ext[i].size == want->ext[i].size,
			     "%s: extent %u is %#" PRIx64 "+%#" PRIx64 ", expected %#" PRIx64 "+%#" PRIx64 "\n",
			     what, i, got->ext[i].start, got->ext[i].size,
			     want->ext[i].start, want->ext[i].size);
}

static bool same_result(const struct xlate_result *a, const struct xlate_result *b)
{
	return a->err == b->err && a->vf == b->vf && a->generation == b->generation &&
	       a->nr == b->nr && a->bytes == b->bytes && a->nr_lines == b->nr_lines &&
	       !memcmp(a->ext, b->ext, a->nr_lines * sizeof(a->ext[0]));
}

/* The VFs worth testing: provisioned, with an LMEM BAR. */
static int nr_bar_vfs(void)
{
	int i, n = 0;

	for (i = 0; i < MAX_VFS; i++)
		n += vfs[i].provisioned && vfs[i].bar_size;
	return n;
}

static const struct vf_model *first_provisioned(bool need_bar)
{
	int i;

	for (i = 0; i < MAX_VFS; i++)
		if (vfs[i].provisioned && (!need_bar || vfs[i].bar_size))
			return &vfs[i];
	return NULL;
}

/* ---------------------------------------------------------- sriov_numvfs */

static int set_numvfs(int num)
{
	char path[PATH_MAX];
	int cur, err;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/sriov_numvfs", pf_bdf);
	err = xe_pfvf_read_int(path, &cur);
	if (err)
		return err;
	if (cur == num)
		return 0;
	numvfs_touched = true;
	if (cur != 0 && num != 0) {
		err = xe_pfvf_write_int(path, 0);
		if (err)
			return err;
	}
	return xe_pfvf_write_int(path, num);
}

static void restore_numvfs(void)
{
	int err;

	if (!numvfs_touched || orig_numvfs < 0)
		return;
	err = set_numvfs(orig_numvfs);
	if (err)
		igt_warn("%s: restoring sriov_numvfs=%d failed: %s\n",
			 pf_bdf, orig_numvfs, strerror(-err));
	else
		numvfs_touched = false;
}

/* --------------------------------------------------------------- subtests */

/*
 * Translate [off, off + len) of @vf's LMEM BAR by CPU and by bus address,
 * check both against the model and, for @bus, against each other.
 */
static void check_bar_range(int fd, const struct vf_model *vf, uint64_t off,
			    uint64_t len, bool bus)
{
	static struct xlate_result want, cpu_res, bus_res;
	char what[128];

	model_bar(vf, off, len, &want);
	xlate(fd, &cpu_res, "cpu %#" PRIx64 " %#" PRIx64, vf->bar_cpu + off, len);
	snprintf(what, sizeof(what), "VF%d cpu %#" PRIx64 "+%#" PRIx64,
		 vf->num, vf->bar_cpu + off, len);
	check_result(what, &cpu_res, &want);
	if (!bus)
		return;

	xlate(fd, &bus_res, "bus %#" PRIx64 " %#" PRIx64, vf->bar_bus + off, len);
	snprintf(what, sizeof(what), "VF%d bus %#" PRIx64 "+%#" PRIx64,
		 vf->num, vf->bar_bus + off, len);
	igt_assert_f(same_result(&bus_res, &cpu_res),
		     "%s: err=%d extents=%u bytes=%" PRIu64 " differs from the CPU address' err=%d extents=%u bytes=%" PRIu64 "\n",
		     what, bus_res.err, bus_res.nr, bus_res.bytes, cpu_res.err,
		     cpu_res.nr, cpu_res.bytes);
	check_result(what, &bus_res, &want);
}

/* The whole BAR, then each 4 KiB page of it (the first MAX_PAGES). */
static void check_bar(int fd, const struct vf_model *vf, bool bus)
{
	uint64_t pages = vf->bar_size / PAGE_4K, p;

	check_bar_range(fd, vf, 0, vf->bar_size, bus);
	if (pages > MAX_PAGES) {
		igt_info("VF%d: BAR of %" PRIu64 " pages, checking the first %d one by one\n",
			 vf->num, pages, MAX_PAGES);
		pages = MAX_PAGES;
	}
	for (p = 0; p < pages; p++)
		check_bar_range(fd, vf, p * PAGE_4K, PAGE_4K, bus);
	igt_info("VF%d: BAR %#" PRIx64 "+%#" PRIx64 " (bus %#" PRIx64 ") and %" PRIu64 " pages match, generation %u\n",
		 vf->num, vf->bar_cpu, vf->bar_size, vf->bar_bus, pages, vf->generation);
}

static void test_bar(bool bus)
{
	int fd, i;

	igt_require_f(nr_bar_vfs() > 0, "no provisioned VF with an LMEM BAR\n");
	fd = open_translate();
	for (i = 0; i < MAX_VFS; i++)
		if (vfs[i].provisioned && vfs[i].bar_size)
			check_bar(fd, &vfs[i], bus);
	close(fd);
}

static void test_lmem_full_quota(void)
{
	static struct xlate_result want, got;
	char what[64];
	int fd, i;

	fd = open_translate();
	for (i = 0; i < MAX_VFS; i++) {
		const struct vf_model *vf = &vfs[i];

		if (!vf->provisioned)
			continue;
		model_lmem(vf, 0, vf->quota, &want);
		xlate(fd, &got, "lmem 0 %#" PRIx64 " vf=%d", vf->quota, vf->num);
		snprintf(what, sizeof(what), "VF%d lmem 0+%#" PRIx64, vf->num, vf->quota);
		check_result(what, &got, &want);
		igt_info("VF%d: quota %#" PRIx64 " in %u extents -> err=%d, %u VRAM ranges, %" PRIu64 " bytes\n",
			 vf->num, vf->quota, vf->nr_extents, got.err, got.nr, got.bytes);
	}
	close(fd);
}

/* ---- errno matrix */

/* The first memory BAR of the PF (standard BARs only), from sysfs. */
static bool pf_mem_bar(uint64_t *start, uint64_t *size)
{
	char path[PATH_MAX], *buf, *line, *save = NULL;
	bool found = false;
	int bar = 0;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource", pf_bdf);
	buf = xe_pfvf_read_all(path);
	igt_assert_f(buf, "reading %s: %s\n", path, strerror(errno));
	for (line = strtok_r(buf, "\n", &save); line && bar < 6 && !found;
	     line = strtok_r(NULL, "\n", &save), bar++) {
		uint64_t s, e, flags;

		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &s, &e, &flags) != 3)
			continue;
		if (!(flags & IORESOURCE_MEM) || !e || e < s)
			continue;
		*start = s;
		*size = e - s + 1;
		found = true;
		igt_debug("PF %s: memory BAR%d %#" PRIx64 "+%#" PRIx64 "\n",
			  pf_bdf, bar, s, *size);
	}
	free(buf);
	return found;
}

/* A top-level "System RAM" range of /proc/iomem (addresses visible to root). */
static bool system_ram(uint64_t *start, uint64_t *size)
{
	char *buf = xe_pfvf_read_all("/proc/iomem"), *line, *save = NULL;
	bool found = false;

	igt_assert_f(buf, "reading /proc/iomem: %s\n", strerror(errno));
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		uint64_t s, e;
		int name = 0;

		if (line[0] == ' ' ||
		    sscanf(line, "%" SCNx64 "-%" SCNx64 " : %n", &s, &e, &name) != 2 || !name ||
		    strcmp(line + name, "System RAM") || !e || e < s)
			continue;
		*start = s;
		*size = e - s + 1;
		found = true;
	}
	free(buf);
	return found;
}

static void expect_err(int fd, int err, const char *fmt, ...) IGT_DECL_PRINTF(3, 4);

/* @fmt must be accepted by write() and translate to @err. */
static void expect_err(int fd, int err, const char *fmt, ...)
{
	static struct xlate_result want, got;
	char req[256];
	va_list ap;
	int werr;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	result_init(&want, err);
	werr = xlate_fd(fd, req, &got);
	igt_assert_f(werr == 0, "'%s': write: %s\n", req, strerror(-werr));
	check_result(req, &got, &want);
	igt_info("'%s' -> err=%d (%s)\n", req, got.err, strerror(-got.err));
}

static const struct vf_model *require_bar_vf(void)
{
	const struct vf_model *vf = first_provisioned(true);

	igt_require_f(vf, "no provisioned VF with an LMEM BAR\n");
	return vf;
}

static void errno_zero_length(void)
{
	const struct vf_model *vf = require_bar_vf();
	int fd = open_translate();

	expect_err(fd, -EINVAL, "cpu %#" PRIx64 " 0", vf->bar_cpu);
	expect_err(fd, -EINVAL, "lmem 0 0 vf=%d", vf->num);
	close(fd);
}

static void errno_wrap_around(void)
{
	int fd = open_translate();

	expect_err(fd, -EOVERFLOW, "cpu 0xffffffffffffffff 2");
	expect_err(fd, -EOVERFLOW, "bus 0xfffffffffffff000 0x2000");
	close(fd);
}

static void errno_unaligned(void)
{
	const struct vf_model *vf = require_bar_vf();
	int fd = open_translate();

	expect_err(fd, -EDOM, "cpu %#" PRIx64 " 0x1000 aligned", vf->bar_cpu + 0x100);
	expect_err(fd, -EDOM, "cpu %#" PRIx64 " 0x800 aligned", vf->bar_cpu);
	close(fd);
}

static void errno_other_vf(void)
{
	int fd;

	igt_require_f(vfs[0].provisioned && vfs[0].bar_size,
		      "VF1 is not provisioned or has no LMEM BAR\n");
	fd = open_translate();
	expect_err(fd, -EXDEV, "cpu %#" PRIx64 " 0x1000 vf=2", vfs[0].bar_cpu);
	close(fd);
}

static void errno_beyond_bar(void)
{
	const struct vf_model *vf = require_bar_vf();
	int fd;

	igt_require_f(vf->bar_size >= PAGE_4K, "LMEM BAR below 4 KiB\n");
	fd = open_translate();
	expect_err(fd, -ENXIO, "cpu %#" PRIx64 " 0x2000", vf->bar_cpu + vf->bar_size - PAGE_4K);
	close(fd);
}

static void errno_beyond_quota(void)
{
	int fd;

	igt_require_f(vfs[0].provisioned, "VF1 is not provisioned\n");
	fd = open_translate();
	expect_err(fd, -ERANGE, "lmem %#" PRIx64 " 0x2000 vf=1", vfs[0].quota - PAGE_4K);
	close(fd);
}

static void errno_no_such_vf(void)
{
	char path[PATH_MAX];
	int fd, total = 0, err;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/sriov_totalvfs", pf_bdf);
	err = xe_pfvf_read_int(path, &total);
	igt_assert_f(err == 0, "reading %s: %s\n", path, strerror(-err));
	fd = open_translate();
	expect_err(fd, -ENOENT, "lmem 0 0x1000 vf=%d", total < 99 ? 99 : total + 1);
	expect_err(fd, -ENOENT, "lmem 0 0x1000");
	close(fd);
}

static void errno_pf_bar(void)
{
	uint64_t start, size;
	int fd;

	igt_require_f(pf_mem_bar(&start, &size), "PF %s has no memory BAR\n", pf_bdf);
	fd = open_translate();
	expect_err(fd, -EPERM, "cpu %#" PRIx64 " %#" PRIx64, start,
		   size < PAGE_4K ? size : PAGE_4K);
	close(fd);
}

static void errno_system_ram(void)
{
	uint64_t start, size;
	int fd;

	igt_require_f(system_ram(&start, &size), "no System RAM address in /proc/iomem\n");
	fd = open_translate();
	expect_err(fd, -EFAULT, "cpu %#" PRIx64 " %#" PRIx64, start,
		   size < PAGE_4K ? size : PAGE_4K);
	close(fd);
}

static void errno_malformed(void)
{
	static const char * const reqs[] = {
		"bogus",
		"cpu 0x1000",
		"frob 0 0x1000",
		"lmem zero 0x1000 vf=1",
		"lmem 0 0x1000 vf=x",
		"lmem 0 0x1000 vf=1 unaligned",
	};
	static struct xlate_result res;
	unsigned int i;
	int fd = open_translate();

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		int err = xlate_fd(fd, reqs[i], &res);

		igt_assert_f(err == -EINVAL, "'%s': write() gave %d (%s), expected EINVAL\n",
			     reqs[i], err, strerror(-err));
		igt_info("'%s' -> write: %s\n", reqs[i], strerror(-err));
	}
	close(fd);
}

static const struct {
	const char *name;
	void (*run)(void);
} errno_cases[] = {
	{ "zero-length", errno_zero_length },
	{ "wrap-around", errno_wrap_around },
	{ "unaligned", errno_unaligned },
	{ "other-vf", errno_other_vf },
	{ "beyond-bar", errno_beyond_bar },
	{ "beyond-quota", errno_beyond_quota },
	{ "no-such-vf", errno_no_such_vf },
	{ "pf-bar", errno_pf_bar },
	{ "system-ram", errno_system_ram },
	{ "malformed", errno_malformed },
};

static void test_errno_matrix(void)
{
	volatile unsigned int i;

	for (i = 0; i < sizeof(errno_cases) / sizeof(errno_cases[0]); i++)
		igt_dynamic_f("%s", errno_cases[i].name)
			errno_cases[i].run();
}

/* ---- VF disable */

/* Reload the model until VF @num is provisioned again, or time out. */
static void wait_provisioned(int num)
{
	long long start = xe_pfvf_now_ms();

	for (;;) {
		model_load(pf_bdf);
		if (vfs[num - 1].provisioned || xe_pfvf_now_ms() - start > WAIT_TIMEOUT_MS)
			break;
		usleep(50 * 1000);
	}
	igt_assert_f(vfs[num - 1].provisioned, "VF%d not provisioned again after %d ms\n",
		     num, WAIT_TIMEOUT_MS);
}

static void test_vf_disable_withdraws(void)
{
	static struct xlate_result res;
	const struct vf_model *vf = first_provisioned(true);
	uint64_t cpu, bus;
	unsigned int gen;
	int fd, num, err;

	igt_require_f(vf, "no provisioned VF with an LMEM BAR\n");
	igt_require_f(orig_numvfs > 0, "sriov_numvfs was unreadable or 0 at start\n");
	num = vf->num;
	cpu = vf->bar_cpu;
	bus = vf->bar_bus;

	fd = open_translate();
	xlate(fd, &res, "cpu %#" PRIx64 " 0x1000", cpu);
	igt_assert_f(res.err == 0 && res.vf == (unsigned int)num,
		     "VF%d: err=%d vf=%u before disabling\n", num, res.err, res.vf);
	gen = res.generation;

	err = set_numvfs(0);
	if (err) {
		close(fd);
		restore_numvfs();
		igt_skip("%s: writing sriov_numvfs=0 failed: %s\n", pf_bdf, strerror(-err));
	}

	xlate(fd, &res, "cpu %#" PRIx64 " 0x1000", cpu);
	igt_assert_f(res.err == -EADDRNOTAVAIL || res.err == -EFAULT,
		     "VF%d disabled: cpu %#" PRIx64 " gives err=%d (%s), expected EADDRNOTAVAIL or EFAULT\n",
		     num, cpu, res.err, strerror(-res.err));
	igt_assert_f(!res.vf && !res.nr && !res.bytes && !res.nr_lines,
		     "VF%d disabled: error result with vf=%u extents=%u bytes=%" PRIu64 "\n",
		     num, res.vf, res.nr, res.bytes);
	igt_info("VFs disabled: cpu %#" PRIx64 " -> err=%d (%s)\n", cpu, res.err,
		 strerror(-res.err));
	xlate(fd, &res, "bus %#" PRIx64 " 0x1000", bus);
	igt_assert_f(res.err == -EADDRNOTAVAIL,
		     "VF%d disabled: bus %#" PRIx64 " gives err=%d (%s), expected EADDRNOTAVAIL\n",
		     num, bus, res.err, strerror(-res.err));
	xlate(fd, &res, "lmem 0 0x1000 vf=%d", num);
	igt_assert_f(res.err == -ENODEV,
		     "VF%d disabled: lmem gives err=%d (%s), expected ENODEV\n",
		     num, res.err, strerror(-res.err));

	err = set_numvfs(orig_numvfs);
	igt_assert_f(err == 0, "%s: restoring sriov_numvfs=%d: %s\n", pf_bdf,
		     orig_numvfs, strerror(-err));
	numvfs_touched = false;
	wait_provisioned(num);
	vf = &vfs[num - 1];
	igt_assert_f(vf->bar_size, "VF%d has no LMEM BAR after re-enabling\n", num);
	igt_assert_f(vf->generation > gen,
		     "VF%d generation %u after re-enabling, was %u\n", num, vf->generation, gen);
	check_bar(fd, vf, true);
	igt_info("VF%d translates again: generation %u -> %u\n", num, gen, vf->generation);
	close(fd);
}

/* ---------------------------------------------------------------- fixtures */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/*
 * Pick the first registered PF (in PCI address order) that has a translate
 * file and at least one provisioned VF, and load its model.
 */
static void setup(void)
{
	char *names[64], path[PATH_MAX];
	struct dirent *de;
	int n = 0, i, found = -1;
	DIR *dir;

	xe_pfvf_require_debugfs();

	dir = opendir(XE_PFVF_DIR);
	igt_assert_f(dir, "opendir(%s): %s\n", XE_PFVF_DIR, strerror(errno));
	while ((de = readdir(dir)) && n < 64) {
		if (de->d_name[0] == '.')
			continue;
		pf_path(path, sizeof(path), de->d_name, "translate");
		if (access(path, R_OK | W_OK) == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(dir);
	igt_require_f(n > 0, "no PF with a translate file under %s\n", XE_PFVF_DIR);
	qsort(names, n, sizeof(names[0]), cmp_str);

	for (i = 0; i < n && found < 0; i++) {
		if (strlen(names[i]) >= BDF_LEN)
			continue;
		if (model_load(names[i]) > 0)
			found = i;
	}
	if (found >= 0)
		snprintf(pf_bdf, sizeof(pf_bdf), "%s", names[found]);
	for (i = 0; i < n; i++)
		free(names[i]);
	igt_require_f(found >= 0, "no PF with a provisioned VF\n");

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/sriov_numvfs", pf_bdf);
	if (xe_pfvf_read_int(path, &orig_numvfs))
		orig_numvfs = -1;
	igt_info("PF %s: %d VF(s) enabled, %d provisioned with an LMEM BAR\n",
		 pf_bdf, orig_numvfs, nr_bar_vfs());
}

igt_main
{
	igt_fixture
		setup();

	igt_describe("VF LMEM BAR CPU addresses translate to the provisioned VRAM");
	igt_subtest("bar-cpu-matches-provisioning")
		test_bar(false);

	igt_describe("Bus addresses translate exactly as the CPU addresses");
	igt_subtest("bus-matches-cpu")
		test_bar(true);

	igt_describe("A VF's whole LMEM quota translates to all its VRAM");
	igt_subtest("lmem-full-quota")
		test_lmem_full_quota();

	igt_describe("Every refused translation gets its documented errno");
	igt_subtest_with_dynamic("errno-matrix")
		test_errno_matrix();

	igt_describe("Disabling VFs withdraws their translations");
	igt_subtest("vf-disable-withdraws")
		test_vf_disable_withdraws();

	igt_fixture {
		restore_numvfs();
		model_free();
	}
}
