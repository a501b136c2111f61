#include "rig_report.hpp"

#include "text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <system_error>
#include <utility>

namespace xe_pfvf::rig {

namespace {

constexpr std::string_view whitespace = " \t\r\n\f\v";

[[nodiscard]] std::string_view trim_left(std::string_view text) noexcept {
    const auto pos = text.find_first_not_of(whitespace);
    return pos == std::string_view::npos ? std::string_view{} : text.substr(pos);
}

[[nodiscard]] std::string_view trim_right(std::string_view text) noexcept {
    const auto pos = text.find_last_not_of(whitespace);
    return pos == std::string_view::npos ? std::string_view{} : text.substr(0, pos + 1);
}

[[nodiscard]] std::string_view trim(std::string_view text) noexcept {
    return trim_right(trim_left(text));
}

[[nodiscard]] bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

[[nodiscard]] bool is_word_char(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/// Parses a run of decimal digits at the front of `text`, advancing past it.
[[nodiscard]] std::optional<std::size_t> take_number(std::string_view& text) noexcept {
    std::size_t value = 0;
    const auto* const first = text.data();
    const auto* const last = first + text.size();  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc{} || ptr == first) {
        return std::nullopt;
    }
    text.remove_prefix(static_cast<std::size_t>(ptr - first));
    return value;
}

/// Removes a leading "[ <digits/spaces/dots> ]" group; returns false if absent.
[[nodiscard]] bool strip_bracket_group(std::string_view& line, bool caller_id) noexcept {
    if (!line.starts_with('[')) {
        return false;
    }
    const auto close = line.find(']');
    if (close == std::string_view::npos) {
        return false;
    }
    const std::string_view inside = line.substr(1, close - 1);
    bool has_digit = false;
    for (std::size_t i = 0; i < inside.size(); ++i) {
        const char c = inside[i];
        const bool id_letter = caller_id && (c == 'T' || c == 'C') &&
                               inside.find_first_not_of(' ', i + 1) != std::string_view::npos;
        if (!is_digit(c) && c != ' ' && c != '.' && !id_letter) {
            return false;
        }
        has_digit = has_digit || is_digit(c);
    }
    if (!has_digit) {
        return false;
    }
    line.remove_prefix(close + 1);
    return true;
}

/// `body` re-indented relative to `base`.
[[nodiscard]] std::string relative_line(const KtapLine& line, std::size_t base) {
    const std::size_t extra = line.indent > base ? line.indent - base : 0;
    return std::string(extra, ' ') + std::string(line.body);
}

/// The suite KunitParser is in the middle of.
struct OpenSuite {
    std::size_t indent{0};
    KunitSuite suite;
    std::vector<std::string> case_lines;     // diagnostics since the last case result
    std::vector<std::string> failed_params;  // of the case currently running
};

/// Feeds prefix-stripped console lines and collects KUnit suites.
class KunitParser {
public:
    void feed(std::string_view stripped) {
        const KtapLine line = classify_ktap(stripped);
        if (line.body.empty()) {
            return;
        }
        if (!open_) {
            if (line.indent > 0 &&
                (line.kind == KtapLine::Kind::version || line.kind == KtapLine::Kind::subtest)) {
                open_suite(line);
            }
            return;
        }
        const std::size_t base = open_->indent;
        if (line.indent < base) {
            feed_outer(line);
        } else if (line.indent == base) {
            feed_suite_level(line);
        } else {
            feed_nested(line);
        }
    }

    [[nodiscard]] std::vector<KunitSuite> finish() && {
        close_suite();
        return std::move(done_);
    }

private:
    void open_suite(const KtapLine& line) {
        open_.emplace();
        open_->indent = line.indent;
        if (line.kind == KtapLine::Kind::subtest) {
            open_->suite.name = std::string(line.name);
        }
    }

    void close_suite() {
        if (!open_) {
            return;
        }
        KunitSuite suite = std::move(open_->suite);
        suite.leftover = std::move(open_->case_lines);
        open_.reset();
        if (suite.name.empty() && suite.cases.empty()) {
            return;  // a bare header with nothing else: nothing to report
        }
        if (suite.name.empty()) {
            suite.name = "unnamed";
        }
        suite.occurrence = ++seen_[suite.name];
        done_.push_back(std::move(suite));
    }

    [[nodiscard]] bool suite_started() const noexcept {
        return !open_->suite.name.empty() || open_->suite.planned.has_value() ||
               !open_->suite.cases.empty();
    }

