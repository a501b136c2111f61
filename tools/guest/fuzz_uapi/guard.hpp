#pragma once

// What the kernel may write: every buffer handed to it is filled around
// with a pattern (canaries after the declared size, the unused part of an
// array) and snapshotted; after the call any byte that changed outside
// the ranges the kernel may write is a violation.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace xe_pfvf::fuzz {

/// Bytes canaried past every struct and array.
inline constexpr std::size_t canary_bytes = 64;

/// Fills @region with a pattern derived from @seed that has no zero byte
/// (a kernel that zero-fills or copies a struct shows in it).
void fill_pattern(std::span<std::uint8_t> region, std::uint64_t seed) noexcept;

/// A half-open range of byte offsets [begin, end).
struct ByteRange {
    std::size_t begin = 0;
    std::size_t end = 0;
};

/// A byte that changed where nothing may write.
struct Violation {
    std::size_t offset = 0;
    std::uint8_t before = 0;
    std::uint8_t after = 0;
    std::size_t changed = 0;  ///< bytes changed outside the allowed ranges in all
    [[nodiscard]] std::string describe() const;
};

/// A copy of a buffer, to compare it with after the call.
class Snapshot {
public:
    /// Remembers @region's bytes.
    void take(std::span<const std::uint8_t> region);
    /// The first byte of @now (the same buffer, as long as the snapshot)
    /// that differs from the snapshot outside @allowed, or nullopt.
    [[nodiscard]] std::optional<Violation> changed_outside(std::span<const std::uint8_t> now,
                                                           std::span<const ByteRange> allowed) const;
    [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept { return before_; }

private:
    std::vector<std::uint8_t> before_;
};

}  // namespace xe_pfvf::fuzz
