#include "target.hpp"

#include "debugfs.hpp"
#include "expected.hpp"
#include "swpf.hpp"
#include "vfio_dmabuf.hpp"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>

#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xe_pfvf_vfio_uapi.h"

namespace xe_pfvf::faultinject {

namespace {

namespace fs = std::filesystem;

const fs::path pci_drivers{"/sys/bus/pci/drivers"};
const fs::path sys_module{"/sys/module"};
const std::string backend_driver{"xe_pfvf_swpf"};
const std::string variant_driver{"xe_pfvf_vfio_pci"};
const fs::path uapi_node{"/dev/xe_pfvf"};

/// Throws @what unless @ok.
void expect(bool ok, const std::string& what) {
    if (!ok) {
        throw std::runtime_error(what);
    }
}

/// Throws what @describe returns unless @ok: it reads the state that the
/// message describes only when there is something to say.
template <typename Describe>
    requires std::is_invocable_r_v<std::string, Describe>
void expect(bool ok, Describe&& describe) {
    if (!ok) {
        throw std::runtime_error(std::forward<Describe>(describe)());
    }
}

[[nodiscard]] std::string or_none(const std::optional<std::string>& value) { return value.value_or("none"); }

/// One line of debugfs `dmabufs`.
struct BufferRow {
    std::string state;
    unsigned attachments = 0;
    unsigned mapped = 0;
};

/// Parses debugfs `dmabufs`: "vf inode state size ranges extents
/// attachments mapped" under a header line.
[[nodiscard]] std::vector<BufferRow> parse_dmabufs(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    std::vector<BufferRow> rows;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string vf;
        std::string inode;
        std::string size;
        std::string ranges;
        std::string extents;
        BufferRow row;
        if (!(fields >> vf >> inode >> row.state >> size >> ranges >> extents >> row.attachments >> row.mapped)) {
            throw std::runtime_error("debugfs dmabufs: malformed line '" + line + "'");
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

/// "live/1/1 revoked/0/0", or "none".
[[nodiscard]] std::string joined(const std::vector<std::string>& states) {
    std::string text;
    for (const std::string& state : states) {
        text += (text.empty() ? "" : " ") + state;
    }
    return text.empty() ? "none" : text;
}

/// A module file copied into memory (memfd): finit_module() then reads it
/// from shmem, not from the 9p root, so that 9p's own allocations do not
/// pad every module load with fault-capable calls.
[[nodiscard]] guest::UniqueFd module_copy(const fs::path& file) {
    const std::string image = guest::read_file(file);
    guest::UniqueFd fd(::memfd_create(file.filename().c_str(), MFD_CLOEXEC));
    if (!fd.valid()) {
        guest::throw_errno("memfd_create for " + file.string());
    }
    for (std::size_t done = 0; done < image.size();) {
        const ssize_t n = ::write(fd.get(), image.data() + done, image.size() - done);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
        if (n <= 0) {
            guest::throw_errno("copying " + file.string() + " into memory");
        }
        done += static_cast<std::size_t>(n);
    }
    return fd;
}

/// The VFIO_DEVICE_FEATURE buffer that asks for one dma-buf of [0, size)
/// of region @region, laid out as guest::export_dmabuf() does; built
/// beforehand because the armed run may not allocate.
[[nodiscard]] std::vector<std::byte> dma_buf_request(std::uint32_t region, std::uint64_t size) {
    constexpr std::size_t head = sizeof(vfio_device_feature);
    constexpr std::size_t body = offsetof(vfio_device_feature_dma_buf, dma_ranges);
    std::vector<std::byte> buffer(head + body + sizeof(vfio_region_dma_range));
    const auto put = [&buffer](std::size_t offset, const auto& value) {
        std::memcpy(&buffer.at(offset), &value, sizeof(value));
    };
    vfio_device_feature feature{};
    feature.argsz = static_cast<std::uint32_t>(buffer.size());
    feature.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
    put(0, feature);
    put(head + offsetof(vfio_device_feature_dma_buf, region_index), region);
    put(head + offsetof(vfio_device_feature_dma_buf, open_flags), std::uint32_t{O_RDWR | O_CLOEXEC});
    put(head + offsetof(vfio_device_feature_dma_buf, flags), std::uint32_t{0});
    put(head + offsetof(vfio_device_feature_dma_buf, nr_ranges), std::uint32_t{1});
    put(head + body, vfio_region_dma_range{.offset = 0, .length = size});
    return buffer;
}

/// The "lmem_bar: <n>" line of the PF's debugfs `info`.
[[nodiscard]] unsigned lmem_bar_of(const std::string& pf) {
    std::istringstream info(guest::read_file(guest::debugfs_root / pf / "info"));
    for (std::string line; std::getline(info, line);) {
        if (line.starts_with("lmem_bar: ")) {
            return static_cast<unsigned>(std::stoul(line.substr(10)));
        }
    }
    throw std::runtime_error("no lmem_bar in the PF's debugfs info");
}

/// XE_PFVF_BDF() of a PCI address "ssss:bb:dd.f".
[[nodiscard]] std::uint32_t uapi_bdf(std::string_view name) {
    const auto field = [name](std::size_t pos, std::size_t len) {
        unsigned value = 0;
        const std::string_view text = name.substr(pos, len);
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
        expect(ec == std::errc{} && ptr == text.data() + text.size(),  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
               "not a PCI address: " + std::string(name));
        return value;
    };
    expect(name.size() == 12 && name[4] == ':' && name[7] == ':' && name[10] == '.',
           "not a PCI address: " + std::string(name));
    const unsigned dev = field(8, 2);
    const unsigned fn = field(11, 1);
    expect(dev < 32 && fn < 8, "not a PCI address: " + std::string(name));
    return (field(0, 4) << 16U) | (field(5, 2) << 8U) | (dev << 3U) | fn;
}

/// A uAPI struct with its size set and everything else zero.
template <typename T>
[[nodiscard]] T uapi_request() {
    T arg{};
    arg.size = static_cast<std::uint32_t>(sizeof(T));
    return arg;
}

[[nodiscard]] std::uint64_t user_ptr(void* ptr) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the uAPI carries pointers as __u64
    return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(ptr));
}

/// ioctl() on /dev/xe_pfvf, unarmed; throws std::system_error naming @what.
void uapi_ioctl(int fd, unsigned long cmd, void* arg, std::string_view what) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    if (::ioctl(fd, cmd, arg) < 0) {
        guest::throw_errno(what);
    }
}

/// ioctl() on /dev/xe_pfvf, armed: 0 or errno.
[[nodiscard]] int uapi_ioctl_raw(int fd, unsigned long cmd, void* arg) noexcept {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    return ::ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

/// The index half of an export handle (its low 32 bits).
[[nodiscard]] std::uint32_t handle_index(std::uint64_t handle) { return static_cast<std::uint32_t>(handle & 0xffffffffU); }

}  // namespace

Target::Target(TargetConfig config)
    : config_(std::move(config)),
      pf_dir_(guest::pci_device_dir(config_.pf)),
      swpf_dir_(guest::swpf_debugfs_root / config_.pf),
      core_{"xe_pfvf", module_copy(config_.moddir / "xe_pfvf.ko")},
      backend_{backend_driver, module_copy(config_.moddir / (backend_driver + ".ko"))},
      variant_{variant_driver, module_copy(config_.moddir / (variant_driver + ".ko"))},
      attach_params_("attach=" + config_.pf + " num_vfs=" + std::to_string(config_.num_vfs) + " " +
                     config_.swpf_params),
      attach_only_params_("attach=" + config_.pf + " " + config_.swpf_params) {
    expect(config_.num_vfs >= 2, "the campaign needs 2 VFs or more");
}

Target::~Target() {
    try {
        teardown();
    } catch (const std::exception& e) {
        std::cerr << "xe-pfvf-faultinject: teardown: " << e.what() << '\n';
    }
}

// ------------------------------------------------------------------ queries

bool Target::loaded(const std::string& module) { return fs::exists(sys_module / module); }

std::optional<std::string> Target::pf_driver() const { return guest::link_target_name(pf_dir_ / "driver"); }

std::optional<std::string> Target::vf_driver() const {
    return guest::link_target_name(guest::pci_device_dir(vf1_) / "driver");
}

unsigned Target::num_vfs() const { return static_cast<unsigned>(std::stoul(guest::read_file(pf_dir_ / "sriov_numvfs"))); }

bool Target::pf_in_debugfs() const { return fs::exists(guest::debugfs_root / config_.pf); }

std::vector<std::string> Target::vf_states() const {
    std::vector<std::string> states;
    for (const guest::VfRow& row : guest::parse_vfs(guest::read_file(guest::debugfs_root / config_.pf / "vfs"))) {
        states.push_back(row.state);
    }
    return states;
}

std::vector<std::string> Target::buffer_states() const {
    std::vector<std::string> states;
    for (const BufferRow& row : parse_dmabufs(guest::read_file(guest::debugfs_root / config_.pf / "dmabufs"))) {
        states.push_back(row.state + "/" + std::to_string(row.attachments) + "/" + std::to_string(row.mapped));
    }
    return states;
}

std::string Target::slot_state() const { return guest::ImportSlot(swpf_dir_ / "slot0").status().state; }

bool Target::memory_enabled() const {
    return (guest::CommandRegister(device_.get()).read() & PCI_COMMAND_MEMORY) != 0;
}

std::string Target::describe() const {
    std::string text = "PF driver " + or_none(pf_driver());
    if (fs::exists(guest::debugfs_root / config_.pf / "vfs")) {
        text += ", VFs in xe_pfvf:";
        for (const std::string& state : vf_states()) {
            text += " " + state;
        }
    }
    return text;
}

// ------------------------------------------------------------ unarmed steps

void Target::load(const Module& module, const std::string& params) {
    if (const int err = finit(module, params); err != 0) {
        throw std::system_error(err, std::generic_category(), "loading " + module.name + " " + params);
    }
}

void Target::unload(const std::string& module) {
    if (const int err = remove(module); err != 0) {
        throw std::system_error(err, std::generic_category(), "unloading " + module);
    }
}

void Target::set_memory(bool enabled) const {
    if (enabled) {
        guest::enable_memory(device_.get());
    } else {
        guest::disable_memory(device_.get());
    }
}

void Target::provision(unsigned vf, bool on) const {
    const std::size_t index = vf - 1;
    const bool now = vf_states().at(index) == "provisioned";
    if (now != on) {
        guest::write_attribute(swpf_dir_ / "vf", (on ? "provision " : "unprovision ") + std::to_string(vf));
    }
}

void Target::ensure_mapped() {
    set_memory(true);
    const guest::ImportSlot slot(swpf_dir_ / "slot0");
    if (slot.status().state != "mapped") {
        slot.ctl("map");
    }
}

void Target::wait_buffer_live() const {
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
        const auto buffers = buffer_states();
        expect(buffers.size() == 1, std::to_string(buffers.size()) + " dma-bufs listed after the reset");
        if (buffers.front().starts_with("live/")) {
            return;
        }
        expect(std::chrono::steady_clock::now() < deadline, "the dma-buf is " + buffers.front() + " 5 s after the reset");
        std::this_thread::sleep_for(20ms);
    }
}

