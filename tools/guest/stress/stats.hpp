#pragma once

// What the stress run counts: per operation, its runs, successes and
// errors by errno, split into the answers the kernel may legitimately give
// while other operations race it and the ones it may not (failures); plus
// named counters (pages checked, peaks seen in debugfs) and the failures
// themselves, described.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::stress {

/// The operations the threads race.
enum class Op : unsigned {
    vfio_open,       ///< bind the VF to the variant driver, open group, container, device; memory on
    vfio_request,    ///< the kernel asked for the device back (VF removal): closed, unbound
    vfio_reopen,     ///< the VMM closes and opens the device fd again
    export_dmabuf,   ///< VFIO_DEVICE_FEATURE_DMA_BUF over random LMEM BAR ranges
    memory_disable,  ///< PCI_COMMAND_MEMORY cleared through the VFIO config region
    memory_enable,   ///< and set again
    vfio_reset,      ///< VFIO_DEVICE_RESET
    flr,             ///< sysfs `reset` of the VF
    unprovision,     ///< swpf `vf`: unprovision <n>
    provision,       ///< swpf `vf`: provision <n>
    fill,            ///< swpf `fill ... tag`: the VF's pages tagged with its number
    scrub,           ///< swpf `fill` without tag, before VRAM goes back to the PF
    numvfs_off,      ///< sriov_numvfs 0
    numvfs_on,       ///< sriov_numvfs N
    backend_unbind,  ///< the PF unbound from xe_pfvf_swpf
    backend_bind,    ///< and bound again
    import,          ///< swpf slot `import <fd>` (attach and map over the private interconnect)
    import_stall,    ///< the same as a hostile importer that ignores revocation
    read,            ///< swpf slot `data`, every page checked
    map,             ///< swpf slot `ctl map`
    unmap,           ///< swpf slot `ctl unmap`
    release,         ///< swpf slot `ctl release`
    slot_status,     ///< swpf slot `status`
    debugfs,         ///< xe_pfvf debugfs `dmabufs`, `quarantine`, `vfs`
};

inline constexpr std::size_t op_count = static_cast<std::size_t>(Op::debugfs) + 1;

/// The operation's name in the report.
[[nodiscard]] std::string_view op_name(Op op) noexcept;

/// Whether the kernel may fail @op with @err while the other operations
/// race it: the VF, its provisioning, the PF driver or the buffer went away
/// or is busy (ENODEV, ENOENT, EBUSY, EIO, EAGAIN, EINTR), plus what the
/// operation documents (EEXIST and ENOSPC for a provisioning, ENODATA and
/// EOPNOTSUPP for a read).  Anything else (EINVAL on a well-formed request,
/// say) is a failure.
[[nodiscard]] bool errno_expected(Op op, int err) noexcept;

/// "ENODEV", or the number if glibc has no name for it.
[[nodiscard]] std::string errno_name(int err);

/// The tally of one operation.
struct OpTally {
    std::uint64_t runs = 0;
    std::uint64_t ok = 0;
    std::map<int, std::uint64_t> errors;  ///< by errno, expected or not
};

class Stats {
public:
    void ok(Op op);
    /// Counts @err against @op; an unexpected errno is also a failure,
    /// described by @what.  Returns whether it was expected.
    bool error(Op op, int err, std::string_view what);
    /// Records a failure that is no errno (another VF's page, a parse
    /// error, a hang).
    void failure(std::string what);

    /// Adds @n to the counter @name.
    void add(std::string_view name, std::uint64_t n);
    /// Raises the counter @name to @value if it is below.
    void raise(std::string_view name, std::uint64_t value);
    [[nodiscard]] std::uint64_t counter(std::string_view name) const;

    [[nodiscard]] OpTally tally(Op op) const;
    [[nodiscard]] std::uint64_t failures() const;

    /// The table of operations, then the failures kept (the first ones).
    void print(std::ostream& out) const;

private:
    static constexpr std::size_t kept_failures = 20;

    mutable std::mutex mutex_;
    std::array<OpTally, op_count> ops_{};
    std::map<std::string, std::uint64_t, std::less<>> counters_;
    std::vector<std::string> failures_;
    std::uint64_t nr_failures_ = 0;
};

}  // namespace xe_pfvf::stress
