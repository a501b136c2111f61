#include "campaign.hpp"

#include "command.hpp"
#include "fail_nth.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iomanip>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace xe_pfvf::faultinject {

namespace {

/// Frames of the allocators and of fault injection itself: a fault that
/// hit no xe_pfvf site is described by the first frame past these.
constexpr std::array allocator_prefixes{
    std::string_view{"dump_stack"},   std::string_view{"should_fail"},  std::string_view{"__should_fail"},
    std::string_view{"should_failslab"}, std::string_view{"slab_pre_alloc_hook"}, std::string_view{"kmem_cache_alloc"},
    std::string_view{"__kmem_cache_alloc"}, std::string_view{"kmalloc"}, std::string_view{"__kmalloc"},
    std::string_view{"kzalloc"}, std::string_view{"kcalloc"}, std::string_view{"kvmalloc"},
    std::string_view{"kvzalloc"}, std::string_view{"kmemdup"}, std::string_view{"kstrdup"},
    std::string_view{"memdup_user"}, std::string_view{"vmemdup_user"}, std::string_view{"prepare_alloc_pages"},
    std::string_view{"__alloc_pages"}, std::string_view{"alloc_pages"}, std::string_view{"__get_free_pages"},
    std::string_view{"get_zeroed_page"}, std::string_view{"__vmalloc"}, std::string_view{"vmalloc"},
    std::string_view{"vzalloc"}, std::string_view{"__get_vm_area"}, std::string_view{"alloc_vmap_area"},
    std::string_view{"allocate_slab"}, std::string_view{"new_slab"}, std::string_view{"___slab_alloc"},
    std::string_view{"__slab_alloc"}, std::string_view{"kmem_cache_zalloc"}, std::string_view{"mempool_alloc"},
    std::string_view{"__pte_alloc"}, std::string_view{"pte_alloc"}, std::string_view{"__pmd_alloc"},
    std::string_view{"__pud_alloc"}, std::string_view{"vm_area_alloc_pages"}, std::string_view{"kasan_"},
};

[[nodiscard]] bool is_allocator(std::string_view function) noexcept {
    return std::any_of(allocator_prefixes.begin(), allocator_prefixes.end(),
                       [function](std::string_view prefix) { return function.starts_with(prefix); });
}

/// Where a fault hit: its site, else the first frame past the allocators.
[[nodiscard]] std::string where(const InjectedFault& fault) {
    if (fault.site) {
        return *fault.site;
    }
    for (const Frame& frame : fault.frames) {
        if (!is_allocator(frame.function)) {
            return site_name(frame) + " (no xe_pfvf frame)";
        }
    }
    return "(no frame)";
}

/// What a fault that no xe_pfvf frame reports is known by: the first
/// three frames past the allocators ("other:kernfs_new_node<-...").  Deep
/// enough that the core's work before a call into the modules and after
/// it (really_probe() around a probe) are told apart.
[[nodiscard]] std::string other_key(const InjectedFault& fault) {
    std::string key = "other:";
    unsigned taken = 0;
    for (const Frame& frame : fault.frames) {
        if (taken == 3) {
            break;
        }
        if (taken == 0 && is_allocator(frame.function)) {
            continue;
        }
        key += (taken++ == 0 ? "" : "<-") + frame.function;
    }
    return key;
}

/// The faults this thread got: fail-nth injects into no other task.
[[nodiscard]] std::vector<const InjectedFault*> own_faults(const KernelLog& log) {
    const auto tid = static_cast<unsigned>(::gettid());
    std::vector<const InjectedFault*> out;
    for (const InjectedFault& fault : log.faults) {
        if (!fault.pid || *fault.pid == tid) {
            out.push_back(&fault);
        }
    }
    return out;
}

/// A trace, indented, for a problem's report.
[[nodiscard]] std::string trace_text(const InjectedFault& fault) {
    std::string text;
    for (const std::string& line : fault.lines) {
        text += "\n      " + line;
    }
    return text;
}

[[nodiscard]] bool suspicious(int err) noexcept { return err == EFAULT || err == EINVAL; }

}  // namespace

Campaign::Campaign(const FailNth& fail, guest::KmsgCursor& kmsg, Limits limits)
    : fail_(fail), kmsg_(kmsg), limits_(std::move(limits)), marker_(guest::open_fd("/dev/kmsg", O_WRONLY)) {}

void Campaign::mark(const std::string& op, unsigned n) const {
    // One line in the kernel log before each armed run: whatever the
    // console shows next (a fault's dump, a splat, a crash) is that N's.
    const std::string line = "<6>xe-pfvf-faultinject: " + op + " N=" + std::to_string(n) + "\n";
    if (::write(marker_.get(), line.data(), line.size()) < 0) {
        guest::throw_errno("write /dev/kmsg");
    }
}

