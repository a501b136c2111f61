#include "runner.hpp"

#include "checks.hpp"
#include "command.hpp"
#include "debugfs.hpp"
#include "pf_side.hpp"
#include "stats.hpp"
#include "swpf.hpp"
#include "sys.hpp"
#include "vfio.hpp"
#include "vfio_dmabuf.hpp"
#include "vmm.hpp"
#include "watchdog.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>
#include <sstream>
#include <stop_token>
#include <system_error>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace xe_pfvf::stress {

namespace {

using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

/// Each thread's own random numbers, seeded from the run's seed.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}

    /// Uniform in [0, n).
    [[nodiscard]] std::uint64_t below(std::uint64_t n) {
        return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(engine_);
    }
    [[nodiscard]] Ms between(Ms lo, Ms hi) {
        return Ms(std::uniform_int_distribution<Ms::rep>(lo.count(), hi.count())(engine_));
    }
    [[nodiscard]] bool chance(double p) { return std::bernoulli_distribution(p)(engine_); }
    [[nodiscard]] std::mt19937_64& engine() noexcept { return engine_; }

private:
    std::mt19937_64 engine_;
};

/// Sleeps @d, less if the run stops meanwhile; false once it stops.
bool nap(const std::stop_token& stop, Ms d) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    static_cast<void>(cv.wait_for(lock, stop, d, [] { return false; }));
    return !stop.stop_requested();
}

/// Random page-aligned ranges of a BAR of @bar_size bytes: one to three,
/// anywhere, overlapping or repeated at times.
std::vector<guest::RegionRange> random_ranges(Rng& rng, std::uint64_t bar_size) {
    const std::uint64_t pages = std::max<std::uint64_t>(bar_size / page_size, 1);
    const std::uint64_t n = 1 + rng.below(std::min<std::uint64_t>(pages, 3));
    std::vector<guest::RegionRange> ranges;
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t start = rng.below(pages);
        const std::uint64_t length = 1 + rng.below(pages - start);
        ranges.push_back({.offset = start * page_size, .length = length * page_size});
    }
    return ranges;
}

/// Rows of a debugfs table whose first word is @kind, its header excepted.
std::uint64_t count_rows(std::string_view text, std::string_view kind) {
    std::uint64_t n = 0;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::string first;
        std::string second;
        words >> first >> second;
        if (first == kind && second != "vf") {
            ++n;
        }
    }
    return n;
}

/// The lines of @text, the header excepted.
std::uint64_t data_lines(std::string_view text) {
    const auto lines = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
    return lines == 0 ? 0 : lines - 1;
}

/// "lmem_bar: <n>" of xe_pfvf's debugfs `info`.
unsigned lmem_bar_of(const std::string& pf) {
    std::istringstream info(guest::read_file(guest::debugfs_root / pf / "info"));
    for (std::string line; std::getline(info, line);) {
        if (line.starts_with("lmem_bar: ")) {
            return static_cast<unsigned>(std::stoul(line.substr(10)));
        }
    }
    throw std::runtime_error("no lmem_bar in " + (guest::debugfs_root / pf / "info").string());
}

/// The first PF the software PF attached to (its debugfs directory).
std::optional<std::string> first_swpf_pf() {
    std::error_code ec;
    std::vector<std::string> pfs;
    for (const auto& entry : std::filesystem::directory_iterator(guest::swpf_debugfs_root, ec)) {
        if (std::filesystem::exists(entry.path() / "fill")) {
            pfs.push_back(entry.path().filename().string());
        }
    }
    if (pfs.empty()) {
        return std::nullopt;
    }
    return *std::min_element(pfs.begin(), pfs.end());
}

/// Closes every VFIO device fd of the process, bypassing their owners:
/// the last resort when threads stay blocked, so that a VF removal waiting
/// for the device (and so the process's exit) is not left waiting on us.
void release_vfio_devices() noexcept {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
        std::error_code link_ec;
        const auto target = std::filesystem::read_symlink(entry.path(), link_ec);
        if (!link_ec && target.string().find("vfio-device") != std::string::npos) {
            static_cast<void>(::close(std::stoi(entry.path().filename().string())));
        }
    }
}

/// What the run is played on.
struct Machine {
    std::string pf;
    unsigned num_vfs = 0;
    unsigned lmem_bar = 0;
    std::uint64_t tag_len = 0;  ///< LMEM bytes from 0 the exports reach: the BAR, within the quota
};

