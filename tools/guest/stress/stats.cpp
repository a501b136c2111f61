#include "stats.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iomanip>
#include <utility>

namespace xe_pfvf::stress {

namespace {

constexpr std::array<std::string_view, op_count> op_names{
    "vfio-open",      "vfio-request",   "vfio-reopen",    "export",
    "memory-disable", "memory-enable",  "vfio-reset",     "flr",
    "unprovision",    "provision",      "fill-tag",       "scrub",
    "sriov-numvfs-0", "sriov-numvfs-N", "backend-unbind", "backend-bind",
    "import",         "import-stall",   "read",           "map",
    "unmap",          "release",        "slot-status",    "debugfs-read",
};

std::size_t index(Op op) noexcept { return static_cast<std::size_t>(op); }

}  // namespace

std::string_view op_name(Op op) noexcept { return op_names.at(index(op)); }

bool errno_expected(Op op, int err) noexcept {
    switch (err) {
    case ENODEV:  // the VF, the PF driver, the buffer (revoked) went away
    case ENOENT:  // a sysfs or debugfs file went away, a VF not enabled, a slot empty
    case EBUSY:   // quarantined VRAM, a slot in use, VFs enabled already, a device taken
    case EIO:     // a debugfs file removed under an open file
    case EAGAIN:  // a reset that found the device locked
    case EINTR:
        return true;
    case EEXIST:  // a VF provisioned already
        return op == Op::provision;
    case ENOSPC:  // quarantined VRAM leaves too little for a provisioning
        return op == Op::provision || op == Op::numvfs_on;
    case ENODATA:     // read of a slot not mapped
    case EOPNOTSUPP:  // read of a slot without VRAM extents
        return op == Op::read;
    default:
        return false;
    }
}

std::string errno_name(int err) {
    if (const char* const name = ::strerrorname_np(err); name != nullptr) {
        return name;
    }
    return "errno " + std::to_string(err);
}

void Stats::ok(Op op) {
    const std::scoped_lock lock(mutex_);
    auto& t = ops_.at(index(op));
    ++t.runs;
    ++t.ok;
}

bool Stats::error(Op op, int err, std::string_view what) {
    const bool expected = errno_expected(op, err);
    const std::scoped_lock lock(mutex_);
    auto& t = ops_.at(index(op));
    ++t.runs;
    ++t.errors[err];
    if (!expected) {
        ++nr_failures_;
        if (failures_.size() < kept_failures) {
            failures_.push_back(std::string(op_name(op)) + ": unexpected " + errno_name(err) + ": " +
                                std::string(what));
        }
    }
    return expected;
}

void Stats::failure(std::string what) {
    const std::scoped_lock lock(mutex_);
    ++nr_failures_;
    if (failures_.size() < kept_failures) {
        failures_.push_back(std::move(what));
    }
}

void Stats::add(std::string_view name, std::uint64_t n) {
    const std::scoped_lock lock(mutex_);
    const auto it = counters_.find(name);
    if (it == counters_.end()) {
        counters_.emplace(std::string(name), n);
    } else {
        it->second += n;
    }
}

void Stats::raise(std::string_view name, std::uint64_t value) {
    const std::scoped_lock lock(mutex_);
    const auto it = counters_.find(name);
    if (it == counters_.end()) {
        counters_.emplace(std::string(name), value);
    } else {
        it->second = std::max(it->second, value);
    }
}

std::uint64_t Stats::counter(std::string_view name) const {
    const std::scoped_lock lock(mutex_);
    const auto it = counters_.find(name);
    return it == counters_.end() ? 0 : it->second;
}

OpTally Stats::tally(Op op) const {
    const std::scoped_lock lock(mutex_);
    return ops_.at(index(op));
}

std::uint64_t Stats::failures() const {
    const std::scoped_lock lock(mutex_);
    return nr_failures_;
}

void Stats::print(std::ostream& out) const {
    const std::scoped_lock lock(mutex_);
    out << std::left << std::setw(16) << "operation" << std::right << std::setw(8) << "runs" << std::setw(8) << "ok"
        << "  errors by errno (* unexpected)\n";
    for (std::size_t i = 0; i < op_count; ++i) {
        const Op op = static_cast<Op>(i);
        const OpTally& t = ops_.at(i);
        out << std::left << std::setw(16) << op_name(op) << std::right << std::setw(8) << t.runs << std::setw(8) << t.ok
            << ' ';
        for (const auto& [err, n] : t.errors) {
            out << ' ' << errno_name(err) << (errno_expected(op, err) ? "" : "*") << ' ' << n;
        }
        out << '\n';
    }
    if (nr_failures_ != 0) {
        out << nr_failures_ << " failure(s)" << (nr_failures_ > failures_.size() ? ", the first ones" : "") << ":\n";
        for (const std::string& f : failures_) {
            out << "  " << f << '\n';
        }
    }
}

}  // namespace xe_pfvf::stress
