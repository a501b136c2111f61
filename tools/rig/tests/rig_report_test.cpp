#include "rig_cli.hpp"
#include "rig_report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace rig = xe_pfvf::rig;
using rig::Status;
using rig::TestResult;

namespace {

// The KTAP example of a Linux 6.1 kernel loading a KUnit module.
constexpr std::string_view registry_log =
    "[    7.100000]     KTAP version 1\n"
    "[    7.100001]     # Subtest: xe_pfvf_registry\n"
    "[    7.100002]     1..3\n"
    "[    7.100100]     ok 1 xe_pfvf_registry_register\n"
    "[    7.100200]     # xe_pfvf_registry_dup: EXPECTATION FAILED at drivers/xe_pfvf/tests/xe_pfvf_registry_kunit.c:42\n"
    "[    7.100201]     Expected err == -EEXIST, but\n"
    "[    7.100202]         err == 0\n"
    "[    7.100300]     not ok 2 xe_pfvf_registry_dup\n"
    "[    7.100400]         KTAP version 1\n"
    "[    7.100401]         # Subtest: xe_pfvf_registry_param\n"
    "[    7.100402]         ok 1 small\n"
    "[    7.100403]         not ok 2 large\n"
    "[    7.100404]         ok 3 huge # SKIP not enough memory\n"
    "[    7.100405]     # xe_pfvf_registry_param: pass:1 fail:1 skip:1 total:3\n"
    "[    7.100406]     not ok 3 xe_pfvf_registry_param\n"
    "[    7.100500] # xe_pfvf_registry: pass:1 fail:2 skip:0 total:3\n"
    "[    7.100501] # Totals: pass:1 fail:2 skip:0 total:3\n"
    "[    7.100600] not ok 1 xe_pfvf_registry\n";

constexpr std::string_view passing_suite_log =
    "[    8.000000]     KTAP version 1\n"
    "[    8.000001]     # Subtest: xe_pfvf_vram\n"
    "[    8.000002]     1..2\n"
    "[    8.000003]     ok 1 xe_pfvf_vram_map\n"
    "[    8.000004]     ok 2 xe_pfvf_vram_unmap # SKIP no VF provisioned\n"
    "[    8.000005] # xe_pfvf_vram: pass:1 fail:0 skip:1 total:2\n"
    "[    8.000006] ok 1 xe_pfvf_vram\n";

constexpr std::string_view clean_boot_log =
    "[    0.000000] Linux version 6.1.0-xe-pfvf (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC\n"
    "[    0.000000] Command line: console=ttyS0 panic=-1 kasan.fault=report\n"
    "[    0.000000] [Firmware Bug]: TSC_DEADLINE disabled due to Errata; please update microcode\n"
    "[    0.010000] kasan: KernelAddressSanitizer initialized (generic)\n"
    "[    0.020000] rcu: Preemptible hierarchical RCU implementation.\n"
    "[    0.020001] rcu: \tRCU lockdep checking is enabled.\n"
    "[    0.030000] Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar\n"
    "[    0.030001] ... MAX_LOCKDEP_SUBCLASSES:  8\n"
    "[    0.040000] kmemleak: Kernel memory leak detector initialized (mem pool available: 15723)\n"
    "[    0.050000] ACPI BIOS Warning (bug): Incorrect checksum in table [BGRT]\n"
    "[    1.100000] xe_pfvf: loading out-of-tree module taints kernel.\n"
    "[    1.200000] EXT4-fs (vda): mounted filesystem with ordered data mode. Quota mode: none.\n"
    "[    1.300000] systemd[1]: Started Journal Service.\n"
    "[  OK  ] Reached target Basic System.\r\n"
    "warning: userspace helper printed a lowercase warning\n"
    "DEBUG: xe-pfvf-test starting, no bugs so far\n"
    "FAIL this line comes from a userspace test program\n"
    "[    2.000000]     # xe_pfvf_warn_test: EXPECTATION FAILED: WARNING: BUG: KASAN: quoted\n"
    "[    2.000001] # Totals: pass:1 fail:0 skip:0 total:1\n";

[[nodiscard]] const TestResult* find_test(const std::vector<TestResult>& tests, std::string_view name) {
    const auto it = std::ranges::find(tests, name, &TestResult::name);
    return it == tests.end() ? nullptr : &*it;
}

[[nodiscard]] std::vector<std::string> names_of(const std::vector<TestResult>& tests) {
    std::vector<std::string> names;
    names.reserve(tests.size());
    for (const auto& test : tests) {
        names.push_back(test.name);
    }
    return names;
}

[[nodiscard]] bool any_line_contains(const std::vector<std::string>& lines, std::string_view needle) {
    return std::ranges::any_of(lines, [needle](const std::string& line) {
        return line.find(needle) != std::string::npos;
    });
}

[[nodiscard]] std::vector<TestResult> kunit_of(std::string_view console,
                                               const std::vector<std::string>& required = {}) {
    return rig::kunit_tests(rig::parse_kunit(console), required);
}

[[nodiscard]] std::string strip_all_timestamps(std::string_view log) {
    std::string out;
    for (const auto line : rig::split_lines(log)) {
        out += rig::strip_console_prefix(line);
        out += '\n';
    }
    return out;
}

[[nodiscard]] std::string with_crlf(std::string_view log) {
    std::string out;
    for (const auto line : rig::split_lines(log)) {
        out += line;
        out += "\r\n";
    }
    return out;
}

}  // namespace

// --------------------------------------------------------------- line basics