/// The machine, or why the run cannot happen here.
std::variant<Machine, std::string> find_machine(const Config& config) {
    if (::geteuid() != 0) {
        return std::string("needs root (debugfs, sysfs, VFIO)");
    }
    Machine m;
    const auto pf = config.pf ? config.pf : first_swpf_pf();
    if (!pf || !std::filesystem::exists(guest::swpf_debugfs_root / *pf / "fill")) {
        return "no software PF in " + guest::swpf_debugfs_root.string() + " (xe_pfvf_swpf attached?)";
    }
    m.pf = *pf;
    if (!std::filesystem::exists(guest::debugfs_root / m.pf / "vfs")) {
        return "no xe_pfvf debugfs for " + m.pf;
    }
    if (!std::filesystem::exists(std::filesystem::path("/sys/bus/pci/drivers") / variant_driver)) {
        return std::string("no ") + std::string(variant_driver) + " driver (insmod xe_pfvf_vfio_pci.ko)";
    }
    if (!std::filesystem::exists("/dev/vfio/vfio")) {
        return std::string("no VFIO (modprobe vfio-pci)");
    }
    const auto rows = guest::parse_vfs(guest::read_file(guest::debugfs_root / m.pf / "vfs"));
    m.num_vfs = static_cast<unsigned>(rows.size());
    if (m.num_vfs == 0) {
        return "PF " + m.pf + " has no VFs enabled";
    }
    const auto& vf1 = rows.front();
    if (!vf1.bar || vf1.quota == 0) {
        return "VF1 of " + m.pf + " is not provisioned or has no LMEM BAR";
    }
    if (const std::string blockers = guest::vfio_group_blockers(vf1.bdf); !blockers.empty()) {
        return "VF " + vf1.bdf + "'s IOMMU group also holds " + blockers + ": VFIO cannot take the group";
    }
    m.lmem_bar = lmem_bar_of(m.pf);
    m.tag_len = std::min(vf1.bar->size, vf1.quota) / page_size * page_size;
    return m;
}

class Run {
public:
    Run(const Config& config, Machine machine, std::ostream& out)
        : config_(config),
          machine_(std::move(machine)),
          out_(out),
          watchdog_(config.watchdog),
          pf_(machine_.pf, machine_.num_vfs, machine_.tag_len) {
        for (unsigned vf = 1; vf <= machine_.num_vfs; ++vf) {
            vmm_.emplace_back(machine_.pf, vf, machine_.lmem_bar);
            all_vfs_.push_back(vf);
            revoked_before_.emplace_back(Clock::rep{0});
        }
    }

    int go();

private:
    /// Runs @f as one @op: counted as done, or as failed with the errno of
    /// the std::system_error it threw; any other exception is a failure.
    /// Returns 0, the errno, or -1.
    template <typename F>
    int attempt(Watchdog::Thread& self, Op op, F&& f);
    /// Counts an errno (0 for success) obtained elsewhere.
    void count(Op op, int err, std::string_view what);

    /// The threads stop in two groups: the VMM last, so that it serves
    /// the device requests of VF removals until nothing else runs.
    enum class Group { worker, vmm };

    /// Starts a thread of @group that runs @body with the group's stop
    /// token.
    template <typename Body>
    void spawn(std::string name, Group group, Body body);
    /// Stops @group and waits for its threads, at most the watchdog's limit
    /// and 30 s more; whether they all ended.
    bool stop_group(Group group);
    /// Prints @text; with @kernel_log also into the kernel log, line by
    /// line, where the console shows it at once (a hang, progress).
    void say(const std::string& text, bool kernel_log);
    /// The run cannot end: threads blocked in the kernel.  Reports, gives
    /// the VFIO devices back and exits.
    [[noreturn]] void abandon();

    void vmm_loop(const std::stop_token& stop, Watchdog::Thread& self, VmmVf& vm, Rng& rng);
    void memory_loop(const std::stop_token& stop, Watchdog::Thread& self, VmmVf& vm, Rng& rng);
    void reset_loop(const std::stop_token& stop, Watchdog::Thread& self, VmmVf& vm, Rng& rng);
    void flr_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng);
    void provision_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng);
    void numvfs_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng);
    void unbind_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng);
    void importer_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng, unsigned k, bool hostile);
    /// Reads and checks an import, remaps it; the hostile importer holds
    /// it for seconds.
    void use_import(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng, const guest::ImportSlot& slot,
                    const ExportedBuffer& buf, bool hostile, bool stall);
    void debugfs_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng);

    /// Reads @slot, holding @buf, and checks every page; a cooperative
    /// importer's read must also fail once @buf is revoked.
    void read_and_check(Watchdog::Thread& self, const guest::ImportSlot& slot, const ExportedBuffer& buf,
                        bool cooperative);
    /// A revocation for good of @vfs, started at @since, has returned.
    void revoked_for_good(std::span<const unsigned> vfs, Clock::time_point since);
    /// Why @buf must be revoked now, or an empty string: a revocation for
    /// good after its export, or its VF's memory disabled (@memory_off,
    /// from VmmVf::memory_off(), unchanged across the operation).
    [[nodiscard]] std::string must_be_revoked(const ExportedBuffer& buf, Clock::rep cutoff,
                                              std::uint64_t memory_off_before) const;
    void check_status(Watchdog::Thread& self, const guest::ImportSlot& slot, const ExportedBuffer& buf);
    void fill_all(Watchdog::Thread& self);
    /// Scrubs @vfs, then runs @op doing @free under their locks.
    void scrub_then(Watchdog::Thread& self, std::span<const unsigned> vfs, Op op, const std::function<void()>& free);
    void teardown(Watchdog::Thread& self);
    /// Polls until `quarantine` lists nothing and every VRAM parked by the
    /// software PF was released, at most @limit; whether it got there.
    bool wait_quarantine_drained(Watchdog::Thread& self, Ms limit);
    void drain_kernel_log();
    void heartbeat();
    int verdict(bool drained, bool threads_done);

    const Config& config_;
    Machine machine_;
    std::ostream& out_;
    std::mutex out_mutex_;
    Stats stats_;
    Watchdog watchdog_;
    PfSide pf_;
    BufferPool pool_{8};
    std::deque<VmmVf> vmm_;
    std::vector<unsigned> all_vfs_;
    /// Per VF: the latest start of a revocation for good that returned
    /// (device close, unprovision, VFs disabled, PF unbound), steady_clock
    /// ticks.  Buffers of the VF exported before it are dead for good.
    std::deque<std::atomic<Clock::rep>> revoked_before_;
    std::stop_source stop_;      ///< the workers'
    std::stop_source vmm_stop_;  ///< the VMM threads'
    std::vector<std::jthread> threads_;
    std::mutex done_mutex_;
    std::condition_variable done_cv_;
    std::array<unsigned, 2> running_{};  ///< per Group
    std::mutex log_mutex_;
    guest::KmsgCursor kmsg_;
    KernelLog klog_;
    Clock::time_point start_ = Clock::now();
    std::string quarantine_left_;
};

