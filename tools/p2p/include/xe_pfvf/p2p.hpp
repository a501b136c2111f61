#pragma once

// xe_pfvf::p2p: predict the running kernel's PCI P2PDMA verdict for two PCI
// functions, and say why.
//
// The model is drivers/pci/p2pdma.c of Linux 6.1 and 6.12 (the decision is
// the same in both): calc_map_type_and_dist() and pci_p2pdma_distance().
// A Topology is read from sysfs and config space (libpci) by scan(), or
// built from data by tests; analyse() is a pure function of it.
//
//   auto topo = xe_pfvf::p2p::scan();
//   auto v = xe_pfvf::p2p::analyse(topo, *xe_pfvf::p2p::parse_bdf("0000:01:00.0"),
//                                  *xe_pfvf::p2p::parse_bdf("0000:01:00.1"));
//   std::cout << xe_pfvf::p2p::render_text(v);

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::p2p {

/// A PCI function: segment (domain), bus, device, function.
struct Bdf {
    std::uint16_t domain = 0;
    std::uint8_t bus = 0;
    std::uint8_t dev = 0;  ///< 0..31
    std::uint8_t fn = 0;   ///< 0..7

    [[nodiscard]] std::uint8_t devfn() const noexcept {
        return static_cast<std::uint8_t>((dev << 3U) | fn);
    }
    /// XE_PFVF_BDF(domain, bus, dev, fn) of the uAPI.
    [[nodiscard]] std::uint32_t uapi() const noexcept;
    [[nodiscard]] static Bdf from_uapi(std::uint32_t bdf) noexcept;
    /// "dddd:bb:dd.f", as sysfs names it.
    [[nodiscard]] std::string str() const;

    friend bool operator==(const Bdf&, const Bdf&) = default;
    /// Segment, bus, devfn order (sysfs order).
    friend bool operator<(const Bdf& a, const Bdf& b) noexcept { return a.uapi() < b.uapi(); }
};

/// "dddd:bb:dd.f" or "bb:dd.f" (domain 0), hex, case-insensitive;
/// nullopt for anything else.
[[nodiscard]] std::optional<Bdf> parse_bdf(std::string_view text) noexcept;

/// A function's ACS extended capability (PCI_EXT_CAP_ID_ACS).
struct Acs {
    std::uint16_t cap = 0;   ///< ACS Capability register (PCI_ACS_CAP)
    std::uint16_t ctrl = 0;  ///< ACS Control register (PCI_ACS_CTRL)

    /// pci_bridge_has_acs_redir(): Control has RR, CR or EC set.
    [[nodiscard]] bool redirects() const noexcept;
};

/// ACS bit names, as lspci prints them ("SrcValid", ...), of the bits set in
/// a Capability or Control value; space-separated short names ("SV RR CR").
[[nodiscard]] std::string acs_bits(std::uint16_t value);

/// What the analyser knows of one PCI function.
struct Function {
    Bdf bdf;
    std::uint16_t vendor = 0;
    std::uint16_t device = 0;
    std::uint8_t header_type = 0;  ///< config 0x0e, bit 7 (multi-function) masked off
    int pcie_type = -1;            ///< PCI_EXP_FLAGS_TYPE (PCI_EXP_TYPE_*), -1 when not PCIe
    /// The bridge above it, pci_upstream_bridge() without the VF step
    /// (dev->bus->self); nullopt on a root bus.
    std::optional<Bdf> parent;
    std::optional<Bdf> physfn;        ///< its PF when it is a VF (sysfs physfn)
    std::string host_bridge;          ///< the host bridge's sysfs name, "pci0000:00"
    std::optional<Acs> acs;           ///< nullopt: no ACS capability
    bool acs_readable = true;         ///< false: extended config space was unreadable (not root)
    std::optional<int> iommu_group;   ///< nullopt: none
    std::string driver;               ///< bound driver, "" when none
    std::uint16_t sriov_total_vfs = 0;  ///< sriov_totalvfs; 0 when not an SR-IOV PF

    [[nodiscard]] bool is_vf() const noexcept { return physfn.has_value(); }
    /// A type 0 (endpoint) header.
    [[nodiscard]] bool is_endpoint() const noexcept { return header_type == 0; }
};

/// PCI_EXP_TYPE_ROOT_PORT.
inline constexpr int pcie_type_root_port = 4;

/// Whether the running kernel has PCI P2PDMA (CONFIG_PCI_P2PDMA).
enum class P2pdmaConfig { built_in, not_built, unknown };

/// The CPU the kernel's cpu_supports_p2pdma() looks at (cpu_data(0)).
struct Cpu {
    std::string vendor;  ///< /proc/cpuinfo vendor_id, "AuthenticAMD"
    int family = 0;      ///< /proc/cpuinfo "cpu family" (boot_cpu_data.x86)
};

/// A whole machine as the analyser sees it.
struct Topology {
    std::vector<Function> functions;  ///< every PCI function, VFs included
    Cpu cpu;
    P2pdmaConfig p2pdma = P2pdmaConfig::unknown;
    std::string p2pdma_source;  ///< where p2pdma came from ("/boot/config-6.1.0-57-amd64", "option")

    [[nodiscard]] const Function* find(Bdf bdf) const noexcept;
    /// pci_upstream_bridge(): the parent of @f, or of its PF for a VF.
    [[nodiscard]] const Function* upstream(const Function& f) const noexcept;
    /// pci_host_bridge_dev(): the first function on root bus @host_bridge
    /// when it is devfn 00.0 or a root port, else nullptr.  Boot-time
    /// functions are on the bus list in devfn order; VFs come after.
    [[nodiscard]] const Function* host_bridge_dev(std::string_view host_bridge) const noexcept;
    /// The VFs of PF @pf, in BDF order.
    [[nodiscard]] std::vector<const Function*> vfs_of(Bdf pf) const;
};

struct ScanOptions {
    std::filesystem::path sysfs = "/sys";
    std::filesystem::path proc = "/proc";
    std::filesystem::path boot = "/boot";
    /// Overrides the kernel config look-up (for a custom kernel with neither
    /// /boot/config-$(uname -r) nor /proc/config.gz).
    std::optional<P2pdmaConfig> p2pdma;
};

/// Reads the running system: every function in SYSFS/bus/pci/devices, its
/// config space through libpci, the CPU and the kernel config.  Throws
/// std::system_error (errno, operation) when sysfs cannot be read.
[[nodiscard]] Topology scan(const ScanOptions& options = {});

/// P2PDMA map type; the values are XE_PFVF_P2P_NONE, _BUS_ADDR, _HOST_BRIDGE.
enum class MapType : std::uint8_t { none = 0, bus_addr = 1, host_bridge = 2 };

[[nodiscard]] std::string_view to_string(MapType map) noexcept;

/// One function on a side's upstream path.
struct Hop {
    Bdf bdf;
    std::uint16_t vendor = 0;
    std::uint16_t device = 0;
    int pcie_type = -1;
    std::optional<Acs> acs;
    bool acs_readable = true;
    bool redirects = false;  ///< counted by the kernel as ACS redirect on this path
};

/// A host bridge as __host_bridge_whitelist() judges it.
struct HostBridgeCheck {
    std::string name;            ///< "pci0000:00"
    std::optional<Bdf> dev;      ///< pci_host_bridge_dev(), nullopt when none
    std::uint16_t vendor = 0;    ///< of dev
    std::uint16_t device = 0;
    bool listed = false;         ///< in pci_p2pdma_whitelist[]
    bool requires_same = false;  ///< the entry has REQ_SAME_HOST_BRIDGE
    bool allowed = false;        ///< the verdict of __host_bridge_whitelist() here
};

/// Why xe_pfvf's private interconnect applies (or not).
enum class Relation {
    none,         ///< unrelated functions
    same,         ///< provider is client
    vf_of_pf,     ///< provider is a VF of client (a PF)
    pf_of_vf,     ///< client is a VF of provider (a PF)
    sibling_vfs,  ///< both are VFs of one PF
};

[[nodiscard]] std::string_view to_string(Relation relation) noexcept;

/// The prediction and its reasons.
struct Verdict {
    Bdf provider;
    Bdf client;

    MapType map = MapType::none;
    int distance = -1;  ///< pci_p2pdma_distance(): -1 when map is none

    P2pdmaConfig p2pdma = P2pdmaConfig::unknown;
    std::string p2pdma_source;
    /// The verdict of the topology alone, as if CONFIG_PCI_P2PDMA were
    /// built in (equal to map and distance unless p2pdma is not_built).
    MapType topology_map = MapType::none;
    int topology_distance = -1;

    /// Each side from the function itself up to the top of its hierarchy
    /// (pci_upstream_bridge() steps); the provider's stops at the common
    /// upstream function when there is one, which it includes.
    std::vector<Hop> provider_path;
    std::vector<Hop> client_path;  ///< stops before the common function
    std::optional<Bdf> common;     ///< the common upstream function
    int path_distance = 0;         ///< the kernel's *dist, even when not supported
    /// With a common function: the functions whose ACS redirect sends the
    /// traffic to the host bridge, in the kernel's order (its
    /// "pci=disable_acs_redir=" list); empty without one, where ACS plays
    /// no part (each Hop still says whether it redirects).
    std::vector<Bdf> acs_redirect;
    bool acs_unknown = false;      ///< a function on the path had unreadable ACS

    bool host_bridge_consulted = false;  ///< the traffic goes through the host bridge
    bool cpu_allows = false;             ///< cpu_supports_p2pdma(): AMD, family >= 0x17
    Cpu cpu;
    std::vector<HostBridgeCheck> host_bridges;  ///< provider's, then client's if different

    std::optional<int> provider_iommu_group;
    std::optional<int> client_iommu_group;

    Relation relation = Relation::none;
    std::optional<Bdf> pf;  ///< the PF of the relation
    /// xe_pfvf's private interconnect applies: a PF and its VF, or two VFs
    /// of one PF.  (The kernel's XE_PFVF_P2P_PRIVATE says so only for a PF
    /// and its VF, and only when xe_pfvf has the PF registered.)
    [[nodiscard]] bool private_interconnect() const noexcept {
        return relation == Relation::vf_of_pf || relation == Relation::pf_of_vf ||
               relation == Relation::sibling_vfs;
    }
};

/// Predicts the kernel's verdict for @provider's memory read by @client.
/// Throws std::invalid_argument when either is not in @topo.
[[nodiscard]] Verdict analyse(const Topology& topo, Bdf provider, Bdf client);

/// One line for a person: "allowed: ..." or "refused: ...", and why
/// (no newline).
[[nodiscard]] std::string render_summary(const Verdict& verdict);
/// The verdict for a person: "PROVIDER -> CLIENT: " and the summary, then
/// the reasons, one per line (ends with a newline).
[[nodiscard]] std::string render_text(const Verdict& verdict);
/// The verdict as one JSON object (no trailing newline).
[[nodiscard]] std::string render_json(const Verdict& verdict);

}  // namespace xe_pfvf::p2p
