#include "runner.hpp"

#include "arena.hpp"
#include "checks.hpp"
#include "command.hpp"
#include "corpus.hpp"
#include "debugfs.hpp"
#include "discover.hpp"
#include "guard.hpp"
#include "mutator.hpp"
#include "oracle.hpp"
#include "race.hpp"
#include "sys.hpp"
#include "tally.hpp"
#include "vfio.hpp"

#include <linux/xe_pfvf.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace xe_pfvf::fuzz {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t main_pool = 40;       // dma-buf fds the first thread keeps open
constexpr std::size_t main_handles = 48;    // live handles before REVOKE is preferred
constexpr std::size_t revoked_kept = 64;    // revoked handles remembered for reuse
constexpr std::uint64_t reopen_one_in = 20000;
constexpr std::uint64_t kmsg_every = 20000;
constexpr std::uint64_t give_up_after = 10000;  // failures

std::string hexnum(std::uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

std::uint64_t address_of(const void* p) noexcept { return reinterpret_cast<std::uintptr_t>(p); }  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)

/// Writes @line to the kernel log too, where the console shows it live.
void to_kmsg(const std::string& line);

/// A dma-buf fd of the first thread, and the handle it came from.
struct PoolFd {
    guest::UniqueFd fd;
    std::uint64_t handle = 0;
    bool main = false;  ///< made from a handle of the main file (as it was then)
};

class Fuzzer {
public:
    Fuzzer(const Config& config, std::ostream& out) : config_(config), out_(out), mutator_(config.seed) {}

    int go();

private:
    // Setup.
    void bind_vfs();
    void open_files();
    // The run.
    void loop();
    [[nodiscard]] Call next_call();
    void issue(Call c);
    void resolve(Call& c, int target_fd, Context& ctx);
    [[nodiscard]] int fd_value(const Call& c, int target_fd, int& closed) const;
    [[nodiscard]] std::uint64_t handle_value(const Call& c, bool race) const;
    [[nodiscard]] FdClass classify_fd(int v, int closed, std::uint32_t& vf) const;
    [[nodiscard]] std::size_t array_fill(const Call& c) const;
    void check_memory(const Call& c, const Expectation& e, int err, const Placed& st, const Snapshot& st_before,
                      const Placed& arr, const Snapshot& arr_before, const std::string& where);
    void check_outputs(const Call& c, const Call& after, const Expectation& e, const Placed& arr,
                       const std::string& where);
    void check_entries(const Call& c, const Call& after, const Expectation& e, const Placed& arr,
                       const std::string& where);
    void check_pf_entry(std::span<const std::uint8_t> entry, const PfInfo& pf, const std::string& at);
    void check_vf_entry(std::span<const std::uint8_t> entry, const VfSlot& s, const std::string& at);
    void check_extent(std::span<const std::uint8_t> entry, const guest::VramExtent* want, bool main,
                      const std::string& at);
    void check_handle_fd(const Call& after, const Expectation& e, bool race, const std::string& where);
    void check_p2p(const Call& after, const std::string& where);
    void update_model(const Call& c, const Call& after, const Expectation& e, int err);
    void pool_add(int fd, std::uint64_t handle, bool main);
    void forget_handle(std::uint64_t handle);
    void reopen_main();
    void drain_kmsg();
    void watch(const std::stop_token& stop);
    [[noreturn]] void hung();
    void progress(std::uint64_t done);
    // The end.
    void post_run();
    void after_unbind();
    [[nodiscard]] int verdict();
    void fail(std::string what) { failures_.add(std::move(what)); }

    const Config& config_;
    std::ostream& out_;
    Mutator mutator_;
    World world_;
    World before_;  ///< as the module reported it before any VF was bound
    Hints hints_;
    Corpus corpus_;
    std::vector<std::unique_ptr<guest::DriverBinding>> bindings_;
    std::vector<guest::UniqueFd> group_fds_;
    std::vector<BoundVf> bound_;
    std::map<std::uint32_t, unsigned> dmabufs_before_;
    std::map<std::uint32_t, std::vector<xe_pfvf_vf_info>> vfs_before_;  ///< before any VF was bound
    std::map<std::uint32_t, std::vector<xe_pfvf_vf_info>> vfs_bound_;   ///< before the run
    guest::UniqueFd main_;
    guest::UniqueFd other_;
    guest::UniqueFd race_fd_;
    guest::UniqueFd devnull_;
    std::unique_ptr<RaceFile> race_;
    FileModel model_;
    std::vector<std::uint64_t> other_handles_;
    std::deque<std::uint64_t> revoked_;
    std::deque<PoolFd> pool_;
    Arena arena_;
    Tally tally_;
    Tally racer_tally_;
    Failures failures_;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::array<std::int64_t, 4>> p2p_;
    guest::KmsgCursor kmsg_;
    stress::KernelLog klog_;
    std::atomic<std::uint64_t> beat_{0};
    std::uint64_t calls_ = 0;
    std::uint64_t race_calls_ = 0;
    std::uint64_t mutated_ = 0;
    std::uint64_t reopens_ = 0;
    std::uint64_t dmabufs_made_ = 0;
    std::uint64_t exports_ = 0;
    std::uint64_t seq_ = 0;
    Clock::time_point start_ = Clock::now();
    double seconds_ = 0;
    std::vector<std::string> post_;  ///< what the post-run checks found fine
};

