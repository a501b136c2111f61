// export and revoke: VF memory exported by handle, made a dma-buf, read
// back by the software PF, revoked.
//
// A handle lives only as long as the open file of /dev/xe_pfvf that
// exported it, so `export` does the whole life cycle in one process:
// export, dma-buf, optional read-back through the software PF's import
// slot, optional hold, revoke, and the proof that the dma-buf is dead.
// In a batch (-b), `export --keep` keeps the handle for a later `revoke`.

#include "commands.hpp"
#include "format.hpp"
#include "system.hpp"

// The software PF's debugfs (import slots, fill pattern) and the driver
// binding, shared with the guest tests (tools/guest).
#include "swpf.hpp"
#include "vfio.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace xe_pfvf::cli {

/// An export kept by `export --keep`; members die in reverse order: the
/// handle is revoked first, then the dma-buf closed, the VFIO group
/// closed, the VF unbound if `--bind` bound it.
struct KeptExport {
    KeptExport(std::unique_ptr<guest::DriverBinding> binding_, UniqueFd group_, UniqueFd dmabuf_, ExportHandle handle_,
               Json what_)
        : binding(std::move(binding_)),
          group(std::move(group_)),
          dmabuf(std::move(dmabuf_)),
          handle(std::move(handle_)),
          what(std::move(what_)) {}
    KeptExport(const KeptExport&) = delete;
    KeptExport& operator=(const KeptExport&) = delete;
    KeptExport(KeptExport&&) = delete;
    KeptExport& operator=(KeptExport&&) = delete;
    ~KeptExport() = default;

    std::unique_ptr<guest::DriverBinding> binding;
    UniqueFd group;
    UniqueFd dmabuf;
    ExportHandle handle;
    Json what;  ///< vf, pci, space, offset, length
};

namespace {

/// Bytes of the read-back shown as hex.
constexpr std::size_t shown_bytes = 16;

/// The VF held through VFIO as a VMM holds it: its group open.
struct VfioHold {
    std::unique_ptr<guest::DriverBinding> binding;
    UniqueFd group;
    unsigned group_id = 0;
    std::string driver;
};

VfioHold hold_vfio(Session& session, Bdf vf, bool bind) {
    const auto& sysfs = session.env().sysfs;
    VfioHold hold;
    const auto driver = pci_driver(sysfs, vf);
    if (driver && is_vfio_driver(*driver)) {
        hold.driver = *driver;
    } else if (!bind) {
        throw std::runtime_error(vf.str() + " is bound to " + (driver ? *driver : std::string("no driver")) +
                                 ", not to a VFIO driver: bind it to vfio-pci (driver_override) or pass --bind");
    } else {
        if (!std::filesystem::exists(sysfs / "bus/pci/drivers/vfio-pci")) {
            throw std::runtime_error("--bind: vfio-pci is not loaded (modprobe vfio-pci)");
        }
        hold.binding = std::make_unique<guest::DriverBinding>(vf.str(), "vfio-pci");
        hold.driver = "vfio-pci";
    }
    const auto group = iommu_group(sysfs, vf);
    if (!group) {
        throw std::runtime_error(vf.str() + " has no IOMMU group: VFIO cannot hold it");
    }
    hold.group_id = *group;
    const std::string path = "/dev/vfio/" + std::to_string(*group);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): POSIX open() is variadic
    hold.group.reset(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!hold.group) {
        const int err = errno;
        throw Error(err, "open", path + (err == EBUSY ? ": another process (a VMM?) holds the VF's group, and only "
                                                        "its holder may export the VF's memory"
                                                      : ""));
    }
    return hold;
}

