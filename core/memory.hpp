#pragma once
/**
 * Prefaulting for the big arrays of a network load. On virtual machines the first touch of
 * each 4 KiB page is a page fault costing about 12 microseconds (bench/README.md), which for
 * a city-sized network was more than half of the load time. Mapping an array's pages in with
 * one system call costs about a quarter of that per page.
 */

#include <cstddef>
#include <vector>

namespace lifecircle {

/**
 * Maps in the pages of [begin, begin + bytes) in one go, as if each were written once, without
 * changing the contents (Linux MADV_POPULATE_WRITE). Only whole pages inside the range are
 * touched; ranges under 64 KiB are left alone. Does nothing where the system can't do it.
 */
void prefault(void* begin, std::size_t bytes);

/** Reserves room for `count` elements and prefaults the part not yet in use. */
template <class T>
void reserve_prefaulted(std::vector<T>& v, std::size_t count) {
    v.reserve(count);
    if (count > v.size()) prefault(v.data() + v.size(), (count - v.size()) * sizeof(T));
}

/** Resizes to `count` elements (new ones value-initialised), prefaulting the new pages first. */
template <class T>
void resize_prefaulted(std::vector<T>& v, std::size_t count) {
    reserve_prefaulted(v, count);
    v.resize(count);
}

/** Resizes to `count` copies of `value`, prefaulting the new pages first. */
template <class T>
void assign_prefaulted(std::vector<T>& v, std::size_t count, const T& value) {
    v.clear();
    reserve_prefaulted(v, count);
    v.assign(count, value);
}

}  // namespace lifecircle
