// IOVA translation through a real IOMMU domain: the VFs are bound to
// vfio-pci, their groups put in a type1 container, and their LMEM BAR
// pages (mmap'ed from the VFIO device) mapped at IOVAs.  `translate`
// resolves IOVAs in the VF's current domain, which is then the container's.

#include "guest_fixture.hpp"
#include "sys.hpp"
#include "vfio.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <linux/vfio.h>
#include <sys/mman.h>

namespace xe_pfvf::guest {
namespace {

// IOVA windows, away from the x86 MSI range and from each other.
constexpr std::uint64_t iova_permuted = 0x40000000;
constexpr std::uint64_t iova_in_order = 0x40100000;
constexpr std::uint64_t iova_one_map = 0x40200000;
constexpr std::uint64_t iova_ram = 0x40300000;
constexpr std::uint64_t iova_vf2 = 0x40400000;
constexpr std::uint64_t iova_mixed = 0x40500000;
constexpr std::uint64_t iova_unmapped = 0x40600000;

/// IOVA page i maps BAR page permuted_pages[i]: contiguous in IOVA, not in
/// CPU physical space.
constexpr std::array<unsigned, 4> permuted_pages{2, 0, 3, 1};
constexpr std::array<unsigned, 4> in_order_pages{0, 1, 2, 3};

/// One VF opened through VFIO: bound to vfio-pci, its group in the
/// container, its device open and its LMEM BAR (BAR0) mapped.  Members are
/// torn down in reverse: unmap the BAR, close the device, leave the
/// container, unbind.
class VfioVf {
public:
    enum class Iommu { set, already_set };

    VfioVf(const VfModel& vf, VfioContainer& container, Iommu iommu)
        : binding_(vf.bdf, "vfio-pci"),
          group_(group_of(vf.bdf), container),
          device_(open_device(group_, container, iommu, vf.bdf)),
          bar0_(region_info(device_.get(), VFIO_PCI_BAR0_REGION_INDEX)),
          bar_(Mapping::map(bar0_.size, PROT_READ | PROT_WRITE, MAP_SHARED, device_.get(),
                            static_cast<off_t>(bar0_.offset), vf.bdf + " BAR0")) {}

    [[nodiscard]] const RegionInfo& bar0() const noexcept { return bar0_; }
    /// Process address of BAR page @n.
    [[nodiscard]] std::uintptr_t page_address(unsigned n) const noexcept { return bar_.address() + n * page; }

private:
    static unsigned group_of(const std::string& bdf) {
        const auto group = iommu_group_of(bdf);
        if (!group) {
            throw std::system_error(ENODEV, std::generic_category(), bdf + " has no IOMMU group");
        }
        return *group;
    }

    static UniqueFd open_device(const VfioGroup& group, VfioContainer& container, Iommu iommu,
                                const std::string& bdf) {
        if (iommu == Iommu::set) {
            container.set_iommu();
        }
        return group.device(bdf);
    }

    DriverBinding binding_;
    VfioGroup group_;
    UniqueFd device_;
    RegionInfo bar0_;
    Mapping bar_;
};

class XlateIova : public GuestTest {
protected:
    void SetUp() override {
        GuestTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        if (!std::filesystem::exists("/sys/bus/pci/drivers/vfio-pci") ||
            !std::filesystem::exists("/dev/vfio/vfio")) {
            GTEST_SKIP() << "no vfio-pci (modprobe vfio-pci)";
        }
        vf1_model_ = &model().vfs.front();
        if (vf1_model_->bar.size < permuted_pages.size() * page) {
            GTEST_SKIP() << "VF " << vf1_model_->vf << " LMEM BAR has fewer than 4 pages";
        }
        if (const std::string blockers = vfio_group_blockers(vf1_model_->bdf); !blockers.empty()) {
            GTEST_SKIP() << "VF " << vf1_model_->bdf << "'s IOMMU group also holds " << blockers
                         << " (no ACS isolation on the path): VFIO cannot take the group";
        }
        container_.emplace();
        vf1_.emplace(*vf1_model_, *container_, VfioVf::Iommu::set);
        ASSERT_NE(vf1_->bar0().flags & VFIO_REGION_INFO_FLAG_MMAP, 0U);
        ASSERT_EQ(vf1_->bar0().size, vf1_model_->bar.size) << "VFIO BAR0 size differs from the LMEM BAR";
    }

