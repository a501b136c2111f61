#pragma once

// The corpus: well-formed calls of all eight ioctls for the PFs and every
// VF slot the World has (every space, ranges at the start, end and middle
// of each VF's LMEM and BAR, arrays exact, short and oversized), which the
// fuzzer issues as they are or mutates.  Pure: the host tests build it.

#include "call.hpp"
#include "mutator.hpp"
#include "oracle.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace xe_pfvf::fuzz {

using Corpus = std::array<std::vector<Call>, ioc_count>;

/// The corpus for @world; EXPORT calls name the VFs in @bound (bound to
/// vfio-pci: their group fds go in at run time).
[[nodiscard]] Corpus build_corpus(const World& world, const std::vector<std::uint32_t>& bound);

/// The boundary values of @world for the mutator.
[[nodiscard]] Hints make_hints(const World& world);

}  // namespace xe_pfvf::fuzz
