#include "fail_nth.hpp"

#include <alloca.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>
#include <system_error>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace xe_pfvf::faultinject {

namespace {

const std::filesystem::path debugfs{"/sys/kernel/debug"};

}  // namespace

FaultKnobs::FaultKnobs() {
    // Defaults (6.1): ignore-gfp-wait Y for both, min-order 1 for pages,
    // ignore-gfp-highmem Y, probability 0, verbose 2, no ratelimit.  fail-nth
    // bypasses probability, interval, times and space, but not these.
    for (const char* const capability : {"failslab", "fail_page_alloc"}) {
        const auto dir = debugfs / capability;
        set(dir / "ignore-gfp-wait", "N");
        set(dir / "probability", "0");
        set(dir / "verbose", "2");
        set(dir / "verbose_ratelimit_interval_ms", "0");
    }
    set(debugfs / "fail_page_alloc" / "min-order", "0");
    set(debugfs / "fail_page_alloc" / "ignore-gfp-highmem", "N");
    // The campaign's marks in the kernel log (one per armed run) must not
    // be rate-limited away.
    set("/proc/sys/kernel/printk_devkmsg", "on\n");
}

FaultKnobs::~FaultKnobs() {
    std::for_each(saved_.rbegin(), saved_.rend(), [](const auto& saved) {
        try {
            guest::write_attribute(saved.first, saved.second);
        } catch (const std::exception& e) {
            std::cerr << "restoring " << saved.first.string() << ": " << e.what() << '\n';
        }
    });
}

void FaultKnobs::set(const std::filesystem::path& file, const std::string& value) {
    // Written back as read, newline included: the printk_devkmsg sysctl
    // takes nothing else.
    std::string old = guest::read_file(file);
    guest::write_attribute(file, value);
    saved_.emplace_back(file, std::move(old));
}

FailNth::FailNth()
    : fd_(guest::open_fd("/proc/self/task/" + std::to_string(::gettid()) + "/fail-nth", O_RDWR)) {}

int FailNth::arm(unsigned n) const noexcept {
    std::array<char, 16> text{};
    const auto [end, ec] = std::to_chars(text.begin(), text.end(), n);
    static_cast<void>(ec);  // an unsigned always fits
    const auto size = static_cast<std::size_t>(end - text.begin());
    return ::pwrite(fd_.get(), text.data(), size, 0) == static_cast<ssize_t>(size) ? 0 : errno;
}

unsigned FailNth::remaining() const {
    std::array<char, 16> text{};
    const ssize_t got = ::pread(fd_.get(), text.data(), text.size() - 1, 0);
    if (got <= 0) {
        guest::throw_errno("read fail-nth");
    }
    unsigned value = 0;
    const char* const last = text.data() + got;  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    if (std::from_chars(text.data(), last, value).ec != std::errc{}) {
        throw std::system_error(EPROTO, std::generic_category(), "fail-nth reads '" + std::string(text.data()) + "'");
    }
    return value;
}

unsigned FailNth::disarm() const {
    const unsigned left = remaining();
    if (::pwrite(fd_.get(), "0", 1, 0) != 1) {
        guest::throw_errno("disarm fail-nth");
    }
    return left;
}

void lock_memory(std::size_t stack_bytes) {
    // Grow the stack's mapping first: mlockall() populates only what is
    // mapped, and a stack that grows later takes page faults.
    auto* const stack = static_cast<volatile char*>(alloca(stack_bytes));
    for (std::size_t i = 0; i < stack_bytes; i += 4096) {
        stack[i] = 0;  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    }
    if (::mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
        guest::throw_errno("mlockall");
    }
}

}  // namespace xe_pfvf::faultinject
