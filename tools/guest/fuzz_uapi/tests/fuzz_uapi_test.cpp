// Host tests of the fuzzer's parts that need no kernel: the mutator is
// deterministic and keeps its hands off pointers, the canary check catches
// a write past a buffer, and the oracle and corpus agree with the uAPI.

#include "arena.hpp"
#include "call.hpp"
#include "corpus.hpp"
#include "guard.hpp"
#include "mutator.hpp"
#include "options.hpp"
#include "tally.hpp"
#include "oracle.hpp"

#include <linux/xe_pfvf.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fcntl.h>
#include <set>
#include <unistd.h>
#include <sstream>
#include <vector>

namespace xe_pfvf::fuzz {
namespace {

constexpr std::uint32_t pf_bdf = XE_PFVF_BDF(0, 1, 0, 0);
constexpr std::uint32_t vf1_bdf = XE_PFVF_BDF(0, 1, 0, 1);
constexpr std::uint32_t vf2_bdf = XE_PFVF_BDF(0, 1, 0, 2);
constexpr std::uint64_t quota = 0x10000;
constexpr std::uint64_t bar = 0x4000;

// One PF, VF1 and VF2 provisioned (64 KiB in two extents each, 16 KiB
// BARs), VF3 disabled.
World small_world() {
    World w;
    w.caps = XE_PFVF_CAP_RAW_ADDR | XE_PFVF_CAP_EXPORT;
    w.max_handles = 1024;
    PfInfo pf;
    pf.bdf = pf_bdf;
    pf.total_vfs = 3;
    pf.num_vfs = 2;
    pf.vram_size = 1ULL << 30U;
    pf.driver = "xe_pfvf_swpf";
    pf.bars.push_back({.start = 0xfe000000, .size = 0x4000});
    for (std::uint16_t n = 1; n <= 2; ++n) {
        VfSlot s;
        s.vfid = n;
        s.bdf = n == 1 ? vf1_bdf : vf2_bdf;
        s.state = XE_PFVF_VF_PROVISIONED;
        s.generation = n;
        s.quota = quota;
        s.nr_extents = 2;
        s.bar_size = bar;
        s.bar_cpu = 0xfd000000 + static_cast<std::uint64_t>(n - 1) * bar;
        s.bar_bus = s.bar_cpu;
        const std::uint64_t vram = 0x100000ULL * n;
        s.extents = {{.lmem = 0, .vram = vram, .size = quota / 2}, {.lmem = quota / 2, .vram = vram + 0x80000, .size = quota / 2}};
        pf.vfs.push_back(s);
    }
    VfSlot off;
    off.vfid = 3;
    pf.vfs.push_back(off);
    w.pfs.push_back(pf);
    w.functions = {XE_PFVF_BDF(0, 0, 0, 0), pf_bdf, vf1_bdf, vf2_bdf};
    w.virtfns = {vf1_bdf, vf2_bdf};
    return w;
}

bool same(const Call& a, const Call& b) {
    const auto flips_equal = std::equal(a.flips.begin(), a.flips.end(), b.flips.begin(), b.flips.end(),
                                        [](const Flip& x, const Flip& y) { return x.offset == y.offset && x.mask == y.mask; });
    return a.ioc == b.ioc && a.cmd == b.cmd && a.bytes == b.bytes && a.arg.where == b.arg.where &&
           a.arg.bytes == b.arg.bytes && a.arg.misalign == b.arg.misalign && a.array.where == b.array.where &&
           a.array.bytes == b.array.bytes && a.handle == b.handle && a.fd == b.fd && a.pick == b.pick && flips_equal &&
           a.what == b.what;
}

Context plain() {
    Context ctx;
    ctx.array_pointer = 0x10000000;
    ctx.array_writable = 1U << 20U;
    return ctx;
}

TEST(FuzzMutator, SameSeedSameCalls) {
    const World w = small_world();
    const Corpus corpus = build_corpus(w, {vf1_bdf});
    const Hints hints = make_hints(w);
    Mutator a(42);
    Mutator b(42);
    Mutator c(43);
    unsigned differ = 0;
    for (unsigned i = 0; i < 2000; ++i) {
        const auto& items = corpus.at(i % ioc_count);
        const Call& base = items[i % items.size()];
        const Call x = a.mutate(base, hints);
        const Call y = b.mutate(base, hints);
        const Call z = c.mutate(base, hints);
        ASSERT_TRUE(same(x, y)) << "call " << i << ": " << x.what << " / " << y.what;
        differ += same(x, z) ? 0 : 1;
        EXPECT_FALSE(x.what.empty());
        EXPECT_TRUE(x.mutated);
    }
    EXPECT_GT(differ, 1900U) << "another seed gives (almost) the same calls";
}

TEST(FuzzMutator, NeverTouchesPointers) {
    const World w = small_world();
    const Hints hints = make_hints(w);
    Call base = build_corpus(w, {}).at(static_cast<std::size_t>(Ioc::translate)).front();
    const Field& ptr = layout(Ioc::translate).field("extents");
    base.set(ptr, 0x1122334455667788ULL);
    Mutator m(7);
    for (unsigned i = 0; i < 20000; ++i) {
        const Call c = m.mutate(base, hints);
        if (c.bytes.size() >= layout(Ioc::translate).ver0) {
            ASSERT_EQ(c.get(ptr), 0x1122334455667788ULL) << c.what;
        }
        for (const Flip& f : c.flips) {
            ASSERT_FALSE(layout(Ioc::translate).is_pointer(f.offset)) << c.what;
        }
    }
}

TEST(FuzzMutator, CoversEveryKindOfMutation) {
    const World w = small_world();
    const Corpus corpus = build_corpus(w, {vf1_bdf});
    const Hints hints = make_hints(w);
    Mutator m(1);
    std::set<Where> args;
    std::set<Where> arrays;
    std::set<std::uint32_t> sizes;
    std::set<HandleRef> handles;
    std::set<FdRef> fds;
    unsigned commands = 0;
    for (unsigned i = 0; i < 20000; ++i) {
        const auto& items = corpus.at(i % ioc_count);
        const Call c = m.mutate(items[i % items.size()], hints);
        args.insert(c.arg.where);
        arrays.insert(c.array.where);
        sizes.insert(c.size());
        handles.insert(c.handle);
        fds.insert(c.fd);
        commands += c.cmd != layout(c.ioc).cmd ? 1 : 0;
        if (_IOC_TYPE(c.cmd) == ioc_type && _IOC_DIR(c.cmd) == (_IOC_READ | _IOC_WRITE) && _IOC_NR(c.cmd) < ioc_count) {
            ASSERT_EQ(_IOC_NR(c.cmd), static_cast<unsigned>(c.ioc)) << c.what;  // dispatched: to its own ioctl
        }
        ASSERT_EQ(c.bytes.size(), struct_length(c.ioc, c.size()));
    }
    EXPECT_EQ(args.size(), 8U);
    EXPECT_EQ(arrays.size(), 10U);  // normal too: calls whose array was not moved
    for (const std::uint32_t s : {0U, 1U, 4096U, 4097U, 0xffffffffU}) {
        EXPECT_TRUE(sizes.contains(s)) << "size " << s;
    }
    EXPECT_EQ(handles.size(), 8U);
    EXPECT_EQ(fds.size(), 9U);
    EXPECT_GT(commands, 500U);
}

TEST(FuzzMutator, ChainedMutationsKeepTheCommandToItsStruct) {
    // Mutations on mutations: a command the driver dispatches must be the
    // struct's own ioctl, whatever earlier mutations did to it.
    const World w = small_world();
    const Hints hints = make_hints(w);
    Mutator m(5);
    for (const Ioc ioc : all_iocs) {
        Call c = make_call(ioc);
        for (unsigned i = 0; i < 20000; ++i) {
            c = m.mutate(std::move(c), hints);
            c.what.clear();
            c.flips.clear();
            if (_IOC_TYPE(c.cmd) == ioc_type && _IOC_DIR(c.cmd) == (_IOC_READ | _IOC_WRITE) &&
                _IOC_NR(c.cmd) < ioc_count) {
                ASSERT_EQ(_IOC_NR(c.cmd), static_cast<unsigned>(ioc)) << "after " << i << " mutations";
            }
        }
    }
}

TEST(FuzzGuard, PatternHasNoZeroByte) {
    std::vector<std::uint8_t> buf(4096);
    fill_pattern(buf, 12345);
    EXPECT_EQ(std::count(buf.begin(), buf.end(), 0), 0);
    std::vector<std::uint8_t> other(4096);
    fill_pattern(other, 12346);
    EXPECT_NE(buf, other);
}

TEST(FuzzGuard, CanaryCatchesAnOverwritePastTheDeclaredSize) {
    // A 32-byte struct, its canary after it; the kernel may write 8..16.
    std::vector<std::uint8_t> mem(32 + canary_bytes, 0);
    fill_pattern(std::span(mem).subspan(32), 99);
    Snapshot s;
    s.take(mem);
    const std::vector<ByteRange> allowed{{8, 16}};
    EXPECT_FALSE(s.changed_outside(mem, allowed));

    mem[10] = 0x42;  // allowed
    EXPECT_FALSE(s.changed_outside(mem, allowed));

    mem[32] ^= 0xff;  // first canary byte
    mem[40] ^= 0x01;
    const auto v = s.changed_outside(mem, allowed);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->offset, 32U);
    EXPECT_EQ(v->after, static_cast<std::uint8_t>(s.bytes()[32] ^ 0xffU));
    EXPECT_EQ(v->changed, 2U);
    EXPECT_NE(v->describe().find("byte 32"), std::string::npos);
}

TEST(FuzzGuard, CanaryCatchesAWriteOfAnInputField) {
    std::vector<std::uint8_t> mem(48, 7);
    Snapshot s;
    s.take(mem);
    mem[0] = 8;  // the size field, which the kernel must write back unchanged
    const std::vector<ByteRange> allowed{{40, 48}};
    const auto v = s.changed_outside(mem, allowed);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->offset, 0U);
}

