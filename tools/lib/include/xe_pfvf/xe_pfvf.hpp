#pragma once

// libxe-pfvf: C++20 access to /dev/xe_pfvf, the xe_pfvf uAPI
// (uapi/linux/xe_pfvf.h).  Query the VF provisioning table, translate VF
// addresses, export VF memory by opaque handle and turn handles into
// dma-buf fds, ask the kernel for its PCIe P2PDMA verdict.
//
// Every failed call throws xe_pfvf::Error, which carries the errno and the
// ioctl's name ("XE_PFVF_IOC_TRANSLATE").  The library speaks the uAPI's
// extensible-struct protocol: it sends its own struct sizes, sizes arrays
// with a first call of count 0 and calls again (again, if the array grew
// in between).
//
// A Device is one open file of /dev/xe_pfvf.  Handles are valid in that
// open file only and die with it: an ExportHandle keeps the file open and
// revokes its handle when destroyed.

#include <xe_pfvf/bdf.hpp>
#include <xe_pfvf/error.hpp>
#include <xe_pfvf/export.hpp>
#include <xe_pfvf/unique_fd.hpp>

#include <cstdint>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf {

/// This library's version (XE_PFVF_LIB_VERSION of tools/lib/CMakeLists.txt,
/// which the pkg-config file and the CMake package carry).
inline constexpr std::string_view library_version = "1.0.0";

/// The uAPI major version this library speaks (XE_PFVF_UAPI_MAJOR).
inline constexpr std::uint32_t uapi_major = 1;
/// The uAPI minor version it was built against (XE_PFVF_UAPI_MINOR).
inline constexpr std::uint32_t uapi_minor = 0;

/// Where the module's misc device appears.
inline constexpr std::string_view default_device_path = "/dev/xe_pfvf";

/// XE_PFVF_CAP_* bits of Version::caps.
enum class Cap : std::uint64_t {
    raw_addr = 1ULL << 0U,  ///< this file sees raw VRAM, CPU and bus addresses
    export_handles = 1ULL << 1U,  ///< export by handle is available (VFIO loaded)
    p2p = 1ULL << 2U,  ///< the kernel has PCI P2PDMA
    iommu = 1ULL << 3U,  ///< the kernel has an IOMMU API
};

/// "raw-addr", "export", "p2p", "iommu".
[[nodiscard]] XE_PFVF_API std::string_view to_string(Cap cap) noexcept;
/// The names of the bits set in @caps, unknown bits as "bit<n>".
[[nodiscard]] XE_PFVF_API std::vector<std::string> cap_names(std::uint64_t caps);

/// XE_PFVF_IOC_VERSION.
struct Version {
    std::uint32_t major = 0;
    std::uint32_t minor = 0;
    std::uint64_t caps = 0;
    std::uint32_t nr_pfs = 0;
    std::uint32_t max_handles = 0;

    [[nodiscard]] bool has(Cap cap) const noexcept { return (caps & static_cast<std::uint64_t>(cap)) != 0; }
};

/// One registered PF (struct xe_pfvf_pf_info).
struct PfInfo {
    Bdf bdf;
    std::uint16_t total_vfs = 0;
    std::uint16_t num_vfs = 0;
    std::uint32_t lmem_bar = 0;
    std::uint64_t vram_size = 0;
    std::uint64_t revoked = 0;  ///< dma-bufs of its VFs revoked for good so far
    std::string driver;
};

/// XE_PFVF_VF_* states.
enum class VfState : std::uint16_t {
    disabled = 0,
    enabled = 1,
    provisioned = 2,
};

/// "disabled", "enabled", "provisioned", or "unknown".
[[nodiscard]] XE_PFVF_API std::string_view to_string(VfState state) noexcept;

/// One VF slot of a PF (struct xe_pfvf_vf_info).
struct VfInfo {
    Bdf bdf;  ///< all zero when disabled
    std::uint16_t vfid = 0;  ///< 1-based
    VfState state = VfState::disabled;
    std::uint32_t generation = 0;
    std::uint32_t nr_extents = 0;
    std::uint64_t quota = 0;
    std::uint64_t bar_size = 0;
    std::uint64_t bar_cpu = 0;  ///< 0 unless raw()
    std::uint64_t bar_bus = 0;  ///< 0 unless raw()
    std::uint32_t live_bufs = 0;
    std::uint32_t quarantined = 0;
    std::uint32_t vf_flags = 0;

    static constexpr std::uint32_t flag_suspended = 1U << 0U;  ///< XE_PFVF_VF_SUSPENDED
    static constexpr std::uint32_t flag_raw = 1U << 1U;  ///< XE_PFVF_VF_RAW

