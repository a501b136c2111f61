// status, vfs, show, translate: the provisioning table and translations.

#include "commands.hpp"
#include "format.hpp"
#include "system.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace xe_pfvf::cli {

namespace {

/// Extents `show` prints without --all.
constexpr std::size_t show_extents = 16;

Json optional_json(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

Json optional_json(const std::optional<unsigned>& n) { return n ? Json(*n) : Json(nullptr); }

Json pf_json(Session& session, const PfInfo& pf) {
    return Json{{"pf", pf.bdf.str()},
                {"driver", pf.driver},
                {"total_vfs", pf.total_vfs},
                {"num_vfs", pf.num_vfs},
                {"lmem_bar", pf.lmem_bar},
                {"vram_size", pf.vram_size},
                {"revoked", pf.revoked},
                {"pci_driver", optional_json(pci_driver(session.env().sysfs, pf.bdf))},
                {"drm", drm_json(session, pf.bdf)}};
}

Json vf_json(Session& session, const VfInfo& vf) {
    const bool enabled = vf.state != VfState::disabled;
    Json j{{"vf", vf.vfid},
           {"pci", enabled ? Json(vf.bdf.str()) : Json(nullptr)},
           {"state", std::string(to_string(vf.state))},
           {"generation", vf.generation},
           {"quota", vf.quota},
           {"nr_extents", vf.nr_extents},
           {"bar_size", vf.bar_size},
           {"bar_cpu", vf.raw() ? Json(vf.bar_cpu) : Json(nullptr)},
           {"bar_bus", vf.raw() ? Json(vf.bar_bus) : Json(nullptr)},
           {"live_bufs", vf.live_bufs},
           {"quarantined", vf.quarantined},
           {"suspended", vf.suspended()}};
    j["pci_driver"] = enabled ? optional_json(pci_driver(session.env().sysfs, vf.bdf)) : Json(nullptr);
    j["iommu_group"] = enabled ? optional_json(iommu_group(session.env().sysfs, vf.bdf)) : Json(nullptr);
    j["drm"] = enabled ? drm_json(session, vf.bdf) : Json(nullptr);
    return j;
}

std::string size_cell(const Json& bytes) {
    const auto n = bytes.get<std::uint64_t>();
    return n == 0 ? "-" : human_size(n);
}

std::string flags_cell(const Json& vf) {
    std::string flags;
    if (vf.at("suspended").get<bool>()) {
        flags = "suspended";
    }
    return flags.empty() ? "-" : flags;
}

void render_vf_table(const Json& vfs, std::ostream& out, std::string_view indent) {
    Table t({{"VF", Align::right},
             {"PCI"},
             {"STATE"},
             {"QUOTA", Align::right},
             {"EXTENTS", Align::right},
             {"GEN", Align::right},
             {"BAR", Align::right},
             {"LIVE", Align::right},
             {"QUAR", Align::right},
             {"FLAGS"},
             {"DRIVER"},
             {"DRM"}});
    for (const Json& vf : vfs) {
        t.add({std::to_string(vf.at("vf").get<unsigned>()), cell(vf.at("pci")), vf.at("state").get<std::string>(),
               size_cell(vf.at("quota")), std::to_string(vf.at("nr_extents").get<unsigned>()),
               std::to_string(vf.at("generation").get<unsigned>()), size_cell(vf.at("bar_size")),
               std::to_string(vf.at("live_bufs").get<unsigned>()),
               std::to_string(vf.at("quarantined").get<unsigned>()), flags_cell(vf), cell(vf.at("pci_driver")),
               drm_cell(vf.at("drm"))});
    }
    t.print(out, indent);
}

/// The extents of a translation as JSON, each with its address in the
/// translated space.
Json extents_json(const Translation& t, std::uint64_t addr, bool raw) {
    Json out = Json::array();
    std::uint64_t at = addr;
    for (const Extent& e : t.extents) {
        out.push_back(Json{{"addr", at},
                           {"length", e.length},
                           {"vram", raw ? Json(e.vram) : Json(nullptr)},
                           {"handle", e.handle}});
        at += e.length;
    }
    return out;
}

void render_extents(const Json& extents, std::string_view space, std::size_t limit, std::ostream& out) {
    std::string title(space);
    std::transform(title.begin(), title.end(), title.begin(),
                   [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
    Table t({{title, Align::right}, {"LENGTH", Align::right}, {"VRAM", Align::right}, {"HANDLE", Align::right}});
    std::size_t n = 0;
    for (const Json& e : extents) {
        if (n++ == limit) {
            break;
        }
        t.add({hex(e.at("addr").get<std::uint64_t>()), hex(e.at("length").get<std::uint64_t>()),
               e.at("vram").is_null() ? "-" : hex(e.at("vram").get<std::uint64_t>()),
               hex(e.at("handle").get<std::uint64_t>())});
    }
    t.print(out, "  ");
    if (extents.size() > limit) {
        out << "  ... " << extents.size() - limit << " more (--all)\n";
    }
}

Json status_run(Session& session, const ParsedArgs& /*args*/) {
    const Version v = session.device().version();
    Json pfs = Json::array();
    for (const PfInfo& pf : session.device().pfs()) {
        pfs.push_back(pf_json(session, pf));
    }
    Json caps = Json::array();
    for (const std::string& name : cap_names(v.caps)) {
        caps.push_back(name);
    }
    return Json{{"uapi", Json{{"major", v.major}, {"minor", v.minor}}},
                {"library", std::string(library_version)},
                {"caps", caps},
                {"caps_raw", v.caps},
                {"max_handles", v.max_handles},
                {"nr_pfs", v.nr_pfs},
                {"pfs", pfs}};
}

void status_render(const Json& j, std::ostream& out) {
    std::string caps;
    for (const Json& c : j.at("caps")) {
        caps += (caps.empty() ? "" : " ") + c.get<std::string>();
    }
    out << "xe_pfvf uAPI " << j.at("uapi").at("major").get<unsigned>() << "."
        << j.at("uapi").at("minor").get<unsigned>() << " (libxe-pfvf " << j.at("library").get<std::string>()
        << "), caps: " << (caps.empty() ? "-" : caps) << ", max handles per open file: "
        << j.at("max_handles").get<unsigned>() << '\n';
    if (j.at("pfs").empty()) {
        out << "no PF registered\n";
        return;
    }
    Table t({{"PF"},
             {"DRIVER"},
             {"VFS", Align::right},
             {"VRAM", Align::right},
             {"LMEM-BAR", Align::right},
             {"REVOKED", Align::right},
             {"PCI-DRIVER"},
             {"DRM"}});
    for (const Json& pf : j.at("pfs")) {
        t.add({pf.at("pf").get<std::string>(), pf.at("driver").get<std::string>(),
               std::to_string(pf.at("num_vfs").get<unsigned>()) + "/" +
                   std::to_string(pf.at("total_vfs").get<unsigned>()),
               size_cell(pf.at("vram_size")), "BAR" + std::to_string(pf.at("lmem_bar").get<unsigned>()),
               std::to_string(pf.at("revoked").get<std::uint64_t>()), cell(pf.at("pci_driver")),
               drm_cell(pf.at("drm"))});
    }
    t.print(out);
}

Json vfs_run(Session& session, const ParsedArgs& args) {
    // Usage errors first: nothing reaches the kernel before.
    const std::optional<Bdf> want =
        args.positional().empty() ? std::nullopt : std::optional(parse_bdf_arg(args.positional()[0], "PF"));
    std::vector<PfInfo> pfs = session.device().pfs();
    if (want) {
        std::erase_if(pfs, [&](const PfInfo& pf) { return pf.bdf != *want; });
        if (pfs.empty()) {
            throw Error(ENODEV, "XE_PFVF_IOC_LIST_PFS", want->str() + " is not a registered PF");
        }
    }
    const bool all = args.flag("all");
    Json out = Json::array();
    for (const PfInfo& pf : pfs) {
        Json vfs = Json::array();
        for (const VfInfo& vf : session.device().vfs(pf.bdf)) {
            if (all || vf.state != VfState::disabled) {
                vfs.push_back(vf_json(session, vf));
            }
        }
        out.push_back(Json{{"pf", pf.bdf.str()}, {"driver", pf.driver}, {"vfs", vfs}});
    }
    return Json{{"pfs", out}};
}

void vfs_render(const Json& j, std::ostream& out) {
    bool first = true;
    for (const Json& pf : j.at("pfs")) {
        if (!first) {
            out << '\n';
        }
        first = false;
        out << "PF " << pf.at("pf").get<std::string>() << " (" << pf.at("driver").get<std::string>() << "): ";
        if (pf.at("vfs").empty()) {
            out << "no VFs enabled\n";
            continue;
        }
        out << pf.at("vfs").size() << " VFs\n";
        render_vf_table(pf.at("vfs"), out, "  ");
    }
    if (j.at("pfs").empty()) {
        out << "no PF registered\n";
    }
}

Json show_run(Session& session, const ParsedArgs& args) {
    const VfRef ref = resolve_vf(session, args.positional().at(0));
    Json j{{"pf", ref.pf.bdf.str()}, {"pf_driver", ref.pf.driver}, {"lmem_bar", ref.pf.lmem_bar}};
    j["vf"] = vf_json(session, ref.vf);
    if (ref.vf.state == VfState::provisioned && ref.vf.quota > 0) {
        const Translation t =
            session.device().translate(ref.pf.bdf, ref.vf.vfid, Space::lmem, 0, ref.vf.quota);
        const bool raw = session.device().version().has(Cap::raw_addr);
        j["lmem"] = Json{{"space", "lmem"},
                         {"addr", 0},
                         {"length", ref.vf.quota},
                         {"generation", t.generation},
                         {"extents", extents_json(t, 0, raw)}};
    } else {
        j["lmem"] = nullptr;
    }
    j["show_all"] = args.flag("all");
    return j;
}

void show_render(const Json& j, std::ostream& out) {
    const Json& vf = j.at("vf");
    out << "VF " << vf.at("vf").get<unsigned>() << " of PF " << j.at("pf").get<std::string>() << " ("
        << j.at("pf_driver").get<std::string>() << "): " << cell(vf.at("pci")) << '\n';
    Table t({{"FIELD"}, {"VALUE"}});
    t.add({"state", vf.at("state").get<std::string>() + (vf.at("suspended").get<bool>() ? ", suspended" : "")});
    t.add({"generation", std::to_string(vf.at("generation").get<unsigned>())});
    const auto quota = vf.at("quota").get<std::uint64_t>();
    t.add({"quota", quota == 0 ? "-" : human_size(quota) + " (" + hex(quota) + ")"});
    t.add({"extents", std::to_string(vf.at("nr_extents").get<unsigned>())});
    std::string bar = "BAR" + std::to_string(j.at("lmem_bar").get<unsigned>()) + ", " + size_cell(vf.at("bar_size"));
    if (!vf.at("bar_cpu").is_null()) {
        bar += ", cpu " + hex(vf.at("bar_cpu").get<std::uint64_t>()) + ", bus " +
               hex(vf.at("bar_bus").get<std::uint64_t>());
    }
    t.add({"LMEM BAR", bar});
    t.add({"dma-bufs", std::to_string(vf.at("live_bufs").get<unsigned>()) + " live, " +
                           std::to_string(vf.at("quarantined").get<unsigned>()) + " quarantined provisionings"});
    t.add({"driver", cell(vf.at("pci_driver"))});
    t.add({"IOMMU group", vf.at("iommu_group").is_null() ? "-" : std::to_string(vf.at("iommu_group").get<unsigned>())});
    t.add({"DRM", drm_cell(vf.at("drm"))});
    t.print(out, "  ", false);
    const Json& lmem = j.at("lmem");
    if (lmem.is_null()) {
        out << "not provisioned: no LMEM\n";
        return;
    }
    out << "LMEM -> VRAM, generation " << lmem.at("generation").get<unsigned>() << ", "
        << lmem.at("extents").size() << " extents"
        << (lmem.at("extents").empty() || !lmem.at("extents")[0].at("vram").is_null()
                ? ""
                : " (VRAM addresses need CAP_SYS_ADMIN; handles are this run's)")
        << ":\n";
    render_extents(lmem.at("extents"), "lmem", j.at("show_all").get<bool>() ? SIZE_MAX : show_extents, out);
}

Json translate_run(Session& session, const ParsedArgs& args) {
    const auto space = parse_space(args.positional().at(1));
    if (!space) {
        throw UsageError("SPACE must be lmem, bar, cpu, bus or iova, not '" + args.positional()[1] + "'");
    }
    const std::uint64_t addr = number_arg(args.positional().at(2), "ADDR");
    const std::uint64_t length = number_arg(args.positional().at(3), "LEN");
    const VfRef ref = resolve_vf(session, args.positional()[0]);
    const Translation t = session.device().translate(ref.pf.bdf, ref.vf.vfid, *space, addr, length,
                                                     args.flag("aligned") ? translate_aligned : 0);
    const bool raw = session.device().version().has(Cap::raw_addr);
    return Json{{"pf", ref.pf.bdf.str()},
                {"vf", ref.vf.vfid},
                {"pci", ref.vf.bdf.str()},
                {"space", std::string(to_string(*space))},
                {"addr", addr},
                {"length", length},
                {"generation", t.generation},
                {"raw", raw},
                {"extents", extents_json(t, addr, raw)}};
}

void translate_render(const Json& j, std::ostream& out) {
    const std::string space = j.at("space").get<std::string>();
    out << "VF " << j.at("vf").get<unsigned>() << " (" << j.at("pci").get<std::string>() << ") " << space << " "
        << hex(j.at("addr").get<std::uint64_t>()) << "+" << hex(j.at("length").get<std::uint64_t>())
        << ": generation " << j.at("generation").get<unsigned>() << ", " << j.at("extents").size()
        << " extents" << (j.at("raw").get<bool>() ? "" : " (no VRAM addresses without CAP_SYS_ADMIN)") << '\n';
    render_extents(j.at("extents"), space, SIZE_MAX, out);
}

}  // namespace

Bdf parse_bdf_arg(std::string_view text, std::string_view what) {
    const auto bdf = Bdf::parse(text);
    if (!bdf) {
        throw UsageError(std::string(what) + ": '" + std::string(text) +
                         "' is not a PCI address (DDDD:BB:DD.F or BB:DD.F)");
    }
    return *bdf;
}

VfRef resolve_vf(Session& session, std::string_view spec) {
    const auto slash = spec.find('/');
    std::optional<Bdf> pf_bdf;
    std::optional<std::uint64_t> vfid;
    std::optional<Bdf> vf_bdf;
    if (slash != std::string_view::npos) {
        pf_bdf = parse_bdf_arg(spec.substr(0, slash), "VF");
        vfid = parse_number(spec.substr(slash + 1));
        if (!vfid || *vfid == 0 || *vfid > 0xffff) {
            throw UsageError("VF: '" + std::string(spec) + "': want PF/N with N from 1");
        }
    } else if (spec.find(':') == std::string_view::npos) {
        vfid = parse_number(spec);
        if (!vfid || *vfid == 0 || *vfid > 0xffff) {
            throw UsageError("VF: '" + std::string(spec) + "' is neither a PCI address, PF/N nor a VF number");
        }
    } else {
        vf_bdf = parse_bdf_arg(spec, "VF");
    }

    std::vector<PfInfo> pfs = session.device().pfs();
    if (pf_bdf) {
        std::erase_if(pfs, [&](const PfInfo& pf) { return pf.bdf != *pf_bdf; });
        if (pfs.empty()) {
            throw Error(ENODEV, "XE_PFVF_IOC_LIST_PFS", pf_bdf->str() + " is not a registered PF");
        }
    } else if (vfid && pfs.size() != 1) {
        throw UsageError("VF number " + std::to_string(*vfid) + " needs its PF (PF/N): " +
                         std::to_string(pfs.size()) + " PFs are registered");
    }
    for (const PfInfo& pf : pfs) {
        for (const VfInfo& vf : session.device().vfs(pf.bdf)) {
            const bool match = vf_bdf ? (vf.state != VfState::disabled && vf.bdf == *vf_bdf) : vf.vfid == *vfid;
            if (!match) {
                continue;
            }
            if (vf.state == VfState::disabled) {
                throw Error(ENODEV, "XE_PFVF_IOC_LIST_VFS",
                            "VF " + std::to_string(vf.vfid) + " of " + pf.bdf.str() + " is not enabled");
            }
            return VfRef{.pf = pf, .vf = vf};
        }
    }
    throw Error(ENODEV, "XE_PFVF_IOC_LIST_VFS", std::string(spec) + " is not a VF of a registered PF");
}

Json drm_json(Session& session, Bdf bdf) {
    const auto& drm = session.drm();
    const auto it = drm.find(bdf);
    if (it == drm.end()) {
        return nullptr;
    }
    const DrmInfo& d = it->second;
    return Json{{"card", d.card.empty() ? Json(nullptr) : Json(d.card)},
                {"render", d.render.empty() ? Json(nullptr) : Json(d.render)},
                {"driver", d.driver}};
}

std::string drm_cell(const Json& drm) {
    if (drm.is_null()) {
        return "-";
    }
    std::string nodes;
    for (const char* key : {"card", "render"}) {
        if (!drm.at(key).is_null()) {
            const auto path = drm.at(key).get<std::string>();
            nodes += (nodes.empty() ? "" : ",") + path.substr(path.rfind('/') + 1);
        }
    }
    return (nodes.empty() ? "-" : nodes) + " (" + drm.at("driver").get<std::string>() + ")";
}

std::string cell(const Json& value) { return value.is_null() ? "-" : value.get<std::string>(); }

Command status_command() {
    return Command{
        .name = "status",
        .synopsis = "status",
        .summary = "the uAPI version and capabilities, and the registered PFs",
        .description = "Shows the kernel's uAPI version, what this open file may do (raw-addr: VRAM and BAR\n"
                       "addresses are shown, which needs CAP_SYS_ADMIN; export: export by handle; p2p: the\n"
                       "kernel has PCI P2PDMA; iommu: it has an IOMMU API), and one line per registered PF:\n"
                       "its driver, VFs enabled/total, VRAM, the VFs' LMEM BAR, dma-bufs revoked for good so\n"
                       "far, the PCI driver bound to it and its DRM nodes.",
        .options = {},
        .min_args = 0,
        .max_args = 0,
        .run = status_run,
        .render = status_render,
    };
}

Command vfs_command() {
    return Command{
        .name = "vfs",
        .synopsis = "vfs [-a] [PF]",
        .summary = "the VF table of every PF, or of PF",
        .description = "One line per enabled VF: number, PCI address, state (enabled, provisioned), LMEM\n"
                       "quota, VRAM extents, provisioning generation, LMEM BAR size, live dma-bufs,\n"
                       "quarantined provisionings, flags, the PCI driver bound to it and its DRM nodes.",
        .options = {{.name = "all", .short_name = 'a', .value = {}, .help = "list disabled VF slots too"}},
        .min_args = 0,
        .max_args = 1,
        .run = vfs_run,
        .render = vfs_render,
    };
}

Command show_command() {
    return Command{
        .name = "show",
        .synopsis = "show [-a] VF",
        .summary = "one VF: its table entry and where its LMEM lives in VRAM",
        .description = "VF is a VF's PCI address (0000:01:00.1), PF/N (VF N of PF), or N when one PF is\n"
                       "registered.  Shows the VF's entry and the translation of its whole LMEM to VRAM\n"
                       "extents (the first 16 unless --all).  VRAM addresses need CAP_SYS_ADMIN; without it\n"
                       "extents carry handles that are equal for equal VRAM within this run only.",
        .options = {{.name = "all", .short_name = 'a', .value = {}, .help = "print every extent"}},
        .min_args = 1,
        .max_args = 1,
        .run = show_run,
        .render = show_render,
    };
}

Command translate_command() {
    return Command{
        .name = "translate",
        .synopsis = "translate [--aligned] VF SPACE ADDR LEN",
        .summary = "translate a range of a VF to VRAM extents",
        .description = "SPACE is lmem (LMEM offset), bar (LMEM BAR offset), cpu (CPU physical address in the\n"
                       "LMEM BAR), bus (PCI bus address in it) or iova (an IOVA of the VF's IOMMU domain, while\n"
                       "the kernel owns it).  ADDR and LEN are decimal or 0x hex, with an optional K, M, G\n"
                       "suffix.  Every byte must belong to the VF.",
        .options = {{.name = "aligned", .short_name = '\0', .value = {},
                     .help = "refuse (EINVAL) an ADDR or LEN that is not 4 KiB aligned"}},
        .min_args = 4,
        .max_args = 4,
        .run = translate_run,
        .render = translate_render,
    };
}

}  // namespace xe_pfvf::cli