void Fuzzer::bind_vfs() {
    const PfInfo* pf = config_.pf ? world_.pf(parse_bdf(*config_.pf)) : (world_.pfs.empty() ? nullptr : world_.pfs.data());
    if (pf == nullptr) {
        throw std::runtime_error(config_.pf ? "--pf " + *config_.pf + " is no registered PF" : "no PF registered");
    }
    if (!std::filesystem::exists("/sys/bus/pci/drivers/vfio-pci")) {
        throw std::runtime_error("no vfio-pci driver (modprobe vfio-pci): EXPORT needs a VF bound to it");
    }
    for (const VfSlot& s : pf->vfs) {
        if (s.state == XE_PFVF_VF_DISABLED || bound_.size() == 2) {
            continue;
        }
        const std::string name = bdf_name(s.bdf);
        if (const std::string blockers = guest::vfio_group_blockers(name); !blockers.empty()) {
            out_ << "VF " << name << ": its IOMMU group also holds " << blockers << ", not bound\n";
            continue;
        }
        bindings_.push_back(std::make_unique<guest::DriverBinding>(name, "vfio-pci"));
        const auto group = guest::iommu_group_of(name);
        if (!group) {
            throw std::runtime_error("VF " + name + " has no IOMMU group");
        }
        group_fds_.push_back(guest::open_fd("/dev/vfio/" + std::to_string(*group), O_RDWR));
        bound_.push_back({.bdf = s.bdf, .group_fd = group_fds_.back().get(), .quota = s.quota});
        out_ << "VF " << name << " bound to vfio-pci, group " << *group << '\n';
    }
    if (bound_.empty()) {
        throw std::runtime_error("no VF of " + bdf_name(pf->bdf) + " could be bound to vfio-pci");
    }
}

void Fuzzer::open_files() {
    main_ = guest::open_fd("/dev/xe_pfvf", O_RDWR);
    other_ = guest::open_fd("/dev/xe_pfvf", O_RDWR);
    race_fd_ = guest::open_fd("/dev/xe_pfvf", O_RDWR);
    devnull_ = guest::open_fd("/dev/null", O_RDWR);
    race_ = std::make_unique<RaceFile>(race_fd_.get());
    // Handles of another file, to pass to this one.
    for (std::uint64_t i = 0; i < 4; ++i) {
        const BoundVf& vf = bound_[static_cast<std::size_t>(i % bound_.size())];
        xe_pfvf_export ex{};
        ex.size = sizeof(ex);
        ex.vfio_fd = vf.group_fd;
        ex.vf_bdf = vf.bdf;
        ex.offset = 0;
        ex.length = granule;
        if (const int err = xioctl(other_.get(), XE_PFVF_IOC_EXPORT, address_of(&ex)); err != 0) {
            throw std::system_error(err, std::generic_category(), "EXPORT on a second file");
        }
        other_handles_.push_back(ex.handle);
    }
}

Call Fuzzer::next_call() {
    Rng& rng = mutator_.rng();
    const bool race = config_.race && rng.chance(12);
    static constexpr std::array<unsigned, ioc_count> weights{4, 4, 8, 24, 16, 20, 14, 6};
    Ioc ioc = Ioc::version;
    if (!race && model_.handles.size() >= main_handles && rng.chance(50)) {
        ioc = Ioc::revoke;
    } else {
        std::uint64_t w = rng.below(96);
        for (std::size_t i = 0; i < ioc_count; ++i) {
            if (w < weights.at(i)) {
                ioc = all_iocs.at(i);
                break;
            }
            w -= weights.at(i);
        }
    }
    const auto& items = corpus_.at(static_cast<std::size_t>(ioc));
    Call c = items[static_cast<std::size_t>(rng.below(items.size()))];
    c.target = race ? Target::race : Target::main;
    c.pick = rng.u32();
    if (rng.chance(70)) {
        c = mutator_.mutate(std::move(c), hints_);
    }
    return c;
}

std::uint64_t Fuzzer::handle_value(const Call& c, bool race) const {
    const std::uint64_t p = c.pick;
    const auto live = [&]() -> std::optional<std::uint64_t> {
        if (race) {
            return race_->pick(p);
        }
        if (model_.handles.empty()) {
            return std::nullopt;
        }
        return std::next(model_.handles.begin(), static_cast<std::ptrdiff_t>(p % model_.handles.size()))->first;
    };
    const auto guessed = [p]() -> std::uint64_t {
        switch (p % 4) {
        case 0:
            return p % 4096;
        case 1:
            return (1ULL << 32U) | (p % 64 + 1);
        case 2:
            return (static_cast<std::uint64_t>(p) << 32U) | 1U;
        default:
            return Rng(p).next();
        }
    };
    switch (c.handle) {
    case HandleRef::live:
        return live().value_or(guessed());
    case HandleRef::index_flip:
        return live().value_or(guessed()) ^ (1ULL << (p % 32));
    case HandleRef::random_flip:
        return live().value_or(guessed()) ^ (1ULL << (32 + p % 32));
    case HandleRef::other_file:
        return other_handles_.empty() ? guessed() : other_handles_[p % other_handles_.size()];
    case HandleRef::revoked:
        return revoked_.empty() ? guessed() : revoked_[p % revoked_.size()];
    case HandleRef::guessed:
        return guessed();
    case HandleRef::zero:
        return 0;
    case HandleRef::literal:
        break;
    }
    return c.get("handle");
}

FdClass Fuzzer::classify_fd(int v, int closed, std::uint32_t& vf) const {
    for (const BoundVf& b : bound_) {
        if (b.group_fd == v) {
            vf = b.bdf;
            return FdClass::group;
        }
    }
    const bool stable = v == main_.get() || v == other_.get() || v == race_fd_.get() || v == devnull_.get() ||
                        std::any_of(pool_.begin(), pool_.end(), [v](const PoolFd& p) { return p.fd.get() == v; });
    if (stable) {
        return FdClass::not_group;
    }
    if (v < 0 || v >= (1 << 20)) {  // fs.nr_open: never a valid number
        return FdClass::closed;
    }
    // Just closed, or any number: the racer may have it open by now.
    static_cast<void>(closed);
    return FdClass::maybe_closed;
}