TEST(ConsoleLine, StripsTimestampCarriageReturnAndCallerId) {
    EXPECT_EQ(rig::strip_console_prefix("[    5.123456] hello"), "hello");
    EXPECT_EQ(rig::strip_console_prefix("[    5.123456]     KTAP version 1\r"), "    KTAP version 1");
    EXPECT_EQ(rig::strip_console_prefix("[12345.123456] x\r\r"), "x");
    EXPECT_EQ(rig::strip_console_prefix("[    5.123456][    T1] caller"), "caller");
    EXPECT_EQ(rig::strip_console_prefix("[    5.123456][   C0]     ok 1 a"), "    ok 1 a");
    EXPECT_EQ(rig::strip_console_prefix("    ok 1 a\r"), "    ok 1 a");
    EXPECT_EQ(rig::strip_console_prefix("[  OK  ] Started"), "[  OK  ] Started");
    EXPECT_EQ(rig::strip_console_prefix(""), "");
}

TEST(ConsoleLine, SplitLinesKeepsLastUnterminatedLine) {
    EXPECT_EQ(rig::split_lines("a\nb\n\nc"), (std::vector<std::string_view>{"a", "b", "", "c"}));
    EXPECT_TRUE(rig::split_lines("").empty());
}

TEST(Ktap, ClassifiesLines) {
    using Kind = rig::KtapLine::Kind;
    EXPECT_EQ(rig::classify_ktap("    KTAP version 1").kind, Kind::version);
    EXPECT_EQ(rig::classify_ktap("TAP version 14").kind, Kind::version);

    const auto subtest = rig::classify_ktap("    # Subtest: suite_a  ");
    EXPECT_EQ(subtest.kind, Kind::subtest);
    EXPECT_EQ(subtest.indent, 4U);
    EXPECT_EQ(subtest.name, "suite_a");

    const auto plan = rig::classify_ktap("    1..12");
    EXPECT_EQ(plan.kind, Kind::plan);
    EXPECT_EQ(plan.plan, 12U);

    const auto skipped = rig::classify_ktap("        ok 3 huge # SKIP not enough memory");
    EXPECT_EQ(skipped.kind, Kind::result);
    EXPECT_TRUE(skipped.ok);
    EXPECT_EQ(skipped.indent, 8U);
    EXPECT_EQ(skipped.name, "huge");
    EXPECT_EQ(rig::skip_reason(skipped.directive), std::optional<std::string_view>("not enough memory"));

    const auto old_style = rig::classify_ktap("    not ok 2 - case_b");
    EXPECT_EQ(old_style.kind, Kind::result);
    EXPECT_FALSE(old_style.ok);
    EXPECT_EQ(old_style.name, "case_b");

    EXPECT_EQ(rig::classify_ktap("    okay 1 nope").kind, Kind::other);
    EXPECT_EQ(rig::classify_ktap("    ok x nope").kind, Kind::other);
    EXPECT_EQ(rig::classify_ktap("    # case: pass:1").kind, Kind::other);
    EXPECT_FALSE(rig::skip_reason("SKIPPY").has_value());
    EXPECT_FALSE(rig::skip_reason("TODO later").has_value());
    EXPECT_EQ(rig::skip_reason("skip"), std::optional<std::string_view>(""));
}

// -------------------------------------------------------------------- KUnit

TEST(Kunit, SpecExampleGivesExactlyThreeCases) {
    const auto suites = rig::parse_kunit(registry_log);
    ASSERT_EQ(suites.size(), 1U);
    EXPECT_EQ(suites[0].name, "xe_pfvf_registry");
    EXPECT_EQ(suites[0].planned, std::optional<std::size_t>(3));
    EXPECT_TRUE(suites[0].finished);
    EXPECT_FALSE(suites[0].suite_ok);
    EXPECT_FALSE(suites[0].incomplete());

    const auto tests = rig::kunit_tests(suites, {});
    ASSERT_EQ(names_of(tests), (std::vector<std::string>{
                                   "kunit/xe_pfvf_registry/xe_pfvf_registry_register",
                                   "kunit/xe_pfvf_registry/xe_pfvf_registry_dup",
                                   "kunit/xe_pfvf_registry/xe_pfvf_registry_param",
                               }));
    EXPECT_EQ(tests[0].status, Status::pass);
    EXPECT_TRUE(tests[0].detail_lines.empty());

    EXPECT_EQ(tests[1].status, Status::fail);
    EXPECT_EQ(tests[1].detail_lines,
              (std::vector<std::string>{
                  "# xe_pfvf_registry_dup: EXPECTATION FAILED at drivers/xe_pfvf/tests/xe_pfvf_registry_kunit.c:42",
                  "Expected err == -EEXIST, but",
                  "    err == 0",
              }));

    EXPECT_EQ(tests[2].status, Status::fail);
    EXPECT_NE(tests[2].detail.find("large"), std::string::npos);
    EXPECT_EQ(tests[2].detail.find("small"), std::string::npos);
    EXPECT_EQ(tests[2].detail.find("huge"), std::string::npos);
    EXPECT_TRUE(any_line_contains(tests[2].detail_lines, "large"));
    EXPECT_FALSE(any_line_contains(tests[2].detail_lines, "Expected err"));
}