template <typename F>
int Run::attempt(Watchdog::Thread& self, Op op, F&& f) {
    const Watchdog::Scope scope(self, op);
    try {
        std::forward<F>(f)();
    } catch (const std::system_error& e) {
        const int err = e.code().value();
        if (!stats_.error(op, err, e.what())) {
            const std::scoped_lock lock(out_mutex_);
            out_ << "xe-pfvf-stress: " << self.name() << ": " << op_name(op) << ": unexpected " << errno_name(err)
                 << ": " << e.what() << '\n';
        }
        return err;
    } catch (const std::exception& e) {
        stats_.failure(self.name() + ": " + std::string(op_name(op)) + ": " + e.what());
        return -1;
    }
    stats_.ok(op);
    return 0;
}

void Run::count(Op op, int err, std::string_view what) {
    if (err == 0) {
        stats_.ok(op);
    } else {
        static_cast<void>(stats_.error(op, err, what));
    }
}

template <typename Body>
void Run::spawn(std::string name, Group group, Body body) {
    const auto g = static_cast<std::size_t>(group);
    {
        const std::scoped_lock lock(done_mutex_);
        ++running_.at(g);
    }
    const std::uint64_t seed = config_.seed * 1000 + threads_.size();
    const std::stop_token stop = group == Group::vmm ? vmm_stop_.get_token() : stop_.get_token();
    threads_.emplace_back([this, name = std::move(name), body, seed, stop, g] {
        Watchdog::Thread& self = watchdog_.enroll(name);
        Rng rng(seed);
        try {
            body(stop, self, rng);
        } catch (const std::exception& e) {
            stats_.failure(name + ": " + e.what());
        }
        const std::scoped_lock lock(done_mutex_);
        --running_.at(g);
        done_cv_.notify_all();
    });
}

bool Run::stop_group(Group group) {
    const auto g = static_cast<std::size_t>(group);
    (group == Group::vmm ? vmm_stop_ : stop_).request_stop();
    // Every loop ends within its longest operation; a thread blocked in
    // the kernel for good cannot be joined.
    std::unique_lock lock(done_mutex_);
    return done_cv_.wait_for(lock, config_.watchdog + 30s, [this, g] { return running_.at(g) == 0; });
}

void Run::say(const std::string& text, bool kernel_log) {
    const std::scoped_lock lock(out_mutex_);
    out_ << text << std::flush;
    if (!kernel_log) {
        return;
    }
    try {
        const guest::UniqueFd kmsg = guest::open_fd("/dev/kmsg", O_WRONLY);
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
            line.insert(0, line.starts_with("xe-pfvf-stress: ") ? "<5>" : "<5>xe-pfvf-stress: ");
            static_cast<void>(::write(kmsg.get(), line.data(), line.size()));
        }
    } catch (const std::exception& e) {
        out_ << "xe-pfvf-stress: /dev/kmsg: " << e.what() << '\n';
    }
}

void Run::abandon() {
    {
        std::ostringstream text;
        text << "xe-pfvf-stress: threads still blocked after the run:\n";
        watchdog_.print_busy(text);
        say(text.str(), true);
    }
    stats_.failure("threads still blocked in the kernel after the run");
    release_vfio_devices();
    const int status = verdict(false, false);
    std::_Exit(status);
}

