// SPDX-License-Identifier: MIT
/**
 * TEST: xe pfvf kunit
 * Category: Core
 * Mega feature: SR-IOV
 * Sub-category: xe_pfvf
 * Functionality: kunit test
 * Description: Runs the xe_pfvf KUnit suites (module xe_pfvf_kunit) and
 *	reports one dynamic subtest per KUnit case.  The module runs its
 *	suites when it loads; their KTAP results are read from
 *	/sys/kernel/debug/kunit/<suite>/results, and from the kernel log for
 *	a case whose debugfs log the kernel truncated.  Skips on kernels
 *	without KUnit (Debian's stock kernel).
 *
 * SUBTEST: pf
 * Description: KUnit suite xe_pfvf_pf: PF registration and VF slots,
 *	provisioning publish and withdrawal.
 *
 * SUBTEST: table
 * Description: KUnit suite xe_pfvf_table: the translation core, range
 *	checks and extent coalescing.
 *
 * SUBTEST: xlate
 * Description: KUnit suite xe_pfvf_xlate: the translation service, IOVAs
 *	through a real IOMMU domain.
 *
 * SUBTEST: dmabuf
 * Description: KUnit suite xe_pfvf_dmabuf: export, the private
 *	interconnect, every refusal, the standard path.
 *
 * SUBTEST: revoke
 * Description: KUnit suite xe_pfvf_revoke: revocation by each path,
 *	bounded waits, quarantine.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "igt_decls.h"
#include "xe_pfvf_igt_common.h"

IGT_TEST_DESCRIPTION("The xe_pfvf KUnit suites, one dynamic subtest per case");

#define DEBUGFS_ROOT	"/sys/kernel/debug"
#define KUNIT_DIR	DEBUGFS_ROOT "/kunit"
#define KUNIT_MODULE	"xe_pfvf_kunit"
#define SUITE_PREFIX	"xe_pfvf_"
#define MAX_CASES	256
#define NAME_LEN	128
#define DIAG_LEN	2048

/* The suites of xe_pfvf_kunit.ko (drivers/xe_pfvf/tests/, Kbuild). */
static const char * const suite_names[] = {
	"xe_pfvf_pf", "xe_pfvf_table", "xe_pfvf_xlate", "xe_pfvf_dmabuf", "xe_pfvf_revoke",
};
#define NR_SUITES (sizeof(suite_names) / sizeof(suite_names[0]))

enum case_result { CASE_PASS, CASE_FAIL, CASE_SKIP };

struct kunit_case {
	char name[NAME_LEN];
	enum case_result result;
	char reason[NAME_LEN];	/* the SKIP directive */
	char diag[DIAG_LEN];	/* "# ..." lines before the result line */
};

struct suite_result {
	bool seen;		/* a "# Subtest:" header for the suite */
	int planned;		/* "1..N" of the suite, -1 if not seen */
	int verdict;		/* 1 ok, 0 not ok, -1 none */
	unsigned int nr;
	struct kunit_case cases[MAX_CASES];
};

/* Per suite: from debugfs, and from the kernel log. */
static struct suite_result debugfs_res[NR_SUITES], kmsg_res[NR_SUITES];
static bool loaded_xe_pfvf;

/* ----------------------------------------------------------- KTAP parsing */

/*
 * Feeds KTAP lines of any number of suites, as KUnit 6.1 prints them: a
 * suite's header and its cases' result lines are indented by 4 spaces,
 * parameterised cases' own results by 8, the suite's result line by none.
 */
struct ktap_parser {
	struct suite_result *res;	/* array of NR_SUITES */
	int cur;			/* suite being read, -1 none */
	char diag[DIAG_LEN];
};

static int suite_index(const char *name)
{
	for (size_t i = 0; i < NR_SUITES; i++)
		if (!strcmp(suite_names[i], name))
			return i;
	return -1;
}

static void diag_append(char *diag, const char *line)
{
	size_t len = strlen(diag);

	if (len + strlen(line) + 2 < DIAG_LEN)
		snprintf(diag + len, DIAG_LEN - len, "%s\n", line);
}

