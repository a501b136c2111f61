// xe-pfvf's front: global options, dispatch to the subcommands, help,
// errors and exit statuses, batches.

#include "cli.hpp"

#include "args.hpp"
#include "commands.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace xe_pfvf::cli {

namespace {

/// Options every subcommand takes.
const std::vector<OptionSpec>& common_options() {
    static const std::vector<OptionSpec> options{
        {.name = "json", .short_name = 'j', .value = {}, .help = "JSON output"},
        {.name = "help", .short_name = 'h', .value = {}, .help = "this help"},
    };
    return options;
}

const std::vector<OptionSpec>& global_options() {
    static const std::vector<OptionSpec> options{
        {.name = "json", .short_name = 'j', .value = {}, .help = "JSON output, for every command"},
        {.name = "device", .short_name = 'd', .value = "PATH",
         .help = "the device node (default /dev/xe_pfvf, or $XE_PFVF_DEVICE)"},
        {.name = "batch", .short_name = 'b', .value = "FILE",
         .help = "run the commands in FILE ('-': standard input), one a line, on one open file of the device; "
                 "stop at the first that fails"},
        {.name = "help", .short_name = 'h', .value = {}, .help = "this help; COMMAND --help for a command's"},
        {.name = "version", .short_name = 'V', .value = {}, .help = "print the versions"},
    };
    return options;
}

void print_options(std::ostream& out, std::span<const OptionSpec> options) {
    std::vector<std::pair<std::string, std::string_view>> lines;
    std::size_t width = 0;
    for (const OptionSpec& o : options) {
        std::string left = o.short_name != '\0' ? std::string("-") + o.short_name + ", " : "    ";
        left += "--" + std::string(o.name);
        if (!o.value.empty()) {
            left += " " + std::string(o.value);
        }
        width = std::max(width, left.size());
        lines.emplace_back(std::move(left), o.help);
    }
    for (const auto& [left, help] : lines) {
        out << "  " << left << std::string(width - left.size() + 2, ' ') << help << '\n';
    }
}

void main_help(std::ostream& out) {
    out << "Usage: xe-pfvf [-j] [-d PATH] COMMAND [ARGS]\n"
           "       xe-pfvf [-j] [-d PATH] -b FILE\n"
           "The xe_pfvf VF provisioning table, translations, exports by handle and PCIe P2P verdicts,\n"
           "through /dev/xe_pfvf.\n\nCommands:\n";
    std::size_t width = 0;
    for (const Command& c : commands()) {
        width = std::max(width, c.name.size());
    }
    for (const Command& c : commands()) {
        out << "  " << c.name << std::string(width - c.name.size() + 2, ' ') << c.summary << '\n';
    }
    out << "\nOptions:\n";
    print_options(out, global_options());
    out << "\nVF is a VF's PCI address (0000:01:00.1), PF/N (VF N of PF) or N when one PF is registered.\n"
           "Exit status: 0 ok, 1 an operation failed, 2 usage error.  See xe-pfvf(1).\n";
}

void command_help(const Command& c, std::ostream& out) {
    out << "Usage: xe-pfvf " << c.synopsis << "\n" << c.summary << "\n\n" << c.description << "\n\nOptions:\n";
    std::vector<OptionSpec> options = c.options;
    options.insert(options.end(), common_options().begin(), common_options().end());
    print_options(out, options);
}

const Command* find_command(std::string_view name) {
    const auto& all = commands();
    const auto it = std::find_if(all.begin(), all.end(), [&](const Command& c) { return c.name == name; });
    return it == all.end() ? nullptr : &*it;
}

/// Reports a failure: a line on stderr, and in JSON mode an error object
/// on stdout so that scripts always get JSON.
int report(Env& env, bool json, bool batch, std::string_view command, int status, const std::string& message,
           Json detail) {
    *env.err << "xe-pfvf" << (command.empty() ? "" : " ") << command << ": " << message << '\n';
    if (status == exit_usage) {
        *env.err << "Try 'xe-pfvf " << (command.empty() ? "" : std::string(command) + " ") << "--help'.\n";
    }
    if (json) {
        detail["command"] = command.empty() ? Json(nullptr) : Json(std::string(command));
        detail["message"] = message;
        detail["exit_status"] = status;
        *env.out << Json{{"error", detail}}.dump(batch ? -1 : 2) << '\n';
    }
    return status;
}

int run_command(Session& session, std::span<const std::string> words, bool json_global) {
    Env& env = session.env();
    const std::string& name = words.front();
    const Command* const cmd = find_command(name);
    if (cmd == nullptr) {
        return report(env, json_global, session.batch(), {}, exit_usage, "unknown command '" + name + "'",
                      Json{{"usage", true}});
    }
    bool json = json_global;
    try {
        std::vector<OptionSpec> options = cmd->options;
        options.insert(options.end(), common_options().begin(), common_options().end());
        const ParsedArgs args = parse_args(words.subspan(1), options);
        json = json || args.flag("json");
        if (args.flag("help")) {
            command_help(*cmd, *env.out);
            return exit_ok;
        }
        if (args.positional().size() < cmd->min_args || args.positional().size() > cmd->max_args) {
            throw UsageError("usage: xe-pfvf " + std::string(cmd->synopsis));
        }
        const Json result = cmd->run(session, args);
        if (json) {
            *env.out << result.dump(session.batch() ? -1 : 2) << '\n';
        } else {
            cmd->render(result, *env.out);
        }
        return result.value("ok", true) ? exit_ok : exit_failed;
    } catch (const UsageError& e) {
        return report(env, json, session.batch(), name, exit_usage, e.what(), Json{{"usage", true}});
    } catch (const Error& e) {
        return report(env, json, session.batch(), name, exit_failed, e.what(),
                      Json{{"operation", e.operation()}, {"errno", e.error()}, {"errno_name", errno_name(e.error())}});
    } catch (const std::system_error& e) {
        return report(env, json, session.batch(), name, exit_failed, e.what(),
                      Json{{"errno", e.code().value()}, {"errno_name", errno_name(e.code().value())}});
    } catch (const std::exception& e) {
        return report(env, json, session.batch(), name, exit_failed, e.what(), Json::object());
    }
}

/// Splits a batch line into words (blanks between them); none for an
/// empty line or a comment.
std::vector<std::string> split_words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) {
        words.push_back(w);
    }
    if (!words.empty() && words.front().starts_with('#')) {
        words.clear();
    }
    return words;
}

