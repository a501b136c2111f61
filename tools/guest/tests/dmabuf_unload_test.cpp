// Teardown orders with live file descriptors: the software PF (PF backend
// and importer at once) unloaded under an import, the importer letting go
// before the exporter, and the variant driver unloaded while the VMM still
// holds a dma-buf.  The kernel asks for the VF back through VFIO's request
// channel, and the test answers as a VMM does, by closing the device.
// Every test leaves the modules loaded and the VFs enabled, as it found
// them.  Needs $XE_RIG_MODDIR, where the rig keeps the modules.

#include "dmabuf_fixture.hpp"

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace xe_pfvf::guest {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path pci_drivers{"/sys/bus/pci/drivers"};

/// Runs @argv; throws unless it exits 0.
void must_run(const std::vector<std::string>& argv) {
    const int status = run_command(argv);
    if (status != 0) {
        throw std::runtime_error(argv.front() + " " + argv.back() + ": exit status " + std::to_string(status));
    }
}

class DmabufUnload : public DmabufTest {
protected:
    void SetUp() override {
        // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, before any thread
        const char* const dir = std::getenv("XE_RIG_MODDIR");
        if (dir == nullptr || !std::filesystem::exists(std::filesystem::path(dir) / "xe_pfvf_swpf.ko")) {
            GTEST_SKIP() << "no modules to reload ($XE_RIG_MODDIR)";
        }
        moddir_ = dir;
        DmabufTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        num_vfs_ = read_file(pci_device_dir(pf()) / "sriov_numvfs");
    }

    void TearDown() override {
        // Whatever the test got to, put back what it unloaded.
        try {
            if (!moddir_.empty() && !swpf().exists()) {
                reload_swpf();
            }
            if (!moddir_.empty() && !std::filesystem::exists(pci_drivers / variant_driver)) {
                reload_variant_driver();
            }
        } catch (const std::exception& e) {
            ADD_FAILURE() << "restoring the modules: " << e.what();
        }
        DmabufTest::TearDown();
    }

    /// Loads the software PF again, bound to the PF, with its VFs.
    void reload_swpf() const {
        write_attribute(pci_device_dir(pf()) / "driver_override", "xe_pfvf_swpf");
        must_run({"insmod", (moddir_ / "xe_pfvf_swpf.ko").string()});
        write_attribute(pci_device_dir(pf()) / "sriov_numvfs", num_vfs_);
    }

    void reload_variant_driver() const { must_run({"insmod", (moddir_ / "xe_pfvf_vfio_pci.ko").string()}); }

private:
    std::filesystem::path moddir_;
    std::string num_vfs_;
};

// (a) The PF backend goes while the VMM holds the VF and a dma-buf of it
// and the PF (the same module) holds an import: unloading withdraws the
// VFs, which revokes the buffer and notifies the import; VF removal asks
// the VMM for the device; the importer then lets go.  The dma-buf fd,
// closed last, outlived its VF, its PF registration and the importer.  A
// second buffer, whose fd the VMM closed before, dies with the importer's
// release, after the PF unregistered.
TEST_F(DmabufUnload, BackendBeforeImporter) {
    fill_bar(vf(), seed_a);
    UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    expect_mapped(slot(0), vf(), whole_bar());
    const std::array<RegionRange, 1> first_page{{{.offset = 0, .length = page}}};
    UniqueFd held_by_importer_only = export_ranges(first_page);
    slot(1).import(held_by_importer_only.get());
    held_by_importer_only.reset();
    expect_mapped(slot(1), vf(), first_page);

    const RequestChannel channel(device().fd());
    KmsgCursor kmsg;
    const bool requested =
        run_serving_requests([] { must_run({"rmmod", "xe_pfvf_swpf"}); }, channel, device(), 120s);
    EXPECT_TRUE(requested) << "VF removal never asked for the device";
    // The exporter warns when a revoked buffer's importers do not unmap in
    // time: the importer's move_notify must have unmapped at once.
    for (const std::string& line : kmsg.read_new()) {
        EXPECT_EQ(line.find("revoked dma-buf:"), std::string::npos) << line;
    }
    EXPECT_FALSE(std::filesystem::exists(swpf().dir())) << "debugfs of the unloaded software PF left behind";

    reload_swpf();
    ASSERT_TRUE(swpf().exists());
    EXPECT_TRUE(fails_with(ENODEV, [&] { swpf().slot(3).import(buf.get()); }))
        << "the buffer of a withdrawn VF must stay revoked";
    buf.reset();
}

// (b) The importer lets go first, then the VMM closes the device and the
// dma-buf: nothing is revoked under the importer, nothing is left.
TEST_F(DmabufUnload, ImporterBeforeExporter) {
    fill_bar(vf(), seed_b);
    UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    expect_pattern(slot(0), seed_b, whole_bar());
    slot(0).ctl("release");
    const SlotStatus s = slot(0).status();
    EXPECT_EQ(s.state, "empty");
    EXPECT_EQ(s.notified, 0U) << "released before any revocation";
    device().close();
    buf.reset();
    EXPECT_EQ(slot(0).status().notified, 0U);
}

// (c) The VMM keeps a dma-buf across the unbinding of the VF and the unload
// of the variant driver that exported it: the buffer is revoked (the
// import notified), stays refused, and closing it after the driver is gone
// is clean.
TEST_F(DmabufUnload, VariantDriverUnloadedUnderALiveBuffer) {
    fill_bar(vf(), seed_a);
    UniqueFd buf = export_bar();
    slot(0).import(buf.get());

    const RequestChannel channel(device().fd());
    const std::string bdf = vf().bdf;
    const bool requested = run_serving_requests(
        [&bdf] { write_attribute(pci_drivers / variant_driver / "unbind", bdf); }, channel, device(), 60s);
    EXPECT_TRUE(requested) << "unbinding never asked for the device";
    expect_revoked(slot(0), 1);

    must_run({"rmmod", std::string(variant_driver)});
    EXPECT_TRUE(fails_with(ENODEV, [&] { slot(1).import(buf.get()); }));
    expect_revoked(slot(0), 1);
    slot(0).ctl("release");
    buf.reset();  // the last reference, its exporting driver gone
    reload_variant_driver();
}

}  // namespace
}  // namespace xe_pfvf::guest
