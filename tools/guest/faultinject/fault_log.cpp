#include "fault_log.hpp"

#include "rig_report.hpp"

#include <algorithm>
#include <charconv>

namespace xe_pfvf::faultinject {

namespace {

constexpr std::string_view fault_header = "FAULT_INJECTION: forcing a failure.";

[[nodiscard]] std::string_view trim(std::string_view text) noexcept {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

/// "0x1a" -> 0x1a.
[[nodiscard]] std::optional<std::uint64_t> parse_hex(std::string_view text) noexcept {
    if (!text.starts_with("0x") || text.size() == 2) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    const char* const last = text.data() + text.size();  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [ptr, ec] = std::from_chars(text.data() + 2, last, value, 16);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    if (ec != std::errc{} || ptr != last) {
        return std::nullopt;
    }
    return value;
}

[[nodiscard]] std::optional<unsigned> parse_unsigned(std::string_view text) noexcept {
    unsigned value = 0;
    const char* const last = text.data() + text.size();  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [ptr, ec] = std::from_chars(text.data(), last, value);
    if (ec != std::errc{} || ptr == text.data()) {
        return std::nullopt;
    }
    return value;
}

/// The PID of a "CPU: 1 PID: 345 Comm: ..." line.
[[nodiscard]] std::optional<unsigned> pid_of(std::string_view line) noexcept {
    constexpr std::string_view key = " PID: ";
    const auto at = line.find(key);
    if (!line.starts_with("CPU: ") || at == std::string_view::npos) {
        return std::nullopt;
    }
    return parse_unsigned(line.substr(at + key.size()));
}

/// The user registers dump_stack() prints for a task in a system call
/// ("RIP: 0033:...", "Code: ...", "RSP: ...", "RAX: ...", "R10: ...").
[[nodiscard]] bool is_register_line(std::string_view line) noexcept {
    constexpr std::array prefixes{std::string_view{"RIP: "}, std::string_view{"Code: "}, std::string_view{"RSP: "},
                                  std::string_view{"RAX: "}, std::string_view{"RDX: "}, std::string_view{"RBP: "},
                                  std::string_view{"R10: "}, std::string_view{"R13: "}};
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [line](std::string_view prefix) { return line.starts_with(prefix); });
}

[[nodiscard]] bool is_site_module(std::string_view module) noexcept {
    return std::find(site_modules.begin(), site_modules.end(), module) != site_modules.end();
}

/// Builds the faults out of their dumps and hands the other lines on.
class FaultDumpParser {
public:
    /// Takes one line; false if it belongs to no fault dump.
    bool take(std::string_view line) {
        const std::string_view body = trim(line);
        if (body.starts_with(fault_header)) {
            finish();
            open_ = InjectedFault{};
            open_->lines.emplace_back(line);
            stage_ = Stage::header;
            return true;
        }
        if (!open_) {
            return false;
        }
        switch (stage_) {
        case Stage::header:
            if (body.starts_with("name ")) {
                const std::string_view rest = body.substr(5);
                open_->capability = std::string(rest.substr(0, rest.find(',')));
                break;
            }
            if (const auto pid = pid_of(body)) {
                open_->pid = pid;
                break;
            }
            if (body.starts_with("Hardware name:")) {
                break;
            }
            if (body == "Call Trace:") {
                stage_ = Stage::trace;
                break;
            }
            // A fault injected with __GFP_NOWARN prints nothing, one
            // without `verbose` 2 no stack: either way the dump is over.
            finish();
            return false;
        case Stage::trace:
            if (body == "<TASK>") {
                break;
            }
            if (body == "</TASK>") {
                open_->lines.emplace_back(line);
                finish();
                return true;
            }
            if (const auto frame = parse_frame(body)) {
                if (frame->reliable) {
                    if (!open_->site && is_site_module(frame->module)) {
                        open_->site = site_name(*frame);
                    }
                    open_->frames.push_back(*frame);
                }
                break;
            }
            if (is_register_line(body)) {
                break;
            }
            finish();
            return false;
        }
        open_->lines.emplace_back(line);
        return true;
    }

    /// Ends the dump in progress, if any.
    void finish() {
        if (open_) {
            faults_.push_back(std::move(*open_));
            open_.reset();
        }
    }

    [[nodiscard]] std::vector<InjectedFault> take_faults() {
        finish();
        return std::move(faults_);
    }

private:
    enum class Stage : std::uint8_t { header, trace };

    std::optional<InjectedFault> open_;
    Stage stage_ = Stage::header;
    std::vector<InjectedFault> faults_;
};

}  // namespace

std::optional<Frame> parse_frame(std::string_view line) {
    std::string_view body = trim(line);
    Frame frame;
    if (body.starts_with("? ")) {
        frame.reliable = false;
        body.remove_prefix(2);
    }
    const auto space = body.find(' ');
    const std::string_view symbol = body.substr(0, space);
    if (space != std::string_view::npos) {
        const std::string_view module = trim(body.substr(space));
        if (module.size() < 3 || !module.starts_with('[') || !module.ends_with(']')) {
            return std::nullopt;
        }
        frame.module = std::string(module.substr(1, module.size() - 2));
    }
    const auto plus = symbol.rfind('+');
    const auto slash = symbol.rfind('/');
    if (plus == std::string_view::npos || plus == 0 || slash == std::string_view::npos || slash < plus) {
        return std::nullopt;
    }
    const auto offset = parse_hex(symbol.substr(plus + 1, slash - plus - 1));
    const auto size = parse_hex(symbol.substr(slash + 1));
    if (!offset || !size) {
        return std::nullopt;
    }
    frame.function = std::string(symbol.substr(0, plus));
    frame.offset = *offset;
    frame.size = *size;
    return frame;
}

std::string site_name(const Frame& frame) {
    std::array<char, 20> digits{};
    const auto [last, ec] = std::to_chars(digits.begin(), digits.end(), frame.offset, 16);
    static_cast<void>(ec);  // 16 hex digits always fit
    std::string name = frame.function + "+0x" + std::string(digits.begin(), last);
    if (!frame.module.empty()) {
        name += " [" + frame.module + "]";
    }
    return name;
}

std::vector<std::string> unescape_records(std::span<const std::string> records) {
    std::vector<std::string> lines;
    for (const std::string& record : records) {
        std::string line;
        for (std::size_t i = 0; i < record.size(); ++i) {
            unsigned value = 0;
            const bool escape = record.compare(i, 2, "\\x") == 0 && i + 4 <= record.size() &&
                                std::from_chars(record.data() + i + 2, record.data() + i + 4, value, 16).ptr ==  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
                                    record.data() + i + 4;  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
            if (!escape) {
                line += record[i];
                continue;
            }
            i += 3;
            if (value == '\n') {
                lines.push_back(std::move(line));
                line.clear();
            } else {
                line += static_cast<char>(value);
            }
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

KernelLog parse_kernel_log(std::span<const std::string> lines) {
    FaultDumpParser dumps;
    std::string rest;
    for (const std::string& line : lines) {
        if (!dumps.take(line)) {
            rest += line;
            rest += '\n';
        }
    }
    KernelLog log;
    log.faults = dumps.take_faults();
    for (auto& splat : rig::find_splats(rest)) {
        log.splats.push_back(LoggedSplat{.lines = std::move(splat.lines)});
    }
    return log;
}

}  // namespace xe_pfvf::faultinject
