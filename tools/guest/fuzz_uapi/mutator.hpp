#pragma once

// The mutations: each takes a well-formed call from the corpus and breaks
// it in one to three ways aimed at what the kernel checks: the size
// protocol (0, 1, ver0 - 1, ver0, ver0 + 8, a page, a page + 1, huge, a
// non-zero tail), flags and pads, the fields' boundary values (addresses
// around BAR and quota ends, ranges that wrap, odd counts and entry
// sizes, spaces, VF numbers, PCI functions), bad struct and array
// pointers, wrong commands, and handles and fds that are not what they
// should be.  Deterministic: the same seed and corpus give the same calls.

#include "call.hpp"
#include "rng.hpp"

#include <cstdint>
#include <vector>

namespace xe_pfvf::fuzz {

/// What the machine offers as interesting values.
struct Hints {
    std::vector<std::uint64_t> addresses;  ///< quotas, BAR sizes and bases, PF BARs
    std::vector<std::uint32_t> bdfs;       ///< PCI functions that exist, PFs and VFs first
    std::uint16_t total_vfs = 0;
    std::uint32_t max_avail = 0;  ///< the most entries any listing returns
};

class Mutator {
public:
    explicit Mutator(std::uint64_t seed) noexcept : rng_(seed) {}

    /// @base with one to three mutations; Call::what names them.
    [[nodiscard]] Call mutate(Call base, const Hints& hints);

    /// The generator the mutations draw from (the runner draws its other
    /// choices from it too, so that one seed drives a run).
    [[nodiscard]] Rng& rng() noexcept { return rng_; }

private:
    void mutate_size(Call& c);
    void mutate_tail(Call& c);
    void mutate_flags(Call& c);
    void mutate_pad(Call& c);
    void mutate_flip(Call& c);
    void mutate_field(Call& c, const Hints& hints);
    void mutate_range(Call& c, const Hints& hints);
    void mutate_arg_place(Call& c);
    void mutate_array_place(Call& c);
    void mutate_command(Call& c);
    void mutate_handle(Call& c);
    void mutate_fd(Call& c);
    [[nodiscard]] std::uint64_t boundary(const Field& f, const Call& c, const Hints& hints);
    [[nodiscard]] std::uint64_t address_value(const Hints& hints);

    Rng rng_;
};

/// Whether the VFS handles @cmd itself on any file (FIOCLEX, FIGETBSZ,
/// FIFREEZE, ...) before the driver sees it: random commands avoid these
/// types.
[[nodiscard]] bool vfs_ioctl_type(std::uint32_t type) noexcept;

}  // namespace xe_pfvf::fuzz