std::uint64_t fnv1a64(std::span<const std::byte> bytes) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const std::byte b : bytes) {
        h ^= std::to_integer<std::uint64_t>(b);
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string hex_bytes(std::span<const std::byte> bytes) {
    static constexpr std::string_view digits = "0123456789abcdef";
    std::string out;
    for (const std::byte b : bytes) {
        const auto v = std::to_integer<unsigned>(b);
        out += (out.empty() ? "" : " ");
        out += digits.at(v >> 4U);
        out += digits.at(v & 0xfU);
    }
    return out;
}

Json slot_json(const guest::SlotStatus& s) {
    return Json{{"state", s.state}, {"mode", s.mode},       {"vf", s.vf},          {"size", s.size},
                {"extents", s.nr_extents}, {"notified", s.notified}, {"err", s.err}};
}

/// An import slot of the software PF that is free: @wanted, or the first
/// empty one.
guest::ImportSlot pick_slot(const guest::SwpfDebugfs& swpf, const std::optional<std::uint64_t>& wanted) {
    if (wanted) {
        return swpf.slot(static_cast<unsigned>(*wanted));
    }
    for (unsigned k = 0; k < guest::swpf_import_slots; ++k) {
        guest::ImportSlot slot = swpf.slot(k);
        if (slot.status().state == "empty") {
            return slot;
        }
    }
    throw std::runtime_error("every import slot of the software PF in " + swpf.dir().string() + " is in use");
}

struct ExportRequest {
    Space space = Space::lmem;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::optional<std::uint64_t> fill_seed;
    bool readback = false;
};

/// The request as the options give it; a UsageError before anything
/// reaches the kernel.
ExportRequest export_request(const ParsedArgs& args) {
    ExportRequest req;
    if (const auto space = args.value("space")) {
        const auto s = parse_space(*space);
        if (!s || (*s != Space::lmem && *s != Space::bar)) {
            throw UsageError("--space: lmem or bar, not '" + *space + "'");
        }
        req.space = *s;
    }
    req.offset = args.number("offset").value_or(0);
    req.length = args.number("length").value_or(0);
    req.fill_seed = args.number("fill");
    req.readback = args.flag("readback") || req.fill_seed.has_value();
    return req;
}

/// Without --length: to the end of the quota (lmem) or of the BAR (bar).
void default_length(ExportRequest& req, const ParsedArgs& args, const VfRef& ref) {
    if (ref.vf.state != VfState::provisioned || ref.vf.quota == 0) {
        throw Error(ENOENT, "XE_PFVF_IOC_EXPORT", ref.vf.bdf.str() + " is not provisioned");
    }
    if (!args.value("length")) {
        const std::uint64_t size = req.space == Space::lmem ? ref.vf.quota : std::min(ref.vf.quota, ref.vf.bar_size);
        req.length = req.offset < size ? size - req.offset : 0;
    }
}

/// The read-back: the software PF imports the dma-buf into a slot over
/// the private interconnect and reads it through VRAM.
Json read_back(const guest::ImportSlot& slot, int dmabuf_fd, const ExportRequest& req) {
    slot.import(dmabuf_fd);
    const guest::SlotStatus status = slot.status();
    const std::vector<std::byte> data = slot.data();
    Json j{{"slot", slot.dir().filename().string()},
           {"status", slot_json(status)},
           {"bytes", data.size()},
           {"fnv1a64", hex(fnv1a64(data))},
           {"first_bytes", hex_bytes(std::span(data).first(std::min(data.size(), shown_bytes)))}};
    if (req.fill_seed) {
        // The LMEM BAR maps LMEM from offset 0: BAR offsets are LMEM offsets.
        const guest::LmemRange range{.offset = req.offset, .length = req.length};
        const std::vector<std::byte> want = guest::expected_pattern(*req.fill_seed, std::span(&range, 1));
        const auto [g, w] = std::mismatch(data.begin(), data.end(), want.begin(), want.end());
        j["pattern_seed"] = *req.fill_seed;
        j["matches_pattern"] = g == data.end() && w == want.end();
        if (g != data.end() || w != want.end()) {
            j["first_difference"] = static_cast<std::uint64_t>(g - data.begin());
        }
    }
    return j;
}

/// After the revocation: the PF's import of the revoked dma-buf must be
/// refused (ENODEV).
Json import_after_revoke(const guest::ImportSlot& slot, int dmabuf_fd) {
    try {
        slot.import(dmabuf_fd);
    } catch (const std::system_error& e) {
        return Json{{"refused", true}, {"errno", e.code().value()}, {"errno_name", errno_name(e.code().value())}};
    }
    slot.ctl("release");
    return Json{{"refused", false}};
}

std::uint32_t live_bufs_of(Session& session, const VfRef& ref) {
    for (const VfInfo& vf : session.device().vfs(ref.pf.bdf)) {
        if (vf.vfid == ref.vf.vfid) {
            return vf.live_bufs;
        }
    }
    return 0;
}

Json dmabuf_json(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        throw Error(errno, "fstat", "dma-buf");
    }
    const off_t size = ::lseek(fd, 0, SEEK_END);
    if (size < 0) {
        throw Error(errno, "lseek", "dma-buf");
    }
    return Json{{"fd", fd}, {"inode", static_cast<std::uint64_t>(st.st_ino)}, {"size", static_cast<std::uint64_t>(size)}};
}

