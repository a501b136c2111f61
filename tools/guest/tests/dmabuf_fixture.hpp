#pragma once

// Shared by the dma-buf tests: a VF opened through VFIO with the sample VF
// variant driver (the VMM's side), the software PF's debugfs (the PF's
// side: fill VF LMEM, import, read back), and the checks that tie them.

#include "command.hpp"
#include "guest_fixture.hpp"
#include "swpf.hpp"
#include "sys.hpp"
#include "vfio_dmabuf.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace xe_pfvf::guest {

/// The sample VF variant driver the dma-bufs come from.
inline constexpr std::string_view variant_driver = "xe_pfvf_vfio_pci";

/// Seeds of the patterns the tests fill VF LMEM with.
inline constexpr std::uint64_t seed_a = 0x5eed0001;
inline constexpr std::uint64_t seed_b = 0xb0b0cafe;

/// The LMEM ranges behind LMEM BAR ranges: the BAR maps LMEM from offset 0.
[[nodiscard]] std::vector<LmemRange> lmem_of(std::span<const RegionRange> ranges);

/// The index of @pf's VF LMEM BAR, from xe_pfvf's debugfs `info`.
[[nodiscard]] unsigned lmem_bar_of(const std::string& pf);

/// Skips unless the software PF's debugfs, the variant driver and VFIO are
/// there and the first VF's IOMMU group can go to VFIO; then binds that VF
/// to the variant driver, opens it and enables its memory.
class DmabufTest : public GuestTest {
protected:
    void SetUp() override;

    [[nodiscard]] const VfModel& vf() const noexcept { return *vf_; }
    [[nodiscard]] VfioDevice& device() noexcept { return *device_; }
    [[nodiscard]] const SwpfDebugfs& swpf() const noexcept { return *swpf_; }
    [[nodiscard]] unsigned lmem_bar() const noexcept { return lmem_bar_; }

    /// Opens another VF (@index in the model) the same way into @out; false
    /// if the model has no such VF.
    [[nodiscard]] bool open_vf(std::size_t index, std::optional<VfioDevice>& out) const;

    /// A dma-buf of @ranges of the VF's LMEM BAR.
    [[nodiscard]] UniqueFd export_ranges(std::span<const RegionRange> ranges) const;
    /// The same on @dev.
    [[nodiscard]] UniqueFd export_ranges(const VfioDevice& dev, std::span<const RegionRange> ranges) const;
    /// A dma-buf of the whole LMEM BAR.
    [[nodiscard]] UniqueFd export_bar() const;
    /// The whole LMEM BAR as one range.
    [[nodiscard]] std::vector<RegionRange> whole_bar() const;

    /// Has the software PF fill the LMEM behind the whole BAR of @vf.
    void fill_bar(const VfModel& vf, std::uint64_t seed) const;

    /// Import slot @k, released at the end of the test.
    [[nodiscard]] const ImportSlot& slot(unsigned k);

    /// @slot must hold the dma-buf of @ranges of @vf, mapped over the
    /// private interconnect onto the provisioned extents.
    static void expect_mapped(const ImportSlot& slot, const VfModel& vf, std::span<const RegionRange> ranges,
                              unsigned notified = 0);
    /// @slot's bytes, read through the PF, must be the pattern of @seed over
    /// @ranges.
    static void expect_pattern(const ImportSlot& slot, std::uint64_t seed, std::span<const RegionRange> ranges);
    /// @slot must be revoked: notified @notified times, no mapping, reads
    /// and maps failing with ENODEV.
    static void expect_revoked(const ImportSlot& slot, unsigned notified);

private:
    const VfModel* vf_ = nullptr;
    unsigned lmem_bar_ = 0;
    std::optional<SwpfDebugfs> swpf_;
    std::optional<VfioDevice> device_;
    // After the device: the importer lets go first.
    std::array<std::optional<SlotGuard>, swpf_import_slots> slots_;
};

/// Polls @done every 10 ms until it holds or @timeout passed; whether it
/// held.  For states the kernel reaches asynchronously (work items, the
/// AER thread).
template <typename Pred>
[[nodiscard]] bool poll_until(const Pred& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return done();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

/// @op must throw std::system_error with @err.
template <typename Op>
::testing::AssertionResult fails_with(int err, const Op& op) {
    try {
        op();
    } catch (const std::system_error& e) {
        if (e.code().value() == err) {
            return ::testing::AssertionSuccess();
        }
        return ::testing::AssertionFailure() << e.what() << " (errno " << e.code().value() << "), want errno "
                                             << err;
    }
    return ::testing::AssertionFailure() << "succeeded, want errno " << err;
}

}  // namespace xe_pfvf::guest
