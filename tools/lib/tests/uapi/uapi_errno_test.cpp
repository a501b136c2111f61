// The errno matrix of /dev/xe_pfvf with raw ioctls: the extensible-struct
// rules common to every ioctl (size, flags, pads, unknown trailing bytes),
// EXPORT's proof of ownership and range checks, HANDLE_FD's flags, the
// handle limit.

#include "uapi_fixture.hpp"

#include "sys.hpp"

#include <linux/xe_pfvf.h>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace xe_pfvf::uapi_test {
namespace {

using UapiErrno = UapiTest;

/// One ioctl with a valid struct of its first version, for the rules that
/// hold for all of them.
struct Ioctl {
    const char* name;
    unsigned long request;
    std::uint32_t ver0;
    std::function<void(Oversized<xe_pfvf_version>&)> fill;  ///< writes a valid request
};

std::vector<Ioctl> every_ioctl(Bdf pf, Bdf vf) {
    const auto put = [](auto value) {
        return [value](Oversized<xe_pfvf_version>& buf) {
            std::memcpy(buf.data(), &value, sizeof(value));
        };
    };
    xe_pfvf_version version{};
    version.size = sizeof(version);
    xe_pfvf_list_pfs pfs{};
    pfs.size = sizeof(pfs);
    xe_pfvf_list_vfs vfs{};
    vfs.size = sizeof(vfs);
    vfs.pf_bdf = pf.to_uapi();
    xe_pfvf_translate tr{};
    tr.size = sizeof(tr);
    tr.pf_bdf = pf.to_uapi();
    tr.vfid = 1;
    tr.space = XE_PFVF_ADDR_LMEM;
    tr.length = page;
    xe_pfvf_p2p p2p{};
    p2p.size = sizeof(p2p);
    p2p.provider = vf.to_uapi();
    p2p.client = pf.to_uapi();
    return {
        {"VERSION", XE_PFVF_IOC_VERSION, XE_PFVF_VERSION_SIZE_VER0, put(version)},
        {"LIST_PFS", XE_PFVF_IOC_LIST_PFS, XE_PFVF_LIST_PFS_SIZE_VER0, put(pfs)},
        {"LIST_VFS", XE_PFVF_IOC_LIST_VFS, XE_PFVF_LIST_VFS_SIZE_VER0, put(vfs)},
        {"TRANSLATE", XE_PFVF_IOC_TRANSLATE, XE_PFVF_TRANSLATE_SIZE_VER0, put(tr)},
        {"P2P", XE_PFVF_IOC_P2P, XE_PFVF_P2P_SIZE_VER0, put(p2p)},
    };
}

TEST_F(UapiErrno, SizeProtocolOfEveryIoctl) {
    for (const Ioctl& io : every_ioctl(pf_bdf(), bdf_of(first_vf()))) {
        SCOPED_TRACE(io.name);
        Oversized<xe_pfvf_version> buf;
        io.fill(buf);
        EXPECT_EQ(ioctl_errno(fd(), io.request, buf.data()), 0) << "its own size";

        io.fill(buf);
        buf.size(io.ver0 - 1);
        EXPECT_EQ(ioctl_errno(fd(), io.request, buf.data()), EINVAL) << "below the first version";
        buf.size(0);
        EXPECT_EQ(ioctl_errno(fd(), io.request, buf.data()), EINVAL) << "size 0";

        io.fill(buf);
        buf.size(static_cast<std::uint32_t>(page));
        EXPECT_EQ(ioctl_errno(fd(), io.request, buf.data()), 0) << "a page, zeroes past the struct";
        buf.size(static_cast<std::uint32_t>(page + 1));
        EXPECT_EQ(ioctl_errno(fd(), io.request, buf.data()), E2BIG) << "above a page";
        buf.size(0xffffffffU);
        EXPECT_EQ(ioctl_errno(fd(), io.request, buf.data()), E2BIG) << "size 0xffffffff";

        io.fill(buf);
        buf.size(io.ver0 + 16);
        buf.at(io.ver0 + 9) = std::byte{1};
        EXPECT_EQ(ioctl_errno(fd(), io.request, buf.data()), E2BIG) << "a non-zero unknown trailing byte";
        buf.at(io.ver0 + 9) = std::byte{0};
        buf.at(io.ver0 + 16) = std::byte{1};
        EXPECT_EQ(ioctl_errno(fd(), io.request, buf.data()), 0) << "a byte past size is not read";
        buf.at(io.ver0 + 16) = std::byte{0};

        io.fill(buf);
        const std::uint32_t flags = 1U << 31U;
        std::memcpy(&buf.at(4), &flags, sizeof(flags));
        EXPECT_EQ(ioctl_errno(fd(), io.request, buf.data()), EINVAL) << "unknown flags";

        // A pointer the kernel cannot read.
        EXPECT_EQ(ioctl_errno(fd(), io.request, nullptr), EFAULT) << "NULL";
    }
}

TEST_F(UapiErrno, NewerCallersLongerStructIsServed) {
    // A caller built against a newer header sends a longer struct, zeroes
    // past what this kernel knows: served, output up to the kernel's size.
    Oversized<xe_pfvf_version> buf;
    xe_pfvf_version v{};
    v.size = sizeof(v) + 8;
    buf.set(v);
    ASSERT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_VERSION, buf.data()), 0);
    EXPECT_EQ(buf.get().major, XE_PFVF_UAPI_MAJOR);
    EXPECT_EQ(buf.get().size, sizeof(v) + 8) << "size is input";
    EXPECT_EQ(buf.get().max_handles, dev().version().max_handles);
}