void Run::vmm_loop(const std::stop_token& stop, Watchdog::Thread& self, VmmVf& vm, Rng& rng) {
    while (!stop.stop_requested()) {
        if (!vm.is_open()) {
            // VFs disabled or the PF unbound: wait for the VF to come back.
            if (!vf_bdf(machine_.pf, vm.vf())) {
                nap(stop, 50ms);
                continue;
            }
            if (attempt(self, Op::vfio_open, [&] { vm.open(); }) != 0) {
                nap(stop, rng.between(50ms, 150ms));
            }
            continue;
        }
        // The VF is being removed (sriov_numvfs 0, backend unbind): give
        // the device back as a VMM does, or the removal waits for ever.
        // Counted only when a request came.
        bool requested = false;
        const std::array vf{vm.vf()};
        const auto since = Clock::now();
        try {
            const Watchdog::Scope scope(self, Op::vfio_request);
            requested = vm.serve_request(20ms);
        } catch (const std::system_error& e) {
            count(Op::vfio_request, e.code().value(), e.what());
            vm.close();
            continue;
        }
        if (requested) {
            revoked_for_good(vf, since);
            stats_.ok(Op::vfio_request);
            nap(stop, 100ms);
            continue;
        }
        if (rng.chance(0.02)) {
            const auto start = Clock::now();
            attempt(self, Op::vfio_reopen, [&] { vm.reopen(); });
            // Closed, whatever the reopen did then.
            revoked_for_good(vf, start);
            continue;
        }
        if (rng.chance(0.5)) {
            const auto ranges = random_ranges(rng, vm.bar_size());
            attempt(self, Op::export_dmabuf, [&] { pool_.push(vm.export_ranges(ranges)); });
        }
        nap(stop, rng.between(5ms, 30ms));
    }
    // The end, as a VMM that quits: the VF's dma-bufs go with the device.
    const Watchdog::Scope scope(self, Op::vfio_request);
    vm.close();
}

void Run::memory_loop(const std::stop_token& stop, Watchdog::Thread& self, VmmVf& vm, Rng& rng) {
    while (nap(stop, rng.between(30ms, 200ms))) {
        vm.with_device([&](int fd) {
            if (attempt(self, Op::memory_disable, [&] { guest::disable_memory(fd); }) == 0) {
                vm.memory_disabled();
            }
        });
        std::this_thread::sleep_for(rng.between(0ms, 40ms));
        vm.with_device([&](int fd) {
            vm.memory_enabling();
            attempt(self, Op::memory_enable, [&] { guest::enable_memory(fd); });
        });
    }
}

void Run::reset_loop(const std::stop_token& stop, Watchdog::Thread& self, VmmVf& vm, Rng& rng) {
    while (nap(stop, rng.between(150ms, 600ms))) {
        vm.with_device([&](int fd) { attempt(self, Op::vfio_reset, [&] { guest::reset_device(fd); }); });
    }
}

void Run::flr_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng) {
    while (nap(stop, rng.between(100ms, 400ms))) {
        const auto vf = static_cast<unsigned>(1 + rng.below(machine_.num_vfs));
        attempt(self, Op::flr, [&] {
            const auto bdf = vf_bdf(machine_.pf, vf);
            if (!bdf) {
                throw std::system_error(ENOENT, std::generic_category(), "VF" + std::to_string(vf) + " not enabled");
            }
            guest::write_attribute(guest::pci_device_dir(*bdf) / "reset", "1");
        });
    }
}

void Run::scrub_then(Watchdog::Thread& self, std::span<const unsigned> vfs, Op op, const std::function<void()>& free) {
    const Watchdog::Scope scope(self, Op::scrub);
    pf_.scrub_then(
        vfs, [&](unsigned vf, int err) { count(Op::scrub, err, "scrub VF" + std::to_string(vf)); },
        [&] { attempt(self, op, free); });
}

void Run::fill_all(Watchdog::Thread& self) {
    for (const unsigned vf : all_vfs_) {
        attempt(self, Op::fill, [&] { pf_.fill(vf); });
    }
}

void Run::provision_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng) {
    while (nap(stop, rng.between(400ms, 1500ms))) {
        const std::array vf{static_cast<unsigned>(1 + rng.below(machine_.num_vfs))};
        scrub_then(self, vf, Op::unprovision, [&] {
            const auto start = Clock::now();
            try {
                pf_.swpf().unprovision(vf[0]);
            } catch (const std::system_error& e) {
                // Quarantined: revoked all the same, the VRAM kept.
                if (e.code().value() == EBUSY) {
                    revoked_for_good(vf, start);
                }
                throw;
            }
            revoked_for_good(vf, start);
        });
        std::this_thread::sleep_for(rng.between(0ms, 300ms));
        attempt(self, Op::provision, [&] { pf_.swpf().provision(vf[0]); });
        attempt(self, Op::fill, [&] { pf_.fill(vf[0]); });
    }
}

void Run::numvfs_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng) {
    while (nap(stop, rng.between(4000ms, 7000ms))) {
        scrub_then(self, all_vfs_, Op::numvfs_off, [&] {
            const auto start = Clock::now();
            pf_.write_numvfs(0);
            revoked_for_good(all_vfs_, start);
        });
        // Not cut short by the end of the run: the VFs come back.
        std::this_thread::sleep_for(rng.between(100ms, 500ms));
        if (attempt(self, Op::numvfs_on, [&] { pf_.write_numvfs(machine_.num_vfs); }) == 0) {
            fill_all(self);
        }
    }
}

