#include "bench_report.hpp"

#include "parse.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <utility>

namespace xe_pfvf::bench {

namespace {

constexpr std::array<std::string_view, 6> table_order = {
    "frame", "iova", "dmabuf", "revoke_stuck", "revoke", "scale",
};

constexpr std::array<std::string_view, 8> frame_keys = {
    "frame", "bytes", "pages", "share_ns", "steady_ns", "steady_map_ns", "copy_ns", "source",
};
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> frame_phases = {{
    {"export_ns", "export"},
    {"import_ns", "import"},
    {"use_ns", "map, read, unmap"},
    {"release_ns", "detach, release"},
}};
constexpr std::array<std::string_view, 4> iova_keys = {"extent_kb", "run_pages", "bare_ns", "xlate_ns"};
constexpr std::array<std::string_view, 4> dmabuf_keys = {
    "bytes", "private_ns", "map_resource_ns", "map_sgtable_ns",
};
constexpr std::array<std::string_view, 2> revoke_stuck_keys = {"alone_ns", "stuck_ns"};
constexpr std::array<std::string_view, 2> revoke_keys = {"buffers", "latency_ns"};
constexpr std::array<std::string_view, 6> scale_keys = {
    "vfs", "pages", "lookup_ps_per_page", "export_map_ns", "unregister_revoke_ns", "buffers",
};

// The targets of issue 12.
constexpr double share_vs_copy_4k = 100.0;      // copy / share, 4K frames
constexpr double share_budget_percent = 1.0;    // share, of a 60 Hz frame
constexpr double xlate_vs_bare = 1.3;           // every IOVA layout
constexpr double standard_vs_private = 5.0;     // dma-buf map+unmap
constexpr double stuck_vs_alone = 1.5;          // revoke beside a stuck importer

constexpr std::string_view bench_tag = "xe_pfvf_bench: ";
constexpr std::string_view csv_key = "csv=";

constexpr double ns_per_us = 1e3;
constexpr double ns_per_ms = 1e6;
constexpr double ns_per_s = 1e9;
constexpr double bytes_per_mib = 1024.0 * 1024.0;

[[nodiscard]] bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

[[nodiscard]] bool is_value_char(char c) noexcept {
    return is_name_char(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+' || c == ':';
}

[[nodiscard]] bool all_of(std::string_view text, bool (*pred)(char) noexcept) noexcept {
    return !text.empty() && std::all_of(text.begin(), text.end(), pred);
}

[[nodiscard]] std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t start = text.find_first_not_of(" \t", pos);
        if (start == std::string_view::npos) {
            break;
        }
        std::size_t end = text.find_first_of(" \t", start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        words.push_back(text.substr(start, end - start));
        pos = end;
    }
    return words;
}

/// "<where><word>: <what>", @p where being "<origin>: csv=<table>: ".
[[noreturn]] void throw_word_error(const std::string& where, std::string_view word, std::string_view what) {
    std::string message = where;
    message.append(word).append(": ").append(what);
    throw InputError(message);
}

/// @p value with @p digits significant digits, without an exponent.
[[nodiscard]] std::string significant(double value, int digits) {
    int decimals = 0;
    if (value != 0 && std::isfinite(value)) {
        const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
        decimals = std::max(0, digits - 1 - magnitude);
    }
    std::ostringstream out;
    out << std::fixed << std::setprecision(decimals) << value;
    return out.str();
}

/// @p key of @p row, which is to divide by: throws InputError if it is 0.
[[nodiscard]] double nonzero(const Table& table, const Row& row, std::string_view key) {
    const double value = table.number(row, key);
    if (value == 0) {
        throw InputError(row.origin + ": csv=" + table.name + " " + std::string(key) + "=0, cannot divide by it");
    }
    return value;
}

[[nodiscard]] double ratio(const Table& table, const Row& row, std::string_view num, std::string_view den) {
    return table.number(row, num) / nonzero(table, row, den);
}

/// The row with the fewest @p key (the first of equals), for normalising.
[[nodiscard]] const Row& lowest(const Table& table, std::string_view key) {
    const Row* best = &table.rows.front();
    for (const auto& row : table.rows) {
        if (table.number(row, key) < table.number(*best, key)) {
            best = &row;
        }
    }
    return *best;
}

/// The row with the most @p key (the last of equals).
[[nodiscard]] const Row& highest(const Table& table, std::string_view key) {
    const Row* best = &table.rows.front();
    for (const auto& row : table.rows) {
        if (table.number(row, key) >= table.number(*best, key)) {
            best = &row;
        }
    }
    return *best;
}

[[nodiscard]] std::vector<double> column_ratio(const Table& table, std::string_view num, std::string_view den) {
    std::vector<double> values;
    values.reserve(table.rows.size());
    for (const auto& row : table.rows) {
        values.push_back(ratio(table, row, num, den));
    }
    return values;
}

/// @p key of every row against its value in the row with the fewest @p base_key.
[[nodiscard]] std::vector<double> column_normalised(const Table& table, std::string_view key,
                                                    std::string_view base_key) {
    const double divisor = nonzero(table, lowest(table, base_key), key);
    std::vector<double> values;
    values.reserve(table.rows.size());
    for (const auto& row : table.rows) {
        values.push_back(table.number(row, key) / divisor);
    }
    return values;
}

[[nodiscard]] std::vector<double> column_frame_percent(const Table& table, std::string_view key) {
    std::vector<double> values;
    values.reserve(table.rows.size());
    for (const auto& row : table.rows) {
        values.push_back(table.number(row, key) / frame_period_ns * 100.0);
    }
    return values;
}

[[nodiscard]] std::string integer_text(double value) {
    return significant(value, 1 + static_cast<int>(std::log10(std::max(1.0, value))));
}

void frame_figures(const Table& table, std::vector<Figure>& out) {
    for (const auto& row : table.rows) {
        std::string what = "frame " + std::string(table.text(row, "frame"));
        if (table.text(row, "source") != "lmem") {
            what += " from " + std::string(table.text(row, "source"));
        }
        std::optional<Target> copy_target;
        if (table.text(row, "frame") == "4k") {
            copy_target = Target{Comparison::at_least, share_vs_copy_4k};
        }
        out.push_back({table.name, what + ": copy / share", ratio(table, row, "copy_ns", "share_ns"),
                       Unit::ratio, copy_target});
        out.push_back({table.name, what + ": share, of a 60 Hz frame",
                       table.number(row, "share_ns") / frame_period_ns * 100.0, Unit::percent,
                       Target{Comparison::below, share_budget_percent}});
        out.push_back({table.name, what + ": share (export, import, map, read, unmap, close)", table.number(row, "share_ns"), Unit::nanoseconds,
                       std::nullopt});
        out.push_back({table.name, what + ": steady state: map, read, unmap", table.number(row, "steady_ns"),
                       Unit::nanoseconds, std::nullopt});
        out.push_back({table.name, what + ": steady state: map, unmap alone", table.number(row, "steady_map_ns"),
                       Unit::nanoseconds, std::nullopt});
        out.push_back({table.name, what + ": CPU copy", table.number(row, "copy_ns"), Unit::nanoseconds,
                       std::nullopt});
        // The share's phases, each its own median (optional: older logs lack them).
        for (const auto& [key, name] : frame_phases) {
            if (table.column(key)) {
                out.push_back({table.name, what + ": share phase, " + std::string(name), table.number(row, key),
                               Unit::nanoseconds, std::nullopt});
            }
        }
    }
}

void iova_figures(const Table& table, std::vector<Figure>& out) {
    for (const auto& row : table.rows) {
        out.push_back({table.name,
                       "iova " + integer_text(table.number(row, "extent_kb")) + " KiB extents, " +
                           integer_text(table.number(row, "run_pages")) + "-page runs: xe_pfvf / bare",
                       ratio(table, row, "xlate_ns", "bare_ns"), Unit::ratio,
                       Target{Comparison::at_most, xlate_vs_bare}});
    }
}

void dmabuf_figures(const Table& table, std::vector<Figure>& out) {
    for (const auto& row : table.rows) {
        const std::string what = "dmabuf " + significant(table.number(row, "bytes") / bytes_per_mib, 3) + " MiB: ";
        out.push_back({table.name, what + "dma_map_resource / private", ratio(table, row, "map_resource_ns", "private_ns"),
                       Unit::ratio, Target{Comparison::at_least, standard_vs_private}});
        out.push_back({table.name, what + "dma_map_sgtable / private", ratio(table, row, "map_sgtable_ns", "private_ns"),
                       Unit::ratio, Target{Comparison::at_least, standard_vs_private}});
    }
}

void revoke_stuck_figures(const Table& table, std::vector<Figure>& out) {
    for (const auto& row : table.rows) {
        out.push_back({table.name, "revoke beside a stuck importer: stuck / alone",
                       ratio(table, row, "stuck_ns", "alone_ns"), Unit::ratio,
                       Target{Comparison::at_most, stuck_vs_alone}});
    }
}

void revoke_figures(const Table& table, std::vector<Figure>& out) {
    for (const auto& row : table.rows) {
        const double buffers = table.number(row, "buffers");
        out.push_back({table.name, "revoke " + integer_text(buffers) + (buffers == 1 ? " dma-buf" : " dma-bufs") + ": latency",
                       table.number(row, "latency_ns"), Unit::nanoseconds, std::nullopt});
    }
    const Row& few = lowest(table, "buffers");
    const Row& many = highest(table, "buffers");
    if (&few != &many) {
        out.push_back({table.name,
                       "revoke latency, " + integer_text(table.number(many, "buffers")) + " / " +
                           integer_text(table.number(few, "buffers")) + " dma-bufs",
                       table.number(many, "latency_ns") / nonzero(table, few, "latency_ns"), Unit::ratio,
                       std::nullopt});
    }
}

void scale_figures(const Table& table, std::vector<Figure>& out) {
    const Row& few = lowest(table, "vfs");
    const Row& many = highest(table, "vfs");
    for (const auto& row : table.rows) {
        const std::string what = "scale " + integer_text(table.number(row, "vfs")) + " VFs: ";
        out.push_back({table.name, what + "lookup per page", table.number(row, "lookup_ps_per_page"),
                       Unit::picoseconds, std::nullopt});
        out.push_back({table.name, what + "export+map", table.number(row, "export_map_ns"), Unit::nanoseconds,
                       std::nullopt});
    }
    if (&few == &many) {
        return;
    }
    const std::string what = "scale " + integer_text(table.number(many, "vfs")) + " / " +
                             integer_text(table.number(few, "vfs")) + " VFs: ";
    const std::array<std::pair<std::string_view, std::string_view>, 3> growth = {{
        {"lookup_ps_per_page", "lookup per page"},
        {"export_map_ns", "export+map"},
        {"unregister_revoke_ns", "unregister+revoke"},
    }};
    for (const auto& [key, label] : growth) {
        out.push_back({table.name, what + std::string(label), table.number(many, key) / nonzero(table, few, key),
                       Unit::ratio, std::nullopt});
    }
}

/// Quotes nothing: values were checked to hold no ',' or '"'.
void append_csv_number(std::string& line, double value) {
    line += significant(value, 6);
}

[[nodiscard]] std::string gnuplot_terminal(std::string_view image) {
    // reset: several scripts may run in one gnuplot, and none may inherit
    // another's settings.
    return "reset\n"
           "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
           "    set terminal pngcairo size 900,600 font \"sans,10\"\n"
           "} else {\n"
           "    set terminal png size 900,600\n"
           "}\n"
           "set output \"" +
           std::string(image) +
           "\"\n"
           "set datafile separator \",\"\n"
           "set grid\n";
}

/// The 1-based gnuplot column of @p key among the table's keys, then the derived columns.
[[nodiscard]] std::string column_of(const Table& table, std::span<const DerivedColumn> derived, std::string_view key) {
    if (const auto index = table.column(key)) {
        return std::to_string(*index + 1);
    }
    for (std::size_t i = 0; i < derived.size(); ++i) {
        if (derived[i].name == key) {
            return std::to_string(table.keys.size() + i + 1);
        }
    }
    throw InputError("csv=" + table.name + " has no column " + std::string(key) + " to plot");
}

[[nodiscard]] Plot frame_plot(const Table& table, std::span<const DerivedColumn> derived) {
    const auto col = [&](std::string_view key) { return column_of(table, derived, key); };
    const std::string x = "(column(" + col("bytes") + ")/1048576.0)";
    const std::string tick = "sprintf(\"%s, %.1f MiB\", strcol(" + col("frame") + "), " + x + ")";
    const auto series = [&](std::string_view key, std::string_view title) {
        return "\"frame.csv\" every ::1 using " + x + ":(column(" + col(key) + ")/1000.0):xtic(" + tick +
               ") with linespoints title \"" + std::string(title) + "\"";
    };
    std::string text = "# Cost per frame against frame size: share, steady state, CPU copy.\n" +
                       gnuplot_terminal("frame.png") +
                       "set title \"Cost per frame against frame size (VF LMEM to the PF)\"\n"
                       "set xlabel \"frame size\"\n"
                       "set ylabel \"cost per frame (us, log)\"\n"
                       "set logscale y\n"
                       "set key below\n"
                       "set offsets graph 0.1, graph 0.1, 0, 0\n"
                       "plot " +
                       series("share_ns", "share: export, import, map, read, unmap, close") + ", \\\n     " +
                       series("steady_ns", "steady state: map, read, unmap") + ", \\\n     " +
                       series("steady_map_ns", "steady state: map, unmap alone") + ", \\\n     " +
                       series("copy_ns", "CPU copy") + ", \\\n     " +
                       significant(frame_period_ns / ns_per_us / 100.0, 4) +
                       " with lines dashtype 2 title \"1% of a 60 Hz frame\"\n";
    return {"frame.gp", "frame.png", std::move(text)};
}

[[nodiscard]] Plot scale_plot(const Table& table, std::span<const DerivedColumn> derived) {
    const auto col = [&](std::string_view key) { return column_of(table, derived, key); };
    const auto series = [&](std::string_view key, std::string_view title) {
        return "\"scale.csv\" every ::1 using " + col("vfs") + ":" + col(key) + " with linespoints title \"" +
               std::string(title) + "\"";
    };
    std::string text = "# Lookup and export+map cost against the number of VFs, normalised to the fewest.\n" +
                       gnuplot_terminal("scale.png") +
                       "set title \"Cost against VF count, normalised to the fewest VFs measured\"\n"
                       "set xlabel \"provisioned VFs (log)\"\n"
                       "set ylabel \"cost / cost with the fewest VFs\"\n"
                       "set logscale x 2\n"
                       "set yrange [0:*]\n"
                       "set key bottom right\n"
                       "set offsets graph 0.05, graph 0.05, 0, 0\n"
                       "plot " +
                       series("lookup_norm", "lookup per page") + ", \\\n     " +
                       series("export_map_norm", "export+map") + ", \\\n     " +
                       "1 with lines dashtype 2 title \"no growth\"\n";
    return {"scale.gp", "scale.png", std::move(text)};
}

[[nodiscard]] Plot revoke_plot(const Table& table, std::span<const DerivedColumn> derived) {
    const auto col = [&](std::string_view key) { return column_of(table, derived, key); };
    std::string text = "# Revocation latency against the number of dma-bufs revoked.\n" +
                       gnuplot_terminal("revoke.png") +
                       "set title \"Revocation latency against dma-bufs revoked\"\n"
                       "set xlabel \"dma-bufs (log)\"\n"
                       "set ylabel \"latency (us, log)\"\n"
                       "set logscale xy\n"
                       "set key top left\n"
                       "plot \"revoke.csv\" every ::1 using " +
                       col("buffers") + ":(column(" + col("latency_ns") +
                       ")/1000.0) with linespoints title \"revoke latency\"\n";
    return {"revoke.gp", "revoke.png", std::move(text)};
}

}  // namespace

std::optional<std::size_t> Table::column(std::string_view key) const noexcept {
    const auto found = std::find(keys.begin(), keys.end(), key);
    if (found == keys.end()) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(found - keys.begin());
}

std::string_view Table::text(const Row& row, std::string_view key) const {
    const auto index = column(key);
    if (!index || *index >= row.values.size()) {
        throw InputError(row.origin + ": csv=" + name + " has no " + std::string(key) + "=");
    }
    return row.values[*index];
}

double Table::number(const Row& row, std::string_view key) const {
    const std::string_view value = text(row, key);
    const auto parsed = parse_uint(value);
    if (!parsed) {
        throw InputError(row.origin + ": csv=" + name + " " + std::string(key) + "=" + std::string(value) +
                         " is not an unsigned integer");
    }
    return static_cast<double>(*parsed);
}

void Collector::add_log(std::string_view text, std::string_view origin) {
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        while (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        // "xe_pfvf_bench: csv=", or with a word or two a script put between
        // ("xe_pfvf_bench: VRAM chunks 4 KiB: csv=iova ...").
        const std::size_t tag = line.find(bench_tag);
        if (tag == std::string_view::npos) {
            continue;
        }
        const std::string_view rest = line.substr(tag + bench_tag.size());
        std::size_t at = rest.starts_with(csv_key) ? 0 : rest.find(" csv=");
        if (at == std::string_view::npos) {
            continue;
        }
        at = rest.find(csv_key, at);
        add_line(rest.substr(at + csv_key.size()), std::string(origin) + ":" + std::to_string(line_no));
    }
}

void Collector::add_line(std::string_view body, const std::string& origin) {
    const auto words = split_words(body);
    if (words.empty() || !all_of(words.front(), is_name_char)) {
        throw InputError(origin + ": csv= wants a table name of [a-z0-9_]");
    }
    const std::string name(words.front());
    const std::string where = origin + ": csv=" + name + ": ";
    std::vector<std::string> keys;
    Row row{{}, origin};
    for (const auto word : std::span(words).subspan(1)) {
        const std::size_t eq = word.find('=');
        if (eq == std::string_view::npos) {
            throw_word_error(where, word, "not key=value");
        }
        const std::string_view key = word.substr(0, eq);
        const std::string_view value = word.substr(eq + 1);
        if (!all_of(key, is_name_char) || !all_of(value, is_value_char)) {
            throw_word_error(where, word, "a key wants [a-z0-9_], a value [A-Za-z0-9_.:+-]");
        }
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
            throw_word_error(where, key, "given twice");
        }
        keys.emplace_back(key);
        row.values.emplace_back(value);
    }
    if (keys.empty()) {
        throw InputError(origin + ": csv=" + name + " has no key=value");
    }
    auto table = std::find_if(tables_.begin(), tables_.end(), [&](const Table& t) { return t.name == name; });
    if (table == tables_.end()) {
        tables_.push_back({name, std::move(keys), {}});
        table = std::prev(tables_.end());
    } else if (table->keys != keys) {
        throw InputError(origin + ": csv=" + name + " keys (" + join(keys, " ") + ") differ from those of " +
                         table->rows.front().origin + " (" + join(table->keys, " ") + ")");
    }
    table->rows.push_back(std::move(row));
}

