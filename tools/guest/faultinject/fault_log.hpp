#pragma once

// What the kernel log says about one armed operation of the fault-injection
// campaign: the faults the kernel reports injecting ("FAULT_INJECTION:
// forcing a failure." with `verbose` 2, then a stack dump), the site each
// one hit (the first frame in an xe_pfvf module), and any splat.  Pure
// parsers over /dev/kmsg records; no I/O here.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::faultinject {

/// The modules whose first frame in a trace names the site of a fault.
inline constexpr std::array<std::string_view, 3> site_modules{"xe_pfvf", "xe_pfvf_swpf", "xe_pfvf_vfio_pci"};

/// One line of a kernel stack trace: " func+0x1a/0x40 [module]", "? " before
/// the name when the unwinder is not sure of it.
struct Frame {
    std::string function;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::string module;  ///< empty for built-in code
    bool reliable = true;

    friend bool operator==(const Frame&, const Frame&) = default;
};

/// Parses one trace line; nullopt if it is not a frame.
[[nodiscard]] std::optional<Frame> parse_frame(std::string_view line);

/// "func+0x1a [module]": a call site, stable across runs of one build.
[[nodiscard]] std::string site_name(const Frame& frame);

/// One fault the kernel reported injecting.
struct InjectedFault {
    std::string capability;           ///< failslab, fail_page_alloc
    std::optional<unsigned> pid;      ///< of the "CPU: n PID: p Comm: ..." line
    std::vector<Frame> frames;        ///< the reliable frames, innermost first
    std::optional<std::string> site;  ///< first frame in one of site_modules
    std::vector<std::string> lines;   ///< the report as logged, for humans
};

/// A splat as the rig would count it (tools/rig: match_splat()).
struct LoggedSplat {
    std::vector<std::string> lines;  ///< first line, then context
};

/// One armed operation's kernel log.
struct KernelLog {
    std::vector<InjectedFault> faults;
    std::vector<LoggedSplat> splats;
};

/// The lines of /dev/kmsg records (as tools/guest's KmsgCursor returns
/// them): "\xNN" escapes decoded, one record split where it holds newlines.
[[nodiscard]] std::vector<std::string> unescape_records(std::span<const std::string> records);

/// Finds the injected faults and the splats in @lines (unescaped).
[[nodiscard]] KernelLog parse_kernel_log(std::span<const std::string> lines);

}  // namespace xe_pfvf::faultinject
