#include "uapi_fixture.hpp"

#include "expected.hpp"
#include "sys.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace xe_pfvf::uapi_test {

int ioctl_errno(int fd, unsigned long request, void* arg) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    return ::ioctl(fd, request, arg) == 0 ? 0 : errno;
}

int fd_flags(int fd) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): fcntl() is variadic
    return ::fcntl(fd, F_GETFD);
}

int file_flags(int fd) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): fcntl() is variadic
    return ::fcntl(fd, F_GETFL);
}

std::string in_child(const std::function<std::string()>& body) {
    std::array<int, 2> pipe_fds{};
    if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
        return "pipe2: " + std::generic_category().message(errno);
    }
    const UniqueFd rd(pipe_fds[0]);
    UniqueFd wr(pipe_fds[1]);
    const pid_t pid = ::fork();
    if (pid < 0) {
        return "fork: " + std::generic_category().message(errno);
    }
    if (pid == 0) {
        std::string report;
        try {
            report = body();
        } catch (const std::exception& e) {
            report = std::string("exception: ") + e.what();
        }
        const ssize_t n = ::write(wr.get(), report.data(), report.size());
        ::_exit(n == static_cast<ssize_t>(report.size()) ? 0 : 1);
    }
    wr.reset();
    std::string report;
    std::array<char, 4096> buf{};
    for (ssize_t n = 0; (n = ::read(rd.get(), buf.data(), buf.size())) > 0;) {
        report.append(buf.data(), static_cast<std::size_t>(n));
    }
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        report += " (child died: status " + std::to_string(status) + ")";
    }
    return report;
}

void drop_cap_sys_admin() {
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): no glibc wrapper without libcap
    if (::syscall(SYS_capget, &header, data.data()) != 0) {
        throw std::system_error(errno, std::generic_category(), "capget");
    }
    const unsigned index = CAP_SYS_ADMIN / 32U;
    const std::uint32_t mask = ~(1U << (CAP_SYS_ADMIN % 32U));
    data.at(index).effective &= mask;
    data.at(index).permitted &= mask;
    data.at(index).inheritable &= mask;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): no glibc wrapper without libcap
    if (::syscall(SYS_capset, &header, data.data()) != 0) {
        throw std::system_error(errno, std::generic_category(), "capset");
    }
}

void UapiTest::SetUp() {
    GuestTest::SetUp();
    if (IsSkipped()) {
        return;
    }
    ASSERT_TRUE(std::filesystem::exists(default_device_path)) << "xe_pfvf is loaded but there is no /dev/xe_pfvf";
    dev_.emplace(Device::open());
    pf_bdf_ = *Bdf::parse(pf());
}

void UapiExportTest::SetUp() {
    UapiTest::SetUp();
    if (IsSkipped()) {
        return;
    }
    swpf_.emplace(pf());
    if (!swpf_->exists()) {
        GTEST_SKIP() << "no software PF importer in " << swpf_->dir() << " (xe_pfvf_swpf)";
    }
    if (!std::filesystem::exists("/sys/bus/pci/drivers/vfio-pci")) {
        GTEST_SKIP() << "no vfio-pci (modprobe vfio-pci)";
    }
    if (const std::string blockers = guest::vfio_group_blockers(vf().bdf); !blockers.empty()) {
        GTEST_SKIP() << "VF " << vf().bdf << "'s IOMMU group also holds " << blockers;
    }
    const auto group = guest::iommu_group_of(vf().bdf);
    ASSERT_TRUE(group) << vf().bdf << " has no IOMMU group";
    binding_ = std::make_unique<guest::DriverBinding>(vf().bdf, "vfio-pci");
    container_ = std::make_unique<guest::VfioContainer>();
    group_ = std::make_unique<guest::VfioGroup>(*group, *container_);
}

void UapiExportTest::TearDown() {
    // Importers let go, then the group, then the binding.
    for (auto& s : slots_) {
        s.reset();
    }
    group_.reset();
    container_.reset();
    binding_.reset();
    UapiTest::TearDown();
}

ExportHandle UapiExportTest::export_lmem(std::uint64_t offset, std::uint64_t length) const {
    return dev().export_range(group_fd(), vf_bdf(), Space::lmem, offset, length);
}

const guest::ImportSlot& UapiExportTest::slot(unsigned k) {
    auto& guard = slots_.at(k);
    if (!guard) {
        guard.emplace(swpf_->slot(k));
    }
    return **guard;
}

void UapiExportTest::expect_readback(const guest::ImportSlot& slot, std::uint64_t offset, std::uint64_t length,
                                     std::uint64_t seed) const {
    const guest::LmemRange range{.offset = offset, .length = length};
    const guest::SlotStatus s = slot.status();
    EXPECT_EQ(s.state, "mapped");
    EXPECT_EQ(s.mode, "lmem");
    EXPECT_EQ(s.vf, vf().vf);
    EXPECT_EQ(s.size, length);
    EXPECT_TRUE(guest::same_extents(s.extents, guest::expected_extents(vf().extents, range)))
        << "VRAM extents of the PF's mapping against the provisioning";
    const std::vector<std::byte> got = slot.data();
    const std::vector<std::byte> want = guest::expected_pattern(seed, std::span(&range, 1));
    ASSERT_EQ(got.size(), want.size());
    const auto [g, w] = std::mismatch(got.begin(), got.end(), want.begin());
    EXPECT_TRUE(g == got.end()) << "first different byte at dma-buf offset " << (g - got.begin());
}

std::uint32_t UapiExportTest::live_bufs() const {
    for (const VfInfo& v : dev().vfs(pf_bdf())) {
        if (v.vfid == vf().vf) {
            return v.live_bufs;
        }
    }
    ADD_FAILURE() << "VF " << vf().vf << " not listed";
    return 0;
}

}  // namespace xe_pfvf::uapi_test
