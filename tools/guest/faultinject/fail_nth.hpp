#pragma once

// The kernel's systematic fault injection (Documentation/fault-injection/
// fault-injection.rst, "Systematic faults using fail-nth"): the N-th
// fault-capable call of one task fails.  FaultKnobs opens failslab and
// fail_page_alloc to every allocation of the task and makes each injected
// fault print a stack dump; FailNth arms and disarms the calling thread.

#include "sys.hpp"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace xe_pfvf::faultinject {

/// failslab and fail_page_alloc set so that fail-nth reaches every
/// allocation (sleeping ones, order 0, highmem) and reports each fault
/// with a stack dump, and nothing fails otherwise (probability 0); writes
/// to /dev/kmsg not rate-limited.  The previous values come back when
/// this object dies.
class FaultKnobs {
public:
    /// Throws std::system_error if the kernel has no fault-injection
    /// debugfs (CONFIG_FAULT_INJECTION_DEBUG_FS, CONFIG_FAILSLAB,
    /// CONFIG_FAIL_PAGE_ALLOC).
    FaultKnobs();
    FaultKnobs(const FaultKnobs&) = delete;
    FaultKnobs& operator=(const FaultKnobs&) = delete;
    FaultKnobs(FaultKnobs&&) = delete;
    FaultKnobs& operator=(FaultKnobs&&) = delete;
    ~FaultKnobs();

private:
    void set(const std::filesystem::path& file, const std::string& value);

    std::vector<std::pair<std::filesystem::path, std::string>> saved_;
};

/// /proc/self/task/<tid>/fail-nth of the thread that creates it.  Nothing
/// between arm() and disarm() may allocate in the kernel for this thread
/// but the operation under test: both are single pwrite/pread calls on a
/// file opened beforehand.
class FailNth {
public:
    FailNth();

    /// The @n-th fault-capable call of this thread from now on fails.
    /// Returns 0 or the errno of the write.
    [[nodiscard]] int arm(unsigned n) const noexcept;

    /// Disarms.  Returns 0 if the armed fault was injected, else how many
    /// calls short of it the thread stayed (n minus the fault-capable calls
    /// it made since arm(n)).  Throws std::system_error if the file cannot
    /// be read or written.
    [[nodiscard]] unsigned disarm() const;

    /// Calls left before the armed fault, 0 once injected; does not disarm.
    [[nodiscard]] unsigned remaining() const;

private:
    guest::UniqueFd fd_;
};

/// Locks the process's memory (present and future) after growing the
/// stack by @stack_bytes, so that no page fault allocates on its behalf
/// while armed.  Throws std::system_error.
void lock_memory(std::size_t stack_bytes);

}  // namespace xe_pfvf::faultinject