int run_batch(Env& env, const std::string& file, const std::string& device, bool json) {
    std::ifstream stream;
    std::istream* in = env.in;
    if (file != "-") {
        stream.open(file);
        if (!stream) {
            return report(env, json, true, {}, exit_failed, "cannot read batch file " + file, Json::object());
        }
        in = &stream;
    }
    if (in == nullptr) {
        return report(env, json, true, {}, exit_usage, "no standard input for --batch -", Json{{"usage", true}});
    }
    Session session(env, device, true);
    for (std::string line; std::getline(*in, line);) {
        const std::vector<std::string> words = split_words(line);
        if (words.empty()) {
            continue;
        }
        if (!json) {
            *env.out << "== xe-pfvf " << line << '\n';
        }
        const int status = run_command(session, words, json);
        if (status != exit_ok) {
            return status;
        }
    }
    return exit_ok;
}

}  // namespace

Env Env::system() {
    Env env;
    env.out = &std::cout;
    env.err = &std::cerr;
    env.in = &std::cin;
    env.open_device = [](const std::string& path) { return Device::open(path); };
    env.drm = drm_devices;
    env.sleep = [](std::chrono::seconds s) { std::this_thread::sleep_for(s); };
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, before any thread
    if (const char* const path = std::getenv("XE_PFVF_DEVICE"); path != nullptr && *path != '\0') {
        env.device_path = path;
    }
    return env;
}

const std::vector<Command>& commands() {
    static const std::vector<Command> all{status_command(),    vfs_command(),    show_command(), translate_command(),
                                          export_command(),    revoke_command(), p2p_command()};
    return all;
}

int run(std::span<const std::string> args, Env& env) {
    // Global options come before the command.
    std::size_t first = 0;
    while (first < args.size() && args[first].starts_with('-') && args[first] != "-" && args[first] != "--") {
        const auto& opt = args[first];
        const bool takes_value = opt == "-d" || opt == "--device" || opt == "-b" || opt == "--batch";
        first += takes_value ? 2 : 1;
    }
    first = std::min(first, args.size());
    ParsedArgs global;
    try {
        global = parse_args(args.first(first), global_options());
    } catch (const UsageError& e) {
        return report(env, false, false, {}, exit_usage, e.what(), Json{{"usage", true}});
    }
    const bool json = global.flag("json");
    if (global.flag("version")) {
        *env.out << "xe-pfvf " << library_version << " (libxe-pfvf " << library_version << ", uAPI " << uapi_major
                 << "." << uapi_minor << ")\n";
        return exit_ok;
    }
    if (global.flag("help")) {
        main_help(*env.out);
        return exit_ok;
    }
    const std::string device = global.value("device").value_or(env.device_path);
    if (const auto batch = global.value("batch")) {
        if (first < args.size()) {
            return report(env, json, false, {}, exit_usage, "--batch takes no command on the command line",
                          Json{{"usage", true}});
        }
        return run_batch(env, *batch, device, json);
    }
    if (first >= args.size()) {
        main_help(*env.err);
        return exit_usage;
    }
    Session session(env, device, false);
    return run_command(session, args.subspan(first), json);
}

}  // namespace xe_pfvf::cli
