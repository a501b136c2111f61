#include "tally.hpp"

#include <cstring>
#include <iomanip>

namespace xe_pfvf::fuzz {

std::string errno_label(int err) {
    if (err == 0) {
        return "0";
    }
    const char* const name = ::strerrorname_np(err);
    return name != nullptr ? name : "errno" + std::to_string(err);
}

void Tally::add(std::size_t slot, int err, std::uint64_t ns) noexcept {
    ++slots_.at(slot)[err];
    ns_.at(slot) += ns;
    ++total_;
}

void Tally::merge(const Tally& other) {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        for (const auto& [err, n] : other.slots_.at(i)) {
            slots_.at(i)[err] += n;
        }
        ns_.at(i) += other.ns_.at(i);
    }
    total_ += other.total_;
}

std::uint64_t Tally::total() const noexcept { return total_; }

std::uint64_t Tally::total_ns() const noexcept {
    std::uint64_t ns = 0;
    for (const std::uint64_t n : ns_) {
        ns += n;
    }
    return ns;
}

std::map<int, std::uint64_t> Tally::by_errno() const {
    std::map<int, std::uint64_t> all;
    for (const auto& slot : slots_) {
        for (const auto& [err, n] : slot) {
            all[err] += n;
        }
    }
    return all;
}

std::string Tally::histogram() const {
    std::string out;
    for (const auto& [err, n] : by_errno()) {
        out += (out.empty() ? "" : " ") + errno_label(err) + "=" + std::to_string(n);
    }
    return out;
}

void Tally::print(std::ostream& out, std::string_view indent) const {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        std::uint64_t sum = 0;
        std::string line;
        for (const auto& [err, n] : slots_.at(i)) {
            sum += n;
            line += " " + errno_label(err) + "=" + std::to_string(n);
        }
        if (sum == 0) {
            continue;
        }
        const std::string_view name = i == undispatched ? "(no ioctl)" : ioc_name(all_iocs.at(i));
        out << indent << std::left << std::setw(11) << name << std::right << std::setw(9) << sum << ":" << line << '\n';
    }
}

void Tally::print_times(std::ostream& out, std::string_view indent) const {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        std::uint64_t calls = 0;
        for (const auto& [err, n] : slots_.at(i)) {
            calls += n;
        }
        if (calls == 0) {
            continue;
        }
        const std::string_view name = i == undispatched ? "(no ioctl)" : ioc_name(all_iocs.at(i));
        out << indent << std::left << std::setw(11) << name << std::right << std::setw(9) << calls << " calls "
            << std::setw(9) << ns_.at(i) / 1000000 << " ms, " << std::setw(7) << ns_.at(i) / 1000 / calls
            << " us each\n";
    }
}

void Failures::add(std::string what, std::string kind) {
    if (kind.empty()) {
        // "LIST_VFS on the main file [mutations]: entry 2: ..." ->
        // "LIST_VFS on the main file: entry 2", numbers and all.
        kind = what;
        if (const auto open = kind.find(" ["); open != std::string::npos) {
            kind.erase(open, kind.find("]:", open) - open + 1);
        }
        const auto first = kind.find(": ");
        const auto second = first == std::string::npos ? first : kind.find(':', first + 2);
        kind = kind.substr(0, std::min<std::size_t>(second, 100));
    }
    const std::scoped_lock lock(mutex_);
    ++count_;
    ++kinds_[std::move(kind)];
    if (kept_.size() < kept) {
        kept_.push_back(std::move(what));
    }
}

std::uint64_t Failures::count() const {
    const std::scoped_lock lock(mutex_);
    return count_;
}

void Failures::print(std::ostream& out) const {
    const std::scoped_lock lock(mutex_);
    if (count_ == 0) {
        return;
    }
    out << "failures: " << count_ << (count_ > kept_.size() ? " (the first " + std::to_string(kept_.size()) + ")" : "")
        << '\n';
    out << "failures by kind:\n";
    for (const auto& [kind, n] : kinds_) {
        out << "  " << std::setw(8) << n << "  " << kind << '\n';
    }
    for (const std::string& f : kept_) {
        out << "  FAIL " << f << '\n';
    }
}

}  // namespace xe_pfvf::fuzz
