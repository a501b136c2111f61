// scan() over a fake sysfs/proc/boot tree: libpci reads the config files,
// the analyser the links.

#include "xe_pfvf/p2p.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>
#include <zlib.h>

namespace xe_pfvf::p2p {
namespace {

namespace fs = std::filesystem;

struct ConfigSpace {
    std::uint16_t vendor = 0x1b36;
    std::uint16_t device = 0x0010;
    std::uint8_t header = 0;
    int pcie_type = 0;  // -1: no PCIe capability
    std::optional<Acs> acs;
    std::size_t size = 4096;  // bytes the config file has (64: as for non-root)
};

void put16(std::vector<std::uint8_t>& c, std::size_t at, unsigned v) {
    c.at(at) = static_cast<std::uint8_t>(v & 0xffU);
    c.at(at + 1) = static_cast<std::uint8_t>((v >> 8U) & 0xffU);
}

std::vector<std::uint8_t> config_bytes(const ConfigSpace& cs) {
    std::vector<std::uint8_t> c(4096, 0);
    put16(c, 0x00, cs.vendor);
    put16(c, 0x02, cs.device);
    c[0x0e] = cs.header;
    if (cs.pcie_type >= 0) {
        put16(c, 0x06, 0x0010);  // status: capability list
        c[0x34] = 0x40;
        c[0x40] = 0x10;  // PCI_CAP_ID_EXP, next 0
        put16(c, 0x42, static_cast<unsigned>(cs.pcie_type << 4) | 2U);
        if (cs.acs) {
            put16(c, 0x100, 0x000d);  // PCI_EXT_CAP_ID_ACS
            put16(c, 0x102, 0x0001);  // version 1, next 0
            put16(c, 0x104, cs.acs->cap);
            put16(c, 0x106, cs.acs->ctrl);
        } else {
            put16(c, 0x100, 0x0001);  // AER, so the list is not empty
            put16(c, 0x102, 0x0001);
        }
    }
    c.resize(cs.size);
    return c;
}

void write_file(const fs::path& p, std::string_view text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

class FakeSys : public ::testing::Test {
protected:
    void SetUp() override {
        std::array<char, 64> tmpl{};
        std::snprintf(tmpl.data(), tmpl.size(), "%s", "/tmp/p2p_scan_XXXXXX");  // NOLINT(cppcoreguidelines-pro-type-vararg)
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        root_ = tmpl.data();
        opts_.sysfs = root_ / "sys";
        opts_.proc = root_ / "proc";
        opts_.boot = root_ / "boot";
        fs::create_directories(opts_.sysfs / "bus/pci/devices");
        write_file(opts_.proc / "cpuinfo",
                   "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 23\nmodel\t\t: 1\n\n"
                   "processor\t: 1\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n");
        write_file(opts_.proc / "sys/kernel/osrelease", "6.1.0-test\n");
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }

    // A function at @rel under SYS/devices (e.g. "pci0000:00/0000:00:03.0").
    [[nodiscard]] fs::path add(const std::string& rel, const ConfigSpace& cs) const {
        fs::path dir = opts_.sysfs / "devices" / rel;
        fs::create_directories(dir);
        const auto bytes = config_bytes(cs);
        std::ofstream(dir / "config", std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
                   static_cast<std::streamsize>(bytes.size()));
        std::array<char, 16> id{};
        std::snprintf(id.data(), id.size(), "0x%04x\n", static_cast<unsigned>(cs.vendor));  // NOLINT(cppcoreguidelines-pro-type-vararg)
        write_file(dir / "vendor", id.data());
        std::snprintf(id.data(), id.size(), "0x%04x\n", static_cast<unsigned>(cs.device));  // NOLINT(cppcoreguidelines-pro-type-vararg)
        write_file(dir / "device", id.data());
        fs::create_directory_symlink(dir, opts_.sysfs / "bus/pci/devices" / dir.filename());
        return dir;
    }

    [[nodiscard]] const fs::path& root() const { return root_; }
    ScanOptions& opts() { return opts_; }

private:
    fs::path root_;
    ScanOptions opts_;
};

TEST_F(FakeSys, ReadsHierarchyAndConfigSpace) {
    (void)add("pci0000:00/0000:00:00.0", {0x8086, 0x29c0, 0, -1, std::nullopt});
    (void)add("pci0000:00/0000:00:03.0", {0x1b36, 0x000c, 1, 4, Acs{0x001f, 0x001d}});
    const auto pf = add("pci0000:00/0000:00:03.0/0000:01:00.0", {0x1b36, 0x0010, 0x80, 0, std::nullopt});
    // A VF's config space has no vendor ID; sysfs has it.
    ConfigSpace vfcs{0x1b36, 0x0010, 0, 0, std::nullopt};
    const auto vf = add("pci0000:00/0000:00:03.0/0000:01:00.1", vfcs);
    write_file(pf / "sriov_totalvfs", "4\n");
    fs::create_directory_symlink("../0000:01:00.0", vf / "physfn");
    fs::create_directories(opts().sysfs / "kernel/iommu_groups/6");
    fs::create_directory_symlink(opts().sysfs / "kernel/iommu_groups/6", pf / "iommu_group");
    fs::create_directories(opts().sysfs / "bus/pci/drivers/nvme");
    fs::create_directory_symlink(opts().sysfs / "bus/pci/drivers/nvme", pf / "driver");
    (void)add("pci0000:10/0010:00:00.0", {0x8086, 0x2020, 0, -1, std::nullopt});
    write_file(opts().boot / "config-6.1.0-test", "CONFIG_PCI=y\nCONFIG_PCI_P2PDMA=y\n");

    const Topology t = scan(opts());
    ASSERT_EQ(t.functions.size(), 5U);
    const Function* f = t.find(*parse_bdf("0000:00:03.0"));
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->pcie_type, 4);
    EXPECT_EQ(f->header_type, 1);
    ASSERT_TRUE(f->acs);
    EXPECT_EQ(f->acs->cap, 0x001f);
    EXPECT_EQ(f->acs->ctrl, 0x001d);
    EXPECT_FALSE(f->parent);
    EXPECT_EQ(f->host_bridge, "pci0000:00");

    f = t.find(*parse_bdf("01:00.0"));
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->header_type, 0);  // multi-function bit masked
    EXPECT_EQ(f->pcie_type, 0);
    EXPECT_FALSE(f->acs);
    EXPECT_TRUE(f->acs_readable);
    EXPECT_EQ(f->parent, parse_bdf("00:03.0"));
    EXPECT_EQ(f->iommu_group, 6);
    EXPECT_EQ(f->driver, "nvme");
    EXPECT_EQ(f->sriov_total_vfs, 4);

