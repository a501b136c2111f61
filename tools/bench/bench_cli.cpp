#include "bench_cli.hpp"

#include "bench_report.hpp"
#include "file_io.hpp"

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace xe_pfvf::bench {

namespace {

constexpr std::string_view usage_text =
    "usage: xe-pfvf-bench-report [--out DIR] [--require TABLE,...|none] [--json] LOG...\n"
    "\n"
    "Reads the `xe_pfvf_bench: csv=<table> key=value ...` lines of the logs of\n"
    "`make bench` (the guest scripts' script.log files), prints every figure with\n"
    "its target and whether it is met, and with --out writes into DIR:\n"
    "  <table>.csv    one per table: its keys, then the derived columns\n"
    "  figures.md     the report as a Markdown table\n"
    "  <plot>.gp      gnuplot scripts (frame, scale, revoke) that read the CSVs\n"
    "                 and write <plot>.png; run them from DIR\n"
    "\n"
    "  --require   tables that must have lines (default: all of\n"
    "              frame,iova,dmabuf,revoke_stuck,revoke,scale); none: any\n"
    "  --json      the figures as JSON instead of the table\n"
    "  -h, --help  this text\n"
    "\n"
    "A missed target is reported (met: NO), not an error.\n"
    "exit status: 0 report made, 1 a log or table missing or malformed (or DIR\n"
    "not writable), 2 usage error\n";

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Options {
    std::string out_dir;
    std::vector<std::string> required;
    std::vector<std::string> logs;
    bool json{false};
};

[[nodiscard]] std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        if (item.empty()) {
            throw UsageError("empty name in --require list");
        }
        items.emplace_back(item);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    return items;
}

[[nodiscard]] Options parse_args(std::span<const std::string_view> args) {
    Options options;
    options.required.assign(known_tables().begin(), known_tables().end());
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--out" || arg == "--require") {
            if (i + 1 == args.size()) {
                throw UsageError(std::string(arg) + " wants a value");
            }
            const std::string_view value = args[++i];
            if (arg == "--out") {
                options.out_dir = value;
            } else if (value == "none") {
                options.required.clear();
            } else {
                options.required = split_list(value);
            }
        } else if (arg == "--json") {
            options.json = true;
        } else if (arg.starts_with("-") && arg != "-") {
            throw UsageError("unknown option " + std::string(arg));
        } else {
            options.logs.emplace_back(arg);
        }
    }
    if (options.logs.empty()) {
        throw UsageError("no log given");
    }
    return options;
}

/// Every table's figures, known tables first in report order.
[[nodiscard]] std::vector<Figure> all_figures(const Collector& collector) {
    std::vector<Figure> all;
    for (const auto name : known_tables()) {
        if (const Table* table = collector.find(name)) {
            auto more = figures(*table);
            all.insert(all.end(), more.begin(), more.end());
        }
    }
    return all;
}

void write_outputs(const Collector& collector, std::span<const Figure> figures, const std::filesystem::path& dir) {
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) {
        throw std::system_error(error, "cannot create '" + dir.string() + "'");
    }
    for (const auto& table : collector.tables()) {
        const auto derived = derive(table);
        write_text_file(dir / (table.name + ".csv"), render_csv(table, derived));
        for (const auto& plot : plots(table, derived)) {
            write_text_file(dir / plot.script_name, plot.text);
        }
    }
    write_text_file(dir / "figures.md", render_markdown(figures));
}

[[nodiscard]] int report(const Options& options, std::ostream& out, std::ostream& err) {
    Collector collector;
    for (const auto& log : options.logs) {
        collector.add_log(read_text_file(log), log);
    }
    std::vector<std::string> missing;
    for (const auto& name : options.required) {
        if (collector.find(name) == nullptr) {
            missing.push_back(name);
        }
    }
    if (!missing.empty()) {
        std::string names;
        for (const auto& name : missing) {
            names += (names.empty() ? "csv=" : ", csv=") + name;
        }
        err << "xe-pfvf-bench-report: no " << names << " lines in the logs given\n";
        return exit_input;
    }
    const auto all = all_figures(collector);
    if (!options.out_dir.empty()) {
        write_outputs(collector, all, options.out_dir);
    }
    out << (options.json ? render_json(all) : render_text(all));
    return exit_ok;
}

}  // namespace

std::string_view usage() noexcept { return usage_text; }

int run(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
    try {
        if (std::find(args.begin(), args.end(), "--help") != args.end() ||
            std::find(args.begin(), args.end(), "-h") != args.end()) {
            out << usage_text;
            return exit_ok;
        }
        return report(parse_args(args), out, err);
    } catch (const UsageError& error) {
        err << "xe-pfvf-bench-report: " << error.what() << "\n\n" << usage_text;
        return exit_usage;
    } catch (const InputError& error) {
        err << "xe-pfvf-bench-report: " << error.what() << '\n';
    } catch (const std::system_error& error) {
        err << "xe-pfvf-bench-report: " << error.what() << '\n';
    }
    return exit_input;
}

}  // namespace xe_pfvf::bench