const Table* Collector::find(std::string_view name) const noexcept {
    const auto found = std::find_if(tables_.begin(), tables_.end(), [&](const Table& t) { return t.name == name; });
    return found == tables_.end() ? nullptr : &*found;
}

std::span<const std::string_view> known_tables() noexcept { return table_order; }

std::span<const std::string_view> required_keys(std::string_view name) noexcept {
    if (name == "frame") {
        return frame_keys;
    }
    if (name == "iova") {
        return iova_keys;
    }
    if (name == "dmabuf") {
        return dmabuf_keys;
    }
    if (name == "revoke_stuck") {
        return revoke_stuck_keys;
    }
    if (name == "revoke") {
        return revoke_keys;
    }
    if (name == "scale") {
        return scale_keys;
    }
    return {};
}

void check_keys(const Table& table) {
    std::vector<std::string> missing;
    for (const auto key : required_keys(table.name)) {
        if (!table.column(key)) {
            missing.emplace_back(key);
        }
    }
    if (!missing.empty()) {
        throw InputError(table.rows.front().origin + ": csv=" + table.name + " lacks " + join(missing, ", "));
    }
}

std::vector<DerivedColumn> derive(const Table& table) {
    check_keys(table);
    if (table.rows.empty()) {
        return {};
    }
    if (table.name == "frame") {
        return {{"copy_over_share", column_ratio(table, "copy_ns", "share_ns")},
                {"share_frame_pct", column_frame_percent(table, "share_ns")},
                {"steady_frame_pct", column_frame_percent(table, "steady_ns")},
                {"steady_map_frame_pct", column_frame_percent(table, "steady_map_ns")}};
    }
    if (table.name == "iova") {
        return {{"xlate_over_bare", column_ratio(table, "xlate_ns", "bare_ns")}};
    }
    if (table.name == "dmabuf") {
        return {{"map_resource_over_private", column_ratio(table, "map_resource_ns", "private_ns")},
                {"map_sgtable_over_private", column_ratio(table, "map_sgtable_ns", "private_ns")}};
    }
    if (table.name == "revoke_stuck") {
        return {{"stuck_over_alone", column_ratio(table, "stuck_ns", "alone_ns")}};
    }
    if (table.name == "revoke") {
        return {{"latency_per_buffer_ns", column_ratio(table, "latency_ns", "buffers")}};
    }
    if (table.name == "scale") {
        return {{"lookup_norm", column_normalised(table, "lookup_ps_per_page", "vfs")},
                {"export_map_norm", column_normalised(table, "export_map_ns", "vfs")},
                {"unregister_revoke_norm", column_normalised(table, "unregister_revoke_ns", "vfs")}};
    }
    return {};
}