/// What the kernel can read (copy_from_user() into a pipe) and write
/// (copy_to_user() from it) at @address: the bytes that went through, or
/// -1 for EFAULT.
ssize_t kernel_reads(std::uint64_t address, std::size_t n) {
    std::array<int, 2> p{};
    if (::pipe(p.data()) != 0) {
        return -2;
    }
    const ssize_t r = ::write(p[1], reinterpret_cast<const void*>(address), n);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast, performance-no-int-to-ptr)
    ::close(p[0]);
    ::close(p[1]);
    return r < 0 && errno == EFAULT ? -1 : r;
}

ssize_t kernel_writes(std::uint64_t address, std::size_t n) {
    std::array<int, 2> p{};
    if (::pipe(p.data()) != 0) {
        return -2;
    }
    const std::vector<char> zeros(n, 0);
    static_cast<void>(::write(p[1], zeros.data(), n));
    const ssize_t r = ::read(p[0], reinterpret_cast<void*>(address), n);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast, performance-no-int-to-ptr)
    ::close(p[0]);
    ::close(p[1]);
    return r < 0 && errno == EFAULT ? -1 : r;
}

TEST(FuzzArena, PlacementsAreWhatTheKernelSees) {
    Arena arena;
    const std::vector<std::uint8_t> content(48, 0x11);
    const Placed normal = arena.place_struct({Where::normal, 0, 3}, content, 1);
    EXPECT_EQ(normal.address % 8, 3U);
    ASSERT_EQ(normal.view.size(), content.size() + canary_bytes);
    EXPECT_TRUE(std::equal(content.begin(), content.end(), normal.view.begin()));
    EXPECT_EQ(std::count(normal.view.begin() + 48, normal.view.end(), 0), 0);  // the canary
    EXPECT_EQ(kernel_writes(normal.address, 48), 48);

    const Placed straddle = arena.place_struct({Where::straddle, 20, 0}, content, 1);
    EXPECT_EQ(straddle.readable, 20U);
    EXPECT_EQ(kernel_reads(straddle.address, 20), 20);
    EXPECT_EQ(kernel_reads(straddle.address, 21), -1);

    const Placed ro = arena.place_struct({Where::read_only, 0, 0}, content, 1);
    EXPECT_EQ(ro.writable, 0U);
    EXPECT_EQ(kernel_reads(ro.address, 48), 48);
    EXPECT_EQ(kernel_writes(ro.address, 8), -1);
    EXPECT_TRUE(std::equal(content.begin(), content.end(), ro.view.begin()));

    for (const Where w : {Where::prot_none, Where::null, Where::low, Where::kernel, Where::noncanonical}) {
        const Placed bad = arena.place_struct({w, 12345, 0}, content, 1);
        EXPECT_TRUE(bad.view.empty());
        EXPECT_EQ(kernel_reads(bad.address, 4), -1) << where_name(w);
    }

    const Placed arr = arena.place_array({Where::straddle, 100, 0}, 4096, 7);
    EXPECT_EQ(arr.writable, 100U);
    EXPECT_EQ(kernel_writes(arr.address, 100), 100);
    EXPECT_EQ(kernel_writes(arr.address, 101), -1);
    const Placed top = arena.place_array({Where::top, 0, 0}, 4096, 7);
    EXPECT_FALSE(access_ok(top.address, 1));
    const Placed wrap = arena.place_array({Where::wrap, 9, 0}, 4096, 7);
    EXPECT_FALSE(access_ok(wrap.address, 1));
    const Placed whole = arena.place_array({Where::normal, 0, 0}, 256, 7);
    EXPECT_TRUE(access_ok(whole.address, std::uint64_t{max_entries} * max_struct_size));
    EXPECT_EQ(whole.view.size(), 256U);
}

