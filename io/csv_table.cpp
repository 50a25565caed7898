#include "io/csv_table.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "io/text_format.hpp"

namespace lifecircle::io::detail {

namespace {

constexpr std::size_t block_size = std::size_t{1} << 20;

bool is_blank(const char* begin, const char* end) {
    for (const char* p = begin; p != end; ++p)
        if (*p != ' ' && *p != '\t' && *p != '\r') return false;
    return true;
}

/** The delimiter of a header line: the most frequent of , ; and tab outside quotes. */
char detect_delimiter(std::string_view line) {
    std::size_t comma = 0, semicolon = 0, tab = 0;
    bool quoted = false;
    for (char c : line) {
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        comma += c == ',';
        semicolon += c == ';';
        tab += c == '\t';
    }
    if (semicolon > comma && semicolon >= tab) return ';';
    if (tab > comma && tab > semicolon) return '\t';
    return ',';
}

}  // namespace

CsvReader::CsvReader(const std::string& path) : m_path(path), m_buffer(block_size) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw InputError(
            "the file does not exist: check the path (relative paths start in the current "
            "folder)")
            .set_file(path);
    }
    m_file = std::fopen(path.c_str(), "rb");
    if (m_file == nullptr) throw InputError("the file cannot be opened for reading").set_file(path);
    char* begin = nullptr;
    char* end = nullptr;
    // The header is the first non-empty line.
    while (next_line(begin, end) && is_blank(begin, end)) {
    }
    if (begin == nullptr || is_blank(begin, end)) {
        std::fclose(m_file);
        m_file = nullptr;
        throw InputError("the file is empty: it needs a header line naming its columns")
            .set_file(path);
    }
    if (end - begin >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0) begin += 3;
    m_delimiter = detect_delimiter(std::string_view(begin, static_cast<std::size_t>(end - begin)));
    std::vector<std::string_view> fields;
    try {
        split(begin, end, fields);
    } catch (...) {
        std::fclose(m_file);
        m_file = nullptr;
        throw;
    }
    for (std::string_view f : fields) m_header.emplace_back(f);
}

CsvReader::~CsvReader() {
    if (m_file != nullptr) std::fclose(m_file);
}

std::string CsvReader::header_text() const {
    std::string out;
    for (const auto& h : m_header) out += (out.empty() ? "" : ", ") + h;
    return out.empty() ? "(none)" : out;
}

int CsvReader::column(std::string_view name) const {
    const std::string key = ascii_lower(trim(name));
    for (std::size_t i = 0; i < m_header.size(); ++i)
        if (ascii_lower(m_header[i]) == key) return static_cast<int>(i);
    return -1;
}

bool CsvReader::next_line(char*& begin, char*& end) {
    for (;;) {
        char* data = m_buffer.data();
        if (m_begin < m_end) {
            void* nl = std::memchr(data + m_begin, '\n', m_end - m_begin);
            if (nl != nullptr || m_eof) {
                begin = data + m_begin;
                end = nl != nullptr ? static_cast<char*>(nl) : data + m_end;
                m_begin = nl != nullptr ? static_cast<std::size_t>(end - data) + 1 : m_end;
                if (end != begin && end[-1] == '\r') --end;
                ++m_line;
                return true;
            }
        } else if (m_eof) {
            begin = end = nullptr;
            return false;
        }
        // Keep the partial line, then read more (growing the buffer for a very long line).
        const std::size_t kept = m_end - m_begin;
        if (kept > 0 && m_begin > 0) std::memmove(data, data + m_begin, kept);
        m_begin = 0;
        m_end = kept;
        if (m_buffer.size() - m_end < block_size / 2) {
            m_buffer.resize(m_buffer.size() * 2);
            data = m_buffer.data();
        }
        const std::size_t got = std::fread(data + m_end, 1, m_buffer.size() - m_end, m_file);
        m_end += got;
        if (got == 0) {
            if (std::ferror(m_file) != 0)
                throw InputError("reading the file failed at line " + std::to_string(m_line + 1))
                    .set_file(m_path);
            m_eof = true;
        }
    }
}

void CsvReader::split(char* begin, char* end, std::vector<std::string_view>& fields) {
    fields.clear();
    char* p = begin;
    for (;;) {
        while (p != end && (*p == ' ' || *p == '\t') && *p != m_delimiter) ++p;
        if (p != end && *p == '"') {
            // Quoted: unescape "" in place (the text only gets shorter).
            char* out = ++p;
            char* const start = out;
            bool closed = false;
            while (p != end) {
                if (*p == '"') {
                    if (p + 1 != end && p[1] == '"') {
                        *out++ = '"';
                        p += 2;
                        continue;
                    }
                    ++p;
                    closed = true;
                    break;
                }
                *out++ = *p++;
            }
            if (!closed) {
                throw InputError("line " + std::to_string(m_line) +
                                 ": a quote (\") is not closed on this line: close it, or "
                                 "remove the line break inside the quoted value")
                    .set_file(m_path);
            }
            while (p != end && *p != m_delimiter) ++p;  // ignore anything after the quote
            fields.push_back(std::string_view(start, static_cast<std::size_t>(out - start)));
        } else {
            char* const start = p;
            while (p != end && *p != m_delimiter) ++p;
            fields.push_back(trim(std::string_view(start, static_cast<std::size_t>(p - start))));
        }
        if (p == end) return;
        ++p;  // the delimiter
    }
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
    char* begin = nullptr;
    char* end = nullptr;
    while (next_line(begin, end)) {
        if (is_blank(begin, end)) continue;
        split(begin, end, fields);
        return true;
    }
    fields.clear();
    return false;
}

bool parse_double(std::string_view text, double& value, bool* out_of_range) {
    if (out_of_range != nullptr) *out_of_range = false;
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (text.empty()) return false;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ptr != text.data() + text.size()) return false;
    if (ec == std::errc::result_out_of_range && out_of_range != nullptr) *out_of_range = true;
    return ec == std::errc();
}

}  // namespace lifecircle::io::detail