TEST_F(UapiErrno, PadsAreEINVAL) {
    xe_pfvf_translate tr{};
    tr.size = sizeof(tr);
    tr.pf_bdf = pf_bdf().to_uapi();
    tr.vfid = 1;
    tr.length = page;
    tr.pad = 1;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_TRANSLATE, &tr), EINVAL);
    xe_pfvf_export ex{};
    ex.size = sizeof(ex);
    ex.vfio_fd = -1;
    ex.vf_bdf = bdf_of(first_vf()).to_uapi();
    ex.length = page;
    ex.pad = 1;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_EXPORT, &ex), EINVAL) << "pad is checked before the fd";
}

TEST_F(UapiErrno, UnknownIoctlIsENOTTY) {
    xe_pfvf_version v{};
    v.size = sizeof(v);
    EXPECT_EQ(ioctl_errno(fd(), _IOWR(XE_PFVF_IOCTL_BASE, 0x08, xe_pfvf_version), &v), ENOTTY);
    EXPECT_EQ(ioctl_errno(fd(), _IOWR(XE_PFVF_IOCTL_BASE, 0xff, xe_pfvf_version), &v), ENOTTY);
    EXPECT_EQ(ioctl_errno(fd(), _IOWR('x', 0x00, xe_pfvf_version), &v), ENOTTY);
    EXPECT_EQ(ioctl_errno(fd(), _IOR(XE_PFVF_IOCTL_BASE, 0x00, xe_pfvf_version), &v), ENOTTY)
        << "VERSION's number with the wrong direction";
}

TEST_F(UapiErrno, CommandSizeDoesNotMatter) {
    // The kernel dispatches on type and number: a command encoding a
    // larger struct works when size says what the caller sent.
    Oversized<xe_pfvf_version> buf;
    xe_pfvf_version v{};
    v.size = sizeof(v) + 32;
    buf.set(v);
    struct Bigger {
        std::array<std::byte, sizeof(xe_pfvf_version) + 32> b;
    };
    EXPECT_EQ(ioctl_errno(fd(), _IOWR(XE_PFVF_IOCTL_BASE, 0x00, Bigger), buf.data()), 0);
    EXPECT_EQ(buf.get().major, XE_PFVF_UAPI_MAJOR);
}

using UapiExportErrno = UapiExportTest;