TEST(FuzzOracle, SizeProtocol) {
    const World w = small_world();
    const Context ctx = plain();
    Call c = make_call(Ioc::version);
    EXPECT_TRUE(expect(c, w, ctx).allowed.only_success());
    c.set_size(0);
    EXPECT_TRUE(expect(c, w, ctx).allowed.has(EINVAL));
    c.set_size(XE_PFVF_VERSION_SIZE_VER0 - 1);
    EXPECT_TRUE(expect(c, w, ctx).allowed.has(EINVAL));
    c.set_size(4097);
    EXPECT_TRUE(expect(c, w, ctx).allowed.has(E2BIG));
    c.set_size(4096);
    EXPECT_TRUE(expect(c, w, ctx).allowed.only_success());  // zero tail
    c.bytes[4095] = 1;
    EXPECT_TRUE(expect(c, w, ctx).allowed.has(E2BIG));
    EXPECT_FALSE(expect(c, w, ctx).allowed.has(0));
}

TEST(FuzzOracle, BadStructPointers) {
    const World w = small_world();
    Call c = make_call(Ioc::version);
    c.set_size(XE_PFVF_VERSION_SIZE_VER0 + 64);
    Context ctx = plain();
    ctx.readable = 3;
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "EFAULT");
    ctx.readable = XE_PFVF_VERSION_SIZE_VER0 + 8;  // the tail runs into PROT_NONE
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "EFAULT");
    c.bytes[XE_PFVF_VERSION_SIZE_VER0 + 2] = 9;  // ... after a non-zero byte
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "E2BIG");
    c.bytes[XE_PFVF_VERSION_SIZE_VER0 + 2] = 0;
    ctx.readable = UINT64_MAX;
    ctx.writable = false;  // read-only page: done, then the copy out faults
    const Expectation e = expect(c, w, ctx);
    EXPECT_EQ(e.allowed.describe(), "EFAULT");
    EXPECT_TRUE(e.copy_out_fails);
}

