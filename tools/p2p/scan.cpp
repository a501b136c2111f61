// Topology of the running system: sysfs for the hierarchy (parents, host
// bridges, physfn links, IOMMU groups, drivers), libpci for config space
// (header type, PCIe type, ACS), /proc/cpuinfo for the CPU and the kernel
// config (or kallsyms) for CONFIG_PCI_P2PDMA.

#include "xe_pfvf/p2p.hpp"
#include "p2p_internal.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <zlib.h>

extern "C" {
#include <pci/pci.h>
}

namespace xe_pfvf::p2p {

namespace fs = std::filesystem;

namespace {

// PCIe config offsets the analyser reads (include/uapi/linux/pci_regs.h).
constexpr int cfg_header_type = 0x0e;
constexpr int cfg_dev_specific = 0x40;
constexpr int cfg_ext_start = 0x100;

// libpci reports fatal errors (a sysfs entry it cannot parse or open)
// through a callback that must not return; the analyser turns them into
// exceptions, which unwind through libpci's C frames (x86-64 code has
// unwind tables) and may leak what libpci had open at the time.  GNU
// noreturn rather than [[noreturn]]: clang makes it part of the type, as
// struct pci_access::error has it.
__attribute__((noreturn)) void pci_error(char* msg, ...) {  // NOLINT(cert-dcl50-cpp)
    std::array<char, 512> buf{};
    va_list ap;  // NOLINT(cppcoreguidelines-pro-type-vararg)
    va_start(ap, msg);  // NOLINT(cppcoreguidelines-pro-bounds-array-to-pointer-decay,hicpp-no-array-decay)
    std::vsnprintf(buf.data(), buf.size(), msg, ap);  // NOLINT(cppcoreguidelines-pro-bounds-array-to-pointer-decay,hicpp-no-array-decay)
    va_end(ap);  // NOLINT(cppcoreguidelines-pro-bounds-array-to-pointer-decay,hicpp-no-array-decay)
    throw std::runtime_error(std::string("libpci: ") + buf.data());
}

// Short reads of extended config space (not root) are expected: quiet.
void pci_quiet(char* /*msg*/, ...) {}  // NOLINT(cert-dcl50-cpp)

struct PciAccessDeleter {
    void operator()(pci_access* acc) const noexcept { pci_cleanup(acc); }
};
using PciAccess = std::unique_ptr<pci_access, PciAccessDeleter>;

[[noreturn]] void throw_errno(int err, const std::string& op) {
    throw std::system_error(err, std::generic_category(), op);
}

// The first line of a small sysfs attribute, or nullopt when absent.
std::optional<std::string> read_line(const fs::path& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    std::string line;
    std::getline(in, line);
    return line;
}

std::optional<unsigned long> read_number(const fs::path& path) {
    const auto line = read_line(path);
    if (!line || line->empty()) {
        return std::nullopt;
    }
    try {
        std::size_t used = 0;
        const unsigned long value = std::stoul(*line, &used, 0);
        return value;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// The name of the link @path points to, or nullopt.
std::optional<std::string> link_name(const fs::path& path) {
    std::error_code ec;
    const fs::path target = fs::read_symlink(path, ec);
    if (ec) {
        return std::nullopt;
    }
    return target.filename().string();
}

// "pci0000:00" (a host bridge's sysfs name)?
bool is_host_bridge_name(const std::string& name) {
    unsigned domain = 0;
    unsigned bus = 0;
    char extra = 0;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg,cert-err34-c)
    return name.size() == 10 && std::sscanf(name.c_str(), "pci%4x:%2x%c", &domain, &bus, &extra) == 2;
}

// Hierarchy facts from the function's sysfs directory.
void read_sysfs(const fs::path& devdir, Function& f) {
    std::error_code ec;
    const fs::path real = fs::canonical(devdir, ec);
    if (ec) {
        throw_errno(ec.value(), "p2p scan: resolve " + devdir.string());
    }
    // dev->dev.parent: the bridge above (a VF's parent is its PF's).  On a
    // root bus the parent is the host bridge itself.
    const std::string parent = real.parent_path().filename().string();
    if (auto bdf = parse_bdf(parent)) {
        f.parent = *bdf;
    }
    for (fs::path p = real.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
        if (is_host_bridge_name(p.filename().string())) {
            f.host_bridge = p.filename().string();
            break;
        }
    }
    if (f.host_bridge.empty()) {
        f.host_bridge = parent;  // a bus without a PCI host bridge above (e.g. VMD)
    }
    if (auto pf = link_name(devdir / "physfn")) {
        f.physfn = parse_bdf(*pf);
        if (f.physfn) {
            f.parent.reset();  // pci_upstream_bridge() goes through the PF
        }
    }
    if (auto group = link_name(devdir / "iommu_group")) {
        try {
            f.iommu_group = std::stoi(*group);
        } catch (const std::exception&) {
            f.iommu_group.reset();
        }
    }
    f.driver = link_name(devdir / "driver").value_or("");
    f.vendor = static_cast<std::uint16_t>(read_number(devdir / "vendor").value_or(0xffff));
    f.device = static_cast<std::uint16_t>(read_number(devdir / "device").value_or(0xffff));
    f.sriov_total_vfs = static_cast<std::uint16_t>(read_number(devdir / "sriov_totalvfs").value_or(0));
}

// Config space facts through libpci.
void read_config(pci_dev* dev, Function& f) {
    f.header_type = static_cast<std::uint8_t>(pci_read_byte(dev, cfg_header_type) & 0x7fU);
    // Without CAP_SYS_ADMIN sysfs gives only the first 64 bytes of config
    // space (a short read beyond): then neither the PCIe capability nor
    // the ACS capability can be seen.
    std::array<std::uint8_t, 4> probe{};
    if (pci_read_block(dev, cfg_dev_specific, probe.data(), static_cast<int>(probe.size())) == 0) {
        f.acs_readable = false;
        return;
    }
    pci_fill_info(dev, PCI_FILL_CAPS | PCI_FILL_EXT_CAPS);
    if (pci_cap* exp = pci_find_cap(dev, PCI_CAP_ID_EXP, PCI_CAP_NORMAL)) {
        const auto flags = pci_read_word(dev, static_cast<int>(exp->addr) + PCI_EXP_FLAGS);
        f.pcie_type = (flags & PCI_EXP_FLAGS_TYPE) >> 4U;
        // The ACS capability lives in extended config space.
        f.acs_readable = pci_read_block(dev, cfg_ext_start, probe.data(), static_cast<int>(probe.size())) != 0;
    }
    if (!f.acs_readable) {
        return;
    }
    if (pci_cap* acs = pci_find_cap(dev, PCI_EXT_CAP_ID_ACS, PCI_CAP_EXTENDED)) {
        const int pos = static_cast<int>(acs->addr);
        f.acs = Acs{pci_read_word(dev, pos + PCI_ACS_CAP), pci_read_word(dev, pos + PCI_ACS_CTRL)};
    }
}

Cpu read_cpu(const fs::path& cpuinfo) {
    Cpu cpu;
    std::ifstream in(cpuinfo);
    std::string line;
    bool have_vendor = false;
    bool have_family = false;
    // cpu_data(0): the first processor's block.
    while (std::getline(in, line) && !(have_vendor && have_family)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        std::string key = line.substr(0, colon);
        key.erase(key.find_last_not_of(" \t") + 1);
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        if (key == "vendor_id" && !have_vendor) {
            cpu.vendor = value;
            have_vendor = true;
        } else if (key == "cpu family" && !have_family) {
            try {
                cpu.family = std::stoi(value);
            } catch (const std::exception&) {
                cpu.family = 0;
            }
            have_family = true;
        }
    }
    return cpu;
}

std::optional<std::string> read_gzip(const fs::path& path) {
    gzFile gz = gzopen(path.c_str(), "rb");
    if (gz == nullptr) {
        return std::nullopt;
    }
    std::string out;
    std::array<char, 65536> buf{};
    int n = 0;
    while ((n = gzread(gz, buf.data(), static_cast<unsigned>(buf.size()))) > 0) {
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
    gzclose(gz);
    if (n < 0) {
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// CONFIG_PCI_P2PDMA of the running kernel: its config file in /boot, then
// /proc/config.gz, then whether kallsyms has the P2PDMA core's symbol
// (the option is bool: built in or absent).
void read_p2pdma(const ScanOptions& options, Topology& topo) {
    if (options.p2pdma) {
        topo.p2pdma = *options.p2pdma;
        topo.p2pdma_source = "option";
        return;
    }
    if (auto release = read_line(options.proc / "sys/kernel/osrelease"); release && !release->empty()) {
        const fs::path config = options.boot / ("config-" + *release);
        if (auto text = read_all(config)) {
            topo.p2pdma = p2pdma_from_config(*text);
            topo.p2pdma_source = config.string();
            return;
        }
    }
    if (auto text = read_gzip(options.proc / "config.gz")) {
        topo.p2pdma = p2pdma_from_config(*text);
        topo.p2pdma_source = (options.proc / "config.gz").string();
        return;
    }
    std::ifstream syms(options.proc / "kallsyms");
    std::string line;
    bool any = false;
    while (std::getline(syms, line)) {
        any = true;
        // "ffffffff81234567 T pci_p2pdma_distance_many"
        const auto sp = line.rfind(' ');
        if (sp != std::string::npos && line.compare(sp + 1, std::string::npos, "pci_p2pdma_distance_many") == 0) {
            topo.p2pdma = P2pdmaConfig::built_in;
            topo.p2pdma_source = (options.proc / "kallsyms").string();
            return;
        }
    }
    if (any) {
        topo.p2pdma = P2pdmaConfig::not_built;
        topo.p2pdma_source = (options.proc / "kallsyms").string();
        return;
    }
    topo.p2pdma = P2pdmaConfig::unknown;
    topo.p2pdma_source.clear();
}

}  // namespace

P2pdmaConfig p2pdma_from_config(std::string_view config) noexcept {
    std::size_t pos = 0;
    while (pos < config.size()) {
        auto end = config.find('\n', pos);
        if (end == std::string_view::npos) {
            end = config.size();
        }
        if (config.substr(pos, end - pos) == "CONFIG_PCI_P2PDMA=y") {
            return P2pdmaConfig::built_in;
        }
        pos = end + 1;
    }
    return P2pdmaConfig::not_built;
}

Topology scan(const ScanOptions& options) {
    Topology topo;
    const fs::path bus = options.sysfs / "bus/pci";
    const fs::path devices = bus / "devices";
    std::error_code ec;
    if (!fs::is_directory(devices, ec)) {
        throw_errno(ec ? ec.value() : ENOENT, "p2p scan: open " + devices.string());
    }

    PciAccess acc(pci_alloc());
    if (!acc) {
        throw_errno(ENOMEM, "p2p scan: pci_alloc");
    }
    acc->error = pci_error;
    acc->warning = pci_quiet;
    acc->debug = pci_quiet;
    acc->method = PCI_ACCESS_SYS_BUS_PCI;
    // Bus-centric: libpci reads config space only; the IDs, which the
    // kernel may have fixed up (and which a VF's config space lacks), come
    // from sysfs.
    acc->buscentric = 1;
    std::string param = "sysfs.path";
    std::string value = bus.string();
    if (pci_set_param(acc.get(), param.data(), value.data()) != 0) {
        throw_errno(EINVAL, "p2p scan: pci_set_param sysfs.path");
    }
    pci_init(acc.get());
    pci_scan_bus(acc.get());

    for (pci_dev* dev = acc->devices; dev != nullptr; dev = dev->next) {
        Function f;
        f.bdf = Bdf{static_cast<std::uint16_t>(dev->domain), dev->bus, dev->dev, dev->func};
        read_sysfs(devices / f.bdf.str(), f);
        read_config(dev, f);
        topo.functions.push_back(std::move(f));
    }
    std::sort(topo.functions.begin(), topo.functions.end(),
              [](const Function& a, const Function& b) { return a.bdf < b.bdf; });

    topo.cpu = read_cpu(options.proc / "cpuinfo");
    read_p2pdma(options, topo);
    return topo;
}

}  // namespace xe_pfvf::p2p