Json export_run(Session& session, const ParsedArgs& args) {
    ExportRequest req = export_request(args);
    const bool keep = args.flag("keep");
    const auto hold_seconds = args.number("hold");
    const auto slot_wanted = args.number("slot");
    if (slot_wanted && *slot_wanted >= guest::swpf_import_slots) {
        throw UsageError("--slot: the software PF has slots 0.." + std::to_string(guest::swpf_import_slots - 1));
    }
    const VfRef ref = resolve_vf(session, args.positional().at(0));
    default_length(req, args, ref);

    std::optional<guest::SwpfDebugfs> swpf;
    if (req.readback) {
        swpf.emplace(ref.pf.bdf.str());
        if (!swpf->exists()) {
            throw std::runtime_error("--readback needs the software PF (xe_pfvf_swpf) as " + ref.pf.bdf.str() +
                                     "'s driver: no " + swpf->dir().string());
        }
        if (req.fill_seed) {
            swpf->fill(ref.vf.vfid, req.offset, req.length, *req.fill_seed);
        }
    }

    VfioHold vfio = hold_vfio(session, ref.vf.bdf, args.flag("bind"));
    Json j{{"pf", ref.pf.bdf.str()},
           {"vf", ref.vf.vfid},
           {"pci", ref.vf.bdf.str()},
           {"space", std::string(to_string(req.space))},
           {"offset", req.offset},
           {"length", req.length},
           {"vfio", Json{{"group", vfio.group_id}, {"driver", vfio.driver}, {"bound_here", vfio.binding != nullptr}}}};

    ExportHandle handle = session.device().export_range(vfio.group.get(), ref.vf.bdf, req.space, req.offset, req.length);
    j["handle"] = handle.value();
    UniqueFd dmabuf = handle.dmabuf(O_RDWR | O_CLOEXEC);
    j["dmabuf"] = dmabuf_json(dmabuf.get());
    j["live_bufs"] = live_bufs_of(session, ref);

    std::optional<guest::SlotGuard> slot;
    if (req.readback) {
        slot.emplace(pick_slot(*swpf, slot_wanted));
        j["readback"] = read_back(**slot, dmabuf.get(), req);
    }
    if (hold_seconds) {
        *session.env().err << "xe-pfvf: holding handle " << hex(handle.value()) << " and its dma-buf for "
                           << *hold_seconds << " s\n";
        session.env().sleep(std::chrono::seconds(*hold_seconds));
        j["held_seconds"] = *hold_seconds;
    }
    bool ok = !j.contains("readback") || j["readback"].value("matches_pattern", true);
    if (keep) {
        auto kept = std::make_unique<KeptExport>(
            std::move(vfio.binding), std::move(vfio.group), std::move(dmabuf), std::move(handle),
            Json{{"vf", ref.vf.vfid}, {"pci", ref.vf.bdf.str()}, {"space", j["space"]}, {"offset", req.offset},
                 {"length", req.length}});
        session.kept().push_back(std::move(kept));
        j["revoke"] = nullptr;
        j["kept"] = true;
    } else {
        const RevokeResult r = handle.revoke();
        j["revoke"] = Json{{"revoked", r.revoked}, {"busy", r.busy}};
        j["kept"] = false;
        if (slot) {
            j["readback"]["status_after_revoke"] = slot_json((*slot)->status());
            (*slot)->ctl("release");
            j["after_revoke"] = import_after_revoke(**slot, dmabuf.get());
            ok = ok && j["after_revoke"]["refused"].get<bool>();
        }
        j["live_bufs_after_revoke"] = live_bufs_of(session, ref);
    }
    j["ok"] = ok;
    return j;
}

