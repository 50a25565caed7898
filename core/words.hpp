#pragma once
/** The word a user meant: a misspelt option, verb or key matched to the ones there are. */

#include <span>
#include <string>
#include <string_view>

namespace lifecircle {

/** Levenshtein distance (insertions, deletions, substitutions of bytes). */
std::size_t edit_distance(std::string_view a, std::string_view b);

/**
 * The candidate nearest to `word` when it is near enough to be a slip (at most 2 edits, and at
 * most a third of the word's length for short words), the first of equals; else empty.
 */
std::string nearest_word(std::string_view word, std::span<const std::string> candidates);

}  // namespace lifecircle
