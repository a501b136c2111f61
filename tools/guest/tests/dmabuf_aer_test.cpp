// A PCIe error below the VF, injected with the kernel's aer_inject
// (CONFIG_PCIEAER_INJECT, /dev/aer_inject): the variant driver's
// error_detected revokes the VF's dma-bufs before vfio-pci tells the VMM
// (the error eventfd), and they come back once the PCI core's recovery
// resumes the device, or once the VMM resets it.

#include "dmabuf_fixture.hpp"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <linux/pci_regs.h>
#include <unistd.h>

namespace xe_pfvf::guest {
namespace {

using namespace std::chrono_literals;
using DmabufVfio = DmabufTest;

/// struct aer_error_inj of drivers/pci/pcie/aer_inject.c: what a write to
/// /dev/aer_inject takes.
struct AerErrorInj {
    std::uint8_t bus = 0;
    std::uint8_t dev = 0;
    std::uint8_t fn = 0;
    std::uint32_t uncor_status = 0;
    std::uint32_t cor_status = 0;
    std::uint32_t header_log0 = 0;
    std::uint32_t header_log1 = 0;
    std::uint32_t header_log2 = 0;
    std::uint32_t header_log3 = 0;
    std::uint32_t domain = 0;
};
static_assert(sizeof(AerErrorInj) == 32 && offsetof(AerErrorInj, uncor_status) == 4 &&
              offsetof(AerErrorInj, domain) == 28);

const std::filesystem::path aer_inject_dev{"/dev/aer_inject"};

/// A number in base @base at the start of @text, which it consumes up to
/// @sep (or the end).
unsigned bdf_field(std::string_view& text, char sep, int base, std::string_view bdf) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    const auto used = static_cast<std::size_t>(end - text.data());
    if (ec != std::errc{} || (sep != '\0' && (used >= text.size() || text[used] != sep)) ||
        (sep == '\0' && used != text.size())) {
        throw std::invalid_argument("malformed PCI address " + std::string(bdf));
    }
    text.remove_prefix(sep != '\0' ? used + 1 : used);
    return value;
}

/// Injects the uncorrectable errors @uncor into the device at @bdf
/// ("dddd:bb:dd.f"); 0, or the errno of the write.
int inject(std::string_view bdf, std::uint32_t uncor) {
    std::string_view rest = bdf;
    AerErrorInj e;
    e.domain = bdf_field(rest, ':', 16, bdf);
    e.bus = static_cast<std::uint8_t>(bdf_field(rest, ':', 16, bdf));
    e.dev = static_cast<std::uint8_t>(bdf_field(rest, '.', 16, bdf));
    e.fn = static_cast<std::uint8_t>(bdf_field(rest, '\0', 10, bdf));
    e.uncor_status = uncor;
    const UniqueFd fd = open_fd(aer_inject_dev, O_WRONLY);
    if (::write(fd.get(), &e, sizeof(e)) < 0) {
        return errno;
    }
    return 0;
}

/// The bridge (PCIe port) above @bdf.
std::string upstream_bridge(std::string_view bdf) {
    return std::filesystem::canonical(pci_device_dir(bdf)).parent_path().filename().string();
}

/// How the PCI core's recovery ended, from its last log line.
enum class Recovery { pending, recovered, failed };

// A non-fatal uncorrectable error (a completion timeout) for the VF, or for
// the port above it when the VF has no AER capability (QEMU's NVMe VFs):
// either way the PCI core recovers every device below the port.
TEST_F(DmabufVfio, PcieErrorRevokesUntilRecovered) {
    if (!std::filesystem::exists(aer_inject_dev)) {
        static_cast<void>(run_command({"modprobe", "aer_inject"}));
    }
    if (!std::filesystem::exists(aer_inject_dev)) {
        GTEST_SKIP() << "no " << aer_inject_dev.string() << ": this kernel has no CONFIG_PCIEAER_INJECT";
    }
    // The recovery reaches resume only if every device below the port has
    // error handlers: the other VF is bound to the variant driver too.
    std::optional<VfioDevice> vf2_device;
    static_cast<void>(open_vf(1, vf2_device));

    fill_bar(vf(), seed_a);
    const UniqueFd buf = export_bar();
    slot(0).import(buf.get());
    expect_mapped(slot(0), vf(), whole_bar());

    const ErrorChannel errors(device().fd());
    KmsgCursor kmsg;
    std::string target = vf().bdf;
    int err = inject(target, PCI_ERR_UNC_COMP_TIME);
    if (err == EPROTONOSUPPORT) {
        target = upstream_bridge(vf().bdf);
        err = inject(target, PCI_ERR_UNC_COMP_TIME);
    }
    if (err == EPROTONOSUPPORT || err == ENODEV) {
        GTEST_SKIP() << "aer_inject cannot reach " << target << " (" << std::generic_category().message(err)
                     << "): no AER capability, or the kernel does not own AER here";
    }
    ASSERT_EQ(err, 0) << "injecting into " << target << ": " << std::generic_category().message(err);

    ASSERT_TRUE(errors.wait(10s)) << "vfio-pci never signalled the VMM's error eventfd";
    // The PCI core may finish the recovery (resume restores) before this
    // thread runs: revoked by now, and a map that succeeds must come after
    // the restore, never in between.
    EXPECT_GE(slot(0).status().notified, 1U) << "not revoked by the time the VMM was told";
    int map_err = 0;
    try {
        slot(0).ctl("map");
    } catch (const std::system_error& e) {
        map_err = e.code().value();
    }
    if (map_err == 0) {
        EXPECT_EQ(slot(0).status().notified, 2U) << "mapped while the recovery kept the VF revoked";
        slot(0).ctl("unmap");
    } else {
        EXPECT_EQ(map_err, ENODEV) << "mapping during the recovery";
    }

    Recovery recovery = Recovery::pending;
    const bool ended = poll_until(
        [&] {
            for (const std::string& line : kmsg.read_new()) {
                if (line.find("device recovery successful") != std::string::npos) {
                    recovery = Recovery::recovered;
                } else if (line.find("device recovery failed") != std::string::npos) {
                    recovery = Recovery::failed;
                }
            }
            return recovery != Recovery::pending;
        },
        30s);
    ASSERT_TRUE(ended) << "the PCI core logged no end of the recovery";
    if (recovery == Recovery::recovered) {
        EXPECT_TRUE(poll_until([&] { return slot(0).status().notified == 2; }, 10s))
            << "not restored after resume: notified " << slot(0).status().notified;
    } else {
        // pcie_do_recovery() gives up before resume when a device below the
        // port has no error handlers (the software PF has none): still
        // revoked, until the VMM resets the VF as it does after an error.
        std::cout << "note: the PCI core could not recover the devices below " << upstream_bridge(vf().bdf)
                  << " (one has no error handlers); VFIO_DEVICE_RESET stands in for resume\n";
        expect_revoked(slot(0), 1);
        reset_device(device().fd());
        EXPECT_EQ(slot(0).status().notified, 2U) << "not restored by the reset that ends the error";
    }
    slot(0).ctl("map");
    expect_mapped(slot(0), vf(), whole_bar(), 2);
    expect_pattern(slot(0), seed_a, whole_bar());
}

}  // namespace
}  // namespace xe_pfvf::guest
