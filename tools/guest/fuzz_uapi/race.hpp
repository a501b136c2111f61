#pragma once

// The racing thread: on a file it shares with the first thread, it
// revokes handles, turns them into dma-bufs (closing those again) and
// exports new ones, and now and then releases the file under the first
// thread (dup2() of a fresh open over its number, so that the number
// always names an xe_pfvf file).  Its answers are checked too: a racing
// REVOKE or HANDLE_FD may find its handle gone (ENOENT), nothing else.

#include "tally.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

namespace xe_pfvf::fuzz {

/// A VF bound to vfio-pci, with its group.
struct BoundVf {
    std::uint32_t bdf = 0;
    int group_fd = -1;
    std::uint64_t quota = 0;
};

/// What the two threads share about the race file.
class RaceFile {
public:
    explicit RaceFile(int fd) noexcept : fd_(fd) {}

    [[nodiscard]] int fd() const noexcept { return fd_; }
    void add(std::uint64_t handle);
    void remove(std::uint64_t handle);
    [[nodiscard]] bool has(std::uint64_t handle) const;
    [[nodiscard]] std::optional<std::uint64_t> pick(std::uint64_t n) const;
    [[nodiscard]] std::size_t size() const;
    void clear();

    /// The racer's calls so far (the watchdog's view).
    void beat() noexcept { beat_.fetch_add(1, std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t beats() const noexcept { return beat_.load(std::memory_order_relaxed); }
    /// Releases of the file.
    void replaced() noexcept { replaced_.fetch_add(1, std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t replacements() const noexcept { return replaced_.load(std::memory_order_relaxed); }

private:
    int fd_;
    std::atomic<std::uint64_t> beat_{0};
    std::atomic<std::uint64_t> replaced_{0};
    mutable std::mutex mutex_;
    std::vector<std::uint64_t> handles_;
};

/// Runs the racer until @stop; its calls go to @tally (read once joined).
void run_racer(const std::stop_token& stop, RaceFile& file, const std::vector<BoundVf>& vfs, std::uint64_t seed,
               Tally& tally, Failures& failures);

}  // namespace xe_pfvf::fuzz
