#include "core/memory.hpp"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace lifecircle {

void prefault(void* begin, std::size_t bytes) {
#if defined(__linux__)
    constexpr std::size_t min_bytes = 64 * 1024;
#ifdef MADV_POPULATE_WRITE
    constexpr int populate_write = MADV_POPULATE_WRITE;
#else
    constexpr int populate_write = 23;  // Linux 5.14; older kernels answer EINVAL and nothing happens
#endif
    if (begin == nullptr || bytes < min_bytes) return;
    static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto first = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
    const auto last = (reinterpret_cast<std::uintptr_t>(begin) + bytes) / page * page;
    if (last > first) madvise(reinterpret_cast<void*>(first), last - first, populate_write);
#else
    (void)begin;
    (void)bytes;
#endif
}

}  // namespace lifecircle
