#pragma once

// The VMM's side of the stress run: each VF held as a VMM holds it, bound
// to the sample variant driver, opened through VFIO, with its device
// request channel served so that VF removal never waits on us; and the
// pool of dma-bufs it exported, which the importer threads take from.

#include "sys.hpp"
#include "vfio.hpp"
#include "vfio_dmabuf.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

namespace xe_pfvf::stress {

/// The sample VF variant driver the dma-bufs come from.
inline constexpr std::string_view variant_driver = "xe_pfvf_vfio_pci";

/// The PCI address of VF @vf (1-based) of @pf, or nullopt while the VF is
/// not enabled.
[[nodiscard]] std::optional<std::string> vf_bdf(const std::string& pf, unsigned vf);

/// A dma-buf the VMM exported.
struct ExportedBuffer {
    guest::UniqueFd fd;
    unsigned vf = 0;
    std::vector<std::uint64_t> pages;                ///< LMEM offset of each 4 KiB page, in buffer order
    std::chrono::steady_clock::time_point exported;  ///< when the export returned
};

/// The exported buffers the importers pick from: the newest ones, at most
/// a few; older ones are closed when they fall out (an importer may still
/// hold one).
class BufferPool {
public:
    explicit BufferPool(std::size_t capacity) : capacity_(capacity) {}

    void push(std::shared_ptr<const ExportedBuffer> buffer);
    /// The newest buffer or a random one, or nullptr if there is none.
    [[nodiscard]] std::shared_ptr<const ExportedBuffer> pick(std::mt19937_64& rng) const;
    /// The newest buffer, or nullptr.
    [[nodiscard]] std::shared_ptr<const ExportedBuffer> newest() const;
    /// Takes @buffer out (known dead for good).
    void drop(const std::shared_ptr<const ExportedBuffer>& buffer);
    void clear();

private:
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::deque<std::shared_ptr<const ExportedBuffer>> buffers_;
};

/// One VF as the VMM holds it.  Thread-safe: the VMM thread opens, serves
/// the request channel and closes; other threads use the open device fd
/// through with_device().
class VmmVf {
public:
    VmmVf(std::string pf, unsigned vf, unsigned lmem_bar) : pf_(std::move(pf)), vf_(vf), lmem_bar_(lmem_bar) {}

    [[nodiscard]] unsigned vf() const noexcept { return vf_; }
    [[nodiscard]] bool is_open() const;

    /// Binds the VF to the variant driver, joins its group to a new type1
    /// container, opens the device, arms the request channel and enables
    /// the memory, as a VMM starting a guest.  Throws std::system_error
    /// (ENODEV when the VF is not enabled, or was being removed meanwhile:
    /// then it is closed again at once).
    void open();
    /// Waits up to @timeout for the kernel to ask for the device back; if
    /// it does (the VF is being removed), closes everything and returns
    /// true.
    bool serve_request(std::chrono::milliseconds timeout);
    /// Closes the device fd and opens it again, as a VMM that restarts
    /// (closing revokes the VF's dma-bufs for good).
    void reopen();
    /// Closes the device, leaves the container, unbinds the VF.
    void close();

    /// Runs @use with the open device fd; false if the VF is not open.
    bool with_device(const std::function<void(int)>& use) const;

    /// Exports @ranges of the LMEM BAR (page-aligned) as one dma-buf.
    /// Throws std::system_error; ENODEV if the VF is not open.
    [[nodiscard]] std::shared_ptr<const ExportedBuffer> export_ranges(std::span<const guest::RegionRange> ranges) const;
    /// Size of the LMEM BAR as VFIO reports it; 0 if the VF is not open.
    [[nodiscard]] std::uint64_t bar_size() const;

    /// The guest cleared the memory enable bit (the write returned); call
    /// from inside with_device().
    void memory_disabled() noexcept;
    /// The guest is about to set it again.
    void memory_enabling() noexcept { memory_off_.store(0); }
    /// Nonzero, and the same, for as long as the memory stays disabled
    /// since one memory_disabled(); 0 when it may be enabled.  The VF's
    /// dma-bufs are revoked meanwhile.
    [[nodiscard]] std::uint64_t memory_off() const noexcept { return memory_off_.load(); }

private:
    struct Open {
        Open(const std::string& bdf, unsigned lmem_bar);

        std::string bdf;
        guest::DriverBinding binding;
        guest::VfioContainer container;
        guest::VfioGroup group;
        guest::UniqueFd device;
        std::optional<guest::RequestChannel> request;
        std::uint64_t bar_size = 0;
    };

    std::string pf_;
    unsigned vf_;
    unsigned lmem_bar_;
    mutable std::shared_mutex mutex_;  ///< exclusive to open or close, shared to use
    std::optional<Open> open_;
    std::atomic<std::uint64_t> memory_off_{0};
};

}  // namespace xe_pfvf::stress
