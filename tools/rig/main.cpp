// xe-pfvf-rig: turns a VM test run's raw output into per-test result lines.
#include "cli_main.hpp"
#include "rig_cli.hpp"

int main(int argc, char** argv) {
    return xe_pfvf::cli_main(argc, argv, "xe-pfvf-rig", xe_pfvf::rig::run, xe_pfvf::rig::exit_usage);
}
