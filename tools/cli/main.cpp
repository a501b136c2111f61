// xe-pfvf: the xe_pfvf command-line tool.  See xe-pfvf.1.

#include "cli.hpp"

#include <exception>
#include <iostream>
#include <span>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    try {
        const std::span<char*> argv_span(argv, static_cast<std::size_t>(argc));
        const std::vector<std::string> args(argv_span.begin() + (argc > 0 ? 1 : 0), argv_span.end());
        xe_pfvf::cli::Env env = xe_pfvf::cli::Env::system();
        return xe_pfvf::cli::run(args, env);
    } catch (const std::exception& e) {
        std::cerr << "xe-pfvf: " << e.what() << '\n';
        return xe_pfvf::cli::exit_failed;
    }
}
