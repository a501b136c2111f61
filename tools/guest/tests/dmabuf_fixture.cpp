#include "dmabuf_fixture.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>

namespace xe_pfvf::guest {

std::vector<LmemRange> lmem_of(std::span<const RegionRange> ranges) {
    std::vector<LmemRange> out;
    out.reserve(ranges.size());
    for (const RegionRange& r : ranges) {
        out.push_back({.offset = r.offset, .length = r.length});
    }
    return out;
}

unsigned lmem_bar_of(const std::string& pf) {
    std::istringstream info(read_file(debugfs_root / pf / "info"));
    for (std::string line; std::getline(info, line);) {
        if (line.starts_with("lmem_bar: ")) {
            return static_cast<unsigned>(std::stoul(line.substr(10)));
        }
    }
    throw std::runtime_error("no lmem_bar in " + (debugfs_root / pf / "info").string());
}

void DmabufTest::SetUp() {
    GuestTest::SetUp();
    if (IsSkipped()) {
        return;
    }
    swpf_.emplace(pf());
    if (!swpf_->exists()) {
        GTEST_SKIP() << "no software PF importer in " << swpf_->dir() << " (xe_pfvf_swpf)";
    }
    if (!std::filesystem::exists(std::filesystem::path("/sys/bus/pci/drivers") / variant_driver)) {
        GTEST_SKIP() << "no " << variant_driver << " driver (insmod xe_pfvf_vfio_pci.ko)";
    }
    if (!std::filesystem::exists("/dev/vfio/vfio")) {
        GTEST_SKIP() << "no VFIO (modprobe vfio-pci)";
    }
    vf_ = &model().vfs.front();
    if (const std::string blockers = vfio_group_blockers(vf_->bdf); !blockers.empty()) {
        GTEST_SKIP() << "VF " << vf_->bdf << "'s IOMMU group also holds " << blockers
                     << " (no ACS isolation on the path): VFIO cannot take the group";
    }
    lmem_bar_ = lmem_bar_of(pf());
    device_.emplace(vf_->bdf, std::string(variant_driver));
    enable_memory(device_->fd());
    ASSERT_EQ(region_info(device_->fd(), lmem_bar_).size, vf_->bar.size)
        << "VFIO region " << lmem_bar_ << " differs from the LMEM BAR";
}

bool DmabufTest::open_vf(std::size_t index, std::optional<VfioDevice>& out) const {
    if (index >= model().vfs.size()) {
        return false;
    }
    out.emplace(model().vfs[index].bdf, std::string(variant_driver));
    enable_memory(out->fd());
    return true;
}

UniqueFd DmabufTest::export_ranges(std::span<const RegionRange> ranges) const {
    return export_ranges(*device_, ranges);
}

UniqueFd DmabufTest::export_ranges(const VfioDevice& dev, std::span<const RegionRange> ranges) const {
    DmabufRequest req;
    req.region_index = lmem_bar_;
    req.ranges.assign(ranges.begin(), ranges.end());
    return export_dmabuf(dev.fd(), req);
}

std::vector<RegionRange> DmabufTest::whole_bar() const { return {RegionRange{.offset = 0, .length = vf_->bar.size}}; }

UniqueFd DmabufTest::export_bar() const { return export_ranges(whole_bar()); }

void DmabufTest::fill_bar(const VfModel& vf, std::uint64_t seed) const { swpf_->fill(vf.vf, 0, vf.bar.size, seed); }

const ImportSlot& DmabufTest::slot(unsigned k) {
    auto& guard = slots_.at(k);
    if (!guard) {
        guard.emplace(swpf_->slot(k));
    }
    return **guard;
}

void DmabufTest::expect_mapped(const ImportSlot& slot, const VfModel& vf, std::span<const RegionRange> ranges,
                               unsigned notified) {
    const SlotStatus s = slot.status();
    const std::vector<LmemRange> lmem = lmem_of(ranges);
    const auto want = expected_extents(vf.extents, lmem);
    std::uint64_t size = 0;
    for (const RegionRange& r : ranges) {
        size += r.length;
    }
    EXPECT_EQ(s.state, "mapped");
    EXPECT_EQ(s.mode, "lmem");
    EXPECT_EQ(s.vf, vf.vf);
    EXPECT_EQ(s.size, size);
    EXPECT_EQ(s.notified, notified);
    EXPECT_EQ(s.err, 0);
    EXPECT_TRUE(same_extents(s.extents, want)) << "VRAM extents of the mapping against the provisioning";
}

void DmabufTest::expect_pattern(const ImportSlot& slot, std::uint64_t seed, std::span<const RegionRange> ranges) {
    const std::vector<std::byte> got = slot.data();
    const std::vector<std::byte> want = expected_pattern(seed, lmem_of(ranges));
    ASSERT_EQ(got.size(), want.size());
    const auto [g, w] = std::mismatch(got.begin(), got.end(), want.begin());
    EXPECT_TRUE(g == got.end()) << "first different byte at dma-buf offset " << hex(static_cast<std::uint64_t>(g - got.begin()))
                                << ": got " << std::to_integer<unsigned>(*g) << ", want "
                                << std::to_integer<unsigned>(*w);
}

void DmabufTest::expect_revoked(const ImportSlot& slot, unsigned notified) {
    const SlotStatus s = slot.status();
    EXPECT_EQ(s.state, "revoked");
    EXPECT_EQ(s.notified, notified);
    EXPECT_EQ(s.nr_extents, 0U) << "the mapping must be gone";
    EXPECT_TRUE(fails_with(ENODEV, [&] { static_cast<void>(slot.data()); })) << "reading a revoked buffer";
    EXPECT_TRUE(fails_with(ENODEV, [&] { slot.ctl("map"); })) << "mapping a revoked buffer again";
    EXPECT_EQ(slot.status().err, -ENODEV);
}

}  // namespace xe_pfvf::guest