/// A range of an export request.
struct Range {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

xe_pfvf_export export_arg(int vfio_fd, Bdf vf, std::uint32_t space, Range range) {
    xe_pfvf_export ex{};
    ex.size = sizeof(ex);
    ex.vfio_fd = vfio_fd;
    ex.vf_bdf = vf.to_uapi();
    ex.space = space;
    ex.offset = range.offset;
    ex.length = range.length;
    return ex;
}

TEST_F(UapiExportErrno, OwnershipIsProvedByTheVfioGroup) {
    const auto try_export = [&](int vfio_fd, Bdf vf) {
        xe_pfvf_export ex = export_arg(vfio_fd, vf, XE_PFVF_ADDR_LMEM, {.offset = 0, .length = page});
        return ioctl_errno(fd(), XE_PFVF_IOC_EXPORT, &ex);
    };
    EXPECT_EQ(try_export(group_fd(), vf_bdf()), 0);
    EXPECT_EQ(try_export(-1, vf_bdf()), EBADF) << "fd -1";
    EXPECT_EQ(try_export(1000000, vf_bdf()), EBADF) << "a closed fd";
    const guest::UniqueFd null = guest::open_fd("/dev/null", O_RDONLY);
    EXPECT_EQ(try_export(null.get(), vf_bdf()), EPERM) << "not a VFIO file";
    EXPECT_EQ(try_export(fd(), vf_bdf()), EPERM) << "/dev/xe_pfvf itself";
    EXPECT_EQ(try_export(container().fd(), vf_bdf()), EPERM) << "the VFIO container";
    if (model().vfs.size() > 1) {
        EXPECT_EQ(try_export(group_fd(), bdf_of(model().vfs[1])), EPERM) << "a group that does not hold the VF";
    }
    EXPECT_EQ(try_export(group_fd(), pf_bdf()), ENODEV) << "the PF is no VF";
    EXPECT_EQ(try_export(group_fd(), *Bdf::parse("00ff:ff:1f.7")), ENODEV) << "no such function";
}

TEST_F(UapiExportErrno, RangeAndSpace) {
    const auto try_export = [&](std::uint32_t space, std::uint64_t offset, std::uint64_t length) {
        xe_pfvf_export ex = export_arg(group_fd(), vf_bdf(), space, {.offset = offset, .length = length});
        return ioctl_errno(fd(), XE_PFVF_IOC_EXPORT, &ex);
    };
    EXPECT_EQ(try_export(XE_PFVF_ADDR_LMEM, 0, vf().quota), 0) << "the whole quota";
    EXPECT_EQ(try_export(XE_PFVF_ADDR_BAR, 0, std::min(vf().bar.size, vf().quota)), 0) << "the whole BAR";
    EXPECT_EQ(try_export(XE_PFVF_ADDR_LMEM, 0, 0), EINVAL) << "length 0";
    EXPECT_EQ(try_export(XE_PFVF_ADDR_LMEM, page / 2, page), EDOM) << "unaligned offset";
    EXPECT_EQ(try_export(XE_PFVF_ADDR_LMEM, 0, page + 1), EDOM) << "unaligned length";
    EXPECT_EQ(try_export(XE_PFVF_ADDR_CPU, vf().bar.cpu, page), EINVAL) << "CPU addresses cannot be exported";
    EXPECT_EQ(try_export(XE_PFVF_ADDR_BUS, vf().bar.bus, page), EINVAL);
    EXPECT_EQ(try_export(XE_PFVF_ADDR_IOVA, 0, page), EINVAL);
    EXPECT_EQ(try_export(77, 0, page), EINVAL) << "no such space";
    EXPECT_EQ(try_export(XE_PFVF_ADDR_LMEM, vf().quota - page, 2 * page), ERANGE) << "past the quota";
    EXPECT_EQ(try_export(XE_PFVF_ADDR_LMEM, vf().quota, page), ERANGE) << "at the quota";
    EXPECT_EQ(try_export(XE_PFVF_ADDR_BAR, vf().bar.size, page), ENXIO) << "past the BAR";
    EXPECT_EQ(try_export(XE_PFVF_ADDR_LMEM, ~std::uint64_t{0} - page + 1, 2 * page), EOVERFLOW) << "wraps";
    xe_pfvf_export ex = export_arg(group_fd(), vf_bdf(), XE_PFVF_ADDR_LMEM, {.offset = 0, .length = page});
    ex.flags = 1;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_EXPORT, &ex), EINVAL) << "flags";
}