TEST(Kunit, SpecExampleReportText) {
    const auto tests = kunit_of(registry_log);
    EXPECT_EQ(rig::format_report("lane", tests),
              "PASS lane/kunit/xe_pfvf_registry/xe_pfvf_registry_register\n"
              "FAIL lane/kunit/xe_pfvf_registry/xe_pfvf_registry_dup\n"
              "    # xe_pfvf_registry_dup: EXPECTATION FAILED at drivers/xe_pfvf/tests/xe_pfvf_registry_kunit.c:42\n"
              "    Expected err == -EEXIST, but\n"
              "        err == 0\n"
              "FAIL lane/kunit/xe_pfvf_registry/xe_pfvf_registry_param  (failed params: large)\n"
              "    failed param: large\n"
              "    # xe_pfvf_registry_param: pass:1 fail:1 skip:1 total:3\n"
              "lane: 1 passed, 2 failed, 0 skipped\n");
}

TEST(Kunit, SkipReasonsBecomeDetail) {
    const auto tests = kunit_of(passing_suite_log);
    ASSERT_EQ(tests.size(), 2U);
    EXPECT_EQ(tests[0], (TestResult{.name = "kunit/xe_pfvf_vram/xe_pfvf_vram_map",
                                    .status = Status::pass, .detail = {}, .detail_lines = {}}));
    EXPECT_EQ(tests[1], (TestResult{.name = "kunit/xe_pfvf_vram/xe_pfvf_vram_unmap",
                                    .status = Status::skip, .detail = "no VF provisioned",
                                    .detail_lines = {}}));
}

TEST(Kunit, TwoSuitesInOneLogWithTopLevelHeader) {
    std::string log = "[    6.900000] KTAP version 1\n[    6.900001] 1..2\n";
    log += registry_log;
    log += "[    7.500000] xe_pfvf 0000:00:02.0: some unrelated driver message\n";
    log += passing_suite_log;
    const auto suites = rig::parse_kunit(log);
    ASSERT_EQ(suites.size(), 2U);
    EXPECT_EQ(suites[0].name, "xe_pfvf_registry");
    EXPECT_EQ(suites[1].name, "xe_pfvf_vram");
    EXPECT_EQ(suites[1].occurrence, 1U);
    const auto tests = rig::kunit_tests(suites, {});
    EXPECT_EQ(tests.size(), 5U);
    const auto counts = rig::count(tests);
    EXPECT_EQ(counts, (rig::Counts{.passed = 2, .failed = 2, .skipped = 1}));
}

TEST(Kunit, RepeatedSuiteGetsOccurrenceSuffix) {
    std::string log(passing_suite_log);
    log += "[   20.000000] xe_pfvf_vram_test: module reloaded\n";
    log += passing_suite_log;
    const auto suites = rig::parse_kunit(log);
    ASSERT_EQ(suites.size(), 2U);
    EXPECT_EQ(suites[0].display_name(), "xe_pfvf_vram");
    EXPECT_EQ(suites[1].display_name(), "xe_pfvf_vram#2");
    const auto tests = rig::kunit_tests(suites, {});
    ASSERT_EQ(tests.size(), 4U);
    EXPECT_EQ(tests[2].name, "kunit/xe_pfvf_vram#2/xe_pfvf_vram_map");
    EXPECT_EQ(tests[3].name, "kunit/xe_pfvf_vram#2/xe_pfvf_vram_unmap");
}

TEST(Kunit, TruncatedSuiteIsIncomplete) {
    constexpr std::string_view log =
        "[    7.100000]     KTAP version 1\n"
        "[    7.100001]     # Subtest: xe_pfvf_registry\n"
        "[    7.100002]     1..3\n"
        "[    7.100100]     ok 1 xe_pfvf_registry_register\n"
        "[    7.100200]     # xe_pfvf_registry_dup: about to poke VRAM\n"
        "[    7.100300] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
        "[    7.100301] #PF: supervisor read access in kernel mode\n";
    const auto suites = rig::parse_kunit(log);
    ASSERT_EQ(suites.size(), 1U);
    EXPECT_TRUE(suites[0].incomplete());
    const auto tests = rig::kunit_tests(suites, {});
    ASSERT_EQ(tests.size(), 2U);
    EXPECT_EQ(tests[0].status, Status::pass);
    EXPECT_EQ(tests[1].name, "kunit/xe_pfvf_registry/incomplete");
    EXPECT_EQ(tests[1].status, Status::fail);
    EXPECT_NE(tests[1].detail.find("1 of 3"), std::string::npos);
    EXPECT_EQ(tests[1].detail_lines,
              (std::vector<std::string>{"# xe_pfvf_registry_dup: about to poke VRAM"}));
}

TEST(Kunit, SuiteCutShortByNextSuiteIsIncomplete) {
    std::string log =
        "    KTAP version 1\n"
        "    # Subtest: first\n"
        "    1..2\n"
        "    ok 1 a\n";
    log += passing_suite_log;
    const auto tests = kunit_of(log);
    EXPECT_NE(find_test(tests, "kunit/first/incomplete"), nullptr);
    EXPECT_NE(find_test(tests, "kunit/xe_pfvf_vram/xe_pfvf_vram_map"), nullptr);
}

TEST(Kunit, AllCasesReportedWithoutSuiteLineIsComplete) {
    constexpr std::string_view log =
        "    # Subtest: s\n"
        "    1..1\n"
        "    ok 1 a\n";
    const auto tests = kunit_of(log);
    ASSERT_EQ(tests.size(), 1U);
    EXPECT_EQ(tests[0].status, Status::pass);
}

TEST(Kunit, SuiteNotOkWithoutFailingCaseFails) {
    constexpr std::string_view log =
        "    KTAP version 1\n"
        "    # Subtest: xe_pfvf_init\n"
        "    # xe_pfvf_init: initializing suite failed: -12\n"
        "    1..2\n"
        "not ok 1 xe_pfvf_init\n";
    const auto tests = kunit_of(log);
    ASSERT_EQ(tests.size(), 1U);
    EXPECT_EQ(tests[0].name, "kunit/xe_pfvf_init/suite");
    EXPECT_EQ(tests[0].status, Status::fail);
    EXPECT_TRUE(any_line_contains(tests[0].detail_lines, "-12"));
}

