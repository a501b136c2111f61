#include <xe_pfvf/xe_pfvf.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>

#include <linux/xe_pfvf.h>
#include <sys/ioctl.h>

namespace xe_pfvf {

// The public header mirrors the uAPI's constants so that it does not need
// <linux/xe_pfvf.h>; they must agree.
static_assert(uapi_major == XE_PFVF_UAPI_MAJOR);
static_assert(uapi_minor == XE_PFVF_UAPI_MINOR);
static_assert(static_cast<std::uint64_t>(Cap::raw_addr) == XE_PFVF_CAP_RAW_ADDR);
static_assert(static_cast<std::uint64_t>(Cap::export_handles) == XE_PFVF_CAP_EXPORT);
static_assert(static_cast<std::uint64_t>(Cap::p2p) == XE_PFVF_CAP_P2P);
static_assert(static_cast<std::uint64_t>(Cap::iommu) == XE_PFVF_CAP_IOMMU);
static_assert(static_cast<unsigned>(VfState::disabled) == XE_PFVF_VF_DISABLED);
static_assert(static_cast<unsigned>(VfState::enabled) == XE_PFVF_VF_ENABLED);
static_assert(static_cast<unsigned>(VfState::provisioned) == XE_PFVF_VF_PROVISIONED);
static_assert(VfInfo::flag_suspended == XE_PFVF_VF_SUSPENDED);
static_assert(VfInfo::flag_raw == XE_PFVF_VF_RAW);
static_assert(static_cast<unsigned>(Space::lmem) == XE_PFVF_ADDR_LMEM);
static_assert(static_cast<unsigned>(Space::bar) == XE_PFVF_ADDR_BAR);
static_assert(static_cast<unsigned>(Space::cpu) == XE_PFVF_ADDR_CPU);
static_assert(static_cast<unsigned>(Space::bus) == XE_PFVF_ADDR_BUS);
static_assert(static_cast<unsigned>(Space::iova) == XE_PFVF_ADDR_IOVA);
static_assert(translate_aligned == XE_PFVF_TRANSLATE_ALIGNED);
static_assert(static_cast<unsigned>(P2pMap::none) == XE_PFVF_P2P_MAP_NONE);
static_assert(static_cast<unsigned>(P2pMap::bus_addr) == XE_PFVF_P2P_MAP_BUS_ADDR);
static_assert(static_cast<unsigned>(P2pMap::host_bridge) == XE_PFVF_P2P_MAP_HOST_BRIDGE);
static_assert(static_cast<unsigned>(P2pWhy::kernel) == XE_PFVF_P2P_WHY_KERNEL);
static_assert(static_cast<unsigned>(P2pWhy::no_p2pdma) == XE_PFVF_P2P_WHY_NO_P2PDMA);
static_assert(P2pVerdict::flag_acs_redirect == XE_PFVF_P2P_ACS_REDIRECT);
static_assert(P2pVerdict::flag_private == XE_PFVF_P2P_PRIVATE);

// The structs as this library's header has them: their first versions.
static_assert(sizeof(xe_pfvf_version) == XE_PFVF_VERSION_SIZE_VER0);
static_assert(sizeof(xe_pfvf_pf_info) == XE_PFVF_PF_INFO_SIZE_VER0);
static_assert(sizeof(xe_pfvf_list_pfs) == XE_PFVF_LIST_PFS_SIZE_VER0);
static_assert(sizeof(xe_pfvf_vf_info) == XE_PFVF_VF_INFO_SIZE_VER0);
static_assert(sizeof(xe_pfvf_list_vfs) == XE_PFVF_LIST_VFS_SIZE_VER0);
static_assert(sizeof(xe_pfvf_extent_info) == XE_PFVF_EXTENT_INFO_SIZE_VER0);
static_assert(sizeof(xe_pfvf_translate) == XE_PFVF_TRANSLATE_SIZE_VER0);
static_assert(sizeof(xe_pfvf_export) == XE_PFVF_EXPORT_SIZE_VER0);
static_assert(sizeof(xe_pfvf_handle_fd) == XE_PFVF_HANDLE_FD_SIZE_VER0);
static_assert(sizeof(xe_pfvf_revoke) == XE_PFVF_REVOKE_SIZE_VER0);
static_assert(sizeof(xe_pfvf_p2p) == XE_PFVF_P2P_SIZE_VER0);

namespace detail {

/// The open file (or a test's fake) that every call goes through.
struct Channel {
    UniqueFd fd;
    IoctlFn fake;