    [[nodiscard]] bool suspended() const noexcept { return (vf_flags & flag_suspended) != 0; }
    [[nodiscard]] bool raw() const noexcept { return (vf_flags & flag_raw) != 0; }
};

/// XE_PFVF_SPACE_*: what an address or offset is relative to.
enum class Space : std::uint16_t {
    lmem = 0,  ///< offset in the VF's LMEM
    bar = 1,  ///< offset in the VF's LMEM BAR
    cpu = 2,  ///< CPU physical address in the LMEM BAR
    bus = 3,  ///< PCI bus address in the LMEM BAR
    iova = 4,  ///< IOVA in the IOMMU domain the VF is attached to now
};

/// "lmem", "bar", "cpu", "bus", "iova", or "unknown".
[[nodiscard]] XE_PFVF_API std::string_view to_string(Space space) noexcept;
/// The Space named @name (as to_string() spells it); nullopt if none.
[[nodiscard]] XE_PFVF_API std::optional<Space> parse_space(std::string_view name) noexcept;

/// One coalesced extent of a translation (struct xe_pfvf_extent_info).
struct Extent {
    std::uint64_t handle = 0;  ///< opaque; equal for equal VRAM within one open file
    std::uint64_t length = 0;
    std::uint64_t vram = 0;  ///< 0 unless the file has Cap::raw_addr
};

/// A translation: the VRAM behind a VF range.
struct Translation {
    std::uint32_t generation = 0;  ///< the VF's provisioning generation it is valid for
    std::vector<Extent> extents;
};

/// XE_PFVF_TRANSLATE_ALIGNED: address and length must be 4 KiB aligned.
inline constexpr std::uint32_t translate_aligned = 1U << 0U;

/// What XE_PFVF_IOC_REVOKE did.
struct RevokeResult {
    std::uint32_t revoked = 0;  ///< the handle's dma-bufs revoked
    std::uint32_t busy = 0;  ///< of those, still mapped by an importer that ignored it
};

/// XE_PFVF_P2P_* map types.
enum class P2pMap : std::uint32_t {
    none = 0,
    bus_addr = 1,
    host_bridge = 2,
};

/// "none", "bus-address", "host-bridge", or "unknown".
[[nodiscard]] XE_PFVF_API std::string_view to_string(P2pMap map) noexcept;

/// XE_PFVF_P2P_WHY_*.
enum class P2pWhy : std::uint32_t {
    kernel = 0,  ///< pci_p2pdma_distance() decided
    no_p2pdma = 1,  ///< the kernel was built without PCI P2PDMA
};

/// "kernel", "no-p2pdma", or "unknown".
[[nodiscard]] XE_PFVF_API std::string_view to_string(P2pWhy why) noexcept;

/// The kernel's P2PDMA verdict for a provider and a client (XE_PFVF_IOC_P2P).
struct P2pVerdict {
    P2pMap map = P2pMap::none;
    std::int32_t distance = -1;  ///< -1 when there is no path
    P2pWhy why = P2pWhy::kernel;
    std::uint32_t result_flags = 0;

    static constexpr std::uint32_t flag_acs_redirect = 1U << 0U;  ///< XE_PFVF_P2P_ACS_REDIRECT
    static constexpr std::uint32_t flag_private = 1U << 1U;  ///< XE_PFVF_P2P_PRIVATE

    /// A function on the path redirects P2P upstream.
    [[nodiscard]] bool acs_redirect() const noexcept { return (result_flags & flag_acs_redirect) != 0; }
    /// One is a VF of the other's registered PF: xe_pfvf's private
    /// interconnect applies whatever the PCIe verdict.
    [[nodiscard]] bool private_interconnect() const noexcept { return (result_flags & flag_private) != 0; }
};

/// How the library reaches the kernel: ioctl(fd, @request, @arg) on the
/// device's file, returning 0 or a negative errno.  Tests inject a fake.
using IoctlFn = std::function<int(unsigned long request, void* arg)>;

class ExportHandle;

namespace detail {
struct Channel;
}  // namespace detail

/// One open file of /dev/xe_pfvf.  Cheap to move and to copy (copies share
/// the open file, and so its handles); ExportHandles keep the file open
/// while they live.
class XE_PFVF_API Device {
public:
    /// Opens @path (O_RDWR | O_CLOEXEC) and checks that the kernel speaks
    /// uAPI major uapi_major (EPROTO otherwise).  Throws Error("open
    /// <path>") or Error("XE_PFVF_IOC_VERSION").
    [[nodiscard]] static Device open(std::string_view path = default_device_path);