TEST(Kunit, MissingRequiredSuite) {
    const auto tests = kunit_of(passing_suite_log, {"xe_pfvf_vram", "xe_pfvf_ggtt"});
    ASSERT_EQ(tests.size(), 3U);
    EXPECT_EQ(tests[2], (TestResult{.name = "kunit/xe_pfvf_ggtt/missing", .status = Status::fail,
                                    .detail = "suite did not run", .detail_lines = {}}));
    EXPECT_EQ(rig::format_report("l", std::span(tests).subspan(2)),
              "FAIL l/kunit/xe_pfvf_ggtt/missing  (suite did not run)\n"
              "l: 0 passed, 1 failed, 0 skipped\n");
}

TEST(Kunit, SameResultWithAndWithoutTimestampsAndCarriageReturns) {
    const auto reference = kunit_of(registry_log);
    EXPECT_EQ(kunit_of(strip_all_timestamps(registry_log)), reference);
    EXPECT_EQ(kunit_of(with_crlf(registry_log)), reference);
    EXPECT_EQ(kunit_of(with_crlf(strip_all_timestamps(registry_log))), reference);
}

TEST(Kunit, InterleavedKernelAndUserspaceLinesAreIgnored) {
    constexpr std::string_view log =
        "[    7.100000]     KTAP version 1\n"
        "[    7.100001]     # Subtest: xe_pfvf_registry\n"
        "[    7.100002] xe_pfvf 0000:00:02.0: [drm] VF1 provisioned\n"
        "[    7.100003]     1..2\n"
        "ok 1 - userspace TAP from an unrelated program\n"
        "[    7.100100]     ok 1 xe_pfvf_registry_register\n"
        "[    7.100150] random: crng init done\n"
        "[    7.100200]     # xe_pfvf_registry_dup: EXPECTATION FAILED at x.c:1\n"
        "[    7.100250] xe_pfvf: dup registration of VF 1\n"
        "[    7.100201]     Expected err == -EEXIST, but\n"
        "[    7.100300]     not ok 2 xe_pfvf_registry_dup\n"
        "[    7.100350] audit: type=1130 audit(1.2:3): pid=1 uid=0\n"
        "[    7.100600] not ok 1 xe_pfvf_registry\n";
    const auto tests = kunit_of(log);
    ASSERT_EQ(names_of(tests), (std::vector<std::string>{
                                   "kunit/xe_pfvf_registry/xe_pfvf_registry_register",
                                   "kunit/xe_pfvf_registry/xe_pfvf_registry_dup",
                               }));
    EXPECT_EQ(tests[1].detail_lines, (std::vector<std::string>{
                                         "# xe_pfvf_registry_dup: EXPECTATION FAILED at x.c:1",
                                         "Expected err == -EEXIST, but",
                                     }));
}

TEST(Kunit, OldKernelFormatWithDashes) {
    constexpr std::string_view log =
        "TAP version 14\n"
        "1..1\n"
        "    # Subtest: legacy\n"
        "    1..2\n"
        "    ok 1 - first\n"
        "    not ok 2 - second\n"
        "not ok 1 - legacy\n";
    const auto tests = kunit_of(log);
    ASSERT_EQ(names_of(tests),
              (std::vector<std::string>{"kunit/legacy/first", "kunit/legacy/second"}));
    EXPECT_EQ(tests[1].status, Status::fail);
}

TEST(Kunit, NoSuitesInCleanBootLog) {
    EXPECT_TRUE(rig::parse_kunit(clean_boot_log).empty());
}

// ------------------------------------------------------------------- splats

struct SplatCase {
    std::string_view line;
    std::string_view pattern;

    friend void PrintTo(const SplatCase& value, std::ostream* os) { *os << value.line; }
};

class SplatDetection : public ::testing::TestWithParam<SplatCase> {};

TEST_P(SplatDetection, FirstLineIsDetected) {
    const auto& param = GetParam();
    const std::string line = "[   12.345678] " + std::string(param.line) + "\r";
    EXPECT_EQ(rig::match_splat(rig::strip_console_prefix(line)),
              std::optional<std::string_view>(param.pattern));

    const auto splats = rig::find_splats("[    1.000000] booting\n" + line + "\n");
    ASSERT_EQ(splats.size(), 1U);
    EXPECT_EQ(splats[0].lines.front(), param.line);
    const auto test = rig::kernel_log_test(splats);
    EXPECT_EQ(test.status, Status::fail);
    EXPECT_EQ(test.detail_lines.front(), param.line);
}

