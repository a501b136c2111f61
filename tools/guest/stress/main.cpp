// xe-pfvf-stress: the race stress of issue 9, run inside the test VM
// (t_stress in tools/vm/guest-tests.sh, `make vm-stress`).  See --help and
// tools/guest/README.md.

#include "options.hpp"
#include "runner.hpp"

#include <cstddef>
#include <exception>
#include <iostream>
#include <span>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    using namespace xe_pfvf::stress;
    const std::span<char*> argv_span(argv, static_cast<std::size_t>(argc));
    const std::vector<std::string_view> args(argv_span.begin() + 1, argv_span.end());
    const Parsed parsed = parse_args(args);
    if (std::holds_alternative<Help>(parsed)) {
        std::cout << usage();
        return 0;
    }
    if (const auto* const error = std::get_if<UsageError>(&parsed)) {
        std::cerr << "xe-pfvf-stress: " << error->message << "\n\n" << usage();
        return 2;
    }
    try {
        return run(std::get<Config>(parsed), std::cout);
    } catch (const std::exception& e) {
        std::cout << "xe-pfvf-stress: FAIL: " << e.what() << std::endl;
        return exit_fail;
    }
}