// -------------------------------------------------------------- armed steps

int Target::finit(const Module& module, const std::string& params) noexcept {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): syscall() is variadic
    return ::syscall(SYS_finit_module, module.file.get(), params.c_str(), 0) == 0 ? 0 : errno;
}

int Target::remove(const std::string& module) noexcept {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): syscall() is variadic
    return ::syscall(SYS_delete_module, module.c_str(), O_NONBLOCK) == 0 ? 0 : errno;
}

int Target::write_fd(const guest::UniqueFd& fd, const std::string& text) noexcept {
    const ssize_t done = ::pwrite(fd.get(), text.data(), text.size(), 0);
    if (done < 0) {
        return errno;
    }
    return static_cast<std::size_t>(done) == text.size() ? 0 : EIO;
}

int Target::read_file_raw(const std::string& path) noexcept {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): open() is variadic
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    int err = 0;
    for (;;) {
        const ssize_t got = ::read(fd, read_buffer_.data(), read_buffer_.size());
        if (got < 0) {
            err = errno;
        }
        if (got <= 0) {
            break;
        }
    }
    ::close(fd);
    return err;
}

int Target::translate_raw() noexcept {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): open() is variadic
    const int fd = ::open(op_text_.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    static constexpr std::string_view request = "lmem 0 0x4000 vf=1";
    const bool done = ::write(fd, request.data(), request.size()) >= 0 &&
                      ::read(fd, read_buffer_.data(), read_buffer_.size()) >= 0;
    const int err = done ? 0 : errno;
    ::close(fd);
    return err;
}

// ------------------------------------------------------------------- levels

void Target::to(Level level) {
    while (level_ > level) {
        down_one();
    }
    while (level_ < level) {
        up_one();
    }
}

