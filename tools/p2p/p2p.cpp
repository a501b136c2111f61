// The P2PDMA decision of drivers/pci/p2pdma.c (Linux 6.1 and 6.12, where it
// is the same code), over a Topology instead of struct pci_dev.

#include "xe_pfvf/p2p.hpp"
#include "p2p_internal.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace xe_pfvf::p2p {

namespace {

// PCI_ACS_* control bits (include/uapi/linux/pci_regs.h).
constexpr std::uint16_t acs_sv = 0x0001;
constexpr std::uint16_t acs_tb = 0x0002;
constexpr std::uint16_t acs_rr = 0x0004;
constexpr std::uint16_t acs_cr = 0x0008;
constexpr std::uint16_t acs_uf = 0x0010;
constexpr std::uint16_t acs_ec = 0x0020;
constexpr std::uint16_t acs_dt = 0x0040;

// Parses exactly @text as hex into @out, at most @max.
bool parse_hex(std::string_view text, unsigned max, unsigned& out) noexcept {
    if (text.empty()) {
        return false;
    }
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value, 16);
    if (ec != std::errc{} || ptr != end || value > max) {
        return false;
    }
    out = value;
    return true;
}

// cpu_supports_p2pdma(): X86_VENDOR_AMD, family 0x17 (Zen) or later.
// X86_VENDOR_AMD is "AuthenticAMD" only (Hygon is X86_VENDOR_HYGON).
bool cpu_supports_p2pdma(const Cpu& cpu) noexcept {
    return cpu.vendor == "AuthenticAMD" && cpu.family >= 0x17;
}

}  // namespace

std::uint32_t Bdf::uapi() const noexcept {
    return (static_cast<std::uint32_t>(domain) << 16U) | (static_cast<std::uint32_t>(bus) << 8U) |
           devfn();
}

Bdf Bdf::from_uapi(std::uint32_t bdf) noexcept {
    return Bdf{static_cast<std::uint16_t>((bdf >> 16U) & 0xffffU),
               static_cast<std::uint8_t>((bdf >> 8U) & 0xffU),
               static_cast<std::uint8_t>((bdf >> 3U) & 0x1fU),
               static_cast<std::uint8_t>(bdf & 0x7U)};
}

std::string Bdf::str() const {
    std::array<char, 16> buf{};
    std::snprintf(buf.data(), buf.size(), "%04x:%02x:%02x.%x",  // NOLINT(cppcoreguidelines-pro-type-vararg)
                  static_cast<unsigned>(domain), static_cast<unsigned>(bus),
                  static_cast<unsigned>(dev), static_cast<unsigned>(fn));
    return buf.data();
}

std::optional<Bdf> parse_bdf(std::string_view text) noexcept {
    // [dddd:]bb:dd.f
    unsigned domain = 0;
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    const auto first = text.find(':');
    if (first != colon) {
        if (first != 4 || !parse_hex(text.substr(0, first), 0xffff, domain)) {
            return std::nullopt;
        }
        text.remove_prefix(first + 1);
    }
    // bb:dd.f
    if (text.size() != 7 || text[2] != ':' || text[5] != '.') {
        return std::nullopt;
    }
    unsigned bus = 0;
    unsigned dev = 0;
    unsigned fn = 0;
    if (!parse_hex(text.substr(0, 2), 0xff, bus) || !parse_hex(text.substr(3, 2), 0x1f, dev) ||
        !parse_hex(text.substr(6, 1), 0x7, fn)) {
        return std::nullopt;
    }
    return Bdf{static_cast<std::uint16_t>(domain), static_cast<std::uint8_t>(bus),
               static_cast<std::uint8_t>(dev), static_cast<std::uint8_t>(fn)};
}

bool Acs::redirects() const noexcept {
    return (ctrl & (acs_rr | acs_cr | acs_ec)) != 0;
}

std::string acs_bits(std::uint16_t value) {
    static constexpr std::array<std::pair<std::uint16_t, std::string_view>, 7> names{{
        {acs_sv, "SV"}, {acs_tb, "TB"}, {acs_rr, "RR"}, {acs_cr, "CR"},
        {acs_uf, "UF"}, {acs_ec, "EC"}, {acs_dt, "DT"},
    }};
    std::string out;
    for (const auto& [bit, name] : names) {
        if ((value & bit) != 0) {
            if (!out.empty()) {
                out += ' ';
            }
            out += name;
        }
    }
    return out;
}

