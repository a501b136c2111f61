#include "vmm.hpp"

#include <cerrno>
#include <system_error>
#include <utility>

namespace xe_pfvf::stress {

namespace {

unsigned group_of(const std::string& bdf) {
    const auto group = guest::iommu_group_of(bdf);
    if (!group) {
        throw std::system_error(ENODEV, std::generic_category(), bdf + " has no IOMMU group");
    }
    return *group;
}

guest::UniqueFd open_device(guest::VfioContainer& container, const guest::VfioGroup& group, const std::string& bdf) {
    container.set_iommu();
    return group.device(bdf);
}

}  // namespace

std::optional<std::string> vf_bdf(const std::string& pf, unsigned vf) {
    return guest::link_target_name(guest::pci_device_dir(pf) / ("virtfn" + std::to_string(vf - 1)));
}

void BufferPool::push(std::shared_ptr<const ExportedBuffer> buffer) {
    const std::scoped_lock lock(mutex_);
    buffers_.push_back(std::move(buffer));
    while (buffers_.size() > capacity_) {
        buffers_.pop_front();
    }
}

std::shared_ptr<const ExportedBuffer> BufferPool::pick(std::mt19937_64& rng) const {
    const std::scoped_lock lock(mutex_);
    if (buffers_.empty()) {
        return nullptr;
    }
    // The newest half the time: older ones are more often revoked for good.
    if (std::bernoulli_distribution(0.5)(rng)) {
        return buffers_.back();
    }
    return buffers_.at(std::uniform_int_distribution<std::size_t>(0, buffers_.size() - 1)(rng));
}

std::shared_ptr<const ExportedBuffer> BufferPool::newest() const {
    const std::scoped_lock lock(mutex_);
    return buffers_.empty() ? nullptr : buffers_.back();
}

void BufferPool::drop(const std::shared_ptr<const ExportedBuffer>& buffer) {
    const std::scoped_lock lock(mutex_);
    std::erase(buffers_, buffer);
}

void BufferPool::clear() {
    const std::scoped_lock lock(mutex_);
    buffers_.clear();
}

VmmVf::Open::Open(const std::string& bdf_, unsigned lmem_bar)
    : bdf(bdf_),
      binding(bdf_, std::string(variant_driver)),
      group(group_of(bdf_), container),
      device(open_device(container, group, bdf_)),
      request(std::in_place, device.get()),
      bar_size(guest::region_info(device.get(), lmem_bar).size) {
    guest::enable_memory(device.get());
}

bool VmmVf::is_open() const {
    const std::shared_lock lock(mutex_);
    return open_.has_value();
}

void VmmVf::open() {
    const auto bdf = vf_bdf(pf_, vf_);
    if (!bdf) {
        throw std::system_error(ENODEV, std::generic_category(), "VF" + std::to_string(vf_) + " is not enabled");
    }
    const std::unique_lock lock(mutex_);
    if (open_) {
        return;
    }
    memory_off_.store(0);
    open_.emplace(*bdf, lmem_bar_);
    // The request channel is armed now.  A removal that asked for the
    // device before got no answer, and asks again only 10 s later; but its
    // first step removed the PF's virtfn link: give the device back now.
    if (vf_bdf(pf_, vf_) != bdf) {
        open_.reset();
        throw std::system_error(ENODEV, std::generic_category(), *bdf + " removed while being opened");
    }
}

bool VmmVf::serve_request(std::chrono::milliseconds timeout) {
    {
        const std::shared_lock lock(mutex_);
        if (!open_ || !open_->request || !open_->request->wait(timeout)) {
            return false;
        }
    }
    close();
    return true;
}

void VmmVf::reopen() {
    const std::unique_lock lock(mutex_);
    if (!open_) {
        throw std::system_error(ENODEV, std::generic_category(), "VF" + std::to_string(vf_) + " is not open");
    }
    memory_off_.store(0);
    open_->request.reset();
    open_->device.reset();
    try {
        open_->device = open_->group.device(open_->bdf);
        open_->request.emplace(open_->device.get());
        guest::enable_memory(open_->device.get());
    } catch (...) {
        // Half open is of no use: start again from the binding.
        open_.reset();
        throw;
    }
    // As in open(): a removal may have asked before the channel was armed.
    if (vf_bdf(pf_, vf_) != open_->bdf) {
        const std::string bdf = open_->bdf;
        open_.reset();
        throw std::system_error(ENODEV, std::generic_category(), bdf + " removed while being reopened");
    }
}

void VmmVf::close() {
    const std::unique_lock lock(mutex_);
    memory_off_.store(0);
    open_.reset();
}

void VmmVf::memory_disabled() noexcept {
    static std::atomic<std::uint64_t> epochs{0};
    memory_off_.store(++epochs);
}

bool VmmVf::with_device(const std::function<void(int)>& use) const {
    const std::shared_lock lock(mutex_);
    if (!open_ || !open_->device.valid()) {
        return false;
    }
    use(open_->device.get());
    return true;
}

std::shared_ptr<const ExportedBuffer> VmmVf::export_ranges(std::span<const guest::RegionRange> ranges) const {
    guest::DmabufRequest request;
    request.region_index = lmem_bar_;
    request.ranges.assign(ranges.begin(), ranges.end());
    auto buffer = std::make_shared<ExportedBuffer>();
    buffer->vf = vf_;
    // The LMEM BAR maps LMEM linearly from offset 0.
    for (const guest::RegionRange& r : ranges) {
        for (std::uint64_t page = r.offset; page < r.offset + r.length; page += 4096) {
            buffer->pages.push_back(page);
        }
    }
    const bool open = with_device([&](int fd) {
        buffer->fd = guest::export_dmabuf(fd, request);
        buffer->exported = std::chrono::steady_clock::now();
    });
    if (!open) {
        throw std::system_error(ENODEV, std::generic_category(), "VF" + std::to_string(vf_) + " is not open");
    }
    return buffer;
}

std::uint64_t VmmVf::bar_size() const {
    const std::shared_lock lock(mutex_);
    return open_ ? open_->bar_size : 0;
}

}  // namespace xe_pfvf::stress
