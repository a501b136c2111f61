// xe-pfvf-faultinject: systematic fault injection (fail-nth) into the
// xe_pfvf modules' interfaces, run as root in the test VM on a kernel with
// CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and
// CONFIG_FAULT_INJECTION_DEBUG_FS.  See tools/guest/README.md.

#include "campaign.hpp"
#include "command.hpp"
#include "fail_nth.hpp"
#include "sys.hpp"
#include "target.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fi = xe_pfvf::faultinject;

constexpr std::string_view usage = R"(usage: xe-pfvf-faultinject --moddir DIR [options]

Runs each operation on the xe_pfvf modules with the N-th fault-capable call
of this thread failing (/proc/self/task/<tid>/fail-nth), for N = 1, 2, ...
until the operation completes without reaching its N-th call.  Starts and
ends with no xe_pfvf module loaded.

  --moddir DIR        where xe_pfvf.ko, xe_pfvf_swpf.ko, xe_pfvf_vfio_pci.ko are
  --pf BDF            the SR-IOV PF (default: the first one in sysfs)
  --only OP[,OP...]   only these operations (see --list)
  --max-n N           the bound on N for each operation (default 5000)
  --from N            start at N instead of 1 (to reproduce one fault)
  --health-every K    run the operation again without faults after every Kth
                      armed run (default 1), and always after the first
                      failure of each site and errno, an unusual errno or a
                      splat
  --sample-after R    sample: in the operations that spend hundreds of calls
                      in the module loader, after R N in a row at the same
                      site (or core call path) N grows in doubling steps up
                      to --max-step, and a step out of the run tries every N
                      it skipped; walking down from the end, the same over
                      ground earlier operations covered (default: every N)
  --max-step S        the largest step of --sample-after (default 8)
  --avoid FUNCTION    do not inject into this core kernel function (repeat);
                      pci_enable_sriov and vfio_pci_core_register_device are
                      avoided by default: their 6.1 error paths WARN, leak
                      and BUG
  --no-avoid          inject into them too (to reproduce those bugs)
  --list              list the operations and exit (needs --moddir)
  --help              this text

Prints one report per operation, "RESULT faultinject/<op> PASS|FAIL ..."
lines and a totals line.  Exit status 0 if every operation passed, 1 if
not, 2 on a usage error.
)";

struct Options {
    std::filesystem::path moddir;
    std::optional<std::string> pf;
    std::set<std::string> only;
    fi::Limits limits;
    bool list = false;
    bool no_avoid = false;
};

/// Core kernel functions whose own error paths break under an injected
/// fault in Linux 6.1, so that injecting into them ends the campaign (or
/// the kernel) rather than testing xe_pfvf:
/// - pci_enable_sriov(): device_add() of a VF fails, pci_device_add() only
///   WARNs, the VF's BAR stays claimed, and the next VF enable hits
///   BUG_ON(rc) in pci_iov_add_virtfn() (drivers/pci/probe.c, iov.c);
/// - vfio_pci_core_register_device(), for vfio_create_group() in it:
///   dev_set_name() or cdev_device_add() fails, and put_device() reaches
///   vfio_group_release() with iommu_group still set: WARN_ON, and the
///   iommu_group reference leaks (drivers/vfio/vfio_main.c).  The caller is
///   avoided as a whole because the calls before dev_set_name() in it report
///   no fault (__GFP_NOWARN): the first fault seen inside
///   vfio_create_group() would already be the one that WARNs.
constexpr std::array<std::string_view, 2> known_broken{"pci_enable_sriov", "vfio_pci_core_register_device"};

[[noreturn]] void usage_error(const std::string& what) {
    std::cerr << "xe-pfvf-faultinject: " << what << "\n\n" << usage;
    std::exit(2);  // NOLINT(concurrency-mt-unsafe): single-threaded here
}

unsigned parse_count(std::string_view text, std::string_view option) {
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    if (ec != std::errc{} || ptr != text.data() + text.size() || value == 0) {  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
        usage_error(std::string(option) + " wants a positive number, not '" + std::string(text) + "'");
    }
    return value;
}

