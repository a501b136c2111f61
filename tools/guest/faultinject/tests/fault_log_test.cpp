// The fault-injection campaign's kernel-log parser and report formatting,
// on kernel output as the debug kernel prints it.

#include "campaign.hpp"
#include "fault_log.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

namespace fi = xe_pfvf::faultinject;

namespace {

/// A fault injected into xe_pfvf_pf_register() under swpf_probe(), as
/// /dev/kmsg records: the header and the attribute line in one record.
const std::vector<std::string> registry_fault{
    "FAULT_INJECTION: forcing a failure.\\x0aname failslab, interval 1, probability 0, space 0, times 1",
    "CPU: 1 PID: 345 Comm: xe-pfvf-faultin Tainted: G           O       6.1.192-xe-pfvf-debug #1",
    "Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
    "Call Trace:",
    " <TASK>",
    " dump_stack_lvl+0x45/0x5e",
    " should_fail_ex.cold+0x5/0xa",
    " __should_failslab+0x8a/0xb0",
    " should_failslab+0x5/0x10",
    " __kmem_cache_alloc_node+0x4d/0x2b0",
    " ? xe_pfvf_vf_get+0x20/0x90 [xe_pfvf]",
    " kmalloc_trace+0x21/0x90",
    " xe_pfvf_pf_register+0x9f/0x560 [xe_pfvf]",
    " swpf_probe+0x1a2/0x4a0 [xe_pfvf_swpf]",
    " local_pci_probe+0x70/0xd0",
    "RIP: 0033:0x7ff8d2096829",
    "Code: 08 89 e8 5b 5d c3 66 2e 0f 1f 84 00 00 00 00 00 90 48 89 f8 48 89 f7 48 89 d6 48 89 ca 4d 89 c2",
    "RSP: 002b:00007ffcdf6e1ce8 EFLAGS: 00000246 ORIG_RAX: 0000000000000139",
    "RAX: ffffffffffffffda RBX: 0000000000000000 RCX: 00007ff8d2096829",
    "R13: 0000000000000000 R14: 0000000000000001 R15: 0000000000000000",
    " </TASK>",
};

std::vector<std::string> with(std::vector<std::string> lines, const std::vector<std::string>& more) {
    lines.insert(lines.end(), more.begin(), more.end());
    return lines;
}

fi::KernelLog parse(const std::vector<std::string>& records) {
    const auto lines = fi::unescape_records(records);
    return fi::parse_kernel_log(lines);
}

}  // namespace

TEST(Frame, ParsesReliableUnreliableAndModuleFrames) {
    const auto frame = fi::parse_frame(" xe_pfvf_pf_register+0x9f/0x560 [xe_pfvf]");
    ASSERT_TRUE(frame.has_value());
    EXPECT_EQ(*frame, (fi::Frame{.function = "xe_pfvf_pf_register", .offset = 0x9f, .size = 0x560,
                                 .module = "xe_pfvf", .reliable = true}));
    const auto unsure = fi::parse_frame(" ? kasan_save_stack+0x22/0x50");
    ASSERT_TRUE(unsure.has_value());
    EXPECT_FALSE(unsure->reliable);
    EXPECT_TRUE(unsure->module.empty());
    const auto cold = fi::parse_frame("should_fail_ex.cold+0x5/0xa");
    ASSERT_TRUE(cold.has_value());
    EXPECT_EQ(cold->function, "should_fail_ex.cold");
}

TEST(Frame, RejectsWhatIsNoFrame) {
    for (const char* const line : {" <TASK>", "Call Trace:", "RIP: 0010:foo+0x1/0x2", "foo", "foo+0x1",
                                   "foo+1/2", "+0x1/0x2", "foo+0x1/0x2 xe_pfvf", "foo+0x/0x2"}) {
        EXPECT_FALSE(fi::parse_frame(line).has_value()) << line;
    }
}

