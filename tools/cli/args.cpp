#include "args.hpp"

#include "format.hpp"

#include <algorithm>

namespace xe_pfvf::cli {

namespace {

const OptionSpec* find_long(std::span<const OptionSpec> options, std::string_view name) {
    const auto it = std::find_if(options.begin(), options.end(), [&](const OptionSpec& o) { return o.name == name; });
    return it == options.end() ? nullptr : &*it;
}

const OptionSpec* find_short(std::span<const OptionSpec> options, char name) {
    const auto it =
        std::find_if(options.begin(), options.end(), [&](const OptionSpec& o) { return o.short_name == name; });
    return it == options.end() ? nullptr : &*it;
}

}  // namespace

bool ParsedArgs::flag(std::string_view name) const { return options_.find(name) != options_.end(); }

std::optional<std::string> ParsedArgs::value(std::string_view name) const {
    const auto it = options_.find(name);
    if (it == options_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::uint64_t> ParsedArgs::number(std::string_view name) const {
    const auto text = value(name);
    if (!text) {
        return std::nullopt;
    }
    const auto n = parse_number(*text);
    if (!n) {
        throw UsageError("--" + std::string(name) + ": '" + *text + "' is not a number");
    }
    return n;
}

void ParsedArgs::set(std::string_view name, std::string value) { options_[std::string(name)] = std::move(value); }

namespace {

/// "--name[=value]" at @args[@i]; advances @i past a separate value.
void parse_long(std::span<const std::string> args, std::size_t& i, std::span<const OptionSpec> options,
                ParsedArgs& out) {
    const std::string_view body = std::string_view(args[i]).substr(2);
    const auto eq = body.find('=');
    const std::string_view name = body.substr(0, eq);
    const OptionSpec* const spec = find_long(options, name);
    if (spec == nullptr) {
        throw UsageError("unknown option --" + std::string(name));
    }
    if (spec->value.empty()) {
        if (eq != std::string_view::npos) {
            throw UsageError("--" + std::string(name) + " takes no value");
        }
        out.set(spec->name, "");
    } else if (eq != std::string_view::npos) {
        out.set(spec->name, std::string(body.substr(eq + 1)));
    } else if (i + 1 < args.size()) {
        out.set(spec->name, args[++i]);
    } else {
        throw UsageError("--" + std::string(name) + " needs a value (" + std::string(spec->value) + ")");
    }
}

/// "-abc" at @args[@i]: flags; the first that takes a value takes the
/// rest of the word or the next one.
void parse_short(std::span<const std::string> args, std::size_t& i, std::span<const OptionSpec> options,
                 ParsedArgs& out) {
    const std::string& arg = args[i];
    for (std::size_t k = 1; k < arg.size(); ++k) {
        const OptionSpec* const spec = find_short(options, arg[k]);
        if (spec == nullptr) {
            throw UsageError("unknown option -" + std::string(1, arg[k]));
        }
        if (spec->value.empty()) {
            out.set(spec->name, "");
            continue;
        }
        if (k + 1 < arg.size()) {
            out.set(spec->name, arg.substr(k + 1));
        } else if (i + 1 < args.size()) {
            out.set(spec->name, args[++i]);
        } else {
            throw UsageError("-" + std::string(1, arg[k]) + " needs a value (" + std::string(spec->value) + ")");
        }
        return;
    }
}

}  // namespace

ParsedArgs parse_args(std::span<const std::string> args, std::span<const OptionSpec> options) {
    ParsedArgs out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") {
            for (const std::string& rest : args.subspan(i + 1)) {
                out.add_positional(rest);
            }
            break;
        }
        if (arg.starts_with("--")) {
            parse_long(args, i, options, out);
        } else if (arg.size() > 1 && arg[0] == '-') {
            parse_short(args, i, options, out);
        } else {
            out.add_positional(arg);
        }
    }
    return out;
}

std::uint64_t number_arg(std::string_view text, std::string_view what) {
    const auto n = parse_number(text);
    if (!n) {
        throw UsageError(std::string(what) + ": '" + std::string(text) + "' is not a number");
    }
    return *n;
}

}  // namespace xe_pfvf::cli