    /// Issues @request; throws Error(errno, @op, @detail) on failure.
    void call(unsigned long request, void* arg, std::string_view op, std::string_view detail = {}) const {
        int ret = 0;
        if (fake) {
            ret = fake(request, arg);
        } else {
            // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
            ret = ::ioctl(fd.get(), request, arg);
            if (ret < 0) {
                ret = errno != 0 ? -errno : -EIO;
            }
        }
        if (ret < 0) {
            throw Error(-ret, op, detail);
        }
    }
};

}  // namespace detail

namespace {

/// Tries of a sizing call and a fill; each retry follows an array that
/// grew between the two (VFs enabled, a PF registered, reprovisioning).
constexpr int max_list_attempts = 8;

/// A uAPI struct with its size set and everything else zero.
template <typename T>
T make_arg() {
    T arg{};
    arg.size = static_cast<std::uint32_t>(sizeof(T));
    return arg;
}

std::uint64_t user_ptr(void* ptr) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the uAPI carries pointers as __u64
    return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(ptr));
}

/// The uAPI's array protocol: a call with count 0 sizes the array, a
/// second fills it; if the array grew in between, again.  @ptr_field is
/// the member holding the array's address.  @arg keeps the last call's
/// output (e.g. the generation of a translation).
template <typename Entry, typename Arg>
std::vector<Entry> fetch_array(const detail::Channel& channel, unsigned long request, Arg& arg,
                               __u64 Arg::*ptr_field, std::string_view op, std::string_view detail) {
    arg.count = 0;
    arg.entry_size = static_cast<std::uint32_t>(sizeof(Entry));
    arg.*ptr_field = 0;
    channel.call(request, &arg, op, detail);
    std::vector<Entry> entries;
    for (int attempt = 1;; ++attempt) {
        const std::uint32_t room = arg.count;
        if (room == 0) {
            entries.clear();
            return entries;
        }
        entries.assign(room, Entry{});
        arg.count = room;
        arg.entry_size = static_cast<std::uint32_t>(sizeof(Entry));
        arg.*ptr_field = user_ptr(entries.data());
        channel.call(request, &arg, op, detail);
        if (arg.count <= room) {
            entries.resize(arg.count);
            return entries;
        }
        if (attempt == max_list_attempts) {
            throw Error(EAGAIN, op, std::string(detail) + ": the array kept growing");
        }
    }
}

/// A NUL-terminated char array of a uAPI struct as a string.
template <std::size_t N>
std::string fixed_string(const std::array<char, N>& chars) {
    const auto end = std::find(chars.begin(), chars.end(), '\0');
    return {chars.begin(), end};
}

PfInfo to_pf_info(const xe_pfvf_pf_info& in) {
    std::array<char, sizeof(in.driver)> driver{};
    std::memcpy(driver.data(), std::data(in.driver), driver.size());
    return PfInfo{.bdf = Bdf::from_uapi(in.bdf),
                  .total_vfs = in.total_vfs,
                  .num_vfs = in.num_vfs,
                  .lmem_bar = in.lmem_bar,
                  .vram_size = in.vram_size,
                  .revoked = in.revoked,
                  .driver = fixed_string(driver)};
}

VfInfo to_vf_info(const xe_pfvf_vf_info& in) {
    return VfInfo{.bdf = Bdf::from_uapi(in.bdf),
                  .vfid = in.vfid,
                  .state = static_cast<VfState>(in.state),
                  .generation = in.generation,
                  .nr_extents = in.nr_extents,
                  .quota = in.quota,
                  .bar_size = in.bar_size,
                  .bar_cpu = in.bar_cpu,
                  .bar_bus = in.bar_bus,
                  .live_bufs = in.live_bufs,
                  .quarantined = in.quarantined,
                  .vf_flags = in.vf_flags};
}

std::string hex(std::uint64_t value) {
    std::array<char, 24> buf{};
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): snprintf for hex
    const int n = std::snprintf(buf.data(), buf.size(), "%#llx", static_cast<unsigned long long>(value));
    return {buf.data(), static_cast<std::size_t>(n)};
}

/// "0000:01:00.0 VF 1 lmem 0x1000+0x2000", for error messages.
std::string range_detail(const std::string& function, Space space, std::uint64_t addr, std::uint64_t length) {
    return function + " " + std::string(to_string(space)) + " " + hex(addr) + "+" + hex(length);
}

}  // namespace

std::string_view to_string(Cap cap) noexcept {
    switch (cap) {
    case Cap::raw_addr:
        return "raw-addr";
    case Cap::export_handles:
        return "export";
    case Cap::p2p:
        return "p2p";
    case Cap::iommu:
        return "iommu";
    }
    return "unknown";
}

std::vector<std::string> cap_names(std::uint64_t caps) {
    std::vector<std::string> names;
    for (unsigned bit = 0; bit < 64; ++bit) {
        const std::uint64_t mask = 1ULL << bit;
        if ((caps & mask) == 0) {
            continue;
        }
        const std::string_view name = to_string(static_cast<Cap>(mask));
        names.emplace_back(name == "unknown" ? "bit" + std::to_string(bit) : std::string(name));
    }
    return names;
}

