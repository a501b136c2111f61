// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright © 2026 The xe_pfvf authors
 *
 * KUnit tests of the provisioning table and translation core, compiled in
 * kernel context.  Included from here, as xe does, so that the test module
 * reaches the core without exporting it.
 */

#include <kunit/test.h>

#include "../xe_pfvf_table.c"

#define SZ(k)	((u64)(k) << 10)

/*
 * The table under test:
 *   VF1: BAR 64K at CPU 0x10000000 / bus 0x80000000 (bus offset), quota 32K
 *        in 4 extents, the first two contiguous in VRAM;
 *   VF2: BAR 16K at 0x10010000 / 0x80010000, quota 64K (BAR < quota);
 *   VF3: BAR 16K at 0x10020000 / 0x80020000, not provisioned;
 *   VF4: not enabled;
 *   PF:  BAR 1M at 0x20000000 / 0xa0000000.
 */
static const struct xe_pfvf_extent vf1_ext[] = {
	{ 0x10000, SZ(4) }, { 0x11000, SZ(4) }, { 0x50000, SZ(8) }, { 0x20000, SZ(16) },
};

static const struct xe_pfvf_extent vf2_ext[] = { { 0x100000, SZ(64) } };

static const struct xe_pfvf_bar pf_bar = { 0x20000000, 0xa0000000, SZ(1024) };

struct table_test {
	struct xe_pfvf_vf_cfg *cfg[2];
	struct xe_pfvf_table *table;
};

static int table_test_init(struct kunit *test)
{
	const struct xe_pfvf_provision p1 = { SZ(32), vf1_ext, ARRAY_SIZE(vf1_ext) };
	const struct xe_pfvf_provision p2 = { SZ(64), vf2_ext, ARRAY_SIZE(vf2_ext) };
	struct xe_pfvf_table_vf slots[4] = {
		{ .bar = { 0x10000000, 0x80000000, SZ(64) } },
		{ .bar = { 0x10010000, 0x80010000, SZ(16) } },
		{ .bar = { 0x10020000, 0x80020000, SZ(16) } },
		{},
	};
	struct table_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->cfg[0] = xe_pfvf_vf_cfg_create(1, &p1, SZ(16384));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->cfg[0]);
	t->cfg[0]->generation = 7;
	t->cfg[1] = xe_pfvf_vf_cfg_create(2, &p2, SZ(16384));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->cfg[1]);
	slots[0].cfg = t->cfg[0];
	slots[1].cfg = t->cfg[1];
	t->table = xe_pfvf_table_build(4, SZ(16384), slots, &pf_bar, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->table);
	test->priv = t;
	return 0;
}

static void table_test_exit(struct kunit *test)
{
	struct table_test *t = test->priv;

	xe_pfvf_table_free(t->table);
	xe_pfvf_vf_cfg_free(t->cfg[0]);
	xe_pfvf_vf_cfg_free(t->cfg[1]);
}

struct xlate_case {
	const char *name;
	struct xe_pfvf_xlate_req req;
	int err;
	u32 nr;			/* extents expected */
	struct xe_pfvf_extent first;
};

#define CPU(a, l, v)	{ .space = XE_PFVF_SPACE_CPU, .addr = (a), .len = (l), .vfid = (v) }
#define BUS(a, l, v)	{ .space = XE_PFVF_SPACE_BUS, .addr = (a), .len = (l), .vfid = (v) }
#define LMEM(v, a, l)	{ .space = XE_PFVF_SPACE_LMEM, .addr = (a), .len = (l), .vfid = (v) }
#define BAR(v, a, l)	{ .space = XE_PFVF_SPACE_BAR, .addr = (a), .len = (l), .vfid = (v) }