    // Lines left of the suite's indentation: the suite's own result, a new
    // top-level KTAP document, or unrelated kernel/userspace output.
    void feed_outer(const KtapLine& line) {
        if (line.kind == KtapLine::Kind::result) {
            const auto& name = open_->suite.name;
            if (name.empty() || line.name == name) {
                open_->suite.finished = true;
                open_->suite.suite_ok = line.ok;
                close_suite();
            }
        } else if (line.kind == KtapLine::Kind::version && line.indent == 0) {
            close_suite();  // a new module's KTAP header: the open suite was cut short
        }
    }

    void feed_suite_level(const KtapLine& line) {
        auto& suite = open_->suite;
        switch (line.kind) {
            case KtapLine::Kind::version:
                if (suite_started()) {
                    close_suite();
                    open_suite(line);
                }
                break;
            case KtapLine::Kind::subtest:
                if (suite.name.empty() && suite.cases.empty()) {
                    suite.name = std::string(line.name);
                } else {
                    close_suite();
                    open_suite(line);
                }
                break;
            case KtapLine::Kind::plan:
                if (!suite.planned && suite.cases.empty()) {
                    suite.planned = line.plan;
                } else {
                    open_->case_lines.emplace_back(line.body);
                }
                break;
            case KtapLine::Kind::result:
                add_case(line);
                break;
            case KtapLine::Kind::other:
                open_->case_lines.emplace_back(line.body);
                break;
        }
    }

    // Deeper lines: parameterised sub-results and multi-line expectation text.
    void feed_nested(const KtapLine& line) {
        switch (line.kind) {
            case KtapLine::Kind::result:
                if (!line.ok && !skip_reason(line.directive)) {
                    open_->failed_params.emplace_back(line.name);
                    open_->case_lines.push_back("failed param: " + std::string(line.name));
                }
                break;
            case KtapLine::Kind::other:
                open_->case_lines.push_back(relative_line(line, open_->indent));
                break;
            case KtapLine::Kind::version:
            case KtapLine::Kind::subtest:
            case KtapLine::Kind::plan:
                break;
        }
    }

    void add_case(const KtapLine& line) {
        TestResult result;
        result.name = std::string(line.name);
        if (const auto reason = skip_reason(line.directive)) {
            result.status = Status::skip;
            result.detail = std::string(*reason);
        } else if (line.ok) {
            result.status = Status::pass;
        } else {
            result.status = Status::fail;
            if (!open_->failed_params.empty()) {
                result.detail = "failed params: " + join(open_->failed_params, ", ");
            }
            result.detail_lines = std::move(open_->case_lines);
        }
        open_->case_lines.clear();
        open_->failed_params.clear();
        open_->suite.cases.push_back(std::move(result));
    }