TEST(FuzzOracle, Commands) {
    const World w = small_world();
    Call c = make_call(Ioc::version);
    c.cmd = _IOR(0xBA, 0, struct xe_pfvf_version);
    EXPECT_EQ(expect(c, w, plain()).allowed.describe(), "ENOTTY");
    c.cmd = _IOWR(0xBA, 8, struct xe_pfvf_version);
    EXPECT_EQ(expect(c, w, plain()).allowed.describe(), "ENOTTY");
    c.cmd = _IOWR(0xBA, 0, std::uint64_t);  // the size in the command does not count
    EXPECT_TRUE(expect(c, w, plain()).allowed.only_success());
}

TEST(FuzzOracle, Arrays) {
    const World w = small_world();
    Call c = make_call(Ioc::list_vfs);
    c.set("pf_bdf", pf_bdf);
    c.set("count", 3);
    c.set("entry_size", 64);
    Context ctx = plain();
    Expectation e = expect(c, w, ctx);
    EXPECT_TRUE(e.allowed.only_success());
    EXPECT_EQ(e.avail, 3U);
    c.set("count", max_entries + 1);
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "E2BIG");
    c.set("count", max_entries);  // room for 65536, 3 written
    EXPECT_TRUE(expect(c, w, ctx).allowed.only_success());
    c.set("entry_size", 63);
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "EINVAL");
    c.set("entry_size", 4097);
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "E2BIG");
    c.set("entry_size", 64);
    ctx.array_writable = 64 * 3 - 1;  // the third entry straddles into PROT_NONE
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "EFAULT");
    c.set("count", 0);  // sizing: nothing written
    EXPECT_TRUE(expect(c, w, ctx).allowed.only_success());
    c.set("count", 1);
    ctx.array_pointer = 0xffff888000000000ULL;
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "EFAULT");
    ctx = plain();
    c.set("pf_bdf", vf1_bdf);  // a VF is no PF
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "ENODEV");
    c.set("pad", 1);
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "EINVAL");
}

