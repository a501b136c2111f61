#pragma once

// The stress run: the threads, how long they race, the teardown that puts
// the PF back as it was, and the verdict.

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace xe_pfvf::stress {

struct Config {
    std::chrono::seconds duration{60};
    std::uint64_t seed = 1;
    std::optional<std::string> pf;  ///< else the first PF the software PF attached to
    std::chrono::seconds watchdog{30};
    std::chrono::seconds heartbeat{10};
    unsigned importers = 3;  ///< cooperative importer threads, one slot each
    bool hostile = true;     ///< a hostile (stalling) importer in the last slot
    bool numvfs = true;      ///< race sriov_numvfs 0 / N
    bool unbind = true;      ///< race backend unbind / bind
};

/// Exit status of run(): 0 pass, 1 failure, 77 when the machine cannot run
/// it (not root, no software PF, no VFIO, a VF sharing its IOMMU group).
inline constexpr int exit_pass = 0;
inline constexpr int exit_fail = 1;
inline constexpr int exit_skip = 77;

/// Runs the stress and prints the counts and the verdict line to @out.
[[nodiscard]] int run(const Config& config, std::ostream& out);

}  // namespace xe_pfvf::stress
