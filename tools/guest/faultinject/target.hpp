#pragma once

// The system under test and the operations the campaign injects faults
// into: the modules' interfaces as users exercise them (module load and
// unload, PF bind, VF enable, provisioning, the VFIO dma-buf export, the
// software PF's import, the revocations, the debugfs files, the
// /dev/xe_pfvf uAPI).
//
// The system moves along a chain of levels (modules loaded, PF bound, VFs
// enabled, VF bound to the variant driver, VFIO device open, dma-buf
// exported, imported); each operation's prepare() brings it to its level
// and its undo() leaves it there again, whatever the armed run did.

#include "campaign.hpp"
#include "debugfs.hpp"
#include "sys.hpp"
#include "vfio.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <linux/xe_pfvf.h>

namespace xe_pfvf::faultinject {

struct TargetConfig {
    std::filesystem::path moddir;  ///< where xe_pfvf*.ko are
    std::string pf;                ///< the SR-IOV PF's PCI address
    /// Software PF parameters besides attach and num_vfs: a small VRAM
    /// keeps vzalloc() to a few fault-capable calls.
    std::string swpf_params = "vram_mb=4 vf_quota_kb=1024";
    /// VFs enabled at load (attach=, num_vfs=) and for the operations on
    /// VFs; provisioning works on VF2.
    unsigned num_vfs = 2;
    /// VFs that enable-vfs and disable-vfs switch: every VF enable or
    /// disable waits in the PCI core (100 ms, 1 s), whatever fails, and
    /// one VF reaches every site that two do.
    unsigned cycle_vfs = 1;
};

class Target {
public:
    /// Reads the module files; throws std::system_error if it cannot.
    explicit Target(TargetConfig config);
    Target(const Target&) = delete;
    Target& operator=(const Target&) = delete;
    Target(Target&&) = delete;
    Target& operator=(Target&&) = delete;
    /// Best effort: everything unloaded.
    ~Target();

    /// Throws unless no xe_pfvf module is loaded and the PF has no driver.
    void require_clean() const;
    /// The operations, in campaign order.
    [[nodiscard]] std::vector<Operation> operations();
    /// Back to nothing loaded; throws on failure.
    void teardown();

    /// Levels of the chain, each including the ones below.
    enum Level : unsigned {
        clean,         ///< no xe_pfvf module
        core,          ///< xe_pfvf.ko
        backend,       ///< xe_pfvf_swpf.ko, the PF's driver_override set, unbound
        pf_bound,      ///< the PF bound to the software PF
        vfs_enabled,   ///< VFs enabled and provisioned
        variant,       ///< xe_pfvf_vfio_pci.ko, VF1's driver_override set, unbound
        vf_bound,      ///< VF1 bound to xe_pfvf_vfio_pci
        vfio_group,    ///< a type1 container with VF1's group
        device_open,   ///< VF1's VFIO device open, memory enabled
        exported,      ///< a dma-buf of VF1's whole LMEM BAR
        imported,      ///< imported by the software PF in slot 0, mapped
    };

private:
    /// A module, in memory for finit_module().
    struct Module {
        std::string name;
        guest::UniqueFd file;
    };

    void to(Level level);
    void up_one();
    void down_one();

    // Queries, unarmed.
    [[nodiscard]] static bool loaded(const std::string& module);
    [[nodiscard]] std::optional<std::string> pf_driver() const;
    [[nodiscard]] std::optional<std::string> vf_driver() const;
    [[nodiscard]] unsigned num_vfs() const;
    [[nodiscard]] bool pf_in_debugfs() const;
    [[nodiscard]] std::vector<std::string> vf_states() const;
    [[nodiscard]] std::vector<std::string> buffer_states() const;
    [[nodiscard]] std::string slot_state() const;
    [[nodiscard]] bool memory_enabled() const;
    [[nodiscard]] std::string describe() const;

    // Unarmed steps that throw on failure.
    static void load(const Module& module, const std::string& params);
    static void unload(const std::string& module);
    void set_memory(bool enabled) const;
    void provision(unsigned vf, bool on) const;
    void ensure_mapped();
    void wait_buffer_live() const;

