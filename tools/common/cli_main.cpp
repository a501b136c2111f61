#include "cli_main.hpp"

#include <cstddef>
#include <exception>
#include <iostream>
#include <vector>

namespace xe_pfvf {

int cli_main(int argc, char** argv, std::string_view program, CliRun run, int exit_on_exception) noexcept {
    try {
        const std::span<char*> raw(argv, static_cast<std::size_t>(argc));
        std::vector<std::string_view> args;
        if (!raw.empty()) {
            args.assign(raw.begin() + 1, raw.end());
        }
        return run(args, std::cout, std::cerr);
    } catch (const std::exception& error) {
        std::cerr << program << ": " << error.what() << '\n';
    } catch (...) {
        std::cerr << program << ": unknown error\n";
    }
    return exit_on_exception;
}

}  // namespace xe_pfvf