int Fuzzer::fd_value(const Call& c, int target_fd, int& closed) const {
    const auto vf_bdf = static_cast<std::uint32_t>(c.get("vf_bdf"));
    const auto group_of = [&](bool own) -> int {
        std::vector<int> fds;
        for (const BoundVf& b : bound_) {
            if ((b.bdf == vf_bdf) == own) {
                fds.push_back(b.group_fd);
            }
        }
        if (fds.empty()) {
            return own && !bound_.empty() ? bound_[c.pick % bound_.size()].group_fd : target_fd;
        }
        return fds[c.pick % fds.size()];
    };
    switch (c.fd) {
    case FdRef::own_group:
        return group_of(true);
    case FdRef::other_group:
        return group_of(false);
    case FdRef::closed:
        closed = ::dup(devnull_.get());
        if (closed >= 0) {
            ::close(closed);
        }
        return closed;
    case FdRef::dev_null:
        return devnull_.get();
    case FdRef::self:
        return target_fd;
    case FdRef::minus_one:
        return -1;
    case FdRef::huge:
        return (1 << 20) + static_cast<int>(c.pick % 1000);
    case FdRef::dmabuf:
        return pool_.empty() ? devnull_.get() : pool_[c.pick % pool_.size()].fd.get();
    case FdRef::literal:
        break;
    }
    return static_cast<std::int32_t>(c.get("vfio_fd"));
}

void Fuzzer::resolve(Call& c, int target_fd, Context& ctx) {
    const IocLayout& l = layout(c.ioc);
    const bool race = c.target == Target::race;
    if (const Field* f = l.find(FieldKind::handle); f != nullptr && c.handle != HandleRef::literal) {
        c.set(*f, handle_value(c, race));
    }
    int closed = -1;
    if (const Field* f = l.find(FieldKind::fd); f != nullptr && c.fd != FdRef::literal) {
        c.set(*f, static_cast<std::uint32_t>(fd_value(c, target_fd, closed)));
    }
    for (const Flip& flip : c.flips) {
        if (flip.offset < c.bytes.size()) {
            c.bytes[flip.offset] ^= flip.mask;
        }
    }
    if (const Field* f = l.find(FieldKind::fd); f != nullptr) {
        ctx.fd = classify_fd(static_cast<std::int32_t>(c.get(*f)), closed, ctx.fd_vf);
    }
    if (race) {
        ctx.racy = true;
        if (const Field* f = l.find(FieldKind::handle); f != nullptr) {
            ctx.handle_known = race_->has(c.get(*f));
        }
    } else {
        ctx.file = &model_;
    }
}

std::size_t Fuzzer::array_fill(const Call& c) const {
    const std::uint64_t count = c.array_count();
    const std::uint64_t es = c.array_entry_size();
    const std::uint64_t bound = hints_.max_avail + 1ULL;  // the most any listing or translation returns, and one
    const std::uint64_t e = std::min<std::uint64_t>(es, 2ULL * max_struct_size);
    const std::uint64_t declared = count * es;
    const std::uint64_t need = (std::min(count, bound) + 2) * e;
    return static_cast<std::size_t>(
        std::min({declared + canary_bytes, need + canary_bytes, static_cast<std::uint64_t>(Arena::array_room)}));
}

void Fuzzer::issue(Call c) {
    const bool race = c.target == Target::race;
    const int fd = race ? race_->fd() : main_.get();
    Context ctx;
    resolve(c, fd, ctx);
    const IocLayout& l = layout(c.ioc);
    const std::uint64_t seed = ++seq_ * 0x9e3779b97f4a7c15ULL;
    Placed arr;
    if (l.array) {
        arr = arena_.place_array(c.array, array_fill(c), seed);
        c.set_at(l.array->pointer, 8, arr.address);
        ctx.array_pointer = arr.address;
        ctx.array_writable = arr.writable;
    }
    const Placed st = arena_.place_struct(c.arg, c.bytes, ~seed);
    ctx.readable = st.readable;
    ctx.writable = st.writable >= l.ver0;  // the kernel writes back its own struct
    Snapshot st_before;
    st_before.take(st.view);
    Snapshot arr_before;
    arr_before.take(arr.view);

    const Expectation e = expect(c, world_, ctx);
    const auto t0 = Clock::now();
    const int err = xioctl(fd, c.cmd, st.address);
    const auto ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());

    const bool dispatched = _IOC_TYPE(c.cmd) == ioc_type && _IOC_NR(c.cmd) < ioc_count &&
                            _IOC_DIR(c.cmd) == (_IOC_READ | _IOC_WRITE);
    tally_.add(dispatched ? static_cast<std::size_t>(c.ioc) : Tally::undispatched, err, ns);
    ++calls_;
    race_calls_ += race ? 1 : 0;
    mutated_ += c.mutated ? 1 : 0;

    std::ostringstream where;
    where << ioc_name(c.ioc) << " on the " << (race ? "race" : "main") << " file [" << (c.what.empty() ? "valid" : c.what)
          << "]";
    if (!e.allowed.has(err)) {
        std::ostringstream s;
        s << where.str() << ": got " << errno_label(err) << ", allowed " << e.allowed.describe() << " (" << e.why
          << "); cmd " << hexnum(c.cmd) << ", struct at " << hexnum(st.address) << " (" << where_name(c.arg.where)
          << "): " << hex(c.bytes);
        failures_.add(s.str(), std::string(ioc_name(c.ioc)) + ": got " + errno_label(err) + ", allowed " +
                                   e.allowed.describe() + " (" + e.why + ")");
    }
    Call after = c;
    if (!st.view.empty()) {
        std::copy_n(st.view.begin(), std::min(after.bytes.size(), st.view.size()), after.bytes.begin());
    }
    check_memory(c, e, err, st, st_before, arr, arr_before, where.str());
    if (err == 0 && e.allowed.has(0)) {
        check_outputs(c, after, e, arr, where.str());
    }
    update_model(c, after, e, err);
}

