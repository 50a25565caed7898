#include "io/text_format.hpp"

#include <sstream>

namespace lifecircle::io::detail {

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string format_number(double value, int digits) {
    std::ostringstream out;
    out.precision(digits);
    out << value;
    return out.str();
}

std::string format_point(Point p, int digits) {
    // Appending (not "(" + string) sidesteps GCC 12's false -Wrestrict warning.
    std::string out = "(";
    out += format_number(p.x, digits);
    out += ", ";
    out += format_number(p.y, digits);
    out += ')';
    return out;
}

}  // namespace lifecircle::io::detail