    /// Opens the second VF in the same container; false if there is none.
    [[nodiscard]] bool open_vf2() {
        if (model().vfs.size() < 2) {
            return false;
        }
        vf2_model_ = &model().vfs[1];
        vf2_.emplace(*vf2_model_, *container_, VfioVf::Iommu::already_set);
        return true;
    }

    /// Maps BAR page pages[i] of @vf at iova + i pages, one page per mapping.
    void map_pages(const VfioVf& vf, std::uint64_t iova, std::span<const unsigned> pages) {
        for (std::size_t i = 0; i < pages.size(); ++i) {
            maps_.emplace_back(*container_, vf.page_address(pages[i]), iova + i * page, page);
        }
    }

    /// Maps @size bytes of memory at @vaddr at @iova, in one mapping.
    void map(std::uintptr_t vaddr, std::uint64_t iova, std::uint64_t size) {
        maps_.emplace_back(*container_, vaddr, iova, size);
    }

    [[nodiscard]] const VfModel& vf1_model() const noexcept { return *vf1_model_; }
    [[nodiscard]] const VfModel& vf2_model() const noexcept { return *vf2_model_; }
    [[nodiscard]] const VfioVf& vf1() const noexcept { return *vf1_; }
    [[nodiscard]] const VfioVf& vf2() const noexcept { return *vf2_; }
    [[nodiscard]] const Mapping& ram() {
        if (ram_.size() == 0) {
            ram_ = Mapping::anonymous(page);
        }
        return ram_;
    }

private:
    // Declared in setup order: destroyed in reverse, DMA mappings first.
    const VfModel* vf1_model_ = nullptr;
    const VfModel* vf2_model_ = nullptr;
    std::optional<VfioContainer> container_;
    std::optional<VfioVf> vf1_;
    std::optional<VfioVf> vf2_;
    Mapping ram_;
    std::vector<DmaMapping> maps_;
};

/// The LMEM ranges behind IOVA pages mapping BAR pages @pages, clipped to
/// [skip, skip + len) of the IOVA range.
std::vector<LmemRange> lmem_behind(std::span<const unsigned> pages, std::uint64_t skip, std::uint64_t len) {
    std::vector<LmemRange> ranges;
    for (std::size_t i = 0; i < pages.size() && len > 0; ++i) {
        const std::uint64_t lo = i * page;
        if (skip >= lo + page) {
            continue;
        }
        const std::uint64_t in = skip > lo ? skip - lo : 0;
        const std::uint64_t n = std::min(page - in, len);
        ranges.push_back({.offset = pages[i] * page + in, .length = n});
        len -= n;
    }
    return ranges;
}

TEST_F(XlateIova, PermutedBarPagesTranslateToModel) {
    map_pages(vf1(), iova_permuted, permuted_pages);
    const std::string opt = vf_option(vf1_model().vf);
    const std::uint64_t window = permuted_pages.size() * page;
    expect_ranges(request("iova", iova_permuted, window, opt), vf1_model(),
                  lmem_behind(permuted_pages, 0, window));
    expect_ranges(request("iova", iova_permuted, window, opt + " aligned"), vf1_model(),
                  lmem_behind(permuted_pages, 0, window));
    for (std::uint64_t off = 0; off < window; off += page) {
        expect_ranges(request("iova", iova_permuted + off, page, opt), vf1_model(),
                      lmem_behind(permuted_pages, off, page));
    }
}

TEST_F(XlateIova, UnalignedIovaRangesTranslateToModel) {
    map_pages(vf1(), iova_permuted, permuted_pages);
    const std::string opt = vf_option(vf1_model().vf);
    const std::array<LmemRange, 5> iova_ranges{{{.offset = 0x800, .length = 0x2000},
                                                {.offset = 0x1, .length = 0x3ffe},
                                                {.offset = 0xfff, .length = 2},
                                                {.offset = 0x2100, .length = 0x100},
                                                {.offset = 0x3ff0, .length = 0x10}}};
    for (const LmemRange& r : iova_ranges) {
        expect_ranges(request("iova", iova_permuted + r.offset, r.length, opt), vf1_model(),
                      lmem_behind(permuted_pages, r.offset, r.length));
    }
    expect_err(request("iova", iova_permuted + 0x800, 0x2000, opt + " aligned"), err_dom);
}

// IOVA pages mapped to consecutive BAR pages form one physical run, looked
// up in one go; the result is the same as for the BAR itself.
TEST_F(XlateIova, InOrderPagesAndOneMappingMatchTheBar) {
    map_pages(vf1(), iova_in_order, in_order_pages);
    map(vf1().page_address(0), iova_one_map, vf1_model().bar.size);
    const std::string opt = vf_option(vf1_model().vf);
    const std::uint64_t window = in_order_pages.size() * page;
    const std::array whole{LmemRange{.offset = 0, .length = window}};
    expect_ranges(request("iova", iova_in_order, window, opt), vf1_model(), whole);
    const std::array bar{LmemRange{.offset = 0, .length = vf1_model().bar.size}};
    expect_ranges(request("iova", iova_one_map, vf1_model().bar.size, opt), vf1_model(), bar);
    expect_ranges(request("cpu", vf1_model().bar.cpu, vf1_model().bar.size), vf1_model(), bar);
}

TEST_F(XlateIova, RamIsEFAULT) {
    map(ram().address(), iova_ram, page);
    expect_err(request("iova", iova_ram, page, vf_option(vf1_model().vf)), err_fault);
    expect_err(request("iova", iova_ram + 0x10, 0x10, vf_option(vf1_model().vf)), err_fault);
}

TEST_F(XlateIova, UnmappedIsEADDRNOTAVAIL) {
    map_pages(vf1(), iova_permuted, permuted_pages);
    expect_err(request("iova", iova_unmapped, page, vf_option(vf1_model().vf)), err_addrnotavail);
    expect_err(request("iova", 0, page, vf_option(vf1_model().vf)), err_addrnotavail);
}

TEST_F(XlateIova, PartlyMappedIsEADDRNOTAVAIL) {
    map_pages(vf1(), iova_permuted, permuted_pages);
    const std::string opt = vf_option(vf1_model().vf);
    const std::uint64_t window = permuted_pages.size() * page;
    // Runs past the end, starts before the start, or both.
    expect_err(request("iova", iova_permuted + window - page, 2 * page, opt), err_addrnotavail);
    expect_err(request("iova", iova_permuted - page, 2 * page, opt), err_addrnotavail);
    expect_err(request("iova", iova_permuted - 1, window + 2, opt), err_addrnotavail);
}

// Both VFs in one container, so in one IOMMU domain: an IOVA of VF2's BAR
// is refused for VF1 and resolves for VF2.
TEST_F(XlateIova, OtherVfsBarInSharedDomainIsEXDEV) {
    if (!open_vf2()) {
        GTEST_SKIP() << "needs 2 VFs";
    }
    map_pages(vf2(), iova_vf2, permuted_pages);
    const std::uint64_t window = permuted_pages.size() * page;
    expect_err(request("iova", iova_vf2, window, vf_option(vf1_model().vf)), err_xdev);
    expect_err(request("iova", iova_vf2 + page, 0x10, vf_option(vf1_model().vf)), err_xdev);
    expect_ranges(request("iova", iova_vf2, window, vf_option(vf2_model().vf)), vf2_model(),
                  lmem_behind(permuted_pages, 0, window));

    // VF1's page then VF2's page, contiguous in IOVA: refused for either.
    map(vf1().page_address(0), iova_mixed, page);
    map(vf2().page_address(0), iova_mixed + page, page);
    expect_err(request("iova", iova_mixed, 2 * page, vf_option(vf1_model().vf)), err_xdev);
    expect_err(request("iova", iova_mixed, 2 * page, vf_option(vf2_model().vf)), err_xdev);
    const std::array first{LmemRange{.offset = 0, .length = page}};
    expect_ranges(request("iova", iova_mixed, page, vf_option(vf1_model().vf)), vf1_model(), first);
    expect_ranges(request("iova", iova_mixed + page, page, vf_option(vf2_model().vf)), vf2_model(), first);
}

}  // namespace
}  // namespace xe_pfvf::guest
