#include "guard.hpp"

#include <algorithm>
#include <sstream>

namespace xe_pfvf::fuzz {

void fill_pattern(std::span<std::uint8_t> region, std::uint64_t seed) noexcept {
    std::uint64_t x = seed | 1U;
    for (std::size_t i = 0; i < region.size(); ++i) {
        if (i % 8 == 0) {
            x ^= x << 13U;
            x ^= x >> 7U;
            x ^= x << 17U;
        }
        const auto b = static_cast<std::uint8_t>(x >> (8U * (i % 8)));
        region[i] = b == 0 ? 0xa5 : b;
    }
}

std::string Violation::describe() const {
    std::ostringstream out;
    out << "byte " << offset << " changed from 0x" << std::hex << static_cast<unsigned>(before) << " to 0x"
        << static_cast<unsigned>(after) << std::dec << " (" << changed << " bytes changed where nothing may write)";
    return out.str();
}

void Snapshot::take(std::span<const std::uint8_t> region) { before_.assign(region.begin(), region.end()); }

std::optional<Violation> Snapshot::changed_outside(std::span<const std::uint8_t> now,
                                                   std::span<const ByteRange> allowed) const {
    std::optional<Violation> first;
    const std::size_t n = std::min(now.size(), before_.size());
    if (std::equal(now.begin(), now.begin() + static_cast<std::ptrdiff_t>(n), before_.begin())) {
        return first;
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (now[i] == before_[i]) {
            continue;
        }
        const bool ok =
            std::any_of(allowed.begin(), allowed.end(), [i](const ByteRange& r) { return i >= r.begin && i < r.end; });
        if (ok) {
            continue;
        }
        if (!first) {
            first = Violation{.offset = i, .before = before_[i], .after = now[i], .changed = 0};
        }
        ++first->changed;
    }
    return first;
}

}  // namespace xe_pfvf::fuzz
