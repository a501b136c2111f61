#pragma once

// The fuzz run inside the test VM: learns the machine (PFs, VF slots and
// their provisioning, PCI functions), binds VFs to vfio-pci for EXPORT,
// builds the corpus of well-formed calls, then issues Config::count calls
// from it, most of them mutated, checking each answer against the oracle
// and each buffer against its canaries, while a second thread races
// REVOKE, HANDLE_FD and the release of a shared file.  Ends with the
// module's health: the listings as before, a fresh export that works, no
// dma-buf left in debugfs, no splat in the kernel log.

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace xe_pfvf::fuzz {

inline constexpr int exit_pass = 0;
inline constexpr int exit_fail = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_skip = 77;

struct Config {
    std::uint64_t count = 1'000'000;  ///< calls of the first thread
    std::uint64_t seed = 1;
    std::optional<std::string> pf;  ///< the PF whose VFs are bound to vfio-pci (default: the first)
    bool race = true;               ///< run the racing thread
    std::uint64_t progress = 100'000;
    std::chrono::seconds watchdog{60};  ///< a call blocked longer fails the run
};

/// Runs the fuzzer; prints progress, the tallies and a verdict line to
/// @out.  Returns exit_pass, exit_fail or exit_skip.
[[nodiscard]] int run(const Config& config, std::ostream& out);

}  // namespace xe_pfvf::fuzz