void Target::up_one() {
    switch (level_) {
    case clean:
        load(core_, "");
        break;
    case core:
        load(backend_, config_.swpf_params);
        guest::write_attribute(pf_dir_ / "driver_override", backend_driver);
        break;
    case backend:
        guest::write_attribute(pci_drivers / backend_driver / "bind", config_.pf);
        break;
    case pf_bound:
        guest::write_attribute(pf_dir_ / "sriov_numvfs", std::to_string(config_.num_vfs));
        vf1_ = guest::link_target_name(pf_dir_ / "virtfn0").value_or("");
        expect(!vf1_.empty(), "VFs enabled but no virtfn0");
        expect(vf_states() == std::vector<std::string>(config_.num_vfs, "provisioned"),
               [this] { return "VFs enabled but not all provisioned: " + describe(); });
        lmem_bar_ = lmem_bar_of(config_.pf);
        break;
    case vfs_enabled:
        load(variant_, "");
        guest::write_attribute(guest::pci_device_dir(vf1_) / "driver_override", variant_driver);
        break;
    case variant:
        guest::write_attribute(pci_drivers / variant_driver / "bind", vf1_);
        break;
    case vf_bound: {
        const auto group = guest::iommu_group_of(vf1_);
        expect(group.has_value(), vf1_ + " has no IOMMU group");
        container_.emplace();
        group_.emplace(*group, *container_);
        container_->set_iommu();
        break;
    }
    case vfio_group:
        device_ = group_->device(vf1_);
        command_offset_ = static_cast<off_t>(guest::region_info(device_.get(), VFIO_PCI_CONFIG_REGION_INDEX).offset +
                                             PCI_COMMAND);
        bar_size_ = guest::region_info(device_.get(), lmem_bar_).size;
        request_ = dma_buf_request(lmem_bar_, bar_size_);
        set_memory(true);
        break;
    case device_open:
    {
        guest::DmabufRequest request;
        request.region_index = lmem_bar_;
        request.ranges = {guest::RegionRange{.offset = 0, .length = bar_size_}};
        buffer_ = guest::export_dmabuf(device_.get(), request);
        break;
    }
    case exported:
        guest::ImportSlot(swpf_dir_ / "slot0").import(buffer_.get());
        break;
    case imported:
        return;
    }
    level_ = static_cast<Level>(level_ + 1);
}

void Target::down_one() {
    // Each step looks at what is there, so that a teardown from an
    // unknown state gets as far as it can.
    switch (level_) {
    case clean:
        return;
    case core:
        if (loaded(core_.name)) {
            unload(core_.name);
        }
        break;
    case backend:
        if (fs::exists(pf_dir_ / "driver_override")) {
            guest::write_attribute(pf_dir_ / "driver_override", "\n");
        }
        if (loaded(backend_.name)) {
            unload(backend_.name);
        }
        break;
    case pf_bound:
        if (const auto driver = pf_driver()) {
            guest::write_attribute(pci_drivers / *driver / "unbind", config_.pf);
        }
        break;
    case vfs_enabled:
        if (pf_driver() && num_vfs() != 0) {
            guest::write_attribute(pf_dir_ / "sriov_numvfs", "0");
        }
        vf1_.clear();
        break;
    case variant:
        if (!vf1_.empty() && fs::exists(guest::pci_device_dir(vf1_))) {
            guest::write_attribute(guest::pci_device_dir(vf1_) / "driver_override", "\n");
        }
        if (loaded(variant_.name)) {
            unload(variant_.name);
        }
        break;
    case vf_bound:
        if (!vf1_.empty() && fs::exists(guest::pci_device_dir(vf1_)) && vf_driver() == variant_driver) {
            guest::write_attribute(pci_drivers / variant_driver / "unbind", vf1_);
        }
        break;
    case vfio_group:
        group_.reset();
        container_.reset();
        break;
    case device_open:
        device_.reset();
        break;
    case exported:
        buffer_.reset();
        break;
    case imported:
        if (fs::exists(swpf_dir_ / "slot0") && slot_state() != "empty") {
            guest::ImportSlot(swpf_dir_ / "slot0").ctl("release");
        }
        break;
    }
    level_ = static_cast<Level>(level_ - 1);
}

void Target::require_clean() const {
    for (const Module* module : {&core_, &backend_, &variant_}) {
        expect(!loaded(module->name), module->name + " is loaded: the campaign starts with no xe_pfvf module");
    }
    expect(!pf_driver(), config_.pf + " is bound to " + or_none(pf_driver()) + ": the campaign needs it free");
    expect(num_vfs() == 0, config_.pf + " has VFs enabled");
}

void Target::teardown() {
    op_fd_.reset();
    made_fd_.reset();
    level_ = imported;
    std::string errors;
    while (level_ != clean) {
        try {
            down_one();
        } catch (const std::exception& e) {
            errors += std::string(errors.empty() ? "" : "; ") + e.what();
            level_ = static_cast<Level>(level_ - 1);
        }
    }
    expect(errors.empty(), "teardown: " + errors);
}

// --------------------------------------------------------------- operations

void Target::add_core_ops(std::vector<Operation>& ops) {
    ops.push_back(Operation{
        .name = "load-xe_pfvf",
        .what = "finit_module(xe_pfvf.ko)",
        .prepare = [this] { to(clean); },
        .run = [this] { return finit(core_, ""); },
        .verify = [this](int err) {
            expect(loaded(core_.name) == (err == 0), loaded(core_.name) ? "xe_pfvf loaded" : "xe_pfvf not loaded");
        },
        .undo = [this](int) {
            if (loaded(core_.name)) {
                unload(core_.name);
            }
            level_ = clean;
        },
        .walk = Walk::sampled,  // some 300 calls in the module loader
    });
    ops.push_back(Operation{
        .name = "unload-xe_pfvf",
        .what = "delete_module(xe_pfvf)",
        .prepare = [this] { to(core); },
        .run = [this] { return remove(core_.name); },
        .verify = [this](int err) {
            expect(loaded(core_.name) == (err != 0), loaded(core_.name) ? "xe_pfvf loaded" : "xe_pfvf not loaded");
        },
        .undo = [this](int) {
            if (loaded(core_.name)) {
                unload(core_.name);
            }
            level_ = clean;
        },
    });
}

