#pragma once

// The subcommands of xe-pfvf.  Each one computes a JSON value (what
// --json prints) and renders the same value for people, so that both
// always say the same.

#include "args.hpp"
#include "cli.hpp"

#include <nlohmann/json.hpp>

#include <xe_pfvf/xe_pfvf.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::cli {

using Json = nlohmann::ordered_json;

struct KeptExport;

/// One run of xe-pfvf: one open file of the device (opened when a command
/// first needs it), shared by the commands of a batch, with the exports
/// they kept (export --keep) until revoke or the end.
class Session {
public:
    Session(Env& env, std::string device_path, bool batch);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    Session(Session&&) = delete;
    Session& operator=(Session&&) = delete;
    /// Revokes what is still kept, newest first.
    ~Session();

    [[nodiscard]] Env& env() noexcept { return *env_; }
    [[nodiscard]] bool batch() const noexcept { return batch_; }
    /// The device, opened on first use.
    [[nodiscard]] const Device& device();
    /// The PCI DRM devices, looked up on first use.
    [[nodiscard]] const std::map<Bdf, DrmInfo>& drm();

    /// Exports kept by export --keep, oldest first.
    [[nodiscard]] std::vector<std::unique_ptr<KeptExport>>& kept() noexcept { return kept_; }

private:
    Env* env_;
    std::string device_path_;
    bool batch_;
    std::optional<Device> device_;
    std::optional<std::map<Bdf, DrmInfo>> drm_;
    std::vector<std::unique_ptr<KeptExport>> kept_;
};

/// A subcommand.
struct Command {
    std::string_view name;
    std::string_view synopsis;     ///< "vfs [OPTIONS] [PF]"
    std::string_view summary;      ///< one line
    std::string_view description;  ///< paragraphs for --help
    std::vector<OptionSpec> options;
    std::size_t min_args = 0;
    std::size_t max_args = 0;
    std::function<Json(Session&, const ParsedArgs&)> run;
    std::function<void(const Json&, std::ostream&)> render;
};

/// Every subcommand, in the order `xe-pfvf --help` lists them.
[[nodiscard]] const std::vector<Command>& commands();

// Building blocks shared by the commands (commands_info.cpp).

/// A VF as the commands name it, resolved against the kernel's table.
struct VfRef {
    PfInfo pf;
    VfInfo vf;
};

/// Resolves @spec: a VF's PCI address, "PF/N" (VF N of PF), or "N" when
/// one PF is registered.  A malformed @spec is a UsageError; one that
/// names no enabled VF fails (std::runtime_error).
[[nodiscard]] VfRef resolve_vf(Session& session, std::string_view spec);

/// A PF's PCI address; a UsageError if malformed.
[[nodiscard]] Bdf parse_bdf_arg(std::string_view text, std::string_view what);

/// The DRM nodes of @bdf as JSON (null when none).
[[nodiscard]] Json drm_json(Session& session, Bdf bdf);
/// "card0,renderD128 (xe)" or "-".
[[nodiscard]] std::string drm_cell(const Json& drm);
/// A JSON string or null as a cell ("-" for null).
[[nodiscard]] std::string cell(const Json& value);

/// The commands (one file each).
[[nodiscard]] Command status_command();
[[nodiscard]] Command vfs_command();
[[nodiscard]] Command show_command();
[[nodiscard]] Command translate_command();
[[nodiscard]] Command export_command();
[[nodiscard]] Command revoke_command();
[[nodiscard]] Command p2p_command();

}  // namespace xe_pfvf::cli