void Fuzzer::check_memory(const Call& c, const Expectation& e, int err, const Placed& st, const Snapshot& st_before,
                          const Placed& arr, const Snapshot& arr_before, const std::string& where) {
    const IocLayout& l = layout(c.ioc);
    std::vector<ByteRange> allowed;
    if (err == 0) {
        for (const Field& f : l.fields) {
            if (f.kind == FieldKind::output || f.kind == FieldKind::count) {
                allowed.push_back({f.offset, static_cast<std::size_t>(f.offset) + f.width});
            }
        }
    } else if (err == EFAULT) {
        allowed.push_back({0, l.ver0});
    }
    if (const auto v = st_before.changed_outside(st.view, allowed)) {
        fail(where + ": struct (" + std::to_string(c.bytes.size()) + " bytes, size " + std::to_string(c.size()) +
             ") " + v->describe() + (v->offset >= c.bytes.size() ? " -- past the declared size, in the canary" : "") +
             "; errno " + errno_label(err));
    }
    if (!l.array || arr.view.empty()) {
        return;
    }
    const std::uint64_t count = c.array_count();
    const std::uint64_t es = c.array_entry_size();
    std::vector<ByteRange> arr_allowed;
    if (err == 0 && st.writable != 0) {
        const std::uint64_t out_count =
            st.view.size() >= l.ver0 ? [&] {
                std::uint32_t v = 0;
                std::memcpy(&v, &st.view[l.array->count], 4);
                return v;
            }()
                                     : 0;
        arr_allowed.push_back({0, static_cast<std::size_t>(std::min(count, std::uint64_t{out_count}) * es)});
    } else if (err == EFAULT) {
        const std::uint64_t n = e.avail ? *e.avail : count;
        arr_allowed.push_back({0, static_cast<std::size_t>(std::min(count, n) * es)});
    }
    if (const auto v = arr_before.changed_outside(arr.view, arr_allowed)) {
        fail(where + ": array (count " + std::to_string(count) + ", entry_size " + std::to_string(es) + ") " +
             v->describe() + (v->offset >= count * es ? " -- past count * entry_size, in the canary" : "") +
             "; errno " + errno_label(err));
    }
}

void Fuzzer::check_outputs(const Call& c, const Call& after, const Expectation& e, const Placed& arr,
                           const std::string& where) {
    const auto expect_eq = [&](std::string_view what, std::uint64_t got, std::uint64_t want) {
        if (got != want) {
            fail(where + ": " + std::string(what) + " " + hexnum(got) + ", want " + hexnum(want));
        }
    };
    switch (c.ioc) {
    case Ioc::version:
        expect_eq("major", after.get("major"), XE_PFVF_UAPI_MAJOR);
        expect_eq("minor", after.get("minor"), XE_PFVF_UAPI_MINOR);
        expect_eq("caps", after.get("caps"), world_.caps);
        expect_eq("nr_pfs", after.get("nr_pfs"), world_.pfs.size());
        expect_eq("max_handles", after.get("max_handles"), world_.max_handles);
        break;
    case Ioc::list_pfs:
    case Ioc::list_vfs:
    case Ioc::translate:
        if (e.avail) {
            expect_eq("count out", after.get("count"), *e.avail);
        }
        if (c.ioc == Ioc::translate && e.extents) {
            expect_eq("generation", after.get("generation"), e.generation);
        }
        check_entries(c, after, e, arr, where);
        break;
    case Ioc::export_vf: {
        const std::uint64_t h = after.get("handle");
        if (h == 0 || (c.target == Target::main && model_.handles.contains(h))) {
            fail(where + ": handle " + hexnum(h) + " is 0 or a live handle already");
        }
        break;
    }
    case Ioc::handle_fd:
        check_handle_fd(after, e, c.target == Target::race, where);
        break;
    case Ioc::revoke:
        expect_eq("busy", after.get("busy"), 0);
        if (c.target == Target::main && model_.handles.contains(e.handle)) {
            // The kernel lets go of the buffers nobody holds any more and
            // counts the rest: those whose fds the fuzzer still has open.
            expect_eq("revoked", after.get("revoked"), model_.handles.at(e.handle).fds.size());
        }
        break;
    case Ioc::p2p:
        check_p2p(after, where);
        break;
    }
}

void Fuzzer::check_entries(const Call& c, const Call& after, const Expectation& e, const Placed& arr,
                           const std::string& where) {
    const ArrayLayout& a = *layout(c.ioc).array;
    const std::uint64_t count = c.array_count();
    const std::uint64_t es = c.array_entry_size();
    const std::uint64_t n = std::min(count, after.array_count());
    if (n * es > arr.view.size()) {
        return;  // the part the fuzzer did not canary (never with a known count)
    }
    for (std::uint64_t i = 0; i < n; ++i) {
        const auto entry = arr.view.subspan(static_cast<std::size_t>(i * es), static_cast<std::size_t>(es));
        const std::string at = where + ": entry " + std::to_string(i) + ": ";
        if (std::any_of(entry.begin() + a.entry_ver0, entry.end(), [](std::uint8_t b) { return b != 0; })) {
            fail(at + "not zero-filled past the first version");
        }
        const auto k = static_cast<std::size_t>(i);
        const PfInfo* pf = c.ioc == Ioc::list_vfs ? world_.pf(static_cast<std::uint32_t>(c.get("pf_bdf"))) : nullptr;
        if (c.ioc == Ioc::list_pfs && k < world_.pfs.size()) {
            check_pf_entry(entry, world_.pfs[k], at);
        } else if (c.ioc == Ioc::list_vfs && pf != nullptr && k < pf->vfs.size()) {
            check_vf_entry(entry, pf->vfs[k], at);
        } else if (c.ioc == Ioc::translate) {
            check_extent(entry, e.extents && k < e.extents->size() ? &(*e.extents)[k] : nullptr,
                         c.target == Target::main, at);
        }
    }
}

void Fuzzer::check_pf_entry(std::span<const std::uint8_t> entry, const PfInfo& pf, const std::string& at) {
    xe_pfvf_pf_info info{};
    std::memcpy(&info, entry.data(), sizeof(info));
    const std::span<const char> driver(info.driver);
    const std::string name(driver.begin(), std::find(driver.begin(), driver.end(), '\0'));
    if (info.bdf != pf.bdf || info.total_vfs != pf.total_vfs || info.num_vfs != pf.num_vfs ||
        info.lmem_bar != pf.lmem_bar || info.pad != 0 || info.vram_size != pf.vram_size || name != pf.driver) {
        fail(at + "PF info differs from the one before the run");
    }
}