/* "[not ]ok <n> <name>[ # SKIP <reason>]"; false if not a result line. */
static bool parse_result_line(const char *s, bool *ok, char *name, char *reason)
{
	const char *p = s, *hash;
	char *end;

	*ok = strncmp(p, "not ok ", 7) != 0;
	if (*ok && strncmp(p, "ok ", 3))
		return false;
	p += *ok ? 3 : 7;
	strtoul(p, &end, 10);
	if (end == p || *end != ' ')
		return false;
	p = end + 1;
	hash = strstr(p, " # SKIP");
	reason[0] = '\0';
	if (hash) {
		snprintf(name, NAME_LEN, "%.*s", (int)(hash - p), p);
		snprintf(reason, NAME_LEN, "%s", hash + strlen(" # SKIP") +
			 strspn(hash + strlen(" # SKIP"), " "));
	} else {
		snprintf(name, NAME_LEN, "%s", p);
	}
	return name[0] != '\0';
}

static void ktap_feed(struct ktap_parser *kp, const char *line)
{
	size_t indent = strspn(line, " ");
	const char *s = line + indent;
	char name[NAME_LEN], reason[NAME_LEN];
	struct suite_result *r;
	int idx, n;
	bool ok;

	if (indent == 4 && !strncmp(s, "# Subtest: ", 11)) {
		idx = suite_index(s + 11);
		kp->cur = idx;
		kp->diag[0] = '\0';
		if (idx >= 0) {
			r = &kp->res[idx];
			/* A second run of the suite replaces the first. */
			memset(r, 0, sizeof(*r));
			r->seen = true;
			r->planned = -1;
			r->verdict = -1;
		}
		return;
	}
	if (kp->cur < 0)
		return;
	r = &kp->res[kp->cur];
	if (indent == 4 && sscanf(s, "1..%d", &n) == 1) {
		r->planned = n;
		return;
	}
	if (indent == 4 && parse_result_line(s, &ok, name, reason)) {
		struct kunit_case *c;

		if (r->nr < MAX_CASES) {
			c = &r->cases[r->nr++];
			snprintf(c->name, sizeof(c->name), "%s", name);
			snprintf(c->reason, sizeof(c->reason), "%s", reason);
			c->result = !ok ? CASE_FAIL : reason[0] ? CASE_SKIP : CASE_PASS;
			snprintf(c->diag, sizeof(c->diag), "%s", kp->diag);
		}
		kp->diag[0] = '\0';
		return;
	}
	if (indent == 0 && parse_result_line(s, &ok, name, reason)) {
		if (!strcmp(name, suite_names[kp->cur]))
			r->verdict = ok;
		kp->cur = -1;
		return;
	}
	if (indent >= 4)
		diag_append(kp->diag, line);
}

/* -------------------------------------------------------------- sources */

static void read_debugfs_results(void)
{
	for (size_t i = 0; i < NR_SUITES; i++) {
		struct ktap_parser kp = { .res = debugfs_res, .cur = -1 };
		char path[PATH_MAX], *buf, *line, *save = NULL;

		snprintf(path, sizeof(path), KUNIT_DIR "/%s/results", suite_names[i]);
		buf = xe_pfvf_read_all(path);
		if (!buf) {
			igt_debug("%s: %s\n", path, strerror(errno));
			continue;
		}
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			ktap_feed(&kp, line);
		free(buf);
	}
}

/* Records of /dev/kmsg from @fd on: "<prio>,<seq>,<ts>,<flags>;<text>". */
static void read_kmsg(int fd)
{
	struct ktap_parser kp = { .res = kmsg_res, .cur = -1 };
	char rec[8192];

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *text, *nl;

		if (n < 0 && errno == EPIPE) {
			igt_warn("kernel log records were overwritten while reading\n");
			continue;
		}
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		ktap_feed(&kp, text);
	}
}

/*
 * Load xe_pfvf_kunit (which runs its suites), collect the results from
 * debugfs and the kernel log, unload it.
 */