Options parse_options(std::span<char*> args) {
    Options options;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const auto value = [&]() -> std::string_view {
            if (i + 1 >= args.size()) {
                usage_error(std::string(arg) + " wants a value");
            }
            return args[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            std::exit(0);  // NOLINT(concurrency-mt-unsafe): single-threaded here
        } else if (arg == "--list") {
            options.list = true;
        } else if (arg == "--moddir") {
            options.moddir = value();
        } else if (arg == "--pf") {
            options.pf = std::string(value());
        } else if (arg == "--only") {
            std::string_view list = value();
            while (!list.empty()) {
                const auto comma = list.find(',');
                options.only.emplace(list.substr(0, comma));
                list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
            }
        } else if (arg == "--max-n") {
            options.limits.max_n = parse_count(value(), arg);
        } else if (arg == "--from") {
            options.limits.first_n = parse_count(value(), arg);
        } else if (arg == "--health-every") {
            options.limits.health_every = parse_count(value(), arg);
        } else if (arg == "--sample-after") {
            options.limits.sample_after = parse_count(value(), arg);
        } else if (arg == "--max-step") {
            options.limits.max_step = parse_count(value(), arg);
        } else if (arg == "--avoid") {
            options.limits.avoid.emplace_back(value());
        } else if (arg == "--no-avoid") {
            options.no_avoid = true;
        } else {
            usage_error("unknown argument " + std::string(arg));
        }
    }
    if (options.moddir.empty()) {
        usage_error("--moddir is required");
    }
    if (!options.no_avoid) {
        options.limits.avoid.insert(options.limits.avoid.end(), known_broken.begin(), known_broken.end());
    }
    return options;
}

/// The first PCI device that can have VFs.
std::string first_pf() {
    for (const auto& entry : std::filesystem::directory_iterator("/sys/bus/pci/devices")) {
        const auto total = entry.path() / "sriov_totalvfs";
        if (std::filesystem::exists(total) && std::stoul(xe_pfvf::guest::read_file(total)) > 0) {
            return entry.path().filename().string();
        }
    }
    throw std::runtime_error("no SR-IOV PF in /sys/bus/pci/devices");
}

int run(const Options& options) {
    fi::TargetConfig config{.moddir = options.moddir, .pf = options.pf.value_or("")};
    if (config.pf.empty() && !options.list) {
        config.pf = first_pf();
    }
    // Opens the module files, touches nothing else.
    fi::Target target(config);
    auto ops = target.operations();
    if (options.list) {
        for (const fi::Operation& op : ops) {
            std::cout << op.name << "  " << op.what << '\n';
        }
        return 0;
    }
    std::erase_if(ops, [&](const fi::Operation& op) { return !options.only.empty() && !options.only.contains(op.name); });
    if (ops.empty()) {
        usage_error("no such operation");
    }

    // Before anything is armed: no page fault may allocate for this thread.
    fi::lock_memory(std::size_t{1} << 20U);
    const fi::FaultKnobs knobs;
    target.require_clean();

    std::cout << "xe-pfvf-faultinject: PF " << config.pf << ", " << ops.size() << " operations, N up to "
              << options.limits.max_n;
    if (options.limits.sample_after != 0) {
        std::cout << ", runs sampled after " << options.limits.sample_after << " N (steps up to "
                  << options.limits.max_step << ")";
    }
    for (const std::string& function : options.limits.avoid) {
        std::cout << ", not into " << function << "()";
    }
    std::cout << std::endl;
    const fi::FailNth fail;
    xe_pfvf::guest::KmsgCursor kmsg;
    fi::Campaign campaign(fail, kmsg, options.limits);
    std::vector<fi::OpReport> reports(ops.size());
    for (std::size_t i = 0; i < ops.size(); ++i) {
        try {
            campaign.run(ops[i], reports[i]);
        } catch (const fi::CampaignBroken& e) {
            std::cout << "xe-pfvf-faultinject: stopping: " << e.what() << '\n';
            std::cout << fi::format_report(reports[i]) << fi::result_line(reports[i]) << std::endl;
            for (std::size_t j = i + 1; j < ops.size(); ++j) {
                reports[j].name = ops[j].name;
                reports[j].what = ops[j].what;
                std::cout << fi::result_line(reports[j]) << '\n';
            }
            break;
        }
        std::cout << fi::format_report(reports[i]) << fi::result_line(reports[i]) << std::endl;
    }
    bool clean = true;
    try {
        target.teardown();
    } catch (const std::exception& e) {
        std::cout << "xe-pfvf-faultinject: " << e.what() << '\n';
        clean = false;
    }
    std::cout << fi::format_totals(reports) << std::endl;
    const bool pass = clean && std::all_of(reports.begin(), reports.end(), [](const fi::OpReport& r) {
                          return r.run && r.complete && r.problems.empty();
                      });
    return pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options options = parse_options(std::span<char*>(argv, static_cast<std::size_t>(argc)));
        return run(options);
    } catch (const std::exception& e) {
        std::cerr << "xe-pfvf-faultinject: " << e.what() << '\n';
        return 1;
    }
}