Verdict Figure::verdict() const noexcept {
    if (!target) {
        return Verdict::reported;
    }
    bool met = false;
    switch (target->comparison) {
    case Comparison::at_least:
        met = value >= target->bound;
        break;
    case Comparison::at_most:
        met = value <= target->bound;
        break;
    case Comparison::below:
        met = value < target->bound;
        break;
    }
    return met ? Verdict::met : Verdict::missed;
}

std::vector<Figure> figures(const Table& table) {
    check_keys(table);
    std::vector<Figure> out;
    if (table.rows.empty()) {
        return out;
    }
    if (table.name == "frame") {
        frame_figures(table, out);
    } else if (table.name == "iova") {
        iova_figures(table, out);
    } else if (table.name == "dmabuf") {
        dmabuf_figures(table, out);
    } else if (table.name == "revoke_stuck") {
        revoke_stuck_figures(table, out);
    } else if (table.name == "revoke") {
        revoke_figures(table, out);
    } else if (table.name == "scale") {
        scale_figures(table, out);
    }
    return out;
}

std::string format_value(double value, Unit unit) {
    switch (unit) {
    case Unit::ratio:
        return significant(value, 3) + "x";
    case Unit::percent:
        return significant(value, 2) + "%";
    case Unit::picoseconds:
        return significant(value, 3) + " ps";
    case Unit::nanoseconds:
        break;
    }
    if (value < ns_per_us) {
        return significant(value, 3) + " ns";
    }
    if (value < ns_per_ms) {
        return significant(value / ns_per_us, 3) + " us";
    }
    if (value < ns_per_s) {
        return significant(value / ns_per_ms, 3) + " ms";
    }
    return significant(value / ns_per_s, 3) + " s";
}

