#pragma once

// The oracle: for a call as it will be issued, the answers the uAPI
// (uapi/linux/xe_pfvf.h, and the checks' order in
// drivers/xe_pfvf/xe_pfvf_cdev.c and "DOC: translation") allows, computed
// from the struct's bytes, where its buffers are, and what the fuzzer
// knows of the machine and of the file's handles.  Exact on the fuzzer's
// own file; on the file the racing thread works on, a handle may die at
// any moment, so ENOENT (and ENOSPC) are allowed there too.  Pure: no
// system calls, so the host tests run it.

#include "call.hpp"
#include "debugfs.hpp"

#include <bitset>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace xe_pfvf::fuzz {

/// A set of errnos; 0 stands for success.
class ErrnoSet {
public:
    ErrnoSet() = default;
    ErrnoSet(std::initializer_list<int> errs) {
        for (const int e : errs) {
            add(e);
        }
    }
    void add(int err) { bits_.set(index(err)); }
    void remove(int err) { bits_.reset(index(err)); }
    [[nodiscard]] bool has(int err) const { return bits_.test(index(err)); }
    [[nodiscard]] bool only_success() const { return bits_.count() == 1 && has(0); }
    void merge(const ErrnoSet& other) { bits_ |= other.bits_; }
    /// "0|ENOENT|ENOSPC"
    [[nodiscard]] std::string describe() const;

private:
    static constexpr std::size_t slots = 256;
    static std::size_t index(int err) { return err >= 0 && static_cast<std::size_t>(err) < slots ? static_cast<std::size_t>(err) : slots - 1; }
    std::bitset<slots> bits_;
};

/// One VF slot of a PF, as LIST_VFS and debugfs `provisioning` tell.
struct VfSlot {
    std::uint16_t vfid = 0;
    std::uint32_t bdf = 0;
    std::uint16_t state = 0;  ///< XE_PFVF_VF_*
    std::uint32_t generation = 0;
    std::uint32_t nr_extents = 0;
    std::uint64_t quota = 0;
    std::uint64_t bar_size = 0;
    std::uint64_t bar_cpu = 0;
    std::uint64_t bar_bus = 0;
    std::uint32_t vf_flags = 0;
    std::uint32_t quarantined = 0;
    std::vector<guest::LmemExtent> extents;  ///< LMEM order
};

/// A PF memory BAR (CPU addresses, from sysfs).
struct PfBar {
    std::uint64_t start = 0;
    std::uint64_t size = 0;
};

struct PfInfo {
    std::uint32_t bdf = 0;
    std::uint16_t total_vfs = 0;
    std::uint16_t num_vfs = 0;
    std::uint32_t lmem_bar = 0;
    std::uint64_t vram_size = 0;
    std::string driver;
    std::vector<VfSlot> vfs;  ///< VF n at index n - 1
    std::vector<PfBar> bars;
};

/// What the fuzzer knows of the machine; fixed for the run.
struct World {
    std::vector<PfInfo> pfs;
    std::set<std::uint32_t> functions;  ///< every PCI function
    std::set<std::uint32_t> virtfns;    ///< the VFs among them
    std::uint64_t caps = 0;             ///< VERSION's caps for a root opener
    std::uint32_t max_handles = 0;

    [[nodiscard]] const PfInfo* pf(std::uint32_t bdf) const noexcept;
    /// The registered VF slot of PCI function @bdf, with its PF.
    [[nodiscard]] const VfSlot* vf(std::uint32_t bdf, const PfInfo** pf = nullptr) const noexcept;
    [[nodiscard]] bool raw() const noexcept;
};

/// An export handle of the fuzzer's file, and the dma-bufs made of it.
struct HandleState {
    std::uint32_t vf_bdf = 0;
    std::uint32_t space = 0;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::vector<int> fds;  ///< its dma-buf fds the fuzzer has open: what REVOKE counts
};

/// The fuzzer's model of its own file.
struct FileModel {
    std::map<std::uint64_t, HandleState> handles;
    std::uint32_t hidden = 0;  ///< handles made by an EXPORT that could not write the struct back
    std::map<std::uint64_t, std::uint64_t> extent_handles;  ///< VRAM address -> TRANSLATE's opaque handle
};

/// What EXPORT's vfio_fd is.
enum class FdClass : std::uint8_t {
    closed,        ///< no open file: EBADF
    maybe_closed,  ///< closed a moment ago: another thread may have reused the number
    not_group,     ///< an open file but no VFIO group
    group,         ///< a VFIO group holding Context::fd_vf
};

/// Where the call's buffers are and what its run-time values are.
struct Context {
    std::uint64_t readable = std::numeric_limits<std::uint64_t>::max();  ///< struct bytes the kernel can read
    bool writable = true;                                                ///< whether it can write the struct back
    std::uint64_t array_pointer = 0;
    std::uint64_t array_writable = 0;  ///< bytes writable from array_pointer on
    FdClass fd = FdClass::closed;
    std::uint32_t fd_vf = 0;
    const FileModel* file = nullptr;  ///< the main target's handles
    bool racy = false;                ///< the race target
    bool handle_known = false;        ///< racy: the handle was exported on the race file
};

struct Expectation {
    ErrnoSet allowed;
    std::string why;  ///< the rule that decided, for reports
    /// The call does its work, then cannot write the struct back (EFAULT).
    bool copy_out_fails = false;
    /// On success: the array's `count` out, when known.
    std::optional<std::uint32_t> avail;
    /// TRANSLATE: the extents, when known (exact prediction).
    std::optional<std::vector<guest::VramExtent>> extents;
    std::uint32_t generation = 0;
    /// HANDLE_FD, REVOKE on the main target: the live handle named, or 0.
    std::uint64_t handle = 0;
};

/// The kernel's access_ok() on x86-64 with 4-level paging.
[[nodiscard]] bool access_ok(std::uint64_t pointer, std::uint64_t size) noexcept;

/// A translation request: [addr, addr + len) in XE_PFVF_ADDR_* @space.
struct XlateRange {
    std::uint32_t space = 0;
    std::uint64_t addr = 0;
    std::uint64_t len = 0;
    bool aligned = false;  ///< XE_PFVF_TRANSLATE_ALIGNED
};

/// What a translation of @r for VF @vfid of @pf must give (LMEM, BAR, CPU
/// and bus spaces; see "DOC: translation").
[[nodiscard]] Expectation predict_translation(const PfInfo& pf, std::uint16_t vfid, const XlateRange& r);

[[nodiscard]] Expectation expect(const Call& call, const World& world, const Context& ctx);

}  // namespace xe_pfvf::fuzz