std::string_view to_string(VfState state) noexcept {
    switch (state) {
    case VfState::disabled:
        return "disabled";
    case VfState::enabled:
        return "enabled";
    case VfState::provisioned:
        return "provisioned";
    }
    return "unknown";
}

std::string_view to_string(Space space) noexcept {
    switch (space) {
    case Space::lmem:
        return "lmem";
    case Space::bar:
        return "bar";
    case Space::cpu:
        return "cpu";
    case Space::bus:
        return "bus";
    case Space::iova:
        return "iova";
    }
    return "unknown";
}

std::optional<Space> parse_space(std::string_view name) noexcept {
    for (const Space s : {Space::lmem, Space::bar, Space::cpu, Space::bus, Space::iova}) {
        if (to_string(s) == name) {
            return s;
        }
    }
    return std::nullopt;
}

std::string_view to_string(P2pMap map) noexcept {
    switch (map) {
    case P2pMap::none:
        return "none";
    case P2pMap::bus_addr:
        return "bus-address";
    case P2pMap::host_bridge:
        return "host-bridge";
    }
    return "unknown";
}

std::string_view to_string(P2pWhy why) noexcept {
    switch (why) {
    case P2pWhy::kernel:
        return "kernel";
    case P2pWhy::no_p2pdma:
        return "no-p2pdma";
    }
    return "unknown";
}

Device Device::open(std::string_view path) {
    const std::string p(path);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): POSIX open() is variadic
    UniqueFd fd(::open(p.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd) {
        throw Error(errno, "open", p);
    }
    Device dev(std::move(fd));
    const Version v = dev.version();
    if (v.major != uapi_major) {
        throw Error(EPROTO, "XE_PFVF_IOC_VERSION",
                    "the kernel speaks uAPI " + std::to_string(v.major) + "." + std::to_string(v.minor) +
                        ", this library " + std::to_string(uapi_major));
    }
    return dev;
}

Device::Device(std::shared_ptr<const detail::Channel> channel) noexcept : channel_(std::move(channel)) {}

Device::Device(UniqueFd fd)
    : Device(std::make_shared<const detail::Channel>(detail::Channel{.fd = std::move(fd), .fake = {}})) {}

Device::Device(IoctlFn ioctl)
    : Device(std::make_shared<const detail::Channel>(detail::Channel{.fd = UniqueFd(), .fake = std::move(ioctl)})) {}

int Device::fd() const noexcept { return channel_->fd.get(); }

Version Device::version() const {
    auto arg = make_arg<xe_pfvf_version>();
    channel_->call(XE_PFVF_IOC_VERSION, &arg, "XE_PFVF_IOC_VERSION");
    return Version{.major = arg.major,
                   .minor = arg.minor,
                   .caps = arg.caps,
                   .nr_pfs = arg.nr_pfs,
                   .max_handles = arg.max_handles};
}

std::vector<PfInfo> Device::pfs() const {
    auto arg = make_arg<xe_pfvf_list_pfs>();
    const auto raw = fetch_array<xe_pfvf_pf_info>(*channel_, XE_PFVF_IOC_LIST_PFS, arg, &xe_pfvf_list_pfs::entries,
                                                  "XE_PFVF_IOC_LIST_PFS", {});
    std::vector<PfInfo> out;
    out.reserve(raw.size());
    std::transform(raw.begin(), raw.end(), std::back_inserter(out), to_pf_info);
    return out;
}

std::vector<VfInfo> Device::vfs(Bdf pf) const {
    auto arg = make_arg<xe_pfvf_list_vfs>();
    arg.pf_bdf = pf.to_uapi();
    const auto raw = fetch_array<xe_pfvf_vf_info>(*channel_, XE_PFVF_IOC_LIST_VFS, arg, &xe_pfvf_list_vfs::entries,
                                                  "XE_PFVF_IOC_LIST_VFS", pf.str());
    std::vector<VfInfo> out;
    out.reserve(raw.size());
    std::transform(raw.begin(), raw.end(), std::back_inserter(out), to_vf_info);
    return out;
}

Translation Device::translate(Bdf pf, std::uint16_t vfid, Space space, std::uint64_t addr, std::uint64_t length,
                              std::uint32_t flags) const {
    auto arg = make_arg<xe_pfvf_translate>();
    arg.flags = flags;
    arg.pf_bdf = pf.to_uapi();
    arg.vfid = vfid;
    arg.space = static_cast<std::uint16_t>(space);
    arg.addr = addr;
    arg.length = length;
    const auto raw =
        fetch_array<xe_pfvf_extent_info>(*channel_, XE_PFVF_IOC_TRANSLATE, arg, &xe_pfvf_translate::extents,
                                         "XE_PFVF_IOC_TRANSLATE",
                                         range_detail(pf.str() + " VF " + std::to_string(vfid), space, addr, length));
    Translation out{.generation = arg.generation, .extents = {}};
    out.extents.reserve(raw.size());
    for (const xe_pfvf_extent_info& e : raw) {
        out.extents.push_back(Extent{.handle = e.handle, .length = e.length, .vram = e.vram});
    }
    return out;
}