void Run::unbind_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng) {
    while (nap(stop, rng.between(7000ms, 11000ms))) {
        scrub_then(self, all_vfs_, Op::backend_unbind, [&] {
            const auto start = Clock::now();
            pf_.unbind();
            revoked_for_good(all_vfs_, start);
        });
        // Not cut short by the end of the run: the PF gets its driver back.
        std::this_thread::sleep_for(rng.between(100ms, 500ms));
        attempt(self, Op::backend_bind, [&] { pf_.bind(); });
        if (attempt(self, Op::numvfs_on, [&] { pf_.write_numvfs(machine_.num_vfs); }) == 0) {
            fill_all(self);
        }
    }
}

void Run::revoked_for_good(std::span<const unsigned> vfs, Clock::time_point since) {
    const Clock::rep t = since.time_since_epoch().count();
    for (const unsigned vf : vfs) {
        auto& cutoff = revoked_before_.at(vf - 1);
        Clock::rep seen = cutoff.load();
        while (seen < t && !cutoff.compare_exchange_weak(seen, t)) {
        }
    }
}

std::string Run::must_be_revoked(const ExportedBuffer& buf, Clock::rep cutoff, std::uint64_t memory_off_before) const {
    if (buf.exported.time_since_epoch().count() < cutoff) {
        return "revoked for good " +
               std::to_string(
                   std::chrono::duration_cast<Ms>(Clock::duration(cutoff) - buf.exported.time_since_epoch()).count()) +
               " ms after its export (device closed, unprovisioned, VFs disabled or PF unbound)";
    }
    if (memory_off_before != 0 && memory_off_before == vmm_.at(buf.vf - 1).memory_off()) {
        return "its VF's memory disabled throughout";
    }
    return {};
}

void Run::read_and_check(Watchdog::Thread& self, const guest::ImportSlot& slot, const ExportedBuffer& buf,
                         bool cooperative) {
    // Loaded before the read: whatever they say held before it started.
    const Clock::rep cutoff = revoked_before_.at(buf.vf - 1).load();
    const std::uint64_t memory_off = vmm_.at(buf.vf - 1).memory_off();
    std::vector<std::byte> data;
    if (attempt(self, Op::read, [&] { data = slot.data(); }) != 0) {
        if (cooperative && !must_be_revoked(buf, cutoff, memory_off).empty()) {
            stats_.add("revoked-reads-refused", 1);
        }
        return;
    }
    const std::string revoked = cooperative ? must_be_revoked(buf, cutoff, memory_off) : std::string();
    const PageCheck c = check_pages(data, buf.vf, buf.pages);
    stats_.add("pages", c.tagged + c.untagged + c.foreign + c.misplaced);
    stats_.add("pages-tagged", c.tagged);
    stats_.add("pages-untagged", c.untagged);
    stats_.add("pages-foreign", c.foreign);
    stats_.add("pages-misplaced", c.misplaced);
    if (c.first_bad.empty() && revoked.empty()) {
        return;
    }
    if (!revoked.empty()) {
        stats_.add("revoked-reads-served", 1);
    }
    // The evidence, as of now: the slot's mapping and the provisioning.
    std::string evidence;
    try {
        evidence = guest::read_file(slot.dir() / "status") +
                   guest::read_file(guest::debugfs_root / machine_.pf / "provisioning");
    } catch (const std::exception& e) {
        evidence = e.what();
    }
    const std::string what = self.name() + ": dma-buf of VF" + std::to_string(buf.vf) + " read through " +
                             slot.dir().filename().string() + ": " +
                             (revoked.empty() ? c.first_bad : "read succeeded on a buffer " + revoked);
    stats_.failure(what);
    say("xe-pfvf-stress: FAILURE: " + what + "\n", true);
    say(evidence, false);
}

void Run::check_status(Watchdog::Thread& self, const guest::ImportSlot& slot, const ExportedBuffer& buf) {
    attempt(self, Op::slot_status, [&] {
        const guest::SlotStatus s = slot.status();
        if (s.state != "mapped") {
            return;
        }
        if (s.vf != buf.vf || s.size != buf.pages.size() * page_size) {
            stats_.failure(self.name() + ": " + slot.dir().filename().string() + " maps " + std::to_string(s.size) +
                           " bytes of VF" + std::to_string(s.vf) + " for a " +
                           std::to_string(buf.pages.size() * page_size) + "-byte buffer of VF" +
                           std::to_string(buf.vf));
        }
    });
}

void Run::use_import(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng, const guest::ImportSlot& slot,
                     const ExportedBuffer& buf, bool hostile, bool stall) {
    if (hostile) {
        // Holds it (ignoring revocations if stalling) long enough for
        // revocations to time out and quarantine its VRAM, reading.
        const auto until = Clock::now() + rng.between(1500ms, 3500ms);
        while (Clock::now() < until && nap(stop, 200ms)) {
            read_and_check(self, slot, buf, !stall);
        }
        return;
    }
    for (std::uint64_t i = 1 + rng.below(3); i > 0; --i) {
        read_and_check(self, slot, buf, true);
    }
    if (rng.chance(0.3)) {
        attempt(self, Op::unmap, [&] { slot.ctl("unmap"); });
        read_and_check(self, slot, buf, true);
        attempt(self, Op::map, [&] { slot.ctl("map"); });
        read_and_check(self, slot, buf, true);
    }
    if (rng.chance(0.2)) {
        check_status(self, slot, buf);
    }
}

