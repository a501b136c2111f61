#pragma once

// The fuzzer's random numbers: SplitMix64, so that a seed gives the same
// sequence with any standard library (std::uniform_int_distribution is
// not specified bit for bit).

#include <cstddef>
#include <cstdint>
#include <span>

namespace xe_pfvf::fuzz {

class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept : state_(seed) {}

    [[nodiscard]] std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31U);
    }
    /// 0 .. @n - 1 (0 for @n 0); the modulo bias is irrelevant here.
    [[nodiscard]] std::uint64_t below(std::uint64_t n) noexcept { return n == 0 ? 0 : next() % n; }
    [[nodiscard]] std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(next() >> 32U); }
    /// True with probability @percent / 100.
    [[nodiscard]] bool chance(unsigned percent) noexcept { return below(100) < percent; }
    template <typename T>
    [[nodiscard]] const T& pick(std::span<const T> items) noexcept {
        return items[static_cast<std::size_t>(below(items.size()))];
    }

private:
    std::uint64_t state_;
};

}  // namespace xe_pfvf::fuzz
