#include "checks.hpp"

#include "swpf.hpp"

#include <array>
#include <optional>
#include <sstream>

namespace xe_pfvf::stress {

namespace {

std::string hex(std::uint64_t value) {
    std::ostringstream out;
    out << "0x" << std::hex << value;
    return out.str();
}

bool contains(std::string_view line, std::string_view what) noexcept {
    return line.find(what) != std::string_view::npos;
}

constexpr std::size_t kept_lines = 10;

}  // namespace

PageCheck check_pages(std::span<const std::byte> data, unsigned vf, std::span<const std::uint64_t> page_lmem) {
    PageCheck check;
    if (data.size() != page_lmem.size() * page_size) {
        check.size_ok = false;
        check.first_bad = "read " + std::to_string(data.size()) + " bytes of a " +
                          std::to_string(page_lmem.size() * page_size) + "-byte buffer";
    }
    for (std::size_t i = 0; i < page_lmem.size() && (i + 1) * page_size <= data.size(); ++i) {
        const auto tag = guest::page_tag(data.subspan(i * page_size, page_size));
        if (!tag) {
            ++check.untagged;
            continue;
        }
        if (tag->vfid == vf && tag->lmem == page_lmem[i]) {
            ++check.tagged;
            continue;
        }
        const bool foreign = tag->vfid != vf;
        ++(foreign ? check.foreign : check.misplaced);
        if (check.first_bad.empty()) {
            check.first_bad = "page " + std::to_string(i) + " (VF" + std::to_string(vf) + " LMEM " + hex(page_lmem[i]) +
                              ") holds the page written as VF" + std::to_string(tag->vfid) + " LMEM " + hex(tag->lmem) +
                              " (seed " + hex(tag->seed) + ")";
        }
    }
    return check;
}

void tally_kernel_line(std::string_view line, KernelLog& log) {
    struct Needle {
        std::string_view text;
        std::uint64_t KernelLog::*counter;
        bool bad;
    };
    static constexpr std::array needles{
        Needle{"blocked for more than", &KernelLog::hung_tasks, true},
        Needle{"------------[ cut here ]", &KernelLog::splats, true},
        Needle{"WARNING:", &KernelLog::splats, true},
        Needle{"BUG:", &KernelLog::splats, true},
        Needle{"kernel BUG at", &KernelLog::splats, true},
        Needle{"Oops:", &KernelLog::splats, true},
        Needle{"general protection fault", &KernelLog::splats, true},
        Needle{"KASAN:", &KernelLog::splats, true},
        Needle{"UBSAN:", &KernelLog::splats, true},
        Needle{"refcount_t: ", &KernelLog::splats, true},
        Needle{"DEBUG_LOCKS_WARN_ON", &KernelLog::splats, true},
        Needle{"rcu: INFO:", &KernelLog::splats, true},
        Needle{"new suspected memory leak", &KernelLog::leaks, true},
        Needle{"unreferenced object 0x", &KernelLog::leaks, true},
        Needle{"does not fit the VRAM or the", &KernelLog::bad_mappings, true},
        Needle{"its VRAM stays quarantined until they let go", &KernelLog::stuck, false},
        Needle{"importers let go after", &KernelLog::unstuck, false},
        Needle{"VRAM quarantined by xe_pfvf, parked until released", &KernelLog::parked, false},
        Needle{"quarantined VRAM released", &KernelLog::released, false},
        Needle{"VRAM still quarantined at removal", &KernelLog::freed_at_removal, false},
    };
    for (const Needle& n : needles) {
        if (!contains(line, n.text)) {
            continue;
        }
        ++(log.*n.counter);
        if (n.bad && log.bad_lines.size() < kept_lines) {
            log.bad_lines.emplace_back(line);
        }
        return;
    }
}

}  // namespace xe_pfvf::stress
