#include "target.hpp"

#include "debugfs.hpp"
#include "swpf.hpp"
#include "vfio_dmabuf.hpp"

#include <cerrno>
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

std::vector<Operation> Target::operations() {
    // Attaching at load goes after binding and VF enable: what it has in
    // common with them is known ground by then (see Limits::sample_after).
    std::vector<Operation> ops;
    add_core_ops(ops);
    add_backend_ops(ops);
    add_attach_ops(ops);
    add_vfio_ops(ops);
    add_import_ops(ops);
    add_revoke_ops(ops);
    add_debugfs_ops(ops);
    return ops;
}

}  // namespace xe_pfvf::faultinject