void Fuzzer::check_vf_entry(std::span<const std::uint8_t> entry, const VfSlot& s, const std::string& at) {
    xe_pfvf_vf_info info{};
    std::memcpy(&info, entry.data(), sizeof(info));
    if (info.bdf != s.bdf || info.vfid != s.vfid || info.state != s.state || info.generation != s.generation ||
        info.nr_extents != s.nr_extents || info.quota != s.quota || info.bar_size != s.bar_size ||
        info.bar_cpu != s.bar_cpu || info.bar_bus != s.bar_bus || info.quarantined != s.quarantined ||
        info.vf_flags != s.vf_flags || info.pad != 0) {
        fail(at + "VF " + std::to_string(info.vfid) + " info differs from the one before the run");
    }
}

void Fuzzer::check_extent(std::span<const std::uint8_t> entry, const guest::VramExtent* want, bool main,
                          const std::string& at) {
    xe_pfvf_extent_info info{};
    std::memcpy(&info, entry.data(), sizeof(info));
    if (info.handle == 0) {
        fail(at + "extent handle 0");
    }
    if (want == nullptr) {
        return;
    }
    if (info.length != want->size || info.vram != (world_.raw() ? want->start : 0)) {
        fail(at + "extent " + hexnum(info.vram) + "+" + hexnum(info.length) + ", want " + hexnum(want->start) + "+" +
             hexnum(want->size));
    }
    if (main) {
        const auto [it, fresh] = model_.extent_handles.emplace(want->start, info.handle);
        if (!fresh && it->second != info.handle) {
            fail(at + "extent handle " + hexnum(info.handle) + " for VRAM " + hexnum(want->start) + ", earlier " +
                 hexnum(it->second));
        }
    }
}

void Fuzzer::check_handle_fd(const Call& after, const Expectation& e, bool race, const std::string& where) {
    const auto fd = static_cast<int>(static_cast<std::int32_t>(after.get("fd")));
    const std::uint64_t flags = after.get("fd_flags");
    const int fdflags = ::fcntl(fd, F_GETFD);  // NOLINT(cppcoreguidelines-pro-type-vararg)
    const int flflags = ::fcntl(fd, F_GETFL);  // NOLINT(cppcoreguidelines-pro-type-vararg)
    if (fdflags < 0 || flflags < 0) {
        fail(where + ": fd " + std::to_string(fd) + " is not open");
        return;
    }
    if (((fdflags & FD_CLOEXEC) != 0) != ((flags & O_CLOEXEC) != 0) ||
        (static_cast<std::uint64_t>(flflags) & O_ACCMODE) != (flags & O_ACCMODE)) {
        fail(where + ": fd flags " + hexnum(static_cast<std::uint64_t>(flflags)) + "/" +
             hexnum(static_cast<std::uint64_t>(fdflags)) + " for fd_flags " + hexnum(flags));
    }
    if (!race) {
        const off_t size = ::lseek(fd, 0, SEEK_END);
        const std::uint64_t want = model_.handles.at(e.handle).length;
        if (size < 0 || static_cast<std::uint64_t>(size) != want) {
            fail(where + ": dma-buf of " + std::to_string(size) + " bytes, the handle has " + std::to_string(want));
        }
    }
}

void Fuzzer::check_p2p(const Call& after, const std::string& where) {
    const auto provider = static_cast<std::uint32_t>(after.get("provider"));
    const auto client = static_cast<std::uint32_t>(after.get("client"));
    const std::uint64_t flags = after.get("result_flags");
    const std::array<std::int64_t, 4> got{static_cast<std::int64_t>(after.get("map")),
                                          static_cast<std::int32_t>(after.get("distance")),
                                          static_cast<std::int64_t>(after.get("why")), static_cast<std::int64_t>(flags)};
    if (got[0] > XE_PFVF_P2P_MAP_HOST_BRIDGE || got[2] > XE_PFVF_P2P_WHY_NO_P2PDMA ||
        (flags & ~static_cast<std::uint64_t>(XE_PFVF_P2P_ACS_REDIRECT | XE_PFVF_P2P_PRIVATE)) != 0) {
        fail(where + ": map, why or result_flags out of range");
    }
    const PfInfo* pf = nullptr;
    const bool priv = (world_.vf(provider, &pf) != nullptr && pf->bdf == client) ||
                      (world_.vf(client, &pf) != nullptr && pf->bdf == provider);
    if (((flags & XE_PFVF_P2P_PRIVATE) != 0) != priv) {
        fail(where + ": XE_PFVF_P2P_PRIVATE " + (priv ? "missing" : "set") + " for " + bdf_name(provider) + " -> " +
             bdf_name(client));
    }
    const auto [it, fresh] = p2p_.emplace(std::pair{provider, client}, got);
    if (!fresh && it->second != got) {
        fail(where + ": a different verdict than earlier for " + bdf_name(provider) + " -> " + bdf_name(client));
    }
}

void Fuzzer::pool_add(int fd, std::uint64_t handle, bool main) {
    pool_.push_back({guest::UniqueFd(fd), handle, main});
    if (main) {
        model_.handles.at(handle).fds.push_back(fd);
    }
    ++dmabufs_made_;
    while (pool_.size() > main_pool) {
        PoolFd& old = pool_.front();
        if (old.main) {
            if (const auto it = model_.handles.find(old.handle); it != model_.handles.end()) {
                std::erase(it->second.fds, old.fd.get());
            }
        }
        pool_.pop_front();
    }
}

void Fuzzer::forget_handle(std::uint64_t handle) {
    model_.handles.erase(handle);
    for (PoolFd& p : pool_) {
        if (p.main && p.handle == handle) {
            p.main = false;  // its buffer is revoked; the fd stays until closed
        }
    }
    revoked_.push_back(handle);
    if (revoked_.size() > revoked_kept) {
        revoked_.pop_front();
    }
}