void Run::importer_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng, unsigned k, bool hostile) {
    const guest::ImportSlot slot = pf_.swpf().slot(k);
    const auto release = [&] { attempt(self, Op::release, [&] { slot.ctl("release"); }); };
    release();
    Ms pause{0};
    while (nap(stop, pause)) {
        pause = hostile ? rng.between(300ms, 1500ms) : rng.between(0ms, 20ms);
        // The hostile importer goes for the newest buffer, the likeliest
        // to be live: it is there to get stuck.
        const auto buf = hostile ? pool_.newest() : pool_.pick(rng.engine());
        if (!buf) {
            continue;
        }
        const bool stall = hostile && rng.chance(0.6);
        const Clock::rep cutoff = revoked_before_.at(buf->vf - 1).load();
        const std::uint64_t memory_off = vmm_.at(buf->vf - 1).memory_off();
        // Dead for good, as the run knows: tried now and then, mostly
        // dropped for live ones.
        if (buf->exported.time_since_epoch().count() < cutoff && rng.chance(0.8)) {
            pool_.drop(buf);
            continue;
        }
        const int err = attempt(self, stall ? Op::import_stall : Op::import, [&] {
            slot.import(buf->fd.get(), guest::ImportMode::lmem,
                        stall ? guest::ImportBehaviour::stall : guest::ImportBehaviour::cooperative);
        });
        // Attaching to a revoked buffer fails, however hostile the importer.
        if (const std::string revoked = must_be_revoked(*buf, cutoff, memory_off); !revoked.empty()) {
            if (err == 0) {
                stats_.failure(self.name() + ": import of a VF" + std::to_string(buf->vf) + " dma-buf succeeded, " +
                               revoked);
            } else {
                stats_.add("revoked-imports-refused", 1);
            }
        }
        if (err == EBUSY) {
            release();  // left over: a release that found the slot's directory gone
        }
        if (err != 0) {
            // Revoked (the pool has newer ones soon) or the PF is away.
            pause = err == ENOENT ? 100ms : std::max(pause, rng.between(10ms, 60ms));
            continue;
        }
        use_import(stop, self, rng, slot, *buf, hostile, stall);
        release();
    }
    release();
}

void Run::debugfs_loop(const std::stop_token& stop, Watchdog::Thread& self, Rng& rng) {
    const auto dir = guest::debugfs_root / machine_.pf;
    while (nap(stop, rng.between(100ms, 250ms))) {
        attempt(self, Op::debugfs,
                [&] { stats_.raise("dmabufs-peak", data_lines(guest::read_file(dir / "dmabufs"))); });
        attempt(self, Op::debugfs, [&] {
            const std::string q = guest::read_file(dir / "quarantine");
            stats_.raise("stuck-peak", count_rows(q, "stuck"));
            stats_.raise("withdrawn-peak", count_rows(q, "withdrawn"));
        });
        attempt(self, Op::debugfs, [&] { static_cast<void>(guest::parse_vfs(guest::read_file(dir / "vfs"))); });
        drain_kernel_log();
    }
}

void Run::drain_kernel_log() {
    std::vector<std::string> bad;
    {
        const std::scoped_lock lock(log_mutex_);
        const std::size_t before = klog_.bad_lines.size();
        for (const std::string& line : kmsg_.read_new()) {
            tally_kernel_line(line, klog_);
        }
        bad.assign(klog_.bad_lines.begin() + static_cast<std::ptrdiff_t>(before), klog_.bad_lines.end());
    }
    const std::scoped_lock lock(out_mutex_);
    for (const std::string& line : bad) {
        out_ << "xe-pfvf-stress: kernel: " << line << '\n';
    }
}

void Run::heartbeat() {
    const auto t = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start_).count();
    std::ostringstream line;
    line << "xe-pfvf-stress: " << t << " s: exports " << stats_.tally(Op::export_dmabuf).ok << ", imports "
         << stats_.tally(Op::import).ok + stats_.tally(Op::import_stall).ok << ", reads " << stats_.tally(Op::read).ok
         << ", pages " << stats_.counter("pages") << ", FLRs " << stats_.tally(Op::flr).ok << ", unprovisions "
         << stats_.tally(Op::unprovision).runs << ", VF disables " << stats_.tally(Op::numvfs_off).ok << ", unbinds "
         << stats_.tally(Op::backend_unbind).ok << ", failures " << stats_.failures() << '\n';
    say(line.str(), false);
}