INSTANTIATE_TEST_SUITE_P(
    AllPatterns, SplatDetection,
    ::testing::Values(
        SplatCase{"WARNING: CPU: 0 PID: 1 at drivers/xe_pfvf/xe_pfvf_vram.c:88 xe_pfvf_map+0x4c/0x90 [xe_pfvf]", "WARNING:"},
        SplatCase{"WARNING: possible circular locking dependency detected", "WARNING:"},
        SplatCase{"WARNING: possible recursive locking detected", "WARNING:"},
        SplatCase{"WARNING: suspicious RCU usage", "WARNING:"},
        SplatCase{"WARNING: inconsistent lock state", "WARNING:"},
        SplatCase{"------------[ cut here ]------------", "------------[ cut here ]------------"},
        SplatCase{"BUG: KASAN: slab-use-after-free in xe_pfvf_unmap+0x20/0x40 [xe_pfvf]", "BUG:"},
        SplatCase{"BUG: sleeping function called from invalid context at mm/slab.h:723", "BUG:"},
        SplatCase{"BUG: unable to handle page fault for address: ffffc90000000000", "BUG:"},
        SplatCase{"kernel BUG at drivers/xe_pfvf/xe_pfvf_main.c:10!", "kernel BUG at"},
        SplatCase{"Oops: 0000 [#1] PREEMPT SMP KASAN NOPTI", "Oops:"},
        SplatCase{"general protection fault, probably for non-canonical address 0xdffffc0000000001", "general protection fault"},
        SplatCase{"==================================================================KASAN: report", "KASAN:"},
        SplatCase{"UBSAN: array-index-out-of-bounds in drivers/xe_pfvf/xe_pfvf_lmtt.c:120:9", "UBSAN:"},
        SplatCase{"Kernel panic - not syncing: Fatal exception", "Kernel panic"},
        SplatCase{"kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)", "kmemleak: "},
        SplatCase{"unreferenced object 0xffff888104e0c000 (size 64):", "unreferenced object 0x"},
        SplatCase{"INFO: task kworker/0:1:12 blocked for more than 120 seconds.", "INFO: task "},
        SplatCase{"rcu: INFO: rcu_preempt self-detected stall on CPU", "rcu: INFO:"},
        SplatCase{"rcu_sched detected stalls on CPUs/tasks:", "detected stalls"},
        SplatCase{"DEBUG_LOCKS_WARN_ON(1)", "DEBUG_LOCKS_WARN_ON"},
        SplatCase{"INFO: possible irq lock inversion dependency detected", "INFO: possible irq lock inversion"},
        SplatCase{"INFO: inconsistent lock state", "INFO: inconsistent lock state"},
        SplatCase{"refcount_t: underflow; use-after-free.", "refcount_t: "},
        SplatCase{"xe_pfvf 0000:00:02.0: something odd WARNING: in the middle", "WARNING:"}),
    [](const ::testing::TestParamInfo<SplatCase>& param_info) { return "line" + std::to_string(param_info.index); });

TEST(Splats, NoFalsePositivesOnCleanBootAndKunitDiagnostics) {
    for (const auto line : rig::split_lines(clean_boot_log)) {
        EXPECT_FALSE(rig::match_splat(rig::strip_console_prefix(line)).has_value()) << line;
    }
    EXPECT_TRUE(rig::find_splats(clean_boot_log).empty());
    EXPECT_TRUE(rig::find_splats(registry_log).empty());
    EXPECT_FALSE(rig::match_splat("    # case: WARNING: expected to see BUG: here").has_value());
    EXPECT_FALSE(rig::match_splat("# WARNING: top level diagnostic").has_value());
    EXPECT_FALSE(rig::match_splat("kmemleak: Automatic memory scanning thread started").has_value());
    EXPECT_FALSE(rig::match_splat("INFO: task list refreshed").has_value());
    EXPECT_FALSE(rig::match_splat("MYBUG: not a kernel bug").has_value());
    EXPECT_FALSE(rig::match_splat("warning: general notice").has_value());

    const auto test = rig::kernel_log_test(rig::find_splats(clean_boot_log));
    EXPECT_EQ(test, (TestResult{.name = "kernel-log-clean", .status = Status::pass, .detail = {}, .detail_lines = {}}));
}

// What the fault-injection lane (tools/guest/faultinject) makes the debug
// kernel print for every fault it injects, verbatim from its console: the
// fault's own report ("FAULT_INJECTION: forcing a failure." and a stack
// dump, `verbose` 2) and, for an allocation without __GFP_NOWARN,
// warn_alloc()'s report with Mem-Info.  None of it is a splat.
constexpr std::string_view injected_fault_log =
    "[  103.261813] xe-pfvf-faultinject: load-xe_pfvf N=1\n"
    "[  103.267701] FAULT_INJECTION: forcing a failure.\n"
    "[  103.267701] name failslab, interval 1, probability 0, space 0, times 1\n"
    "[  103.269303] CPU: 1 PID: 61 Comm: xe-pfvf-faultin Tainted: G           O       6.1.192-xe-pfvf-debug #1 \n"
    "[  103.269303] Call Trace:\n"
    "[  103.269303]  <TASK>\n"
    "[  103.269303]  dump_stack_lvl+0x51/0x66\n"
    "[  103.269303]  dump_stack+0x10/0x12\n"
    "[  103.269303]  should_fail_ex.cold+0x5/0xa\n"
    "[  103.269303]  ? __get_vm_area_node+0xa1/0x2b0\n"
    "[  103.269303]  __should_failslab+0xbe/0x110\n"
    "[  103.269303]  should_failslab+0x9/0x20\n"
    "[  103.269303]  __kmem_cache_alloc_node+0x49/0x210\n"
    "[  103.269303]  kmalloc_node_trace+0x22/0xc0\n"
    "[  103.269303]  __get_vm_area_node+0xa1/0x2b0\n"
    "[  103.269303]  __vmalloc_node_range+0x204/0x10e0\n"
    "[  103.269303]  vmalloc+0x1c/0x20\n"
    "[  103.269303]  kernel_read_file+0x3b3/0x770\n"
    "[  103.269303]  kernel_read_file_from_fd+0x87/0xe0\n"
    "[  103.269303]  __do_sys_finit_module+0xe0/0x170\n"
    "[  103.269303]  __x64_sys_finit_module+0x6d/0xa0\n"
    "[  103.269303]  x64_sys_call+0x171/0x9a0\n"
    "[  103.269303]  do_syscall_64+0x2f/0x50\n"
    "[  103.269303]  entry_SYSCALL_64_after_hwframe+0x4b/0xb5\n"
    "[  103.269303] RIP: 0033:0x7ff8d2096829\n"
    "[  103.269303] RSP: 002b:00007ffcdf6e1ce8 EFLAGS: 00000246 ORIG_RAX: 0000000000000139\n"
    "[  103.269303] RAX: ffffffffffffffda RBX: 0000000000000000 RCX: 00007ff8d2096829\n"
    "[  103.269303]  </TASK>\n"
    "[  103.287505] xe-pfvf-faultin: vmalloc error: size 261752, vm_struct allocation failed, "
    "mode:0xcc0(GFP_KERNEL), nodemask=(null)\n"
    "[  103.288752] CPU: 1 PID: 61 Comm: xe-pfvf-faultin Tainted: G           O       6.1.192-xe-pfvf-debug #1 \n"
    "[  103.289086] Call Trace:\n"
    "[  103.290221]  <TASK>\n"
    "[  103.290301]  dump_stack_lvl+0x51/0x66\n"
    "[  103.290301]  warn_alloc.cold+0x78/0x181\n"
    "[  103.290301]  __vmalloc_node_range+0x639/0x10e0\n"
    "[  103.290301]  </TASK>\n"
    "[  103.301401] Mem-Info:\n"
    "[  103.302209] active_anon:3 inactive_anon:291 isolated_anon:0\n"
    "[  103.302209]  slab_reclaimable:1693 slab_unreclaimable:18490\n"
    "[  103.310850] 524150 pages RAM\n"
    "[  103.311157] 93343 pages reserved\n"
    "[  103.311200] xe_pfvf_vfio_pci: probe of 0000:01:00.1 failed with error -12\n";

