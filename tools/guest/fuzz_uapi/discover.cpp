#include "discover.hpp"

#include "debugfs.hpp"
#include "platform.hpp"
#include "sys.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <sys/ioctl.h>
#include <system_error>

namespace xe_pfvf::fuzz {

namespace {

constexpr std::uint64_t ioresource_mem = 0x200;

template <typename S>
S call_or_throw(int fd, std::uint32_t cmd, S s, const char* op) {
    s.size = sizeof(S);
    if (const int err = xioctl(fd, cmd, reinterpret_cast<std::uintptr_t>(&s)); err != 0) {  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
        throw std::system_error(err, std::generic_category(), op);
    }
    return s;
}

std::vector<PfBar> pf_bars(std::uint32_t pf) {
    std::vector<PfBar> bars;
    const auto path = std::filesystem::path("/sys/bus/pci/devices") / bdf_name(pf) / "resource";
    for (const guest::PciResource& r : guest::parse_pci_resources(guest::read_file(path))) {
        if (r.index < 6 && (r.flags & ioresource_mem) != 0 && r.end > r.start) {
            bars.push_back({.start = r.start, .size = r.end - r.start + 1});
        }
    }
    return bars;
}

void add_provisioning(PfInfo& pf) {
    const auto path = guest::debugfs_root / bdf_name(pf.bdf) / "provisioning";
    for (const guest::VfProvisioning& p : guest::parse_provisioning(guest::read_file(path))) {
        if (p.vf < 1 || p.vf > pf.vfs.size()) {
            throw std::runtime_error(path.string() + ": VF " + std::to_string(p.vf) + " out of range");
        }
        VfSlot& slot = pf.vfs[p.vf - 1];
        if (slot.quota != p.quota || slot.generation != p.generation || slot.nr_extents != p.extents.size()) {
            throw std::runtime_error(path.string() + ": VF " + std::to_string(p.vf) +
                                     " disagrees with LIST_VFS (quota, generation or extents)");
        }
        slot.extents = p.extents;
    }
    for (const VfSlot& slot : pf.vfs) {
        if (slot.state == XE_PFVF_VF_PROVISIONED && slot.extents.empty()) {
            throw std::runtime_error(path.string() + ": provisioned VF " + std::to_string(slot.vfid) + " not listed");
        }
    }
}

}  // namespace

std::string bdf_name(std::uint32_t bdf) {
    std::array<char, 16> buf{};
    std::snprintf(buf.data(), buf.size(), "%04x:%02x:%02x.%x", XE_PFVF_BDF_SEG(bdf), XE_PFVF_BDF_BUS(bdf),  // NOLINT(cppcoreguidelines-pro-type-vararg)
                  XE_PFVF_BDF_DEV(bdf), XE_PFVF_BDF_FN(bdf));
    return buf.data();
}

std::uint32_t parse_bdf(const std::string& name) {
    unsigned seg = 0;
    unsigned bus = 0;
    unsigned dev = 0;
    unsigned fn = 0;
    char tail = 0;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg, cert-err34-c): the fields are checked below
    if (std::sscanf(name.c_str(), "%x:%x:%x.%x%c", &seg, &bus, &dev, &fn, &tail) != 4 || seg > 0xffff || bus > 0xff ||
        dev > 0x1f || fn > 7) {
        throw std::invalid_argument("not a PCI address: " + name);
    }
    return XE_PFVF_BDF(seg, bus, dev, fn);
}

int xioctl(int fd, std::uint32_t cmd, std::uint64_t arg) noexcept {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    return ::ioctl(fd, static_cast<unsigned long>(cmd), static_cast<unsigned long>(arg)) == 0 ? 0 : errno;
}

xe_pfvf_version query_version(int fd) { return call_or_throw(fd, XE_PFVF_IOC_VERSION, xe_pfvf_version{}, "VERSION"); }