    /// Wraps an already open file of the device; no version check.
    explicit Device(UniqueFd fd);
    /// Talks to @ioctl instead of a file (tests).
    explicit Device(IoctlFn ioctl);

    /// The file descriptor (-1 for a Device made from an IoctlFn).
    [[nodiscard]] int fd() const noexcept;

    /// XE_PFVF_IOC_VERSION.
    [[nodiscard]] Version version() const;
    /// XE_PFVF_IOC_LIST_PFS: the registered PFs.
    [[nodiscard]] std::vector<PfInfo> pfs() const;
    /// XE_PFVF_IOC_LIST_VFS: every VF slot of @pf, VF n at index n - 1
    /// (ENODEV if @pf is not registered).
    [[nodiscard]] std::vector<VfInfo> vfs(Bdf pf) const;
    /// XE_PFVF_IOC_TRANSLATE: the VRAM behind [@addr, @addr + @length) of
    /// VF @vfid of @pf in @space; @flags: translate_aligned or 0.
    [[nodiscard]] Translation translate(Bdf pf, std::uint16_t vfid, Space space, std::uint64_t addr,
                                        std::uint64_t length, std::uint32_t flags = 0) const;
    /// XE_PFVF_IOC_EXPORT: [@offset, @offset + @length) of VF @vf in @space
    /// (Space::lmem or Space::bar) as a handle of this file.  @vfio_fd
    /// proves the caller holds the VF: the VF's VFIO device cdev
    /// (/dev/vfio/devices/vfioN) or the VFIO group it holds the VF through.
    [[nodiscard]] ExportHandle export_range(int vfio_fd, Bdf vf, Space space, std::uint64_t offset,
                                            std::uint64_t length) const;
    /// XE_PFVF_IOC_HANDLE_FD on a raw handle value of this file.
    [[nodiscard]] UniqueFd handle_fd(std::uint64_t handle, int fd_flags = O_RDWR | O_CLOEXEC) const;
    /// XE_PFVF_IOC_REVOKE on a raw handle value of this file.
    RevokeResult revoke(std::uint64_t handle) const;  // NOLINT(modernize-use-nodiscard): the counts are optional
    /// XE_PFVF_IOC_P2P: the kernel's verdict for @client reading @provider's
    /// memory (ENODEV if either does not exist).
    [[nodiscard]] P2pVerdict p2p(Bdf provider, Bdf client) const;

private:
    friend class ExportHandle;
    explicit Device(std::shared_ptr<const detail::Channel> channel) noexcept;

    std::shared_ptr<const detail::Channel> channel_;
};

/// A handle of one open file, revoked when destroyed unless released.
/// Keeps the file open.
class XE_PFVF_API ExportHandle {
public:
    ExportHandle() noexcept = default;
    ExportHandle(const ExportHandle&) = delete;
    ExportHandle& operator=(const ExportHandle&) = delete;
    ExportHandle(ExportHandle&& other) noexcept;
    ExportHandle& operator=(ExportHandle&& other) noexcept;
    /// Revokes the handle if it is still held; errors are ignored (the
    /// handle may be dead already, e.g. after a VF reset).
    ~ExportHandle();

    /// The opaque value, meaningful to this open file only.
    [[nodiscard]] std::uint64_t value() const noexcept { return handle_; }
    [[nodiscard]] bool valid() const noexcept { return handle_ != 0; }
    /// The size of the exported range.
    [[nodiscard]] std::uint64_t length() const noexcept { return length_; }

    /// XE_PFVF_IOC_HANDLE_FD: a new dma-buf of the range; @fd_flags:
    /// O_CLOEXEC, and O_RDONLY or O_RDWR.
    [[nodiscard]] UniqueFd dmabuf(int fd_flags = O_RDWR | O_CLOEXEC) const;
    /// XE_PFVF_IOC_REVOKE now; the handle is given up even if that fails.
    RevokeResult revoke();  // NOLINT(modernize-use-nodiscard): the counts are optional
    /// Gives up ownership without revoking: the handle then lives until
    /// the file is closed.  Returns the value.
    [[nodiscard]] std::uint64_t release() noexcept;

private:
    friend class Device;
    ExportHandle(std::shared_ptr<const detail::Channel> channel, std::uint64_t handle,
                 std::uint64_t length) noexcept;

    std::shared_ptr<const detail::Channel> channel_;
    std::uint64_t handle_ = 0;
    std::uint64_t length_ = 0;
};

}  // namespace xe_pfvf