void Target::add_attach_ops(std::vector<Operation>& ops) {
    // Loaded and attached with @vfs VFs, or not loaded and nothing left.
    const auto attached_state = [this](bool attached, unsigned vfs) {
        if (attached) {
            expect(loaded(backend_.name), "xe_pfvf_swpf not loaded");
            expect(pf_driver() == backend_driver, "PF bound to " + or_none(pf_driver()));
            expect(num_vfs() == vfs, std::to_string(num_vfs()) + " VFs enabled");
            // debugfs files that could not be created are left out, by
            // design: nothing to check then.
            if (fs::exists(guest::debugfs_root / config_.pf / "vfs")) {
                expect(vf_states() == std::vector<std::string>(vfs, "provisioned"),
                       [this] { return "VFs not all provisioned: " + describe(); });
            }
            return;
        }
        expect(!loaded(backend_.name), "xe_pfvf_swpf still loaded");
        expect(!pf_driver(), "PF still bound to " + or_none(pf_driver()));
        expect(num_vfs() == 0, std::to_string(num_vfs()) + " VFs left enabled");
        expect(!pf_in_debugfs(), "the PF is left in xe_pfvf's debugfs");
        const std::string override = guest::read_file(pf_dir_ / "driver_override");
        expect(override == "(null)\n" || override == "\n", "driver_override left set: " + override);
    };
    const auto unload_backend = [this](int) {
        if (loaded(backend_.name)) {
            unload(backend_.name);
        }
        level_ = core;
    };
    // The load, the attach and the probe: without VFs, a run costs no VF
    // disable (a second in the PCI core).
    ops.push_back(Operation{
        .name = "load-swpf-attach",
        .what = "finit_module(xe_pfvf_swpf.ko, \"attach=<pf> " + config_.swpf_params + "\")",
        .prepare = [this] { to(core); },
        .run = [this] { return finit(backend_, attach_only_params_); },
        .verify = [attached_state](int err) { attached_state(err == 0, 0); },
        .undo = unload_backend,
        .walk = Walk::sampled,  // the module loader
    });
    // With VFs: the same up to pci_enable_sriov() (avoided), then the VFs'
    // enable and provisioning and the way out of a probe that fails there,
    // walked from the end.
    ops.push_back(Operation{
        .name = "load-swpf-attach-vfs",
        .what = "finit_module(xe_pfvf_swpf.ko, \"" + attach_params_ + "\")",
        .prepare = [this] { to(core); },
        .run = [this] { return finit(backend_, attach_params_); },
        .verify = [this, attached_state](int err) { attached_state(err == 0, config_.num_vfs); },
        .undo = unload_backend,
        .walk = Walk::from_end,
    });
    // Without VFs: the VFs' withdrawal on the way out is disable-vfs's,
    // and costs a second in the PCI core per run.
    ops.push_back(Operation{
        .name = "unload-swpf-attach",
        .what = "delete_module(xe_pfvf_swpf) loaded with attach=<pf>",
        .prepare = [this] {
            to(core);
            load(backend_, attach_only_params_);
        },
        .run = [this] { return remove(backend_.name); },
        .verify = [this](int err) {
            if (err != 0) {
                expect(loaded(backend_.name) && pf_driver() == backend_driver,
                       [this] { return "a failed unload left " + describe(); });
                return;
            }
            expect(!loaded(backend_.name) && !pf_driver() && !pf_in_debugfs(),
                   [this] { return "after the unload: " + describe(); });
            const std::string override = guest::read_file(pf_dir_ / "driver_override");
            expect(override == "(null)\n" || override == "\n", "driver_override left set: " + override);
        },
        .undo = unload_backend,
    });
}

void Target::add_backend_ops(std::vector<Operation>& ops) {
    ops.push_back(Operation{
        .name = "bind-pf",
        .what = "write <pf> to /sys/bus/pci/drivers/xe_pfvf_swpf/bind",
        .prepare = [this] {
            to(backend);
            op_fd_ = guest::open_fd(pci_drivers / backend_driver / "bind", O_WRONLY);
            op_text_ = config_.pf;
        },
        .run = [this] { return write_fd(op_fd_, op_text_); },
        .verify = [this](int err) {
            const bool bound = pf_driver() == backend_driver;
            expect(bound == (err == 0), "PF bound to " + or_none(pf_driver()));
            if (bound) {
                expect(num_vfs() == 0, "VFs enabled by a bind");
            } else {
                expect(!pf_in_debugfs(), "a PF that failed to bind is left in xe_pfvf's debugfs");
                expect(!fs::exists(swpf_dir_), "a PF that failed to bind is left in the software PF's debugfs");
            }
        },
        .undo = [this](int) {
            op_fd_.reset();
            if (pf_driver()) {
                guest::write_attribute(pci_drivers / backend_driver / "unbind", config_.pf);
            }
            level_ = backend;
        },
    });
    ops.push_back(Operation{
        .name = "unbind-pf",
        .what = "write <pf> to /sys/bus/pci/drivers/xe_pfvf_swpf/unbind",
        .prepare = [this] {
            to(pf_bound);
            op_fd_ = guest::open_fd(pci_drivers / backend_driver / "unbind", O_WRONLY);
            op_text_ = config_.pf;
        },
        .run = [this] { return write_fd(op_fd_, op_text_); },
        .verify = [this](int err) {
            const bool bound = pf_driver().has_value();
            expect(bound == (err != 0), "PF bound to " + or_none(pf_driver()));
            if (!bound) {
                expect(!pf_in_debugfs(), "an unbound PF is left in xe_pfvf's debugfs");
                expect(!fs::exists(swpf_dir_), "an unbound PF is left in the software PF's debugfs");
            }
        },
        .undo = [this](int) {
            op_fd_.reset();
            if (pf_driver()) {
                guest::write_attribute(pci_drivers / backend_driver / "unbind", config_.pf);
            }
            level_ = backend;
        },
    });
    const auto vfs_state = [this](bool enabled) {
        if (enabled) {
            expect(num_vfs() == config_.cycle_vfs, std::to_string(num_vfs()) + " VFs enabled");
            expect(vf_states() == std::vector<std::string>(config_.cycle_vfs, "provisioned"),
                   [this] { return "VFs not all provisioned: " + describe(); });
        } else {
            expect(num_vfs() == 0, std::to_string(num_vfs()) + " VFs left enabled");
            expect(vf_states().empty(), [this] { return "xe_pfvf still lists VFs: " + describe(); });
        }
    };
    ops.push_back(Operation{
        .name = "enable-vfs",
        .what = "write " + std::to_string(config_.cycle_vfs) + " to <pf>/sriov_numvfs",
        .prepare = [this] {
            to(pf_bound);
            op_fd_ = guest::open_fd(pf_dir_ / "sriov_numvfs", O_WRONLY);
            op_text_ = std::to_string(config_.cycle_vfs);
        },
        .run = [this] { return write_fd(op_fd_, op_text_); },
        .verify = [vfs_state](int err) { vfs_state(err == 0); },
        .undo = [this](int) {
            op_fd_.reset();
            if (num_vfs() != 0) {
                guest::write_attribute(pf_dir_ / "sriov_numvfs", "0");
            }
            level_ = pf_bound;
        },
        .walk = Walk::every,  // into pci_enable_sriov()
    });
    ops.push_back(Operation{
        .name = "disable-vfs",
        .what = "write 0 to <pf>/sriov_numvfs with " + std::to_string(config_.cycle_vfs) + " VF(s) enabled",
        .prepare = [this] {
            to(pf_bound);
            guest::write_attribute(pf_dir_ / "sriov_numvfs", std::to_string(config_.cycle_vfs));
            op_fd_ = guest::open_fd(pf_dir_ / "sriov_numvfs", O_WRONLY);
            op_text_ = "0";
        },
        .run = [this] { return write_fd(op_fd_, op_text_); },
        .verify = [vfs_state](int err) { vfs_state(err != 0); },
        .undo = [this](int) {
            op_fd_.reset();
            if (num_vfs() != 0) {
                guest::write_attribute(pf_dir_ / "sriov_numvfs", "0");
            }
            vf1_.clear();
            level_ = pf_bound;
        },
    });
    const auto provisioned = [this](bool on) {
        const std::string want = on ? "provisioned" : "enabled";
        const auto states = vf_states();
        expect(states.size() >= 2 && states[1] == want, [&] { return "VF2 not " + want + ": " + describe(); });
    };
    ops.push_back(Operation{
        .name = "provision-vf",
        .what = "write \"provision 2\" to the software PF's debugfs vf",
        .prepare = [this] {
            to(vfs_enabled);
            provision(2, false);
            op_fd_ = guest::open_fd(swpf_dir_ / "vf", O_WRONLY);
            op_text_ = "provision 2";
        },
        .run = [this] { return write_fd(op_fd_, op_text_); },
        .verify = [provisioned](int err) { provisioned(err == 0); },
        .undo = [this](int) {
            op_fd_.reset();
            provision(2, true);
        },
    });
    ops.push_back(Operation{
        .name = "unprovision-vf",
        .what = "write \"unprovision 2\" to the software PF's debugfs vf",
        .prepare = [this] {
            to(vfs_enabled);
            op_fd_ = guest::open_fd(swpf_dir_ / "vf", O_WRONLY);
            op_text_ = "unprovision 2";
        },
        .run = [this] { return write_fd(op_fd_, op_text_); },
        .verify = [provisioned](int err) { provisioned(err != 0); },
        .undo = [this](int) {
            op_fd_.reset();
            provision(2, true);
        },
    });
}

