// xe-pfvf against a fake kernel: what each command prints, in tables and
// as JSON (parsed back), which requests it makes, and its exit statuses.

#include "cli.hpp"
#include "commands.hpp"

#include "fake_kernel.hpp"

#include <gtest/gtest.h>

#include <linux/xe_pfvf.h>

#include <sstream>
#include <string>
#include <vector>

namespace xe_pfvf::cli {
namespace {

using fake::FakeKernel;
using fake::pf_entry;
using fake::vf_entry;

constexpr std::uint32_t pf_uapi = XE_PFVF_BDF(0, 1, 0, 0);

/// A machine with one PF (0000:01:00.0, software PF) and four VF slots,
/// VFs 1 and 2 enabled and provisioned.
class CliTest : public ::testing::Test {
public:
    CliTest() {
        kernel.pfs = {pf_entry(pf_uapi, "xe_pfvf_swpf")};
        kernel.pf_bdf = pf_uapi;
        kernel.vfs = {vf_entry(1), vf_entry(2), xe_pfvf_vf_info{}, xe_pfvf_vf_info{}};
        kernel.vfs[2].vfid = 3;
        kernel.vfs[3].vfid = 4;
        kernel.extents = {{.handle = 0x11, .length = 0x1000, .vram = 0x30000},
                          {.handle = 0x12, .length = 0x2000, .vram = 0x10000}};
        env.out = &out;
        env.err = &err;
        env.in = &in;
        env.open_device = [this](const std::string& path) {
            opened.push_back(path);
            return Device([this](unsigned long request, void* arg) { return kernel(request, arg); });
        };
        env.drm = [this] { return drm; };
        env.sleep = [this](std::chrono::seconds s) { slept += s; };
        env.sysfs = "/nonexistent-sysfs";
        env.p2p_analyser = false;
    }

    int xe(std::vector<std::string> args) {
        out.str({});
        err.str({});
        return run(args, env);
    }

    /// Runs with --json and parses stdout; fails the test if it is not JSON.
    Json xe_json(std::vector<std::string> args, int want_status = exit_ok) {
        args.insert(args.begin(), "--json");
        const int status = xe(args);
        EXPECT_EQ(status, want_status) << err.str();
        try {
            return Json::parse(out.str());
        } catch (const std::exception& e) {
            ADD_FAILURE() << "not JSON: " << e.what() << "\n" << out.str();
            return nullptr;
        }
    }

