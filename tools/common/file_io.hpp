#pragma once

#include <filesystem>
#include <string>

namespace xe_pfvf {

/// Reads a whole file into memory.
/// Throws std::system_error (generic category, errno) if it cannot be opened or read.
[[nodiscard]] std::string read_text_file(const std::filesystem::path& path);

}  // namespace xe_pfvf
