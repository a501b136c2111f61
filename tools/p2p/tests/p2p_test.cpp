// The analyser on synthetic topologies, each a case of
// calc_map_type_and_dist() worked out by hand from drivers/pci/p2pdma.c.

#include "xe_pfvf/p2p.hpp"
#include "p2p_internal.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xe_pfvf::p2p {
namespace {

constexpr int type_endpoint = 0;
constexpr int type_root_port = 4;
constexpr int type_upstream = 5;
constexpr int type_downstream = 6;
constexpr int type_rciep = 9;

// ACS control values as Linux's pci_std_enable_acs() leaves them with an
// IOMMU (SV RR CR UF) and without redirect (SV only).
constexpr Acs acs_redirecting{0x001f, 0x001d};
constexpr Acs acs_sv_only{0x001f, 0x0001};

Bdf bdf(std::string_view text) {
    auto b = parse_bdf(text);
    if (!b) {
        throw std::invalid_argument(std::string(text));
    }
    return *b;
}

class Builder {
public:
    explicit Builder(std::uint16_t host_device = 0x29c0) {
        host(std::string("pci0000:00"), "0000:00:00.0", 0x8086, host_device);
        topo.cpu = Cpu{"GenuineIntel", 6};
        topo.p2pdma = P2pdmaConfig::built_in;
        topo.p2pdma_source = "test";
    }

    // A host bridge function ("00.0") on root bus @name.
    Builder& host(const std::string& name, std::string_view at, std::uint16_t vendor, std::uint16_t device) {
        Function f;
        f.bdf = bdf(at);
        f.vendor = vendor;
        f.device = device;
        f.host_bridge = name;
        topo.functions.push_back(f);
        return *this;
    }

    // A function under @parent ("" = root bus of @host_bridge).
    Function& add(std::string_view at, int pcie_type, std::string_view parent, std::optional<Acs> acs = std::nullopt,
                  const std::string& host_bridge = "pci0000:00") {
        Function f;
        f.bdf = bdf(at);
        f.vendor = 0x1b36;
        f.device = pcie_type == type_endpoint ? 0x0010 : 0x000c;
        f.pcie_type = pcie_type;
        f.header_type = (pcie_type == type_root_port || pcie_type == type_upstream || pcie_type == type_downstream) ? 1 : 0;
        if (!parent.empty()) {
            f.parent = bdf(parent);
        }
        f.acs = acs;
        f.host_bridge = host_bridge;
        topo.functions.push_back(f);
        return topo.functions.back();
    }

    // A VF of @pf (no parent of its own: pci_upstream_bridge() uses the PF's).
    Function& vf(std::string_view at, std::string_view pf) {
        Function& f = add(at, type_endpoint, "");
        f.physfn = bdf(pf);
        f.host_bridge = topo.find(bdf(pf))->host_bridge;
        return f;
    }