static const struct xlate_case xlate_cases[] = {
	{ "zero-length", CPU(0x10000000, 0, 0), -EINVAL },
	{ "bad-flags", { .space = XE_PFVF_SPACE_LMEM, .vfid = 1, .len = 1, .flags = 0x80 },
	  -EINVAL },
	{ "bad-space", { .space = 42, .vfid = 1, .len = 1 }, -EINVAL },
	{ "iova-needs-the-service", { .space = XE_PFVF_SPACE_IOVA, .vfid = 1, .len = 1 }, -EINVAL },
	{ "overflow", CPU(U64_MAX, 2, 0), -EOVERFLOW },
	{ "ends-at-u64-max", LMEM(1, U64_MAX, 1), -ERANGE },
	{ "misaligned", { .space = XE_PFVF_SPACE_LMEM, .vfid = 1, .addr = 1, .len = SZ(4),
			  .flags = XE_PFVF_XLATE_ALIGNED }, -EDOM },
	{ "misaligned-length", { .space = XE_PFVF_SPACE_LMEM, .vfid = 1, .len = 100,
				 .flags = XE_PFVF_XLATE_ALIGNED }, -EDOM },
	{ "vf-zero", LMEM(0, 0, 1), -ENOENT },
	{ "no-such-vf", LMEM(9, 0, 1), -ENOENT },
	{ "unknown-address", CPU(0x30000000, 1, 0), -EADDRNOTAVAIL },
	{ "cpu-address-as-bus", BUS(0x10000000, 1, 0), -EADDRNOTAVAIL },
	{ "pf-bar-cpu", CPU(0x20000000, SZ(4), 0), -EPERM },
	{ "pf-bar-bus", BUS(0xa0000000, SZ(4), 1), -EPERM },
	{ "other-vf", CPU(0x10010000, SZ(4), 1), -EXDEV },
	{ "past-bar", CPU(0x10013000, SZ(8), 0), -ENXIO },
	{ "past-bar-offset", BAR(2, SZ(16), 1), -ENXIO },
	{ "no-bar", BAR(4, 0, 1), -ENXIO },
	{ "unprovisioned", CPU(0x10020000, SZ(4), 0), -ENODEV },
	{ "past-quota-in-bar", CPU(0x10008000, SZ(4), 0), -ERANGE },
	{ "past-quota-lmem", LMEM(1, 0x7000, SZ(8)), -ERANGE },
	{ "coalesced", BUS(0x80000000, SZ(8), 0), 0, 1, { 0x10000, SZ(8) } },
	{ "three-extents", CPU(0x10000000, SZ(32), 1), 0, 3, { 0x10000, SZ(8) } },
	{ "unaligned-inside", CPU(0x10001ffe, 4, 0), 0, 2, { 0x11ffe, 2 } },
	{ "bar-space", BAR(1, SZ(13), SZ(4)), 0, 2, { 0x51400, SZ(3) } },
	{ "lmem-beyond-small-bar", LMEM(2, SZ(32), SZ(32)), 0, 1, { 0x108000, SZ(32) } },
	{ "vf-scoped-ok", CPU(0x10010000, SZ(16), 2), 0, 1, { 0x100000, SZ(16) } },
};

static void xlate_case_desc(const struct xlate_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xlate, xlate_cases, xlate_case_desc);

static void table_xlate(struct kunit *test)
{
	const struct xlate_case *c = test->param_value;
	struct table_test *t = test->priv;
	struct xe_pfvf_extent ext[8];
	struct xe_pfvf_xlate_res res = { .ext = ext, .max = ARRAY_SIZE(ext) };
	int err = xe_pfvf_table_xlate(t->table, &c->req, &res);

	KUNIT_ASSERT_EQ(test, err, c->err);
	if (err) {
		KUNIT_EXPECT_EQ(test, res.nr, 0U);
		return;
	}
	KUNIT_EXPECT_EQ(test, res.nr, c->nr);
	KUNIT_EXPECT_EQ(test, res.bytes, c->req.len);
	KUNIT_EXPECT_EQ(test, ext[0].start, c->first.start);
	KUNIT_EXPECT_EQ(test, ext[0].size, c->first.size);
	KUNIT_EXPECT_EQ(test, res.generation, res.vfid == 1 ? 7U : 0U);
}

static void table_e2big_counts(struct kunit *test)
{
	struct table_test *t = test->priv;
	const struct xe_pfvf_xlate_req req = CPU(0x10000000, SZ(32), 0);
	struct xe_pfvf_extent ext[1];
	struct xe_pfvf_xlate_res res = { .ext = ext, .max = 1 };

	KUNIT_EXPECT_EQ(test, xe_pfvf_table_xlate(t->table, &req, &res), -E2BIG);
	KUNIT_EXPECT_EQ(test, res.nr, 3U);
	KUNIT_EXPECT_EQ(test, ext[0].size, SZ(8));
}

