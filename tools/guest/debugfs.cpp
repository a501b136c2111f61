#include "debugfs.hpp"

#include "sys.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <limits>
#include <map>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace xe_pfvf::guest {

namespace {

/// Splits @text into lines, without the newlines; a trailing newline does
/// not make an empty last line.
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        lines.push_back(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return lines;
}

/// Splits @line at runs of blanks.
std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    constexpr std::string_view blanks = " \t";
    for (auto pos = line.find_first_not_of(blanks); pos != std::string_view::npos;
         pos = line.find_first_not_of(blanks, pos)) {
        const auto end = line.find_first_of(blanks, pos);
        words.push_back(line.substr(pos, end == std::string_view::npos ? end : end - pos));
        pos = end;
    }
    return words;
}

[[noreturn]] void malformed(std::string_view what, std::string_view line) {
    throw std::runtime_error(std::string(what) + ": malformed line '" + std::string(line) + "'");
}

std::uint64_t number(std::string_view word, std::string_view what, std::string_view line) {
    const auto value = parse_number(word);
    if (!value) {
        malformed(what, line);
    }
    return *value;
}

template <typename T>
T narrow_number(std::string_view word, std::string_view what, std::string_view line) {
    const std::uint64_t value = number(word, what, line);
    if (value > std::numeric_limits<T>::max()) {
        malformed(what, line);
    }
    return static_cast<T>(value);
}

/// "<cpu>+<size>" of the `vfs` file.
Bar parse_bar(std::string_view cpu_size, std::string_view bus, std::string_view line) {
    const auto plus = cpu_size.find('+');
    if (plus == std::string_view::npos) {
        malformed("vfs", line);
    }
    return Bar{.cpu = number(cpu_size.substr(0, plus), "vfs", line),
               .bus = number(bus, "vfs", line),
               .size = number(cpu_size.substr(plus + 1), "vfs", line)};
}

}  // namespace

const VfModel* PfModel::find(unsigned vf) const noexcept {
    const auto it = std::find_if(vfs.begin(), vfs.end(), [vf](const VfModel& m) { return m.vf == vf; });
    return it == vfs.end() ? nullptr : &*it;
}

std::optional<std::uint64_t> parse_number(std::string_view text) noexcept {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    std::uint64_t value = 0;
    const auto* const end = text.data() + text.size();  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
    if (text.empty() || ec != std::errc{} || ptr != end) {
        return std::nullopt;
    }
    return value;
}