KernelLog Campaign::read_log() {
    const auto records = kmsg_.read_new();
    const auto lines = unescape_records(records);
    return parse_kernel_log(lines);
}

void Campaign::check_log(const KernelLog& log, OpReport& report, const std::string& when) {
    for (const LoggedSplat& splat : log.splats) {
        std::string text = when + ": kernel splat:";
        for (const std::string& line : splat.lines) {
            text += "\n      " + line;
        }
        report.problems.push_back(std::move(text));
    }
}

int Campaign::run_unarmed(const Operation& op, OpReport& report, unsigned n, unsigned* calls) {
    const std::string when = n == 0 ? std::string("without faults, first") : "without faults, after N=" + std::to_string(n);
    // Far beyond any operation: counts its calls, injects nothing.
    constexpr unsigned never = 1U << 30U;
    int err = 0;
    try {
        op.prepare();
        check_log(read_log(), report, when + " (setting up)");
        if (const int e = fail_.arm(never); e != 0) {
            throw std::system_error(e, std::generic_category(), "arm fail-nth");
        }
        err = op.run();
        const unsigned left = fail_.disarm();
        if (calls != nullptr) {
            *calls = never - left;
        }
        check_log(read_log(), report, when);
        op.verify(err);
        op.undo(err);
        check_log(read_log(), report, when + " (undoing)");
    } catch (const std::exception& e) {
        report.problems.push_back(when + ": " + e.what());
        throw CampaignBroken(op.name + ": " + e.what());
    }
    return err;
}

void Campaign::account(const Operation& op, OpReport& report, unsigned n, int err, bool injected,
                       const KernelLog& log) {
    const std::string at = "N=" + std::to_string(n);
    ++report.tried;
    ++report.results[err];
    const auto faults = own_faults(log);
    const InjectedFault* const fault = faults.empty() ? nullptr : faults.front();
    if (injected) {
        ++report.injected;
        if (fault == nullptr) {
            ++report.silent;
        } else if (fault->site) {
            ++report.in_sites;
            auto& site = report.sites[*fault->site];
            ++site.faults;
            ++site.results[err];
        } else {
            ++report.other;
        }
    } else if (fault != nullptr) {
        report.notes.push_back(at + ": a fault was reported though fail-nth was not consumed: " + where(*fault));
    }
    if (faults.size() > 1) {
        report.notes.push_back(at + ": " + std::to_string(faults.size()) + " faults reported for one armed run");
    }
    check_log(log, report, at + " (" + errno_name(err) + (fault != nullptr ? ", fault at " + where(*fault) : std::string()) + ")");

    if (err == 0 || err == ENOMEM || err == report.nominal) {
        return;
    }
    const std::string text =
        at + ": " + op.name + " failed with " + errno_name(err) + (fault != nullptr ? ", fault at " + where(*fault) : ", no fault reported");
    if (suspicious(err)) {
        report.problems.push_back(text + " (suspicious for a well-formed request)" + (fault != nullptr ? trace_text(*fault) : ""));
    } else {
        report.notes.push_back(text);
    }
}

Campaign::Probe Campaign::probe(const Operation& op, OpReport& report, unsigned n) {
    const std::string at = "N=" + std::to_string(n);
    try {
        op.prepare();
    } catch (const std::exception& e) {
        report.problems.push_back("setting up for " + at + ": " + e.what());
        throw CampaignBroken(op.name + ": " + e.what());
    }
    check_log(read_log(), report, "setting up for " + at);
    mark(op.name, n);

    if (const int e = fail_.arm(n); e != 0) {
        throw std::system_error(e, std::generic_category(), "arm fail-nth");
    }
    const int err = op.run();
    const unsigned left = fail_.disarm();

    const KernelLog log = read_log();
    account(op, report, n, err, left == 0, log);
    report.highest = std::max(report.highest, n);
    const auto faults = own_faults(log);
    try {
        op.verify(err);
        op.undo(err);
    } catch (const std::exception& e) {
        report.problems.push_back(at + ", after " + errno_name(err) + ": " + e.what() +
                                  (faults.empty() ? "" : trace_text(*faults.front())));
        throw CampaignBroken(op.name + ": " + e.what());
    }

    Probe result;
    if (left != 0) {
        if (err != report.nominal) {
            report.problems.push_back(at + ": no fault injected, yet " + errno_name(err) + " where " +
                                      errno_name(report.nominal) + " was the result without faults");
        }
        result.completed = true;
        result.calls = n - left;
        return result;
    }
    result.silent = faults.empty();
    result.key = faults.empty() ? "silent" : faults.front()->site.value_or(other_key(*faults.front()));
    result.fresh = !result.silent && keys_.insert(result.key).second;
    for (const Frame& frame : faults.empty() ? std::vector<Frame>{} : faults.front()->frames) {
        if (std::find(limits_.avoid.begin(), limits_.avoid.end(), frame.function) != limits_.avoid.end()) {
            result.avoided = frame.function;
        }
    }

    // A run that succeeded was verified just now: what needs checking is
    // the way out of each failure, once per key and result.
    const bool unusual = err != 0 && err != ENOMEM && err != report.nominal;
    const bool first = err != report.nominal && checked_.emplace(result.key, err).second;
    if (n % limits_.health_every == 0 || first || unusual || !log.splats.empty()) {
        const int again = run_unarmed(op, report, n);
        if (again != report.nominal) {
            report.problems.push_back(at + ": afterwards the operation fails without faults: " + errno_name(again));
            throw CampaignBroken(op.name + ": broken after " + at);
        }
    }
    return result;
}

