#pragma once

// The watchdog of the stress run: every thread says which operation it is
// in; an operation that blocks longer than the limit is reported with the
// kernel stacks of the busy threads, the kernel is asked to log its blocked
// tasks (sysrq w, where it has sysrq), and the run fails.

#include "stats.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <ostream>
#include <sstream>
#include <stop_token>
#include <string>

#include <sys/types.h>

namespace xe_pfvf::stress {

class Watchdog {
public:
    /// What one thread is doing.
    class Thread {
    public:
        explicit Thread(std::string name) : name_(std::move(name)) {}

        [[nodiscard]] const std::string& name() const noexcept { return name_; }

    private:
        friend class Watchdog;

        std::string name_;
        std::atomic<pid_t> tid_{0};
        std::atomic<int> op_{-1};             ///< an Op, -1 when between operations
        std::atomic<std::int64_t> since_{0};  ///< steady_clock nanoseconds
    };

    /// Marks one operation of a thread, for the watchdog to see; an inner
    /// scope stands for the outer one until it ends.
    class Scope {
    public:
        Scope(Thread& thread, Op op) noexcept;
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;
        Scope(Scope&&) = delete;
        Scope& operator=(Scope&&) = delete;
        ~Scope();

    private:
        Thread& thread_;
        int outer_op_;  ///< what the thread was in before: scopes nest
        std::int64_t outer_since_;
    };

    explicit Watchdog(std::chrono::seconds limit) : limit_(limit) {}

    /// A record for the calling thread (its kernel thread id is taken now);
    /// valid as long as the watchdog.
    Thread& enroll(std::string name);

    /// Checks the threads every half second until @stop, then returns.
    /// Every @heartbeat, calls @beat (a progress line).  On the first
    /// operation blocked past the limit: records a failure in @stats, asks
    /// the kernel to log its blocked tasks (sysrq w, if the kernel has
    /// sysrq) and calls @tripped with
    /// the report (which thread, what, the kernel stacks of the busy ones).
    void run(const std::stop_token& stop, Stats& stats, std::chrono::seconds heartbeat,
             const std::function<void()>& beat, const std::function<void(const std::string&)>& tripped);

    /// Whether an operation blocked past the limit.
    [[nodiscard]] bool tripped() const noexcept { return tripped_.load(); }

    /// Operations still running now, with how long they have been, one per
    /// line.
    void print_busy(std::ostream& out);

private:
    std::chrono::seconds limit_;
    std::mutex mutex_;
    std::deque<Thread> threads_;  ///< a deque: records never move
    std::atomic<bool> tripped_{false};
};

}  // namespace xe_pfvf::stress
