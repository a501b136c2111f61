// Uses the installed headers and library: parses a PCI address, opens a
// device node that does not exist and reports the library's error.
#include <xe_pfvf/xe_pfvf.hpp>

#include <cerrno>
#include <iostream>

int main() {
    const auto bdf = xe_pfvf::Bdf::parse("01:00.1");
    if (!bdf || bdf->str() != "0000:01:00.1") {
        std::cerr << "Bdf::parse failed\n";
        return 1;
    }
    try {
        static_cast<void>(xe_pfvf::Device::open("/nonexistent/xe_pfvf"));
    } catch (const xe_pfvf::Error& e) {
        if (e.error() != ENOENT || e.operation() != "open") {
            std::cerr << "unexpected error: " << e.what() << '\n';
            return 1;
        }
        std::cout << "consumer ok: libxe-pfvf " << xe_pfvf::library_version << ", " << bdf->str() << ", " << e.what() << '\n';
        return 0;
    }
    std::cerr << "opening a missing node succeeded\n";
    return 1;
}
