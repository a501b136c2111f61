#pragma once

// The campaign: for one operation, N = 1, 2, 3, ...: bring the system to
// the operation's preconditions, arm fail-nth = N, run the operation,
// disarm, account the fault the kernel reports, put things back and check
// that the operation still works without faults; until the operation
// completes before reaching its N-th fault-capable call.  OpReport and its
// formatting are pure.

#include "fault_log.hpp"
#include "sys.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace xe_pfvf::guest {
class KmsgCursor;
}

namespace xe_pfvf::faultinject {

class FailNth;

/// Which N an operation is tried at.
enum class Walk : std::uint8_t {
    /// N = 1, 2, 3, ...
    every,
    /// N = 1, 2, 3, ..., except that runs of N whose faults all hit the
    /// same key (site, or core call path) are sampled once
    /// Limits::sample_after is set: for operations that spend hundreds of
    /// calls in the module loader.
    sampled,
    /// From the last fault-capable call down to the last call inside an
    /// avoided function, ground that earlier operations covered sampled:
    /// what comes before is another operation's (the same code reached
    /// with less setup around it).
    from_end,
};

/// One interface of the modules, as users exercise it.
struct Operation {
    std::string name;
    std::string what;  ///< the call, for the report
    /// Unarmed: brings the system to the operation's preconditions.
    std::function<void()> prepare;
    /// Armed: the operation itself, in direct syscalls on prepared buffers
    /// and descriptors, nothing that allocates in userspace.  0 or an errno.
    std::function<int()> run;
    /// Unarmed: throws if the state does not match what run() returned.
    std::function<void(int)> verify;
    /// Unarmed: back to a state prepare() knows.
    std::function<void(int)> undo;
    Walk walk = Walk::every;
};

/// What one injected fault's site saw.
struct SiteStats {
    unsigned faults = 0;
    std::map<int, unsigned> results;  ///< errno (0: success) -> armed runs
};

/// Everything one operation's loop found.
struct OpReport {
    std::string name;
    std::string what;
    int nominal = 0;                  ///< the result without faults
    unsigned tried = 0;               ///< values of N armed
    unsigned highest = 0;             ///< the largest of them
    unsigned injected = 0;            ///< of which a fault was injected
    unsigned in_sites = 0;            ///< ... reported with a frame in an xe_pfvf module
    unsigned other = 0;               ///< ... reported with none
    unsigned silent = 0;              ///< ... not reported (__GFP_NOWARN)
    std::map<int, unsigned> results;  ///< errno (0: success) -> armed runs
    std::map<std::string, SiteStats> sites;
    std::vector<std::string> notes;     ///< results worth a look, not failures
    std::vector<std::string> problems;  ///< failures
    bool complete = false;              ///< ran until no fault was left to inject
    unsigned calls = 0;                 ///< fault-capable calls without faults
    std::vector<std::string> avoided;   ///< regions not injected into, and why
    bool run = false;                   ///< false if the campaign stopped before it
    double seconds = 0;
};

/// How far each loop goes, which N it tries, how often the full health
/// check runs.
struct Limits {
    /// The bound on N: loading the software PF with two VFs makes some
    /// 2200 fault-capable calls, most of them in the PCI core.
    unsigned max_n = 5000;
    /// Start at this N (to reproduce one fault).
    unsigned first_n = 1;
    /// The operation is run again without faults after every Kth armed
    /// run, and after the first failure of each key and errno, any unusual
    /// errno and any splat.  1: after every armed run.
    unsigned health_every = 1;
    /// 0: every N.  Otherwise, in a Walk::sampled operation, once this
    /// many N in a row hit the same key (the site; for faults that no
    /// xe_pfvf frame reports, the first three core frames), N grows in
    /// doubling steps up to max_step, and a step that leaves the run goes
    /// back and tries every N it skipped.  In a Walk::from_end operation,
    /// steps down grow once this many N in a row hit keys that the
    /// campaign had seen before, and one that lands on a new key (or in
    /// the avoided function) goes back the same way.
    unsigned sample_after = 0;
    unsigned max_step = 8;
    /// Core kernel functions not to inject into: once an armed run's fault
    /// has one of them in its trace (at its first fault-capable call, N
    /// being tried one by one up to it), the rest of the operation is
    /// walked from its last fault-capable call down to the last call
    /// inside them.  Two faults land inside each, at its first and last
    /// calls.
    std::vector<std::string> avoid;
};

/// Thrown when the system is no longer in a state the campaign can go on
/// from; the operation's report holds the reason.
class CampaignBroken : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Runs the operations, one after the other, on the calling thread.
class Campaign {
public:
    /// @fail belongs to the calling thread, which runs everything.
    Campaign(const FailNth& fail, guest::KmsgCursor& kmsg, Limits limits);

    /// The loop for @op.  Throws CampaignBroken (after filling @report) if
    /// verify(), undo() or the health check fail.
    void run(const Operation& op, OpReport& report);

private:
    /// What one armed run found.
    struct Probe {
        bool completed = false;  ///< the fault was not reached
        bool silent = false;     ///< injected, not reported (__GFP_NOWARN)
        std::string key;         ///< the site, or "other"
        std::string avoided;     ///< the avoided function in the fault's trace
        bool fresh = false;      ///< the first fault at its key in the campaign
        unsigned calls = 0;      ///< fault-capable calls, when completed
    };

    /// One armed run at @n, with its checks and, when due, the health check.
    Probe probe(const Operation& op, OpReport& report, unsigned n);
    /// probe() once per N of the operation; throws past Limits::max_n.
    const Probe& visit(const Operation& op, OpReport& report, unsigned n);
    /// N = 1, 2, ... (runs sampled in a Walk::sampled operation) until the
    /// operation completes or reaches an avoided function.
    void walk_up(const Operation& op, OpReport& report, unsigned total);
    /// From the operation's last call down to the first N whose fault is in
    /// an avoided function (returned), or to @floor (0 returned).
    unsigned walk_down(const Operation& op, OpReport& report, unsigned total, unsigned floor);
    /// Runs op without a fault (armed beyond its last call, to count the
    /// calls): result, and the problems the log shows.
    int run_unarmed(const Operation& op, OpReport& report, unsigned n, unsigned* calls = nullptr);
    static void account(const Operation& op, OpReport& report, unsigned n, int err, bool injected,
                        const KernelLog& log);
    void mark(const std::string& op, unsigned n) const;
    static void check_log(const KernelLog& log, OpReport& report, const std::string& when);
    [[nodiscard]] KernelLog read_log();

    const FailNth& fail_;
    guest::KmsgCursor& kmsg_;
    Limits limits_;
    std::set<std::pair<std::string, int>> checked_;  ///< (key, result) health-checked in this operation
    std::set<std::string> keys_;                     ///< the keys of every fault of the campaign
    std::map<unsigned, Probe> tried_;                ///< this operation's armed runs, by N
    guest::UniqueFd marker_;  ///< /dev/kmsg, for one line before each armed run
};

/// "ENOMEM", "ok" for 0, "errno 1234" for unknown values.
[[nodiscard]] std::string errno_name(int err);

/// "ok 12, ENOMEM 300".
[[nodiscard]] std::string format_results(const std::map<int, unsigned>& results);

/// The report of one operation, several lines.
[[nodiscard]] std::string format_report(const OpReport& report);

/// The final line: totals over all operations, distinct sites counted once.
[[nodiscard]] std::string format_totals(const std::vector<OpReport>& reports);

/// "RESULT faultinject/<op> PASS|FAIL (...)" for the rig.
[[nodiscard]] std::string result_line(const OpReport& report);

}  // namespace xe_pfvf::faultinject