bool Run::wait_quarantine_drained(Watchdog::Thread& self, Ms limit) {
    const auto deadline = Clock::now() + limit;
    for (;;) {
        std::string q;
        attempt(self, Op::debugfs, [&] { q = guest::read_file(guest::debugfs_root / machine_.pf / "quarantine"); });
        drain_kernel_log();
        bool paired = false;
        {
            const std::scoped_lock lock(log_mutex_);
            paired = klog_.parked == klog_.released + klog_.freed_at_removal;
        }
        const bool empty = count_rows(q, "stuck") == 0 && count_rows(q, "withdrawn") == 0;
        if (empty && paired) {
            return true;
        }
        if (Clock::now() > deadline) {
            quarantine_left_ = q;
            return false;
        }
        std::this_thread::sleep_for(100ms);
    }
}

void Run::teardown(Watchdog::Thread& self) {
    // The importers let go (their threads released their slots), then the
    // VMM closes its devices and gives the VFs back.
    for (unsigned k = 0; k < guest::swpf_import_slots; ++k) {
        attempt(self, Op::release, [&] { pf_.swpf().slot(k).ctl("release"); });
    }
    pool_.clear();
    for (VmmVf& vm : vmm_) {
        const Watchdog::Scope scope(self, Op::vfio_request);
        vm.close();
    }
    // The PF as the run found it: bound, its VFs enabled and provisioned.
    if (!pf_.bound()) {
        attempt(self, Op::backend_bind, [&] { pf_.bind(); });
    }
    if (pf_.numvfs() != machine_.num_vfs) {
        if (pf_.numvfs() != 0) {
            scrub_then(self, all_vfs_, Op::numvfs_off, [&] { pf_.write_numvfs(0); });
        }
        attempt(self, Op::numvfs_on, [&] { pf_.write_numvfs(machine_.num_vfs); });
    }
    for (const unsigned vf : all_vfs_) {
        const int err = attempt(self, Op::provision, [&] { pf_.swpf().provision(vf); });
        if (err != 0 && err != EEXIST) {
            stats_.failure("teardown: VF" + std::to_string(vf) + " could not be provisioned again: " + errno_name(err));
        }
    }
}

int Run::go() {
    Watchdog::Thread& self = watchdog_.enroll("main");
    {
        const std::scoped_lock lock(out_mutex_);
        out_ << "xe-pfvf-stress: PF " << machine_.pf << ", " << machine_.num_vfs << " VFs, LMEM BAR "
             << machine_.lmem_bar << ", " << machine_.tag_len << " bytes tagged per VF; " << config_.duration.count()
             << " s, seed " << config_.seed << ", watchdog " << config_.watchdog.count() << " s" << std::endl;
    }
    for (const unsigned vf : all_vfs_) {
        attempt(self, Op::provision, [&] { pf_.swpf().provision(vf); });
    }
    fill_all(self);

    std::stop_source watchdog_stop;
    std::jthread watchdog_thread([&] {
        watchdog_.run(
            watchdog_stop.get_token(), stats_, config_.heartbeat, [&] { heartbeat(); },
            [&](const std::string& report) {
                say("xe-pfvf-stress: " + report, true);
                stop_.request_stop();
            });
    });

    for (VmmVf& vm : vmm_) {
        const std::string n = std::to_string(vm.vf());
        spawn("vmm-vf" + n, Group::vmm,
              [this, &vm](const std::stop_token& s, Watchdog::Thread& t, Rng& r) { vmm_loop(s, t, vm, r); });
        spawn("memory-vf" + n, Group::worker,
              [this, &vm](const std::stop_token& s, Watchdog::Thread& t, Rng& r) { memory_loop(s, t, vm, r); });
        spawn("vfio-reset-vf" + n, Group::worker,
              [this, &vm](const std::stop_token& s, Watchdog::Thread& t, Rng& r) { reset_loop(s, t, vm, r); });
    }
    spawn("flr", Group::worker, [this](const std::stop_token& s, Watchdog::Thread& t, Rng& r) { flr_loop(s, t, r); });
    spawn("provision", Group::worker,
          [this](const std::stop_token& s, Watchdog::Thread& t, Rng& r) { provision_loop(s, t, r); });
    if (config_.numvfs) {
        spawn("numvfs", Group::worker,
              [this](const std::stop_token& s, Watchdog::Thread& t, Rng& r) { numvfs_loop(s, t, r); });
    }
    if (config_.unbind) {
        spawn("unbind", Group::worker,
              [this](const std::stop_token& s, Watchdog::Thread& t, Rng& r) { unbind_loop(s, t, r); });
    }
    const unsigned importers = std::min(config_.importers, guest::swpf_import_slots - (config_.hostile ? 1U : 0U));
    for (unsigned k = 0; k < importers; ++k) {
        spawn("importer" + std::to_string(k), Group::worker,
              [this, k](const std::stop_token& s, Watchdog::Thread& t, Rng& r) { importer_loop(s, t, r, k, false); });
    }
    if (config_.hostile) {
        spawn("hostile" + std::to_string(guest::swpf_import_slots - 1), Group::worker,
              [this](const std::stop_token& s, Watchdog::Thread& t, Rng& r) {
                  importer_loop(s, t, r, guest::swpf_import_slots - 1, true);
              });
    }
    spawn("debugfs", Group::worker,
          [this](const std::stop_token& s, Watchdog::Thread& t, Rng& r) { debugfs_loop(s, t, r); });

    // The race, until the time is up or the watchdog stops it.  Then the
    // workers, VF removals among them, end while the VMM still serves the
    // device requests; then the VMM.
    nap(stop_.get_token(), std::chrono::duration_cast<Ms>(config_.duration));
    if (!stop_group(Group::worker) || !stop_group(Group::vmm)) {
        abandon();
    }
    threads_.clear();

    teardown(self);
    const bool drained = wait_quarantine_drained(self, 20s);
    // No tag left behind for whoever gets this VRAM next.
    scrub_then(self, all_vfs_, Op::scrub, [] {});
    watchdog_stop.request_stop();
    watchdog_thread.join();
    drain_kernel_log();
    return verdict(drained, true);
}

