#include "maps/xml.hpp"

#include <array>
#include <cstdint>

namespace lifecircle::maps {

void append_xml(std::string& out, std::string_view text, bool keep_quotes) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            switch (c) {
                case '&':
                    out += "&amp;";
                    break;
                case '<':
                    out += "&lt;";
                    break;
                case '>':
                    out += "&gt;";
                    break;
                case '"':
                    out += keep_quotes ? "\"" : "&quot;";
                    break;
                case '\'':
                    out += keep_quotes ? "'" : "&apos;";
                    break;
                default:
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
                        out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        }
        bool ok = len != 0 && i + len <= n;
        for (std::size_t k = 1; ok && k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        constexpr std::array<std::uint32_t, 5> min_cp{0, 0, 0x80, 0x800, 0x10000};
        if (ok && (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
                   cp == 0xFFFE || cp == 0xFFFF)) {
            ok = false;
        }
        if (ok) {
            out.append(text.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
}

std::string xml_escape(std::string_view text) {
    std::string out;
    append_xml(out, text, false);
    return out;
}

std::string xml_text(std::string_view text) {
    std::string out;
    append_xml(out, text, true);
    return out;
}

}  // namespace lifecircle::maps