static void run_kunit_module(void)
{
	bool loaded;
	int kmsg, err;

	igt_require_f(geteuid() == 0, "needs root\n");
	if (!xe_pfvf_debugfs_mounted() && mount("debugfs", DEBUGFS_ROOT, "debugfs", 0, NULL))
		igt_debug("mounting debugfs at %s: %s\n", DEBUGFS_ROOT, strerror(errno));
	igt_require_f(xe_pfvf_is_dir("/sys/module/kunit") || xe_pfvf_is_dir(KUNIT_DIR),
		      "kernel without KUnit\n");
	igt_require_f(xe_pfvf_is_dir(KUNIT_DIR), "kernel without KUnit debugfs (CONFIG_KUNIT_DEBUGFS)\n");

	/* A module loaded earlier ran its suites then: run them afresh. */
	if (igt_kmod_is_loaded(KUNIT_MODULE))
		igt_assert_f(igt_kmod_unload(KUNIT_MODULE, 0) == 0, "unloading " KUNIT_MODULE "\n");
	/* Its dependency, which the module loader does not resolve from a path. */
	err = xe_pfvf_kmod_load("xe_pfvf", &loaded_xe_pfvf);
	igt_require_f(err == 0, "loading xe_pfvf: %s\n", strerror(-err));

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	igt_assert_f(kmsg >= 0, "/dev/kmsg: %s\n", strerror(errno));
	lseek(kmsg, 0, SEEK_END);
	err = xe_pfvf_kmod_load(KUNIT_MODULE, &loaded);
	if (err) {
		close(kmsg);
		igt_require_f(err != -ENOENT,
			      KUNIT_MODULE " not found (built only against kernels with KUnit; XE_PFVF_MODDIR=%s)\n",
			      xe_pfvf_moddir() ? xe_pfvf_moddir() : "unset");
		igt_assert_f(false, "loading " KUNIT_MODULE ": %s\n", strerror(-err));
	}
	read_kmsg(kmsg);
	close(kmsg);
	read_debugfs_results();
	igt_assert_f(igt_kmod_unload(KUNIT_MODULE, 0) == 0, "unloading " KUNIT_MODULE "\n");
}

/* ------------------------------------------------------------- reporting */

static const struct kunit_case *find_case(const struct suite_result *r, const char *name)
{
	for (unsigned int i = 0; i < r->nr; i++)
		if (!strcmp(r->cases[i].name, name))
			return &r->cases[i];
	return NULL;
}

/* The case @name of a suite: its debugfs result, else its kernel log one. */
static void report_case(const struct suite_result *d, const struct suite_result *k,
			const char *name)
{
	const struct kunit_case *c = find_case(d, name);

	if (!c)
		c = find_case(k, name);
	igt_assert(c);
	switch (c->result) {
	case CASE_PASS:
		break;
	case CASE_SKIP:
		igt_skip("%s\n", c->reason[0] ? c->reason : "skipped by KUnit");
	case CASE_FAIL:
		igt_info("%s", c->diag);
		igt_assert_f(false, "KUnit case %s failed\n", c->name);
	}
}

/*
 * One dynamic subtest per case of suite @i.  The debugfs log of a case is
 * 512 bytes in Linux 6.1: a case whose result line it lost is taken from
 * the kernel log, where the whole KTAP went.
 */
static void report_suite(size_t i)
{
	const struct suite_result *d = &debugfs_res[i], *k = &kmsg_res[i];
	const struct suite_result *names = k->nr >= d->nr ? k : d;
	volatile unsigned int c;
	int planned = d->planned >= 0 ? d->planned : k->planned;

	if (!d->seen && !k->seen) {
		igt_dynamic_f("suite-ran")
			igt_assert_f(false, "suite %s did not run (no KTAP in debugfs or the kernel log)\n",
				     suite_names[i]);
		return;
	}
	for (c = 0; c < names->nr; c++)
		igt_dynamic_f("%s", names->cases[c].name)
			report_case(d, k, names->cases[c].name);
	if (planned < 0 || names->nr != (unsigned int)planned)
		igt_dynamic_f("all-cases-reported")
			igt_assert_f(false, "suite %s planned %d cases, %u reported\n",
				     suite_names[i], planned, names->nr);
	if (d->verdict == 0) {
		bool failed = false;

		for (c = 0; c < names->nr; c++)
			failed |= names->cases[c].result == CASE_FAIL;
		if (!failed)
			igt_dynamic_f("suite-verdict")
				igt_assert_f(false, "suite %s reported not ok with no failed case\n",
					     suite_names[i]);
	}
	igt_info("suite %s: %u cases (debugfs %u, kernel log %u)\n", suite_names[i], names->nr,
		 d->nr, k->nr);
}

igt_main
{
	igt_fixture
		run_kunit_module();

	for (volatile size_t i = 0; i < NR_SUITES; i++) {
		igt_describe_f("KUnit suite %s", suite_names[i]);
		igt_subtest_with_dynamic(suite_names[i] + strlen(SUITE_PREFIX))
			report_suite(i);
	}

	igt_fixture {
		if (loaded_xe_pfvf && igt_kmod_unload("xe_pfvf", 0))
			igt_warn("unloading xe_pfvf failed\n");
	}
}