    Topology topo;
};

Verdict run(const Topology& topo, std::string_view provider, std::string_view client) {
    return analyse(topo, bdf(provider), bdf(client));
}

// A switch: root port 00:03.0 (ACS redirecting, as with an IOMMU),
// upstream port 01:00.0, downstream ports 02:00.0 and 02:01.0, endpoints
// 03:00.0 and 04:00.0.
Builder switch_topology(std::optional<Acs> downstream_acs, std::uint16_t host_device = 0x29c0) {
    Builder b(host_device);
    b.add("00:03.0", type_root_port, "", acs_redirecting);
    b.add("01:00.0", type_upstream, "00:03.0");
    b.add("02:00.0", type_downstream, "01:00.0", downstream_acs);
    b.add("02:01.0", type_downstream, "01:00.0", downstream_acs);
    b.add("03:00.0", type_endpoint, "02:00.0");
    b.add("04:00.0", type_endpoint, "02:01.0");
    return b;
}

TEST(P2pAnalyse, SameSwitchWithoutAcsIsBusAddress) {
    // 03:00.0 -> 02:00.0 -> 01:00.0 (common) <- 02:01.0 <- 04:00.0: 2 + 2.
    const auto b = switch_topology(std::nullopt);
    const auto v = run(b.topo, "03:00.0", "04:00.0");
    EXPECT_EQ(v.map, MapType::bus_addr);
    EXPECT_EQ(v.distance, 4);
    ASSERT_TRUE(v.common);
    EXPECT_EQ(*v.common, bdf("01:00.0"));
    EXPECT_TRUE(v.acs_redirect.empty());
    EXPECT_FALSE(v.host_bridge_consulted);
    ASSERT_EQ(v.provider_path.size(), 3U);
    ASSERT_EQ(v.client_path.size(), 2U);
    EXPECT_EQ(v.client_path[1].bdf, bdf("02:01.0"));
    // The root port above the common port redirects, but is not on the path.
    EXPECT_EQ(v.relation, Relation::none);
    EXPECT_FALSE(v.private_interconnect());
}

TEST(P2pAnalyse, SameSwitchWithSourceValidationOnlyIsBusAddress) {
    const auto b = switch_topology(acs_sv_only);
    const auto v = run(b.topo, "04:00.0", "03:00.0");
    EXPECT_EQ(v.map, MapType::bus_addr);
    EXPECT_EQ(v.distance, 4);
}

TEST(P2pAnalyse, AcsRedirectOnDownstreamPortGoesToHostBridge) {
    // Allow-listed host bridge (Skylake-E 8086:2020): through it, same distance.
    const auto allowed = switch_topology(acs_redirecting, 0x2020);
    const auto v = run(allowed.topo, "03:00.0", "04:00.0");
    EXPECT_EQ(v.map, MapType::host_bridge);
    EXPECT_EQ(v.distance, 4);
    EXPECT_TRUE(v.host_bridge_consulted);
    ASSERT_EQ(v.acs_redirect.size(), 2U);
    EXPECT_EQ(v.acs_redirect[0], bdf("02:00.0"));  // provider side first
    EXPECT_EQ(v.acs_redirect[1], bdf("02:01.0"));
    ASSERT_EQ(v.host_bridges.size(), 1U);
    EXPECT_TRUE(v.host_bridges[0].listed);
    EXPECT_TRUE(v.host_bridges[0].allowed);

    // Q35's 8086:29c0 is not on the list: refused.
    const auto refused = switch_topology(acs_redirecting);
    const auto r = run(refused.topo, "03:00.0", "04:00.0");
    EXPECT_EQ(r.map, MapType::none);
    EXPECT_EQ(r.distance, -1);
    EXPECT_EQ(r.path_distance, 4);
    EXPECT_FALSE(r.host_bridges[0].listed);
}

TEST(P2pAnalyse, AcsRedirectOnTheCommonPortCounts) {
    // The kernel tests each provider-side function for ACS redirect before
    // asking whether it is the common one, so the common port counts too.
    auto b = switch_topology(std::nullopt);
    b.topo.functions[2].acs = acs_redirecting;  // 01:00.0, the upstream port
    ASSERT_EQ(b.topo.functions[2].bdf, bdf("01:00.0"));
    const auto v = run(b.topo, "03:00.0", "04:00.0");
    EXPECT_EQ(v.map, MapType::none);
    ASSERT_EQ(v.acs_redirect.size(), 1U);
    EXPECT_EQ(v.acs_redirect[0], bdf("01:00.0"));
}

TEST(P2pAnalyse, EgressControlAloneRedirects) {
    auto b = switch_topology(Acs{0x0020, 0x0020}, 0x2020);
    EXPECT_EQ(run(b.topo, "03:00.0", "04:00.0").map, MapType::host_bridge);
    // Translation blocking and upstream forwarding do not.
    auto c = switch_topology(Acs{0x0052, 0x0052});
    EXPECT_EQ(run(c.topo, "03:00.0", "04:00.0").map, MapType::bus_addr);
}

// Two root ports 00:02.0 and 00:03.0, one endpoint under each.
Builder two_root_ports(std::uint16_t host_device, std::optional<Acs> acs = acs_redirecting) {
    Builder b(host_device);
    b.add("00:02.0", type_root_port, "", acs);
    b.add("00:03.0", type_root_port, "", acs);
    b.add("01:00.0", type_endpoint, "00:02.0");
    b.add("02:00.0", type_endpoint, "00:03.0");
    return b;
}

TEST(P2pAnalyse, RootPortsBehindAllowListedHostBridge) {
    for (const std::uint16_t dev : std::initializer_list<std::uint16_t>{0x2020, 0x2030, 0x09a2, 0x3c00, 0x2f01}) {
        const auto b = two_root_ports(dev);
        const auto v = run(b.topo, "01:00.0", "02:00.0");
        EXPECT_EQ(v.map, MapType::host_bridge) << std::hex << dev;
        EXPECT_EQ(v.distance, 4) << std::hex << dev;  // 2 functions up each side
        EXPECT_FALSE(v.common);
        EXPECT_TRUE(v.acs_redirect.empty());  // no common: ACS plays no part
    }
}

TEST(P2pAnalyse, RootPortsBehindOtherHostBridgesAreRefused) {
    for (const std::uint16_t dev : std::initializer_list<std::uint16_t>{0x29c0, 0x1237, 0x3c02, 0x2034}) {
        const auto b = two_root_ports(dev, std::nullopt);
        const auto v = run(b.topo, "01:00.0", "02:00.0");
        EXPECT_EQ(v.map, MapType::none) << std::hex << dev;
        EXPECT_EQ(v.distance, -1);
        EXPECT_EQ(v.path_distance, 4);
    }
}

TEST(P2pAnalyse, SameHostBridgeOnlyEntriesNeedOneHostBridge) {
    // 8086:3c00 (REQ_SAME_HOST_BRIDGE) on two host bridges: refused.
    Builder b(0x3c00);
    b.host("pci0000:80", "0000:80:00.0", 0x8086, 0x3c00);
    b.add("00:02.0", type_root_port, "");
    b.add("01:00.0", type_endpoint, "00:02.0");
    b.add("80:02.0", type_root_port, "", std::nullopt, "pci0000:80");
    b.add("81:00.0", type_endpoint, "80:02.0", std::nullopt, "pci0000:80");
    const auto v = run(b.topo, "01:00.0", "81:00.0");
    EXPECT_EQ(v.map, MapType::none);
    ASSERT_EQ(v.host_bridges.size(), 2U);
    EXPECT_TRUE(v.host_bridges[0].listed);
    EXPECT_TRUE(v.host_bridges[0].requires_same);
    EXPECT_FALSE(v.host_bridges[0].allowed);
    EXPECT_EQ(v.path_distance, 4);

    // 8086:2020 (no flag) on both: allowed across host bridges.
    Builder c(0x2020);
    c.host("pci0000:80", "0000:80:00.0", 0x8086, 0x2020);
    c.add("00:02.0", type_root_port, "");
    c.add("01:00.0", type_endpoint, "00:02.0");
    c.add("80:02.0", type_root_port, "", std::nullopt, "pci0000:80");
    c.add("81:00.0", type_endpoint, "80:02.0", std::nullopt, "pci0000:80");
    EXPECT_EQ(run(c.topo, "81:00.0", "01:00.0").map, MapType::host_bridge);

    // One of the two not listed: refused.
    c.topo.functions[1].device = 0x29c0;
    ASSERT_EQ(c.topo.functions[1].bdf, bdf("80:00.0"));
    EXPECT_EQ(run(c.topo, "81:00.0", "01:00.0").map, MapType::none);
}

TEST(P2pAnalyse, HostBridgeDeviceIsFirstFunctionWhen00Or0RootPort) {
    // No 00.0: the first function on the root bus counts only if it is a
    // root port (Skylake: 8086:2030 is a root port).
    Builder b;
    b.topo.functions.clear();
    b.add("00:01.0", type_root_port, "").vendor = 0x8086;
    b.topo.functions.back().device = 0x2030;
    b.add("00:02.0", type_root_port, "");
    b.add("01:00.0", type_endpoint, "00:01.0");
    b.add("02:00.0", type_endpoint, "00:02.0");
    auto v = run(b.topo, "01:00.0", "02:00.0");
    EXPECT_EQ(v.map, MapType::host_bridge);
    ASSERT_TRUE(v.host_bridges[0].dev);
    EXPECT_EQ(*v.host_bridges[0].dev, bdf("00:01.0"));

    // The first function is an endpoint at 00:01.0: no host bridge device.
    Builder c;
    c.topo.functions.clear();
    c.add("00:01.0", type_endpoint, "");
    c.add("00:02.0", type_root_port, "").vendor = 0x8086;
    c.topo.functions.back().device = 0x2030;
    c.add("02:00.0", type_endpoint, "00:02.0");
    v = run(c.topo, "00:01.0", "02:00.0");
    EXPECT_EQ(v.map, MapType::none);
    EXPECT_FALSE(v.host_bridges[0].dev);
}

TEST(P2pAnalyse, AmdZenTrustsTheHostBridge) {
    auto b = two_root_ports(0x29c0);
    b.topo.cpu = Cpu{"AuthenticAMD", 0x17};
    auto v = run(b.topo, "01:00.0", "02:00.0");
    EXPECT_EQ(v.map, MapType::host_bridge);
    EXPECT_EQ(v.distance, 4);
    EXPECT_TRUE(v.cpu_allows);
    b.topo.cpu.family = 0x19;
    EXPECT_EQ(run(b.topo, "01:00.0", "02:00.0").map, MapType::host_bridge);
    // Pre-Zen AMD, and Hygon (X86_VENDOR_HYGON), are not trusted.
    b.topo.cpu.family = 0x16;
    EXPECT_EQ(run(b.topo, "01:00.0", "02:00.0").map, MapType::none);
    b.topo.cpu = Cpu{"HygonGenuine", 0x18};
    EXPECT_EQ(run(b.topo, "01:00.0", "02:00.0").map, MapType::none);
    // AMD Zen with ACS redirect on a switch: host bridge, not refused.
    auto s = switch_topology(acs_redirecting);
    s.topo.cpu = Cpu{"AuthenticAMD", 0x17};
    v = run(s.topo, "03:00.0", "04:00.0");
    EXPECT_EQ(v.map, MapType::host_bridge);
    EXPECT_EQ(v.distance, 4);
}

TEST(P2pAnalyse, WithoutP2pdmaEverythingIsRefused) {
    auto b = switch_topology(std::nullopt);
    b.topo.p2pdma = P2pdmaConfig::not_built;
    for (const auto* pair : {"03:00.0", "04:00.0"}) {
        const auto v = run(b.topo, pair, "03:00.0");
        EXPECT_EQ(v.map, MapType::none);
        EXPECT_EQ(v.distance, -1);
    }
    const auto off = run(b.topo, "03:00.0", "04:00.0");
    EXPECT_NE(render_summary(off).find("without CONFIG_PCI_P2PDMA"), std::string::npos);
    EXPECT_EQ(off.topology_map, MapType::bus_addr);  // what the topology alone gives
    EXPECT_EQ(off.topology_distance, 4);
    EXPECT_NE(render_text(off).find("with CONFIG_PCI_P2PDMA it would be: allowed: at bus addresses under 0000:01:00.0"),
              std::string::npos);
    // Unknown: the analyser assumes it is built in and says so.
    b.topo.p2pdma = P2pdmaConfig::unknown;
    const auto v = run(b.topo, "03:00.0", "04:00.0");
    EXPECT_EQ(v.map, MapType::bus_addr);
    EXPECT_NE(render_summary(v).find("could not be determined"), std::string::npos);
}

TEST(P2pAnalyse, MultifunctionDevice) {
    Builder b;
    b.add("00:02.0", type_root_port, "");
    b.add("01:00.0", type_endpoint, "00:02.0");
    b.add("01:00.1", type_endpoint, "00:02.0");
    auto v = run(b.topo, "01:00.0", "01:00.1");
    EXPECT_EQ(v.map, MapType::bus_addr);
    EXPECT_EQ(v.distance, 2);
    EXPECT_EQ(*v.common, bdf("00:02.0"));
    // The same function: distance 0.
    v = run(b.topo, "01:00.1", "01:00.1");
    EXPECT_EQ(v.map, MapType::bus_addr);
    EXPECT_EQ(v.distance, 0);
    EXPECT_EQ(v.relation, Relation::same);
    // ACS redirect on the root port above: through the host bridge.
    b.topo.functions[1].acs = acs_redirecting;
    ASSERT_EQ(b.topo.functions[1].bdf, bdf("00:02.0"));
    v = run(b.topo, "01:00.0", "01:00.1");
    EXPECT_EQ(v.map, MapType::none);
    EXPECT_EQ(v.acs_redirect.size(), 1U);
    // Functions with their own ACS redirect (multifunction ACS): even the
    // same function is sent up (the kernel tests the provider first).
    b.topo.functions[1].acs.reset();
    b.topo.functions[2].acs = acs_redirecting;
    v = run(b.topo, "01:00.0", "01:00.0");
    EXPECT_EQ(v.map, MapType::none);
    EXPECT_EQ(v.path_distance, 0);
    v = run(b.topo, "01:00.1", "01:00.0");  // client's own ACS counts as well
    EXPECT_EQ(v.map, MapType::none);
    v = run(b.topo, "01:00.1", "01:00.1");
    EXPECT_EQ(v.map, MapType::bus_addr);
}

TEST(P2pAnalyse, PfAndVfsUseThePfsUpstreamBridge) {
    Builder b;
    b.add("00:03.0", type_root_port, "", acs_redirecting);
    b.add("01:00.0", type_endpoint, "00:03.0").sriov_total_vfs = 4;
    b.vf("01:00.1", "01:00.0");
    b.vf("01:00.2", "01:00.0");
    auto v = run(b.topo, "01:00.1", "01:00.0");
    EXPECT_EQ(v.map, MapType::none);  // RP redirects, 8086:29c0 not listed
    EXPECT_EQ(v.path_distance, 2);
    EXPECT_EQ(*v.common, bdf("00:03.0"));
    EXPECT_EQ(v.relation, Relation::vf_of_pf);
    EXPECT_TRUE(v.private_interconnect());
    const std::string text = render_summary(v);
    EXPECT_EQ(text, "refused: ACS redirect on 0000:00:03.0 (RR CR) sends PF<->VF traffic to host bridge 8086:29c0, "
                    "which is not on the kernel's P2PDMA allow-list; use xe_pfvf's private interconnect");
    v = run(b.topo, "01:00.0", "01:00.2");
    EXPECT_EQ(v.relation, Relation::pf_of_vf);
    v = run(b.topo, "01:00.2", "01:00.1");
    EXPECT_EQ(v.relation, Relation::sibling_vfs);
    EXPECT_EQ(v.path_distance, 2);
    // Without the root port's redirect: bus addresses, distance 2.
    b.topo.functions[1].acs = acs_sv_only;
    v = run(b.topo, "01:00.2", "01:00.1");
    EXPECT_EQ(v.map, MapType::bus_addr);
    EXPECT_EQ(v.distance, 2);
    EXPECT_NE(render_summary(v).find("private interconnect applies too"), std::string::npos);
}

TEST(P2pAnalyse, RootBusEndpointsHaveNoCommonBridge) {
    Builder b(0x2020);
    b.add("00:04.0", type_rciep, "");
    b.add("00:05.0", type_rciep, "");
    auto v = run(b.topo, "00:04.0", "00:05.0");
    EXPECT_EQ(v.map, MapType::host_bridge);
    EXPECT_EQ(v.distance, 2);
    EXPECT_FALSE(v.common);
    // A VF of a root-bus PF: no upstream bridge either.
    b.vf("00:04.1", "00:04.0");
    v = run(b.topo, "00:04.1", "00:04.0");
    EXPECT_EQ(v.distance, 2);
    EXPECT_EQ(v.relation, Relation::vf_of_pf);
}

TEST(P2pAnalyse, UnreadableAcsIsSaid) {
    auto b = switch_topology(std::nullopt);
    b.topo.functions[3].acs_readable = false;  // 02:00.0
    const auto v = run(b.topo, "03:00.0", "04:00.0");
    EXPECT_TRUE(v.acs_unknown);
    EXPECT_NE(render_summary(v).find("ACS unreadable"), std::string::npos);
}

TEST(P2pAnalyse, HostileTopologies) {
    Builder b;
    b.add("01:00.0", type_endpoint, "00:03.0");  // parent missing
    EXPECT_THROW((void)run(b.topo, "01:00.0", "09:00.0"), std::invalid_argument);
    EXPECT_THROW((void)run(b.topo, "09:00.0", "01:00.0"), std::invalid_argument);
    // A cycle of parents must not hang the walk.
    b.add("05:00.0", type_downstream, "06:00.0");
    b.add("06:00.0", type_downstream, "05:00.0");
    b.add("07:00.0", type_endpoint, "05:00.0");
    const auto v = run(b.topo, "07:00.0", "01:00.0");
    EXPECT_EQ(v.map, MapType::none);
    // A VF whose PF is missing has no upstream bridge.
    b.add("08:00.1", type_endpoint, "").physfn = bdf("08:00.0");
    EXPECT_EQ(b.topo.upstream(*b.topo.find(bdf("08:00.1"))), nullptr);
}

TEST(P2pBdf, ParseAndFormat) {
    EXPECT_EQ(bdf("0000:01:00.1").str(), "0000:01:00.1");
    EXPECT_EQ(bdf("1f:1e.7").str(), "0000:1f:1e.7");
    EXPECT_EQ(bdf("ABCD:FF:1F.7").str(), "abcd:ff:1f.7");
    EXPECT_EQ(bdf("0001:02:03.4").uapi(), 0x0001021cU);
    EXPECT_EQ(Bdf::from_uapi(0x0001021cU), bdf("0001:02:03.4"));
    for (const char* bad : {"", "1:00.0", "00:20.0", "00:00.8", "0000:00:00.0x", "00000:00:00.0", "0:00:00.0",
                            "00-00.0", "zz:00.0", "0000:00:00:00.0", "+0:00.0", "00:0.00", " 00:00.0"}) {
        EXPECT_FALSE(parse_bdf(bad)) << bad;
    }
}

TEST(P2pAcs, Bits) {
    EXPECT_EQ(acs_bits(0x007f), "SV TB RR CR UF EC DT");
    EXPECT_EQ(acs_bits(0), "");
    EXPECT_EQ(acs_bits(0xff80), "");
    EXPECT_TRUE((Acs{0, 0x0004}).redirects());
    EXPECT_TRUE((Acs{0, 0x0008}).redirects());
    EXPECT_TRUE((Acs{0, 0x0020}).redirects());
    EXPECT_FALSE((Acs{0xffff, 0x0053}).redirects());
}

TEST(P2pConfig, FromConfigText) {
    EXPECT_EQ(p2pdma_from_config("CONFIG_PCI=y\nCONFIG_PCI_P2PDMA=y\n"), P2pdmaConfig::built_in);
    EXPECT_EQ(p2pdma_from_config("CONFIG_PCI_P2PDMA=y"), P2pdmaConfig::built_in);
    EXPECT_EQ(p2pdma_from_config("# CONFIG_PCI_P2PDMA is not set\n"), P2pdmaConfig::not_built);
    EXPECT_EQ(p2pdma_from_config("CONFIG_PCI_P2PDMA_X=y\n#CONFIG_PCI_P2PDMA=y\n"), P2pdmaConfig::not_built);
    EXPECT_EQ(p2pdma_from_config(""), P2pdmaConfig::not_built);
}

// A strict JSON syntax check (objects, arrays, strings, numbers, literals).
class JsonChecker {
public:
    explicit JsonChecker(std::string_view text) : s_(text) {}
    bool ok() {
        return value() && (skip(), pos_ == s_.size());
    }

private:
    void skip() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])) != 0) {
            ++pos_;
        }
    }
    bool eat(char c) {
        skip();
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    bool string() {
        if (!eat('"')) {
            return false;
        }
        while (pos_ < s_.size() && s_[pos_] != '"') {
            if (static_cast<unsigned char>(s_[pos_]) < 0x20) {
                return false;
            }
            pos_ += s_[pos_] == '\\' ? 2 : 1;
        }
        return eat('"');
    }
    bool value() {
        skip();
        if (pos_ >= s_.size()) {
            return false;
        }
        const char c = s_[pos_];
        if (c == '{') {
            ++pos_;
            if (eat('}')) {
                return true;
            }
            do {
                if (!string() || !eat(':') || !value()) {
                    return false;
                }
            } while (eat(','));
            return eat('}');
        }
        if (c == '[') {
            ++pos_;
            if (eat(']')) {
                return true;
            }
            do {
                if (!value()) {
                    return false;
                }
            } while (eat(','));
            return eat(']');
        }
        if (c == '"') {
            return string();
        }
        for (const std::string_view lit : {"true", "false", "null"}) {
            if (s_.substr(pos_, lit.size()) == lit) {
                pos_ += lit.size();
                return true;
            }
        }
        const std::size_t start = pos_;
        if (s_[pos_] == '-') {
            ++pos_;
        }
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])) != 0) {
            ++pos_;
        }
        return pos_ > start && s_[pos_ - 1] != '-';
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