TEST_F(UapiExportErrno, HandleFdFlagsAndUnknownHandles) {
    const ExportHandle h = export_lmem(0, page);
    const auto try_fd = [&](std::uint64_t handle, std::uint32_t fd_flags) {
        xe_pfvf_handle_fd hf{};
        hf.size = sizeof(hf);
        hf.handle = handle;
        hf.fd_flags = fd_flags;
        const int err = ioctl_errno(fd(), XE_PFVF_IOC_HANDLE_FD, &hf);
        if (err == 0) {
            ::close(hf.fd);
        }
        return err;
    };
    EXPECT_EQ(try_fd(h.value(), O_RDWR | O_CLOEXEC), 0);
    EXPECT_EQ(try_fd(h.value(), O_RDONLY), 0);
    EXPECT_EQ(try_fd(h.value(), O_WRONLY), EINVAL) << "write-only";
    EXPECT_EQ(try_fd(h.value(), O_RDWR | O_APPEND), EINVAL);
    EXPECT_EQ(try_fd(h.value(), O_RDWR | O_NONBLOCK), EINVAL);
    EXPECT_EQ(try_fd(h.value(), 0x80000000U), EINVAL);
    EXPECT_EQ(try_fd(0, O_RDWR), ENOENT) << "handle 0";
    EXPECT_EQ(try_fd(h.value() ^ (1ULL << 40U), O_RDWR), ENOENT) << "a guess next to a real handle";
    EXPECT_EQ(try_fd(h.value() + 1, O_RDWR), ENOENT);
    xe_pfvf_revoke rv{};
    rv.size = sizeof(rv);
    rv.handle = h.value() ^ (1ULL << 63U);
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_REVOKE, &rv), ENOENT);
    rv.handle = h.value();
    rv.flags = 2;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_REVOKE, &rv), EINVAL) << "flags";
}

TEST_F(UapiExportErrno, SixteenLiveDmabufsPerHandle) {
    const ExportHandle h = export_lmem(0, page);
    std::vector<UniqueFd> bufs;
    bufs.reserve(17);
    for (int i = 0; i < 16; ++i) {
        bufs.push_back(h.dmabuf());
    }
    EXPECT_TRUE(fails_with(ENOSPC, [&] { static_cast<void>(h.dmabuf()); }, "XE_PFVF_IOC_HANDLE_FD")) << "the 17th";
    bufs.pop_back();  // closed: the handle forgets it
    EXPECT_NO_THROW(bufs.push_back(h.dmabuf()));
}

TEST_F(UapiExportErrno, HandleLimitIsENOSPC) {
    const std::uint32_t max = dev().version().max_handles;
    ASSERT_GT(max, 0U);
    ASSERT_LE(max, 65536U) << "too many to try";
    std::vector<ExportHandle> handles;
    handles.reserve(max);
    for (std::uint32_t i = 0; i < max; ++i) {
        handles.push_back(export_lmem(0, page));
    }
    EXPECT_TRUE(fails_with(ENOSPC, [&] { static_cast<void>(export_lmem(0, page)); }, "XE_PFVF_IOC_EXPORT"))
        << "handle " << max + 1;
    // The limit is per open file.
    const Device other = Device::open();
    EXPECT_NO_THROW(static_cast<void>(other.export_range(group_fd(), vf_bdf(), Space::lmem, 0, page)));
    // One revoked makes room for one.
    handles.pop_back();
    EXPECT_NO_THROW(handles.push_back(export_lmem(0, page)));
    EXPECT_TRUE(fails_with(ENOSPC, [&] { static_cast<void>(export_lmem(0, page)); }));
}

}  // namespace
}  // namespace xe_pfvf::uapi_test