ExportHandle Device::export_range(int vfio_fd, Bdf vf, Space space, std::uint64_t offset,
                                  std::uint64_t length) const {
    auto arg = make_arg<xe_pfvf_export>();
    arg.vfio_fd = vfio_fd;
    arg.vf_bdf = vf.to_uapi();
    arg.space = static_cast<std::uint32_t>(space);
    arg.offset = offset;
    arg.length = length;
    const std::string detail = range_detail(vf.str(), space, offset, length);
    channel_->call(XE_PFVF_IOC_EXPORT, &arg, "XE_PFVF_IOC_EXPORT", detail);
    if (arg.handle == 0) {
        throw Error(EPROTO, "XE_PFVF_IOC_EXPORT", detail + ": the kernel returned handle 0");
    }
    return {channel_, arg.handle, length};
}

UniqueFd Device::handle_fd(std::uint64_t handle, int fd_flags) const {
    auto arg = make_arg<xe_pfvf_handle_fd>();
    arg.handle = handle;
    arg.fd_flags = static_cast<std::uint32_t>(fd_flags);
    channel_->call(XE_PFVF_IOC_HANDLE_FD, &arg, "XE_PFVF_IOC_HANDLE_FD", "handle " + hex(handle));
    if (arg.fd < 0) {
        throw Error(EPROTO, "XE_PFVF_IOC_HANDLE_FD", "the kernel returned fd " + std::to_string(arg.fd));
    }
    return UniqueFd(arg.fd);
}

RevokeResult Device::revoke(std::uint64_t handle) const {
    auto arg = make_arg<xe_pfvf_revoke>();
    arg.handle = handle;
    channel_->call(XE_PFVF_IOC_REVOKE, &arg, "XE_PFVF_IOC_REVOKE", "handle " + hex(handle));
    return RevokeResult{.revoked = arg.revoked, .busy = arg.busy};
}

P2pVerdict Device::p2p(Bdf provider, Bdf client) const {
    auto arg = make_arg<xe_pfvf_p2p>();
    arg.provider = provider.to_uapi();
    arg.client = client.to_uapi();
    channel_->call(XE_PFVF_IOC_P2P, &arg, "XE_PFVF_IOC_P2P", provider.str() + " -> " + client.str());
    return P2pVerdict{.map = static_cast<P2pMap>(arg.map),
                      .distance = arg.distance,
                      .why = static_cast<P2pWhy>(arg.why),
                      .result_flags = arg.result_flags};
}

ExportHandle::ExportHandle(std::shared_ptr<const detail::Channel> channel, std::uint64_t handle,
                           std::uint64_t length) noexcept
    : channel_(std::move(channel)), handle_(handle), length_(length) {}

ExportHandle::ExportHandle(ExportHandle&& other) noexcept
    : channel_(std::move(other.channel_)),
      handle_(std::exchange(other.handle_, 0)),
      length_(std::exchange(other.length_, 0)) {}

ExportHandle& ExportHandle::operator=(ExportHandle&& other) noexcept {
    if (this != &other) {
        if (handle_ != 0) {
            try {
                static_cast<void>(revoke());
            } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the handle may be dead already
            }
        }
        channel_ = std::move(other.channel_);
        handle_ = std::exchange(other.handle_, 0);
        length_ = std::exchange(other.length_, 0);
    }
    return *this;
}

ExportHandle::~ExportHandle() {
    if (handle_ == 0) {
        return;
    }
    try {
        static_cast<void>(revoke());
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the handle may be dead already
    }
}

UniqueFd ExportHandle::dmabuf(int fd_flags) const {
    if (handle_ == 0) {
        throw Error(ENOENT, "XE_PFVF_IOC_HANDLE_FD", "no handle");
    }
    return Device(channel_).handle_fd(handle_, fd_flags);
}

RevokeResult ExportHandle::revoke() {
    if (handle_ == 0) {
        throw Error(ENOENT, "XE_PFVF_IOC_REVOKE", "no handle");
    }
    const std::uint64_t handle = std::exchange(handle_, 0);
    length_ = 0;
    return Device(channel_).revoke(handle);
}

std::uint64_t ExportHandle::release() noexcept {
    length_ = 0;
    return std::exchange(handle_, 0);
}

}  // namespace xe_pfvf
