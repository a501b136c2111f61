// xe-pfvf-bench-report: `make bench`'s guest logs -> CSVs, figures against
// their targets, gnuplot scripts.
#include "bench_cli.hpp"
#include "cli_main.hpp"

int main(int argc, char** argv) {
    return xe_pfvf::cli_main(argc, argv, "xe-pfvf-bench-report", xe_pfvf::bench::run, xe_pfvf::bench::exit_input);
}
