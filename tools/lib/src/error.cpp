#include <xe_pfvf/error.hpp>

#include <cstring>
#include <string>

namespace xe_pfvf {

namespace {

std::string what_of(std::string_view operation, std::string_view detail) {
    std::string what(operation);
    if (!detail.empty()) {
        what += " (";
        what += detail;
        what += ')';
    }
    return what;
}

}  // namespace

Error::Error(int err, std::string_view operation, std::string_view detail)
    : std::system_error(err, std::generic_category(), what_of(operation, detail)), operation_(operation) {}

std::string errno_name(int err) {
    // glibc 2.32+; nullptr for numbers it has no name for.
    if (const char* const name = ::strerrorname_np(err); name != nullptr) {
        return name;
    }
    return "E" + std::to_string(err);
}

}  // namespace xe_pfvf