void export_render(const Json& j, std::ostream& out) {
    const Json& vfio = j.at("vfio");
    out << "export VF " << j.at("vf").get<unsigned>() << " (" << j.at("pci").get<std::string>() << ") "
        << j.at("space").get<std::string>() << " " << hex(j.at("offset").get<std::uint64_t>()) << "+"
        << hex(j.at("length").get<std::uint64_t>()) << " through VFIO group " << vfio.at("group").get<unsigned>()
        << " (" << vfio.at("driver").get<std::string>() << (vfio.at("bound_here").get<bool>() ? ", bound by --bind" : "")
        << ")\n";
    Table t({{"STEP"}, {"RESULT"}});  // printed without its header
    t.add({"handle", hex(j.at("handle").get<std::uint64_t>()) + " (valid in this process's open file only)"});
    const Json& buf = j.at("dmabuf");
    t.add({"dma-buf", "fd " + std::to_string(buf.at("fd").get<int>()) + ", inode " +
                          std::to_string(buf.at("inode").get<std::uint64_t>()) + ", " +
                          human_size(buf.at("size").get<std::uint64_t>()) + "; the VF's unreleased dma-bufs: " +
                          std::to_string(j.at("live_bufs").get<unsigned>())});
    if (j.contains("readback")) {
        const Json& rb = j.at("readback");
        const Json& st = rb.at("status");
        t.add({"PF import", rb.at("slot").get<std::string>() + " of xe_pfvf_swpf: " + st.at("state").get<std::string>() +
                                " over " + st.at("mode").get<std::string>() + ", " +
                                std::to_string(st.at("extents").get<unsigned>()) + " VRAM extents"});
        t.add({"PF read", human_size(rb.at("bytes").get<std::uint64_t>()) + ", fnv1a64 " +
                              rb.at("fnv1a64").get<std::string>() + ", first bytes " +
                              rb.at("first_bytes").get<std::string>()});
        if (rb.contains("matches_pattern")) {
            t.add({"check", std::string(rb.at("matches_pattern").get<bool>() ? "matches" : "DIFFERS FROM") +
                                " the pattern of seed " + hex(rb.at("pattern_seed").get<std::uint64_t>()) +
                                " the PF wrote"});
        }
    }
    if (j.contains("held_seconds")) {
        t.add({"hold", std::to_string(j.at("held_seconds").get<std::uint64_t>()) + " s"});
    }
    if (j.at("kept").get<bool>()) {
        t.add({"revoke", "not yet: kept for `revoke` (or until this run ends)"});
    } else {
        const Json& r = j.at("revoke");
        t.add({"revoke", std::to_string(r.at("revoked").get<unsigned>()) + " dma-buf(s) revoked, " +
                             std::to_string(r.at("busy").get<unsigned>()) + " busy; the VF's unreleased dma-bufs: " +
                             std::to_string(j.at("live_bufs_after_revoke").get<unsigned>())});
        if (j.contains("readback")) {
            const Json& st = j.at("readback").at("status_after_revoke");
            t.add({"PF import", "after revoke: " + st.at("state").get<std::string>() + ", notified " +
                                    std::to_string(st.at("notified").get<unsigned>()) + " time(s)"});
            const Json& after = j.at("after_revoke");
            t.add({"re-import", after.at("refused").get<bool>()
                                    ? "refused: " + after.at("errno_name").get<std::string>()
                                    : "ACCEPTED: the revoked dma-buf still maps"});
        }
    }
    t.print(out, "  ", false);
    out << (j.at("ok").get<bool>() ? "ok\n" : "FAILED\n");
}

Json revoke_kept(Session& session, std::size_t index) {
    auto& kept = session.kept();
    std::unique_ptr<KeptExport> k = std::move(kept.at(index));
    kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(index));
    const std::uint64_t value = k->handle.value();
    const RevokeResult r = k->handle.revoke();
    Json j = k->what;
    j["handle"] = value;
    j["revoked"] = r.revoked;
    j["busy"] = r.busy;
    return j;
}

Json revoke_run(Session& session, const ParsedArgs& args) {
    auto& kept = session.kept();
    if (args.positional().empty()) {
        if (kept.empty()) {
            throw UsageError("no handle to revoke: this run kept none (export --keep earlier in a batch, -b)");
        }
        return revoke_kept(session, kept.size() - 1);
    }
    const std::uint64_t value = number_arg(args.positional()[0], "HANDLE");
    const auto it = std::find_if(kept.begin(), kept.end(), [&](const auto& k) { return k->handle.value() == value; });
    if (it != kept.end()) {
        return revoke_kept(session, static_cast<std::size_t>(it - kept.begin()));
    }
    try {
        const RevokeResult r = session.device().revoke(value);
        return Json{{"handle", value}, {"revoked", r.revoked}, {"busy", r.busy}};
    } catch (const Error& e) {
        if (e.error() != ENOENT) {
            throw;
        }
        throw Error(ENOENT, e.operation(),
                    hex(value) + " is not a handle of this run's open file: handles die with the file that "
                    "exported them (export --keep and revoke in one batch, -b)");
    }
}