TEST(Frame, SiteNameIsFunctionOffsetAndModule) {
    EXPECT_EQ(fi::site_name(*fi::parse_frame(" swpf_probe+0x1a2/0x4a0 [xe_pfvf_swpf]")), "swpf_probe+0x1a2 [xe_pfvf_swpf]");
    EXPECT_EQ(fi::site_name(*fi::parse_frame(" kmalloc_trace+0x21/0x90")), "kmalloc_trace+0x21");
}

TEST(Records, EscapedNewlinesSplitAndEscapesDecode) {
    const std::vector<std::string> records{"a\\x0ab", "back\\x5cslash", "plain", "\\x0"};
    EXPECT_EQ(fi::unescape_records(records), (std::vector<std::string>{"a", "b", "back\\slash", "plain", "\\x0"}));
}

TEST(KernelLog, AttributesTheFaultToTheInnermostReliableModuleFrame) {
    const auto log = parse(registry_fault);
    ASSERT_EQ(log.faults.size(), 1U);
    const fi::InjectedFault& fault = log.faults.front();
    EXPECT_EQ(fault.capability, "failslab");
    EXPECT_EQ(fault.pid, 345U);
    // The "? " frame in xe_pfvf is stack garbage: not the site.
    EXPECT_EQ(fault.site, "xe_pfvf_pf_register+0x9f [xe_pfvf]");
    EXPECT_EQ(fault.frames.size(), 9U);
    EXPECT_EQ(fault.lines.size(), registry_fault.size() + 1);
    EXPECT_TRUE(log.splats.empty());
}

TEST(KernelLog, FaultOutsideTheModulesHasNoSite) {
    const auto log = parse({
        "FAULT_INJECTION: forcing a failure.\\x0aname fail_page_alloc, interval 1, probability 0, space 0, times 1",
        "CPU: 0 PID: 12 Comm: insmod Not tainted 6.1.192-xe-pfvf-debug #1",
        "Call Trace:",
        " <TASK>",
        " dump_stack_lvl+0x45/0x5e",
        " should_fail_alloc_page+0x1b/0x30",
        " __alloc_pages+0x11c/0x4d0",
        " kernel_read_file+0x2a1/0x4a0",
        " </TASK>",
    });
    ASSERT_EQ(log.faults.size(), 1U);
    EXPECT_EQ(log.faults.front().capability, "fail_page_alloc");
    EXPECT_FALSE(log.faults.front().site.has_value());
}

TEST(KernelLog, AllocationFailureReportsAreNoSplats) {
    // What the kernel prints when the allocation it failed does not have
    // __GFP_NOWARN: warn_alloc() and the slab allocator's report.
    const auto log = parse(with(registry_fault, {
        std::string("xe-pfvf-faultin: vmalloc error: size 65536, page order 0, failed to allocate pages, ") +
            "mode:0xdc0(GFP_KERNEL|__GFP_ZERO), nodemask=(null),cpuset=/,mems_allowed=0",
        "CPU: 1 PID: 345 Comm: xe-pfvf-faultin Tainted: G           O       6.1.192-xe-pfvf-debug #1",
        "Call Trace:",
        " <TASK>",
        " warn_alloc+0x1a4/0x220",
        " __vmalloc_node_range+0x6a1/0x9b0",
        " kvmalloc_node+0x9b/0x120",
        " debugfs_xlate_write+0x2b0/0x3c0 [xe_pfvf]",
        " </TASK>",
        "Mem-Info:",
        "active_anon:0 inactive_anon:0 isolated_anon:0",
        "SLUB: Unable to allocate memory on node -1, gfp=0xcc0(GFP_KERNEL)",
        "xe_pfvf_swpf 0000:01:00.0: probe with driver xe_pfvf_swpf failed with error -12",
    }));
    EXPECT_EQ(log.faults.size(), 1U);
    EXPECT_TRUE(log.splats.empty());
}