void Target::add_vfio_ops(std::vector<Operation>& ops) {
    ops.push_back(Operation{
        .name = "vfio-bind",
        .what = "write <vf1> to /sys/bus/pci/drivers/xe_pfvf_vfio_pci/bind",
        .prepare = [this] {
            to(variant);
            op_fd_ = guest::open_fd(pci_drivers / variant_driver / "bind", O_WRONLY);
            op_text_ = vf1_;
        },
        .run = [this] { return write_fd(op_fd_, op_text_); },
        .verify = [this](int err) {
            expect((vf_driver() == variant_driver) == (err == 0), "VF1 bound to " + or_none(vf_driver()));
        },
        .undo = [this](int) {
            op_fd_.reset();
            if (vf_driver()) {
                guest::write_attribute(pci_drivers / variant_driver / "unbind", vf1_);
            }
            level_ = variant;
        },
        .walk = Walk::every,  // into vfio_pci_core_register_device()
    });
    ops.push_back(Operation{
        .name = "vfio-unbind",
        .what = "write <vf1> to /sys/bus/pci/drivers/xe_pfvf_vfio_pci/unbind",
        .prepare = [this] {
            to(vf_bound);
            op_fd_ = guest::open_fd(pci_drivers / variant_driver / "unbind", O_WRONLY);
            op_text_ = vf1_;
        },
        .run = [this] { return write_fd(op_fd_, op_text_); },
        .verify = [this](int err) {
            expect(vf_driver().has_value() == (err != 0), "VF1 bound to " + or_none(vf_driver()));
        },
        .undo = [this](int) {
            op_fd_.reset();
            if (vf_driver()) {
                guest::write_attribute(pci_drivers / variant_driver / "unbind", vf1_);
            }
            level_ = variant;
        },
    });
    ops.push_back(Operation{
        .name = "vfio-open",
        .what = "VFIO_GROUP_GET_DEVICE_FD <vf1>",
        .prepare = [this] {
            to(vfio_group);
            op_text_ = vf1_;
        },
        .run = [this] {
            // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
            const int fd = ::ioctl(group_->fd(), VFIO_GROUP_GET_DEVICE_FD, op_text_.c_str());
            if (fd < 0) {
                return errno;
            }
            made_fd_ = guest::UniqueFd(fd);
            return 0;
        },
        .verify = [this](int err) { expect(made_fd_.valid() == (err == 0), "device fd and result disagree"); },
        .undo = [this](int) {
            made_fd_.reset();
            level_ = vfio_group;
        },
    });
    ops.push_back(Operation{
        .name = "dmabuf-export",
        .what = "VFIO_DEVICE_FEATURE(GET | DMA_BUF) of VF1's whole LMEM BAR",
        .prepare = [this] { to(device_open); },
        .run = [this] {
            // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
            const int fd = ::ioctl(device_.get(), VFIO_DEVICE_FEATURE, request_.data());
            if (fd < 0) {
                return errno;
            }
            made_fd_ = guest::UniqueFd(fd);
            return 0;
        },
        .verify = [this](int err) {
            const auto buffers = buffer_states();
            expect(buffers.size() == (err == 0 ? 1U : 0U),
                   std::to_string(buffers.size()) + " dma-bufs listed after " + errno_name(err));
            expect(err != 0 || buffers.front() == "live/0/0", [&] { return "the new dma-buf is " + joined(buffers); });
        },
        .undo = [this](int) {
            made_fd_.reset();
            level_ = device_open;
        },
    });
}

void Target::add_import_ops(std::vector<Operation>& ops) {
    const auto import_op = [this](const std::string& name, const std::string& mode) {
        return Operation{
            .name = name,
            .what = "write \"<fd>" + mode + "\" to the software PF's debugfs slot0/import",
            .prepare = [this, mode] {
                to(exported);
                op_fd_ = guest::open_fd(swpf_dir_ / "slot0" / "import", O_WRONLY);
                op_text_ = std::to_string(buffer_.get()) + mode;
            },
            .run = [this] { return write_fd(op_fd_, op_text_); },
            .verify = [this](int err) {
                const std::string state = slot_state();
                expect(state == (err == 0 ? "mapped" : "empty"), "slot0 " + state + " after " + errno_name(err));
                if (err != 0) {
                    expect(buffer_states() == std::vector<std::string>{"live/0/0"},
                           [this] { return "a failed import left the dma-bufs " + joined(buffer_states()); });
                }
            },
            .undo = [this](int) {
                op_fd_.reset();
                if (slot_state() != "empty") {
                    guest::ImportSlot(swpf_dir_ / "slot0").ctl("release");
                }
                level_ = exported;
            },
        };
    };
    ops.push_back(import_op("import-lmem", ""));
    ops.push_back(import_op("import-standard", " standard"));
    ops.push_back(Operation{
        .name = "read-data",
        .what = "read the software PF's debugfs slot0/data",
        .prepare = [this] {
            to(imported);
            ensure_mapped();
            op_fd_ = guest::open_fd(swpf_dir_ / "slot0" / "data", O_RDONLY);
        },
        .run = [this] {
            return ::pread(op_fd_.get(), read_buffer_.data(), read_buffer_.size(), 0) < 0 ? errno : 0;
        },
        .verify = [this](int) { expect(slot_state() == "mapped", "slot0 " + slot_state() + " after a read"); },
        .undo = [this](int) { op_fd_.reset(); },
    });
    ops.push_back(Operation{
        .name = "slot-release",
        .what = "write \"release\" to the software PF's debugfs slot0/ctl",
        .prepare = [this] {
            to(imported);
            ensure_mapped();
            op_fd_ = guest::open_fd(swpf_dir_ / "slot0" / "ctl", O_WRONLY);
            op_text_ = "release";
        },
        .run = [this] { return write_fd(op_fd_, op_text_); },
        .verify = [this](int err) {
            const std::string state = slot_state();
            expect(state == (err == 0 ? "empty" : "mapped"), "slot0 " + state + " after " + errno_name(err));
        },
        .undo = [this](int) {
            op_fd_.reset();
            level_ = slot_state() == "empty" ? exported : imported;
        },
    });
}