    // Armed steps: direct syscalls on what prepare() opened.
    [[nodiscard]] static int finit(const Module& module, const std::string& params) noexcept;
    [[nodiscard]] static int remove(const std::string& module) noexcept;
    [[nodiscard]] static int write_fd(const guest::UniqueFd& fd, const std::string& text) noexcept;
    [[nodiscard]] int read_file_raw(const std::string& path) noexcept;
    [[nodiscard]] int translate_raw() noexcept;

    void add_core_ops(std::vector<Operation>& ops);
    void add_attach_ops(std::vector<Operation>& ops);
    void add_backend_ops(std::vector<Operation>& ops);
    void add_vfio_ops(std::vector<Operation>& ops);
    void add_import_ops(std::vector<Operation>& ops);
    void add_revoke_ops(std::vector<Operation>& ops);
    void add_debugfs_ops(std::vector<Operation>& ops);
    void add_uapi_query_ops(std::vector<Operation>& ops);
    void add_uapi_handle_ops(std::vector<Operation>& ops);

    // The uAPI, unarmed: each throws std::system_error naming the ioctl.
    [[nodiscard]] static guest::UniqueFd uapi_open();
    /// To level device_open, with op_fd_ a new /dev/xe_pfvf file.
    void open_uapi_file();
    [[nodiscard]] std::vector<xe_pfvf_vf_info> uapi_vfs(int fd) const;
    [[nodiscard]] xe_pfvf_export uapi_export_request() const;
    [[nodiscard]] std::uint64_t uapi_export(int fd) const;
    [[nodiscard]] static guest::UniqueFd uapi_handle_fd(int fd, std::uint64_t handle);
    /// Throws unless debugfs `dmabufs` lists @want ("live/0/0" ...).
    void expect_buffers(const std::vector<std::string>& want, std::string_view when) const;

    TargetConfig config_;
    std::filesystem::path pf_dir_;
    std::filesystem::path swpf_dir_;  ///< the software PF's debugfs directory of the PF
    Module core_;
    Module backend_;
    Module variant_;
    std::string attach_params_;       ///< attach=<pf> num_vfs=<n> ...
    std::string attach_only_params_;  ///< attach=<pf> ...
    Level level_ = clean;

    std::string vf1_;  ///< VF1's PCI address, while VFs are enabled
    unsigned lmem_bar_ = 0;
    std::uint64_t bar_size_ = 0;  ///< of VF1's LMEM BAR, as VFIO reports it
    std::optional<guest::VfioContainer> container_;
    std::optional<guest::VfioGroup> group_;
    guest::UniqueFd device_;
    guest::UniqueFd buffer_;  ///< the dma-buf imported at level `imported`
    off_t command_offset_ = 0;  ///< of the command register in the VFIO config region

    // What the armed runs use, prepared unarmed.
    guest::UniqueFd op_fd_;        ///< the file the operation writes
    guest::UniqueFd made_fd_;      ///< an fd the operation created (device, dma-buf)
    std::string op_text_;          ///< what it writes
    std::vector<std::byte> request_;  ///< the VFIO_DEVICE_FEATURE buffer
    std::array<char, 65536> read_buffer_{};

    /// The uAPI requests of the armed runs, on op_fd_ (/dev/xe_pfvf).
    struct UapiArgs {
        xe_pfvf_list_vfs list{};
        std::vector<xe_pfvf_vf_info> vfs;  ///< LIST_VFS's entries
        xe_pfvf_vf_info vf1{};             ///< VF1 as listed in prepare()
        xe_pfvf_translate translate{};
        std::vector<xe_pfvf_extent_info> extents;  ///< TRANSLATE's entries
        std::vector<guest::VramExtent> expected;   ///< what they must be, from debugfs
        xe_pfvf_export exp{};
        xe_pfvf_handle_fd handle_fd{};
        xe_pfvf_revoke revoke{};
        std::uint64_t handle = 0;  ///< exported in prepare()
    };
    UapiArgs uapi_;
};

}  // namespace xe_pfvf::faultinject