void Fuzzer::update_model(const Call& c, const Call& after, const Expectation& e, int err) {
    if (c.target == Target::race) {
        if (c.ioc == Ioc::export_vf && err == 0) {
            race_->add(after.get("handle"));
        } else if (c.ioc == Ioc::revoke && err == 0) {
            race_->remove(after.get("handle"));
        } else if (c.ioc == Ioc::handle_fd && err == 0) {
            pool_add(static_cast<std::int32_t>(after.get("fd")), after.get("handle"), false);
        }
        return;
    }
    const bool acted = err == 0 || (err == EFAULT && e.copy_out_fails);
    switch (c.ioc) {
    case Ioc::export_vf:
        if (err == 0) {
            model_.handles.emplace(after.get("handle"),
                                   HandleState{.vf_bdf = static_cast<std::uint32_t>(c.get("vf_bdf")),
                                               .space = static_cast<std::uint32_t>(c.get("space")),
                                               .offset = c.get("offset"),
                                               .length = c.get("length"),
                                               .fds = {}});
            ++exports_;
        } else if (acted) {
            ++model_.hidden;  // made, and the caller never learnt it
        }
        break;
    case Ioc::handle_fd: {
        // By the handle the kernel saw, so that the model follows the
        // kernel even where it answered what the oracle did not allow.
        const std::uint64_t handle = c.get("handle");
        const auto it = model_.handles.find(handle);
        if (it == model_.handles.end()) {
            if (err == 0) {
                guest::UniqueFd stray(static_cast<std::int32_t>(after.get("fd")));  // a failure already: close it
            }
            break;
        }
        if (err == 0) {
            pool_add(static_cast<std::int32_t>(after.get("fd")), handle, true);
        }
        break;
    }
    case Ioc::revoke:
        if (acted && model_.handles.contains(c.get("handle"))) {
            forget_handle(c.get("handle"));
        }
        break;
    default:
        break;
    }
}

void Fuzzer::reopen_main() {
    for (const auto& [h, state] : model_.handles) {
        revoked_.push_back(h);
    }
    while (revoked_.size() > revoked_kept) {
        revoked_.pop_front();
    }
    model_ = FileModel{};
    for (PoolFd& p : pool_) {
        p.main = false;
    }
    main_ = guest::open_fd("/dev/xe_pfvf", O_RDWR);  // the old file is released as this assigns
    ++reopens_;
}

void Fuzzer::drain_kmsg() {
    for (const std::string& line : kmsg_.read_new()) {
        stress::tally_kernel_line(line, klog_);
    }
}

void Fuzzer::progress(std::uint64_t done) {
    const double s = std::chrono::duration<double>(Clock::now() - start_).count();
    std::ostringstream line;
    line << "progress: " << done << "/" << config_.count << " calls in " << std::fixed << std::setprecision(0) << s
         << " s (" << static_cast<std::uint64_t>(static_cast<double>(done) / std::max(s, 1e-3)) << "/s), "
         << race_calls_ << " on the race file, " << mutated_ << " mutated; racer " << race_->beats()
         << " calls; failures " << failures_.count();
    out_ << line.str() << "; errnos: " << tally_.histogram() << std::endl;
    to_kmsg("xe-pfvf-uapi-fuzz: " + line.str());
}

void to_kmsg(const std::string& line) {
    try {
        const guest::UniqueFd kmsg = guest::open_fd("/dev/kmsg", O_WRONLY);
        const std::string text = line + "\n";
        static_cast<void>(::write(kmsg.get(), text.data(), text.size()));
    } catch (const std::exception&) {
        // stdout has it; the kernel log copy (next to what the kernel said) is a convenience.
    }
}

void Fuzzer::loop() {
    std::jthread racer;
    if (config_.race) {
        racer = std::jthread([this](const std::stop_token& stop) {
            run_racer(stop, *race_, bound_, config_.seed, racer_tally_, failures_);
        });
    }
    // A call blocked in the kernel past the watchdog: the stacks, then out.
    std::jthread watchdog([this](const std::stop_token& stop) { watch(stop); });
    std::uint64_t next_progress = config_.progress;
    std::uint64_t next_kmsg = kmsg_every;
    while (calls_ < config_.count) {
        if (mutator_.rng().below(reopen_one_in) == 0) {
            reopen_main();
        }
        Call c = next_call();
        // Now and then a valid HANDLE_FD seventeen times over: the sixteen
        // dma-bufs a handle may have, then ENOSPC.
        if (c.ioc == Ioc::handle_fd && !c.mutated && c.target == Target::main && mutator_.rng().below(100) == 0) {
            for (int k = 0; k < 16 && calls_ + 1 < config_.count; ++k) {
                issue(c);
            }
        }
        issue(std::move(c));
        beat_.store(calls_);
        if (calls_ >= next_progress) {
            progress(calls_);
            next_progress += config_.progress;
        }
        if (calls_ >= next_kmsg) {
            drain_kmsg();
            next_kmsg += kmsg_every;
        }
        if (failures_.count() > give_up_after) {
            out_ << "xe-pfvf-uapi-fuzz: more than " << give_up_after << " failures, stopping" << std::endl;
            break;
        }
    }
    seconds_ = std::chrono::duration<double>(Clock::now() - start_).count();
    racer.request_stop();
    if (racer.joinable()) {
        racer.join();
    }
}

void Fuzzer::watch(const std::stop_token& stop) {
    std::uint64_t mine = beat_.load();
    std::uint64_t theirs = race_->beats();
    auto mine_since = Clock::now();
    auto theirs_since = mine_since;
    while (!stop.stop_requested()) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        const auto now = Clock::now();
        if (const std::uint64_t m = beat_.load(); m != mine) {
            mine = m;
            mine_since = now;
        }
        if (const std::uint64_t t = race_->beats(); t != theirs) {
            theirs = t;
            theirs_since = now;
        }
        if (now - mine_since > config_.watchdog || (config_.race && now - theirs_since > config_.watchdog)) {
            hung();
        }
    }
}

