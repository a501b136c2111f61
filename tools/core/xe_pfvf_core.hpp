// SPDX-License-Identifier: GPL-2.0-only
// C++20 wrapper of the xe_pfvf translation core (drivers/xe_pfvf/xe_pfvf_table.c
// built in userspace as the C library xe_pfvf_core).
#pragma once

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// C++ translation units get tools/core/shim only after the system headers
// (-idirafter, see CMakeLists.txt): its <linux/types.h> would shadow the uAPI
// header that glibc's <sys/stat.h> pulls in.  The shim's kernel types are
// included by path instead; the C headers' own #include <linux/types.h> then
// finds the (harmless) uAPI one, and <linux/bits.h> the shim's.
extern "C" {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"  // flexible array members
#include "shim/linux/types.h"
#include "xe_pfvf_table.h"
#pragma GCC diagnostic pop

/* Allocation failure injection of the shim (<linux/slab.h>): the Nth
 * allocation from now fails; 0 disables. */
extern long xe_pfvf_shim_fail_alloc_in;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
}

/// Extents compare by value (in the global namespace, for ADL).
inline bool operator==(const xe_pfvf_extent& a, const xe_pfvf_extent& b) noexcept {
    return a.start == b.start && a.size == b.size;
}

namespace xe_pfvf {

inline constexpr u64 granule = XE_PFVF_GRANULE;

/// Deleter of configs from xe_pfvf_vf_cfg_create().
struct CfgDeleter {
    void operator()(xe_pfvf_vf_cfg* cfg) const noexcept { xe_pfvf_vf_cfg_free(cfg); }
};

/// Deleter of tables from xe_pfvf_table_build().
struct TableDeleter {
    void operator()(xe_pfvf_table* table) const noexcept { xe_pfvf_table_free(table); }
};

using CfgPtr = std::unique_ptr<xe_pfvf_vf_cfg, CfgDeleter>;
using TablePtr = std::unique_ptr<xe_pfvf_table, TableDeleter>;

/// The errno of an ERR_PTR(), 0 for a valid pointer (or NULL).
inline int ptr_err(const void* ptr) noexcept {
    constexpr std::intptr_t max_errno = 4095;
    const auto v = reinterpret_cast<std::intptr_t>(ptr);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    return v < 0 && v >= -max_errno ? static_cast<int>(v) : 0;
}

/// A pointer or the errno of the call that did not produce it.
template <class Ptr>
struct Made {
    Ptr ptr;
    int err = 0;
    explicit operator bool() const noexcept { return err == 0; }
};

/// xe_pfvf_vf_cfg_create() with an explicit quota.
inline Made<CfgPtr> make_cfg(u16 vfid, std::span<const xe_pfvf_extent> extents, u64 quota,
                             u64 vram_size) {
    if (extents.size() > std::numeric_limits<unsigned int>::max()) {
        return {CfgPtr{}, -E2BIG};
    }
    const xe_pfvf_provision prov{quota, extents.data(), static_cast<unsigned int>(extents.size()), nullptr};
    xe_pfvf_vf_cfg* cfg = xe_pfvf_vf_cfg_create(vfid, &prov, vram_size);
    if (const int err = ptr_err(cfg); err != 0) {
        return {CfgPtr{}, err};
    }
    return {CfgPtr{cfg}, 0};
}

/// Sum of the extents' sizes (wraps like u64 arithmetic).
inline u64 total_size(std::span<const xe_pfvf_extent> extents) noexcept {
    u64 sum = 0;
    for (const auto& e : extents) {
        sum += e.size;
    }
    return sum;
}

/// xe_pfvf_vf_cfg_create() with the quota the extents add up to.
inline Made<CfgPtr> make_cfg(u16 vfid, std::span<const xe_pfvf_extent> extents, u64 vram_size) {
    return make_cfg(vfid, extents, total_size(extents), vram_size);
}

/// xe_pfvf_table_build(): one slot per VF (VF n at index n - 1).
inline Made<TablePtr> make_table(u64 vram_size, std::span<const xe_pfvf_table_vf> slots,
                                 std::span<const xe_pfvf_bar> pf_bars = {}) {
    if (slots.size() > std::numeric_limits<u16>::max() ||
        pf_bars.size() > std::numeric_limits<unsigned int>::max()) {
        return {TablePtr{}, -EINVAL};
        }
    xe_pfvf_table* t = xe_pfvf_table_build(static_cast<u16>(slots.size()), vram_size, slots.data(),
                                           pf_bars.data(), static_cast<unsigned int>(pf_bars.size()));
    if (const int err = ptr_err(t); err != 0) {
        return {TablePtr{}, err};
    }
    return {TablePtr{t}, 0};
}

/// Outcome of translate(): the errno (0 on success) and the whole result.
struct Translation {
    int err = 0;
    std::vector<xe_pfvf_extent> ext;
    u16 vfid = 0;
    u64 bytes = 0;
    explicit operator bool() const noexcept { return err == 0; }
};

/**
 * An accumulating translation: xe_pfvf_xlate_res over an owned array of
 * @max extents; @max 0: no array (ext NULL), counting only.  Not copyable
 * (the result points into it).
 */
class Xlate {
public:
    explicit Xlate(u32 max = 0) : buf_(max) {
        res_.ext = buf_.empty() ? nullptr : buf_.data();
        res_.max = max;
    }
    Xlate(const Xlate&) = delete;
    Xlate& operator=(const Xlate&) = delete;
    Xlate(Xlate&&) = delete;
    Xlate& operator=(Xlate&&) = delete;
    ~Xlate() = default;

