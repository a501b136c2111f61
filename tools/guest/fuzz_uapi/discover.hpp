#pragma once

// What the fuzzer learns before it starts, through the uAPI itself
// (VERSION, LIST_PFS, LIST_VFS), the module's debugfs (`provisioning`,
// `dmabufs`) and sysfs (the PCI functions, the PF's BARs).

#include "oracle.hpp"

#include <linux/xe_pfvf.h>

#include <cstdint>
#include <string>
#include <vector>

namespace xe_pfvf::fuzz {

/// "0000:01:00.0"
[[nodiscard]] std::string bdf_name(std::uint32_t bdf);
/// The XE_PFVF_BDF() of "0000:01:00.0"; throws std::invalid_argument.
[[nodiscard]] std::uint32_t parse_bdf(const std::string& name);

/// ioctl(2) returning 0 or the errno.
[[nodiscard]] int xioctl(int fd, std::uint32_t cmd, std::uint64_t arg) noexcept;

[[nodiscard]] xe_pfvf_version query_version(int fd);
[[nodiscard]] std::vector<xe_pfvf_pf_info> query_pfs(int fd);
[[nodiscard]] std::vector<xe_pfvf_vf_info> query_vfs(int fd, std::uint32_t pf_bdf);

/// The World as the kernel and debugfs describe it now, through @fd.
[[nodiscard]] World discover(int fd);

/// Lines of debugfs `dmabufs` of PF @pf_bdf, header left out.
[[nodiscard]] unsigned debugfs_dmabufs(std::uint32_t pf_bdf);

}  // namespace xe_pfvf::fuzz