TEST(P2pRender, TextAndJson) {
    Builder b;
    b.add("00:03.0", type_root_port, "", acs_redirecting);
    b.add("01:00.0", type_endpoint, "00:03.0");
    b.vf("01:00.1", "01:00.0");
    b.topo.functions.back().iommu_group = 6;
    b.topo.p2pdma_source = "/boot/config-\"quoted\"\\x\n";
    const auto v = run(b.topo, "01:00.1", "01:00.0");
    const std::string text = render_text(v);
    EXPECT_EQ(text.rfind("0000:01:00.1 -> 0000:01:00.0: refused: ACS redirect on 0000:00:03.0 (RR CR)", 0), 0U);
    EXPECT_NE(text.find("ACS cap SV TB RR CR UF, ctrl SV RR CR UF: redirects P2P upstream"), std::string::npos);
    EXPECT_NE(text.find("host bridge pci0000:00: 0000:00:00.0 [8086:29c0], not on the allow-list"), std::string::npos);
    EXPECT_NE(text.find("IOMMU groups: provider 6, client none"), std::string::npos);
    EXPECT_NE(text.find("applies (provider is a VF of 0000:01:00.0)"), std::string::npos);
    EXPECT_EQ(text.back(), '\n');

    const std::string json = render_json(v);
    EXPECT_TRUE(JsonChecker(json).ok()) << json;
    EXPECT_NE(json.find(R"("map":"none","distance":-1,"path_distance":2)"), std::string::npos);
    EXPECT_NE(json.find(R"("acs_redirect":["0000:00:03.0"])"), std::string::npos);
    EXPECT_NE(json.find(R"("p2pdma_source":"/boot/config-\"quoted\"\\x\n")"), std::string::npos);
    EXPECT_NE(json.find(R"("private_interconnect":{"applies":true,"relation":"vf_of_pf","pf":"0000:01:00.0"})"),
              std::string::npos);
    EXPECT_NE(json.find(R"("iommu_group":{"provider":6,"client":null})"), std::string::npos);

    // Every verdict of a busier topology renders as valid JSON.
    const auto s = switch_topology(acs_redirecting, 0x2020);
    for (const auto& p : s.topo.functions) {
        for (const auto& c : s.topo.functions) {
            EXPECT_TRUE(JsonChecker(render_json(analyse(s.topo, p.bdf, c.bdf))).ok());
        }
    }
    EXPECT_FALSE(JsonChecker("{\"a\":1,}").ok());  // the checker can fail
    EXPECT_EQ(json_quote(std::string_view("\x01", 1)), "\"\\u0001\"");
}

}  // namespace
}  // namespace xe_pfvf::p2p
