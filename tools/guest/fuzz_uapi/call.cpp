#include "call.hpp"

#include <array>
#include <cstring>
#include <iomanip>
#include <sstream>

namespace xe_pfvf::fuzz {

std::string_view where_name(Where where) noexcept {
    static constexpr std::array<std::string_view, 10> names{
        "normal", "read-only", "straddle", "prot-none", "null", "low", "kernel", "noncanonical", "top", "wrap",
    };
    return names.at(static_cast<std::size_t>(where));
}

std::uint64_t Call::get_at(std::size_t offset, std::size_t width) const noexcept {
    std::uint64_t v = 0;
    if (width <= sizeof(v) && offset + width <= bytes.size()) {
        std::memcpy(&v, &bytes[offset], width);  // little endian
    }
    return v;
}

void Call::set_at(std::size_t offset, std::size_t width, std::uint64_t value) noexcept {
    if (width <= sizeof(value) && offset + width <= bytes.size()) {
        std::memcpy(&bytes[offset], &value, width);
    }
}

std::uint64_t Call::array_count() const noexcept {
    const auto& a = layout(ioc).array;
    return a ? get_at(a->count, 4) : 0;
}

std::uint64_t Call::array_entry_size() const noexcept {
    const auto& a = layout(ioc).array;
    return a ? get_at(a->entry_size, 4) : 0;
}

std::uint32_t Call::size() const noexcept { return static_cast<std::uint32_t>(get(layout(ioc).fields.front())); }

void Call::set_size(std::uint32_t size) {
    bytes.resize(struct_length(ioc, size), 0);
    set(layout(ioc).fields.front(), size);
}

void Call::note(std::string_view text) {
    if (!what.empty()) {
        what += ", ";
    }
    what += text;
}

Call make_call(Ioc ioc) {
    const IocLayout& l = layout(ioc);
    Call c;
    c.ioc = ioc;
    c.cmd = l.cmd;
    c.bytes.assign(l.ver0, 0);
    c.set_size(l.ver0);
    return c;
}

std::size_t struct_length(Ioc ioc, std::uint32_t size) noexcept {
    const std::uint32_t ver0 = layout(ioc).ver0;
    return size > ver0 && size <= max_struct_size ? size : ver0;
}

std::string hex(std::span<const std::uint8_t> bytes, std::size_t max) {
    std::ostringstream out;
    out << std::hex << std::setfill('0');
    const std::size_t n = bytes.size() < max ? bytes.size() : max;
    for (std::size_t i = 0; i < n; ++i) {
        out << (i == 0 ? "" : (i % 8 == 0 ? " | " : " ")) << std::setw(2) << static_cast<unsigned>(bytes[i]);
    }
    if (n < bytes.size()) {
        out << " ... (" << std::dec << bytes.size() << " bytes)";
    }
    return out.str();
}

}  // namespace xe_pfvf::fuzz