    f = t.find(*parse_bdf("01:00.1"));
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->physfn, parse_bdf("01:00.0"));
    EXPECT_FALSE(f->parent);
    EXPECT_EQ(f->vendor, 0x1b36);
    EXPECT_FALSE(f->iommu_group);
    EXPECT_EQ(t.upstream(*f)->bdf, *parse_bdf("00:03.0"));
    EXPECT_EQ(t.vfs_of(*parse_bdf("01:00.0")).size(), 1U);

    f = t.find(*parse_bdf("0010:00:00.0"));
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->host_bridge, "pci0000:10");
    EXPECT_EQ(f->pcie_type, -1);

    EXPECT_EQ(t.cpu.vendor, "AuthenticAMD");
    EXPECT_EQ(t.cpu.family, 23);
    EXPECT_EQ(t.p2pdma, P2pdmaConfig::built_in);
    EXPECT_EQ(t.p2pdma_source, (opts().boot / "config-6.1.0-test").string());

    // And the analysis over it (AMD family 23: the host bridge is trusted).
    const auto v = analyse(t, *parse_bdf("01:00.1"), *parse_bdf("01:00.0"));
    EXPECT_EQ(v.map, MapType::host_bridge);
    EXPECT_EQ(v.distance, 2);
    EXPECT_EQ(v.relation, Relation::vf_of_pf);
}

