#pragma once

// Errors of libxe-pfvf: a std::system_error in the generic (errno)
// category that also names the operation that failed, such as
// "XE_PFVF_IOC_TRANSLATE" or "open /dev/xe_pfvf".

#include <xe_pfvf/export.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace xe_pfvf {

/// An operation refused with an errno.  what() reads
/// "<operation>[ (<detail>)]: <strerror>".
class XE_PFVF_API Error : public std::system_error {
public:
    /// @err is a positive errno; @detail (may be empty) says what the
    /// operation was applied to.
    Error(int err, std::string_view operation, std::string_view detail = {});

    /// The errno, e.g. ENODEV.
    [[nodiscard]] int error() const noexcept { return code().value(); }
    /// The operation, e.g. "XE_PFVF_IOC_TRANSLATE".
    [[nodiscard]] const std::string& operation() const noexcept { return operation_; }

private:
    std::string operation_;
};

/// The symbolic name of @err ("ENODEV"), or "E<number>" if unknown.
[[nodiscard]] XE_PFVF_API std::string errno_name(int err);

}  // namespace xe_pfvf
