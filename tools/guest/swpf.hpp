#pragma once

// The software PF's debugfs interface as the dma-buf tests see it: `fill`
// (the PF writing a VF's LMEM), `vf` (provisioning), the import slots (the
// PF importing a dma-buf and reading it through VRAM), and the pattern and
// page tags `fill` writes.  See
// drivers/xe_pfvf/backends/xe_pfvf_swpf_import.c, "DOC: software PF as
// importer".

#include "debugfs.hpp"
#include "expected.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xe_pfvf::guest {

/// Where the software PF keeps its per-PF directories.
inline const std::filesystem::path swpf_debugfs_root{"/sys/kernel/debug/xe_pfvf_swpf"};

/// Import slots per PF (SWPF_IMPORT_SLOTS).
inline constexpr unsigned swpf_import_slots = 4;

/// The byte `fill` writes at LMEM offset @lmem with @seed (swpf_pattern_byte()).
[[nodiscard]] constexpr std::uint8_t pattern_byte(std::uint64_t seed, std::uint64_t lmem) noexcept {
    std::uint64_t x = (seed * 0x9e3779b97f4a7c15ULL) ^ ((lmem + 1) * 0xbf58476d1ce4e5b9ULL);
    x ^= x << 13U;
    x ^= x >> 7U;
    x ^= x << 17U;
    return static_cast<std::uint8_t>(x >> 56U);
}

/// The head of a page that `fill` wrote with `tag` (struct swpf_tag in
/// drivers/xe_pfvf/backends/xe_pfvf_swpf.h): whose LMEM the page was
/// written as.
struct SwpfTag {
    std::uint64_t magic = 0;
    std::uint64_t vfid = 0;
    std::uint64_t lmem = 0;  ///< the page's offset in that VF's LMEM
    std::uint64_t seed = 0;
};

/// SWPF_TAG_MAGIC, "expfvTAG" in memory.
inline constexpr std::uint64_t swpf_tag_magic = 0x4741547666707865ULL;

/// The tag @page starts with, or nullopt if it starts with none (never
/// filled with `tag`, or filled without).
[[nodiscard]] std::optional<SwpfTag> page_tag(std::span<const std::byte> page) noexcept;

/// What a buffer made of @ranges of a VF's LMEM, concatenated, holds after
/// `fill` wrote the pattern of @seed over all of them.
[[nodiscard]] std::vector<std::byte> expected_pattern(std::uint64_t seed, std::span<const LmemRange> ranges);

/// How a slot imported its buffer.
enum class ImportMode {
    lmem,      ///< the private interconnect
    standard,  ///< dma_buf_dynamic_attach() + dma_buf_map_attachment()
};

/// What the importer does when the exporter revokes its buffer.
enum class ImportBehaviour {
    cooperative,  ///< unmaps in move_notify, as every importer must
    stall,        ///< "stall": a hostile importer that ignores the revocation and keeps its mapping
};

/// A slot's `status`.
struct SlotStatus {
    std::string state;  ///< empty, mapped, unmapped, revoked
    std::string mode;   ///< -, lmem, standard
    unsigned vf = 0;
    std::uint64_t size = 0;
    unsigned nr_extents = 0;
    unsigned notified = 0;
    int err = 0;  ///< negative errno of the last import or ctl write
    std::vector<VramExtent> extents;
};

/// Parses a slot's `status`.  Throws std::runtime_error if malformed or if
/// the extent lines disagree with the header.
[[nodiscard]] SlotStatus parse_slot_status(std::string_view text);

/// One import slot, `<pf>/slot<k>/`.
class ImportSlot {
public:
    explicit ImportSlot(std::filesystem::path dir) : dir_(std::move(dir)) {}

    /// Writes "<fd>[ standard][ stall]" to `import`; throws
    /// std::system_error with the write's errno if refused.
    void import(int fd, ImportMode mode = ImportMode::lmem,
                ImportBehaviour behaviour = ImportBehaviour::cooperative) const;
    /// Writes @command (map, unmap, release) to `ctl`; throws as import().
    void ctl(std::string_view command) const;
    /// Reads `status`.
    [[nodiscard]] SlotStatus status() const;
    /// Reads all of `data`; throws std::system_error with the read's errno.
    [[nodiscard]] std::vector<std::byte> data() const;

    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }

private:
    std::filesystem::path dir_;
};

/// A slot released when this object dies, whatever the test did with it.
class SlotGuard {
public:
    explicit SlotGuard(ImportSlot slot) : slot_(std::move(slot)) {}
    SlotGuard(const SlotGuard&) = delete;
    SlotGuard& operator=(const SlotGuard&) = delete;
    SlotGuard(SlotGuard&&) = delete;
    SlotGuard& operator=(SlotGuard&&) = delete;
    ~SlotGuard();

    [[nodiscard]] const ImportSlot& operator*() const noexcept { return slot_; }
    [[nodiscard]] const ImportSlot* operator->() const noexcept { return &slot_; }

private:
    ImportSlot slot_;
};

/// The software PF's directory of one PF.
class SwpfDebugfs {
public:
    explicit SwpfDebugfs(const std::string& pf) : dir_(swpf_debugfs_root / pf) {}

    [[nodiscard]] bool exists() const;
    /// Writes "vf=<n> lmem=<offset> len=<len> seed=<s>" to `fill`; throws
    /// std::system_error with the write's errno if refused.
    void fill(unsigned vf, std::uint64_t lmem, std::uint64_t len, std::uint64_t seed) const;
    /// The same with "tag": every 4 KiB page then starts with a SwpfTag
    /// naming @vf (@lmem and @len page-aligned).
    void fill_tagged(unsigned vf, std::uint64_t lmem, std::uint64_t len, std::uint64_t seed) const;
    /// Writes @request as is to `fill` (for malformed requests).
    void fill_raw(std::string_view request) const;
    /// Writes "provision <vf>" to `vf`; throws std::system_error with the
    /// write's errno (EEXIST: provisioned already; EBUSY: VRAM quarantined).
    void provision(unsigned vf) const;
    /// Writes "unprovision <vf>" to `vf`; throws as provision() (EBUSY: an
    /// importer still maps the VRAM, which xe_pfvf quarantined).
    void unprovision(unsigned vf) const;
    [[nodiscard]] ImportSlot slot(unsigned k) const;

    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }

private:
    std::filesystem::path dir_;
};

}  // namespace xe_pfvf::guest
