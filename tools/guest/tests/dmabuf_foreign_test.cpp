// A foreign importer of VF memory: vgem, a DRM driver of a platform device,
// has no peer-to-peer path to the VF and is not its PF.  PRIME import must
// fail with the exporter's "no P2P path" errno (EREMOTEIO, "DOC:
// private-interconnect dma-bufs") and one log line naming the reason.

#include "dmabuf_fixture.hpp"
#include "drm.hpp"

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace xe_pfvf::guest {
namespace {

class DmabufForeign : public DmabufTest {
protected:
    void SetUp() override {
        DmabufTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        card_ = open_drm_card("vgem");
        if (!card_) {
            GTEST_SKIP() << "no vgem card in /dev/dri (modprobe vgem)";
        }
    }

    [[nodiscard]] int card() const noexcept { return card_->get(); }

private:
    std::optional<UniqueFd> card_;
};

TEST_F(DmabufForeign, VgemImportIsREMOTEIO) {
    const UniqueFd buf = export_bar();
    KmsgCursor kmsg;
    EXPECT_TRUE(fails_with(EREMOTEIO, [&] { gem_close(card(), prime_fd_to_handle(card(), buf.get())); }));
    std::vector<std::string> reasons;
    for (const std::string& line : kmsg.read_new()) {
        if (line.find("xe_pfvf") != std::string::npos) {
            reasons.push_back(line);
        }
    }
    ASSERT_EQ(reasons.size(), 1U) << "want one line naming the reason";
    EXPECT_NE(reasons.front().find("peer-to-peer"), std::string::npos) << reasons.front();
    EXPECT_NE(reasons.front().find("vgem"), std::string::npos) << reasons.front();

    // The refusal left the buffer alone: the PF still imports it.
    slot(0).import(buf.get());
    expect_mapped(slot(0), vf(), whole_bar());
}

// The standard path decided by the kernel's P2PDMA rules, asked once per
// importer and VF: an importer repeating a refused attach does not flood
// the log (the kernel warns each time it finds ACS redirect on the path),
// and xe_pfvf's one refusal line names the VF that was asked for.
TEST_F(DmabufForeign, RepeatedStandardRefusalLogsOnce) {
    const UniqueFd buf = export_bar();
    KmsgCursor kmsg;
    constexpr int attempts = 1000;
    int refused = 0;
    for (int i = 0; i < attempts; i++) {
        try {
            slot(0).import(buf.get(), ImportMode::standard);
            slot(0).ctl("release");
            GTEST_SKIP() << "this topology allows the PF the standard path to its VF";
        } catch (const std::system_error& e) {
            ASSERT_EQ(e.code().value(), EREMOTEIO) << e.what();
            refused++;
        }
    }
    EXPECT_EQ(refused, attempts);
    int kernel = 0;
    int exporter = 0;
    for (const std::string& line : kmsg.read_new()) {
        if (line.find("P2PDMA") != std::string::npos || line.find("ACS redirect") != std::string::npos) {
            kernel++;
        } else if (line.find("standard path") != std::string::npos) {
            exporter++;
            EXPECT_NE(line.find(vf().bdf), std::string::npos) << "not logged under the VF: " << line;
        }
    }
    // Asked once per pair: none when an earlier test asked already.
    EXPECT_LE(kernel, 1) << "the kernel was asked again and again";
    EXPECT_LE(exporter, 1) << "the refusal floods the log";
    // The verdict stays readable, with its reason.
    const std::string p2p = read_file(debugfs_root / pf() / "p2p");
    EXPECT_NE(p2p.find(vf().bdf + " " + pf() + " refused "), std::string::npos) << p2p;
}

// A revoked buffer is refused to every importer with ENODEV.
TEST_F(DmabufForeign, RevokedBufferIsENODEV) {
    const UniqueFd buf = export_bar();
    device().close();
    EXPECT_TRUE(fails_with(ENODEV, [&] { slot(0).import(buf.get()); }));
    EXPECT_TRUE(fails_with(ENODEV, [&] { gem_close(card(), prime_fd_to_handle(card(), buf.get())); }));
}

}  // namespace
}  // namespace xe_pfvf::guest
