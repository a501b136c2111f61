// xe-pfvf-uapi-fuzz: the ioctl fuzzer of /dev/xe_pfvf (issue 11), run
// inside the test VM (t_uapi_fuzz in tools/vm/guest-tests.sh).  See --help
// and tools/guest/README.md.

#include "options.hpp"
#include "runner.hpp"

#include <cstddef>
#include <iostream>
#include <span>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    using namespace xe_pfvf::fuzz;
    const std::span<char*> argv_span(argv, static_cast<std::size_t>(argc));
    const std::vector<std::string_view> args(argv_span.begin() + 1, argv_span.end());
    const Parsed parsed = parse_args(args);
    if (std::holds_alternative<Help>(parsed)) {
        std::cout << usage();
        return exit_pass;
    }
    if (const auto* const error = std::get_if<UsageError>(&parsed)) {
        std::cerr << "xe-pfvf-uapi-fuzz: " << error->message << "\n\n" << usage();
        return exit_usage;
    }
    return run(std::get<Config>(parsed), std::cout);
}
