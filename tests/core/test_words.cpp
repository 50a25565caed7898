// The word a user meant (core/words.hpp): the edit distance against hand-worked pairs and a
// textbook recursion on every pair of short words over a small alphabet, and the slips matched.

#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/words.hpp"

using namespace lifecircle;

namespace {

/** The definition, recursively: the cheapest of deleting, inserting or substituting the first byte. */
std::size_t textbook(const std::string& a, const std::string& b) {
    if (a.empty()) return b.size();
    if (b.empty()) return a.size();
    const std::string ra = a.substr(1), rb = b.substr(1);
    return std::min({textbook(ra, b) + 1, textbook(a, rb) + 1, textbook(ra, rb) + (a[0] == b[0] ? 0 : 1)});
}

}  // namespace

TEST_CASE("edit distance: hand-worked pairs and the textbook recursion", "[words]") {
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("flaw", "lawn") == 2);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("netwrok", "network") == 2);
    CHECK(edit_distance("设施", "设施") == 0);
    // Every pair of words of up to 4 letters over {a, b, c}.
    std::vector<std::string> words = {""};
    for (std::size_t k = 0; k < words.size() && words.size() < 121; ++k)
        if (words[k].size() < 4)
            for (const char c : {'a', 'b', 'c'}) words.push_back(words[k] + c);
    std::size_t differ = 0;
    for (const std::string& a : words)
        for (const std::string& b : words) differ += edit_distance(a, b) != textbook(a, b);
    CHECK(words.size() == 121);
    CHECK(differ == 0);
}

TEST_CASE("nearest word: slips are matched, other words are not", "[words]") {
    const std::vector<std::string> options = {"--network", "--facilities", "--demand", "--minutes", "--max-meters"};
    CHECK(nearest_word("--netwrok", options) == "--network");
    CHECK(nearest_word("--facilties", options) == "--facilities");
    CHECK(nearest_word("--minuts", options) == "--minutes");
    CHECK(nearest_word("--speed", options).empty());
    CHECK(nearest_word("--xyz", options).empty());
    const std::vector<std::string> verbs = {"coverage", "suggest", "plan", "matrix"};
    CHECK(nearest_word("covrage", verbs) == "coverage");
    CHECK(nearest_word("pln", verbs) == "plan");
    CHECK(nearest_word("demo", verbs).empty());
}