TEST(Splats, InjectedFaultReportsAreNoSplats) {
    for (const auto line : rig::split_lines(injected_fault_log)) {
        EXPECT_FALSE(rig::match_splat(rig::strip_console_prefix(line)).has_value()) << line;
    }
    EXPECT_TRUE(rig::find_splats(injected_fault_log).empty());

    // A splat that an injected fault provokes still counts, right after the
    // fault's report (vfio_create_group()'s error path in Linux 6.1).
    const std::string log = std::string(injected_fault_log) +
                            "[  318.900000] ------------[ cut here ]------------\n"
                            "[  318.900001] WARNING: CPU: 0 PID: 61 at drivers/vfio/vfio_main.c:179 "
                            "vfio_group_release+0x92/0xb0\n";
    const auto splats = rig::find_splats(log);
    ASSERT_EQ(splats.size(), 1U);
    EXPECT_EQ(splats[0].lines.front(), "------------[ cut here ]------------");
}

TEST(Splats, CutHereAndWarningAreOneReportCappedAtContext) {
    std::string log =
        "[   10.000000] ------------[ cut here ]------------\n"
        "[   10.000001] WARNING: CPU: 1 PID: 77 at drivers/xe_pfvf/xe_pfvf_vram.c:88 xe_pfvf_map+0x4c/0x90\n";
    for (int i = 0; i < 30; ++i) {
        log += "[   10.000100]  frame_" + std::to_string(i) + "+0x10/0x20\n";
    }
    log += "[   10.100000] ---[ end trace 0000000000000000 ]---\n";
    log += "[   11.000000] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580\n";
    log += "[   11.000001] in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 77, name: modprobe\n";
    log += "[   11.000002] ---[ end trace 0000000000000001 ]---\n";
    log += "[   11.000003] unrelated line after the report\r\n";

    const auto splats = rig::find_splats(log);
    ASSERT_EQ(splats.size(), 2U);
    EXPECT_EQ(splats[0].lines.size(), 1 + rig::splat_context_lines);
    EXPECT_EQ(splats[0].lines[1].substr(0, 8), "WARNING:");
    EXPECT_EQ(splats[1].lines.size(), 3U);
    EXPECT_EQ(splats[1].lines.back(), "---[ end trace 0000000000000001 ]---");

    const auto test = rig::kernel_log_test(splats);
    EXPECT_EQ(test.status, Status::fail);
    EXPECT_EQ(test.detail, "2 kernel splats");
    EXPECT_EQ(test.detail_lines.front().substr(0, 8), "WARNING:");
    EXPECT_TRUE(any_line_contains(test.detail_lines, "BUG: sleeping function"));
    EXPECT_LE(test.detail_lines.size(), rig::max_detail_lines);
}

TEST(Splats, ManySplatsStillShowEachFirstLine) {
    std::string log;
    for (int i = 0; i < 30; ++i) {
        log += "refcount_t: underflow " + std::to_string(i) + "\n";
        for (int j = 0; j < 20; ++j) {
            log += " trace\n";
        }
    }
    const auto splats = rig::find_splats(log);
    ASSERT_EQ(splats.size(), 30U);
    const auto test = rig::kernel_log_test(splats);
    EXPECT_LE(test.detail_lines.size(), rig::max_detail_lines);
    EXPECT_TRUE(any_line_contains(test.detail_lines, "underflow 29"));
}

// ------------------------------------------------------------- results file

