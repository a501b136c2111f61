// xe-pfvf-rig: turns a VM test run's raw output into per-test result lines.
#include "rig_cli.hpp"

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
        return xe_pfvf::rig::run(args, std::cout, std::cerr);
    } catch (const std::exception& error) {
        std::cerr << "xe-pfvf-rig: " << error.what() << '\n';
    } catch (...) {
        std::cerr << "xe-pfvf-rig: unknown error\n";
    }
    return xe_pfvf::rig::exit_usage;
}