void Target::add_revoke_ops(std::vector<Operation>& ops) {
    // The buffer follows the memory: live while it is enabled (the
    // restoration is made before the write or ioctl returns), suspended
    // while disabled.
    const auto follows_memory = [this](int) {
        const std::string want = memory_enabled() ? "live" : "suspended";
        const auto buffers = buffer_states();
        expect(buffers.size() == 1 && buffers.front().starts_with(want + "/"), [&] {
            return "memory " + std::string(memory_enabled() ? "enabled" : "disabled") + ", dma-bufs " + joined(buffers);
        });
    };
    const auto command_op = [this, follows_memory](const std::string& name, bool enable) {
        return Operation{
            .name = name,
            .what = std::string(enable ? "set" : "clear") + " the memory enable bit through the VFIO config region",
            .prepare = [this, enable] {
                to(imported);
                ensure_mapped();
                set_memory(!enable);
                auto command = guest::CommandRegister(device_.get()).read();
                command = enable ? static_cast<std::uint16_t>(command | PCI_COMMAND_MEMORY)
                                 : static_cast<std::uint16_t>(command & ~PCI_COMMAND_MEMORY);
                op_text_ = std::string{static_cast<char>(command & 0xffU), static_cast<char>(command >> 8U)};
            },
            .run = [this] {
                const ssize_t done = ::pwrite(device_.get(), op_text_.data(), op_text_.size(), command_offset_);
                return done < 0 ? errno : (done == 2 ? 0 : EIO);
            },
            .verify = [this, follows_memory, enable](int err) {
                follows_memory(err);
                expect(err != 0 || memory_enabled() == enable, "the write succeeded, the bit did not change");
            },
            .undo = [this](int) { ensure_mapped(); },
        };
    };
    ops.push_back(command_op("memory-disable", false));
    ops.push_back(command_op("memory-enable", true));
    ops.push_back(Operation{
        .name = "vfio-reset",
        .what = "VFIO_DEVICE_RESET",
        .prepare = [this] {
            to(imported);
            ensure_mapped();
        },
        .run = [this] {
            // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
            return ::ioctl(device_.get(), VFIO_DEVICE_RESET) < 0 ? errno : 0;
        },
        .verify = follows_memory,
        .undo = [this](int) { ensure_mapped(); },
    });
    ops.push_back(Operation{
        .name = "sysfs-reset",
        .what = "write 1 to <vf1>/reset",
        .prepare = [this] {
            to(imported);
            ensure_mapped();
            op_fd_ = guest::open_fd(guest::pci_device_dir(vf1_) / "reset", O_WRONLY);
            op_text_ = "1";
        },
        .run = [this] { return write_fd(op_fd_, op_text_); },
        // Restored by a work item after the reset.
        .verify = [this](int) { wait_buffer_live(); },
        .undo = [this](int) {
            op_fd_.reset();
            ensure_mapped();
        },
    });
    ops.push_back(Operation{
        .name = "close-device",
        .what = "close() of the VFIO device fd",
        .prepare = [this] {
            to(imported);
            ensure_mapped();
        },
        .run = [this] {
            device_.reset();
            return 0;
        },
        .verify = [this](int) {
            const auto buffers = buffer_states();
            expect(buffers.size() == 1 && buffers.front().starts_with("revoked/"),
                   [&] { return "after the close the dma-bufs are " + joined(buffers); });
            expect(slot_state() == "revoked", "after the close slot0 is " + slot_state());
        },
        .undo = [this](int) {
            guest::ImportSlot(swpf_dir_ / "slot0").ctl("release");
            buffer_.reset();
            level_ = vfio_group;
        },
    });
}

void Target::add_debugfs_ops(std::vector<Operation>& ops) {
    for (const char* const file : {"info", "vfs", "provisioning", "dmabufs", "quarantine", "p2p"}) {
        ops.push_back(Operation{
            .name = std::string("debugfs-") + file,
            .what = std::string("open, read and close xe_pfvf's debugfs <pf>/") + file,
            .prepare = [this, file] {
                to(imported);
                ensure_mapped();
                op_text_ = (guest::debugfs_root / config_.pf / file).string();
            },
            .run = [this] { return read_file_raw(op_text_); },
            .verify = [](int) {},
            .undo = [](int) {},
        });
    }
    ops.push_back(Operation{
        .name = "debugfs-translate",
        .what = "open xe_pfvf's debugfs <pf>/translate, write \"lmem 0 0x4000 vf=1\", read, close",
        .prepare = [this] {
            to(imported);
            ensure_mapped();
            op_text_ = (guest::debugfs_root / config_.pf / "translate").string();
        },
        .run = [this] { return translate_raw(); },
        .verify = [](int) {},
        .undo = [](int) {},
    });
}

// ---------------------------------------------------------------- the uAPI

guest::UniqueFd Target::uapi_open() { return guest::open_fd(uapi_node, O_RDWR); }

std::vector<xe_pfvf_vf_info> Target::uapi_vfs(int fd) const {
    auto list = uapi_request<xe_pfvf_list_vfs>();
    list.pf_bdf = uapi_bdf(config_.pf);
    list.entry_size = sizeof(xe_pfvf_vf_info);
    uapi_ioctl(fd, XE_PFVF_IOC_LIST_VFS, &list, "XE_PFVF_IOC_LIST_VFS, count 0");
    std::vector<xe_pfvf_vf_info> vfs(list.count);
    list.entries = user_ptr(vfs.data());
    uapi_ioctl(fd, XE_PFVF_IOC_LIST_VFS, &list, "XE_PFVF_IOC_LIST_VFS");
    expect(list.count == vfs.size(), "XE_PFVF_IOC_LIST_VFS: the PF's VF count changed");
    return vfs;
}

xe_pfvf_export Target::uapi_export_request() const {
    auto ex = uapi_request<xe_pfvf_export>();
    ex.vfio_fd = group_->fd();
    ex.vf_bdf = uapi_bdf(vf1_);
    ex.space = XE_PFVF_ADDR_BAR;
    ex.offset = 0;
    ex.length = bar_size_;
    return ex;
}

std::uint64_t Target::uapi_export(int fd) const {
    auto ex = uapi_export_request();
    uapi_ioctl(fd, XE_PFVF_IOC_EXPORT, &ex, "XE_PFVF_IOC_EXPORT of VF1's LMEM BAR");
    expect(ex.handle != 0, "XE_PFVF_IOC_EXPORT returned handle 0");
    return ex.handle;
}

