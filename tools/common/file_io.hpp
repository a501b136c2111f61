#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace xe_pfvf {

/// Reads a whole file into memory.
/// Throws std::system_error (generic category, errno) if it cannot be opened or read.
[[nodiscard]] std::string read_text_file(const std::filesystem::path& path);

/// Replaces the contents of a file (created with mode 0644 if absent) by @p text.
/// Throws std::system_error (generic category, errno) if it cannot be opened or written.
void write_text_file(const std::filesystem::path& path, std::string_view text);

}  // namespace xe_pfvf
