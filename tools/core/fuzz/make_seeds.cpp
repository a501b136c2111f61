// SPDX-License-Identifier: GPL-2.0-only
// Writes the seed corpus of xlate_fuzz into a directory: a few inputs of
// assorted sizes from a fixed seed (any bytes make a valid case).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <span>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    const std::span<char*> args(argv, static_cast<std::size_t>(argc));
    if (args.size() != 2) {
        std::cerr << "usage: " << args[0] << " DIR\n";
        return 2;
    }
    const std::filesystem::path dir(args[1]);
    std::filesystem::create_directories(dir);
    std::mt19937_64 rng(0x78655f70667666ULL);  // "xe_pfvf"
    constexpr std::size_t count = 24;
    for (std::size_t i = 0; i < count; i++) {
        const std::size_t size = std::size_t{16} << (i % 7);  // 16 .. 1024 bytes
        std::vector<char> bytes(size);
        for (auto& b : bytes) {
            b = static_cast<char>(rng() & 0xffU);
        }
        std::ofstream out(dir / ("seed-" + std::to_string(i)), std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) {
            std::cerr << "cannot write " << dir << "\n";
            return 1;
        }
    }
    return 0;
}
