// Every refusal `translate` can give from userspace, each with its errno
// (drivers/xe_pfvf/xe_pfvf_table.c, "DOC: translation"), and the file's
// request protocol.

#include "guest_fixture.hpp"
#include "platform.hpp"
#include "sys.hpp"
#include "vfio.hpp"

#include <cerrno>
#include <string>
#include <system_error>

#include <fcntl.h>

namespace xe_pfvf::guest {
namespace {

constexpr std::uint64_t four_gib = std::uint64_t{1} << 32;

class XlateErrno : public GuestTest {
protected:
    [[nodiscard]] const VfModel& first_vf() const { return model().vfs.front(); }
    /// A VF number that is not @vf's.
    [[nodiscard]] static unsigned other_vf(const VfModel& vf) { return vf.vf == 1 ? 2 : 1; }

    /// Writing @req must fail with EINVAL.
    void expect_refused_write(const std::string& req) const {
        SCOPED_TRACE(req);
        try {
            static_cast<void>(run(req));
            ADD_FAILURE() << "the write was accepted";
        } catch (const std::system_error& e) {
            EXPECT_EQ(e.code().value(), EINVAL) << e.what();
        }
    }
};

TEST_F(XlateErrno, ZeroLengthIsEINVAL) {
    const VfModel& vf = first_vf();
    expect_err(request("lmem", 0, 0, vf_option(vf.vf)), err_inval);
    expect_err(request("bar", 0, 0, vf_option(vf.vf)), err_inval);
    expect_err(request("cpu", vf.bar.cpu, 0), err_inval);
    expect_err(request("bus", vf.bar.bus, 0), err_inval);
}

TEST_F(XlateErrno, WrapAroundIsEOVERFLOW) {
    const VfModel& vf = first_vf();
    expect_err(request("cpu", ~std::uint64_t{0}, 2), err_overflow);
    expect_err(request("bus", ~std::uint64_t{0} - page + 1, 2 * page), err_overflow);
    expect_err(request("lmem", ~std::uint64_t{0} - page + 1, 2 * page, vf_option(vf.vf)), err_overflow);
}

TEST_F(XlateErrno, UnalignedWithAlignedFlagIsEDOM) {
    const VfModel& vf = first_vf();
    const std::string opt = vf_option(vf.vf) + " aligned";
    expect_err(request("lmem", page / 2, page, opt), err_dom);
    expect_err(request("lmem", 0, page / 2, opt), err_dom);
    expect_err(request("bar", 1, page, opt), err_dom);
    expect_err(request("cpu", vf.bar.cpu + 0x10, page, "aligned"), err_dom);
}

TEST_F(XlateErrno, OtherVfsAddressIsEXDEV) {
    for (const VfModel& vf : model().vfs) {
        const std::string opt = vf_option(other_vf(vf));
        expect_err(request("cpu", vf.bar.cpu, page, opt), err_xdev);
        expect_err(request("bus", vf.bar.bus + 0x10, 0x20, opt), err_xdev);
    }
}

TEST_F(XlateErrno, PfBarIsEPERM) {
    const auto bar = first_memory_bar(parse_pci_resources(read_file(pci_device_dir(pf()) / "resource")));
    ASSERT_TRUE(bar.has_value()) << "PF " << pf() << " has no memory BAR";
    expect_err(request("cpu", bar->start, page), err_perm);
    expect_err(request("cpu", bar->end, 1), err_perm);
    expect_err(request("cpu", bar->start, page, vf_option(first_vf().vf)), err_perm);
}

TEST_F(XlateErrno, SystemRamIsEFAULT) {
    const auto entries = parse_iomem(read_file("/proc/iomem"));
    const auto ram = system_ram_page(entries);
    ASSERT_TRUE(ram.has_value()) << "no System RAM in /proc/iomem";
    expect_err(request("cpu", *ram, page), err_fault);
    expect_err(request("cpu", *ram + 0x10, 0x20, vf_option(first_vf().vf)), err_fault);
    // Only CPU addresses are looked up in the RAM map.
    expect_err(request("bus", *ram, page), err_addrnotavail);
}

TEST_F(XlateErrno, UnassignedAddressIsEADDRNOTAVAIL) {
    const auto entries = parse_iomem(read_file("/proc/iomem"));
    const auto hole = unassigned_page_below(entries, four_gib);
    ASSERT_TRUE(hole.has_value()) << "no gap below 4 GiB in /proc/iomem";
    SCOPED_TRACE("unassigned page " + hex(*hole));
    expect_err(request("cpu", *hole, page), err_addrnotavail);
    expect_err(request("bus", *hole, page), err_addrnotavail);
    expect_err(request("cpu", *hole, 1, vf_option(first_vf().vf)), err_addrnotavail);
}

TEST_F(XlateErrno, NoSuchVfIsENOENT) {
    expect_err(request("lmem", 0, page, vf_option(99)), err_noent);
    expect_err(request("bar", 0, page, vf_option(99)), err_noent);
    expect_err(request("lmem", 0, page), err_noent);  // no vf= at all
    expect_err(request("bar", 0, page, vf_option(0)), err_noent);
}

TEST_F(XlateErrno, MalformedRequestIsRefused) {
    expect_refused_write("bogus 0 0x1000 vf=1");
    // debugfs has no IOVA space: nothing there could keep the VF's IOMMU
    // domain alive under the walk (KUnit tests the IOVA walk in a domain
    // of its own).
    expect_refused_write("iova 0 0x1000 vf=1");
    expect_refused_write("lmem 0x1000");
    expect_refused_write("lmem zz 0x1000 vf=1");
    expect_refused_write("lmem 0 0x1000 vf=70000");
    expect_refused_write("lmem 0 0x1000 vf=1 sideways");
    expect_refused_write("lmem 0 0x10000000000000000 vf=1");
    expect_refused_write("lmem 0 0x1000 vf=1 " + std::string(300, 'x'));
}

// "Each open file keeps its own last result."
TEST_F(XlateErrno, EachOpenFileKeepsItsOwnResult) {
    const VfModel& vf = first_vf();
    const std::string req_a = request("lmem", 0, page, vf_option(vf.vf));
    const std::string req_b = request("lmem", 0, 0, vf_option(vf.vf));
    const UniqueFd a = open_fd(translator().path(), O_RDWR);
    const UniqueFd b = open_fd(translator().path(), O_RDWR);
    const std::string text_b = translate_on(b.get(), req_b);
    const std::string text_a = translate_on(a.get(), req_a);
    EXPECT_EQ(parse_translation(text_a).err, 0);
    EXPECT_EQ(parse_translation(text_b).err, err_inval);
}

// One open file, two requests in turn: each read returns the whole result
// of the request just written.
TEST_F(XlateErrno, OneOpenFileServesSuccessiveRequests) {
    const VfModel& vf = first_vf();
    const UniqueFd fd = open_fd(translator().path(), O_RDWR);
    const std::string first = request("lmem", 0, 2 * page, vf_option(vf.vf));
    const std::string second = request("lmem", page, 3 * page, vf_option(vf.vf));
    EXPECT_EQ(translate_on(fd.get(), first), translate_on(open_fd(translator().path(), O_RDWR).get(), first));
    EXPECT_EQ(translate_on(fd.get(), second), translate_on(open_fd(translator().path(), O_RDWR).get(), second));
}

}  // namespace
}  // namespace xe_pfvf::guest
