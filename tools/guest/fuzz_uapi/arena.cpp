#include "arena.hpp"

#include "guard.hpp"

#include <algorithm>
#include <cstring>
#include <sys/mman.h>
#include <system_error>

namespace xe_pfvf::fuzz {

namespace {

constexpr std::size_t page_size = 4096;
// Pages of the mapping: struct area (2), guard, array area, guard,
// read-only struct (2), guard, read-only array, guard.
constexpr std::size_t struct_page = 0;
constexpr std::size_t struct_guard = 2;
constexpr std::size_t array_page = 3;
constexpr std::size_t array_pages = Arena::array_room / page_size;
constexpr std::size_t array_guard = array_page + array_pages;
constexpr std::size_t ro_struct_page = array_guard + 1;
constexpr std::size_t ro_struct_guard = ro_struct_page + 2;
constexpr std::size_t ro_array_page = ro_struct_guard + 1;
constexpr std::size_t ro_array_guard = ro_array_page + 1;
constexpr std::size_t total_pages = ro_array_guard + 1;

void protect(std::byte* at, std::size_t pages, int prot) {
    if (::mprotect(at, pages * page_size, prot) != 0) {
        guest::throw_errno("mprotect");
    }
}

std::uint64_t address_of(const std::byte* p) noexcept { return reinterpret_cast<std::uintptr_t>(p); }  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)

std::span<std::uint8_t> bytes_at(std::byte* p, std::size_t n) noexcept {
    return {reinterpret_cast<std::uint8_t*>(p), n};  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

}  // namespace

Arena::Arena()
    : map_(guest::Mapping::map(total_pages * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0,
                               "fuzzer arena")) {
    for (const std::size_t guard : {struct_guard, array_guard, ro_struct_guard, ro_array_guard}) {
        protect(page(guard), 1, PROT_NONE);
    }
    protect(page(ro_struct_page), 2, PROT_READ);
    protect(page(ro_array_page), 1, PROT_READ);
}

std::byte* Arena::page(std::size_t n, std::size_t plus, std::size_t minus) const noexcept {
    return map_.bytes().subspan(n * page_size + plus - minus).data();
}

std::uint64_t Arena::bad_address(Where where, std::uint32_t selector, std::uint64_t prot_none) noexcept {
    switch (where) {
    case Where::prot_none:
        return prot_none + selector % (page_size - 64);
    case Where::low:  // below vm.mmap_min_addr (64 KiB)
        return 0x1000ULL * (1 + selector % 14) + selector % 64;
    case Where::kernel:
        return selector % 2 == 0 ? 0xffff888000000000ULL : 0xffffffff81000000ULL;
    case Where::noncanonical:
        return selector % 2 == 0 ? 0x0000800000000000ULL : 0x8000000000001000ULL;
    case Where::top:
        return (1ULL << 47U) - page_size;
    case Where::wrap:
        return 0xfffffffffffff000ULL + (selector % 512ULL) * 8ULL;
    default:
        return 0;  // null
    }
}

Placed Arena::place_struct(const Placement& p, std::span<const std::uint8_t> content, std::uint64_t seed) {
    Placed out;
    const std::size_t n = content.size();
    switch (p.where) {
    case Where::normal: {
        std::byte* at = page(struct_page, p.misalign % 8);
        out.view = bytes_at(at, n + canary_bytes);
        std::copy(content.begin(), content.end(), out.view.begin());
        fill_pattern(out.view.subspan(n), seed);
        out.address = address_of(at);
        out.readable = out.writable = UINT64_MAX;
        return out;
    }
    case Where::read_only: {
        std::byte* at = page(ro_struct_page);
        protect(at, 2, PROT_READ | PROT_WRITE);
        out.view = bytes_at(at, n + canary_bytes);
        std::copy(content.begin(), content.end(), out.view.begin());
        fill_pattern(out.view.subspan(n), seed);
        protect(at, 2, PROT_READ);
        out.address = address_of(at);
        out.readable = UINT64_MAX;
        out.writable = 0;
        return out;
    }
    case Where::straddle: {
        const std::size_t k = std::min<std::size_t>(p.bytes, std::min(n, 2 * page_size));
        std::byte* at = page(struct_guard, 0, k);
        out.view = bytes_at(at, k);
        std::copy_n(content.begin(), k, out.view.begin());
        out.address = address_of(at);
        out.readable = out.writable = k;  // a struct that fits (a later mutation shrank it) is written back
        return out;
    }
    default:
        out.address = bad_address(p.where, p.bytes, address_of(page(struct_guard)));
        return out;
    }
}

Placed Arena::place_array(const Placement& p, std::size_t fill, std::uint64_t seed) {
    Placed out;
    switch (p.where) {
    case Where::normal: {
        std::byte* at = page(array_page);
        out.view = bytes_at(at, std::min(fill, array_room));
        fill_pattern(out.view, seed);
        out.address = address_of(at);
        out.readable = out.writable = array_room;
        return out;
    }
    case Where::read_only:
        out.address = address_of(page(ro_array_page));
        out.readable = page_size;
        return out;
    case Where::straddle: {
        const std::size_t k = std::min<std::size_t>(p.bytes, array_room);
        std::byte* at = page(array_guard, 0, k);
        out.view = bytes_at(at, k);
        fill_pattern(out.view, seed);
        out.address = address_of(at);
        out.readable = out.writable = k;
        return out;
    }
    default:
        out.address = bad_address(p.where, p.bytes, address_of(page(array_guard)));
        return out;
    }
}

}  // namespace xe_pfvf::fuzz
