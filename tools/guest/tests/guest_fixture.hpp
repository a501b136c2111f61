#pragma once

// Shared by the guest tests: the fixture that finds the PF and loads its
// provisioning model, request formatting and result checks.

#include "debugfs.hpp"
#include "expected.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::guest {

inline constexpr std::uint64_t page = 4096;
/// Extents the debugfs `translate` file holds (XLATE_DEBUGFS_MAX_EXTENTS).
inline constexpr std::size_t debugfs_max_extents = 4096;

// Linux errnos as `translate` prints them.
inline constexpr int err_perm = -1;
inline constexpr int err_noent = -2;
inline constexpr int err_nxio = -6;
inline constexpr int err_2big = -7;
inline constexpr int err_fault = -14;
inline constexpr int err_xdev = -18;
inline constexpr int err_inval = -22;
inline constexpr int err_dom = -33;
inline constexpr int err_range = -34;
inline constexpr int err_overflow = -75;
inline constexpr int err_addrnotavail = -99;

/// "0x..." of @value.
[[nodiscard]] std::string hex(std::uint64_t value);

/// "<space> <addr> <len>[ <options>]", numbers in hex.
[[nodiscard]] std::string request(std::string_view space, std::uint64_t addr, std::uint64_t len,
                                  std::string_view options = {});

/// "vf=<n>".
[[nodiscard]] std::string vf_option(unsigned vf);

/// For GoogleTest's messages.
void PrintTo(const VramExtent& extent, std::ostream* os);

/// Succeeds if @got lists exactly @want; otherwise names the first difference.
[[nodiscard]] ::testing::AssertionResult same_extents(std::span<const VramExtent> got,
                                                      std::span<const VramExtent> want);

/// Skips the test unless run as root with an xe_pfvf PF that has at least
/// one provisioned VF with an LMEM BAR; loads the model.  The PF is the
/// first one in debugfs, or $XE_PFVF_GUEST_PF.
class GuestTest : public ::testing::Test {
protected:
    void SetUp() override;

    [[nodiscard]] const PfModel& model() const noexcept { return model_; }
    [[nodiscard]] const Translator& translator() const noexcept { return *translator_; }
    [[nodiscard]] const std::string& pf() const noexcept { return model_.pf; }

    /// Translates @req; a refused write throws (see Translator).
    [[nodiscard]] Translation run(std::string_view req) const { return translator().translate(req); }

    /// @req must succeed for @vf with exactly @want, @len bytes and the
    /// VF's current generation.
    void expect_ok(std::string_view req, const VfModel& vf, std::span<const VramExtent> want,
                   std::uint64_t len) const;
    /// The same with the model's extents behind @ranges.
    void expect_ranges(std::string_view req, const VfModel& vf, std::span<const LmemRange> ranges) const;
    /// @req must fail with @err (a negative errno).
    void expect_err(std::string_view req, int err) const;

private:
    PfModel model_;
    std::optional<Translator> translator_;
};

}  // namespace xe_pfvf::guest