    std::optional<OpenSuite> open_;
    std::vector<KunitSuite> done_;
    std::map<std::string, std::size_t, std::less<>> seen_;
};

struct SplatPattern {
    std::string_view needle;
    std::string_view then;  // must also appear after the needle when not empty
};

constexpr std::array splat_patterns{
    SplatPattern{"------------[ cut here ]------------", {}},
    SplatPattern{"WARNING:", {}},
    SplatPattern{"BUG:", {}},
    SplatPattern{"kernel BUG at", {}},
    SplatPattern{"Oops:", {}},
    SplatPattern{"general protection fault", {}},
    SplatPattern{"KASAN:", {}},
    SplatPattern{"UBSAN:", {}},
    SplatPattern{"Kernel panic", {}},
    SplatPattern{"kmemleak: ", "new suspected memory leak"},
    SplatPattern{"unreferenced object 0x", {}},
    SplatPattern{"INFO: task ", " blocked for more than"},
    SplatPattern{"rcu: INFO:", {}},
    SplatPattern{"detected stalls", {}},
    SplatPattern{"DEBUG_LOCKS_WARN_ON", {}},
    SplatPattern{"INFO: possible irq lock inversion", {}},
    SplatPattern{"INFO: inconsistent lock state", {}},
    SplatPattern{"refcount_t: ", {}},
};

constexpr std::string_view cut_here = splat_patterns.front().needle;

/// Whether `needle` occurs in `text` at a word boundary, followed by `then`.
[[nodiscard]] bool contains_word(std::string_view text, const SplatPattern& pattern) noexcept {
    const bool needs_boundary = is_word_char(pattern.needle.front());
    for (auto pos = text.find(pattern.needle); pos != std::string_view::npos;
         pos = text.find(pattern.needle, pos + 1)) {
        if (needs_boundary && pos > 0 && is_word_char(text[pos - 1])) {
            continue;
        }
        if (pattern.then.empty() ||
            text.find(pattern.then, pos + pattern.needle.size()) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

[[nodiscard]] std::string sanitize(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\t') {
            c = ' ';
        } else if (byte < 0x20U || byte == 0x7fU) {
            c = '?';
        }
    }
    return out;
}

}  // namespace

// ------------------------------------------------------------------- basics

std::string_view status_label(Status status) noexcept {
    switch (status) {
        case Status::pass:
            return "PASS";
        case Status::fail:
            return "FAIL";
        case Status::skip:
            return "SKIP";
    }
    return "FAIL";
}

void Counts::add(Status status) noexcept {
    switch (status) {
        case Status::pass:
            ++passed;
            break;
        case Status::fail:
            ++failed;
            break;
        case Status::skip:
            ++skipped;
            break;
    }
}

Counts& Counts::operator+=(const Counts& other) noexcept {
    passed += other.passed;
    failed += other.failed;
    skipped += other.skipped;
    return *this;
}

Counts count(std::span<const TestResult> tests) noexcept {
    Counts counts;
    for (const auto& test : tests) {
        counts.add(test.status);
    }
    return counts;
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        if (end == std::string_view::npos) {
            lines.push_back(text);
            break;
        }
        lines.push_back(text.substr(0, end));
        text.remove_prefix(end + 1);
    }
    return lines;
}

std::string_view strip_console_prefix(std::string_view line) noexcept {
    while (line.ends_with('\r')) {
        line.remove_suffix(1);
    }
    while (line.starts_with('\r')) {
        line.remove_prefix(1);
    }
    if (strip_bracket_group(line, false)) {
        static_cast<void>(strip_bracket_group(line, true));
        if (line.starts_with(' ')) {
            line.remove_prefix(1);
        }
    }
    return line;
}

// ------------------------------------------------------------- results file

GuestResults parse_results(std::string_view text) {
    GuestResults out;
    constexpr std::string_view keyword = "RESULT";
    for (const auto raw : split_lines(text)) {
        const std::string_view line = trim(strip_console_prefix(raw));
        if (line == "DONE") {
            out.done = true;
            continue;
        }
        if (!line.starts_with(keyword) ||
            (line.size() > keyword.size() && line[keyword.size()] != ' ' &&
             line[keyword.size()] != '\t')) {
            continue;
        }
        std::string_view rest = trim_left(line.substr(keyword.size()));
        const auto name_end = std::min(rest.find_first_of(whitespace), rest.size());
        const std::string_view name = rest.substr(0, name_end);
        if (name.empty()) {
            out.warnings.push_back("ignoring RESULT line without a test name: " + sanitize(line));
            continue;
        }
        rest = trim_left(rest.substr(name_end));
        const auto status_end = std::min(rest.find_first_of(whitespace), rest.size());
        const std::string_view status = rest.substr(0, status_end);
        const std::string_view detail = trim(rest.substr(status_end));

        TestResult result{.name = std::string(name), .status = Status::fail, .detail = std::string(detail), .detail_lines = {}};
        if (status == "PASS") {
            result.status = Status::pass;
        } else if (status == "SKIP") {
            result.status = Status::skip;
        } else if (status != "FAIL") {
            result.detail = "malformed RESULT line: " + std::string(line);
            out.warnings.push_back("RESULT line with bad status counted as FAIL: " + sanitize(line));
        }
        out.tests.push_back(std::move(result));
    }
    return out;
}

// --------------------------------------------------------------------- KTAP

KtapLine classify_ktap(std::string_view stripped) noexcept {
    KtapLine line;
    line.indent = std::min(stripped.find_first_not_of(' '), stripped.size());
    line.body = trim_right(stripped.substr(line.indent));
    std::string_view body = line.body;

    if (body.starts_with("KTAP version ") || body.starts_with("TAP version ")) {
        line.kind = KtapLine::Kind::version;
        return line;
    }
    if (constexpr std::string_view subtest = "# Subtest:"; body.starts_with(subtest)) {
        line.kind = KtapLine::Kind::subtest;
        line.name = trim(body.substr(subtest.size()));
        return line;
    }
    if (body.starts_with("1..")) {
        std::string_view rest = body.substr(3);
        if (const auto count = take_number(rest);
            count && (rest.empty() || rest.front() == ' ' || rest.front() == '#')) {
            line.kind = KtapLine::Kind::plan;
            line.plan = *count;
        }
        return line;
    }

    bool ok = false;
    if (body.starts_with("ok ")) {
        ok = true;
        body.remove_prefix(3);
    } else if (body.starts_with("not ok ")) {
        body.remove_prefix(7);
    } else {
        return line;
    }
    if (!take_number(body) || (!body.empty() && body.front() != ' ')) {
        return line;
    }
    body = trim_left(body);
    if (body.starts_with("- ")) {
        body.remove_prefix(2);
    }
    const auto hash = body.find('#');
    line.kind = KtapLine::Kind::result;
    line.ok = ok;
    line.name = trim(body.substr(0, hash));
    line.directive = hash == std::string_view::npos ? std::string_view{} : trim(body.substr(hash + 1));
    return line;
}

std::optional<std::string_view> skip_reason(std::string_view directive) noexcept {
    constexpr std::string_view skip = "SKIP";
    if (directive.size() < skip.size()) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < skip.size(); ++i) {
        const char c = directive[i];
        const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        if (upper != skip[i]) {
            return std::nullopt;
        }
    }
    const std::string_view rest = directive.substr(skip.size());
    if (!rest.empty() && is_word_char(rest.front())) {
        return std::nullopt;
    }
    return trim(rest);
}

