#pragma once

// What the guest tests learn about the machine outside xe_pfvf: the physical
// address map (/proc/iomem) and a PCI device's BARs (sysfs `resource`).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::guest {

/// One line of /proc/iomem.
struct IomemEntry {
    std::uint64_t start = 0;
    std::uint64_t last = 0;  ///< inclusive
    unsigned depth = 0;      ///< nesting level, 0 for top-level entries
    std::string name;
};

/// Parses /proc/iomem text.  Throws std::runtime_error if malformed.
[[nodiscard]] std::vector<IomemEntry> parse_iomem(std::string_view text);

/// A page-aligned address inside a top-level "System RAM" entry, well away
/// from its edges; nullopt if there is none (or the addresses are hidden,
/// as they are from non-root readers).
[[nodiscard]] std::optional<std::uint64_t> system_ram_page(std::span<const IomemEntry> entries);

/// The highest page-aligned address below @limit that no top-level entry
/// covers (so no RAM, no BAR, no window): nullopt if there is none.
[[nodiscard]] std::optional<std::uint64_t> unassigned_page_below(std::span<const IomemEntry> entries,
                                                                 std::uint64_t limit);

/// One BAR from a PCI device's sysfs `resource` file.
struct PciResource {
    unsigned index = 0;
    std::uint64_t start = 0;
    std::uint64_t end = 0;  ///< inclusive
    std::uint64_t flags = 0;
};

/// Parses a sysfs `resource` file (lines "<start> <end> <flags>").
[[nodiscard]] std::vector<PciResource> parse_pci_resources(std::string_view text);

/// The first non-empty memory BAR among the standard BARs (0-5).
[[nodiscard]] std::optional<PciResource> first_memory_bar(std::span<const PciResource> resources);

}  // namespace xe_pfvf::guest
