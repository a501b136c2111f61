#include "watchdog.hpp"

#include "sys.hpp"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace xe_pfvf::stress {

namespace {

std::int64_t now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// A thread's kernel stack and wait channel, indented; what is readable.
std::string kernel_stack(pid_t tid) {
    const std::string task = "/proc/self/task/" + std::to_string(tid);
    std::string out;
    std::ifstream wchan(task + "/wchan");
    if (std::string w; std::getline(wchan, w)) {
        out += "    wchan: " + w + "\n";
    }
    std::ifstream stack(task + "/stack");
    for (std::string line; std::getline(stack, line);) {
        out += "    " + line + "\n";
    }
    return out;
}

}  // namespace

Watchdog::Scope::Scope(Thread& thread, Op op) noexcept
    : thread_(thread), outer_op_(thread.op_.load()), outer_since_(thread.since_.load()) {
    thread_.since_.store(now_ns());
    thread_.op_.store(static_cast<int>(op));
}

Watchdog::Scope::~Scope() {
    thread_.op_.store(outer_op_);
    thread_.since_.store(outer_since_);
}

Watchdog::Thread& Watchdog::enroll(std::string name) {
    const std::scoped_lock lock(mutex_);
    Thread& t = threads_.emplace_back(std::move(name));
    t.tid_.store(::gettid());
    return t;
}

void Watchdog::print_busy(std::ostream& out) {
    const std::scoped_lock lock(mutex_);
    for (const Thread& t : threads_) {
        const int op = t.op_.load();
        const std::int64_t since = t.since_.load();
        if (op < 0) {
            continue;
        }
        out << "  " << t.name_ << " (tid " << t.tid_.load() << "): " << op_name(static_cast<Op>(op)) << " for "
            << std::max<std::int64_t>(now_ns() - since, 0) / 1'000'000 << " ms\n"
            << kernel_stack(t.tid_.load());
    }
}

void Watchdog::run(const std::stop_token& stop, Stats& stats, std::chrono::seconds heartbeat,
                   const std::function<void()>& beat, const std::function<void(const std::string&)>& tripped) {
    using namespace std::chrono_literals;
    auto next_beat = std::chrono::steady_clock::now() + heartbeat;
    while (!stop.stop_requested()) {
        std::this_thread::sleep_for(500ms);
        if (std::chrono::steady_clock::now() >= next_beat) {
            beat();
            next_beat += heartbeat;
        }
        if (tripped_.load()) {
            continue;
        }
        std::string blocked;
        {
            const std::scoped_lock lock(mutex_);
            const std::int64_t now = now_ns();
            for (const Thread& t : threads_) {
                const int op = t.op_.load();
                const std::int64_t ms = (now - t.since_.load()) / 1'000'000;
                if (op >= 0 && ms > std::chrono::duration_cast<std::chrono::milliseconds>(limit_).count()) {
                    blocked = t.name_ + " blocked in " + std::string(op_name(static_cast<Op>(op))) + " for " +
                              std::to_string(ms) + " ms";
                    break;
                }
            }
        }
        if (blocked.empty()) {
            continue;
        }
        tripped_.store(true);
        stats.failure("watchdog: " + blocked);
        std::ostringstream report;
        report << "WATCHDOG: " << blocked << "; operations in progress:\n";
        print_busy(report);
        // The kernel's view of every blocked task, into the kernel log,
        // where the kernel has sysrq.
        if (std::filesystem::exists("/proc/sysrq-trigger")) {
            try {
                guest::write_attribute("/proc/sysrq-trigger", "w");
            } catch (const std::exception& e) {
                report << "  sysrq w: " << e.what() << '\n';
            }
        }
        tripped(report.str());
    }
}

}  // namespace xe_pfvf::stress