std::string KunitSuite::display_name() const {
    return occurrence <= 1 ? name : name + "#" + std::to_string(occurrence);
}

bool KunitSuite::incomplete() const noexcept {
    return !finished && (!planned || cases.size() < *planned);
}

std::vector<KunitSuite> parse_kunit(std::string_view console) {
    KunitParser parser;
    for (const auto raw : split_lines(console)) {
        parser.feed(strip_console_prefix(raw));
    }
    return std::move(parser).finish();
}

std::vector<TestResult> kunit_tests(std::span<const KunitSuite> suites,
                                    std::span<const std::string> required) {
    std::vector<TestResult> tests;
    for (const auto& suite : suites) {
        const std::string prefix = "kunit/" + suite.display_name() + "/";
        for (const auto& test_case : suite.cases) {
            TestResult result = test_case;
            result.name = prefix + test_case.name;
            tests.push_back(std::move(result));
        }
        if (suite.incomplete()) {
            std::string detail = "suite output stopped after " + std::to_string(suite.cases.size());
            detail += suite.planned ? " of " + std::to_string(*suite.planned) + " cases" : " cases";
            tests.push_back(TestResult{.name = prefix + "incomplete",
                                       .status = Status::fail,
                                       .detail = std::move(detail),
                                       .detail_lines = suite.leftover});
        } else if (suite.finished && !suite.suite_ok &&
                   std::ranges::none_of(suite.cases, [](const TestResult& test) {
                       return test.status == Status::fail;
                   })) {
            tests.push_back(TestResult{.name = prefix + "suite",
                                       .status = Status::fail,
                                       .detail = "suite reported not ok",
                                       .detail_lines = suite.leftover});
        }
    }
    for (const auto& name : required) {
        const bool ran = std::ranges::any_of(
            suites, [&name](const KunitSuite& suite) { return suite.name == name; });
        if (!ran) {
            tests.push_back(TestResult{.name = "kunit/" + name + "/missing",
                                       .status = Status::fail,
                                       .detail = "suite did not run",
                                       .detail_lines = {}});
        }
    }
    return tests;
}

// ------------------------------------------------------------------- splats

std::optional<std::string_view> match_splat(std::string_view stripped) noexcept {
    if (trim_left(stripped).starts_with('#')) {
        return std::nullopt;  // KUnit diagnostics may quote such words
    }
    for (const auto& pattern : splat_patterns) {
        if (contains_word(stripped, pattern)) {
            return pattern.needle;
        }
    }
    return std::nullopt;
}

std::vector<Splat> find_splats(std::string_view console) {
    std::vector<Splat> splats;
    bool collecting = false;
    for (const auto raw : split_lines(console)) {
        const std::string_view line = trim_right(strip_console_prefix(raw));
        if (collecting) {
            auto& lines = splats.back().lines;
            lines.emplace_back(line);
            collecting = lines.size() <= splat_context_lines && !line.starts_with("---[ end ");
            continue;
        }
        if (const auto pattern = match_splat(line)) {
            splats.push_back(Splat{.pattern = *pattern, .lines = {std::string(line)}});
            collecting = true;
        }
    }
    return splats;
}