std::string format_target(const std::optional<Target>& target, Unit unit) {
    if (!target) {
        return "";
    }
    std::string_view op;
    switch (target->comparison) {
    case Comparison::at_least:
        op = ">= ";
        break;
    case Comparison::at_most:
        op = "<= ";
        break;
    case Comparison::below:
        op = "< ";
        break;
    }
    // The bound as written in the issue: "1.3x", not "1.30x".
    std::ostringstream bound;
    bound << target->bound;
    const std::string suffix = unit == Unit::ratio ? "x" : unit == Unit::percent ? "%" : "";
    return std::string(op) + bound.str() + suffix;
}

std::string_view verdict_label(Verdict verdict) noexcept {
    switch (verdict) {
    case Verdict::met:
        return "yes";
    case Verdict::missed:
        return "NO";
    case Verdict::reported:
        break;
    }
    return "-";
}

Tally tally(std::span<const Figure> figures) noexcept {
    Tally counts;
    for (const auto& figure : figures) {
        switch (figure.verdict()) {
        case Verdict::met:
            ++counts.met;
            break;
        case Verdict::missed:
            ++counts.missed;
            break;
        case Verdict::reported:
            ++counts.reported;
            break;
        }
    }
    return counts;
}

std::string render_text(std::span<const Figure> figures) {
    constexpr std::string_view head_figure = "figure";
    constexpr std::string_view head_target = "target";
    constexpr std::string_view head_measured = "measured";
    std::size_t name_width = head_figure.size();
    std::size_t target_width = head_target.size();
    std::size_t value_width = head_measured.size();
    for (const auto& figure : figures) {
        name_width = std::max(name_width, figure.name.size());
        target_width = std::max(target_width, format_target(figure.target, figure.unit).size());
        value_width = std::max(value_width, format_value(figure.value, figure.unit).size());
    }
    std::ostringstream out;
    out << std::left << std::setw(static_cast<int>(name_width)) << head_figure << "  "
        << std::setw(static_cast<int>(target_width)) << head_target << "  " << std::right
        << std::setw(static_cast<int>(value_width)) << head_measured << "  met\n";
    for (const auto& figure : figures) {
        out << std::left << std::setw(static_cast<int>(name_width)) << figure.name << "  "
            << std::setw(static_cast<int>(target_width)) << format_target(figure.target, figure.unit) << "  "
            << std::right << std::setw(static_cast<int>(value_width)) << format_value(figure.value, figure.unit)
            << "  " << verdict_label(figure.verdict()) << '\n';
    }
    const Tally counts = tally(figures);
    out << figures.size() << " figures: " << counts.met << " met, " << counts.missed << " missed, "
        << counts.reported << " reported only\n";
    return out.str();
}