    FakeKernel kernel;
    std::ostringstream out;
    std::ostringstream err;
    std::istringstream in;
    Env env;
    std::vector<std::string> opened;
    std::map<Bdf, DrmInfo> drm;
    std::chrono::seconds slept{0};
};

TEST_F(CliTest, StatusTable) {
    ASSERT_EQ(xe({"status"}), exit_ok) << err.str();
    const std::string text = out.str();
    EXPECT_NE(text.find("xe_pfvf uAPI 1.3 (libxe-pfvf 1.0.0), caps: export iommu bit9"), std::string::npos) << text;
    EXPECT_NE(text.find("max handles per open file: 64"), std::string::npos) << text;
    EXPECT_NE(text.find("PF            DRIVER        VFS    VRAM  LMEM-BAR  REVOKED  PCI-DRIVER  DRM"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("0000:01:00.0  xe_pfvf_swpf  2/4  64 MiB      BAR2        3  -           -"),
              std::string::npos)
        << text;
    EXPECT_EQ(opened, std::vector<std::string>{"/dev/xe_pfvf"});
}

TEST_F(CliTest, StatusJson) {
    drm[*Bdf::parse("0000:01:00.0")] = DrmInfo{.card = "/dev/dri/card0", .render = "/dev/dri/renderD128", .driver = "xe"};
    const Json j = xe_json({"status"});
    EXPECT_EQ(j["uapi"]["major"], 1);
    EXPECT_EQ(j["uapi"]["minor"], 3);
    EXPECT_EQ(j["caps"], Json({"export", "iommu", "bit9"}));
    EXPECT_EQ(j["max_handles"], 64);
    ASSERT_EQ(j["pfs"].size(), 1U);
    EXPECT_EQ(j["pfs"][0]["pf"], "0000:01:00.0");
    EXPECT_EQ(j["pfs"][0]["driver"], "xe_pfvf_swpf");
    EXPECT_EQ(j["pfs"][0]["vram_size"], 64U << 20U);
    EXPECT_EQ(j["pfs"][0]["drm"]["card"], "/dev/dri/card0");
    EXPECT_EQ(j["pfs"][0]["drm"]["driver"], "xe");
    EXPECT_TRUE(j["pfs"][0]["pci_driver"].is_null());
}

TEST_F(CliTest, StatusShowsDrmNodes) {
    drm[*Bdf::parse("0000:01:00.0")] = DrmInfo{.card = "/dev/dri/card1", .render = "/dev/dri/renderD129", .driver = "xe"};
    ASSERT_EQ(xe({"status"}), exit_ok);
    EXPECT_NE(out.str().find("card1,renderD129 (xe)"), std::string::npos) << out.str();
}

TEST_F(CliTest, VfsListsEnabledVfs) {
    ASSERT_EQ(xe({"vfs"}), exit_ok) << err.str();
    const std::string text = out.str();
    EXPECT_NE(text.find("PF 0000:01:00.0 (xe_pfvf_swpf): 2 VFs"), std::string::npos) << text;
    EXPECT_NE(text.find("   1  0000:01:00.1  provisioned  8 MiB        5   11  16 KiB     1     0  -      -       -"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("0000:01:00.2"), std::string::npos);
    EXPECT_EQ(text.find("disabled"), std::string::npos) << "disabled slots without --all";
}

TEST_F(CliTest, VfsAllJsonHasEverySlot) {
    const Json j = xe_json({"vfs", "--all"});
    ASSERT_EQ(j["pfs"].size(), 1U);
    const Json& vfs = j["pfs"][0]["vfs"];
    ASSERT_EQ(vfs.size(), 4U);
    EXPECT_EQ(vfs[0]["vf"], 1);
    EXPECT_EQ(vfs[0]["pci"], "0000:01:00.1");
    EXPECT_EQ(vfs[0]["state"], "provisioned");
    EXPECT_EQ(vfs[0]["quota"], 8U << 20U);
    EXPECT_EQ(vfs[0]["bar_cpu"], 0xfe004000ULL);
    EXPECT_EQ(vfs[2]["state"], "disabled");
    EXPECT_TRUE(vfs[2]["pci"].is_null());
    EXPECT_TRUE(vfs[2]["drm"].is_null());
}

TEST_F(CliTest, VfsHidesBarAddressesWithoutRaw) {
    kernel.vfs[0].vf_flags = 0;
    const Json j = xe_json({"vfs"});
    EXPECT_TRUE(j["pfs"][0]["vfs"][0]["bar_cpu"].is_null());
    EXPECT_TRUE(j["pfs"][0]["vfs"][0]["bar_bus"].is_null());
}

TEST_F(CliTest, VfsOfOnePf) {
    EXPECT_EQ(xe({"vfs", "01:00.0"}), exit_ok) << err.str();
    EXPECT_EQ(xe({"vfs", "0000:02:00.0"}), exit_failed);
    EXPECT_NE(err.str().find("not a registered PF"), std::string::npos) << err.str();
    EXPECT_EQ(xe({"vfs", "02:00"}), exit_usage);
    EXPECT_EQ(xe({"vfs", "a", "b"}), exit_usage);
}

TEST_F(CliTest, ShowTranslatesTheWholeQuota) {
    kernel.caps |= XE_PFVF_CAP_RAW_ADDR;
    ASSERT_EQ(xe({"show", "1"}), exit_ok) << err.str();
    EXPECT_EQ(kernel.last_translate.vfid, 1);
    EXPECT_EQ(kernel.last_translate.space, XE_PFVF_ADDR_LMEM);
    EXPECT_EQ(kernel.last_translate.addr, 0U);
    EXPECT_EQ(kernel.last_translate.length, 8U << 20U);
    const std::string text = out.str();
    EXPECT_NE(text.find("VF 1 of PF 0000:01:00.0 (xe_pfvf_swpf): 0000:01:00.1"), std::string::npos) << text;
    EXPECT_NE(text.find("\n  quota        8 MiB (0x800000)\n"), std::string::npos) << text;
    EXPECT_NE(text.find("BAR2, 16 KiB, cpu 0xfe004000, bus 0xfe004000"), std::string::npos) << text;
    EXPECT_NE(text.find("LMEM -> VRAM, generation 7, 2 extents:"), std::string::npos) << text;
    EXPECT_NE(text.find("    LMEM  LENGTH     VRAM  HANDLE\n"
                        "     0x0  0x1000  0x30000    0x11\n"
                        "  0x1000  0x2000  0x10000    0x12\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("FIELD"), std::string::npos) << "key-value lists have no header";
}

TEST_F(CliTest, ShowJsonWithoutRawHasHandlesOnly) {
    const Json j = xe_json({"show", "0000:01:00.2"});
    EXPECT_EQ(j["vf"]["vf"], 2);
    const Json& extents = j["lmem"]["extents"];
    ASSERT_EQ(extents.size(), 2U);
    EXPECT_EQ(extents[1]["addr"], 0x1000);
    EXPECT_EQ(extents[1]["length"], 0x2000);
    EXPECT_TRUE(extents[1]["vram"].is_null());
    EXPECT_EQ(extents[1]["handle"], 0x12);
}

TEST_F(CliTest, ShowLimitsExtentsUnlessAll) {
    kernel.extents.assign(40, {.handle = 1, .length = 0x1000, .vram = 0});
    ASSERT_EQ(xe({"show", "1"}), exit_ok);
    EXPECT_NE(out.str().find("... 24 more (--all)"), std::string::npos) << out.str();
    ASSERT_EQ(xe({"show", "--all", "1"}), exit_ok);
    EXPECT_EQ(out.str().find("more (--all)"), std::string::npos);
}

TEST_F(CliTest, VfNames) {
    EXPECT_EQ(xe({"show", "0000:01:00.0/2"}), exit_ok) << err.str();
    EXPECT_EQ(xe({"show", "01:00.2"}), exit_ok) << err.str();
    EXPECT_EQ(xe({"show", "3"}), exit_failed) << "VF 3 is disabled";
    EXPECT_NE(err.str().find("is not enabled"), std::string::npos) << err.str();
    EXPECT_EQ(xe({"show", "0000:01:00.5"}), exit_failed);
    EXPECT_EQ(xe({"show", "0"}), exit_usage);
    EXPECT_EQ(xe({"show", "x"}), exit_usage);
    EXPECT_EQ(xe({"show", "0000:01:00.0/"}), exit_usage);
    EXPECT_EQ(xe({"show", "0000:01:00.0/0"}), exit_usage);
    EXPECT_EQ(xe({"show", "0000:09:00.0/1"}), exit_failed);
    EXPECT_EQ(xe({"show"}), exit_usage);
}

TEST_F(CliTest, VfNumberNeedsItsPfWhenThereAreSeveral) {
    kernel.pfs.push_back(pf_entry(XE_PFVF_BDF(0, 2, 0, 0), "xe"));
    EXPECT_EQ(xe({"show", "1"}), exit_usage);
    EXPECT_NE(err.str().find("2 PFs are registered"), std::string::npos) << err.str();
    EXPECT_EQ(xe({"show", "0000:01:00.0/1"}), exit_ok) << err.str();
}

TEST_F(CliTest, TranslateForwardsTheRequest) {
    const Json j = xe_json({"translate", "--aligned", "2", "bar", "0x1000", "12K"});
    EXPECT_EQ(kernel.last_translate.pf_bdf, pf_uapi);
    EXPECT_EQ(kernel.last_translate.vfid, 2);
    EXPECT_EQ(kernel.last_translate.space, XE_PFVF_ADDR_BAR);
    EXPECT_EQ(kernel.last_translate.addr, 0x1000U);
    EXPECT_EQ(kernel.last_translate.length, 0x3000U);
    EXPECT_EQ(kernel.last_translate.flags, XE_PFVF_TRANSLATE_ALIGNED);
    EXPECT_EQ(j["space"], "bar");
    EXPECT_EQ(j["generation"], 7);
    ASSERT_EQ(j["extents"].size(), 2U);
    EXPECT_EQ(j["extents"][0]["addr"], 0x1000);
    EXPECT_EQ(j["extents"][1]["addr"], 0x2000);
    EXPECT_EQ(j["raw"], false);
}

TEST_F(CliTest, TranslateTable) {
    ASSERT_EQ(xe({"translate", "1", "cpu", "0xfe004000", "0x3000"}), exit_ok) << err.str();
    EXPECT_NE(out.str().find("       CPU  LENGTH  VRAM  HANDLE"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("0xfe005000  0x2000     -    0x12"), std::string::npos) << out.str();
}

TEST_F(CliTest, TranslateUsageErrors) {
    EXPECT_EQ(xe({"translate", "1", "vram", "0", "1"}), exit_usage);
    EXPECT_NE(err.str().find("SPACE must be lmem, bar, cpu, bus or iova"), std::string::npos) << err.str();
    EXPECT_EQ(xe({"translate", "1", "bar", "zz", "1"}), exit_usage);
    EXPECT_EQ(xe({"translate", "1", "bar", "0", "1Q"}), exit_usage);
    EXPECT_EQ(xe({"translate", "1", "bar", "0"}), exit_usage);
    EXPECT_EQ(xe({"translate", "1", "bar", "0", "1", "2"}), exit_usage);
    EXPECT_EQ(xe({"translate", "--bogus", "1", "bar", "0", "1"}), exit_usage);
    EXPECT_TRUE(kernel.calls.empty()) << "no usage error may reach the kernel";
}

TEST_F(CliTest, KernelRefusalIsExit1WithErrnoAndOperation) {
    kernel.failures = {{XE_PFVF_IOC_TRANSLATE, -ERANGE}};
    const Json j = xe_json({"translate", "1", "lmem", "0x7ff000", "0x2000"}, exit_failed);
    EXPECT_EQ(j["error"]["errno"], ERANGE);
    EXPECT_EQ(j["error"]["errno_name"], "ERANGE");
    EXPECT_EQ(j["error"]["operation"], "XE_PFVF_IOC_TRANSLATE");
    EXPECT_EQ(j["error"]["command"], "translate");
    EXPECT_EQ(j["error"]["exit_status"], exit_failed);
    EXPECT_NE(err.str().find("xe-pfvf translate: XE_PFVF_IOC_TRANSLATE (0000:01:00.0 VF 1 lmem 0x7ff000+0x2000): "),
              std::string::npos)
        << err.str();
}

TEST_F(CliTest, DeviceThatCannotBeOpenedIsExit1) {
    env.open_device = [](const std::string& path) -> Device { throw Error(EACCES, "open", path); };
    const Json j = xe_json({"-d", "/tmp/node", "status"}, exit_failed);
    EXPECT_EQ(j["error"]["errno_name"], "EACCES");
    EXPECT_EQ(j["error"]["operation"], "open");
    EXPECT_NE(j["error"]["message"].get<std::string>().find("/tmp/node"), std::string::npos);
}

TEST_F(CliTest, DeviceOption) {
    ASSERT_EQ(xe({"--device", "/dev/other", "status"}), exit_ok);
    ASSERT_EQ(xe({"--device=/dev/third", "status"}), exit_ok);
    EXPECT_EQ(opened, (std::vector<std::string>{"/dev/other", "/dev/third"}));
    EXPECT_EQ(xe({"--device"}), exit_usage);
}

TEST_F(CliTest, P2pKernelVerdictForEveryVf) {
    const Json j = xe_json({"p2p"});
    ASSERT_EQ(j["pairs"].size(), 2U);
    EXPECT_EQ(j["pairs"][0]["provider"], "0000:01:00.1");
    EXPECT_EQ(j["pairs"][0]["client"], "0000:01:00.0");
    EXPECT_EQ(j["pairs"][0]["kernel"]["map"], "host-bridge");
    EXPECT_EQ(j["pairs"][0]["kernel"]["distance"], 1024);
    EXPECT_EQ(j["pairs"][0]["kernel"]["acs_redirect"], true);
    EXPECT_EQ(j["pairs"][0]["kernel"]["private_interconnect"], true);
    EXPECT_TRUE(j["pairs"][0]["analyser"].contains("error"));
    EXPECT_TRUE(j["pairs"][0]["agree"].is_null());
    EXPECT_EQ(j["pairs"][1]["provider"], "0000:01:00.2");
}

TEST_F(CliTest, P2pOfTwoFunctions) {
    ASSERT_EQ(xe({"p2p", "0000:03:00.0", "0000:01:00.0"}), exit_ok) << err.str();
    EXPECT_EQ(kernel.last_p2p.provider, XE_PFVF_BDF(0, 3, 0, 0));
    EXPECT_EQ(kernel.last_p2p.client, pf_uapi);
    EXPECT_NE(out.str().find("allowed (host-bridge, distance 1024): ACS redirects P2P upstream on the path"),
              std::string::npos)
        << out.str();
    EXPECT_EQ(xe({"p2p", "0000:03:00.0"}), exit_usage);
    EXPECT_EQ(xe({"p2p", "0000:03:00.0", "nope"}), exit_usage);
}

TEST_F(CliTest, P2pRefusalExplainsThePrivateInterconnect) {
    kernel.failures.clear();
    // The fake answers host-bridge; make it a refusal.
    Device dev([this](unsigned long request, void* arg) {
        const int ret = kernel(request, arg);
        if (request == XE_PFVF_IOC_P2P) {
            auto* p = static_cast<xe_pfvf_p2p*>(arg);
            p->map = XE_PFVF_P2P_MAP_NONE;
            p->distance = -1;
        }
        return ret;
    });
    env.open_device = [&dev](const std::string&) { return dev; };
    ASSERT_EQ(xe({"p2p"}), exit_ok) << err.str();
    EXPECT_NE(out.str().find("refused: ACS redirects P2P upstream on the path"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("private interconnect"), std::string::npos) << out.str();
}

TEST_F(CliTest, RevokeWithoutAKeptHandle) {
    EXPECT_EQ(xe({"revoke"}), exit_usage);
    EXPECT_TRUE(kernel.calls.empty());
    kernel.failures = {{XE_PFVF_IOC_REVOKE, -ENOENT}};
    EXPECT_EQ(xe({"revoke", "0x1234"}), exit_failed);
    EXPECT_NE(err.str().find("handles die with the file that exported them"), std::string::npos) << err.str();
    EXPECT_EQ(xe({"revoke", "0xzz"}), exit_usage);
}

TEST_F(CliTest, ExportUsageErrorsComeFirst) {
    EXPECT_EQ(xe({"export"}), exit_usage);
    EXPECT_EQ(xe({"export", "1", "--space", "cpu"}), exit_usage);
    EXPECT_EQ(xe({"export", "1", "--length", "lots"}), exit_usage);
    EXPECT_EQ(xe({"export", "1", "--hold"}), exit_usage);
}

TEST_F(CliTest, ExportNeedsAVfioDriver) {
    // sysfs has no driver for the VF: without --bind, a refusal (exit 1)
    // that says what to do, before anything is exported.
    EXPECT_EQ(xe({"export", "1"}), exit_failed);
    EXPECT_NE(err.str().find("not to a VFIO driver: bind it to vfio-pci (driver_override) or pass --bind"),
              std::string::npos)
        << err.str();
    EXPECT_EQ(std::count_if(kernel.calls.begin(), kernel.calls.end(),
                            [](const fake::Call& c) { return c.request == XE_PFVF_IOC_EXPORT; }),
              0);
}

TEST_F(CliTest, HelpAndUsage) {
    EXPECT_EQ(xe({"--help"}), exit_ok);
    EXPECT_NE(out.str().find("Usage: xe-pfvf"), std::string::npos);
    for (const Command& c : commands()) {
        EXPECT_NE(out.str().find("  " + std::string(c.name) + " "), std::string::npos) << c.name;
    }
    for (const Command& c : commands()) {
        EXPECT_EQ(xe({std::string(c.name), "--help"}), exit_ok) << c.name;
        EXPECT_NE(out.str().find("Usage: xe-pfvf " + std::string(c.name)), std::string::npos) << out.str();
        EXPECT_NE(out.str().find("-j, --json"), std::string::npos) << c.name;
        EXPECT_EQ(xe({std::string(c.name), "-h"}), exit_ok) << c.name;
    }
    EXPECT_EQ(xe({}), exit_usage);
    EXPECT_EQ(xe({"frobnicate"}), exit_usage);
    EXPECT_NE(err.str().find("unknown command 'frobnicate'"), std::string::npos);
    EXPECT_EQ(xe({"--frobnicate"}), exit_usage);
    EXPECT_EQ(xe({"-V"}), exit_ok);
    EXPECT_NE(out.str().find("xe-pfvf 1.0.0 (libxe-pfvf 1.0.0, uAPI 1.0)"), std::string::npos) << out.str();
    EXPECT_TRUE(kernel.calls.empty()) << "help and usage errors must not reach the kernel";
}

TEST_F(CliTest, UsageErrorInJsonModeIsJson) {
    const Json j = xe_json({"vfs", "--bogus"}, exit_usage);
    EXPECT_EQ(j["error"]["usage"], true);
    EXPECT_EQ(j["error"]["exit_status"], exit_usage);
    // --json after the command works as well.
    const Json k = Json::parse((xe({"status", "--json"}), out.str()));
    EXPECT_EQ(k["uapi"]["major"], 1);
}

TEST_F(CliTest, EveryCommandHasValidJson) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"status"}, {"vfs"}, {"vfs", "-a"}, {"show", "1"}, {"translate", "1", "lmem", "0", "4K"}, {"p2p"}}) {
        const Json j = xe_json(args);
        EXPECT_TRUE(j.is_object()) << args.front();
    }
}

TEST_F(CliTest, BatchSharesOneOpenFile) {
    in.str("status\n# a comment\n\nvfs 0000:01:00.0\nshow 2\n");
    ASSERT_EQ(xe({"-b", "-"}), exit_ok) << err.str();
    EXPECT_EQ(opened.size(), 1U);
    EXPECT_NE(out.str().find("== xe-pfvf status\n"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("== xe-pfvf show 2\n"), std::string::npos) << out.str();
}

TEST_F(CliTest, BatchJsonIsOneDocumentPerLine) {
    in.str("status\nvfs\np2p\n");
    ASSERT_EQ(xe({"--json", "--batch", "-"}), exit_ok) << err.str();
    std::istringstream lines(out.str());
    int n = 0;
    for (std::string line; std::getline(lines, line); ++n) {
        EXPECT_TRUE(Json::accept(line)) << line;
    }
    EXPECT_EQ(n, 3);
}

TEST_F(CliTest, BatchStopsAtTheFirstFailure) {
    in.str("status\nbogus\nvfs\n");
    EXPECT_EQ(xe({"-b", "-"}), exit_usage);
    EXPECT_EQ(out.str().find("== xe-pfvf vfs"), std::string::npos) << "ran past the failure";
    in.clear();
    in.str("status\nshow 4\nvfs\n");
    EXPECT_EQ(xe({"-b", "-"}), exit_failed);
    EXPECT_EQ(out.str().find("== xe-pfvf vfs"), std::string::npos);
    EXPECT_EQ(xe({"-b", "/nonexistent/batch"}), exit_failed);
    EXPECT_EQ(xe({"-b", "-", "status"}), exit_usage);
}

}  // namespace
}  // namespace xe_pfvf::cli