TestResult kernel_log_test(std::span<const Splat> splats) {
    TestResult result{.name = "kernel-log-clean", .status = Status::pass, .detail = {}, .detail_lines = {}};
    if (splats.empty()) {
        return result;
    }
    result.status = Status::fail;
    result.detail = std::to_string(splats.size()) + (splats.size() == 1 ? " kernel splat" : " kernel splats");
    // Share the detail budget so that every splat's first line shows up.
    const std::size_t per_splat =
        std::clamp<std::size_t>(max_detail_lines / splats.size(), 1, splat_context_lines + 1);
    for (const auto& splat : splats) {
        std::span<const std::string> lines(splat.lines);
        if (lines.size() > 1 && lines.front() == cut_here) {
            lines = lines.subspan(1);  // the next line says what happened
        }
        const auto shown = lines.first(std::min(per_splat, lines.size()));
        result.detail_lines.insert(result.detail_lines.end(), shown.begin(), shown.end());
    }
    return result;
}

// ------------------------------------------------------------------- report

Report build_report(std::string_view console, std::optional<std::string_view> results,
                    const ReportOptions& options) {
    Report report;
    bool done = false;
    if (results) {
        GuestResults guest = parse_results(*results);
        done = guest.done;
        report.tests = std::move(guest.tests);
        report.warnings = std::move(guest.warnings);
    }
    if (options.require_done) {
        TestResult completed{.name = "guest-completed", .status = Status::pass, .detail = {}, .detail_lines = {}};
        if (!done) {
            completed.status = Status::fail;
            completed.detail = "guest did not finish: timeout or crash";
        }
        report.tests.push_back(std::move(completed));
    }
    const auto suites = parse_kunit(console);
    auto kunit = kunit_tests(suites, options.required_suites);
    std::ranges::move(kunit, std::back_inserter(report.tests));
    const auto splats = find_splats(console);
    report.tests.push_back(kernel_log_test(splats));
    return report;
}

std::string format_counts(const Counts& counts) {
    return std::to_string(counts.passed) + " passed, " + std::to_string(counts.failed) +
           " failed, " + std::to_string(counts.skipped) + " skipped";
}

std::string format_report(std::string_view lane, std::span<const TestResult> tests) {
    std::string out;
    for (const auto& test : tests) {
        out += status_label(test.status);
        out += ' ';
        out += lane;
        out += '/';
        out += sanitize(test.name);
        if (!test.detail.empty()) {
            out += "  (";
            out += sanitize(test.detail);
            out += ')';
        }
        out += '\n';
        if (test.status != Status::fail) {
            continue;
        }
        const std::size_t total = test.detail_lines.size();
        const std::size_t shown = total > max_detail_lines ? max_detail_lines - 1 : total;
        for (std::size_t i = 0; i < shown; ++i) {
            out += "    ";
            out += sanitize(trim_right(test.detail_lines[i]));
            out += '\n';
        }
        if (shown < total) {
            out += "    ... (" + std::to_string(total - shown) + " more lines)\n";
        }
    }
    out += lane;
    out += ": ";
    out += format_counts(count(tests));
    out += '\n';
    return out;
}

// ---------------------------------------------------------------------- sum

std::optional<LaneSummary> parse_summary_line(std::string_view line) {
    while (line.ends_with('\r')) {
        line.remove_suffix(1);
    }
    const auto colon = line.rfind(": ");
    if (colon == std::string_view::npos || colon == 0) {
        return std::nullopt;
    }
    const std::string_view lane = line.substr(0, colon);
    if (lane.find_first_of(whitespace) != std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view rest = line.substr(colon + 2);
    LaneSummary summary{.lane = std::string(lane), .counts = {}};
    const std::array<std::pair<std::size_t*, std::string_view>, 3> fields{{
        {&summary.counts.passed, " passed, "},
        {&summary.counts.failed, " failed, "},
        {&summary.counts.skipped, " skipped"},
    }};
    for (const auto& [target, suffix] : fields) {
        const auto value = take_number(rest);
        if (!value || !rest.starts_with(suffix)) {
            return std::nullopt;
        }
        *target = *value;
        rest.remove_prefix(suffix.size());
    }
    if (!rest.empty()) {
        return std::nullopt;
    }
    return summary;
}

std::vector<LaneSummary> parse_summaries(std::string_view text) {
    std::vector<LaneSummary> summaries;
    for (const auto line : split_lines(text)) {
        if (auto summary = parse_summary_line(line)) {
            summaries.push_back(std::move(*summary));
        }
    }
    return summaries;
}

}  // namespace xe_pfvf::rig
