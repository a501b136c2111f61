#include "swpf.hpp"

#include "sys.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>
#include <map>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace xe_pfvf::guest {

namespace {

[[noreturn]] void malformed(std::string_view line) {
    throw std::runtime_error("slot status: malformed line '" + std::string(line) + "'");
}

std::uint64_t status_number(std::string_view word, std::string_view line) {
    const auto value = parse_number(word);
    if (!value) {
        malformed(line);
    }
    return *value;
}

unsigned status_unsigned(std::string_view word, std::string_view line) {
    const std::uint64_t value = status_number(word, line);
    if (value > UINT32_MAX) {
        malformed(line);
    }
    return static_cast<unsigned>(value);
}

/// A negative errno as the kernel prints it ("-19", "0").
int status_errno(std::string_view word, std::string_view line) {
    const bool negative = word.starts_with('-');
    const unsigned magnitude = status_unsigned(negative ? word.substr(1) : word, line);
    if (magnitude > 4095) {
        malformed(line);
    }
    return negative ? -static_cast<int>(magnitude) : static_cast<int>(magnitude);
}

std::string hex_number(std::uint64_t value) {
    std::array<char, 16> digits{};
    char* const first = digits.data();
    const auto [last, ec] = std::to_chars(first, first + digits.size(), value, 16);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    static_cast<void>(ec);  // 16 digits always suffice
    return "0x" + std::string(first, last);
}

}  // namespace

std::optional<SwpfTag> page_tag(std::span<const std::byte> page) noexcept {
    SwpfTag tag{};
    if (page.size() < sizeof(tag)) {
        return std::nullopt;
    }
    std::memcpy(&tag, page.data(), sizeof(tag));
    if (tag.magic != swpf_tag_magic) {
        return std::nullopt;
    }
    return tag;
}

std::vector<std::byte> expected_pattern(std::uint64_t seed, std::span<const LmemRange> ranges) {
    std::vector<std::byte> out;
    for (const LmemRange& r : ranges) {
        for (std::uint64_t o = r.offset; o < r.offset + r.length; ++o) {
            out.push_back(static_cast<std::byte>(pattern_byte(seed, o)));
        }
    }
    return out;
}

SlotStatus parse_slot_status(std::string_view text) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) {
        throw std::runtime_error("slot status: no header line in '" + std::string(text) + "'");
    }
    const std::string_view head = text.substr(0, nl);
    std::map<std::string_view, std::string_view, std::less<>> fields;
    for (std::size_t pos = 0; pos < head.size();) {
        const auto end = std::min(head.find(' ', pos), head.size());
        const std::string_view word = head.substr(pos, end - pos);
        const auto eq = word.find('=');
        if (eq == std::string_view::npos || !fields.emplace(word.substr(0, eq), word.substr(eq + 1)).second) {
            malformed(head);
        }
        pos = end + 1;
    }
    const auto field = [&](std::string_view key) {
        const auto it = fields.find(key);
        if (it == fields.end()) {
            malformed(head);
        }
        return it->second;
    };
    SlotStatus s;
    s.state = field("state");
    s.mode = field("mode");
    s.vf = status_unsigned(field("vf"), head);
    s.size = status_number(field("size"), head);
    s.nr_extents = status_unsigned(field("extents"), head);
    s.notified = status_unsigned(field("notified"), head);
    s.err = status_errno(field("err"), head);

    for (std::string_view rest = text.substr(nl + 1); !rest.empty();) {
        const auto end = rest.find('\n');
        if (end == std::string_view::npos) {
            malformed(rest);
        }
        const std::string_view line = rest.substr(0, end);
        rest = rest.substr(end + 1);
        const auto space = line.find(' ');
        if (space == std::string_view::npos) {
            malformed(line);
        }
        s.extents.push_back(VramExtent{.start = status_number(line.substr(0, space), line),
                                       .size = status_number(line.substr(space + 1), line)});
    }
    if (s.extents.size() != s.nr_extents) {
        throw std::runtime_error("slot status: " + std::to_string(s.extents.size()) + " extent lines after '" +
                                 std::string(head) + "'");
    }
    return s;
}

void ImportSlot::import(int fd, ImportMode mode, ImportBehaviour behaviour) const {
    write_attribute(dir_ / "import", std::to_string(fd) + (mode == ImportMode::standard ? " standard" : "") +
                                         (behaviour == ImportBehaviour::stall ? " stall" : ""));
}

void ImportSlot::ctl(std::string_view command) const { write_attribute(dir_ / "ctl", command); }

SlotStatus ImportSlot::status() const { return parse_slot_status(read_file(dir_ / "status")); }

std::vector<std::byte> ImportSlot::data() const {
    const UniqueFd fd = open_fd(dir_ / "data", O_RDONLY);
    std::vector<std::byte> out;
    std::array<std::byte, 65536> buffer{};
    for (;;) {
        const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
        if (got < 0) {
            throw_errno("read " + (dir_ / "data").string());
        }
        if (got == 0) {
            return out;
        }
        out.insert(out.end(), buffer.begin(), buffer.begin() + got);
    }
}

SlotGuard::~SlotGuard() {
    try {
        slot_.ctl("release");
    } catch (const std::exception& e) {
        // The PF may be gone with its slots (unload tests).
        if (std::filesystem::exists(slot_.dir())) {
            std::cerr << "releasing " << slot_.dir() << ": " << e.what() << '\n';
        }
    }
}

bool SwpfDebugfs::exists() const { return std::filesystem::exists(dir_ / "fill"); }

void SwpfDebugfs::fill(unsigned vf, std::uint64_t lmem, std::uint64_t len, std::uint64_t seed) const {
    fill_raw("vf=" + std::to_string(vf) + " lmem=" + hex_number(lmem) + " len=" + hex_number(len) +
             " seed=" + hex_number(seed));
}

void SwpfDebugfs::fill_tagged(unsigned vf, std::uint64_t lmem, std::uint64_t len, std::uint64_t seed) const {
    fill_raw("vf=" + std::to_string(vf) + " lmem=" + hex_number(lmem) + " len=" + hex_number(len) +
             " seed=" + hex_number(seed) + " tag");
}

void SwpfDebugfs::fill_raw(std::string_view request) const { write_attribute(dir_ / "fill", request); }

void SwpfDebugfs::provision(unsigned vf) const { write_attribute(dir_ / "vf", "provision " + std::to_string(vf)); }

void SwpfDebugfs::unprovision(unsigned vf) const {
    write_attribute(dir_ / "vf", "unprovision " + std::to_string(vf));
}

ImportSlot SwpfDebugfs::slot(unsigned k) const { return ImportSlot(dir_ / ("slot" + std::to_string(k))); }

}  // namespace xe_pfvf::guest
