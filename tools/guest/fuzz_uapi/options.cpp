#include "options.hpp"

#include "parse.hpp"

#include <cstdint>
#include <optional>

namespace xe_pfvf::fuzz {

namespace {

constexpr std::string_view usage_text =
    "usage: xe-pfvf-uapi-fuzz [options]\n"
    "\n"
    "Fuzzes the ioctls of /dev/xe_pfvf inside the test VM, as root, with xe_pfvf\n"
    "and a PF driver loaded and VFs enabled.  Binds up to two VFs to vfio-pci (for\n"
    "EXPORT), issues well-formed calls of the eight ioctls for the PF and each VF\n"
    "and mutations of them (sizes, flags, pads, boundary values, bad pointers,\n"
    "wrong commands, foreign handles and fds) while a second thread races REVOKE,\n"
    "HANDLE_FD and the release of a shared file, and checks every answer against\n"
    "the uAPI and every buffer against canaries.  Then checks that the module still\n"
    "works and that no dma-buf is left.  Prints progress, the calls per ioctl and\n"
    "errno, and a verdict line.  Exit status: 0 pass, 1 failure, 2 usage, 77 cannot\n"
    "run here (not root, no /dev/xe_pfvf, no PF).\n"
    "\n"
    "  --count N         calls of the first thread (default 1000000)\n"
    "  --seed N          seed of the calls (default 1): the same seed, the same calls\n"
    "  --pf BDF          the PF whose VFs are bound (default: the first registered)\n"
    "  --no-race         no racing thread\n"
    "  --progress N      a progress line every N calls (default 100000)\n"
    "  --watchdog SECS   a call blocked longer fails the run (default 60)\n"
    "  --help            this text\n";

}  // namespace

std::string_view usage() noexcept { return usage_text; }

Parsed parse_args(std::span<const std::string_view> args) {
    Config config;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            return Help{};
        }
        if (arg == "--no-race") {
            config.race = false;
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
        if (arg == "--count" && *n > 0) {
            config.count = *n;
        } else if (arg == "--seed") {
            config.seed = *n;
        } else if (arg == "--progress" && *n > 0) {
            config.progress = *n;
        } else if (arg == "--watchdog" && *n > 0 && *n <= 3600) {
            config.watchdog = std::chrono::seconds(*n);
        } else {
            return UsageError{"unknown option or bad value: " + std::string(arg) + " " + std::string(value)};
        }
    }
    return config;
}

}  // namespace xe_pfvf::fuzz