static void table_accumulates_runs(struct kunit *test)
{
	struct table_test *t = test->priv;
	const struct xe_pfvf_xlate_req a = CPU(0x10000000, SZ(4), 0);
	const struct xe_pfvf_xlate_req b = CPU(0x10001000, SZ(4), 0);
	const struct xe_pfvf_xlate_req other = CPU(0x10010000, SZ(4), 0);
	struct xe_pfvf_extent ext[4];
	struct xe_pfvf_xlate_res res = { .ext = ext, .max = ARRAY_SIZE(ext) };

	KUNIT_ASSERT_EQ(test, xe_pfvf_table_xlate(t->table, &a, &res), 0);
	KUNIT_ASSERT_EQ(test, xe_pfvf_table_xlate(t->table, &b, &res), 0);
	/* Two runs contiguous in VRAM merge into one extent. */
	KUNIT_EXPECT_EQ(test, res.nr, 1U);
	KUNIT_EXPECT_EQ(test, ext[0].size, SZ(8));
	/* A run in another VF cannot join the result. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_table_xlate(t->table, &other, &res), -EXDEV);
}

/*
 * Ranges one by one, as the IOVA walk hands them over: the first opens VF1's
 * BAR up to its quota, the next ones inside one bucket are translated
 * inline, the others with every check; all as xe_pfvf_table_xlate() would.
 */
static void table_runs_one_by_one(struct kunit *test)
{
	static const struct xe_pfvf_extent ranges[] = {
		{ 0x10001000, SZ(4) },		/* checked: opens the BAR */
		{ 0x10003000, SZ(4) },		/* inline */
		{ 0x10000000, SZ(4) },		/* inline, the extent before */
		{ 0x10004800, SZ(1) },		/* inline, unaligned */
		{ 0x10007000, SZ(4) },		/* inline, the last page of the quota */
		{ 0x10000000, SZ(12) },		/* inline, across buckets */
		{ 0x10005000, SZ(4) },		/* inline */
	};
	struct table_test *t = test->priv;
	struct xe_pfvf_extent *ext = kunit_kcalloc(test, 16, sizeof(*ext), GFP_KERNEL);
	struct xe_pfvf_extent *want_ext = kunit_kcalloc(test, 16, sizeof(*ext), GFP_KERNEL);
	struct xe_pfvf_xlate_res res = { .ext = ext, .max = 16 };
	struct xe_pfvf_xlate_res want = { .ext = want_ext, .max = 16 };
	struct xe_pfvf_runs runs;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, ext);
	KUNIT_ASSERT_NOT_NULL(test, want_ext);
	xe_pfvf_runs_begin(&runs, t->table, XE_PFVF_SPACE_CPU, 0, &res);
	KUNIT_EXPECT_EQ(test, runs.span, 0ULL);
	for (i = 0; i < ARRAY_SIZE(ranges); i++) {
		const struct xe_pfvf_xlate_req req = CPU(ranges[i].start, ranges[i].size, 0);

		KUNIT_ASSERT_EQ(test, xe_pfvf_table_xlate(t->table, &req, &want), 0);
		KUNIT_ASSERT_EQ_MSG(test, xe_pfvf_runs_add(&runs, ranges[i].start,
							   ranges[i].size), 0, "range %u", i);
	}
	KUNIT_EXPECT_EQ(test, runs.base, 0x10000000ULL);
	KUNIT_EXPECT_EQ(test, runs.span, SZ(32));
	KUNIT_EXPECT_EQ(test, xe_pfvf_runs_end(&runs), 0);
	KUNIT_ASSERT_EQ(test, res.nr, want.nr);
	KUNIT_EXPECT_EQ(test, res.bytes, want.bytes);
	KUNIT_EXPECT_EQ(test, res.generation, 7U);
	KUNIT_EXPECT_EQ(test, memcmp(ext, want_ext, res.nr * sizeof(*ext)), 0);

	/* Past the quota, across its end, below the BAR, VF2's BAR. */
	KUNIT_EXPECT_EQ(test, xe_pfvf_runs_add(&runs, 0x10008000, SZ(4)), -ERANGE);
	KUNIT_EXPECT_EQ(test, xe_pfvf_runs_add(&runs, 0x10007000, SZ(4) + 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, xe_pfvf_runs_add(&runs, 0x0ffff000, SZ(4)), -EADDRNOTAVAIL);
	KUNIT_EXPECT_EQ(test, xe_pfvf_runs_add(&runs, 0x10010000, SZ(4)), -EXDEV);
	KUNIT_EXPECT_EQ(test, xe_pfvf_runs_add(&runs, 0x10000000, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, res.nr, want.nr);

	/* A full array counts on, inline too. */
	res = (struct xe_pfvf_xlate_res){ .ext = ext, .max = 1 };
	xe_pfvf_runs_begin(&runs, t->table, XE_PFVF_SPACE_BUS, 1, &res);
	KUNIT_EXPECT_EQ(test, xe_pfvf_runs_add(&runs, 0x80004000, SZ(4)), 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_runs_add(&runs, 0x80000000, SZ(4)), 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_runs_add(&runs, 0x80002000, SZ(4)), 0);
	KUNIT_EXPECT_EQ(test, xe_pfvf_runs_end(&runs), -E2BIG);
	KUNIT_EXPECT_EQ(test, res.nr, 3U);
	KUNIT_EXPECT_EQ(test, ext[0].start, 0x20000ULL);
}

static void table_rejects_overlaps(struct kunit *test)
{
	struct table_test *t = test->priv;
	const struct xe_pfvf_extent clash[] = { { 0x52000, SZ(4) }, { 0x50000, SZ(4) } };
	const struct xe_pfvf_provision p = { SZ(8), clash, ARRAY_SIZE(clash) };
	struct xe_pfvf_table_vf slots[4] = {
		{ .cfg = t->cfg[0] }, {}, { .bar = { 0x10020000, 0x80020000, SZ(16) } }, {},
	};
	struct xe_pfvf_vf_cfg *cfg = xe_pfvf_vf_cfg_create(3, &p, SZ(16384));

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cfg);
	slots[2].cfg = cfg;
	/* VF3's second extent is inside VF1's third. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_table_build(4, SZ(16384), slots, NULL, 0)),
			-EADDRINUSE);
	/* Two VF BARs sharing addresses. */
	slots[2].cfg = NULL;
	slots[3].bar = (struct xe_pfvf_bar){ 0x10023000, 0x90000000, SZ(16) };
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_table_build(4, SZ(16384), slots, NULL, 0)),
			-EADDRINUSE);
	/* A config in the wrong slot. */
	slots[3].bar = (struct xe_pfvf_bar){};
	slots[1].cfg = cfg;
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_table_build(4, SZ(16384), slots, NULL, 0)),
			-EINVAL);
	/* A BAR wrapping around the address space. */
	slots[1].cfg = NULL;
	slots[3].bar = (struct xe_pfvf_bar){ U64_MAX - 0xfff, 0x90000000, SZ(8) };
	KUNIT_EXPECT_EQ(test, PTR_ERR(xe_pfvf_table_build(4, SZ(16384), slots, NULL, 0)),
			-EOVERFLOW);
	xe_pfvf_vf_cfg_free(cfg);
}