guest::UniqueFd Target::uapi_handle_fd(int fd, std::uint64_t handle) {
    auto hf = uapi_request<xe_pfvf_handle_fd>();
    hf.handle = handle;
    hf.fd_flags = O_RDWR | O_CLOEXEC;
    hf.fd = -1;
    uapi_ioctl(fd, XE_PFVF_IOC_HANDLE_FD, &hf, "XE_PFVF_IOC_HANDLE_FD");
    guest::UniqueFd buffer(hf.fd);
    expect(buffer.valid(), "XE_PFVF_IOC_HANDLE_FD succeeded with fd " + std::to_string(hf.fd));
    return buffer;
}

void Target::open_uapi_file() {
    to(device_open);
    op_fd_ = uapi_open();
}

void Target::expect_buffers(const std::vector<std::string>& want, std::string_view when) const {
    const auto buffers = buffer_states();
    expect(buffers == want, [&] {
        return std::string(when) + ": the PF's dma-bufs are " + joined(buffers) + ", not " + joined(want);
    });
}

// At level device_open: VF1 bound to the variant driver, which names its
// vfio_device to xe_pfvf, its group in a container, its memory enabled; no
// dma-buf.  Each operation but uapi-open works on a /dev/xe_pfvf file of its
// own (op_fd_), opened in prepare() and closed in undo(): the handles die
// with it.
void Target::add_uapi_query_ops(std::vector<Operation>& ops) {
    ops.push_back(Operation{
        .name = "uapi-open",
        .what = "open(\"/dev/xe_pfvf\", O_RDWR)",
        .prepare = [this] {
            to(device_open);
            op_text_ = uapi_node.string();
        },
        .run = [this] {
            // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): open() is variadic
            const int fd = ::open(op_text_.c_str(), O_RDWR | O_CLOEXEC);
            if (fd < 0) {
                return errno;
            }
            made_fd_ = guest::UniqueFd(fd);
            return 0;
        },
        .verify = [this](int err) {
            expect(made_fd_.valid() == (err == 0), "the fd and the result disagree");
            if (err != 0) {
                return;
            }
            auto version = uapi_request<xe_pfvf_version>();
            uapi_ioctl(made_fd_.get(), XE_PFVF_IOC_VERSION, &version, "XE_PFVF_IOC_VERSION on the new file");
            expect(version.major == XE_PFVF_UAPI_MAJOR && version.nr_pfs == 1,
                   "XE_PFVF_IOC_VERSION: major " + std::to_string(version.major) + ", " +
                       std::to_string(version.nr_pfs) + " PFs");
            expect((version.caps & XE_PFVF_CAP_RAW_ADDR) != 0, "a file opened by root has no XE_PFVF_CAP_RAW_ADDR");
        },
        .undo = [this](int) { made_fd_.reset(); },
    });
    ops.push_back(Operation{
        .name = "uapi-list-vfs",
        .what = "XE_PFVF_IOC_LIST_VFS of the PF with room for all its VFs",
        .prepare = [this] {
            open_uapi_file();
            uapi_.vfs.assign(uapi_vfs(op_fd_.get()).size(), xe_pfvf_vf_info{});
            uapi_.list = uapi_request<xe_pfvf_list_vfs>();
            uapi_.list.pf_bdf = uapi_bdf(config_.pf);
            uapi_.list.count = static_cast<std::uint32_t>(uapi_.vfs.size());
            uapi_.list.entry_size = sizeof(xe_pfvf_vf_info);
            uapi_.list.entries = user_ptr(uapi_.vfs.data());
        },
        .run = [this] { return uapi_ioctl_raw(op_fd_.get(), XE_PFVF_IOC_LIST_VFS, &uapi_.list); },
        .verify = [this](int err) {
            if (err != 0) {
                return;
            }
            expect(uapi_.list.count == uapi_.vfs.size(), "LIST_VFS: count " + std::to_string(uapi_.list.count) +
                                                              " where " + std::to_string(uapi_.vfs.size()) + " was room");
            expect(uapi_.vfs.size() >= config_.num_vfs, "LIST_VFS: fewer VF slots than VFs enabled");
            for (std::size_t i = 0; i < uapi_.vfs.size(); ++i) {
                const xe_pfvf_vf_info& vf = uapi_.vfs[i];
                const bool enabled = i < config_.num_vfs;
                expect(vf.vfid == i + 1 && vf.state == (enabled ? XE_PFVF_VF_PROVISIONED : XE_PFVF_VF_DISABLED) &&
                           (vf.quota != 0) == enabled && vf.live_bufs == 0,
                       [&] {
                           return "LIST_VFS: slot " + std::to_string(i) + " is VF" + std::to_string(vf.vfid) +
                                  " state " + std::to_string(vf.state) + " quota " + std::to_string(vf.quota) +
                                  " live_bufs " + std::to_string(vf.live_bufs);
                       });
            }
            expect(uapi_.vfs.front().bdf == uapi_bdf(vf1_), "LIST_VFS: VF1 is not " + vf1_);
        },
        .undo = [this](int) { op_fd_.reset(); },
    });
    ops.push_back(Operation{
        .name = "uapi-translate",
        .what = "XE_PFVF_IOC_TRANSLATE of VF1's whole LMEM (LMEM space) with room for all its extents",
        .prepare = [this] {
            open_uapi_file();
            uapi_.vf1 = uapi_vfs(op_fd_.get()).at(0);
            expect(uapi_.vf1.quota != 0 && uapi_.vf1.nr_extents != 0, "VF1 is not provisioned");
            // What the translation must give: VF1's provisioning as debugfs
            // dumps it, runs contiguous in VRAM merged.
            const guest::PfModel model = guest::load_model(config_.pf);
            const guest::VfModel* const vf1 = model.find(1);
            expect(vf1 != nullptr && vf1->quota == uapi_.vf1.quota && vf1->generation == uapi_.vf1.generation,
                   "VF1 in debugfs differs from LIST_VFS");
            uapi_.expected = guest::expected_extents(vf1->extents, guest::LmemRange{.offset = 0, .length = vf1->quota});
            uapi_.extents.assign(uapi_.vf1.nr_extents, xe_pfvf_extent_info{});
            uapi_.translate = uapi_request<xe_pfvf_translate>();
            uapi_.translate.pf_bdf = uapi_bdf(config_.pf);
            uapi_.translate.vfid = 1;
            uapi_.translate.space = XE_PFVF_ADDR_LMEM;
            uapi_.translate.addr = 0;
            uapi_.translate.length = uapi_.vf1.quota;
            uapi_.translate.count = uapi_.vf1.nr_extents;
            uapi_.translate.entry_size = sizeof(xe_pfvf_extent_info);
            uapi_.translate.extents = user_ptr(uapi_.extents.data());
        },
        .run = [this] { return uapi_ioctl_raw(op_fd_.get(), XE_PFVF_IOC_TRANSLATE, &uapi_.translate); },
        .verify = [this](int err) {
            if (err != 0) {
                return;
            }
            const xe_pfvf_translate& tr = uapi_.translate;
            expect(tr.generation == uapi_.vf1.generation, "TRANSLATE: generation " + std::to_string(tr.generation) +
                                                              ", LIST_VFS said " +
                                                              std::to_string(uapi_.vf1.generation));
            expect(tr.count == uapi_.expected.size(), "TRANSLATE: " + std::to_string(tr.count) +
                                                          " extents, the provisioning in debugfs makes " +
                                                          std::to_string(uapi_.expected.size()));
            for (std::size_t i = 0; i < tr.count; ++i) {
                const xe_pfvf_extent_info& ext = uapi_.extents[i];
                const guest::VramExtent& want = uapi_.expected[i];
                expect(ext.handle != 0 && ext.vram == want.start && ext.length == want.size, [&] {
                    return "TRANSLATE: extent " + std::to_string(i) + " is handle " + std::to_string(ext.handle) +
                           " VRAM " + std::to_string(ext.vram) + "+" + std::to_string(ext.length) +
                           ", debugfs says " + std::to_string(want.start) + "+" + std::to_string(want.size);
                });
            }
        },
        .undo = [this](int) { op_fd_.reset(); },
    });
}