TEST(FuzzOracle, Translations) {
    const PfInfo pf = small_world().pfs.front();
    const auto one = [&](std::uint16_t vf, std::uint32_t space, std::uint64_t addr, std::uint64_t len, bool aligned) {
        return predict_translation(pf, vf, {space, addr, len, aligned}).allowed.describe();
    };
    const Expectation e = predict_translation(pf, 1, {XE_PFVF_ADDR_LMEM, quota / 2 - 4096, 8192, true});
    ASSERT_TRUE(e.allowed.only_success());
    ASSERT_EQ(e.extents->size(), 2U);  // across the two extents, not contiguous in VRAM
    EXPECT_EQ(e.extents->at(0).start, 0x100000 + quota / 2 - 4096);
    EXPECT_EQ(e.generation, 1U);
    EXPECT_EQ(one(1, XE_PFVF_ADDR_LMEM, 0, 0, false), "EINVAL");
    EXPECT_EQ(one(1, XE_PFVF_ADDR_LMEM, UINT64_MAX, 2, false), "EOVERFLOW");
    EXPECT_EQ(one(1, XE_PFVF_ADDR_LMEM, 1, 4096, true), "EDOM");
    EXPECT_EQ(one(1, XE_PFVF_ADDR_LMEM, 1, 4096, false), "0");
    EXPECT_EQ(one(1, XE_PFVF_ADDR_LMEM, quota - 4096, 4097, false), "ERANGE");
    EXPECT_EQ(one(1, XE_PFVF_ADDR_BAR, bar - 1, 2, false), "ENXIO");
    EXPECT_EQ(one(3, XE_PFVF_ADDR_LMEM, 0, 4096, false), "ENODEV");
    EXPECT_EQ(one(3, XE_PFVF_ADDR_BAR, 0, 4096, false), "ENXIO");  // disabled: no BAR
    EXPECT_EQ(one(1, XE_PFVF_ADDR_CPU, 0xfd000000 + bar, 4096, false), "EXDEV");  // VF2's BAR
    EXPECT_EQ(one(2, XE_PFVF_ADDR_CPU, 0xfd000000 + bar, 4096, false), "0");
    EXPECT_EQ(one(2, XE_PFVF_ADDR_BUS, 0xfd000000 + 2 * bar - 4096, 4097, false), "ENXIO");
    EXPECT_EQ(one(1, XE_PFVF_ADDR_CPU, 0xfe000000, 4096, false), "EPERM");  // the PF's BAR
    EXPECT_EQ(one(1, XE_PFVF_ADDR_CPU, 0x1000, 4096, false), "EPERM|EFAULT|EADDRNOTAVAIL");
}

TEST(FuzzOracle, ExportOwnership) {
    const World w = small_world();
    Call c = make_call(Ioc::export_vf);
    c.set("vf_bdf", vf1_bdf);
    c.set("length", 4096);
    Context ctx = plain();
    FileModel file;
    ctx.file = &file;
    ctx.fd = FdClass::group;
    ctx.fd_vf = vf1_bdf;
    EXPECT_TRUE(expect(c, w, ctx).allowed.only_success());
    ctx.fd_vf = vf2_bdf;
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "EPERM");
    ctx.fd = FdClass::closed;
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "EBADF");
    ctx.fd = FdClass::maybe_closed;
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "EPERM|EBADF");
    c.set("vf_bdf", pf_bdf);
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "ENODEV");
    c.set("vf_bdf", vf1_bdf);
    ctx.fd = FdClass::group;
    ctx.fd_vf = vf1_bdf;
    file.hidden = 1024;
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "ENOSPC");
    c.set("offset", 1);
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "EDOM");
}

