#include "options.hpp"

#include "parse.hpp"

#include <cstdint>
#include <optional>

namespace xe_pfvf::stress {

namespace {

constexpr std::string_view usage_text =
    "usage: xe-pfvf-stress [options]\n"
    "\n"
    "Races, inside the test VM as root against the loaded modules, a VMM exporting\n"
    "a VF's LMEM as dma-bufs through VFIO (xe_pfvf_vfio_pci) and the software PF\n"
    "importing and reading them, against VF FLR, memory disable/enable, VFIO\n"
    "reset, unprovision/provision, sriov_numvfs 0/N and backend unbind/bind.\n"
    "Every page read must be its own VF's.  Prints per-operation counts and\n"
    "errors by errno, then a verdict line.  Exit status: 0 pass, 1 failure,\n"
    "2 usage, 77 cannot run here (not root, no software PF or VFIO, a VF that\n"
    "shares its IOMMU group).\n"
    "\n"
    "  --duration SECONDS   how long the threads race (default 60)\n"
    "  --seed N             seed of the threads' random choices (default 1)\n"
    "  --pf BDF             the PF (default: the first the software PF attached to)\n"
    "  --watchdog SECONDS   an operation blocked longer fails the run (default 30)\n"
    "  --importers N        cooperative importer threads, 1-3 (default 3)\n"
    "  --no-hostile         no importer that ignores revocation (stall)\n"
    "  --no-numvfs          do not race sriov_numvfs 0/N\n"
    "  --no-unbind          do not race the backend's unbind/bind\n"
    "  --help               this text\n";

}  // namespace

std::string_view usage() noexcept { return usage_text; }

Parsed parse_args(std::span<const std::string_view> args) {
    Config config;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            return Help{};
        }
        if (arg == "--no-hostile") {
            config.hostile = false;
            continue;
        }
        if (arg == "--no-numvfs") {
            config.numvfs = false;
            continue;
        }
        if (arg == "--no-unbind") {
            config.unbind = false;
            continue;
        }
        if (i + 1 == args.size()) {
            return UsageError{"unknown option or missing value: " + std::string(arg)};
        }
        const std::string_view value = args[++i];
        if (arg == "--pf") {
            config.pf = std::string(value);
            continue;
        }
        const auto n = parse_uint(value);
        if (!n) {
            return UsageError{std::string(arg) + " wants a number, not '" + std::string(value) + "'"};
        }
        if (arg == "--duration" && *n > 0 && *n <= 86400) {
            config.duration = std::chrono::seconds(*n);
        } else if (arg == "--seed") {
            config.seed = *n;
        } else if (arg == "--watchdog" && *n > 0 && *n <= 3600) {
            config.watchdog = std::chrono::seconds(*n);
        } else if (arg == "--importers" && *n >= 1 && *n <= 3) {
            config.importers = static_cast<unsigned>(*n);
        } else {
            return UsageError{"bad option or value: " + std::string(arg) + " " + std::string(value)};
        }
    }
    return config;
}

}  // namespace xe_pfvf::stress
