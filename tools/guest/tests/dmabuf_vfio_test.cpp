// VF LMEM exported by the VMM as a dma-buf (VFIO_DEVICE_FEATURE_DMA_BUF on
// the sample VF variant driver) and imported by the owning PF (the software
// PF) over the private interconnect: the PF reads back, through the VRAM
// extents it is given, exactly what it wrote into the VF's LMEM; the
// feature's refusals; revocation while the guest's memory is disabled or
// the VF is reset, restoration once it is back, as upstream vfio-pci does,
// and revocation for good when the device is closed.
//
// The software PF's importer counts the exporter's move_notify calls
// (`notified`): one when a buffer is revoked, one when it is restored.
// After either, the import is unmapped and must map again.

#include "dmabuf_fixture.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <sys/eventfd.h>

namespace xe_pfvf::guest {
namespace {

using namespace std::chrono_literals;
using DmabufVfio = DmabufTest;

TEST_F(DmabufVfio, WholeBarReadsBackThePattern) {
    fill_bar(vf(), seed_a);
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    expect_mapped(slot(0), vf(), whole_bar());
    expect_pattern(slot(0), seed_a, whole_bar());
}

// Ranges out of LMEM order, of different sizes: the buffer is their
// concatenation, in the order asked for.
TEST_F(DmabufVfio, RangesOutOfOrderReadBackInOrder) {
    const std::array<RegionRange, 4> ranges{{{.offset = 3 * page, .length = page},
                                             {.offset = 0, .length = 2 * page},
                                             {.offset = 2 * page, .length = page},
                                             {.offset = page, .length = page}}};
    fill_bar(vf(), seed_b);
    const UniqueFd buf = export_ranges(ranges);
    slot(1).import(buf.get());
    expect_mapped(slot(1), vf(), ranges);
    expect_pattern(slot(1), seed_b, ranges);
}

// The mapping is the VF's memory itself, not a copy: what the PF writes
// after the import is what it reads.
TEST_F(DmabufVfio, PfWritesAfterTheImportAreSeen) {
    const std::array<RegionRange, 1> ranges{{{.offset = page, .length = 2 * page}}};
    fill_bar(vf(), seed_a);
    const UniqueFd buf = export_ranges(ranges);
    slot(0).import(buf.get());
    expect_pattern(slot(0), seed_a, ranges);
    fill_bar(vf(), seed_b);
    expect_pattern(slot(0), seed_b, ranges);
}

// The same buffer imported twice, and another VF's buffer beside it: each
// slot reads its own VF's memory.
TEST_F(DmabufVfio, TwoImportsAndTwoVfs) {
    std::optional<VfioDevice> vf2_device;
    if (!open_vf(1, vf2_device)) {
        GTEST_SKIP() << "needs 2 VFs";
    }
    const VfModel& vf2 = model().vfs[1];
    fill_bar(vf(), seed_a);
    fill_bar(vf2, seed_b);
    const UniqueFd buf1 = export_bar();
    const UniqueFd buf2 = export_ranges(*vf2_device, whole_bar());
    slot(0).import(buf1.get());
    slot(1).import(buf1.get());
    slot(2).import(buf2.get());
    expect_mapped(slot(0), vf(), whole_bar());
    expect_mapped(slot(1), vf(), whole_bar());
    expect_mapped(slot(2), vf2, whole_bar());
    expect_pattern(slot(0), seed_a, whole_bar());
    expect_pattern(slot(1), seed_a, whole_bar());
    expect_pattern(slot(2), seed_b, whole_bar());
}

TEST_F(DmabufVfio, UnmapAndMapAgain) {
    fill_bar(vf(), seed_a);
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    slot(0).ctl("unmap");
    const SlotStatus s = slot(0).status();
    EXPECT_EQ(s.state, "unmapped");
    EXPECT_EQ(s.nr_extents, 0U);
    EXPECT_TRUE(fails_with(ENODATA, [&] { static_cast<void>(slot(0).data()); }));
    slot(0).ctl("map");
    expect_mapped(slot(0), vf(), whole_bar());
    expect_pattern(slot(0), seed_a, whole_bar());
    slot(0).ctl("release");
    EXPECT_EQ(slot(0).status().state, "empty");
}

struct FeatureCase {
    const char* name;
    DmabufRequest request;
    int err;
};

// Every refusal of the feature, with its errno: the variant driver's own
// checks (drivers/xe_pfvf/vfio/xe_pfvf_vfio_pci.c) and the exporter's
// (xe_pfvf_dmabuf_export()).
TEST_F(DmabufVfio, FeatureErrno) {
    const std::uint64_t bar = vf().bar.size;
    const auto req = [this](std::vector<RegionRange> ranges) {
        DmabufRequest r;
        r.region_index = lmem_bar();
        r.ranges = std::move(ranges);
        return r;
    };
    const std::vector<RegionRange> one_page{{.offset = 0, .length = page}};
    std::vector<FeatureCase> cases{
        {"another BAR", req(one_page), ENODEV},
        {"the config region", req(one_page), ENODEV},
        {"nonzero flags", req(one_page), EINVAL},
        {"unknown open flags", req(one_page), EINVAL},
        {"zero ranges", req({}), EINVAL},
        {"too many ranges", req(one_page), E2BIG},
        {"argsz short of the ranges", req({{.offset = 0, .length = page}, {.offset = page, .length = page}}), EINVAL},
        {"unaligned offset", req({{.offset = page / 2, .length = page}}), EINVAL},
        {"unaligned length", req({{.offset = 0, .length = page / 2}}), EINVAL},
        {"zero length", req({{.offset = 0, .length = 0}}), EINVAL},
        {"past the BAR", req({{.offset = bar, .length = page}}), ENXIO},
        {"across the end of the BAR", req({{.offset = bar - page, .length = 2 * page}}), ENXIO},
        {"second range past the BAR", req({{.offset = 0, .length = page}, {.offset = bar, .length = page}}), ENXIO},
        {"offset wraps", req({{.offset = ~std::uint64_t{0} - page + 1, .length = 2 * page}}), EOVERFLOW},
        {"total size wraps", req({{.offset = 0, .length = ~std::uint64_t{0} - page + 1}, {.offset = 0, .length = 2 * page}}),
         EOVERFLOW},
    };
    cases[0].request.region_index = lmem_bar() + 1;
    cases[1].request.region_index = VFIO_PCI_CONFIG_REGION_INDEX;
    cases[2].request.flags = 1;
    cases[3].request.open_flags = O_RDWR | O_APPEND;
    cases[5].request.nr_ranges = 4097;
    cases[6].request.argsz_short = sizeof(std::uint64_t) * 2;
    for (const FeatureCase& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_TRUE(fails_with(c.err, [&] { static_cast<void>(export_dmabuf(device().fd(), c.request)); }));
    }
}

// The software PF's own refusals (its debugfs files).
TEST_F(DmabufVfio, ImporterErrno) {
    const UniqueFd buf = export_bar();
    const UniqueFd not_dmabuf(::eventfd(0, EFD_CLOEXEC));
    ASSERT_TRUE(not_dmabuf.valid());
    EXPECT_TRUE(fails_with(EINVAL, [&] { slot(0).import(not_dmabuf.get()); })) << "not a dma-buf";
    EXPECT_TRUE(fails_with(EBADF, [&] { slot(0).import(1000); })) << "no such fd";
    EXPECT_TRUE(fails_with(EINVAL, [&] { write_attribute(slot(0).dir() / "import", "x"); }));
    EXPECT_TRUE(fails_with(EINVAL, [&] { write_attribute(slot(0).dir() / "import", "3 bogus"); }));
    EXPECT_EQ(slot(0).status().state, "empty");
    EXPECT_TRUE(fails_with(ENOENT, [&] { slot(0).ctl("map"); })) << "map of an empty slot";
    EXPECT_TRUE(fails_with(ENODATA, [&] { static_cast<void>(slot(0).data()); })) << "data of an empty slot";
    EXPECT_TRUE(fails_with(EINVAL, [&] { slot(0).ctl("bogus"); }));

    slot(0).import(buf.get());
    expect_mapped(slot(0), vf(), whole_bar());
    EXPECT_TRUE(fails_with(EBUSY, [&] { slot(0).import(buf.get()); })) << "slot in use";
    const SlotStatus busy = slot(0).status();
    EXPECT_EQ(busy.state, "mapped") << "a refused import leaves the slot's import alone";
    EXPECT_EQ(busy.err, -EBUSY);

    const std::uint64_t quota = vf().extents.back().lmem + vf().extents.back().size;
    EXPECT_TRUE(fails_with(ENOENT, [&] { swpf().fill(0, 0, page, 1); })) << "VF 0";
    EXPECT_TRUE(fails_with(ENOENT, [&] { swpf().fill(99, 0, page, 1); })) << "VF 99";
    EXPECT_TRUE(fails_with(ERANGE, [&] { swpf().fill(vf().vf, quota - page, 2 * page, 1); })) << "past the quota";
    EXPECT_TRUE(fails_with(ERANGE, [&] { swpf().fill(vf().vf, ~std::uint64_t{0}, 2, 1); })) << "wraps";
    EXPECT_TRUE(fails_with(EINVAL, [&] { swpf().fill(vf().vf, 0, 0, 1); })) << "zero length";
    EXPECT_TRUE(fails_with(EINVAL, [&] { swpf().fill_raw("vf=1 lmem=0 len=4096"); })) << "no seed";
    EXPECT_TRUE(fails_with(EINVAL, [&] { swpf().fill_raw("vf=1 vf=1 lmem=0 len=4096 seed=1"); }));
    EXPECT_TRUE(fails_with(EINVAL, [&] { swpf().fill_raw("vf=1 lmem=0 len=4096 seed=1 extra"); }));
    swpf().fill(vf().vf, quota - page, page, 1);
}

// The standard PCIe P2P path from the PF to its VF is what the private
// interconnect replaces: no P2PDMA in the stock kernel, and a host bridge
// that is not on the P2P allow list in the VM.
TEST_F(DmabufVfio, StandardPathIsREMOTEIO) {
    const UniqueFd buf = export_bar();
    KmsgCursor kmsg;
    EXPECT_TRUE(fails_with(EREMOTEIO, [&] { slot(0).import(buf.get(), ImportMode::standard); }));
    const SlotStatus s = slot(0).status();
    EXPECT_EQ(s.state, "empty");
    EXPECT_EQ(s.err, -EREMOTEIO);
    std::vector<std::string> reasons;
    for (const std::string& line : kmsg.read_new()) {
        if (line.find("standard path") != std::string::npos) {
            reasons.push_back(line);
        }
    }
    ASSERT_EQ(reasons.size(), 1U) << "want one exporter line naming the reason";
    // Under the VF, naming the importer; the reason depends on the kernel
    // (no P2PDMA in the stock one, the allow-list in the debug one).
    EXPECT_NE(reasons.front().find(vf().bdf), std::string::npos) << reasons.front();
    EXPECT_NE(reasons.front().find(pf() + " refused"), std::string::npos) << reasons.front();
    // The private interconnect still works on the same buffer.
    slot(0).import(buf.get());
    expect_mapped(slot(0), vf(), whole_bar());
}

/// @slot's `notified`.
unsigned notified(const ImportSlot& slot) { return slot.status().notified; }

// The guest disables the VF's memory (command register): the import is
// notified and maps fail with ENODEV until the guest enables it again;
// then the same import maps again and reads what the VF's memory holds.
TEST_F(DmabufVfio, MemoryDisableRevokesUntilEnabled) {
    fill_bar(vf(), seed_a);
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    expect_mapped(slot(0), vf(), whole_bar());

    disable_memory(device().fd());
    expect_revoked(slot(0), 1);
    EXPECT_TRUE(fails_with(ENODEV, [&] { slot(1).import(buf.get()); })) << "a new import while disabled";

    enable_memory(device().fd());
    EXPECT_EQ(notified(slot(0)), 2U) << "restored when the memory came back";
    slot(0).ctl("map");
    expect_mapped(slot(0), vf(), whole_bar(), 2);
    expect_pattern(slot(0), seed_a, whole_bar());
    slot(1).import(buf.get());
    expect_mapped(slot(1), vf(), whole_bar());
}

// As upstream: an export while the memory is disabled succeeds, and the
// buffer starts revoked; it is importable once the memory is enabled.
TEST_F(DmabufVfio, ExportWhileMemoryDisabledStartsRevoked) {
    fill_bar(vf(), seed_b);
    disable_memory(device().fd());
    const UniqueFd buf = export_bar();
    EXPECT_TRUE(fails_with(ENODEV, [&] { slot(0).import(buf.get()); }));
    EXPECT_EQ(slot(0).status().state, "empty");

    enable_memory(device().fd());
    slot(0).import(buf.get());
    expect_mapped(slot(0), vf(), whole_bar());
    expect_pattern(slot(0), seed_b, whole_bar());
}

// The guest puts the VF in D3hot through its PM capability: revoked until
// it is back in D0.
TEST_F(DmabufVfio, D3hotRevokesUntilD0) {
    const auto pm = find_capability(device().fd(), PCI_CAP_ID_PM);
    if (!pm) {
        GTEST_SKIP() << "VF " << vf().bdf << " has no PM capability";
    }
    fill_bar(vf(), seed_a);
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    set_power_state(device().fd(), *pm, 3);
    expect_revoked(slot(0), 1);
    set_power_state(device().fd(), *pm, 0);
    EXPECT_EQ(notified(slot(0)), 2U) << "restored back in D0";
    slot(0).ctl("map");
    expect_mapped(slot(0), vf(), whole_bar(), 2);
    expect_pattern(slot(0), seed_a, whole_bar());
}

// The VMM puts the device in low power (VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY):
// revoked until it takes it out again.
TEST_F(DmabufVfio, LowPowerRevokesUntilExit) {
    try {
        device_feature(device().fd(),
                       VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY);
    } catch (const std::system_error& e) {
        GTEST_SKIP() << "no low-power feature: " << e.what();
    }
    fill_bar(vf(), seed_b);
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    device_feature(device().fd(), VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY);
    expect_revoked(slot(0), 1);
    device_feature(device().fd(), VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_LOW_POWER_EXIT);
    EXPECT_EQ(notified(slot(0)), 2U) << "restored on exit";
    slot(0).ctl("map");
    expect_mapped(slot(0), vf(), whole_bar(), 2);
    expect_pattern(slot(0), seed_b, whole_bar());
}

// A disable and an enable written from two threads at once, round after
// round: every disable revokes, whichever write vfio-pci applies first, and
// the buffers are back once the memory is enabled.  A driver that looks at
// the command register only after vfio-pci applied the disable misses the
// revocation when the enable slips in between.  Each round also imports a
// buffer exported just before it, which only that round's disable can
// have revoked.
TEST_F(DmabufVfio, DisableRacingEnableAlwaysRevokes) {
    constexpr int rounds = 200;
    const std::array<RegionRange, 1> first_page{{{.offset = 0, .length = page}}};
    fill_bar(vf(), seed_b);
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get());