TEST(FuzzOracle, HandleFd) {
    const World w = small_world();
    Call c = make_call(Ioc::handle_fd);
    c.set("handle", 0x500000001ULL);
    c.set("fd_flags", O_CLOEXEC | O_RDWR);
    Context ctx = plain();
    FileModel file;
    ctx.file = &file;
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "ENOENT");
    file.handles[0x500000001ULL].length = 4096;
    EXPECT_TRUE(expect(c, w, ctx).allowed.only_success());
    file.handles[0x500000001ULL].fds.assign(16, 3);
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "ENOSPC");
    for (const int bad : {O_WRONLY, O_RDWR | O_WRONLY, O_NONBLOCK}) {
        c.set("fd_flags", static_cast<std::uint64_t>(bad));
        EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "EINVAL") << bad;
    }
    c.set("fd_flags", O_RDONLY);
    ctx.racy = true;
    ctx.handle_known = true;
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "0|ENOENT|ENOSPC");
    ctx.handle_known = false;
    EXPECT_EQ(expect(c, w, ctx).allowed.describe(), "ENOENT");
}

TEST(FuzzCorpus, EveryIoctlAndTheValidCallsSucceed) {
    const World w = small_world();
    const Corpus corpus = build_corpus(w, {vf1_bdf});
    FileModel file;
    for (std::size_t i = 0; i < ioc_count; ++i) {
        EXPECT_FALSE(corpus.at(i).empty()) << ioc_name(all_iocs.at(i));
    }
    unsigned ok = 0;
    for (const Ioc ioc : {Ioc::version, Ioc::list_pfs, Ioc::list_vfs, Ioc::p2p}) {
        for (const Call& c : corpus.at(static_cast<std::size_t>(ioc))) {
            Context ctx = plain();
            ctx.file = &file;
            EXPECT_TRUE(expect(c, w, ctx).allowed.only_success()) << ioc_name(ioc) << " " << hex(c.bytes);
            ++ok;
        }
    }
    for (const Call& c : corpus.at(static_cast<std::size_t>(Ioc::export_vf))) {
        Context ctx = plain();
        ctx.file = &file;
        ctx.fd = FdClass::group;
        ctx.fd_vf = vf1_bdf;
        EXPECT_TRUE(expect(c, w, ctx).allowed.only_success()) << hex(c.bytes);
    }
    unsigned translations = 0;
    for (const Call& c : corpus.at(static_cast<std::size_t>(Ioc::translate))) {
        Context ctx = plain();
        translations += expect(c, w, ctx).allowed.only_success() ? 1 : 0;
    }
    EXPECT_GT(ok, 10U);
    EXPECT_GT(translations, 50U);
}

TEST(FuzzFailures, CountedByKindWithoutTheMutations) {
    Failures f;
    f.add("LIST_VFS on the main file [size 40, flags 0x4]: entry 2: not zero-filled past the first version");
    f.add("LIST_VFS on the main file [array straddle 70 bytes]: entry 2: not zero-filled past the first version");
    f.add("HANDLE_FD on the main file [fd_flags 0x3]: got 0, allowed EINVAL", "HANDLE_FD: got 0, allowed EINVAL");
    EXPECT_EQ(f.count(), 3U);
    std::ostringstream out;
    f.print(out);
    EXPECT_NE(out.str().find("       2  LIST_VFS on the main file: entry 2\n"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("       1  HANDLE_FD: got 0, allowed EINVAL\n"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("FAIL LIST_VFS on the main file [size 40, flags 0x4]"), std::string::npos);
}

TEST(FuzzOptions, Parse) {
    const std::vector<std::string_view> args{"--count", "500", "--seed", "9", "--no-race"};
    const Parsed p = parse_args(args);
    ASSERT_TRUE(std::holds_alternative<Config>(p));
    EXPECT_EQ(std::get<Config>(p).count, 500U);
    EXPECT_EQ(std::get<Config>(p).seed, 9U);
    EXPECT_FALSE(std::get<Config>(p).race);
    const std::vector<std::string_view> bad{"--count", "x"};
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse_args(bad)));
    const std::vector<std::string_view> zero{"--count", "0"};
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse_args(zero)));
}

}  // namespace
}  // namespace xe_pfvf::fuzz
