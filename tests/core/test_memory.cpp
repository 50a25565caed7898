#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include <catch2/catch.hpp>

#include "core/memory.hpp"

using namespace lifecircle;

TEST_CASE("prefaulting leaves contents alone", "[memory]") {
    // 4 MiB of known values, prefaulted over unaligned ends: nothing may change.
    std::vector<std::uint32_t> v(1 << 20);
    std::iota(v.begin(), v.end(), 7u);
    prefault(reinterpret_cast<char*>(v.data()) + 3, v.size() * sizeof(std::uint32_t) - 5);
    bool intact = true;
    for (std::size_t i = 0; i < v.size(); ++i) intact = intact && v[i] == 7u + i;
    CHECK(intact);
    // Small, empty and null ranges are accepted and do nothing.
    prefault(v.data(), 10);
    prefault(nullptr, 1 << 20);
    prefault(v.data(), 0);
    CHECK(v[0] == 7u);
}

TEST_CASE("prefaulted vectors behave like plain ones", "[memory]") {
    std::vector<double> a{1.0, 2.0, 3.0};
    reserve_prefaulted(a, 1 << 18);
    CHECK(a.capacity() >= (1u << 18));
    CHECK(a == std::vector<double>{1.0, 2.0, 3.0});

    std::vector<std::uint32_t> b{5, 6};
    resize_prefaulted(b, 1 << 18);
    REQUIRE(b.size() == (1u << 18));
    CHECK(b[0] == 5);
    CHECK(b[1] == 6);
    CHECK(b[2] == 0);
    CHECK(b.back() == 0);

    std::vector<std::uint32_t> c{1, 2, 3};
    assign_prefaulted(c, 100000, 9u);
    REQUIRE(c.size() == 100000);
    CHECK(std::count(c.begin(), c.end(), 9u) == 100000);
}
