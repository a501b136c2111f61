// xe-pfvf-bench-report: `make bench`'s guest logs -> CSVs, figures against
// their targets, gnuplot scripts.
#include "bench_cli.hpp"

#include <cstddef>
#include <exception>
#include <iostream>
#include <span>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    try {
        const std::span<char*> raw(argv, static_cast<std::size_t>(argc));
        std::vector<std::string_view> args;
        if (!raw.empty()) {
            args.assign(raw.begin() + 1, raw.end());
        }
        return xe_pfvf::bench::run(args, std::cout, std::cerr);
    } catch (const std::exception& error) {
        std::cerr << "xe-pfvf-bench-report: " << error.what() << '\n';
    } catch (...) {
        std::cerr << "xe-pfvf-bench-report: unknown error\n";
    }
    return xe_pfvf::bench::exit_input;
}