void Fuzzer::hung() {
    std::ostringstream s;
    s << "xe-pfvf-uapi-fuzz: FAILED: a call blocked for more than " << config_.watchdog.count()
      << " s; the threads' kernel stacks:\n";
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        s << "-- thread " << task.path().filename().string() << '\n';
        try {
            s << guest::read_file(task.path() / "stack");
        } catch (const std::exception& e) {
            s << e.what() << '\n';
        }
    }
    out_ << s.str() << std::flush;
    try {
        guest::write_attribute("/proc/sysrq-trigger", "w");  // every blocked task to the console
    } catch (const std::exception&) {
        // Best effort: the stacks above are the point.
    }
    ::_exit(exit_fail);
}

/// Compares listings field by field; "" when equal.
std::string vf_differences(const std::vector<xe_pfvf_vf_info>& a, const std::vector<xe_pfvf_vf_info>& b) {
    if (a.size() != b.size()) {
        return std::to_string(a.size()) + " VF slots, before " + std::to_string(b.size());
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::memcmp(&a[i], &b[i], sizeof(a[i])) != 0) {
            std::ostringstream s;
            s << "VF " << a[i].vfid << ": state " << a[i].state << " gen " << a[i].generation << " quota " << a[i].quota
              << " live_bufs " << a[i].live_bufs << " quarantined " << a[i].quarantined << " flags " << a[i].vf_flags
              << "; before: state " << b[i].state << " gen " << b[i].generation << " quota " << b[i].quota
              << " live_bufs " << b[i].live_bufs << " quarantined " << b[i].quarantined << " flags " << b[i].vf_flags;
            return s.str();
        }
    }
    return "";
}

