#include "command.hpp"

#include <array>
#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace xe_pfvf::guest {

int run_command(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const std::string& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));  // NOLINT(cppcoreguidelines-pro-type-const-cast): posix_spawn's argv type
    }
    args.push_back(nullptr);
    pid_t pid = 0;
    const int err = ::posix_spawnp(&pid, args.front(), nullptr, nullptr, args.data(), environ);
    if (err != 0) {
        throw std::system_error(err, std::generic_category(), "posix_spawnp " + argv.front());
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw_errno("waitpid " + argv.front());
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

KmsgCursor::KmsgCursor() : fd_(open_fd("/dev/kmsg", O_RDONLY | O_NONBLOCK)) {
    if (::lseek(fd_.get(), 0, SEEK_END) < 0) {
        throw_errno("seek to the end of /dev/kmsg");
    }
}

std::vector<std::string> KmsgCursor::read_new() {
    std::vector<std::string> lines;
    std::array<char, 8192> record{};
    for (;;) {
        const ssize_t got = ::read(fd_.get(), record.data(), record.size());
        if (got < 0 && errno == EPIPE) {
            continue;  // overwritten records: go on with the next one
        }
        if (got < 0 && errno == EAGAIN) {
            return lines;
        }
        if (got < 0) {
            throw_errno("read /dev/kmsg");
        }
        // "<prio>,<seq>,<usec>,<flags>;<message>\n[ KEY=value\n...]"
        const std::string_view text(record.data(), static_cast<std::size_t>(got));
        const auto semicolon = text.find(';');
        if (semicolon == std::string_view::npos) {
            continue;
        }
        const std::string_view message = text.substr(semicolon + 1);
        lines.emplace_back(message.substr(0, message.find('\n')));
    }
}

}  // namespace xe_pfvf::guest