void Target::add_uapi_handle_ops(std::vector<Operation>& ops) {
    // Closes the file, then the dma-bufs its handles made must be gone
    // (the caller's fds closed first) or revoked (still open).
    const auto close_file = [this](std::string_view when) {
        made_fd_.reset();
        op_fd_.reset();
        expect_buffers({}, when);
    };
    ops.push_back(Operation{
        .name = "uapi-export",
        .what = "XE_PFVF_IOC_EXPORT of VF1's LMEM BAR with VF1's VFIO group fd",
        .prepare = [this] {
            open_uapi_file();
            uapi_.exp = uapi_export_request();
        },
        .run = [this] { return uapi_ioctl_raw(op_fd_.get(), XE_PFVF_IOC_EXPORT, &uapi_.exp); },
        .verify = [this](int err) {
            // A fresh file's first handle is at index 1 (XA_FLAGS_ALLOC1):
            // a failed export must leave the table empty.
            std::uint64_t handle = uapi_.exp.handle;
            if (err != 0) {
                handle = uapi_export(op_fd_.get());
            }
            expect(handle != 0 && handle_index(handle) == 1, [&] {
                return "after " + errno_name(err) + " the file's handle is at index " +
                       std::to_string(handle_index(handle)) + ", not 1";
            });
            auto revoke = uapi_request<xe_pfvf_revoke>();
            revoke.handle = handle;
            uapi_ioctl(op_fd_.get(), XE_PFVF_IOC_REVOKE, &revoke, "XE_PFVF_IOC_REVOKE of the exported handle");
            expect(revoke.revoked == 0 && revoke.busy == 0, "REVOKE of a handle without dma-bufs revoked " +
                                                                std::to_string(revoke.revoked));
            expect_buffers({}, "after the export");
        },
        .undo = [this](int) { op_fd_.reset(); },
    });
    ops.push_back(Operation{
        .name = "uapi-handle-fd",
        .what = "XE_PFVF_IOC_HANDLE_FD of a handle of VF1's LMEM BAR",
        .prepare = [this] {
            open_uapi_file();
            uapi_.handle = uapi_export(op_fd_.get());
            uapi_.handle_fd = uapi_request<xe_pfvf_handle_fd>();
            uapi_.handle_fd.handle = uapi_.handle;
            uapi_.handle_fd.fd_flags = O_RDWR | O_CLOEXEC;
            uapi_.handle_fd.fd = -1;
        },
        .run = [this] {
            const int err = uapi_ioctl_raw(op_fd_.get(), XE_PFVF_IOC_HANDLE_FD, &uapi_.handle_fd);
            if (err == 0) {
                made_fd_ = guest::UniqueFd(uapi_.handle_fd.fd);
            }
            return err;
        },
        .verify = [this](int err) {
            expect(err != 0 || made_fd_.valid(), "HANDLE_FD succeeded with fd " + std::to_string(uapi_.handle_fd.fd));
            expect_buffers(err == 0 ? std::vector<std::string>{"live/0/0"} : std::vector<std::string>{},
                           "after HANDLE_FD gave " + errno_name(err));
        },
        .undo = [close_file](int) { close_file("after the close of /dev/xe_pfvf"); },
    });
    // A handle with one dma-buf whose fd this process holds: live until
    // the handle dies, revoked after.
    const auto handle_with_buffer = [this] {
        open_uapi_file();
        uapi_.handle = uapi_export(op_fd_.get());
        made_fd_ = uapi_handle_fd(op_fd_.get(), uapi_.handle);
        expect_buffers({"live/0/0"}, "the new dma-buf");
    };
    ops.push_back(Operation{
        .name = "uapi-revoke",
        .what = "XE_PFVF_IOC_REVOKE of a handle with one live dma-buf",
        .prepare = [this, handle_with_buffer] {
            handle_with_buffer();
            uapi_.revoke = uapi_request<xe_pfvf_revoke>();
            uapi_.revoke.handle = uapi_.handle;
        },
        .run = [this] { return uapi_ioctl_raw(op_fd_.get(), XE_PFVF_IOC_REVOKE, &uapi_.revoke); },
        .verify = [this](int err) {
            if (err == 0) {
                expect(uapi_.revoke.revoked == 1 && uapi_.revoke.busy == 0,
                       "REVOKE: revoked " + std::to_string(uapi_.revoke.revoked) + ", busy " +
                           std::to_string(uapi_.revoke.busy));
            }
            expect_buffers({err == 0 ? "revoked/0/0" : "live/0/0"}, "after REVOKE gave " + errno_name(err));
        },
        .undo = [close_file](int) { close_file("after the close of the dma-buf and /dev/xe_pfvf"); },
    });
    ops.push_back(Operation{
        .name = "uapi-close",
        .what = "close() of a /dev/xe_pfvf file holding a handle with one live dma-buf",
        .prepare = handle_with_buffer,
        .run = [this] {
            op_fd_.reset();
            return 0;
        },
        .verify = [this](int) { expect_buffers({"revoked/0/0"}, "after the close of /dev/xe_pfvf"); },
        .undo = [close_file](int) { close_file("after the close of the dma-buf"); },
    });
}

std::vector<Operation> Target::operations() {
    // Attaching at load goes after binding and VF enable: what it has in
    // common with them is known ground by then (see Limits::sample_after).
    // The uAPI's operations run at the level the VFIO ones leave (the VF's
    // device open), before the import raises it.
    std::vector<Operation> ops;
    add_core_ops(ops);
    add_backend_ops(ops);
    add_attach_ops(ops);
    add_vfio_ops(ops);
    add_uapi_query_ops(ops);
    add_uapi_handle_ops(ops);
    add_import_ops(ops);
    add_revoke_ops(ops);
    add_debugfs_ops(ops);
    return ops;
}

}  // namespace xe_pfvf::faultinject
