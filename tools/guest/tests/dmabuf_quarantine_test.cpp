// A hostile importer: the PF's import of a VF's dma-buf keeps its mapping
// when the PF driver withdraws the VF's provisioning.  xe_pfvf must not let
// that VRAM go: the unprovision says EBUSY, debugfs lists the stuck buffer
// with its importer and the quarantined provisioning, and the VRAM comes
// back to the PF driver (the software PF logs it) once the importer lets go.

#include "dmabuf_fixture.hpp"

#include <cerrno>
#include <chrono>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace xe_pfvf::guest {
namespace {

using namespace std::chrono_literals;

/// The lines of @pf's debugfs `quarantine` that start with @kind.
std::vector<std::string> quarantine_lines(const std::string& pf, std::string_view kind) {
    std::vector<std::string> lines;
    std::istringstream in(read_file(debugfs_root / pf / "quarantine"));
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with(std::string(kind) + " ") && !line.starts_with(std::string(kind) + " vf ")) {
            lines.push_back(line);
        }
    }
    return lines;
}

/// Provisions the VF again when the test ends, whatever it did.
class Reprovision {
public:
    Reprovision(const SwpfDebugfs& swpf, unsigned vf) : swpf_(swpf), vf_(vf) {}
    Reprovision(const Reprovision&) = delete;
    Reprovision& operator=(const Reprovision&) = delete;
    Reprovision(Reprovision&&) = delete;
    Reprovision& operator=(Reprovision&&) = delete;
    ~Reprovision() {
        try {
            swpf_.provision(vf_);
        } catch (const std::system_error&) {  // NOLINT(bugprone-empty-catch): provisioned already
        }
    }

private:
    const SwpfDebugfs& swpf_;
    unsigned vf_;
};

using DmabufQuarantine = DmabufTest;

TEST_F(DmabufQuarantine, HostileImporterKeepsVramQuarantinedUntilItLetsGo) {
    fill_bar(vf(), seed_a);
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get(), ImportMode::lmem, ImportBehaviour::stall);
    const Reprovision again(swpf(), vf().vf);
    KmsgCursor kmsg;

    EXPECT_TRUE(fails_with(EBUSY, [&] { swpf().unprovision(vf().vf); }));
    // Told, and still mapping: it reads what it mapped, its own VF's memory.
    const SlotStatus s = slot(0).status();
    EXPECT_EQ(s.notified, 1U);
    EXPECT_EQ(s.state, "mapped");
    expect_pattern(slot(0), seed_a, whole_bar());

    const auto stuck = quarantine_lines(pf(), "stuck");
    ASSERT_EQ(stuck.size(), 1U) << read_file(debugfs_root / pf() / "quarantine");
    EXPECT_TRUE(stuck.front().starts_with("stuck " + std::to_string(vf().vf) + " ")) << stuck.front();
    EXPECT_NE(stuck.front().find(" revoked "), std::string::npos) << stuck.front();
    EXPECT_NE(stuck.front().find("xe_pfvf_swpf:" + pf()), std::string::npos) << stuck.front();
    const auto withdrawn = quarantine_lines(pf(), "withdrawn");
    ASSERT_EQ(withdrawn.size(), 1U) << read_file(debugfs_root / pf() / "quarantine");
    EXPECT_NE(withdrawn.front().find(" quarantined "), std::string::npos) << withdrawn.front();
    bool logged = false;
    for (const std::string& line : kmsg.read_new()) {
        logged = logged || (line.find("still map it") != std::string::npos &&
                            line.find("xe_pfvf_swpf:" + pf()) != std::string::npos);
    }
    EXPECT_TRUE(logged) << "no log line naming the importer";

    // The VF gets other VRAM meanwhile: the software PF keeps the
    // quarantined chunks aside.
    swpf().provision(vf().vf);

    // The importer lets go: out of quarantine, handed back.
    slot(0).ctl("release");
    EXPECT_TRUE(poll_until([&] { return quarantine_lines(pf(), "stuck").empty() &&
                                        quarantine_lines(pf(), "withdrawn").empty(); },
                           5s))
        << read_file(debugfs_root / pf() / "quarantine");
    bool released = false;
    EXPECT_TRUE(poll_until(
        [&] {
            for (const std::string& line : kmsg.read_new()) {
                released = released || line.find("quarantined VRAM released") != std::string::npos;
            }
            return released;
        },
        5s))
        << "the software PF never got its VRAM back";
}

// An importer that lets go in time: the unprovision succeeds, nothing is
// quarantined.
TEST_F(DmabufQuarantine, PromptImporterLeavesNothingBehind) {
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    const Reprovision again(swpf(), vf().vf);
    swpf().unprovision(vf().vf);
    expect_revoked(slot(0), 1);
    EXPECT_TRUE(quarantine_lines(pf(), "stuck").empty());
    EXPECT_TRUE(quarantine_lines(pf(), "withdrawn").empty());
}

}  // namespace
}  // namespace xe_pfvf::guest
