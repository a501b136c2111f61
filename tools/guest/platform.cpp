#include "platform.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <string>
#include <stdexcept>

namespace xe_pfvf::guest {

namespace {

constexpr std::uint64_t page_size = 4096;
constexpr std::uint64_t iomem_mem_flag = 0x200;  // IORESOURCE_MEM
constexpr unsigned std_bars = 6;

std::uint64_t hex(std::string_view text, std::string_view line) {
    if (text.starts_with("0x")) {
        text.remove_prefix(2);
    }
    std::uint64_t value = 0;
    const auto* const end = text.data() + text.size();  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [ptr, ec] = std::from_chars(text.data(), end, value, 16);
    if (text.empty() || ec != std::errc{} || ptr != end) {
        throw std::runtime_error("malformed line '" + std::string(line) + "'");
    }
    return value;
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        if (nl != 0) {
            lines.push_back(text.substr(0, nl));
        }
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return lines;
}

}  // namespace

std::vector<IomemEntry> parse_iomem(std::string_view text) {
    std::vector<IomemEntry> entries;
    for (const std::string_view line : lines_of(text)) {
        // "<indent><start>-<last> : <name>", two blanks per nesting level.
        const auto first = line.find_first_not_of(' ');
        const auto dash = line.find('-', first);
        const auto colon = line.find(" : ", first);
        if (first == std::string_view::npos || dash == std::string_view::npos ||
            colon == std::string_view::npos || dash > colon) {
            throw std::runtime_error("/proc/iomem: malformed line '" + std::string(line) + "'");
        }
        entries.push_back(IomemEntry{.start = hex(line.substr(first, dash - first), line),
                                     .last = hex(line.substr(dash + 1, colon - dash - 1), line),
                                     .depth = static_cast<unsigned>(first / 2),
                                     .name = std::string(line.substr(colon + 3))});
    }
    return entries;
}

std::optional<std::uint64_t> system_ram_page(std::span<const IomemEntry> entries) {
    const IomemEntry* best = nullptr;
    for (const IomemEntry& e : entries) {
        if (e.depth == 0 && e.name == "System RAM" && e.last > e.start &&
            (best == nullptr || e.last - e.start > best->last - best->start)) {
            best = &e;
        }
    }
    // Hidden addresses read as 0-0.
    if (best == nullptr || best->last - best->start < 4 * page_size) {
        return std::nullopt;
    }
    return (best->start + (best->last - best->start) / 2) & ~(page_size - 1);
}

std::optional<std::uint64_t> unassigned_page_below(std::span<const IomemEntry> entries,
                                                   std::uint64_t limit) {
    std::vector<IomemEntry> top;
    std::copy_if(entries.begin(), entries.end(), std::back_inserter(top),
                 [](const IomemEntry& e) { return e.depth == 0; });
    if (top.empty() || top.back().last == 0) {
        return std::nullopt;
    }
    std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    std::optional<std::uint64_t> found;
    std::uint64_t gap_start = 0;  // first address not covered so far
    const auto consider = [&](std::uint64_t gap_end) {  // exclusive
        gap_end = std::min(gap_end, limit) & ~(page_size - 1);
        const std::uint64_t start = (gap_start + page_size - 1) & ~(page_size - 1);
        if (gap_end >= start + page_size) {
            found = gap_end - page_size;
        }
    };
    for (const IomemEntry& e : top) {
        if (e.start > gap_start) {
            consider(e.start);
        }
        gap_start = std::max(gap_start, e.last + 1);
    }
    consider(limit);
    return found;
}

std::vector<PciResource> parse_pci_resources(std::string_view text) {
    std::vector<PciResource> resources;
    unsigned index = 0;
    for (const std::string_view line : lines_of(text)) {
        const auto sp1 = line.find(' ');
        const auto sp2 = line.find(' ', sp1 + 1);
        if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) {
            throw std::runtime_error("resource: malformed line '" + std::string(line) + "'");
        }
        resources.push_back(PciResource{.index = index++,
                                        .start = hex(line.substr(0, sp1), line),
                                        .end = hex(line.substr(sp1 + 1, sp2 - sp1 - 1), line),
                                        .flags = hex(line.substr(sp2 + 1), line)});
    }
    return resources;
}

std::optional<PciResource> first_memory_bar(std::span<const PciResource> resources) {
    for (const PciResource& r : resources) {
        if (r.index < std_bars && (r.flags & iomem_mem_flag) != 0 && r.end > r.start) {
            return r;
        }
    }
    return std::nullopt;
}

}  // namespace xe_pfvf::guest
