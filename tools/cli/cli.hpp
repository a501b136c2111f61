#pragma once

// The xe-pfvf command-line tool as a function of its arguments and of an
// Env (streams, the device, sysfs, libdrm), so that tests can run it
// against a fake kernel and parse what it prints.

#include "system.hpp"

#include <xe_pfvf/xe_pfvf.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <span>
#include <string>

namespace xe_pfvf::cli {

/// Exit statuses, as `ip` has them.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;  ///< an operation failed
inline constexpr int exit_usage = 2;   ///< the command line is wrong

/// Everything xe-pfvf takes from the outside world.
struct Env {
    std::ostream* out = nullptr;
    std::ostream* err = nullptr;
    std::istream* in = nullptr;  ///< for --batch -
    /// Opens the device node (Device::open()).
    std::function<Device(const std::string& path)> open_device;
    /// PCI DRM devices (drm_devices()).
    std::function<std::map<Bdf, DrmInfo>()> drm;
    /// Sleeps (export --hold).
    std::function<void(std::chrono::seconds)> sleep;
    std::filesystem::path sysfs{"/sys"};
    std::filesystem::path debugfs{"/sys/kernel/debug"};
    /// The device when neither --device nor $XE_PFVF_DEVICE names one.
    std::string device_path{default_device_path};
    /// Use the P2P analyser (xe_pfvf::p2p) where it is built in.
    bool p2p_analyser = true;

    /// The real world: std streams, Device::open, libdrm, sleep_for, and
    /// $XE_PFVF_DEVICE.
    [[nodiscard]] static Env system();
};

/// Runs xe-pfvf with @args (argv without argv[0]); returns the exit
/// status.
[[nodiscard]] int run(std::span<const std::string> args, Env& env);

}  // namespace xe_pfvf::cli