std::span<const AllowEntry> allow_list() noexcept {
    // pci_p2pdma_whitelist[], identical in 6.1 and 6.12.
    static constexpr std::array<AllowEntry, 10> entries{{
        // Intel Xeon E5/Core i7
        {0x8086, 0x3c00, true},
        {0x8086, 0x3c01, true},
        // Intel Xeon E7 v3/Xeon E5 v3/Core i7
        {0x8086, 0x2f00, true},
        {0x8086, 0x2f01, true},
        // Intel Skylake-E
        {0x8086, 0x2030, false},
        {0x8086, 0x2031, false},
        {0x8086, 0x2032, false},
        {0x8086, 0x2033, false},
        {0x8086, 0x2020, false},
        {0x8086, 0x09a2, false},
    }};
    return entries;
}

const Function* Topology::find(Bdf bdf) const noexcept {
    const auto it = std::find_if(functions.begin(), functions.end(),
                                 [bdf](const Function& f) { return f.bdf == bdf; });
    return it == functions.end() ? nullptr : &*it;
}

const Function* Topology::upstream(const Function& f) const noexcept {
    const Function* dev = &f;
    if (f.physfn) {
        dev = find(*f.physfn);
        if (dev == nullptr) {
            return nullptr;
        }
    }
    return dev->parent ? find(*dev->parent) : nullptr;
}

const Function* Topology::host_bridge_dev(std::string_view host_bridge) const noexcept {
    // The root bus's device list: boot-time functions in devfn order (the
    // scan order of pci_scan_child_bus()), then VFs as they were added.
    const Function* first = nullptr;
    for (const auto& f : functions) {
        if (f.host_bridge != host_bridge || f.parent || f.is_vf()) {
            continue;
        }
        if (first == nullptr || f.bdf < first->bdf) {
            first = &f;
        }
    }
    if (first == nullptr) {
        return nullptr;
    }
    if (first->bdf.devfn() == 0 || first->pcie_type == pcie_type_root_port) {
        return first;
    }
    return nullptr;
}

std::vector<const Function*> Topology::vfs_of(Bdf pf) const {
    std::vector<const Function*> out;
    for (const auto& f : functions) {
        if (f.physfn && *f.physfn == pf) {
            out.push_back(&f);
        }
    }
    std::sort(out.begin(), out.end(), [](const Function* a, const Function* b) { return a->bdf < b->bdf; });
    return out;
}

std::string_view to_string(MapType map) noexcept {
    switch (map) {
    case MapType::none:
        return "none";
    case MapType::bus_addr:
        return "bus_addr";
    case MapType::host_bridge:
        return "host_bridge";
    }
    return "?";
}

std::string_view to_string(Relation relation) noexcept {
    switch (relation) {
    case Relation::none:
        return "none";
    case Relation::same:
        return "same";
    case Relation::vf_of_pf:
        return "vf_of_pf";
    case Relation::pf_of_vf:
        return "pf_of_vf";
    case Relation::sibling_vfs:
        return "sibling_vfs";
    }
    return "?";
}

