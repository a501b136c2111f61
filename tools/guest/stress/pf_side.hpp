#pragma once

// The PF's side of the stress run: the software PF backend (xe_pfvf_swpf)
// through its debugfs and sysfs, as the PF driver and the host
// administrator drive it: provisioning, VF enable and disable, driver
// unbind and bind; and the discipline that keeps VF tags meaningful.
//
// Tags: `fill ... tag` writes, at the head of every page of a VF's LMEM,
// the VF's number.  The software PF does not clear VRAM it hands to a VF
// (a real PF clears it), so a tag left in VRAM that goes back to the PF
// would show up in the next VF that gets it.  Hence VRAM is tagged only
// under the VF's lock held exclusively, and scrubbed (filled without tag)
// under the lock held shared before anything that frees it: unprovision,
// sriov_numvfs 0, backend unbind.  Tags then name only the VF that owns
// the VRAM, and a tag of another VF read through a VF's dma-buf means that
// the buffer reaches memory that is not its VF's.

#include "swpf.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <shared_mutex>
#include <string>

namespace xe_pfvf::stress {

inline constexpr std::string_view backend_driver = "xe_pfvf_swpf";

class PfSide {
public:
    /// @tag_len: the LMEM bytes tagged per VF, from offset 0 (what the
    /// VFIO exports can reach: the LMEM BAR).
    PfSide(std::string pf, unsigned num_vfs, std::uint64_t tag_len);

    [[nodiscard]] const std::string& pf() const noexcept { return pf_; }
    [[nodiscard]] unsigned num_vfs() const noexcept { return num_vfs_; }
    [[nodiscard]] const guest::SwpfDebugfs& swpf() const noexcept { return swpf_; }

    /// Tags VF @vf's LMEM with a new seed, holding its lock exclusively.
    void fill(unsigned vf);
    /// Runs @free (which may free the VRAM of @vfs) with their locks held
    /// shared, after scrubbing them; @scrubbed gets the errno of each
    /// scrub (0 for success).
    void scrub_then(std::span<const unsigned> vfs, const std::function<void(unsigned, int)>& scrubbed,
                    const std::function<void()>& free);

    /// Writes @n to the PF's sriov_numvfs.
    void write_numvfs(unsigned n) const;
    /// The PF's sriov_numvfs.
    [[nodiscard]] unsigned numvfs() const;
    /// Unbinds the PF from the software PF backend.
    void unbind() const;
    /// Binds it again (through driver_override, set if it is not).
    void bind() const;
    /// Whether the PF is bound to the backend.
    [[nodiscard]] bool bound() const;

private:
    std::string pf_;
    unsigned num_vfs_;
    std::uint64_t tag_len_;
    guest::SwpfDebugfs swpf_;
    std::deque<std::shared_mutex> locks_;  ///< per VF, at index vf - 1
    std::mutex seed_mutex_;
    std::uint64_t next_seed_ = 1;
};

}  // namespace xe_pfvf::stress