    const CommandRegister command(device().fd());
    const auto enabled = static_cast<std::uint16_t>(command.read() | PCI_COMMAND_MEMORY);
    const auto disabled = static_cast<std::uint16_t>(enabled & ~PCI_COMMAND_MEMORY);
    std::atomic<int> armed{0};
    std::atomic<int> written{0};
    std::exception_ptr enabler_error;
    std::jthread enabler([&](const std::stop_token& stop) {
        try {
            for (int round = 1; round <= rounds; ++round) {
                while (armed.load(std::memory_order_acquire) < round) {
                    if (stop.stop_requested()) {
                        return;
                    }
                    std::this_thread::yield();
                }
                command.write(enabled);
                written.store(round, std::memory_order_release);
            }
        } catch (...) {
            enabler_error = std::current_exception();
            written.store(rounds, std::memory_order_release);
        }
    });

    int unrevoked = 0;      // rounds whose fresh import was never notified
    int unrestored = 0;     // rounds whose fresh import was not restored
    int enable_first = 0;   // rounds where the enable was applied first
    int miscounted = 0;     // rounds that did not notify the long-lived import twice
    int first_bad = 0;
    unsigned before = 0;
    for (int round = 1; round <= rounds; ++round) {
        const UniqueFd fresh = export_ranges(first_page);
        slot(1).import(fresh.get());

        armed.store(round, std::memory_order_release);
        command.write(disabled);
        while (written.load(std::memory_order_acquire) < round) {
            std::this_thread::yield();
        }
        if (enabler_error) {
            break;
        }
        if ((command.read() & PCI_COMMAND_MEMORY) == 0) {
            ++enable_first;
            command.write(enabled);
        }

        const unsigned fresh_notified = notified(slot(1));
        const unsigned now = notified(slot(0));
        const bool bad = fresh_notified == 0 || fresh_notified == 1 || now != before + 2;
        unrevoked += fresh_notified == 0 ? 1 : 0;
        unrestored += fresh_notified == 1 ? 1 : 0;
        miscounted += now != before + 2 ? 1 : 0;
        if (bad && first_bad == 0) {
            first_bad = round;
        }
        before = now;
        slot(1).ctl("release");
    }
    enabler.request_stop();
    enabler.join();
    if (enabler_error) {
        std::rethrow_exception(enabler_error);
    }