    /// One more xe_pfvf_table_xlate() call into the same result.
    int add(const xe_pfvf_table& table, const xe_pfvf_xlate_req& req) {
        return xe_pfvf_table_xlate(&table, &req, &res_);
    }
    [[nodiscard]] const xe_pfvf_xlate_res& res() const noexcept { return res_; }
    /// The extents stored so far (at most max of them).
    [[nodiscard]] std::span<const xe_pfvf_extent> extents() const noexcept {
        return std::span<const xe_pfvf_extent>(buf_).first(res_.nr < res_.max ? res_.nr : res_.max);
    }

private:
    std::vector<xe_pfvf_extent> buf_;
    xe_pfvf_xlate_res res_{};
};

/// Translates @req into a fresh result, growing the array on -E2BIG.
inline Translation translate(const xe_pfvf_table& table, const xe_pfvf_xlate_req& req) {
    constexpr u32 first_guess = 16;
    u32 max = first_guess;
    for (;;) {
        Xlate x(max);
        const int err = x.add(table, req);
        if (err == -E2BIG && x.res().nr > max) {
            max = x.res().nr;
            continue;
        }
        Translation t{err, {}, x.res().vfid, x.res().bytes};
        if (err == 0) {
            const auto ext = x.extents();
            t.ext.assign(ext.begin(), ext.end());
        }
        return t;
    }
}

/// "-ENXIO" for -ENXIO, "0" for 0, the number otherwise.
inline std::string errno_name(int err) {
    static constexpr std::array<std::pair<int, std::string_view>, 13> names{{
        {EINVAL, "EINVAL"},         {EOVERFLOW, "EOVERFLOW"}, {EDOM, "EDOM"},
        {ENOENT, "ENOENT"},         {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
        {EPERM, "EPERM"},           {EXDEV, "EXDEV"},         {ENXIO, "ENXIO"},
        {ENODEV, "ENODEV"},         {ERANGE, "ERANGE"},       {E2BIG, "E2BIG"},
        {EADDRINUSE, "EADDRINUSE"}, {ENOMEM, "ENOMEM"},
    }};
    if (err == 0) {
        return "0";
    }
    for (const auto& [value, name] : names) {
        if (-err == value) {
            return "-" + std::string(name);
        }
    }
    return std::to_string(err);
}

}  // namespace xe_pfvf