namespace {

/// Thrown inside Campaign::run() when N passes Limits::max_n.
struct Bound {};

}  // namespace

const Campaign::Probe& Campaign::visit(const Operation& op, OpReport& report, unsigned n) {
    if (n > limits_.max_n) {
        throw Bound();
    }
    const auto it = tried_.find(n);
    return it != tried_.end() ? it->second : tried_.emplace(n, probe(op, report, n)).first->second;
}

unsigned Campaign::walk_down(const Operation& op, OpReport& report, unsigned total, unsigned floor) {
    // The count of calls varies a little from run to run: a run that
    // completes tells how many it made, and the walk goes on from its last
    // call.  In a Walk::from_end operation, known ground is sampled in
    // steps down: the last calls of an avoided function, which a step may
    // land in, are its way out (for pci_enable_sriov(): the IOMMU's probe
    // of the VF, the uevents, the physfn links), where a fault is handled.
    unsigned top = std::max(total, floor + 1);
    while (!visit(op, report, top).completed) {
        ++top;
    }
    const bool sampled = op.walk == Walk::from_end && limits_.sample_after != 0;
    unsigned boring = 0;  // N in a row on keys seen before
    unsigned step = 1;
    unsigned prev = top;  // the N tried before the last step
    for (unsigned m = std::min(top - 1, visit(op, report, top).calls); m > floor;) {
        const Probe& p = visit(op, report, m);
        if (step > 1 && (p.fresh || !p.avoided.empty())) {
            for (unsigned k = prev - 1; k > m; --k) {
                if (!visit(op, report, k).avoided.empty()) {
                    return k;
                }
            }
            boring = 0;
        }
        if (!p.avoided.empty()) {
            return m;
        }
        boring = p.fresh ? 0 : boring + 1;
        step = sampled && boring >= limits_.sample_after ? std::min(step * 2, limits_.max_step) : 1;
        prev = m;
        if (p.completed) {
            m = std::min(m - 1, p.calls);
        } else {
            const unsigned next = m > floor + step ? m - step : floor + 1;
            m = next < m ? next : floor;
        }
    }
    return 0;
}

void Campaign::walk_up(const Operation& op, OpReport& report, unsigned total) {
    std::string run_key;  // the key of the run of N in progress
    unsigned run = 0;     // N tried in it
    unsigned last = limits_.first_n - 1;  // the N before the last step
    unsigned step = 1;
    const bool sampled = op.walk == Walk::sampled && limits_.sample_after != 0;
    for (unsigned n = limits_.first_n;;) {
        const Probe& got = visit(op, report, n);
        if (!got.avoided.empty()) {
            // Into a core function that must not be injected: go on from
            // the last call of the operation down to it instead.
            const unsigned out = std::max(walk_down(op, report, total, n), n);
            report.avoided.push_back(got.avoided + "(): N=" + std::to_string(n) + ".." + std::to_string(out) +
                                     " not injected (faults at its first and last calls only)");
            return;
        }
        const bool same = !got.completed && (got.silent || got.key == run_key);
        if (step > 1 && !same) {
            // A step over untried N left the run, or the operation: try
            // each of them.
            for (unsigned m = last + 1; m < n && (!got.completed || m <= got.calls); ++m) {
                static_cast<void>(visit(op, report, m));
            }
        }
        if (got.completed) {
            return;
        }
        if (same) {
            ++run;
        } else {
            run_key = got.key;
            run = 1;
        }
        last = n;
        step = sampled && run >= limits_.sample_after ? std::min(step * 2, limits_.max_step) : 1;
        n += step;
    }
}

