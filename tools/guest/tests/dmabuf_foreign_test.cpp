// A foreign importer of VF memory: vgem, a DRM driver of a platform device,
// has no peer-to-peer path to the VF and is not its PF.  PRIME import must
// fail with the exporter's "no P2P path" errno (EREMOTEIO, "DOC:
// private-interconnect dma-bufs") and one log line naming the reason.

#include "dmabuf_fixture.hpp"
#include "drm.hpp"

#include <cerrno>
#include <optional>
#include <string>
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

// A revoked buffer is refused to every importer with ENODEV.
TEST_F(DmabufForeign, RevokedBufferIsENODEV) {
    const UniqueFd buf = export_bar();
    device().close();
    EXPECT_TRUE(fails_with(ENODEV, [&] { slot(0).import(buf.get()); }));
    EXPECT_TRUE(fails_with(ENODEV, [&] { gem_close(card(), prime_fd_to_handle(card(), buf.get())); }));
}

}  // namespace
}  // namespace xe_pfvf::guest