TEST(Results, ParsesResultLinesAndDone) {
    constexpr std::string_view text =
        "booting guest tests\n"
        "RESULT vf-probe PASS\r\n"
        "RESULT vram-rw FAIL mismatch at offset 0x1000\n"
        "RESULT lmtt SKIP no LMTT on this platform\n"
        "FAIL not-a-result line\n"
        "RESULTS are not results\n"
        "RESULT weird MAYBE\n"
        "RESULT\n"
        "DONE\n";
    const auto results = rig::parse_results(text);
    EXPECT_TRUE(results.done);
    ASSERT_EQ(results.tests.size(), 4U);
    EXPECT_EQ(results.tests[0], (TestResult{.name = "vf-probe", .status = Status::pass, .detail = {}, .detail_lines = {}}));
    EXPECT_EQ(results.tests[1], (TestResult{.name = "vram-rw", .status = Status::fail,
                                            .detail = "mismatch at offset 0x1000", .detail_lines = {}}));
    EXPECT_EQ(results.tests[2], (TestResult{.name = "lmtt", .status = Status::skip,
                                            .detail = "no LMTT on this platform", .detail_lines = {}}));
    EXPECT_EQ(results.tests[3].name, "weird");
    EXPECT_EQ(results.tests[3].status, Status::fail);
    EXPECT_EQ(results.warnings.size(), 2U);
}

TEST(Results, MissingDoneLine) {
    const auto results = rig::parse_results("RESULT a PASS\nDONE later\n");
    EXPECT_FALSE(results.done);
    EXPECT_EQ(results.tests.size(), 1U);
}

TEST(Report, RequireDoneAddsGuestCompleted) {
    rig::ReportOptions options;
    options.require_done = true;

    const auto done = rig::build_report("", "RESULT a PASS\nDONE\n", options);
    EXPECT_EQ(rig::format_report("vm", done.tests),
              "PASS vm/a\n"
              "PASS vm/guest-completed\n"
              "PASS vm/kernel-log-clean\n"
              "vm: 3 passed, 0 failed, 0 skipped\n");

    const auto unfinished = rig::build_report("", "RESULT a PASS\n", options);
    EXPECT_EQ(rig::format_report("vm", unfinished.tests),
              "PASS vm/a\n"
              "FAIL vm/guest-completed  (guest did not finish: timeout or crash)\n"
              "PASS vm/kernel-log-clean\n"
              "vm: 2 passed, 1 failed, 0 skipped\n");

    const auto missing = rig::build_report("", std::nullopt, options);
    EXPECT_EQ(rig::count(missing.tests), (rig::Counts{.passed = 1, .failed = 1, .skipped = 0}));

    const auto optional_done = rig::build_report("", "RESULT a SKIP why\n", {});
    EXPECT_EQ(rig::format_report("vm", optional_done.tests),
              "SKIP vm/a  (why)\n"
              "PASS vm/kernel-log-clean\n"
              "vm: 1 passed, 0 failed, 1 skipped\n");
}

TEST(Report, DetailLinesAreCapped) {
    TestResult test{.name = "t", .status = Status::fail, .detail = {}, .detail_lines = {}};
    for (int i = 0; i < 100; ++i) {
        test.detail_lines.push_back("line " + std::to_string(i));
    }
    const std::string text = rig::format_report("x", std::span(&test, 1));
    const auto lines = rig::split_lines(text);
    ASSERT_EQ(lines.size(), 1 + rig::max_detail_lines + 1);
    EXPECT_EQ(lines[rig::max_detail_lines], "    ... (61 more lines)");
    EXPECT_EQ(lines.back(), "x: 0 passed, 1 failed, 0 skipped");
}

// ---------------------------------------------------------------------- sum

TEST(Sum, ParsesSummaryLines) {
    EXPECT_EQ(rig::parse_summary_line("kunit-vm: 3 passed, 1 failed, 2 skipped"),
              (rig::LaneSummary{.lane = "kunit-vm", .counts = {.passed = 3, .failed = 1, .skipped = 2}}));
    EXPECT_FALSE(rig::parse_summary_line("    x: 3 passed, 1 failed, 2 skipped").has_value());
    EXPECT_FALSE(rig::parse_summary_line("3 passed, 1 failed, 2 skipped").has_value());
    EXPECT_FALSE(rig::parse_summary_line("x: 3 passed, 1 failed").has_value());
    EXPECT_FALSE(rig::parse_summary_line("x: 3 passed, 1 failed, 2 skipped!").has_value());
    EXPECT_FALSE(rig::parse_summary_line("PASS x/a").has_value());
    EXPECT_EQ(rig::parse_summaries("PASS a/b\na: 1 passed, 0 failed, 0 skipped\r\n").size(), 1U);
}

// ---------------------------------------------------------------------- CLI

namespace {

class Cli : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (std::filesystem::temp_directory_path() / "xe-pfvf-rig-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }

    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    [[nodiscard]] std::string write(std::string_view name, std::string_view content) const {
        const auto path = dir_ / name;
        std::ofstream file(path, std::ios::binary);
        file << content;
        return path.string();
    }

    [[nodiscard]] std::string path(std::string_view name) const { return (dir_ / name).string(); }

    int call(const std::vector<std::string>& args) {
        out_.str({});
        err_.str({});
        const std::vector<std::string_view> views(args.begin(), args.end());
        return rig::run(views, out_, err_);
    }

    [[nodiscard]] std::string out() const { return out_.str(); }
    [[nodiscard]] std::string err() const { return err_.str(); }

private:
    std::filesystem::path dir_;
    std::ostringstream out_;
    std::ostringstream err_;
};

}  // namespace