struct cfg_case {
	const char *name;
	u64 quota;
	struct xe_pfvf_extent ext[2];
	unsigned int nr;
	int err;
};

static const struct cfg_case cfg_cases[] = {
	{ "ok", SZ(8), { { 0, SZ(4) }, { SZ(8), SZ(4) } }, 2, 0 },
	{ "no-extents", 0, {}, 0, -EINVAL },
	{ "empty-extent", SZ(4), { { 0, 0 }, { 0, SZ(4) } }, 2, -EINVAL },
	{ "unaligned-start", SZ(4), { { 0x800, SZ(4) } }, 1, -EINVAL },
	{ "unaligned-size", 0x1800, { { 0, 0x1800 } }, 1, -EINVAL },
	{ "beyond-vram", SZ(8), { { SZ(16380), SZ(8) } }, 1, -ERANGE },
	{ "wraps", SZ(8), { { U64_MAX - 0xfff, SZ(8) } }, 1, -ERANGE },
	{ "quota-mismatch", SZ(12), { { 0, SZ(4) }, { SZ(8), SZ(4) } }, 2, -EINVAL },
	{ "too-many", SZ(4), { { 0, SZ(4) } }, XE_PFVF_MAX_EXTENTS + 1, -E2BIG },
};

static void cfg_case_desc(const struct cfg_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cfg, cfg_cases, cfg_case_desc);

static void table_cfg_create(struct kunit *test)
{
	const struct cfg_case *c = test->param_value;
	const struct xe_pfvf_provision p = { c->quota, c->ext, c->nr };
	struct xe_pfvf_vf_cfg *cfg = xe_pfvf_vf_cfg_create(1, &p, SZ(16384));

	if (c->err) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(cfg), c->err);
		return;
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cfg);
	KUNIT_EXPECT_EQ(test, cfg->quota, c->quota);
	KUNIT_EXPECT_EQ(test, cfg->extents[1].lmem, SZ(4));
	xe_pfvf_vf_cfg_free(cfg);
}

static struct kunit_case table_test_cases[] = {
	KUNIT_CASE_PARAM(table_xlate, xlate_gen_params),
	KUNIT_CASE(table_e2big_counts),
	KUNIT_CASE(table_accumulates_runs),
	KUNIT_CASE(table_runs_one_by_one),
	KUNIT_CASE(table_rejects_overlaps),
	KUNIT_CASE_PARAM(table_cfg_create, cfg_gen_params),
	{}
};

static struct kunit_suite table_test_suite = {
	.name = "xe_pfvf_table",
	.init = table_test_init,
	.exit = table_test_exit,
	.test_cases = table_test_cases,
};

kunit_test_suite(table_test_suite);
