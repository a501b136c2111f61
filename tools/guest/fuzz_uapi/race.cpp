#include "race.hpp"

#include "discover.hpp"
#include "rng.hpp"
#include "sys.hpp"

#include <algorithm>
#include <cerrno>
#include <deque>
#include <fcntl.h>
#include <linux/xe_pfvf.h>
#include <unistd.h>

namespace xe_pfvf::fuzz {

void RaceFile::add(std::uint64_t handle) {
    const std::scoped_lock lock(mutex_);
    handles_.push_back(handle);
}

void RaceFile::remove(std::uint64_t handle) {
    const std::scoped_lock lock(mutex_);
    std::erase(handles_, handle);
}

bool RaceFile::has(std::uint64_t handle) const {
    const std::scoped_lock lock(mutex_);
    return std::find(handles_.begin(), handles_.end(), handle) != handles_.end();
}

std::optional<std::uint64_t> RaceFile::pick(std::uint64_t n) const {
    const std::scoped_lock lock(mutex_);
    if (handles_.empty()) {
        return std::nullopt;
    }
    return handles_[static_cast<std::size_t>(n % handles_.size())];
}

std::size_t RaceFile::size() const {
    const std::scoped_lock lock(mutex_);
    return handles_.size();
}

void RaceFile::clear() {
    const std::scoped_lock lock(mutex_);
    handles_.clear();
}

namespace {

constexpr std::size_t racer_pool = 8;
constexpr std::size_t racer_handles = 64;

template <typename S>
int call(int fd, std::uint32_t cmd, S& s) {
    s.size = sizeof(S);
    return xioctl(fd, cmd, reinterpret_cast<std::uintptr_t>(&s));  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

class Racer {
public:
    Racer(RaceFile& file, const std::vector<BoundVf>& vfs, std::uint64_t seed, Tally& tally, Failures& failures)
        : file_(file), vfs_(vfs), rng_(seed ^ 0x7261636572ULL), tally_(tally), failures_(failures) {}

    void step() {
        const std::uint64_t op = rng_.below(100);
        if (op < 35) {
            revoke();
        } else if (op < 75) {
            handle_fd();
        } else if (op < 92) {
            export_one();
        } else if (op < 94) {
            replace();
        } else if (!pool_.empty()) {
            pool_.pop_front();
        }
        file_.beat();
    }

private:
    void answer(Ioc ioc, int err, std::initializer_list<int> allowed) {
        tally_.add(static_cast<std::size_t>(ioc), err);
        if (std::find(allowed.begin(), allowed.end(), err) == allowed.end()) {
            failures_.add("racer " + std::string(ioc_name(ioc)) + " on the race file: got " + errno_label(err));
        }
    }

    void revoke() {
        const auto h = file_.pick(rng_.next());
        xe_pfvf_revoke rv{};
        rv.handle = h.value_or(rng_.next());
        const int err = call(file_.fd(), XE_PFVF_IOC_REVOKE, rv);
        answer(Ioc::revoke, err, {0, ENOENT});
        if (err == 0 && rv.busy != 0) {
            failures_.add("racer REVOKE: busy " + std::to_string(rv.busy) + " with no importer");
        }
        if (h) {
            file_.remove(*h);
        }
    }

    void handle_fd() {
        const auto h = file_.pick(rng_.next());
        if (!h) {
            export_one();
            return;
        }
        xe_pfvf_handle_fd hf{};
        hf.handle = *h;
        hf.fd_flags = O_CLOEXEC | O_RDWR;
        const int err = call(file_.fd(), XE_PFVF_IOC_HANDLE_FD, hf);
        answer(Ioc::handle_fd, err, {0, ENOENT, ENOSPC});
        if (err == 0) {
            guest::UniqueFd fd(hf.fd);
            if (rng_.chance(50)) {
                return;  // closed at once
            }
            pool_.push_back(std::move(fd));
            if (pool_.size() > racer_pool) {
                pool_.pop_front();
            }
        }
    }

    void export_one() {
        if (vfs_.empty()) {
            return;
        }
        const BoundVf& vf = vfs_[static_cast<std::size_t>(rng_.below(vfs_.size()))];
        const std::uint64_t pages = vf.quota / granule;
        if (pages == 0) {
            return;
        }
        xe_pfvf_export ex{};
        ex.vfio_fd = vf.group_fd;
        ex.vf_bdf = vf.bdf;
        ex.space = XE_PFVF_ADDR_LMEM;
        const std::uint64_t first = rng_.below(pages);
        ex.offset = first * granule;
        ex.length = (1 + rng_.below(std::min<std::uint64_t>(pages - first, 4))) * granule;
        const int err = call(file_.fd(), XE_PFVF_IOC_EXPORT, ex);
        answer(Ioc::export_vf, err, {0, ENOSPC});
        if (err == 0) {
            if (file_.size() < racer_handles) {
                file_.add(ex.handle);
            } else {
                xe_pfvf_revoke rv{};
                rv.handle = ex.handle;
                answer(Ioc::revoke, call(file_.fd(), XE_PFVF_IOC_REVOKE, rv), {0, ENOENT});
            }
        }
    }

    void replace() {
        try {
            const guest::UniqueFd fresh = guest::open_fd("/dev/xe_pfvf", O_RDWR);
            if (::dup2(fresh.get(), file_.fd()) < 0) {
                guest::throw_errno("dup2 over the race file");
            }
            file_.clear();
            file_.replaced();
        } catch (const std::exception& e) {
            failures_.add(std::string("racer: ") + e.what());
        }
    }

    RaceFile& file_;
    const std::vector<BoundVf>& vfs_;
    Rng rng_;
    Tally& tally_;
    Failures& failures_;
    std::deque<guest::UniqueFd> pool_;
};

}  // namespace

void run_racer(const std::stop_token& stop, RaceFile& file, const std::vector<BoundVf>& vfs, std::uint64_t seed, Tally& tally,
               Failures& failures) {
    Racer racer(file, vfs, seed, tally, failures);
    while (!stop.stop_requested()) {
        racer.step();
    }
}

}  // namespace xe_pfvf::fuzz