TEST(KernelLog, SplatAfterAFaultIsFound) {
    const auto log = parse(with(registry_fault, {
        "------------[ cut here ]------------",
        "WARNING: CPU: 1 PID: 345 at drivers/pci/iov.c:200 pci_iov_add_virtfn+0x1/0x2",
        "---[ end trace 0000000000000000 ]---",
    }));
    EXPECT_EQ(log.faults.size(), 1U);
    ASSERT_EQ(log.splats.size(), 1U);
    EXPECT_EQ(log.splats.front().lines.front(), "------------[ cut here ]------------");
}

TEST(KernelLog, DumpWithoutStackEndsAtTheNextOtherLine) {
    const auto log = parse({
        "FAULT_INJECTION: forcing a failure.\\x0aname failslab, interval 1, probability 0, space 0, times 1",
        "BUG: KASAN: slab-use-after-free in swpf_remove+0x1/0x2 [xe_pfvf_swpf]",
    });
    ASSERT_EQ(log.faults.size(), 1U);
    EXPECT_TRUE(log.faults.front().frames.empty());
    ASSERT_EQ(log.splats.size(), 1U);
    EXPECT_EQ(log.splats.front().lines.front(), "BUG: KASAN: slab-use-after-free in swpf_remove+0x1/0x2 [xe_pfvf_swpf]");
}

TEST(KernelLog, NoDumpNoFault) {
    EXPECT_TRUE(parse({"xe-pfvf-faultinject: bind-pf N=3", "xe_pfvf: loaded"}).faults.empty());
}

TEST(Report, ErrnoNames) {
    EXPECT_EQ(fi::errno_name(0), "ok");
    EXPECT_EQ(fi::errno_name(ENOMEM), "ENOMEM");
    EXPECT_EQ(fi::errno_name(EREMOTEIO), "EREMOTEIO");
    EXPECT_EQ(fi::errno_name(100000), "errno 100000");
    EXPECT_EQ(fi::format_results({{0, 3}, {ENOMEM, 40}}), "ok 3, ENOMEM 40");
    EXPECT_EQ(fi::format_results({}), "none");
}

TEST(Report, ResultLinesAndTotals) {
    const auto op = [](std::string name, unsigned tried, unsigned in_sites, unsigned other, unsigned silent) {
        fi::OpReport r;
        r.name = std::move(name);
        r.tried = tried;
        r.injected = in_sites + other + silent;
        r.in_sites = in_sites;
        r.other = other;
        r.silent = silent;
        r.complete = true;
        r.run = true;
        return r;
    };
    fi::OpReport a = op("bind-pf", 40, 2, 30, 7);
    a.sites["swpf_probe+0x1a2 [xe_pfvf_swpf]"].faults = 1;
    a.sites["xe_pfvf_pf_register+0x9f [xe_pfvf]"].faults = 1;
    fi::OpReport b = op("load-swpf-attach", 10, 1, 8, 0);
    b.sites["swpf_probe+0x1a2 [xe_pfvf_swpf]"].faults = 1;
    b.problems.emplace_back("N=4: kernel splat:\n      WARNING: ...");
    fi::OpReport c;
    c.name = "vfio-open";

    EXPECT_EQ(fi::result_line(a), "RESULT faultinject/bind-pf PASS N=40 sites=2");
    EXPECT_EQ(fi::result_line(b), "RESULT faultinject/load-swpf-attach FAIL N=10 sites=1: N=4: kernel splat:");
    EXPECT_EQ(fi::result_line(c), "RESULT faultinject/vfio-open FAIL not run");
    const std::string totals = fi::format_totals({a, b, c});
    EXPECT_NE(totals.find("3 operations (2 failed)"), std::string::npos) << totals;
    EXPECT_NE(totals.find("N tried 50, faults injected 48 (3 at xe_pfvf sites, 38 elsewhere, 7 silent)"),
              std::string::npos)
        << totals;
    EXPECT_NE(totals.find("distinct xe_pfvf sites hit 2, problems 1"), std::string::npos) << totals;

    const std::string text = fi::format_report(a);
    EXPECT_NE(text.find("xe_pfvf sites hit: 2"), std::string::npos) << text;
    EXPECT_NE(fi::format_report(c).find("not run"), std::string::npos);
}