void Campaign::run(const Operation& op, OpReport& report) {
    const auto start = std::chrono::steady_clock::now();
    report.name = op.name;
    report.what = op.what;
    report.run = true;
    checked_.clear();
    tried_.clear();
    const auto finish = [&] {
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    try {
        unsigned total = 0;
        report.nominal = run_unarmed(op, report, 0, &total);
        report.calls = total;
        if (op.walk != Walk::from_end) {
            walk_up(op, report, total);
        } else if (const unsigned out = walk_down(op, report, total, 0); out != 0) {
            report.avoided.push_back(tried_.at(out).avoided + "(): N=1.." + std::to_string(out) +
                                     " not walked: from the last call down to the last call inside it");
        }
        report.complete = true;
    } catch (const Bound&) {
        report.problems.push_back("still injecting at N=" + std::to_string(limits_.max_n) +
                                  ", the bound: the operation makes more fault-capable calls, or never ends");
    } catch (...) {
        finish();
        throw;
    }
    finish();
}

std::string errno_name(int err) {
    if (err == 0) {
        return "ok";
    }
    const char* const name = ::strerrorname_np(err);
    return name != nullptr ? std::string(name) : "errno " + std::to_string(err);
}

std::string format_results(const std::map<int, unsigned>& results) {
    std::string text;
    for (const auto& [err, count] : results) {
        text += (text.empty() ? "" : ", ") + errno_name(err) + " " + std::to_string(count);
    }
    return text.empty() ? "none" : text;
}

std::string format_report(const OpReport& report) {
    std::ostringstream out;
    out << "== " << report.name << ": " << report.what << '\n';
    if (!report.run) {
        out << "   not run: the campaign stopped before it\n";
        return out.str();
    }
    out << "   N tried " << report.tried << (report.tried == report.highest ? "" : " (of 1.." + std::to_string(report.highest) + ")")
        << ", faults injected " << report.injected << " (" << report.in_sites
        << " at xe_pfvf sites, " << report.other << " elsewhere, " << report.silent << " silent), "
        << (report.complete ? "complete: " + std::to_string(report.calls) + " fault-capable calls without faults"
                            : std::string("INCOMPLETE"))
        << ", " << std::fixed << std::setprecision(1)
        << report.seconds << " s\n";
    out << "   results: " << format_results(report.results) << "; without faults: " << errno_name(report.nominal)
        << '\n';
    out << "   xe_pfvf sites hit: " << report.sites.size() << '\n';
    for (const auto& [site, stats] : report.sites) {
        out << "     " << site << ": " << stats.faults << (stats.faults == 1 ? " fault" : " faults") << " -> "
            << format_results(stats.results) << '\n';
    }
    for (const std::string& avoided : report.avoided) {
        out << "   avoided: " << avoided << '\n';
    }
    for (const std::string& note : report.notes) {
        out << "   note: " << note << '\n';
    }
    for (const std::string& problem : report.problems) {
        out << "   PROBLEM: " << problem << '\n';
    }
    return out.str();
}

std::string format_totals(const std::vector<OpReport>& reports) {
    unsigned tried = 0;
    unsigned injected = 0;
    unsigned in_sites = 0;
    unsigned other = 0;
    unsigned silent = 0;
    std::size_t problems = 0;
    std::size_t failed = 0;
    double seconds = 0;
    std::set<std::string> sites;
    for (const OpReport& r : reports) {
        tried += r.tried;
        injected += r.injected;
        in_sites += r.in_sites;
        other += r.other;
        silent += r.silent;
        problems += r.problems.size();
        failed += (!r.run || !r.complete || !r.problems.empty()) ? 1 : 0;
        seconds += r.seconds;
        for (const auto& entry : r.sites) {
            sites.insert(entry.first);
        }
    }
    std::ostringstream out;
    out << "faultinject totals: " << reports.size() << " operations (" << failed << " failed), N tried " << tried
        << ", faults injected " << injected << " (" << in_sites << " at xe_pfvf sites, " << other << " elsewhere, "
        << silent << " silent), distinct xe_pfvf sites hit " << sites.size() << ", problems " << problems << ", "
        << std::fixed << std::setprecision(0) << seconds << " s";
    return out.str();
}

std::string result_line(const OpReport& report) {
    const bool pass = report.run && report.complete && report.problems.empty();
    std::string line = "RESULT faultinject/" + report.name + (pass ? " PASS" : " FAIL");
    if (!report.run) {
        return line + " not run";
    }
    line += " N=" + std::to_string(report.tried) + " sites=" + std::to_string(report.sites.size());
    if (!report.problems.empty()) {
        const std::string& first = report.problems.front();
        line += ": " + first.substr(0, first.find('\n'));
    } else if (!report.complete) {
        line += ": incomplete";
    }
    return line;
}

}  // namespace xe_pfvf::faultinject
