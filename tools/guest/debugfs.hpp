#pragma once

// The xe_pfvf debugfs interface as the guest tests see it: parsers for the
// per-PF `vfs` and `provisioning` files (the "provisioning model") and for
// the `translate` result, and a client for `translate`.  See
// drivers/xe_pfvf/xe_pfvf_debugfs.c, "DOC: debugfs".

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::guest {

/// Where the module keeps its per-PF directories.
inline const std::filesystem::path debugfs_root{"/sys/kernel/debug/xe_pfvf"};

/// A BAR in CPU physical and PCI bus terms.
struct Bar {
    std::uint64_t cpu = 0;
    std::uint64_t bus = 0;
    std::uint64_t size = 0;
    bool operator==(const Bar&) const = default;
};

/// A run of VRAM: the unit of a translation result.
struct VramExtent {
    std::uint64_t start = 0;
    std::uint64_t size = 0;
    bool operator==(const VramExtent&) const = default;
};

/// One provisioned extent: VF LMEM offset, VRAM address, size.
struct LmemExtent {
    std::uint64_t lmem = 0;
    std::uint64_t vram = 0;
    std::uint64_t size = 0;
    bool operator==(const LmemExtent&) const = default;
};

/// One line of the `vfs` file.
struct VfRow {
    unsigned vf = 0;
    std::string bdf;
    std::string state;
    std::uint64_t quota = 0;
    unsigned nr_extents = 0;
    unsigned generation = 0;
    std::optional<Bar> bar;  ///< nullopt where the file shows "-"
};

/// One VF block of the `provisioning` file.
struct VfProvisioning {
    unsigned vf = 0;
    std::uint64_t quota = 0;
    unsigned generation = 0;
    std::vector<LmemExtent> extents;  ///< in LMEM order, as listed
};

/// A VF as both files describe it.
struct VfModel {
    unsigned vf = 0;
    std::string bdf;
    std::uint64_t quota = 0;
    unsigned generation = 0;
    Bar bar;
    std::vector<LmemExtent> extents;
};

/// The provisioning model of one PF.
struct PfModel {
    std::string pf;
    std::vector<VfModel> vfs;  ///< provisioned VFs with an LMEM BAR, by VF number

    /// The VF numbered @vf, or nullptr.
    [[nodiscard]] const VfModel* find(unsigned vf) const noexcept;
};

/// Parses a number in C notation as the kernel prints it: 0x-prefixed hex
/// or decimal.  nullopt if @text is not entirely such a number.
[[nodiscard]] std::optional<std::uint64_t> parse_number(std::string_view text) noexcept;

/// Parses the `vfs` file.  Columns are found by the header's names; unknown
/// columns are ignored.  Throws std::runtime_error if malformed.
[[nodiscard]] std::vector<VfRow> parse_vfs(std::string_view text);

/// Parses the `provisioning` file.  Throws std::runtime_error if malformed
/// (including an extent count that does not match the header line).
[[nodiscard]] std::vector<VfProvisioning> parse_provisioning(std::string_view text);

/// Joins the two files into a model: provisioned VFs that have an LMEM BAR.
/// Throws std::runtime_error if they disagree (quota, generation, extent
/// count) or a provisioned VF of one is missing from the other.
[[nodiscard]] PfModel make_model(std::string_view pf, std::span<const VfRow> rows,
                                 std::span<const VfProvisioning> provisioning);

/// Reads <debugfs>/xe_pfvf/<pf>/{vfs,provisioning} into a model.
[[nodiscard]] PfModel load_model(const std::string& pf);

/// A translation result as `translate` reports it.
struct Translation {
    int err = 0;
    unsigned vf = 0;
    unsigned generation = 0;
    unsigned nr_extents = 0;  ///< the "extents=" field: needed count on -E2BIG
    std::uint64_t bytes = 0;
    std::vector<VramExtent> extents;
};

/// Parses the text read back from `translate`.  Throws std::runtime_error
/// if malformed, or if the extent lines disagree with the header.
[[nodiscard]] Translation parse_translation(std::string_view text);

/// The `translate` file of one PF.
class Translator {
public:
    explicit Translator(std::filesystem::path path) : path_(std::move(path)) {}

    /// Writes @request (without a newline) to a fresh open of the file and
    /// reads the result back from it.  A refused write (malformed request)
    /// throws std::system_error with the write's errno.
    [[nodiscard]] Translation translate(std::string_view request) const;

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

/// Writes @request to @fd (one write) and reads the result back from @fd
/// until end of file.  Throws std::system_error on a failed write or read.
[[nodiscard]] std::string translate_on(int fd, std::string_view request);

}  // namespace xe_pfvf::guest