namespace {

// pci_bridge_has_acs_redir(); unreadable ACS counts as none (and is said).
bool has_acs_redir(const Function& f) noexcept {
    return f.acs && f.acs->redirects();
}

Hop make_hop(const Function& f) {
    return Hop{f.bdf, f.vendor, f.device, f.pcie_type, f.acs, f.acs_readable, has_acs_redir(f)};
}

// __host_bridge_whitelist()
HostBridgeCheck check_host_bridge(const Topology& topo, const std::string& name, bool same_host_bridge) {
    HostBridgeCheck check;
    check.name = name;
    const Function* root = topo.host_bridge_dev(name);
    if (root == nullptr) {
        return check;
    }
    check.dev = root->bdf;
    check.vendor = root->vendor;
    check.device = root->device;
    for (const auto& entry : allow_list()) {
        if (entry.vendor != root->vendor || entry.device != root->device) {
            continue;
        }
        check.listed = true;
        check.requires_same = entry.requires_same;
        check.allowed = !entry.requires_same || same_host_bridge;
        break;
    }
    return check;
}

Relation relation_of(const Function& provider, const Function& client, std::optional<Bdf>& pf) {
    if (provider.bdf == client.bdf) {
        return Relation::same;
    }
    if (provider.physfn && *provider.physfn == client.bdf) {
        pf = client.bdf;
        return Relation::vf_of_pf;
    }
    if (client.physfn && *client.physfn == provider.bdf) {
        pf = provider.bdf;
        return Relation::pf_of_vf;
    }
    if (provider.physfn && client.physfn && *provider.physfn == *client.physfn) {
        pf = provider.physfn;
        return Relation::sibling_vfs;
    }
    return Relation::none;
}

// calc_map_type_and_dist() up to its host bridge check, step by step:
// fills the paths, the common function, the distance and the ACS list of
// @v; true when the traffic goes through the host bridge.  The walks are
// bounded by the number of functions, so a cyclic (hostile) Topology
// cannot loop.
bool walk_paths(const Topology& topo, const Function& prov, const Function& cli, Verdict& v) {
    const std::size_t limit = topo.functions.size() + 1;
    std::vector<Bdf> acs_list;
    const Function* a = &prov;
    const Function* common = nullptr;
    int dist_a = 0;
    int dist_b = 0;
    for (std::size_t ia = 0; a != nullptr && common == nullptr && ia < limit; ++ia) {
        dist_b = 0;
        v.provider_path.push_back(make_hop(*a));
        v.acs_unknown = v.acs_unknown || !a->acs_readable;
        if (has_acs_redir(*a)) {
            acs_list.push_back(a->bdf);
        }
        const Function* bb = &cli;
        for (std::size_t ib = 0; bb != nullptr && ib < limit; ++ib) {
            if (a == bb) {
                common = a;
                break;
            }
            bb = topo.upstream(*bb);
            dist_b++;
        }
        if (common == nullptr) {
            a = topo.upstream(*a);
            dist_a++;
        }
    }
    v.path_distance = dist_a + dist_b;

    // The client's side: up to the common function (check_b_path_acs), or
    // all of it when there is none (for the reasons only).
    const Function* bb = &cli;
    for (std::size_t ib = 0; bb != nullptr && bb != common && ib < limit; ++ib) {
        v.client_path.push_back(make_hop(*bb));
        v.acs_unknown = v.acs_unknown || !bb->acs_readable;
        if (common != nullptr && has_acs_redir(*bb)) {
            acs_list.push_back(bb->bdf);
        }
        bb = topo.upstream(*bb);
    }

    if (common == nullptr) {
        return true;
    }
    v.common = common->bdf;
    v.acs_redirect = std::move(acs_list);
    return !v.acs_redirect.empty();
}

}  // namespace

Verdict analyse(const Topology& topo, Bdf provider, Bdf client) {
    const Function* prov = topo.find(provider);
    const Function* cli = topo.find(client);
    if (prov == nullptr) {
        throw std::invalid_argument("p2p analyse: no PCI function " + provider.str());
    }
    if (cli == nullptr) {
        throw std::invalid_argument("p2p analyse: no PCI function " + client.str());
    }

    Verdict v;
    v.provider = provider;
    v.client = client;
    v.p2pdma = topo.p2pdma;
    v.p2pdma_source = topo.p2pdma_source;
    v.cpu = topo.cpu;
    v.cpu_allows = cpu_supports_p2pdma(topo.cpu);
    v.provider_iommu_group = prov->iommu_group;
    v.client_iommu_group = cli->iommu_group;
    v.relation = relation_of(*prov, *cli, v.pf);

    const bool through_host_bridge = walk_paths(topo, *prov, *cli, v);
    MapType map = through_host_bridge ? MapType::host_bridge : MapType::bus_addr;

    // host_bridge_whitelist(): one host bridge, or both allowed on their own.
    const bool same_host = prov->host_bridge == cli->host_bridge;
    v.host_bridges.push_back(check_host_bridge(topo, prov->host_bridge, same_host));
    if (!same_host) {
        v.host_bridges.push_back(check_host_bridge(topo, cli->host_bridge, false));
    }
    v.host_bridge_consulted = through_host_bridge;
    if (through_host_bridge && !v.cpu_allows) {
        const bool allowed = std::all_of(v.host_bridges.begin(), v.host_bridges.end(),
                                         [](const HostBridgeCheck& c) { return c.allowed; });
        if (!allowed) {
            map = MapType::none;
        }
    }

    v.topology_map = map;
    v.topology_distance = map == MapType::none ? -1 : v.path_distance;
    // pci_p2pdma_distance() is -1 for "not supported", and without
    // CONFIG_PCI_P2PDMA it is the stub that always says -1.
    if (topo.p2pdma == P2pdmaConfig::not_built) {
        map = MapType::none;
    }
    v.map = map;
    v.distance = map == MapType::none ? -1 : v.path_distance;
    return v;
}

}  // namespace xe_pfvf::p2p
