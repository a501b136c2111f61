#include "fake_kernel.hpp"

#include <xe_pfvf/error.hpp>
#include <xe_pfvf/unique_fd.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace xe_pfvf {
namespace {

TEST(Error, CarriesErrnoAndOperation) {
    const Error e(ENODEV, "XE_PFVF_IOC_TRANSLATE", "0000:01:00.0 VF 1 lmem 0+0x1000");
    EXPECT_EQ(e.error(), ENODEV);
    EXPECT_EQ(e.code(), std::error_code(ENODEV, std::generic_category()));
    EXPECT_EQ(e.code(), std::errc::no_such_device);
    EXPECT_EQ(e.operation(), "XE_PFVF_IOC_TRANSLATE");
    const std::string what = e.what();
    EXPECT_TRUE(what.starts_with("XE_PFVF_IOC_TRANSLATE (0000:01:00.0 VF 1 lmem 0+0x1000): ")) << what;
    EXPECT_NE(what.find(std::generic_category().message(ENODEV)), std::string::npos) << what;
}

TEST(Error, IsASystemError) {
    try {
        throw Error(ESTALE, "XE_PFVF_IOC_HANDLE_FD");
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ESTALE);
        EXPECT_TRUE(std::string(e.what()).starts_with("XE_PFVF_IOC_HANDLE_FD: ")) << e.what();
        return;
    }
    ADD_FAILURE() << "not caught as std::system_error";
}

TEST(Error, NamesErrnos) {
    EXPECT_EQ(errno_name(ENODEV), "ENODEV");
    EXPECT_EQ(errno_name(E2BIG), "E2BIG");
    EXPECT_EQ(errno_name(ESTALE), "ESTALE");
    EXPECT_EQ(errno_name(ENOSPC), "ENOSPC");
    EXPECT_EQ(errno_name(4000), "E4000");
}

TEST(UniqueFd, ClosesOnDestructionAndMove) {
    int raw = -1;
    {
        UniqueFd fd(fake::open_null());
        ASSERT_TRUE(fd.valid());
        raw = fd.get();
        UniqueFd moved(std::move(fd));
        EXPECT_FALSE(fd.valid());  // NOLINT(bugprone-use-after-move, clang-analyzer-cplusplus.Move): checked on purpose
        EXPECT_EQ(moved.get(), raw);
        EXPECT_EQ(fake::fd_flags(raw), FD_CLOEXEC);
    }
    EXPECT_EQ(fake::fd_flags(raw), -1);
    EXPECT_EQ(errno, EBADF);
}

TEST(UniqueFd, ReleaseGivesUpOwnership) {
    UniqueFd fd(fake::open_null());
    const int raw = fd.release();
    EXPECT_FALSE(fd.valid());
    fd.reset();
    EXPECT_NE(fake::fd_flags(raw), -1) << "released fd was closed";
    EXPECT_EQ(::close(raw), 0);
}

TEST(UniqueFd, NegativeIsNone) {
    const UniqueFd fd(-5);
    EXPECT_FALSE(fd.valid());
    EXPECT_EQ(fd.get(), -1);
}

}  // namespace
}  // namespace xe_pfvf
