#include "pf_side.hpp"

#include "sys.hpp"
#include "vfio.hpp"

#include <system_error>
#include <utility>
#include <vector>

namespace xe_pfvf::stress {

namespace {

const std::filesystem::path pci_drivers{"/sys/bus/pci/drivers"};

}  // namespace

PfSide::PfSide(std::string pf, unsigned num_vfs, std::uint64_t tag_len)
    : pf_(std::move(pf)), num_vfs_(num_vfs), tag_len_(tag_len), swpf_(pf_), locks_(num_vfs) {}

void PfSide::fill(unsigned vf) {
    std::uint64_t seed = 0;
    {
        const std::scoped_lock lock(seed_mutex_);
        seed = (std::uint64_t{vf} << 48U) | next_seed_++;
    }
    const std::unique_lock lock(locks_.at(vf - 1));
    swpf_.fill_tagged(vf, 0, tag_len_, seed);
}

void PfSide::scrub_then(std::span<const unsigned> vfs, const std::function<void(unsigned, int)>& scrubbed,
                        const std::function<void()>& free) {
    // In VF order, as every caller: no lock order inversion.
    std::vector<std::shared_lock<std::shared_mutex>> held;
    held.reserve(vfs.size());
    for (const unsigned vf : vfs) {
        held.emplace_back(locks_.at(vf - 1));
        int err = 0;
        try {
            swpf_.fill(vf, 0, tag_len_, 0);
        } catch (const std::system_error& e) {
            err = e.code().value();
        }
        scrubbed(vf, err);
    }
    free();
}

void PfSide::write_numvfs(unsigned n) const {
    guest::write_attribute(guest::pci_device_dir(pf_) / "sriov_numvfs", std::to_string(n));
}

unsigned PfSide::numvfs() const {
    return static_cast<unsigned>(std::stoul(guest::read_file(guest::pci_device_dir(pf_) / "sriov_numvfs")));
}

void PfSide::unbind() const { guest::write_attribute(pci_drivers / backend_driver / "unbind", pf_); }

void PfSide::bind() const {
    const auto override_path = guest::pci_device_dir(pf_) / "driver_override";
    if (guest::read_file(override_path) != std::string(backend_driver) + "\n") {
        guest::write_attribute(override_path, backend_driver);
    }
    guest::write_attribute(pci_drivers / backend_driver / "bind", pf_);
}

bool PfSide::bound() const {
    return guest::link_target_name(guest::pci_device_dir(pf_) / "driver") == std::string(backend_driver);
}

}  // namespace xe_pfvf::stress