int Run::verdict(bool drained, bool threads_done) {
    std::vector<std::string> reasons;
    const std::uint64_t pages = stats_.counter("pages");
    const std::uint64_t foreign = stats_.counter("pages-foreign");
    const std::uint64_t misplaced = stats_.counter("pages-misplaced");
    KernelLog log;
    {
        const std::scoped_lock lock(log_mutex_);
        log = klog_;
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start_).count();
    std::uint64_t runs = 0;
    for (std::size_t i = 0; i < op_count; ++i) {
        runs += stats_.tally(static_cast<Op>(i)).runs;
    }

    std::ostringstream out;
    stats_.print(out);
    out << "pages checked: " << pages << " (tagged by their VF " << stats_.counter("pages-tagged") << ", untagged "
        << stats_.counter("pages-untagged") << ", another VF's " << foreign << ", another page's " << misplaced << ")\n"
        << "revoked buffers: " << stats_.counter("revoked-reads-refused") << " reads and "
        << stats_.counter("revoked-imports-refused") << " imports refused, " << stats_.counter("revoked-reads-served")
        << " reads served\n"
        << "debugfs peaks: " << stats_.counter("dmabufs-peak") << " dma-bufs, " << stats_.counter("stuck-peak")
        << " stuck, " << stats_.counter("withdrawn-peak") << " withdrawn provisionings\n"
        << "kernel log: " << log.stuck << " dma-bufs quarantined, " << log.unstuck << " let go; " << log.parked
        << " VRAM quarantines parked by the software PF, " << log.released << " released, " << log.freed_at_removal
        << " freed at PF removal; " << log.splats << " splats, " << log.hung_tasks << " hung tasks, " << log.leaks
        << " leak reports, " << log.bad_mappings << " bad mappings\n";
    for (const std::string& line : log.bad_lines) {
        out << "  kernel: " << line << '\n';
    }

    if (stats_.failures() != 0) {
        reasons.push_back(std::to_string(stats_.failures()) + " failure(s)");
    }
    if (foreign != 0 || misplaced != 0) {
        reasons.push_back(std::to_string(foreign) + " page(s) of another VF, " + std::to_string(misplaced) +
                          " of another page");
    }
    if (watchdog_.tripped() || !threads_done) {
        reasons.emplace_back("an operation blocked past the watchdog");
    }
    if (log.splats != 0 || log.hung_tasks != 0 || log.leaks != 0 || log.bad_mappings != 0) {
        reasons.push_back("kernel log: " + std::to_string(log.splats) + " splat(s), " + std::to_string(log.hung_tasks) +
                          " hung task(s), " + std::to_string(log.leaks) + " leak(s), " +
                          std::to_string(log.bad_mappings) + " bad mapping(s)");
    }
    if (threads_done && !drained) {
        reasons.push_back("quarantine not empty 20 s after the importers let go (parked " + std::to_string(log.parked) +
                          ", released " + std::to_string(log.released) + "):\n" + quarantine_left_);
    }
    if (pages == 0) {
        reasons.emplace_back("no page was read back");
    }
    std::ostringstream line;
    line << (reasons.empty() ? "PASS" : "FAIL") << ": " << elapsed << " s, " << machine_.num_vfs << " VFs, " << runs
         << " operations, " << pages << " pages checked, " << foreign << " of another VF, " << stats_.failures()
         << " failures, " << log.splats << " splats, " << log.hung_tasks << " hung tasks, " << log.stuck
         << " quarantined dma-bufs";
    for (const std::string& r : reasons) {
        line << "; " << r;
    }
    say(out.str(), false);
    // The verdict also into the kernel log, next to what the kernel said.
    say("xe-pfvf-stress: " + line.str() + "\n", true);
    return reasons.empty() ? exit_pass : exit_fail;
}

}  // namespace

int run(const Config& config, std::ostream& out) {
    auto machine = find_machine(config);
    if (const auto* const why = std::get_if<std::string>(&machine)) {
        out << "xe-pfvf-stress: SKIP: " << *why << std::endl;
        return exit_skip;
    }
    Run r(config, std::get<Machine>(std::move(machine)), out);
    return r.go();
}

}  // namespace xe_pfvf::stress
