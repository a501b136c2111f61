#pragma once

// Shared between the analyser's sources and its tests; not installed.

#include "xe_pfvf/p2p.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace xe_pfvf::p2p {

/// One entry of the kernel's pci_p2pdma_whitelist[].
struct AllowEntry {
    std::uint16_t vendor;
    std::uint16_t device;
    bool requires_same;  ///< REQ_SAME_HOST_BRIDGE
};

/// pci_p2pdma_whitelist[] of Linux 6.1 and 6.12.
[[nodiscard]] std::span<const AllowEntry> allow_list() noexcept;

/// The P2PDMA setting a kernel config text gives: built_in for
/// CONFIG_PCI_P2PDMA=y, not_built otherwise (unset or absent).
[[nodiscard]] P2pdmaConfig p2pdma_from_config(std::string_view config) noexcept;

/// @text as a JSON string literal, quotes included.
[[nodiscard]] std::string json_quote(std::string_view text);

}  // namespace xe_pfvf::p2p
