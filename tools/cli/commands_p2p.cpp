// p2p: may a PCI function read another's memory over PCIe P2PDMA, and why
// not.  The kernel's verdict (XE_PFVF_IOC_P2P) always; with the topology
// analyser (xe_pfvf::p2p, tools/p2p) built in, also its prediction and the
// reasons, and whether the two agree.

#include "commands.hpp"
#include "format.hpp"

#ifdef XE_PFVF_HAVE_P2P_ANALYSER
#include <xe_pfvf/p2p.hpp>
#endif

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace xe_pfvf::cli {

namespace {

/// The seam to the analyser: predicts the verdict and explains it, or
/// says why it cannot.
class Analyser {
public:
    explicit Analyser(bool wanted) {
#ifdef XE_PFVF_HAVE_P2P_ANALYSER
        if (wanted) {
            try {
                topology_.emplace(p2p::scan());
            } catch (const std::exception& e) {
                error_ = e.what();
            }
        } else {
            error_ = "not asked for";
        }
#else
        static_cast<void>(wanted);
        error_ = "not built in";
#endif
    }

    /// {"map", "distance", "summary", "text", "verdict"} or {"error"}.
    [[nodiscard]] Json explain(Bdf provider, Bdf client) const {
#ifdef XE_PFVF_HAVE_P2P_ANALYSER
        if (topology_) {
            try {
                const p2p::Verdict v = p2p::analyse(*topology_, p2p::Bdf::from_uapi(provider.to_uapi()),
                                                    p2p::Bdf::from_uapi(client.to_uapi()));
                // Named as the kernel's verdict is (the values are the uAPI's).
                return Json{{"map", std::string(to_string(static_cast<P2pMap>(v.map)))},
                            {"distance", v.distance},
                            {"private_interconnect", v.private_interconnect()},
                            {"summary", p2p::render_summary(v)},
                            {"text", p2p::render_text(v)},
                            {"verdict", Json::parse(p2p::render_json(v))}};
            } catch (const std::exception& e) {
                return Json{{"error", e.what()}};
            }
        }
#else
        static_cast<void>(provider);
        static_cast<void>(client);
#endif
        return Json{{"error", error_}};
    }

private:
#ifdef XE_PFVF_HAVE_P2P_ANALYSER
    std::optional<p2p::Topology> topology_;
#endif
    std::string error_;
};

Json kernel_json(const P2pVerdict& v) {
    return Json{{"map", std::string(to_string(v.map))},
                {"distance", v.distance},
                {"why", std::string(to_string(v.why))},
                {"acs_redirect", v.acs_redirect()},
                {"private_interconnect", v.private_interconnect()}};
}

/// Whether the analyser predicted what the kernel answered.
Json agreement(const Json& kernel, const Json& analyser) {
    if (analyser.contains("error")) {
        return nullptr;
    }
    return analyser.at("map") == kernel.at("map") && analyser.at("distance") == kernel.at("distance");
}

Json p2p_run(Session& session, const ParsedArgs& args) {
    std::vector<std::pair<Bdf, Bdf>> pairs;
    if (args.positional().size() == 1) {
        throw UsageError("p2p takes no function or two (PROVIDER CLIENT)");
    }
    if (args.positional().size() == 2) {
        pairs.emplace_back(parse_bdf_arg(args.positional()[0], "PROVIDER"), parse_bdf_arg(args.positional()[1], "CLIENT"));
    } else {
        // By default: each PF reading the memory of each of its VFs, the
        // path a VF's framebuffer takes to the PF.
        for (const PfInfo& pf : session.device().pfs()) {
            for (const VfInfo& vf : session.device().vfs(pf.bdf)) {
                if (vf.state != VfState::disabled) {
                    pairs.emplace_back(vf.bdf, pf.bdf);
                }
            }
        }
    }
    const Analyser analyser(session.env().p2p_analyser && !args.flag("kernel-only"));
    Json out = Json::array();
    for (const auto& [provider, client] : pairs) {
        const Json kernel = kernel_json(session.device().p2p(provider, client));
        Json analysis = analyser.explain(provider, client);
        Json agree = agreement(kernel, analysis);
        out.push_back(Json{{"provider", provider.str()},
                           {"client", client.str()},
                           {"kernel", kernel},
                           {"analyser", std::move(analysis)},
                           {"agree", std::move(agree)}});
    }
    return Json{{"pairs", out}, {"verbose", args.flag("verbose")}};
}

std::string verdict_line(const Json& kernel) {
    const std::string map = kernel.at("map").get<std::string>();
    std::string line = map == "none" ? "refused" : "allowed (" + map + ", distance " +
                                                       std::to_string(kernel.at("distance").get<int>()) + ")";
    if (kernel.at("why").get<std::string>() == "no-p2pdma") {
        line += ": the kernel has no PCI P2PDMA";
    } else if (kernel.at("acs_redirect").get<bool>()) {
        line += ": ACS redirects P2P upstream on the path";
    }
    return line;
}

void p2p_render(const Json& j, std::ostream& out) {
    const Json& pairs = j.at("pairs");
    if (pairs.empty()) {
        out << "no pairs: no VF is enabled (name two functions: p2p PROVIDER CLIENT)\n";
        return;
    }
    Table t({{"PROVIDER"}, {"CLIENT"}, {"KERNEL"}, {"PRIVATE"}, {"ANALYSER"}});
    for (const Json& p : pairs) {
        const Json& a = p.at("analyser");
        std::string analyser = a.contains("error") ? "- (" + a.at("error").get<std::string>() + ")"
                                                   : (p.at("agree").get<bool>() ? "agrees" : "DISAGREES");
        t.add({p.at("provider").get<std::string>(), p.at("client").get<std::string>(), verdict_line(p.at("kernel")),
               p.at("kernel").at("private_interconnect").get<bool>() ? "yes" : "no", analyser});
    }
    t.print(out);
    bool private_needed = false;
    for (const Json& p : pairs) {
        const Json& k = p.at("kernel");
        private_needed = private_needed || (k.at("map").get<std::string>() == "none" && k.at("private_interconnect").get<bool>());
    }
    if (private_needed) {
        out << "PCIe P2PDMA refuses a pair that xe_pfvf's private interconnect serves: the PF reads its VF's\n"
               "memory through VRAM it provisioned itself, never over the PCIe P2P path.\n";
    }
    for (const Json& p : pairs) {
        const Json& a = p.at("analyser");
        if (a.contains("error")) {
            continue;
        }
        if (j.at("verbose").get<bool>()) {
            out << '\n' << a.at("text").get<std::string>();
        } else {
            out << p.at("provider").get<std::string>() << " -> " << p.at("client").get<std::string>() << ": "
                << a.at("summary").get<std::string>() << '\n';
        }
    }
}

}  // namespace

Command p2p_command() {
    return Command{
        .name = "p2p",
        .synopsis = "p2p [-v] [--kernel-only] [PROVIDER CLIENT]",
        .summary = "may CLIENT read PROVIDER's memory over PCIe P2PDMA, and why not",
        .description = "Asks the kernel (XE_PFVF_IOC_P2P) whether pci_p2pdma allows CLIENT to map PROVIDER's\n"
                       "memory: the map type (none, bus-address through a common switch, host-bridge through\n"
                       "the IOMMU), the distance, whether ACS redirects on the path, and whether xe_pfvf's\n"
                       "private interconnect applies instead (a PF and its VF).  Without functions: every VF\n"
                       "of every registered PF as provider, its PF as client.  Where the topology analyser is\n"
                       "built in, it predicts the verdict from config space and sysfs and says why; the\n"
                       "ANALYSER column says whether it agrees with the kernel (-v: all its reasons).",
        .options = {{.name = "verbose", .short_name = 'v', .value = {}, .help = "the analyser's reasons in full"},
                    {.name = "kernel-only", .short_name = '\0', .value = {},
                     .help = "the kernel's verdict only (no topology analysis)"}},
        .min_args = 0,
        .max_args = 2,
        .run = p2p_run,
        .render = p2p_render,
    };
}

}  // namespace xe_pfvf::cli
