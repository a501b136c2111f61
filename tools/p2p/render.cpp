// Verdicts for people (text) and for scripts (JSON).

#include "xe_pfvf/p2p.hpp"
#include "p2p_internal.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <sstream>
#include <utility>

namespace xe_pfvf::p2p {

namespace {

// PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_EC: the bits that redirect.
constexpr std::uint16_t acs_redirect_bits = 0x0004 | 0x0008 | 0x0020;

std::string hex4(std::uint16_t value) {
    std::array<char, 8> buf{};
    std::snprintf(buf.data(), buf.size(), "%04x", static_cast<unsigned>(value));  // NOLINT(cppcoreguidelines-pro-type-vararg)
    return buf.data();
}

std::string id_of(std::uint16_t vendor, std::uint16_t device) {
    return hex4(vendor) + ":" + hex4(device);
}

std::string_view pcie_type_name(int type) {
    switch (type) {
    case -1:
        return "conventional PCI";
    case 0:
        return "endpoint";
    case 1:
        return "legacy endpoint";
    case 4:
        return "root port";
    case 5:
        return "switch upstream port";
    case 6:
        return "switch downstream port";
    case 7:
        return "PCIe-to-PCI bridge";
    case 8:
        return "PCI-to-PCIe bridge";
    case 9:
        return "root complex integrated endpoint";
    case 10:
        return "root complex event collector";
    default:
        return "PCIe function";
    }
}

std::string_view pcie_type_key(int type) {
    switch (type) {
    case -1:
        return "pci";
    case 0:
        return "endpoint";
    case 1:
        return "legacy_endpoint";
    case 4:
        return "root_port";
    case 5:
        return "upstream_port";
    case 6:
        return "downstream_port";
    case 7:
        return "pcie_to_pci_bridge";
    case 8:
        return "pci_to_pcie_bridge";
    case 9:
        return "rc_endpoint";
    case 10:
        return "rc_event_collector";
    default:
        return "other";
    }
}

const Hop* find_hop(const Verdict& v, Bdf bdf) {
    for (const auto* path : {&v.provider_path, &v.client_path}) {
        const auto it = std::find_if(path->begin(), path->end(), [bdf](const Hop& h) { return h.bdf == bdf; });
        if (it != path->end()) {
            return &*it;
        }
    }
    return nullptr;
}

// "0000:00:03.0 (RR CR)" for each redirecting function, joined.
std::string redirect_list(const Verdict& v) {
    std::string out;
    for (std::size_t i = 0; i < v.acs_redirect.size(); ++i) {
        if (i != 0) {
            out += i + 1 == v.acs_redirect.size() ? " and " : ", ";
        }
        out += v.acs_redirect[i].str();
        const Hop* hop = find_hop(v, v.acs_redirect[i]);
        if (hop != nullptr && hop->acs) {
            out += " (" + acs_bits(hop->acs->ctrl & acs_redirect_bits) + ")";
        }
    }
    return out;
}

std::string traffic(const Verdict& v) {
    switch (v.relation) {
    case Relation::vf_of_pf:
    case Relation::pf_of_vf:
        return "PF<->VF traffic";
    case Relation::sibling_vfs:
        return "VF<->VF traffic";
    default:
        return "the traffic";
    }
}

std::string host_name(const HostBridgeCheck& h) {
    if (!h.dev) {
        return "host bridge " + h.name + " (no 00.0 function or root port on its bus)";
    }
    return "host bridge " + id_of(h.vendor, h.device);
}

// Why the host bridge refuses: "host bridge 8086:29c0, which is not on ...".
std::string host_refusal(const Verdict& v) {
    std::string out;
    for (const auto& h : v.host_bridges) {
        if (h.allowed) {
            continue;
        }
        if (!out.empty()) {
            out += ", and ";
        }
        out += host_name(h);
        if (!h.dev) {
            out += ", which the kernel cannot look up in its P2PDMA allow-list";
        } else if (h.listed && h.requires_same) {
            out += ", which is on the kernel's P2PDMA allow-list only for traffic within one host bridge";
        } else {
            out += ", which is not on the kernel's P2PDMA allow-list";
        }
    }
    return out;
}

std::string host_allowance(const Verdict& v) {
    if (v.cpu_allows) {
        std::array<char, 16> fam{};
        std::snprintf(fam.data(), fam.size(), "%#x", static_cast<unsigned>(v.cpu.family));  // NOLINT(cppcoreguidelines-pro-type-vararg)
        return std::string("the CPU is AMD family ") + fam.data() + " (Zen or later), which the kernel trusts";
    }
    std::string out;
    for (const auto& h : v.host_bridges) {
        if (!out.empty()) {
            out += " and ";
        }
        out += host_name(h);
    }
    return out + (v.host_bridges.size() > 1 ? " are" : " is") + " on the kernel's P2PDMA allow-list";
}

std::string config_text(const Verdict& v) {
    switch (v.p2pdma) {
    case P2pdmaConfig::built_in:
        return "built in";
    case P2pdmaConfig::not_built:
        return "not built";
    case P2pdmaConfig::unknown:
        break;
    }
    return "unknown";
}

std::string_view config_key(P2pdmaConfig c) {
    switch (c) {
    case P2pdmaConfig::built_in:
        return "built_in";
    case P2pdmaConfig::not_built:
        return "not_built";
    case P2pdmaConfig::unknown:
        break;
    }
    return "unknown";
}

std::string hop_text(const Hop& h) {
    std::string out = h.bdf.str() + " [" + id_of(h.vendor, h.device) + "] " + std::string(pcie_type_name(h.pcie_type));
    if (!h.acs_readable) {
        out += ", ACS unreadable (needs root)";
    } else if (!h.acs) {
        out += ", no ACS";
    } else {
        const std::string cap = acs_bits(h.acs->cap);
        const std::string ctrl = acs_bits(h.acs->ctrl);
        out += ", ACS cap " + (cap.empty() ? std::string("-") : cap) + ", ctrl " +
               (ctrl.empty() ? std::string("-") : ctrl);
        if (h.redirects) {
            out += ": redirects P2P upstream";
        }
    }
    return out;
}

std::string group_text(const std::optional<int>& group) {
    return group ? std::to_string(*group) : std::string("none");
}

}  // namespace

std::string json_quote(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                std::array<char, 8> buf{};
                std::snprintf(buf.data(), buf.size(), "\\u%04x", static_cast<unsigned>(c));  // NOLINT(cppcoreguidelines-pro-type-vararg)
                out += buf.data();
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

std::string render_summary(const Verdict& v) {
    std::string out;
    if (v.p2pdma == P2pdmaConfig::not_built) {
        out = "refused: the running kernel was built without CONFIG_PCI_P2PDMA";
    } else if (v.map == MapType::bus_addr) {
        if (v.relation == Relation::same) {
            out = "allowed: same function, at bus addresses, distance 0";
        } else {
            out = "allowed: at bus addresses under " + (v.common ? v.common->str() : std::string("?")) +
                  " with no ACS redirect on the path, distance " + std::to_string(v.distance);
        }
    } else {
        const std::string why = v.common ? "ACS redirect on " + redirect_list(v) + " sends " + traffic(v) +
                                               " up to the host bridge"
                                         : "no common upstream bridge, " + traffic(v) + " crosses the host bridge";
        if (v.map == MapType::host_bridge) {
            out = "allowed through the host bridge: " + why + ", and " + host_allowance(v) + "; distance " +
                  std::to_string(v.distance);
        } else if (v.common) {
            out = "refused: ACS redirect on " + redirect_list(v) + " sends " + traffic(v) + " to " + host_refusal(v);
        } else {
            out = "refused: " + why + ", " + host_refusal(v);
        }
    }
    if (v.private_interconnect()) {
        out += v.map == MapType::none ? "; use xe_pfvf's private interconnect"
                                      : " (xe_pfvf's private interconnect applies too)";
    }
    if (v.p2pdma == P2pdmaConfig::unknown) {
        out += " [assuming CONFIG_PCI_P2PDMA, which could not be determined]";
    }
    if (v.acs_unknown) {
        out += " [ACS unreadable on the path without root: taken as no redirect]";
    }
    return out;
}

std::string render_text(const Verdict& v) {
    std::ostringstream os;
    os << v.provider.str() << " -> " << v.client.str() << ": " << render_summary(v) << "\n";
    os << "  map " << to_string(v.map) << ", distance " << v.distance;
    if (v.map == MapType::none && v.p2pdma != P2pdmaConfig::not_built) {
        os << " (path length " << v.path_distance << ")";
    }
    os << "\n";
    if (v.p2pdma == P2pdmaConfig::not_built) {
        Verdict built = v;
        built.p2pdma = P2pdmaConfig::built_in;
        built.map = v.topology_map;
        built.distance = v.topology_distance;
        os << "  with CONFIG_PCI_P2PDMA it would be: " << render_summary(built) << "\n";
    }
    os << "  provider path (to " << (v.common ? "the common function " + v.common->str() : std::string("the host bridge"))
       << "):\n";
    for (const auto& h : v.provider_path) {
        os << "    " << hop_text(h) << "\n";
    }
    os << "  client path" << (v.common ? " (below it)" : std::string()) << ":\n";
    if (v.client_path.empty()) {
        os << "    (the client is the common function)\n";
    }
    for (const auto& h : v.client_path) {
        os << "    " << hop_text(h) << "\n";
    }
    for (const auto& h : v.host_bridges) {
        os << "  host bridge " << h.name << ": ";
        if (h.dev) {
            os << h.dev->str() << " [" << id_of(h.vendor, h.device) << "], "
               << (h.listed ? (h.requires_same ? "on the allow-list (same host bridge only)" : "on the allow-list")
                            : "not on the allow-list");
        } else {
            os << "no 00.0 function or root port first on its bus";
        }
        os << (v.host_bridge_consulted ? "" : " (not consulted)") << "\n";
    }
    os << "  CPU: " << (v.cpu.vendor.empty() ? std::string("unknown") : v.cpu.vendor) << " family " << v.cpu.family
       << (v.cpu_allows ? ", AMD Zen or later: the kernel trusts its host bridge" : "") << "\n";
    os << "  IOMMU groups: provider " << group_text(v.provider_iommu_group) << ", client "
       << group_text(v.client_iommu_group) << "\n";
    os << "  P2PDMA: " << config_text(v) << (v.p2pdma_source.empty() ? "" : " (" + v.p2pdma_source + ")") << "\n";
    os << "  xe_pfvf private interconnect: ";
    switch (v.relation) {
    case Relation::vf_of_pf:
        os << "applies (provider is a VF of " << v.pf->str() << ")";
        break;
    case Relation::pf_of_vf:
        os << "applies (client is a VF of " << v.pf->str() << ")";
        break;
    case Relation::sibling_vfs:
        os << "applies (both are VFs of " << v.pf->str() << ")";
        break;
    case Relation::same:
        os << "not needed (same function)";
        break;
    case Relation::none:
        os << "does not apply (not a PF and its VFs)";
        break;
    }
    os << "\n";
    return os.str();
}

namespace {

// A JSON writer just big enough for a verdict: commas and quoting.
class JsonWriter {
public:
    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }
    JsonWriter& key(std::string_view name) {
        separate();
        out_ += json_quote(name);
        out_ += ':';
        after_key_ = true;
        return *this;
    }
    JsonWriter& str(std::string_view value) { return raw(json_quote(value)); }
    JsonWriter& num(long long value) { return raw(std::to_string(value)); }
    JsonWriter& boolean(bool value) { return raw(value ? "true" : "false"); }
    JsonWriter& null() { return raw("null"); }
    JsonWriter& bdf(const std::optional<Bdf>& value) { return value ? str(value->str()) : null(); }
    JsonWriter& integer(const std::optional<int>& value) { return value ? num(*value) : null(); }
    [[nodiscard]] std::string take() { return std::move(out_); }

private:
    void separate() {
        if (after_key_) {
            after_key_ = false;
        } else if (!first_) {
            out_ += ',';
        }
        first_ = false;
    }
    JsonWriter& raw(std::string_view text) {
        separate();
        out_ += text;
        return *this;
    }
    JsonWriter& open(char c) {
        separate();
        out_ += c;
        first_ = true;
        return *this;
    }
    JsonWriter& close(char c) {
        out_ += c;
        first_ = false;
        return *this;
    }

    std::string out_;
    bool first_ = true;
    bool after_key_ = false;
};

void json_hops(JsonWriter& w, const std::vector<Hop>& hops) {
    w.begin_array();
    for (const Hop& h : hops) {
        w.begin_object();
        w.key("bdf").str(h.bdf.str()).key("id").str(id_of(h.vendor, h.device));
        w.key("type").str(pcie_type_key(h.pcie_type)).key("acs");
        if (h.acs) {
            w.begin_object()
                .key("cap").num(h.acs->cap)
                .key("ctrl").num(h.acs->ctrl)
                .key("cap_bits").str(acs_bits(h.acs->cap))
                .key("ctrl_bits").str(acs_bits(h.acs->ctrl))
                .end_object();
        } else {
            w.null();
        }
        w.key("acs_readable").boolean(h.acs_readable).key("redirects").boolean(h.redirects);
        w.end_object();
    }
    w.end_array();
}

}  // namespace

std::string render_json(const Verdict& v) {
    JsonWriter w;
    w.begin_object();
    w.key("provider").str(v.provider.str()).key("client").str(v.client.str());
    w.key("map").str(to_string(v.map)).key("distance").num(v.distance);
    w.key("path_distance").num(v.path_distance);
    w.key("topology_map").str(to_string(v.topology_map)).key("topology_distance").num(v.topology_distance);
    w.key("summary").str(render_summary(v));
    w.key("p2pdma").str(config_key(v.p2pdma)).key("p2pdma_source").str(v.p2pdma_source);
    w.key("common").bdf(v.common);
    w.key("acs_redirect").begin_array();
    for (const Bdf& b : v.acs_redirect) {
        w.str(b.str());
    }
    w.end_array();
    w.key("acs_unknown").boolean(v.acs_unknown);
    w.key("provider_path");
    json_hops(w, v.provider_path);
    w.key("client_path");
    json_hops(w, v.client_path);
    w.key("host_bridge_consulted").boolean(v.host_bridge_consulted);
    w.key("host_bridges").begin_array();
    for (const auto& h : v.host_bridges) {
        w.begin_object().key("name").str(h.name).key("dev").bdf(h.dev).key("id");
        if (h.dev) {
            w.str(id_of(h.vendor, h.device));
        } else {
            w.null();
        }
        w.key("listed").boolean(h.listed).key("requires_same").boolean(h.requires_same);
        w.key("allowed").boolean(h.allowed).end_object();
    }
    w.end_array();
    w.key("cpu").begin_object().key("vendor").str(v.cpu.vendor).key("family").num(v.cpu.family);
    w.key("supports_p2pdma").boolean(v.cpu_allows).end_object();
    w.key("iommu_group").begin_object().key("provider").integer(v.provider_iommu_group);
    w.key("client").integer(v.client_iommu_group).end_object();
    w.key("private_interconnect").begin_object().key("applies").boolean(v.private_interconnect());
    w.key("relation").str(to_string(v.relation)).key("pf").bdf(v.pf).end_object();
    w.end_object();
    return w.take();
}

}  // namespace xe_pfvf::p2p
