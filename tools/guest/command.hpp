#pragma once

// Running the system's own tools (insmod, rmmod) from a test, as an
// administrator would, and kernel log lines (/dev/kmsg) that appeared
// during an operation.

#include "sys.hpp"

#include <string>
#include <vector>

namespace xe_pfvf::guest {

/// Runs @argv (argv[0] looked up in PATH) and waits for it.  Returns its
/// exit status, 128 + signal number if killed.  Throws std::system_error if
/// it cannot be started.
[[nodiscard]] int run_command(const std::vector<std::string>& argv);

/// The kernel log from the moment of construction on.
class KmsgCursor {
public:
    /// Opens /dev/kmsg positioned at its end.
    KmsgCursor();

    /// The messages logged since construction or the last call, one per
    /// record, without the record header and continuation lines.
    [[nodiscard]] std::vector<std::string> read_new();

private:
    UniqueFd fd_;
};

}  // namespace xe_pfvf::guest