void revoke_render(const Json& j, std::ostream& out) {
    out << "revoked handle " << hex(j.at("handle").get<std::uint64_t>());
    if (j.contains("vf")) {
        out << " of VF " << j.at("vf").get<unsigned>() << " (" << j.at("pci").get<std::string>() << ") "
            << j.at("space").get<std::string>() << " " << hex(j.at("offset").get<std::uint64_t>()) << "+"
            << hex(j.at("length").get<std::uint64_t>());
    }
    out << ": " << j.at("revoked").get<unsigned>() << " dma-buf(s) revoked, " << j.at("busy").get<unsigned>()
        << " busy\n";
}

}  // namespace

Session::Session(Env& env, std::string device_path, bool batch)
    : env_(&env), device_path_(std::move(device_path)), batch_(batch) {}

Session::~Session() {
    while (!kept_.empty()) {
        kept_.pop_back();
    }
}

const Device& Session::device() {
    if (!device_) {
        device_.emplace(env_->open_device(device_path_));
    }
    return *device_;
}

const std::map<Bdf, DrmInfo>& Session::drm() {
    if (!drm_) {
        drm_.emplace(env_->drm ? env_->drm() : std::map<Bdf, DrmInfo>{});
    }
    return *drm_;
}

Command export_command() {
    return Command{
        .name = "export",
        .synopsis = "export [OPTIONS] VF",
        .summary = "export VF memory by handle, as a dma-buf; read it back through the PF; revoke",
        .description =
            "Holds the VF through VFIO as a VMM does (opens its VFIO group: the VF must be bound to vfio-pci or\n"
            "a vfio-pci variant driver, or --bind binds it to vfio-pci for the run), exports the range as an\n"
            "opaque handle of this process's open file of /dev/xe_pfvf, makes a dma-buf of it, then revokes\n"
            "the handle and reports.  Handles die with the open file, so this happens in one process; --hold\n"
            "keeps everything live for a while, and in a batch (-b) --keep keeps it for a later `revoke`.\n"
            "--readback has the software PF (xe_pfvf_swpf) import the dma-buf over the private interconnect\n"
            "and read it through VRAM; after the revocation it must refuse to import it again (ENODEV).",
        .options = {{.name = "space", .short_name = 's', .value = "SPACE", .help = "lmem (default) or bar"},
                    {.name = "offset", .short_name = 'o', .value = "N", .help = "first byte, 4 KiB aligned (default 0)"},
                    {.name = "length", .short_name = 'l', .value = "N",
                     .help = "bytes, 4 KiB aligned (default: to the end of the quota or BAR)"},
                    {.name = "bind", .short_name = '\0', .value = {},
                     .help = "bind the VF to vfio-pci (driver_override) for the run if no VFIO driver has it"},
                    {.name = "readback", .short_name = 'r', .value = {},
                     .help = "the software PF imports and reads the dma-buf (checksum, first bytes)"},
                    {.name = "fill", .short_name = '\0', .value = "SEED",
                     .help = "the software PF writes its pattern of SEED first, and the read-back must match it "
                             "(implies --readback)"},
                    {.name = "slot", .short_name = '\0', .value = "K", .help = "the import slot (default: a free one)"},
                    {.name = "hold", .short_name = '\0', .value = "SECONDS",
                     .help = "keep handle, dma-buf and import live this long before revoking"},
                    {.name = "keep", .short_name = 'k', .value = {},
                     .help = "do not revoke: keep the handle until `revoke` or the end of the run"}},
        .min_args = 1,
        .max_args = 1,
        .run = export_run,
        .render = export_render,
    };
}

Command revoke_command() {
    return Command{
        .name = "revoke",
        .synopsis = "revoke [HANDLE]",
        .summary = "revoke a handle this run exported (export --keep in a batch)",
        .description = "Revokes HANDLE, or the last handle kept by `export --keep` in this run, and reports how\n"
                       "many dma-bufs that revoked and how many an importer still maps (busy).  Handles are\n"
                       "per open file: a handle of another process, or of an earlier run, is ENOENT here.",
        .options = {},
        .min_args = 0,
        .max_args = 1,
        .run = revoke_run,
        .render = revoke_render,
    };
}

}  // namespace xe_pfvf::cli