TEST_F(FakeSys, ShortConfigSpaceMeansAcsUnknown) {
    (void)add("pci0000:00/0000:00:00.0", {0x8086, 0x29c0, 0, -1, std::nullopt});
    (void)add("pci0000:00/0000:00:03.0", {0x1b36, 0x000c, 1, 4, Acs{0x001f, 0x001d}, 64});
    const Topology t = scan(opts());
    const Function* f = t.find(*parse_bdf("00:03.0"));
    ASSERT_NE(f, nullptr);
    EXPECT_FALSE(f->acs_readable);
    EXPECT_FALSE(f->acs);
    EXPECT_TRUE(t.find(*parse_bdf("00:00.0"))->acs_readable);
}

TEST_F(FakeSys, P2pdmaFromEachSource) {
    (void)add("pci0000:00/0000:00:00.0", {0x8086, 0x29c0, 0, -1, std::nullopt});
    // Nothing to go by.
    EXPECT_EQ(scan(opts()).p2pdma, P2pdmaConfig::unknown);
    // kallsyms without the symbol, then with it.
    write_file(opts().proc / "kallsyms", "0000000000000000 T _text\n0000000000000000 T pci_p2pdma_distance_many_x\n");
    EXPECT_EQ(scan(opts()).p2pdma, P2pdmaConfig::not_built);
    write_file(opts().proc / "kallsyms", "0000000000000000 T _text\n0000000000000000 T pci_p2pdma_distance_many\n");
    EXPECT_EQ(scan(opts()).p2pdma, P2pdmaConfig::built_in);
    // /proc/config.gz wins over kallsyms.
    gzFile gz = gzopen((opts().proc / "config.gz").c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    const std::string text = "# CONFIG_PCI_P2PDMA is not set\n";
    ASSERT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
    gzclose(gz);
    auto t = scan(opts());
    EXPECT_EQ(t.p2pdma, P2pdmaConfig::not_built);
    EXPECT_EQ(t.p2pdma_source, (opts().proc / "config.gz").string());
    // /boot/config-$(uname -r) wins over both.
    write_file(opts().boot / "config-6.1.0-test", "CONFIG_PCI_P2PDMA=y\n");
    EXPECT_EQ(scan(opts()).p2pdma, P2pdmaConfig::built_in);
    // An explicit option wins over everything.
    opts().p2pdma = P2pdmaConfig::not_built;
    t = scan(opts());
    EXPECT_EQ(t.p2pdma, P2pdmaConfig::not_built);
    EXPECT_EQ(t.p2pdma_source, "option");
}

TEST_F(FakeSys, MissingSysfsIsAnErrno) {
    opts().sysfs = root() / "nowhere";
    try {
        (void)scan(opts());
        FAIL() << "scan of a missing sysfs succeeded";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("p2p scan: open"), std::string::npos);
    }
}

TEST_F(FakeSys, GarbageEntryIsAnError) {
    (void)add("pci0000:00/0000:00:00.0", {0x8086, 0x29c0, 0, -1, std::nullopt});
    fs::create_directories(opts().sysfs / "bus/pci/devices/garbage");
    EXPECT_THROW((void)scan(opts()), std::runtime_error);
}

TEST(P2pScan, RunningSystem) {
    // Whatever this machine is, scan() must read it: every VF's PF and
    // every parent is a function it found, and each function with itself
    // meets at itself (distance 0 unless refused).
    std::error_code ec;
    if (!fs::is_directory("/sys/bus/pci/devices", ec)) {
        GTEST_SKIP() << "no PCI in sysfs here";
    }
    const Topology t = scan();
    ASSERT_FALSE(t.functions.empty());
    for (const auto& f : t.functions) {
        if (f.parent) {
            EXPECT_NE(t.find(*f.parent), nullptr) << f.bdf.str();
        }
        if (f.physfn) {
            EXPECT_NE(t.find(*f.physfn), nullptr) << f.bdf.str();
        }
        EXPECT_FALSE(f.host_bridge.empty()) << f.bdf.str();
        const auto v = analyse(t, f.bdf, f.bdf);
        ASSERT_TRUE(v.common) << f.bdf.str();
        EXPECT_EQ(*v.common, f.bdf);
        EXPECT_EQ(v.path_distance, 0);
        if (!f.acs || !f.acs->redirects()) {
            EXPECT_EQ(v.topology_map, MapType::bus_addr) << f.bdf.str();
        }
    }
}

}  // namespace
}  // namespace xe_pfvf::p2p