std::vector<VfRow> parse_vfs(std::string_view text) {
    const auto lines = split_lines(text);
    if (lines.empty()) {
        throw std::runtime_error("vfs: no header line");
    }
    // Column name -> index, from the header.
    std::map<std::string_view, std::size_t, std::less<>> column;
    const auto header = split_words(lines.front());
    for (std::size_t i = 0; i < header.size(); ++i) {
        column.emplace(header[i], i);
    }
    constexpr std::array required{"vf", "bdf", "state", "quota", "extents", "generation", "bar_cpu",
                                  "bar_bus"};
    for (const std::string_view name : required) {
        if (!column.contains(name)) {
            throw std::runtime_error("vfs: no column '" + std::string(name) + "' in header '" +
                                     std::string(lines.front()) + "'");
        }
    }

    std::vector<VfRow> rows;
    for (std::size_t l = 1; l < lines.size(); ++l) {
        const std::string_view line = lines[l];
        const auto words = split_words(line);
        if (words.size() < header.size()) {
            malformed("vfs", line);
        }
        const auto at = [&](std::string_view name) { return words[column.find(name)->second]; };
        VfRow row{.vf = narrow_number<unsigned>(at("vf"), "vfs", line),
                  .bdf = std::string(at("bdf")),
                  .state = std::string(at("state")),
                  .quota = number(at("quota"), "vfs", line),
                  .nr_extents = narrow_number<unsigned>(at("extents"), "vfs", line),
                  .generation = narrow_number<unsigned>(at("generation"), "vfs", line),
                  .bar = std::nullopt};
        if (at("bar_cpu") != "-") {
            row.bar = parse_bar(at("bar_cpu"), at("bar_bus"), line);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<VfProvisioning> parse_provisioning(std::string_view text) {
    std::vector<VfProvisioning> vfs;
    std::size_t want_extents = 0;
    for (const std::string_view line : split_lines(text)) {
        const auto words = split_words(line);
        if (words.size() == 8 && words[0] == "vf" && words[2] == "quota" && words[4] == "generation" &&
            words[6] == "extents") {
            if (!vfs.empty() && vfs.back().extents.size() != want_extents) {
                malformed("provisioning (too few extents before)", line);
            }
            want_extents = number(words[7], "provisioning", line);
            VfProvisioning vf{.vf = narrow_number<unsigned>(words[1], "provisioning", line),
                              .quota = number(words[3], "provisioning", line),
                              .generation = narrow_number<unsigned>(words[5], "provisioning", line),
                              .extents = {}};
            vf.extents.reserve(want_extents);
            vfs.push_back(std::move(vf));
        } else if (words.size() == 3 && !vfs.empty() && vfs.back().extents.size() < want_extents) {
            vfs.back().extents.push_back(LmemExtent{.lmem = number(words[0], "provisioning", line),
                                                    .vram = number(words[1], "provisioning", line),
                                                    .size = number(words[2], "provisioning", line)});
        } else {
            malformed("provisioning", line);
        }
    }
    if (!vfs.empty() && vfs.back().extents.size() != want_extents) {
        throw std::runtime_error("provisioning: VF " + std::to_string(vfs.back().vf) + " lists " +
                                 std::to_string(vfs.back().extents.size()) + " extents, header says " +
                                 std::to_string(want_extents));
    }
    return vfs;
}

PfModel make_model(std::string_view pf, std::span<const VfRow> rows,
                   std::span<const VfProvisioning> provisioning) {
    PfModel model{.pf = std::string(pf), .vfs = {}};
    for (const VfRow& row : rows) {
        const auto prov = std::find_if(provisioning.begin(), provisioning.end(),
                                       [&](const VfProvisioning& p) { return p.vf == row.vf; });
        const bool provisioned = row.state == "provisioned";
        if (provisioned != (prov != provisioning.end())) {
            throw std::runtime_error("VF " + std::to_string(row.vf) + " is '" + row.state +
                                     "' in vfs but " + (provisioned ? "absent from" : "listed in") +
                                     " provisioning");
        }
        if (!provisioned || !row.bar) {
            continue;
        }
        if (prov->quota != row.quota || prov->generation != row.generation ||
            prov->extents.size() != row.nr_extents) {
            throw std::runtime_error("VF " + std::to_string(row.vf) +
                                     ": vfs and provisioning disagree on quota, generation or extents");
        }
        model.vfs.push_back(VfModel{.vf = row.vf,
                                    .bdf = row.bdf,
                                    .quota = row.quota,
                                    .generation = row.generation,
                                    .bar = *row.bar,
                                    .extents = prov->extents});
    }
    return model;
}

PfModel load_model(const std::string& pf) {
    const auto dir = debugfs_root / pf;
    // Two reads, not atomic together: make_model() catches a change between
    // them as a generation mismatch.
    const auto rows = parse_vfs(read_file(dir / "vfs"));
    const auto provisioning = parse_provisioning(read_file(dir / "provisioning"));
    return make_model(pf, rows, provisioning);
}

Translation parse_translation(std::string_view text) {
    const auto lines = split_lines(text);
    if (lines.empty()) {
        throw std::runtime_error("translate: empty result");
    }
    const std::string_view head = lines.front();
    std::map<std::string_view, std::string_view, std::less<>> fields;
    for (const std::string_view word : split_words(head)) {
        const auto eq = word.find('=');
        if (eq == std::string_view::npos) {
            malformed("translate", head);
        }
        fields.emplace(word.substr(0, eq), word.substr(eq + 1));
    }
    const auto field = [&](std::string_view key) {
        const auto it = fields.find(key);
        if (it == fields.end()) {
            malformed("translate", head);
        }
        return it->second;
    };
    Translation t;
    const std::string_view err = field("err");
    const bool negative = err.starts_with('-');
    const auto magnitude = narrow_number<unsigned>(negative ? err.substr(1) : err, "translate", head);
    t.err = negative ? -static_cast<int>(magnitude) : static_cast<int>(magnitude);
    t.vf = narrow_number<unsigned>(field("vf"), "translate", head);
    t.generation = narrow_number<unsigned>(field("generation"), "translate", head);
    t.nr_extents = narrow_number<unsigned>(field("extents"), "translate", head);
    t.bytes = number(field("bytes"), "translate", head);
    for (std::size_t l = 1; l < lines.size(); ++l) {
        const auto words = split_words(lines[l]);
        if (words.size() != 2) {
            malformed("translate", lines[l]);
        }
        t.extents.push_back(VramExtent{.start = number(words[0], "translate", lines[l]),
                                       .size = number(words[1], "translate", lines[l])});
    }
    // Extent lines are printed only on success, one per extent.
    const std::size_t want = t.err == 0 ? t.nr_extents : 0;
    if (t.extents.size() != want) {
        throw std::runtime_error("translate: " + std::to_string(t.extents.size()) +
                                 " extent lines after '" + std::string(head) + "'");
    }
    return t;
}

std::string translate_on(int fd, std::string_view request) {
    const std::string line = std::string(request) + "\n";
    const ssize_t done = ::write(fd, line.data(), line.size());
    if (done < 0) {
        throw_errno("translate request '" + std::string(request) + "'");
    }
    if (static_cast<std::size_t>(done) != line.size()) {
        throw std::system_error(EIO, std::generic_category(),
                                "short write of translate request '" + std::string(request) + "'");
    }
    std::string text;
    std::array<char, 4096> buffer{};
    for (;;) {
        const ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got == 0) {
            return text;
        }
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("read translate result of '" + std::string(request) + "'");
        }
        text.append(buffer.data(), static_cast<std::size_t>(got));
    }
}

Translation Translator::translate(std::string_view request) const {
    // One open per request: the read position of an open file is its own,
    // and the file is not seekable.
    const UniqueFd fd = open_fd(path_, O_RDWR);
    return parse_translation(translate_on(fd.get(), request));
}

}  // namespace xe_pfvf::guest