    EXPECT_EQ(unrevoked, 0) << "disables that revoked nothing (first bad round " << first_bad << ", the enable "
                            << "was applied first in " << enable_first << " of " << rounds << " rounds)";
    EXPECT_EQ(unrestored, 0) << "rounds that ended with the memory enabled and the buffer revoked";
    EXPECT_EQ(miscounted, 0) << "rounds without exactly one revocation and one restoration of the first import";
    EXPECT_EQ(notified(slot(0)), 2U * rounds);
    slot(0).ctl("map");
    expect_mapped(slot(0), vf(), whole_bar(), 2 * rounds);
    expect_pattern(slot(0), seed_b, whole_bar());
}

// A function reset through sysfs, as an administrator or the PCI core
// would do it: the imports are revoked before the reset (reset_prepare),
// and restored right after it, the memory being enabled.
TEST_F(DmabufVfio, SysfsResetRevokesAndRestores) {
    fill_bar(vf(), seed_a);
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    slot(1).import(buf.get());
    KmsgCursor kmsg;
    write_attribute(pci_device_dir(vf().bdf) / "reset", "1");
    EXPECT_GE(notified(slot(0)), 1U) << "not revoked by the time the reset was done";
    // The restoration follows reset_done from a work item.
    EXPECT_TRUE(poll_until([&] { return notified(slot(0)) == 2 && notified(slot(1)) == 2; }, 10s))
        << "not restored after the reset: notified " << notified(slot(0)) << " and " << notified(slot(1));
    // The exporter complains when importers do not unmap a revoked buffer
    // in time: move_notify must unmap at once.
    for (const std::string& line : kmsg.read_new()) {
        EXPECT_EQ(line.find("not revoked after"), std::string::npos) << line;
    }
    slot(0).ctl("map");
    slot(1).ctl("map");
    expect_mapped(slot(0), vf(), whole_bar(), 2);
    expect_pattern(slot(0), seed_a, whole_bar());
    expect_pattern(slot(1), seed_a, whole_bar());
}

// VFIO_DEVICE_RESET revokes under the reset and restores before it
// returns.
TEST_F(DmabufVfio, VfioDeviceResetRevokesAndRestores) {
    fill_bar(vf(), seed_b);
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    reset_device(device().fd());
    EXPECT_EQ(notified(slot(0)), 2U) << "want one revocation and one restoration";
    slot(0).ctl("map");
    expect_mapped(slot(0), vf(), whole_bar(), 2);
    expect_pattern(slot(0), seed_b, whole_bar());
    slot(1).import(buf.get());
    expect_mapped(slot(1), vf(), whole_bar());
}

// The guest resets the VF through its PCIe capability (Initiate FLR):
// vfio-pci resets the function within the config write, which revokes
// and restores before it returns.
TEST_F(DmabufVfio, GuestFlrRevokesAndRestores) {
    fill_bar(vf(), seed_a);
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    if (!initiate_flr(device().fd())) {
        GTEST_SKIP() << "VF " << vf().bdf << " has no PCIe capability";
    }
    EXPECT_EQ(notified(slot(0)), 2U) << "want one revocation and one restoration";
    slot(0).ctl("map");
    expect_mapped(slot(0), vf(), whole_bar(), 2);
    expect_pattern(slot(0), seed_a, whole_bar());
}

// The VMM closes the device (the guest is gone) while the PF still imports
// a buffer: the import is revoked for good, even once the VMM opens the
// device again; the buffer lives on as long as the importer holds it, and
// letting go of it after both fds are closed is clean.
TEST_F(DmabufVfio, ClosingTheDeviceRevokesForGood) {
    fill_bar(vf(), seed_a);
    UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    device().close();
    expect_revoked(slot(0), 1);

    device().reopen();
    enable_memory(device().fd());
    EXPECT_TRUE(fails_with(ENODEV, [&] { slot(0).ctl("map"); })) << "a buffer of the closed device";
    EXPECT_EQ(notified(slot(0)), 1U) << "opening the device again restores nothing";
    const UniqueFd again = export_bar();
    slot(1).import(again.get());
    expect_mapped(slot(1), vf(), whole_bar());
    expect_pattern(slot(1), seed_a, whole_bar());

    buf.reset();
    expect_revoked(slot(0), 1);
    slot(0).ctl("release");
    EXPECT_EQ(slot(0).status().state, "empty");
}

}  // namespace
}  // namespace xe_pfvf::guest