TEST_F(Cli, ReportPassesWithExitZero) {
    const auto console = write("console.log", std::string(clean_boot_log) + std::string(passing_suite_log));
    const auto results = write("results.txt", "RESULT vf-probe PASS\nDONE\n");
    EXPECT_EQ(call({"report", "--lane", "smoke", "--console", console, "--results", results,
                    "--kunit-suite", "xe_pfvf_vram", "--require-done"}),
              rig::exit_ok);
    EXPECT_EQ(out(),
              "PASS smoke/vf-probe\n"
              "PASS smoke/guest-completed\n"
              "PASS smoke/kunit/xe_pfvf_vram/xe_pfvf_vram_map\n"
              "SKIP smoke/kunit/xe_pfvf_vram/xe_pfvf_vram_unmap  (no VF provisioned)\n"
              "PASS smoke/kernel-log-clean\n"
              "smoke: 4 passed, 0 failed, 1 skipped\n");
    EXPECT_EQ(err(), "");
}

TEST_F(Cli, ReportWithFailuresExitsOne) {
    const auto console = write("console.log", std::string(registry_log) + "[ 9.0] WARNING: CPU: 0 PID: 1 at a.c:1 f\n");
    const auto results = write("results.txt", "RESULT a PASS\n");
    EXPECT_EQ(call({"report", "--lane=kunit", "--console=" + console, "--results=" + results,
                    "--kunit-suite=nope"}),
              rig::exit_failures);
    const std::string text = out();
    EXPECT_NE(text.find("FAIL kunit/kunit/nope/missing  (suite did not run)\n"), std::string::npos);
    EXPECT_NE(text.find("FAIL kunit/kernel-log-clean  (1 kernel splat)\n    WARNING: CPU: 0"), std::string::npos);
    EXPECT_TRUE(text.ends_with("\nkunit: 2 passed, 4 failed, 0 skipped\n")) << text;
}

TEST_F(Cli, MissingResultsFile) {
    const auto console = write("console.log", "");
    EXPECT_EQ(call({"report", "--lane", "l", "--console", console, "--results", path("none"),
                    "--require-done"}),
              rig::exit_failures);
    EXPECT_EQ(out(),
              "FAIL l/guest-completed  (guest did not finish: timeout or crash)\n"
              "PASS l/kernel-log-clean\n"
              "l: 1 passed, 1 failed, 0 skipped\n");

    EXPECT_EQ(call({"report", "--lane", "l", "--console", console, "--results", path("none")}),
              rig::exit_usage);
    EXPECT_EQ(out(), "");
    EXPECT_NE(err().find("none"), std::string::npos);
}

TEST_F(Cli, UsageErrors) {
    const auto file = write("f", "");
    EXPECT_EQ(call({}), rig::exit_usage);
    EXPECT_EQ(call({"frobnicate"}), rig::exit_usage);
    EXPECT_EQ(call({"report", "--console", file, "--results", file}), rig::exit_usage);
    EXPECT_EQ(call({"report", "--lane", "l", "--console", file}), rig::exit_usage);
    EXPECT_EQ(call({"report", "--lane", "l", "--console", file, "--results", file, "--bogus"}), rig::exit_usage);
    EXPECT_EQ(call({"report", "--lane", "l", "--console", file, "--results", file, "--kunit-suite"}), rig::exit_usage);
    EXPECT_EQ(call({"report", "--lane", "a b", "--console", file, "--results", file}), rig::exit_usage);
    EXPECT_EQ(call({"report", "--lane", "l", "--lane", "m", "--console", file, "--results", file}), rig::exit_usage);
    EXPECT_EQ(call({"report", "--lane", "l", "--console", path("absent"), "--results", file}), rig::exit_usage);
    EXPECT_NE(err().find("absent"), std::string::npos);
    EXPECT_EQ(out(), "");
    EXPECT_EQ(call({"sum"}), rig::exit_usage);
    EXPECT_NE(err().find("usage:"), std::string::npos);
}

TEST_F(Cli, Help) {
    EXPECT_EQ(call({"--help"}), rig::exit_ok);
    EXPECT_EQ(out(), rig::usage());
    EXPECT_EQ(call({"report", "--help"}), rig::exit_ok);
    EXPECT_NE(out().find("xe-pfvf-rig report --lane NAME"), std::string::npos);
}

TEST_F(Cli, SumAddsLanes) {
    const auto a = write("a.txt", "PASS a/x\nSKIP a/y\na: 1 passed, 0 failed, 1 skipped\n");
    const auto b = write("b.txt", "PASS b/x\nb: 10 passed, 0 failed, 2 skipped\n");
    EXPECT_EQ(call({"sum", a, b}), rig::exit_ok);
    EXPECT_TRUE(out().ends_with("\n11 passed, 0 failed, 3 skipped\n")) << out();

    const auto c = write("c.txt", "PASS c/x\nFAIL c/y\nc: 1 passed, 1 failed, 0 skipped\n");
    EXPECT_EQ(call({"sum", a, c}), rig::exit_failures);
    EXPECT_TRUE(out().ends_with("\n2 passed, 1 failed, 1 skipped\n")) << out();
}

TEST_F(Cli, SumCountsMissingSummaryAsFailure) {
    const auto a = write("a.txt", "a: 5 passed, 0 failed, 0 skipped\n");
    const auto empty = write("empty.txt", "PASS e/x\n");
    const auto absent = path("absent.txt");
    EXPECT_EQ(call({"sum", a, empty, absent}), rig::exit_failures);
    EXPECT_EQ(out(),
              "a: 5 passed, 0 failed, 0 skipped\n"
              "FAIL " + empty + ": no summary (lane did not run)\n"
              "FAIL " + absent + ": no summary (lane did not run)\n"
              "5 passed, 2 failed, 0 skipped\n");
    EXPECT_NE(err().find("absent.txt"), std::string::npos);
}