void Fuzzer::post_run() {
    drain_kmsg();
    // Every fd and file of the run closed: its handles and buffers must go.
    pool_.clear();
    model_ = FileModel{};
    main_.reset();
    other_.reset();
    race_fd_.reset();
    const auto dmabufs_settle = [this](std::string_view when) {
        for (const PfInfo& pf : world_.pfs) {
            unsigned now = 0;
            for (int i = 0; i < 100; ++i) {
                now = debugfs_dmabufs(pf.bdf);
                if (now == dmabufs_before_.at(pf.bdf)) {
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            if (now != dmabufs_before_.at(pf.bdf)) {
                fail(std::string(when) + ": debugfs " + bdf_name(pf.bdf) + "/dmabufs lists " + std::to_string(now) +
                     " dma-bufs 10 s after every fd was closed, " + std::to_string(dmabufs_before_.at(pf.bdf)) +
                     " before the run");
                return;
            }
        }
        post_.push_back(std::string(when) + ": debugfs dmabufs back to " +
                        std::to_string(dmabufs_before_.at(world_.pfs.front().bdf)));
    };
    dmabufs_settle("after the run");

    const guest::UniqueFd f = guest::open_fd("/dev/xe_pfvf", O_RDWR);
    for (const PfInfo& pf : world_.pfs) {
        if (const std::string d = vf_differences(query_vfs(f.get(), pf.bdf), vfs_bound_.at(pf.bdf)); !d.empty()) {
            fail("after the run: LIST_VFS of " + bdf_name(pf.bdf) + " differs: " + d);
        }
    }
    if (query_pfs(f.get()).size() != world_.pfs.size()) {
        fail("after the run: LIST_PFS lists another number of PFs");
    }
    post_.emplace_back("LIST_PFS and LIST_VFS as before the run");

    // A fresh export and dma-buf still work.
    const BoundVf& vf = bound_.front();
    xe_pfvf_export ex{};
    ex.size = sizeof(ex);
    ex.vfio_fd = vf.group_fd;
    ex.vf_bdf = vf.bdf;
    ex.length = granule;
    if (const int err = xioctl(f.get(), XE_PFVF_IOC_EXPORT, address_of(&ex)); err != 0) {
        fail("after the run: EXPORT of " + bdf_name(vf.bdf) + ": " + errno_label(err));
    } else {
        xe_pfvf_handle_fd hf{};
        hf.size = sizeof(hf);
        hf.handle = ex.handle;
        hf.fd_flags = O_CLOEXEC | O_RDWR;
        const int err2 = xioctl(f.get(), XE_PFVF_IOC_HANDLE_FD, address_of(&hf));
        const guest::UniqueFd buf(err2 == 0 ? hf.fd : -1);
        if (err2 != 0 || ::lseek(buf.get(), 0, SEEK_END) != static_cast<off_t>(granule)) {
            fail("after the run: HANDLE_FD of a fresh export: " + errno_label(err2));
        }
        xe_pfvf_revoke rv{};
        rv.size = sizeof(rv);
        rv.handle = ex.handle;
        if (const int err3 = xioctl(f.get(), XE_PFVF_IOC_REVOKE, address_of(&rv)); err3 != 0 || rv.revoked != 1) {
            fail("after the run: REVOKE of a fresh export: " + errno_label(err3) + ", revoked " +
                 std::to_string(rv.revoked));
        } else {
            post_.emplace_back("a fresh EXPORT, HANDLE_FD and REVOKE work");
        }
    }
    drain_kmsg();
}

void Fuzzer::after_unbind() {
    guest::UniqueFd f = guest::open_fd("/dev/xe_pfvf", O_RDWR);
    for (const PfInfo& pf : world_.pfs) {
        if (const std::string d = vf_differences(query_vfs(f.get(), pf.bdf), vfs_before_.at(pf.bdf)); !d.empty()) {
            fail("VFs given back to their drivers: LIST_VFS of " + bdf_name(pf.bdf) + " differs from before: " + d);
        }
    }
    f.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (const PfInfo& pf : world_.pfs) {
        if (debugfs_dmabufs(pf.bdf) != dmabufs_before_.at(pf.bdf)) {
            fail("at the end: debugfs " + bdf_name(pf.bdf) + "/dmabufs lists " + std::to_string(debugfs_dmabufs(pf.bdf)) +
                 " dma-bufs, " + std::to_string(dmabufs_before_.at(pf.bdf)) + " before the run");
        }
    }
    drain_kmsg();
}

int Fuzzer::verdict() {
    out_ << "calls per ioctl and errno (first thread):\n";
    tally_.print(out_, "  ");
    out_ << "time in the ioctls (first thread): " << tally_.total_ns() / 1000000 << " ms of "
         << static_cast<std::uint64_t>(seconds_ * 1000) << " ms\n";
    tally_.print_times(out_, "  ");
    if (config_.race) {
        out_ << "racer: " << racer_tally_.total() << " calls, the race file released " << race_->replacements()
             << " times:\n";
        racer_tally_.print(out_, "  ");
    }
    Tally all = tally_;
    all.merge(racer_tally_);
    const std::uint64_t total = all.total();
    const auto rate = static_cast<std::uint64_t>(static_cast<double>(total) / std::max(seconds_, 1e-3));
    out_ << "calls per errno (both threads): " << all.histogram() << '\n';
    out_ << "total: " << total << " ioctls (" << calls_ << " first thread: " << race_calls_ << " on the race file, "
         << mutated_ << " mutated; " << racer_tally_.total() << " racer) in " << std::fixed << std::setprecision(1)
         << seconds_ << " s, " << rate << " ioctls/s\n";
    out_ << "handles exported " << exports_ << ", dma-bufs made " << dmabufs_made_ << ", main file reopened "
         << reopens_ << " times\n";
    out_ << "kernel log: " << klog_.splats << " splats, " << klog_.hung_tasks << " hung tasks, " << klog_.leaks
         << " leak reports\n";
    for (const std::string& line : klog_.bad_lines) {
        out_ << "  kernel: " << line << '\n';
    }
    for (const std::string& line : post_) {
        out_ << "post-run: " << line << '\n';
    }
    failures_.print(out_);

    std::vector<std::string> reasons;
    if (failures_.count() != 0) {
        reasons.push_back(std::to_string(failures_.count()) + " failure(s)");
    }
    if (klog_.splats != 0 || klog_.hung_tasks != 0 || klog_.leaks != 0) {
        reasons.push_back("kernel log: " + std::to_string(klog_.splats) + " splat(s), " +
                          std::to_string(klog_.hung_tasks) + " hung task(s), " + std::to_string(klog_.leaks) +
                          " leak(s)");
    }
    if (calls_ < config_.count) {
        reasons.push_back("stopped after " + std::to_string(calls_) + " of " + std::to_string(config_.count) + " calls");
    }
    std::ostringstream line;
    line << "xe-pfvf-uapi-fuzz: " << (reasons.empty() ? "PASS" : "FAILED") << ": " << total << " ioctls in "
         << std::fixed << std::setprecision(0) << seconds_ << " s (" << rate << "/s), seed " << config_.seed << ", "
         << failures_.count() << " failures, " << klog_.splats << " splats";
    for (const std::string& r : reasons) {
        line << "; " << r;
    }
    out_ << line.str() << std::endl;
    to_kmsg(line.str());
    return reasons.empty() ? exit_pass : exit_fail;
}

int Fuzzer::go() {
    if (::geteuid() != 0) {
        out_ << "xe-pfvf-uapi-fuzz: SKIP: not root" << std::endl;
        return exit_skip;
    }
    if (!std::filesystem::exists("/dev/xe_pfvf")) {
        out_ << "xe-pfvf-uapi-fuzz: SKIP: no /dev/xe_pfvf (xe_pfvf.ko not loaded?)" << std::endl;
        return exit_skip;
    }
    {
        const guest::UniqueFd probe = guest::open_fd("/dev/xe_pfvf", O_RDWR);
        before_ = discover(probe.get());
        if (before_.pfs.empty()) {
            out_ << "xe-pfvf-uapi-fuzz: SKIP: no PF registered with xe_pfvf" << std::endl;
            return exit_skip;
        }
        for (const PfInfo& pf : before_.pfs) {
            vfs_before_[pf.bdf] = query_vfs(probe.get(), pf.bdf);
        }
        world_ = before_;
        bind_vfs();
        world_ = discover(probe.get());
        for (const PfInfo& pf : world_.pfs) {
            vfs_bound_[pf.bdf] = query_vfs(probe.get(), pf.bdf);
            dmabufs_before_[pf.bdf] = debugfs_dmabufs(pf.bdf);
        }
    }
    std::vector<std::uint32_t> bound;
    for (const BoundVf& b : bound_) {
        bound.push_back(b.bdf);
    }
    corpus_ = build_corpus(world_, bound);
    hints_ = make_hints(world_);
    open_files();
    std::size_t corpus_size = 0;
    for (const auto& items : corpus_) {
        corpus_size += items.size();
    }
    out_ << "xe-pfvf-uapi-fuzz: seed " << config_.seed << ", " << config_.count << " calls, " << world_.pfs.size()
         << " PF(s), " << world_.functions.size() << " PCI functions, " << bound_.size()
         << " VF(s) bound to vfio-pci, corpus of " << corpus_size << " calls, racer "
         << (config_.race ? "on" : "off") << std::endl;
    start_ = Clock::now();
    loop();
    post_run();
    group_fds_.clear();
    bindings_.clear();  // the VFs back to their drivers
    after_unbind();
    return verdict();
}

}  // namespace

int run(const Config& config, std::ostream& out) {
    auto fuzzer = std::make_unique<Fuzzer>(config, out);
    try {
        return fuzzer->go();
    } catch (const std::exception& e) {
        out << "xe-pfvf-uapi-fuzz: FAILED: " << e.what() << std::endl;
        return exit_fail;
    }
}

}  // namespace xe_pfvf::fuzz