std::vector<xe_pfvf_pf_info> query_pfs(int fd) {
    const auto sizing = call_or_throw(fd, XE_PFVF_IOC_LIST_PFS, xe_pfvf_list_pfs{}, "LIST_PFS");
    std::vector<xe_pfvf_pf_info> pfs(sizing.count);
    xe_pfvf_list_pfs l{};
    l.count = sizing.count;
    l.entry_size = sizeof(xe_pfvf_pf_info);
    l.entries = reinterpret_cast<std::uintptr_t>(pfs.data());  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    l = call_or_throw(fd, XE_PFVF_IOC_LIST_PFS, l, "LIST_PFS");
    pfs.resize(std::min<std::size_t>(l.count, pfs.size()));
    return pfs;
}

std::vector<xe_pfvf_vf_info> query_vfs(int fd, std::uint32_t pf_bdf) {
    xe_pfvf_list_vfs l{};
    l.pf_bdf = pf_bdf;
    const auto sizing = call_or_throw(fd, XE_PFVF_IOC_LIST_VFS, l, "LIST_VFS");
    std::vector<xe_pfvf_vf_info> vfs(sizing.count);
    l.count = sizing.count;
    l.entry_size = sizeof(xe_pfvf_vf_info);
    l.entries = reinterpret_cast<std::uintptr_t>(vfs.data());  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    l = call_or_throw(fd, XE_PFVF_IOC_LIST_VFS, l, "LIST_VFS");
    vfs.resize(std::min<std::size_t>(l.count, vfs.size()));
    return vfs;
}

World discover(int fd) {
    World w;
    const xe_pfvf_version v = query_version(fd);
    if (v.major != XE_PFVF_UAPI_MAJOR) {
        throw std::runtime_error("VERSION: major " + std::to_string(v.major) + ", this fuzzer knows " +
                                 std::to_string(XE_PFVF_UAPI_MAJOR));
    }
    w.caps = v.caps;
    w.max_handles = v.max_handles;
    for (const xe_pfvf_pf_info& info : query_pfs(fd)) {
        PfInfo pf;
        pf.bdf = info.bdf;
        pf.total_vfs = info.total_vfs;
        pf.num_vfs = info.num_vfs;
        pf.lmem_bar = info.lmem_bar;
        pf.vram_size = info.vram_size;
        pf.driver.assign(std::begin(info.driver), std::find(std::begin(info.driver), std::end(info.driver), '\0'));
        for (const xe_pfvf_vf_info& vi : query_vfs(fd, info.bdf)) {
            pf.vfs.push_back(VfSlot{.vfid = vi.vfid,
                                    .bdf = vi.bdf,
                                    .state = vi.state,
                                    .generation = vi.generation,
                                    .nr_extents = vi.nr_extents,
                                    .quota = vi.quota,
                                    .bar_size = vi.bar_size,
                                    .bar_cpu = vi.bar_cpu,
                                    .bar_bus = vi.bar_bus,
                                    .vf_flags = vi.vf_flags,
                                    .quarantined = vi.quarantined,
                                    .extents = {}});
        }
        add_provisioning(pf);
        pf.bars = pf_bars(pf.bdf);
        w.pfs.push_back(std::move(pf));
    }
    for (const auto& entry : std::filesystem::directory_iterator("/sys/bus/pci/devices")) {
        const std::uint32_t bdf = parse_bdf(entry.path().filename().string());
        w.functions.insert(bdf);
        if (std::filesystem::exists(entry.path() / "physfn")) {
            w.virtfns.insert(bdf);
        }
    }
    return w;
}

unsigned debugfs_dmabufs(std::uint32_t pf_bdf) {
    std::istringstream in(guest::read_file(guest::debugfs_root / bdf_name(pf_bdf) / "dmabufs"));
    unsigned lines = 0;
    for (std::string line; std::getline(in, line);) {
        lines += line.empty() ? 0 : 1;
    }
    return lines == 0 ? 0 : lines - 1;
}

}  // namespace xe_pfvf::fuzz
