// xe-pfvf-p2p-diff: the analyser's prediction against the kernel's own
// P2PDMA verdict (XE_PFVF_IOC_P2P on /dev/xe_pfvf) for every ordered pair
// of PCI endpoint functions (type 0 headers, VFs included, each function
// with itself too).  Prints every pair, the full reasons of any pair where
// they disagree, and "N pairs compared, M disagreements"; exit status 0
// when M is 0 (and N is not), 1 otherwise, 2 on bad usage.
//
//   xe-pfvf-p2p-diff [--dev /dev/xe_pfvf] [--verbose]
//
// Compared: the map type, the distance, why (CONFIG_PCI_P2PDMA), and
// XE_PFVF_P2P_PRIVATE against "a VF and its registered PF, either way".
// XE_PFVF_CAP_P2P is compared with the analyser's reading of the kernel
// config once.  XE_PFVF_P2P_ACS_REDIRECT is compared with "ACS redirect on
// a function the kernel tests", and a difference there is printed as a
// NOTE, not counted: the acceptance is the kernel's verdict.

#include "xe_pfvf/p2p.hpp"

#include <xe_pfvf/xe_pfvf.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>


namespace {

namespace p2p = xe_pfvf::p2p;

// libxe-pfvf's Bdf and the analyser's name the same function.
p2p::Bdf to_p2p(xe_pfvf::Bdf bdf) noexcept {
    return p2p::Bdf::from_uapi(bdf.to_uapi());
}

xe_pfvf::Bdf to_lib(p2p::Bdf bdf) noexcept {
    return xe_pfvf::Bdf::from_uapi(bdf.uapi());
}

std::string flags_text(const xe_pfvf::P2pVerdict& k) {
    std::string out;
    if (k.acs_redirect()) {
        out += " acs_redirect";
    }
    if (k.private_interconnect()) {
        out += " private";
    }
    return out;
}

struct Args {
    std::string dev = "/dev/xe_pfvf";
    bool verbose = false;
};

std::string_view config_name(p2p::P2pdmaConfig c) {
    switch (c) {
    case p2p::P2pdmaConfig::built_in:
        return "built in";
    case p2p::P2pdmaConfig::not_built:
        return "not built";
    case p2p::P2pdmaConfig::unknown:
        break;
    }
    return "unknown";
}

/// One pair's comparison.
struct Comparison {
    std::vector<std::string_view> diffs;  ///< fields that disagree
    bool want_acs = false;
    bool want_private = false;
    bool acs_note = false;  ///< XE_PFVF_P2P_ACS_REDIRECT differs (not counted)
};

Comparison compare(const p2p::Verdict& v, const xe_pfvf::P2pVerdict& k, const std::set<p2p::Bdf>& pfs) {
    Comparison c;
    const xe_pfvf::P2pWhy want_why =
        v.p2pdma == p2p::P2pdmaConfig::not_built ? xe_pfvf::P2pWhy::no_p2pdma : xe_pfvf::P2pWhy::kernel;
    // The kernel's flag: a VF and its registered PF, either way round (not
    // two VFs of one PF, where the analyser also says the private
    // interconnect applies).
    c.want_private = (v.relation == p2p::Relation::vf_of_pf || v.relation == p2p::Relation::pf_of_vf) && v.pf &&
                     pfs.contains(*v.pf);
    // ACS redirect on a function calc_map_type_and_dist() tests: the
    // provider's side up to and including the common function, the
    // client's below it (all of both when there is none).
    const auto redirects = [](const p2p::Hop& h) { return h.redirects; };
    c.want_acs = std::any_of(v.provider_path.begin(), v.provider_path.end(), redirects) ||
                 std::any_of(v.client_path.begin(), v.client_path.end(), redirects);
    if (static_cast<std::uint32_t>(k.map) != static_cast<std::uint32_t>(v.map)) {
        c.diffs.emplace_back("map");
    }
    if (k.distance != v.distance) {
        c.diffs.emplace_back("distance");
    }
    if (k.why != want_why) {
        c.diffs.emplace_back("why");
    }
    if (k.private_interconnect() != c.want_private) {
        c.diffs.emplace_back("private");
    }
    c.acs_note = k.acs_redirect() != c.want_acs;
    return c;
}

void print_pair(const p2p::Verdict& v, const xe_pfvf::P2pVerdict& k, const Comparison& c, bool verbose) {
    std::cout << "pair " << v.provider.str() << " -> " << v.client.str() << ": kernel "
              << p2p::to_string(static_cast<p2p::MapType>(k.map)) << "/" << k.distance
              << (k.why == xe_pfvf::P2pWhy::no_p2pdma ? " no-p2pdma" : "") << flags_text(k) << ", analyser "
              << p2p::to_string(v.map) << "/" << v.distance << (c.want_acs ? " acs_redirect" : "")
              << (c.want_private ? " private" : "");
    if (c.acs_note) {
        std::cout << ": NOTE acs_redirect flag differs";
    }
    if (c.diffs.empty()) {
        std::cout << ": agree\n";
    } else {
        std::cout << ": DISAGREE (";
        for (std::size_t i = 0; i < c.diffs.size(); ++i) {
            std::cout << (i == 0 ? "" : " ") << c.diffs[i];
        }
        std::cout << ")\n";
    }
    if (!c.diffs.empty() || verbose) {
        std::cout << p2p::render_text(v);
    }
}

int run(const Args& args) {
    const p2p::Topology topo = p2p::scan();
    const xe_pfvf::Device dev = xe_pfvf::Device::open(args.dev);
    const xe_pfvf::Version ver = dev.version();
    const bool kernel_p2p = ver.has(xe_pfvf::Cap::p2p);
    std::set<p2p::Bdf> pfs;
    for (const auto& pf : dev.pfs()) {
        pfs.insert(to_p2p(pf.bdf));
    }

    unsigned disagreements = 0;
    std::cout << "p2p-diff: kernel uAPI " << ver.major << "." << ver.minor << ", CAP_P2P "
              << (kernel_p2p ? "yes" : "no") << "; analyser: P2PDMA " << config_name(topo.p2pdma) << " ("
              << topo.p2pdma_source << "), CPU " << topo.cpu.vendor << " family " << topo.cpu.family << ", "
              << pfs.size() << " registered PF(s)\n";
    if (topo.p2pdma != p2p::P2pdmaConfig::unknown && kernel_p2p != (topo.p2pdma == p2p::P2pdmaConfig::built_in)) {
        std::cout << "DISAGREE: XE_PFVF_CAP_P2P says P2PDMA is " << (kernel_p2p ? "" : "not ")
                  << "built in, the analyser read otherwise\n";
        ++disagreements;
    }

    std::vector<const p2p::Function*> endpoints;
    std::cout << "p2p-diff: endpoint functions:";
    for (const auto& f : topo.functions) {
        if (f.is_endpoint()) {
            endpoints.push_back(&f);
            std::cout << " " << f.bdf.str() << (f.is_vf() ? "(VF)" : "");
        }
    }
    std::cout << " (" << endpoints.size() << ")\n";

    unsigned pairs = 0;
    unsigned acs_notes = 0;
    for (const auto* prov : endpoints) {
        for (const auto* cli : endpoints) {
            const p2p::Verdict v = p2p::analyse(topo, prov->bdf, cli->bdf);
            const xe_pfvf::P2pVerdict k = dev.p2p(to_lib(prov->bdf), to_lib(cli->bdf));
            const Comparison c = compare(v, k, pfs);
            ++pairs;
            disagreements += c.diffs.empty() ? 0 : 1;
            acs_notes += c.acs_note ? 1 : 0;
            print_pair(v, k, c, args.verbose);
        }
    }
    if (acs_notes != 0) {
        std::cout << "p2p-diff: " << acs_notes
                  << " pairs where XE_PFVF_P2P_ACS_REDIRECT differs from the functions calc_map_type_and_dist() "
                     "tests for ACS redirect (not counted as disagreements)\n";
    }
    std::cout << pairs << " pairs compared, " << disagreements << " disagreements\n";
    return pairs > 0 && disagreements == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    const std::vector<std::string_view> argv_list(argv + 1, argv + argc);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    for (std::size_t i = 0; i < argv_list.size(); ++i) {
        const std::string_view a = argv_list[i];
        if (a == "--verbose" || a == "-v") {
            args.verbose = true;
        } else if (a == "--dev" && i + 1 < argv_list.size()) {
            args.dev = std::string(argv_list[++i]);
        } else {
            std::cerr << "usage: xe-pfvf-p2p-diff [--dev /dev/xe_pfvf] [--verbose]\n";
            return 2;
        }
    }
    try {
        return run(args);
    } catch (const std::exception& e) {
        std::cerr << "xe-pfvf-p2p-diff: " << e.what() << "\n";
        return 1;
    }
}