std::string render_markdown(std::span<const Figure> figures) {
    std::string out = "| figure | target | measured | met |\n|---|---|---|---|\n";
    for (const auto& figure : figures) {
        out += "| " + figure.name + " | " + format_target(figure.target, figure.unit) + " | " +
               format_value(figure.value, figure.unit) + " | " + std::string(verdict_label(figure.verdict())) +
               " |\n";
    }
    return out;
}

std::string render_json(std::span<const Figure> figures) {
    constexpr std::array<std::string_view, 4> unit_names = {"ratio", "percent", "ns", "ps"};
    constexpr std::array<std::string_view, 3> comparison_names = {">=", "<=", "<"};
    constexpr std::array<std::string_view, 3> verdict_names = {"met", "missed", "reported"};
    nlohmann::json list = nlohmann::json::array();
    for (const auto& figure : figures) {
        nlohmann::json target = nullptr;
        if (figure.target) {
            target = {{"comparison", comparison_names.at(static_cast<std::size_t>(figure.target->comparison))},
                      {"bound", figure.target->bound}};
        }
        list.push_back({{"table", figure.table},
                        {"name", figure.name},
                        {"value", figure.value},
                        {"unit", unit_names.at(static_cast<std::size_t>(figure.unit))},
                        {"target", target},
                        {"verdict", verdict_names.at(static_cast<std::size_t>(figure.verdict()))}});
    }
    const Tally counts = tally(figures);
    const nlohmann::json out = {
        {"figures", list}, {"met", counts.met}, {"missed", counts.missed}, {"reported", counts.reported}};
    return out.dump(2) + '\n';
}

std::string render_csv(const Table& table, std::span<const DerivedColumn> derived) {
    std::string out = join(table.keys, ",");
    for (const auto& column : derived) {
        out += "," + column.name;
    }
    out += '\n';
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        std::string line = join(table.rows[r].values, ",");
        for (const auto& column : derived) {
            line += ',';
            append_csv_number(line, column.values.at(r));
        }
        out += line + '\n';
    }
    return out;
}

std::vector<Plot> plots(const Table& table, std::span<const DerivedColumn> derived) {
    if (table.rows.empty()) {
        return {};
    }
    if (table.name == "frame") {
        return {frame_plot(table, derived)};
    }
    if (table.name == "scale") {
        return {scale_plot(table, derived)};
    }
    if (table.name == "revoke") {
        return {revoke_plot(table, derived)};
    }
    return {};
}

}  // namespace xe_pfvf::bench
