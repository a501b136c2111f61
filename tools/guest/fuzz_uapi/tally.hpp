#pragma once

// What a fuzz run counts: calls per ioctl and errno, and the failures
// (answers the oracle does not allow, writes where nothing may write, bad
// outputs), the first ones kept in full.

#include "layout.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace xe_pfvf::fuzz {

/// "EINVAL", "0" for success.
[[nodiscard]] std::string errno_label(int err);

class Tally {
public:
    /// Slot for commands the driver never sees (ENOTTY).
    static constexpr std::size_t undispatched = ioc_count;

    /// One call of @slot that answered @err after @ns nanoseconds.
    void add(std::size_t slot, int err, std::uint64_t ns = 0) noexcept;
    void merge(const Tally& other);
    [[nodiscard]] std::uint64_t total() const noexcept;
    /// Nanoseconds in the ioctls, over every slot.
    [[nodiscard]] std::uint64_t total_ns() const noexcept;
    /// Calls by errno over every slot.
    [[nodiscard]] std::map<int, std::uint64_t> by_errno() const;
    /// "0=123 EINVAL=45 ..." over every slot.
    [[nodiscard]] std::string histogram() const;
    /// One line per ioctl.
    void print(std::ostream& out, std::string_view indent) const;
    /// Time in the ioctl per slot: calls, total, mean.
    void print_times(std::ostream& out, std::string_view indent) const;

private:
    std::array<std::map<int, std::uint64_t>, ioc_count + 1> slots_{};
    std::array<std::uint64_t, ioc_count + 1> ns_{};
    std::uint64_t total_ = 0;
};

/// Failures, from both threads: the first ones in full, all of them
/// counted by kind.
class Failures {
public:
    /// @kind groups failures in the summary ("HANDLE_FD: got 0, allowed
    /// EINVAL"); empty: @what's first two clauses, without the mutations.
    void add(std::string what, std::string kind = "");
    [[nodiscard]] std::uint64_t count() const;
    void print(std::ostream& out) const;

private:
    static constexpr std::size_t kept = 25;
    mutable std::mutex mutex_;
    std::vector<std::string> kept_;
    std::map<std::string, std::uint64_t> kinds_;
    std::uint64_t count_ = 0;
};

}  // namespace xe_pfvf::fuzz
