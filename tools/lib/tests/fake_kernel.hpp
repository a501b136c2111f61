#pragma once

// A fake /dev/xe_pfvf for host tests (libxe-pfvf's and the CLI's): answers
// from tables, checks what the kernel checks, and records every call.
// Plugged in through Device(IoctlFn).

#include <linux/xe_pfvf.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <utility>
#include <vector>

#include <fcntl.h>

namespace xe_pfvf::fake {

/// What one call carried when the fake kernel saw it.
struct Call {
    unsigned long request = 0;
    std::uint32_t size = 0;
    std::uint32_t flags = 0;
    std::uint32_t count = 0;
    std::uint32_t entry_size = 0;
    std::uint64_t entries = 0;
};

/// Header fields common to every uAPI struct.
struct Head {
    std::uint32_t size;
    std::uint32_t flags;
};

/// A kernel that answers from tables, checks what the kernel checks, and
/// records every call.
class FakeKernel {
public:
    std::vector<xe_pfvf_pf_info> pfs;
    std::vector<xe_pfvf_vf_info> vfs;  ///< of pf_bdf
    std::uint32_t pf_bdf = 0;
    std::vector<xe_pfvf_extent_info> extents;
    std::uint32_t generation = 7;
    /// What VERSION reports as caps (bit 9 is one no uAPI defines).
    std::uint64_t caps = XE_PFVF_CAP_EXPORT | XE_PFVF_CAP_IOMMU | (1ULL << 9U);
    std::uint64_t next_handle = 0x5eed0000cafe0001ULL;
    int dmabuf_fd = -1;  ///< what HANDLE_FD returns (the caller takes it)
    /// Runs after every array call (e.g. to grow the array).
    std::function<void(const Call&)> after_call;
    /// request -> negative errno to fail it with.
    std::vector<std::pair<unsigned long, int>> failures;
    std::vector<Call> calls;
    std::vector<std::uint64_t> revoked;
    xe_pfvf_translate last_translate{};
    xe_pfvf_export last_export{};
    xe_pfvf_handle_fd last_handle_fd{};
    xe_pfvf_p2p last_p2p{};

    int operator()(unsigned long request, void* arg) {
        Head head{};
        std::memcpy(&head, arg, sizeof(head));
        Call call{.request = request, .size = head.size, .flags = head.flags};
        for (const auto& [req, err] : failures) {
            if (req == request) {
                calls.push_back(call);
                return err;
            }
        }
        int ret = -ENOTTY;
        switch (request) {
        case XE_PFVF_IOC_VERSION:
            ret = version(arg);
            break;
        case XE_PFVF_IOC_LIST_PFS:
            ret = list<xe_pfvf_list_pfs>(arg, pfs, call);
            break;
        case XE_PFVF_IOC_LIST_VFS:
            ret = list_vfs(arg, call);
            break;
        case XE_PFVF_IOC_TRANSLATE:
            ret = translate(arg, call);
            break;
        case XE_PFVF_IOC_EXPORT:
            ret = do_export(arg);
            break;
        case XE_PFVF_IOC_HANDLE_FD:
            ret = handle_fd(arg);
            break;
        case XE_PFVF_IOC_REVOKE:
            ret = revoke(arg);
            break;
        case XE_PFVF_IOC_P2P:
            ret = p2p(arg);
            break;
        default:
            break;
        }
        calls.push_back(call);
        if (after_call && call.entry_size != 0) {
            after_call(call);
        }
        return ret;
    }

    [[nodiscard]] std::size_t count_of(unsigned long request) const {
        return static_cast<std::size_t>(
            std::count_if(calls.begin(), calls.end(), [request](const Call& c) { return c.request == request; }));
    }

private:
    int version(void* arg) const {
        xe_pfvf_version v{};
        std::memcpy(&v, arg, sizeof(v));
        if (v.size != sizeof(v) || v.flags != 0) {
            return -EINVAL;
        }
        v.major = 1;
        v.minor = 3;
        v.caps = caps;
        v.nr_pfs = 2;
        v.max_handles = 64;
        std::memcpy(arg, &v, sizeof(v));
        return 0;
    }

    /// The array protocol: min(count, available) entries of entry_size
    /// bytes, zero-filled past the entry; count = available.
    template <typename Arg, typename Entry>
    static int fill(Arg& a, const std::vector<Entry>& table, Call& call, __u64 Arg::*ptr) {
        call.count = a.count;
        call.entry_size = a.entry_size;
        call.entries = a.*ptr;
        if (a.entry_size < sizeof(Entry)) {
            return -EINVAL;
        }
        if (a.count > XE_PFVF_MAX_ENTRIES) {
            return -E2BIG;
        }
        const std::size_t n = std::min<std::size_t>(a.count, table.size());
        if (n > 0 && a.*ptr == 0) {
            return -EFAULT;
        }
        for (std::size_t i = 0; i < n; ++i) {
            // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast,performance-no-int-to-ptr): a user pointer
            auto* const dst = reinterpret_cast<unsigned char*>(a.*ptr) + i * a.entry_size;  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
            std::memset(dst, 0, a.entry_size);
            std::memcpy(dst, &table[i], sizeof(Entry));
        }
        a.count = static_cast<std::uint32_t>(table.size());
        return 0;
    }

    template <typename Arg, typename Entry>
    static int list(void* arg, const std::vector<Entry>& table, Call& call) {
        Arg a{};
        std::memcpy(&a, arg, sizeof(a));
        if (a.size != sizeof(a) || a.flags != 0) {
            return -EINVAL;
        }
        const int ret = fill(a, table, call, &Arg::entries);
        std::memcpy(arg, &a, sizeof(a));
        return ret;
    }

    int list_vfs(void* arg, Call& call) const {
        xe_pfvf_list_vfs a{};
        std::memcpy(&a, arg, sizeof(a));
        if (a.size != sizeof(a) || a.flags != 0 || a.pad != 0) {
            return -EINVAL;
        }
        if (a.pf_bdf != pf_bdf) {
            return -ENODEV;
        }
        const int ret = fill(a, vfs, call, &xe_pfvf_list_vfs::entries);
        std::memcpy(arg, &a, sizeof(a));
        return ret;
    }

    int translate(void* arg, Call& call) {
        xe_pfvf_translate a{};
        std::memcpy(&a, arg, sizeof(a));
        if (a.size != sizeof(a) || a.pad != 0 || (a.flags & ~XE_PFVF_TRANSLATE_ALIGNED) != 0) {
            return -EINVAL;
        }
        last_translate = a;
        const int ret = fill(a, extents, call, &xe_pfvf_translate::extents);
        a.generation = generation;
        std::memcpy(arg, &a, sizeof(a));
        return ret;
    }

    int do_export(void* arg) {
        xe_pfvf_export a{};
        std::memcpy(&a, arg, sizeof(a));
        if (a.size != sizeof(a) || a.flags != 0 || a.pad != 0) {
            return -EINVAL;
        }
        last_export = a;
        a.handle = next_handle++;
        std::memcpy(arg, &a, sizeof(a));
        return 0;
    }

    int handle_fd(void* arg) {
        xe_pfvf_handle_fd a{};
        std::memcpy(&a, arg, sizeof(a));
        if (a.size != sizeof(a) || a.flags != 0) {
            return -EINVAL;
        }
        last_handle_fd = a;
        a.fd = dmabuf_fd;
        dmabuf_fd = -1;
        std::memcpy(arg, &a, sizeof(a));
        return 0;
    }

    int revoke(void* arg) {
        xe_pfvf_revoke a{};
        std::memcpy(&a, arg, sizeof(a));
        if (a.size != sizeof(a) || a.flags != 0) {
            return -EINVAL;
        }
        if (std::find(revoked.begin(), revoked.end(), a.handle) != revoked.end()) {
            return -ENOENT;
        }
        revoked.push_back(a.handle);
        a.revoked = 2;
        a.busy = 1;
        std::memcpy(arg, &a, sizeof(a));
        return 0;
    }

    int p2p(void* arg) {
        xe_pfvf_p2p a{};
        std::memcpy(&a, arg, sizeof(a));
        if (a.size != sizeof(a) || a.flags != 0) {
            return -EINVAL;
        }
        last_p2p = a;
        a.map = XE_PFVF_P2P_MAP_HOST_BRIDGE;
        a.distance = 1024;
        a.why = XE_PFVF_P2P_WHY_KERNEL;
        a.result_flags = XE_PFVF_P2P_ACS_REDIRECT | XE_PFVF_P2P_PRIVATE;
        std::memcpy(arg, &a, sizeof(a));
        return 0;
    }
};

inline xe_pfvf_pf_info pf_entry(std::uint32_t bdf, const char* driver) {
    xe_pfvf_pf_info pf{};
    pf.bdf = bdf;
    pf.total_vfs = 4;
    pf.num_vfs = 2;
    pf.lmem_bar = 2;
    pf.vram_size = 64ULL << 20U;
    pf.revoked = 3;
    std::strncpy(std::data(pf.driver), driver, sizeof(pf.driver) - 1);
    return pf;
}

inline xe_pfvf_vf_info vf_entry(std::uint16_t vfid) {
    xe_pfvf_vf_info vf{};
    vf.bdf = XE_PFVF_BDF(0, 1, 0, vfid);
    vf.vfid = vfid;
    vf.state = XE_PFVF_VF_PROVISIONED;
    vf.generation = 10U + vfid;
    vf.nr_extents = 5;
    vf.quota = 8ULL << 20U;
    vf.bar_size = 16384;
    vf.bar_cpu = 0xfe000000ULL + vfid * 0x4000ULL;
    vf.bar_bus = 0xfe000000ULL + vfid * 0x4000ULL;
    vf.live_bufs = 1;
    vf.quarantined = 0;
    vf.vf_flags = XE_PFVF_VF_RAW;
    return vf;
}

/// fcntl(@fd, F_GETFD): FD_CLOEXEC, or -1 for a closed fd.
inline int fd_flags(int fd) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): fcntl() is variadic
    return ::fcntl(fd, F_GETFD);
}

/// A fresh fd of /dev/null (O_CLOEXEC), -1 on failure.
inline int open_null() {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): open() is variadic
    return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

}  // namespace xe_pfvf::fake
